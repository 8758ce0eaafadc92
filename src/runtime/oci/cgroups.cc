#include "runtime/oci/cgroups.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace kubepp::runtime::oci {
namespace {

namespace fs = std::filesystem;

struct CgroupMount {
  std::string dir;
  std::vector<std::string> controllers;  // from super options; empty for v2
  bool v2 = false;
};

std::vector<CgroupMount> Mounts() {
  std::vector<CgroupMount> out;
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    // ... mountpoint at field 5; after " - ": fstype source superoptions
    auto sep = line.find(" - ");
    if (sep == std::string::npos) continue;
    std::istringstream pre(line.substr(0, sep)), post(line.substr(sep + 3));
    std::string f[5];
    for (auto& x : f) pre >> x;
    std::string fstype, source, opts;
    post >> fstype >> source >> opts;
    if (fstype != "cgroup" && fstype != "cgroup2") continue;
    CgroupMount m;
    m.dir = f[4];
    m.v2 = fstype == "cgroup2";
    std::stringstream ss(opts);
    std::string o;
    while (std::getline(ss, o, ',')) m.controllers.push_back(o);
    out.push_back(std::move(m));
  }
  return out;
}

std::string Join(const std::string& dir, const std::string& path) {
  std::string p = path;
  while (!p.empty() && p[0] == '/') p.erase(0, 1);
  return p.empty() ? dir : dir + "/" + p;
}

std::string ReadSmall(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

int64_t KeyValue(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string k;
  int64_t v;
  while (in >> k >> v)
    if (k == key) return v;
  return -1;
}

}  // namespace

bool CgroupV2() { return access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0; }

std::string CgroupDir(const std::string& controller, const std::string& cgroup_path) {
  bool v2 = CgroupV2();
  for (const auto& m : Mounts()) {
    if (v2) {
      if (m.v2 && m.dir == "/sys/fs/cgroup") return Join(m.dir, cgroup_path);
      continue;
    }
    if (m.v2) continue;
    for (const auto& c : m.controllers)
      if (c == controller) return Join(m.dir, cgroup_path);
  }
  return "";
}

std::vector<std::string> AllCgroupDirs(const std::string& cgroup_path) {
  std::vector<std::string> out;
  bool v2 = CgroupV2();
  for (const auto& m : Mounts()) {
    // v2: the one hierarchy. v1 (hybrid included): every controller mount
    // and also the unified v2 mount, where runc creates the group too.
    if (v2 && (!m.v2 || m.dir != "/sys/fs/cgroup")) continue;
    std::string d = Join(m.dir, cgroup_path);
    if (std::find(out.begin(), out.end(), d) == out.end()) out.push_back(d);
  }
  return out;
}

int64_t OomKillCount(const std::string& cgroup_path) {
  if (CgroupV2()) return KeyValue(ReadSmall(CgroupDir("memory", cgroup_path) + "/memory.events"), "oom_kill");
  std::string dir = CgroupDir("memory", cgroup_path);
  if (dir.empty()) return -1;
  return KeyValue(ReadSmall(dir + "/memory.oom_control"), "oom_kill");
}

StatusOr<CgroupUsage> ReadCgroupUsage(const std::string& cgroup_path) {
  CgroupUsage u;
  if (CgroupV2()) {
    std::string dir = CgroupDir("", cgroup_path);
    if (!fs::exists(dir)) return Status::NotFound("cgroup " + cgroup_path + " not found");
    int64_t usec = KeyValue(ReadSmall(dir + "/cpu.stat"), "usage_usec");
    u.cpu_ns = usec > 0 ? static_cast<uint64_t>(usec) * 1000 : 0;
    u.memory_usage = strtoull(ReadSmall(dir + "/memory.current").c_str(), nullptr, 10);
    int64_t inactive = KeyValue(ReadSmall(dir + "/memory.stat"), "inactive_file");
    u.memory_working_set = u.memory_usage - std::min<uint64_t>(u.memory_usage, inactive > 0 ? inactive : 0);
    return u;
  }
  std::string cpu = CgroupDir("cpuacct", cgroup_path);
  std::string mem = CgroupDir("memory", cgroup_path);
  if (mem.empty() || !fs::exists(mem)) return Status::NotFound("cgroup " + cgroup_path + " not found");
  if (!cpu.empty()) u.cpu_ns = strtoull(ReadSmall(cpu + "/cpuacct.usage").c_str(), nullptr, 10);
  u.memory_usage = strtoull(ReadSmall(mem + "/memory.usage_in_bytes").c_str(), nullptr, 10);
  int64_t inactive = KeyValue(ReadSmall(mem + "/memory.stat"), "total_inactive_file");
  u.memory_working_set = u.memory_usage - std::min<uint64_t>(u.memory_usage, inactive > 0 ? inactive : 0);
  return u;
}

Status RemoveCgroupTree(const std::string& cgroup_path) {
  std::string p = cgroup_path;
  while (!p.empty() && p[0] == '/') p.erase(0, 1);
  if (p.empty()) return Status::Invalid("refusing to remove the root cgroup");
  Status first;
  for (const auto& dir : AllCgroupDirs(cgroup_path)) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) continue;
    // Children first: collect directories, remove deepest first.
    std::vector<std::string> dirs;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (it->is_directory(ec)) dirs.push_back(it->path().string());
    }
    std::sort(dirs.begin(), dirs.end(), [](const auto& a, const auto& b) { return a.size() > b.size(); });
    dirs.push_back(dir);
    for (const auto& d : dirs) {
      if (rmdir(d.c_str()) != 0 && errno != ENOENT && first.ok()) {
        first = errno == EBUSY ? Status::Unavailable("rmdir " + d + ": cgroup still has processes")
                               : Status::Internal("rmdir " + d + ": " + strerror(errno));
      }
    }
  }
  return first;
}

bool CgroupExists(const std::string& cgroup_path) {
  for (const auto& dir : AllCgroupDirs(cgroup_path)) {
    std::error_code ec;
    if (fs::exists(dir, ec)) return true;
  }
  return false;
}

}  // namespace kubepp::runtime::oci
