#include <arpa/inet.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "api/labels.h"
#include "api/labels_json.h"
#include "api/names.h"
#include "api/quantity.h"
#include "apiserver/strategy/internal.h"

namespace kubepp::apiserver::strategy::internal {

// ---- JSON access

const json* Get(const json& o, std::string_view key) {
  if (!o.is_object()) return nullptr;
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) return nullptr;
  return &*it;
}

const json* GetPath(const json& o, std::initializer_list<std::string_view> path) {
  const json* cur = &o;
  for (std::string_view k : path) {
    cur = Get(*cur, k);
    if (cur == nullptr) return nullptr;
  }
  return cur;
}

bool Has(const json& o, std::string_view key) { return Get(o, key) != nullptr; }
bool IsObj(const json* v) { return v != nullptr && v->is_object(); }
bool IsArr(const json* v) { return v != nullptr && v->is_array(); }

std::string Str(const json* v) {
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}
std::string Str(const json& o, std::string_view key) { return Str(Get(o, key)); }

std::optional<int64_t> Int(const json* v) {
  if (v == nullptr) return std::nullopt;
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    return u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
  }
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9.2e18) return static_cast<int64_t>(d);
  }
  return std::nullopt;
}
std::optional<int64_t> Int(const json& o, std::string_view key) { return Int(Get(o, key)); }

std::optional<bool> Bool(const json* v) {
  if (v == nullptr || !v->is_boolean()) return std::nullopt;
  return v->get<bool>();
}
std::optional<bool> Bool(const json& o, std::string_view key) { return Bool(Get(o, key)); }

const std::vector<json>& Arr(const json* v) {
  static const std::vector<json> kEmpty;
  if (v == nullptr || !v->is_array()) return kEmpty;
  return v->get_ref<const json::array_t&>();
}
const std::vector<json>& Arr(const json& o, std::string_view key) { return Arr(Get(o, key)); }

std::map<std::string, std::string> StrMap(const json* v) {
  std::map<std::string, std::string> out;
  if (v == nullptr || !v->is_object()) return out;
  for (auto it = v->begin(); it != v->end(); ++it) {
    if (it->is_string()) out[it.key()] = it->get<std::string>();
  }
  return out;
}

json& Obj(json& o, std::string_view key) {
  if (!o.is_object()) o = json::object();
  json& v = o[std::string(key)];
  if (!v.is_object()) v = json::object();
  return v;
}

void SetDefault(json& o, std::string_view key, json value) {
  if (!o.is_object()) return;
  auto it = o.find(key);
  if (it == o.end() || it->is_null()) o[std::string(key)] = std::move(value);
}

const json& ObjOrEmpty(const json* v) {
  static const json kEmpty = json::object();
  return IsObj(v) ? *v : kEmpty;
}
const json& SpecOf(const json& o) { return ObjOrEmpty(Get(o, "spec")); }

bool Changed(const json* a, const json* b) { return (a == nullptr) != (b == nullptr) || (a && *a != *b); }

// ---- Paths

std::string Child(std::string_view path, std::string_view name) { return api::JoinFieldPath(path, name); }
std::string Index(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}
std::string Key(std::string_view path, std::string_view key) {
  return std::string(path) + "[" + std::string(key) + "]";
}

// ---- Rendering

std::string Quote(std::string_view s) { return api::GoQuote(s); }

std::string RenderScalar(const json* v) {
  if (v == nullptr || v->is_null()) return "null";
  if (v->is_string()) return Quote(v->get<std::string>());
  if (v->is_boolean()) return v->get<bool>() ? "true" : "false";
  if (auto i = Int(v)) return std::to_string(*i);
  return v->dump();
}

std::string GoStringSlice(const std::vector<std::string>& v) {
  std::string out = "[]string{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += ", ";
    out += Quote(v[i]);
  }
  return out + "}";
}

std::string RenderStringSlice(const json* v) {
  if (!IsArr(v)) return "[]string(nil)";
  std::vector<std::string> items;
  for (const json& e : Arr(v)) items.push_back(e.is_string() ? e.get<std::string>() : e.dump());
  return GoStringSlice(items);
}

std::string RenderStringMap(const json* v) {
  if (!IsObj(v)) return "map[string]string(nil)";
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& [k, val] : StrMap(v)) {
    if (!first) out += ", ";
    first = false;
    out += Quote(k) + ":" + Quote(val);
  }
  return out + "}";
}

std::string RenderLabelSelector(const json* v) {
  if (!IsObj(v)) return "null";
  std::string out =
      "v1.LabelSelector{MatchLabels:" + RenderStringMap(Get(*v, "matchLabels")) + ", MatchExpressions:";
  const json* exprs = Get(*v, "matchExpressions");
  if (!IsArr(exprs)) {
    out += "[]v1.LabelSelectorRequirement(nil)";
  } else {
    out += "[]v1.LabelSelectorRequirement{";
    bool first = true;
    for (const json& e : Arr(exprs)) {
      if (!first) out += ", ";
      first = false;
      out += "v1.LabelSelectorRequirement{Key:" + Quote(Str(e, "key")) +
             ", Operator:" + Quote(Str(e, "operator")) + ", Values:" + RenderStringSlice(Get(e, "values")) +
             "}";
    }
    out += "}";
  }
  return out + "}";
}

std::string RenderIntOrString(const json* v) {
  if (v != nullptr && v->is_string()) {
    return "intstr.IntOrString{Type:1, IntVal:0, StrVal:" + Quote(v->get<std::string>()) + "}";
  }
  int64_t i = Int(v).value_or(0);
  return "intstr.IntOrString{Type:0, IntVal:" + std::to_string(i) + ", StrVal:\"\"}";
}

// ---- Errors

FieldError Invalid(std::string path, std::string rendered, std::string detail) {
  return FieldError::Invalid(std::move(path), std::move(rendered), std::move(detail));
}
FieldError InvalidStr(std::string path, std::string_view value, std::string detail) {
  return FieldError::InvalidString(std::move(path), value, std::move(detail));
}
FieldError InvalidInt(std::string path, int64_t value, std::string detail) {
  return FieldError::Invalid(std::move(path), std::to_string(value), std::move(detail));
}
FieldError Required(std::string path, std::string detail) {
  return FieldError::Required(std::move(path), std::move(detail));
}
FieldError Forbidden(std::string path, std::string detail) {
  return FieldError::Forbidden(std::move(path), std::move(detail));
}
FieldError NotSupported(std::string path, std::string rendered, const std::vector<std::string>& valid) {
  std::string detail;
  if (!valid.empty()) {
    detail = "supported values: ";
    for (size_t i = 0; i < valid.size(); ++i) {
      if (i > 0) detail += ", ";
      detail += Quote(valid[i]);
    }
  }
  return {FieldError::Type::kNotSupported, std::move(path), std::move(rendered), std::move(detail)};
}
FieldError NotSupportedStr(std::string path, std::string_view value, const std::vector<std::string>& valid) {
  return NotSupported(std::move(path), Quote(value), valid);
}
FieldError Duplicate(std::string path, std::string rendered) {
  return {FieldError::Type::kDuplicate, std::move(path), std::move(rendered), ""};
}
FieldError TooLong(std::string path, int64_t max_bytes) {
  return {FieldError::Type::kTooLong, std::move(path), "",
          "may not be more than " + std::to_string(max_bytes) + (max_bytes == 1 ? " byte" : " bytes")};
}
FieldError NotFound(std::string path, std::string rendered) {
  return FieldError::Invalid(std::move(path), std::move(rendered), "not found");
}

// ---- Common checks

void NonNegative(const json& o, std::string_view key, const std::string& path, FieldErrors& errs) {
  if (auto v = Int(o, key); v && *v < 0) errs.push_back(InvalidInt(path, *v, std::string(kNegativeMsg)));
}

void AppendAll(FieldErrors& errs, FieldErrors more) {
  for (auto& e : more) errs.push_back(std::move(e));
}

std::string InclusiveRangeError(int64_t lo, int64_t hi) {
  return "must be between " + std::to_string(lo) + " and " + std::to_string(hi) + ", inclusive";
}

std::vector<std::string> IsValidPortNum(int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {InclusiveRangeError(1, 65535)};
}

std::vector<std::string> IsValidPortName(std::string_view port) {
  std::vector<std::string> errs;
  if (port.size() > 15) errs.push_back("must be no more than 15 characters");
  bool charset = !port.empty();
  bool letter = false;
  for (char c : port) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) charset = false;
    if (c >= 'a' && c <= 'z') letter = true;
  }
  if (!charset) {
    errs.push_back("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  } else if (!letter) {
    errs.push_back("must contain at least one letter (a-z)");
  } else if (port.find("--") != std::string_view::npos) {
    errs.push_back("must not contain consecutive hyphens");
  } else if (port.front() == '-' || port.back() == '-') {
    errs.push_back("must not begin or end with a hyphen");
  }
  return errs;
}

namespace {

// Upstream's RegexError, including its "',  or '" spacing.
std::string RegexError(std::string_view msg, std::string_view fmt,
                       std::initializer_list<std::string_view> examples) {
  std::string out(msg);
  out += " (e.g. ";
  bool first = true;
  for (std::string_view e : examples) {
    if (!first) out += " or ";
    first = false;
    out += "'" + std::string(e) + "', ";
  }
  return out + "regex used for validation is '" + std::string(fmt) + "')";
}

std::vector<std::string> ChDirPrefix(std::string_view v) {
  if (v == ".") return {"must not be '.'"};
  if (v == "..") return {"must not be '..'"};
  if (v.substr(0, 2) == "..") return {"must not start with '..'"};
  return {};
}

}  // namespace

std::vector<std::string> IsConfigMapKey(std::string_view key) {
  std::vector<std::string> errs;
  if (key.size() > api::kDNS1123SubdomainMaxLength) errs.push_back("must be no more than 253 characters");
  bool ok = !key.empty();
  for (char c : key) {
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
          c == '.' || c == '_')) {
      ok = false;
    }
  }
  if (!ok) {
    errs.push_back(RegexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'",
                              "[-._a-zA-Z0-9]+", {"key.name", "KEY_NAME", "key-name"}));
  }
  for (auto& m : ChDirPrefix(key)) errs.push_back(m);
  return errs;
}

std::vector<std::string> IsRelaxedEnvVarName(std::string_view name) {
  std::vector<std::string> errs;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 32 || u > 126 || c == '=') {
      errs.push_back(
          "a valid environment variable name must consist only of printable ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

std::vector<std::string> IsValidPercent(std::string_view v) {
  bool ok = v.size() >= 2 && v.back() == '%';
  for (size_t i = 0; ok && i + 1 < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') ok = false;
  }
  if (ok) return {};
  return {RegexError("a valid percent string must be a numeric string followed by an ending '%'", "[0-9]+%",
                     {"1%", "93%"})};
}

bool IsValidIP(std::string_view s, bool* is_v6) {
  std::string str(s);
  unsigned char buf[16];
  if (inet_pton(AF_INET, str.c_str(), buf) == 1) {
    if (is_v6) *is_v6 = false;
    return true;
  }
  if (inet_pton(AF_INET6, str.c_str(), buf) == 1) {
    if (is_v6) *is_v6 = true;
    return true;
  }
  return false;
}

void ValidateIP(const std::string& path, std::string_view ip, FieldErrors& errs) {
  if (!IsValidIP(ip)) {
    errs.push_back(InvalidStr(path, ip, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"));
  }
}

void ValidateCIDR(const std::string& path, std::string_view cidr, FieldErrors& errs) {
  size_t slash = cidr.find('/');
  bool ok = slash != std::string_view::npos;
  if (ok) {
    bool v6 = false;
    ok = IsValidIP(cidr.substr(0, slash), &v6);
    std::string_view bits = cidr.substr(slash + 1);
    ok = ok && !bits.empty() && bits.size() <= 3 &&
         std::all_of(bits.begin(), bits.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (ok) {
      int n = std::atoi(std::string(bits).c_str());
      ok = n >= 0 && n <= (v6 ? 128 : 32);
    }
  }
  if (!ok) {
    errs.push_back(InvalidStr(path, cidr, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"));
  }
}

void ValidateDNS1123Label(const std::string& path, std::string_view v, FieldErrors& errs) {
  for (auto& m : api::IsDNS1123Label(v)) errs.push_back(InvalidStr(path, v, m));
}
void ValidateDNS1123Subdomain(const std::string& path, std::string_view v, FieldErrors& errs) {
  for (auto& m : api::IsDNS1123Subdomain(v)) errs.push_back(InvalidStr(path, v, m));
}
void ValidateQualifiedName(const std::string& path, std::string_view v, FieldErrors& errs) {
  for (auto& m : api::IsQualifiedName(v)) errs.push_back(InvalidStr(path, v, m));
}

void ValidateLabelsAt(const json* labels, const std::string& path, FieldErrors& errs) {
  if (!IsObj(labels)) return;
  // Unlike StrMap, a non-string value still gets its key checked (as "").
  std::map<std::string, std::string> m;
  for (auto it = labels->begin(); it != labels->end(); ++it) m[it.key()] = Str(&*it);
  AppendAll(errs, api::ValidateLabels(m, path));
}

void ValidateAnnotationsAt(const json* annotations, const std::string& path, FieldErrors& errs) {
  if (!IsObj(annotations)) return;
  AppendAll(errs, api::ValidateAnnotations(StrMap(annotations), path));
}

namespace {

// For validation: unlike api::LabelSelectorSpecFromJson, non-string values
// are kept (dumped) so that ValidateLabelSelector reports them.
api::LabelSelectorSpec ToSpec(const json& sel) {
  api::LabelSelectorSpec spec;
  spec.match_labels = StrMap(Get(sel, "matchLabels"));
  for (const json& e : Arr(sel, "matchExpressions")) {
    api::LabelSelectorRequirementSpec r;
    r.key = Str(e, "key");
    r.op = Str(e, "operator");
    for (const json& v : Arr(e, "values"))
      r.values.push_back(v.is_string() ? v.get<std::string>() : v.dump());
    spec.match_expressions.push_back(std::move(r));
  }
  return spec;
}

}  // namespace

void ValidateSelectorAt(const json* selector, const std::string& path, FieldErrors& errs) {
  if (!IsObj(selector)) return;
  AppendAll(errs, api::ValidateLabelSelector(ToSpec(*selector), path));
}

std::optional<bool> SelectorMatches(const json* selector, const std::map<std::string, std::string>& labels) {
  if (!IsObj(selector)) return false;
  auto sel = api::LabelSelectorFromJson(selector);
  if (!sel.ok()) return std::nullopt;
  return sel->Matches(labels);
}

bool SelectorEmpty(const json* selector) {
  if (!IsObj(selector)) return true;
  const json* ml = Get(*selector, "matchLabels");
  return (!IsObj(ml) || ml->empty()) && Arr(*selector, "matchExpressions").empty();
}

// ---- Quantities

namespace {
std::optional<api::Quantity> ParseQ(const json& v) {
  std::string text;
  if (v.is_string()) {
    text = v.get<std::string>();
  } else if (v.is_number()) {
    text = v.dump();
  } else {
    return std::nullopt;
  }
  auto q = api::Quantity::Parse(text);
  if (!q.ok()) return std::nullopt;
  return *q;
}
}  // namespace

std::optional<std::string> CanonicalQuantity(const json& v) {
  auto q = ParseQ(v);
  if (!q) return std::nullopt;
  return q->CanonicalString();
}

int CompareQuantity(const json& a, const json& b) {
  auto qa = ParseQ(a);
  auto qb = ParseQ(b);
  if (!qa || !qb) return 0;
  return qa->Compare(*qb);
}

bool QuantityNegative(const json& v) {
  auto q = ParseQ(v);
  return q && q->Sign() < 0;
}

bool QuantityIsInteger(const json& v) {
  auto q = ParseQ(v);
  return !q || q->MilliValue() % 1000 == 0;
}

// ---- Names

namespace {
// upstream maskTrailingDash: a generateName may end in '-'.
std::string MaskTrailingDash(std::string_view name) {
  if (name.size() > 1 && name.back() == '-') return std::string(name.substr(0, name.size() - 2)) + "a";
  return std::string(name);
}
}  // namespace

std::vector<std::string> ValidateName(NameRule rule, std::string_view name, bool prefix) {
  std::string n = prefix && rule != NameRule::kPathSegment ? MaskTrailingDash(name) : std::string(name);
  switch (rule) {
    case NameRule::kDNS1123Subdomain:
      return api::IsDNS1123Subdomain(n);
    case NameRule::kDNS1123Label:
      return api::IsDNS1123Label(n);
    case NameRule::kDNS1035Label:
      return api::IsDNS1035Label(n);
    case NameRule::kPathSegment: {
      std::vector<std::string> msgs = api::IsValidPathSegmentName(n);
      if (prefix) {
        // A prefix may be "." or ".." (a suffix follows); only the
        // forbidden characters matter.
        std::erase_if(msgs, [](const std::string& m) { return m.rfind("may not contain", 0) != 0; });
      }
      return msgs;
    }
    case NameRule::kAny:
      return {};
  }
  return {};
}

// ---- ObjectMeta

namespace {

bool IsStandardFinalizer(std::string_view f) {
  return f == "kubernetes" || f == "orphan" || f == "foregroundDeletion";
}

void ValidateFinalizers(const json& meta, FieldErrors& errs) {
  const std::vector<json>& fins = Arr(meta, "finalizers");
  bool orphan = false;
  bool foreground = false;
  for (const json& f : fins) {
    std::string s = f.is_string() ? f.get<std::string>() : std::string();
    ValidateQualifiedName("metadata.finalizers", s, errs);
    orphan = orphan || s == "orphan";
    foreground = foreground || s == "foregroundDeletion";
  }
  if (orphan && foreground) {
    errs.push_back(Invalid("metadata.finalizers", RenderStringSlice(Get(meta, "finalizers")),
                           "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  for (size_t i = 0; i < fins.size(); ++i) {
    std::string s = fins[i].is_string() ? fins[i].get<std::string>() : std::string();
    if (s.find('/') == std::string::npos && !IsStandardFinalizer(s)) {
      errs.push_back(InvalidStr(Index("metadata.finalizers", i), s,
                                "name is neither a standard finalizer name nor is it fully qualified"));
    }
  }
}

void ValidateOwnerReferences(const json& meta, FieldErrors& errs) {
  const std::string path = "metadata.ownerReferences";
  std::string first_controller;
  for (const json& ref : Arr(meta, "ownerReferences")) {
    std::string api_version = Str(ref, "apiVersion");
    std::string version =
        api_version.substr(api_version.find('/') == std::string::npos ? 0 : api_version.find('/') + 1);
    if (version.empty())
      errs.push_back(InvalidStr(Child(path, "apiVersion"), api_version, "version must not be empty"));
    if (Str(ref, "kind").empty())
      errs.push_back(InvalidStr(Child(path, "kind"), Str(ref, "kind"), "must not be empty"));
    if (Str(ref, "name").empty())
      errs.push_back(InvalidStr(Child(path, "name"), Str(ref, "name"), "must not be empty"));
    if (Str(ref, "uid").empty())
      errs.push_back(InvalidStr(Child(path, "uid"), Str(ref, "uid"), "must not be empty"));
    if (api_version == "v1" && Str(ref, "kind") == "Event") {
      errs.push_back(Invalid(path, ref.dump(), "/v1, Kind=Event is disallowed from being an owner"));
    }
    if (Bool(ref, "controller").value_or(false)) {
      std::string cur = Str(ref, "kind") + "/" + Str(ref, "name");
      if (!first_controller.empty()) {
        errs.push_back(
            Invalid(path, Get(meta, "ownerReferences")->dump(),
                    "Only one reference can have Controller set to true. Found \"true\" in references for " +
                        first_controller + " and " + cur));
      } else {
        first_controller = cur;
      }
    }
  }
}

void ValidateMetaCommon(const json& meta, FieldErrors& errs) {
  if (auto g = Int(meta, "generation"); g && *g < 0) {
    errs.push_back(InvalidInt("metadata.generation", *g, std::string(kNegativeMsg)));
  }
  ValidateLabelsAt(Get(meta, "labels"), "metadata.labels", errs);
  ValidateAnnotationsAt(Get(meta, "annotations"), "metadata.annotations", errs);
  ValidateOwnerReferences(meta, errs);
  ValidateFinalizers(meta, errs);
}

}  // namespace

void ValidateObjectMeta(const json& obj, bool namespaced, NameRule rule, FieldErrors& errs) {
  const json& meta = ObjOrEmpty(Get(obj, "metadata"));
  std::string generate_name = Str(meta, "generateName");
  if (!generate_name.empty()) {
    for (auto& msg : ValidateName(rule, generate_name, true)) {
      errs.push_back(InvalidStr("metadata.generateName", generate_name, msg));
    }
  }
  std::string name = Str(meta, "name");
  if (name.empty()) {
    errs.push_back(Required("metadata.name", "name or generateName is required"));
  } else {
    for (auto& msg : ValidateName(rule, name, false)) errs.push_back(InvalidStr("metadata.name", name, msg));
  }
  std::string ns = Str(meta, "namespace");
  if (namespaced) {
    if (ns.empty()) {
      errs.push_back(Required("metadata.namespace"));
    } else {
      for (auto& msg : api::IsDNS1123Label(ns)) errs.push_back(InvalidStr("metadata.namespace", ns, msg));
    }
  } else if (!ns.empty()) {
    errs.push_back(Forbidden("metadata.namespace", "not allowed on this type"));
  }
  ValidateMetaCommon(meta, errs);
}

void ValidateObjectMetaUpdate(const json& obj, const json& old, FieldErrors& errs) {
  const json& meta = ObjOrEmpty(Get(obj, "metadata"));
  const json& old_meta = ObjOrEmpty(Get(old, "metadata"));
  if (Has(old_meta, "deletionTimestamp")) {
    std::set<std::string> before;
    for (const json& f : Arr(old_meta, "finalizers")) before.insert(Str(&f));
    std::set<std::string> extra;
    for (const json& f : Arr(meta, "finalizers")) {
      if (!before.count(Str(&f))) extra.insert(Str(&f));
    }
    if (!extra.empty()) {
      errs.push_back(
          Forbidden("metadata.finalizers",
                    "no new finalizers can be added if the object is being deleted, found new finalizers " +
                        GoStringSlice(std::vector<std::string>(extra.begin(), extra.end()))));
    }
  }
  auto immutable = [&](std::string_view key) {
    std::string now = Str(meta, key);
    if (now != Str(old_meta, key)) {
      errs.push_back(InvalidStr("metadata." + std::string(key), now, std::string(kImmutableMsg)));
    }
  };
  immutable("name");
  immutable("namespace");
  if (Has(meta, "uid")) immutable("uid");
  ValidateMetaCommon(meta, errs);
}

void ValidateObjectMetaFor(const json& obj, const json* old, bool namespaced, NameRule rule,
                           FieldErrors& errs) {
  if (old) {
    ValidateObjectMetaUpdate(obj, *old, errs);
  } else {
    ValidateObjectMeta(obj, namespaced, rule, errs);
  }
}

}  // namespace kubepp::apiserver::strategy::internal
