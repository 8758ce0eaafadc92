// Runtime: the CRI-shaped container runtime interface the kubelet drives.
//
// The types mirror CRI v1 (k8s.io/cri-api runtime/v1: RuntimeService + ImageService) field by
// field, in C++ spelling, so that the kubelet's logic reads like upstream's. Timestamps are
// nanoseconds since the Unix epoch (as in CRI). Two implementations: oci/ (runc, real
// processes, overlayfs, cgroups, CNI) and fake/ (in-memory state machine for unit tests);
// both pass testing/conformance/runtime_conformance.h.
//
// Errors (every implementation): an unknown sandbox/container id gives NotFound, except the
// Remove* calls, which are idempotent as CRI requires (OK when already gone). A call that
// does not fit the object's state (StartContainer on a running container, CreateContainer in
// a NOTREADY sandbox) gives Conflict; a malformed request (empty name, empty command with no
// image default) gives Invalid; a failure of the host (runc, mount, cgroup, CNI) gives
// Internal or Unavailable with the tool's message.
//
// Thread-safety: implementations are thread-safe; calls on different objects may run
// concurrently. Blind spots: no Windows fields, no checkpoint/restore, no runtime handlers,
// no UpdateContainerResources, no pod-level sysctls beyond what the implementation documents.
#pragma once

#include <stdint.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace kubepp::runtime {

// CRI NamespaceMode: POD (shared by the pod), CONTAINER (own), NODE (host's), TARGET
// (another container's; only for pid).
enum class NamespaceMode { kPod = 0, kContainer = 1, kNode = 2, kTarget = 3 };

struct NamespaceOption {
  NamespaceMode network = NamespaceMode::kPod;
  NamespaceMode pid = NamespaceMode::kContainer;
  NamespaceMode ipc = NamespaceMode::kPod;
  std::string target_id;  // container id when pid == kTarget
};

// ---------------------------------------------------------------------------------------------
// Pod sandboxes.

struct PodSandboxMetadata {
  std::string name;
  std::string uid;
  std::string namespace_;  // CRI "namespace"
  uint32_t attempt = 0;
};

struct DnsConfig {
  std::vector<std::string> servers;   // nameserver lines
  std::vector<std::string> searches;  // search domains
  std::vector<std::string> options;   // "ndots:5", ...
};

struct PortMapping {
  std::string protocol = "TCP";  // TCP, UDP, SCTP
  int32_t container_port = 0;
  int32_t host_port = 0;
  std::string host_ip;
};

struct LinuxSandboxSecurityContext {
  NamespaceOption namespace_options;
  bool privileged = false;
  std::optional<int64_t> run_as_user;
  std::optional<int64_t> run_as_group;
  bool readonly_rootfs = false;
  std::vector<int64_t> supplemental_groups;
};

struct LinuxPodSandboxConfig {
  // Parent cgroup of the pod's containers, e.g. "/kubepods/burstable/pod<uid>". Empty: the
  // implementation's default parent plus the sandbox id.
  std::string cgroup_parent;
  LinuxSandboxSecurityContext security_context;
  std::map<std::string, std::string> sysctls;
};

struct PodSandboxConfig {
  PodSandboxMetadata metadata;
  std::string hostname;
  std::string log_directory;  // container log_path values are relative to it
  DnsConfig dns_config;
  std::vector<PortMapping> port_mappings;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  LinuxPodSandboxConfig linux;
};

enum class PodSandboxState { kReady = 0, kNotReady = 1 };

struct PodSandbox {
  std::string id;
  PodSandboxMetadata metadata;
  PodSandboxState state = PodSandboxState::kNotReady;
  int64_t created_at = 0;  // ns since epoch
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
};

struct PodSandboxNetworkStatus {
  std::string ip;                           // primary pod IP ("" without network)
  std::vector<std::string> additional_ips;  // further IPs (IPv6 of a dual stack)
};

struct PodSandboxStatus {
  std::string id;
  PodSandboxMetadata metadata;
  PodSandboxState state = PodSandboxState::kNotReady;
  int64_t created_at = 0;
  PodSandboxNetworkStatus network;
  NamespaceOption namespace_options;
  std::string netns_path;  // the pod's network namespace file ("" for host network)
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
};

struct PodSandboxFilter {
  std::string id;  // exact id, or a unique prefix of one
  std::optional<PodSandboxState> state;
  std::map<std::string, std::string> label_selector;  // every pair must match
};

// ---------------------------------------------------------------------------------------------
// Containers.

struct ContainerMetadata {
  std::string name;
  uint32_t attempt = 0;
};

struct KeyValue {
  std::string key;
  std::string value;
};

enum class MountPropagation { kPrivate = 0, kHostToContainer = 1, kBidirectional = 2 };

struct Mount {
  std::string container_path;
  std::string host_path;
  bool readonly = false;
  MountPropagation propagation = MountPropagation::kPrivate;
};

struct LinuxContainerResources {
  int64_t cpu_period = 0;             // CFS period in us; 0 = unset
  int64_t cpu_quota = 0;              // CFS quota in us; 0 = unset
  int64_t cpu_shares = 0;             // relative weight (v1 shares; mapped to cpu.weight on v2)
  int64_t memory_limit_in_bytes = 0;  // 0 = unlimited
  int64_t oom_score_adj = 0;
  std::string cpuset_cpus;
  std::string cpuset_mems;
};

struct Capability {
  std::vector<std::string> add_capabilities;   // "NET_ADMIN" or "CAP_NET_ADMIN"; "ALL" allowed
  std::vector<std::string> drop_capabilities;  // "ALL" drops every default first
};

struct LinuxContainerSecurityContext {
  Capability capabilities;
  bool privileged = false;
  NamespaceOption namespace_options;
  std::optional<int64_t> run_as_user;  // wins over run_as_username and the image's USER
  std::optional<int64_t> run_as_group;
  std::string run_as_username;  // resolved in the image's /etc/passwd
  bool readonly_rootfs = false;
  std::vector<int64_t> supplemental_groups;
  bool no_new_privs = false;
  std::vector<std::string> masked_paths;    // empty: the implementation's default set
  std::vector<std::string> readonly_paths;  // empty: the implementation's default set
};

struct LinuxContainerConfig {
  LinuxContainerResources resources;
  LinuxContainerSecurityContext security_context;
};

struct ContainerConfig {
  ContainerMetadata metadata;
  std::string image;                 // reference or id; must be present (PullImage first)
  std::vector<std::string> command;  // replaces the image ENTRYPOINT (Kubernetes "command")
  std::vector<std::string> args;     // replaces the image CMD (Kubernetes "args")
  std::string working_dir;           // empty: the image's WorkingDir, else "/"
  std::vector<KeyValue> envs;        // appended after the image's Env (later wins)
  std::vector<Mount> mounts;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::string log_path;  // relative to the sandbox's log_directory; empty: no log
  bool stdin = false;
  bool stdin_once = false;
  bool tty = false;
  LinuxContainerConfig linux;
};

enum class ContainerState { kCreated = 0, kRunning = 1, kExited = 2, kUnknown = 3 };

struct Container {
  std::string id;
  std::string pod_sandbox_id;
  ContainerMetadata metadata;
  std::string image;      // as requested
  std::string image_ref;  // the image id ("sha256:...")
  ContainerState state = ContainerState::kUnknown;
  int64_t created_at = 0;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
};

struct ContainerStatus {
  std::string id;
  std::string pod_sandbox_id;
  ContainerMetadata metadata;
  ContainerState state = ContainerState::kUnknown;
  int64_t created_at = 0;
  int64_t started_at = 0;   // 0 until started
  int64_t finished_at = 0;  // 0 until exited
  int32_t exit_code = 0;
  std::string image;
  std::string image_ref;
  // "Completed" (exit 0), "Error" (non-zero), "OOMKilled" (killed by the memory cgroup),
  // "StartError" (the process could not be started), or as the implementation documents.
  std::string reason;
  std::string message;
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> annotations;
  std::vector<Mount> mounts;
  std::string log_path;  // absolute (log_directory + log_path), "" without a log
};

struct ContainerFilter {
  std::string id;  // exact id, or a unique prefix of one
  std::optional<ContainerState> state;
  std::string pod_sandbox_id;
  std::map<std::string, std::string> label_selector;
};

struct ContainerStats {
  std::string container_id;
  int64_t timestamp = 0;                     // ns since epoch, when sampled
  uint64_t cpu_usage_core_nano_seconds = 0;  // cumulative CPU time
  uint64_t memory_working_set_bytes = 0;     // usage minus inactive file cache
  uint64_t memory_usage_bytes = 0;
  uint64_t writable_layer_used_bytes = 0;  // bytes in the container's upper dir
};

// ---------------------------------------------------------------------------------------------
// Streams (exec, attach).

struct ExecSyncResult {
  std::string stdout_data;
  std::string stderr_data;
  int32_t exit_code = 0;
};

// File descriptors a stream copies from/to. The runtime duplicates the ones it uses (the
// caller keeps ownership of its own) and closes its copies when the stream ends, so a caller
// reading the other end of a pipe sees EOF once it has closed its own copy of the write end.
// -1 = not wanted. With tty, stderr is merged into stdout (as in Kubernetes).
struct StreamFds {
  int stdin_fd = -1;
  int stdout_fd = -1;
  int stderr_fd = -1;
};

struct ExecRequest {
  std::vector<std::string> cmd;
  bool tty = false;
  StreamFds fds;
};

// A running exec or attach. Destroying it detaches (closes the runtime's copies of the fds)
// but does not kill an exec'd process that is still running; call Cancel() for that.
class StreamSession {
 public:
  virtual ~StreamSession() = default;
  // Sets the terminal size (tty sessions only; Invalid otherwise).
  virtual Status Resize(uint16_t width, uint16_t height) = 0;
  // Blocks until the stream is over and its output copied: the exec'd process's exit code,
  // or for Attach the container's exit code if it exited (0 when the attach ended first).
  // Timeout when `timeout_ms` (>=0) passes first.
  virtual StatusOr<int32_t> Wait(int64_t timeout_ms = -1) = 0;
  // Kills an exec'd process (SIGKILL); ends an attach. Idempotent.
  virtual void Cancel() = 0;
};
using StreamSessionPtr = std::unique_ptr<StreamSession>;

// ---------------------------------------------------------------------------------------------
// Images.

struct Image {
  std::string id;  // "sha256:<config digest>"
  std::vector<std::string> repo_tags;
  std::vector<std::string> repo_digests;
  uint64_t size = 0;
  std::optional<int64_t> uid;  // numeric USER of the image config, if numeric
  std::string username;        // non-numeric USER of the image config
  bool pinned = false;
};

struct AuthConfig {
  std::string username;
  std::string password;
  std::string auth;  // base64 "user:password"
  std::string registry_token;
};

struct FilesystemUsage {
  int64_t timestamp = 0;
  std::string mountpoint;
  uint64_t used_bytes = 0;
  uint64_t inodes_used = 0;
};

struct VersionInfo {
  std::string version = "0.1.0";  // CRI API version
  std::string runtime_name;
  std::string runtime_version;
  std::string runtime_api_version = "v1";
};

// ---------------------------------------------------------------------------------------------

class Runtime {
 public:
  virtual ~Runtime() = default;

  virtual StatusOr<VersionInfo> Version() = 0;

  // Creates and starts a sandbox (network namespace wired by the network plugin unless
  // namespace_options.network == kNode). Returns its id. Invalid (empty metadata name/uid),
  // Internal/Unavailable when the host fails (nothing is left behind on failure).
  virtual StatusOr<std::string> RunPodSandbox(const PodSandboxConfig& config) = 0;
  // Stops every container of the sandbox (grace 0, i.e. kill) and tears the network down;
  // the sandbox becomes NOTREADY. Idempotent on a stopped sandbox. NotFound for unknown ids.
  virtual Status StopPodSandbox(const std::string& sandbox_id) = 0;
  // Stops (if needed) and removes the sandbox and all its containers, releasing everything
  // (network, mounts, cgroups, files). OK when the id is unknown (idempotent).
  virtual Status RemovePodSandbox(const std::string& sandbox_id) = 0;
  // NotFound for unknown ids.
  virtual StatusOr<runtime::PodSandboxStatus> PodSandboxStatus(const std::string& sandbox_id) = 0;
  virtual StatusOr<std::vector<PodSandbox>> ListPodSandbox(const PodSandboxFilter& filter = {}) = 0;

  // Creates a container (CREATED) in a READY sandbox; returns its id. NotFound (sandbox or
  // image unknown), Conflict (sandbox not ready, or a container with the same name and
  // attempt already exists in the sandbox), Invalid (no command: neither config nor image).
  virtual StatusOr<std::string> CreateContainer(const std::string& sandbox_id, const ContainerConfig& config,
                                                const PodSandboxConfig& sandbox_config) = 0;
  // CREATED -> RUNNING. NotFound; Conflict when not CREATED; Internal when the process
  // cannot start (the container then reports EXITED with reason "StartError", exit code
  // 128 and the error as message, started_at 0, as containerd does).
  virtual Status StartContainer(const std::string& container_id) = 0;
  // Sends the stop signal (the image's StopSignal, else SIGTERM), waits up to `timeout_seconds`
  // then SIGKILLs; returns once the container is EXITED. timeout 0 kills at once. OK on an
  // already exited container, and on a CREATED one (which has no process and stays CREATED,
  // as in containerd); NotFound for unknown ids.
  virtual Status StopContainer(const std::string& container_id, int64_t timeout_seconds) = 0;
  // Kills (if running) and removes the container, its rootfs and cgroup. Its log file is
  // kept (the kubelet owns log files). OK when the id is unknown.
  virtual Status RemoveContainer(const std::string& container_id) = 0;
  virtual StatusOr<std::vector<Container>> ListContainers(const ContainerFilter& filter = {}) = 0;
  // NotFound for unknown ids.
  virtual StatusOr<runtime::ContainerStatus> ContainerStatus(const std::string& container_id) = 0;
  // NotFound; Conflict when not running.
  virtual StatusOr<runtime::ContainerStats> ContainerStats(const std::string& container_id) = 0;

  // Runs `cmd` in a running container and collects its output. Timeout (the process is
  // killed) when `timeout_seconds` > 0 passes first. NotFound; Conflict when not running;
  // Invalid for an empty cmd. A command that cannot be executed in the container is not an
  // error of the call: the result carries the failure (runc: exit code 255 and its message on
  // stderr; the fake: 127 "not found").
  virtual StatusOr<ExecSyncResult> ExecSync(const std::string& container_id,
                                            const std::vector<std::string>& cmd, int64_t timeout_seconds) = 0;
  // Starts `request.cmd` in a running container with the given streams. NotFound; Conflict
  // when not running; Invalid when tty is requested together with stderr.
  virtual StatusOr<StreamSessionPtr> Exec(const std::string& container_id, const ExecRequest& request) = 0;
  // Connects to the container's main process stdio: stdin (if the container was created
  // with stdin) and a copy of its output from now on. NotFound; Conflict when not running;
  // Invalid when stdin is given but the container has no stdin.
  virtual StatusOr<StreamSessionPtr> Attach(const std::string& container_id, const StreamFds& fds) = 0;
  // A socket connected to 127.0.0.1:`port` inside the sandbox's network namespace; the
  // caller owns the returned fd. NotFound; Conflict (not ready / host network is still
  // allowed: connects on the host); Unavailable when the connection is refused.
  virtual StatusOr<int> PortForward(const std::string& sandbox_id, int32_t port) = 0;

  // Images. References are normalized ("busybox" = "docker.io/library/busybox:latest").
  // Pulls (or finds) an image; returns its id. NotFound / Unavailable / Unauthorized from
  // the registry.
  virtual StatusOr<std::string> PullImage(const std::string& image, const AuthConfig& auth = {}) = 0;
  // Every image, or those matching `image` (a reference or id) when non-empty.
  virtual StatusOr<std::vector<Image>> ListImages(const std::string& image = "") = 0;
  // NotFound when the image is not present.
  virtual StatusOr<Image> ImageStatus(const std::string& image) = 0;
  // OK when already absent (idempotent).
  virtual Status RemoveImage(const std::string& image) = 0;
  virtual StatusOr<std::vector<FilesystemUsage>> ImageFsInfo() = 0;
};
using RuntimePtr = std::unique_ptr<Runtime>;

// Names as CRI prints them: "SANDBOX_READY", "CONTAINER_RUNNING", ...
const char* ToString(PodSandboxState state);
const char* ToString(ContainerState state);

// True when every label_selector pair is in labels.
bool MatchLabels(const std::map<std::string, std::string>& selector,
                 const std::map<std::string, std::string>& labels);

// Current time in ns since the epoch (CRI timestamps).
int64_t NowNanos();

}  // namespace kubepp::runtime
