// TaintToleration plugin (upstream "TaintToleration"): Filter rejects a node
// with a NoSchedule or NoExecute taint the pod does not tolerate; Score
// counts the node's PreferNoSchedule taints the pod does not tolerate, and
// NormalizeScore turns "fewest such taints" into the highest score
// (upstream's DefaultNormalizeScore, reversed). No args.
//
// Ownership: created by its factory, owned by the Framework.
// Thread-safety: stateless apart from CycleState; every method may be called
// concurrently on different CycleStates.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kTaintTolerationName = "TaintToleration";

class TaintToleration final : public FilterPlugin,
                              public PreScorePlugin,
                              public ScorePlugin,
                              public EnqueueExtensions {
 public:
  std::string_view Name() const override { return kTaintTolerationName; }
  // UnschedulableAndUnresolvable "node(s) had untolerated taint {<key>:
  // <value>}" for the first such taint in spec.taints order.
  PluginStatus Filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  // Keeps the pod's tolerations that can tolerate PreferNoSchedule taints.
  PluginStatus PreScore(CycleState& state, const PodInfo& pod,
                        const std::vector<NodeInfoPtr>& nodes) override;
  // The number of intolerable PreferNoSchedule taints (raw; see NormalizeScore).
  PluginStatus Score(CycleState& state, const PodInfo& pod, const NodeInfo& node, int64_t* score) override;
  bool HasNormalizeScore() const override { return true; }
  PluginStatus NormalizeScore(CycleState& state, const PodInfo& pod, std::vector<NodeScore>& scores) override;
  // Node Add / taint change, pod toleration change.
  std::vector<ClusterEvent> EventsToRegister() const override;
};

StatusOr<std::unique_ptr<Plugin>> NewTaintToleration(const nlohmann::json* args, Handle& handle);

}  // namespace kubepp::scheduler::plugins
