#include "scheduler/plugins/pod_topology_spread/pod_topology_spread.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "api/field_error.h"
#include "api/labels_json.h"
#include "scheduler/framework/json_access.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;

constexpr std::string_view kPreFilterStateKey = "PreFilterPodTopologySpread";
constexpr std::string_view kPreScoreStateKey = "PreScorePodTopologySpread";
constexpr std::string_view kDoNotSchedule = "DoNotSchedule";
constexpr std::string_view kScheduleAnyway = "ScheduleAnyway";
constexpr std::string_view kHonor = "Honor";
const std::string kHostnameLabel = "kubernetes.io/hostname";

// A constraint as the plugin evaluates it: the selector is final (the pod's
// own, or the default selector for default constraints).
struct Constraint {
  int32_t max_skew = 1;
  std::string topology_key;
  api::LabelSelector selector;
  int32_t min_domains = 1;
  bool honor_node_affinity = true;
  bool honor_node_taints = false;
  bool self_match = false;  // the incoming pod matches `selector`
};
using Constraints = std::shared_ptr<const std::vector<Constraint>>;

bool HasAllTopologyKeys(const api::Labels& labels, const std::vector<Constraint>& constraints) {
  for (const auto& c : constraints) {
    if (labels.find(c.topology_key) == labels.end()) return false;
  }
  return true;
}

// upstream nodeaffinity.GetRequiredNodeAffinity(pod).Match(node), parse
// errors read as "no match".
bool MatchesRequiredNodeAffinity(const PodInfo& pod, const NodeInfo& node) {
  const api::Labels& labels = node.labels();
  for (const auto& [k, v] : pod.node_selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  if (pod.required_node_affinity)
    return NodeSelectorMatches(*pod.required_node_affinity, labels, node.name());
  return true;
}

bool ToleratesNoScheduleTaints(const PodInfo& pod, const NodeInfo& node) {
  for (const auto& taint : node.taints()) {
    if (taint.effect != "NoSchedule" && taint.effect != "NoExecute") continue;
    if (!TolerationsTolerateTaint(pod.tolerations, taint)) return false;
  }
  return true;
}

// Evaluates a node's inclusion policies lazily (most constraints use the
// defaults, and most pods have no node affinity).
class NodeInclusion {
 public:
  NodeInclusion(const PodInfo& pod, const NodeInfo& node) : pod_(pod), node_(node) {}
  bool Includes(const Constraint& c) {
    if (c.honor_node_affinity) {
      if (affinity_ < 0) affinity_ = MatchesRequiredNodeAffinity(pod_, node_) ? 1 : 0;
      if (affinity_ == 0) return false;
    }
    if (c.honor_node_taints) {
      if (taints_ < 0) taints_ = ToleratesNoScheduleTaints(pod_, node_) ? 1 : 0;
      if (taints_ == 0) return false;
    }
    return true;
  }

 private:
  const PodInfo& pod_;
  const NodeInfo& node_;
  int affinity_ = -1;
  int taints_ = -1;
};

// upstream countPodsMatchSelector: an empty selector counts nothing.
int64_t CountMatching(const std::vector<PodInfoPtr>& pods, const api::LabelSelector& selector,
                      const std::string& ns) {
  if (selector.Empty() || selector.IsNothing()) return 0;
  int64_t count = 0;
  for (const auto& p : pods) {
    if (p->terminating || p->namespace_ != ns) continue;
    if (selector.Matches(p->labels)) ++count;
  }
  return count;
}

// Matching-pod counts per NodeInfo for one (namespace, selector), reused
// across cycles: consecutive pods of one workload share the selector, and
// between their cycles only the nodes that changed need a recount. A NodeInfo
// never changes without its generation moving, and the weak_ptr's control
// block identifies the object itself (an address can be reused, a live
// control block cannot), so a hit is exact.
class MatchCounts {
 public:
  struct Table {
    struct Entry {
      std::weak_ptr<const NodeInfo> node;
      int64_t generation = 0;
      int64_t count = 0;
    };
    std::string ns;
    api::LabelSelector selector;
    std::unordered_map<const NodeInfo*, Entry> entries;
    uint64_t last_use = 0;

    int64_t Count(const NodeInfoPtr& node) {
      auto [it, inserted] = entries.try_emplace(node.get());
      Entry& e = it->second;
      if (!inserted && e.generation == node->generation() && !e.node.owner_before(node) &&
          !node.owner_before(e.node)) {
        return e.count;
      }
      e.node = node;
      e.generation = node->generation();
      e.count = CountMatching(node->pods(), selector, ns);
      return e.count;
    }
  };

  // At most this many tables are held; a table stays valid for the next
  // kMaxTables - 1 calls of Get.
  static constexpr size_t kMaxTables = 16;

  // The table for (ns, selector); nullptr for selectors that count nothing.
  Table* Get(const std::string& ns, const api::LabelSelector& selector, size_t num_nodes) {
    if (selector.Empty() || selector.IsNothing()) return nullptr;
    std::string key = ns;
    key.push_back('\0');
    key += selector.String();
    ++clock_;
    auto it = tables_.find(key);
    if (it == tables_.end()) {
      if (tables_.size() >= kMaxTables) {
        auto oldest = tables_.begin();
        for (auto t = tables_.begin(); t != tables_.end(); ++t) {
          if (t->second.last_use < oldest->second.last_use) oldest = t;
        }
        tables_.erase(oldest);
      }
      it = tables_.emplace(std::move(key), Table{ns, selector, {}, 0}).first;
    }
    Table& t = it->second;
    t.last_use = clock_;
    // Entries of NodeInfos that no snapshot holds any more.
    if (t.entries.size() > 2 * num_nodes + 64) {
      std::erase_if(t.entries, [](const auto& kv) { return kv.second.node.expired(); });
    }
    return &t;
  }

 private:
  std::unordered_map<std::string, Table> tables_;
  uint64_t clock_ = 0;
};

// Tables for each constraint's selector (nullptr: count directly).
std::vector<MatchCounts::Table*> TablesFor(MatchCounts& counts, const std::string& ns,
                                           const std::vector<Constraint>& cs, size_t num_nodes) {
  std::vector<MatchCounts::Table*> out(cs.size(), nullptr);
  if (cs.size() >= MatchCounts::kMaxTables) return out;
  for (size_t i = 0; i < cs.size(); ++i) out[i] = counts.Get(ns, cs[i].selector, num_nodes);
  return out;
}

int64_t CountOn(MatchCounts::Table* table, const NodeInfoPtr& node, const Constraint& c,
                const std::string& ns) {
  return table != nullptr ? table->Count(node) : CountMatching(node->pods(), c.selector, ns);
}

// The two domains with the fewest matching pods (upstream's criticalPaths):
// exact after PreFilter, approximate after AddPod on the minimum, like upstream.
class CriticalPaths {
 public:
  void Update(const std::string& value, int64_t num) {
    int i = -1;
    if (paths_[0].set && paths_[0].value == value) {
      i = 0;
    } else if (paths_[1].set && paths_[1].value == value) {
      i = 1;
    }
    if (i >= 0) {
      paths_[i].num = num;
      if (paths_[0].num > paths_[1].num) std::swap(paths_[0], paths_[1]);
      return;
    }
    if (num < paths_[0].num) {
      paths_[1] = paths_[0];
      paths_[0] = {value, num, true};
    } else if (num < paths_[1].num) {
      paths_[1] = {value, num, true};
    }
  }
  int64_t Min() const { return paths_[0].num; }

 private:
  struct Path {
    std::string value;
    int64_t num = std::numeric_limits<int32_t>::max();
    bool set = false;
  };
  Path paths_[2];
};

struct PreFilterState final : StateData {
  Constraints constraints;
  // Per constraint: topology value -> matching pods.
  std::vector<std::unordered_map<std::string, int64_t>> counts;
  std::vector<CriticalPaths> critical_paths;

  int64_t MinMatchNum(size_t i) const {
    // Fewer domains than minDomains: the global minimum is 0.
    if (counts[i].size() < static_cast<size_t>((*constraints)[i].min_domains)) return 0;
    return critical_paths[i].Min();
  }
  std::unique_ptr<StateData> Clone() const override { return std::make_unique<PreFilterState>(*this); }
};

struct PreScoreState final : StateData {
  Constraints constraints;
  std::unordered_set<std::string> ignored_nodes;                 // missing a topology key
  std::vector<std::unordered_map<std::string, int64_t>> counts;  // per constraint (not hostname ones)
  // Per hostname constraint: candidate node -> matching pods on it.
  std::vector<std::unordered_map<const NodeInfo*, int64_t>> host_counts;
  std::vector<double> weights;  // per constraint
  std::vector<bool> is_hostname;
  std::unique_ptr<StateData> Clone() const override { return std::make_unique<PreScoreState>(*this); }
};

PluginStatus MissingState(std::string_view key) {
  return PluginStatus::Error("reading \"" + std::string(key) + "\" from cycleState: not found");
}

std::optional<api::Labels> ReadStringMap(const json* m) {
  if (m == nullptr || !m->is_object()) return std::nullopt;
  api::Labels out;
  for (const auto& [k, v] : m->items()) {
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  }
  return out;
}

// metav1.LabelSelector JSON -> selector; nullopt when absent or malformed
// (upstream then adds nothing).
std::optional<api::LabelSelector> ReadLabelSelector(const json* sel) {
  if (sel == nullptr || !sel->is_object()) return std::nullopt;
  auto s = api::LabelSelectorFromJson(sel);
  if (!s.ok()) return std::nullopt;
  return *std::move(s);
}

const json* FindObject(const Handle& handle, std::string_view resource, const std::string& ns,
                       const std::string& name, std::vector<std::shared_ptr<const json>>& holder) {
  holder = handle.Objects(resource);
  for (const auto& obj : holder) {
    if (obj == nullptr) continue;
    const json* meta = internal::Find(*obj, {"metadata"});
    if (meta == nullptr) continue;
    if (internal::StringAt(*meta, {"namespace"}) == ns && internal::StringAt(*meta, {"name"}) == name) return obj.get();
  }
  return nullptr;
}

class PodTopologySpread final : public PreFilterPlugin,
                                public FilterPlugin,
                                public PreScorePlugin,
                                public ScorePlugin,
                                public EnqueueExtensions {
 public:
  PodTopologySpread(PodTopologySpreadArgs args, Handle& handle)
      : args_(std::move(args)), handle_(handle), system_defaulted_(args_.defaulting_type == "System") {
    if (system_defaulted_) args_.default_constraints = SystemDefaultSpreadConstraints();
  }

  std::string_view Name() const override { return kPodTopologySpreadName; }

  PluginStatus PreFilter(CycleState& cycle, const PodInfo& pod, const std::vector<NodeInfoPtr>& nodes,
                         PreFilterResult* /*result*/) override {
    auto constraints = GetConstraints(pod, kDoNotSchedule);
    if (constraints->empty()) return PluginStatus::Skip();
    const auto& cs = *constraints;
    auto s = std::make_unique<PreFilterState>();
    s->constraints = constraints;
    s->counts.resize(cs.size());
    s->critical_paths.resize(cs.size());
    auto tables = TablesFor(counts_, pod.namespace_, cs, nodes.size());
    for (const auto& node : nodes) {
      if (node->node() == nullptr) continue;
      const api::Labels& labels = node->labels();
      if (!HasAllTopologyKeys(labels, cs)) continue;
      NodeInclusion inclusion(pod, *node);
      for (size_t i = 0; i < cs.size(); ++i) {
        if (!inclusion.Includes(cs[i])) continue;
        // Domains without matching pods count too (minDomains, global minimum).
        s->counts[i][labels.find(cs[i].topology_key)->second] +=
            CountOn(tables[i], node, cs[i], pod.namespace_);
      }
    }
    for (size_t i = 0; i < cs.size(); ++i) {
      for (const auto& [value, num] : s->counts[i]) s->critical_paths[i].Update(value, num);
    }
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

  PluginStatus Filter(CycleState& cycle, const PodInfo& /*pod*/, const NodeInfo& node) override {
    auto* s = static_cast<PreFilterState*>(cycle.Read(kPreFilterStateKey));
    if (s == nullptr) return MissingState(kPreFilterStateKey);
    const auto& cs = *s->constraints;
    const api::Labels& labels = node.labels();
    for (size_t i = 0; i < cs.size(); ++i) {
      auto label = labels.find(cs[i].topology_key);
      if (label == labels.end()) return PluginStatus::Unresolvable(std::string(kErrReasonNodeLabelNotMatch));
      int64_t match = 0;
      if (auto it = s->counts[i].find(label->second); it != s->counts[i].end()) match = it->second;
      int64_t skew = match + (cs[i].self_match ? 1 : 0) - s->MinMatchNum(i);
      if (skew > cs[i].max_skew) {
        return PluginStatus::Unschedulable(std::string(kErrReasonConstraintsNotMatch));
      }
    }
    return PluginStatus::Success();
  }

  PluginStatus PreScore(CycleState& cycle, const PodInfo& pod,
                        const std::vector<NodeInfoPtr>& nodes) override {
    if (nodes.empty()) return PluginStatus::Skip();
    auto constraints = GetConstraints(pod, kScheduleAnyway);
    if (constraints->empty()) return PluginStatus::Skip();
    const auto& cs = *constraints;
    // Only the pod's own constraints (or List defaults) need every topology
    // key on a node: with system defaults, nodes without a zone label still
    // get hostname spreading.
    bool require_all = !pod.topology_spread_constraints.empty() || !system_defaulted_;

    auto s = std::make_unique<PreScoreState>();
    s->constraints = constraints;
    s->counts.resize(cs.size());
    s->weights.resize(cs.size());
    s->is_hostname.resize(cs.size());
    for (size_t i = 0; i < cs.size(); ++i) s->is_hostname[i] = cs[i].topology_key == kHostnameLabel;

    static const std::string kEmpty;
    auto value_of = [](const api::Labels& labels, const std::string& key) -> const std::string& {
      auto it = labels.find(key);
      return it == labels.end() ? kEmpty : it->second;
    };
    const auto& all = handle_.snapshot().nodes();
    auto tables = TablesFor(counts_, pod.namespace_, cs, all.size());
    s->host_counts.resize(cs.size());
    std::vector<size_t> domains(cs.size(), 0);
    for (const auto& node : nodes) {
      const api::Labels& labels = node->labels();
      if (require_all && !HasAllTopologyKeys(labels, cs)) {
        s->ignored_nodes.insert(node->name());
        continue;
      }
      for (size_t i = 0; i < cs.size(); ++i) {
        if (s->is_hostname[i]) {
          // Per node, not per label value (as upstream, which counts in Score).
          s->host_counts[i].emplace(node.get(), CountOn(tables[i], node, cs[i], pod.namespace_));
          continue;
        }
        if (s->counts[i].try_emplace(value_of(labels, cs[i].topology_key), 0).second) ++domains[i];
      }
    }
    for (size_t i = 0; i < cs.size(); ++i) {
      size_t size = s->is_hostname[i] ? nodes.size() - s->ignored_nodes.size() : domains[i];
      s->weights[i] = std::log(static_cast<double>(size + 2));
    }

    for (const auto& node : all) {
      if (node->node() == nullptr) continue;
      const api::Labels& labels = node->labels();
      if (require_all && !HasAllTopologyKeys(labels, cs)) continue;
      NodeInclusion inclusion(pod, *node);
      for (size_t i = 0; i < cs.size(); ++i) {
        if (s->is_hostname[i] || !inclusion.Includes(cs[i])) continue;
        // Only domains of candidate nodes matter.
        auto it = s->counts[i].find(value_of(labels, cs[i].topology_key));
        if (it == s->counts[i].end()) continue;
        it->second += CountOn(tables[i], node, cs[i], pod.namespace_);
      }
    }
    cycle.Write(kPreScoreStateKey, std::move(s));
    return PluginStatus::Success();
  }

  PluginStatus Score(CycleState& cycle, const PodInfo& pod, const NodeInfo& node, int64_t* score) override {
    auto* s = static_cast<PreScoreState*>(cycle.Read(kPreScoreStateKey));
    if (s == nullptr) return MissingState(kPreScoreStateKey);
    *score = 0;
    if (!s->ignored_nodes.empty() && s->ignored_nodes.count(node.name()) > 0) return PluginStatus::Success();
    const auto& cs = *s->constraints;
    const api::Labels& labels = node.labels();
    double total = 0;
    for (size_t i = 0; i < cs.size(); ++i) {
      auto label = labels.find(cs[i].topology_key);
      if (label == labels.end()) continue;
      int64_t count = 0;
      if (s->is_hostname[i]) {
        auto it = s->host_counts[i].find(&node);
        count = it != s->host_counts[i].end() ? it->second
                                              : CountMatching(node.pods(), cs[i].selector, pod.namespace_);
      } else if (auto it = s->counts[i].find(label->second); it != s->counts[i].end()) {
        count = it->second;
      }
      // maxSkew-1 waters down differences between domains: the tolerance
      // to skew the user asked for.
      total += static_cast<double>(count) * s->weights[i] + static_cast<double>(cs[i].max_skew - 1);
    }
    *score = static_cast<int64_t>(std::llround(total));
    return PluginStatus::Success();
  }

  bool HasNormalizeScore() const override { return true; }

  PluginStatus NormalizeScore(CycleState& cycle, const PodInfo& /*pod*/,
                              std::vector<NodeScore>& scores) override {
    auto* s = static_cast<PreScoreState*>(cycle.Read(kPreScoreStateKey));
    if (s == nullptr) return PluginStatus::Success();
    std::vector<bool> ignored(scores.size(), false);
    int64_t lo = std::numeric_limits<int64_t>::max();
    int64_t hi = 0;
    for (size_t i = 0; i < scores.size(); ++i) {
      if (!s->ignored_nodes.empty() && s->ignored_nodes.count(scores[i].name) > 0) {
        ignored[i] = true;
        continue;
      }
      lo = std::min(lo, scores[i].score);
      hi = std::max(hi, scores[i].score);
    }
    for (size_t i = 0; i < scores.size(); ++i) {
      if (ignored[i]) {
        scores[i].score = 0;
      } else if (hi == 0) {
        scores[i].score = kMaxNodeScore;
      } else {
        // Reversed: the fewest matching pods gets the highest score.
        scores[i].score = kMaxNodeScore * (hi + lo - scores[i].score) / hi;
      }
    }
    return PluginStatus::Success();
  }

  std::vector<ClusterEvent> EventsToRegister() const override {
    return {
        {EventResource::kPod, kAdd | kUpdatePodLabel | kDelete | kUpdatePodTolerations},
        {EventResource::kNode, kAdd | kDelete | kUpdateNodeLabel | kUpdateNodeTaint},
    };
  }

 private:
  Constraint Convert(const PodInfo& pod, int32_t max_skew, const std::string& key,
                     api::LabelSelector selector, int32_t min_domains, const std::string& affinity_policy,
                     const std::string& taints_policy) const {
    Constraint c;
    c.max_skew = max_skew;
    c.topology_key = key;
    c.selector = std::move(selector);
    c.min_domains = min_domains;
    c.honor_node_affinity = affinity_policy == kHonor;
    c.honor_node_taints = taints_policy == kHonor;
    c.self_match = c.selector.Matches(pod.labels);
    return c;
  }

  // The pod's constraints with `action`, or the defaults when it has none.
  Constraints GetConstraints(const PodInfo& pod, std::string_view action) const {
    auto out = std::make_shared<std::vector<Constraint>>();
    if (!pod.topology_spread_constraints.empty()) {
      for (const auto& t : pod.topology_spread_constraints) {
        if (t.when_unsatisfiable != action) continue;
        out->push_back(Convert(pod, t.max_skew, t.topology_key, t.selector, t.min_domains,
                               t.node_affinity_policy, t.node_taints_policy));
      }
      return out;
    }
    bool any = false;
    for (const auto& d : args_.default_constraints) any = any || d.when_unsatisfiable == action;
    if (!any) return out;
    api::LabelSelector selector = DefaultSpreadSelector(pod, handle_);
    if (selector.Empty() || selector.IsNothing()) return out;
    for (const auto& d : args_.default_constraints) {
      if (d.when_unsatisfiable != action) continue;
      api::LabelSelector sel = selector;
      for (const auto& key : d.match_label_keys) {
        auto it = pod.labels.find(key);
        if (it == pod.labels.end()) continue;
        auto r = api::LabelSelector::NodeSelectorRequirement(key, "In", {it->second});
        if (r.ok()) sel = sel.Add(*std::move(r));
      }
      out->push_back(Convert(pod, d.max_skew, d.topology_key, std::move(sel), d.min_domains,
                             d.node_affinity_policy, d.node_taints_policy));
    }
    return out;
  }

  PluginStatus UpdateWithPod(CycleState& cycle, const PodInfo& pod, const PodInfo& other,
                             const NodeInfo& node, int64_t delta) {
    auto* s = static_cast<PreFilterState*>(cycle.Read(kPreFilterStateKey));
    if (s == nullptr) return MissingState(kPreFilterStateKey);
    if (other.namespace_ != pod.namespace_ || node.node() == nullptr) return PluginStatus::Success();
    const auto& cs = *s->constraints;
    const api::Labels& labels = node.labels();
    if (!HasAllTopologyKeys(labels, cs)) return PluginStatus::Success();
    NodeInclusion inclusion(pod, node);
    for (size_t i = 0; i < cs.size(); ++i) {
      if (!cs[i].selector.Matches(other.labels) || !inclusion.Includes(cs[i])) continue;
      const std::string& value = labels.find(cs[i].topology_key)->second;
      int64_t& count = s->counts[i][value];
      count += delta;
      s->critical_paths[i].Update(value, count);
    }
    return PluginStatus::Success();
  }

  PodTopologySpreadArgs args_;
  Handle& handle_;
  const bool system_defaulted_;
  // Cycle-thread only (PreFilter/PreScore).
  MatchCounts counts_;
};

// Reads one defaultConstraints entry at `path` into `out`, appending field errors.
void ReadDefaultConstraint(const json& c, const std::string& path, DefaultSpreadConstraint* out,
                           api::FieldErrors* errors) {
  using api::FieldError;
  if (!c.is_object()) {
    errors->push_back(FieldError::Invalid(path, c.dump(), "must be a TopologySpreadConstraint object"));
    return;
  }
  if (const json* v = internal::Find(c, {"maxSkew"}); v != nullptr) {
    if (!v->is_number_integer()) {
      errors->push_back(FieldError::Invalid(path + ".maxSkew", v->dump(), "must be an integer"));
    } else {
      out->max_skew = static_cast<int32_t>(v->get<int64_t>());
    }
  }
  if (out->max_skew <= 0) {
    errors->push_back(
        FieldError::Invalid(path + ".maxSkew", std::to_string(out->max_skew), "not in valid range (0, inf)"));
  }
  out->topology_key = internal::StringAt(c, {"topologyKey"});
  if (out->topology_key.empty())
    errors->push_back(FieldError::Required(path + ".topologyKey", "can not be empty"));
  out->when_unsatisfiable = internal::StringAt(c, {"whenUnsatisfiable"});
  if (out->when_unsatisfiable.empty()) {
    errors->push_back(FieldError::Required(path + ".whenUnsatisfiable", "can not be empty"));
  } else if (out->when_unsatisfiable != kDoNotSchedule && out->when_unsatisfiable != kScheduleAnyway) {
    FieldError e;
    e.type = FieldError::Type::kNotSupported;
    e.field = path + ".whenUnsatisfiable";
    e.value = api::GoQuote(out->when_unsatisfiable);
    e.detail = "supported values: \"DoNotSchedule\", \"ScheduleAnyway\"";
    errors->push_back(std::move(e));
  }
  if (internal::Find(c, {"labelSelector"}) != nullptr) {
    errors->push_back(FieldError::Forbidden(
        path + ".labelSelector", "constraint must not define a selector, as they deduced for each pod"));
  }
  if (const json* v = internal::Find(c, {"minDomains"}); v != nullptr) {
    if (!v->is_number_integer()) {
      errors->push_back(FieldError::Invalid(path + ".minDomains", v->dump(), "must be an integer"));
    } else {
      out->min_domains = static_cast<int32_t>(v->get<int64_t>());
    }
  }
  if (std::string v = internal::StringAt(c, {"nodeAffinityPolicy"}); !v.empty()) out->node_affinity_policy = v;
  if (std::string v = internal::StringAt(c, {"nodeTaintsPolicy"}); !v.empty()) out->node_taints_policy = v;
  if (const json* keys = internal::Find(c, {"matchLabelKeys"}); keys != nullptr && keys->is_array()) {
    for (const auto& k : *keys) {
      if (k.is_string()) out->match_label_keys.push_back(k.get<std::string>());
    }
  }
}

}  // namespace

const std::vector<DefaultSpreadConstraint>& SystemDefaultSpreadConstraints() {
  static const std::vector<DefaultSpreadConstraint> kDefaults = {
      {3, "kubernetes.io/hostname", "ScheduleAnyway", 1, "Honor", "Ignore", {}},
      {5, "topology.kubernetes.io/zone", "ScheduleAnyway", 1, "Honor", "Ignore", {}},
  };
  return kDefaults;
}

api::LabelSelector DefaultSpreadSelector(const PodInfo& pod, const Handle& handle) {
  api::Labels set;
  for (const auto& svc : handle.Objects("services")) {
    if (svc == nullptr) continue;
    const json* meta = internal::Find(*svc, {"metadata"});
    if (meta == nullptr || internal::StringAt(*meta, {"namespace"}) != pod.namespace_) continue;
    const json* spec = internal::Find(*svc, {"spec"});
    // A Service without a selector selects nothing (not everything).
    auto selector = spec != nullptr ? ReadStringMap(internal::Find(*spec, {"selector"})) : std::nullopt;
    if (!selector) continue;
    bool matches = true;
    for (const auto& [k, v] : *selector) {
      auto it = pod.labels.find(k);
      if (it == pod.labels.end() || it->second != v) {
        matches = false;
        break;
      }
    }
    if (!matches) continue;
    for (auto& [k, v] : *selector) set.insert_or_assign(k, v);
  }
  api::LabelSelector result = api::LabelSelector::FromSet(set);

  // The controller owner reference.
  const json* owner = nullptr;
  if (pod.object != nullptr) {
    const json* meta = internal::Find(*pod.object, {"metadata"});
    const json* owners = meta != nullptr ? internal::Find(*meta, {"ownerReferences"}) : nullptr;
    if (owners != nullptr && owners->is_array()) {
      for (const auto& o : *owners) {
        const json* controller = internal::Find(o, {"controller"});
        if (controller != nullptr && controller->is_boolean() && controller->get<bool>()) {
          owner = &o;
          break;
        }
      }
    }
  }
  if (owner == nullptr) return result;
  std::string api_version = internal::StringAt(*owner, {"apiVersion"});
  std::string kind = internal::StringAt(*owner, {"kind"});
  std::string name = internal::StringAt(*owner, {"name"});
  std::vector<std::shared_ptr<const json>> holder;
  if (api_version == "v1" && kind == "ReplicationController") {
    if (const json* rc = FindObject(handle, "replicationcontrollers", pod.namespace_, name, holder)) {
      const json* spec = internal::Find(*rc, {"spec"});
      if (auto sel = spec != nullptr ? ReadStringMap(internal::Find(*spec, {"selector"})) : std::nullopt) {
        for (auto& [k, v] : *sel) set.insert_or_assign(k, v);
        result = api::LabelSelector::FromSet(set);
      }
    }
  } else if (api_version == "apps/v1" && (kind == "ReplicaSet" || kind == "StatefulSet")) {
    const char* resource = kind == "ReplicaSet" ? "replicasets" : "statefulsets";
    if (const json* obj = FindObject(handle, resource, pod.namespace_, name, holder)) {
      const json* spec = internal::Find(*obj, {"spec"});
      auto sel = ReadLabelSelector(spec != nullptr ? internal::Find(*spec, {"selector"}) : nullptr);
      if (sel && !sel->IsNothing()) {
        for (const auto& r : sel->requirements()) result = result.Add(r);
      }
    }
  }
  return result;
}

StatusOr<PodTopologySpreadArgs> ParsePodTopologySpreadArgs(const nlohmann::json* args) {
  using api::FieldError;
  PodTopologySpreadArgs out;
  if (args == nullptr || args->is_null()) return out;
  if (!args->is_object())
    return Status::Invalid("args: Invalid value: must be a PodTopologySpreadArgs object");
  api::FieldErrors errors;
  if (const json* t = internal::Find(*args, {"defaultingType"}); t != nullptr) {
    if (!t->is_string()) {
      errors.push_back(FieldError::Invalid("defaultingType", t->dump(), "must be a string"));
    } else if (!t->get<std::string>().empty()) {
      out.defaulting_type = t->get<std::string>();
    }
  }
  if (const json* list = internal::Find(*args, {"defaultConstraints"}); list != nullptr) {
    if (!list->is_array()) {
      errors.push_back(FieldError::Invalid("defaultConstraints", list->dump(), "must be a list"));
    } else {
      for (size_t i = 0; i < list->size(); ++i) {
        std::string path = "defaultConstraints[" + std::to_string(i) + "]";
        DefaultSpreadConstraint c;
        ReadDefaultConstraint((*list)[i], path, &c, &errors);
        for (const auto& prev : out.default_constraints) {
          if (prev.topology_key == c.topology_key && prev.when_unsatisfiable == c.when_unsatisfiable) {
            FieldError e;
            e.type = FieldError::Type::kDuplicate;
            e.field = path;
            e.value = api::GoQuote("{" + c.topology_key + ", " + c.when_unsatisfiable + "}");
            errors.push_back(std::move(e));
            break;
          }
        }
        out.default_constraints.push_back(std::move(c));
      }
    }
  }
  if (out.defaulting_type != "System" && out.defaulting_type != "List") {
    FieldError e;
    e.type = FieldError::Type::kNotSupported;
    e.field = "defaultingType";
    e.value = api::GoQuote(out.defaulting_type);
    e.detail = "supported values: \"System\", \"List\"";
    errors.insert(errors.begin(), std::move(e));
  } else if (out.defaulting_type == "System" && !out.default_constraints.empty()) {
    errors.insert(errors.begin(), FieldError::InvalidString("defaultingType", out.defaulting_type,
                                                            "when .defaultConstraints are not empty"));
  }
  if (!errors.empty()) return api::FieldErrorsToStatus(errors);
  return out;
}

StatusOr<std::unique_ptr<Plugin>> NewPodTopologySpread(const nlohmann::json* args, Handle& handle) {
  auto parsed = ParsePodTopologySpreadArgs(args);
  if (!parsed.ok()) return parsed.status();
  return std::unique_ptr<Plugin>(std::make_unique<PodTopologySpread>(*std::move(parsed), handle));
}

}  // namespace kubepp::scheduler::plugins
