// NodeResourcesBalancedAllocation plugin (upstream
// "NodeResourcesBalancedAllocation"): favours nodes whose utilization of the
// configured resources (default cpu and memory) would be most even with the
// pod on them: score = (1 - standard deviation of requested/allocatable
// fractions, each capped at 1) * 100. Plain requests are used (no non-zero
// defaults), and a pod requesting none of the resources is not scored
// (PreScore returns Skip, as upstream does since 1.33).
// Args (NodeResourcesBalancedAllocationArgs): {"resources": [{name, weight}]}
// with every weight 1.
//
// Ownership: created by its factory, owned by the Framework.
// Thread-safety: immutable after construction apart from CycleState.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/framework/interface.h"
#include "scheduler/plugins/node_resources_fit/resource_allocation.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kNodeResourcesBalancedAllocationName = "NodeResourcesBalancedAllocation";

// Parses and validates the args' resources (null -> cpu, memory). Errors:
// Invalid, e.g. `resources[1].name: Duplicate value: "cpu"` or
// `resources[0].weight: Invalid value: 2: must be 1`.
StatusOr<std::vector<ResourceSpec>> ParseNodeResourcesBalancedAllocationArgs(const nlohmann::json* args);

// upstream balancedResourceScorer over index-aligned arrays of `n` entries
// (entries with allocatable 0 are skipped).
int64_t BalancedResourceScore(size_t n, const int64_t* requested, const int64_t* allocatable);

class NodeResourcesBalancedAllocation final : public PreScorePlugin, public ScorePlugin {
 public:
  explicit NodeResourcesBalancedAllocation(std::vector<ResourceSpec> resources)
      : scorer_(std::move(resources), /*use_requested=*/true) {}

  std::string_view Name() const override { return kNodeResourcesBalancedAllocationName; }
  PluginStatus PreScore(CycleState& state, const PodInfo& pod,
                        const std::vector<NodeInfoPtr>& nodes) override;
  PluginStatus Score(CycleState& state, const PodInfo& pod, const NodeInfo& node, int64_t* score) override;

 private:
  const ResourceAllocationScorer scorer_;
};

StatusOr<std::unique_ptr<Plugin>> NewNodeResourcesBalancedAllocation(const nlohmann::json* args,
                                                                     Handle& handle);

}  // namespace kubepp::scheduler::plugins
