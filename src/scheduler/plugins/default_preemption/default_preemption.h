// DefaultPreemption: the PostFilter plugin that, when a pod fits on no node,
// looks for a node where deleting lower-priority pods ("victims") makes it
// fit, deletes them, and nominates the node for the pod (upstream
// pkg/scheduler/framework/plugins/defaultpreemption and
// pkg/scheduler/framework/preemption).
//
// One PostFilter call:
//  1. Eligibility: preemptionPolicy Never, or a nominated node that still
//     has a lower-priority pod terminating because of scheduler preemption,
//     ends it with Unschedulable "preemption: not eligible due to ...".
//  2. Dry run over the nodes whose Filter status is Unschedulable (not
//     UnschedulableAndUnresolvable), from a random offset, until enough
//     candidates are found (minCandidateNodesPercentage/-Absolute): on a copy
//     of the NodeInfo and the CycleState, remove every lower-priority pod,
//     check the pod fits, then reprieve victims most important first (PDB
//     violating ones before the others) while the pod still fits.
//  3. Pick one candidate (fewest PDB violations, lowest highest victim
//     priority, smallest priority sum, fewest victims, latest start of the
//     highest-priority victims, first).
//  4. For each victim not already terminating: patch the DisruptionTarget
//     condition into its status, delete it, record a "Preempted" event; clear
//     the nomination of lower-priority pods nominated to the node; return
//     Success nominating the node.
// Without candidates the status is Unschedulable with upstream's message
// "preemption: 0/N nodes are available: ..." and the result asks the
// scheduler to clear the pod's nomination.
//
// Known blind spots: extenders are not consulted; victims waiting at Permit
// are deleted through the API rather than rejected in memory; preemption runs
// synchronously on the cycle thread (upstream's SchedulerAsyncPreemption
// path, with its PreEnqueue gate, is not implemented); a pod's start time is
// status.startTime or, when unset, its creationTimestamp (upstream uses "now").
//
// Thread-safety: PostFilter runs on the scheduling-cycle thread only.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/labels.h"
#include "common/status.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kDefaultPreemptionName = "DefaultPreemption";

// Reasons and messages users see (upstream's strings).
inline constexpr const char* kNoVictimsReason = "No preemption victims found for incoming pod";
inline constexpr const char* kPreemptionNotHelpfulReason = "Preemption is not helpful for scheduling";
inline constexpr const char* kNotEligibleNeverMessage = "not eligible due to preemptionPolicy=Never.";
inline constexpr const char* kNotEligibleTerminatingMessage =
    "not eligible due to a terminating pod on the nominated node.";

// kubescheduler.config.k8s.io/v1 DefaultPreemptionArgs.
struct DefaultPreemptionArgs {
  int32_t min_candidate_nodes_percentage = 10;
  int32_t min_candidate_nodes_absolute = 100;
};

// Parses and validates the args object (null: defaults). Errors: Invalid
// with upstream's field errors, e.g. "minCandidateNodesPercentage: Invalid
// value: 200: not in valid range [0, 100]"; several are listed in "[..., ...]".
StatusOr<DefaultPreemptionArgs> ParseDefaultPreemptionArgs(const nlohmann::json* args);

// The factory registered under kDefaultPreemptionName. Errors: those of
// ParseDefaultPreemptionArgs.
StatusOr<std::unique_ptr<Plugin>> NewDefaultPreemption(const nlohmann::json* args, Handle& handle);

// How many candidates the dry run looks for among `num_nodes` potential
// nodes: percentage of them, at least the absolute minimum, at most all.
int32_t NumCandidates(const DefaultPreemptionArgs& args, int32_t num_nodes);

// A PodDisruptionBudget as preemption reads it.
struct PdbInfo {
  std::string namespace_;
  api::LabelSelector selector = api::LabelSelector::Nothing();  // nil or invalid: matches nothing
  int32_t disruptions_allowed = 0;
  std::set<std::string> disrupted_pods;  // status.disruptedPods keys (pod names)
};
std::vector<PdbInfo> ParsePdbs(const std::vector<std::shared_ptr<const nlohmann::json>>& objects);

// upstream util.MoreImportantPod: higher priority, then earlier start.
bool MoreImportantPod(const PodInfo& a, const PodInfo& b);

// Splits `pods` (order kept) into those whose deletion would take some
// matching PDB's disruptionsAllowed below zero, counting the pods in order,
// and the rest. A PDB with an empty selector matches nothing; a pod listed
// in a PDB's disruptedPods does not count against it.
void SplitByPdbViolation(const std::vector<PodInfoPtr>& pods, const std::vector<PdbInfo>& pdbs,
                         std::vector<PodInfoPtr>* violating, std::vector<PodInfoPtr>* non_violating);

struct PreemptionCandidate {
  std::string node_name;
  std::vector<PodInfoPtr> victims;  // most important first
  int num_pdb_violations = 0;
};

// upstream pickOneNodeForPreemption over `candidates` (each with at least
// one victim); ties after every rule go to the earliest in the list.
// Returns the index, or -1 when empty.
int PickOneNodeForPreemption(const std::vector<PreemptionCandidate>& candidates);

// True when the pod is being deleted because scheduler preemption chose it
// (deletionTimestamp set and a DisruptionTarget=True condition with reason
// PreemptionByScheduler).
bool PodTerminatingByPreemption(const PodInfo& pod);

class DefaultPreemption : public PostFilterPlugin, public EnqueueExtensions {
 public:
  DefaultPreemption(DefaultPreemptionArgs args, Handle& handle);

  std::string_view Name() const override { return kDefaultPreemptionName; }
  PluginStatus PostFilter(CycleState& state, const PodInfo& pod, const NodeToStatusMap& filtered,
                          int num_all_nodes, PostFilterResult* result) override;
  // None: the plugin never rejects a pod by itself (upstream registers no
  // events without async preemption).
  std::vector<ClusterEvent> EventsToRegister() const override { return {}; }

  // Step 1. `nominated_node_status`: the Filter status of the pod's
  // nominated node, nullptr when the node has none (read as
  // UnschedulableAndUnresolvable, as upstream's absent-node status).
  // Returns "" when eligible, else the reason.
  std::string PodEligibleToPreemptOthers(const PodInfo& pod, const PluginStatus* nominated_node_status) const;

  // Step 2 on one node: `node` and `state` are the caller's copies and are
  // modified. Success with out->victims (non-empty) and
  // out->num_pdb_violations; UnschedulableAndUnresolvable kNoVictimsReason
  // when no pod has lower priority; the Filter status when the pod does not
  // fit even without them; Error when a PreFilter extension fails.
  PluginStatus SelectVictimsOnNode(CycleState& state, const PodInfo& pod, NodeInfo& node,
                                   const std::vector<PdbInfo>& pdbs, PreemptionCandidate* out);

  // Tests: the dry run's start offset among n potential nodes (default: random in [0, n)).
  void set_offset_function(std::function<int32_t(int32_t)> offset) { offset_ = std::move(offset); }

 private:
  // Step 4. Error status on a failed API call.
  PluginStatus PrepareCandidate(const PreemptionCandidate& candidate, const PodInfo& pod);
  Status PreemptVictim(const PodInfo& victim, const PodInfo& preemptor, const std::string& node_name);
  void ClearNominatedNodeName(const PodInfo& pod);

  const DefaultPreemptionArgs args_;
  Handle& handle_;
  std::function<int32_t(int32_t)> offset_;
};

}  // namespace kubepp::scheduler::plugins
