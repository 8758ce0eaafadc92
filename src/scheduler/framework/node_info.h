// NodeInfo: a Node as the scheduler reads it (labels, taints, allocatable,
// images parsed once per node update) plus the pods the scheduler counts on
// it (bound pods and pods assumed by a scheduling cycle) and their summed
// requests and host ports.
//
// Upstream keeps NodeInfos for nodes it has not seen yet (pods arrive
// first); so does the cache: node() may be null, and such a NodeInfo is
// never offered to plugins.
//
// Thread-safety: a NodeInfo is mutated only by its owner (the cache, or a
// preemption dry run on its own copy); the snapshot hands plugins const
// pointers that no one mutates while a cycle runs.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "api/labels.h"
#include "scheduler/framework/pod_info.h"
#include "scheduler/framework/types.h"

namespace kubepp::scheduler {

class NodeInfo {
 public:
  NodeInfo() = default;
  // A NodeInfo for `node` (a core/v1 Node). A malformed allocatable quantity
  // is read as zero and recorded in parse_error().
  explicit NodeInfo(std::shared_ptr<const nlohmann::json> node);

  // Replaces the node object (pods are kept).
  void SetNode(std::shared_ptr<const nlohmann::json> node);
  void ClearNode();

  // Adds the pod's requests, ports and affinity bookkeeping.
  void AddPod(PodInfoPtr pod);
  // Removes the pod with this uid; false when it is not here.
  bool RemovePod(const std::string& uid);

  // null until the node is known.
  const std::shared_ptr<const nlohmann::json>& node() const { return node_; }
  const std::string& name() const { return name_; }
  const api::Labels& labels() const { return labels_; }
  const std::vector<Taint>& taints() const { return taints_; }
  bool unschedulable() const { return unschedulable_; }
  const Resource& allocatable() const { return allocatable_; }
  // Sum of the pods' requests.
  const Resource& requested() const { return requested_; }
  // Sum of the pods' non-zero requests (scoring).
  const Resource& non_zero_requested() const { return non_zero_requested_; }
  const std::vector<PodInfoPtr>& pods() const { return pods_; }
  const std::vector<PodInfoPtr>& pods_with_affinity() const { return pods_with_affinity_; }
  const std::vector<PodInfoPtr>& pods_with_required_anti_affinity() const {
    return pods_with_required_anti_affinity_;
  }
  // hostPorts in use by the pods here.
  const std::vector<HostPort>& used_ports() const { return used_ports_; }
  // status.images: every name of every image -> its size in bytes, under
  // both the reported name and its normalized form
  // (runtime::image::NormalizeReference: "busybox" is
  // "docker.io/library/busybox:latest", as the runtime reports it). Upstream
  // only appends ":latest"; the full form also matches the runtime's fully
  // qualified names, which upstream's own TODO lists as missed matches.
  const std::unordered_map<std::string, int64_t>& image_sizes() const { return image_sizes_; }
  const Status& parse_error() const { return parse_error_; }

  // Bumped on every change; the snapshot copies only changed nodes.
  int64_t generation() const { return generation_; }
  void set_generation(int64_t g) { generation_ = g; }

 private:
  std::shared_ptr<const nlohmann::json> node_;
  std::string name_;
  api::Labels labels_;
  std::vector<Taint> taints_;
  bool unschedulable_ = false;
  Resource allocatable_;
  std::unordered_map<std::string, int64_t> image_sizes_;
  Status parse_error_;

  std::vector<PodInfoPtr> pods_;
  std::vector<PodInfoPtr> pods_with_affinity_;
  std::vector<PodInfoPtr> pods_with_required_anti_affinity_;
  std::vector<HostPort> used_ports_;
  Resource requested_;
  Resource non_zero_requested_;
  int64_t generation_ = 0;
};

using NodeInfoPtr = std::shared_ptr<const NodeInfo>;


// True when the two host ports conflict: same protocol and port, and equal
// IPs or either one 0.0.0.0 (upstream HostPortInfo.CheckConflict).
bool HostPortsConflict(const HostPort& a, const HostPort& b);

}  // namespace kubepp::scheduler
