// Validation of the kinds outside core/apps/batch: networking.k8s.io
// (Ingress, IngressClass, NetworkPolicy), storage.k8s.io StorageClass,
// coordination.k8s.io Lease, policy PodDisruptionBudget, discovery.k8s.io
// EndpointSlice, autoscaling HorizontalPodAutoscaler, scheduling.k8s.io
// PriorityClass, rbac.authorization.k8s.io, events.k8s.io Event.
#include <algorithm>
#include <climits>
#include <set>
#include <utility>

#include "api/names.h"
#include "apiserver/strategy/internal.h"
#include "common/strings.h"

namespace kubepp::apiserver::strategy::internal {
namespace {

const std::vector<std::string> kPortProtocols = {"SCTP", "TCP", "UDP"};

// ---- networking.k8s.io

void ValidateWildcardOrSubdomain(const std::string& path, std::string_view host, FieldErrors& errs) {
  if (host.find('*') != std::string_view::npos) {
    bool ok = host.substr(0, 2) == "*." && host.size() > 2 && api::IsDNS1123Subdomain(host.substr(2)).empty();
    if (!ok) {
      errs.push_back(InvalidStr(
          path, host,
          "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which "
          "must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric "
          "character (e.g. '*.example.com', regex used for validation is "
          "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
    }
  } else {
    ValidateDNS1123Subdomain(path, host, errs);
  }
}

void ValidateIngressBackend(const json& be, const std::string& path, FieldErrors& errs) {
  bool has_resource = Has(be, "resource");
  bool has_service = Has(be, "service");
  if (has_resource && has_service) {
    errs.push_back(Invalid(path, "\"\"", "cannot set both resource and service backends"));
    return;
  }
  if (has_resource) {
    const json& r = *Get(be, "resource");
    std::string rp = Child(path, "resource");
    if (Str(r, "kind").empty()) errs.push_back(Required(Child(rp, "kind")));
    if (Str(r, "name").empty()) errs.push_back(Required(Child(rp, "name")));
    if (const json* g = Get(r, "apiGroup")) {
      for (auto& m : api::IsDNS1123Subdomain(Str(g)))
        errs.push_back(InvalidStr(Child(rp, "apiGroup"), Str(g), m));
    } else {
      errs.push_back(Required(Child(rp, "apiGroup")));
    }
  } else if (has_service) {
    const json& s = *Get(be, "service");
    std::string name = Str(s, "name");
    if (name.empty()) {
      errs.push_back(Required(path + ".service.name"));
    } else {
      for (auto& m : api::IsDNS1035Label(name)) errs.push_back(InvalidStr(path + ".service.name", name, m));
    }
    std::string pname = Str(GetPath(s, {"port", "name"}));
    int64_t pnum = Int(GetPath(s, {"port", "number"})).value_or(0);
    if (!pname.empty() && pnum != 0) {
      errs.push_back(Invalid(path, "\"\"", "cannot set both port name & port number"));
    } else if (!pname.empty()) {
      for (auto& m : IsValidPortName(pname))
        errs.push_back(InvalidStr(path + ".service.port.name", pname, m));
    } else if (pnum != 0) {
      for (auto& m : IsValidPortNum(pnum)) errs.push_back(InvalidInt(path + ".service.port.number", pnum, m));
    } else {
      errs.push_back(Required(path, "port name or number is required"));
    }
  } else {
    errs.push_back(Invalid(path, "\"\"", "resource or service backend is required"));
  }
}

void ValidateIngress(const json& ing, bool create, FieldErrors& errs) {
  const json& spec = SpecOf(ing);
  const std::vector<json>& rules = Arr(spec, "rules");
  if (rules.empty() && !Has(spec, "defaultBackend")) {
    errs.push_back(Invalid("spec", "[]networking.IngressRule(nil)",
                           "either `defaultBackend` or `rules` must be specified"));
  }
  if (const json* db = Get(spec, "defaultBackend")) ValidateIngressBackend(*db, "spec.defaultBackend", errs);
  for (size_t i = 0; i < rules.size(); ++i) {
    std::string rp = Index("spec.rules", i);
    std::string host = Str(rules[i], "host");
    if (!host.empty()) {
      if (IsValidIP(host))
        errs.push_back(InvalidStr(Child(rp, "host"), host, "must be a DNS name, not an IP address"));
      ValidateWildcardOrSubdomain(Child(rp, "host"), host, errs);
    }
    if (const json* http = Get(rules[i], "http"); IsObj(http)) {
      std::string hp = Child(rp, "http");
      const std::vector<json>& paths = Arr(*http, "paths");
      if (paths.empty()) errs.push_back(Required(Child(hp, "paths")));
      for (size_t j = 0; j < paths.size(); ++j) {
        const json& p = paths[j];
        std::string pp = Index(Child(hp, "paths"), j);
        const json* pt = Get(p, "pathType");
        if (pt == nullptr) {
          errs.push_back(Required(Child(pp, "pathType"), "pathType must be specified"));
          continue;
        }
        std::string type = Str(pt);
        std::string path = Str(p, "path");
        if (type == "Exact" || type == "Prefix") {
          if (path.empty() || path[0] != '/')
            errs.push_back(InvalidStr(Child(pp, "path"), path, "must be an absolute path"));
          if (!path.empty()) {
            for (std::string_view seq : {"//", "/./", "/../", "%2f", "%2F"}) {
              if (path.find(seq) != std::string::npos) {
                errs.push_back(
                    InvalidStr(Child(pp, "path"), path, "must not contain '" + std::string(seq) + "'"));
              }
            }
            for (std::string_view suf : {"/..", "/."}) {
              if (path.size() >= suf.size() && path.compare(path.size() - suf.size(), suf.size(), suf) == 0) {
                errs.push_back(
                    InvalidStr(Child(pp, "path"), path, "cannot end with '" + std::string(suf) + "'"));
              }
            }
          }
        } else if (type == "ImplementationSpecific") {
          if (!path.empty() && path[0] != '/')
            errs.push_back(InvalidStr(Child(pp, "path"), path, "must be an absolute path"));
        } else {
          errs.push_back(
              NotSupportedStr(Child(pp, "pathType"), type, {"Exact", "ImplementationSpecific", "Prefix"}));
        }
        static const json kNoBackend = json::object();
        const json* be = Get(p, "backend");
        ValidateIngressBackend(be ? *be : kNoBackend, Child(pp, "backend"), errs);
      }
    }
  }
  const std::vector<json>& tls = Arr(spec, "tls");
  for (size_t i = 0; i < tls.size(); ++i) {
    std::string tp = Index("spec.tls", i);
    const std::vector<json>& hosts = Arr(tls[i], "hosts");
    for (size_t j = 0; j < hosts.size(); ++j) {
      std::string h = Str(&hosts[j]);
      std::string bare = h.rfind("*.", 0) == 0 ? h.substr(2) : h;
      for (auto& m : api::IsDNS1123Subdomain(bare))
        errs.push_back(InvalidStr(Index(Child(tp, "hosts"), j), h, m));
    }
    if (std::string sn = Str(tls[i], "secretName"); !sn.empty()) {
      for (auto& m : api::IsDNS1123Subdomain(sn)) errs.push_back(InvalidStr(Child(tp, "secretName"), sn, m));
    }
  }
  if (const json* cls = Get(spec, "ingressClassName")) {
    for (auto& m : api::IsDNS1123Subdomain(Str(cls)))
      errs.push_back(InvalidStr("spec.ingressClassName", Str(cls), m));
    if (create && GetPath(ing, {"metadata", "annotations", "kubernetes.io/ingress.class"}) != nullptr) {
      errs.push_back(InvalidStr("annotations.kubernetes.io/ingress.class",
                                Str(GetPath(ing, {"metadata", "annotations", "kubernetes.io/ingress.class"})),
                                "can not be set when the class field is also set"));
    }
  }
}

void ValidateIngressClass(const json& ic, const json* old, FieldErrors& errs) {
  const json& spec = SpecOf(ic);
  std::string controller = Str(spec, "controller");
  if (controller.empty()) {
    errs.push_back(Required("spec.controller"));
  } else if (controller.size() > 250) {
    errs.push_back(TooLong("spec.controller", 250));
  } else {
    // A domain-prefixed path: "example.com/ingress-controller".
    size_t slash = controller.find('/');
    if (slash == std::string::npos) {
      errs.push_back(InvalidStr("spec.controller", controller,
                                "must be a domain-prefixed path (such as \"acme.io/foo\")"));
    } else {
      for (auto& m : api::IsDNS1123Subdomain(controller.substr(0, slash)))
        errs.push_back(InvalidStr("spec.controller", controller, m));
    }
  }
  if (const json* p = Get(spec, "parameters"); IsObj(p)) {
    if (Str(*p, "kind").empty()) errs.push_back(Required("spec.parameters.kind"));
    if (Str(*p, "name").empty()) errs.push_back(Required("spec.parameters.name"));
    std::string scope = Str(*p, "scope");
    if (Has(*p, "scope") && scope != "Cluster" && scope != "Namespace") {
      errs.push_back(NotSupportedStr("spec.parameters.scope", scope, {"Cluster", "Namespace"}));
    }
    if (scope == "Namespace" && Str(*p, "namespace").empty()) {
      errs.push_back(Required("spec.parameters.namespace", "`parameters.scope` is set to 'Namespace'"));
    }
    if (scope == "Cluster" && Has(*p, "namespace")) {
      errs.push_back(Forbidden("spec.parameters.namespace", "`parameters.scope` is set to 'Cluster'"));
    }
  }
  if (old && Str(SpecOf(*old), "controller") != controller) {
    errs.push_back(InvalidStr("spec.controller", controller, std::string(kImmutableMsg)));
  }
}

void ValidateNetworkPolicyPort(const json& port, const std::string& path, FieldErrors& errs) {
  if (const json* proto = Get(port, "protocol")) {
    std::string s = Str(proto);
    if (std::find(kPortProtocols.begin(), kPortProtocols.end(), s) == kPortProtocols.end()) {
      errs.push_back(NotSupportedStr(Child(path, "protocol"), s, kPortProtocols));
    }
  }
  const json* p = Get(port, "port");
  if (p != nullptr && p->is_string()) {
    std::string s = p->get<std::string>();
    for (auto& m : IsValidPortName(s)) errs.push_back(InvalidStr(Child(path, "port"), s, m));
    if (Has(port, "endPort"))
      errs.push_back(Invalid(Child(path, "endPort"), RenderScalar(Get(port, "endPort")),
                             "may not be specified when `port` is non-numeric"));
  } else if (p != nullptr) {
    int64_t n = Int(p).value_or(0);
    for (auto& m : IsValidPortNum(n)) errs.push_back(InvalidInt(Child(path, "port"), n, m));
    if (auto end = Int(port, "endPort")) {
      if (*end < n)
        errs.push_back(InvalidInt(Child(path, "endPort"), *end, "must be greater than or equal to `port`"));
      for (auto& m : IsValidPortNum(*end)) errs.push_back(InvalidInt(Child(path, "endPort"), *end, m));
    }
  } else if (Has(port, "endPort")) {
    errs.push_back(Required(Child(path, "port"), "must be specified when `endPort` is specified"));
  }
}

void ValidateNetworkPolicyPeer(const json& peer, const std::string& path, FieldErrors& errs) {
  int num = 0;
  if (const json* ps = Get(peer, "podSelector")) {
    ++num;
    ValidateSelectorAt(ps, Child(path, "podSelector"), errs);
  }
  if (const json* ns = Get(peer, "namespaceSelector")) {
    ++num;
    ValidateSelectorAt(ns, Child(path, "namespaceSelector"), errs);
  }
  if (const json* ipb = Get(peer, "ipBlock"); ipb != nullptr) {
    ++num;
    std::string bp = Child(path, "ipBlock");
    std::string cidr = Str(*ipb, "cidr");
    if (cidr.empty()) {
      errs.push_back(Required(Child(bp, "cidr")));
    } else {
      ValidateCIDR(Child(bp, "cidr"), cidr, errs);
    }
    const std::vector<json>& except = Arr(*ipb, "except");
    for (size_t i = 0; i < except.size(); ++i)
      ValidateCIDR(Index(Child(bp, "except"), i), Str(&except[i]), errs);
  }
  if (num == 0) {
    errs.push_back(Required(path, "must specify a peer"));
  } else if (num > 1 && Has(peer, "ipBlock")) {
    errs.push_back(Forbidden(path, "may not specify both ipBlock and another peer"));
  }
}

void ValidateNetworkPolicy(const json& np, FieldErrors& errs) {
  const json& spec = SpecOf(np);
  ValidateSelectorAt(Get(spec, "podSelector"), "spec.podSelector", errs);
  for (std::string_view dir : {"ingress", "egress"}) {
    const std::vector<json>& rules = Arr(spec, dir);
    std::string peers_key = dir == "ingress" ? "from" : "to";
    for (size_t i = 0; i < rules.size(); ++i) {
      std::string rp = Index(Child("spec", dir), i);
      const std::vector<json>& ports = Arr(rules[i], "ports");
      for (size_t j = 0; j < ports.size(); ++j)
        ValidateNetworkPolicyPort(ports[j], Index(Child(rp, "ports"), j), errs);
      const std::vector<json>& peers = Arr(rules[i], peers_key);
      for (size_t j = 0; j < peers.size(); ++j)
        ValidateNetworkPolicyPeer(peers[j], Index(Child(rp, peers_key), j), errs);
    }
  }
  const std::vector<json>& types = Arr(spec, "policyTypes");
  for (size_t i = 0; i < types.size(); ++i) {
    std::string t = Str(&types[i]);
    if (t != "Ingress" && t != "Egress")
      errs.push_back(NotSupportedStr(Index("spec.policyTypes", i), t, {"Egress", "Ingress"}));
  }
  if (types.size() > 2)
    errs.push_back(Invalid("spec.policyTypes", RenderStringSlice(Get(spec, "policyTypes")),
                           "may not specify more than two policyTypes"));
}

// ---- storage.k8s.io

void ValidateStorageClass(const json& sc, const json* old, FieldErrors& errs) {
  std::string prov = Str(sc, "provisioner");
  if (prov.empty()) {
    errs.push_back(Required("provisioner", prov));
  } else {
    std::string lower = AsciiLower(prov);
    for (auto& m : api::IsQualifiedName(lower)) errs.push_back(InvalidStr("provisioner", prov, m));
  }
  const json* params = Get(sc, "parameters");
  if (IsObj(params)) {
    size_t total = 0;
    if (params->size() > 512)
      errs.push_back(Invalid("parameters", "map[string]string{...}", "must have at most 512 parameters"));
    for (auto it = params->begin(); it != params->end(); ++it) {
      if (it.key().empty()) errs.push_back(Invalid("parameters", "\"\"", "key must not be empty"));
      total += it.key().size() + (it->is_string() ? it->get<std::string>().size() : 0);
    }
    if (total > 256 * 1024) errs.push_back(TooLong("parameters", 256 * 1024));
  }
  if (const json* rp = Get(sc, "reclaimPolicy")) {
    std::string s = Str(rp);
    if (s != "Delete" && s != "Retain")
      errs.push_back(NotSupportedStr("reclaimPolicy", s, {"Delete", "Retain"}));
  }
  if (const json* vbm = Get(sc, "volumeBindingMode")) {
    std::string s = Str(vbm);
    if (s != "Immediate" && s != "WaitForFirstConsumer") {
      errs.push_back(NotSupportedStr("volumeBindingMode", s, {"Immediate", "WaitForFirstConsumer"}));
    }
  } else if (old == nullptr) {
    errs.push_back(Required("volumeBindingMode"));
  }
  if (old) {
    if (Changed(Get(sc, "parameters"), Get(*old, "parameters"))) {
      errs.push_back(Forbidden("parameters", "updates to parameters are forbidden."));
    }
    if (prov != Str(*old, "provisioner"))
      errs.push_back(Forbidden("provisioner", "updates to provisioner are forbidden."));
    if (Changed(Get(sc, "reclaimPolicy"), Get(*old, "reclaimPolicy"))) {
      errs.push_back(Forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden."));
    }
    if (Changed(Get(sc, "volumeBindingMode"), Get(*old, "volumeBindingMode"))) {
      errs.push_back(Invalid("volumeBindingMode", RenderScalar(Get(sc, "volumeBindingMode")),
                             std::string(kImmutableMsg)));
    }
  }
}

// ---- policy

void ValidatePDB(const json& pdb, FieldErrors& errs) {
  const json& spec = SpecOf(pdb);
  const json* min = Get(spec, "minAvailable");
  const json* max = Get(spec, "maxUnavailable");
  if (min && max)
    errs.push_back(Invalid("spec", spec.dump(), "minAvailable and maxUnavailable cannot be both set"));
  for (auto [v, name] : {std::pair{min, "minAvailable"}, std::pair{max, "maxUnavailable"}}) {
    if (v == nullptr) continue;
    std::string p = Child("spec", name);
    if (v->is_string()) {
      std::string s = v->get<std::string>();
      for (auto& m : IsValidPercent(s)) errs.push_back(Invalid(p, RenderIntOrString(v), m));
      if (IsValidPercent(s).empty() && std::atoll(s.c_str()) > 100) {
        errs.push_back(Invalid(p, RenderIntOrString(v), "must not be greater than 100%"));
      }
    } else if (auto i = Int(v); i && *i < 0) {
      errs.push_back(InvalidInt(p, *i, std::string(kNegativeMsg)));
    }
  }
  ValidateSelectorAt(Get(spec, "selector"), "spec.selector", errs);
  if (const json* pol = Get(spec, "unhealthyPodEvictionPolicy")) {
    std::string s = Str(pol);
    if (s != "AlwaysAllow" && s != "IfHealthyBudget") {
      errs.push_back(
          NotSupportedStr("spec.unhealthyPodEvictionPolicy", s, {"AlwaysAllow", "IfHealthyBudget"}));
    }
  }
}

// ---- discovery.k8s.io

void ValidateEndpointSlice(const json& es, const json* old, FieldErrors& errs) {
  std::string at = Str(es, "addressType");
  if (at != "IPv4" && at != "IPv6" && at != "FQDN") {
    errs.push_back(NotSupportedStr("addressType", at, {"FQDN", "IPv4", "IPv6"}));
  }
  const std::vector<json>& eps = Arr(es, "endpoints");
  if (eps.size() > 1000) errs.push_back(TooLong("endpoints", 1000));
  for (size_t i = 0; i < eps.size(); ++i) {
    std::string ep = Index("endpoints", i);
    const std::vector<json>& addrs = Arr(eps[i], "addresses");
    if (addrs.empty()) {
      errs.push_back(Required(Child(ep, "addresses"), "must contain at least 1 address"));
    } else if (addrs.size() > 100) {
      errs.push_back(TooLong(Child(ep, "addresses"), 100));
    }
    for (size_t j = 0; j < addrs.size(); ++j) {
      std::string ap = Index(Child(ep, "addresses"), j);
      std::string a = Str(&addrs[j]);
      bool v6 = false;
      if (at == "IPv4") {
        if (!IsValidIP(a, &v6) || v6) errs.push_back(InvalidStr(ap, a, "must be a valid IPv4 address"));
      } else if (at == "IPv6") {
        if (!IsValidIP(a, &v6) || !v6) errs.push_back(InvalidStr(ap, a, "must be a valid IPv6 address"));
      } else if (at == "FQDN") {
        ValidateDNS1123Subdomain(ap, a, errs);
      }
    }
    if (const json* h = Get(eps[i], "hostname")) ValidateDNS1123Label(Child(ep, "hostname"), Str(h), errs);
    if (const json* n = Get(eps[i], "nodeName")) {
      for (auto& m : api::IsDNS1123Subdomain(Str(n)))
        errs.push_back(InvalidStr(Child(ep, "nodeName"), Str(n), m));
    }
  }
  const std::vector<json>& ports = Arr(es, "ports");
  if (ports.size() > 20000) errs.push_back(TooLong("ports", 20000));
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i) {
    std::string pp = Index("ports", i);
    std::string name = Str(ports[i], "name");
    if (!name.empty()) ValidateDNS1123Label(Child(pp, "name"), name, errs);
    if (!names.insert(name).second) errs.push_back(Duplicate(Child(pp, "name"), Quote(name)));
    if (auto port = Int(ports[i], "port")) {
      for (auto& m : IsValidPortNum(*port)) errs.push_back(InvalidInt(Child(pp, "port"), *port, m));
    }
    if (const json* proto = Get(ports[i], "protocol")) {
      std::string s = Str(proto);
      if (std::find(kPortProtocols.begin(), kPortProtocols.end(), s) == kPortProtocols.end()) {
        errs.push_back(NotSupportedStr(Child(pp, "protocol"), s, kPortProtocols));
      }
    }
    if (const json* ap = Get(ports[i], "appProtocol"))
      ValidateQualifiedName(Child(pp, "appProtocol"), Str(ap), errs);
  }
  if (old && Str(*old, "addressType") != at)
    errs.push_back(InvalidStr("addressType", at, std::string(kImmutableMsg)));
}

// ---- autoscaling

void ValidateHPA(const json& hpa, FieldErrors& errs) {
  const json& spec = SpecOf(hpa);
  const json* ref = Get(spec, "scaleTargetRef");
  const json& r = ObjOrEmpty(ref);
  std::string kind = Str(r, "kind");
  std::string name = Str(r, "name");
  if (kind.empty()) {
    errs.push_back(Required("spec.scaleTargetRef.kind"));
  } else {
    for (auto& m : api::IsValidPathSegmentName(kind))
      errs.push_back(InvalidStr("spec.scaleTargetRef.kind", kind, m));
  }
  if (name.empty()) {
    errs.push_back(Required("spec.scaleTargetRef.name"));
  } else {
    for (auto& m : api::IsValidPathSegmentName(name))
      errs.push_back(InvalidStr("spec.scaleTargetRef.name", name, m));
  }
  auto min = Int(spec, "minReplicas");
  if (min && *min < 1)
    errs.push_back(InvalidInt("spec.minReplicas", *min, "must be greater than or equal to 1"));
  int64_t max = Int(spec, "maxReplicas").value_or(0);
  if (max < 1) errs.push_back(InvalidInt("spec.maxReplicas", max, "must be greater than 0"));
  if (min && max < *min)
    errs.push_back(InvalidInt("spec.maxReplicas", max, "must be greater than or equal to `minReplicas`"));
  if (auto cpu = Int(spec, "targetCPUUtilizationPercentage"); cpu && *cpu < 1) {
    errs.push_back(InvalidInt("spec.targetCPUUtilizationPercentage", *cpu, "must be greater than 0"));
  }
  const std::vector<json>& metrics = Arr(spec, "metrics");
  for (size_t i = 0; i < metrics.size(); ++i) {
    std::string mp = Index("spec.metrics", i);
    std::string type = Str(metrics[i], "type");
    static const std::map<std::string, std::string> kSources = {{"Object", "object"},
                                                                {"Pods", "pods"},
                                                                {"Resource", "resource"},
                                                                {"External", "external"},
                                                                {"ContainerResource", "containerResource"}};
    auto it = kSources.find(type);
    if (type.empty()) {
      errs.push_back(Required(Child(mp, "type"), "must specify a metric source type"));
      continue;
    }
    if (it == kSources.end()) {
      errs.push_back(NotSupportedStr(Child(mp, "type"), type,
                                     {"ContainerResource", "External", "Object", "Pods", "Resource"}));
      continue;
    }
    const json* src = Get(metrics[i], it->second);
    if (!IsObj(src)) {
      errs.push_back(
          Required(Child(mp, it->second), "must populate information for the given metric source"));
      continue;
    }
    std::string sp = Child(mp, it->second);
    if ((type == "Resource" || type == "ContainerResource") && Str(*src, "name").empty()) {
      errs.push_back(Required(Child(sp, "name"), "must specify a resource name"));
    }
    if (const json* target = Get(*src, "target"); IsObj(target)) {
      std::string tt = Str(*target, "type");
      std::string tp = Child(sp, "target");
      if (tt != "Utilization" && tt != "Value" && tt != "AverageValue") {
        errs.push_back(NotSupportedStr(Child(tp, "type"), tt, {"AverageValue", "Utilization", "Value"}));
      }
      if (auto u = Int(*target, "averageUtilization"); u && *u < 1) {
        errs.push_back(InvalidInt(Child(tp, "averageUtilization"), *u, "must be greater than 0"));
      }
    } else {
      errs.push_back(Required(Child(sp, "target"), "must specify a metric target"));
    }
  }
}

// ---- scheduling.k8s.io

void ValidatePriorityClass(const json& pc, const json* old, FieldErrors& errs) {
  std::string name = Str(GetPath(pc, {"metadata", "name"}));
  int64_t value = Int(pc, "value").value_or(0);
  bool global_default = Bool(pc, "globalDefault").value_or(false);
  if (name.rfind("system-", 0) == 0) {
    static const std::map<std::string, int64_t> kSystem = {{"system-node-critical", 2000001000},
                                                           {"system-cluster-critical", 2000000000}};
    auto it = kSystem.find(name);
    std::string err;
    if (it == kSystem.end()) {
      err = name + " is not a known system priority class";
    } else if (it->second != value) {
      err = "value of " + name + " PriorityClass must be " + std::to_string(it->second);
    } else if (global_default) {
      err = "globalDefault of " + name + " PriorityClass must be false";
    }
    if (!err.empty()) {
      errs.push_back(Forbidden(
          "metadata.name",
          "priority class names with 'system-' prefix are reserved for system use only. error: " + err));
    }
  } else if (value > 1000000000) {
    errs.push_back(Forbidden("value", "maximum allowed value of a user defined priority is 1000000000"));
  }
  if (const json* pp = Get(pc, "preemptionPolicy")) {
    std::string s = Str(pp);
    if (s != "PreemptLowerPriority" && s != "Never")
      errs.push_back(NotSupportedStr("preemptionPolicy", s, {"PreemptLowerPriority", "Never"}));
  }
  if (old) {
    if (Int(*old, "value").value_or(0) != value)
      errs.push_back(Forbidden("value", "may not be changed in an update."));
    if (Changed(Get(pc, "preemptionPolicy"), Get(*old, "preemptionPolicy"))) {
      errs.push_back(
          Invalid("preemptionPolicy", RenderScalar(Get(pc, "preemptionPolicy")), std::string(kImmutableMsg)));
    }
  }
}

// ---- rbac.authorization.k8s.io

void ValidatePolicyRules(const json& role, bool namespaced, FieldErrors& errs) {
  const std::vector<json>& rules = Arr(role, "rules");
  for (size_t i = 0; i < rules.size(); ++i) {
    const json& r = rules[i];
    std::string rp = Index("rules", i);
    if (Arr(r, "verbs").empty())
      errs.push_back(Required(Child(rp, "verbs"), "verbs must contain at least one value"));
    if (!Arr(r, "nonResourceURLs").empty()) {
      std::string urls = RenderStringSlice(Get(r, "nonResourceURLs"));
      if (namespaced)
        errs.push_back(Invalid(Child(rp, "nonResourceURLs"), urls,
                               "namespaced rules cannot apply to non-resource URLs"));
      if (!Arr(r, "apiGroups").empty() || !Arr(r, "resources").empty() || !Arr(r, "resourceNames").empty()) {
        errs.push_back(Invalid(Child(rp, "nonResourceURLs"), urls,
                               "rules cannot apply to both regular resources and non-resource URLs"));
      }
      continue;
    }
    if (Arr(r, "apiGroups").empty()) {
      errs.push_back(Required(Child(rp, "apiGroups"), "resource rules must supply at least one api group"));
    }
    if (Arr(r, "resources").empty()) {
      errs.push_back(Required(Child(rp, "resources"), "resource rules must supply at least one resource"));
    }
  }
}

void ValidateRoleBinding(const json& rb, bool namespaced, const json* old, FieldErrors& errs) {
  const json* ref = Get(rb, "roleRef");
  const json& r = ObjOrEmpty(ref);
  std::string group = Str(r, "apiGroup");
  if (group != "rbac.authorization.k8s.io") {
    errs.push_back(NotSupportedStr("roleRef.apiGroup", group, {"rbac.authorization.k8s.io"}));
  }
  std::string kind = Str(r, "kind");
  if (namespaced) {
    if (kind != "Role" && kind != "ClusterRole")
      errs.push_back(NotSupportedStr("roleRef.kind", kind, {"Role", "ClusterRole"}));
  } else if (kind != "ClusterRole") {
    errs.push_back(NotSupportedStr("roleRef.kind", kind, {"ClusterRole"}));
  }
  std::string name = Str(r, "name");
  if (name.empty()) {
    errs.push_back(Required("roleRef.name"));
  } else {
    for (auto& m : api::IsValidPathSegmentName(name)) errs.push_back(InvalidStr("roleRef.name", name, m));
  }
  const std::vector<json>& subjects = Arr(rb, "subjects");
  for (size_t i = 0; i < subjects.size(); ++i) {
    const json& s = subjects[i];
    std::string sp = Index("subjects", i);
    std::string sname = Str(s, "name");
    std::string skind = Str(s, "kind");
    std::string sgroup = Str(s, "apiGroup");
    if (sname.empty()) errs.push_back(Required(Child(sp, "name")));
    if (skind == "ServiceAccount") {
      if (!sname.empty()) {
        for (auto& m : api::IsDNS1123Subdomain(sname))
          errs.push_back(InvalidStr(Child(sp, "name"), sname, m));
      }
      if (!sgroup.empty()) errs.push_back(NotSupportedStr(Child(sp, "apiGroup"), sgroup, {""}));
      if (!namespaced && Str(s, "namespace").empty()) errs.push_back(Required(Child(sp, "namespace")));
    } else if (skind == "User" || skind == "Group") {
      if (sgroup != "rbac.authorization.k8s.io") {
        errs.push_back(NotSupportedStr(Child(sp, "apiGroup"), sgroup, {"rbac.authorization.k8s.io"}));
      }
    } else {
      errs.push_back(NotSupportedStr(Child(sp, "kind"), skind, {"ServiceAccount", "User", "Group"}));
    }
  }
  if (old && Changed(Get(rb, "roleRef"), Get(*old, "roleRef"))) {
    errs.push_back(Invalid(
        "roleRef",
        "rbac.RoleRef{APIGroup:" + Quote(group) + ", Kind:" + Quote(kind) + ", Name:" + Quote(name) + "}",
        "cannot change roleRef"));
  }
}

// ---- events.k8s.io: the legacy checks, then metadata, then the strict
// ones (reported with core Event paths).

void ValidateEventsV1Event(const json& ev, const json* old, FieldErrors& errs) {
  ValidateLegacyEvent(ev, {"regarding", "reportingController", "note"}, errs);
  ValidateObjectMetaFor(ev, old, true, NameRule::kDNS1123Subdomain, errs);
  if (const json* series = Get(ev, "series"); IsObj(series)) {
    if (Int(*series, "count").value_or(0) < 2)
      errs.push_back(Invalid("series.count", "\"\"", "should be at least 2"));
    if (!Has(*series, "lastObservedTime")) errs.push_back(Required("series.lastObservedTime"));
  }
  if (!Has(ev, "eventTime")) errs.push_back(Required("eventTime"));
  std::string type = Str(ev, "type");
  if (type != "Normal" && type != "Warning")
    errs.push_back(Invalid("type", "\"\"", "has invalid value: " + type));
  if (Has(ev, "deprecatedFirstTimestamp"))
    errs.push_back(Invalid("firstTimestamp", "\"\"", "needs to be unset"));
  if (Has(ev, "deprecatedLastTimestamp"))
    errs.push_back(Invalid("lastTimestamp", "\"\"", "needs to be unset"));
  if (Int(ev, "deprecatedCount").value_or(0) != 0)
    errs.push_back(Invalid("count", "\"\"", "needs to be unset"));
  if (const json* src = Get(ev, "deprecatedSource");
      IsObj(src) && (!Str(*src, "component").empty() || !Str(*src, "host").empty())) {
    errs.push_back(Invalid("source", "\"\"", "needs to be unset"));
  }
}

}  // namespace

void ValidateOtherKind(std::string_view group, std::string_view kind, const json& obj, const json* old,
                       FieldErrors& errs) {
  if (group == "events.k8s.io" && kind == "Event") {
    ValidateEventsV1Event(obj, old, errs);
    return;
  }
  if (group == "rbac.authorization.k8s.io") {
    ValidateObjectMetaFor(obj, old, kind == "Role" || kind == "RoleBinding", NameRule::kPathSegment, errs);
  } else {
    bool cluster_scoped = kind == "IngressClass" || kind == "StorageClass" || kind == "PriorityClass";
    ValidateObjectMetaFor(obj, old, !cluster_scoped, NameRule::kDNS1123Subdomain, errs);
  }
  if (group == "networking.k8s.io") {
    if (kind == "Ingress") {
      ValidateIngress(obj, old == nullptr, errs);
    } else if (kind == "IngressClass") {
      ValidateIngressClass(obj, old, errs);
    } else if (kind == "NetworkPolicy") {
      ValidateNetworkPolicy(obj, errs);
    }
  } else if (group == "storage.k8s.io" && kind == "StorageClass") {
    ValidateStorageClass(obj, old, errs);
  } else if (group == "coordination.k8s.io" && kind == "Lease") {
    const json& spec = SpecOf(obj);
    if (auto d = Int(spec, "leaseDurationSeconds"); d && *d <= 0) {
      errs.push_back(InvalidInt("spec.leaseDurationSeconds", *d, "must be greater than 0"));
    }
    NonNegative(spec, "leaseTransitions", "spec.leaseTransitions", errs);
  } else if (group == "policy" && kind == "PodDisruptionBudget") {
    ValidatePDB(obj, errs);
  } else if (group == "discovery.k8s.io" && kind == "EndpointSlice") {
    ValidateEndpointSlice(obj, old, errs);
  } else if (group == "autoscaling" && kind == "HorizontalPodAutoscaler") {
    ValidateHPA(obj, errs);
  } else if (group == "scheduling.k8s.io" && kind == "PriorityClass") {
    ValidatePriorityClass(obj, old, errs);
  } else if (group == "rbac.authorization.k8s.io") {
    if (kind == "Role" || kind == "ClusterRole") {
      ValidatePolicyRules(obj, kind == "Role", errs);
      if (kind == "ClusterRole") {
        if (const json* agg = Get(obj, "aggregationRule"); IsObj(agg)) {
          const std::vector<json>& sels = Arr(*agg, "clusterRoleSelectors");
          if (sels.empty())
            errs.push_back(
                Required("aggregationRule.clusterRoleSelectors",
                         "at least one clusterRoleSelector required if aggregationRule is non-nil"));
          for (size_t i = 0; i < sels.size(); ++i)
            ValidateSelectorAt(&sels[i], Index("aggregationRule.clusterRoleSelectors", i), errs);
        }
      }
    } else if (kind == "RoleBinding" || kind == "ClusterRoleBinding") {
      ValidateRoleBinding(obj, kind == "RoleBinding", old, errs);
    }
  }
}

void ValidateOtherStatus(std::string_view group, std::string_view kind, const json& obj, const json& old,
                         FieldErrors& errs) {
  ValidateObjectMetaUpdate(obj, old, errs);
  const json* st = Get(obj, "status");
  const json& s = ObjOrEmpty(st);
  if (group == "policy" && kind == "PodDisruptionBudget") {
    for (std::string_view c : {"disruptionsAllowed", "currentHealthy", "desiredHealthy", "expectedPods"}) {
      NonNegative(s, c, "status." + std::string(c), errs);
    }
  } else if (group == "autoscaling" && kind == "HorizontalPodAutoscaler") {
    NonNegative(s, "currentReplicas", "status.currentReplicas", errs);
    NonNegative(s, "desiredReplicas", "status.desiredReplicas", errs);
  } else if (group == "networking.k8s.io" && kind == "Ingress") {
    const std::vector<json>& ingress = Arr(GetPath(obj, {"status", "loadBalancer", "ingress"}));
    for (size_t i = 0; i < ingress.size(); ++i) {
      std::string ip_path = Index("status.loadBalancer.ingress", i);
      if (std::string ip = Str(ingress[i], "ip"); !ip.empty()) ValidateIP(Child(ip_path, "ip"), ip, errs);
      if (std::string host = Str(ingress[i], "hostname"); !host.empty()) {
        ValidateDNS1123Subdomain(Child(ip_path, "hostname"), host, errs);
        if (IsValidIP(host))
          errs.push_back(
              InvalidStr(Child(ip_path, "hostname"), host, "must be a DNS name, not an IP address"));
      }
    }
  }
}

}  // namespace kubepp::apiserver::strategy::internal
