// Validation of the core/v1 kinds other than Pod (upstream
// pkg/apis/core/validation): Service, ConfigMap, Secret, Namespace, Node,
// PersistentVolume(Claim), Endpoints, ServiceAccount, Event, LimitRange,
// ResourceQuota, Binding.
#include <algorithm>
#include <climits>

#include "api/names.h"
#include "apiserver/strategy/internal.h"
#include "common/encoding.h"

namespace kubepp::apiserver::strategy::internal {
namespace {

constexpr int64_t kMaxSecretSize = 1 << 20;
const std::vector<std::string> kPortProtocols = {"SCTP", "TCP", "UDP"};

// ---- Service

bool IsHeadless(const json& spec) {
  const std::vector<json>& ips = Arr(spec, "clusterIPs");
  return ips.size() == 1 && Str(&ips[0]) == "None";
}

std::string RenderServicePortKey(const json& port) {
  return "core.ServicePort{Name:\"\", Protocol:" + Quote(Str(port, "protocol")) +
         ", AppProtocol:(*string)(nil), Port:" + std::to_string(Int(port, "port").value_or(0)) +
         ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, NodePort:0}";
}

void ValidateNonSpecialIP(const std::string& path, std::string_view ip, FieldErrors& errs) {
  bool v6 = false;
  if (!IsValidIP(ip, &v6)) {
    errs.push_back(InvalidStr(path, ip, "must be a valid IP address"));
    return;
  }
  std::string s(ip);
  if (s == "0.0.0.0" || s == "::") {
    errs.push_back(InvalidStr(path, ip, "may not be unspecified (" + s + ")"));
  }
  if ((!v6 && s.rfind("127.", 0) == 0) || s == "::1") {
    errs.push_back(InvalidStr(path, ip, "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  }
  if ((!v6 && s.rfind("169.254.", 0) == 0) || (v6 && (s.rfind("fe8", 0) == 0 || s.rfind("fe9", 0) == 0 ||
                                                      s.rfind("fea", 0) == 0 || s.rfind("feb", 0) == 0))) {
    errs.push_back(InvalidStr(path, ip, "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  }
  if ((!v6 && s.rfind("224.0.0.", 0) == 0) || (v6 && s.rfind("ff02:", 0) == 0)) {
    errs.push_back(
        InvalidStr(path, ip, "may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"));
  }
}

void ValidatePortNumOrName(const json* port, const std::string& path, FieldErrors& errs) {
  if (port != nullptr && port->is_string()) {
    std::string s = port->get<std::string>();
    for (auto& m : IsValidPortName(s)) errs.push_back(InvalidStr(path, s, m));
  } else {
    int64_t n = Int(port).value_or(0);
    for (auto& m : IsValidPortNum(n)) errs.push_back(InvalidInt(path, n, m));
  }
}

void ValidateClusterIPsRelated(const json& spec, FieldErrors& errs) {
  if (Str(spec, "type") == "ExternalName") return;
  std::string cluster_ip = Str(spec, "clusterIP");
  const json* ips_p = Get(spec, "clusterIPs");
  const std::vector<json>& ips = Arr(ips_p);
  std::string ips_text = RenderStringSlice(ips_p);
  if (!cluster_ip.empty()) {
    if (ips.empty()) {
      errs.push_back(Required("spec.clusterIPs"));
    } else if (Str(&ips[0]) != cluster_ip) {
      errs.push_back(Invalid("spec.clusterIPs", ips_text, "first value must match `clusterIP`"));
    }
  } else if (!ips.empty()) {
    errs.push_back(Invalid("spec.clusterIPs", ips_text, "must be empty when `clusterIP` is not specified"));
  }
  std::set<std::string> seen;
  const std::vector<json>& fams = Arr(spec, "ipFamilies");
  for (size_t i = 0; i < fams.size(); ++i) {
    std::string f = Str(&fams[i]);
    if (f != "IPv4" && f != "IPv6")
      errs.push_back(NotSupportedStr(Index("spec.ipFamilies", i), f, {"IPv4", "IPv6"}));
    if (!seen.insert(f).second) errs.push_back(Duplicate(Index("spec.ipFamilies", i), Quote(f)));
  }
  std::string policy = Str(spec, "ipFamilyPolicy");
  if (Has(spec, "ipFamilyPolicy") && policy != "SingleStack" && policy != "PreferDualStack" &&
      policy != "RequireDualStack") {
    errs.push_back(NotSupportedStr("spec.ipFamilyPolicy", policy,
                                   {"PreferDualStack", "RequireDualStack", "SingleStack"}));
  }
  bool invalid_ips = false;
  for (size_t i = 0; i < ips.size(); ++i) {
    std::string ip = Str(&ips[i]);
    if (i == 0 && ip == "None") {
      if (ips.size() > 1) {
        invalid_ips = true;
        errs.push_back(Invalid("spec.clusterIPs", ips_text, "'None' must be the first and only value"));
      }
      continue;
    }
    if (!IsValidIP(ip)) {
      invalid_ips = true;
      ValidateIP(Index("spec.clusterIPs", i), ip, errs);
    }
  }
  if (ips.size() > 2) errs.push_back(Invalid("spec.clusterIPs", ips_text, "may only hold up to 2 values"));
  if (fams.size() > 2)
    errs.push_back(Invalid("spec.ipFamilies", RenderStringSlice(Get(spec, "ipFamilies")),
                           "may only hold up to 2 values"));
  if (policy == "SingleStack") {
    if (ips.size() > 1) {
      errs.push_back(Invalid("spec.clusterIPs", ips_text,
                             "must have at most one value when `ipFamilyPolicy` is 'SingleStack'"));
    }
    if (fams.size() > 1) {
      errs.push_back(Invalid("spec.ipFamilies", RenderStringSlice(Get(spec, "ipFamilies")),
                             "must have at most one value when `ipFamilyPolicy` is 'SingleStack'"));
    }
  }
  if (!invalid_ips) {
    for (size_t i = 0; i < ips.size() && i < fams.size(); ++i) {
      std::string ip = Str(&ips[i]);
      if (ip == "None") continue;
      bool v6 = false;
      if (!IsValidIP(ip, &v6)) continue;
      std::string fam = Str(&fams[i]);
      if ((fam == "IPv4" && v6) || (fam == "IPv6" && !v6)) {
        errs.push_back(
            Invalid("spec.clusterIPs", ips_text,
                    "expected an " + fam + " value as indicated by `ipFamilies[" + std::to_string(i) + "]`"));
      }
    }
  }
}

}  // namespace

FieldErrors ValidateService(const json& svc) {
  FieldErrors errs;
  ValidateObjectMeta(svc, true, NameRule::kDNS1035Label, errs);
  const json& spec = SpecOf(svc);
  std::string type = Str(spec, "type");
  const std::vector<json>& ports = Arr(spec, "ports");
  bool headless = IsHeadless(spec);
  if (ports.empty() && !headless && type != "ExternalName") errs.push_back(Required("spec.ports"));
  if (type == "LoadBalancer" && headless) {
    errs.push_back(
        InvalidStr("spec.clusterIPs[0]", "None", "may not be set to 'None' for LoadBalancer services"));
  } else if (type == "NodePort" && headless) {
    errs.push_back(
        InvalidStr("spec.clusterIPs[0]", "None", "may not be set to 'None' for NodePort services"));
  } else if (type == "ExternalName") {
    if (!Arr(spec, "clusterIPs").empty())
      errs.push_back(Forbidden("spec.clusterIPs", "may not be set for ExternalName services"));
    if (!Arr(spec, "ipFamilies").empty())
      errs.push_back(Forbidden("spec.ipFamilies", "may not be set for ExternalName services"));
    if (Has(spec, "ipFamilyPolicy"))
      errs.push_back(Forbidden("spec.ipFamilyPolicy", "may not be set for ExternalName services"));
    std::string cname = Str(spec, "externalName");
    if (!cname.empty() && cname.back() == '.') cname.pop_back();
    if (!cname.empty()) {
      ValidateDNS1123Subdomain("spec.externalName", cname, errs);
    } else {
      errs.push_back(Required("spec.externalName"));
    }
  }
  std::set<std::string> names;
  for (size_t i = 0; i < ports.size(); ++i) {
    const json& p = ports[i];
    std::string pp = Index("spec.ports", i);
    std::string name = Str(p, "name");
    if (ports.size() > 1 && name.empty()) {
      errs.push_back(Required(Child(pp, "name")));
    } else if (!name.empty()) {
      ValidateDNS1123Label(Child(pp, "name"), name, errs);
      if (!names.insert(name).second) errs.push_back(Duplicate(Child(pp, "name"), Quote(name)));
    }
    int64_t port = Int(p, "port").value_or(0);
    for (auto& m : IsValidPortNum(port)) errs.push_back(InvalidInt(Child(pp, "port"), port, m));
    std::string proto = Str(p, "protocol");
    if (proto.empty()) {
      errs.push_back(Required(Child(pp, "protocol")));
    } else if (std::find(kPortProtocols.begin(), kPortProtocols.end(), proto) == kPortProtocols.end()) {
      errs.push_back(NotSupportedStr(Child(pp, "protocol"), proto, kPortProtocols));
    }
    ValidatePortNumOrName(Get(p, "targetPort"), Child(pp, "targetPort"), errs);
    if (const json* ap = Get(p, "appProtocol"))
      ValidateQualifiedName(Child(pp, "appProtocol"), Str(ap), errs);
  }
  if (const json* sel = Get(spec, "selector")) ValidateLabelsAt(sel, "spec.selector", errs);
  std::string affinity = Str(spec, "sessionAffinity");
  if (affinity.empty()) {
    errs.push_back(Required("spec.sessionAffinity"));
  } else if (affinity != "ClientIP" && affinity != "None") {
    errs.push_back(NotSupportedStr("spec.sessionAffinity", affinity, {"ClientIP", "None"}));
  }
  if (affinity == "ClientIP") {
    const json* cfg = Get(spec, "sessionAffinityConfig");
    const std::string cp = "spec.sessionAffinityConfig";
    if (!IsObj(cfg)) {
      errs.push_back(Required(cp, "when session affinity type is ClientIP"));
    } else if (!IsObj(Get(*cfg, "clientIP"))) {
      errs.push_back(Required(Child(cp, "clientIP"), "when session affinity type is ClientIP"));
    } else if (auto t = Int(*Get(*cfg, "clientIP"), "timeoutSeconds"); !t) {
      errs.push_back(Required(cp + ".clientIP.timeoutSeconds", "when session affinity type is ClientIP"));
    } else if (*t <= 0 || *t > 86400) {
      errs.push_back(
          InvalidInt(cp + ".clientIP.timeoutSeconds", *t, "must be greater than 0 and less than 86400"));
    }
  } else if (affinity == "None" && Has(spec, "sessionAffinityConfig")) {
    errs.push_back(Forbidden("spec.sessionAffinityConfig", "must not be set when session affinity is None"));
  }
  ValidateClusterIPsRelated(spec, errs);
  const std::vector<json>& ext = Arr(spec, "externalIPs");
  for (size_t i = 0; i < ext.size(); ++i) {
    std::string ip = Str(&ext[i]);
    if (!IsValidIP(ip)) {
      ValidateIP(Index("spec.externalIPs", i), ip, errs);
    } else {
      ValidateNonSpecialIP(Index("spec.externalIPs", i), ip, errs);
    }
  }
  if (type.empty()) {
    errs.push_back(Required("spec.type"));
  } else if (type != "ClusterIP" && type != "NodePort" && type != "LoadBalancer" && type != "ExternalName") {
    errs.push_back(
        NotSupportedStr("spec.type", type, {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}));
  }
  if (type == "ClusterIP") {
    for (size_t i = 0; i < ports.size(); ++i) {
      if (Int(ports[i], "nodePort").value_or(0) != 0) {
        errs.push_back(Forbidden(Child(Index("spec.ports", i), "nodePort"),
                                 "may not be used when `type` is 'ClusterIP'"));
      }
    }
  }
  std::set<std::pair<std::string, int64_t>> node_ports;
  for (size_t i = 0; i < ports.size(); ++i) {
    int64_t np = Int(ports[i], "nodePort").value_or(0);
    if (np == 0) continue;
    if (!node_ports.insert({Str(ports[i], "protocol"), np}).second) {
      errs.push_back(Duplicate(Child(Index("spec.ports", i), "nodePort"), std::to_string(np)));
    }
  }
  std::set<std::pair<std::string, int64_t>> port_keys;
  for (size_t i = 0; i < ports.size(); ++i) {
    if (!port_keys.insert({Str(ports[i], "protocol"), Int(ports[i], "port").value_or(0)}).second) {
      errs.push_back(Duplicate(Index("spec.ports", i), RenderServicePortKey(ports[i])));
    }
  }
  const std::vector<json>& ranges = Arr(spec, "loadBalancerSourceRanges");
  if (!ranges.empty()) {
    if (type != "LoadBalancer") {
      errs.push_back(
          Forbidden("spec.LoadBalancerSourceRanges", "may only be used when `type` is 'LoadBalancer'"));
    }
    for (size_t i = 0; i < ranges.size(); ++i) {
      std::string r = Str(&ranges[i]);
      size_t b = r.find_first_not_of(' ');
      size_t e = r.find_last_not_of(' ');
      r = b == std::string::npos ? "" : r.substr(b, e - b + 1);
      ValidateCIDR(Index("spec.LoadBalancerSourceRanges", i), r, errs);
    }
  }
  if (Has(spec, "allocateLoadBalancerNodePorts") && type != "LoadBalancer") {
    errs.push_back(
        Forbidden("spec.allocateLoadBalancerNodePorts", "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type == "LoadBalancer" && !Has(spec, "allocateLoadBalancerNodePorts")) {
    errs.push_back(Required("allocateLoadBalancerNodePorts"));
  }
  if (const json* lbc = Get(spec, "loadBalancerClass")) {
    if (type != "LoadBalancer") {
      errs.push_back(Forbidden("spec.loadBalancerClass", "may only be used when `type` is 'LoadBalancer'"));
    } else {
      ValidateQualifiedName("spec.loadBalancerClass", Str(lbc), errs);
    }
  }
  bool externally_accessible =
      type == "LoadBalancer" || type == "NodePort" || (type == "ClusterIP" && !ext.empty());
  std::string etp = Str(spec, "externalTrafficPolicy");
  if (!externally_accessible) {
    if (!etp.empty()) {
      errs.push_back(InvalidStr("spec.externalTrafficPolicy", etp,
                                "may only be set for externally-accessible services"));
    }
  } else if (etp.empty()) {
    errs.push_back(Required("spec.externalTrafficPolicy"));
  } else if (etp != "Cluster" && etp != "Local") {
    errs.push_back(NotSupportedStr("spec.externalTrafficPolicy", etp, {"Cluster", "Local"}));
  }
  int64_t hc = Int(spec, "healthCheckNodePort").value_or(0);
  bool needs_hc = type == "LoadBalancer" && etp == "Local";
  if (!needs_hc) {
    if (hc != 0) {
      errs.push_back(
          InvalidInt("spec.healthCheckNodePort", hc,
                     "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
    }
  } else if (hc != 0) {
    for (auto& m : IsValidPortNum(hc)) errs.push_back(InvalidInt("spec.healthCheckNodePort", hc, m));
  }
  if (const json* itp = Get(spec, "internalTrafficPolicy")) {
    std::string s = Str(itp);
    if (s != "Cluster" && s != "Local")
      errs.push_back(NotSupportedStr("spec.internalTrafficPolicy", s, {"Cluster", "Local"}));
  } else if (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP") {
    errs.push_back(Required("spec.internalTrafficPolicy"));
  }
  if (const json* td = Get(spec, "trafficDistribution")) {
    std::string s = Str(td);
    if (s != "PreferClose") errs.push_back(NotSupportedStr("spec.trafficDistribution", s, {"PreferClose"}));
  }
  return errs;
}

FieldErrors ValidateServiceUpdate(const json& svc, const json& old) {
  FieldErrors errs;
  ValidateObjectMetaUpdate(svc, old, errs);
  const json& spec = SpecOf(svc);
  const json& old_spec = SpecOf(old);
  bool external = Str(spec, "type") == "ExternalName" || Str(old_spec, "type") == "ExternalName";
  if (!external && !(IsHeadless(spec) && IsHeadless(old_spec))) {
    const std::vector<json>& o = Arr(old_spec, "clusterIPs");
    const std::vector<json>& n = Arr(spec, "clusterIPs");
    std::string text = RenderStringSlice(Get(spec, "clusterIPs"));
    if (o.size() == n.size()) {
      for (size_t i = 0; i < o.size(); ++i) {
        if (o[i] != n[i])
          errs.push_back(Invalid(Index("spec.clusterIPs", i), text, "may not change once set"));
      }
    } else if (o.size() > n.size()) {
      if (n.empty())
        errs.push_back(Invalid("spec.clusterIPs[0]", text, "primary clusterIP can not be unset"));
      if (!o.empty() && !n.empty() && o[0] != n[0])
        errs.push_back(Invalid("spec.clusterIPs[0]", text, "may not change once set"));
      if (n.size() == 1 && Str(spec, "ipFamilyPolicy") != "SingleStack") {
        errs.push_back(
            Invalid("spec.clusterIPs[0]", text,
                    "`ipFamilyPolicy` must be set to 'SingleStack' when releasing the secondary clusterIP"));
      }
    } else if (!o.empty() && o[0] != n[0]) {
      errs.push_back(Invalid("spec.clusterIPs[0]", text, "may not change once set"));
    }
    const std::vector<json>& of = Arr(old_spec, "ipFamilies");
    const std::vector<json>& nf = Arr(spec, "ipFamilies");
    std::string ftext = RenderStringSlice(Get(spec, "ipFamilies"));
    if (!of.empty() && !nf.empty() && of[0] != nf[0]) {
      errs.push_back(Invalid("spec.ipFamilies[0]", ftext, "may not change once set"));
    }
    if (of.size() == 2 && nf.size() == 2 && of[1] != nf[1]) {
      errs.push_back(Invalid("spec.ipFamilies[1]", ftext, "may not change once set"));
    }
  }
  if (Str(old_spec, "type") == "LoadBalancer" && Str(spec, "type") == "LoadBalancer" &&
      Str(old_spec, "loadBalancerClass") != Str(spec, "loadBalancerClass")) {
    errs.push_back(Invalid("spec.loadBalancerClass", RenderScalar(Get(spec, "loadBalancerClass")),
                           "may not change once set"));
  }
  auto needs_hc = [](const json& s) {
    return Str(s, "type") == "LoadBalancer" && Str(s, "externalTrafficPolicy") == "Local";
  };
  if (needs_hc(old_spec) && needs_hc(spec) &&
      Int(old_spec, "healthCheckNodePort").value_or(0) != Int(spec, "healthCheckNodePort").value_or(0)) {
    errs.push_back(Forbidden("spec.healthCheckNodePort", std::string(kImmutableMsg)));
  }
  AppendAll(errs, ValidateService(svc));
  return errs;
}

FieldErrors ValidateServiceStatus(const json& svc) {
  FieldErrors errs;
  const std::vector<json>& ingress = Arr(GetPath(svc, {"status", "loadBalancer", "ingress"}));
  std::string type = Str(SpecOf(svc), "type");
  for (size_t i = 0; i < ingress.size(); ++i) {
    std::string ip_path = Index("status.loadBalancer.ingress", i);
    const json& ing = ingress[i];
    if (std::string ip = Str(ing, "ip"); !ip.empty()) ValidateIP(Child(ip_path, "ip"), ip, errs);
    if (const json* mode = Get(ing, "ipMode")) {
      if (Str(ing, "ip").empty()) {
        errs.push_back(Forbidden(Child(ip_path, "ipMode"), "may not be specified when `ip` is not"));
      } else if (Str(mode) != "VIP" && Str(mode) != "Proxy") {
        errs.push_back(NotSupportedStr(Child(ip_path, "ipMode"), Str(mode), {"Proxy", "VIP"}));
      }
    } else if (!Str(ing, "ip").empty() && type == "LoadBalancer") {
      errs.push_back(Required(Child(ip_path, "ipMode"), "must be specified when `ip` is set"));
    }
    if (std::string host = Str(ing, "hostname"); !host.empty()) {
      ValidateDNS1123Subdomain(Child(ip_path, "hostname"), host, errs);
      if (IsValidIP(host))
        errs.push_back(InvalidStr(Child(ip_path, "hostname"), host, "must be a DNS name, not an IP address"));
    }
  }
  return errs;
}

namespace {

// ---- ConfigMap / Secret

size_t DecodedSize(const json& v) {
  std::string s = v.is_string() ? v.get<std::string>() : std::string();
  if (auto d = Base64Decode(s)) return d->size();
  return s.size() * 3 / 4;
}

void ValidateConfigMap(const json& cm, FieldErrors& errs) {
  ValidateObjectMeta(cm, true, NameRule::kDNS1123Subdomain, errs);
  size_t total = 0;
  const json* data = Get(cm, "data");
  const json* binary = Get(cm, "binaryData");
  if (IsObj(data)) {
    for (auto it = data->begin(); it != data->end(); ++it) {
      for (auto& m : IsConfigMapKey(it.key())) errs.push_back(InvalidStr(Key("data", it.key()), it.key(), m));
      if (IsObj(binary) && binary->contains(it.key())) {
        errs.push_back(InvalidStr(Key("data", it.key()), it.key(), "duplicate of key present in binaryData"));
      }
      total += it->is_string() ? it->get<std::string>().size() : 0;
    }
  }
  if (IsObj(binary)) {
    for (auto it = binary->begin(); it != binary->end(); ++it) {
      for (auto& m : IsConfigMapKey(it.key()))
        errs.push_back(InvalidStr(Key("binaryData", it.key()), it.key(), m));
      total += DecodedSize(*it);
    }
  }
  if (static_cast<int64_t>(total) > kMaxSecretSize) errs.push_back(TooLong("", kMaxSecretSize));
}

void ValidateImmutableData(const json& obj, const json& old, std::initializer_list<std::string_view> fields,
                           FieldErrors& errs) {
  if (!Bool(old, "immutable").value_or(false)) return;
  if (!Bool(obj, "immutable").value_or(false)) {
    errs.push_back(Forbidden("immutable", "field is immutable when `immutable` is set"));
  }
  for (std::string_view f : fields) {
    const json* a = Get(obj, f);
    const json* b = Get(old, f);
    bool a_empty = a == nullptr || (a->is_object() && a->empty());
    bool b_empty = b == nullptr || (b->is_object() && b->empty());
    if (a_empty && b_empty) continue;
    if (a_empty != b_empty || *a != *b) {
      errs.push_back(Forbidden(std::string(f), "field is immutable when `immutable` is set"));
    }
  }
}

void ValidateSecret(const json& secret, FieldErrors& errs) {
  ValidateObjectMeta(secret, true, NameRule::kDNS1123Subdomain, errs);
  const json* data = Get(secret, "data");
  size_t total = 0;
  std::map<std::string, std::string> decoded;
  if (IsObj(data)) {
    for (auto it = data->begin(); it != data->end(); ++it) {
      for (auto& m : IsConfigMapKey(it.key())) errs.push_back(InvalidStr(Key("data", it.key()), it.key(), m));
      std::string s = it->is_string() ? it->get<std::string>() : std::string();
      std::string d = Base64Decode(s).value_or(s);
      total += d.size();
      decoded[it.key()] = d;
    }
  }
  if (static_cast<int64_t>(total) > kMaxSecretSize) errs.push_back(TooLong("data", kMaxSecretSize));
  std::string type = Str(secret, "type");
  auto require = [&](const std::string& key) {
    if (!decoded.count(key)) {
      errs.push_back(Required(Key("data", key)));
      return false;
    }
    return true;
  };
  auto require_json = [&](const std::string& key) {
    if (!require(key)) return;
    // Upstream reports Go's json.Unmarshal error text, which is not
    // reproduced; the field, value and reason are.
    json parsed = json::parse(decoded[key], nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object()) {
      errs.push_back(
          InvalidStr(Key("data", key), "<secret contents redacted>", "invalid character in JSON document"));
    }
  };
  if (type == "kubernetes.io/service-account-token") {
    if (Str(GetPath(secret, {"metadata", "annotations", "kubernetes.io/service-account.name"})).empty()) {
      errs.push_back(Required("metadata.annotations[kubernetes.io/service-account.name]"));
    }
  } else if (type == "kubernetes.io/dockercfg") {
    require_json(".dockercfg");
  } else if (type == "kubernetes.io/dockerconfigjson") {
    require_json(".dockerconfigjson");
  } else if (type == "kubernetes.io/basic-auth") {
    if (!decoded.count("username") && !decoded.count("password")) {
      errs.push_back(Required("data[username]"));
      errs.push_back(Required("data[password]"));
    }
  } else if (type == "kubernetes.io/ssh-auth") {
    if (decoded["ssh-privatekey"].empty()) errs.push_back(Required("data[ssh-privatekey]"));
  } else if (type == "kubernetes.io/tls") {
    if (!decoded.count("tls.crt")) errs.push_back(Required("data[tls.crt]"));
    if (!decoded.count("tls.key")) errs.push_back(Required("data[tls.key]"));
  }
}

// ---- Namespace / Node

void ValidateFinalizerNameAt(std::string_view f, const std::string& path, FieldErrors& errs) {
  ValidateQualifiedName(path, f, errs);
  if (f.find('/') == std::string_view::npos && f != "kubernetes" && f != "orphan" &&
      f != "foregroundDeletion") {
    errs.push_back(
        InvalidStr(path, f, "name is neither a standard finalizer name nor is it fully qualified"));
  }
}

void ValidateTaints(const json* taints, const std::string& path, FieldErrors& errs) {
  const std::vector<json>& list = Arr(taints);
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    const json& t = list[i];
    std::string ip = Index(path, i);
    std::string key = Str(t, "key");
    ValidateQualifiedName(Child(ip, "key"), key, errs);
    std::string value = Str(t, "value");
    auto msgs = api::IsValidLabelValue(value);
    if (!msgs.empty()) {
      std::string joined;
      for (size_t m = 0; m < msgs.size(); ++m) joined += (m ? ";" : "") + msgs[m];
      errs.push_back(InvalidStr(Child(ip, "value"), value, joined));
    }
    std::string effect = Str(t, "effect");
    if (effect.empty()) {
      errs.push_back(Required(Child(ip, "effect")));
    } else if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
      errs.push_back(
          NotSupportedStr(Child(ip, "effect"), effect, {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    }
    if (!seen.insert({effect, key}).second) {
      FieldError e = Duplicate(ip, t.dump());
      e.detail = "taints must be unique by key and effect pair";
      errs.push_back(std::move(e));
    }
  }
}

void ValidateNodeResources(const json& node, FieldErrors& errs) {
  for (std::string_view k : {"capacity", "allocatable"}) {
    const json* m = GetPath(node, {"status", k});
    if (!IsObj(m)) continue;
    for (auto it = m->begin(); it != m->end(); ++it) {
      std::string path = "status." + std::string(k) + "." + it.key();
      if (QuantityNegative(*it)) errs.push_back(InvalidStr(path, Str(&*it), std::string(kNegativeMsg)));
    }
  }
}

void ValidateNode(const json& node, FieldErrors& errs) {
  ValidateObjectMeta(node, false, NameRule::kDNS1123Subdomain, errs);
  const json& spec = SpecOf(node);
  ValidateTaints(Get(spec, "taints"), "metadata.taints", errs);
  ValidateNodeResources(node, errs);
  const std::vector<json>& cidrs = Arr(spec, "podCIDRs");
  for (size_t i = 0; i < cidrs.size(); ++i) ValidateCIDR(Index("spec.podCIDRs", i), Str(&cidrs[i]), errs);
  if (cidrs.size() > 2) {
    errs.push_back(Invalid("spec.podCIDRs", RenderStringSlice(Get(spec, "podCIDRs")),
                           "may specify no more than one CIDR for each IP family"));
  }
}

void ValidateNodeUpdate(const json& node, const json& old, FieldErrors& errs) {
  ValidateObjectMetaUpdate(node, old, errs);
  const json& spec = SpecOf(node);
  const json& old_spec = SpecOf(old);
  ValidateNodeResources(node, errs);
  std::set<std::string> addrs;
  const std::vector<json>& addresses = Arr(GetPath(node, {"status", "addresses"}));
  for (size_t i = 0; i < addresses.size(); ++i) {
    if (!addrs.insert(Str(addresses[i], "type") + "/" + Str(addresses[i], "address")).second) {
      errs.push_back(Duplicate(Index("status.addresses", i), addresses[i].dump()));
    }
  }
  const std::vector<json>& oc = Arr(old_spec, "podCIDRs");
  if (!oc.empty()) {
    const std::vector<json>& nc = Arr(spec, "podCIDRs");
    if (oc.size() != nc.size()) {
      errs.push_back(
          Forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
    } else {
      for (size_t i = 0; i < oc.size(); ++i) {
        if (oc[i] != nc[i])
          errs.push_back(
              Forbidden("spec.podCIDRs", "node updates may not change podCIDR except from \"\" to valid"));
      }
    }
  }
  std::string old_provider = Str(old_spec, "providerID");
  if (!old_provider.empty() && old_provider != Str(spec, "providerID")) {
    errs.push_back(
        Forbidden("spec.providerID", "node updates may not change providerID except from \"\" to valid"));
  }
  ValidateTaints(Get(spec, "taints"), "metadata.taints", errs);
  if (Str(spec, "externalID") != Str(old_spec, "externalID"))
    errs.push_back(Forbidden("spec.externalID", "may not be updated"));
}

// ---- PersistentVolume / PersistentVolumeClaim

const std::vector<std::string> kAccessModes = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
                                               "ReadWriteOncePod"};

void ValidateAccessModes(const json& spec, const std::string& path, bool pvc, FieldErrors& errs) {
  const std::vector<json>& modes = Arr(spec, "accessModes");
  if (modes.empty())
    errs.push_back(Required(Child(path, "accessModes"), pvc ? "at least 1 access mode is required" : ""));
  bool rwop = false;
  for (const json& m : modes) {
    std::string s = Str(&m);
    if (std::find(kAccessModes.begin(), kAccessModes.end(), s) == kAccessModes.end()) {
      errs.push_back(NotSupportedStr(Child(path, "accessModes"), s, kAccessModes));
    }
    rwop = rwop || s == "ReadWriteOncePod";
  }
  if (rwop && modes.size() > 1) {
    errs.push_back(
        Forbidden(Child(path, "accessModes"), "may not use ReadWriteOncePod with other access modes"));
  }
}

constexpr std::string_view kPVSources[] = {"gcePersistentDisk",
                                           "awsElasticBlockStore",
                                           "hostPath",
                                           "glusterfs",
                                           "flocker",
                                           "nfs",
                                           "rbd",
                                           "quobyte",
                                           "cinder",
                                           "cephfs",
                                           "iscsi",
                                           "fc",
                                           "azureFile",
                                           "vsphereVolume",
                                           "photonPersistentDisk",
                                           "portworxVolume",
                                           "azureDisk",
                                           "scaleIO",
                                           "local",
                                           "storageos",
                                           "csi",
                                           "flexVolume"};

// spec.storageClassName and spec.volumeMode, checked alike on PVs and PVCs.
void ValidateClassAndVolumeMode(const json& spec, FieldErrors& errs) {
  if (std::string sc = Str(spec, "storageClassName"); !sc.empty()) {
    for (auto& m : api::IsDNS1123Subdomain(sc)) errs.push_back(InvalidStr("spec.storageClassName", sc, m));
  }
  if (const json* vm = Get(spec, "volumeMode")) {
    std::string s = Str(vm);
    if (s != "Block" && s != "Filesystem")
      errs.push_back(NotSupportedStr("spec.volumeMode", s, {"Block", "Filesystem"}));
  }
}

void ValidatePV(const json& pv, FieldErrors& errs) {
  ValidateObjectMeta(pv, false, NameRule::kDNS1123Subdomain, errs);
  const json& spec = SpecOf(pv);
  ValidateAccessModes(spec, "spec", false, errs);
  const json* cap = Get(spec, "capacity");
  if (!IsObj(cap) || cap->empty()) errs.push_back(Required("spec.capacity"));
  if (!IsObj(cap) || !cap->contains("storage") || cap->size() > 1) {
    errs.push_back(NotSupported("spec.capacity",
                                IsObj(cap) ? cap->dump() : "map[core.ResourceName]resource.Quantity(nil)",
                                {"storage"}));
  }
  if (IsObj(cap)) {
    for (auto it = cap->begin(); it != cap->end(); ++it) {
      std::string p = Key("spec.capacity", it.key());
      std::string text = CanonicalQuantity(*it).value_or(Str(&*it));
      if (QuantityNegative(*it)) {
        errs.push_back(InvalidStr(p, text, "must be a valid resource quantity"));
      }
      if (QuantityNegative(*it) || CompareQuantity(*it, json("0")) == 0) {
        errs.push_back(InvalidStr(p, text, "must be greater than zero"));
      }
    }
  }
  ValidateClassAndVolumeMode(spec, errs);
  if (const json* rp = Get(spec, "persistentVolumeReclaimPolicy")) {
    std::string s = Str(rp);
    if (s != "Delete" && s != "Recycle" && s != "Retain") {
      errs.push_back(
          NotSupportedStr("spec.persistentVolumeReclaimPolicy", s, {"Delete", "Recycle", "Retain"}));
    }
  }
  int num = 0;
  for (std::string_view k : kPVSources) {
    const json* src = Get(spec, k);
    if (src == nullptr) continue;
    if (num > 0) {
      errs.push_back(Forbidden(Child("spec", k), "may not specify more than 1 volume type"));
      continue;
    }
    ++num;
    const json& s = ObjOrEmpty(src);
    std::string sp = Child("spec", k);
    if (k == "hostPath" || k == "local") {
      std::string p = Str(s, "path");
      if (p.empty()) errs.push_back(Required(Child(sp, "path")));
      if (k == "local" && !Has(spec, "nodeAffinity")) {
        errs.push_back(Required("spec.nodeAffinity", "Local volume requires node affinity"));
      }
    } else if (k == "nfs") {
      if (Str(s, "server").empty()) errs.push_back(Required(Child(sp, "server")));
      std::string p = Str(s, "path");
      if (p.empty()) errs.push_back(Required(Child(sp, "path")));
      if (p.empty() || p.front() != '/')
        errs.push_back(InvalidStr(Child(sp, "path"), p, "must be an absolute path"));
    } else if (k == "csi") {
      if (Str(s, "driver").empty()) errs.push_back(Required(Child(sp, "driver")));
      if (Str(s, "volumeHandle").empty()) errs.push_back(Required(Child(sp, "volumeHandle")));
    }
  }
  if (num == 0) errs.push_back(Required("spec", "must specify a volume type"));
}

void ValidatePVUpdate(const json& pv, const json& old, FieldErrors& errs) {
  ValidateObjectMetaUpdate(pv, old, errs);
  ValidatePV(pv, errs);
  // Everything but the volume source may change.
  auto sources = [](const json& o) {
    json out = json::object();
    const json& spec = SpecOf(o);
    for (std::string_view k : kPVSources) {
      if (const json* v = Get(spec, k)) out[std::string(k)] = *v;
    }
    return out;
  };
  json a = sources(old), b = sources(pv);
  if (a != b) {
    errs.push_back(
        Forbidden("spec.persistentvolumesource", "spec.persistentvolumesource is immutable after creation\n" +
                                                     DiffSummary(a, b, "core.PersistentVolumeSource")));
  }
  const json* ovm = GetPath(old, {"spec", "volumeMode"});
  const json* nvm = GetPath(pv, {"spec", "volumeMode"});
  if (Changed(ovm, nvm)) {
    errs.push_back(Invalid("spec.volumeMode", RenderScalar(nvm), std::string(kImmutableMsg)));
  }
  const json* ona = GetPath(old, {"spec", "nodeAffinity"});
  const json* nna = GetPath(pv, {"spec", "nodeAffinity"});
  if (ona != nullptr && (nna == nullptr || *ona != *nna)) {
    errs.push_back(Invalid("spec.nodeAffinity", nna ? nna->dump() : "null", std::string(kImmutableMsg)));
  }
}

void ValidatePVCSpec(const json& spec, FieldErrors& errs) {
  ValidateAccessModes(spec, "spec", true, errs);
  ValidateSelectorAt(Get(spec, "selector"), "spec.selector", errs);
  const json* storage = GetPath(spec, {"resources", "requests", "storage"});
  if (storage == nullptr) {
    errs.push_back(Required("spec.resources[storage]"));
  } else {
    std::string text = CanonicalQuantity(*storage).value_or(Str(storage));
    if (QuantityNegative(*storage) || CompareQuantity(*storage, json("0")) == 0) {
      errs.push_back(InvalidStr("spec.resources[storage]", text, "must be greater than zero"));
    }
  }
  ValidateClassAndVolumeMode(spec, errs);
}

void ValidatePVC(const json& pvc, FieldErrors& errs) {
  ValidateObjectMeta(pvc, true, NameRule::kDNS1123Subdomain, errs);
  ValidatePVCSpec(SpecOf(pvc), errs);
}

void ValidatePVCUpdate(const json& pvc, const json& old, FieldErrors& errs) {
  ValidateObjectMetaUpdate(pvc, old, errs);
  ValidatePVC(pvc, errs);
  json a = SpecOf(old);
  json b = SpecOf(pvc);
  if (Str(a, "volumeName").empty()) {
    if (b.contains("volumeName")) {
      a["volumeName"] = b["volumeName"];
    } else {
      a.erase("volumeName");
    }
  }
  // The storage class may be set once when it was nil.
  if (!a.contains("storageClassName") && b.contains("storageClassName"))
    a["storageClassName"] = b["storageClassName"];
  bool bound = Str(GetPath(pvc, {"status", "phase"})) == "Bound";
  if (bound && IsObj(GetPath(b, {"resources", "requests"}))) {
    if (const json* s = GetPath(a, {"resources", "requests", "storage"})) {
      b["resources"]["requests"]["storage"] = *s;
    } else {
      b["resources"]["requests"].erase("storage");
    }
  }
  if (a != b) {
    errs.push_back(
        Forbidden("spec", "spec is immutable after creation except resources.requests for bound claims\n" +
                              DiffSummary(a, b, "core.PersistentVolumeClaimSpec")));
  }
  const json* old_size = GetPath(old, {"spec", "resources", "requests", "storage"});
  const json* new_size = GetPath(pvc, {"spec", "resources", "requests", "storage"});
  if (old_size && new_size && CompareQuantity(*new_size, *old_size) < 0) {
    const json* status_size = GetPath(old, {"status", "capacity", "storage"});
    if (status_size == nullptr || CompareQuantity(*new_size, *status_size) <= 0) {
      errs.push_back(
          Forbidden("spec.resources.requests.storage", "field can not be less than status.capacity"));
    }
  }
}

// ---- Endpoints

void ValidateEndpoints(const json& ep, FieldErrors& errs) {
  ValidateObjectMeta(ep, true, NameRule::kDNS1123Subdomain, errs);
  const std::vector<json>& subsets = Arr(ep, "subsets");
  for (size_t s = 0; s < subsets.size(); ++s) {
    std::string sp = Index("subsets", s);
    const json& ss = subsets[s];
    if (Arr(ss, "addresses").empty() && Arr(ss, "notReadyAddresses").empty()) {
      errs.push_back(Required(sp, "must specify `addresses` or `notReadyAddresses`"));
    }
    for (std::string_view k : {"addresses", "notReadyAddresses"}) {
      const std::vector<json>& addrs = Arr(ss, k);
      for (size_t a = 0; a < addrs.size(); ++a) {
        std::string ap = Index(Child(sp, k), a);
        std::string ip = Str(addrs[a], "ip");
        size_t before = errs.size();
        ValidateIP(Child(ap, "ip"), ip, errs);
        if (std::string h = Str(addrs[a], "hostname"); !h.empty())
          ValidateDNS1123Label(Child(ap, "hostname"), h, errs);
        if (const json* nn = Get(addrs[a], "nodeName")) {
          for (auto& m : api::IsDNS1123Subdomain(Str(nn)))
            errs.push_back(InvalidStr(Child(ap, "nodeName"), Str(nn), m));
        }
        if (errs.size() == before || IsValidIP(ip)) ValidateNonSpecialIP(Child(ap, "ip"), ip, errs);
      }
    }
    const std::vector<json>& ports = Arr(ss, "ports");
    for (size_t p = 0; p < ports.size(); ++p) {
      std::string pp = Index(Child(sp, "ports"), p);
      std::string name = Str(ports[p], "name");
      if (ports.size() > 1 && name.empty()) {
        errs.push_back(Required(Child(pp, "name")));
      } else if (!name.empty()) {
        ValidateDNS1123Label(Child(pp, "name"), name, errs);
      }
      int64_t port = Int(ports[p], "port").value_or(0);
      for (auto& m : IsValidPortNum(port)) errs.push_back(InvalidInt(Child(pp, "port"), port, m));
      std::string proto = Str(ports[p], "protocol");
      if (proto.empty()) {
        errs.push_back(Required(Child(pp, "protocol")));
      } else if (std::find(kPortProtocols.begin(), kPortProtocols.end(), proto) == kPortProtocols.end()) {
        errs.push_back(NotSupportedStr(Child(pp, "protocol"), proto, kPortProtocols));
      }
    }
  }
}

// ---- Event (core/v1 requests get upstream's legacy checks only)

}  // namespace

void ValidateLegacyEvent(const json& ev, const EventFieldNames& names, FieldErrors& errs) {
  std::string ns = Str(GetPath(ev, {"metadata", "namespace"}));
  std::string involved_ns = Str(GetPath(ev, {names.regarding, "namespace"}));
  if (!Has(ev, "eventTime")) {
    if (involved_ns.empty()) {
      if (!ns.empty() && ns != "default") {
        errs.push_back(InvalidStr("involvedObject.namespace", involved_ns, "does not match event.namespace"));
      }
    } else if (ns != involved_ns) {
      errs.push_back(InvalidStr("involvedObject.namespace", involved_ns, "does not match event.namespace"));
    }
  } else {
    if (involved_ns.empty() && ns != "default" && ns != "kube-system") {
      errs.push_back(InvalidStr("involvedObject.namespace", involved_ns, "does not match event.namespace"));
    }
    std::string reporting_path(names.reporting);
    std::string rc = Str(ev, names.reporting);
    if (rc.empty()) errs.push_back(Required(reporting_path));
    ValidateQualifiedName(reporting_path, rc, errs);
    std::string ri = Str(ev, "reportingInstance");
    if (ri.empty()) errs.push_back(Required("reportingInstance"));
    if (ri.size() > 128)
      errs.push_back(Invalid("reportingInstance", "\"\"", "can have at most 128 characters"));
    std::string action = Str(ev, "action");
    if (action.empty()) errs.push_back(Required("action"));
    if (action.size() > 128) errs.push_back(Invalid("action", "\"\"", "can have at most 128 characters"));
    std::string reason = Str(ev, "reason");
    if (reason.empty()) errs.push_back(Required("reason"));
    if (reason.size() > 128) errs.push_back(Invalid("reason", "\"\"", "can have at most 128 characters"));
    if (Str(ev, names.note).size() > 1024)
      errs.push_back(Invalid("message", "\"\"", "can have at most 1024 characters"));
  }
  for (auto& m : api::IsDNS1123Subdomain(ns)) errs.push_back(InvalidStr("namespace", ns, m));
}

namespace {

// ---- LimitRange / ResourceQuota

const std::set<std::string> kQuotaResources = {"pods",
                                               "services",
                                               "replicationcontrollers",
                                               "resourcequotas",
                                               "secrets",
                                               "configmaps",
                                               "persistentvolumeclaims",
                                               "services.nodeports",
                                               "services.loadbalancers",
                                               "cpu",
                                               "memory",
                                               "ephemeral-storage",
                                               "requests.cpu",
                                               "requests.memory",
                                               "requests.storage",
                                               "requests.ephemeral-storage",
                                               "limits.cpu",
                                               "limits.memory",
                                               "limits.ephemeral-storage"};

void ValidateResourceNameAt(std::string_view name, const std::string& path, FieldErrors& errs, bool quota) {
  size_t before = errs.size();
  ValidateQualifiedName(path, name, errs);
  if (errs.size() != before) return;
  if (name.find('/') != std::string_view::npos) return;
  bool standard = kQuotaResources.count(std::string(name)) || name == "storage" ||
                  name.rfind("hugepages-", 0) == 0 || name.rfind("requests.hugepages-", 0) == 0;
  if (!standard)
    errs.push_back(InvalidStr(path, name, "must be a standard resource type or fully qualified"));
  if (quota && !standard) errs.push_back(InvalidStr(path, name, "must be a standard resource for quota"));
}

void ValidateLimitRange(const json& lr, FieldErrors& errs) {
  ValidateObjectMeta(lr, true, NameRule::kDNS1123Subdomain, errs);
  std::set<std::string> types;
  const std::vector<json>& limits = Arr(SpecOf(lr), "limits");
  for (size_t i = 0; i < limits.size(); ++i) {
    const json& l = limits[i];
    std::string ip = Index("spec.limits", i);
    std::string type = Str(l, "type");
    size_t before = errs.size();
    ValidateQualifiedName(Child(ip, "type"), type, errs);
    if (errs.size() == before && type.find('/') == std::string::npos && type != "Pod" &&
        type != "Container" && type != "PersistentVolumeClaim") {
      errs.push_back(InvalidStr(Child(ip, "type"), type, "must be a standard limit type or fully qualified"));
    }
    if (!types.insert(type).second) errs.push_back(Duplicate(Child(ip, "type"), Quote(type)));
    std::map<std::string, std::map<std::string, json>> by;  // field -> resource -> quantity
    for (std::string_view f : {"max", "min", "default", "defaultRequest", "maxLimitRequestRatio"}) {
      const json* m = Get(l, f);
      if (!IsObj(m)) continue;
      if (type == "Pod" && (f == "default" || f == "defaultRequest") && !m->empty()) {
        errs.push_back(Forbidden(Child(ip, f), "may not be specified when `type` is 'Pod'"));
        continue;
      }
      for (auto it = m->begin(); it != m->end(); ++it) {
        ValidateResourceNameAt(it.key(), Key(Child(ip, f), it.key()), errs, false);
        by[std::string(f)][it.key()] = *it;
      }
    }
    if (type == "PersistentVolumeClaim" && !by["min"].count("storage") && !by["max"].count("storage")) {
      errs.push_back(
          Required(Child(ip, "limits"),
                   "either minimum or maximum storage value is required, but neither was provided"));
    }
    std::set<std::string> keys;
    for (const auto& [f, m] : by) {
      for (const auto& [k, q] : m) keys.insert(k);
    }
    auto text = [](const json& q) { return CanonicalQuantity(q).value_or(Str(&q)); };
    for (const auto& k : keys) {
      const json* mn = by["min"].count(k) ? &by["min"][k] : nullptr;
      const json* mx = by["max"].count(k) ? &by["max"][k] : nullptr;
      const json* df = by["default"].count(k) ? &by["default"][k] : nullptr;
      const json* dr = by["defaultRequest"].count(k) ? &by["defaultRequest"][k] : nullptr;
      const json* ratio = by["maxLimitRequestRatio"].count(k) ? &by["maxLimitRequestRatio"][k] : nullptr;
      if (mn && mx && CompareQuantity(*mn, *mx) > 0) {
        errs.push_back(InvalidStr(Key(Child(ip, "min"), k), text(*mn),
                                  "min value " + text(*mn) + " is greater than max value " + text(*mx)));
      }
      if (dr && mn && CompareQuantity(*mn, *dr) > 0) {
        errs.push_back(
            InvalidStr(Key(Child(ip, "defaultRequest"), k), text(*dr),
                       "min value " + text(*mn) + " is greater than default request value " + text(*dr)));
      }
      if (dr && mx && CompareQuantity(*dr, *mx) > 0) {
        errs.push_back(
            InvalidStr(Key(Child(ip, "defaultRequest"), k), text(*dr),
                       "default request value " + text(*dr) + " is greater than max value " + text(*mx)));
      }
      if (dr && df && CompareQuantity(*dr, *df) > 0) {
        errs.push_back(InvalidStr(
            Key(Child(ip, "defaultRequest"), k), text(*dr),
            "default request value " + text(*dr) + " is greater than default limit value " + text(*df)));
      }
      if (df && mn && CompareQuantity(*mn, *df) > 0) {
        errs.push_back(InvalidStr(Key(Child(ip, "default"), k), text(*mn),
                                  "min value " + text(*mn) + " is greater than default value " + text(*df)));
      }
      if (df && mx && CompareQuantity(*df, *mx) > 0) {
        errs.push_back(InvalidStr(Key(Child(ip, "default"), k), text(*mx),
                                  "default value " + text(*df) + " is greater than max value " + text(*mx)));
      }
      if (ratio && CompareQuantity(*ratio, json("1")) < 0) {
        errs.push_back(InvalidStr(Key(Child(ip, "maxLimitRequestRatio"), k), text(*ratio),
                                  "ratio " + text(*ratio) + " is less than 1"));
      }
    }
  }
}

void ValidateResourceQuota(const json& rq, FieldErrors& errs) {
  ValidateObjectMeta(rq, true, NameRule::kDNS1123Subdomain, errs);
  auto check_map = [&](const json* m, const std::string& path) {
    if (!IsObj(m)) return;
    for (auto it = m->begin(); it != m->end(); ++it) {
      std::string p = Key(path, it.key());
      ValidateResourceNameAt(it.key(), p, errs, true);
      std::string text = CanonicalQuantity(*it).value_or(Str(&*it));
      if (QuantityNegative(*it)) errs.push_back(InvalidStr(p, text, std::string(kNegativeMsg)));
    }
  };
  const json& spec = SpecOf(rq);
  check_map(Get(spec, "hard"), "spec.hard");
  check_map(GetPath(rq, {"status", "hard"}), "status.hard");
  check_map(GetPath(rq, {"status", "used"}), "status.used");
  static const std::set<std::string> kScopes = {"Terminating",          "NotTerminating",
                                                "BestEffort",           "NotBestEffort",
                                                "PriorityClass",        "CrossNamespacePodAffinity",
                                                "VolumeAttributesClass"};
  std::set<std::string> scopes;
  for (const json& s : Arr(spec, "scopes")) {
    if (!kScopes.count(Str(&s)))
      errs.push_back(Invalid("spec.scopes", RenderStringSlice(Get(spec, "scopes")), "unsupported scope"));
    scopes.insert(Str(&s));
  }
  if ((scopes.count("BestEffort") && scopes.count("NotBestEffort")) ||
      (scopes.count("Terminating") && scopes.count("NotTerminating"))) {
    errs.push_back(Invalid("spec.scopes", RenderStringSlice(Get(spec, "scopes")), "conflicting scopes"));
  }
}

}  // namespace

void ValidateCoreKind(std::string_view kind, const json& obj, const json* old, FieldErrors& errs) {
  if (kind == "Service") {
    AppendAll(errs, old ? ValidateServiceUpdate(obj, *old) : ValidateService(obj));
  } else if (kind == "ConfigMap") {
    if (old) {
      ValidateObjectMetaUpdate(obj, *old, errs);
      ValidateImmutableData(obj, *old, {"data", "binaryData"}, errs);
    }
    ValidateConfigMap(obj, errs);
  } else if (kind == "Secret") {
    if (old) {
      ValidateObjectMetaUpdate(obj, *old, errs);
      std::string t = Str(obj, "type"), ot = Str(*old, "type");
      if (t != ot) errs.push_back(InvalidStr("type", t, std::string(kImmutableMsg)));
      ValidateImmutableData(obj, *old, {"data"}, errs);
    }
    ValidateSecret(obj, errs);
  } else if (kind == "Namespace") {
    if (old) {
      ValidateObjectMetaUpdate(obj, *old, errs);
    } else {
      ValidateObjectMeta(obj, false, NameRule::kDNS1123Label, errs);
      for (const json& f : Arr(SpecOf(obj), "finalizers"))
        ValidateFinalizerNameAt(Str(&f), "spec.finalizers", errs);
    }
  } else if (kind == "Node") {
    if (old) {
      ValidateNodeUpdate(obj, *old, errs);
    } else {
      ValidateNode(obj, errs);
    }
  } else if (kind == "PersistentVolume") {
    if (old) {
      ValidatePVUpdate(obj, *old, errs);
    } else {
      ValidatePV(obj, errs);
    }
  } else if (kind == "PersistentVolumeClaim") {
    if (old) {
      ValidatePVCUpdate(obj, *old, errs);
    } else {
      ValidatePVC(obj, errs);
    }
  } else if (kind == "Endpoints") {
    if (old) ValidateObjectMetaUpdate(obj, *old, errs);
    ValidateEndpoints(obj, errs);
  } else if (kind == "ServiceAccount") {
    if (old) ValidateObjectMetaUpdate(obj, *old, errs);
    ValidateObjectMeta(obj, true, NameRule::kDNS1123Subdomain, errs);
  } else if (kind == "Event") {
    ValidateLegacyEvent(obj, {"involvedObject", "reportingComponent", "message"}, errs);
  } else if (kind == "LimitRange") {
    if (old) ValidateObjectMetaUpdate(obj, *old, errs);
    ValidateLimitRange(obj, errs);
  } else if (kind == "ResourceQuota") {
    if (old) ValidateObjectMetaUpdate(obj, *old, errs);
    ValidateResourceQuota(obj, errs);
  } else if (kind == "Binding") {
    std::string tk = Str(GetPath(obj, {"target", "kind"}));
    if (!tk.empty() && tk != "Node") errs.push_back(NotSupportedStr("target.kind", tk, {"Node", "<empty>"}));
    if (Str(GetPath(obj, {"target", "name"})).empty()) errs.push_back(Required("target.name"));
  }
}

void ValidateCoreStatus(std::string_view kind, const json& obj, const json& old, FieldErrors& errs) {
  if (kind == "Pod") {
    AppendAll(errs, ValidatePodStatusUpdate(obj, old));
    return;
  }
  ValidateObjectMetaUpdate(obj, old, errs);
  if (kind == "Service") {
    AppendAll(errs, ValidateServiceStatus(obj));
  } else if (kind == "Namespace") {
    std::string phase = Str(GetPath(obj, {"status", "phase"}));
    if (GetPath(obj, {"metadata", "deletionTimestamp"}) == nullptr) {
      if (phase != "Active") {
        errs.push_back(
            InvalidStr("status.Phase", phase, "may only be 'Active' if `deletionTimestamp` is empty"));
      }
    } else if (phase != "Terminating") {
      errs.push_back(
          InvalidStr("status.Phase", phase, "may only be 'Terminating' if `deletionTimestamp` is not empty"));
    }
  } else if (kind == "Node") {
    ValidateNodeResources(obj, errs);
  } else if (kind == "ResourceQuota") {
    ValidateResourceQuota(obj, errs);
  } else if (kind == "PersistentVolumeClaim") {
    const json* cap = GetPath(obj, {"status", "capacity"});
    if (IsObj(cap)) {
      for (auto it = cap->begin(); it != cap->end(); ++it) {
        if (QuantityNegative(*it))
          errs.push_back(InvalidStr(Key("status.capacity", it.key()), Str(&*it), std::string(kNegativeMsg)));
      }
    }
  } else if (kind == "PersistentVolume") {
    std::string phase = Str(GetPath(obj, {"status", "phase"}));
    static const std::vector<std::string> kPhases = {"Pending", "Available", "Bound", "Released", "Failed"};
    if (!phase.empty() && std::find(kPhases.begin(), kPhases.end(), phase) == kPhases.end()) {
      errs.push_back(NotSupportedStr("status.phase", phase, kPhases));
    }
  }
}

}  // namespace kubepp::apiserver::strategy::internal
