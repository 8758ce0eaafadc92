#include "runtime/image/image_store.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <shared_mutex>
#include <sstream>

#include "common/log.h"
#include "runtime/image/digest.h"
#include "runtime/image/layer.h"

namespace kubepp::runtime::image {

namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

constexpr std::string_view kOciIndex = "application/vnd.oci.image.index.v1+json";
constexpr std::string_view kDockerList = "application/vnd.docker.distribution.manifest.list.v2+json";
constexpr std::string_view kOciManifest = "application/vnd.oci.image.manifest.v1+json";
constexpr std::string_view kDockerManifest = "application/vnd.docker.distribution.manifest.v2+json";
constexpr std::string_view kDockerSchema1 = "application/vnd.docker.distribution.manifest.v1+json";
constexpr std::string_view kDockerSchema1Signed = "application/vnd.docker.distribution.manifest.v1+prettyjws";

struct Descriptor {
  std::string media_type;
  std::string digest;
  int64_t size = -1;
};

struct LayerRef {
  Descriptor blob;
  std::string diff_id;
};

struct Record {
  std::string id;
  std::vector<std::string> repo_tags;
  std::vector<std::string> repo_digests;
  std::string manifest_digest;
  std::vector<LayerRef> layers;
  ImageConfig config;
  uint64_t size = 0;
  int64_t created = 0;
  int64_t last_used = 0;
};

std::string Hex(const std::string& digest) {
  auto h = DigestHex(digest);
  return h.ok() ? *h : std::string();
}

Status WriteFileSynced(const std::string& path, std::string_view data) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Internal("open " + path + ": " + std::strerror(errno));
  const char* p = data.data();
  size_t n = data.size();
  while (n > 0) {
    ssize_t w = ::write(fd, p, n);
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) {
      int e = errno;
      ::close(fd);
      return Status::Internal("write " + path + ": " + std::strerror(e));
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
  if (::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    return Status::Internal("fsync " + path + ": " + std::strerror(e));
  }
  ::close(fd);
  return Status::Ok();
}

StatusOr<std::string> ReadFile(const std::string& path, size_t limit = 64 << 20) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (ec) return Status::NotFound("read " + path + ": " + ec.message());
  if (size > limit) return Status::Invalid(path + ": larger than " + std::to_string(limit) + " bytes");
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  if (!in && !in.eof()) return Status::Internal("read " + path);
  return ss.str();
}

StatusOr<Descriptor> ParseDescriptor(const json& j, const std::string& where) {
  if (!j.is_object()) return Status::Invalid(where + ": descriptor must be an object");
  Descriptor d;
  if (j.contains("mediaType") && j["mediaType"].is_string()) d.media_type = j["mediaType"].get<std::string>();
  if (!j.contains("digest") || !j["digest"].is_string()) return Status::Invalid(where + ".digest: missing");
  d.digest = j["digest"].get<std::string>();
  RETURN_IF_ERROR(DigestHex(d.digest).status().WithPrefix(where + ".digest"));
  if (j.contains("size") && j["size"].is_number_integer()) d.size = j["size"].get<int64_t>();
  return d;
}

std::vector<std::string> StringList(const json& j) {
  std::vector<std::string> out;
  if (!j.is_array()) return out;
  for (const auto& v : j) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

StatusOr<ImageConfig> ParseImageConfig(const std::string& body, std::vector<std::string>* diff_ids) {
  json doc = json::parse(body, nullptr, false);
  if (!doc.is_object()) return Status::Invalid("image config is not a JSON object");
  ImageConfig c;
  if (doc.contains("config") && doc["config"].is_object()) {
    const json& cfg = doc["config"];
    auto str = [&](const char* k) {
      return cfg.contains(k) && cfg[k].is_string() ? cfg[k].get<std::string>() : std::string();
    };
    if (cfg.contains("Entrypoint")) c.entrypoint = StringList(cfg["Entrypoint"]);
    if (cfg.contains("Cmd")) c.cmd = StringList(cfg["Cmd"]);
    if (cfg.contains("Env")) c.env = StringList(cfg["Env"]);
    c.working_dir = str("WorkingDir");
    c.user = str("User");
    c.stop_signal = str("StopSignal");
    if (cfg.contains("Labels") && cfg["Labels"].is_object()) {
      for (const auto& [k, v] : cfg["Labels"].items()) {
        if (v.is_string()) c.labels[k] = v.get<std::string>();
      }
    }
  }
  diff_ids->clear();
  if (doc.contains("rootfs") && doc["rootfs"].is_object() && doc["rootfs"].contains("diff_ids")) {
    *diff_ids = StringList(doc["rootfs"]["diff_ids"]);
  }
  for (const auto& d : *diff_ids)
    RETURN_IF_ERROR(DigestHex(d).status().WithPrefix("image config rootfs.diff_ids"));
  return c;
}

json RecordToJson(const Record& r) {
  json j;
  j["id"] = r.id;
  j["repoTags"] = r.repo_tags;
  j["repoDigests"] = r.repo_digests;
  j["manifestDigest"] = r.manifest_digest;
  j["size"] = r.size;
  j["created"] = r.created;
  j["lastUsed"] = r.last_used;
  j["layers"] = json::array();
  for (const auto& l : r.layers) {
    j["layers"].push_back({{"mediaType", l.blob.media_type},
                           {"digest", l.blob.digest},
                           {"size", l.blob.size},
                           {"diffID", l.diff_id}});
  }
  return j;
}

StatusOr<Record> RecordFromJson(const json& j) {
  try {
    Record r;
    r.id = j.at("id").get<std::string>();
    r.repo_tags = j.at("repoTags").get<std::vector<std::string>>();
    r.repo_digests = j.at("repoDigests").get<std::vector<std::string>>();
    r.manifest_digest = j.at("manifestDigest").get<std::string>();
    r.size = j.at("size").get<uint64_t>();
    r.created = j.value("created", int64_t{0});
    r.last_used = j.value("lastUsed", int64_t{0});
    for (const auto& l : j.at("layers")) {
      LayerRef ref;
      ref.blob.media_type = l.value("mediaType", std::string());
      ref.blob.digest = l.at("digest").get<std::string>();
      ref.blob.size = l.value("size", int64_t{-1});
      ref.diff_id = l.at("diffID").get<std::string>();
      r.layers.push_back(std::move(ref));
    }
    return r;
  } catch (const json::exception& e) {
    return Status::Invalid(std::string("image record: ") + e.what());
  }
}

// Picks linux/amd64 from an image index.
StatusOr<Descriptor> SelectPlatform(const json& index, const std::string& where) {
  if (!index.contains("manifests") || !index["manifests"].is_array()) {
    return Status::Invalid(where + ": index has no manifests");
  }
  std::vector<std::string> seen;
  for (size_t i = 0; i < index["manifests"].size(); ++i) {
    const json& m = index["manifests"][i];
    if (!m.is_object()) continue;
    std::string os = "linux", arch = "amd64";
    if (m.contains("platform") && m["platform"].is_object()) {
      os = m["platform"].value("os", std::string());
      arch = m["platform"].value("architecture", std::string());
    }
    seen.push_back(os + "/" + arch);
    if (os == "linux" && arch == "amd64") {
      return ParseDescriptor(m, where + ".manifests[" + std::to_string(i) + "]");
    }
  }
  std::string list;
  for (const auto& s : seen) list += (list.empty() ? "" : ", ") + s;
  return Status::NotFound(where + ": no linux/amd64 image in the index (has: " + list + ")");
}

bool IsIndexType(std::string_view mt) { return mt == kOciIndex || mt == kDockerList; }

std::string MediaTypeOf(const json& doc, const std::string& fallback) {
  if (doc.is_object() && doc.contains("mediaType") && doc["mediaType"].is_string()) {
    return doc["mediaType"].get<std::string>();
  }
  if (doc.is_object() && doc.contains("manifests")) return std::string(kOciIndex);
  if (!fallback.empty()) return fallback;
  return std::string(kOciManifest);
}

int64_t WallNow() { return static_cast<int64_t>(std::time(nullptr)); }

void AddUnique(std::vector<std::string>* v, const std::string& s) {
  if (std::find(v->begin(), v->end(), s) == v->end()) v->push_back(s);
}

}  // namespace

// A file of an archive being imported, spooled to the store's tmp/.
struct ArchiveFile {
  std::string tmp_path;
  std::string digest;
  int64_t size = 0;
};

class ImageStore::Impl {
 public:
  Impl(std::string root, StoreOptions options) : root_(std::move(root)), options_(std::move(options)) {}

  Status Init() {
    for (const char* d : {"blobs/sha256", "layers", "images", "tmp"}) {
      std::error_code ec;
      fs::create_directories(root_ + "/" + d, ec);
      if (ec) return Status::Internal("create " + root_ + "/" + d + ": " + ec.message());
    }
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root_ + "/tmp", ec)) fs::remove_all(e.path(), ec);
    for (const auto& e : fs::directory_iterator(root_ + "/images", ec)) {
      std::string name = e.path().filename().string();
      if (name.size() != 69 || name.substr(64) != ".json") {
        fs::remove(e.path(), ec);  // a record's temp file left by a crash
        continue;
      }
      auto body = ReadFile(e.path().string());
      json doc = body.ok() ? json::parse(*body, nullptr, false) : json();
      auto rec = doc.is_discarded() ? StatusOr<Record>(Status::Invalid("not JSON")) : RecordFromJson(doc);
      if (!rec.ok()) {
        LogWarning("image store: dropping unreadable record {}: {}", e.path().string(),
                   rec.status().message());
        fs::remove(e.path(), ec);
        continue;
      }
      auto config = ReadFile(BlobPath(rec->id));
      std::vector<std::string> diff_ids;
      auto parsed =
          config.ok() ? ParseImageConfig(*config, &diff_ids) : StatusOr<ImageConfig>(config.status());
      if (!parsed.ok()) {
        LogWarning("image store: dropping image {}: config: {}", rec->id, parsed.status().message());
        fs::remove(e.path(), ec);
        continue;
      }
      rec->config = std::move(*parsed);
      images_[rec->id] = std::move(*rec);
    }
    Sweep();
    return Status::Ok();
  }

  std::string BlobPath(const std::string& digest) const { return root_ + "/blobs/sha256/" + Hex(digest); }
  std::string LayerDir(const std::string& diff_id) const { return root_ + "/layers/" + Hex(diff_id); }
  std::string TmpPath(const std::string& what) {
    return root_ + "/tmp/" + what + "-" + std::to_string(::getpid()) + "-" + std::to_string(++tmp_counter_);
  }
  bool HasBlob(const std::string& digest) const {
    struct stat st;
    return ::stat(BlobPath(digest).c_str(), &st) == 0 && S_ISREG(st.st_mode);
  }
  int64_t Now() const { return options_.now_unix ? options_.now_unix() : WallNow(); }

  // Moves a verified file into the blob store.
  Status CommitBlob(const std::string& tmp_path, const std::string& digest) {
    if (::rename(tmp_path.c_str(), BlobPath(digest).c_str()) != 0) {
      return Status::Internal("rename " + tmp_path + " to " + BlobPath(digest) + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }

  StatusOr<std::string> PutBlob(std::string_view data) {
    std::string digest = DigestOf(data);
    if (HasBlob(digest)) return digest;
    std::string tmp = TmpPath("blob");
    RETURN_IF_ERROR(WriteFileSynced(tmp, data));
    RETURN_IF_ERROR(CommitBlob(tmp, digest));
    return digest;
  }

  // Unpacks the layer once; concurrent unpacks of one layer race benignly
  // (the first rename wins).
  Status EnsureLayer(const Descriptor& blob, const std::string& diff_id) {
    std::string final_dir = LayerDir(diff_id);
    struct stat st;
    if (::stat((final_dir + "/fs").c_str(), &st) == 0) return Status::Ok();
    std::string tmp = TmpPath("layer");
    std::error_code ec;
    fs::create_directories(tmp + "/fs", ec);
    if (ec) return Status::Internal("create " + tmp + ": " + ec.message());
    ::chmod(tmp.c_str(), 0755);
    ::chmod((tmp + "/fs").c_str(), 0755);
    auto unpacked = UnpackLayer(BlobPath(blob.digest), tmp + "/fs", diff_id);
    if (!unpacked.ok()) {
      fs::remove_all(tmp, ec);
      return unpacked.status();
    }
    if (::rename(tmp.c_str(), final_dir.c_str()) != 0) {
      int e = errno;
      fs::remove_all(tmp, ec);
      if (e == EEXIST || e == ENOTEMPTY) return Status::Ok();
      return Status::Internal("rename " + tmp + " to " + final_dir + ": " + std::strerror(e));
    }
    return Status::Ok();
  }

  using BlobSource = std::function<Status(const Descriptor&)>;  // makes the blob present

  // Stores an image from its manifest: config and layers come from `fetch`
  // (called only for blobs not already present), layers are unpacked, then
  // the record is written and `tags` move to it.
  StatusOr<Image> Materialize(const std::string& manifest_body, const std::vector<std::string>& tags,
                              const std::vector<std::string>& repo_digests, const BlobSource& fetch,
                              const std::string& where) {
    json m = json::parse(manifest_body, nullptr, false);
    if (!m.is_object()) return Status::Invalid(where + ": manifest is not a JSON object");
    std::string mt = MediaTypeOf(m, "");
    if (mt == kDockerSchema1 || mt == kDockerSchema1Signed || m.value("schemaVersion", 2) == 1) {
      return Status::Invalid(where + ": Docker schema 1 manifests are not supported");
    }
    if (!m.contains("config")) return Status::Invalid(where + ": manifest has no config");
    ASSIGN_OR_RETURN(Descriptor config, ParseDescriptor(m["config"], where + ": manifest.config"));
    if (!HasBlob(config.digest)) RETURN_IF_ERROR(fetch(config));
    ASSIGN_OR_RETURN(std::string config_body, ReadFile(BlobPath(config.digest)));
    std::vector<std::string> diff_ids;
    auto parsed = ParseImageConfig(config_body, &diff_ids);
    if (!parsed.ok()) return parsed.status().WithPrefix(where);
    if (!m.contains("layers") || !m["layers"].is_array())
      return Status::Invalid(where + ": manifest has no layers");
    if (m["layers"].size() != diff_ids.size()) {
      return Status::Invalid(where + ": manifest has " + std::to_string(m["layers"].size()) +
                             " layers but the config lists " + std::to_string(diff_ids.size()) + " diff ids");
    }
    Record rec;
    rec.id = config.digest;
    rec.config = std::move(*parsed);
    for (size_t i = 0; i < diff_ids.size(); ++i) {
      ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(m["layers"][i],
                                                     where + ": manifest.layers[" + std::to_string(i) + "]"));
      if (!HasBlob(d.digest)) RETURN_IF_ERROR(fetch(d));
      RETURN_IF_ERROR(EnsureLayer(d, diff_ids[i]).WithPrefix(where));
      struct stat st;
      if (d.size < 0 && ::stat(BlobPath(d.digest).c_str(), &st) == 0) d.size = st.st_size;
      rec.size += static_cast<uint64_t>(std::max<int64_t>(0, d.size));
      rec.layers.push_back({d, diff_ids[i]});
    }
    ASSIGN_OR_RETURN(rec.manifest_digest, PutBlob(manifest_body));
    rec.created = rec.last_used = Now();
    rec.repo_tags = tags;
    rec.repo_digests = repo_digests;

    std::lock_guard<std::mutex> lock(mu_);
    auto it = images_.find(rec.id);
    if (it != images_.end()) {
      Record& existing = it->second;
      for (const auto& t : tags) AddUnique(&existing.repo_tags, t);
      for (const auto& d : repo_digests) AddUnique(&existing.repo_digests, d);
      existing.last_used = rec.last_used;
      existing.manifest_digest = rec.manifest_digest;
    } else {
      it = images_.emplace(rec.id, std::move(rec)).first;
    }
    // A tag names one image: take it from any other.
    for (auto& [id, other] : images_) {
      if (id == it->first) continue;
      bool changed = false;
      for (const auto& t : tags) {
        auto pos = std::find(other.repo_tags.begin(), other.repo_tags.end(), t);
        if (pos != other.repo_tags.end()) {
          other.repo_tags.erase(pos);
          changed = true;
        }
      }
      if (changed) RETURN_IF_ERROR(PersistLocked(other));
    }
    RETURN_IF_ERROR(PersistLocked(it->second));
    return ToImage(it->second);
  }

  Status PersistLocked(const Record& r) {
    std::string path = root_ + "/images/" + Hex(r.id) + ".json";
    std::string tmp = path + ".tmp-" + std::to_string(++tmp_counter_);
    RETURN_IF_ERROR(WriteFileSynced(tmp, RecordToJson(r).dump(2)));
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
      return Status::Internal("rename " + tmp + ": " + std::strerror(errno));
    }
    return Status::Ok();
  }

  Image ToImage(const Record& r) const {
    Image img;
    img.id = r.id;
    img.repo_tags = r.repo_tags;
    img.repo_digests = r.repo_digests;
    img.size = r.size;
    img.config = r.config;
    img.manifest_digest = r.manifest_digest;
    img.last_used_unix = r.last_used;
    for (const auto& l : r.layers) {
      img.layer_dirs.push_back(LayerDir(l.diff_id) + "/fs");
      img.diff_ids.push_back(l.diff_id);
    }
    return img;
  }

  // Finds the record for a name; mu_ held.
  Record* FindLocked(const std::string& ref, bool* by_id, std::string* name) {
    *by_id = false;
    std::string id = ref;
    if (ref.size() == 64 && DigestHex("sha256:" + ref).ok()) id = "sha256:" + ref;
    if (auto it = images_.find(id); it != images_.end()) {
      *by_id = true;
      return &it->second;
    }
    auto parsed = ParseReference(ref);
    if (!parsed.ok()) return nullptr;
    *name = parsed->String();
    bool digest_ref = !parsed->digest.empty();
    std::string digest_name = parsed->Repository() + "@" + parsed->digest;
    for (auto& [_, r] : images_) {
      const auto& names = digest_ref ? r.repo_digests : r.repo_tags;
      const std::string& want = digest_ref ? digest_name : *name;
      if (std::find(names.begin(), names.end(), want) != names.end()) {
        *name = want;
        return &r;
      }
    }
    return nullptr;
  }

  // Deletes blobs and layers no image refers to, and tmp/ leftovers older
  // than this process's. Callers hold content_mu_ exclusively (or are Init).
  void Sweep() {
    std::set<std::string> blobs, layers;
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (const auto& [id, r] : images_) {
        blobs.insert(Hex(r.id));
        blobs.insert(Hex(r.manifest_digest));
        for (const auto& l : r.layers) {
          blobs.insert(Hex(l.blob.digest));
          layers.insert(Hex(l.diff_id));
        }
      }
    }
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(root_ + "/blobs/sha256", ec)) {
      if (!blobs.count(e.path().filename().string())) fs::remove_all(e.path(), ec);
    }
    for (const auto& e : fs::directory_iterator(root_ + "/layers", ec)) {
      if (!layers.count(e.path().filename().string())) fs::remove_all(e.path(), ec);
    }
  }

  Status RemoveLocked(const std::string& ref) {
    bool by_id = false;
    std::string name;
    Record* r = FindLocked(ref, &by_id, &name);
    if (r == nullptr) return Status::NotFound("image \"" + ref + "\" not found");
    if (!by_id) {
      auto drop = [&](std::vector<std::string>* v) {
        v->erase(std::remove(v->begin(), v->end(), name), v->end());
      };
      drop(&r->repo_tags);
      drop(&r->repo_digests);
      if (!r->repo_tags.empty()) return PersistLocked(*r);
    }
    std::string id = r->id;
    std::error_code ec;
    fs::remove(root_ + "/images/" + Hex(id) + ".json", ec);
    if (ec) return Status::Internal("remove record of " + id + ": " + ec.message());
    images_.erase(id);
    return Status::Ok();
  }

  std::string root_;
  StoreOptions options_;
  std::atomic<uint64_t> tmp_counter_{0};
  // Held shared while a pull or import writes content, exclusively while
  // unreferenced content is deleted (so a sweep never removes a blob that a
  // running pull wrote but has not recorded yet).
  std::shared_mutex content_mu_;
  mutable std::mutex mu_;
  std::map<std::string, Record> images_;  // by id; guarded by mu_
};

ImageStore::ImageStore(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
ImageStore::~ImageStore() = default;

const std::string& ImageStore::root() const { return impl_->root_; }

StatusOr<std::unique_ptr<ImageStore>> ImageStore::Open(const std::string& root, StoreOptions options) {
  if (root.empty()) return Status::Invalid("image store root: empty path");
  std::error_code ec;
  fs::create_directories(root, ec);
  if (ec) return Status::Internal("create image store root " + root + ": " + ec.message());
  char* real = ::realpath(root.c_str(), nullptr);
  if (real == nullptr) return Status::Internal("realpath " + root + ": " + std::strerror(errno));
  std::string resolved = real;
  ::free(real);
  auto impl = std::make_unique<Impl>(resolved, std::move(options));
  RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<ImageStore>(new ImageStore(std::move(impl)));
}

// ---- Import ----

namespace {

struct ArchiveReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};

// Joins a link target to the directory of `name` inside the archive.
std::string ResolveInArchive(const std::string& name, const std::string& target) {
  std::vector<std::string> parts;
  std::string base = target.empty() || target.front() == '/'
                         ? ""
                         : name.substr(0, name.rfind('/') == std::string::npos ? 0 : name.rfind('/'));
  std::string joined = base.empty() ? target : base + "/" + target;
  std::stringstream ss(joined);
  std::string part;
  while (std::getline(ss, part, '/')) {
    if (part.empty() || part == ".") continue;
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
      continue;
    }
    parts.push_back(part);
  }
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string CleanName(const char* raw) { return ResolveInArchive("", raw ? raw : ""); }

}  // namespace

StatusOr<std::vector<Image>> ImageStore::Import(const std::string& archive_path) {
  Impl& s = *impl_;
  std::shared_lock<std::shared_mutex> content(s.content_mu_);
  const std::string where = "import " + archive_path;
  std::map<std::string, ArchiveFile> files;
  std::map<std::string, std::string> links;  // name -> resolved target name
  struct Cleanup {
    std::map<std::string, ArchiveFile>* files;
    ~Cleanup() {
      for (const auto& [_, f] : *files) ::unlink(f.tmp_path.c_str());
    }
  } cleanup{&files};

  {
    std::unique_ptr<archive, ArchiveReadFree> a(archive_read_new());
    archive_read_support_filter_all(a.get());
    archive_read_support_format_tar(a.get());
    if (archive_read_open_filename(a.get(), archive_path.c_str(), 1 << 16) != ARCHIVE_OK) {
      std::string msg = archive_error_string(a.get()) ? archive_error_string(a.get()) : "cannot open";
      struct stat st;
      if (::stat(archive_path.c_str(), &st) != 0) return Status::NotFound(where + ": " + msg);
      return Status::Invalid(where + ": " + msg);
    }
    archive_entry* e = nullptr;
    std::vector<char> buf(1 << 16);
    while (true) {
      int r = archive_read_next_header(a.get(), &e);
      if (r == ARCHIVE_EOF) break;
      if (r < ARCHIVE_WARN) return Status::Invalid(where + ": " + archive_error_string(a.get()));
      std::string name = CleanName(archive_entry_pathname(e));
      if (name.empty()) continue;
      if (const char* hl = archive_entry_hardlink(e)) {
        links[name] = CleanName(hl);
        continue;
      }
      mode_t type = archive_entry_filetype(e);
      if (type == AE_IFLNK) {
        links[name] = ResolveInArchive(name, archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
        continue;
      }
      if (type != AE_IFREG) continue;
      ArchiveFile f;
      f.tmp_path = s.TmpPath("import");
      int fd = ::open(f.tmp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
      if (fd < 0) return Status::Internal(where + ": open " + f.tmp_path + ": " + std::strerror(errno));
      files[name] = f;  // registered first so that Cleanup removes it on error
      Sha256 h;
      while (true) {
        la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
        if (n < 0) {
          ::close(fd);
          return Status::Invalid(where + ": " + name + ": " + archive_error_string(a.get()));
        }
        if (n == 0) break;
        h.Update(buf.data(), static_cast<size_t>(n));
        f.size += n;
        const char* p = buf.data();
        size_t left = static_cast<size_t>(n);
        while (left > 0) {
          ssize_t w = ::write(fd, p, left);
          if (w < 0 && errno == EINTR) continue;
          if (w < 0) {
            int err = errno;
            ::close(fd);
            return Status::Internal(where + ": write " + f.tmp_path + ": " + std::strerror(err));
          }
          p += w;
          left -= static_cast<size_t>(w);
        }
      }
      if (::fsync(fd) != 0 || ::close(fd) != 0) {
        return Status::Internal(where + ": write " + f.tmp_path + ": " + std::strerror(errno));
      }
      f.digest = h.Finish();
      files[name] = f;
    }
  }

  auto lookup = [&](std::string name) -> ArchiveFile* {
    for (int hops = 0; hops < 16; ++hops) {
      if (auto it = files.find(name); it != files.end()) return &it->second;
      auto l = links.find(name);
      if (l == links.end()) return nullptr;
      name = l->second;
    }
    return nullptr;
  };
  std::map<std::string, ArchiveFile*> by_digest;
  for (auto& [_, f] : files) by_digest[f.digest] = &f;
  // Makes a blob of the archive present in the store, checking its size.
  auto from_archive = [&](const Descriptor& d) -> Status {
    auto it = by_digest.find(d.digest);
    if (it == by_digest.end()) {
      return Status::Invalid(where + ": blob " + d.digest +
                             " is missing or its content does not match its digest");
    }
    ArchiveFile* f = it->second;
    if (d.size >= 0 && f->size != d.size) {
      return Status::Invalid(where + ": blob " + d.digest + " has " + std::to_string(f->size) +
                             " bytes, want " + std::to_string(d.size));
    }
    if (s.HasBlob(d.digest)) return Status::Ok();
    std::string linked = s.TmpPath("link");
    if (::link(f->tmp_path.c_str(), linked.c_str()) != 0) {
      return Status::Internal(where + ": link " + f->tmp_path + ": " + std::strerror(errno));
    }
    return s.CommitBlob(linked, d.digest);
  };
  auto read_json = [&](const std::string& name) -> StatusOr<json> {
    ArchiveFile* f = lookup(name);
    if (f == nullptr) return Status::Invalid(where + ": " + name + " is missing");
    ASSIGN_OR_RETURN(std::string body, ReadFile(f->tmp_path));
    json doc = json::parse(body, nullptr, false);
    if (doc.is_discarded()) return Status::Invalid(where + ": " + name + " is not valid JSON");
    return doc;
  };
  auto blob_body = [&](const Descriptor& d) -> StatusOr<std::string> {
    auto it = by_digest.find(d.digest);
    if (it == by_digest.end()) return Status::Invalid(where + ": blob " + d.digest + " is missing");
    return ReadFile(it->second->tmp_path, 8 << 20);
  };

  std::vector<Image> out;
  if (lookup("index.json") != nullptr && lookup("oci-layout") != nullptr) {
    ASSIGN_OR_RETURN(json index, read_json("index.json"));
    if (!index.is_object() || !index.contains("manifests") || !index["manifests"].is_array()) {
      return Status::Invalid(where + ": index.json has no manifests list");
    }
    for (size_t i = 0; i < index["manifests"].size(); ++i) {
      const json& entry = index["manifests"][i];
      std::string at = where + ": index.json manifests[" + std::to_string(i) + "]";
      ASSIGN_OR_RETURN(Descriptor d, ParseDescriptor(entry, at));
      std::vector<std::string> tags;
      if (entry.contains("annotations") && entry["annotations"].is_object()) {
        const json& ann = entry["annotations"];
        for (const char* key : {"io.containerd.image.name", "org.opencontainers.image.ref.name"}) {
          if (!ann.contains(key) || !ann[key].is_string()) continue;
          std::string name = ann[key].get<std::string>();
          // A bare "1.0" is a tag without a repository: not a name by itself.
          if (name.find('/') == std::string::npos && name.find(':') == std::string::npos) continue;
          auto ref = ParseReference(name);
          if (ref.ok() && ref->digest.empty()) AddUnique(&tags, ref->String());
        }
      }
      ASSIGN_OR_RETURN(std::string body, blob_body(d));
      json doc = json::parse(body, nullptr, false);
      if (!doc.is_object()) return Status::Invalid(at + ": manifest " + d.digest + " is not a JSON object");
      if (IsIndexType(MediaTypeOf(doc, d.media_type))) {
        ASSIGN_OR_RETURN(d, SelectPlatform(doc, at));
        ASSIGN_OR_RETURN(body, blob_body(d));
      }
      ASSIGN_OR_RETURN(Image img, s.Materialize(body, tags, {}, from_archive, at));
      out.push_back(std::move(img));
    }
  } else if (lookup("manifest.json") != nullptr) {
    ASSIGN_OR_RETURN(json manifest, read_json("manifest.json"));
    if (!manifest.is_array()) return Status::Invalid(where + ": manifest.json must be a list");
    for (size_t i = 0; i < manifest.size(); ++i) {
      const json& entry = manifest[i];
      std::string at = where + ": manifest.json[" + std::to_string(i) + "]";
      if (!entry.is_object() || !entry.contains("Config") || !entry["Config"].is_string()) {
        return Status::Invalid(at + ".Config: missing");
      }
      ArchiveFile* config = lookup(CleanName(entry["Config"].get<std::string>().c_str()));
      if (config == nullptr)
        return Status::Invalid(at + ".Config: " + entry["Config"].get<std::string>() + " is missing");
      // A synthesized Docker v2 manifest describes the archive's files, so
      // the image goes through the same path as an OCI or pulled one.
      json m = {{"schemaVersion", 2},
                {"mediaType", std::string(kDockerManifest)},
                {"config",
                 {{"mediaType", "application/vnd.docker.container.image.v1+json"},
                  {"size", config->size},
                  {"digest", config->digest}}},
                {"layers", json::array()}};
      std::vector<std::string> layers =
          entry.contains("Layers") ? StringList(entry["Layers"]) : std::vector<std::string>{};
      for (const auto& name : layers) {
        ArchiveFile* f = lookup(CleanName(name.c_str()));
        if (f == nullptr) return Status::Invalid(at + ".Layers: " + name + " is missing");
        char magic[4] = {};
        std::ifstream in(f->tmp_path, std::ios::binary);
        in.read(magic, 4);
        std::string mt = "application/vnd.docker.image.rootfs.diff.tar";
        if (static_cast<unsigned char>(magic[0]) == 0x1f && static_cast<unsigned char>(magic[1]) == 0x8b) {
          mt = "application/vnd.docker.image.rootfs.diff.tar.gzip";
        } else if (std::memcmp(magic, "\x28\xb5\x2f\xfd", 4) == 0) {
          mt = "application/vnd.oci.image.layer.v1.tar+zstd";
        }
        m["layers"].push_back({{"mediaType", mt}, {"size", f->size}, {"digest", f->digest}});
      }
      std::vector<std::string> tags;
      if (entry.contains("RepoTags")) {
        for (const auto& t : StringList(entry["RepoTags"])) {
          auto ref = ParseReference(t);
          if (!ref.ok()) return ref.status().WithPrefix(at + ".RepoTags");
          AddUnique(&tags, ref->String());
        }
      }
      ASSIGN_OR_RETURN(Image img, s.Materialize(m.dump(), tags, {}, from_archive, at));
      out.push_back(std::move(img));
    }
  } else {
    return Status::Invalid(where +
                           ": neither an OCI image layout (oci-layout, index.json) nor a docker-save "
                           "archive (manifest.json)");
  }
  return out;
}

StatusOr<int> ImageStore::ImportDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return 0;
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::string n = e.path().filename().string();
    auto ends = [&](std::string_view suf) {
      return n.size() >= suf.size() && n.compare(n.size() - suf.size(), suf.size(), suf) == 0;
    };
    if (e.is_regular_file(ec) && (ends(".tar") || ends(".tar.gz") || ends(".tgz") || ends(".tar.zst"))) {
      names.push_back(e.path().string());
    }
  }
  std::sort(names.begin(), names.end());
  int imported = 0;
  Status first;
  for (const auto& n : names) {
    auto r = Import(n);
    if (r.ok()) {
      ++imported;
      LogInfo("imported {} image(s) from {}", r->size(), n);
    } else {
      LogWarning("import {}: {}", n, r.status().message());
      if (first.ok()) first = r.status();
    }
  }
  if (!first.ok()) return first;
  return imported;
}

// ---- Pull ----

StatusOr<Image> ImageStore::Pull(const std::string& ref_text, const PullOptions& options) {
  Impl& s = *impl_;
  ASSIGN_OR_RETURN(Reference ref, ParseReference(ref_text));
  ASSIGN_OR_RETURN(std::vector<RegistryEndpoint> endpoints, EndpointsFor(s.options_.registries, ref.domain));
  std::shared_lock<std::shared_mutex> content(s.content_mu_);
  Status last = Status::Unavailable("pull " + ref.String() + ": no endpoint");
  bool not_found_everywhere = true;
  for (RegistryEndpoint& ep : endpoints) {
    if (!options.username.empty() || !options.password.empty()) {
      ep.config.username = options.username;
      ep.config.password = options.password;
    }
    RegistryClient client(ep, ref.path, s.options_.fetch);
    const std::string where = "pull " + ref.String() + " from " + ep.Url();
    auto m = client.GetManifest(ref.digest.empty() ? ref.tag : ref.digest);
    if (!m.ok()) {
      last = m.status().WithPrefix(where);
      if (m.status().code() != StatusCode::kNotFound) not_found_everywhere = false;
      LogDebug("{}", last.message());
      continue;
    }
    std::string manifest_digest = m->digest;
    std::string body = m->body;
    if (IsIndexType(m->media_type)) {
      json doc = json::parse(body, nullptr, false);
      auto d = SelectPlatform(doc, where);
      if (!d.ok()) return d.status();
      auto pm = client.GetManifest(d->digest);
      if (!pm.ok()) {
        last = pm.status().WithPrefix(where);
        not_found_everywhere = false;
        continue;
      }
      body = pm->body;
      manifest_digest = pm->digest;
    }
    auto fetch = [&](const Descriptor& d) -> Status {
      std::string tmp = s.TmpPath("pull");
      Status st = client.GetBlob(d.digest, d.size, tmp);
      if (!st.ok()) {
        ::unlink(tmp.c_str());
        return st;
      }
      return s.CommitBlob(tmp, d.digest);
    };
    std::vector<std::string> tags;
    if (!ref.tag.empty()) tags.push_back(ref.Repository() + ":" + ref.tag);
    // The repo digest names what the user asked for (the index when the
    // reference resolved to one), as containerd records it.
    std::vector<std::string> digests = {ref.Repository() + "@" + m->digest};
    auto img = s.Materialize(body, tags, digests, fetch, where);
    if (!img.ok()) {
      StatusCode c = img.status().code();
      if (c == StatusCode::kInvalid || c == StatusCode::kInternal) return img.status();
      last = img.status();
      not_found_everywhere = false;
      continue;
    }
    LogInfo("pulled {} ({}) from {}", ref.String(), img->id, ep.Url());
    return img;
  }
  if (not_found_everywhere) return Status::NotFound(last.message());
  return last;
}

// ---- Queries and removal ----

StatusOr<Image> ImageStore::Get(const std::string& ref_or_id) const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  bool by_id;
  std::string name;
  Record* r = impl_->FindLocked(ref_or_id, &by_id, &name);
  if (r == nullptr) return Status::NotFound("image \"" + ref_or_id + "\" not found");
  return impl_->ToImage(*r);
}

std::vector<Image> ImageStore::List() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  std::vector<Image> out;
  for (const auto& [_, r] : impl_->images_) out.push_back(impl_->ToImage(r));
  return out;
}

Status ImageStore::Remove(const std::string& ref_or_id) {
  std::unique_lock<std::shared_mutex> content(impl_->content_mu_);
  {
    std::lock_guard<std::mutex> lock(impl_->mu_);
    RETURN_IF_ERROR(impl_->RemoveLocked(ref_or_id));
  }
  impl_->Sweep();
  return Status::Ok();
}

void ImageStore::MarkUsed(const std::string& ref_or_id) {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  bool by_id;
  std::string name;
  if (Record* r = impl_->FindLocked(ref_or_id, &by_id, &name)) {
    r->last_used = impl_->Now();
    (void)impl_->PersistLocked(*r);
  }
}

StatusOr<FsInfo> ImageStore::GetFsInfo() const {
  if (impl_->options_.fs_info) return impl_->options_.fs_info();
  FsInfo info;
  info.mountpoint = impl_->root_;
  std::error_code ec;
  struct stat st;
  if (::lstat(impl_->root_.c_str(), &st) == 0) {
    info.used_bytes += static_cast<uint64_t>(st.st_blocks) * 512;
    ++info.inodes_used;
  }
  for (auto it =
           fs::recursive_directory_iterator(impl_->root_, fs::directory_options::skip_permission_denied, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (::lstat(it->path().c_str(), &st) == 0) {
      info.used_bytes += static_cast<uint64_t>(st.st_blocks) * 512;
      ++info.inodes_used;
    }
  }
  struct statvfs vfs;
  if (::statvfs(impl_->root_.c_str(), &vfs) != 0) {
    return Status::Internal("statvfs " + impl_->root_ + ": " + std::strerror(errno));
  }
  info.capacity_bytes = static_cast<uint64_t>(vfs.f_blocks) * vfs.f_frsize;
  info.available_bytes = static_cast<uint64_t>(vfs.f_bavail) * vfs.f_frsize;
  return info;
}

StatusOr<GcResult> ImageStore::GarbageCollect(const GcPolicy& policy,
                                              const std::set<std::string>& in_use_ids) {
  if (policy.high_threshold_percent < 0 || policy.high_threshold_percent > 100) {
    return Status::Invalid("imageGCHighThresholdPercent must be between 0 and 100, got " +
                           std::to_string(policy.high_threshold_percent));
  }
  if (policy.low_threshold_percent < 0 || policy.low_threshold_percent > policy.high_threshold_percent) {
    return Status::Invalid("imageGCLowThresholdPercent must be between 0 and imageGCHighThresholdPercent (" +
                           std::to_string(policy.high_threshold_percent) + "), got " +
                           std::to_string(policy.low_threshold_percent));
  }
  Impl& s = *impl_;
  const int64_t now = s.Now();
  struct Candidate {
    std::string id;
    int64_t last_used, created;
    uint64_t size;
  };
  std::vector<Candidate> candidates;
  {
    std::lock_guard<std::mutex> lock(s.mu_);
    for (auto& [id, r] : s.images_) {
      if (in_use_ids.count(id)) {
        r.last_used = now;
        (void)s.PersistLocked(r);
        continue;
      }
      candidates.push_back({id, r.last_used, r.created, r.size});
    }
  }
  ASSIGN_OR_RETURN(FsInfo info, GetFsInfo());
  GcResult result;
  if (info.capacity_bytes == 0) return Status::Internal("image filesystem reports zero capacity");
  uint64_t usage = info.capacity_bytes - std::min(info.available_bytes, info.capacity_bytes);
  uint64_t percent = usage * 100 / info.capacity_bytes;
  if (percent < static_cast<uint64_t>(policy.high_threshold_percent)) return result;
  result.threshold_exceeded = true;
  uint64_t target = info.capacity_bytes * static_cast<uint64_t>(policy.low_threshold_percent) / 100;
  uint64_t to_free = usage > target ? usage - target : 0;
  std::sort(candidates.begin(), candidates.end(), [](const Candidate& a, const Candidate& b) {
    return a.last_used != b.last_used ? a.last_used < b.last_used : a.created < b.created;
  });
  for (const auto& c : candidates) {
    if (result.freed_bytes >= to_free) break;
    if (now - c.last_used < policy.min_age.count()) continue;
    Status st = Remove(c.id);
    if (!st.ok() && st.code() != StatusCode::kNotFound) return st;
    if (st.ok()) {
      result.removed_ids.push_back(c.id);
      result.freed_bytes += c.size;
    }
  }
  if (result.freed_bytes < to_free) {
    LogWarning("image GC: freed {} bytes of the {} wanted (usage {}% >= {}%): the rest is in use or too new",
               result.freed_bytes, to_free, percent, policy.high_threshold_percent);
  }
  return result;
}

}  // namespace kubepp::runtime::image
