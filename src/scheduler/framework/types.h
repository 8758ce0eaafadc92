// Scheduler framework value types: Resource (a resource vector as the
// scheduler counts it), NodeInfo (a node plus the pods assigned to it and the
// sum of their requests) and FilterStatus (a Filter plugin's verdict with
// upstream's failure reason strings, which end up in FailedScheduling events).
//
// Pods and Nodes are nlohmann::json objects exactly as the API returns them.
// NodeInfo owns copies of its node and pods. Upstream's pod request rules
// are followed: regular containers are summed, restartable (sidecar) init
// containers are added to that sum and also run beside every later init
// container, the result is the max of that and the biggest init step, and
// spec.overhead is added on top.
//
// Known blind spots: pod-level resources (spec.resources), in-place resize
// (status.containerStatuses[].allocatedResources) and the scheduler's
// "non-zero" defaults used only for scoring are not modelled.
//
// Thread-safety: value types; const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "common/status.h"

namespace kubepp::scheduler {

// Resource names the scheduler tracks as first-class fields; everything else
// (extended resources, hugepages-*, attachable-volumes-*) is a scalar.
inline constexpr const char *kResourceCPU = "cpu";
inline constexpr const char *kResourceMemory = "memory";
inline constexpr const char *kResourceEphemeralStorage = "ephemeral-storage";
inline constexpr const char *kResourcePods = "pods";

struct Resource {
  int64_t milli_cpu = 0;
  int64_t memory = 0;             // bytes
  int64_t ephemeral_storage = 0;  // bytes
  int64_t allowed_pod_number = 0;
  std::map<std::string, int64_t> scalar_resources;  // by resource name, in units

  // Parses a ResourceList object ({"cpu": "100m", ...}) at `path` (used in
  // errors). Returns Invalid naming "<path>.<name>" on a non-string or
  // unparsable quantity, or "<path>" when it is not an object. null -> zero.
  static StatusOr<Resource> FromResourceList(const nlohmann::json &list, const std::string &path);

  void Add(const Resource &other);
  // Element-wise max (upstream SetMaxResource).
  void SetMax(const Resource &other);
  // True when cpu, memory, ephemeral-storage and every scalar are zero
  // (pods count ignored), which lets NodeResourcesFit skip resource checks.
  bool IsZeroRequest() const;

  bool operator==(const Resource &o) const = default;
};

// The resources a pod asks for (upstream resource.PodRequests): see the
// header comment for the rules. Returns Invalid naming the field path (e.g.
// "spec.containers[0].resources.requests.cpu") on a malformed quantity.
StatusOr<Resource> ComputePodResourceRequest(const nlohmann::json &pod);

// A node and the pods the scheduler considers assigned to it. Callers decide
// which pods count (upstream's informer excludes Succeeded/Failed pods).
class NodeInfo {
 public:
  // Reads node.status.allocatable. Returns Invalid when a quantity is bad.
  static StatusOr<NodeInfo> Create(const nlohmann::json &node);
  // Like Create, then AddPod for each pod; the first error is returned.
  static StatusOr<NodeInfo> Create(const nlohmann::json &node, const std::vector<nlohmann::json> &pods);

  // Adds the pod and its requests. Returns Invalid (and changes nothing)
  // when the pod's requests are malformed.
  Status AddPod(const nlohmann::json &pod);

  const nlohmann::json &node() const { return *node_; }
  const std::vector<nlohmann::json> &pods() const { return pods_; }
  // metadata.name of the node ("" when absent).
  const std::string &name() const { return name_; }
  const Resource &allocatable() const { return allocatable_; }
  const Resource &requested() const { return requested_; }

  NodeInfo(const NodeInfo &);
  NodeInfo &operator=(const NodeInfo &);
  NodeInfo(NodeInfo &&) noexcept;
  NodeInfo &operator=(NodeInfo &&) noexcept;
  ~NodeInfo();

 private:
  NodeInfo();

  std::unique_ptr<nlohmann::json> node_;  // never null
  std::vector<nlohmann::json> pods_;
  std::string name_;
  Resource allocatable_;
  Resource requested_;
};

// upstream framework.Code, reduced to what Filter plugins return.
enum class FilterCode {
  kSuccess,
  kUnschedulable,                 // may pass after other pods go away (preemption helps)
  kUnschedulableAndUnresolvable,  // preemption on this node cannot help
  kError,                         // the plugin could not evaluate (bad input)
};

struct FilterStatus {
  FilterCode code = FilterCode::kSuccess;
  std::vector<std::string> reasons;

  static FilterStatus Success() { return {}; }
  bool IsSuccess() const { return code == FilterCode::kSuccess; }
};

}  // namespace kubepp::scheduler
