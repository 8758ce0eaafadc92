#include "scheduler/plugins/node_unschedulable.h"

#include <nlohmann/json.hpp>

#include "scheduler/framework/json_access.h"
#include "scheduler/plugins/taint_toleration.h"

namespace kubepp::scheduler::plugins {

FilterStatus NodeUnschedulableFilter(const nlohmann::json &pod, const NodeInfo &node) {
  const nlohmann::json *unschedulable = internal::Find(node.node(), {"spec", "unschedulable"});
  if (unschedulable == nullptr || !unschedulable->is_boolean() || !unschedulable->get<bool>()) {
    return FilterStatus::Success();
  }
  // Tolerating the taint the node controller would add is how DaemonSet-style
  // pods opt in to cordoned nodes; the taint itself need not be present.
  static const nlohmann::json kTaint = {{"key", std::string(kTaintNodeUnschedulable)},
                                        {"effect", "NoSchedule"}};
  const nlohmann::json *tolerations = internal::Find(pod, {"spec", "tolerations"});
  if (tolerations != nullptr && TolerationsTolerateTaint(*tolerations, kTaint))
    return FilterStatus::Success();
  return {FilterCode::kUnschedulableAndUnresolvable, {std::string(kErrReasonUnschedulable)}};
}

}  // namespace kubepp::scheduler::plugins
