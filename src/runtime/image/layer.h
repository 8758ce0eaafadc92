// Layer unpacking: one layer blob (tar, gzip, zstd, xz or bzip2 compressed)
// extracted into a directory as an overlayfs lower layer.
//
// Whiteouts become overlayfs whiteouts: ".wh.<name>" is a 0/0 character
// device at <name>, ".wh..wh..opq" sets trusted.overlay.opaque=y on its
// directory. The uncompressed stream is hashed while it is extracted (its
// digest is the layer's diff id). Entries escaping the directory ("..",
// writing through a symlink, hard links through a symlink) fail the whole
// layer. Ownership, modes, times, xattrs and device nodes are restored as
// they are in the tar (needs root for chown/mknod/trusted.* xattrs).
//
// Thread-safe: no shared state; two calls must not target one directory.
// Blind spots: ACLs and file flags are not restored; xattrs named
// trusted.overlay.* in the tar are dropped (they would confuse overlayfs).
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace kubepp::runtime::image {

struct UnpackedLayer {
  std::string diff_id;             // "sha256:<hex>" of the uncompressed tar stream
  uint64_t uncompressed_size = 0;  // bytes of that stream
};

// Extracts `blob_path` into the existing, empty directory `dest_dir` (an
// absolute path without symlinks). When `expected_diff_id` is not empty and
// differs from the digest of the uncompressed stream, returns Invalid (the
// caller discards dest_dir). Invalid also on a malformed archive or an entry
// that escapes dest_dir (message names the entry); Internal on I/O errors.
StatusOr<UnpackedLayer> UnpackLayer(const std::string& blob_path, const std::string& dest_dir,
                                    const std::string& expected_diff_id);

}  // namespace kubepp::runtime::image
