// PodTopologySpread: upstream's plugin of that name (PreFilter, Filter,
// PreFilterExtensions, PreScore, Score, NormalizeScore, EventsToRegister).
//
// For each of the pod's topologySpreadConstraints, the pods matching the
// constraint's selector in the pod's namespace (terminating pods excluded)
// are counted per topology domain, over the nodes that carry every
// constraint's topology key and pass the constraint's inclusion policies
// (nodeAffinityPolicy Honor: the pod's nodeSelector and required node
// affinity; nodeTaintsPolicy Honor: no untolerated NoSchedule/NoExecute
// taint).
//   Filter (DoNotSchedule constraints): placing the pod in the node's domain
//     must keep count + self-match - global minimum <= maxSkew; the global
//     minimum is 0 while there are fewer domains than minDomains.
//   Score (ScheduleAnyway constraints): fewer matching pods in the node's
//     domains scores higher; each constraint's count is weighted by
//     log(number of domains + 2), normalized so the best node gets 100.
// A pod without constraints gets the defaults from the args: "System" (the
// default) uses hostname maxSkew 3 and zone maxSkew 5, ScheduleAnyway, with a
// selector made from the Services, ReplicaSets, StatefulSets and
// ReplicationControllers that select/own the pod; "List" uses
// args.defaultConstraints with that same selector.
//
// PreFilter/PreScore visit every node once; the number of matching pods on a
// node is cached per (namespace, selector) across cycles and recounted only
// for NodeInfos that changed (generation or identity), so consecutive pods of
// one workload cost O(nodes) hash lookups, not O(pods). Filter and Score are
// a few hash lookups per constraint. The global minimum is tracked with
// upstream's two "critical paths" so that AddPod/RemovePod (preemption,
// nominated pods) stay O(1) per constraint.
//
// Ownership/thread-safety: one instance per profile, called on the
// scheduling-cycle thread only (the count cache is unguarded plugin state);
// per-pod state lives in the CycleState.
// Known blind spots: no queueing hints; the default selector scans the
// watched Services/ReplicaSets/... once per scored pod without constraints.
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "api/labels.h"
#include "common/status.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kPodTopologySpreadName = "PodTopologySpread";

inline constexpr std::string_view kErrReasonConstraintsNotMatch =
    "node(s) didn't match pod topology spread constraints";
inline constexpr std::string_view kErrReasonNodeLabelNotMatch =
    "node(s) didn't match pod topology spread constraints (missing required label)";

// One entry of PodTopologySpreadArgs.defaultConstraints (a core/v1
// TopologySpreadConstraint without labelSelector).
struct DefaultSpreadConstraint {
  int32_t max_skew = 0;
  std::string topology_key;
  std::string when_unsatisfiable;  // "DoNotSchedule" or "ScheduleAnyway"
  int32_t min_domains = 1;
  std::string node_affinity_policy = "Honor";
  std::string node_taints_policy = "Ignore";
  std::vector<std::string> match_label_keys;
};

// kubescheduler.config.k8s.io/v1 PodTopologySpreadArgs.
struct PodTopologySpreadArgs {
  std::vector<DefaultSpreadConstraint> default_constraints;
  std::string defaulting_type = "System";  // or "List"
};

// Parses and validates the args (null -> defaults) as upstream's
// ValidatePodTopologySpreadArgs does. Returns Invalid with the field errors,
// e.g. "defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range
// (0, inf)" or "defaultingType: Invalid value: \"System\": when
// .defaultConstraints are not empty".
StatusOr<PodTopologySpreadArgs> ParsePodTopologySpreadArgs(const nlohmann::json* args);

// upstream's system default constraints (hostname maxSkew 3, zone maxSkew 5,
// both ScheduleAnyway).
const std::vector<DefaultSpreadConstraint>& SystemDefaultSpreadConstraints();

// upstream helper.DefaultSelector: the union of the selectors of the Services
// in the pod's namespace that select it, and of its controlling
// ReplicationController / ReplicaSet / StatefulSet (from handle.Objects).
// Empty when nothing selects the pod.
api::LabelSelector DefaultSpreadSelector(const PodInfo& pod, const Handle& handle);

StatusOr<std::unique_ptr<Plugin>> NewPodTopologySpread(const nlohmann::json* args, Handle& handle);

}  // namespace kubepp::scheduler::plugins
