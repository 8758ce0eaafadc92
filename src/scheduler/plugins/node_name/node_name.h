// NodeName plugin (upstream "NodeName"): a pod whose spec.nodeName is set
// fits only the node of that name. Filter only; no args.
//
// Ownership: created by its factory, owned by the Framework.
// Thread-safety: stateless; every method may be called concurrently.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kNodeNameName = "NodeName";
inline constexpr std::string_view kErrReasonNodeName = "node(s) didn't match the requested node name";

class NodeName final : public FilterPlugin, public EnqueueExtensions {
 public:
  std::string_view Name() const override { return kNodeNameName; }
  // Success when spec.nodeName is empty or names `node`; otherwise
  // UnschedulableAndUnresolvable with kErrReasonNodeName.
  PluginStatus Filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  // Node Add (a node of the requested name may appear).
  std::vector<ClusterEvent> EventsToRegister() const override;
};

// Factory; args are ignored (NodeName takes none).
StatusOr<std::unique_ptr<Plugin>> NewNodeName(const nlohmann::json* args, Handle& handle);

}  // namespace kubepp::scheduler::plugins
