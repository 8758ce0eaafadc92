// NodePorts plugin (upstream "NodePorts"): a pod's hostPorts must be free on
// the node (same protocol and port conflict when the host IPs are equal or
// either is 0.0.0.0). PreFilter records the pod's host ports (Skip when it
// has none); Filter checks them against the node's used ports. No args.
//
// Ownership: created by its factory, owned by the Framework.
// Thread-safety: stateless apart from CycleState.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kNodePortsName = "NodePorts";
inline constexpr std::string_view kErrReasonNodePorts =
    "node(s) didn't have free ports for the requested pod ports";

// True when none of `wanted` conflicts with the node's used ports.
bool FitsPorts(const std::vector<HostPort>& wanted, const NodeInfo& node);

class NodePorts final : public PreFilterPlugin, public FilterPlugin, public EnqueueExtensions {
 public:
  std::string_view Name() const override { return kNodePortsName; }
  PluginStatus PreFilter(CycleState& state, const PodInfo& pod, const std::vector<NodeInfoPtr>& nodes,
                         PreFilterResult* result) override;
  // Unschedulable kErrReasonNodePorts on a conflict.
  PluginStatus Filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  // Assigned pod deleted; node added or changed.
  std::vector<ClusterEvent> EventsToRegister() const override;
};

StatusOr<std::unique_ptr<Plugin>> NewNodePorts(const nlohmann::json* args, Handle& handle);

}  // namespace kubepp::scheduler::plugins
