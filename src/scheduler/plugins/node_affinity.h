// NodeAffinity filter plugin: spec.nodeSelector and
// spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.
// Pure function over API JSON; thread-safe.
//
// Semantics as upstream: every nodeSelector label must equal the node's; the
// required nodeSelectorTerms are ORed, each term ANDs its matchExpressions
// (In, NotIn, Exists, DoesNotExist, Gt, Lt over node labels) and matchFields
// (only metadata.name with In/NotIn and exactly one value). A term with no
// requirements, or one with an invalid requirement, matches no node; an empty
// term list matches no node.
//
// Known blind spot: the plugin-args addedAffinity ("scheduler-enforced node
// affinity") is not supported.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "scheduler/framework/types.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kNodeAffinityName = "NodeAffinity";
inline constexpr std::string_view kErrReasonNodeAffinity =
    "node(s) didn't match Pod's node affinity/selector";

// True when `node` satisfies a core/v1 NodeSelector object (nodeSelectorTerms).
bool NodeSelectorMatches(const nlohmann::json &node_selector, const nlohmann::json &node);

// Success when both the nodeSelector and the required node affinity match;
// otherwise UnschedulableAndUnresolvable with kErrReasonNodeAffinity.
FilterStatus NodeAffinityFilter(const nlohmann::json &pod, const NodeInfo &node);

}  // namespace kubepp::scheduler::plugins
