// PodInfo: a Pod as the scheduler reads it, parsed once from its API JSON
// when the informer delivers it, so that plugins evaluating thousands of
// nodes per pod never touch JSON. NodeSelector/affinity/toleration/spread
// types are the parsed forms of their core/v1 counterparts.
//
// A malformed pod (bad quantity, bad selector) still parses: parse_error
// says what is wrong and the scheduler reports it instead of scheduling.
// Matching a Taint, a NodeSelector or an AffinityTerm is done by the free
// functions below, which the plugins share.
//
// Known blind spots: pod-level resources (spec.resources) and in-place
// resize (allocatedResources) are not modelled.
//
// Thread-safety: PodInfo is immutable once built and shared through
// PodInfoPtr between the cache, the queue and scheduling cycles.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "api/labels.h"
#include "common/status.h"
#include "scheduler/framework/types.h"

namespace kubepp::scheduler {

// core/v1 Taint.
struct Taint {
  std::string key;
  std::string value;
  std::string effect;  // "NoSchedule", "PreferNoSchedule", "NoExecute"
};

// core/v1 Toleration. op is "Exists" or "Equal" ("" is read as "Equal").
struct Toleration {
  std::string key;
  std::string op;
  std::string value;
  std::string effect;  // "" tolerates every effect
  std::optional<int64_t> toleration_seconds;
};

// upstream Toleration.ToleratesTaint.
bool ToleratesTaint(const Toleration& toleration, const Taint& taint);
bool TolerationsTolerateTaint(const std::vector<Toleration>& tolerations, const Taint& taint);

// One nodeSelectorTerm: its match_expressions (over node labels) and
// match_fields (metadata.name only) are ANDed. `valid` is false when a
// requirement is malformed (unknown operator, bad Gt/Lt value): such a term
// matches no node, as upstream.
struct NodeSelectorTerm {
  std::vector<api::LabelRequirement> match_expressions;
  std::vector<api::LabelRequirement> match_fields;  // key "metadata.name"
  bool valid = true;
  bool Empty() const { return match_expressions.empty() && match_fields.empty(); }
};

// core/v1 NodeSelector: terms are ORed; no term (or only empty terms)
// matches nothing.
struct NodeSelector {
  std::vector<NodeSelectorTerm> terms;
};

struct PreferredSchedulingTerm {
  int32_t weight = 0;
  NodeSelectorTerm preference;
};

class NodeInfo;

// True when the term/selector matches the node's labels and name.
bool NodeSelectorTermMatches(const NodeSelectorTerm& term, const api::Labels& labels, const std::string& name);
bool NodeSelectorMatches(const NodeSelector& selector, const api::Labels& labels, const std::string& name);

// A PodAffinityTerm with its namespaces resolved as upstream does: an empty
// `namespaces` list and no namespaceSelector mean the pod's own namespace;
// a present but empty namespaceSelector means every namespace.
// matchLabelKeys / mismatchLabelKeys are already merged into `selector`
// (MatchLabelKeysInPodAffinity, on by default in 1.33).
struct AffinityTerm {
  api::LabelSelector selector;
  std::set<std::string> namespaces;
  std::optional<api::LabelSelector> namespace_selector;  // nullopt: none given
  std::string topology_key;

  // True when `pod` is in one of the term's namespaces (namespace_labels
  // are the labels of pod's namespace, for namespace_selector) and its
  // labels match `selector`.
  bool Matches(const struct PodInfo& pod, const api::Labels* namespace_labels) const;
};

struct WeightedAffinityTerm {
  int32_t weight = 0;
  AffinityTerm term;
};

// core/v1 TopologySpreadConstraint with the 1.33 defaults applied
// (nodeAffinityPolicy Honor, nodeTaintsPolicy Ignore), matchLabelKeys
// merged into `selector`.
struct TopologySpreadConstraint {
  int32_t max_skew = 1;
  std::string topology_key;
  std::string when_unsatisfiable;  // "DoNotSchedule" or "ScheduleAnyway"
  api::LabelSelector selector;
  int32_t min_domains = 1;         // 1 when unset
  std::string node_affinity_policy = "Honor";  // "Honor" or "Ignore"
  std::string node_taints_policy = "Ignore";   // "Honor" or "Ignore"
};

// A container port with a hostPort (the only ones NodePorts cares about).
struct HostPort {
  std::string host_ip;   // "" is read as "0.0.0.0"
  std::string protocol;  // "" is read as "TCP"
  int32_t port = 0;
};

struct PodInfo {
  // The API object as received; never null.
  std::shared_ptr<const nlohmann::json> object;

  std::string namespace_;
  std::string name;
  std::string uid;
  std::string resource_version;
  api::Labels labels;
  std::chrono::system_clock::time_point creation_timestamp;
  // status.startTime when set, else creation_timestamp (preemption picks the
  // victim set whose highest-priority pod started last).
  std::chrono::system_clock::time_point start_time;
  bool terminating = false;  // metadata.deletionTimestamp set
  std::vector<std::string> owner_uids;

  // spec
  std::string node_name;
  std::string scheduler_name;  // "default-scheduler" when unset
  int32_t priority = 0;
  std::string preemption_policy = "PreemptLowerPriority";  // or "Never"
  std::map<std::string, std::string> node_selector;
  std::optional<NodeSelector> required_node_affinity;
  std::vector<PreferredSchedulingTerm> preferred_node_affinity;
  std::vector<Toleration> tolerations;
  std::vector<AffinityTerm> required_affinity;
  std::vector<AffinityTerm> required_anti_affinity;
  std::vector<WeightedAffinityTerm> preferred_affinity;
  std::vector<WeightedAffinityTerm> preferred_anti_affinity;
  std::vector<TopologySpreadConstraint> topology_spread_constraints;
  std::vector<HostPort> host_ports;
  std::vector<std::string> images;            // containers then init containers, as written
  std::vector<std::string> scheduling_gates;  // names
  std::vector<std::string> pvc_names;         // volumes[].persistentVolumeClaim.claimName

  // status
  std::string phase;
  std::string nominated_node_name;

  // Requests as upstream PodRequests (see types.h), and the variant used for
  // scoring where a container without a cpu/memory request counts as
  // 100m / 200Mi (upstream's non-zero defaults).
  Resource requests;
  Resource non_zero_requests;

  // Not OK when the pod could not be fully parsed; the message names the field.
  Status parse_error;

  std::string Key() const { return namespace_ + "/" + name; }
  bool HasAffinityConstraints() const {
    return !required_affinity.empty() || !preferred_affinity.empty() || !required_anti_affinity.empty() ||
           !preferred_anti_affinity.empty();
  }
  bool HasRequiredAntiAffinity() const { return !required_anti_affinity.empty(); }
};

using PodInfoPtr = std::shared_ptr<const PodInfo>;

// Parses a Pod. Never fails: problems are in parse_error.
PodInfoPtr ParsePodInfo(std::shared_ptr<const nlohmann::json> pod);

// Upstream's non-zero scoring defaults.
inline constexpr int64_t kDefaultMilliCPURequest = 100;
inline constexpr int64_t kDefaultMemoryRequest = 200 * 1024 * 1024;

}  // namespace kubepp::scheduler
