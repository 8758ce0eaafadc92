// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) as kubepp reads
// it: profiles selected by spec.schedulerName, each with plugins enabled and
// disabled per extension point (multiPoint included), score weights,
// pluginConfig args, and percentageOfNodesToScore; plus leader election and
// the client connection. Defaults are upstream's v1 defaults: one profile
// "default-scheduler" with the default plugin set and weights.
//
// Parsing is strict about what it understands (unknown top-level or profile
// fields are errors naming the field) and leaves plugin args to the plugins.
//
// Thread-safety: value types.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"

namespace kubepp::scheduler::config {

inline constexpr const char* kDefaultSchedulerName = "default-scheduler";

struct PluginRef {
  std::string name;
  int32_t weight = 0;  // 0: the plugin's default weight
};

struct PluginSet {
  std::vector<PluginRef> enabled;
  std::vector<std::string> disabled;  // "*" disables every default
};

// The extension points a configuration can name.
struct Plugins {
  PluginSet multi_point;
  PluginSet pre_enqueue, queue_sort, pre_filter, filter, post_filter, pre_score, score, reserve, permit,
      pre_bind, bind, post_bind;
};

struct Profile {
  std::string scheduler_name = kDefaultSchedulerName;
  std::optional<int32_t> percentage_of_nodes_to_score;
  Plugins plugins;
  // pluginConfig: plugin name -> args object (JSON), shared.
  std::map<std::string, std::shared_ptr<const nlohmann::json>> plugin_args;
};

struct LeaderElection {
  bool leader_elect = true;
  int64_t lease_duration_ms = 15'000;
  int64_t renew_deadline_ms = 10'000;
  int64_t retry_period_ms = 2'000;
  std::string resource_namespace = "kube-system";
  std::string resource_name = "kube-scheduler";
};

struct Configuration {
  int32_t percentage_of_nodes_to_score = 0;  // 0: adaptive (upstream)
  int64_t pod_initial_backoff_seconds = 1;
  int64_t pod_max_backoff_seconds = 10;
  int32_t parallelism = 16;  // accepted; kubepp filters on one thread
  LeaderElection leader_election;
  std::string kubeconfig;  // clientConnection.kubeconfig
  double qps = 0;          // clientConnection.qps (0: unlimited)
  int32_t burst = 0;
  std::vector<Profile> profiles;  // never empty after Parse/Default
};

// The v1 defaults: one default-scheduler profile, default plugins.
Configuration DefaultConfiguration();

// Parses a YAML or JSON KubeSchedulerConfiguration document. Errors:
// Invalid naming the field ("profiles[1].schedulerName: Duplicate value:
// \"x\"", "apiVersion: Unsupported value: ..."), or the YAML parse error
// with its line.
StatusOr<Configuration> Parse(std::string_view text);

// Reads and parses a file. Errors: NotFound/Unavailable for an unreadable
// file (message names the path), then those of Parse prefixed with the path.
StatusOr<Configuration> LoadFile(const std::string& path);

// One enabled plugin at one extension point, with its weight resolved.
struct EnabledPlugin {
  std::string name;
  int32_t weight = 1;
};

// The plugins a profile runs, per extension point, after applying upstream's
// expansion rules: the default multiPoint set, then the profile's multiPoint
// enabled/disabled, then the per-point enabled/disabled (which override and
// order after multiPoint). Keys: "PreEnqueue", "QueueSort", "PreFilter",
// "Filter", "PostFilter", "PreScore", "Score", "Reserve", "Permit",
// "PreBind", "Bind", "PostBind", "MultiPoint" (all plugins named anywhere).
// The framework keeps a plugin at a point only if it implements it.
std::map<std::string, std::vector<EnabledPlugin>> ExpandPlugins(const Profile& profile);

// Upstream's default MultiPoint plugins with their score weights, in order.
const std::vector<EnabledPlugin>& DefaultMultiPointPlugins();

}  // namespace kubepp::scheduler::config
