#include "scheduler/plugins/scheduling_gates/scheduling_gates.h"

namespace kubepp::scheduler::plugins {

PluginStatus SchedulingGates::PreEnqueue(const PodInfo& pod) {
  if (pod.scheduling_gates.empty()) return PluginStatus::Success();
  std::string gates;
  for (const auto& g : pod.scheduling_gates) {
    if (!gates.empty()) gates += ' ';
    gates += g;
  }
  return PluginStatus::Unresolvable("waiting for scheduling gates: [" + gates + "]");
}

std::vector<ClusterEvent> SchedulingGates::EventsToRegister() const {
  return {{EventResource::kPod, kUpdatePodSchedulingGatesEliminated}};
}

StatusOr<std::unique_ptr<Plugin>> NewSchedulingGates(const nlohmann::json* /*args*/, Handle& /*handle*/) {
  return std::unique_ptr<Plugin>(std::make_unique<SchedulingGates>());
}

}  // namespace kubepp::scheduler::plugins
