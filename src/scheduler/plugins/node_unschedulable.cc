#include "scheduler/plugins/node_unschedulable.h"

#include <nlohmann/json.hpp>

#include "scheduler/plugins/taint_toleration.h"

namespace kubepp::scheduler::plugins {

FilterStatus NodeUnschedulableFilter(const nlohmann::json &pod, const NodeInfo &node) {
  const nlohmann::json &n = node.node();
  bool unschedulable = n.contains("spec") && n["spec"].is_object() && n["spec"].contains("unschedulable") &&
                       n["spec"]["unschedulable"].is_boolean() && n["spec"]["unschedulable"].get<bool>();
  if (!unschedulable) return FilterStatus::Success();
  // Tolerating the taint the node controller would add is how DaemonSet-style
  // pods opt in to cordoned nodes; the taint itself need not be present.
  static const nlohmann::json kTaint = {{"key", std::string(kTaintNodeUnschedulable)},
                                        {"effect", "NoSchedule"}};
  if (pod.is_object() && pod.contains("spec") && pod["spec"].is_object() &&
      pod["spec"].contains("tolerations") && TolerationsTolerateTaint(pod["spec"]["tolerations"], kTaint)) {
    return FilterStatus::Success();
  }
  return {FilterCode::kUnschedulableAndUnresolvable, {std::string(kErrReasonUnschedulable)}};
}

}  // namespace kubepp::scheduler::plugins
