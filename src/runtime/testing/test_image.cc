#include "runtime/testing/test_image.h"

#include <archive.h>
#include <archive_entry.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "runtime/image/digest.h"

extern char** environ;

namespace kubepp::runtime::testimage {

namespace {

using json = nlohmann::json;
using image::DigestOf;

la_ssize_t AppendCallback(archive*, void* client, const void* buf, size_t n) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

std::string Hex(const std::string& digest) { return digest.substr(7); }

struct WriteFree {
  void operator()(archive* a) const { archive_write_free(a); }
};

// Writes (name, bytes) regular files and directories into a tar file on disk.
class TarFileWriter {
 public:
  Status Open(const std::string& path) {
    a_.reset(archive_write_new());
    archive_write_set_format_pax_restricted(a_.get());
    if (archive_write_open_filename(a_.get(), path.c_str()) != ARCHIVE_OK) {
      return Status::Internal("open " + path + ": " + archive_error_string(a_.get()));
    }
    return Status::Ok();
  }
  Status Dir(const std::string& name) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFDIR);
    archive_entry_set_perm(e, 0755);
    int r = archive_write_header(a_.get(), e);
    archive_entry_free(e);
    return r == ARCHIVE_OK ? Status::Ok() : Status::Internal(archive_error_string(a_.get()));
  }
  Status File(const std::string& name, const std::string& data) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
    archive_entry_set_mtime(e, 1700000000, 0);
    int r = archive_write_header(a_.get(), e);
    archive_entry_free(e);
    if (r != ARCHIVE_OK) return Status::Internal(archive_error_string(a_.get()));
    if (!data.empty() && archive_write_data(a_.get(), data.data(), data.size()) < 0) {
      return Status::Internal(archive_error_string(a_.get()));
    }
    return Status::Ok();
  }
  Status Close() {
    if (archive_write_close(a_.get()) != ARCHIVE_OK) return Status::Internal(archive_error_string(a_.get()));
    return Status::Ok();
  }

 private:
  std::unique_ptr<archive, WriteFree> a_;
};

StatusOr<std::string> ReadHostFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("read " + path + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string LayerMediaType(const std::string& compression) {
  if (compression == "gzip") return "application/vnd.oci.image.layer.v1.tar+gzip";
  if (compression == "zstd") return "application/vnd.oci.image.layer.v1.tar+zstd";
  return "application/vnd.oci.image.layer.v1.tar";
}

}  // namespace

StatusOr<std::string> BuildTar(const std::vector<TarEntry>& entries) {
  std::string out;
  std::unique_ptr<archive, WriteFree> a(archive_write_new());
  archive_write_set_format_pax_restricted(a.get());
  if (archive_write_open(a.get(), &out, nullptr, AppendCallback, nullptr) != ARCHIVE_OK) {
    return Status::Internal(archive_error_string(a.get()));
  }
  for (const TarEntry& t : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.path.c_str());
    archive_entry_set_uid(e, t.uid);
    archive_entry_set_gid(e, t.gid);
    archive_entry_set_mtime(e, 1700000000, 0);
    switch (t.type) {
      case TarEntry::Type::kFile:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, t.mode >= 0 ? t.mode : 0644);
        archive_entry_set_size(e, static_cast<la_int64_t>(t.content.size()));
        break;
      case TarEntry::Type::kDir:
        archive_entry_set_filetype(e, AE_IFDIR);
        archive_entry_set_perm(e, t.mode >= 0 ? t.mode : 0755);
        break;
      case TarEntry::Type::kSymlink:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_perm(e, 0777);
        archive_entry_set_symlink(e, t.link.c_str());
        break;
      case TarEntry::Type::kHardlink:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, t.mode >= 0 ? t.mode : 0644);
        archive_entry_set_hardlink(e, t.link.c_str());
        archive_entry_set_size(e, 0);
        break;
      case TarEntry::Type::kCharDevice:
        archive_entry_set_filetype(e, AE_IFCHR);
        archive_entry_set_perm(e, t.mode >= 0 ? t.mode : 0666);
        archive_entry_set_rdevmajor(e, t.rdev_major);
        archive_entry_set_rdevminor(e, t.rdev_minor);
        break;
    }
    int r = archive_write_header(a.get(), e);
    archive_entry_free(e);
    if (r != ARCHIVE_OK)
      return Status::Internal("tar entry " + t.path + ": " + archive_error_string(a.get()));
    if (t.type == TarEntry::Type::kFile && !t.content.empty() &&
        archive_write_data(a.get(), t.content.data(), t.content.size()) < 0) {
      return Status::Internal("tar entry " + t.path + ": " + archive_error_string(a.get()));
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return Status::Internal(archive_error_string(a.get()));
  return out;
}

StatusOr<std::string> Compress(const std::string& data, const std::string& compression) {
  if (compression == "none") return data;
  std::string out;
  std::unique_ptr<archive, WriteFree> a(archive_write_new());
  int r = compression == "gzip"   ? archive_write_add_filter_gzip(a.get())
          : compression == "zstd" ? archive_write_add_filter_zstd(a.get())
                                  : ARCHIVE_FATAL;
  if (r != ARCHIVE_OK) return Status::Invalid("compression \"" + compression + "\" not available");
  archive_write_set_format_raw(a.get());
  archive_write_set_bytes_in_last_block(a.get(), 1);
  if (archive_write_open(a.get(), &out, nullptr, AppendCallback, nullptr) != ARCHIVE_OK) {
    return Status::Internal(archive_error_string(a.get()));
  }
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, "data");
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
  r = archive_write_header(a.get(), e);
  archive_entry_free(e);
  if (r != ARCHIVE_OK) return Status::Internal(archive_error_string(a.get()));
  if (!data.empty() && archive_write_data(a.get(), data.data(), data.size()) < 0) {
    return Status::Internal(archive_error_string(a.get()));
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) return Status::Internal(archive_error_string(a.get()));
  return out;
}

StatusOr<TestImage> BuildImage(const std::vector<std::string>& layer_tars, const TestImageOptions& o) {
  TestImage img;
  img.layer_tars = layer_tars;
  json history = json::array();
  for (const std::string& tar : layer_tars) {
    img.diff_ids.push_back(DigestOf(tar));
    ASSIGN_OR_RETURN(std::string blob, Compress(tar, o.compression));
    img.layers.push_back({LayerMediaType(o.compression), DigestOf(blob), std::move(blob)});
    history.push_back({{"created", "2024-01-01T00:00:00Z"}, {"created_by", "kubepp test image"}});
  }
  json cfg = json::object();
  if (!o.env.empty()) cfg["Env"] = o.env;
  if (!o.cmd.empty()) cfg["Cmd"] = o.cmd;
  if (!o.entrypoint.empty()) cfg["Entrypoint"] = o.entrypoint;
  if (!o.working_dir.empty()) cfg["WorkingDir"] = o.working_dir;
  if (!o.user.empty()) cfg["User"] = o.user;
  if (!o.labels.empty()) cfg["Labels"] = o.labels;
  json config = {{"architecture", "amd64"},
                 {"os", "linux"},
                 {"created", "2024-01-01T00:00:00Z"},
                 {"config", cfg},
                 {"rootfs", {{"type", "layers"}, {"diff_ids", img.diff_ids}}},
                 {"history", history}};
  std::string config_body = config.dump();
  img.config = {"application/vnd.oci.image.config.v1+json", DigestOf(config_body), config_body};
  json layers = json::array();
  for (const auto& l : img.layers) {
    layers.push_back({{"mediaType", l.media_type}, {"digest", l.digest}, {"size", l.data.size()}});
  }
  json manifest = {{"schemaVersion", 2},
                   {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
                   {"config",
                    {{"mediaType", img.config.media_type},
                     {"digest", img.config.digest},
                     {"size", img.config.data.size()}}},
                   {"layers", layers}};
  std::string manifest_body = manifest.dump();
  img.manifest = {"application/vnd.oci.image.manifest.v1+json", DigestOf(manifest_body), manifest_body};
  return img;
}

StatusOr<TestImage> BuildBusyboxImage(const TestImageOptions& o) {
  ASSIGN_OR_RETURN(std::string busybox, ReadHostFile("/bin/busybox"));
  using T = TarEntry::Type;
  std::vector<TarEntry> l1;
  for (const char* d : {"bin", "dev", "etc", "home", "proc", "sys", "var", "usr"}) l1.push_back({d, T::kDir});
  l1.push_back({"root", T::kDir, "", "", 0700});
  l1.push_back({"tmp", T::kDir, "", "", 01777});
  l1.push_back({"bin/busybox", T::kFile, busybox, "", 0755});
  for (const char* applet :
       {"sh",       "ash",      "sleep",    "cat",     "echo",  "ls",     "id",      "hostname", "wget",
        "nc",       "httpd",    "true",     "false",   "env",   "ps",     "mkdir",   "touch",    "grep",
        "head",     "tail",     "rm",       "cp",      "mv",    "ln",     "chmod",   "chown",    "date",
        "df",       "du",       "find",     "kill",    "mount", "pwd",    "sed",     "sort",     "stat",
        "test",     "uname",    "wc",       "whoami",  "xargs", "printf", "tee",     "ip",       "ifconfig",
        "nslookup", "ping",     "seq",      "sync",    "yes",   "dd",     "awk",     "cut",      "tr",
        "readlink", "realpath", "basename", "dirname", "expr",  "nohup",  "timeout", "usleep",   "vi",
        "which",    "umount",   "netstat",  "top",     "free",  "uptime", "base64",  "md5sum",   "sha256sum",
        "diff",     "od",       "hexdump",  "tar",     "gzip",  "zcat",   "more",    "less",     "clear",
        "reset",    "stty",     "watch",    "getopt",  "trap"}) {
    l1.push_back({std::string("bin/") + applet, T::kSymlink, "", "busybox"});
  }
  l1.push_back({"etc/passwd", T::kFile,
                "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n"});
  l1.push_back({"etc/group", T::kFile, "root:x:0:\nnobody:x:65534:\n"});
  if (o.whiteout_layer) {
    l1.push_back({"etc/motd", T::kFile, "layer one\n"});
    l1.push_back({"data", T::kDir});
    l1.push_back({"data/a", T::kFile, "a\n"});
    l1.push_back({"data/b", T::kFile, "b\n"});
    l1.push_back({"keep", T::kDir});
    l1.push_back({"keep/x", T::kFile, "x\n"});
  }
  std::vector<TarEntry> l2;
  if (o.whiteout_layer) {
    l2.push_back({"etc", T::kDir});
    l2.push_back({"etc/.wh.motd", T::kFile});
    l2.push_back({"data", T::kDir});
    l2.push_back({"data/.wh..wh..opq", T::kFile});
    l2.push_back({"data/c", T::kFile, "c\n"});
  }
  std::vector<TarEntry>& top = o.whiteout_layer ? l2 : l1;
  for (const auto& [path, content] : o.extra_files) {
    // Parent directories first, so that the tar is complete on its own.
    for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1)) {
      top.push_back({path.substr(0, slash), T::kDir});
    }
    top.push_back({path, T::kFile, content});
  }
  std::vector<std::string> tars;
  ASSIGN_OR_RETURN(std::string t1, BuildTar(l1));
  tars.push_back(std::move(t1));
  if (o.whiteout_layer) {
    ASSIGN_OR_RETURN(std::string t2, BuildTar(l2));
    tars.push_back(std::move(t2));
  }
  return BuildImage(tars, o);
}

Status WriteOciArchive(const TestImage& image, const std::string& path, const std::string& ref_name,
                       bool wrap_in_index) {
  TarFileWriter w;
  RETURN_IF_ERROR(w.Open(path));
  RETURN_IF_ERROR(w.File("oci-layout", R"({"imageLayoutVersion":"1.0.0"})"));
  RETURN_IF_ERROR(w.Dir("blobs"));
  RETURN_IF_ERROR(w.Dir("blobs/sha256"));
  auto blob = [&](const TestBlob& b) { return w.File("blobs/sha256/" + Hex(b.digest), b.data); };
  RETURN_IF_ERROR(blob(image.config));
  for (const auto& l : image.layers) RETURN_IF_ERROR(blob(l));
  RETURN_IF_ERROR(blob(image.manifest));
  json top = {{"mediaType", image.manifest.media_type},
              {"digest", image.manifest.digest},
              {"size", image.manifest.data.size()}};
  if (wrap_in_index) {
    std::string fake = DigestOf("no such arm64 manifest");
    json idx = {{"schemaVersion", 2},
                {"mediaType", "application/vnd.oci.image.index.v1+json"},
                {"manifests",
                 {{{"mediaType", image.manifest.media_type},
                   {"digest", fake},
                   {"size", 100},
                   {"platform", {{"os", "linux"}, {"architecture", "arm64"}}}},
                  {{"mediaType", image.manifest.media_type},
                   {"digest", image.manifest.digest},
                   {"size", image.manifest.data.size()},
                   {"platform", {{"os", "linux"}, {"architecture", "amd64"}}}}}}};
    std::string body = idx.dump();
    TestBlob index_blob{"application/vnd.oci.image.index.v1+json", DigestOf(body), body};
    RETURN_IF_ERROR(blob(index_blob));
    top = {{"mediaType", index_blob.media_type}, {"digest", index_blob.digest}, {"size", body.size()}};
  }
  if (!ref_name.empty()) top["annotations"] = {{"org.opencontainers.image.ref.name", ref_name}};
  json index = {{"schemaVersion", 2}, {"manifests", json::array({top})}};
  RETURN_IF_ERROR(w.File("index.json", index.dump()));
  return w.Close();
}

Status WriteDockerArchive(const TestImage& image, const std::string& path, const std::string& repo_tag) {
  TarFileWriter w;
  RETURN_IF_ERROR(w.Open(path));
  std::string config_name = Hex(image.config.digest) + ".json";
  RETURN_IF_ERROR(w.File(config_name, image.config.data));
  json layers = json::array();
  for (size_t i = 0; i < image.layer_tars.size(); ++i) {
    std::string dir = Hex(image.diff_ids[i]);
    RETURN_IF_ERROR(w.Dir(dir));
    RETURN_IF_ERROR(w.File(dir + "/VERSION", "1.0"));
    RETURN_IF_ERROR(w.File(dir + "/layer.tar", image.layer_tars[i]));
    layers.push_back(dir + "/layer.tar");
  }
  json manifest = json::array({{{"Config", config_name},
                                {"RepoTags", repo_tag.empty() ? json::array() : json::array({repo_tag})},
                                {"Layers", layers}}});
  RETURN_IF_ERROR(w.File("manifest.json", manifest.dump()));
  return w.Close();
}

StatusOr<std::string> WriteBusyboxOciArchive(const std::string& path, const std::string& ref_name,
                                             const TestImageOptions& options) {
  ASSIGN_OR_RETURN(TestImage img, BuildBusyboxImage(options));
  RETURN_IF_ERROR(WriteOciArchive(img, path, ref_name));
  return img.id();
}

StatusOr<std::string> WriteBusyboxDockerArchive(const std::string& path, const std::string& repo_tag,
                                                const TestImageOptions& options) {
  ASSIGN_OR_RETURN(TestImage img, BuildBusyboxImage(options));
  RETURN_IF_ERROR(WriteDockerArchive(img, path, repo_tag));
  return img.id();
}

StatusOr<std::string> RunCommand(const std::vector<std::string>& argv) {
  char tmpl[] = "/tmp/kubepp-cmd-XXXXXX";
  int fd = mkstemp(tmpl);
  if (fd < 0) return Status::Internal(std::string("mkstemp: ") + std::strerror(errno));
  ::unlink(tmpl);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fd, 1);
  posix_spawn_file_actions_adddup2(&actions, fd, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  int r = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (r != 0) {
    ::close(fd);
    return Status::Unavailable("spawn " + argv[0] + ": " + std::strerror(r));
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::string out;
  ::lseek(fd, 0, SEEK_SET);
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof(buf))) > 0) out.append(buf, static_cast<size_t>(n));
  ::close(fd);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    std::string cmd;
    for (const auto& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    return Status::Internal(cmd + " failed (status " + std::to_string(status) + "): " + out);
  }
  return out;
}

namespace {

int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

// True when GET /v2/ on 127.0.0.1:port answers 200.
bool RegistryAnswers(int port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = false;
  if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0) {
    const char req[] = "GET /v2/ HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    if (::write(fd, req, sizeof(req) - 1) == static_cast<ssize_t>(sizeof(req) - 1)) {
      char buf[64] = {};
      ssize_t n = ::read(fd, buf, sizeof(buf) - 1);
      ok = n > 12 && std::string_view(buf, static_cast<size_t>(n)).substr(9, 3) == "200";
    }
  }
  ::close(fd);
  return ok;
}

}  // namespace

StatusOr<std::unique_ptr<TestRegistry>> TestRegistry::Start() {
  const char* kBinary = "/usr/bin/docker-registry";
  if (::access(kBinary, X_OK) != 0) return Status::Unavailable(std::string(kBinary) + " is not installed");
  std::unique_ptr<TestRegistry> reg(new TestRegistry());
  char tmpl[] = "/tmp/kubepp-registry-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) return Status::Internal(std::string("mkdtemp: ") + std::strerror(errno));
  reg->dir_ = tmpl;
  for (int attempt = 0; attempt < 3; ++attempt) {
    reg->port_ = FreePort();
    std::string config =
        "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n"
        "  filesystem:\n    rootdirectory: " +
        reg->dir_ +
        "/data\n  delete:\n    enabled: true\n"
        "http:\n  addr: 127.0.0.1:" +
        std::to_string(reg->port_) + "\n";
    std::string config_path = reg->dir_ + "/config.yml";
    std::ofstream(config_path) << config;
    std::string log_path = reg->dir_ + "/registry.log";
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> argv = {kBinary, "serve", config_path};
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    int r = posix_spawn(&reg->pid_, kBinary, &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (r != 0) return Status::Unavailable(std::string("spawn docker-registry: ") + std::strerror(r));
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    bool exited = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (RegistryAnswers(reg->port_)) return reg;
      int status;
      if (::waitpid(reg->pid_, &status, WNOHANG) == reg->pid_) {
        exited = true;  // probably lost the port race: try another port
        reg->pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!exited) break;
  }
  auto log = ReadHostFile(reg->dir_ + "/registry.log");
  return Status::Unavailable("docker-registry did not answer on 127.0.0.1:" + std::to_string(reg->port_) +
                             ": " + (log.ok() ? *log : ""));
}

TestRegistry::~TestRegistry() {
  if (pid_ > 0) {
    ::kill(pid_, SIGTERM);
    int status;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    bool reaped = false;
    while (std::chrono::steady_clock::now() < deadline) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!reaped) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, &status, 0);
    }
  }
  if (!dir_.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
}

std::string TestRegistry::host() const { return "127.0.0.1:" + std::to_string(port_); }

Status TestRegistry::Push(const std::string& source, const std::string& name_tag,
                          const std::vector<std::string>& extra_args) {
  std::vector<std::string> argv = {"/usr/bin/skopeo", "--insecure-policy", "copy", "--quiet",
                                   "--dest-tls-verify=false"};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  argv.push_back(source);
  argv.push_back("docker://" + host() + "/" + name_tag);
  return RunCommand(argv).status();
}

Status TestRegistry::PushOciArchive(const std::string& archive_path, const std::string& name_tag,
                                    const std::vector<std::string>& extra_args) {
  return Push("oci-archive:" + archive_path, name_tag, extra_args);
}

Status TestRegistry::PushDockerArchive(const std::string& archive_path, const std::string& name_tag,
                                       const std::vector<std::string>& extra_args) {
  return Push("docker-archive:" + archive_path, name_tag, extra_args);
}

}  // namespace kubepp::runtime::testimage
