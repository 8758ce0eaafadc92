// NodeAffinity plugin (upstream "NodeAffinity"): spec.nodeSelector and
// spec.affinity.nodeAffinity.
//   PreFilter: Skip when the pod has no nodeSelector, no required node
//     affinity and the args add none; narrows the candidate nodes when every
//     required term names nodes with matchFields metadata.name In (terms are
//     ORed, requirements within a term ANDed; conflicting terms make the pod
//     UnschedulableAndUnresolvable "pod affinity terms conflict").
//   Filter: UnschedulableAndUnresolvable "node(s) didn't match scheduler-
//     enforced node affinity" when the args' addedAffinity rejects the node,
//     "node(s) didn't match Pod's node affinity/selector" when the pod's own
//     constraints do.
//   PreScore/Score: sum of the weights of the matching preferred terms (the
//     pod's and addedAffinity's); Skip when there are none.
//   NormalizeScore: upstream's default (highest becomes 100).
// Args (NodeAffinityArgs): {"addedAffinity": <core/v1 NodeAffinity>}.
//
// Ownership: created by its factory, owned by the Framework; the parsed
// addedAffinity is constant after construction.
// Thread-safety: every method may be called concurrently on different
// CycleStates.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kNodeAffinityName = "NodeAffinity";
inline constexpr std::string_view kErrReasonNodeAffinityPod =
    "node(s) didn't match Pod's node affinity/selector";
inline constexpr std::string_view kErrReasonNodeAffinityEnforced =
    "node(s) didn't match scheduler-enforced node affinity";
inline constexpr std::string_view kErrReasonNodeAffinityConflict = "pod affinity terms conflict";

// NodeAffinityArgs, parsed.
struct NodeAffinityArgs {
  std::optional<NodeSelector> added_required;
  std::vector<PreferredSchedulingTerm> added_preferred;
};

// Parses NodeAffinityArgs (null -> none). Errors: Invalid naming the field,
// e.g. "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.
// nodeSelectorTerms[0].matchExpressions[0].operator: ...".
StatusOr<NodeAffinityArgs> ParseNodeAffinityArgs(const nlohmann::json* args);

// True when the node satisfies the pod's nodeSelector and required node
// affinity (upstream GetRequiredNodeAffinity(pod).Match).
bool PodMatchesNodeSelectorAndAffinityTerms(const PodInfo& pod, const NodeInfo& node);

class NodeAffinity final : public PreFilterPlugin,
                           public FilterPlugin,
                           public PreScorePlugin,
                           public ScorePlugin,
                           public EnqueueExtensions {
 public:
  explicit NodeAffinity(NodeAffinityArgs args) : args_(std::move(args)) {}

  std::string_view Name() const override { return kNodeAffinityName; }
  PluginStatus PreFilter(CycleState& state, const PodInfo& pod, const std::vector<NodeInfoPtr>& nodes,
                         PreFilterResult* result) override;
  PluginStatus Filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  PluginStatus PreScore(CycleState& state, const PodInfo& pod,
                        const std::vector<NodeInfoPtr>& nodes) override;
  PluginStatus Score(CycleState& state, const PodInfo& pod, const NodeInfo& node, int64_t* score) override;
  bool HasNormalizeScore() const override { return true; }
  PluginStatus NormalizeScore(CycleState& state, const PodInfo& pod, std::vector<NodeScore>& scores) override;
  // Node Add / label change.
  std::vector<ClusterEvent> EventsToRegister() const override;

 private:
  const NodeAffinityArgs args_;
};

StatusOr<std::unique_ptr<Plugin>> NewNodeAffinity(const nlohmann::json* args, Handle& handle);

}  // namespace kubepp::scheduler::plugins
