// NodeResourcesFit filter plugin: the pod's requests (see
// ComputePodResourceRequest) must fit in the node's allocatable minus what
// the pods already on it request, and the node must have room for one more
// pod. Pure function; thread-safe.
//
// Known blind spots: the ignoredResources / ignoredResourceGroups plugin args
// and the "node capacity can never fit" UnschedulableAndUnresolvable split
// of newer upstream releases are not modelled (always Unschedulable).
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "scheduler/framework/types.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kNodeResourcesFitName = "NodeResourcesFit";

// Success when everything fits. Otherwise Unschedulable with one reason per
// shortfall, in upstream order: "Too many pods", "Insufficient cpu",
// "Insufficient memory", "Insufficient ephemeral-storage", then
// "Insufficient <name>" per scalar resource sorted by name. kError with the
// message when the pod's requests are malformed.
FilterStatus NodeResourcesFitFilter(const nlohmann::json &pod, const NodeInfo &node);

}  // namespace kubepp::scheduler::plugins
