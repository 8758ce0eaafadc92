#include "runtime/image/layer.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <memory>
#include <vector>

#include "runtime/image/digest.h"

namespace kubepp::runtime::image {

namespace {

namespace fs = std::filesystem;

struct ArchiveReadCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};
struct ArchiveWriteCloser {
  void operator()(archive* a) const { archive_write_free(a); }
};
using ReadPtr = std::unique_ptr<archive, ArchiveReadCloser>;
using WritePtr = std::unique_ptr<archive, ArchiveWriteCloser>;

// The decompressed stream, read through libarchive's "raw" format and hashed
// as the tar reader consumes it.
struct RawSource {
  archive* raw = nullptr;
  Sha256 hash;
  uint64_t total = 0;
  std::string error;
  std::vector<char> buf = std::vector<char>(1 << 16);

  // Returns bytes read, 0 at the end, -1 on error.
  la_ssize_t Read() {
    la_ssize_t n = archive_read_data(raw, buf.data(), buf.size());
    if (n < 0) {
      error = archive_error_string(raw) ? archive_error_string(raw) : "decompression failed";
      return -1;
    }
    hash.Update(buf.data(), static_cast<size_t>(n));
    total += static_cast<uint64_t>(n);
    return n;
  }
};

la_ssize_t ReadCallback(archive* a, void* client, const void** out) {
  auto* src = static_cast<RawSource*>(client);
  la_ssize_t n = src->Read();
  if (n < 0) {
    archive_set_error(a, EIO, "%s", src->error.c_str());
    return ARCHIVE_FATAL;
  }
  *out = src->buf.data();
  return n;
}

// Splits a tar entry name into clean components ("./a//b/" -> {a, b}).
// False when a component is "..".
bool CleanComponents(const char* name, std::vector<std::string>* out) {
  out->clear();
  std::string_view s = name ? name : "";
  size_t i = 0;
  while (i <= s.size()) {
    size_t j = s.find('/', i);
    if (j == std::string_view::npos) j = s.size();
    std::string_view c = s.substr(i, j - i);
    if (c == "..") return false;
    if (!c.empty() && c != ".") out->emplace_back(c);
    i = j + 1;
  }
  return true;
}

std::string Join(const std::string& root, const std::vector<std::string>& comps, size_t n) {
  std::string p = root;
  for (size_t i = 0; i < n && i < comps.size(); ++i) p += "/" + comps[i];
  return p;
}

// Invalid when a parent of comps (under root) is a symlink: writing through
// it could land outside the layer.
Status CheckParents(const std::string& root, const std::vector<std::string>& comps,
                    const std::string& entry) {
  std::string p = root;
  for (size_t i = 0; i + 1 < comps.size(); ++i) {
    p += "/" + comps[i];
    struct stat st;
    if (::lstat(p.c_str(), &st) != 0) return Status::Ok();  // created fresh below
    if (S_ISLNK(st.st_mode)) {
      return Status::Invalid("layer entry \"" + entry + "\": refusing to write through symlink \"" +
                             p.substr(root.size() + 1) + "\"");
    }
    if (!S_ISDIR(st.st_mode)) {
      return Status::Invalid("layer entry \"" + entry + "\": parent \"" + p.substr(root.size() + 1) +
                             "\" is not a directory");
    }
  }
  return Status::Ok();
}

Status MkdirAll(const std::string& root, const std::vector<std::string>& comps, size_t n) {
  std::string p = root;
  for (size_t i = 0; i < n; ++i) {
    p += "/" + comps[i];
    if (::mkdir(p.c_str(), 0755) != 0 && errno != EEXIST) {
      return Status::Internal("mkdir " + p + ": " + std::strerror(errno));
    }
  }
  return Status::Ok();
}

// Drops trusted.overlay.* xattrs from the entry: in a lower layer they would
// be read by overlayfs as its own metadata.
void FilterXattrs(archive_entry* e) {
  if (archive_entry_xattr_reset(e) == 0) return;
  struct X {
    std::string name;
    std::string value;
  };
  std::vector<X> keep;
  bool dropped = false;
  const char* name;
  const void* value;
  size_t size;
  while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK) {
    if (std::string_view(name).substr(0, 16) == "trusted.overlay.") {
      dropped = true;
      continue;
    }
    keep.push_back({name, std::string(static_cast<const char*>(value), size)});
  }
  if (!dropped) return;
  archive_entry_xattr_clear(e);
  for (const X& x : keep) archive_entry_xattr_add_entry(e, x.name.c_str(), x.value.data(), x.value.size());
}

}  // namespace

StatusOr<UnpackedLayer> UnpackLayer(const std::string& blob_path, const std::string& dest_dir,
                                    const std::string& expected_diff_id) {
  const std::string where = "layer " + blob_path;
  ReadPtr raw(archive_read_new());
  archive_read_support_filter_all(raw.get());
  archive_read_support_format_raw(raw.get());
  if (archive_read_open_filename(raw.get(), blob_path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Status::Internal(where + ": " + archive_error_string(raw.get()));
  }
  archive_entry* raw_entry = nullptr;
  int r = archive_read_next_header(raw.get(), &raw_entry);
  RawSource src;
  src.raw = raw.get();
  if (r == ARCHIVE_EOF) {
    // An empty file: libarchive's raw format reports no entry. Treat it as an
    // empty stream (the tar reader below will reject it).
    src.raw = nullptr;
  } else if (r != ARCHIVE_OK) {
    return Status::Invalid(where + ": " + archive_error_string(raw.get()));
  }

  ReadPtr tar(archive_read_new());
  archive_read_support_format_tar(tar.get());
  archive_read_support_format_empty(tar.get());
  if (src.raw == nullptr) return Status::Invalid(where + ": empty file is not a tar archive");
  if (archive_read_open(tar.get(), &src, nullptr, ReadCallback, nullptr) != ARCHIVE_OK) {
    return Status::Invalid(where + ": not a tar stream: " + archive_error_string(tar.get()));
  }

  WritePtr disk(archive_write_disk_new());
  archive_write_disk_set_options(disk.get(), ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
                                                 ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_XATTR |
                                                 ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                                 ARCHIVE_EXTRACT_SECURE_NODOTDOT);

  std::vector<std::string> comps;
  std::vector<std::string> link_comps;
  archive_entry* entry = nullptr;
  while (true) {
    r = archive_read_next_header(tar.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r < ARCHIVE_WARN) {
      std::string msg = archive_error_string(tar.get()) ? archive_error_string(tar.get()) : "read error";
      if (!src.error.empty()) msg = src.error;
      return Status::Invalid(where + ": " + msg);
    }
    const char* raw_name = archive_entry_pathname(entry);
    std::string name = raw_name ? raw_name : "";
    if (!CleanComponents(raw_name, &comps)) {
      return Status::Invalid(where + ": entry \"" + name + "\" escapes the layer (\"..\")");
    }
    if (comps.empty()) continue;  // "./": the root itself
    RETURN_IF_ERROR(CheckParents(dest_dir, comps, name).WithPrefix(where));
    const std::string& base = comps.back();
    if (base.rfind(".wh.", 0) == 0) {
      RETURN_IF_ERROR(MkdirAll(dest_dir, comps, comps.size() - 1));
      std::string parent = Join(dest_dir, comps, comps.size() - 1);
      if (base == ".wh..wh..opq") {
        if (::setxattr(parent.c_str(), "trusted.overlay.opaque", "y", 1, 0) != 0) {
          return Status::Internal(where + ": setxattr trusted.overlay.opaque on " + parent + ": " +
                                  std::strerror(errno));
        }
      } else if (base.rfind(".wh..wh.", 0) != 0) {  // other .wh..wh.* are aufs metadata: skip
        std::string target = parent + "/" + base.substr(4);
        std::error_code ec;
        fs::remove_all(target, ec);
        if (::mknod(target.c_str(), S_IFCHR | 0, makedev(0, 0)) != 0) {
          return Status::Internal(where + ": whiteout " + target + ": " + std::strerror(errno));
        }
      }
      continue;
    }
    std::string abs = Join(dest_dir, comps, comps.size());
    archive_entry_set_pathname(entry, abs.c_str());
    if (const char* link = archive_entry_hardlink(entry); link != nullptr) {
      if (!CleanComponents(link, &link_comps) || link_comps.empty()) {
        return Status::Invalid(where + ": hard link \"" + name + "\" -> \"" + link + "\" escapes the layer");
      }
      RETURN_IF_ERROR(CheckParents(dest_dir, link_comps, name).WithPrefix(where));
      std::string abs_link = Join(dest_dir, link_comps, link_comps.size());
      archive_entry_set_hardlink(entry, abs_link.c_str());
    }
    FilterXattrs(entry);
    r = archive_write_header(disk.get(), entry);
    if (r < ARCHIVE_WARN) {
      return Status::Invalid(where + ": entry \"" + name + "\": " + archive_error_string(disk.get()));
    }
    if (archive_entry_size(entry) > 0) {
      const void* block;
      size_t size;
      la_int64_t offset;
      while (true) {
        r = archive_read_data_block(tar.get(), &block, &size, &offset);
        if (r == ARCHIVE_EOF) break;
        if (r < ARCHIVE_WARN) {
          std::string msg = src.error.empty() ? archive_error_string(tar.get()) : src.error;
          return Status::Invalid(where + ": entry \"" + name + "\": " + msg);
        }
        if (archive_write_data_block(disk.get(), block, size, offset) < ARCHIVE_WARN) {
          return Status::Internal(where + ": entry \"" + name + "\": " + archive_error_string(disk.get()));
        }
      }
    }
    if (archive_write_finish_entry(disk.get()) < ARCHIVE_WARN) {
      return Status::Internal(where + ": entry \"" + name + "\": " + archive_error_string(disk.get()));
    }
  }
  // The digest covers the whole stream, including the padding after the
  // tar's end-of-archive blocks that the tar reader does not consume.
  while (true) {
    la_ssize_t n = src.Read();
    if (n < 0) return Status::Invalid(where + ": " + src.error);
    if (n == 0) break;
  }
  if (archive_write_close(disk.get()) < ARCHIVE_WARN) {
    return Status::Internal(where + ": " + archive_error_string(disk.get()));
  }
  UnpackedLayer out;
  out.diff_id = src.hash.Finish();
  out.uncompressed_size = src.total;
  if (!expected_diff_id.empty() && out.diff_id != expected_diff_id) {
    return Status::Invalid(where + ": diff id mismatch: uncompressed content is " + out.diff_id + ", want " +
                           expected_diff_id);
  }
  return out;
}

}  // namespace kubepp::runtime::image
