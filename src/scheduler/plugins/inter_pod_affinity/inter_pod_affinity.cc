#include "scheduler/plugins/inter_pod_affinity/inter_pod_affinity.h"

#include <algorithm>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace kubepp::scheduler::plugins {
namespace {

constexpr std::string_view kPreFilterStateKey = "PreFilterInterPodAffinity";
constexpr std::string_view kPreScoreStateKey = "PreScoreInterPodAffinity";

// Counts per topology pair, grouped by topology key (a handful of keys, many
// values). Entries that drop to zero are erased so that empty() says "no pair
// is counted", as upstream's map length does.
class TopologyCounts {
 public:
  // Adds `delta` to the pair (key, node's value of key); nothing when the
  // node lacks the key.
  void Update(const api::Labels& node_labels, const std::string& key, int64_t delta) {
    auto label = node_labels.find(key);
    if (label == node_labels.end()) return;
    auto& values = Bucket(key);
    auto [it, inserted] = values.try_emplace(label->second, 0);
    it->second += delta;
    if (it->second == 0) {
      values.erase(it);
      --pairs_;
    } else if (inserted) {
      ++pairs_;
    }
  }

  int64_t Get(const std::string& key, const std::string& value) const {
    for (const auto& [k, values] : by_key_) {
      if (k != key) continue;
      auto it = values.find(value);
      return it == values.end() ? 0 : it->second;
    }
    return 0;
  }

  // True when some (key, node's value of key) pair has a positive count.
  bool AnyPositiveOn(const api::Labels& node_labels) const {
    for (const auto& [key, values] : by_key_) {
      if (values.empty()) continue;
      auto label = node_labels.find(key);
      if (label == node_labels.end()) continue;
      auto it = values.find(label->second);
      if (it != values.end() && it->second > 0) return true;
    }
    return false;
  }

  bool empty() const { return pairs_ == 0; }

 private:
  std::unordered_map<std::string, int64_t>& Bucket(const std::string& key) {
    for (auto& [k, values] : by_key_) {
      if (k == key) return values;
    }
    by_key_.emplace_back(key, std::unordered_map<std::string, int64_t>{});
    return by_key_.back().second;
  }

  std::vector<std::pair<std::string, std::unordered_map<std::string, int64_t>>> by_key_;
  size_t pairs_ = 0;
};

struct PreFilterState final : StateData {
  // Pairs where placed pods' required anti-affinity terms match the incoming pod.
  TopologyCounts existing_anti_affinity;
  // Pairs holding pods that match all of the incoming pod's required affinity terms.
  TopologyCounts affinity;
  // Pairs holding pods that match one of the incoming pod's required anti-affinity terms.
  TopologyCounts anti_affinity;
  // Labels of the incoming pod's namespace (empty when unknown), for placed
  // pods' namespaceSelectors.
  api::Labels namespace_labels;
  // The incoming pod matches all its own required affinity terms.
  bool self_affine = false;

  std::unique_ptr<StateData> Clone() const override { return std::make_unique<PreFilterState>(*this); }
};

struct PreScoreState final : StateData {
  std::vector<std::pair<std::string, std::unordered_map<std::string, int64_t>>> topology_score;

  void Add(const std::string& key, const std::string& value, int64_t delta) {
    for (auto& [k, values] : topology_score) {
      if (k == key) {
        values[value] += delta;
        return;
      }
    }
    topology_score.emplace_back(key, std::unordered_map<std::string, int64_t>{{value, delta}});
  }
  std::unique_ptr<StateData> Clone() const override { return std::make_unique<PreScoreState>(*this); }
};

// A placed pod's term against the incoming pod: namespace_labels are the
// incoming pod's namespace's (upstream matches a nil label set the same way
// as an empty one).
bool ExistingTermMatches(const AffinityTerm& term, const PodInfo& incoming,
                         const api::Labels& namespace_labels) {
  bool ns_ok = term.namespaces.count(incoming.namespace_) > 0 ||
               (term.namespace_selector && term.namespace_selector->Matches(namespace_labels));
  return ns_ok && term.selector.Matches(incoming.labels);
}

class InterPodAffinity final : public PreFilterPlugin,
                               public FilterPlugin,
                               public PreScorePlugin,
                               public ScorePlugin,
                               public EnqueueExtensions {
 public:
  InterPodAffinity(InterPodAffinityArgs args, Handle& handle) : args_(args), handle_(handle) {}

  std::string_view Name() const override { return kInterPodAffinityName; }

  PluginStatus PreFilter(CycleState& cycle, const PodInfo& pod, const std::vector<NodeInfoPtr>& nodes,
                         PreFilterResult* /*result*/) override {
    const auto& with_anti = handle_.snapshot().nodes_with_required_anti_affinity_pods();
    if (with_anti.empty() && pod.required_affinity.empty() && pod.required_anti_affinity.empty()) {
      return PluginStatus::Skip();
    }
    auto s = std::make_unique<PreFilterState>();
    if (const api::Labels* l = handle_.NamespaceLabels(pod.namespace_); l != nullptr)
      s->namespace_labels = *l;

    for (const auto& node : with_anti) {
      if (node->node() == nullptr) continue;
      for (const auto& existing : node->pods_with_required_anti_affinity()) {
        for (const auto& term : existing->required_anti_affinity) {
          if (ExistingTermMatches(term, pod, s->namespace_labels)) {
            s->existing_anti_affinity.Update(node->labels(), term.topology_key, 1);
          }
        }
      }
    }
    if (!pod.required_affinity.empty() || !pod.required_anti_affinity.empty()) {
      for (const auto& node : nodes) {
        if (node->node() == nullptr) continue;
        for (const auto& existing : node->pods()) UpdateIncoming(*s, pod, *existing, node->labels(), 1);
      }
    }
    if (s->existing_anti_affinity.empty() && pod.required_affinity.empty() &&
        pod.required_anti_affinity.empty()) {
      return PluginStatus::Skip();
    }
    s->self_affine = MatchesAllTerms(pod.required_affinity, pod);
    cycle.Write(kPreFilterStateKey, std::move(s));
    return PluginStatus::Success();
  }

  bool HasPreFilterExtensions() const override { return true; }

  PluginStatus AddPod(CycleState& cycle, const PodInfo& pod_to_schedule, const PodInfoPtr& pod_to_add,
                      const NodeInfo& node) override {
    return UpdateWithPod(cycle, pod_to_schedule, *pod_to_add, node, 1);
  }

  PluginStatus RemovePod(CycleState& cycle, const PodInfo& pod_to_schedule, const PodInfoPtr& pod_to_remove,
                         const NodeInfo& node) override {
    return UpdateWithPod(cycle, pod_to_schedule, *pod_to_remove, node, -1);
  }

  PluginStatus Filter(CycleState& cycle, const PodInfo& pod, const NodeInfo& node) override {
    auto* s = static_cast<PreFilterState*>(cycle.Read(kPreFilterStateKey));
    if (s == nullptr) return MissingState(kPreFilterStateKey);
    const api::Labels& labels = node.labels();

    if (!pod.required_affinity.empty()) {
      bool pods_exist = true;
      for (const auto& term : pod.required_affinity) {
        auto label = labels.find(term.topology_key);
        // Every topology key must be on the node, even for the first pod.
        if (label == labels.end()) {
          return PluginStatus::Unresolvable(std::string(kErrReasonAffinityRulesNotMatch));
        }
        if (s->affinity.Get(term.topology_key, label->second) <= 0) pods_exist = false;
      }
      // The first pod of a group with affinity to itself goes anywhere its
      // topology keys exist, as long as no pod matches anywhere.
      if (!pods_exist && !(s->affinity.empty() && s->self_affine)) {
        return PluginStatus::Unresolvable(std::string(kErrReasonAffinityRulesNotMatch));
      }
    }
    if (!s->anti_affinity.empty()) {
      for (const auto& term : pod.required_anti_affinity) {
        auto label = labels.find(term.topology_key);
        if (label != labels.end() && s->anti_affinity.Get(term.topology_key, label->second) > 0) {
          return PluginStatus::Unschedulable(std::string(kErrReasonAntiAffinityRulesNotMatch));
        }
      }
    }
    if (!s->existing_anti_affinity.empty() && s->existing_anti_affinity.AnyPositiveOn(labels)) {
      return PluginStatus::Unschedulable(std::string(kErrReasonExistingAntiAffinityRulesNotMatch));
    }
    return PluginStatus::Success();
  }

  PluginStatus PreScore(CycleState& cycle, const PodInfo& pod,
                        const std::vector<NodeInfoPtr>& nodes) override {
    if (nodes.empty()) return PluginStatus::Skip();
    bool has_constraints = !pod.preferred_affinity.empty() || !pod.preferred_anti_affinity.empty();
    if (args_.ignore_preferred_terms_of_existing_pods && !has_constraints) return PluginStatus::Skip();
    // Without preferred terms of its own, only pods with affinity terms can
    // contribute.
    const Snapshot& snapshot = handle_.snapshot();
    const auto& all = has_constraints ? snapshot.nodes() : snapshot.nodes_with_affinity_pods();
    static const api::Labels kNoLabels;
    const api::Labels* ns_labels = handle_.NamespaceLabels(pod.namespace_);
    if (ns_labels == nullptr) ns_labels = &kNoLabels;

    auto s = std::make_unique<PreScoreState>();
    bool any = false;
    for (const auto& node : all) {
      if (node->node() == nullptr) continue;
      const api::Labels& labels = node->labels();
      if (labels.empty()) continue;
      auto process = [&](const AffinityTerm& term, int64_t weight, bool matches) {
        if (!matches) return;
        auto label = labels.find(term.topology_key);
        if (label == labels.end()) return;
        s->Add(term.topology_key, label->second, weight);
        any = true;
      };
      const auto& pods = has_constraints ? node->pods() : node->pods_with_affinity();
      for (const auto& existing : pods) {
        for (const auto& wt : pod.preferred_affinity) {
          process(wt.term, wt.weight, IncomingTermMatches(wt.term, *existing));
        }
        for (const auto& wt : pod.preferred_anti_affinity) {
          process(wt.term, -int64_t{wt.weight}, IncomingTermMatches(wt.term, *existing));
        }
        if (args_.hard_pod_affinity_weight > 0) {
          for (const auto& term : existing->required_affinity) {
            process(term, args_.hard_pod_affinity_weight, ExistingTermMatches(term, pod, *ns_labels));
          }
        }
        for (const auto& wt : existing->preferred_affinity) {
          process(wt.term, wt.weight, ExistingTermMatches(wt.term, pod, *ns_labels));
        }
        for (const auto& wt : existing->preferred_anti_affinity) {
          process(wt.term, -int64_t{wt.weight}, ExistingTermMatches(wt.term, pod, *ns_labels));
        }
      }
    }
    if (!any) return PluginStatus::Skip();
    cycle.Write(kPreScoreStateKey, std::move(s));
    return PluginStatus::Success();
  }

  PluginStatus Score(CycleState& cycle, const PodInfo& /*pod*/, const NodeInfo& node,
                     int64_t* score) override {
    auto* s = static_cast<PreScoreState*>(cycle.Read(kPreScoreStateKey));
    if (s == nullptr) return MissingState(kPreScoreStateKey);
    const api::Labels& labels = node.labels();
    int64_t total = 0;
    for (const auto& [key, values] : s->topology_score) {
      auto label = labels.find(key);
      if (label == labels.end()) continue;
      auto it = values.find(label->second);
      if (it != values.end()) total += it->second;
    }
    *score = total;
    return PluginStatus::Success();
  }

  bool HasNormalizeScore() const override { return true; }

  PluginStatus NormalizeScore(CycleState& cycle, const PodInfo& /*pod*/,
                              std::vector<NodeScore>& scores) override {
    auto* s = static_cast<PreScoreState*>(cycle.Read(kPreScoreStateKey));
    if (s == nullptr) return MissingState(kPreScoreStateKey);
    if (s->topology_score.empty() || scores.empty()) return PluginStatus::Success();
    int64_t lo = std::numeric_limits<int64_t>::max();
    int64_t hi = std::numeric_limits<int64_t>::min();
    for (const auto& ns : scores) {
      lo = std::min(lo, ns.score);
      hi = std::max(hi, ns.score);
    }
    int64_t diff = hi - lo;
    for (auto& ns : scores) {
      double f = 0;
      if (diff > 0) f = static_cast<double>(kMaxNodeScore) * (static_cast<double>(ns.score - lo) / diff);
      ns.score = static_cast<int64_t>(f);
    }
    return PluginStatus::Success();
  }

  std::vector<ClusterEvent> EventsToRegister() const override {
    return {
        {EventResource::kPod, kAdd | kUpdatePodLabel | kDelete},
        {EventResource::kNode, kAdd | kUpdateNodeLabel},
    };
  }

 private:
  static PluginStatus MissingState(std::string_view key) {
    return PluginStatus::Error("reading \"" + std::string(key) + "\" from cycleState: not found");
  }

  // One of the incoming pod's terms against a pod: a non-empty
  // namespaceSelector selects by the target's namespace's labels (unknown
  // namespaces never match); an empty one selects every namespace.
  bool IncomingTermMatches(const AffinityTerm& term, const PodInfo& target) const {
    bool ns_ok = term.namespaces.count(target.namespace_) > 0;
    if (!ns_ok && term.namespace_selector) {
      if (term.namespace_selector->Empty()) {
        ns_ok = true;
      } else if (!term.namespace_selector->IsNothing()) {
        const api::Labels* l = handle_.NamespaceLabels(target.namespace_);
        ns_ok = l != nullptr && term.namespace_selector->Matches(*l);
      }
    }
    return ns_ok && term.selector.Matches(target.labels);
  }

  bool MatchesAllTerms(const std::vector<AffinityTerm>& terms, const PodInfo& target) const {
    if (terms.empty()) return false;
    for (const auto& term : terms) {
      if (!IncomingTermMatches(term, target)) return false;
    }
    return true;
  }

  void UpdateIncoming(PreFilterState& s, const PodInfo& pod, const PodInfo& other,
                      const api::Labels& node_labels, int64_t delta) const {
    if (MatchesAllTerms(pod.required_affinity, other)) {
      for (const auto& term : pod.required_affinity) s.affinity.Update(node_labels, term.topology_key, delta);
    }
    for (const auto& term : pod.required_anti_affinity) {
      if (IncomingTermMatches(term, other)) s.anti_affinity.Update(node_labels, term.topology_key, delta);
    }
  }

  PluginStatus UpdateWithPod(CycleState& cycle, const PodInfo& pod, const PodInfo& other,
                             const NodeInfo& node, int64_t delta) {
    auto* s = static_cast<PreFilterState*>(cycle.Read(kPreFilterStateKey));
    if (s == nullptr) return MissingState(kPreFilterStateKey);
    if (node.node() == nullptr) return PluginStatus::Success();
    for (const auto& term : other.required_anti_affinity) {
      if (ExistingTermMatches(term, pod, s->namespace_labels)) {
        s->existing_anti_affinity.Update(node.labels(), term.topology_key, delta);
      }
    }
    UpdateIncoming(*s, pod, other, node.labels(), delta);
    return PluginStatus::Success();
  }

  const InterPodAffinityArgs args_;
  Handle& handle_;
};

}  // namespace

StatusOr<InterPodAffinityArgs> ParseInterPodAffinityArgs(const nlohmann::json* args) {
  InterPodAffinityArgs out;
  if (args == nullptr || args->is_null()) return out;
  if (!args->is_object())
    return Status::Invalid("args: Invalid value: must be an InterPodAffinityArgs object");
  if (auto it = args->find("hardPodAffinityWeight"); it != args->end() && !it->is_null()) {
    if (!it->is_number_integer()) {
      return Status::Invalid("hardPodAffinityWeight: Invalid value: " + it->dump() + ": must be an integer");
    }
    int64_t w = it->get<int64_t>();
    if (w < 0 || w > 100) {
      return Status::Invalid("hardPodAffinityWeight: Invalid value: " + std::to_string(w) +
                             ": not in valid range [0, 100]");
    }
    out.hard_pod_affinity_weight = static_cast<int32_t>(w);
  }
  if (auto it = args->find("ignorePreferredTermsOfExistingPods"); it != args->end() && !it->is_null()) {
    if (!it->is_boolean()) {
      return Status::Invalid("ignorePreferredTermsOfExistingPods: Invalid value: " + it->dump() +
                             ": must be a boolean");
    }
    out.ignore_preferred_terms_of_existing_pods = it->get<bool>();
  }
  return out;
}

StatusOr<std::unique_ptr<Plugin>> NewInterPodAffinity(const nlohmann::json* args, Handle& handle) {
  auto parsed = ParseInterPodAffinityArgs(args);
  if (!parsed.ok()) return parsed.status();
  return std::unique_ptr<Plugin>(std::make_unique<InterPodAffinity>(*parsed, handle));
}

}  // namespace kubepp::scheduler::plugins
