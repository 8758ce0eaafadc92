#include "runtime/fake/fake_runtime.h"

#include "runtime/image/reference.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <climits>
#include <cstdio>
#include <filesystem>
#include <optional>
#include <thread>

#include "runtime/logs/cri_log.h"

namespace kubepp::runtime::fake {
namespace {

// Shell-like tokenizing (single/double quotes, backslash) and splitting on ';' / newline.
std::vector<std::vector<std::string>> ParseScript(const std::string& s) {
  std::vector<std::vector<std::string>> stmts(1);
  std::string cur;
  bool have = false;
  auto flush = [&] {
    if (have) stmts.back().push_back(cur);
    cur.clear();
    have = false;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'') {
      have = true;
      for (++i; i < s.size() && s[i] != '\''; ++i) cur += s[i];
    } else if (c == '"') {
      have = true;
      for (++i; i < s.size() && s[i] != '"'; ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) ++i;
        cur += s[i];
      }
    } else if (c == '\\' && i + 1 < s.size()) {
      have = true;
      cur += s[++i];
    } else if (c == ' ' || c == '\t') {
      flush();
    } else if (c == ';' || c == '\n' || (c == '&' && (i == 0 || s[i - 1] != '>'))) {
      // "a & b" and "a && b" run in sequence here: enough for "sleep N & wait".
      flush();
      if (!stmts.back().empty()) stmts.emplace_back();
    } else {
      have = true;
      cur += c;
    }
  }
  flush();
  return stmts;
}

std::string Base(const std::string& p) {
  auto pos = p.rfind('/');
  return pos == std::string::npos ? p : p.substr(pos + 1);
}

bool IsKnownStatement(const std::string& w) {
  static const std::set<std::string> kKnown = {"echo",  "exit", "sleep", "trap", "true",
                                               "false", ":",    "cat",   "wait"};
  return kKnown.count(Base(w)) > 0;
}

std::string RandomHexId(uint64_t counter) {
  static const uint64_t salt = static_cast<uint64_t>(NowNanos()) ^ static_cast<uint64_t>(getpid()) << 32;
  char buf[65];
  uint64_t x = salt + counter * 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 64; i += 16) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    snprintf(buf + i, 17, "%016llx", static_cast<unsigned long long>(x));
  }
  return std::string(buf, 64);
}

}  // namespace

// A simulated process: statements, a program counter and a virtual time.
struct Proc {
  std::vector<std::vector<std::string>> stmts;
  size_t pc = 0;
  int64_t t = 0;          // virtual time reached by the script
  int64_t resume_at = 0;  // blocked in sleep until then
  int32_t last = 0;
  std::optional<int32_t> trap_term;
  bool forever = false;
  bool done = false;
  std::string stdin_data;
  std::string out, err;  // produced and not yet consumed

  static Proc Make(const std::vector<std::string>& argv, bool main_process) {
    Proc p;
    if (argv.size() >= 3 && Base(argv[0]) == "sh" && argv[1] == "-c") {
      p.stmts = ParseScript(argv[2]);
    } else if (argv.size() == 1 && Base(argv[0]) == "sh") {
      // A shell reading its (empty) stdin: exits 0 at once.
    } else if (!argv.empty() && !IsKnownStatement(argv[0]) && main_process) {
      p.forever = true;
    } else {
      p.stmts.push_back(argv);
    }
    return p;
  }

  // Runs until blocked past `now` or done.
  void Run(int64_t now) {
    if (forever || done) return;
    while (true) {
      if (resume_at > now) return;
      t = std::max(t, resume_at);
      if (pc >= stmts.size()) {
        done = true;
        return;
      }
      auto argv = stmts[pc++];
      if (argv.empty()) continue;
      std::string cmd = Base(argv[0]);
      if (cmd == "echo") {
        bool to_err = false, newline = true;
        if (!argv.empty() && (argv.back() == ">&2" || argv.back() == "1>&2")) {
          to_err = true;
          argv.pop_back();
        }
        size_t i = 1;
        if (i < argv.size() && argv[i] == "-n") newline = false, ++i;
        std::string line;
        for (; i < argv.size(); ++i) line += (line.empty() ? "" : " ") + argv[i];
        if (newline) line += "\n";
        (to_err ? err : out) += line;
        last = 0;
      } else if (cmd == "exit") {
        last = argv.size() > 1 ? atoi(argv[1].c_str()) : last;
        done = true;
        return;
      } else if (cmd == "sleep") {
        last = 0;
        if (argv.size() > 1 && argv[1] == "infinity") {
          resume_at = INT64_MAX;
        } else {
          double secs = argv.size() > 1 ? atof(argv[1].c_str()) : 0;
          resume_at = t + static_cast<int64_t>(secs * 1e9);
        }
      } else if (cmd == "trap") {
        if (argv.size() >= 3 && (argv[2] == "TERM" || argv[2] == "SIGTERM" || argv[2] == "15")) {
          auto body = ParseScript(argv[1]);
          if (!body.empty() && body[0].size() >= 1 && body[0][0] == "exit")
            trap_term = body[0].size() > 1 ? atoi(body[0][1].c_str()) : 0;
        }
        last = 0;
      } else if (cmd == "true" || cmd == ":" || cmd == "wait") {
        last = 0;
      } else if (cmd == "false") {
        last = 1;
      } else if (cmd == "cat") {
        out += stdin_data;
        stdin_data.clear();
        last = 0;
      } else {
        err += "sh: " + argv[0] + ": not found\n";
        last = 127;
      }
    }
  }
};

struct FakeRuntime::Sandbox {
  runtime::PodSandboxStatus status;
  PodSandboxConfig config;
};

struct FakeRuntime::Ctr {
  runtime::ContainerStatus status;
  ContainerConfig config;
  std::string log_file;
  std::vector<std::string> argv;
  Proc proc;
};

struct FakeRuntime::ImageRec {
  Image image;
  std::vector<std::string> entrypoint, cmd;
};

FakeRuntime::FakeRuntime(std::function<int64_t()> clock)
    : clock_(clock ? std::move(clock) : [] { return NowNanos(); }) {}
FakeRuntime::~FakeRuntime() = default;

std::string FakeRuntime::AddImage(Image image, std::vector<std::string> entrypoint,
                                  std::vector<std::string> cmd) {
  std::lock_guard lock(mu_);
  for (auto& t : image.repo_tags) t = image::NormalizeReference(t);
  if (image.id.empty()) image.id = "sha256:" + RandomHexId(next_id_++);
  std::string id = image.id;
  images_.erase(
      std::remove_if(images_.begin(), images_.end(), [&](const ImageRec& r) { return r.image.id == id; }),
      images_.end());
  images_.push_back(ImageRec{std::move(image), std::move(entrypoint), std::move(cmd)});
  return id;
}

void FakeRuntime::InjectError(const std::string& method, Status status) {
  std::lock_guard lock(mu_);
  injected_[method] = std::move(status);
}

void FakeRuntime::SetPullError(const std::string& image, Status status) {
  std::lock_guard lock(mu_);
  if (status.ok())
    pull_errors_.erase(image::NormalizeReference(image));
  else
    pull_errors_[image::NormalizeReference(image)] = std::move(status);
}

void FakeRuntime::SetStats(const std::string& container_id, const runtime::ContainerStats& stats) {
  std::lock_guard lock(mu_);
  stats_[container_id] = stats;
}

std::vector<std::string> FakeRuntime::Calls() const {
  std::lock_guard lock(mu_);
  return calls_;
}

Status FakeRuntime::Record(const std::string& method) {
  calls_.push_back(method);
  auto it = injected_.find(method);
  if (it == injected_.end()) return Status::Ok();
  Status s = it->second;
  injected_.erase(it);
  return s;
}

std::string FakeRuntime::ResolveId(const std::string& id, bool sandbox) const {
  if (id.empty()) return "";
  auto match = [&](const auto& m) -> std::string {
    if (m.count(id)) return id;
    std::string found;
    for (auto it = m.lower_bound(id); it != m.end() && it->first.rfind(id, 0) == 0; ++it) {
      if (!found.empty()) return "";  // ambiguous
      found = it->first;
    }
    return found;
  };
  return sandbox ? match(sandboxes_) : match(containers_);
}

FakeRuntime::ImageRec* FakeRuntime::FindImage(const std::string& ref) {
  std::string n = image::NormalizeReference(ref);
  for (auto& r : images_) {
    if (r.image.id == ref || r.image.id == n) return &r;
    if (ref.size() >= 12 && r.image.id.rfind("sha256:" + ref, 0) == 0) return &r;
    for (const auto& t : r.image.repo_tags)
      if (t == n) return &r;
    for (const auto& d : r.image.repo_digests)
      if (d == ref) return &r;
  }
  return nullptr;
}

namespace {

// Appends `data` to the CRI log file: complete lines as F records, a trailing partial line
// as a P record (the shim's writer does the same when the pipe is flushed).
void AppendLog(const std::string& path, logs::Stream stream, const std::string& data) {
  if (path.empty() || data.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  auto w = logs::LogWriter::Open(path);
  if (!w.ok()) return;
  (void)(*w)->Write(stream, data);
  (void)(*w)->Close();
}

std::string ReasonFor(int32_t code) { return code == 0 ? "Completed" : "Error"; }

}  // namespace

void FakeRuntime::Advance(Ctr& c) {
  if (c.status.state != ContainerState::kRunning) return;
  int64_t now = clock_();
  c.proc.Run(now);
  AppendLog(c.log_file, logs::Stream::kStdout, c.proc.out);
  AppendLog(c.log_file, logs::Stream::kStderr, c.proc.err);
  c.proc.out.clear();
  c.proc.err.clear();
  if (c.proc.done) {
    c.status.state = ContainerState::kExited;
    c.status.exit_code = c.proc.last;
    c.status.finished_at = std::max(c.status.started_at, std::min(now, c.proc.t));
    c.status.reason = ReasonFor(c.proc.last);
  }
}

StatusOr<VersionInfo> FakeRuntime::Version() {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("Version"));
  VersionInfo v;
  v.runtime_name = "fake";
  v.runtime_version = "0.1.0";
  return v;
}

StatusOr<std::string> FakeRuntime::RunPodSandbox(const PodSandboxConfig& config) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("RunPodSandbox"));
  if (config.metadata.name.empty()) return Status::Invalid("metadata.name: Required value");
  if (config.metadata.uid.empty()) return Status::Invalid("metadata.uid: Required value");
  for (const auto& [id, s] : sandboxes_) {
    const auto& m = s->status.metadata;
    if (m.name == config.metadata.name && m.namespace_ == config.metadata.namespace_ &&
        m.uid == config.metadata.uid && m.attempt == config.metadata.attempt)
      return Status::AlreadyExists("sandbox name \"" + m.name + "_" + m.namespace_ + "_" + m.uid + "_" +
                                   std::to_string(m.attempt) + "\" is reserved for " + id);
  }
  auto sb = std::make_unique<Sandbox>();
  std::string id = RandomHexId(next_id_++);
  sb->config = config;
  sb->status.id = id;
  sb->status.metadata = config.metadata;
  sb->status.state = PodSandboxState::kReady;
  sb->status.created_at = clock_();
  sb->status.namespace_options = config.linux.security_context.namespace_options;
  sb->status.labels = config.labels;
  sb->status.annotations = config.annotations;
  if (sb->status.namespace_options.network != NamespaceMode::kNode) {
    sb->status.network.ip = "10.88.0." + std::to_string(2 + (next_id_ % 250));
    sb->status.netns_path = "/var/run/netns/fake-" + id.substr(0, 12);
  }
  sandboxes_[id] = std::move(sb);
  return id;
}

Status FakeRuntime::StopPodSandbox(const std::string& sandbox_id) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("StopPodSandbox"));
  std::string id = ResolveId(sandbox_id, true);
  if (id.empty()) return Status::NotFound("pod sandbox \"" + sandbox_id + "\" not found");
  for (auto& [cid, c] : containers_) {
    if (c->status.pod_sandbox_id != id) continue;
    Advance(*c);
    if (c->status.state == ContainerState::kRunning) {
      c->status.state = ContainerState::kExited;
      c->status.exit_code = 137;
      c->status.reason = "Error";
      c->status.finished_at = clock_();
    }
  }
  sandboxes_[id]->status.state = PodSandboxState::kNotReady;
  return Status::Ok();
}

Status FakeRuntime::RemovePodSandbox(const std::string& sandbox_id) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("RemovePodSandbox"));
  std::string id = ResolveId(sandbox_id, true);
  if (id.empty()) return Status::Ok();
  for (auto it = containers_.begin(); it != containers_.end();) {
    if (it->second->status.pod_sandbox_id == id) {
      stats_.erase(it->first);
      it = containers_.erase(it);
    } else {
      ++it;
    }
  }
  sandboxes_.erase(id);
  return Status::Ok();
}

StatusOr<runtime::PodSandboxStatus> FakeRuntime::PodSandboxStatus(const std::string& sandbox_id) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("PodSandboxStatus"));
  std::string id = ResolveId(sandbox_id, true);
  if (id.empty()) return Status::NotFound("pod sandbox \"" + sandbox_id + "\" not found");
  auto st = sandboxes_[id]->status;
  if (st.state != PodSandboxState::kReady) st.network.ip.clear();
  return st;
}

StatusOr<std::vector<PodSandbox>> FakeRuntime::ListPodSandbox(const PodSandboxFilter& filter) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("ListPodSandbox"));
  std::string want_id = filter.id.empty() ? "" : ResolveId(filter.id, true);
  if (!filter.id.empty() && want_id.empty()) return std::vector<PodSandbox>{};
  std::vector<PodSandbox> out;
  for (const auto& [id, s] : sandboxes_) {
    if (!want_id.empty() && id != want_id) continue;
    if (filter.state && s->status.state != *filter.state) continue;
    if (!MatchLabels(filter.label_selector, s->status.labels)) continue;
    PodSandbox p;
    p.id = id;
    p.metadata = s->status.metadata;
    p.state = s->status.state;
    p.created_at = s->status.created_at;
    p.labels = s->status.labels;
    p.annotations = s->status.annotations;
    out.push_back(std::move(p));
  }
  return out;
}

StatusOr<std::string> FakeRuntime::CreateContainer(const std::string& sandbox_id,
                                                   const ContainerConfig& config,
                                                   const PodSandboxConfig& sandbox_config) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("CreateContainer"));
  std::string sid = ResolveId(sandbox_id, true);
  if (sid.empty()) return Status::NotFound("pod sandbox \"" + sandbox_id + "\" not found");
  Sandbox& sb = *sandboxes_[sid];
  if (sb.status.state != PodSandboxState::kReady)
    return Status::Conflict("pod sandbox \"" + sid + "\" is not ready");
  if (config.metadata.name.empty()) return Status::Invalid("metadata.name: Required value");
  for (const auto& [cid, c] : containers_) {
    if (c->status.pod_sandbox_id == sid && c->status.metadata.name == config.metadata.name &&
        c->status.metadata.attempt == config.metadata.attempt)
      return Status::Conflict("container name \"" + config.metadata.name + "\" attempt " +
                              std::to_string(config.metadata.attempt) + " is already in use by " + cid);
  }
  ImageRec* img = FindImage(config.image);
  if (img == nullptr) return Status::NotFound("image \"" + config.image + "\" not found");
  std::vector<std::string> argv;
  if (!config.command.empty()) {
    argv = config.command;
    argv.insert(argv.end(), config.args.begin(), config.args.end());
  } else {
    argv = img->entrypoint;
    const auto& rest = config.args.empty() ? img->cmd : config.args;
    argv.insert(argv.end(), rest.begin(), rest.end());
  }
  if (argv.empty())
    return Status::Invalid("no command specified: neither the container nor the image has one");
  auto c = std::make_unique<Ctr>();
  std::string id = RandomHexId(next_id_++);
  c->config = config;
  c->argv = argv;
  c->status.id = id;
  c->status.pod_sandbox_id = sid;
  c->status.metadata = config.metadata;
  c->status.state = ContainerState::kCreated;
  c->status.created_at = clock_();
  c->status.image = config.image;
  c->status.image_ref = img->image.id;
  c->status.labels = config.labels;
  c->status.annotations = config.annotations;
  c->status.mounts = config.mounts;
  const std::string& log_dir =
      sandbox_config.log_directory.empty() ? sb.config.log_directory : sandbox_config.log_directory;
  if (!config.log_path.empty() && !log_dir.empty()) c->log_file = log_dir + "/" + config.log_path;
  c->status.log_path = c->log_file;
  containers_[id] = std::move(c);
  return id;
}

Status FakeRuntime::StartContainer(const std::string& container_id) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("StartContainer"));
  std::string id = ResolveId(container_id, false);
  if (id.empty()) return Status::NotFound("container \"" + container_id + "\" not found");
  Ctr& c = *containers_[id];
  if (c.status.state != ContainerState::kCreated)
    return Status::Conflict("container \"" + id + "\" is in state " + ToString(c.status.state) +
                            ", not CONTAINER_CREATED");
  c.status.state = ContainerState::kRunning;
  c.status.started_at = clock_();
  c.proc = Proc::Make(c.argv, true);
  c.proc.t = c.status.started_at;
  c.proc.resume_at = c.status.started_at;
  if (!c.log_file.empty()) {
    // Create the (empty) log file at start, as a real runtime does.
    std::error_code ec;
    std::filesystem::create_directories(std::filesystem::path(c.log_file).parent_path(), ec);
    int fd = open(c.log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd >= 0) close(fd);
  }
  Advance(c);
  return Status::Ok();
}

Status FakeRuntime::StopContainer(const std::string& container_id, int64_t timeout_seconds) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("StopContainer"));
  std::string id = ResolveId(container_id, false);
  if (id.empty()) return Status::NotFound("container \"" + container_id + "\" not found");
  Ctr& c = *containers_[id];
  Advance(c);
  // Created containers have no process: they stay CREATED (as in containerd).
  if (c.status.state != ContainerState::kRunning) return Status::Ok();
  int32_t code = 137;
  if (c.proc.trap_term && timeout_seconds > 0) code = *c.proc.trap_term;
  c.status.state = ContainerState::kExited;
  c.status.exit_code = code;
  c.status.reason = ReasonFor(code);
  c.status.finished_at = clock_();
  return Status::Ok();
}

Status FakeRuntime::RemoveContainer(const std::string& container_id) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("RemoveContainer"));
  std::string id = ResolveId(container_id, false);
  if (id.empty()) return Status::Ok();
  containers_.erase(id);
  stats_.erase(id);
  return Status::Ok();
}

StatusOr<std::vector<Container>> FakeRuntime::ListContainers(const ContainerFilter& filter) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("ListContainers"));
  std::string want_id = filter.id.empty() ? "" : ResolveId(filter.id, false);
  if (!filter.id.empty() && want_id.empty()) return std::vector<Container>{};
  std::string want_sb = filter.pod_sandbox_id.empty() ? "" : ResolveId(filter.pod_sandbox_id, true);
  if (!filter.pod_sandbox_id.empty() && want_sb.empty()) return std::vector<Container>{};
  std::vector<Container> out;
  for (auto& [id, c] : containers_) {
    Advance(*c);
    if (!want_id.empty() && id != want_id) continue;
    if (!want_sb.empty() && c->status.pod_sandbox_id != want_sb) continue;
    if (filter.state && c->status.state != *filter.state) continue;
    if (!MatchLabels(filter.label_selector, c->status.labels)) continue;
    Container x;
    x.id = id;
    x.pod_sandbox_id = c->status.pod_sandbox_id;
    x.metadata = c->status.metadata;
    x.image = c->status.image;
    x.image_ref = c->status.image_ref;
    x.state = c->status.state;
    x.created_at = c->status.created_at;
    x.labels = c->status.labels;
    x.annotations = c->status.annotations;
    out.push_back(std::move(x));
  }
  return out;
}

StatusOr<runtime::ContainerStatus> FakeRuntime::ContainerStatus(const std::string& container_id) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("ContainerStatus"));
  std::string id = ResolveId(container_id, false);
  if (id.empty()) return Status::NotFound("container \"" + container_id + "\" not found");
  Ctr& c = *containers_[id];
  Advance(c);
  return c.status;
}

StatusOr<runtime::ContainerStats> FakeRuntime::ContainerStats(const std::string& container_id) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("ContainerStats"));
  std::string id = ResolveId(container_id, false);
  if (id.empty()) return Status::NotFound("container \"" + container_id + "\" not found");
  Advance(*containers_[id]);
  if (containers_[id]->status.state != ContainerState::kRunning)
    return Status::Conflict("container \"" + id + "\" is not running");
  runtime::ContainerStats s;
  if (auto it = stats_.find(id); it != stats_.end()) s = it->second;
  s.container_id = id;
  if (s.timestamp == 0) s.timestamp = clock_();
  return s;
}

StatusOr<ExecSyncResult> FakeRuntime::ExecSync(const std::string& container_id,
                                               const std::vector<std::string>& cmd, int64_t timeout_seconds) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("ExecSync"));
  std::string id = ResolveId(container_id, false);
  if (id.empty()) return Status::NotFound("container \"" + container_id + "\" not found");
  Advance(*containers_[id]);
  if (containers_[id]->status.state != ContainerState::kRunning)
    return Status::Conflict("container \"" + id + "\" is not running");
  if (cmd.empty()) return Status::Invalid("cmd: Required value");
  Proc p = Proc::Make(cmd, false);
  int64_t limit = timeout_seconds > 0 ? timeout_seconds * 1000000000 : INT64_MAX - 1;
  p.Run(limit);
  if (!p.done) return Status::Timeout("command timed out after " + std::to_string(timeout_seconds) + "s");
  return ExecSyncResult{p.out, p.err, p.last};
}

namespace {

class FakeSession final : public StreamSession {
 public:
  explicit FakeSession(int32_t code) : code_(code) {}
  Status Resize(uint16_t, uint16_t) override { return Status::Ok(); }
  StatusOr<int32_t> Wait(int64_t) override { return code_; }
  void Cancel() override {}

 private:
  int32_t code_;
};

void WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (fd >= 0 && off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

std::string ReadAll(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  return s;
}

}  // namespace

StatusOr<StreamSessionPtr> FakeRuntime::Exec(const std::string& container_id, const ExecRequest& request) {
  Proc p;
  {
    std::lock_guard lock(mu_);
    RETURN_IF_ERROR(Record("Exec"));
    std::string id = ResolveId(container_id, false);
    if (id.empty()) return Status::NotFound("container \"" + container_id + "\" not found");
    Advance(*containers_[id]);
    if (containers_[id]->status.state != ContainerState::kRunning)
      return Status::Conflict("container \"" + id + "\" is not running");
    if (request.cmd.empty()) return Status::Invalid("cmd: Required value");
    if (request.tty && request.fds.stderr_fd >= 0)
      return Status::Invalid("tty and stderr cannot both be true");
    p = Proc::Make(request.cmd, false);
  }
  // Synchronous: reads stdin to EOF (only when the script uses it), runs, writes output.
  bool uses_stdin = false;
  for (const auto& s : p.stmts)
    if (!s.empty() && Base(s[0]) == "cat") uses_stdin = true;
  if (uses_stdin && request.fds.stdin_fd >= 0) p.stdin_data = ReadAll(request.fds.stdin_fd);
  p.Run(INT64_MAX - 1);
  WriteAll(request.fds.stdout_fd, p.out);
  WriteAll(request.tty ? request.fds.stdout_fd : request.fds.stderr_fd, p.err);
  return StreamSessionPtr(new FakeSession(p.done ? p.last : 0));
}

StatusOr<StreamSessionPtr> FakeRuntime::Attach(const std::string& container_id, const StreamFds& fds) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("Attach"));
  std::string id = ResolveId(container_id, false);
  if (id.empty()) return Status::NotFound("container \"" + container_id + "\" not found");
  Advance(*containers_[id]);
  if (containers_[id]->status.state != ContainerState::kRunning)
    return Status::Conflict("container \"" + id + "\" is not running");
  if (fds.stdin_fd >= 0 && !containers_[id]->config.stdin)
    return Status::Invalid("container \"" + id + "\" was not created with stdin");
  return StreamSessionPtr(new FakeSession(0));
}

StatusOr<int> FakeRuntime::PortForward(const std::string& sandbox_id, int32_t port) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("PortForward"));
  std::string id = ResolveId(sandbox_id, true);
  if (id.empty()) return Status::NotFound("pod sandbox \"" + sandbox_id + "\" not found");
  return Status::Unavailable("fake runtime: nothing listens on port " + std::to_string(port));
}

StatusOr<std::string> FakeRuntime::PullImage(const std::string& image, const AuthConfig&) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("PullImage"));
  if (image.empty()) return Status::Invalid("image: Required value");
  if (auto it = pull_errors_.find(image::NormalizeReference(image)); it != pull_errors_.end()) return it->second;
  if (ImageRec* r = FindImage(image)) return r->image.id;
  ImageRec r;
  r.image.id = "sha256:" + RandomHexId(next_id_++);
  r.image.repo_tags = {image::NormalizeReference(image)};
  r.image.size = 1 << 20;
  images_.push_back(r);
  return r.image.id;
}

StatusOr<std::vector<Image>> FakeRuntime::ListImages(const std::string& image) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("ListImages"));
  std::vector<Image> out;
  if (!image.empty()) {
    if (ImageRec* r = FindImage(image)) out.push_back(r->image);
    return out;
  }
  for (const auto& r : images_) out.push_back(r.image);
  return out;
}

StatusOr<runtime::Image> FakeRuntime::ImageStatus(const std::string& image) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("ImageStatus"));
  if (ImageRec* r = FindImage(image)) return r->image;
  return Status::NotFound("image \"" + image + "\" not found");
}

Status FakeRuntime::RemoveImage(const std::string& image) {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("RemoveImage"));
  ImageRec* r = FindImage(image);
  if (r == nullptr) return Status::Ok();
  std::string id = r->image.id;
  images_.erase(
      std::remove_if(images_.begin(), images_.end(), [&](const ImageRec& x) { return x.image.id == id; }),
      images_.end());
  return Status::Ok();
}

StatusOr<std::vector<FilesystemUsage>> FakeRuntime::ImageFsInfo() {
  std::lock_guard lock(mu_);
  RETURN_IF_ERROR(Record("ImageFsInfo"));
  FilesystemUsage u;
  u.timestamp = clock_();
  u.mountpoint = "/var/lib/fake/images";
  for (const auto& r : images_) u.used_bytes += r.image.size;
  u.inodes_used = images_.size();
  return std::vector<FilesystemUsage>{u};
}

Status FakeRuntime::FinishContainer(const std::string& container_id, int32_t exit_code,
                                    const std::string& reason) {
  std::lock_guard lock(mu_);
  std::string id = ResolveId(container_id, false);
  if (id.empty()) return Status::NotFound("container \"" + container_id + "\" not found");
  Ctr& c = *containers_[id];
  Advance(c);
  if (c.status.state != ContainerState::kRunning)
    return Status::Conflict("container \"" + id + "\" is not running");
  c.status.state = ContainerState::kExited;
  c.status.exit_code = exit_code;
  c.status.reason = reason.empty() ? ReasonFor(exit_code) : reason;
  c.status.finished_at = clock_();
  return Status::Ok();
}

}  // namespace kubepp::runtime::fake
