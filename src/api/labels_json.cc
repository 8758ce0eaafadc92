#include "api/labels_json.h"

#include <nlohmann/json.hpp>

namespace kubepp::api {
namespace {

using nlohmann::json;

std::string StringMember(const json& obj, const char* name) {
  auto it = obj.find(name);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

LabelSelectorSpec LabelSelectorSpecFromJson(const json& selector) {
  LabelSelectorSpec spec;
  if (!selector.is_object()) return spec;
  if (auto ml = selector.find("matchLabels"); ml != selector.end() && ml->is_object()) {
    for (const auto& [k, v] : ml->items()) {
      if (v.is_string()) spec.match_labels.emplace(k, v.get<std::string>());
    }
  }
  if (auto exprs = selector.find("matchExpressions"); exprs != selector.end() && exprs->is_array()) {
    for (const auto& e : *exprs) {
      if (!e.is_object()) continue;
      LabelSelectorRequirementSpec r{StringMember(e, "key"), StringMember(e, "operator"), {}};
      if (auto values = e.find("values"); values != e.end() && values->is_array()) {
        for (const auto& v : *values) {
          if (v.is_string()) r.values.push_back(v.get<std::string>());
        }
      }
      spec.match_expressions.push_back(std::move(r));
    }
  }
  return spec;
}

StatusOr<LabelSelector> LabelSelectorFromJson(const json* selector) {
  if (selector == nullptr || selector->is_null()) return LabelSelector::Nothing();
  if (!selector->is_object()) return Status::Invalid("Invalid value: must be an object");
  LabelSelectorSpec spec = LabelSelectorSpecFromJson(*selector);
  return LabelSelector::FromSpec(&spec);
}

}  // namespace kubepp::api
