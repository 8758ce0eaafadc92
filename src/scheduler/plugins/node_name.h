// NodeName filter plugin: a pod that names a node in spec.nodeName fits only
// that node. Pure function over API JSON; thread-safe.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "scheduler/framework/types.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kNodeNameName = "NodeName";
inline constexpr std::string_view kErrReasonNodeName = "node(s) didn't match the requested node name";

// Success when spec.nodeName is empty or equals the node's name; otherwise
// UnschedulableAndUnresolvable with kErrReasonNodeName. Never kError.
FilterStatus NodeNameFilter(const nlohmann::json &pod, const NodeInfo &node);

}  // namespace kubepp::scheduler::plugins
