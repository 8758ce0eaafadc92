#include "scheduler/plugins/taint_toleration.h"

#include <nlohmann/json.hpp>

#include "scheduler/framework/json_access.h"

namespace kubepp::scheduler::plugins {

using internal::StringAt;
using nlohmann::json;

bool ToleratesTaint(const json &toleration, const json &taint) {
  if (!toleration.is_object() || !taint.is_object()) return false;
  std::string effect = StringAt(toleration, {"effect"});
  if (!effect.empty() && effect != StringAt(taint, {"effect"})) return false;
  std::string key = StringAt(toleration, {"key"});
  if (!key.empty() && key != StringAt(taint, {"key"})) return false;
  std::string op = StringAt(toleration, {"operator"});
  if (op == "Exists") return true;
  if (op.empty() || op == "Equal") return StringAt(toleration, {"value"}) == StringAt(taint, {"value"});
  return false;
}

bool TolerationsTolerateTaint(const json &tolerations, const json &taint) {
  if (!tolerations.is_array()) return false;
  for (const auto &t : tolerations) {
    if (ToleratesTaint(t, taint)) return true;
  }
  return false;
}

FilterStatus TaintTolerationFilter(const json &pod, const NodeInfo &node) {
  const json *taints = internal::Find(node.node(), {"spec", "taints"});
  if (taints == nullptr || !taints->is_array()) return FilterStatus::Success();
  const json *tolerations = internal::Find(pod, {"spec", "tolerations"});
  for (const auto &taint : *taints) {
    std::string effect = StringAt(taint, {"effect"});
    if (effect != "NoSchedule" && effect != "NoExecute") continue;
    if (tolerations != nullptr && TolerationsTolerateTaint(*tolerations, taint)) continue;
    return {FilterCode::kUnschedulableAndUnresolvable,
            {"node(s) had untolerated taint {" + StringAt(taint, {"key"}) + ": " +
             StringAt(taint, {"value"}) + "}"}};
  }
  return FilterStatus::Success();
}

}  // namespace kubepp::scheduler::plugins
