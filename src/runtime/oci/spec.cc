#include "runtime/oci/spec.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/strings.h"
#include "runtime/oci/cgroups.h"

namespace kubepp::runtime::oci {
namespace {

using nlohmann::json;

const std::vector<std::string>& AllCaps() {
  static const std::vector<std::string> kAll = {"CAP_CHOWN",
                                                "CAP_DAC_OVERRIDE",
                                                "CAP_DAC_READ_SEARCH",
                                                "CAP_FOWNER",
                                                "CAP_FSETID",
                                                "CAP_KILL",
                                                "CAP_SETGID",
                                                "CAP_SETUID",
                                                "CAP_SETPCAP",
                                                "CAP_LINUX_IMMUTABLE",
                                                "CAP_NET_BIND_SERVICE",
                                                "CAP_NET_BROADCAST",
                                                "CAP_NET_ADMIN",
                                                "CAP_NET_RAW",
                                                "CAP_IPC_LOCK",
                                                "CAP_IPC_OWNER",
                                                "CAP_SYS_MODULE",
                                                "CAP_SYS_RAWIO",
                                                "CAP_SYS_CHROOT",
                                                "CAP_SYS_PTRACE",
                                                "CAP_SYS_PACCT",
                                                "CAP_SYS_ADMIN",
                                                "CAP_SYS_BOOT",
                                                "CAP_SYS_NICE",
                                                "CAP_SYS_RESOURCE",
                                                "CAP_SYS_TIME",
                                                "CAP_SYS_TTY_CONFIG",
                                                "CAP_MKNOD",
                                                "CAP_LEASE",
                                                "CAP_AUDIT_WRITE",
                                                "CAP_AUDIT_CONTROL",
                                                "CAP_SETFCAP",
                                                "CAP_MAC_OVERRIDE",
                                                "CAP_MAC_ADMIN",
                                                "CAP_SYSLOG",
                                                "CAP_WAKE_ALARM",
                                                "CAP_BLOCK_SUSPEND",
                                                "CAP_AUDIT_READ",
                                                "CAP_PERFMON",
                                                "CAP_BPF",
                                                "CAP_CHECKPOINT_RESTORE"};
  return kAll;
}

// containerd's (and Docker's) default capability set.
const std::vector<std::string> kDefaultCaps = {
    "CAP_CHOWN",   "CAP_DAC_OVERRIDE", "CAP_FSETID",           "CAP_FOWNER",
    "CAP_MKNOD",   "CAP_NET_RAW",      "CAP_SETGID",           "CAP_SETUID",
    "CAP_SETFCAP", "CAP_SETPCAP",      "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT",
    "CAP_KILL",    "CAP_AUDIT_WRITE"};

const std::vector<std::string> kMaskedPaths = {
    "/proc/acpi",       "/proc/asound",      "/proc/kcore",       "/proc/keys",    "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware", "/proc/scsi"};
const std::vector<std::string> kReadonlyPaths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys",
                                                 "/proc/sysrq-trigger"};

StatusOr<std::string> CapName(const std::string& in) {
  std::string up;
  for (char c : in) up += static_cast<char>(toupper(static_cast<unsigned char>(c)));
  if (up.rfind("CAP_", 0) != 0) up = "CAP_" + up;
  const auto& all = AllCaps();
  if (std::find(all.begin(), all.end(), up) == all.end())
    return Status::Invalid("unknown capability \"" + in + "\"");
  return up;
}

// CapBnd of this process (all bits when unreadable).
uint64_t HostBoundingCaps() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("CapBnd:", 0) == 0) return strtoull(line.c_str() + 7, nullptr, 16);
  return ~uint64_t{0};
}

bool IsAll(const std::string& c) { return EqualsIgnoreCase(c, "ALL") || EqualsIgnoreCase(c, "CAP_ALL"); }

// Reads a file of the rootfs without following symlinks out of it.
std::string ReadInRoot(const std::string& rootfs, const std::string& rel) {
  int root = open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (root < 0) return "";
  open_how how{};
  how.flags = O_RDONLY | O_CLOEXEC;
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  int fd = static_cast<int>(syscall(SYS_openat2, root, rel.c_str(), &how, sizeof how));
  close(root);
  if (fd < 0) return "";
  std::string s;
  char buf[8192];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0 && s.size() < (4u << 20)) s.append(buf, static_cast<size_t>(n));
  close(fd);
  return s;
}

std::vector<std::vector<std::string>> ColonFile(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::vector<std::string> f;
    std::stringstream ss(line);
    std::string x;
    while (std::getline(ss, x, ':')) f.push_back(x);
    if (!line.empty() && line.back() == ':') f.push_back("");
    out.push_back(std::move(f));
  }
  return out;
}

bool ParseU32(const std::string& s, uint32_t* v) {
  if (s.empty() || s.size() > 10) return false;
  uint64_t x = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    x = x * 10 + static_cast<uint64_t>(c - '0');
  }
  if (x > 0xffffffffu) return false;
  *v = static_cast<uint32_t>(x);
  return true;
}

std::string PropagationOption(MountPropagation p) {
  switch (p) {
    case MountPropagation::kHostToContainer:
      return "rslave";
    case MountPropagation::kBidirectional:
      return "rshared";
    case MountPropagation::kPrivate:
      break;
  }
  return "rprivate";
}

size_t Depth(const std::string& p) { return static_cast<size_t>(std::count(p.begin(), p.end(), '/')); }

json HostDevices() {
  json devs = json::array();
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator("/dev", ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    std::string p = it->path().string();
    if (p.rfind("/dev/pts", 0) == 0 || p.rfind("/dev/shm", 0) == 0 || p.rfind("/dev/mqueue", 0) == 0 ||
        p == "/dev/console" || p == "/dev/ptmx") {
      if (it->is_directory(ec)) it.disable_recursion_pending();
      continue;
    }
    struct stat st;
    if (lstat(p.c_str(), &st) != 0) continue;
    bool chr = S_ISCHR(st.st_mode), blk = S_ISBLK(st.st_mode);
    if (!chr && !blk) continue;
    devs.push_back({{"path", p},
                    {"type", chr ? "c" : "b"},
                    {"major", major(st.st_rdev)},
                    {"minor", minor(st.st_rdev)},
                    {"fileMode", st.st_mode & 0777},
                    {"uid", st.st_uid},
                    {"gid", st.st_gid}});
  }
  return devs;
}

}  // namespace

StatusOr<std::vector<std::string>> ResolveArgs(const ContainerConfig& c, const ImageSpecConfig& image) {
  std::vector<std::string> argv;
  if (!c.command.empty()) {
    argv = c.command;
    argv.insert(argv.end(), c.args.begin(), c.args.end());
  } else {
    argv = image.entrypoint;
    const auto& rest = c.args.empty() ? image.cmd : c.args;
    argv.insert(argv.end(), rest.begin(), rest.end());
  }
  if (argv.empty())
    return Status::Invalid("no command specified: neither the container nor the image has one");
  return argv;
}

StatusOr<ResolvedUser> ResolveUser(const ContainerConfig& c, const ImageSpecConfig& image,
                                   const std::string& rootfs) {
  const auto& sc = c.linux.security_context;
  ResolvedUser u;
  auto passwd = ColonFile(ReadInRoot(rootfs, "etc/passwd"));
  auto group = ColonFile(ReadInRoot(rootfs, "etc/group"));
  std::string username;
  bool gid_set = false;
  auto by_uid = [&](uint32_t uid) {
    for (const auto& f : passwd) {
      uint32_t x;
      if (f.size() >= 4 && ParseU32(f[2], &x) && x == uid) {
        username = f[0];
        if (!gid_set) ParseU32(f[3], &u.gid);
        if (f.size() >= 6 && !f[5].empty()) u.home = f[5];
        return;
      }
    }
  };
  auto by_name = [&](const std::string& name) -> bool {
    for (const auto& f : passwd) {
      if (f.size() >= 4 && f[0] == name) {
        username = name;
        ParseU32(f[2], &u.uid);
        if (!gid_set) ParseU32(f[3], &u.gid);
        if (f.size() >= 6 && !f[5].empty()) u.home = f[5];
        return true;
      }
    }
    return false;
  };
  if (sc.run_as_group) {
    if (*sc.run_as_group < 0 || *sc.run_as_group > 0xffffffffLL)
      return Status::Invalid("runAsGroup out of range");
    u.gid = static_cast<uint32_t>(*sc.run_as_group);
    gid_set = true;
  }
  if (sc.run_as_user) {
    if (*sc.run_as_user < 0 || *sc.run_as_user > 0xffffffffLL)
      return Status::Invalid("runAsUser out of range");
    u.uid = static_cast<uint32_t>(*sc.run_as_user);
    by_uid(u.uid);
  } else if (!sc.run_as_username.empty()) {
    if (!by_name(sc.run_as_username))
      return Status::Invalid("user \"" + sc.run_as_username + "\" not found in the image's /etc/passwd");
  } else if (!image.user.empty()) {
    std::string user = image.user, grp;
    if (auto colon = user.find(':'); colon != std::string::npos) {
      grp = user.substr(colon + 1);
      user = user.substr(0, colon);
    }
    uint32_t n;
    if (ParseU32(user, &n)) {
      u.uid = n;
      by_uid(n);
    } else if (!by_name(user)) {
      return Status::Invalid("image user \"" + user + "\" not found in the image's /etc/passwd");
    }
    if (!grp.empty() && !gid_set) {
      if (ParseU32(grp, &n)) {
        u.gid = n;
      } else {
        bool found = false;
        for (const auto& f : group)
          if (f.size() >= 3 && f[0] == grp) found = ParseU32(f[2], &u.gid);
        if (!found) return Status::Invalid("image group \"" + grp + "\" not found in the image's /etc/group");
      }
    }
  } else {
    by_uid(0);
  }
  std::set<uint32_t> extra;
  if (!username.empty()) {
    for (const auto& f : group) {
      if (f.size() < 4) continue;
      std::stringstream ss(f[3]);
      std::string m;
      uint32_t g;
      while (std::getline(ss, m, ','))
        if (m == username && ParseU32(f[2], &g)) extra.insert(g);
    }
  }
  for (int64_t g : sc.supplemental_groups) {
    if (g < 0 || g > 0xffffffffLL) return Status::Invalid("supplementalGroups: value out of range");
    extra.insert(static_cast<uint32_t>(g));
  }
  extra.erase(u.gid);
  u.additional_gids.assign(extra.begin(), extra.end());
  return u;
}

StatusOr<int> ParseSignal(const std::string& name_in) {
  if (name_in.empty()) return 15;
  uint32_t n;
  if (ParseU32(name_in, &n) && n > 0 && n < 65) return static_cast<int>(n);
  std::string name = name_in;
  for (auto& ch : name) ch = static_cast<char>(toupper(static_cast<unsigned char>(ch)));
  if (name.rfind("SIG", 0) == 0) name = name.substr(3);
  static const std::map<std::string, int> kSignals = {
      {"HUP", 1},    {"INT", 2},   {"QUIT", 3},    {"ILL", 4},   {"TRAP", 5},  {"ABRT", 6},    {"IOT", 6},
      {"BUS", 7},    {"FPE", 8},   {"KILL", 9},    {"USR1", 10}, {"SEGV", 11}, {"USR2", 12},   {"PIPE", 13},
      {"ALRM", 14},  {"TERM", 15}, {"STKFLT", 16}, {"CHLD", 17}, {"CONT", 18}, {"STOP", 19},   {"TSTP", 20},
      {"TTIN", 21},  {"TTOU", 22}, {"URG", 23},    {"XCPU", 24}, {"XFSZ", 25}, {"VTALRM", 26}, {"PROF", 27},
      {"WINCH", 28}, {"IO", 29},   {"POLL", 29},   {"PWR", 30},  {"SYS", 31},  {"RTMIN", 34},  {"RTMAX", 64}};
  if (auto it = kSignals.find(name); it != kSignals.end()) return it->second;
  for (const char* base : {"RTMIN+", "RTMAX-"}) {
    std::string b = base;
    if (name.rfind(b, 0) == 0 && ParseU32(name.substr(b.size()), &n)) {
      int v = b[2] == 'M' && b[3] == 'I' ? 34 + static_cast<int>(n) : 64 - static_cast<int>(n);
      if (v >= 34 && v <= 64) return v;
    }
  }
  return Status::Invalid("unknown stop signal \"" + name_in + "\"");
}

StatusOr<std::string> BuildSpec(const SpecInput& in) {
  if (in.container == nullptr || in.sandbox == nullptr) return Status::Invalid("spec input incomplete");
  const ContainerConfig& c = *in.container;
  const PodSandboxConfig& sb = *in.sandbox;
  const auto& sc = c.linux.security_context;
  const bool privileged = sc.privileged;

  ASSIGN_OR_RETURN(auto argv, ResolveArgs(c, in.image));
  ASSIGN_OR_RETURN(auto user, ResolveUser(c, in.image, in.rootfs));

  // Env: HOSTNAME, then the image's, then the container's; a later key replaces an earlier one.
  std::vector<std::pair<std::string, std::string>> env;
  auto set_env = [&](const std::string& k, const std::string& v) {
    for (auto& e : env)
      if (e.first == k) return void(e.second = v);
    env.emplace_back(k, v);
  };
  bool host_net = in.netns_path.empty();
  // As the sandbox's /etc/hostname: the pod name when the sandbox config names no hostname.
  std::string hostname = sb.hostname.empty() ? sb.metadata.name : sb.hostname;
  if (host_net) {
    char buf[256] = {};
    gethostname(buf, sizeof buf - 1);
    hostname = buf;
  }
  if (!hostname.empty()) set_env("HOSTNAME", hostname);
  for (const auto& e : in.image.env) {
    auto eq = e.find('=');
    set_env(e.substr(0, eq), eq == std::string::npos ? "" : e.substr(eq + 1));
  }
  bool has_path = false;
  for (const auto& e : env) has_path |= e.first == "PATH";
  if (!has_path) set_env("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
  for (const auto& kv : c.envs) {
    if (kv.key.empty()) return Status::Invalid("env: empty variable name");
    set_env(kv.key, kv.value);
  }
  json env_json = json::array();
  for (const auto& [k, v] : env) env_json.push_back(k + "=" + v);

  // Capabilities.
  std::vector<std::string> caps;
  if (privileged) {
    caps = AllCaps();
  } else {
    caps = kDefaultCaps;
    const auto& add = sc.capabilities.add_capabilities;
    const auto& drop = sc.capabilities.drop_capabilities;
    if (std::any_of(add.begin(), add.end(), IsAll)) caps = AllCaps();
    if (std::any_of(drop.begin(), drop.end(), IsAll)) caps.clear();
    for (const auto& a : add) {
      if (IsAll(a)) continue;
      ASSIGN_OR_RETURN(std::string n, CapName(a));
      if (std::find(caps.begin(), caps.end(), n) == caps.end()) caps.push_back(n);
    }
    for (const auto& d : drop) {
      if (IsAll(d)) continue;
      ASSIGN_OR_RETURN(std::string n, CapName(d));
      caps.erase(std::remove(caps.begin(), caps.end(), n), caps.end());
    }
  }
  // Only what this process's bounding set holds can be granted (runc fails otherwise).
  uint64_t bounding = HostBoundingCaps();
  caps.erase(std::remove_if(caps.begin(), caps.end(),
                            [&](const std::string& c) {
                              auto idx = std::find(AllCaps().begin(), AllCaps().end(), c) - AllCaps().begin();
                              return idx >= 64 || !(bounding >> idx & 1);
                            }),
             caps.end());
  json caps_json = caps;

  std::string cwd = !c.working_dir.empty()          ? c.working_dir
                    : !in.image.working_dir.empty() ? in.image.working_dir
                                                    : "/";
  if (cwd[0] != '/') return Status::Invalid("workingDir \"" + cwd + "\" must be an absolute path");

  // Open files: 1048576 (containerd's LimitNOFILE=infinity on most hosts), capped at what this
  // process may grant (raising a hard limit needs CAP_SYS_RESOURCE in the host).
  rlimit rl{};
  uint64_t nofile = 1048576;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max != RLIM_INFINITY && rl.rlim_max < nofile)
    nofile = rl.rlim_max;
  json process = {
      {"terminal", c.tty},
      {"user", {{"uid", user.uid}, {"gid", user.gid}}},
      {"args", argv},
      {"env", env_json},
      {"cwd", cwd},
      {"capabilities", {{"bounding", caps_json}, {"effective", caps_json}, {"permitted", caps_json}}},
      {"rlimits", json::array({{{"type", "RLIMIT_NOFILE"}, {"hard", nofile}, {"soft", nofile}}})},
      {"noNewPrivileges", sc.no_new_privs},
  };
  if (!user.additional_gids.empty()) process["user"]["additionalGids"] = user.additional_gids;
  if (c.linux.resources.oom_score_adj != 0) process["oomScoreAdj"] = c.linux.resources.oom_score_adj;

  // Mounts.
  std::set<std::string> user_targets;
  for (const auto& m : c.mounts) {
    if (m.container_path.empty() || m.container_path[0] != '/')
      return Status::Invalid("mount container_path \"" + m.container_path + "\" must be absolute");
    if (m.host_path.empty() || m.host_path[0] != '/')
      return Status::Invalid("mount host_path \"" + m.host_path + "\" must be absolute");
    user_targets.insert(m.container_path);
  }
  const bool ro_rootfs = sc.readonly_rootfs;
  json mounts = json::array();
  mounts.push_back({{"destination", "/proc"},
                    {"type", "proc"},
                    {"source", "proc"},
                    {"options", {"nosuid", "noexec", "nodev"}}});
  mounts.push_back({{"destination", "/dev"},
                    {"type", "tmpfs"},
                    {"source", "tmpfs"},
                    {"options", {"nosuid", "strictatime", "mode=755", "size=65536k"}}});
  mounts.push_back({{"destination", "/dev/pts"},
                    {"type", "devpts"},
                    {"source", "devpts"},
                    {"options", {"nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"}}});
  if (!user_targets.count("/dev/shm")) {
    if (!in.shm_path.empty())
      mounts.push_back({{"destination", "/dev/shm"},
                        {"type", "bind"},
                        {"source", in.shm_path},
                        {"options", {"rbind", "rprivate", "nosuid", "nodev", "noexec"}}});
    else
      mounts.push_back({{"destination", "/dev/shm"},
                        {"type", "tmpfs"},
                        {"source", "shm"},
                        {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}});
  }
  mounts.push_back({{"destination", "/dev/mqueue"},
                    {"type", "mqueue"},
                    {"source", "mqueue"},
                    {"options", {"nosuid", "noexec", "nodev"}}});
  mounts.push_back({{"destination", "/sys"},
                    {"type", "sysfs"},
                    {"source", "sysfs"},
                    {"options", {"nosuid", "noexec", "nodev", privileged ? "rw" : "ro"}}});
  mounts.push_back({{"destination", "/sys/fs/cgroup"},
                    {"type", "cgroup"},
                    {"source", "cgroup"},
                    {"options", {"nosuid", "noexec", "nodev", "relatime", privileged ? "rw" : "ro"}}});
  auto etc_file = [&](const std::string& dest, const std::string& src) {
    if (src.empty() || user_targets.count(dest)) return;
    mounts.push_back({{"destination", dest},
                      {"type", "bind"},
                      {"source", src},
                      {"options", {"rbind", "rprivate", ro_rootfs ? "ro" : "rw"}}});
  };
  etc_file("/etc/hosts", in.hosts_path);
  etc_file("/etc/hostname", in.hostname_path);
  etc_file("/etc/resolv.conf", in.resolv_path);
  std::vector<Mount> user_mounts = c.mounts;
  std::stable_sort(user_mounts.begin(), user_mounts.end(), [](const Mount& a, const Mount& b) {
    return Depth(a.container_path) < Depth(b.container_path);
  });
  std::string rootfs_propagation;
  for (const auto& m : user_mounts) {
    std::string prop = PropagationOption(m.propagation);
    if (prop == "rshared") rootfs_propagation = "rshared";
    if (prop == "rslave" && rootfs_propagation.empty()) rootfs_propagation = "rslave";
    mounts.push_back({{"destination", m.container_path},
                      {"type", "bind"},
                      {"source", m.host_path},
                      {"options", {"rbind", prop, m.readonly ? "ro" : "rw"}}});
  }

  // Namespaces.
  json ns = json::array();
  const auto& nso = sb.linux.security_context.namespace_options;
  if (!in.pid_ns_path.empty())
    ns.push_back({{"type", "pid"}, {"path", in.pid_ns_path}});
  else if (sc.namespace_options.pid != NamespaceMode::kNode && nso.pid != NamespaceMode::kNode)
    ns.push_back({{"type", "pid"}});
  if (!in.netns_path.empty()) ns.push_back({{"type", "network"}, {"path", in.netns_path}});
  if (!in.ipc_ns_path.empty())
    ns.push_back({{"type", "ipc"}, {"path", in.ipc_ns_path}});
  else if (nso.ipc != NamespaceMode::kNode)
    ns.push_back({{"type", "ipc"}});
  if (!host_net) ns.push_back({{"type", "uts"}});
  ns.push_back({{"type", "mount"}});
  if (CgroupV2()) ns.push_back({{"type", "cgroup"}});

  // Resources.
  const auto& r = c.linux.resources;
  json res = {{"devices", json::array({{{"allow", privileged}, {"access", "rwm"}}})}};
  json cpu = json::object();
  if (r.cpu_shares > 0) cpu["shares"] = r.cpu_shares;
  if (r.cpu_quota > 0) cpu["quota"] = r.cpu_quota;
  if (r.cpu_period > 0) cpu["period"] = r.cpu_period;
  if (!r.cpuset_cpus.empty()) cpu["cpus"] = r.cpuset_cpus;
  if (!r.cpuset_mems.empty()) cpu["mems"] = r.cpuset_mems;
  if (!cpu.empty()) res["cpu"] = cpu;
  if (r.memory_limit_in_bytes > 0) {
    json mem = {{"limit", r.memory_limit_in_bytes}};
    // No swap beyond the limit (as the kubelet expects), where the host accounts swap.
    std::string memdir = CgroupDir("memory", "/");
    if (CgroupV2() || access((memdir + "/memory.memsw.limit_in_bytes").c_str(), F_OK) == 0)
      mem["swap"] = r.memory_limit_in_bytes;
    res["memory"] = mem;
  }

  json linux_json = {
      {"namespaces", ns},
      {"resources", res},
      {"cgroupsPath", in.cgroups_path},
  };
  if (!privileged) {
    linux_json["maskedPaths"] = sc.masked_paths.empty() ? kMaskedPaths : sc.masked_paths;
    linux_json["readonlyPaths"] = sc.readonly_paths.empty() ? kReadonlyPaths : sc.readonly_paths;
  } else {
    linux_json["devices"] = HostDevices();
  }
  if (!rootfs_propagation.empty()) linux_json["rootfsPropagation"] = rootfs_propagation;
  if (!sb.linux.sysctls.empty()) linux_json["sysctl"] = sb.linux.sysctls;

  json spec = {
      {"ociVersion", "1.0.2-dev"},
      {"process", process},
      {"root", {{"path", in.rootfs}, {"readonly", ro_rootfs}}},
      {"mounts", mounts},
      {"linux", linux_json},
  };
  if (!host_net && !hostname.empty()) spec["hostname"] = hostname;
  if (!c.annotations.empty()) spec["annotations"] = c.annotations;
  return spec.dump(1, '\t');
}

}  // namespace kubepp::runtime::oci
