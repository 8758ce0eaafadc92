#include "scheduler/plugins/node_affinity/node_affinity.h"

#include <nlohmann/json.hpp>
#include <set>
#include <string>

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;

Status InvalidAt(const std::string& path, const std::string& detail) {
  return Status::Invalid(path + ": " + detail);
}

StatusOr<std::vector<std::string>> ReadStringList(const json& v, const std::string& path) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) return InvalidAt(path, "Invalid value: must be a list of strings");
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string())
      return InvalidAt(path + "[" + std::to_string(i) + "]", "Invalid value: must be a string");
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

std::string StringField(const json& obj, const char* key) {
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A core/v1 NodeSelectorTerm with errors naming the field (the pod parser in
// pod_info.cc is lenient because API validation already ran on pods; args
// come straight from a configuration file).
StatusOr<NodeSelectorTerm> ParseTerm(const json& t, const std::string& path) {
  NodeSelectorTerm term;
  if (t.is_null()) return term;
  if (!t.is_object()) return InvalidAt(path, "Invalid value: must be an object");
  for (const auto& [key, value] : t.items()) {
    if (key != "matchExpressions" && key != "matchFields")
      return InvalidAt(path, "unknown field \"" + key + "\"");
    if (value.is_null()) continue;
    std::string list_path = path + "." + key;
    if (!value.is_array()) return InvalidAt(list_path, "Invalid value: must be a list");
    bool fields = key == "matchFields";
    for (size_t i = 0; i < value.size(); ++i) {
      const json& e = value[i];
      std::string p = list_path + "[" + std::to_string(i) + "]";
      if (!e.is_object()) return InvalidAt(p, "Invalid value: must be an object");
      std::string req_key = StringField(e, "key");
      std::string op = StringField(e, "operator");
      auto values = ReadStringList(e.contains("values") ? e["values"] : json(), p + ".values");
      if (!values.ok()) return values.status();
      if (fields) {
        if (req_key != "metadata.name") {
          return InvalidAt(p + ".key",
                           "Invalid value: " + json(req_key).dump() + ": not a valid field selector key");
        }
        if (op != "In" && op != "NotIn") {
          return InvalidAt(p + ".operator",
                           "Invalid value: " + json(op).dump() + ": not a valid selector operator");
        }
        if (values->size() != 1) return InvalidAt(p + ".values", "Required value: must have one element");
      }
      auto r = api::LabelSelector::NodeSelectorRequirement(req_key, op, *std::move(values));
      if (!r.ok()) return InvalidAt(p, r.status().message());
      (fields ? term.match_fields : term.match_expressions).push_back(*std::move(r));
    }
  }
  return term;
}

bool NodeSelectorMapMatches(const std::map<std::string, std::string>& selector, const api::Labels& labels) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

int64_t SumMatchingWeights(const std::vector<PreferredSchedulingTerm>& terms, const NodeInfo& node) {
  int64_t sum = 0;
  for (const auto& t : terms) {
    if (t.weight == 0) continue;
    if (NodeSelectorTermMatches(t.preference, node.labels(), node.name())) sum += t.weight;
  }
  return sum;
}

}  // namespace

StatusOr<NodeAffinityArgs> ParseNodeAffinityArgs(const json* args) {
  NodeAffinityArgs out;
  if (args == nullptr || args->is_null()) return out;
  if (!args->is_object()) return Status::Invalid("NodeAffinityArgs: Invalid value: must be an object");
  for (const auto& [key, value] : args->items()) {
    if (key != "apiVersion" && key != "kind" && key != "addedAffinity") {
      return Status::Invalid("NodeAffinityArgs: unknown field \"" + key + "\"");
    }
  }
  auto it = args->find("addedAffinity");
  if (it == args->end() || it->is_null()) return out;
  const json& aff = *it;
  if (!aff.is_object()) return InvalidAt("addedAffinity", "Invalid value: must be an object");
  for (const auto& [key, value] : aff.items()) {
    if (key != "requiredDuringSchedulingIgnoredDuringExecution" &&
        key != "preferredDuringSchedulingIgnoredDuringExecution") {
      return InvalidAt("addedAffinity", "unknown field \"" + key + "\"");
    }
  }
  if (auto req = aff.find("requiredDuringSchedulingIgnoredDuringExecution");
      req != aff.end() && !req->is_null()) {
    const std::string path = "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution";
    if (!req->is_object()) return InvalidAt(path, "Invalid value: must be an object");
    NodeSelector sel;
    if (auto terms = req->find("nodeSelectorTerms"); terms != req->end() && !terms->is_null()) {
      if (!terms->is_array()) return InvalidAt(path + ".nodeSelectorTerms", "Invalid value: must be a list");
      for (size_t i = 0; i < terms->size(); ++i) {
        auto term = ParseTerm((*terms)[i], path + ".nodeSelectorTerms[" + std::to_string(i) + "]");
        if (!term.ok()) return term.status();
        sel.terms.push_back(*std::move(term));
      }
    }
    out.added_required = std::move(sel);
  }
  if (auto pref = aff.find("preferredDuringSchedulingIgnoredDuringExecution");
      pref != aff.end() && !pref->is_null()) {
    const std::string path = "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution";
    if (!pref->is_array()) return InvalidAt(path, "Invalid value: must be a list");
    for (size_t i = 0; i < pref->size(); ++i) {
      const json& t = (*pref)[i];
      std::string p = path + "[" + std::to_string(i) + "]";
      if (!t.is_object()) return InvalidAt(p, "Invalid value: must be an object");
      PreferredSchedulingTerm term;
      if (auto w = t.find("weight"); w != t.end() && !w->is_null()) {
        if (!w->is_number_integer()) return InvalidAt(p + ".weight", "Invalid value: must be an integer");
        term.weight = w->get<int32_t>();
      }
      auto parsed = ParseTerm(t.contains("preference") ? t["preference"] : json(), p + ".preference");
      if (!parsed.ok()) return parsed.status();
      term.preference = *std::move(parsed);
      out.added_preferred.push_back(std::move(term));
    }
  }
  return out;
}

bool PodMatchesNodeSelectorAndAffinityTerms(const PodInfo& pod, const NodeInfo& node) {
  if (!NodeSelectorMapMatches(pod.node_selector, node.labels())) return false;
  if (pod.required_node_affinity &&
      !NodeSelectorMatches(*pod.required_node_affinity, node.labels(), node.name())) {
    return false;
  }
  return true;
}

PluginStatus NodeAffinity::PreFilter(CycleState& /*state*/, const PodInfo& pod,
                                     const std::vector<NodeInfoPtr>& /*nodes*/, PreFilterResult* result) {
  const bool no_node_affinity = !pod.required_node_affinity.has_value();
  if (no_node_affinity && !args_.added_required && pod.node_selector.empty()) return PluginStatus::Skip();
  if (no_node_affinity || pod.required_node_affinity->terms.empty()) return PluginStatus::Success();

  // Only when every term pins metadata.name with In can the node set be
  // narrowed (terms are ORed: one unpinned term admits every node).
  std::set<std::string> node_names;
  for (const auto& term : pod.required_node_affinity->terms) {
    std::optional<std::set<std::string>> term_names;
    for (const auto& r : term.match_fields) {
      if (r.key() != "metadata.name" || r.op() != api::SelectorOperator::kIn) continue;
      std::set<std::string> values(r.values().begin(), r.values().end());
      if (!term_names) {
        term_names = std::move(values);
      } else {
        std::set<std::string> both;
        for (const auto& v : *term_names) {
          if (values.count(v) > 0) both.insert(v);
        }
        term_names = std::move(both);
      }
    }
    if (!term_names) return PluginStatus::Success();
    node_names.insert(term_names->begin(), term_names->end());
  }
  if (node_names.empty()) return PluginStatus::Unresolvable(std::string(kErrReasonNodeAffinityConflict));
  if (result != nullptr) result->node_names = std::move(node_names);
  return PluginStatus::Success();
}

PluginStatus NodeAffinity::Filter(CycleState& /*state*/, const PodInfo& pod, const NodeInfo& node) {
  if (args_.added_required && !NodeSelectorMatches(*args_.added_required, node.labels(), node.name())) {
    return PluginStatus::Unresolvable(std::string(kErrReasonNodeAffinityEnforced));
  }
  if (!PodMatchesNodeSelectorAndAffinityTerms(pod, node)) {
    return PluginStatus::Unresolvable(std::string(kErrReasonNodeAffinityPod));
  }
  return PluginStatus::Success();
}

PluginStatus NodeAffinity::PreScore(CycleState& /*state*/, const PodInfo& pod,
                                    const std::vector<NodeInfoPtr>& nodes) {
  if (nodes.empty()) return PluginStatus::Success();
  if (pod.preferred_node_affinity.empty() && args_.added_preferred.empty()) return PluginStatus::Skip();
  return PluginStatus::Success();
}

PluginStatus NodeAffinity::Score(CycleState& /*state*/, const PodInfo& pod, const NodeInfo& node,
                                 int64_t* score) {
  *score =
      SumMatchingWeights(args_.added_preferred, node) + SumMatchingWeights(pod.preferred_node_affinity, node);
  return PluginStatus::Success();
}

PluginStatus NodeAffinity::NormalizeScore(CycleState& /*state*/, const PodInfo& /*pod*/,
                                          std::vector<NodeScore>& scores) {
  DefaultNormalizeScore(kMaxNodeScore, /*reverse=*/false, scores);
  return PluginStatus::Success();
}

std::vector<ClusterEvent> NodeAffinity::EventsToRegister() const {
  return {{EventResource::kNode, kAdd | kUpdateNodeLabel}};
}

StatusOr<std::unique_ptr<Plugin>> NewNodeAffinity(const json* args, Handle& /*handle*/) {
  auto parsed = ParseNodeAffinityArgs(args);
  if (!parsed.ok()) return parsed.status();
  return std::unique_ptr<Plugin>(std::make_unique<NodeAffinity>(*std::move(parsed)));
}

}  // namespace kubepp::scheduler::plugins
