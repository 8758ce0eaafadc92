// NodeResourcesFit plugin (upstream "NodeResourcesFit").
//   PreFilter: records the pod's requests (and the scalar resources to
//     check, minus ignoredResources / ignoredResourceGroups) in CycleState.
//   Filter: the node must have room for one more pod ("Too many pods") and
//     for each requested resource ("Insufficient cpu", "Insufficient memory",
//     "Insufficient ephemeral-storage", "Insufficient <name>", in that
//     order, scalars by name). Unschedulable, or UnschedulableAndUnresolvable
//     when some request exceeds the node's whole allocatable (preemption
//     cannot help).
//   PreScore/Score: the scoring strategy over the configured resources:
//     LeastAllocated (default; cpu and memory weight 1), MostAllocated, or
//     RequestedToCapacityRatio (a broken-linear shape of utilization 0..100
//     -> score 0..10). cpu/memory use non-zero requests as upstream.
// Args (NodeResourcesFitArgs): ignoredResources, ignoredResourceGroups,
// scoringStrategy {type, resources [{name, weight}], requestedToCapacityRatio
// {shape [{utilization, score}]}}.
//
// Known blind spots: pod-level resources, in-place resize and DRA-backed
// extended resources are not modelled.
//
// Ownership: created by its factory, owned by the Framework.
// Thread-safety: immutable after construction apart from CycleState; every
// method may be called concurrently on different CycleStates.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/framework/interface.h"
#include "scheduler/plugins/node_resources_fit/resource_allocation.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kNodeResourcesFitName = "NodeResourcesFit";

enum class ScoringStrategyType { kLeastAllocated, kMostAllocated, kRequestedToCapacityRatio };

struct UtilizationShapePoint {
  int32_t utilization = 0;  // 0..100
  int32_t score = 0;        // 0..10
};

// NodeResourcesFitArgs with the v1 defaults applied.
struct NodeResourcesFitArgs {
  std::set<std::string> ignored_resources;
  std::set<std::string> ignored_resource_groups;
  ScoringStrategyType type = ScoringStrategyType::kLeastAllocated;
  std::vector<ResourceSpec> resources = DefaultResourceSpecs();
  std::vector<UtilizationShapePoint> shape;  // RequestedToCapacityRatio only
};

// Parses and validates the args (null -> defaults). Errors: Invalid with
// upstream's field errors, e.g. `scoringStrategy.type: Unsupported value:
// "Foo": supported values: "LeastAllocated", "MostAllocated",
// "RequestedToCapacityRatio"` or `scoringStrategy.resources[0].weight:
// Invalid value: 101: resource weight of cpu not in valid range (0, 100]`.
StatusOr<NodeResourcesFitArgs> ParseNodeResourcesFitArgs(const nlohmann::json* args);

// The strategies' per-node scorers over index-aligned requested/allocatable
// arrays (entries with allocatable 0 are skipped), exposed for tests.
int64_t LeastAllocatedScore(const std::vector<ResourceSpec>& resources, const int64_t* requested,
                            const int64_t* allocatable);
int64_t MostAllocatedScore(const std::vector<ResourceSpec>& resources, const int64_t* requested,
                           const int64_t* allocatable);
int64_t RequestedToCapacityRatioScore(const std::vector<ResourceSpec>& resources,
                                      const std::vector<UtilizationShapePoint>& shape,
                                      const int64_t* requested, const int64_t* allocatable);

class NodeResourcesFit final : public PreFilterPlugin,
                               public FilterPlugin,
                               public PreScorePlugin,
                               public ScorePlugin,
                               public EnqueueExtensions {
 public:
  explicit NodeResourcesFit(NodeResourcesFitArgs args);

  std::string_view Name() const override { return kNodeResourcesFitName; }
  // Error when the pod could not be parsed (its requests may be wrong).
  PluginStatus PreFilter(CycleState& state, const PodInfo& pod, const std::vector<NodeInfoPtr>& nodes,
                         PreFilterResult* result) override;
  PluginStatus Filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  PluginStatus PreScore(CycleState& state, const PodInfo& pod,
                        const std::vector<NodeInfoPtr>& nodes) override;
  PluginStatus Score(CycleState& state, const PodInfo& pod, const NodeInfo& node, int64_t* score) override;
  // Assigned pod deleted or scaled down; node added or allocatable changed.
  std::vector<ClusterEvent> EventsToRegister() const override;

  const NodeResourcesFitArgs& args() const { return args_; }

 private:
  const NodeResourcesFitArgs args_;
  const ResourceAllocationScorer scorer_;
};

StatusOr<std::unique_ptr<Plugin>> NewNodeResourcesFit(const nlohmann::json* args, Handle& handle);

}  // namespace kubepp::scheduler::plugins
