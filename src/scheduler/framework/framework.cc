#include "scheduler/framework/framework.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <type_traits>

namespace kubepp::scheduler {
namespace {

// PrioritySort is the built-in QueueSort (priority, then queue time).
constexpr std::string_view kPrioritySort = "PrioritySort";

}  // namespace

Status PluginRegistry::Register(std::string name, PluginFactory factory) {
  if (factories_.count(name) > 0) return Status::AlreadyExists("plugin \"" + name + "\" is registered twice");
  factories_.emplace(std::move(name), std::move(factory));
  return Status::Ok();
}

const PluginFactory* PluginRegistry::Find(std::string_view name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : &it->second;
}

StatusOr<std::unique_ptr<Framework>> Framework::Create(const config::Profile& profile,
                                                       const PluginRegistry& registry, Handle& handle) {
  std::unique_ptr<Framework> f(new Framework(handle));
  f->profile_name_ = profile.scheduler_name;
  f->percentage_of_nodes_to_score_ = profile.percentage_of_nodes_to_score;
  auto expanded = config::ExpandPlugins(profile);
  const std::string where = "profile \"" + profile.scheduler_name + "\": ";

  std::map<std::string, Plugin*, std::less<>> by_name;
  for (const auto& e : expanded["MultiPoint"]) {
    if (e.name == kPrioritySort) continue;
    const PluginFactory* factory = registry.Find(e.name);
    if (factory == nullptr) return Status::Invalid(where + "plugin \"" + e.name + "\" does not exist");
    const nlohmann::json* args = nullptr;
    if (auto it = profile.plugin_args.find(e.name); it != profile.plugin_args.end()) args = it->second.get();
    auto plugin = (*factory)(args, handle);
    if (!plugin.ok()) return plugin.status().WithPrefix(where + "plugin \"" + e.name + "\"");
    by_name[e.name] = plugin->get();
    f->owned_.push_back(*std::move(plugin));
  }
  // Args for a known plugin that this profile does not enable are accepted
  // (and unused), as upstream's defaulting does; an unknown name is a typo.
  for (const auto& [name, args] : profile.plugin_args) {
    if (name != kPrioritySort && registry.Find(name) == nullptr) {
      return Status::Invalid(where + "pluginConfig: plugin \"" + name + "\" does not exist");
    }
  }

  // Plugins named explicitly at a point must implement it; multiPoint ones
  // are kept wherever they fit.
  auto explicitly = [&](const config::PluginSet& set, const std::string& name) {
    return std::any_of(set.enabled.begin(), set.enabled.end(), [&](const auto& r) { return r.name == name; });
  };
  // The plugins of one extension point, as interface pointers of type T
  // (deduced from `out`), with their weights.
  auto collect = [&](const char* point, const config::PluginSet& set, auto* out,
                     std::vector<int32_t>* weights = nullptr) -> Status {
    using T = std::remove_pointer_t<typename std::remove_pointer_t<decltype(out)>::value_type>;
    for (const auto& e : expanded[point]) {
      if (e.name == kPrioritySort) continue;
      auto* p = dynamic_cast<T*>(by_name[e.name]);
      if (p == nullptr) {
        if (explicitly(set, e.name)) {
          return Status::Invalid(where + "plugin \"" + e.name + "\" does not extend " + point + " plugin");
        }
        continue;
      }
      out->push_back(p);
      if (weights != nullptr) weights->push_back(e.weight);
    }
    return Status::Ok();
  };
  const config::Plugins& ps = profile.plugins;
  RETURN_IF_ERROR(collect("PreEnqueue", ps.pre_enqueue, &f->pre_enqueue_));
  RETURN_IF_ERROR(collect("PreFilter", ps.pre_filter, &f->pre_filter_));
  RETURN_IF_ERROR(collect("Filter", ps.filter, &f->filter_));
  RETURN_IF_ERROR(collect("PostFilter", ps.post_filter, &f->post_filter_));
  RETURN_IF_ERROR(collect("PreScore", ps.pre_score, &f->pre_score_));
  RETURN_IF_ERROR(collect("Reserve", ps.reserve, &f->reserve_));
  RETURN_IF_ERROR(collect("Permit", ps.permit, &f->permit_));
  RETURN_IF_ERROR(collect("PreBind", ps.pre_bind, &f->pre_bind_));
  RETURN_IF_ERROR(collect("Bind", ps.bind, &f->bind_));
  RETURN_IF_ERROR(collect("PostBind", ps.post_bind, &f->post_bind_));
  std::vector<ScorePlugin*> scorers;
  std::vector<int32_t> weights;
  RETURN_IF_ERROR(collect("Score", ps.score, &scorers, &weights));
  for (size_t i = 0; i < scorers.size(); ++i) f->score_.push_back({scorers[i], weights[i]});
  if (f->bind_.empty()) return Status::Invalid(where + "at least one bind plugin is needed");

  for (const auto& [name, plugin] : by_name) {
    if (auto* ee = dynamic_cast<EnqueueExtensions*>(plugin); ee != nullptr) {
      f->events_[name] = ee->EventsToRegister();
    } else {
      f->events_[name] = AllClusterEvents();
    }
  }
  return f;
}

PluginStatus Framework::RunPreEnqueuePlugins(const PodInfo& pod) {
  for (auto* p : pre_enqueue_) {
    PluginStatus s = p->PreEnqueue(pod);
    if (!s.IsSuccess()) return s.WithPlugin(p->Name());
  }
  return PluginStatus::Success();
}

PluginStatus Framework::RunPreFilterPlugins(CycleState& state, const PodInfo& pod,
                                            const std::vector<NodeInfoPtr>& nodes, PreFilterResult* result,
                                            std::vector<std::string>* narrowing_plugins) {
  *result = PreFilterResult{};
  std::set<std::string> narrowing;  // plugins whose result was not "all nodes", sorted as upstream lists them
  for (auto* p : pre_filter_) {
    PreFilterResult r;
    PluginStatus s = p->PreFilter(state, pod, nodes, &r);
    if (s.IsSkip()) {
      state.skip_filter_plugins.insert(std::string(p->Name()));
      continue;
    }
    if (!s.IsSuccess()) return s.WithPlugin(p->Name());
    if (r.node_names) {
      narrowing.insert(std::string(p->Name()));
      if (narrowing_plugins != nullptr) narrowing_plugins->assign(narrowing.begin(), narrowing.end());
      if (!result->node_names) {
        result->node_names = std::move(r.node_names);
      } else {
        std::set<std::string> both;
        std::set_intersection(result->node_names->begin(), result->node_names->end(), r.node_names->begin(),
                              r.node_names->end(), std::inserter(both, both.end()));
        result->node_names = std::move(both);
      }
      if (result->node_names->empty()) {
        // upstream: "plugin X" for one plugin, "plugin(s) [X Y] simultaneously" for several.
        std::string msg;
        if (narrowing.size() == 1) {
          msg = "node(s) didn't satisfy plugin " + *narrowing.begin();
        } else {
          msg = "node(s) didn't satisfy plugin(s) [";
          for (const auto& n : narrowing) msg += (n == *narrowing.begin() ? "" : " ") + n;
          msg += "] simultaneously";
        }
        return PluginStatus::Unresolvable(msg).WithPlugin(p->Name());
      }
    }
  }
  state.skip_filter_mask.assign(filter_.size(), 0);
  for (size_t i = 0; i < filter_.size(); ++i) {
    state.skip_filter_mask[i] = state.skip_filter_plugins.count(filter_[i]->Name()) > 0 ? 1 : 0;
  }
  return PluginStatus::Success();
}

PluginStatus Framework::RunPreFilterExtensionAddPod(CycleState& state, const PodInfo& pod,
                                                    const PodInfoPtr& to_add, const NodeInfo& node) {
  for (auto* p : pre_filter_) {
    if (!p->HasPreFilterExtensions() || state.skip_filter_plugins.count(p->Name()) > 0) continue;
    PluginStatus s = p->AddPod(state, pod, to_add, node);
    if (!s.IsSuccess()) return s.WithPlugin(p->Name());
  }
  return PluginStatus::Success();
}

PluginStatus Framework::RunPreFilterExtensionRemovePod(CycleState& state, const PodInfo& pod,
                                                       const PodInfoPtr& to_remove, const NodeInfo& node) {
  for (auto* p : pre_filter_) {
    if (!p->HasPreFilterExtensions() || state.skip_filter_plugins.count(p->Name()) > 0) continue;
    PluginStatus s = p->RemovePod(state, pod, to_remove, node);
    if (!s.IsSuccess()) return s.WithPlugin(p->Name());
  }
  return PluginStatus::Success();
}

PluginStatus Framework::RunFilterPlugins(CycleState& state, const PodInfo& pod, const NodeInfo& node) {
  const bool use_mask = state.skip_filter_mask.size() == filter_.size();
  for (size_t i = 0; i < filter_.size(); ++i) {
    FilterPlugin* p = filter_[i];
    if (use_mask) {
      if (state.skip_filter_mask[i] != 0) continue;
    } else if (!state.skip_filter_plugins.empty() && state.skip_filter_plugins.count(p->Name()) > 0) {
      continue;
    }
    PluginStatus s = p->Filter(state, pod, node);
    if (!s.IsSuccess()) return s.WithPlugin(p->Name());
  }
  return PluginStatus::Success();
}

PluginStatus Framework::RunFilterPluginsWithNominatedPods(CycleState& state, const PodInfo& pod,
                                                          const NodeInfo& node) {
  std::vector<PodInfoPtr> nominated;
  for (auto& np : handle_.NominatedPodsForNode(node.name())) {
    if (np->uid != pod.uid && np->priority >= pod.priority) nominated.push_back(std::move(np));
  }
  if (!nominated.empty()) {
    // With the nominated pods added: they will land here once their victims go.
    NodeInfo with = node;
    auto state_with = state.Clone();
    for (const auto& np : nominated) {
      with.AddPod(np);
      PluginStatus s = RunPreFilterExtensionAddPod(*state_with, pod, np, with);
      if (!s.IsSuccess()) return s;
    }
    PluginStatus s = RunFilterPlugins(*state_with, pod, with);
    if (!s.IsSuccess()) return s;
  }
  return RunFilterPlugins(state, pod, node);
}

PluginStatus Framework::RunPostFilterPlugins(CycleState& state, const PodInfo& pod, const NodeToStatusMap& filtered,
                                             int num_all_nodes, PostFilterResult* result) {
  std::vector<std::string> reasons;
  for (auto* p : post_filter_) {
    PluginStatus s = p->PostFilter(state, pod, filtered, num_all_nodes, result);
    if (s.IsSuccess()) return s.WithPlugin(p->Name());
    if (s.code() == Code::kError) return s.WithPlugin(p->Name());
    for (const auto& r : s.reasons()) reasons.push_back(r);
  }
  return PluginStatus(Code::kUnschedulable, std::move(reasons));
}

PluginStatus Framework::RunPreScorePlugins(CycleState& state, const PodInfo& pod,
                                           const std::vector<NodeInfoPtr>& nodes) {
  for (auto* p : pre_score_) {
    PluginStatus s = p->PreScore(state, pod, nodes);
    if (s.IsSkip()) {
      state.skip_score_plugins.insert(std::string(p->Name()));
      continue;
    }
    if (!s.IsSuccess()) return s.WithPlugin(p->Name());
  }
  return PluginStatus::Success();
}

StatusOr<std::vector<NodeScore>> Framework::RunScorePlugins(CycleState& state, const PodInfo& pod,
                                                            const std::vector<NodeInfoPtr>& nodes) {
  std::vector<NodeScore> total(nodes.size());
  for (size_t i = 0; i < nodes.size(); ++i) total[i].name = nodes[i]->name();
  std::vector<NodeScore> scores = total;  // names set once
  for (const auto& [plugin, weight] : score_) {
    if (!state.skip_score_plugins.empty() && state.skip_score_plugins.count(plugin->Name()) > 0) continue;
    for (size_t i = 0; i < nodes.size(); ++i) {
      scores[i].score = 0;
      PluginStatus s = plugin->Score(state, pod, *nodes[i], &scores[i].score);
      if (!s.IsSuccess()) {
        return Status::Internal("plugin \"" + std::string(plugin->Name()) + "\" failed with: " + s.Message());
      }
    }
    if (plugin->HasNormalizeScore()) {
      PluginStatus s = plugin->NormalizeScore(state, pod, scores);
      if (!s.IsSuccess()) {
        return Status::Internal("plugin \"" + std::string(plugin->Name()) + "\" failed with: " + s.Message());
      }
    }
    for (size_t i = 0; i < nodes.size(); ++i) {
      if (scores[i].score < kMinNodeScore || scores[i].score > kMaxNodeScore) {
        return Status::Internal("plugin \"" + std::string(plugin->Name()) + "\" returns an invalid score " +
                                std::to_string(scores[i].score) + ", it should in the range of [0, 100] after normalizing");
      }
      total[i].score += scores[i].score * weight;
    }
  }
  return total;
}

PluginStatus Framework::RunReservePluginsReserve(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (auto* p : reserve_) {
    PluginStatus s = p->Reserve(state, pod, node);
    if (!s.IsSuccess()) return s.WithPlugin(p->Name());
  }
  return PluginStatus::Success();
}

void Framework::RunReservePluginsUnreserve(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (auto it = reserve_.rbegin(); it != reserve_.rend(); ++it) (*it)->Unreserve(state, pod, node);
}

PluginStatus Framework::RunPermitPlugins(CycleState& state, const PodInfo& pod, const std::string& node,
                                         std::chrono::milliseconds* timeout, std::vector<std::string>* waiting) {
  bool wait = false;
  *timeout = std::chrono::milliseconds::max();
  for (auto* p : permit_) {
    std::chrono::milliseconds t{0};
    PluginStatus s = p->Permit(state, pod, node, &t);
    if (s.IsWait()) {
      wait = true;
      if (waiting != nullptr) waiting->push_back(std::string(p->Name()));
      *timeout = std::min(*timeout, std::min(t, std::chrono::milliseconds(15 * 60 * 1000)));
      continue;
    }
    if (!s.IsSuccess()) return s.WithPlugin(p->Name());
  }
  if (wait) return PluginStatus(Code::kWait, {});
  return PluginStatus::Success();
}

PluginStatus Framework::RunPreBindPlugins(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (auto* p : pre_bind_) {
    PluginStatus s = p->PreBind(state, pod, node);
    if (!s.IsSuccess()) return s.WithPlugin(p->Name());
  }
  return PluginStatus::Success();
}

PluginStatus Framework::RunBindPlugins(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (auto* p : bind_) {
    PluginStatus s = p->Bind(state, pod, node);
    if (s.IsSkip()) continue;
    return s.WithPlugin(p->Name());
  }
  return PluginStatus::Error("no bind plugin bound the pod");
}

void Framework::RunPostBindPlugins(CycleState& state, const PodInfo& pod, const std::string& node) {
  for (auto* p : post_bind_) p->PostBind(state, pod, node);
}

const std::vector<ClusterEvent>& Framework::EventsFor(std::string_view plugin) const {
  auto it = events_.find(plugin);
  return it == events_.end() ? AllClusterEvents() : it->second;
}

}  // namespace kubepp::scheduler
