#include "scheduler/plugins/taint_toleration/taint_toleration.h"

namespace kubepp::scheduler::plugins {
namespace {

constexpr std::string_view kPreScoreStateKey = "PreScoreTaintToleration";

struct PreScoreState final : StateData {
  std::vector<Toleration> tolerations_prefer_no_schedule;
  std::unique_ptr<StateData> Clone() const override { return std::make_unique<PreScoreState>(*this); }
};

std::vector<Toleration> PreferNoScheduleTolerations(const std::vector<Toleration>& tolerations) {
  std::vector<Toleration> out;
  for (const auto& t : tolerations) {
    if (t.effect.empty() || t.effect == "PreferNoSchedule") out.push_back(t);
  }
  return out;
}

int64_t CountIntolerablePreferNoSchedule(const std::vector<Taint>& taints,
                                         const std::vector<Toleration>& tolerations) {
  int64_t count = 0;
  for (const auto& taint : taints) {
    if (taint.effect != "PreferNoSchedule") continue;
    if (!TolerationsTolerateTaint(tolerations, taint)) ++count;
  }
  return count;
}

}  // namespace

PluginStatus TaintToleration::Filter(CycleState& /*state*/, const PodInfo& pod, const NodeInfo& node) {
  for (const auto& taint : node.taints()) {
    if (taint.effect != "NoSchedule" && taint.effect != "NoExecute") continue;
    if (TolerationsTolerateTaint(pod.tolerations, taint)) continue;
    return PluginStatus::Unresolvable("node(s) had untolerated taint {" + taint.key + ": " + taint.value +
                                      "}");
  }
  return PluginStatus::Success();
}

PluginStatus TaintToleration::PreScore(CycleState& state, const PodInfo& pod,
                                       const std::vector<NodeInfoPtr>& nodes) {
  if (nodes.empty()) return PluginStatus::Success();
  auto s = std::make_unique<PreScoreState>();
  s->tolerations_prefer_no_schedule = PreferNoScheduleTolerations(pod.tolerations);
  state.Write(kPreScoreStateKey, std::move(s));
  return PluginStatus::Success();
}

PluginStatus TaintToleration::Score(CycleState& state, const PodInfo& pod, const NodeInfo& node,
                                    int64_t* score) {
  if (node.taints().empty()) {
    *score = 0;
    return PluginStatus::Success();
  }
  if (const auto* s = static_cast<const PreScoreState*>(state.Read(kPreScoreStateKey)); s != nullptr) {
    *score = CountIntolerablePreferNoSchedule(node.taints(), s->tolerations_prefer_no_schedule);
  } else {
    *score = CountIntolerablePreferNoSchedule(node.taints(), PreferNoScheduleTolerations(pod.tolerations));
  }
  return PluginStatus::Success();
}

PluginStatus TaintToleration::NormalizeScore(CycleState& /*state*/, const PodInfo& /*pod*/,
                                             std::vector<NodeScore>& scores) {
  DefaultNormalizeScore(kMaxNodeScore, /*reverse=*/true, scores);
  return PluginStatus::Success();
}

std::vector<ClusterEvent> TaintToleration::EventsToRegister() const {
  return {{EventResource::kNode, kAdd | kUpdateNodeTaint}, {EventResource::kPod, kUpdatePodTolerations}};
}

StatusOr<std::unique_ptr<Plugin>> NewTaintToleration(const nlohmann::json* /*args*/, Handle& /*handle*/) {
  return std::unique_ptr<Plugin>(std::make_unique<TaintToleration>());
}

}  // namespace kubepp::scheduler::plugins
