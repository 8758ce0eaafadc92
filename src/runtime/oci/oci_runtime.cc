#include "runtime/oci/oci_runtime.h"

#include <algorithm>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>

#include "common/encoding.h"
#include "common/log.h"
#include "common/strings.h"
#include "network/cni/netns.h"
#include "runtime/image/image_store.h"
#include "runtime/oci/cgroups.h"
#include "runtime/oci/shim_protocol.h"
#include "runtime/oci/spec.h"
#include "runtime/oci/subprocess.h"

namespace kubepp::runtime::oci {

namespace fs = std::filesystem;
using nlohmann::json;
using namespace std::chrono_literals;

struct OciRuntime::SandboxRec {
  std::mutex op;    // serializes lifecycle operations on this sandbox
  std::mutex data;  // guards the fields below
  std::string id;
  PodSandboxConfig config;
  PodSandboxState state = PodSandboxState::kNotReady;
  int64_t created_at = 0;
  std::string dir, netns_path, ipc_path, shm_path;
  std::vector<std::string> ips;
  int pause_pid = 0;
  std::string pause_start;
  std::string cgroup_parent;
  bool own_cgroup = false;
  bool network_up = false;
};

struct OciRuntime::ContainerRec {
  std::mutex op;
  std::mutex data;
  std::string id, sandbox_id, dir;
  ContainerConfig config;
  std::string image_ref, log_path, cgroup_path;
  int stop_signal = SIGTERM;
  bool shared_pid = false;
  int64_t created_at = 0, started_at = 0;
  bool start_failed = false;
  std::string start_error;
  int64_t failed_at = 0;
  std::optional<shim::ExitInfo> exit;
};

namespace {

std::string RandomId() {
  unsigned char b[32];
  size_t got = 0;
  while (got < sizeof b) {
    ssize_t n = getrandom(b + got, sizeof b - got, 0);
    if (n > 0) got += static_cast<size_t>(n);
  }
  static const char* kHex = "0123456789abcdef";
  std::string s;
  for (unsigned char c : b) s += kHex[c >> 4], s += kHex[c & 15];
  return s;
}

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Status WriteFileAtomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Internal("open " + tmp + ": " + strerror(errno));
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = write(fd, content.data() + off, content.size() - off);
    if (n <= 0) {
      close(fd);
      return Status::Internal("write " + tmp + ": " + strerror(errno));
    }
    off += static_cast<size_t>(n);
  }
  // No fsync: these records only need to survive this process (rename is atomic); after a
  // machine crash no container survives either and the records are reconciled at Open.
  close(fd);
  if (rename(tmp.c_str(), path.c_str()) != 0)
    return Status::Internal("rename " + tmp + ": " + strerror(errno));
  return Status::Ok();
}

std::string ProcStartTime(int pid) {
  auto stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  if (!stat) return "";
  auto rp = stat->rfind(')');
  if (rp == std::string::npos || rp + 2 >= stat->size()) return "";
  std::istringstream in(stat->substr(rp + 2));
  std::string f;
  for (int i = 3; i <= 22 && (in >> f); ++i) {
    if (i == 3 && f == "Z") return "";  // zombie: as good as gone
    if (i == 22) return f;
  }
  return "";
}

bool ProcessAlive(int pid, const std::string& start) {
  return pid > 0 && !start.empty() && ProcStartTime(pid) == start;
}

bool ShimAlive(const std::string& dir) {
  auto text = ReadFile(dir + "/" + shim::kShimPidFile);
  if (!text) return false;
  std::istringstream in(*text);
  int pid = 0;
  std::string start;
  in >> pid >> start;
  return ProcessAlive(pid, start);
}

std::optional<shim::ExitInfo> ReadExit(const std::string& dir) {
  auto text = ReadFile(dir + "/" + shim::kExitFile);
  if (!text) return std::nullopt;
  shim::ExitInfo e;
  if (!shim::ParseExit(*text, &e)) return std::nullopt;
  return e;
}

std::string FindInPath(const std::string& name) {
  std::string path = getenv("PATH") ? getenv("PATH") : "";
  path += ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
  std::stringstream ss(path);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    std::string p = dir + "/" + name;
    if (access(p.c_str(), X_OK) == 0) return p;
  }
  return "";
}

// Pins a new namespace of `flag` (CLONE_NEWIPC, ...) at `path` from a helper thread.
Status PinNewNamespace(int flag, const char* ns_name, const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0444);
  if (fd < 0) return Status::Internal("create " + path + ": " + strerror(errno));
  close(fd);
  Status result;
  std::thread t([&] {
    if (unshare(flag) != 0) {
      result = Status::Internal(std::string("unshare(") + ns_name + "): " + strerror(errno));
      return;
    }
    std::string self = "/proc/thread-self/ns/" + std::string(ns_name);
    if (mount(self.c_str(), path.c_str(), nullptr, MS_BIND, nullptr) != 0)
      result = Status::Internal("bind mount " + self + " on " + path + ": " + strerror(errno));
  });
  t.join();
  if (!result.ok()) unlink(path.c_str());
  return result;
}

void UnmountQuietly(const std::string& path) {
  if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT)
    LogWarning("unmount {}: {}", path, strerror(errno));
}

// --- JSON records ------------------------------------------------------------------------

json MapJson(const std::map<std::string, std::string>& m) { return m.empty() ? json::object() : json(m); }

std::map<std::string, std::string> JsonMap(const json& j) {
  std::map<std::string, std::string> m;
  if (j.is_object())
    for (auto it = j.begin(); it != j.end(); ++it)
      if (it.value().is_string()) m[it.key()] = it.value().get<std::string>();
  return m;
}

std::vector<std::string> JsonStrings(const json& j) {
  std::vector<std::string> v;
  if (j.is_array())
    for (const auto& x : j)
      if (x.is_string()) v.push_back(x.get<std::string>());
  return v;
}

json SandboxJson(const OciRuntime::SandboxRec& s) {
  const auto& c = s.config;
  json ports = json::array();
  for (const auto& p : c.port_mappings)
    ports.push_back({{"protocol", p.protocol},
                     {"container_port", p.container_port},
                     {"host_port", p.host_port},
                     {"host_ip", p.host_ip}});
  const auto& nso = c.linux.security_context.namespace_options;
  return {{"id", s.id},
          {"name", c.metadata.name},
          {"uid", c.metadata.uid},
          {"namespace", c.metadata.namespace_},
          {"attempt", c.metadata.attempt},
          {"hostname", c.hostname},
          {"log_directory", c.log_directory},
          {"dns",
           {{"servers", c.dns_config.servers},
            {"searches", c.dns_config.searches},
            {"options", c.dns_config.options}}},
          {"port_mappings", ports},
          {"labels", MapJson(c.labels)},
          {"annotations", MapJson(c.annotations)},
          {"cgroup_parent_config", c.linux.cgroup_parent},
          {"ns", {static_cast<int>(nso.network), static_cast<int>(nso.pid), static_cast<int>(nso.ipc)}},
          {"state", s.state == PodSandboxState::kReady ? "ready" : "notready"},
          {"created_at", s.created_at},
          {"netns_path", s.netns_path},
          {"ipc_path", s.ipc_path},
          {"shm_path", s.shm_path},
          {"ips", s.ips},
          {"pause_pid", s.pause_pid},
          {"pause_start", s.pause_start},
          {"cgroup_parent", s.cgroup_parent},
          {"own_cgroup", s.own_cgroup},
          {"network_up", s.network_up}};
}

void SandboxFromJson(const json& j, OciRuntime::SandboxRec& s) {
  auto& c = s.config;
  s.id = j.value("id", "");
  c.metadata.name = j.value("name", "");
  c.metadata.uid = j.value("uid", "");
  c.metadata.namespace_ = j.value("namespace", "");
  c.metadata.attempt = j.value("attempt", 0u);
  c.hostname = j.value("hostname", "");
  c.log_directory = j.value("log_directory", "");
  if (j.contains("dns")) {
    c.dns_config.servers = JsonStrings(j["dns"].value("servers", json::array()));
    c.dns_config.searches = JsonStrings(j["dns"].value("searches", json::array()));
    c.dns_config.options = JsonStrings(j["dns"].value("options", json::array()));
  }
  for (const auto& p : j.value("port_mappings", json::array())) {
    PortMapping m;
    m.protocol = p.value("protocol", "TCP");
    m.container_port = p.value("container_port", 0);
    m.host_port = p.value("host_port", 0);
    m.host_ip = p.value("host_ip", "");
    c.port_mappings.push_back(m);
  }
  c.labels = JsonMap(j.value("labels", json::object()));
  c.annotations = JsonMap(j.value("annotations", json::object()));
  c.linux.cgroup_parent = j.value("cgroup_parent_config", "");
  auto ns = j.value("ns", json::array());
  if (ns.is_array() && ns.size() == 3) {
    auto& o = c.linux.security_context.namespace_options;
    o.network = static_cast<NamespaceMode>(ns[0].get<int>());
    o.pid = static_cast<NamespaceMode>(ns[1].get<int>());
    o.ipc = static_cast<NamespaceMode>(ns[2].get<int>());
  }
  s.state = j.value("state", "") == "ready" ? PodSandboxState::kReady : PodSandboxState::kNotReady;
  s.created_at = j.value("created_at", int64_t{0});
  s.netns_path = j.value("netns_path", "");
  s.ipc_path = j.value("ipc_path", "");
  s.shm_path = j.value("shm_path", "");
  s.ips = JsonStrings(j.value("ips", json::array()));
  s.pause_pid = j.value("pause_pid", 0);
  s.pause_start = j.value("pause_start", "");
  s.cgroup_parent = j.value("cgroup_parent", "");
  s.own_cgroup = j.value("own_cgroup", false);
  s.network_up = j.value("network_up", false);
}

json ContainerJson(const OciRuntime::ContainerRec& r) {
  const auto& c = r.config;
  json mounts = json::array();
  for (const auto& m : c.mounts)
    mounts.push_back({{"container_path", m.container_path},
                      {"host_path", m.host_path},
                      {"readonly", m.readonly},
                      {"propagation", static_cast<int>(m.propagation)}});
  return {{"id", r.id},
          {"created", true},  // written only once the shim reported the container created
          {"sandbox_id", r.sandbox_id},
          {"name", c.metadata.name},
          {"attempt", c.metadata.attempt},
          {"image", c.image},
          {"labels", MapJson(c.labels)},
          {"annotations", MapJson(c.annotations)},
          {"mounts", mounts},
          {"stdin", c.stdin},
          {"stdin_once", c.stdin_once},
          {"tty", c.tty},
          {"image_ref", r.image_ref},
          {"log_path", r.log_path},
          {"cgroup_path", r.cgroup_path},
          {"stop_signal", r.stop_signal},
          {"shared_pid", r.shared_pid},
          {"created_at", r.created_at},
          {"started_at", r.started_at},
          {"start_failed", r.start_failed},
          {"start_error", r.start_error},
          {"failed_at", r.failed_at}};
}

void ContainerFromJson(const json& j, OciRuntime::ContainerRec& r) {
  auto& c = r.config;
  r.id = j.value("id", "");
  r.sandbox_id = j.value("sandbox_id", "");
  c.metadata.name = j.value("name", "");
  c.metadata.attempt = j.value("attempt", 0u);
  c.image = j.value("image", "");
  c.labels = JsonMap(j.value("labels", json::object()));
  c.annotations = JsonMap(j.value("annotations", json::object()));
  for (const auto& m : j.value("mounts", json::array())) {
    Mount x;
    x.container_path = m.value("container_path", "");
    x.host_path = m.value("host_path", "");
    x.readonly = m.value("readonly", false);
    x.propagation = static_cast<MountPropagation>(m.value("propagation", 0));
    c.mounts.push_back(x);
  }
  c.stdin = j.value("stdin", false);
  c.stdin_once = j.value("stdin_once", false);
  c.tty = j.value("tty", false);
  r.image_ref = j.value("image_ref", "");
  r.log_path = j.value("log_path", "");
  r.cgroup_path = j.value("cgroup_path", "");
  r.stop_signal = j.value("stop_signal", SIGTERM);
  r.shared_pid = j.value("shared_pid", false);
  r.created_at = j.value("created_at", int64_t{0});
  r.started_at = j.value("started_at", int64_t{0});
  r.start_failed = j.value("start_failed", false);
  r.start_error = j.value("start_error", "");
  r.failed_at = j.value("failed_at", int64_t{0});
}

Status SaveSandbox(OciRuntime::SandboxRec& s) {
  std::lock_guard lock(s.data);
  return WriteFileAtomic(s.dir + "/sandbox.json", SandboxJson(s).dump(1));
}

Status SaveContainer(OciRuntime::ContainerRec& r) {
  std::lock_guard lock(r.data);
  return WriteFileAtomic(r.dir + "/container.json", ContainerJson(r).dump(1));
}

std::string HostsFile(const std::string& hostname, const std::vector<std::string>& ips) {
  std::string s =
      "# Kubernetes-managed hosts file (kubepp runtime).\n"
      "127.0.0.1\tlocalhost\n"
      "::1\tlocalhost ip6-localhost ip6-loopback\n"
      "fe00::0\tip6-localnet\n"
      "fe00::0\tip6-mcastprefix\n"
      "fe00::1\tip6-allnodes\n"
      "fe00::2\tip6-allrouters\n";
  for (const auto& ip : ips) s += ip + "\t" + hostname + "\n";
  return s;
}

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  auto step = 1ms;
  while (true) {
    if (pred()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(step);
    if (step < 10ms) step += 1ms;
  }
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    struct stat st;
    if (lstat(it->path().c_str(), &st) == 0) total += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return total;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

OciRuntime::OciRuntime(OciRuntimeOptions options) : options_(std::move(options)) {}

OciRuntime::~OciRuntime() = default;

StatusOr<std::unique_ptr<OciRuntime>> OciRuntime::Open(OciRuntimeOptions options) {
  if (options.root.empty()) return Status::Invalid("oci runtime: root directory is required");
  if (options.images == nullptr) return Status::Invalid("oci runtime: an image store is required");
  std::unique_ptr<OciRuntime> rt(new OciRuntime(std::move(options)));
  auto& o = rt->options_;
  rt->runc_ = o.runc_path.empty() ? FindInPath("runc") : o.runc_path;
  if (rt->runc_.empty() || access(rt->runc_.c_str(), X_OK) != 0)
    return Status::Unavailable(
        "runc not found" + (o.runc_path.empty() ? std::string(" in PATH") : " at " + o.runc_path) +
        ": the container runtime needs runc (Debian package `runc`: apt-get install runc)");
  auto v = RunCommand({rt->runc_, "--version"}, {.timeout = 10s});
  if (!v.ok() || v->exit_code != 0)
    return Status::Unavailable("`" + rt->runc_ + " --version` failed: " +
                               (v.ok() ? CommandError("runc", *v) : v.status().message()));
  {
    std::string first = v->out.substr(0, v->out.find('\n'));  // "runc version 1.1.5+ds1"
    auto sp = first.rfind(' ');
    rt->runc_version_ = sp == std::string::npos ? first : first.substr(sp + 1);
  }
  if (!o.shim_path.empty()) {
    rt->shim_ = o.shim_path;
  } else {
    std::error_code ec;
    auto self = fs::read_symlink("/proc/self/exe", ec);
    rt->shim_ = (self.parent_path() / "kubepp-shim").string();
  }
  if (access(rt->shim_.c_str(), X_OK) != 0)
    return Status::Unavailable("kubepp-shim not found at " + rt->shim_ + " (build the kubepp-shim target)");
  std::error_code ec;
  for (const auto& d : {o.root + "/sandboxes", o.root + "/containers", o.runc_root, o.netns_dir}) {
    fs::create_directories(d, ec);
    if (ec) return Status::Internal("create " + d + ": " + ec.message());
  }
  if (o.network == nullptr) {
    rt->own_network_ = MakeLoopbackOnlyNetwork();
    rt->network_ = rt->own_network_.get();
  } else {
    rt->network_ = o.network;
  }
  if (!o.images_import_dir.empty()) {
    // One archive at a time, so that one bad file does not hide the others.
    std::vector<fs::path> archives;
    for (const auto& e : fs::directory_iterator(o.images_import_dir, ec)) {
      std::string name = e.path().filename().string();
      for (const char* ext : {".tar", ".tar.gz", ".tgz", ".tar.zst"}) {
        std::string_view n(name), x(ext);
        if (e.is_regular_file() && n.size() > x.size() && n.substr(n.size() - x.size()) == x) {
          archives.push_back(e.path());
          break;
        }
      }
    }
    std::sort(archives.begin(), archives.end());
    for (const auto& a : archives) {
      auto imported = o.images->Import(a.string());
      if (!imported.ok()) {
        LogWarning("oci runtime: image archive {} not imported: {}", a.string(), imported.status().ToString());
      } else {
        LogInfo("oci runtime: imported {} image(s) from {}", imported->size(), a.string());
      }
    }
  }
  RETURN_IF_ERROR(rt->Load());
  return rt;
}

std::vector<std::string> OciRuntime::Runc(std::initializer_list<std::string> args) const {
  std::vector<std::string> v = {runc_, "--root", options_.runc_root};
  v.insert(v.end(), args.begin(), args.end());
  return v;
}

Status OciRuntime::Load() {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(options_.root + "/sandboxes", ec)) {
    auto text = ReadFile(e.path().string() + "/sandbox.json");
    if (!text) {
      // Never finished creating (the runtime stopped inside RunPodSandbox; the record is
      // written last): undo what it may have made, CNI DEL before the netns goes.
      CleanUpUnrecordedSandbox(e.path().filename().string(), e.path().string());
      continue;
    }
    auto j = json::parse(*text, nullptr, false);
    if (j.is_discarded()) {
      LogWarning("oci runtime: unreadable {}/sandbox.json; skipped", e.path().string());
      continue;
    }
    auto s = std::make_shared<SandboxRec>();
    SandboxFromJson(j, *s);
    s->dir = e.path().string();
    if (s->id.empty()) continue;
    // A sandbox whose namespaces did not survive (the node rebooted: /run is a tmpfs) is no
    // longer ready; the kubelet then replaces it.
    if (s->state == PodSandboxState::kReady &&
        ((!s->netns_path.empty() && !fs::exists(s->netns_path, ec)) ||
         (s->pause_pid > 0 && !ProcessAlive(s->pause_pid, s->pause_start)))) {
      LogWarning("oci runtime: sandbox {} lost its namespaces; marking it NOTREADY", s->id);
      s->state = PodSandboxState::kNotReady;
      (void)SaveSandbox(*s);
    }
    sandboxes_[s->id] = s;
  }
  for (const auto& e : fs::directory_iterator(options_.root + "/containers", ec)) {
    std::string dir = e.path().string();
    auto text = ReadFile(dir + "/container.json");
    auto j = text ? json::parse(*text, nullptr, false) : json();
    bool usable = text && !j.is_discarded() && j.value("created", false);
    if (!usable) {
      // Never finished creating (the runtime stopped mid-create, so nobody knows its id):
      // kill and clean it up.
      std::string id = e.path().filename().string();
      LogWarning("oci runtime: removing container {} whose creation did not finish", id);
      (void)RunCommand(Runc({"delete", "--force", id}), {.timeout = 30s});
      WaitFor([&] { return !ShimAlive(dir); }, 5s);
      UnmountQuietly(dir + "/rootfs");
      fs::remove_all(dir, ec);
      continue;
    }
    auto c = std::make_shared<ContainerRec>();
    ContainerFromJson(j, *c);
    c->dir = dir;
    if (c->id.empty()) continue;
    if (c->started_at == 0 && !c->start_failed && (ShimAlive(dir) || ReadExit(dir))) {
      // The runtime stopped in the middle of StartContainer. Only created (`runc start` did
      // not run): undo the runc container so that the container is plainly CREATED. Started
      // (running, or already exited and recorded by its shim): record it as started, so its
      // exit code is not lost.
      auto r = RunCommand(Runc({"state", c->id}), {.timeout = 30s});
      auto state = r.ok() ? json::parse(r->out, nullptr, false) : json();
      bool only_created =
          !state.is_discarded() && state.is_object() && state.value("status", "") == "created";
      if (!only_created) {
        // `runc create` wrote init.pid just before the start.
        struct stat st;
        c->started_at = stat((dir + "/" + shim::kInitPidFile).c_str(), &st) == 0
                            ? static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec
                            : c->created_at;
      } else {
        (void)RunCommand(Runc({"delete", "--force", c->id}), {.timeout = 30s});
        WaitFor([&] { return !ShimAlive(dir); }, 5s);
        for (const char* f : {shim::kExitFile, shim::kInitPidFile, shim::kShimPidFile})
          fs::remove(dir + "/" + f, ec);
      }
      (void)SaveContainer(*c);
    }
    containers_[c->id] = c;
  }
  LogInfo("oci runtime: adopted {} sandboxes and {} containers from {}", sandboxes_.size(),
          containers_.size(), options_.root);
  return Status::Ok();
}

void OciRuntime::CleanUpUnrecordedSandbox(const std::string& id, const std::string& dir) {
  LogWarning("oci runtime: removing pod sandbox {} whose creation did not finish", id);
  const std::string netns = options_.netns_dir + "/" + id;
  std::error_code ec;
  // Idempotent: nothing happens when the sandbox never reached its network set-up.
  Status st = network_->TearDown({id, netns});
  if (!st.ok()) {
    // Keep everything (the netns included) so that the next Open retries the DEL.
    LogWarning("oci runtime: tearing down the network of unfinished sandbox {}: {}", id, st.ToString());
    return;
  }
  if (fs::exists(netns, ec)) {
    st = network::cni::DeleteNetns(netns);
    if (!st.ok()) LogWarning("oci runtime: {}", st.ToString());
  }
  std::istringstream pause(ReadFile(dir + "/pause.pid").value_or(""));
  int pause_pid = 0;
  std::string pause_start;
  pause >> pause_pid >> pause_start;
  if (ProcessAlive(pause_pid, pause_start)) {
    kill(pause_pid, SIGKILL);
    WaitFor([&] { return !ProcessAlive(pause_pid, pause_start); }, 5s);
  }
  UnmountQuietly(dir + "/ipc");
  UnmountQuietly(dir + "/shm");
  fs::remove_all(dir, ec);
  if (ec) LogWarning("oci runtime: remove {}: {}", dir, ec.message());
}

std::shared_ptr<OciRuntime::SandboxRec> OciRuntime::FindSandbox(const std::string& id) {
  std::lock_guard lock(mu_);
  if (id.empty()) return nullptr;
  if (auto it = sandboxes_.find(id); it != sandboxes_.end()) return it->second;
  std::shared_ptr<SandboxRec> found;
  for (auto it = sandboxes_.lower_bound(id); it != sandboxes_.end() && it->first.rfind(id, 0) == 0; ++it) {
    if (found) return nullptr;
    found = it->second;
  }
  return found;
}

std::shared_ptr<OciRuntime::ContainerRec> OciRuntime::FindContainer(const std::string& id) {
  std::lock_guard lock(mu_);
  if (id.empty()) return nullptr;
  if (auto it = containers_.find(id); it != containers_.end()) return it->second;
  std::shared_ptr<ContainerRec> found;
  for (auto it = containers_.lower_bound(id); it != containers_.end() && it->first.rfind(id, 0) == 0; ++it) {
    if (found) return nullptr;
    found = it->second;
  }
  return found;
}

StatusOr<VersionInfo> OciRuntime::Version() {
  VersionInfo v;
  v.runtime_name = "kubepp-runc";
  v.runtime_version = runc_version_;
  return v;
}

// --- sandboxes ---------------------------------------------------------------------------

StatusOr<std::string> OciRuntime::RunPodSandbox(const PodSandboxConfig& config) {
  if (config.metadata.name.empty()) return Status::Invalid("metadata.name: Required value");
  if (config.metadata.uid.empty()) return Status::Invalid("metadata.uid: Required value");
  const auto& md = config.metadata;
  const std::string name_key =
      md.name + "_" + md.namespace_ + "_" + md.uid + "_" + std::to_string(md.attempt);
  {
    std::lock_guard lock(mu_);
    if (creating_.count(name_key))
      return Status::AlreadyExists("sandbox name \"" + name_key + "\" is being created");
    for (const auto& [id, s] : sandboxes_) {
      std::lock_guard dl(s->data);
      const auto& m = s->config.metadata;
      if (m.name == md.name && m.namespace_ == md.namespace_ && m.uid == md.uid && m.attempt == md.attempt)
        return Status::AlreadyExists("sandbox name \"" + name_key + "\" is reserved for " + id);
    }
    creating_.insert(name_key);
  }
  // Released when this call returns (by then a created sandbox is in sandboxes_).
  std::unique_ptr<void, std::function<void(void*)>> release(this, [&](void*) {
    std::lock_guard lock(mu_);
    creating_.erase(name_key);
  });
  auto s = std::make_shared<SandboxRec>();
  s->id = RandomId();
  s->config = config;
  s->created_at = NowNanos();
  s->dir = options_.root + "/sandboxes/" + s->id;
  const auto& nso = config.linux.security_context.namespace_options;
  std::error_code ec;
  fs::create_directories(s->dir, ec);
  if (ec) return Status::Internal("create " + s->dir + ": " + ec.message());

  auto rollback = [&](Status st) -> Status {
    if (s->network_up) (void)network_->TearDown({s->id, s->netns_path});
    if (!s->netns_path.empty()) (void)network::cni::DeleteNetns(s->netns_path);
    if (!s->ipc_path.empty()) UnmountQuietly(s->ipc_path);
    if (!s->shm_path.empty()) UnmountQuietly(s->shm_path);
    if (s->pause_pid > 0 && ProcessAlive(s->pause_pid, s->pause_start)) kill(s->pause_pid, SIGKILL);
    fs::remove_all(s->dir, ec);
    return st;
  };

  // Network namespace.
  if (nso.network != NamespaceMode::kNode) {
    auto ns = network::cni::CreateNetns(options_.netns_dir, s->id);
    if (!ns.ok()) return rollback(ns.status().WithPrefix("creating the pod network namespace"));
    s->netns_path = *ns;
  }
  // IPC namespace shared by the pod.
  if (nso.ipc == NamespaceMode::kPod) {
    std::string path = s->dir + "/ipc";
    Status st = PinNewNamespace(CLONE_NEWIPC, "ipc", path);
    if (!st.ok()) return rollback(st);
    s->ipc_path = path;
  }
  // /dev/shm shared by the pod.
  {
    std::string shm = s->dir + "/shm";
    fs::create_directories(shm, ec);
    if (mount("shm", shm.c_str(), "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=1777,size=65536k") != 0)
      return rollback(Status::Internal("mount tmpfs on " + shm + ": " + strerror(errno)));
    s->shm_path = shm;
  }
  // PID namespace holder when the pod shares its PID namespace.
  if (nso.pid == NamespaceMode::kPod) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return rollback(Status::Internal("pipe: " + std::string(strerror(errno))));
    auto pid = SpawnProcess({shim_, "pause", "3"}, -1, -1, -1, {p[1]}, true);
    close(p[1]);
    if (!pid.ok()) {
      close(p[0]);
      return rollback(pid.status());
    }
    std::string msg;
    char buf[256];
    ssize_t n;
    while ((n = read(p[0], buf, sizeof buf)) > 0) msg.append(buf, static_cast<size_t>(n));
    close(p[0]);
    waitpid(*pid, nullptr, 0);
    if (msg.rfind("ok ", 0) != 0)
      return rollback(Status::Internal("pause process: " + std::string(TrimSpace(msg))));
    s->pause_pid = atoi(msg.c_str() + 3);
    s->pause_start = ProcStartTime(s->pause_pid);
    // Known before the record exists, so that Load can end it if this call never finishes.
    Status st =
        WriteFileAtomic(s->dir + "/pause.pid", std::to_string(s->pause_pid) + " " + s->pause_start + "\n");
    if (!st.ok()) return rollback(st);
  }
  // Network.
  if (!s->netns_path.empty()) {
    SandboxNetworkRequest req{s->id,
                              s->netns_path,
                              config.metadata.name,
                              config.metadata.namespace_,
                              config.metadata.uid,
                              config.port_mappings};
    auto ips = network_->SetUp(req);
    if (!ips.ok()) return rollback(ips.status().WithPrefix("setting up the pod network"));
    s->ips = *ips;
    s->network_up = true;
  }
  // /etc files.
  std::string hostname = config.hostname.empty() ? config.metadata.name : config.hostname;
  std::string hosts =
      s->netns_path.empty() ? ReadFile("/etc/hosts").value_or("") : HostsFile(hostname, s->ips);
  std::string resolv;
  const auto& dns = config.dns_config;
  if (dns.servers.empty() && dns.searches.empty() && dns.options.empty()) {
    resolv = ReadFile(options_.resolv_conf).value_or("");
  } else {
    auto join = [](const std::vector<std::string>& v) {
      std::string out;
      for (const auto& x : v) out += (out.empty() ? "" : " ") + x;
      return out;
    };
    if (!dns.searches.empty()) resolv += "search " + join(dns.searches) + "\n";
    for (const auto& ns : dns.servers) resolv += "nameserver " + ns + "\n";
    if (!dns.options.empty()) resolv += "options " + join(dns.options) + "\n";
  }
  for (auto [name, content] : {std::pair<const char*, std::string>{"hosts", hosts},
                               {"hostname", hostname + "\n"},
                               {"resolv.conf", resolv}}) {
    Status st = WriteFileAtomic(s->dir + "/" + name, content);
    if (!st.ok()) return rollback(st);
  }
  // Cgroup parent.
  if (config.linux.cgroup_parent.empty()) {
    s->cgroup_parent = options_.cgroup_parent + "/pod" + s->id.substr(0, 32);
    s->own_cgroup = true;
  } else {
    s->cgroup_parent = config.linux.cgroup_parent;
  }
  s->state = PodSandboxState::kReady;
  Status st = SaveSandbox(*s);
  if (!st.ok()) return rollback(st);
  std::lock_guard lock(mu_);
  sandboxes_[s->id] = s;
  return s->id;
}

Status OciRuntime::StopSandboxLocked(SandboxRec& s) {
  // Containers first (kill: grace 0, as CRI StopPodSandbox does after the kubelet stopped them).
  std::vector<std::shared_ptr<ContainerRec>> cs;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, c] : containers_)
      if (c->sandbox_id == s.id) cs.push_back(c);
  }
  for (auto& c : cs) {
    std::lock_guard op(c->op);
    RETURN_IF_ERROR(StopLocked(*c, 0));
  }
  if (s.network_up) {
    Status st = network_->TearDown({s.id, s.netns_path, s.config.metadata.name, s.config.metadata.namespace_,
                                    s.config.metadata.uid, s.config.port_mappings});
    if (!st.ok()) return st.WithPrefix("tearing down the pod network");
    std::lock_guard dl(s.data);
    s.network_up = false;
  }
  if (!s.netns_path.empty()) {
    RETURN_IF_ERROR(network::cni::DeleteNetns(s.netns_path));
  }
  if (s.pause_pid > 0 && ProcessAlive(s.pause_pid, s.pause_start)) {
    kill(s.pause_pid, SIGKILL);
    WaitFor([&] { return !ProcessAlive(s.pause_pid, s.pause_start); }, 5s);
  }
  {
    std::lock_guard dl(s.data);
    s.state = PodSandboxState::kNotReady;
  }
  return SaveSandbox(s);
}

Status OciRuntime::StopPodSandbox(const std::string& sandbox_id) {
  auto s = FindSandbox(sandbox_id);
  if (!s) return Status::NotFound("pod sandbox \"" + sandbox_id + "\" not found");
  std::lock_guard op(s->op);
  return StopSandboxLocked(*s);
}

Status OciRuntime::RemovePodSandbox(const std::string& sandbox_id) {
  auto s = FindSandbox(sandbox_id);
  if (!s) return Status::Ok();
  std::lock_guard op(s->op);
  RETURN_IF_ERROR(StopSandboxLocked(*s));
  std::vector<std::shared_ptr<ContainerRec>> cs;
  {
    std::lock_guard lock(mu_);
    for (const auto& [id, c] : containers_)
      if (c->sandbox_id == s->id) cs.push_back(c);
  }
  for (auto& c : cs) {
    std::lock_guard cop(c->op);
    RETURN_IF_ERROR(RemoveContainerLocked(*c));
  }
  if (!s->ipc_path.empty()) UnmountQuietly(s->ipc_path);
  if (!s->shm_path.empty()) UnmountQuietly(s->shm_path);
  if (s->own_cgroup) {
    Status st = RemoveCgroupTree(s->cgroup_parent);
    if (!st.ok()) LogWarning("oci runtime: removing cgroup {}: {}", s->cgroup_parent, st.ToString());
  }
  std::error_code ec;
  fs::remove_all(s->dir, ec);
  if (ec) return Status::Internal("remove " + s->dir + ": " + ec.message());
  std::lock_guard lock(mu_);
  sandboxes_.erase(s->id);
  return Status::Ok();
}

StatusOr<runtime::PodSandboxStatus> OciRuntime::PodSandboxStatus(const std::string& sandbox_id) {
  auto s = FindSandbox(sandbox_id);
  if (!s) return Status::NotFound("pod sandbox \"" + sandbox_id + "\" not found");
  std::lock_guard dl(s->data);
  runtime::PodSandboxStatus st;
  st.id = s->id;
  st.metadata = s->config.metadata;
  st.state = s->state;
  st.created_at = s->created_at;
  if (s->state == PodSandboxState::kReady && !s->ips.empty()) {
    st.network.ip = s->ips[0];
    st.network.additional_ips.assign(s->ips.begin() + 1, s->ips.end());
  }
  st.namespace_options = s->config.linux.security_context.namespace_options;
  st.netns_path = s->state == PodSandboxState::kReady ? s->netns_path : "";
  st.labels = s->config.labels;
  st.annotations = s->config.annotations;
  return st;
}

StatusOr<std::vector<PodSandbox>> OciRuntime::ListPodSandbox(const PodSandboxFilter& filter) {
  std::vector<std::shared_ptr<SandboxRec>> all;
  if (!filter.id.empty()) {
    if (auto s = FindSandbox(filter.id)) all.push_back(s);
  } else {
    std::lock_guard lock(mu_);
    for (const auto& [id, s] : sandboxes_) all.push_back(s);
  }
  std::vector<PodSandbox> out;
  for (auto& s : all) {
    std::lock_guard dl(s->data);
    if (filter.state && s->state != *filter.state) continue;
    if (!MatchLabels(filter.label_selector, s->config.labels)) continue;
    PodSandbox p;
    p.id = s->id;
    p.metadata = s->config.metadata;
    p.state = s->state;
    p.created_at = s->created_at;
    p.labels = s->config.labels;
    p.annotations = s->config.annotations;
    out.push_back(std::move(p));
  }
  return out;
}

// --- containers --------------------------------------------------------------------------

StatusOr<std::string> OciRuntime::CreateContainer(const std::string& sandbox_id,
                                                  const ContainerConfig& config,
                                                  const PodSandboxConfig& sandbox_config) {
  auto s = FindSandbox(sandbox_id);
  if (!s) return Status::NotFound("pod sandbox \"" + sandbox_id + "\" not found");
  std::lock_guard sop(s->op);
  if (s->state != PodSandboxState::kReady)
    return Status::Conflict("pod sandbox \"" + s->id + "\" is not ready");
  if (config.metadata.name.empty()) return Status::Invalid("metadata.name: Required value");
  {
    std::lock_guard lock(mu_);
    for (const auto& [cid, c] : containers_) {
      if (c->sandbox_id == s->id && c->config.metadata.name == config.metadata.name &&
          c->config.metadata.attempt == config.metadata.attempt)
        return Status::Conflict("container name \"" + config.metadata.name + "\" attempt " +
                                std::to_string(config.metadata.attempt) + " is already in use by " + cid);
    }
  }
  auto img = options_.images->Get(config.image);
  if (!img.ok()) {
    if (img.status().code() == StatusCode::kNotFound || img.status().code() == StatusCode::kInvalid)
      return Status::NotFound("image \"" + config.image + "\" not found");
    return img.status();
  }
  ImageSpecConfig icfg;
  icfg.entrypoint = img->config.entrypoint;
  icfg.cmd = img->config.cmd;
  icfg.env = img->config.env;
  icfg.working_dir = img->config.working_dir;
  icfg.user = img->config.user;
  icfg.stop_signal = img->config.stop_signal;
  RETURN_IF_ERROR(ResolveArgs(config, icfg).status());
  if (img->layer_dirs.empty()) return Status::Invalid("image \"" + config.image + "\" has no layers");

  auto c = std::make_shared<ContainerRec>();
  c->id = RandomId();
  c->sandbox_id = s->id;
  c->dir = options_.root + "/containers/" + c->id;
  c->config = config;
  c->image_ref = img->id;
  c->created_at = NowNanos();
  c->cgroup_path = s->cgroup_parent + "/" + c->id;
  c->shared_pid = s->pause_pid > 0;
  auto sig = ParseSignal(icfg.stop_signal);
  c->stop_signal = sig.ok() ? *sig : SIGTERM;
  const std::string& log_dir =
      !sandbox_config.log_directory.empty() ? sandbox_config.log_directory : s->config.log_directory;
  if (!config.log_path.empty() && !log_dir.empty()) c->log_path = log_dir + "/" + config.log_path;

  std::error_code ec;
  const std::string rootfs = c->dir + "/rootfs";
  bool mounted = false;
  auto cleanup = [&](Status st) -> Status {
    (void)RunCommand(Runc({"delete", "--force", c->id}), {.timeout = 30s});
    if (mounted) UnmountQuietly(rootfs);
    fs::remove_all(c->dir, ec);
    return st;
  };
  for (const char* d : {"rootfs", "upper", "work"}) {
    fs::create_directories(c->dir + "/" + d, ec);
    if (ec) return cleanup(Status::Internal("create " + c->dir + "/" + d + ": " + ec.message()));
  }
  // overlayfs: lowerdirs top first.
  std::string lower;
  for (auto it = img->layer_dirs.rbegin(); it != img->layer_dirs.rend(); ++it)
    lower += (lower.empty() ? "" : ":") + *it;
  std::string opts = "lowerdir=" + lower + ",upperdir=" + c->dir + "/upper,workdir=" + c->dir + "/work";
  if (opts.size() >= 4000)
    return cleanup(Status::Invalid("image has too many layers for one overlay mount (" +
                                   std::to_string(opts.size()) + " bytes of options)"));
  if (mount("overlay", rootfs.c_str(), "overlay", 0, opts.c_str()) != 0)
    return cleanup(Status::Internal("mount overlay on " + rootfs + ": " + strerror(errno)));
  mounted = true;
  // Host paths of bind mounts are created when missing (as containerd does).
  for (const auto& m : config.mounts) {
    if (!m.host_path.empty() && m.host_path[0] == '/' && !fs::exists(m.host_path, ec))
      fs::create_directories(m.host_path, ec);
  }

  SpecInput in;
  in.container = &config;
  in.sandbox = &s->config;
  in.image = icfg;
  in.rootfs = rootfs;
  in.netns_path = s->netns_path;
  in.ipc_ns_path = s->ipc_path;
  if (s->pause_pid > 0) in.pid_ns_path = "/proc/" + std::to_string(s->pause_pid) + "/ns/pid";
  in.hosts_path = s->dir + "/hosts";
  in.hostname_path = s->netns_path.empty() ? "" : s->dir + "/hostname";
  in.resolv_path = s->dir + "/resolv.conf";
  in.shm_path = s->shm_path;
  in.cgroups_path = c->cgroup_path;
  auto spec = BuildSpec(in);
  if (!spec.ok()) return cleanup(spec.status());
  Status st = WriteFileAtomic(c->dir + "/config.json", *spec);
  if (!st.ok()) return cleanup(st);
  if (!c->log_path.empty()) {
    fs::create_directories(fs::path(c->log_path).parent_path(), ec);
    if (ec) return cleanup(Status::Internal("create log directory for " + c->log_path + ": " + ec.message()));
  }

  // No process yet: as in containerd, the runc container (the shim and `runc create`) is
  // made by StartContainer, so that a command that cannot run is a start error.
  st = SaveContainer(*c);
  if (!st.ok()) return cleanup(st);
  std::lock_guard lock(mu_);
  containers_[c->id] = c;
  return c->id;
}

Status OciRuntime::RunShim(ContainerRec& rec) {
  ContainerRec* c = &rec;
  const ContainerConfig& config = rec.config;
  // The shim: `runc create`, then it holds the container. It double-forks; the ready pipe
  // tells us how creation went.
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) return Status::Internal(std::string("pipe: ") + strerror(errno));
  int shim_log = open((c->dir + "/shim.log").c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  std::vector<std::string> argv = {shim_,
                                   "run",
                                   "--id",
                                   c->id,
                                   "--bundle",
                                   c->dir,
                                   "--runc",
                                   runc_,
                                   "--runc-root",
                                   options_.runc_root,
                                   "--cgroup",
                                   c->cgroup_path,
                                   "--ready-fd",
                                   "3",
                                   "--log-max-size",
                                   std::to_string(options_.log_max_size),
                                   "--log-max-files",
                                   std::to_string(options_.log_max_files)};
  if (!c->log_path.empty()) argv.insert(argv.end(), {"--log-path", c->log_path});
  if (config.stdin) argv.push_back("--stdin");
  if (config.stdin_once) argv.push_back("--stdin-once");
  if (config.tty) argv.push_back("--tty");
  auto pid = SpawnProcess(argv, -1, -1, shim_log, {ready[1]}, true);
  close(ready[1]);
  if (shim_log >= 0) close(shim_log);
  if (!pid.ok()) {
    close(ready[0]);
    return pid.status();
  }
  waitpid(*pid, nullptr, 0);  // the first fork of the shim exits at once
  std::string msg;
  {
    char buf[1024];
    auto deadline = std::chrono::steady_clock::now() + 60s;
    while (true) {
      pollfd p{ready[0], POLLIN, 0};
      auto left =
          std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      int r = poll(&p, 1, static_cast<int>(left.count()));
      if (r < 0 && errno == EINTR) continue;
      if (r <= 0) break;
      ssize_t n = read(ready[0], buf, sizeof buf);
      if (n <= 0) break;
      msg.append(buf, static_cast<size_t>(n));
    }
    close(ready[0]);
  }
  msg = std::string(TrimSpace(msg));
  if (msg.rfind("ok ", 0) != 0) {
    if (msg.rfind("error ", 0) == 0) msg = msg.substr(6);
    if (msg.empty()) msg = "the shim exited without reporting (see " + c->dir + "/shim.log)";
    return Status::Internal(msg);
  }
  return Status::Ok();
}

runtime::ContainerStatus OciRuntime::Observe(ContainerRec& c) {
  std::lock_guard dl(c.data);
  runtime::ContainerStatus st;
  st.id = c.id;
  st.pod_sandbox_id = c.sandbox_id;
  st.metadata = c.config.metadata;
  st.created_at = c.created_at;
  st.started_at = c.started_at;
  st.image = c.config.image;
  st.image_ref = c.image_ref;
  st.labels = c.config.labels;
  st.annotations = c.config.annotations;
  st.mounts = c.config.mounts;
  st.log_path = c.log_path;
  if (!c.exit && c.started_at > 0) {
    c.exit = ReadExit(c.dir);
    if (!c.exit && !ShimAlive(c.dir)) c.exit = ReadExit(c.dir);  // it may have just finished
  }
  if (c.start_failed) {
    // The process could not be started (e.g. the executable is missing): containerd's
    // "StartError" with exit code 128; a process we then killed does not count.
    st.state = ContainerState::kExited;
    st.exit_code = 128;
    st.reason = "StartError";
    st.message = c.start_error;
    st.started_at = 0;
    st.finished_at = c.failed_at;
  } else if (c.exit) {
    st.state = ContainerState::kExited;
    st.exit_code = c.exit->exit_code;
    st.finished_at = c.exit->finished_at;
    st.reason = c.exit->oom_killed ? "OOMKilled" : c.exit->exit_code == 0 ? "Completed" : "Error";
  } else if (c.started_at == 0) {
    st.state = ContainerState::kCreated;
  } else if (ShimAlive(c.dir)) {
    st.state = ContainerState::kRunning;
  } else {
    st.state = ContainerState::kExited;
    st.exit_code = 255;
    st.reason = "Unknown";
    st.message = "the container's shim is gone; its exit status is unknown";
    std::string shim_log(TrimSpace(ReadFile(c.dir + "/shim.log").value_or("")));
    if (!shim_log.empty()) st.message += " (shim: " + shim_log.substr(shim_log.rfind('\n') + 1) + ")";
  }
  if (st.state == ContainerState::kExited && st.finished_at == 0)
    st.finished_at = std::max(c.started_at, c.created_at);
  return st;
}

Status OciRuntime::StartContainer(const std::string& container_id) {
  auto c = FindContainer(container_id);
  if (!c) return Status::NotFound("container \"" + container_id + "\" not found");
  std::lock_guard op(c->op);
  auto st = Observe(*c);
  if (st.state != ContainerState::kCreated)
    return Status::Conflict("container \"" + c->id + "\" is in state " + ToString(st.state) +
                            ", not CONTAINER_CREATED");
  // The process starts during `runc start`: stamp before, so started_at <= finished_at.
  const int64_t started = NowNanos();
  auto fail = [&](const std::string& msg) {
    {
      std::lock_guard dl(c->data);
      c->start_failed = true;
      c->start_error = msg;
      c->failed_at = NowNanos();
    }
    (void)SaveContainer(*c);
    // Kill whatever runc created; the shim then records an exit and goes.
    (void)RunCommand(Runc({"delete", "--force", c->id}), {.timeout = 30s});
    return Status::Internal("starting container: " + msg);
  };
  Status shim = RunShim(*c);
  if (!shim.ok()) return fail(shim.message());
  auto r = RunCommand(Runc({"start", c->id}), {.timeout = 60s});
  if (!r.ok() || r->exit_code != 0)
    return fail(r.ok() ? CommandError("runc start", *r) : r.status().message());
  {
    std::lock_guard dl(c->data);
    c->started_at = started;
  }
  return SaveContainer(*c);
}

Status OciRuntime::StopLocked(ContainerRec& c, int64_t timeout_seconds) {
  auto st = Observe(c);
  // A created container has no process yet: nothing to stop (it stays CREATED, as in
  // containerd).
  if (st.state == ContainerState::kExited || st.state == ContainerState::kCreated) return Status::Ok();
  auto exited = [&] { return Observe(c).state == ContainerState::kExited; };
  auto send = [&](int sig) {
    std::vector<std::string> argv = Runc({"kill"});
    if (sig == SIGKILL && c.shared_pid) argv.push_back("--all");
    argv.push_back(c.id);
    argv.push_back(std::to_string(sig));
    auto r = RunCommand(argv, {.timeout = 10s});
    if (r.ok() && r->exit_code != 0) LogDebug("runc kill {} {}: {}", c.id, sig, r->err);
  };
  if (timeout_seconds > 0 && st.state == ContainerState::kRunning) {
    send(c.stop_signal);
    if (WaitFor(exited, std::chrono::seconds(timeout_seconds))) return Status::Ok();
  }
  send(SIGKILL);
  if (WaitFor(exited, 10s)) return Status::Ok();
  return Status::Internal("container \"" + c.id + "\" did not exit after SIGKILL");
}

Status OciRuntime::StopContainer(const std::string& container_id, int64_t timeout_seconds) {
  auto c = FindContainer(container_id);
  if (!c) return Status::NotFound("container \"" + container_id + "\" not found");
  std::lock_guard op(c->op);
  return StopLocked(*c, timeout_seconds);
}

Status OciRuntime::RemoveContainerLocked(ContainerRec& c) {
  RETURN_IF_ERROR(StopLocked(c, 0));
  auto r = RunCommand(Runc({"delete", "--force", c.id}), {.timeout = 30s});
  if (r.ok() && r->exit_code != 0 && r->err.find("does not exist") == std::string::npos &&
      r->err.find("not exist") == std::string::npos)
    LogWarning("runc delete {}: {}", c.id, r->err);
  // The shim exits right after writing the exit file; wait for it so nothing is left.
  WaitFor([&] { return !ShimAlive(c.dir); }, 5s);
  UnmountQuietly(c.dir + "/rootfs");
  // runc removes the container's cgroup; make sure (it may have been left by a crash).
  if (CgroupExists(c.cgroup_path)) (void)RemoveCgroupTree(c.cgroup_path);
  std::error_code ec;
  fs::remove_all(c.dir, ec);
  if (ec) return Status::Internal("remove " + c.dir + ": " + ec.message());
  std::lock_guard lock(mu_);
  containers_.erase(c.id);
  return Status::Ok();
}

Status OciRuntime::RemoveContainer(const std::string& container_id) {
  auto c = FindContainer(container_id);
  if (!c) return Status::Ok();
  std::lock_guard op(c->op);
  return RemoveContainerLocked(*c);
}

StatusOr<std::vector<Container>> OciRuntime::ListContainers(const ContainerFilter& filter) {
  std::vector<std::shared_ptr<ContainerRec>> all;
  std::string sandbox;
  if (!filter.pod_sandbox_id.empty()) {
    auto s = FindSandbox(filter.pod_sandbox_id);
    if (!s) return std::vector<Container>{};
    sandbox = s->id;
  }
  if (!filter.id.empty()) {
    if (auto c = FindContainer(filter.id)) all.push_back(c);
  } else {
    std::lock_guard lock(mu_);
    for (const auto& [id, c] : containers_) all.push_back(c);
  }
  std::vector<Container> out;
  for (auto& c : all) {
    if (!sandbox.empty() && c->sandbox_id != sandbox) continue;
    if (!MatchLabels(filter.label_selector, c->config.labels)) continue;
    auto st = Observe(*c);
    if (filter.state && st.state != *filter.state) continue;
    Container x;
    x.id = c->id;
    x.pod_sandbox_id = c->sandbox_id;
    x.metadata = st.metadata;
    x.image = st.image;
    x.image_ref = st.image_ref;
    x.state = st.state;
    x.created_at = st.created_at;
    x.labels = st.labels;
    x.annotations = st.annotations;
    out.push_back(std::move(x));
  }
  return out;
}

StatusOr<runtime::ContainerStatus> OciRuntime::ContainerStatus(const std::string& container_id) {
  auto c = FindContainer(container_id);
  if (!c) return Status::NotFound("container \"" + container_id + "\" not found");
  return Observe(*c);
}

StatusOr<runtime::ContainerStats> OciRuntime::ContainerStats(const std::string& container_id) {
  auto c = FindContainer(container_id);
  if (!c) return Status::NotFound("container \"" + container_id + "\" not found");
  if (Observe(*c).state != ContainerState::kRunning)
    return Status::Conflict("container \"" + c->id + "\" is not running");
  runtime::ContainerStats s;
  s.container_id = c->id;
  s.timestamp = NowNanos();
  auto u = ReadCgroupUsage(c->cgroup_path);
  if (u.ok()) {
    s.cpu_usage_core_nano_seconds = u->cpu_ns;
    s.memory_usage_bytes = u->memory_usage;
    s.memory_working_set_bytes = u->memory_working_set;
  }
  s.writable_layer_used_bytes = DirBytes(c->dir + "/upper");
  return s;
}

// --- exec / attach / port-forward --------------------------------------------------------

StatusOr<ExecSyncResult> OciRuntime::ExecSync(const std::string& container_id,
                                              const std::vector<std::string>& cmd, int64_t timeout_seconds) {
  auto c = FindContainer(container_id);
  if (!c) return Status::NotFound("container \"" + container_id + "\" not found");
  if (cmd.empty()) return Status::Invalid("cmd: Required value");
  if (Observe(*c).state != ContainerState::kRunning)
    return Status::Conflict("container \"" + c->id + "\" is not running");
  std::string pidfile = c->dir + "/exec-" + RandomId().substr(0, 12) + ".pid";
  std::vector<std::string> argv = Runc({"exec", "--pid-file", pidfile, c->id});
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  CommandOptions o;
  if (timeout_seconds > 0) o.timeout = std::chrono::seconds(timeout_seconds);
  o.max_output = 16u << 20;  // per stream, as containerd caps exec-sync output
  auto r = RunCommand(argv, o);
  if (!r.ok() && r.status().code() == StatusCode::kTimeout) {
    int pid = atoi(ReadFile(pidfile).value_or("0").c_str());
    if (pid > 0) kill(pid, SIGKILL);
    unlink(pidfile.c_str());
    return Status::Timeout("command timed out after " + std::to_string(timeout_seconds) + "s");
  }
  unlink(pidfile.c_str());
  if (!r.ok()) return r.status();
  return ExecSyncResult{r->out, r->err, r->exit_code};
}

namespace {

// An exec: a `runc exec` child of this process. Without a tty the caller's fds are its stdio;
// with one, a thread copies between the caller's fds and the pty master runc sent us.
class ExecSession final : public StreamSession {
 public:
  ExecSession(pid_t pid, std::string pidfile, int master = -1, StreamFds fds = {})
      : pid_(pid), pidfile_(std::move(pidfile)), master_(master) {
    pidfd_ = static_cast<int>(syscall(SYS_pidfd_open, pid_, 0));
    if (master_ >= 0) {
      in_ = fds.stdin_fd >= 0 ? fcntl(fds.stdin_fd, F_DUPFD_CLOEXEC, 3) : -1;
      out_ = fds.stdout_fd >= 0 ? fcntl(fds.stdout_fd, F_DUPFD_CLOEXEC, 3) : -1;
      if (pipe2(wake_, O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
      pump_ = std::thread([this] { Pump(); });
    }
  }
  ~ExecSession() override {
    StopPump();
    if (!reaped_) {
      // Detach: reap it in the background so no zombie is left.
      pid_t pid = pid_;
      std::string pidfile = pidfile_;
      std::thread([pid, pidfile] {
        waitpid(pid, nullptr, 0);
        unlink(pidfile.c_str());
      }).detach();
    }
    for (int fd : {pidfd_, master_, in_, out_, wake_[0], wake_[1]})
      if (fd >= 0) close(fd);
  }
  Status Resize(uint16_t w, uint16_t h) override {
    if (master_ < 0) return Status::Invalid("not a tty session");
    winsize ws{};
    ws.ws_col = w;
    ws.ws_row = h;
    if (ioctl(master_, TIOCSWINSZ, &ws) != 0)
      return Status::Internal(std::string("TIOCSWINSZ: ") + strerror(errno));
    return Status::Ok();
  }
  StatusOr<int32_t> Wait(int64_t timeout_ms) override {
    if (reaped_) return code_;
    if (pidfd_ >= 0) {
      pollfd p{pidfd_, POLLIN, 0};
      int r;
      while ((r = poll(&p, 1, timeout_ms < 0 ? -1 : static_cast<int>(timeout_ms))) < 0 && errno == EINTR) {
      }
      if (r == 0) return Status::Timeout("exec still running");
    }
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    reaped_ = true;
    unlink(pidfile_.c_str());
    code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    // Let the pump drain what the process wrote, then stop it (a leftover background
    // process could keep the pty open forever).
    if (pump_.joinable()) {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, 2s, [&] { return pump_done_; });
    }
    StopPump();
    return code_;
  }
  void Cancel() override {
    if (reaped_) return;
    std::ifstream in(pidfile_);
    int pid = 0;
    in >> pid;
    if (pid > 0) kill(pid, SIGKILL);
    kill(pid_, SIGKILL);
  }

 private:
  void StopPump() {
    if (!pump_.joinable()) return;
    if (wake_[1] >= 0) {
      ssize_t n = write(wake_[1], "x", 1);
      (void)n;
    }
    pump_.join();
  }
  void Pump() {
    bool in_open = in_ >= 0;
    char b[32768];
    while (true) {
      pollfd p[3] = {{master_, POLLIN, 0}, {wake_[0], POLLIN, 0}, {in_open ? in_ : -1, POLLIN, 0}};
      int r = poll(p, 3, -1);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 || p[1].revents) break;
      if (p[2].revents) {
        ssize_t n = read(in_, b, sizeof b);
        if (n > 0) {
          ssize_t w = write(master_, b, static_cast<size_t>(n));
          (void)w;
        } else {
          in_open = false;
          ssize_t w = write(master_, "\x04", 1);  // EOF on a tty: ^D
          (void)w;
        }
      }
      if (p[0].revents) {
        ssize_t n = read(master_, b, sizeof b);
        if (n <= 0) break;  // EIO: the process side is closed
        size_t off = 0;
        while (out_ >= 0 && off < static_cast<size_t>(n)) {
          ssize_t w = write(out_, b + off, static_cast<size_t>(n) - off);
          if (w <= 0) break;
          off += static_cast<size_t>(w);
        }
      }
    }
    if (out_ >= 0) close(out_), out_ = -1;  // the caller's reader sees EOF
    std::lock_guard lock(mu_);
    pump_done_ = true;
    cv_.notify_all();
  }

  pid_t pid_;
  std::string pidfile_;
  int master_ = -1, in_ = -1, out_ = -1;
  int wake_[2] = {-1, -1};
  int pidfd_ = -1;
  bool reaped_ = false;
  int32_t code_ = 0;
  std::thread pump_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool pump_done_ = false;
};

// An attach: a client of the shim's attach socket, pumped by a thread.
class AttachSession final : public StreamSession {
 public:
  AttachSession(int sock, StreamFds fds, bool tty, std::string exit_dir)
      : sock_(sock), tty_(tty), exit_dir_(std::move(exit_dir)) {
    in_ = fds.stdin_fd >= 0 ? fcntl(fds.stdin_fd, F_DUPFD_CLOEXEC, 3) : -1;
    out_ = fds.stdout_fd >= 0 ? fcntl(fds.stdout_fd, F_DUPFD_CLOEXEC, 3) : -1;
    err_ = fds.stderr_fd >= 0 ? fcntl(fds.stderr_fd, F_DUPFD_CLOEXEC, 3) : -1;
    if (pipe2(wake_, O_CLOEXEC) != 0) wake_[0] = wake_[1] = -1;
    thread_ = std::thread([this] { Pump(); });
  }
  ~AttachSession() override {
    Cancel();
    if (thread_.joinable()) thread_.join();
    for (int fd : {sock_, in_, out_, err_, wake_[0], wake_[1]})
      if (fd >= 0) close(fd);
  }
  Status Resize(uint16_t w, uint16_t h) override {
    if (!tty_) return Status::Invalid("not a tty session");
    std::string p = {static_cast<char>(w >> 8), static_cast<char>(w), static_cast<char>(h >> 8),
                     static_cast<char>(h)};
    std::lock_guard lock(write_mu_);
    std::string f = shim::Frame(shim::kResize, p);
    if (send(sock_, f.data(), f.size(), MSG_NOSIGNAL) < 0) return Status::Unavailable("attach socket closed");
    return Status::Ok();
  }
  StatusOr<int32_t> Wait(int64_t timeout_ms) override {
    std::unique_lock lock(mu_);
    auto done = [&] { return done_; };
    if (timeout_ms < 0)
      cv_.wait(lock, done);
    else if (!cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), done))
      return Status::Timeout("attach still open");
    return code_;
  }
  void Cancel() override {
    if (wake_[1] >= 0) {
      ssize_t n = write(wake_[1], "x", 1);
      (void)n;
    }
  }

 private:
  void Pump() {
    std::string buf;
    bool in_open = in_ >= 0;
    while (true) {
      pollfd p[3] = {{sock_, POLLIN, 0}, {wake_[0], POLLIN, 0}, {in_open ? in_ : -1, POLLIN, 0}};
      int r = poll(p, 3, -1);
      if (r < 0 && errno == EINTR) continue;
      if (r < 0 || p[1].revents) break;
      if (p[2].revents) {
        char b[16384];
        ssize_t n = read(in_, b, sizeof b);
        std::lock_guard lock(write_mu_);
        std::string f = n > 0 ? shim::Frame(shim::kStdin, std::string_view(b, static_cast<size_t>(n)))
                              : shim::Frame(shim::kStdinClose, "");
        if (n <= 0) in_open = false;
        if (send(sock_, f.data(), f.size(), MSG_NOSIGNAL) < 0) break;
      }
      if (p[0].revents) {
        char b[32768];
        ssize_t n = read(sock_, b, sizeof b);
        if (n <= 0) break;
        buf.append(b, static_cast<size_t>(n));
        shim::FrameType t;
        std::string payload;
        while (shim::PopFrame(buf, &t, &payload)) {
          int fd = t == shim::kStdout ? out_ : t == shim::kStderr ? (tty_ ? out_ : err_) : -1;
          if (t == shim::kExit && payload.size() == 4) {
            uint32_t v = 0;
            for (char ch : payload) v = (v << 8) | static_cast<uint8_t>(ch);
            std::lock_guard lock(mu_);
            code_ = static_cast<int32_t>(v);
          }
          size_t off = 0;
          while (fd >= 0 && off < payload.size()) {
            ssize_t w = write(fd, payload.data() + off, payload.size() - off);
            if (w <= 0) break;
            off += static_cast<size_t>(w);
          }
        }
      }
    }
    // Close our copies so the caller's readers see EOF.
    for (int* fd : {&out_, &err_}) {
      if (*fd >= 0) close(*fd), *fd = -1;
    }
    std::lock_guard lock(mu_);
    done_ = true;
    cv_.notify_all();
  }

  int sock_;
  bool tty_;
  std::string exit_dir_;
  int in_ = -1, out_ = -1, err_ = -1;
  int wake_[2] = {-1, -1};
  std::mutex write_mu_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  int32_t code_ = 0;
  std::thread thread_;
};

}  // namespace

StatusOr<StreamSessionPtr> OciRuntime::Exec(const std::string& container_id, const ExecRequest& request) {
  auto c = FindContainer(container_id);
  if (!c) return Status::NotFound("container \"" + container_id + "\" not found");
  if (request.cmd.empty()) return Status::Invalid("cmd: Required value");
  if (request.tty && request.fds.stderr_fd >= 0) return Status::Invalid("tty and stderr cannot both be true");
  if (Observe(*c).state != ContainerState::kRunning)
    return Status::Conflict("container \"" + c->id + "\" is not running");
  std::string tag = RandomId().substr(0, 12);
  std::string pidfile = c->dir + "/exec-" + tag + ".pid";
  if (!request.tty) {
    std::vector<std::string> argv = Runc({"exec", "--pid-file", pidfile, c->id});
    argv.insert(argv.end(), request.cmd.begin(), request.cmd.end());
    ASSIGN_OR_RETURN(pid_t pid,
                     SpawnProcess(argv, request.fds.stdin_fd, request.fds.stdout_fd, request.fds.stderr_fd));
    return StreamSessionPtr(new ExecSession(pid, pidfile));
  }
  // tty: runc sends the pty master over a console socket.
  std::string sock_path = options_.root + "/exec/" + tag + ".sock";
  sockaddr_un addr{};
  if (sock_path.size() >= sizeof addr.sun_path)
    return Status::Internal("console socket path too long: " + sock_path + " (use a shorter runtime root)");
  std::error_code ec;
  fs::create_directories(options_.root + "/exec", ec);
  int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, sock_path.c_str(), sock_path.size() + 1);
  if (lfd < 0 || bind(lfd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(lfd, 1) != 0) {
    int err = errno;
    if (lfd >= 0) close(lfd);
    return Status::Internal("console socket " + sock_path + ": " + strerror(err));
  }
  // runc hands out the pty only when it detaches; the shim's exec-tty mode waits for the
  // detached process (as its subreaper) and exits with its status.
  std::vector<std::string> argv = {shim_, "exec-tty", pidfile, "--"};
  for (auto& a :
       Runc({"exec", "--tty", "--detach", "--console-socket", sock_path, "--pid-file", pidfile, c->id}))
    argv.push_back(a);
  argv.insert(argv.end(), request.cmd.begin(), request.cmd.end());
  std::string errlog = c->dir + "/exec-" + tag + ".log";
  int errfd = open(errlog.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  auto pid = SpawnProcess(argv, -1, -1, errfd);
  if (errfd >= 0) close(errfd);
  if (!pid.ok()) {
    unlink(errlog.c_str());
    close(lfd);
    unlink(sock_path.c_str());
    return pid.status();
  }
  int master = -1;
  // Wait for runc to connect, or to fail.
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, *pid, 0));
  pollfd p[2] = {{lfd, POLLIN, 0}, {pidfd, POLLIN, 0}};
  if (poll(p, pidfd >= 0 ? 2 : 1, 30000) > 0 && (p[0].revents & POLLIN)) {
    int conn = accept4(lfd, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn >= 0) {
      master = shim::RecvFd(conn);
      close(conn);
    }
  }
  if (pidfd >= 0) close(pidfd);
  close(lfd);
  unlink(sock_path.c_str());
  if (master < 0) {
    kill(*pid, SIGKILL);
    waitpid(*pid, nullptr, 0);
    unlink(pidfile.c_str());
    std::string err(TrimSpace(ReadFile(errlog).value_or("")));
    unlink(errlog.c_str());
    return Status::Internal("runc exec --tty: " + (err.empty() ? std::string("sent no console") : err));
  }
  unlink(errlog.c_str());
  return StreamSessionPtr(new ExecSession(*pid, pidfile, master, request.fds));
}

StatusOr<StreamSessionPtr> OciRuntime::Attach(const std::string& container_id, const StreamFds& fds) {
  auto c = FindContainer(container_id);
  if (!c) return Status::NotFound("container \"" + container_id + "\" not found");
  if (Observe(*c).state != ContainerState::kRunning)
    return Status::Conflict("container \"" + c->id + "\" is not running");
  if (fds.stdin_fd >= 0 && !c->config.stdin)
    return Status::Invalid("container \"" + c->id + "\" was not created with stdin");
  // Through /proc/self/fd so that a long state path still fits in sun_path.
  int dirfd = open(c->dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (dirfd < 0) return Status::Internal("open " + c->dir + ": " + strerror(errno));
  std::string path = "/proc/self/fd/" + std::to_string(dirfd) + "/" + shim::kAttachSocket;
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int r = connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  int err = errno;
  close(dirfd);
  if (r != 0) {
    close(sock);
    return Status::Unavailable("attach to container \"" + c->id + "\": " + strerror(err));
  }
  return StreamSessionPtr(new AttachSession(sock, fds, c->config.tty, c->dir));
}

StatusOr<int> OciRuntime::PortForward(const std::string& sandbox_id, int32_t port) {
  auto s = FindSandbox(sandbox_id);
  if (!s) return Status::NotFound("pod sandbox \"" + sandbox_id + "\" not found");
  if (port <= 0 || port > 65535) return Status::Invalid("port " + std::to_string(port) + " out of range");
  std::string netns;
  {
    std::lock_guard dl(s->data);
    if (s->state != PodSandboxState::kReady)
      return Status::Conflict("pod sandbox \"" + s->id + "\" is not ready");
    netns = s->netns_path;
  }
  int fd = -1, err = 0;
  auto connect_fn = [&] {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
      err = errno;
      return;
    }
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      err = errno;
      close(fd);
      fd = -1;
    }
  };
  if (netns.empty())
    connect_fn();
  else
    RETURN_IF_ERROR(network::cni::RunInNetns(netns, connect_fn));
  if (fd < 0)
    return Status::Unavailable("port-forward to 127.0.0.1:" + std::to_string(port) + " in sandbox " + s->id +
                               ": " + strerror(err));
  return fd;
}

// --- images ------------------------------------------------------------------------------

namespace {

runtime::Image ToCri(const image::Image& i) {
  runtime::Image r;
  r.id = i.id;
  r.repo_tags = i.repo_tags;
  r.repo_digests = i.repo_digests;
  r.size = i.size;
  std::string user = i.config.user.substr(0, i.config.user.find(':'));
  if (!user.empty()) {
    bool numeric = std::all_of(user.begin(), user.end(), [](char ch) { return ch >= '0' && ch <= '9'; });
    if (numeric && user.size() < 11)
      r.uid = std::stoll(user);
    else
      r.username = user;
  }
  return r;
}

}  // namespace

StatusOr<std::string> OciRuntime::PullImage(const std::string& ref, const AuthConfig& auth) {
  image::PullOptions po;
  po.username = auth.username;
  po.password = auth.password;
  if (po.username.empty() && !auth.auth.empty()) {
    auto decoded = Base64Decode(auth.auth);  // "user:password"
    if (!decoded || decoded->find(':') == std::string::npos)
      return Status::Invalid("auth: not base64 \"user:password\"");
    po.username = decoded->substr(0, decoded->find(':'));
    po.password = decoded->substr(decoded->find(':') + 1);
  }
  ASSIGN_OR_RETURN(auto img, options_.images->Pull(ref, po));
  return img.id;
}

StatusOr<std::vector<Image>> OciRuntime::ListImages(const std::string& ref) {
  std::vector<Image> out;
  if (!ref.empty()) {
    auto img = options_.images->Get(ref);
    if (img.ok()) out.push_back(ToCri(*img));
    return out;
  }
  for (const auto& i : options_.images->List()) out.push_back(ToCri(i));
  return out;
}

StatusOr<runtime::Image> OciRuntime::ImageStatus(const std::string& ref) {
  auto img = options_.images->Get(ref);
  if (!img.ok()) {
    if (img.status().code() == StatusCode::kInvalid)
      return Status::NotFound("image \"" + ref + "\" not found");
    return img.status();
  }
  return ToCri(*img);
}

Status OciRuntime::RemoveImage(const std::string& ref) {
  Status st = options_.images->Remove(ref);
  if (st.code() == StatusCode::kNotFound) return Status::Ok();
  return st;
}

StatusOr<std::vector<FilesystemUsage>> OciRuntime::ImageFsInfo() {
  ASSIGN_OR_RETURN(auto fi, options_.images->GetFsInfo());
  FilesystemUsage u;
  u.timestamp = NowNanos();
  u.mountpoint = fi.mountpoint;
  u.used_bytes = fi.used_bytes;
  u.inodes_used = fi.inodes_used;
  return std::vector<FilesystemUsage>{u};
}

}  // namespace kubepp::runtime::oci
