#include "scheduler/plugins/node_name.h"

#include <nlohmann/json.hpp>

#include "scheduler/framework/json_access.h"

namespace kubepp::scheduler::plugins {

FilterStatus NodeNameFilter(const nlohmann::json &pod, const NodeInfo &node) {
  const std::string node_name = internal::StringAt(pod, {"spec", "nodeName"});
  if (node_name.empty() || node_name == node.name()) return FilterStatus::Success();
  return {FilterCode::kUnschedulableAndUnresolvable, {std::string(kErrReasonNodeName)}};
}

}  // namespace kubepp::scheduler::plugins
