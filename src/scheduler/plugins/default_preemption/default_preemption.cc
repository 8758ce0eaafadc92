#include "scheduler/plugins/default_preemption/default_preemption.h"

#include <algorithm>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>

#include "api/labels_json.h"
#include "api/time.h"
#include "client/client.h"
#include "scheduler/framework/fit_error.h"
#include "scheduler/framework/framework.h"
#include "scheduler/framework/json_access.h"

namespace kubepp::scheduler::plugins {
namespace {

using internal::Find;
using internal::StringAt;
using nlohmann::json;

const client::GroupVersionResource kPods{"", "v1", "pods"};

// upstream utilerrors.NewAggregate(...).Error(): one message as is, several
// (deduplicated) as "[a, b]".
std::string AggregateMessage(const std::vector<std::string>& messages) {
  std::vector<std::string> unique;
  for (const auto& m : messages) {
    if (std::find(unique.begin(), unique.end(), m) == unique.end()) unique.push_back(m);
  }
  if (unique.size() == 1) return unique[0];
  std::string out = "[";
  for (size_t i = 0; i < unique.size(); ++i) {
    if (i > 0) out += ", ";
    out += unique[i];
  }
  return out + "]";
}

Status ReadInt32(const json& args, const char* field, int32_t* out, std::vector<std::string>* errors) {
  const json* v = Find(args, {field});
  if (v == nullptr) return Status::Ok();
  if (!v->is_number_integer() || v->get<int64_t>() < std::numeric_limits<int32_t>::min() ||
      v->get<int64_t>() > std::numeric_limits<int32_t>::max()) {
    errors->push_back(std::string(field) + ": Invalid value: " + v->dump() + ": must be a 32-bit integer");
    return Status::Ok();
  }
  *out = v->get<int32_t>();
  return Status::Ok();
}

std::string NowRfc3339() {
  auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  return api::FormatRfc3339Utc(seconds, 0, 0).value_or("");
}

}  // namespace

StatusOr<DefaultPreemptionArgs> ParseDefaultPreemptionArgs(const json* args) {
  DefaultPreemptionArgs out;
  if (args == nullptr || args->is_null()) return out;
  if (!args->is_object()) return Status::Invalid("DefaultPreemptionArgs: Invalid value: must be an object");
  std::vector<std::string> errors;
  for (const auto& [key, value] : args->items()) {
    if (key != "apiVersion" && key != "kind" && key != "minCandidateNodesPercentage" &&
        key != "minCandidateNodesAbsolute") {
      errors.push_back("unknown field \"" + key + "\"");
    }
  }
  (void)ReadInt32(*args, "minCandidateNodesPercentage", &out.min_candidate_nodes_percentage, &errors);
  (void)ReadInt32(*args, "minCandidateNodesAbsolute", &out.min_candidate_nodes_absolute, &errors);
  if (errors.empty()) {
    const int32_t pct = out.min_candidate_nodes_percentage;
    const int32_t abs = out.min_candidate_nodes_absolute;
    if (pct < 0 || pct > 100) {
      errors.push_back("minCandidateNodesPercentage: Invalid value: " + std::to_string(pct) +
                       ": not in valid range [0, 100]");
    }
    if (abs < 0) {
      errors.push_back("minCandidateNodesAbsolute: Invalid value: " + std::to_string(abs) +
                       ": not in valid range [0, inf)");
    }
    if (pct == 0 && abs == 0) {
      errors.push_back(
          "minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as "
          "minCandidateNodesAbsolute");
      errors.push_back(
          "minCandidateNodesAbsolute: Invalid value: 0: cannot be zero at the same time as "
          "minCandidateNodesPercentage");
    }
  }
  if (!errors.empty()) return Status::Invalid(AggregateMessage(errors));
  return out;
}

StatusOr<std::unique_ptr<Plugin>> NewDefaultPreemption(const json* args, Handle& handle) {
  auto parsed = ParseDefaultPreemptionArgs(args);
  if (!parsed.ok()) return parsed.status();
  return std::unique_ptr<Plugin>(std::make_unique<DefaultPreemption>(*parsed, handle));
}

int32_t NumCandidates(const DefaultPreemptionArgs& args, int32_t num_nodes) {
  int64_t n = static_cast<int64_t>(num_nodes) * args.min_candidate_nodes_percentage / 100;
  if (n < args.min_candidate_nodes_absolute) n = args.min_candidate_nodes_absolute;
  if (n > num_nodes) n = num_nodes;
  return static_cast<int32_t>(n);
}

std::vector<PdbInfo> ParsePdbs(const std::vector<std::shared_ptr<const json>>& objects) {
  std::vector<PdbInfo> out;
  out.reserve(objects.size());
  for (const auto& obj : objects) {
    if (obj == nullptr || !obj->is_object()) continue;
    PdbInfo pdb;
    pdb.namespace_ = StringAt(*obj, {"metadata", "namespace"});
    if (const json* sel = Find(*obj, {"spec", "selector"}); sel != nullptr && sel->is_object()) {
      // An invalid selector matches no pod (upstream skips the PDB).
      if (auto s = api::LabelSelectorFromJson(sel); s.ok()) pdb.selector = *std::move(s);
    }
    if (const json* a = Find(*obj, {"status", "disruptionsAllowed"});
        a != nullptr && a->is_number_integer()) {
      pdb.disruptions_allowed = a->get<int32_t>();
    }
    if (const json* d = Find(*obj, {"status", "disruptedPods"}); d != nullptr && d->is_object()) {
      for (const auto& [name, when] : d->items()) pdb.disrupted_pods.insert(name);
    }
    out.push_back(std::move(pdb));
  }
  return out;
}

bool MoreImportantPod(const PodInfo& a, const PodInfo& b) {
  if (a.priority != b.priority) return a.priority > b.priority;
  return a.start_time < b.start_time;
}

void SplitByPdbViolation(const std::vector<PodInfoPtr>& pods, const std::vector<PdbInfo>& pdbs,
                         std::vector<PodInfoPtr>* violating, std::vector<PodInfoPtr>* non_violating) {
  std::vector<int32_t> allowed;
  allowed.reserve(pdbs.size());
  for (const auto& pdb : pdbs) allowed.push_back(pdb.disruptions_allowed);
  for (const auto& pod : pods) {
    bool violated = false;
    if (!pod->labels.empty()) {  // a pod without labels matches no PDB
      for (size_t i = 0; i < pdbs.size(); ++i) {
        const PdbInfo& pdb = pdbs[i];
        if (pdb.namespace_ != pod->namespace_) continue;
        if (pdb.selector.Empty() || !pdb.selector.Matches(pod->labels)) continue;
        // Already counted by the disruption controller.
        if (pdb.disrupted_pods.count(pod->name) > 0) continue;
        if (--allowed[i] < 0) violated = true;
      }
    }
    (violated ? violating : non_violating)->push_back(pod);
  }
}

int PickOneNodeForPreemption(const std::vector<PreemptionCandidate>& candidates) {
  if (candidates.empty()) return -1;
  std::vector<int> remaining(candidates.size());
  for (size_t i = 0; i < candidates.size(); ++i) remaining[i] = static_cast<int>(i);

  auto highest_priority = [&](const PreemptionCandidate& c) -> int64_t {
    return c.victims.empty() ? std::numeric_limits<int32_t>::min() : c.victims.front()->priority;
  };
  // Score functions in order of precedence; higher is better.
  std::vector<std::function<int64_t(const PreemptionCandidate&)>> scores = {
      // Fewest PDB violations.
      [](const PreemptionCandidate& c) -> int64_t { return -static_cast<int64_t>(c.num_pdb_violations); },
      // Lowest highest-priority victim (victims are sorted most important first).
      [&](const PreemptionCandidate& c) -> int64_t { return -highest_priority(c); },
      // Smallest sum of priorities, each shifted by 2^31 so that negative
      // priorities do not favour nodes with more victims.
      [](const PreemptionCandidate& c) -> int64_t {
        int64_t sum = 0;
        for (const auto& v : c.victims) sum += static_cast<int64_t>(v->priority) + (int64_t{1} << 31);
        return -sum;
      },
      // Fewest victims.
      [](const PreemptionCandidate& c) -> int64_t { return -static_cast<int64_t>(c.victims.size()); },
      // Latest start time among the highest-priority victims (their
      // earliest start is the node's score).
      [](const PreemptionCandidate& c) -> int64_t {
        if (c.victims.empty()) return std::numeric_limits<int64_t>::min();
        int32_t max_priority = c.victims.front()->priority;
        auto earliest = c.victims.front()->start_time;
        for (const auto& v : c.victims) {
          if (v->priority == max_priority) {
            earliest = std::min(earliest, v->start_time);
          } else if (v->priority > max_priority) {
            max_priority = v->priority;
            earliest = v->start_time;
          }
        }
        return std::chrono::duration_cast<std::chrono::nanoseconds>(earliest.time_since_epoch()).count();
      },
  };
  for (const auto& score : scores) {
    std::vector<int> best;
    int64_t max_score = std::numeric_limits<int64_t>::min();
    for (int i : remaining) {
      int64_t s = score(candidates[i]);
      if (s > max_score) {
        max_score = s;
        best.clear();
      }
      if (s == max_score) best.push_back(i);
    }
    if (best.size() == 1) return best[0];
    remaining = std::move(best);
  }
  return remaining.front();
}

bool PodTerminatingByPreemption(const PodInfo& pod) {
  if (!pod.terminating) return false;
  const json* conditions = Find(*pod.object, {"status", "conditions"});
  if (conditions == nullptr || !conditions->is_array()) return false;
  for (const auto& c : *conditions) {
    if (StringAt(c, {"type"}) == "DisruptionTarget") {
      return StringAt(c, {"status"}) == "True" && StringAt(c, {"reason"}) == "PreemptionByScheduler";
    }
  }
  return false;
}

DefaultPreemption::DefaultPreemption(DefaultPreemptionArgs args, Handle& handle)
    : args_(args), handle_(handle) {
  offset_ = [engine = std::make_shared<std::mt19937>(std::random_device{}())](int32_t n) {
    return std::uniform_int_distribution<int32_t>(0, n - 1)(*engine);
  };
}

std::string DefaultPreemption::PodEligibleToPreemptOthers(const PodInfo& pod,
                                                          const PluginStatus* nominated_node_status) const {
  if (pod.preemption_policy == "Never") return kNotEligibleNeverMessage;
  if (pod.nominated_node_name.empty()) return "";
  // A nominated node the filters call unresolvable (or did not evaluate)
  // no longer helps: the pod may preempt elsewhere.
  if (nominated_node_status == nullptr ||
      nominated_node_status->code() == Code::kUnschedulableAndUnresolvable) {
    return "";
  }
  if (const NodeInfo* node = handle_.snapshot().Get(pod.nominated_node_name); node != nullptr) {
    for (const auto& p : node->pods()) {
      if (p->priority < pod.priority && PodTerminatingByPreemption(*p)) return kNotEligibleTerminatingMessage;
    }
  }
  return "";
}

PluginStatus DefaultPreemption::SelectVictimsOnNode(CycleState& state, const PodInfo& pod, NodeInfo& node,
                                                    const std::vector<PdbInfo>& pdbs,
                                                    PreemptionCandidate* out) {
  Framework& fw = handle_.framework();
  auto remove = [&](const PodInfoPtr& p) -> PluginStatus {
    node.RemovePod(p->uid);
    PluginStatus s = fw.RunPreFilterExtensionRemovePod(state, pod, p, node);
    return s.IsSuccess() ? s : PluginStatus::Error(s.Message());
  };
  auto add = [&](const PodInfoPtr& p) -> PluginStatus {
    node.AddPod(p);
    PluginStatus s = fw.RunPreFilterExtensionAddPod(state, pod, p, node);
    return s.IsSuccess() ? s : PluginStatus::Error(s.Message());
  };

  std::vector<PodInfoPtr> potential;
  for (const auto& p : node.pods()) {
    if (p->priority < pod.priority) potential.push_back(p);
  }
  for (const auto& p : potential) {
    if (PluginStatus s = remove(p); !s.IsSuccess()) return s;
  }
  if (potential.empty()) return PluginStatus::Unresolvable(kNoVictimsReason);

  // Not even without every lower-priority pod: this node cannot help.
  if (PluginStatus s = fw.RunFilterPluginsWithNominatedPods(state, pod, node); !s.IsSuccess()) return s;

  std::stable_sort(potential.begin(), potential.end(),
                   [](const PodInfoPtr& a, const PodInfoPtr& b) { return MoreImportantPod(*a, *b); });
  std::vector<PodInfoPtr> violating, non_violating;
  SplitByPdbViolation(potential, pdbs, &violating, &non_violating);

  std::vector<PodInfoPtr> victims;
  // Adds the pod back; keeps it when the preemptor still fits, else removes
  // it again and makes it a victim. *fits tells which.
  auto reprieve = [&](const PodInfoPtr& p, bool* fits) -> PluginStatus {
    if (PluginStatus s = add(p); !s.IsSuccess()) return s;
    *fits = fw.RunFilterPluginsWithNominatedPods(state, pod, node).IsSuccess();
    if (!*fits) {
      if (PluginStatus s = remove(p); !s.IsSuccess()) return s;
      victims.push_back(p);
    }
    return PluginStatus::Success();
  };
  int num_violating = 0;
  for (const auto& p : violating) {
    bool fits = false;
    if (PluginStatus s = reprieve(p, &fits); !s.IsSuccess()) return s;
    if (!fits) ++num_violating;
  }
  for (const auto& p : non_violating) {
    bool fits = false;
    if (PluginStatus s = reprieve(p, &fits); !s.IsSuccess()) return s;
  }
  if (!violating.empty() && !non_violating.empty()) {
    std::stable_sort(victims.begin(), victims.end(),
                     [](const PodInfoPtr& a, const PodInfoPtr& b) { return MoreImportantPod(*a, *b); });
  }
  out->node_name = node.name();
  out->victims = std::move(victims);
  out->num_pdb_violations = num_violating;
  return PluginStatus::Success();
}

PluginStatus DefaultPreemption::PostFilter(CycleState& state, const PodInfo& pod,
                                           const NodeToStatusMap& filtered, int num_all_nodes,
                                           PostFilterResult* result) {
  auto prefixed = [](Code code, const std::string& msg) {
    return PluginStatus(code, {"preemption: " + msg});
  };

  // 1) Eligibility.
  const PluginStatus* nominated_status = nullptr;
  if (!pod.nominated_node_name.empty()) {
    if (auto it = filtered.find(pod.nominated_node_name); it != filtered.end())
      nominated_status = &it->second;
  }
  if (std::string reason = PodEligibleToPreemptOthers(pod, nominated_status); !reason.empty()) {
    return prefixed(Code::kUnschedulable, reason);
  }

  // 2) Candidates.
  const auto& all_nodes = handle_.snapshot().nodes();
  if (all_nodes.empty()) return prefixed(Code::kError, "no nodes available");
  std::vector<NodeInfoPtr> potential;
  for (const auto& n : all_nodes) {
    auto it = filtered.find(n->name());
    if (it != filtered.end() && it->second.code() == Code::kUnschedulable) potential.push_back(n);
  }

  NodeToStatusMap node_statuses;
  std::vector<std::string> errors;
  std::vector<PreemptionCandidate> non_violating, violating;
  if (!potential.empty()) {
    std::vector<PdbInfo> pdbs = ParsePdbs(handle_.Objects("poddisruptionbudgets"));
    const int32_t n = static_cast<int32_t>(potential.size());
    const int32_t offset = offset_(n);
    const int32_t wanted = NumCandidates(args_, n);
    for (int32_t i = 0; i < n; ++i) {
      const NodeInfoPtr& original = potential[(offset + i) % n];
      NodeInfo node_copy = *original;
      std::unique_ptr<CycleState> state_copy = state.Clone();
      PreemptionCandidate candidate;
      PluginStatus s = SelectVictimsOnNode(*state_copy, pod, node_copy, pdbs, &candidate);
      if (s.IsSuccess() && !candidate.victims.empty()) {
        auto& list = candidate.num_pdb_violations == 0 ? non_violating : violating;
        if (static_cast<int32_t>(list.size()) < wanted) list.push_back(std::move(candidate));
        if (!non_violating.empty() &&
            static_cast<int32_t>(non_violating.size() + violating.size()) >= wanted) {
          break;
        }
        continue;
      }
      if (s.IsSuccess()) {
        s = PluginStatus::Error("expected at least one victim pod on node \"" + original->name() + "\"");
      }
      if (s.code() == Code::kError) errors.push_back(s.Message());
      node_statuses.insert_or_assign(original->name(), std::move(s));
    }
  }
  std::vector<PreemptionCandidate> candidates = std::move(non_violating);
  for (auto& c : violating) candidates.push_back(std::move(c));

  if (candidates.empty()) {
    if (!errors.empty()) return prefixed(Code::kError, AggregateMessage(errors));
    if (result != nullptr) {
      result->nominated_node_name.clear();
      result->clear_nomination = true;
    }
    auto counts = CountNodeReasons(node_statuses, num_all_nodes, {kPreemptionNotHelpfulReason});
    return prefixed(Code::kUnschedulable, FormatNodeReasons(num_all_nodes, counts));
  }

  // 3) The best candidate.
  int best = PickOneNodeForPreemption(candidates);
  if (best < 0) return prefixed(Code::kUnschedulable, "no candidate node for preemption");

  // 4) Evict and nominate.
  if (PluginStatus s = PrepareCandidate(candidates[best], pod); !s.IsSuccess()) {
    return prefixed(s.code(), s.Message());
  }
  if (result != nullptr) {
    result->nominated_node_name = candidates[best].node_name;
    result->clear_nomination = false;
  }
  return PluginStatus::Success();
}

Status DefaultPreemption::PreemptVictim(const PodInfo& victim, const PodInfo& preemptor,
                                        const std::string& node_name) {
  client::Client& client = handle_.client();
  const std::string message = preemptor.scheduler_name + ": preempting to accommodate a higher priority pod";
  // Add (or update) the DisruptionTarget condition unless it already says this.
  bool up_to_date = false;
  std::string old_status;
  if (const json* conditions = Find(*victim.object, {"status", "conditions"});
      conditions != nullptr && conditions->is_array()) {
    for (const auto& c : *conditions) {
      if (StringAt(c, {"type"}) != "DisruptionTarget") continue;
      old_status = StringAt(c, {"status"});
      up_to_date = old_status == "True" && StringAt(c, {"reason"}) == "PreemptionByScheduler" &&
                   StringAt(c, {"message"}) == message;
    }
  }
  if (!up_to_date) {
    json condition = {{"type", "DisruptionTarget"},
                      {"status", "True"},
                      {"reason", "PreemptionByScheduler"},
                      {"message", message}};
    if (old_status != "True") condition["lastTransitionTime"] = NowRfc3339();
    // Strategic merge: conditions merge by type, so other conditions stay.
    json patch = {{"status", {{"conditions", json::array({condition})}}}};
    client::PatchOptions options;
    options.subresource = "status";
    auto patched = client.Patch(kPods, victim.namespace_, victim.name, client::PatchType::kStrategicMerge,
                                patch.dump(), options);
    if (!patched.ok()) {
      if (patched.status().code() == StatusCode::kNotFound) return Status::Ok();  // already gone
      return patched.status();
    }
  }
  if (Status s = client.Delete(kPods, victim.namespace_, victim.name); !s.ok()) {
    if (s.code() == StatusCode::kNotFound) return Status::Ok();  // already gone
    return s;
  }
  handle_.RecordEvent(victim, "Normal", "Preempted", "Preempting",
                      "Preempted by pod " + preemptor.uid + " on node " + node_name);
  return Status::Ok();
}

void DefaultPreemption::ClearNominatedNodeName(const PodInfo& pod) {
  if (pod.nominated_node_name.empty()) return;
  client::PatchOptions options;
  options.subresource = "status";
  // Failures are not fatal (upstream logs them): the pod's next cycle
  // re-evaluates its nomination anyway.
  (void)handle_.client().Patch(kPods, pod.namespace_, pod.name, client::PatchType::kStrategicMerge,
                               R"({"status":{"nominatedNodeName":null}})", options);
}

PluginStatus DefaultPreemption::PrepareCandidate(const PreemptionCandidate& candidate, const PodInfo& pod) {
  for (const auto& victim : candidate.victims) {
    // Graceful deletion already started: another call changes nothing.
    if (victim->terminating) continue;
    if (Status s = PreemptVictim(*victim, pod, candidate.node_name); !s.ok()) {
      return PluginStatus::Error(s.message());
    }
  }
  // Lower-priority pods nominated to this node may no longer fit there: drop
  // their nomination so they look for another node.
  for (const auto& nominated : handle_.NominatedPodsForNode(candidate.node_name)) {
    if (nominated->priority < pod.priority) ClearNominatedNodeName(*nominated);
  }
  return PluginStatus::Success();
}

}  // namespace kubepp::scheduler::plugins
