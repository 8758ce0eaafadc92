// ImageStore: the node's content-addressed image store (ARCHITECTURE.md §6).
//
// Layout under `root` (a directory owned by the store; one store per root):
//   blobs/sha256/<hex>       manifests, configs and layer blobs, named by the
//                            sha256 of their bytes (verified before they land;
//                            written to tmp/ then renamed, so a crash never
//                            leaves a half blob under its final name)
//   layers/<hex>/fs          a layer unpacked once, keyed by its diff id (the
//                            digest of the uncompressed tar), with whiteouts as
//                            overlayfs whiteouts, ready to be a lowerdir
//   images/<hex>.json        one record per image, <hex> = config digest
//   tmp/                     downloads and unpacks in progress (emptied on Open)
// Orphan blobs and layers (e.g. after a crash mid-pull) are removed on Open.
//
// Images are named by tags ("docker.io/library/busybox:latest") and repo
// digests ("docker.io/library/busybox@sha256:<manifest>"); a tag names one
// image at a time (importing or pulling a tag moves it). Remove(tag) drops
// the tag and the image once it has no tag left; its blobs and layers go
// with it unless another image shares them.
//
// Thread-safe: every method may be called from any thread. Pulls and
// imports run concurrently (and with Get/List); removal and garbage
// collection wait for running pulls/imports to finish writing content.
// Needs root (chown, mknod of whiteouts, trusted.* xattrs while unpacking).
//
// Blind spots: only linux/amd64 is selected from multi-platform indexes;
// images are not re-verified after they land (a blob corrupted on disk is
// served as is); layers unpacked before a crash mid-import are reused
// only when an image refers to them again.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "runtime/image/reference.h"
#include "runtime/image/registry.h"

namespace kubepp::runtime::image {

struct ImageConfig {
  std::vector<std::string> entrypoint, cmd, env;
  std::string working_dir, user, stop_signal;
  std::map<std::string, std::string> labels;
};

struct Image {
  std::string id;                         // "sha256:<hex>" = digest of the config blob
  std::vector<std::string> repo_tags;     // normalized, e.g. "docker.io/library/busybox:latest"
  std::vector<std::string> repo_digests;  // "<repo>@sha256:<manifest digest>"
  uint64_t size = 0;                      // bytes (sum of layer blob sizes)
  ImageConfig config;
  std::vector<std::string> layer_dirs;  // absolute dirs of unpacked layers, LOWEST FIRST
  std::vector<std::string> diff_ids;    // "sha256:..", one per layer, lowest first
  std::string manifest_digest;          // "sha256:.." of the stored manifest
  int64_t last_used_unix = 0;           // seconds; pull/import/GC in-use/MarkUsed update it
};

struct FsInfo {
  std::string mountpoint;        // the store's root
  uint64_t used_bytes = 0;       // bytes allocated by the store's files (blocks * 512)
  uint64_t inodes_used = 0;      // files and directories of the store
  uint64_t capacity_bytes = 0;   // of the filesystem holding the root (statvfs)
  uint64_t available_bytes = 0;  // to unprivileged users on that filesystem
};

struct StoreOptions {
  // Registries, mirrors and their credentials (registries.yaml); used by Pull.
  RegistriesConfig registries;
  FetchOptions fetch;
  // Seams for tests: the clock (seconds since the epoch) and the filesystem
  // statistics used by GarbageCollect's thresholds. Defaults: wall clock,
  // statvfs of the root for capacity/available.
  std::function<int64_t()> now_unix;
  std::function<StatusOr<FsInfo>()> fs_info;
};

struct PullOptions {
  // Overrides the store's credentials for this pull (CRI AuthConfig).
  std::string username, password;
};

// Kubelet-style image GC policy (imageGCHighThresholdPercent /
// imageGCLowThresholdPercent / imageMinimumGCAge).
struct GcPolicy {
  int high_threshold_percent = 85;  // GC runs when disk usage >= this
  int low_threshold_percent = 80;   // and frees down to this
  std::chrono::seconds min_age{0};  // images used more recently are kept
};

struct GcResult {
  std::vector<std::string> removed_ids;
  uint64_t freed_bytes = 0;  // sum of the removed images' sizes
  bool threshold_exceeded = false;
};

class ImageStore {
 public:
  // Opens (creating) the store at `root`; removes leftovers of a crash.
  // Internal when the directory cannot be created or a record is unreadable
  // in a way that is not just a half-written file.
  static StatusOr<std::unique_ptr<ImageStore>> Open(const std::string& root, StoreOptions options = {});
  ~ImageStore();

  const std::string& root() const;

  // Imports a `docker save` tarball (manifest.json) or an OCI image-layout
  // archive (oci-layout + index.json), plain or gzip/zstd compressed. Tags
  // come from RepoTags / the org.opencontainers.image.ref.name and
  // io.containerd.image.name annotations (a bare ref.name like "1.0" is not
  // a tag and is ignored). Returns the images imported. Invalid on a
  // malformed archive or a digest/diff-id mismatch (nothing of the failing
  // image is recorded).
  StatusOr<std::vector<Image>> Import(const std::string& archive_path);

  // Imports every *.tar, *.tar.gz, *.tgz, *.tar.zst file of `dir` (k3s's
  // agent/images), in name order. Returns the number of archives imported;
  // the first error is returned after trying every file. OK when the
  // directory does not exist.
  StatusOr<int> ImportDirectory(const std::string& dir);

  // Pulls `ref` (normalized with NormalizeReference) from its registry,
  // trying mirrors first. Blobs already present are not fetched again.
  // Invalid on a bad reference or content; NotFound when no endpoint has it;
  // Unauthorized; Unavailable when every endpoint failed.
  StatusOr<Image> Pull(const std::string& ref, const PullOptions& options = {});

  // By tag ("busybox", "docker.io/library/busybox:1"), repo digest, id
  // ("sha256:<hex>") or bare hex id. NotFound otherwise.
  StatusOr<Image> Get(const std::string& ref_or_id) const;
  std::vector<Image> List() const;

  // A tag or repo digest: removes that name, and the image when no tag is
  // left. An id: removes the image with all its names. Then deletes the
  // blobs and layers no image refers to. NotFound when nothing matches.
  Status Remove(const std::string& ref_or_id);

  // Marks an image as used now (LRU order for GarbageCollect).
  void MarkUsed(const std::string& ref_or_id);

  // Usage of the store itself plus the filesystem it lives on.
  StatusOr<FsInfo> GetFsInfo() const;

  // When disk usage (capacity - available) / capacity is at or above
  // policy.high_threshold_percent, removes least-recently-used images not in
  // `in_use_ids` (ids "sha256:..") and older than min_age until usage is
  // expected to be below low_threshold_percent. Images in use are marked used
  // now. Invalid on a bad policy; Internal if statistics fail.
  StatusOr<GcResult> GarbageCollect(const GcPolicy& policy, const std::set<std::string>& in_use_ids);

 private:
  class Impl;
  explicit ImageStore(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace kubepp::runtime::image
