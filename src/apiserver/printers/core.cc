// Printers for core/v1 kinds (and events.k8s.io/v1 Event, which shares the
// core Event's columns).
#include <map>
#include <set>

#include "apiserver/printers/internal.h"
#include "common/strings.h"

namespace kubepp::apiserver::printers_internal {
namespace {


bool Deleting(const json& o) { return Has(o, {"metadata", "deletionTimestamp"}); }

// ---- Namespace
void NamespaceRow(const json& o, const Ctx& ctx, Row& row) {
  row.cells = {Name(o), Str(o, {"status", "phase"}), ctx.Age(o)};
}

// ---- Pod
bool ConditionTrue(const json& pod, std::string_view type) {
  for (const json& c : Arr(pod, {"status", "conditions"})) {
    if (Str(c, {"type"}) == type) return Str(c, {"status"}) == "True";
  }
  return false;
}

std::string TerminatedText(const json& term, std::string_view prefix) {
  int64_t signal = Int(term, {"signal"});
  if (signal != 0) return std::string(prefix) + "Signal:" + std::to_string(signal);
  return std::string(prefix) + "ExitCode:" + std::to_string(Int(term, {"exitCode"}));
}

// Tracks a restart count and the latest lastState.terminated.finishedAt.
struct Restarts {
  int64_t count = 0;
  std::optional<int64_t> last;
  void Add(const json& status) {
    count += Int(status, {"restartCount"});
    auto t = TimeNanos(Find(status, {"lastState", "terminated", "finishedAt"}));
    if (t && (!last || *t > *last)) last = t;
  }
};

void PodRow(const json& pod, const Ctx& ctx, Row& row) {
  const json& spec_init = Arr(pod, {"spec", "initContainers"});
  std::set<std::string> sidecars;
  for (const json& c : spec_init) {
    if (Str(c, {"restartPolicy"}) == "Always") sidecars.insert(Str(c, {"name"}));
  }
  int64_t total = static_cast<int64_t>(Arr(pod, {"spec", "containers"}).size() + sidecars.size());
  int64_t ready = 0;

  std::string phase = Str(pod, {"status", "phase"});
  std::string status_reason = Str(pod, {"status", "reason"});
  std::string reason = status_reason.empty() ? phase : status_reason;
  for (const json& c : Arr(pod, {"status", "conditions"})) {
    if (Str(c, {"type"}) == "PodScheduled" && Str(c, {"reason"}) == "SchedulingGated") {
      reason = "SchedulingGated";
    }
  }

  Restarts all_init;   // every init container visited
  Restarts sidecar_r;  // sidecars only, carried into the main pass
  bool initializing = false;
  const json& init_statuses = Arr(pod, {"status", "initContainerStatuses"});
  for (size_t i = 0; i < init_statuses.size(); ++i) {
    const json& cs = init_statuses[i];
    all_init.Add(cs);
    bool sidecar = sidecars.count(Str(cs, {"name"})) > 0;
    if (sidecar) sidecar_r.Add(cs);
    const json* term = Find(cs, {"state", "terminated"});
    const json* waiting = Find(cs, {"state", "waiting"});
    if (term != nullptr && Int(*term, {"exitCode"}) == 0) continue;
    if (sidecar && Bool(cs, {"started"})) {
      if (Bool(cs, {"ready"})) ++ready;
      continue;
    }
    if (term != nullptr) {
      std::string r = Str(*term, {"reason"});
      reason = r.empty() ? TerminatedText(*term, "Init:") : "Init:" + r;
    } else if (waiting != nullptr && !Str(*waiting, {"reason"}).empty() &&
               Str(*waiting, {"reason"}) != "PodInitializing") {
      reason = "Init:" + Str(*waiting, {"reason"});
    } else {
      reason = "Init:" + std::to_string(i) + "/" + std::to_string(spec_init.size());
    }
    initializing = true;
    break;
  }

  Restarts restarts = all_init;
  if (!initializing || ConditionTrue(pod, "Initialized")) {
    restarts = sidecar_r;
    bool has_running = false;
    const json& statuses = Arr(pod, {"status", "containerStatuses"});
    for (size_t k = statuses.size(); k-- > 0;) {
      const json& cs = statuses[k];
      restarts.Add(cs);
      const json* term = Find(cs, {"state", "terminated"});
      const json* waiting = Find(cs, {"state", "waiting"});
      if (waiting != nullptr && !Str(*waiting, {"reason"}).empty()) {
        reason = Str(*waiting, {"reason"});
      } else if (term != nullptr && !Str(*term, {"reason"}).empty()) {
        reason = Str(*term, {"reason"});
      } else if (term != nullptr) {
        reason = TerminatedText(*term, "");
      } else if (Bool(cs, {"ready"}) && Has(cs, {"state", "running"})) {
        has_running = true;
        ++ready;
      }
    }
    if (reason == "Completed" && has_running) {
      reason = ConditionTrue(pod, "Ready") ? "Running" : "NotReady";
    }
  }

  if (Deleting(pod) && status_reason == "NodeLost") {
    reason = "Unknown";
  } else if (Deleting(pod) && phase != "Succeeded" && phase != "Failed") {
    reason = "Terminating";
  }

  std::string restarts_text = std::to_string(restarts.count);
  if (restarts.count != 0 && restarts.last) {
    __int128 diff = static_cast<__int128>(ctx.now_nanos) - *restarts.last;
    restarts_text += " (" + HumanDuration(static_cast<int64_t>(diff / 1000000000)) + " ago)";
  }

  std::string ip;
  const json& ips = Arr(pod, {"status", "podIPs"});
  if (!ips.empty()) {
    ip = Str(ips[0], {"ip"});
  } else {
    ip = Str(pod, {"status", "podIP"});
  }
  if (ip.empty()) ip = "<none>";
  std::string node = Str(pod, {"spec", "nodeName"});
  if (node.empty()) node = "<none>";
  std::string nominated = Str(pod, {"status", "nominatedNodeName"});
  if (nominated.empty()) nominated = "<none>";
  std::string gates = "<none>";
  const json& gate_list = Arr(pod, {"spec", "readinessGates"});
  if (!gate_list.empty()) {
    int true_count = 0;
    for (const json& g : gate_list) {
      std::string type = Str(g, {"conditionType"});
      for (const json& c : Arr(pod, {"status", "conditions"})) {
        if (Str(c, {"type"}) == type) {
          if (Str(c, {"status"}) == "True") ++true_count;
          break;
        }
      }
    }
    gates = std::to_string(true_count) + "/" + std::to_string(gate_list.size());
  }

  row.cells = {Name(pod),
               std::to_string(ready) + "/" + std::to_string(total),
               reason,
               restarts_text,
               ctx.Age(pod),
               ip,
               node,
               nominated,
               gates};
  // Terminal pods carry a row condition kubectl uses to recognise them.
  if (phase == "Succeeded") {
    row.conditions = json::array({{{"type", "Completed"},
                                   {"status", "True"},
                                   {"reason", "Succeeded"},
                                   {"message", "All containers exited successfully."}}});
  } else if (phase == "Failed") {
    row.conditions = json::array({{{"type", "Completed"},
                                   {"status", "True"},
                                   {"reason", "Failed"},
                                   {"message", "The pod ended in failure."}}});
  }
}

// ---- Service
void ServiceRow(const json& svc, const Ctx& ctx, Row& row) {
  std::string type = Str(svc, {"spec", "type"});
  std::string cluster_ip = "<none>";
  const json& ips = Arr(svc, {"spec", "clusterIPs"});
  if (!ips.empty()) {
    cluster_ip = ips[0].is_string() ? ips[0].get<std::string>() : "";
  } else if (!Str(svc, {"spec", "clusterIP"}).empty()) {
    cluster_ip = Str(svc, {"spec", "clusterIP"});
  }
  std::vector<std::string> external_ips;
  for (const json& ip : Arr(svc, {"spec", "externalIPs"})) {
    if (ip.is_string()) external_ips.push_back(ip.get<std::string>());
  }
  std::string external;
  if (type == "ClusterIP" || type == "NodePort") {
    external = external_ips.empty() ? "<none>" : Join(external_ips, ",");
  } else if (type == "LoadBalancer") {
    std::string lb = LoadBalancerIngress(Find(svc, {"status", "loadBalancer"}));
    std::vector<std::string> all;
    if (!lb.empty()) all.push_back(lb);
    all.insert(all.end(), external_ips.begin(), external_ips.end());
    external = all.empty() ? "<pending>" : Join(all, ",");
  } else if (type == "ExternalName") {
    external = Str(svc, {"spec", "externalName"});
  } else {
    external = "<unknown>";
  }
  std::vector<std::string> ports;
  for (const json& p : Arr(svc, {"spec", "ports"})) {
    std::string text = std::to_string(Int(p, {"port"}));
    int64_t node_port = Int(p, {"nodePort"});
    if (node_port > 0) text += ":" + std::to_string(node_port);
    ports.push_back(text + "/" + Str(p, {"protocol"}));
  }
  std::string port_text = ports.empty() ? "<none>" : Join(ports, ",");
  row.cells = {Name(svc), type, cluster_ip, external, port_text, ctx.Age(svc),
               FormatLabels(Find(svc, {"spec", "selector"}))};
}

// ---- Endpoints
std::string HostPort(const std::string& ip, int64_t port) {
  if (ip.find(':') != std::string::npos) return "[" + ip + "]:" + std::to_string(port);
  return ip + ":" + std::to_string(port);
}

void EndpointsRow(const json& ep, const Ctx& ctx, Row& row) {
  const json& subsets = Arr(ep, {"subsets"});
  std::string text;
  if (subsets.empty()) {
    text = "<none>";
  } else {
    constexpr size_t kMax = 3;
    std::vector<std::string> list;
    size_t count = 0;
    bool more = false;
    for (const json& ss : subsets) {
      const json& addrs = Arr(ss, {"addresses"});
      const json& ports = Arr(ss, {"ports"});
      if (ports.empty()) {
        count += addrs.size();
        for (const json& a : addrs) {
          if (list.size() == kMax) {
            more = true;
            break;
          }
          list.push_back(Str(a, {"ip"}));
        }
        continue;
      }
      for (const json& p : ports) {
        count += addrs.size();
        for (const json& a : addrs) {
          if (list.size() == kMax) {
            more = true;
            break;
          }
          list.push_back(HostPort(Str(a, {"ip"}), Int(p, {"port"})));
        }
      }
    }
    text = Join(list, ",");
    if (more) text += " + " + std::to_string(count - kMax) + " more...";
  }
  row.cells = {Name(ep), text, ctx.Age(ep)};
}

// ---- ConfigMap, Secret, ServiceAccount
void ConfigMapRow(const json& o, const Ctx& ctx, Row& row) {
  row.cells = {Name(o), static_cast<int64_t>(Size(o, {"data"}) + Size(o, {"binaryData"})), ctx.Age(o)};
}
void SecretRow(const json& o, const Ctx& ctx, Row& row) {
  row.cells = {Name(o), Str(o, {"type"}), static_cast<int64_t>(Size(o, {"data"})), ctx.Age(o)};
}
void ServiceAccountRow(const json& o, const Ctx& ctx, Row& row) {
  row.cells = {Name(o), static_cast<int64_t>(Size(o, {"secrets"})), ctx.Age(o)};
}

// ---- Node
std::string NodeAddress(const json& node, std::string_view type) {
  for (const json& a : Arr(node, {"status", "addresses"})) {
    if (Str(a, {"type"}) == type) return Str(a, {"address"});
  }
  return "<none>";
}

std::string OrUnknown(std::string s) { return s.empty() ? "<unknown>" : s; }

void NodeRow(const json& node, const Ctx& ctx, Row& row) {
  std::string status;
  for (const json& c : Arr(node, {"status", "conditions"})) {
    // The last Ready condition wins, as a map keyed by type would keep it.
    if (Str(c, {"type"}) == "Ready") status = Str(c, {"status"}) == "True" ? "Ready" : "NotReady";
  }
  if (status.empty()) status = "Unknown";
  if (Bool(node, {"spec", "unschedulable"})) status += ",SchedulingDisabled";

  std::set<std::string> roles;
  if (const json* labels = Find(node, {"metadata", "labels"}); labels && labels->is_object()) {
    constexpr std::string_view kPrefix = "node-role.kubernetes.io/";
    for (auto it = labels->begin(); it != labels->end(); ++it) {
      const std::string& key = it.key();
      if (key.size() > kPrefix.size() && key.compare(0, kPrefix.size(), kPrefix) == 0) {
        roles.insert(key.substr(kPrefix.size()));
      } else if (key == "kubernetes.io/role" && it->is_string() && !it->get<std::string>().empty()) {
        roles.insert(it->get<std::string>());
      }
    }
  }
  std::string roles_text =
      roles.empty() ? "<none>" : Join(std::vector<std::string>(roles.begin(), roles.end()), ",");
  row.cells = {Name(node),
               status,
               roles_text,
               ctx.Age(node),
               Str(node, {"status", "nodeInfo", "kubeletVersion"}),
               NodeAddress(node, "InternalIP"),
               NodeAddress(node, "ExternalIP"),
               OrUnknown(Str(node, {"status", "nodeInfo", "osImage"})),
               OrUnknown(Str(node, {"status", "nodeInfo", "kernelVersion"})),
               OrUnknown(Str(node, {"status", "nodeInfo", "containerRuntimeVersion"}))};
}

// ---- Event (core/v1 names; events.k8s.io/v1 names mapped onto them)
struct EventView {
  const json* first = nullptr;
  const json* last = nullptr;
  const json* event_time = nullptr;
  const json* series = nullptr;
  int64_t count = 0;
  std::string type, reason, kind, name, field_path, component, host, controller, instance,
      message;
};

void EventCells(const EventView& e, const json& obj, const Ctx& ctx, Row& row) {
  std::string first = TimeNanos(e.first) ? ctx.Since(e.first) : ctx.Since(e.event_time);
  std::string last = TimeNanos(e.last) ? ctx.Since(e.last) : first;
  int64_t count = e.count;
  if (e.series != nullptr) {
    last = ctx.Since(Find(*e.series, {"lastObservedTime"}));
    count = Int(*e.series, {"count"});
  } else if (count == 0) {
    count = 1;
  }
  std::string kind = AsciiLower(e.kind);
  std::string target = e.name.empty() ? kind : kind + "/" + e.name;
  std::string component = e.component.empty() ? e.controller : e.component;
  std::string instance = e.host.empty() ? e.instance : e.host;
  std::string source = instance.empty() ? component : component + ", " + instance;
  std::string message = e.message;
  constexpr const char* kSpace = " \t\n\v\f\r";
  size_t b = message.find_first_not_of(kSpace);
  message = b == std::string::npos ? "" : message.substr(b, message.find_last_not_of(kSpace) - b + 1);
  row.cells = {last,    e.type, e.reason, target, e.field_path, source,
               message, first,  count,    Name(obj)};
}

void CoreEventRow(const json& o, const Ctx& ctx, Row& row) {
  EventView e;
  e.first = Find(o, {"firstTimestamp"});
  e.last = Find(o, {"lastTimestamp"});
  e.event_time = Find(o, {"eventTime"});
  e.series = Find(o, {"series"});
  if (e.series != nullptr && !e.series->is_object()) e.series = nullptr;
  e.count = Int(o, {"count"});
  e.type = Str(o, {"type"});
  e.reason = Str(o, {"reason"});
  e.kind = Str(o, {"involvedObject", "kind"});
  e.name = Str(o, {"involvedObject", "name"});
  e.field_path = Str(o, {"involvedObject", "fieldPath"});
  e.component = Str(o, {"source", "component"});
  e.host = Str(o, {"source", "host"});
  e.controller = Str(o, {"reportingController"});
  e.instance = Str(o, {"reportingInstance"});
  e.message = Str(o, {"message"});
  EventCells(e, o, ctx, row);
}

void EventsV1EventRow(const json& o, const Ctx& ctx, Row& row) {
  EventView e;
  e.first = Find(o, {"deprecatedFirstTimestamp"});
  e.last = Find(o, {"deprecatedLastTimestamp"});
  e.event_time = Find(o, {"eventTime"});
  e.series = Find(o, {"series"});
  if (e.series != nullptr && !e.series->is_object()) e.series = nullptr;
  e.count = Int(o, {"deprecatedCount"});
  e.type = Str(o, {"type"});
  e.reason = Str(o, {"reason"});
  e.kind = Str(o, {"regarding", "kind"});
  e.name = Str(o, {"regarding", "name"});
  e.field_path = Str(o, {"regarding", "fieldPath"});
  e.component = Str(o, {"deprecatedSource", "component"});
  e.host = Str(o, {"deprecatedSource", "host"});
  e.controller = Str(o, {"reportingController"});
  e.instance = Str(o, {"reportingInstance"});
  e.message = Str(o, {"note"});
  EventCells(e, o, ctx, row);
}

// ---- PersistentVolume / PersistentVolumeClaim
std::string VolumeClass(const json& o) {
  const json* ann = Find(o, {"metadata", "annotations", "volume.beta.kubernetes.io/storage-class"});
  if (ann != nullptr && ann->is_string()) return ann->get<std::string>();
  return Str(o, {"spec", "storageClassName"});
}

std::string OrUnset(const json& o, Path path) {
  const json* v = Find(o, path);
  return v != nullptr && v->is_string() ? v->get<std::string>() : "<unset>";
}

void PersistentVolumeRow(const json& pv, const Ctx& ctx, Row& row) {
  std::string claim;
  if (const json* ref = Find(pv, {"spec", "claimRef"}); ref != nullptr) {
    claim = Str(*ref, {"namespace"}) + "/" + Str(*ref, {"name"});
  }
  std::string phase = Deleting(pv) ? "Terminating" : Str(pv, {"status", "phase"});
  row.cells = {Name(pv),
               QuantityString(Find(pv, {"spec", "capacity", "storage"})),
               AccessModes(Arr(pv, {"spec", "accessModes"})),
               Str(pv, {"spec", "persistentVolumeReclaimPolicy"}),
               phase,
               claim,
               VolumeClass(pv),
               OrUnset(pv, {"spec", "volumeAttributesClassName"}),
               Str(pv, {"status", "reason"}),
               ctx.Age(pv),
               OrUnset(pv, {"spec", "volumeMode"})};
}

void PersistentVolumeClaimRow(const json& pvc, const Ctx& ctx, Row& row) {
  std::string phase = Deleting(pvc) ? "Terminating" : Str(pvc, {"status", "phase"});
  std::string volume = Str(pvc, {"spec", "volumeName"});
  std::string capacity, modes;
  if (!volume.empty()) {
    capacity = QuantityString(Find(pvc, {"status", "capacity", "storage"}));
    modes = AccessModes(Arr(pvc, {"status", "accessModes"}));
  }
  row.cells = {Name(pvc),
               phase,
               volume,
               capacity,
               modes,
               VolumeClass(pvc),
               OrUnset(pvc, {"spec", "volumeAttributesClassName"}),
               ctx.Age(pvc),
               OrUnset(pvc, {"spec", "volumeMode"})};
}

// ---- ResourceQuota
void ResourceQuotaRow(const json& rq, const Ctx& ctx, Row& row) {
  std::vector<std::string> requests, limits;
  if (const json* hard = Find(rq, {"status", "hard"}); hard != nullptr && hard->is_object()) {
    for (auto it = hard->begin(); it != hard->end(); ++it) {  // key order = sorted
      const std::string& res = it.key();
      std::string text = res + ": " + QuantityString(Find(rq, {"status", "used", res})) + "/" +
                         QuantityString(&*it);
      size_t dot = res.find('.');
      if (dot != std::string::npos && res.compare(0, dot, "limits") == 0) {
        limits.push_back(text);
      } else {
        requests.push_back(text);
      }
    }
  }
  row.cells = {Name(rq), Join(requests, ", "), Join(limits, ", "), ctx.Age(rq)};
}

constexpr Column kEventColumns[] = {
    {"Last Seen", "string", "", 0, "How long ago the event was last observed."},
    {"Type", "string", "", 0, "Normal or Warning."},
    {"Reason", "string", "", 0, "Short machine-readable cause of the event."},
    {"Object", "string", "", 0, "The object the event is about, as kind/name."},
    {"Subobject", "string", "", 1, "The part of the object (field path) the event is about."},
    {"Source", "string", "", 1, "The component (and host) that reported the event."},
    {"Message", "string", "", 0, "Human-readable text of the event."},
    {"First Seen", "string", "", 1, "How long ago the event was first observed."},
    {"Count", "string", "", 1, "How many times the event has occurred."},
    {"Name", "string", "name", 1, "The event object's name."},
};

}  // namespace

const std::vector<Printer>& CorePrinters() {
  static const std::vector<Printer> kPrinters = {
      {"", "Namespace", {kName, {"Status", "string", "", 0, "Lifecycle phase of the namespace."}, kAge},
       &NamespaceRow},
      {"",
       "Pod",
       {kName,
        {"Ready", "string", "", 0, "Ready containers out of all containers (sidecars included)."},
        {"Status", "string", "", 0, "Summary of the pod's state, e.g. Running or CrashLoopBackOff."},
        {"Restarts", "string", "", 0, "Container restarts, with how long ago the last one was."},
        kAge,
        {"IP", "string", "", 1, "The pod's first IP address."},
        {"Node", "string", "", 1, "Node the pod is bound to."},
        {"Nominated Node", "string", "", 1, "Node the scheduler nominated after preemption."},
        {"Readiness Gates", "string", "", 1, "Readiness gates that are true, out of all gates."}},
       &PodRow},
      {"",
       "Service",
       {kName,
        {"Type", "string", "", 0, "How the service is exposed."},
        {"Cluster-IP", "string", "", 0, "The service's virtual IP inside the cluster."},
        {"External-IP", "string", "", 0, "Addresses the service is reachable on from outside."},
        {"Port(s)", "string", "", 0, "Service ports, with node ports where allocated."},
        kAge,
        {"Selector", "string", "", 1, "Labels of the pods the service routes to."}},
       &ServiceRow},
      {"", "Endpoints",
       {kName, {"Endpoints", "string", "", 0, "Ready addresses with their ports."}, kAge},
       &EndpointsRow},
      {"", "ConfigMap", {kName, {"Data", "string", "", 0, "Number of data entries."}, kAge},
       &ConfigMapRow},
      {"", "Secret",
       {kName, {"Type", "string", "", 0, "The kind of secret."},
        {"Data", "string", "", 0, "Number of data entries."}, kAge},
       &SecretRow},
      {"",
       "Node",
       {kName,
        {"Status", "string", "", 0, "Readiness of the node, and whether scheduling is disabled."},
        {"Roles", "string", "", 0, "Roles taken from the node's role labels."},
        kAge,
        {"Version", "string", "", 0, "Version of the node agent."},
        {"Internal-IP", "string", "", 1, "The node's internal address."},
        {"External-IP", "string", "", 1, "The node's external address."},
        {"OS-Image", "string", "", 1, "Operating system the node reports."},
        {"Kernel-Version", "string", "", 1, "Kernel the node reports."},
        {"Container-Runtime", "string", "", 1, "Container runtime and its version."}},
       &NodeRow},
      {"", "Event", {std::begin(kEventColumns), std::end(kEventColumns)}, &CoreEventRow},
      {"events.k8s.io", "Event", {std::begin(kEventColumns), std::end(kEventColumns)},
       &EventsV1EventRow},
      {"", "ServiceAccount",
       {kName, {"Secrets", "string", "", 0, "Number of secrets listed on the account."}, kAge},
       &ServiceAccountRow},
      {"",
       "PersistentVolume",
       {kName,
        {"Capacity", "string", "", 0, "Storage size of the volume."},
        {"Access Modes", "string", "", 0, "How the volume can be mounted (RWO, ROX, RWX, RWOP)."},
        {"Reclaim Policy", "string", "", 0, "What happens to the volume when its claim is released."},
        {"Status", "string", "", 0, "Phase of the volume."},
        {"Claim", "string", "", 0, "The claim bound to the volume, as namespace/name."},
        {"StorageClass", "string", "", 0, "Storage class of the volume."},
        {"VolumeAttributesClass", "string", "", 0, "Volume attributes class of the volume."},
        {"Reason", "string", "", 0, "Why the volume is in its phase."},
        kAge,
        {"VolumeMode", "string", "", 1, "Filesystem or Block."}},
       &PersistentVolumeRow},
      {"",
       "PersistentVolumeClaim",
       {kName,
        {"Status", "string", "", 0, "Phase of the claim."},
        {"Volume", "string", "", 0, "The volume bound to the claim."},
        {"Capacity", "string", "", 0, "Storage size of the bound volume."},
        {"Access Modes", "string", "", 0, "Access modes of the bound volume."},
        {"StorageClass", "string", "", 0, "Storage class requested by the claim."},
        {"VolumeAttributesClass", "string", "", 0, "Volume attributes class of the claim."},
        kAge,
        {"VolumeMode", "string", "", 1, "Filesystem or Block."}},
       &PersistentVolumeClaimRow},
      {"",
       "ResourceQuota",
       {kName,
        {"Request", "string", "", 0, "Used and hard amounts of non-limit resources."},
        {"Limit", "string", "", 0, "Used and hard amounts of limits.* resources."},
        kAge},
       &ResourceQuotaRow},
  };
  return kPrinters;
}

}  // namespace kubepp::apiserver::printers_internal
