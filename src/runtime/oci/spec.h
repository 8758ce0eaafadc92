// Generation of a container's OCI runtime spec (config.json for runc) from the CRI configs,
// the image config and the sandbox's resources, the way containerd's CRI plugin builds it:
// process args (Kubernetes command/args over the image's Entrypoint/Cmd), env (image then
// container), cwd, user and groups (numeric, or resolved in the rootfs' /etc/passwd and
// /etc/group), capabilities (the default set; privileged = all + all devices), mounts (proc,
// dev, devpts, shm, mqueue, sysfs, cgroup, per-pod /etc/hosts, /etc/hostname,
// /etc/resolv.conf, user bind mounts), namespaces, cgroupsPath with cpu/memory limits,
// readonly rootfs, no_new_privileges, oomScoreAdj, masked/readonly paths, rlimits.
//
// Pure functions apart from reading the rootfs' passwd/group files; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/runtime.h"

namespace kubepp::runtime::oci {

struct ImageSpecConfig {  // the parts of an image config a container needs
  std::vector<std::string> entrypoint, cmd, env;
  std::string working_dir, user, stop_signal;
};

struct SpecInput {
  const ContainerConfig* container = nullptr;
  const PodSandboxConfig* sandbox = nullptr;
  ImageSpecConfig image;
  std::string rootfs;                                            // absolute path of the mounted rootfs
  std::string netns_path;                                        // "" = host network
  std::string ipc_ns_path;                                       // "" = host IPC (NODE) or own (CONTAINER)
  std::string pid_ns_path;                                       // "" = own PID namespace (or host when NODE)
  std::string hosts_path, hostname_path, resolv_path, shm_path;  // per-pod files ("" = skip)
  std::string cgroups_path;                                      // "/kubepp/pod<id>/<container id>"
};

// Resolves the process argv the Kubernetes way: command replaces Entrypoint (and drops Cmd),
// args replace Cmd. Invalid when empty.
StatusOr<std::vector<std::string>> ResolveArgs(const ContainerConfig& c, const ImageSpecConfig& image);

struct ResolvedUser {
  uint32_t uid = 0, gid = 0;
  std::vector<uint32_t> additional_gids;
  std::string home = "/";
};
// run_as_user / run_as_group / run_as_username, else the image USER ("uid", "uid:gid",
// "name", "name:group"), looked up in rootfs/etc/passwd and rootfs/etc/group. Invalid when
// a name is not found.
StatusOr<ResolvedUser> ResolveUser(const ContainerConfig& c, const ImageSpecConfig& image,
                                   const std::string& rootfs);

// The config.json text. Invalid for bad input (unknown capability, relative mount path...).
StatusOr<std::string> BuildSpec(const SpecInput& in);

// Signal number for an image StopSignal ("SIGTERM", "TERM", "15", "SIGRTMIN+3"); 15 when empty.
// Invalid when unknown.
StatusOr<int> ParseSignal(const std::string& name);

}  // namespace kubepp::runtime::oci
