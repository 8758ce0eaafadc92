#include "scheduler/plugins/node_unschedulable/node_unschedulable.h"

namespace kubepp::scheduler::plugins {

PluginStatus NodeUnschedulable::Filter(CycleState& /*state*/, const PodInfo& pod, const NodeInfo& node) {
  if (!node.unschedulable()) return PluginStatus::Success();
  static const Taint kTaint{std::string(kTaintNodeUnschedulable), "", "NoSchedule"};
  if (TolerationsTolerateTaint(pod.tolerations, kTaint)) return PluginStatus::Success();
  return PluginStatus::Unresolvable(std::string(kErrReasonUnschedulable));
}

std::vector<ClusterEvent> NodeUnschedulable::EventsToRegister() const {
  return {{EventResource::kNode, kAdd | kUpdateNodeTaint}, {EventResource::kPod, kUpdatePodTolerations}};
}

StatusOr<std::unique_ptr<Plugin>> NewNodeUnschedulable(const nlohmann::json* /*args*/, Handle& /*handle*/) {
  return std::unique_ptr<Plugin>(std::make_unique<NodeUnschedulable>());
}

}  // namespace kubepp::scheduler::plugins
