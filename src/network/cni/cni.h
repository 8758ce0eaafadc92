// CNI: runs Container Network Interface plugins (spec 1.0) against a network
// namespace, the way libcni does for containerd and CRI-O.
//
// A Network is one loaded network configuration list (a .conflist, or a single
// plugin .conf/.json wrapped into a one-plugin list). Add runs the plugins in
// order (ADD), each getting the previous plugin's result as prevResult, and
// caches the final result on disk in cache_dir/<network>-<containerid>-<ifname>
// together with the configuration and runtime arguments used; Del runs them in
// reverse (DEL) with the cached result as prevResult and the cached
// configuration, so a DEL issued by a restarted process, or after the
// configuration file changed, still releases what the ADD took; Check runs
// CHECK in order against the cached result.
//
// Plugins are executed with a clean environment (the CNI_* variables and a
// standard PATH), the plugin configuration on stdin with "name",
// "cniVersion", "prevResult" and "runtimeConfig" (capability arguments, e.g.
// portMappings for plugins declaring capabilities.portMappings) injected, and
// a timeout. CNI_ARGS carries IgnoreUnknown=1 and the K8S_POD_* keys, as the
// kubelet's runtimes pass them.
//
// Who owns what: the caller (the container runtime) creates and deletes the
// network namespace (see netns.h) and must call Del BEFORE deleting it when it
// can: plugins clean up in-namespace state by looking into it. When the
// namespace is already gone, Del still releases the IP and the portmap rules,
// and sweeps the bridge plugin's ipMasq NAT rules for the container (which
// the bridge plugin of containernetworking-plugins 1.1 leaks in that case).
//
// Thread-safety: a Network is thread-safe. Calls for the same (container id,
// ifname) are serialized; others run concurrently (plugins lock their own
// state, e.g. host-local's data dir).
//
// Blind spots: one network per Network object (no multi-network attach); no
// GC/STATUS verbs (CNI 1.1); results are not converted between CNI versions
// (a list's plugins all run at the list's cniVersion); no dynamic reload of
// conf_dir (Load again); every Add first runs VERSION on each plugin (a few
// ms). Node-level side effects of the plugins stay after Del by design: the
// bridge, net.ipv4.ip_forward=1 (bridge isGateway) and portmap's shared
// CNI-HOSTPORT-* chains.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/status.h"

namespace kubepp::network::cni {

// One hostPort mapping of a pod (CRI PortMapping); becomes an entry of
// runtimeConfig.portMappings for the portmap plugin. Entries with
// host_port <= 0 are skipped (as containerd does).
struct PortMapping {
  int32_t host_port = 0;
  int32_t container_port = 0;
  std::string protocol = "TCP";  // TCP, UDP or SCTP (any case; sent lower-case)
  std::string host_ip;           // empty: all host addresses
};

struct AttachRequest {
  std::string container_id;  // the sandbox id: [A-Za-z0-9][A-Za-z0-9_.-]*
  std::string netns_path;    // e.g. /run/kubepp/netns/<id>; required for Add/Check
  std::string ifname = "eth0";
  std::string pod_namespace, pod_name, pod_uid;  // -> CNI_ARGS K8S_POD_NAMESPACE=..;K8S_POD_NAME=..
  std::vector<PortMapping> port_mappings;        // -> runtimeConfig.portMappings
};

struct AttachResult {
  std::vector<std::string> ips;  // "10.42.0.5" (no prefix length), IPv4 first
  std::string result_json;       // the final CNI result, verbatim
};

struct NetworkOptions {
  // Wall-clock limit for one plugin execution; the plugin's process group is
  // killed when it is exceeded and the call returns Timeout.
  std::chrono::milliseconds plugin_timeout = std::chrono::seconds(60);
};

class Network {
 public:
  // Loads the first *.conflist / *.conf / *.json (lexical order) in conf_dir;
  // plugins are looked up in bin_dirs, in order; results are cached in
  // cache_dir (created on first Add). Errors: NotFound when conf_dir holds no
  // configuration; Invalid for a malformed file, naming the file and the field
  // (or line and column for a JSON syntax error).
  static StatusOr<std::unique_ptr<Network>> Load(const std::string& conf_dir,
                                                 std::vector<std::string> bin_dirs,
                                                 const std::string& cache_dir, NetworkOptions options = {});
  // Same, from one given file.
  static StatusOr<std::unique_ptr<Network>> LoadFile(const std::string& path,
                                                     std::vector<std::string> bin_dirs,
                                                     const std::string& cache_dir,
                                                     NetworkOptions options = {});
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  const std::string& name() const;         // the list's "name"
  const std::string& cni_version() const;  // the list's "cniVersion"
  const std::string& config_path() const;  // the file it was loaded from
  std::vector<std::string> plugin_types() const;

  // Attaches the container: ADD through every plugin. On failure the plugins
  // are DEL'ed (best effort) so nothing stays allocated, and the error names
  // the failing plugin with the plugin's CNI error message and code (or its
  // exit status and stderr). Errors: Invalid (bad request, plugin rejected
  // the configuration, unsupported cniVersion), NotFound (plugin binary
  // missing), Timeout, Unavailable (CNI code 11 "try again later"), Internal.
  StatusOr<AttachResult> Add(const AttachRequest& req);

  // Detaches: DEL through every plugin in reverse order, then removes the
  // cached result. Idempotent: OK when already detached or never attached, and
  // when the namespace is gone. Uses the cached configuration and runtime
  // arguments of the ADD when there is a cache entry. On error the cache entry
  // is kept, so a retry repeats the DEL.
  Status Del(const AttachRequest& req);

  // Verifies the attachment: CHECK through every plugin in order with the
  // cached result. NotFound when there is no cached result; OK without running
  // anything when the list sets disableCheck; Invalid when the list's
  // cniVersion predates CHECK (< 0.4.0); otherwise the failing plugin's error.
  Status Check(const AttachRequest& req);

  // The cached result of an earlier Add (NotFound if none).
  StatusOr<AttachResult> CachedResult(const std::string& container_id,
                                      const std::string& ifname = "eth0") const;

  // Attachments of this network that have a cache entry (e.g. to DEL stale
  // sandboxes after a restart).
  struct Attachment {
    std::string container_id;
    std::string ifname;
  };
  std::vector<Attachment> ListCachedAttachments() const;

  struct State;  // parsed configuration; defined in cni.cc

 private:
  Network(std::unique_ptr<State> state, std::vector<std::string> bin_dirs, std::string cache_dir,
          NetworkOptions options);
  std::mutex& KeyLock(const std::string& container_id, const std::string& ifname);

  // Constant after construction.
  std::unique_ptr<State> state_;
  const std::vector<std::string> bin_dirs_;
  const std::string cache_dir_;
  const NetworkOptions options_;

  std::array<std::mutex, 32> key_locks_;  // striped by (container id, ifname)
};

// kubepp's default network: a bridge with host-local IPAM over the node's pod
// CIDR, a default route via the bridge, masquerade for traffic leaving the pod
// CIDR, hairpin mode, then portmap for hostPorts. Loopback is not in the list:
// the runtime brings `lo` up itself (BringUpLoopback in netns.h).
struct DefaultConfigOptions {
  std::string conf_dir;  // created if missing
  std::string network_name = "kubepp";
  std::string bridge_name = "kubepp0";  // at most 15 characters
  std::string pod_cidr;                 // required, e.g. "10.42.0.0/24" (IPv4 or IPv6)
  std::string ipam_data_dir;            // required: host-local's dataDir, e.g. <data-dir>/cni/networks
  std::string cni_version = "1.0.0";
  bool ip_masq = true;
  int mtu = 0;  // 0: the bridge plugin's default
};

// Writes the default configuration list atomically to
// <conf_dir>/10-<network_name>.conflist (see DefaultConfigFileName) and
// returns its path. Invalid names the bad option; Internal on I/O errors.
StatusOr<std::string> WriteDefaultConfig(const DefaultConfigOptions& options);
std::string DefaultConfigFileName(const std::string& network_name);

}  // namespace kubepp::network::cni
