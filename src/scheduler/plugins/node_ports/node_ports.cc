#include "scheduler/plugins/node_ports/node_ports.h"

namespace kubepp::scheduler::plugins {
namespace {

constexpr std::string_view kPreFilterStateKey = "PreFilterNodePorts";

struct PreFilterState final : StateData {
  std::vector<HostPort> ports;
  std::unique_ptr<StateData> Clone() const override { return std::make_unique<PreFilterState>(*this); }
};

}  // namespace

bool FitsPorts(const std::vector<HostPort>& wanted, const NodeInfo& node) {
  for (const auto& want : wanted) {
    if (want.port <= 0) continue;
    for (const auto& used : node.used_ports()) {
      if (HostPortsConflict(want, used)) return false;
    }
  }
  return true;
}

PluginStatus NodePorts::PreFilter(CycleState& state, const PodInfo& pod,
                                  const std::vector<NodeInfoPtr>& /*nodes*/, PreFilterResult* /*result*/) {
  if (pod.host_ports.empty()) return PluginStatus::Skip();
  auto s = std::make_unique<PreFilterState>();
  s->ports = pod.host_ports;
  state.Write(kPreFilterStateKey, std::move(s));
  return PluginStatus::Success();
}

PluginStatus NodePorts::Filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) {
  const auto* s = static_cast<const PreFilterState*>(state.Read(kPreFilterStateKey));
  const std::vector<HostPort>& wanted = s != nullptr ? s->ports : pod.host_ports;
  if (FitsPorts(wanted, node)) return PluginStatus::Success();
  return PluginStatus::Unschedulable(std::string(kErrReasonNodePorts));
}

std::vector<ClusterEvent> NodePorts::EventsToRegister() const {
  return {{EventResource::kPod, kDelete}, {EventResource::kNode, kAdd | kUpdate}};
}

StatusOr<std::unique_ptr<Plugin>> NewNodePorts(const nlohmann::json* /*args*/, Handle& /*handle*/) {
  return std::unique_ptr<Plugin>(std::make_unique<NodePorts>());
}

}  // namespace kubepp::scheduler::plugins
