// NodeUnschedulable plugin (upstream "NodeUnschedulable"): a cordoned node
// (spec.unschedulable) takes only pods that tolerate the
// node.kubernetes.io/unschedulable:NoSchedule taint, whether or not the node
// actually carries that taint. Filter only; no args.
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

inline constexpr std::string_view kNodeUnschedulableName = "NodeUnschedulable";
inline constexpr std::string_view kErrReasonUnschedulable = "node(s) were unschedulable";
inline constexpr std::string_view kTaintNodeUnschedulable = "node.kubernetes.io/unschedulable";

class NodeUnschedulable final : public FilterPlugin, public EnqueueExtensions {
 public:
  std::string_view Name() const override { return kNodeUnschedulableName; }
  // Success when the node is schedulable or the pod tolerates the taint;
  // otherwise UnschedulableAndUnresolvable with kErrReasonUnschedulable.
  PluginStatus Filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) override;
  // Node Add / taint change (spec.unschedulable counts as one), pod
  // toleration change.
  std::vector<ClusterEvent> EventsToRegister() const override;
};

StatusOr<std::unique_ptr<Plugin>> NewNodeUnschedulable(const nlohmann::json* args, Handle& handle);

}  // namespace kubepp::scheduler::plugins
