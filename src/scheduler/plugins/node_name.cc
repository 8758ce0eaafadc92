#include "scheduler/plugins/node_name.h"

#include <nlohmann/json.hpp>

namespace kubepp::scheduler::plugins {

FilterStatus NodeNameFilter(const nlohmann::json &pod, const NodeInfo &node) {
  const auto *spec = pod.is_object() && pod.contains("spec") ? &pod["spec"] : nullptr;
  if (spec == nullptr || !spec->is_object()) return FilterStatus::Success();
  auto it = spec->find("nodeName");
  if (it == spec->end() || !it->is_string() || it->get_ref<const std::string &>().empty()) {
    return FilterStatus::Success();
  }
  if (it->get_ref<const std::string &>() == node.name()) return FilterStatus::Success();
  return {FilterCode::kUnschedulableAndUnresolvable, {std::string(kErrReasonNodeName)}};
}

}  // namespace kubepp::scheduler::plugins
