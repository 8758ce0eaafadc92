// OciRuntime: runtime::Runtime over runc (ARCHITECTURE.md §6).
//
// Design (one sandbox = namespaces, no pause container):
//   * a pod sandbox is a network namespace pinned under `netns_dir` (wired by the
//     SandboxNetwork seam, e.g. CNI), an IPC namespace pinned at <root>/sandboxes/<id>/ipc,
//     a tmpfs /dev/shm shared by the pod's containers, generated /etc/hosts, /etc/hostname and
//     /etc/resolv.conf, and, only when the pod shares its PID namespace (namespace option POD),
//     a `kubepp-shim pause` process that is PID 1 of that namespace. Containers join these
//     namespaces by path; each gets its own mount and UTS namespace (hostname = pod hostname).
//   * a container is an overlayfs rootfs (the image's layer dirs as lowerdirs + its own
//     upper/work dirs under <root>/containers/<id>) and a generated config.json (oci/spec.h),
//     made by CreateContainer; StartContainer then starts a `kubepp-shim` process that runs
//     `runc create`, holds the stdio, writes the CRI log, serves attach, reaps the init and
//     records its exit (oci/shim_protocol.h), and runs `runc start` (containerd also creates
//     the task at start: a command that cannot run is a StartError, exit code 128); exec is `runc exec` (with
//     a tty: `runc exec --tty --detach` under `kubepp-shim exec-tty`, which waits for the detached process as
//     its subreaper).
//   * cgroups: <cgroup_parent>/pod<sandbox id>/<container id> unless the sandbox config names
//     a cgroup_parent (the kubelet's pod cgroup, then not removed by the runtime); cgroupfs
//     driver, v1 or v2.
//   * restart safety: every record is a JSON file under <root> (written by rename, not
//     fsynced: records must survive this process, not the machine, and no container survives
//     a machine crash); shims are independent processes (own session, double fork); a new
//     OciRuntime over the same root re-adopts sandboxes and containers and reads exits
//     recorded while it was away. A sandbox whose netns or pause process is gone at adoption
//     (reboot) is marked NOTREADY. A sandbox the runtime stopped while creating (no record yet)
//     is undone at Open: CNI DEL, then its netns, mounts and pause process (pause.pid).
//
// Thread-safe: one mutex guards the maps; each container/sandbox has its own operation
// mutex, so a long StopContainer does not block calls on other objects.
// Blind spots: no seccomp/AppArmor/SELinux; no user namespaces; image volumes are not
// created; RemoveImage does not refuse an image that containers use (their rootfs keeps
// working until unmounted); /etc/hosts gets the pod IP line only when the network reports
// one (the kubelet normally mounts its own hosts file); the overlay mount option must fit in a page (about 40
// layers with long paths); a shim killed by someone else loses its container's exit code (reported EXITED
// with exit code 255 and reason "Unknown").
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "runtime/oci/sandbox_network.h"
#include "runtime/runtime.h"

namespace kubepp::runtime::image {
class ImageStore;
}

namespace kubepp::runtime::oci {

struct OciRuntimeOptions {
  std::string root;                            // state dir, e.g. DATA/agent/runtime (required)
  std::string runc_root = "/run/kubepp/runc";  // runc --root
  std::string netns_dir = "/run/kubepp/netns";
  std::string runc_path;                    // "" = "runc" from PATH (and /usr/sbin, /usr/bin)
  std::string shim_path;                    // "" = kubepp-shim next to /proc/self/exe
  std::string cgroup_parent = "/kubepp";    // default parent of pod cgroups
  image::ImageStore* images = nullptr;      // not owned; required
  SandboxNetwork* network = nullptr;        // not owned; nullptr = loopback only
  int64_t log_max_size = 10 * 1024 * 1024;  // CRI log rotation (containerLogMaxSize)
  int log_max_files = 5;
  std::string resolv_conf = "/etc/resolv.conf";  // copied when a sandbox has no DNS config
  // Air-gapped nodes: every *.tar (docker-save or OCI archive, optionally
  // .gz/.zst) in this folder is imported into `images` at Open (e.g.
  // DATA/agent/images). A bad archive is logged and skipped. "": none.
  std::string images_import_dir;
};

class OciRuntime final : public Runtime {
 public:
  // Checks `runc --version` (Unavailable with an install hint when runc is missing), finds
  // the shim (Unavailable when missing), creates the directories and re-adopts the
  // sandboxes and containers recorded under options.root.
  static StatusOr<std::unique_ptr<OciRuntime>> Open(OciRuntimeOptions options);
  ~OciRuntime() override;  // leaves containers running

  const std::string& runc_version() const { return runc_version_; }

  StatusOr<VersionInfo> Version() override;
  StatusOr<std::string> RunPodSandbox(const PodSandboxConfig& config) override;
  Status StopPodSandbox(const std::string& sandbox_id) override;
  Status RemovePodSandbox(const std::string& sandbox_id) override;
  StatusOr<runtime::PodSandboxStatus> PodSandboxStatus(const std::string& sandbox_id) override;
  StatusOr<std::vector<PodSandbox>> ListPodSandbox(const PodSandboxFilter& filter) override;
  StatusOr<std::string> CreateContainer(const std::string& sandbox_id, const ContainerConfig& config,
                                        const PodSandboxConfig& sandbox_config) override;
  Status StartContainer(const std::string& container_id) override;
  Status StopContainer(const std::string& container_id, int64_t timeout_seconds) override;
  Status RemoveContainer(const std::string& container_id) override;
  StatusOr<std::vector<Container>> ListContainers(const ContainerFilter& filter) override;
  StatusOr<runtime::ContainerStatus> ContainerStatus(const std::string& container_id) override;
  StatusOr<runtime::ContainerStats> ContainerStats(const std::string& container_id) override;
  StatusOr<ExecSyncResult> ExecSync(const std::string& container_id, const std::vector<std::string>& cmd,
                                    int64_t timeout_seconds) override;
  StatusOr<StreamSessionPtr> Exec(const std::string& container_id, const ExecRequest& request) override;
  StatusOr<StreamSessionPtr> Attach(const std::string& container_id, const StreamFds& fds) override;
  StatusOr<int> PortForward(const std::string& sandbox_id, int32_t port) override;
  StatusOr<std::string> PullImage(const std::string& image, const AuthConfig& auth) override;
  StatusOr<std::vector<Image>> ListImages(const std::string& image) override;
  StatusOr<runtime::Image> ImageStatus(const std::string& image) override;
  Status RemoveImage(const std::string& image) override;
  StatusOr<std::vector<FilesystemUsage>> ImageFsInfo() override;

  struct SandboxRec;
  struct ContainerRec;

 private:
  explicit OciRuntime(OciRuntimeOptions options);
  Status Load();
  void CleanUpUnrecordedSandbox(const std::string& id, const std::string& dir);
  std::shared_ptr<SandboxRec> FindSandbox(const std::string& id_or_prefix);
  std::shared_ptr<ContainerRec> FindContainer(const std::string& id_or_prefix);
  runtime::ContainerStatus Observe(ContainerRec& c);
  Status RunShim(ContainerRec& c);  // the shim + `runc create`; Internal with the reason
  Status StopLocked(ContainerRec& c, int64_t timeout_seconds);
  Status RemoveContainerLocked(ContainerRec& c);
  Status StopSandboxLocked(SandboxRec& s);
  std::vector<std::string> Runc(std::initializer_list<std::string> args) const;

  OciRuntimeOptions options_;
  std::unique_ptr<SandboxNetwork> own_network_;
  SandboxNetwork* network_ = nullptr;
  std::string runc_;
  std::string shim_;
  std::string runc_version_;

  std::mutex mu_;  // guards the maps (records have their own op mutex)
  std::map<std::string, std::shared_ptr<SandboxRec>> sandboxes_;
  std::map<std::string, std::shared_ptr<ContainerRec>> containers_;
  std::set<std::string> creating_;  // sandbox names (name_namespace_uid_attempt) being created
};

}  // namespace kubepp::runtime::oci
