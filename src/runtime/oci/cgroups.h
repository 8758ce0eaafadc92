// Reading and removing the cgroups runc creates for containers, on cgroup v1 (one hierarchy
// per controller, possibly co-mounted, e.g. "cpu,cpuacct") and v2 (unified), found from
// /proc/self/mountinfo. Paths are cgroup paths ("/kubepp/pod1/abc"), as in the OCI spec's
// cgroupsPath with the cgroupfs driver.
//
// Thread-safe (reads the mount table on each call). Blind spots: the systemd cgroup driver
// is not supported; a hybrid host's v2 "unified" hierarchy is ignored (controllers live in v1).
#pragma once

#include <stdint.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace kubepp::runtime::oci {

// True when /sys/fs/cgroup is cgroup v2 (unified only).
bool CgroupV2();

// Directory of `cgroup_path` in the hierarchy holding `controller` ("memory", "cpuacct",
// "cpu", "pids"; ignored on v2). Empty when that controller is not mounted.
std::string CgroupDir(const std::string& controller, const std::string& cgroup_path);

// Every hierarchy's directory for `cgroup_path` (v1: one per mounted hierarchy, including
// name=systemd; v2: one), whether or not it exists.
std::vector<std::string> AllCgroupDirs(const std::string& cgroup_path);

// Number of OOM kills in the cgroup (v1 memory.oom_control "oom_kill", v2 memory.events
// "oom_kill"); -1 when unknown.
int64_t OomKillCount(const std::string& cgroup_path);

struct CgroupUsage {
  uint64_t cpu_ns = 0;
  uint64_t memory_usage = 0;
  uint64_t memory_working_set = 0;  // usage - inactive_file (as cadvisor computes it)
};
StatusOr<CgroupUsage> ReadCgroupUsage(const std::string& cgroup_path);

// Removes `cgroup_path` and every cgroup below it in every hierarchy (children first).
// OK when absent. Unavailable (EBUSY) while processes remain.
Status RemoveCgroupTree(const std::string& cgroup_path);

// True when `cgroup_path` exists in any hierarchy.
bool CgroupExists(const std::string& cgroup_path);

}  // namespace kubepp::runtime::oci
