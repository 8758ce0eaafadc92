#include "scheduler/plugins/node_affinity.h"

#include <nlohmann/json.hpp>

#include "api/labels.h"
#include "scheduler/framework/json_access.h"

namespace kubepp::scheduler::plugins {
namespace {

using internal::Find;
using internal::StringAt;
using nlohmann::json;

// Labels of a node; non-string values are skipped (the API never sends them).
api::Labels NodeLabels(const json &node) {
  api::Labels labels;
  const json *l = Find(node, {"metadata", "labels"});
  if (l == nullptr || !l->is_object()) return labels;
  for (const auto &[k, v] : l->items()) {
    if (v.is_string()) labels.emplace(k, v.get<std::string>());
  }
  return labels;
}

struct Requirement {
  std::string key;
  std::string op;
  std::vector<std::string> values;
};

// False when the requirement list is malformed, which makes its term fail.
bool ReadRequirements(const json *list, std::vector<Requirement> *out) {
  if (list == nullptr) return true;
  if (!list->is_array()) return false;
  for (const auto &e : *list) {
    if (!e.is_object()) return false;
    Requirement r{StringAt(e, {"key"}), StringAt(e, {"operator"}), {}};
    if (const json *vals = Find(e, {"values"}); vals != nullptr) {
      if (!vals->is_array()) return false;
      for (const auto &v : *vals) {
        if (!v.is_string()) return false;
        r.values.push_back(v.get<std::string>());
      }
    }
    out->push_back(std::move(r));
  }
  return true;
}

// Only metadata.name is a node field; other keys read as "" as upstream's
// field set does.
bool FieldRequirementMatches(const Requirement &r, const std::string &node_name, bool *valid) {
  if ((r.op != "In" && r.op != "NotIn") || r.values.size() != 1) {
    *valid = false;
    return false;
  }
  std::string value = r.key == "metadata.name" ? node_name : "";
  return r.op == "In" ? value == r.values[0] : value != r.values[0];
}

bool TermMatches(const json &term, const api::Labels &labels, const std::string &node_name) {
  std::vector<Requirement> exprs, fields;
  if (!ReadRequirements(Find(term, {"matchExpressions"}), &exprs)) return false;
  if (!ReadRequirements(Find(term, {"matchFields"}), &fields)) return false;
  if (exprs.empty() && fields.empty()) return false;
  // Every requirement is checked for validity before any mismatch counts,
  // so an invalid term never matches regardless of order.
  bool valid = true;
  bool matched = true;
  for (auto &e : exprs) {
    auto req = api::LabelSelector::NodeSelectorRequirement(e.key, e.op, e.values);
    if (!req.ok()) return false;
    if (!req->Matches(labels)) matched = false;
  }
  for (const auto &f : fields) {
    if (!FieldRequirementMatches(f, node_name, &valid)) matched = false;
  }
  return valid && matched;
}

}  // namespace

bool NodeSelectorMatches(const json &node_selector, const json &node) {
  const json *terms = Find(node_selector, {"nodeSelectorTerms"});
  if (terms == nullptr || !terms->is_array()) return false;
  api::Labels labels = NodeLabels(node);
  std::string name = StringAt(node, {"metadata", "name"});
  for (const auto &term : *terms) {
    if (TermMatches(term, labels, name)) return true;
  }
  return false;
}

FilterStatus NodeAffinityFilter(const json &pod, const NodeInfo &node) {
  static const FilterStatus kMismatch{FilterCode::kUnschedulableAndUnresolvable,
                                      {std::string(kErrReasonNodeAffinity)}};
  const json *spec = Find(pod, {"spec"});
  if (spec == nullptr) return FilterStatus::Success();
  if (const json *selector = Find(*spec, {"nodeSelector"}); selector != nullptr) {
    if (!selector->is_object()) return kMismatch;
    api::Labels labels = NodeLabels(node.node());
    for (const auto &[k, v] : selector->items()) {
      auto it = labels.find(k);
      if (!v.is_string() || it == labels.end() || it->second != v.get<std::string>()) return kMismatch;
    }
  }
  const json *required =
      Find(*spec, {"affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution"});
  if (required != nullptr && !NodeSelectorMatches(*required, node.node())) return kMismatch;
  return FilterStatus::Success();
}

}  // namespace kubepp::scheduler::plugins
