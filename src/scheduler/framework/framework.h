// Framework: one scheduling profile at run time — its plugins per extension
// point, built from the configuration and the plugin registry, and the
// Run*Plugins methods that apply upstream's semantics at each point
// (first failure wins at Filter, weighted normalized sums at Score, Unreserve
// in reverse order, Bind until a plugin does not Skip, ...).
//
// Thread-safety: see interface.h; the Framework itself keeps no per-pod
// state (that is in CycleState), so binding threads and the cycle thread may
// call it concurrently.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/config/config.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler {

// Plugin name -> factory; names are unique (Register rejects duplicates).
class PluginRegistry {
 public:
  // Errors: AlreadyExists for a name registered twice.
  Status Register(std::string name, PluginFactory factory);
  const PluginFactory* Find(std::string_view name) const;

 private:
  std::map<std::string, PluginFactory, std::less<>> factories_;
};

class Framework {
 public:
  // Builds the profile's plugins. Errors: Invalid naming an unknown plugin,
  // a plugin enabled at a point it does not implement, or bad args.
  static StatusOr<std::unique_ptr<Framework>> Create(const config::Profile& profile,
                                                     const PluginRegistry& registry, Handle& handle);

  const std::string& profile_name() const { return profile_name_; }
  // The profile's percentageOfNodesToScore, if it set one.
  std::optional<int32_t> percentage_of_nodes_to_score() const { return percentage_of_nodes_to_score_; }

  PluginStatus RunPreEnqueuePlugins(const PodInfo& pod);
  // Merges the plugins' PreFilterResults (intersection). A plugin's Skip is
  // recorded in state.skip_filter_plugins. `narrowing_plugins` (optional)
  // receives the sorted names of the plugins that returned a node set (the
  // reason upstream gives the nodes left out: "node(s) didn't satisfy
  // plugin(s) [NodeAffinity]").
  PluginStatus RunPreFilterPlugins(CycleState& state, const PodInfo& pod,
                                   const std::vector<NodeInfoPtr>& nodes, PreFilterResult* result,
                                   std::vector<std::string>* narrowing_plugins = nullptr);
  PluginStatus RunPreFilterExtensionAddPod(CycleState& state, const PodInfo& pod, const PodInfoPtr& to_add,
                                           const NodeInfo& node);
  PluginStatus RunPreFilterExtensionRemovePod(CycleState& state, const PodInfo& pod,
                                              const PodInfoPtr& to_remove, const NodeInfo& node);
  // The first failing Filter plugin's status (with plugin() set), or Success.
  PluginStatus RunFilterPlugins(CycleState& state, const PodInfo& pod, const NodeInfo& node);
  // upstream RunFilterPluginsWithNominatedPods: when pods of equal or higher
  // priority are nominated to the node, the filters must pass both with
  // them added (on a copy of the node and state) and without.
  PluginStatus RunFilterPluginsWithNominatedPods(CycleState& state, const PodInfo& pod, const NodeInfo& node);
  bool HasPostFilterPlugins() const { return !post_filter_.empty(); }
  PluginStatus RunPostFilterPlugins(CycleState& state, const PodInfo& pod, const NodeToStatusMap& filtered,
                                    int num_all_nodes, PostFilterResult* result);
  PluginStatus RunPreScorePlugins(CycleState& state, const PodInfo& pod, const std::vector<NodeInfoPtr>& nodes);
  // Weighted sum of the normalized scores of every Score plugin, per node
  // (same order as `nodes`).
  StatusOr<std::vector<NodeScore>> RunScorePlugins(CycleState& state, const PodInfo& pod,
                                                   const std::vector<NodeInfoPtr>& nodes);
  PluginStatus RunReservePluginsReserve(CycleState& state, const PodInfo& pod, const std::string& node);
  void RunReservePluginsUnreserve(CycleState& state, const PodInfo& pod, const std::string& node);
  // Success, a rejection, or kWait with *timeout set to the smallest wait
  // and the names of the plugins that asked to wait in *waiting.
  PluginStatus RunPermitPlugins(CycleState& state, const PodInfo& pod, const std::string& node,
                                std::chrono::milliseconds* timeout,
                                std::vector<std::string>* waiting = nullptr);
  PluginStatus RunPreBindPlugins(CycleState& state, const PodInfo& pod, const std::string& node);
  PluginStatus RunBindPlugins(CycleState& state, const PodInfo& pod, const std::string& node);
  void RunPostBindPlugins(CycleState& state, const PodInfo& pod, const std::string& node);

  // The events after which a pod rejected by `plugin` may fit.
  // Lives as long as the Framework (the queue calls it per pending pod and event).
  const std::vector<ClusterEvent>& EventsFor(std::string_view plugin) const;

  Handle& handle() { return handle_; }

 private:
  Framework(Handle& handle) : handle_(handle) {}

  template <typename T>
  struct Weighted {
    T* plugin;
    int32_t weight;
  };

  Handle& handle_;
  std::string profile_name_;
  std::optional<int32_t> percentage_of_nodes_to_score_;
  std::vector<std::unique_ptr<Plugin>> owned_;
  std::vector<PreEnqueuePlugin*> pre_enqueue_;
  std::vector<PreFilterPlugin*> pre_filter_;
  std::vector<FilterPlugin*> filter_;
  std::vector<PostFilterPlugin*> post_filter_;
  std::vector<PreScorePlugin*> pre_score_;
  std::vector<Weighted<ScorePlugin>> score_;
  std::vector<ReservePlugin*> reserve_;
  std::vector<PermitPlugin*> permit_;
  std::vector<PreBindPlugin*> pre_bind_;
  std::vector<BindPlugin*> bind_;
  std::vector<PostBindPlugin*> post_bind_;
  std::map<std::string, std::vector<ClusterEvent>, std::less<>> events_;
};

}  // namespace kubepp::scheduler
