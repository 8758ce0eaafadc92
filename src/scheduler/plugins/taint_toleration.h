// TaintToleration filter plugin and the toleration-matching rules shared with
// other plugins. Pure functions over API JSON (core/v1 Taint, Toleration);
// thread-safe.
//
// A toleration matches a taint when its effect is empty or equal, its key is
// empty or equal, and its operator is Exists, or Equal/"" with equal values.
// Unknown operators match nothing.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "scheduler/framework/types.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kTaintTolerationName = "TaintToleration";

// True when `toleration` tolerates `taint` (both JSON objects; anything else
// tolerates/is tolerated by nothing).
bool ToleratesTaint(const nlohmann::json &toleration, const nlohmann::json &taint);
// True when any element of `tolerations` (a JSON array, or null) tolerates
// taint.
bool TolerationsTolerateTaint(const nlohmann::json &tolerations, const nlohmann::json &taint);

// Success unless the node has a NoSchedule or NoExecute taint the pod does not
// tolerate (PreferNoSchedule never filters); then UnschedulableAndUnresolvable
// with "node(s) had untolerated taint {<key>: <value>}" for the first such
// taint in spec.taints order.
FilterStatus TaintTolerationFilter(const nlohmann::json &pod, const NodeInfo &node);

}  // namespace kubepp::scheduler::plugins
