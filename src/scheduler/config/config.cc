#include "scheduler/config/config.h"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "api/strconv.h"
#include "api/yaml/yaml.h"

namespace kubepp::scheduler::config {
namespace {

using nlohmann::json;

Status Bad(const std::string& path, const std::string& what) { return Status::Invalid(path + ": " + what); }

Status CheckKnown(const json& obj, const std::string& path, const std::set<std::string>& known) {
  for (const auto& [k, v] : obj.items()) {
    if (known.count(k) == 0) return Bad(path.empty() ? k : path + "." + k, "Unsupported field");
  }
  return Status::Ok();
}

StatusOr<int64_t> ReadInt(const json& v, const std::string& path) {
  if (!v.is_number_integer()) return Bad(path, "Invalid value: " + v.dump() + ": must be an integer");
  return v.get<int64_t>();
}

StatusOr<std::string> ReadString(const json& v, const std::string& path) {
  if (!v.is_string()) return Bad(path, "Invalid value: " + v.dump() + ": must be a string");
  return v.get<std::string>();
}

// A metav1.Duration ("10s", "1m30s", "500ms") -> milliseconds.
StatusOr<int64_t> ReadDurationMs(const json& v, const std::string& path) {
  auto s = ReadString(v, path);
  if (!s.ok()) return s.status();
  int64_t nanos = 0;
  if (!api::ParseGoDuration(*s, &nanos)) {
    return Bad(path, "Invalid value: \"" + *s + "\": time: invalid duration \"" + *s + "\"");
  }
  return nanos / 1'000'000;
}

Status ReadPluginSet(const json& v, const std::string& path, PluginSet* out) {
  if (!v.is_object()) return Bad(path, "Invalid value: must be an object");
  RETURN_IF_ERROR(CheckKnown(v, path, {"enabled", "disabled"}));
  if (auto it = v.find("enabled"); it != v.end() && !it->is_null()) {
    if (!it->is_array()) return Bad(path + ".enabled", "Invalid value: must be a list");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& p = (*it)[i];
      std::string ppath = path + ".enabled[" + std::to_string(i) + "]";
      if (!p.is_object()) return Bad(ppath, "Invalid value: must be an object");
      RETURN_IF_ERROR(CheckKnown(p, ppath, {"name", "weight"}));
      PluginRef ref;
      ASSIGN_OR_RETURN(ref.name, ReadString(p.value("name", json()), ppath + ".name"));
      if (auto w = p.find("weight"); w != p.end() && !w->is_null()) {
        ASSIGN_OR_RETURN(int64_t weight, ReadInt(*w, ppath + ".weight"));
        if (weight < 0) return Bad(ppath + ".weight", "Invalid value: " + std::to_string(weight) + ": must be >= 0");
        ref.weight = static_cast<int32_t>(weight);
      }
      out->enabled.push_back(std::move(ref));
    }
  }
  if (auto it = v.find("disabled"); it != v.end() && !it->is_null()) {
    if (!it->is_array()) return Bad(path + ".disabled", "Invalid value: must be a list");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& p = (*it)[i];
      std::string ppath = path + ".disabled[" + std::to_string(i) + "]";
      if (!p.is_object()) return Bad(ppath, "Invalid value: must be an object");
      ASSIGN_OR_RETURN(std::string name, ReadString(p.value("name", json()), ppath + ".name"));
      out->disabled.push_back(std::move(name));
    }
  }
  return Status::Ok();
}

Status ReadPlugins(const json& v, const std::string& path, Plugins* out) {
  if (!v.is_object()) return Bad(path, "Invalid value: must be an object");
  const std::pair<const char*, PluginSet Plugins::*> points[] = {
      {"multiPoint", &Plugins::multi_point}, {"preEnqueue", &Plugins::pre_enqueue},
      {"queueSort", &Plugins::queue_sort},   {"preFilter", &Plugins::pre_filter},
      {"filter", &Plugins::filter},          {"postFilter", &Plugins::post_filter},
      {"preScore", &Plugins::pre_score},     {"score", &Plugins::score},
      {"reserve", &Plugins::reserve},        {"permit", &Plugins::permit},
      {"preBind", &Plugins::pre_bind},       {"bind", &Plugins::bind},
      {"postBind", &Plugins::post_bind},
  };
  std::set<std::string> known;
  for (const auto& [name, member] : points) known.insert(name);
  RETURN_IF_ERROR(CheckKnown(v, path, known));
  for (const auto& [name, member] : points) {
    if (auto it = v.find(name); it != v.end() && !it->is_null()) {
      RETURN_IF_ERROR(ReadPluginSet(*it, path + "." + name, &(out->*member)));
    }
  }
  return Status::Ok();
}

Status ReadPercentage(const json& v, const std::string& path, int32_t* out) {
  ASSIGN_OR_RETURN(int64_t p, ReadInt(v, path));
  if (p < 0 || p > 100) {
    return Bad(path, "Invalid value: " + std::to_string(p) + ": not in valid range [0-100]");
  }
  *out = static_cast<int32_t>(p);
  return Status::Ok();
}

Status ReadProfile(const json& v, const std::string& path, Profile* out) {
  if (!v.is_object()) return Bad(path, "Invalid value: must be an object");
  RETURN_IF_ERROR(CheckKnown(v, path, {"schedulerName", "percentageOfNodesToScore", "plugins", "pluginConfig"}));
  if (auto it = v.find("schedulerName"); it != v.end() && !it->is_null()) {
    ASSIGN_OR_RETURN(out->scheduler_name, ReadString(*it, path + ".schedulerName"));
  }
  if (out->scheduler_name.empty()) return Bad(path + ".schedulerName", "Required value");
  if (auto it = v.find("percentageOfNodesToScore"); it != v.end() && !it->is_null()) {
    int32_t p = 0;
    RETURN_IF_ERROR(ReadPercentage(*it, path + ".percentageOfNodesToScore", &p));
    out->percentage_of_nodes_to_score = p;
  }
  if (auto it = v.find("plugins"); it != v.end() && !it->is_null()) {
    RETURN_IF_ERROR(ReadPlugins(*it, path + ".plugins", &out->plugins));
  }
  if (auto it = v.find("pluginConfig"); it != v.end() && !it->is_null()) {
    if (!it->is_array()) return Bad(path + ".pluginConfig", "Invalid value: must be a list");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& pc = (*it)[i];
      std::string ppath = path + ".pluginConfig[" + std::to_string(i) + "]";
      if (!pc.is_object()) return Bad(ppath, "Invalid value: must be an object");
      RETURN_IF_ERROR(CheckKnown(pc, ppath, {"name", "args"}));
      ASSIGN_OR_RETURN(std::string name, ReadString(pc.value("name", json()), ppath + ".name"));
      if (out->plugin_args.count(name) > 0) {
        return Bad(ppath + ".name", "Duplicate value: \"" + name + "\"");
      }
      json args = pc.value("args", json::object());
      out->plugin_args[name] = std::make_shared<const json>(std::move(args));
    }
  }
  return Status::Ok();
}

void AddOrReplace(std::vector<EnabledPlugin>& list, EnabledPlugin p) {
  for (auto& e : list) {
    if (e.name == p.name) {
      e = std::move(p);
      return;
    }
  }
  list.push_back(std::move(p));
}

}  // namespace

const std::vector<EnabledPlugin>& DefaultMultiPointPlugins() {
  // upstream v1 getDefaultPlugins (1.33), minus the volume plugins kubepp
  // does not have yet (VolumeRestrictions, NodeVolumeLimits, VolumeBinding,
  // VolumeZone). Weight 0: not a Score plugin.
  static const std::vector<EnabledPlugin> kDefaults = {
      {"SchedulingGates", 0},
      {"PrioritySort", 0},
      {"NodeUnschedulable", 0},
      {"NodeName", 0},
      {"TaintToleration", 3},
      {"NodeAffinity", 2},
      {"NodePorts", 0},
      {"NodeResourcesFit", 1},
      {"PodTopologySpread", 2},
      {"InterPodAffinity", 2},
      {"DefaultPreemption", 0},
      {"NodeResourcesBalancedAllocation", 1},
      {"ImageLocality", 1},
      {"DefaultBinder", 0},
  };
  return kDefaults;
}

Configuration DefaultConfiguration() {
  Configuration c;
  c.profiles.push_back(Profile{});
  return c;
}

StatusOr<Configuration> Parse(std::string_view text) {
  auto doc = api::yaml::ParseYaml(text);
  if (!doc.ok()) return doc.status();
  const json& v = *doc;
  if (!v.is_object()) return Status::Invalid("KubeSchedulerConfiguration: must be a YAML or JSON object");
  RETURN_IF_ERROR(CheckKnown(v, "",
                             {"apiVersion", "kind", "parallelism", "leaderElection", "clientConnection",
                              "percentageOfNodesToScore", "podInitialBackoffSeconds", "podMaxBackoffSeconds",
                              "profiles", "extenders", "delayCacheUntilActive", "enableProfiling",
                              "enableContentionProfiling", "healthzBindAddress", "metricsBindAddress"}));
  std::string api_version = v.value("apiVersion", "");
  if (api_version != "kubescheduler.config.k8s.io/v1") {
    return Bad("apiVersion", "Unsupported value: \"" + api_version +
                                 "\": supported values: \"kubescheduler.config.k8s.io/v1\"");
  }
  std::string kind = v.value("kind", "");
  if (kind != "KubeSchedulerConfiguration") {
    return Bad("kind", "Unsupported value: \"" + kind + "\": supported values: \"KubeSchedulerConfiguration\"");
  }
  Configuration c;
  if (auto it = v.find("parallelism"); it != v.end() && !it->is_null()) {
    ASSIGN_OR_RETURN(int64_t p, ReadInt(*it, "parallelism"));
    if (p <= 0) return Bad("parallelism", "Invalid value: " + std::to_string(p) + ": should be an integer value greater than zero");
    c.parallelism = static_cast<int32_t>(p);
  }
  if (auto it = v.find("percentageOfNodesToScore"); it != v.end() && !it->is_null()) {
    RETURN_IF_ERROR(ReadPercentage(*it, "percentageOfNodesToScore", &c.percentage_of_nodes_to_score));
  }
  if (auto it = v.find("podInitialBackoffSeconds"); it != v.end() && !it->is_null()) {
    ASSIGN_OR_RETURN(c.pod_initial_backoff_seconds, ReadInt(*it, "podInitialBackoffSeconds"));
    if (c.pod_initial_backoff_seconds <= 0) return Bad("podInitialBackoffSeconds", "Invalid value: must be greater than 0");
  }
  if (auto it = v.find("podMaxBackoffSeconds"); it != v.end() && !it->is_null()) {
    ASSIGN_OR_RETURN(c.pod_max_backoff_seconds, ReadInt(*it, "podMaxBackoffSeconds"));
    if (c.pod_max_backoff_seconds < c.pod_initial_backoff_seconds) {
      return Bad("podMaxBackoffSeconds", "Invalid value: must be greater than or equal to PodInitialBackoffSeconds");
    }
  }
  if (auto it = v.find("leaderElection"); it != v.end() && it->is_object()) {
    const json& le = *it;
    RETURN_IF_ERROR(CheckKnown(le, "leaderElection",
                               {"leaderElect", "leaseDuration", "renewDeadline", "retryPeriod", "resourceLock",
                                "resourceName", "resourceNamespace"}));
    if (auto f = le.find("leaderElect"); f != le.end() && f->is_boolean()) c.leader_election.leader_elect = *f;
    if (auto f = le.find("leaseDuration"); f != le.end()) {
      ASSIGN_OR_RETURN(c.leader_election.lease_duration_ms, ReadDurationMs(*f, "leaderElection.leaseDuration"));
    }
    if (auto f = le.find("renewDeadline"); f != le.end()) {
      ASSIGN_OR_RETURN(c.leader_election.renew_deadline_ms, ReadDurationMs(*f, "leaderElection.renewDeadline"));
    }
    if (auto f = le.find("retryPeriod"); f != le.end()) {
      ASSIGN_OR_RETURN(c.leader_election.retry_period_ms, ReadDurationMs(*f, "leaderElection.retryPeriod"));
    }
    if (auto f = le.find("resourceName"); f != le.end()) {
      ASSIGN_OR_RETURN(c.leader_election.resource_name, ReadString(*f, "leaderElection.resourceName"));
    }
    if (auto f = le.find("resourceNamespace"); f != le.end()) {
      ASSIGN_OR_RETURN(c.leader_election.resource_namespace, ReadString(*f, "leaderElection.resourceNamespace"));
    }
  }
  if (auto it = v.find("clientConnection"); it != v.end() && it->is_object()) {
    const json& cc = *it;
    if (auto f = cc.find("kubeconfig"); f != cc.end()) {
      ASSIGN_OR_RETURN(c.kubeconfig, ReadString(*f, "clientConnection.kubeconfig"));
    }
    if (auto f = cc.find("qps"); f != cc.end() && f->is_number()) c.qps = f->get<double>();
    if (auto f = cc.find("burst"); f != cc.end() && f->is_number_integer()) c.burst = f->get<int32_t>();
  }
  if (auto it = v.find("profiles"); it != v.end() && !it->is_null()) {
    if (!it->is_array()) return Bad("profiles", "Invalid value: must be a list");
    std::set<std::string> names;
    for (size_t i = 0; i < it->size(); ++i) {
      Profile p;
      std::string path = "profiles[" + std::to_string(i) + "]";
      RETURN_IF_ERROR(ReadProfile((*it)[i], path, &p));
      if (!names.insert(p.scheduler_name).second) {
        return Bad(path + ".schedulerName", "Duplicate value: \"" + p.scheduler_name + "\"");
      }
      c.profiles.push_back(std::move(p));
    }
  }
  if (c.profiles.empty()) c.profiles.push_back(Profile{});
  return c;
}

StatusOr<Configuration> LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::NotFound("scheduler config " + path + ": cannot be read");
  std::stringstream ss;
  ss << in.rdbuf();
  auto c = Parse(ss.str());
  if (!c.ok()) return c.status().WithPrefix(path);
  return c;
}

std::map<std::string, std::vector<EnabledPlugin>> ExpandPlugins(const Profile& profile) {
  static const std::pair<const char*, PluginSet Plugins::*> kPoints[] = {
      {"PreEnqueue", &Plugins::pre_enqueue}, {"QueueSort", &Plugins::queue_sort},
      {"PreFilter", &Plugins::pre_filter},   {"Filter", &Plugins::filter},
      {"PostFilter", &Plugins::post_filter}, {"PreScore", &Plugins::pre_score},
      {"Score", &Plugins::score},            {"Reserve", &Plugins::reserve},
      {"Permit", &Plugins::permit},          {"PreBind", &Plugins::pre_bind},
      {"Bind", &Plugins::bind},              {"PostBind", &Plugins::post_bind},
  };
  const Plugins& p = profile.plugins;
  auto disabled_in = [](const PluginSet& set, const std::string& name) {
    for (const auto& d : set.disabled) {
      if (d == "*" || d == name) return true;
    }
    return false;
  };

  // MultiPoint: the defaults minus the profile's multiPoint disabled, then
  // its multiPoint enabled (a default named again takes the new weight).
  std::vector<EnabledPlugin> multi;
  for (const auto& d : DefaultMultiPointPlugins()) {
    if (!disabled_in(p.multi_point, d.name)) multi.push_back(d);
  }
  for (const auto& e : p.multi_point.enabled) AddOrReplace(multi, {e.name, e.weight});

  std::map<std::string, std::vector<EnabledPlugin>> out;
  for (const auto& [point, member] : kPoints) {
    const PluginSet& set = p.*member;
    std::vector<EnabledPlugin> list;
    // Plugins enabled at the point itself come first and win over multiPoint.
    for (const auto& e : set.enabled) {
      int32_t weight = e.weight;
      for (const auto& m : multi) {
        if (weight == 0 && m.name == e.name) weight = m.weight;
      }
      AddOrReplace(list, {e.name, weight});
    }
    for (const auto& m : multi) {
      if (disabled_in(set, m.name)) continue;
      bool present = false;
      for (const auto& e : list) present = present || e.name == m.name;
      if (!present) list.push_back(m);
    }
    for (auto& e : list) {
      if (e.weight == 0) e.weight = 1;
    }
    out[point] = std::move(list);
  }
  std::vector<EnabledPlugin> all = multi;
  for (const auto& [point, list] : out) {
    for (const auto& e : list) {
      bool present = false;
      for (const auto& a : all) present = present || a.name == e.name;
      if (!present) all.push_back(e);
    }
  }
  out["MultiPoint"] = std::move(all);
  return out;
}

}  // namespace kubepp::scheduler::config
