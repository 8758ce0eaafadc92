// Kind dispatch of the strategy functions, create/update preparation, and
// the 422 Status helpers.
#include "apiserver/strategy/strategy.h"

#include <set>
#include <utility>

#include "apiserver/strategy/internal.h"

namespace kubepp::apiserver::strategy {
namespace {

using internal::Arr;
using internal::Get;
using internal::GetPath;
using internal::Has;
using internal::Int;
using internal::IsObj;
using internal::json;
using internal::Obj;
using internal::SetDefault;
using internal::Str;

// ---- Pod QoS (upstream ComputePodQOS). Requests missing for a resource
// with a limit count as the limit: defaulting copies them anyway, and it may
// run after this.
std::string ComputeQOS(const json& pod) {
  bool guaranteed = true;
  bool any = false;
  bool all_equal = true;
  std::set<std::string> req_names, lim_names;
  for (std::string_view k : {"containers", "initContainers"}) {
    for (const json& c : Arr(GetPath(pod, {"spec", k}))) {
      const json* res = Get(c, "resources");
      const json* req = res ? Get(*res, "requests") : nullptr;
      const json* lim = res ? Get(*res, "limits") : nullptr;
      std::set<std::string> found_limits;
      for (std::string name : {"cpu", "memory"}) {
        const json* r = IsObj(req) ? Get(*req, name) : nullptr;
        const json* l = IsObj(lim) ? Get(*lim, name) : nullptr;
        if (r == nullptr) r = l;
        bool r_pos =
            r != nullptr && internal::CompareQuantity(*r, json("0")) > 0 && !internal::QuantityNegative(*r);
        bool l_pos =
            l != nullptr && internal::CompareQuantity(*l, json("0")) > 0 && !internal::QuantityNegative(*l);
        if (r_pos) {
          any = true;
          req_names.insert(name);
        }
        if (l_pos) {
          any = true;
          lim_names.insert(name);
          found_limits.insert(name);
        }
        // Sums compare equal exactly when every container's request equals
        // its limit (each request is <= its limit by validation).
        if (r_pos != l_pos || (r_pos && internal::CompareQuantity(*r, *l) != 0)) all_equal = false;
      }
      if (found_limits.size() != 2) guaranteed = false;
    }
  }
  if (!any) return "BestEffort";
  if (guaranteed && all_equal && req_names == lim_names) return "Guaranteed";
  return "Burstable";
}

void PreparePod(json& pod) {
  json status = {{"phase", "Pending"}, {"qosClass", ComputeQOS(pod)}};
  if (!Arr(GetPath(pod, {"spec", "schedulingGates"})).empty()) {
    status["conditions"] =
        json::array({{{"type", "PodScheduled"},
                      {"status", "False"},
                      {"lastProbeTime", nullptr},
                      {"lastTransitionTime", nullptr},
                      {"reason", "SchedulingGated"},
                      {"message", "Scheduling is blocked due to non-empty scheduling gates"}}});
  }
  pod["status"] = status;
}

// ---- Service allocated values on update (upstream patchAllocatedValues
// and normalizeClusterIPs).
bool NeedsClusterIP(const json& spec) { return Str(spec, "type") != "ExternalName"; }
bool NeedsNodePort(const json& spec) {
  std::string t = Str(spec, "type");
  return t == "NodePort" ||
         (t == "LoadBalancer" && internal::Bool(spec, "allocateLoadBalancerNodePorts").value_or(true));
}
bool NeedsHCNodePort(const json& spec) {
  return Str(spec, "type") == "LoadBalancer" && Str(spec, "externalTrafficPolicy") == "Local";
}

void PrepareServiceUpdate(json& svc, const json& old) {
  const json* os = Get(old, "spec");
  if (!IsObj(os)) return;
  json& spec = Obj(svc, "spec");
  if (NeedsClusterIP(*os) && NeedsClusterIP(spec)) {
    if (Str(spec, "clusterIP").empty() && Has(*os, "clusterIP")) spec["clusterIP"] = (*os)["clusterIP"];
    if (Arr(spec, "clusterIPs").empty() && !Arr(*os, "clusterIPs").empty())
      spec["clusterIPs"] = (*os)["clusterIPs"];
  }
  if (NeedsNodePort(*os) && NeedsNodePort(spec)) {
    auto used = [](const json& s) {
      std::set<int64_t> out;
      for (const json& p : Arr(s, "ports")) {
        if (auto np = Int(p, "nodePort"); np && *np != 0) out.insert(*np);
      }
      return out;
    };
    std::set<int64_t> old_used = used(*os), new_used = used(spec);
    std::map<std::string, int64_t> by_name;
    for (const json& p : Arr(*os, "ports")) by_name[Str(p, "name")] = Int(p, "nodePort").value_or(0);
    if (spec.contains("ports") && spec["ports"].is_array()) {
      for (json& p : spec["ports"]) {
        if (!p.is_object() || Int(p, "nodePort").value_or(0) != 0) continue;
        int64_t v = by_name.count(Str(p, "name")) ? by_name[Str(p, "name")] : 0;
        if (v != 0 && !(old_used.count(v) && new_used.count(v))) p["nodePort"] = v;
      }
    }
  }
  if (NeedsHCNodePort(*os) && NeedsHCNodePort(spec) && Int(spec, "healthCheckNodePort").value_or(0) == 0 &&
      Has(*os, "healthCheckNodePort")) {
    spec["healthCheckNodePort"] = (*os)["healthCheckNodePort"];
  }
  // normalizeClusterIPs (update case).
  std::string old_ip = Str(*os, "clusterIP");
  std::string new_ip = Str(spec, "clusterIP");
  const std::vector<json>& old_ips = Arr(*os, "clusterIPs");
  if (!old_ips.empty() && Arr(spec, "clusterIPs").empty() && old_ip == new_ip)
    spec["clusterIPs"] = (*os)["clusterIPs"];
  auto same_ips = [&]() {
    const json* a = Get(*os, "clusterIPs");
    const json* b = Get(spec, "clusterIPs");
    return (a == nullptr && b == nullptr) || (a && b && *a == *b);
  };
  if (old_ip != new_ip) {
    if (!old_ip.empty() && new_ip.empty()) {
      if (same_ips()) spec.erase("clusterIPs");
    } else if (same_ips()) {
      spec["clusterIPs"] = json::array({new_ip});
    }
  }
}

// ---- dispatch tables

bool IsCore(std::string_view g) { return g.empty(); }

// The kinds with kind-specific validation; others validate clean.
bool Known(std::string_view group, std::string_view kind) {
  static const std::set<std::pair<std::string_view, std::string_view>> kKinds = {
      {"", "Pod"},
      {"", "Service"},
      {"", "Namespace"},
      {"", "Node"},
      {"", "ConfigMap"},
      {"", "Secret"},
      {"", "PersistentVolume"},
      {"", "PersistentVolumeClaim"},
      {"", "Event"},
      {"", "Endpoints"},
      {"", "ServiceAccount"},
      {"", "LimitRange"},
      {"", "ResourceQuota"},
      {"", "Binding"},
      {"apps", "Deployment"},
      {"apps", "ReplicaSet"},
      {"apps", "StatefulSet"},
      {"apps", "DaemonSet"},
      {"apps", "ControllerRevision"},
      {"batch", "Job"},
      {"batch", "CronJob"},
      {"autoscaling", "Scale"},
      {"networking.k8s.io", "Ingress"},
      {"networking.k8s.io", "IngressClass"},
      {"networking.k8s.io", "NetworkPolicy"},
      {"storage.k8s.io", "StorageClass"},
      {"coordination.k8s.io", "Lease"},
      {"policy", "PodDisruptionBudget"},
      {"discovery.k8s.io", "EndpointSlice"},
      {"autoscaling", "HorizontalPodAutoscaler"},
      {"scheduling.k8s.io", "PriorityClass"},
      {"rbac.authorization.k8s.io", "Role"},
      {"rbac.authorization.k8s.io", "ClusterRole"},
      {"rbac.authorization.k8s.io", "RoleBinding"},
      {"rbac.authorization.k8s.io", "ClusterRoleBinding"},
      {"events.k8s.io", "Event"},
  };
  return kKinds.count({group, kind}) > 0;
}

}  // namespace

void PrepareJobSelector(nlohmann::json& job, std::string_view uid) {
  if (!job.is_object()) return;
  json& spec = Obj(job, "spec");
  if (internal::Bool(spec, "manualSelector").value_or(false)) return;
  std::string name = Str(GetPath(job, {"metadata", "name"}));
  json& labels = Obj(Obj(Obj(spec, "template"), "metadata"), "labels");
  for (std::string_view k : {"job-name", "batch.kubernetes.io/job-name"}) {
    if (!labels.contains(k)) labels[std::string(k)] = name;
  }
  for (std::string_view k : {"controller-uid", "batch.kubernetes.io/controller-uid"}) {
    if (!labels.contains(k)) labels[std::string(k)] = std::string(uid);
  }
  json& match = Obj(Obj(spec, "selector"), "matchLabels");
  if (!match.contains("batch.kubernetes.io/controller-uid"))
    match["batch.kubernetes.io/controller-uid"] = std::string(uid);
}

void PrepareForCreate(std::string_view group, std::string_view kind, nlohmann::json& obj) {
  if (!obj.is_object()) return;
  if (IsCore(group)) {
    if (kind == "Pod") {
      PreparePod(obj);
    } else if (kind == "Service") {
      obj["status"] = {{"loadBalancer", json::object()}};
    } else if (kind == "Namespace") {
      obj["status"] = {{"phase", "Active"}};
      json& spec = Obj(obj, "spec");
      bool has = false;
      for (const json& f : Arr(spec, "finalizers")) has = has || Str(&f) == "kubernetes";
      if (!has) {
        if (!spec.contains("finalizers") || !spec["finalizers"].is_array())
          spec["finalizers"] = json::array();
        spec["finalizers"].push_back("kubernetes");
      }
    } else if (kind == "Node") {
      if (obj.contains("spec") && obj["spec"].is_object()) obj["spec"].erase("configSource");
      if (obj.contains("status") && obj["status"].is_object()) obj["status"].erase("config");
    } else if (kind == "PersistentVolume") {
      json status = {{"phase", "Pending"}};
      if (const json* ts = GetPath(obj, {"metadata", "creationTimestamp"}))
        status["lastPhaseTransitionTime"] = *ts;
      obj["status"] = status;
    } else if (kind == "PersistentVolumeClaim") {
      obj["status"] = {{"phase", "Pending"}};
    } else if (kind == "ResourceQuota") {
      obj["status"] = json::object();
    }
  } else if (group == "apps") {
    if (kind == "Deployment") {
      obj["status"] = json::object();
    } else if (kind == "ReplicaSet") {
      obj["status"] = {{"replicas", 0}};
    } else if (kind == "StatefulSet") {
      obj["status"] = {{"replicas", 0}, {"availableReplicas", 0}};
    } else if (kind == "DaemonSet") {
      obj["status"] = {{"currentNumberScheduled", 0},
                       {"numberMisscheduled", 0},
                       {"desiredNumberScheduled", 0},
                       {"numberReady", 0}};
    }
  } else if (group == "batch") {
    if (kind == "Job") {
      obj["status"] = json::object();
      json& spec = Obj(obj, "spec");
      SetDefault(spec, "manualSelector", false);
      std::string uid = Str(GetPath(obj, {"metadata", "uid"}));
      if (!uid.empty()) {
        // The Job's labels default to its template's; a real server shows the
        // generated ones there too, whichever of defaulting and this runs first.
        const json* before_p = GetPath(obj, {"spec", "template", "metadata", "labels"});
        json before = before_p ? *before_p : json();
        PrepareJobSelector(obj, uid);
        const json* labels = GetPath(obj, {"metadata", "labels"});
        const json* after = GetPath(obj, {"spec", "template", "metadata", "labels"});
        if (after != nullptr && (!IsObj(labels) || labels->empty() || *labels == before)) {
          Obj(obj, "metadata")["labels"] = *after;
        }
      }
    } else if (kind == "CronJob") {
      obj["status"] = json::object();
    }
  } else if (group == "networking.k8s.io" && kind == "Ingress") {
    obj["status"] = {{"loadBalancer", json::object()}};
  } else if (group == "policy" && kind == "PodDisruptionBudget") {
    obj["status"] = {
        {"disruptionsAllowed", 0}, {"currentHealthy", 0}, {"desiredHealthy", 0}, {"expectedPods", 0}};
  } else if (group == "autoscaling" && kind == "HorizontalPodAutoscaler") {
    if (Str(obj, "apiVersion") == "autoscaling/v1") {
      obj["status"] = {{"currentReplicas", 0}, {"desiredReplicas", 0}};
    } else {
      obj["status"] = {{"desiredReplicas", 0}};
    }
  }
}

void PrepareForUpdate(std::string_view group, std::string_view kind, nlohmann::json& obj,
                      const nlohmann::json& old) {
  if (!obj.is_object()) return;
  if (!IsCore(group)) return;
  if (kind == "Namespace") {
    // spec.finalizers change only through namespaces/finalize.
    const json* of = GetPath(old, {"spec", "finalizers"});
    json& spec = Obj(obj, "spec");
    if (of != nullptr) {
      spec["finalizers"] = *of;
    } else {
      spec.erase("finalizers");
    }
  } else if (kind == "Service") {
    PrepareServiceUpdate(obj, old);
  }
}

void PrepareForStatusUpdate(std::string_view group, std::string_view kind, nlohmann::json& obj,
                            const nlohmann::json& old) {
  if (!obj.is_object()) return;
  if (IsCore(group) && kind == "Pod") {
    json& meta = Obj(obj, "metadata");
    if (const json* refs = GetPath(old, {"metadata", "ownerReferences"})) {
      meta["ownerReferences"] = *refs;
    } else {
      meta.erase("ownerReferences");
    }
  }
}

api::FieldErrors ValidateCreate(std::string_view group, std::string_view kind, const nlohmann::json& obj) {
  api::FieldErrors errs;
  if (!Known(group, kind)) return errs;
  if (IsCore(group)) {
    if (kind == "Pod") return internal::ValidatePod(obj);
    internal::ValidateCoreKind(kind, obj, nullptr, errs);
  } else if (group == "apps") {
    internal::ValidateAppsKind(kind, obj, nullptr, errs);
  } else if (group == "batch") {
    internal::ValidateBatchKind(kind, obj, nullptr, errs);
  } else if (group == "autoscaling" && kind == "Scale") {
    if (auto r = Int(GetPath(obj, {"spec", "replicas"})); r && *r < 0) {
      errs.push_back(internal::InvalidInt("spec.replicas", *r, std::string(internal::kNegativeMsg)));
    }
  } else {
    internal::ValidateOtherKind(group, kind, obj, nullptr, errs);
  }
  return errs;
}

api::FieldErrors ValidateUpdate(std::string_view group, std::string_view kind, const nlohmann::json& obj,
                                const nlohmann::json& old) {
  api::FieldErrors errs;
  if (!Known(group, kind)) return errs;
  if (IsCore(group)) {
    if (kind == "Pod") return internal::ValidatePodUpdate(obj, old);
    internal::ValidateCoreKind(kind, obj, &old, errs);
  } else if (group == "apps") {
    internal::ValidateAppsKind(kind, obj, &old, errs);
  } else if (group == "batch") {
    internal::ValidateBatchKind(kind, obj, &old, errs);
  } else if (group == "autoscaling" && kind == "Scale") {
    if (auto r = Int(GetPath(obj, {"spec", "replicas"})); r && *r < 0) {
      errs.push_back(internal::InvalidInt("spec.replicas", *r, std::string(internal::kNegativeMsg)));
    }
  } else {
    internal::ValidateOtherKind(group, kind, obj, &old, errs);
  }
  return errs;
}

api::FieldErrors ValidateStatusUpdate(std::string_view group, std::string_view kind,
                                      const nlohmann::json& obj, const nlohmann::json& old) {
  api::FieldErrors errs;
  if (!Known(group, kind)) return errs;
  if (IsCore(group)) {
    internal::ValidateCoreStatus(kind, obj, old, errs);
  } else if (group == "apps") {
    internal::ValidateAppsStatus(kind, obj, old, errs);
  } else if (group == "batch") {
    internal::ValidateBatchStatus(kind, obj, old, errs);
  } else {
    internal::ValidateOtherStatus(group, kind, obj, old, errs);
  }
  return errs;
}

}  // namespace kubepp::apiserver::strategy
