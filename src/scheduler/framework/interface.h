// The scheduling framework's plugin interfaces, in upstream's shape
// (k8s.io/kubernetes/pkg/scheduler/framework/interface.go): one interface per
// extension point, a CycleState for data a plugin carries from one extension
// point to the next within one pod's cycle, a PluginStatus verdict, and the
// Handle through which plugins reach the snapshot and the API.
//
// Extension points, in cycle order: PreEnqueue (queue admission), QueueSort
// (built in: priority then age), PreFilter, Filter, PostFilter (preemption),
// PreScore, Score (+ NormalizeScore), Reserve/Unreserve, Permit — then, on
// the binding thread, PreBind, Bind, PostBind.
//
// A plugin class implements every interface it needs (virtual inheritance
// from Plugin); the framework finds them with dynamic_cast when it builds a
// profile. Plugins are created once per profile by a factory registered in
// plugins/registry.cc and live as long as the scheduler.
//
// Thread-safety: scheduling-cycle extension points (PreFilter ... Permit)
// run on the scheduler's one cycle thread; PreBind/Bind/PostBind and
// Unreserve after a failed bind run on binding threads, concurrently with
// the next cycles. A plugin with state shared across pods must guard it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/framework/node_info.h"
#include "scheduler/framework/pod_info.h"

namespace kubepp::client {
class Client;
}

namespace kubepp::scheduler {

// upstream framework.Code.
enum class Code {
  kSuccess,
  kError,                         // internal error: the pod is retried with back-off
  kUnschedulable,                 // may fit once other pods go (preemption may help)
  kUnschedulableAndUnresolvable,  // preemption on this node cannot help
  kWait,                          // Permit: hold the pod until allowed/rejected/timeout
  kSkip,                          // PreFilter/PreScore: skip this plugin's later points; Bind: not mine
  kPending,                       // waiting for something external (not retried on cluster events)
};

class PluginStatus {
 public:
  PluginStatus() = default;
  PluginStatus(Code code, std::vector<std::string> reasons) : code_(code), reasons_(std::move(reasons)) {}
  static PluginStatus Success() { return {}; }
  static PluginStatus Skip() { return {Code::kSkip, {}}; }
  static PluginStatus Error(std::string message) { return {Code::kError, {std::move(message)}}; }
  static PluginStatus Unschedulable(std::string reason) { return {Code::kUnschedulable, {std::move(reason)}}; }
  static PluginStatus Unresolvable(std::string reason) {
    return {Code::kUnschedulableAndUnresolvable, {std::move(reason)}};
  }

  Code code() const { return code_; }
  const std::vector<std::string>& reasons() const { return reasons_; }
  // The plugin that produced the status ("" until the framework sets it).
  const std::string& plugin() const { return plugin_; }
  PluginStatus& WithPlugin(std::string_view plugin) {
    plugin_ = std::string(plugin);
    return *this;
  }

  bool IsSuccess() const { return code_ == Code::kSuccess; }
  bool IsSkip() const { return code_ == Code::kSkip; }
  bool IsWait() const { return code_ == Code::kWait; }
  // Unschedulable, UnschedulableAndUnresolvable or Pending.
  bool IsRejected() const {
    return code_ == Code::kUnschedulable || code_ == Code::kUnschedulableAndUnresolvable || code_ == Code::kPending;
  }
  // Reasons joined with ", ".
  std::string Message() const;

 private:
  Code code_ = Code::kSuccess;
  std::vector<std::string> reasons_;
  std::string plugin_;
};

// Data a plugin stores in the CycleState. Clone is used by preemption, which
// runs Filter on copies of the state with pods removed.
class StateData {
 public:
  virtual ~StateData() = default;
  virtual std::unique_ptr<StateData> Clone() const = 0;
};

// Per-pod, per-cycle scratch space keyed by plugin-chosen strings
// ("PreFilter" + plugin name, by convention). Not thread-safe: one cycle.
class CycleState {
 public:
  CycleState() = default;
  CycleState(const CycleState&) = delete;
  CycleState& operator=(const CycleState&) = delete;

  // nullptr when nothing was written under `key`.
  // Lookups are per node per plugin, so keys are kept in a short vector and
  // matched by address first (keys are the plugins' string constants).
  StateData* Read(std::string_view key) const;
  void Write(std::string_view key, std::unique_ptr<StateData> data);
  void Delete(std::string_view key);
  // A deep copy (StateData::Clone of every entry, and the skip sets).
  std::unique_ptr<CycleState> Clone() const;

  // Plugins whose PreFilter/PreScore returned Skip: their Filter/Score is not run.
  std::set<std::string, std::less<>> skip_filter_plugins;
  std::set<std::string, std::less<>> skip_score_plugins;
  // skip_filter_plugins as one flag per Filter plugin of the profile, in
  // order; filled by the framework after PreFilter so that the per-node
  // Filter loop does no string lookups. Empty: consult the set.
  std::vector<uint8_t> skip_filter_mask;

 private:
  struct Entry {
    std::string key;
    const char* key_address;  // the caller's key data, for the fast path
    std::unique_ptr<StateData> data;
  };
  std::vector<Entry> data_;
};

// What the cycle can see of the cluster: every known node with the pods the
// scheduler counts on it, frozen at the cycle's start.
class Snapshot {
 public:
  virtual ~Snapshot() = default;
  // Nodes with a node object, in a stable order (the cache's).
  virtual const std::vector<NodeInfoPtr>& nodes() const = 0;
  // Nodes that have at least one pod with (anti-)affinity terms / with
  // required anti-affinity terms.
  virtual const std::vector<NodeInfoPtr>& nodes_with_affinity_pods() const = 0;
  virtual const std::vector<NodeInfoPtr>& nodes_with_required_anti_affinity_pods() const = 0;
  // nullptr when the node is unknown.
  virtual const NodeInfo* Get(std::string_view node_name) const = 0;
  // How many nodes report the image (by any of its names) in status.images.
  virtual int NumNodesWithImage(const std::string& image) const = 0;
};

// What a cluster event is about, for requeueing unschedulable pods.
enum class EventResource { kPod, kAssignedPod, kNode, kNamespace, kPodDisruptionBudget, kWildcard };
enum ActionType : uint32_t {
  kAdd = 1,
  kDelete = 2,
  kUpdateNodeAllocatable = 4,
  kUpdateNodeLabel = 8,
  kUpdateNodeTaint = 16,
  kUpdateNodeCondition = 32,
  kUpdatePodLabel = 64,
  kUpdatePodScaleDown = 128,  // an assigned pod's requests went down
  kUpdatePodTolerations = 256,
  kUpdatePodSchedulingGatesEliminated = 512,
  kUpdateOther = 1024,
  kUpdate = 4 + 8 + 16 + 32 + 64 + 128 + 256 + 512 + 1024,
  kAll = 0xffffffff,
};
struct ClusterEvent {
  EventResource resource = EventResource::kWildcard;
  uint32_t actions = kAll;
  // True when `other` (an event that happened) is covered by this registration.
  bool Matches(const ClusterEvent& happened) const {
    return (resource == EventResource::kWildcard || resource == happened.resource ||
            (resource == EventResource::kPod && happened.resource == EventResource::kAssignedPod)) &&
           (actions & happened.actions) != 0;
  }
};

// What a plugin without EnqueueExtensions registers: every event.
inline const std::vector<ClusterEvent>& AllClusterEvents() {
  static const std::vector<ClusterEvent> kAll = {ClusterEvent{}};
  return kAll;
}

// True when any of `registered` covers the event that happened.
inline bool AnyEventMatches(const std::vector<ClusterEvent>& registered, const ClusterEvent& happened) {
  for (const auto& r : registered) {
    if (r.Matches(happened)) return true;
  }
  return false;
}

class Framework;

// Services plugins may use. Owned by the scheduler; outlives every plugin.
class Handle {
 public:
  virtual ~Handle() = default;
  // The snapshot of the running cycle (valid during PreFilter..Permit).
  virtual const Snapshot& snapshot() const = 0;
  // Labels of a namespace; nullptr when it is unknown (namespaceSelector).
  virtual const api::Labels* NamespaceLabels(const std::string& ns) const = 0;
  // The API client (binding, preemption's deletions and status patches).
  virtual client::Client& client() = 0;
  // Every cached object of a resource the scheduler watches besides pods and
  // nodes: "poddisruptionbudgets" (preemption), "services", "replicasets",
  // "statefulsets", "replicationcontrollers" (PodTopologySpread's system
  // default constraints), "namespaces". Empty for anything else.
  virtual std::vector<std::shared_ptr<const nlohmann::json>> Objects(std::string_view resource) const = 0;
  // The profile's framework, for plugins that run other plugins
  // (preemption runs the Filter plugins on hypothetical nodes).
  virtual Framework& framework() = 0;
  // Pods nominated to run on `node_name` (preemptors waiting for victims to go).
  virtual std::vector<PodInfoPtr> NominatedPodsForNode(const std::string& node_name) const = 0;
  // Permit: a pod held at Permit (kWait) goes on to binding once every
  // plugin that made it wait allowed it; a rejection sends it back to the
  // queue with `message`. Both return false when no pod with this uid waits.
  virtual bool AllowWaitingPod(const std::string& /*uid*/, std::string_view /*plugin*/) { return false; }
  virtual bool RejectWaitingPod(const std::string& /*uid*/, std::string_view /*plugin*/, std::string /*message*/) {
    return false;
  }
  // Emits a core/v1 Event about `pod` (type "Normal"/"Warning").
  virtual void RecordEvent(const PodInfo& pod, std::string_view type, std::string_view reason,
                           std::string_view action, std::string message) = 0;
};

class Plugin {
 public:
  virtual ~Plugin() = default;
  virtual std::string_view Name() const = 0;
};

// Gate before a pod enters the active queue (SchedulingGates).
class PreEnqueuePlugin : public virtual Plugin {
 public:
  virtual PluginStatus PreEnqueue(const PodInfo& pod) = 0;
};

// Optional narrowing of the candidate nodes by PreFilter.
struct PreFilterResult {
  std::optional<std::set<std::string>> node_names;  // nullopt: all nodes
};

class PreFilterPlugin : public virtual Plugin {
 public:
  // Skip: the plugin's Filter is not run for this pod. Unschedulable*:
  // the pod fails on every node with this status.
  virtual PluginStatus PreFilter(CycleState& state, const PodInfo& pod, const std::vector<NodeInfoPtr>& nodes,
                                 PreFilterResult* result) = 0;
  // PreFilterExtensions: keep the PreFilter state right when preemption
  // (or nominated pods) adds/removes a pod on a hypothetical node.
  virtual bool HasPreFilterExtensions() const { return false; }
  virtual PluginStatus AddPod(CycleState& /*state*/, const PodInfo& /*pod_to_schedule*/,
                              const PodInfoPtr& /*pod_to_add*/, const NodeInfo& /*node*/) {
    return PluginStatus::Success();
  }
  virtual PluginStatus RemovePod(CycleState& /*state*/, const PodInfo& /*pod_to_schedule*/,
                                 const PodInfoPtr& /*pod_to_remove*/, const NodeInfo& /*node*/) {
    return PluginStatus::Success();
  }
};

class FilterPlugin : public virtual Plugin {
 public:
  virtual PluginStatus Filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) = 0;
};

// Status of each node that failed filtering (node name -> status).
using NodeToStatusMap = std::map<std::string, PluginStatus, std::less<>>;

struct PostFilterResult {
  std::string nominated_node_name;  // "" when none
  // upstream NewPostFilterResultWithNominatedNode(""): the pod fits nowhere
  // even with preemption, so drop its status.nominatedNodeName (and its
  // entry in the nominator) if it has one. Only meaningful with "" above.
  bool clear_nomination = false;
};

class PostFilterPlugin : public virtual Plugin {
 public:
  // Success with a nominated node when the pod can fit there after victims
  // go; Unschedulable otherwise, its reasons becoming the " preemption: ..."
  // part of the FailedScheduling message.
  virtual PluginStatus PostFilter(CycleState& state, const PodInfo& pod, const NodeToStatusMap& filtered,
                                  int num_all_nodes, PostFilterResult* result) = 0;
};

class PreScorePlugin : public virtual Plugin {
 public:
  virtual PluginStatus PreScore(CycleState& state, const PodInfo& pod, const std::vector<NodeInfoPtr>& nodes) = 0;
};

struct NodeScore {
  std::string name;
  int64_t score = 0;
};

inline constexpr int64_t kMaxNodeScore = 100;
inline constexpr int64_t kMinNodeScore = 0;

// upstream helper.DefaultNormalizeScore: scales the scores so the highest
// becomes max_priority; with `reverse`, each becomes max_priority - scaled.
// When every score is 0, reverse sets all to max_priority (else all stay 0).
void DefaultNormalizeScore(int64_t max_priority, bool reverse, std::vector<NodeScore>& scores);

class ScorePlugin : public virtual Plugin {
 public:
  // A score in [kMinNodeScore, kMaxNodeScore] after NormalizeScore.
  virtual PluginStatus Score(CycleState& state, const PodInfo& pod, const NodeInfo& node, int64_t* score) = 0;
  virtual bool HasNormalizeScore() const { return false; }
  virtual PluginStatus NormalizeScore(CycleState& /*state*/, const PodInfo& /*pod*/,
                                      std::vector<NodeScore>& /*scores*/) {
    return PluginStatus::Success();
  }
};

class ReservePlugin : public virtual Plugin {
 public:
  virtual PluginStatus Reserve(CycleState& state, const PodInfo& pod, const std::string& node_name) = 0;
  // Undoes Reserve; must be idempotent and never fail.
  virtual void Unreserve(CycleState& state, const PodInfo& pod, const std::string& node_name) = 0;
};

class PermitPlugin : public virtual Plugin {
 public:
  // Success, a rejection, or kWait with *timeout set: the binding thread
  // then waits until WaitingPods::Allow/Reject or the timeout (rejection).
  virtual PluginStatus Permit(CycleState& state, const PodInfo& pod, const std::string& node_name,
                              std::chrono::milliseconds* timeout) = 0;
};

class PreBindPlugin : public virtual Plugin {
 public:
  virtual PluginStatus PreBind(CycleState& state, const PodInfo& pod, const std::string& node_name) = 0;
};

class BindPlugin : public virtual Plugin {
 public:
  // Skip hands the pod to the next Bind plugin.
  virtual PluginStatus Bind(CycleState& state, const PodInfo& pod, const std::string& node_name) = 0;
};

class PostBindPlugin : public virtual Plugin {
 public:
  virtual void PostBind(CycleState& state, const PodInfo& pod, const std::string& node_name) = 0;
};

// Cluster events after which a pod this plugin rejected may now fit.
// Plugins that do not implement it are assumed to care about every event.
class EnqueueExtensions : public virtual Plugin {
 public:
  virtual std::vector<ClusterEvent> EventsToRegister() const = 0;
};

// Creates a plugin from its args (the pluginConfig entry's `args`, or null).
// Errors: Invalid naming the bad arg.
using PluginFactory =
    std::function<StatusOr<std::unique_ptr<Plugin>>(const nlohmann::json* args, Handle& handle)>;

}  // namespace kubepp::scheduler
