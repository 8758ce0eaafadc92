#include "scheduler/plugins/node_name/node_name.h"

namespace kubepp::scheduler::plugins {

PluginStatus NodeName::Filter(CycleState& /*state*/, const PodInfo& pod, const NodeInfo& node) {
  if (pod.node_name.empty() || pod.node_name == node.name()) return PluginStatus::Success();
  return PluginStatus::Unresolvable(std::string(kErrReasonNodeName));
}

std::vector<ClusterEvent> NodeName::EventsToRegister() const { return {{EventResource::kNode, kAdd}}; }

StatusOr<std::unique_ptr<Plugin>> NewNodeName(const nlohmann::json* /*args*/, Handle& /*handle*/) {
  return std::unique_ptr<Plugin>(std::make_unique<NodeName>());
}

}  // namespace kubepp::scheduler::plugins
