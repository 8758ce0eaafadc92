#include "scheduler/plugins/taint_toleration.h"

#include <nlohmann/json.hpp>

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;

// The string at obj[key]; "" when absent, null or not a string.
std::string Str(const json &obj, const char *key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

}  // namespace

bool ToleratesTaint(const json &toleration, const json &taint) {
  if (!toleration.is_object() || !taint.is_object()) return false;
  std::string effect = Str(toleration, "effect");
  if (!effect.empty() && effect != Str(taint, "effect")) return false;
  std::string key = Str(toleration, "key");
  if (!key.empty() && key != Str(taint, "key")) return false;
  std::string op = Str(toleration, "operator");
  if (op == "Exists") return true;
  if (op.empty() || op == "Equal") return Str(toleration, "value") == Str(taint, "value");
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
  const json &n = node.node();
  if (!n.contains("spec") || !n["spec"].is_object()) return FilterStatus::Success();
  auto taints = n["spec"].find("taints");
  if (taints == n["spec"].end() || !taints->is_array()) return FilterStatus::Success();
  static const json kNull;
  const json *tolerations = &kNull;
  if (pod.is_object() && pod.contains("spec") && pod["spec"].is_object() &&
      pod["spec"].contains("tolerations")) {
    tolerations = &pod["spec"]["tolerations"];
  }
  for (const auto &taint : *taints) {
    std::string effect = Str(taint, "effect");
    if (effect != "NoSchedule" && effect != "NoExecute") continue;
    if (TolerationsTolerateTaint(*tolerations, taint)) continue;
    return {FilterCode::kUnschedulableAndUnresolvable,
            {"node(s) had untolerated taint {" + Str(taint, "key") + ": " + Str(taint, "value") + "}"}};
  }
  return FilterStatus::Success();
}

}  // namespace kubepp::scheduler::plugins
