// NodeUnschedulable filter plugin: nodes with spec.unschedulable (cordoned)
// take only pods tolerating the node.kubernetes.io/unschedulable:NoSchedule
// taint. Pure function over API JSON; thread-safe.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "scheduler/framework/types.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kNodeUnschedulableName = "NodeUnschedulable";
inline constexpr std::string_view kErrReasonUnschedulable = "node(s) were unschedulable";
inline constexpr std::string_view kTaintNodeUnschedulable = "node.kubernetes.io/unschedulable";

// Success when the node is schedulable or the pod tolerates the taint;
// otherwise UnschedulableAndUnresolvable with kErrReasonUnschedulable.
FilterStatus NodeUnschedulableFilter(const nlohmann::json &pod, const NodeInfo &node);

}  // namespace kubepp::scheduler::plugins
