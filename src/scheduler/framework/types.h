// Resource: a resource vector as the scheduler counts it, and the pod
// request rules (ComputePodResourceRequest over a Pod's API JSON). Upstream's
// pod request rules are followed: regular containers are summed, restartable (sidecar) init
// containers are added to that sum and also run beside every later init
// container, the result is the max of that and the biggest init step, and
// spec.overhead is added on top.
//
// Known blind spots: pod-level resources (spec.resources) and in-place resize
// (status.containerStatuses[].allocatedResources) are not modelled.
//
// Thread-safety: value types; const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <map>
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
// With non_zero_defaults, a container that does not request cpu (memory)
// counts as 100m (200Mi), as upstream's scoring does.
StatusOr<Resource> ComputePodResourceRequest(const nlohmann::json &pod, bool non_zero_defaults = false);

}  // namespace kubepp::scheduler
