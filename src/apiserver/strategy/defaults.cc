// Upstream's defaulting (SetDefaults_* of k8s.io/kubernetes/pkg/apis/*/v1),
// the conversion-time normalizations that show in the served object
// (Secret.stringData folded into data, Pod serviceAccount mirrored), and
// quantity canonicalization driven by the schema.
#include <algorithm>
#include <cctype>

#include "api/schema/schema.h"
#include "apiserver/strategy/internal.h"
#include "apiserver/strategy/strategy.h"
#include "common/encoding.h"

namespace kubepp::apiserver::strategy {
namespace {

using internal::Arr;
using internal::Get;
using internal::GetPath;
using internal::Has;
using internal::Int;
using internal::IsArr;
using internal::IsObj;
using internal::json;
using internal::Obj;
using internal::SetDefault;
using internal::Str;

// Runs fn on each element of o[key] that is an object.
template <typename Fn>
void EachObj(json& o, std::string_view key, Fn fn) {
  if (!o.is_object()) return;
  auto it = o.find(key);
  if (it == o.end() || !it->is_array()) return;
  for (json& e : *it) {
    if (e.is_object()) fn(e);
  }
}

// The object at o[key] when present and an object, else nullptr.
json* ObjIfPresent(json& o, std::string_view key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  if (it == o.end() || !it->is_object()) return nullptr;
  return &*it;
}

// ---- image pull policy

// The tag of an image reference as upstream's parser sees it: "latest" when
// neither tag nor digest is given, "" when only a digest is, nullopt when the
// reference does not parse (upstream then defaults to IfNotPresent).
std::optional<std::string> ImageTag(std::string_view image) {
  if (image.empty()) return std::nullopt;
  for (char c : image) {
    if (std::isspace(static_cast<unsigned char>(c))) return std::nullopt;
  }
  std::string_view name = image;
  bool has_digest = false;
  if (size_t at = name.find('@'); at != std::string_view::npos) {
    has_digest = true;
    name = name.substr(0, at);
  }
  std::string tag;
  size_t slash = name.rfind('/');
  size_t colon = name.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    tag = std::string(name.substr(colon + 1));
    name = name.substr(0, colon);
    if (tag.empty()) return std::nullopt;
  }
  // Path components must be lower case (the domain, first of several, may not).
  size_t first_slash = name.find('/');
  std::string_view domain =
      first_slash == std::string_view::npos ? std::string_view() : name.substr(0, first_slash);
  bool domain_like =
      !domain.empty() && (domain.find('.') != std::string_view::npos ||
                          domain.find(':') != std::string_view::npos || domain == "localhost" ||
                          std::any_of(domain.begin(), domain.end(),
                                      [](char c) { return std::isupper(static_cast<unsigned char>(c)); }));
  std::string_view path = domain_like ? name.substr(first_slash + 1) : name;
  if (path.empty()) return std::nullopt;
  for (char c : path) {
    if (std::isupper(static_cast<unsigned char>(c))) return std::nullopt;
  }
  if (tag.empty()) return has_digest ? "" : "latest";
  return tag;
}

// ---- containers, probes, volumes

void DefaultHTTPGet(json& handler) {
  if (json* hg = ObjIfPresent(handler, "httpGet")) {
    SetDefault(*hg, "path", "/");
    SetDefault(*hg, "scheme", "HTTP");
  }
}

void DefaultProbe(json& ctr, std::string_view key) {
  json* p = ObjIfPresent(ctr, key);
  if (p == nullptr) return;
  auto zero_default = [&](std::string_view k, int v) {
    if (Int(*p, k).value_or(0) == 0) (*p)[std::string(k)] = v;
  };
  zero_default("timeoutSeconds", 1);
  zero_default("periodSeconds", 10);
  zero_default("successThreshold", 1);
  zero_default("failureThreshold", 3);
  DefaultHTTPGet(*p);
}

void DefaultEnv(json& ctr) {
  EachObj(ctr, "env", [](json& ev) {
    json* vf = ObjIfPresent(ev, "valueFrom");
    if (vf == nullptr) return;
    if (json* fr = ObjIfPresent(*vf, "fieldRef")) SetDefault(*fr, "apiVersion", "v1");
    if (json* rfr = ObjIfPresent(*vf, "resourceFieldRef")) SetDefault(*rfr, "divisor", "0");
  });
}

void DefaultContainer(json& ctr) {
  if (Str(ctr, "imagePullPolicy").empty()) {
    auto tag = ImageTag(Str(ctr, "image"));
    ctr["imagePullPolicy"] = tag && *tag == "latest" ? "Always" : "IfNotPresent";
  }
  if (Str(ctr, "terminationMessagePath").empty()) ctr["terminationMessagePath"] = "/dev/termination-log";
  if (Str(ctr, "terminationMessagePolicy").empty()) ctr["terminationMessagePolicy"] = "File";
  EachObj(ctr, "ports", [](json& p) { SetDefault(p, "protocol", "TCP"); });
  DefaultProbe(ctr, "livenessProbe");
  DefaultProbe(ctr, "readinessProbe");
  DefaultProbe(ctr, "startupProbe");
  if (json* lc = ObjIfPresent(ctr, "lifecycle")) {
    if (json* h = ObjIfPresent(*lc, "postStart")) DefaultHTTPGet(*h);
    if (json* h = ObjIfPresent(*lc, "preStop")) DefaultHTTPGet(*h);
  }
  DefaultEnv(ctr);
  // ResourceRequirements is a struct, so upstream always serializes it.
  SetDefault(ctr, "resources", json::object());
}

void DefaultDownwardFiles(json& src) {
  EachObj(src, "items", [](json& item) {
    if (json* fr = ObjIfPresent(item, "fieldRef")) SetDefault(*fr, "apiVersion", "v1");
    if (json* rfr = ObjIfPresent(item, "resourceFieldRef")) SetDefault(*rfr, "divisor", "0");
  });
}

void DefaultPVCSpec(json& spec) { SetDefault(spec, "volumeMode", "Filesystem"); }

// Volume source defaults shared by Pod volumes and PersistentVolumes.
void DefaultSourceCommon(json& src) {
  if (json* hp = ObjIfPresent(src, "hostPath")) SetDefault(*hp, "type", "");
  if (json* is = ObjIfPresent(src, "iscsi")) SetDefault(*is, "iscsiInterface", "default");
  if (json* rbd = ObjIfPresent(src, "rbd")) {
    SetDefault(*rbd, "pool", "rbd");
    SetDefault(*rbd, "user", "admin");
    SetDefault(*rbd, "keyring", "/etc/ceph/keyring");
  }
  if (json* ad = ObjIfPresent(src, "azureDisk")) {
    SetDefault(*ad, "cachingMode", "ReadWrite");
    SetDefault(*ad, "fsType", "ext4");
    SetDefault(*ad, "readOnly", false);
    SetDefault(*ad, "kind", "Shared");
  }
  if (json* sio = ObjIfPresent(src, "scaleIO")) {
    SetDefault(*sio, "storageMode", "ThinProvisioned");
    SetDefault(*sio, "fsType", "xfs");
  }
}

constexpr std::string_view kVolumeSourceKeys[] = {"hostPath",
                                                  "emptyDir",
                                                  "gcePersistentDisk",
                                                  "awsElasticBlockStore",
                                                  "gitRepo",
                                                  "secret",
                                                  "nfs",
                                                  "iscsi",
                                                  "glusterfs",
                                                  "persistentVolumeClaim",
                                                  "rbd",
                                                  "flexVolume",
                                                  "cinder",
                                                  "cephfs",
                                                  "flocker",
                                                  "downwardAPI",
                                                  "fc",
                                                  "azureFile",
                                                  "configMap",
                                                  "vsphereVolume",
                                                  "quobyte",
                                                  "azureDisk",
                                                  "photonPersistentDisk",
                                                  "projected",
                                                  "portworxVolume",
                                                  "scaleIO",
                                                  "storageos",
                                                  "csi",
                                                  "ephemeral",
                                                  "image"};

void DefaultVolume(json& vol) {
  bool any = false;
  for (std::string_view k : kVolumeSourceKeys) any = any || Has(vol, k);
  if (!any) vol["emptyDir"] = json::object();
  DefaultSourceCommon(vol);
  for (std::string_view k : {"secret", "configMap", "downwardAPI", "projected"}) {
    if (json* s = ObjIfPresent(vol, k)) SetDefault(*s, "defaultMode", 420);
  }
  if (json* d = ObjIfPresent(vol, "downwardAPI")) DefaultDownwardFiles(*d);
  if (json* p = ObjIfPresent(vol, "projected")) {
    EachObj(*p, "sources", [](json& src) {
      if (json* t = ObjIfPresent(src, "serviceAccountToken")) SetDefault(*t, "expirationSeconds", 3600);
      if (json* d = ObjIfPresent(src, "downwardAPI")) DefaultDownwardFiles(*d);
    });
  }
  if (json* e = ObjIfPresent(vol, "ephemeral")) {
    if (json* t = ObjIfPresent(*e, "volumeClaimTemplate")) {
      if (json* s = ObjIfPresent(*t, "spec")) DefaultPVCSpec(*s);
      // ObjectMeta is a struct: upstream prints its zero creationTimestamp.
      if (json* m = ObjIfPresent(*t, "metadata")) SetDefault(*m, "creationTimestamp", nullptr);
    }
  }
}

void DefaultHostNetworkPorts(json& spec) {
  for (std::string_view k : {"containers", "initContainers"}) {
    EachObj(spec, k, [](json& c) {
      EachObj(c, "ports", [](json& p) {
        if (Int(p, "hostPort").value_or(0) == 0 && Has(p, "containerPort"))
          p["hostPort"] = p["containerPort"];
      });
    });
  }
}

// ---- Service

void DefaultService(json& svc) {
  json& spec = Obj(svc, "spec");
  if (Str(spec, "sessionAffinity").empty()) spec["sessionAffinity"] = "None";
  if (Str(spec, "sessionAffinity") == "ClientIP") {
    json& cfg = Obj(spec, "sessionAffinityConfig");
    json& cip = Obj(cfg, "clientIP");
    SetDefault(cip, "timeoutSeconds", 10800);
  }
  if (Str(spec, "type").empty()) spec["type"] = "ClusterIP";
  std::string type = Str(spec, "type");
  EachObj(spec, "ports", [](json& p) {
    SetDefault(p, "protocol", "TCP");
    const json* tp = Get(p, "targetPort");
    bool unset = tp == nullptr || (tp->is_string() && tp->get<std::string>().empty()) ||
                 (tp->is_number() && Int(tp).value_or(0) == 0);
    if (unset && Has(p, "port")) p["targetPort"] = p["port"];
  });
  if ((type == "NodePort" || type == "LoadBalancer") && Str(spec, "externalTrafficPolicy").empty()) {
    spec["externalTrafficPolicy"] = "Cluster";
  }
  if (type != "ExternalName") SetDefault(spec, "internalTrafficPolicy", "Cluster");
  if (type == "LoadBalancer") SetDefault(spec, "allocateLoadBalancerNodePorts", true);
  if (type != "ExternalName") {
    // clusterIPs mirrors clusterIP when only the singular was given (the
    // registry's normalizeClusterIPs).
    std::string ip = Str(spec, "clusterIP");
    if (!ip.empty() && Arr(spec, "clusterIPs").empty()) spec["clusterIPs"] = json::array({ip});
    // IP family fields (the allocator's defaults on a single-stack IPv4 cluster).
    bool headless = ip == "None";
    const json* sel = Get(spec, "selector");
    bool selectorless = !IsObj(sel) || sel->empty();
    if (headless && selectorless) {
      SetDefault(spec, "ipFamilyPolicy", "RequireDualStack");
    } else {
      SetDefault(spec, "ipFamilyPolicy", "SingleStack");
    }
    if (Arr(spec, "ipFamilies").empty()) {
      bool v6 = false;
      const std::vector<json>& ips = Arr(spec, "clusterIPs");
      json fams = json::array();
      for (const json& i : ips) {
        if (internal::IsValidIP(Str(&i), &v6)) fams.push_back(v6 ? "IPv6" : "IPv4");
      }
      if (fams.empty()) fams.push_back("IPv4");
      spec["ipFamilies"] = fams;
    }
  }
}

// ---- workloads

void DefaultDeployment(json& obj) {
  json& spec = Obj(obj, "spec");
  SetDefault(spec, "replicas", 1);
  json& strategy = Obj(spec, "strategy");
  if (Str(strategy, "type").empty()) strategy["type"] = "RollingUpdate";
  if (Str(strategy, "type") == "RollingUpdate") {
    json& ru = Obj(strategy, "rollingUpdate");
    SetDefault(ru, "maxUnavailable", "25%");
    SetDefault(ru, "maxSurge", "25%");
  }
  SetDefault(spec, "revisionHistoryLimit", 10);
  SetDefault(spec, "progressDeadlineSeconds", 600);
  internal::DefaultPodTemplate(Obj(spec, "template"));
}

void DefaultStatefulSet(json& obj) {
  json& spec = Obj(obj, "spec");
  if (Str(spec, "podManagementPolicy").empty()) spec["podManagementPolicy"] = "OrderedReady";
  json& us = Obj(spec, "updateStrategy");
  if (Str(us, "type").empty()) us["type"] = "RollingUpdate";
  if (Str(us, "type") == "RollingUpdate") {
    json& ru = Obj(us, "rollingUpdate");
    SetDefault(ru, "partition", 0);
  }
  json& pol = Obj(spec, "persistentVolumeClaimRetentionPolicy");
  if (Str(pol, "whenDeleted").empty()) pol["whenDeleted"] = "Retain";
  if (Str(pol, "whenScaled").empty()) pol["whenScaled"] = "Retain";
  SetDefault(spec, "replicas", 1);
  SetDefault(spec, "revisionHistoryLimit", 10);
  internal::DefaultPodTemplate(Obj(spec, "template"));
  EachObj(spec, "volumeClaimTemplates", [](json& pvc) {
    DefaultPVCSpec(Obj(pvc, "spec"));
    json& st = Obj(pvc, "status");
    if (Str(st, "phase").empty()) st["phase"] = "Pending";
    SetDefault(Obj(pvc, "metadata"), "creationTimestamp", nullptr);
  });
}

void DefaultDaemonSet(json& obj) {
  json& spec = Obj(obj, "spec");
  json& us = Obj(spec, "updateStrategy");
  if (Str(us, "type").empty()) us["type"] = "RollingUpdate";
  if (Str(us, "type") == "RollingUpdate") {
    json& ru = Obj(us, "rollingUpdate");
    SetDefault(ru, "maxUnavailable", 1);
    SetDefault(ru, "maxSurge", 0);
  }
  SetDefault(spec, "revisionHistoryLimit", 10);
  internal::DefaultPodTemplate(Obj(spec, "template"));
}

void DefaultJob(json& obj) {
  json& spec = Obj(obj, "spec");
  if (!Has(spec, "completions") && !Has(spec, "parallelism")) {
    spec["completions"] = 1;
    spec["parallelism"] = 1;
  }
  SetDefault(spec, "parallelism", 1);
  if (!Has(spec, "backoffLimit")) spec["backoffLimit"] = Has(spec, "backoffLimitPerIndex") ? 2147483647 : 6;
  // The Job's labels default to its template's (upstream SetDefaults_Job).
  const json* tlabels = GetPath(spec, {"template", "metadata", "labels"});
  const json* labels = GetPath(obj, {"metadata", "labels"});
  if (IsObj(tlabels) && (!IsObj(labels) || labels->empty())) Obj(obj, "metadata")["labels"] = *tlabels;
  SetDefault(spec, "completionMode", "NonIndexed");
  SetDefault(spec, "suspend", false);
  if (json* pfp = ObjIfPresent(spec, "podFailurePolicy")) {
    EachObj(*pfp, "rules", [](json& rule) {
      EachObj(rule, "onPodConditions", [](json& c) { SetDefault(c, "status", "True"); });
    });
  }
  SetDefault(spec, "podReplacementPolicy", Has(spec, "podFailurePolicy") ? "Failed" : "TerminatingOrFailed");
  internal::DefaultPodTemplate(Obj(spec, "template"));
}

void DefaultCronJob(json& obj) {
  json& spec = Obj(obj, "spec");
  if (Str(spec, "concurrencyPolicy").empty()) spec["concurrencyPolicy"] = "Allow";
  SetDefault(spec, "suspend", false);
  SetDefault(spec, "successfulJobsHistoryLimit", 3);
  SetDefault(spec, "failedJobsHistoryLimit", 1);
  // The job template gets the pod template's defaults only (SetDefaults_Job
  // applies to Job objects, not to JobTemplateSpec).
  json& jt = Obj(spec, "jobTemplate");
  SetDefault(Obj(jt, "metadata"), "creationTimestamp", nullptr);
  internal::DefaultPodTemplate(Obj(Obj(jt, "spec"), "template"));
}

// ---- other kinds

void DefaultLimitRange(json& obj) {
  json* spec = ObjIfPresent(obj, "spec");
  if (spec == nullptr) return;
  EachObj(*spec, "limits", [](json& item) {
    if (Str(item, "type") != "Container") return;
    json def = IsObj(Get(item, "default")) ? item["default"] : json::object();
    json req = IsObj(Get(item, "defaultRequest")) ? item["defaultRequest"] : json::object();
    if (const json* max = Get(item, "max"); IsObj(max)) {
      for (auto it = max->begin(); it != max->end(); ++it) {
        if (!def.contains(it.key())) def[it.key()] = *it;
      }
    }
    for (auto it = def.begin(); it != def.end(); ++it) {
      if (!req.contains(it.key())) req[it.key()] = *it;
    }
    if (const json* min = Get(item, "min"); IsObj(min)) {
      for (auto it = min->begin(); it != min->end(); ++it) {
        if (!req.contains(it.key())) req[it.key()] = *it;
      }
    }
    if (!def.empty()) item["default"] = def;
    if (!req.empty()) item["defaultRequest"] = req;
  });
}

void DefaultNetworkPolicy(json& obj) {
  json& spec = Obj(obj, "spec");
  for (std::string_view dir : {"ingress", "egress"}) {
    EachObj(spec, dir,
            [](json& rule) { EachObj(rule, "ports", [](json& p) { SetDefault(p, "protocol", "TCP"); }); });
  }
  if (Arr(spec, "policyTypes").empty()) {
    json types = json::array({"Ingress"});
    if (!Arr(spec, "egress").empty()) types.push_back("Egress");
    spec["policyTypes"] = types;
  }
}

json HPAScaleRules(bool up) {
  if (up) {
    return {{"stabilizationWindowSeconds", 0},
            {"selectPolicy", "Max"},
            {"policies", json::array({{{"type", "Pods"}, {"value", 4}, {"periodSeconds", 15}},
                                      {{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}})}};
  }
  return {{"stabilizationWindowSeconds", 300},
          {"selectPolicy", "Max"},
          {"policies", json::array({{{"type", "Percent"}, {"value", 100}, {"periodSeconds", 15}}})}};
}

void DefaultHPA(json& obj) {
  json& spec = Obj(obj, "spec");
  SetDefault(spec, "minReplicas", 1);
  if (Str(obj, "apiVersion") != "autoscaling/v2") return;
  if (Arr(spec, "metrics").empty()) {
    spec["metrics"] = json::array(
        {{{"type", "Resource"},
          {"resource",
           {{"name", "cpu"}, {"target", {{"type", "Utilization"}, {"averageUtilization", 80}}}}}}});
  }
  if (json* behavior = ObjIfPresent(spec, "behavior")) {
    for (bool up : {true, false}) {
      std::string key = up ? "scaleUp" : "scaleDown";
      json defaults = HPAScaleRules(up);
      if (!IsObj(Get(*behavior, key))) {
        (*behavior)[key] = defaults;
        continue;
      }
      json& rules = (*behavior)[key];
      SetDefault(rules, "stabilizationWindowSeconds", defaults["stabilizationWindowSeconds"]);
      SetDefault(rules, "selectPolicy", "Max");
      if (Arr(rules, "policies").empty()) rules["policies"] = defaults["policies"];
    }
  }
}

void DefaultRBACSubjects(json& obj) {
  EachObj(obj, "subjects", [](json& s) {
    if (Has(s, "apiGroup")) return;
    std::string kind = Str(s, "kind");
    if (kind == "ServiceAccount") {
      s["apiGroup"] = "";
    } else if (kind == "User" || kind == "Group") {
      s["apiGroup"] = "rbac.authorization.k8s.io";
    }
  });
}

void DefaultSecret(json& obj) {
  if (Str(obj, "type").empty()) obj["type"] = "Opaque";
  // stringData is write-only: upstream's conversion folds it into data.
  if (const json* sd = Get(obj, "stringData"); IsObj(sd)) {
    json& data = Obj(obj, "data");
    for (auto it = sd->begin(); it != sd->end(); ++it) {
      if (it->is_string()) data[it.key()] = Base64Encode(it->get<std::string>());
    }
  }
  if (obj.is_object()) obj.erase("stringData");
}

void DefaultPod(json& obj) {
  json& spec = Obj(obj, "spec");
  internal::DefaultPodSpec(spec, true);
  // What upstream's Priority admission plugin sets on every new Pod without a
  // user-defined PriorityClass.
  std::string pc = Str(spec, "priorityClassName");
  if (pc.empty()) {
    SetDefault(spec, "priority", 0);
  } else if (pc == "system-node-critical") {
    SetDefault(spec, "priority", 2000001000);
  } else if (pc == "system-cluster-critical") {
    SetDefault(spec, "priority", 2000000000);
  }
  if (pc.empty() || pc == "system-node-critical" || pc == "system-cluster-critical") {
    SetDefault(spec, "preemptionPolicy", "PreemptLowerPriority");
  }
}

}  // namespace

namespace internal {

void DefaultPodSpec(json& spec, bool is_pod) {
  if (!spec.is_object()) return;
  // v1 serviceAccount is the deprecated twin of serviceAccountName.
  if (Str(spec, "serviceAccountName").empty() && !Str(spec, "serviceAccount").empty()) {
    spec["serviceAccountName"] = spec["serviceAccount"];
  }
  if (!Str(spec, "serviceAccountName").empty()) spec["serviceAccount"] = spec["serviceAccountName"];
  if (Str(spec, "dnsPolicy").empty()) spec["dnsPolicy"] = "ClusterFirst";
  if (Str(spec, "restartPolicy").empty()) spec["restartPolicy"] = "Always";
  SetDefault(spec, "securityContext", json::object());
  SetDefault(spec, "terminationGracePeriodSeconds", 30);
  if (Str(spec, "schedulerName").empty()) spec["schedulerName"] = "default-scheduler";
  for (std::string_view k : {"containers", "initContainers", "ephemeralContainers"})
    EachObj(spec, k, DefaultContainer);
  EachObj(spec, "volumes", DefaultVolume);
  if (!is_pod) return;
  // Pod-only defaults (upstream SetDefaults_Pod, not applied to templates).
  for (std::string_view k : {"containers", "initContainers"}) {
    EachObj(spec, k, [](json& c) {
      json* res = ObjIfPresent(c, "resources");
      const json* limits = res ? Get(*res, "limits") : nullptr;
      if (!IsObj(limits)) return;
      json& requests = Obj(*res, "requests");
      for (auto it = limits->begin(); it != limits->end(); ++it) {
        if (!requests.contains(it.key())) requests[it.key()] = *it;
      }
    });
  }
  SetDefault(spec, "enableServiceLinks", true);
  if (internal::Bool(spec, "hostNetwork").value_or(false)) DefaultHostNetworkPorts(spec);
}

void DefaultPodTemplate(json& tmpl) {
  if (!tmpl.is_object()) return;
  SetDefault(Obj(tmpl, "metadata"), "creationTimestamp", nullptr);
  DefaultPodSpec(Obj(tmpl, "spec"), false);
}

namespace {

void WalkQuantities(json& v, const api::TypeRef& t, int depth) {
  if (depth > 64 || v.is_null()) return;
  switch (t.kind) {
    case api::TypeKind::kRef: {
      const api::Definition* def = t.ref;
      if (def == nullptr) return;
      if (def->special == api::Special::kQuantity) {
        if (v.is_string() || v.is_number()) {
          if (auto c = CanonicalQuantity(v)) v = *c;
        }
        return;
      }
      if (def->special != api::Special::kNone || !v.is_object()) return;
      for (const api::Field& f : def->fields) {
        auto it = v.find(f.name);
        if (it != v.end()) WalkQuantities(*it, f.type, depth + 1);
      }
      return;
    }
    case api::TypeKind::kArray:
      if (v.is_array() && t.element) {
        for (json& e : v) WalkQuantities(e, *t.element, depth + 1);
      }
      return;
    case api::TypeKind::kMap:
      if (v.is_object() && t.element) {
        for (auto it = v.begin(); it != v.end(); ++it) WalkQuantities(*it, *t.element, depth + 1);
      }
      return;
    default:
      return;
  }
}

}  // namespace

void CanonicalizeQuantities(std::string_view group, std::string_view kind, json& obj) {
  const api::Schema& schema = api::Schema::Default();
  std::string g, version;
  api::SplitApiVersion(Str(obj, "apiVersion"), &g, &version);
  const api::Kind* k = schema.FindKind(group, version, kind);
  if (k == nullptr) {
    for (const api::Kind& cand : schema.kinds()) {
      if (cand.group == group && cand.kind == kind) {
        k = &cand;
        break;
      }
    }
  }
  if (k == nullptr || k->definition == nullptr) return;
  api::TypeRef t;
  t.kind = api::TypeKind::kRef;
  t.ref = k->definition;
  WalkQuantities(obj, t, 0);
}

}  // namespace internal

void ApplyDefaults(std::string_view group, std::string_view kind, nlohmann::json& obj) {
  if (!obj.is_object()) return;
  if (group.empty()) {
    if (kind == "Pod") {
      DefaultPod(obj);
    } else if (kind == "Service") {
      DefaultService(obj);
    } else if (kind == "Secret") {
      DefaultSecret(obj);
    } else if (kind == "Namespace") {
      std::string name = Str(GetPath(obj, {"metadata", "name"}));
      if (!name.empty()) Obj(Obj(obj, "metadata"), "labels")["kubernetes.io/metadata.name"] = name;
      json& st = Obj(obj, "status");
      if (Str(st, "phase").empty()) st["phase"] = "Active";
    } else if (kind == "Node") {
      if (json* st = ObjIfPresent(obj, "status")) {
        if (const json* cap = Get(*st, "capacity"); IsObj(cap) && !Has(*st, "allocatable"))
          (*st)["allocatable"] = *cap;
      }
    } else if (kind == "PersistentVolume") {
      json& spec = Obj(obj, "spec");
      if (Str(spec, "persistentVolumeReclaimPolicy").empty())
        spec["persistentVolumeReclaimPolicy"] = "Retain";
      SetDefault(spec, "volumeMode", "Filesystem");
      DefaultSourceCommon(spec);
      json& st = Obj(obj, "status");
      if (Str(st, "phase").empty()) st["phase"] = "Pending";
    } else if (kind == "PersistentVolumeClaim") {
      DefaultPVCSpec(Obj(obj, "spec"));
      json& st = Obj(obj, "status");
      if (Str(st, "phase").empty()) st["phase"] = "Pending";
    } else if (kind == "Endpoints") {
      EachObj(obj, "subsets",
              [](json& ss) { EachObj(ss, "ports", [](json& p) { SetDefault(p, "protocol", "TCP"); }); });
    } else if (kind == "LimitRange") {
      DefaultLimitRange(obj);
    }
  } else if (group == "apps") {
    if (kind == "Deployment") {
      DefaultDeployment(obj);
    } else if (kind == "ReplicaSet") {
      SetDefault(Obj(obj, "spec"), "replicas", 1);
      internal::DefaultPodTemplate(Obj(Obj(obj, "spec"), "template"));
    } else if (kind == "StatefulSet") {
      DefaultStatefulSet(obj);
    } else if (kind == "DaemonSet") {
      DefaultDaemonSet(obj);
    }
  } else if (group == "batch") {
    if (kind == "Job") {
      DefaultJob(obj);
    } else if (kind == "CronJob") {
      DefaultCronJob(obj);
    }
  } else if (group == "networking.k8s.io" && kind == "NetworkPolicy") {
    DefaultNetworkPolicy(obj);
  } else if (group == "storage.k8s.io" && kind == "StorageClass") {
    if (Str(obj, "reclaimPolicy").empty()) obj["reclaimPolicy"] = "Delete";
    if (Str(obj, "volumeBindingMode").empty()) obj["volumeBindingMode"] = "Immediate";
  } else if (group == "discovery.k8s.io" && kind == "EndpointSlice") {
    EachObj(obj, "ports", [](json& p) {
      SetDefault(p, "name", "");
      SetDefault(p, "protocol", "TCP");
    });
  } else if (group == "autoscaling" && kind == "HorizontalPodAutoscaler") {
    DefaultHPA(obj);
  } else if (group == "scheduling.k8s.io" && kind == "PriorityClass") {
    SetDefault(obj, "preemptionPolicy", "PreemptLowerPriority");
  } else if (group == "rbac.authorization.k8s.io" &&
             (kind == "RoleBinding" || kind == "ClusterRoleBinding")) {
    DefaultRBACSubjects(obj);
  }
  internal::CanonicalizeQuantities(group, kind, obj);
}

}  // namespace kubepp::apiserver::strategy
