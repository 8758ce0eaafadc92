// Printers for the kinds outside the core group: apps, batch, networking,
// storage, discovery, coordination, rbac, policy, autoscaling, scheduling.
#include <algorithm>
#include <cctype>

#include "apiserver/printers/internal.h"
#include "common/strings.h"

namespace kubepp::apiserver::printers_internal {
namespace {

constexpr Column kContainers = {"Containers", "string", "", 1, "Names of the pod template's containers."};
constexpr Column kImages = {"Images", "string", "", 1, "Images of the pod template's containers."};
constexpr Column kSelector = {"Selector", "string", "", 1, "Label selector of the pods it manages."};

const json* Template(const json& o) { return Find(o, {"spec", "template", "spec"}); }

// ---- apps
void DeploymentRow(const json& d, const Ctx& ctx, Row& row) {
  int64_t desired = Int(d, {"spec", "replicas"}, 1);
  std::string ready = std::to_string(Int(d, {"status", "readyReplicas"})) + "/" + std::to_string(desired);
  const json* sel = Find(d, {"spec", "selector"});
  std::string selector = SelectorString(sel);
  if (selector == "<error>") selector = "<invalid>";
  row.cells = {Name(d),
               ready,
               Int(d, {"status", "updatedReplicas"}),
               Int(d, {"status", "availableReplicas"}),
               ctx.Age(d),
               ContainerNames(Template(d)),
               ContainerImages(Template(d)),
               selector};
}

void ReplicaSetRow(const json& rs, const Ctx& ctx, Row& row) {
  row.cells = {Name(rs),
               Int(rs, {"spec", "replicas"}, 1),
               Int(rs, {"status", "replicas"}),
               Int(rs, {"status", "readyReplicas"}),
               ctx.Age(rs),
               ContainerNames(Template(rs)),
               ContainerImages(Template(rs)),
               FormatLabelSelector(Find(rs, {"spec", "selector"}))};
}

void StatefulSetRow(const json& ss, const Ctx& ctx, Row& row) {
  row.cells = {Name(ss),
               std::to_string(Int(ss, {"status", "readyReplicas"})) + "/" +
                   std::to_string(Int(ss, {"spec", "replicas"}, 1)),
               ctx.Age(ss),
               ContainerNames(Template(ss)),
               ContainerImages(Template(ss))};
}

void DaemonSetRow(const json& ds, const Ctx& ctx, Row& row) {
  row.cells = {Name(ds),
               Int(ds, {"status", "desiredNumberScheduled"}),
               Int(ds, {"status", "currentNumberScheduled"}),
               Int(ds, {"status", "numberReady"}),
               Int(ds, {"status", "updatedNumberScheduled"}),
               Int(ds, {"status", "numberAvailable"}),
               FormatLabels(Find(ds, {"spec", "template", "spec", "nodeSelector"})),
               ctx.Age(ds),
               ContainerNames(Template(ds)),
               ContainerImages(Template(ds)),
               FormatLabelSelector(Find(ds, {"spec", "selector"}))};
}


void ControllerRevisionRow(const json& cr, const Ctx& ctx, Row& row) {
  std::string controller = "<none>";
  for (const json& ref : Arr(cr, {"metadata", "ownerReferences"})) {
    if (!Bool(ref, {"controller"})) continue;
    std::string api_version = Str(ref, {"apiVersion"});
    size_t slash = api_version.find('/');
    std::string group = slash == std::string::npos ? "" : api_version.substr(0, slash);
    std::string kind = Str(ref, {"kind"});
    std::string group_kind = group.empty() ? kind : kind + "." + group;
    controller = group_kind.empty() ? Str(ref, {"name"}) : AsciiLower(group_kind) + "/" + Str(ref, {"name"});
    break;
  }
  row.cells = {Name(cr), controller, Int(cr, {"revision"}), ctx.Age(cr)};
}

// ---- batch
// The first condition of `type` has status True.
bool FirstConditionTrue(const json& o, std::string_view type) {
  for (const json& c : Arr(o, {"status", "conditions"})) {
    if (Str(c, {"type"}) == type) return Str(c, {"status"}) == "True";
  }
  return false;
}

void JobRow(const json& job, const Ctx& ctx, Row& row) {
  int64_t succeeded = Int(job, {"status", "succeeded"});
  std::string completions;
  if (Has(job, {"spec", "completions"})) {
    completions = std::to_string(succeeded) + "/" + std::to_string(Int(job, {"spec", "completions"}));
  } else if (Int(job, {"spec", "parallelism"}, 1) > 1) {
    completions = std::to_string(succeeded) + "/1 of " + std::to_string(Int(job, {"spec", "parallelism"}));
  } else {
    completions = std::to_string(succeeded) + "/1";
  }
  std::string duration;
  auto start = TimeNanos(Find(job, {"status", "startTime"}));
  if (start) {
    auto done = TimeNanos(Find(job, {"status", "completionTime"}));
    if (!done) {
      duration = ctx.Since(Find(job, {"status", "startTime"}));
    } else {
      duration = HumanDuration((*done - *start) / 1000000000);
    }
  }
  std::string status;
  if (FirstConditionTrue(job, "Complete")) {
    status = "Complete";
  } else if (FirstConditionTrue(job, "Failed")) {
    status = "Failed";
  } else if (Has(job, {"metadata", "deletionTimestamp"})) {
    status = "Terminating";
  } else if (FirstConditionTrue(job, "Suspended")) {
    status = "Suspended";
  } else if (FirstConditionTrue(job, "FailureTarget")) {
    status = "FailureTarget";
  } else {
    status = "Running";
  }
  row.cells = {Name(job),
               status,
               completions,
               duration,
               ctx.Age(job),
               ContainerNames(Template(job)),
               ContainerImages(Template(job)),
               FormatLabelSelector(Find(job, {"spec", "selector"}))};
}

void CronJobRow(const json& cj, const Ctx& ctx, Row& row) {
  const json* tz = Find(cj, {"spec", "timeZone"});
  const json* suspend = Find(cj, {"spec", "suspend"});
  std::string suspend_text = "<unset>";
  if (suspend != nullptr && suspend->is_boolean()) suspend_text = suspend->get<bool>() ? "True" : "False";
  const json* last = Find(cj, {"status", "lastScheduleTime"});
  const json* pod_spec = Find(cj, {"spec", "jobTemplate", "spec", "template", "spec"});
  row.cells = {Name(cj),
               Str(cj, {"spec", "schedule"}),
               tz != nullptr && tz->is_string() ? tz->get<std::string>() : "<none>",
               suspend_text,
               static_cast<int64_t>(Size(cj, {"status", "active"})),
               last == nullptr ? "<none>" : ctx.Since(last),
               ctx.Age(cj),
               ContainerNames(pod_spec),
               ContainerImages(pod_spec),
               FormatLabelSelector(Find(cj, {"spec", "jobTemplate", "spec", "selector"}))};
}

// ---- networking
void IngressRow(const json& ing, const Ctx& ctx, Row& row) {
  const json* cls = Find(ing, {"spec", "ingressClassName"});
  const json& rules = Arr(ing, {"spec", "rules"});
  constexpr size_t kMax = 3;
  std::vector<std::string> hosts;
  bool more = false;
  for (const json& r : rules) {
    if (hosts.size() == kMax) more = true;
    if (!more && !Str(r, {"host"}).empty()) hosts.push_back(Str(r, {"host"}));
  }
  std::string hosts_text = hosts.empty() ? "*" : Join(hosts, ",");
  if (!hosts.empty() && more) hosts_text += " + " + std::to_string(rules.size() - kMax) + " more...";
  row.cells = {Name(ing),
               cls != nullptr && cls->is_string() ? cls->get<std::string>() : "<none>",
               hosts_text,
               LoadBalancerIngress(Find(ing, {"status", "loadBalancer"})),
               Arr(ing, {"spec", "tls"}).empty() ? "80" : "80, 443",
               ctx.Age(ing)};
}

void IngressClassRow(const json& ic, const Ctx& ctx, Row& row) {
  std::string params = "<none>";
  if (const json* p = Find(ic, {"spec", "parameters"}); p != nullptr) {
    params = Str(*p, {"kind"});
    if (const json* g = Find(*p, {"apiGroup"}); g != nullptr && g->is_string()) {
      params += "." + g->get<std::string>();
    }
    params += "/" + Str(*p, {"name"});
  }
  row.cells = {Name(ic), Str(ic, {"spec", "controller"}), params, ctx.Age(ic)};
}

void NetworkPolicyRow(const json& np, const Ctx& ctx, Row& row) {
  const json* sel = Find(np, {"spec", "podSelector"});
  static const json kEmpty = json::object();  // a non-pointer field: absent = empty
  row.cells = {Name(np), FormatLabelSelector(sel != nullptr ? sel : &kEmpty), ctx.Age(np)};
}

// "a,b,c + N more..." over the first three; "<unset>" when empty.
std::string ListWithMore(const std::vector<std::string>& first, size_t total) {
  constexpr size_t kMax = 3;
  std::string out = Join(first, ",");
  if (total > kMax) return out + " + " + std::to_string(total - kMax) + " more...";
  return out.empty() ? "<unset>" : out;
}

void EndpointSliceRow(const json& es, const Ctx& ctx, Row& row) {
  std::vector<std::string> ports;
  size_t port_count = 0;
  for (const json& p : Arr(es, {"ports"})) {
    if (ports.size() < 3) {
      if (Has(p, {"port"})) {
        ports.push_back(std::to_string(Int(p, {"port"})));
      } else if (Has(p, {"name"})) {
        ports.push_back(Str(p, {"name"}));
      } else {
        ports.push_back("*");
      }
    }
    ++port_count;
  }
  std::vector<std::string> addrs;
  size_t addr_count = 0;
  for (const json& ep : Arr(es, {"endpoints"})) {
    for (const json& a : Arr(ep, {"addresses"})) {
      if (addrs.size() < 3) addrs.push_back(a.is_string() ? a.get<std::string>() : "");
      ++addr_count;
    }
  }
  row.cells = {Name(es), Str(es, {"addressType"}), ListWithMore(ports, port_count),
               ListWithMore(addrs, addr_count), ctx.Age(es)};
}

// ---- storage, coordination, scheduling, policy
void StorageClassRow(const json& sc, const Ctx& ctx, Row& row) {
  std::string name = Name(sc);
  for (const char* key : {"storageclass.kubernetes.io/is-default-class",
                          "storageclass.beta.kubernetes.io/is-default-class"}) {
    if (Str(sc, {"metadata", "annotations", key}) == "true") {
      name += " (default)";
      break;
    }
  }
  std::string reclaim = Str(sc, {"reclaimPolicy"});
  std::string binding = Str(sc, {"volumeBindingMode"});
  row.cells = {name,
               Str(sc, {"provisioner"}),
               reclaim.empty() ? "Delete" : reclaim,
               binding.empty() ? "Immediate" : binding,
               Bool(sc, {"allowVolumeExpansion"}),
               ctx.Age(sc)};
}

void LeaseRow(const json& l, const Ctx& ctx, Row& row) {
  row.cells = {Name(l), Str(l, {"spec", "holderIdentity"}), ctx.Age(l)};
}

void PriorityClassRow(const json& pc, const Ctx& ctx, Row& row) {
  row.cells = {Name(pc), Int(pc, {"value"}), Bool(pc, {"globalDefault"}), ctx.Age(pc),
               Str(pc, {"preemptionPolicy"})};
}

void PodDisruptionBudgetRow(const json& pdb, const Ctx& ctx, Row& row) {
  const json* min = Find(pdb, {"spec", "minAvailable"});
  const json* max = Find(pdb, {"spec", "maxUnavailable"});
  row.cells = {Name(pdb), min ? IntOrStringText(*min) : "N/A", max ? IntOrStringText(*max) : "N/A",
               Int(pdb, {"status", "disruptionsAllowed"}), ctx.Age(pdb)};
}

// ---- rbac
void BindingRow(const json& rb, const Ctx& ctx, Row& row) {
  std::vector<std::string> users, groups, sas;
  for (const json& s : Arr(rb, {"subjects"})) {
    std::string kind = Str(s, {"kind"});
    std::string name = Str(s, {"name"});
    if (kind == "User") {
      users.push_back(name);
    } else if (kind == "Group") {
      groups.push_back(name);
    } else if (kind == "ServiceAccount") {
      sas.push_back(Str(s, {"namespace"}) + "/" + name);  // "/name" without a namespace
    }
  }
  row.cells = {Name(rb), Str(rb, {"roleRef", "kind"}) + "/" + Str(rb, {"roleRef", "name"}),
               ctx.Age(rb), Join(users, ", "), Join(groups, ", "), Join(sas, ", ")};
}

// ---- autoscaling (v2 shape; a v1 object's CPU target is read as a cpu metric)
std::string Qty(const json& o, Path path) { return QuantityString(Find(o, path)); }

std::string MetricText(const json& spec, const json* st) {
  static const json kNull;
  const json& cur = st != nullptr ? *st : kNull;
  std::string type = Str(spec, {"type"});
  if (type == "Resource" || type == "ContainerResource") {
    const char* field = type == "Resource" ? "resource" : "containerResource";
    const json* s = Find(spec, {field});
    const json* c = Find(cur, {field});
    std::string res = s ? Str(*s, {"name"}) : "";
    if (s != nullptr && Has(*s, {"target", "averageValue"})) {
      std::string current = c != nullptr ? Qty(*c, {"current", "averageValue"}) : "<unknown>";
      return res + ": " + current + "/" + Qty(*s, {"target", "averageValue"});
    }
    std::string current = "<unknown>";
    if (c != nullptr && Has(*c, {"current", "averageUtilization"})) {
      current = std::to_string(Int(*c, {"current", "averageUtilization"})) + "%";
    }
    std::string target = "<auto>";
    if (s != nullptr && Has(*s, {"target", "averageUtilization"})) {
      target = std::to_string(Int(*s, {"target", "averageUtilization"})) + "%";
    }
    return res + ": " + current + "/" + target;
  }
  if (type == "Pods") {
    const json* c = Find(cur, {"pods"});
    std::string current = c != nullptr ? Qty(*c, {"current", "averageValue"}) : "<unknown>";
    return current + "/" + Qty(spec, {"pods", "target", "averageValue"});
  }
  if (type == "Object" || type == "External") {
    const char* field = type == "Object" ? "object" : "external";
    const json* s = Find(spec, {field});
    const json* c = Find(cur, {field});
    if (s != nullptr && Has(*s, {"target", "averageValue"})) {
      std::string current = c != nullptr && Has(*c, {"current", "averageValue"})
                                ? Qty(*c, {"current", "averageValue"})
                                : "<unknown>";
      return current + "/" + Qty(*s, {"target", "averageValue"}) + " (avg)";
    }
    std::string current = c != nullptr ? Qty(*c, {"current", "value"}) : "<unknown>";
    return current + "/" + (s != nullptr ? Qty(*s, {"target", "value"}) : "0");
  }
  return "<unknown type>";
}

void HpaRow(const json& hpa, const Ctx& ctx, Row& row) {
  json metrics = Arr(hpa, {"spec", "metrics"});
  json current = Arr(hpa, {"status", "currentMetrics"});
  if (metrics.empty() && Has(hpa, {"spec", "targetCPUUtilizationPercentage"})) {  // autoscaling/v1
    metrics.push_back(
        {{"type", "Resource"},
         {"resource",
          {{"name", "cpu"},
           {"target",
            {{"type", "Utilization"},
             {"averageUtilization", Int(hpa, {"spec", "targetCPUUtilizationPercentage"})}}}}}});
    if (Has(hpa, {"status", "currentCPUUtilizationPercentage"})) {
      current.push_back(
          {{"type", "Resource"},
           {"resource",
            {{"name", "cpu"},
             {"current",
              {{"averageUtilization", Int(hpa, {"status", "currentCPUUtilizationPercentage"})}}}}}});
    }
  }
  std::string targets = "<none>";
  if (!metrics.empty()) {
    std::vector<std::string> list;
    for (size_t i = 0; i < metrics.size(); ++i) {
      list.push_back(MetricText(metrics[i], i < current.size() ? &current[i] : nullptr));
    }
    constexpr size_t kMax = 2;
    if (list.size() > kMax) {
      targets = Join({list[0], list[1]}, ", ") + " + " + std::to_string(list.size() - kMax) + " more...";
    } else {
      targets = Join(list, ", ");
    }
  }
  std::string min_pods = "<unset>";
  if (Has(hpa, {"spec", "minReplicas"})) min_pods = std::to_string(Int(hpa, {"spec", "minReplicas"}));
  row.cells = {Name(hpa),
               Str(hpa, {"spec", "scaleTargetRef", "kind"}) + "/" + Str(hpa, {"spec", "scaleTargetRef", "name"}),
               targets,
               min_pods,
               Int(hpa, {"spec", "maxReplicas"}),
               Int(hpa, {"status", "currentReplicas"}),
               ctx.Age(hpa)};
}

const std::vector<Column>& BindingColumns() {
  static const std::vector<Column> kColumns = {
      kName,
      {"Role", "string", "", 0, "The role granted, as kind/name."},
      kAge,
      {"Users", "string", "", 1, "Users the role is granted to."},
      {"Groups", "string", "", 1, "Groups the role is granted to."},
      {"ServiceAccounts", "string", "", 1, "Service accounts the role is granted to."},
  };
  return kColumns;
}

const std::vector<Column>& HpaColumns() {
  static const std::vector<Column> kColumns = {
      kName,
      {"Reference", "string", "", 0, "The scaled workload, as kind/name."},
      {"Targets", "string", "", 0, "Current and target values of each metric."},
      {"MinPods", "string", "", 0, "Lower bound on replicas."},
      {"MaxPods", "string", "", 0, "Upper bound on replicas."},
      {"Replicas", "string", "", 0, "Current number of replicas."},
      kAge,
  };
  return kColumns;
}

}  // namespace

const std::vector<Printer>& OtherPrinters() {
  static const std::vector<Printer> kPrinters = {
      {"apps",
       "Deployment",
       {kName,
        {"Ready", "string", "", 0, "Ready replicas out of desired replicas."},
        {"Up-to-date", "string", "", 0, "Replicas running the latest template."},
        {"Available", "string", "", 0, "Replicas available to serve."},
        kAge, kContainers, kImages, kSelector},
       &DeploymentRow},
      {"apps",
       "ReplicaSet",
       {kName,
        {"Desired", "integer", "", 0, "Replicas asked for."},
        {"Current", "integer", "", 0, "Replicas that exist."},
        {"Ready", "integer", "", 0, "Replicas that are ready."},
        kAge, kContainers, kImages, kSelector},
       &ReplicaSetRow},
      {"apps",
       "StatefulSet",
       {kName, {"Ready", "string", "", 0, "Ready replicas out of desired replicas."}, kAge, kContainers,
        kImages},
       &StatefulSetRow},
      {"apps",
       "DaemonSet",
       {kName,
        {"Desired", "integer", "", 0, "Nodes that should run the daemon pod."},
        {"Current", "integer", "", 0, "Nodes running the daemon pod."},
        {"Ready", "integer", "", 0, "Nodes whose daemon pod is ready."},
        {"Up-to-date", "integer", "", 0, "Nodes running the latest template."},
        {"Available", "integer", "", 0, "Nodes whose daemon pod is available."},
        {"Node Selector", "string", "", 0, "Node labels the pods are restricted to."},
        kAge, kContainers, kImages, kSelector},
       &DaemonSetRow},
      {"apps",
       "ControllerRevision",
       {kName,
        {"Controller", "string", "", 0, "The object that owns this revision."},
        {"Revision", "string", "", 0, "Revision number."},
        kAge},
       &ControllerRevisionRow},
      {"batch",
       "Job",
       {kName,
        {"Status", "string", "", 0, "Overall state of the job."},
        {"Completions", "string", "", 0, "Succeeded pods out of the completions wanted."},
        {"Duration", "string", "", 0, "How long the job ran (or has run so far)."},
        kAge, kContainers, kImages, kSelector},
       &JobRow},
      {"batch",
       "CronJob",
       {kName,
        {"Schedule", "string", "", 0, "Cron schedule."},
        {"Timezone", "string", "", 0, "Time zone of the schedule."},
        {"Suspend", "boolean", "", 0, "Whether new runs are held back."},
        {"Active", "integer", "", 0, "Jobs currently running."},
        {"Last Schedule", "string", "", 0, "How long ago a job was last scheduled."},
        kAge, kContainers, kImages, kSelector},
       &CronJobRow},
      {"networking.k8s.io",
       "Ingress",
       {kName,
        {"Class", "string", "", 0, "Ingress class that serves it."},
        {"Hosts", "string", "", 0, "Host names the rules match."},
        {"Address", "string", "", 0, "Addresses of the load balancer."},
        {"Ports", "string", "", 0, "Ports served."},
        kAge},
       &IngressRow},
      {"networking.k8s.io",
       "IngressClass",
       {kName,
        {"Controller", "string", "", 0, "Controller that implements the class."},
        {"Parameters", "string", "", 0, "Object holding the class's parameters."},
        kAge},
       &IngressClassRow},
      {"networking.k8s.io",
       "NetworkPolicy",
       {kName, {"Pod-Selector", "string", "", 0, "Pods the policy applies to."}, kAge},
       &NetworkPolicyRow},
      {"storage.k8s.io",
       "StorageClass",
       {kName,
        {"Provisioner", "string", "", 0, "Volume plugin that provisions volumes."},
        {"ReclaimPolicy", "string", "", 0, "Reclaim policy of provisioned volumes."},
        {"VolumeBindingMode", "string", "", 0, "When volumes are bound and provisioned."},
        {"AllowVolumeExpansion", "string", "", 0, "Whether volumes may be resized."},
        kAge},
       &StorageClassRow},
      {"discovery.k8s.io",
       "EndpointSlice",
       {kName,
        {"AddressType", "string", "", 0, "IPv4, IPv6 or FQDN."},
        {"Ports", "string", "", 0, "Ports of the slice."},
        {"Endpoints", "string", "", 0, "Addresses in the slice."},
        kAge},
       &EndpointSliceRow},
      {"coordination.k8s.io",
       "Lease",
       {kName, {"Holder", "string", "", 0, "Identity holding the lease."}, kAge},
       &LeaseRow},
      {"rbac.authorization.k8s.io", "RoleBinding", BindingColumns(), &BindingRow},
      {"rbac.authorization.k8s.io", "ClusterRoleBinding", BindingColumns(), &BindingRow},
      {"policy",
       "PodDisruptionBudget",
       {kName,
        {"Min Available", "string", "", 0, "Pods that must stay available."},
        {"Max Unavailable", "string", "", 0, "Pods that may be unavailable."},
        {"Allowed Disruptions", "integer", "", 0, "Evictions allowed right now."},
        kAge},
       &PodDisruptionBudgetRow},
      {"autoscaling", "HorizontalPodAutoscaler", HpaColumns(), &HpaRow},
      {"scheduling.k8s.io",
       "PriorityClass",
       {kName,
        {"Value", "integer", "", 0, "Priority given to pods of this class."},
        {"Global-Default", "boolean", "", 0, "Whether pods without a class get this one."},
        kAge,
        {"PreemptionPolicy", "string", "", 0, "Whether pods of this class preempt others."}},
       &PriorityClassRow},
  };
  return kPrinters;
}

}  // namespace kubepp::apiserver::printers_internal
