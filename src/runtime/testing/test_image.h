// Test images and a real local registry for the runtime's tests.
//
// BuildBusyboxImage assembles, in memory, an image whose one layer holds the
// host's /bin/busybox (Debian's busybox-static) plus applet symlinks in /bin
// (sh, sleep, cat, echo, ls, id, hostname, wget, nc, httpd, ...), /etc/passwd
// and /etc/group (root and nobody 65534) and the usual empty top-level dirs;
// config Cmd ["sh"], Env PATH. Write*Archive turn it into a `docker save`
// tarball or an OCI image-layout archive; TestRegistry runs the real
// /usr/bin/docker-registry on 127.0.0.1 and pushes archives into it with
// skopeo.
//
// Thread-safety: functions are independent; a TestRegistry has one owner.
// The registry process is stopped (by PID) and its storage removed by the
// destructor. Needs /bin/busybox, and for TestRegistry docker-registry and
// skopeo. Blind spot: images are not reproducible byte for byte across runs
// (gzip and tar headers carry times).
#pragma once

#include <sys/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"

namespace kubepp::runtime::testimage {

struct TarEntry {
  enum class Type { kFile, kDir, kSymlink, kHardlink, kCharDevice };
  std::string path;  // as written in the tar, e.g. "etc/passwd" or "../evil"
  Type type = Type::kFile;
  std::string content;  // kFile
  std::string link;     // kSymlink target / kHardlink target path
  int mode = -1;        // default 0644 files, 0755 dirs, 0777 symlinks
  int uid = 0, gid = 0;
  int rdev_major = 0, rdev_minor = 0;
};
// An uncompressed tar (pax) of the entries, in order.
StatusOr<std::string> BuildTar(const std::vector<TarEntry>& entries);
// Compresses bytes: compression is "gzip", "zstd" or "none".
StatusOr<std::string> Compress(const std::string& data, const std::string& compression);

struct TestBlob {
  std::string media_type;
  std::string digest;  // "sha256:<hex>"
  std::string data;
};

struct TestImage {
  TestBlob manifest;                    // OCI image manifest
  TestBlob config;                      // its digest is the image id
  std::vector<TestBlob> layers;         // as in the manifest (maybe compressed), lowest first
  std::vector<std::string> layer_tars;  // the same layers uncompressed
  std::vector<std::string> diff_ids;
  const std::string& id() const { return config.digest; }
};

struct TestImageOptions {
  std::string compression = "gzip";  // layer blobs: "gzip", "zstd" or "none"
  std::vector<std::string> cmd = {"sh"};
  std::vector<std::string> entrypoint;
  std::vector<std::string> env = {"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"};
  std::string working_dir;
  std::string user;
  std::map<std::string, std::string> labels;
  // Files added to the top layer (path without leading '/', content; 0644).
  std::map<std::string, std::string> extra_files;
  // Whiteout test: layer 1 also gets /etc/motd, /data/a, /data/b and
  // /keep/x; a second layer deletes /etc/motd (".wh.motd"), makes /data
  // opaque (".wh..wh..opq") and adds /data/c.
  bool whiteout_layer = false;
};

// Builds an image from layer tars (uncompressed) and a config.
StatusOr<TestImage> BuildImage(const std::vector<std::string>& layer_tars, const TestImageOptions& options);
StatusOr<TestImage> BuildBusyboxImage(const TestImageOptions& options = {});

// OCI image layout archive. ref_name goes in the index annotation
// org.opencontainers.image.ref.name (e.g. "docker.io/library/busybox:latest";
// "" for none). With wrap_in_index, index.json points to an image index that
// lists a linux/arm64 manifest (absent blob) and the linux/amd64 one.
Status WriteOciArchive(const TestImage& image, const std::string& path, const std::string& ref_name,
                       bool wrap_in_index = false);
// `docker save` archive: manifest.json, <id>.json, <n>/layer.tar (layers
// uncompressed, as docker writes them). repo_tag e.g. "busybox:latest".
Status WriteDockerArchive(const TestImage& image, const std::string& path, const std::string& repo_tag);

// Busybox image straight to an archive; returns the image id ("sha256:...").
StatusOr<std::string> WriteBusyboxOciArchive(const std::string& path, const std::string& ref_name,
                                             const TestImageOptions& options = {});
StatusOr<std::string> WriteBusyboxDockerArchive(const std::string& path, const std::string& repo_tag,
                                                const TestImageOptions& options = {});

// Runs argv (argv[0] a path) to completion; returns its combined output, or
// Internal with the output when the exit status is not 0.
StatusOr<std::string> RunCommand(const std::vector<std::string>& argv);

// A real docker-registry (distribution 2.x) on 127.0.0.1:<free port>, plain
// HTTP, storage in a temp dir.
class TestRegistry {
 public:
  // Unavailable when the binary is missing or /v2/ does not answer in 20 s.
  static StatusOr<std::unique_ptr<TestRegistry>> Start();
  ~TestRegistry();
  TestRegistry(const TestRegistry&) = delete;
  TestRegistry& operator=(const TestRegistry&) = delete;

  std::string host() const;  // "127.0.0.1:PORT"
  int port() const { return port_; }
  // skopeo copy --dest-tls-verify=false oci-archive:PATH docker://HOST/NAME_TAG
  // (name_tag like "test/busybox:1"); extra_args go before the source, e.g.
  // {"--dest-compress-format", "zstd"}.
  Status PushOciArchive(const std::string& archive_path, const std::string& name_tag,
                        const std::vector<std::string>& extra_args = {});
  Status PushDockerArchive(const std::string& archive_path, const std::string& name_tag,
                           const std::vector<std::string>& extra_args = {});

 private:
  TestRegistry() = default;
  Status Push(const std::string& source, const std::string& name_tag,
              const std::vector<std::string>& extra_args);
  pid_t pid_ = -1;
  int port_ = 0;
  std::string dir_;
};

}  // namespace kubepp::runtime::testimage
