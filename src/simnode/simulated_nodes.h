// SimulatedNodes: N hollow nodes (like KWOK / kubemark) that look like real
// kubelets to the rest of the cluster, with no containers behind them.
//
// Start() registers Node objects "<prefix>0".."<prefix>N-1" in parallel,
// as a kubelet registers itself: capacity and allocatable (cpu, memory,
// pods, ephemeral-storage, hugepages 0), the well-known labels
// (kubernetes.io/hostname, kubernetes.io/os=linux, kubernetes.io/arch=amd64,
// their beta twins, optionally topology.kubernetes.io/zone spread
// round-robin over K zones) plus extra labels, optional taints, a pod CIDR
// per node, status conditions as a kubelet reports them (Ready=True
// KubeletReady; MemoryPressure, DiskPressure, PIDPressure False), an
// InternalIP and Hostname address, nodeInfo (kubeletVersion v1.33.0, ...)
// and optionally status.images. A node that already exists is adopted: its
// status is patched to the simulated one (labels and taints are left as
// they are, as a restarting kubelet does). Each node also gets its Lease in
// kube-node-lease (holderIdentity = node name, leaseDurationSeconds 40).
//
// While running:
//  - each Lease's renewTime is renewed every lease_renew_interval and the
//    Ready condition's lastHeartbeatTime re-posted every heartbeat_interval,
//    spread evenly over the interval across nodes (as independent kubelets
//    would be), on dedicated node workers so pod work cannot starve them;
//  - one watch on pods with `spec.nodeName!=` (all namespaces) finds pods
//    bound to its nodes; each newly bound pod is marked Running through a
//    merge patch of pods/<name>/status (phase, conditions
//    PodReadyToStartContainers/Initialized/ContainersReady/Ready/PodScheduled
//    True, hostIP(s), podIP(s) from the node's pod CIDR, startTime, running
//    ready containerStatuses, completed init containers);
//  - a pod on its nodes that gets a deletionTimestamp is deleted with
//    gracePeriodSeconds=0 (uid precondition), as a kubelet does once the
//    containers stopped; its IP returns to the node's pool.
//  Failed writes are retried with per-key exponential back-off (5 ms to 30 s).
//
// Pod IPs: node i owns the block base + i*B of B = max(256, next power of
// two >= pods+3) addresses (default base 10.128.0.0, inside 10.128.0.0/9);
// pods get base+2.. (.1 is the notional gateway), hostNetwork pods the node
// IP. Node i's InternalIP is node_ip_base + 1 + i (default 172.16.0.1...).
//
// Ownership: a SimulatedNodes owns its Client (made from the RestConfig,
// with an idle-connection pool sized to its worker count so concurrent
// writes do not pay a TLS handshake each), its threads and its watch.
// Thread-safety: stats() and node_names() may be called from any thread;
// Stop() from any thread, once or more (the destructor calls it).
//
// Blind spots: no probes, no container restarts, no eviction, no
// node-pressure changes, no volume or image handling; capacity never
// changes after registration; labels and taints of adopted nodes are not
// reconciled; the pod watch is not shared with other SimulatedNodes in the
// same process (one watch each).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "client/rest_config.h"
#include "common/status.h"

namespace kubepp::simnode {

struct Taint {
  std::string key;
  std::string value;   // may be empty
  std::string effect;  // NoSchedule, PreferNoSchedule or NoExecute
};

struct NodeImage {
  std::vector<std::string> names;  // e.g. {"registry.k8s.io/pause:3.10"}
  int64_t size_bytes = 0;
};

struct SimulatedNodesOptions {
  int64_t count = 1;
  std::string name_prefix = "sim-";
  // Quantities in API syntax; capacity == allocatable.
  std::string cpu = "32";
  std::string memory = "256Gi";
  std::string pods = "110";
  std::string ephemeral_storage = "100Gi";
  // Extra labels; they override the well-known ones on a clash.
  std::map<std::string, std::string> labels;
  // > 0: topology.kubernetes.io/zone=zone-<i mod zones> (and
  // topology.kubernetes.io/region=region-0).
  int64_t zones = 0;
  std::vector<Taint> taints;
  std::vector<NodeImage> images;  // status.images; empty: none reported
  std::string kubelet_version = "v1.33.0";

  std::chrono::milliseconds lease_renew_interval{10'000};
  int64_t lease_duration_seconds = 40;
  std::chrono::milliseconds heartbeat_interval{60'000};

  // Workers writing pod status / deletions, and workers for Lease and
  // heartbeat writes; also the parallelism of registration.
  int pod_workers = 32;
  int node_workers = 4;

  bool mark_pods_running = true;  // false: leave bound pods Pending (nodes only)
  // Called on the pod watch thread the first time a pod (by uid) is seen
  // bound to one of these nodes, including pods found at the first list
  // (e.g. a benchmark counting binds without a watch of its own). Must be
  // quick and must not call Stop.
  std::function<void(std::string_view ns, std::string_view name, std::string_view node)> on_pod_bound;
  bool delete_nodes_on_stop = false;

  std::string pod_cidr_base = "10.128.0.0";  // inside 10.128.0.0/9 by default
  int pod_cidr_prefix_bits = 9;              // the range all node blocks must fit in
  std::string node_ip_base = "172.16.0.0";   // inside 172.16.0.0/12
  int node_ip_prefix_bits = 12;
};

struct SimulatedNodesStats {
  int64_t nodes_registered = 0;  // created or adopted at Start
  int64_t leases_renewed = 0;
  int64_t heartbeats = 0;
  int64_t pods_marked_running = 0;
  int64_t pods_finalized = 0;  // graceful deletions completed (grace 0)
  int64_t write_errors = 0;    // failed writes (each retried with back-off)
};

class SimulatedNodes {
 public:
  // Validates the options, registers the nodes and their Leases (waiting
  // for every one), then starts the pod watch and the renewal loops.
  // Errors: BadRequest naming the option (a bad quantity, label, taint,
  // count out of the CIDRs' range, bad base address); the first failed
  // registration's Status (nothing keeps running then; nodes already
  // registered stay, or are deleted when delete_nodes_on_stop).
  static StatusOr<std::unique_ptr<SimulatedNodes>> Start(const client::RestConfig& config,
                                                         SimulatedNodesOptions options);
  virtual ~SimulatedNodes() = default;  // implementations Stop()

  // Stops the watch, the loops and the workers (in-flight writes finish) and
  // joins every thread; then deletes the nodes and their Leases when
  // delete_nodes_on_stop. Idempotent.
  virtual void Stop() = 0;

  virtual const std::vector<std::string>& node_names() const = 0;
  virtual SimulatedNodesStats stats() const = 0;
  // True once the pod watch has listed the existing pods (bound pods are
  // noticed only from then on).
  virtual bool PodWatchSynced() const = 0;
};

// "k=v,k2=v2" (empty: none). Keys and values are validated as label keys
// and values. Errors: BadRequest naming the offending item.
StatusOr<std::map<std::string, std::string>> ParseLabels(std::string_view text);
// "k=v:NoSchedule,k2:NoExecute" (empty: none), kubelet --register-with-taints
// syntax. Errors: BadRequest naming the offending item.
StatusOr<std::vector<Taint>> ParseTaints(std::string_view text);
// "10s", "1m", "500ms", "1h30m" (Go duration syntax, positive, no fractions
// below a millisecond). Errors: BadRequest quoting the text.
StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace kubepp::simnode
