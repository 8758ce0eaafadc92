// Validation of apps/v1 (Deployment, ReplicaSet, StatefulSet, DaemonSet,
// ControllerRevision) and batch/v1 (Job, CronJob), after upstream
// pkg/apis/{apps,batch}/validation and the registries' update rules.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <climits>

#include "api/names.h"
#include "apiserver/strategy/internal.h"
#include "common/strings.h"

namespace kubepp::apiserver::strategy::internal {
namespace {

const json* TemplateLabels(const json& spec) { return GetPath(spec, {"template", "metadata", "labels"}); }

// ---- shared workload checks

// Selector required / valid / non-empty, then the template labels must
// match it (apps' ValidatePodTemplateSpecForReplicaSet pattern).
void ValidateSelectorAndTemplate(const json& spec, std::string_view what, FieldErrors& errs) {
  const json* sel = Get(spec, "selector");
  if (sel == nullptr) {
    errs.push_back(Required("spec.selector"));
  } else {
    ValidateSelectorAt(sel, "spec.selector", errs);
    if (SelectorEmpty(sel)) {
      errs.push_back(Invalid("spec.selector", RenderLabelSelector(sel),
                             "empty selector is invalid for " + std::string(what)));
    }
  }
  auto matches = SelectorMatches(sel, StrMap(TemplateLabels(spec)));
  if (!matches) {
    errs.push_back(Invalid("spec.selector", RenderLabelSelector(sel), "invalid label selector"));
    return;
  }
  // A nil selector converts to Nothing (matches no labels); an empty one to
  // Everything, which upstream does not check against the labels.
  if ((sel == nullptr || !SelectorEmpty(sel)) && !*matches) {
    errs.push_back(Invalid("spec.template.metadata.labels", RenderStringMap(TemplateLabels(spec)),
                           "`selector` does not match template `labels`"));
  }
}

void RequireRestartAlways(const json& spec, std::string_view kind, FieldErrors& errs) {
  std::string rp = Str(GetPath(spec, {"template", "spec", "restartPolicy"}));
  if (rp != "Always") errs.push_back(NotSupportedStr("spec.template.spec.restartPolicy", rp, {"Always"}));
  if (GetPath(spec, {"template", "spec", "activeDeadlineSeconds"}) != nullptr) {
    errs.push_back(Forbidden("spec.template.spec.activeDeadlineSeconds",
                             "activeDeadlineSeconds in " + std::string(kind) + " is not Supported"));
  }
}

int64_t IntOrPercentValue(const json* v) {
  if (v != nullptr && v->is_string()) {
    std::string s = v->get<std::string>();
    if (IsValidPercent(s).empty()) return std::atoll(s.substr(0, s.size() - 1).c_str());
    return 0;
  }
  return Int(v).value_or(0);
}

void ValidatePositiveIntOrPercent(const json* v, const std::string& path, FieldErrors& errs) {
  if (v == nullptr) return;
  if (v->is_string()) {
    for (auto& m : IsValidPercent(v->get<std::string>()))
      errs.push_back(Invalid(path, RenderIntOrString(v), m));
  } else if (auto i = Int(v); i && *i < 0) {
    errs.push_back(InvalidInt(path, *i, std::string(kNegativeMsg)));
  }
}

void NotMoreThan100Percent(const json* v, const std::string& path, FieldErrors& errs) {
  if (v == nullptr || !v->is_string() || !IsValidPercent(v->get<std::string>()).empty()) return;
  if (IntOrPercentValue(v) > 100)
    errs.push_back(Invalid(path, RenderIntOrString(v), "must not be greater than 100%"));
}

void SelectorImmutable(const json& obj, const json& old, FieldErrors& errs) {
  const json* a = GetPath(obj, {"spec", "selector"});
  const json* b = GetPath(old, {"spec", "selector"});
  if (Changed(a, b)) {
    errs.push_back(Invalid("spec.selector", RenderLabelSelector(a), std::string(kImmutableMsg)));
  }
}

// ---- Deployment

void ValidateDeploymentSpec(const json& spec, FieldErrors& errs) {
  NonNegative(spec, "replicas", "spec.replicas", errs);
  ValidateSelectorAndTemplate(spec, "deployment", errs);
  ValidatePodTemplateSpec(Get(spec, "template"), "spec.template", errs);
  RequireRestartAlways(spec, "ReplicaSet", errs);
  const json* strategy = Get(spec, "strategy");
  const json& st = ObjOrEmpty(strategy);
  std::string type = Str(st, "type");
  if (type == "Recreate") {
    if (Has(st, "rollingUpdate")) {
      errs.push_back(Forbidden("spec.strategy.rollingUpdate",
                               "may not be specified when strategy `type` is 'Recreate'"));
    }
  } else if (type == "RollingUpdate") {
    const json* ru = Get(st, "rollingUpdate");
    if (!IsObj(ru)) {
      errs.push_back(Required("spec.strategy.rollingUpdate", "this should be defaulted and never be nil"));
    } else {
      const json* mu = Get(*ru, "maxUnavailable");
      const json* ms = Get(*ru, "maxSurge");
      ValidatePositiveIntOrPercent(mu, "spec.strategy.rollingUpdate.maxUnavailable", errs);
      ValidatePositiveIntOrPercent(ms, "spec.strategy.rollingUpdate.maxSurge", errs);
      if (IntOrPercentValue(mu) == 0 && IntOrPercentValue(ms) == 0) {
        errs.push_back(Invalid("spec.strategy.rollingUpdate.maxUnavailable", RenderIntOrString(mu),
                               "may not be 0 when `maxSurge` is 0"));
      }
      NotMoreThan100Percent(mu, "spec.strategy.rollingUpdate.maxUnavailable", errs);
    }
  } else {
    std::string rendered =
        "apps.DeploymentStrategy{Type:" + Quote(type) + ", RollingUpdate:" +
        (Has(st, "rollingUpdate") ? st["rollingUpdate"].dump() : "(*apps.RollingUpdateDeployment)(nil)") +
        "}";
    errs.push_back(NotSupported("spec.strategy", rendered, {"Recreate", "RollingUpdate"}));
  }
  NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errs);
  NonNegative(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", errs);
  if (const json* rb = Get(spec, "rollbackTo"); IsObj(rb))
    NonNegative(*rb, "revision", "spec.rollback.version", errs);
  if (auto pds = Int(spec, "progressDeadlineSeconds")) {
    if (*pds < 0) errs.push_back(InvalidInt("spec.progressDeadlineSeconds", *pds, std::string(kNegativeMsg)));
    if (*pds <= Int(spec, "minReadySeconds").value_or(0)) {
      errs.push_back(
          InvalidInt("spec.progressDeadlineSeconds", *pds, "must be greater than minReadySeconds"));
    }
  }
}

void ValidateReplicaSetSpec(const json& spec, FieldErrors& errs) {
  NonNegative(spec, "replicas", "spec.replicas", errs);
  NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errs);
  ValidateSelectorAndTemplate(spec, "deployment", errs);  // sic: upstream's wording for ReplicaSets too
  ValidatePodTemplateSpec(Get(spec, "template"), "spec.template", errs);
  RequireRestartAlways(spec, "ReplicaSet", errs);
}

// ---- StatefulSet

void ValidateStatefulSetSpec(const json& spec, FieldErrors& errs) {
  std::string pmp = Str(spec, "podManagementPolicy");
  if (pmp.empty()) {
    errs.push_back(Required("spec.podManagementPolicy"));
  } else if (pmp != "OrderedReady" && pmp != "Parallel") {
    errs.push_back(InvalidStr("spec.podManagementPolicy", pmp, "must be 'OrderedReady' or 'Parallel'"));
  }
  const json* us = Get(spec, "updateStrategy");
  const json& st = ObjOrEmpty(us);
  std::string type = Str(st, "type");
  if (type.empty()) {
    errs.push_back(Required("spec.updateStrategy"));
  } else if (type == "OnDelete") {
    if (Has(st, "rollingUpdate")) {
      errs.push_back(Invalid("spec.updateStrategy.rollingUpdate", st["rollingUpdate"].dump(),
                             "only allowed for updateStrategy 'RollingUpdate'"));
    }
  } else if (type == "RollingUpdate") {
    if (const json* ru = Get(st, "rollingUpdate"); IsObj(ru)) {
      NonNegative(*ru, "partition", "spec.updateStrategy.rollingUpdate.partition", errs);
      if (const json* mu = Get(*ru, "maxUnavailable")) {
        ValidatePositiveIntOrPercent(mu, "spec.updateStrategy.rollingUpdate.maxUnavailable", errs);
        if (IntOrPercentValue(mu) == 0)
          errs.push_back(Invalid("spec.updateStrategy.rollingUpdate.maxUnavailable", RenderIntOrString(mu),
                                 "cannot be 0"));
        NotMoreThan100Percent(mu, "spec.updateStrategy.rollingUpdate.maxUnavailable", errs);
      }
    }
  } else {
    errs.push_back(Invalid("spec.updateStrategy", st.dump(), "must be 'RollingUpdate' or 'OnDelete'"));
  }
  if (const json* pol = Get(spec, "persistentVolumeClaimRetentionPolicy"); IsObj(pol)) {
    for (std::string_view k : {"whenDeleted", "whenScaled"}) {
      std::string v = Str(*pol, k);
      if (v != "Retain" && v != "Delete") {
        errs.push_back(NotSupportedStr("spec.persistentVolumeClaimRetentionPolicy." + std::string(k), v,
                                       {"Retain", "Delete"}));
      }
    }
  }
  NonNegative(spec, "replicas", "spec.replicas", errs);
  NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errs);
  if (const json* ord = Get(spec, "ordinals"); IsObj(ord))
    NonNegative(*ord, "start", "spec.ordinals.start", errs);
  ValidateSelectorAndTemplate(spec, "statefulset", errs);
  // The pod template is validated with the claim templates as volumes, so
  // mounts of volumeClaimTemplates resolve.
  json tmpl = Get(spec, "template") ? spec["template"] : json::object();
  if (tmpl.is_object()) {
    json& pod_spec = Obj(tmpl, "spec");
    for (const json& vct : Arr(spec, "volumeClaimTemplates")) {
      std::string name = Str(GetPath(vct, {"metadata", "name"}));
      bool exists = false;
      for (const json& v : Arr(pod_spec, "volumes")) exists = exists || Str(v, "name") == name;
      if (!exists) {
        if (!pod_spec.contains("volumes") || !pod_spec["volumes"].is_array())
          pod_spec["volumes"] = json::array();
        pod_spec["volumes"].push_back({{"name", name}, {"persistentVolumeClaim", {{"claimName", name}}}});
      }
    }
  }
  FieldErrors tmpl_errs;
  ValidatePodTemplateSpec(&tmpl, "spec.template", tmpl_errs);
  // Volumes added above are ours: drop errors that only they can cause.
  for (auto& e : tmpl_errs) {
    if (e.field.rfind("spec.template.spec.volumes[", 0) == 0 &&
        std::stoul(e.field.substr(std::string("spec.template.spec.volumes[").size())) >=
            Arr(GetPath(spec, {"template", "spec", "volumes"})).size()) {
      continue;
    }
    errs.push_back(std::move(e));
  }
  RequireRestartAlways(spec, "StatefulSet", errs);
}

// ---- DaemonSet

void ValidateDaemonSetSpec(const json& spec, FieldErrors& errs) {
  const json* sel = Get(spec, "selector");
  ValidateSelectorAt(sel, "spec.selector", errs);
  auto matches = SelectorMatches(sel, StrMap(TemplateLabels(spec)));
  if (matches && !*matches) {
    errs.push_back(Invalid("spec.template.metadata.labels", RenderStringMap(TemplateLabels(spec)),
                           "`selector` does not match template `labels`"));
  }
  if (sel != nullptr && SelectorEmpty(sel)) {
    errs.push_back(
        Invalid("spec.selector", RenderLabelSelector(sel), "empty selector is invalid for daemonset"));
  }
  ValidatePodTemplateSpec(Get(spec, "template"), "spec.template", errs);
  RequireRestartAlways(spec, "DaemonSet", errs);
  NonNegative(spec, "minReadySeconds", "spec.minReadySeconds", errs);
  NonNegative(spec, "templateGeneration", "spec.templateGeneration", errs);
  const json* us = Get(spec, "updateStrategy");
  const json& st = ObjOrEmpty(us);
  std::string type = Str(st, "type");
  if (type == "RollingUpdate") {
    const json* ru = Get(st, "rollingUpdate");
    if (!IsObj(ru)) {
      errs.push_back(Required("spec.updateStrategy.rollingUpdate"));
    } else {
      const std::string rp = "spec.updateStrategy.rollingUpdate";
      const json* mu = Get(*ru, "maxUnavailable");
      const json* ms = Get(*ru, "maxSurge");
      ValidatePositiveIntOrPercent(mu, rp + ".maxUnavailable", errs);
      ValidatePositiveIntOrPercent(ms, rp + ".maxSurge", errs);
      NotMoreThan100Percent(mu, rp + ".maxUnavailable", errs);
      NotMoreThan100Percent(ms, rp + ".maxSurge", errs);
      bool has_unavailable = IntOrPercentValue(mu) != 0;
      bool has_surge = IntOrPercentValue(ms) != 0;
      if (has_unavailable && has_surge) {
        errs.push_back(Invalid(rp + ".maxSurge", RenderIntOrString(ms),
                               "may not be set when maxUnavailable is non-zero"));
      } else if (!has_unavailable && !has_surge) {
        errs.push_back(Required(rp + ".maxUnavailable", "cannot be 0 when maxSurge is 0"));
      }
    }
  } else if (type != "OnDelete") {
    errs.push_back(NotSupported("spec.updateStrategy", st.dump(), {"RollingUpdate", "OnDelete"}));
  }
  NonNegative(spec, "revisionHistoryLimit", "spec.revisionHistoryLimit", errs);
}

// ---- status checks shared by the replicated kinds

void ReplicaStatus(const json& obj, std::initializer_list<std::string_view> counters, FieldErrors& errs,
                   std::string_view available_vs_ready_msg) {
  const json* st = Get(obj, "status");
  const json& s = ObjOrEmpty(st);
  for (std::string_view c : counters) NonNegative(s, c, "status." + std::string(c), errs);
  int64_t replicas = Int(s, "replicas").value_or(0);
  for (std::string_view c :
       {"fullyLabeledReplicas", "updatedReplicas", "readyReplicas", "currentReplicas", "availableReplicas"}) {
    if (std::find(counters.begin(), counters.end(), c) == counters.end()) continue;
    if (auto v = Int(s, c); v && *v > replicas) {
      errs.push_back(InvalidInt("status." + std::string(c), *v, "cannot be greater than status.replicas"));
    }
  }
  if (!available_vs_ready_msg.empty()) {
    int64_t avail = Int(s, "availableReplicas").value_or(0);
    if (avail > Int(s, "readyReplicas").value_or(0)) {
      errs.push_back(InvalidInt("status.availableReplicas", avail, std::string(available_vs_ready_msg)));
    }
  }
}

void CollisionCountNotDecremented(const json& obj, const json& old, FieldErrors& errs) {
  auto o = Int(GetPath(old, {"status", "collisionCount"}));
  auto n = Int(GetPath(obj, {"status", "collisionCount"}));
  if (o && (!n || *n < *o))
    errs.push_back(InvalidInt("status.collisionCount", n.value_or(0), "cannot be decremented"));
}

// ---- Job / CronJob

bool CronFieldError(std::string_view field, int min, int max, const std::map<std::string, int>& names,
                    std::string* err) {
  size_t start = 0;
  while (true) {
    size_t comma = field.find(',', start);
    std::string expr(
        field.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
    auto parse_int = [&](const std::string& s, long long* out) -> bool {
      bool digits = !s.empty();
      size_t i = (s[0] == '-' || s[0] == '+') ? 1 : 0;
      if (i == s.size()) digits = false;
      for (size_t k = i; k < s.size(); ++k) digits = digits && std::isdigit(static_cast<unsigned char>(s[k]));
      if (!digits) {
        *err = "failed to parse int from " + s + ": strconv.Atoi: parsing " + Quote(s) + ": invalid syntax";
        return false;
      }
      if (s.size() > 18) {
        *err =
            "failed to parse int from " + s + ": strconv.Atoi: parsing " + Quote(s) + ": value out of range";
        return false;
      }
      *out = std::stoll(s);
      if (*out < 0) {
        *err = "negative number (" + std::to_string(*out) + ") not allowed: " + s;
        return false;
      }
      return true;
    };
    auto parse_int_or_name = [&](const std::string& s, long long* out) -> bool {
      std::string lower = AsciiLower(s);
      if (auto it = names.find(lower); it != names.end()) {
        *out = it->second;
        return true;
      }
      return parse_int(s, out);
    };
    std::vector<std::string> range_step;
    {
      size_t p = 0;
      while (true) {
        size_t slash = expr.find('/', p);
        range_step.push_back(expr.substr(p, slash == std::string::npos ? std::string::npos : slash - p));
        if (slash == std::string::npos) break;
        p = slash + 1;
      }
    }
    std::vector<std::string> low_high;
    {
      size_t p = 0;
      while (true) {
        size_t dash = range_step[0].find('-', p);
        low_high.push_back(range_step[0].substr(p, dash == std::string::npos ? std::string::npos : dash - p));
        if (dash == std::string::npos) break;
        p = dash + 1;
      }
    }
    long long lo = 0, hi = 0, step = 1;
    if (low_high[0] == "*" || low_high[0] == "?") {
      lo = min;
      hi = max;
    } else {
      if (!parse_int_or_name(low_high[0], &lo)) return true;
      if (low_high.size() == 1) {
        hi = lo;
      } else if (low_high.size() == 2) {
        if (!parse_int_or_name(low_high[1], &hi)) return true;
      } else {
        *err = "too many hyphens: " + expr;
        return true;
      }
    }
    if (range_step.size() == 2) {
      if (!parse_int(range_step[1], &step)) return true;
      if (low_high.size() == 1) hi = max;
    } else if (range_step.size() > 2) {
      *err = "too many slashes: " + expr;
      return true;
    }
    if (lo < min) {
      *err = "beginning of range (" + std::to_string(lo) + ") below minimum (" + std::to_string(min) +
             "): " + expr;
      return true;
    }
    if (hi > max) {
      *err = "end of range (" + std::to_string(hi) + ") above maximum (" + std::to_string(max) + "): " + expr;
      return true;
    }
    if (lo > hi) {
      *err = "beginning of range (" + std::to_string(lo) + ") beyond end of range (" + std::to_string(hi) +
             "): " + expr;
      return true;
    }
    if (step == 0) {
      *err = "step of range should be a positive number: " + expr;
      return true;
    }
    if (comma == std::string_view::npos) return false;
    start = comma + 1;
  }
}

// robfig/cron v3 ParseStandard's verdict on a schedule ("" when valid).
std::string CronError(std::string spec) {
  if (spec.empty()) return "empty spec string";
  if (spec.rfind("TZ=", 0) == 0 || spec.rfind("CRON_TZ=", 0) == 0) {
    size_t sp = spec.find(' ');
    if (sp == std::string::npos) sp = spec.size();
    std::string zone = spec.substr(spec.find('=') + 1, sp - spec.find('=') - 1);
    struct stat st;
    if (zone != "UTC" && zone != "Local" && stat(("/usr/share/zoneinfo/" + zone).c_str(), &st) != 0) {
      return "provided bad location " + zone + ": unknown time zone " + zone;
    }
    spec = sp < spec.size() ? spec.substr(sp + 1) : "";
    size_t b = spec.find_first_not_of(" \t");
    spec = b == std::string::npos ? "" : spec.substr(b);
  }
  if (!spec.empty() && spec[0] == '@') {
    static const std::set<std::string> kDescriptors = {"@yearly", "@annually", "@monthly", "@weekly",
                                                       "@daily",  "@midnight", "@hourly"};
    if (kDescriptors.count(spec)) return "";
    if (spec.rfind("@every ", 0) == 0) return "";
    return "unrecognized descriptor: " + spec;
  }
  std::vector<std::string> fields;
  size_t i = 0;
  while (i < spec.size()) {
    while (i < spec.size() && std::isspace(static_cast<unsigned char>(spec[i]))) ++i;
    size_t j = i;
    while (j < spec.size() && !std::isspace(static_cast<unsigned char>(spec[j]))) ++j;
    if (j > i) fields.push_back(spec.substr(i, j - i));
    i = j;
  }
  if (fields.size() != 5) {
    std::string list = "[";
    for (size_t k = 0; k < fields.size(); ++k) list += (k ? " " : "") + fields[k];
    return "expected exactly 5 fields, found " + std::to_string(fields.size()) + ": " + list + "]";
  }
  static const std::map<std::string, int> kNone;
  static const std::map<std::string, int> kMonths = {{"jan", 1}, {"feb", 2},  {"mar", 3},  {"apr", 4},
                                                     {"may", 5}, {"jun", 6},  {"jul", 7},  {"aug", 8},
                                                     {"sep", 9}, {"oct", 10}, {"nov", 11}, {"dec", 12}};
  static const std::map<std::string, int> kDays = {{"sun", 0}, {"mon", 1}, {"tue", 2}, {"wed", 3},
                                                   {"thu", 4}, {"fri", 5}, {"sat", 6}};
  struct Bounds {
    int min, max;
    const std::map<std::string, int>* names;
  };
  const Bounds bounds[5] = {
      {0, 59, &kNone}, {0, 23, &kNone}, {1, 31, &kNone}, {1, 12, &kMonths}, {0, 6, &kDays}};
  for (size_t f = 0; f < 5; ++f) {
    std::string err;
    if (CronFieldError(fields[f], bounds[f].min, bounds[f].max, *bounds[f].names, &err)) return err;
  }
  return "";
}

void ValidateJobSpecCommon(const json& spec, const std::string& path, FieldErrors& errs) {
  for (std::string_view k : {"parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                             "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes"}) {
    NonNegative(spec, k, Child(path, k), errs);
  }
  std::string mode = Str(spec, "completionMode");
  if (Has(spec, "completionMode")) {
    if (mode != "NonIndexed" && mode != "Indexed") {
      errs.push_back(NotSupportedStr(Child(path, "completionMode"), mode, {"NonIndexed", "Indexed"}));
    }
    if (mode == "Indexed") {
      if (!Has(spec, "completions"))
        errs.push_back(Required(Child(path, "completions"), "when completion mode is Indexed"));
      if (auto p = Int(spec, "parallelism"); p && *p > 100000) {
        errs.push_back(InvalidInt(Child(path, "parallelism"), *p,
                                  "must be less than or equal to 100000 when completion mode is Indexed"));
      }
    }
  }
  if (mode.empty() || mode == "NonIndexed") {
    if (Has(spec, "backoffLimitPerIndex")) {
      errs.push_back(Forbidden(Child(path, "backoffLimitPerIndex"), "requires indexed completion mode"));
    }
    if (Has(spec, "maxFailedIndexes")) {
      errs.push_back(Forbidden(Child(path, "maxFailedIndexes"), "requires indexed completion mode"));
    }
  }
  bool has_pfp = Has(spec, "podFailurePolicy");
  if (const json* prp = Get(spec, "podReplacementPolicy")) {
    std::string s = Str(prp);
    if (has_pfp) {
      if (s != "Failed") errs.push_back(NotSupportedStr(Child(path, "podReplacementPolicy"), s, {"Failed"}));
    } else if (s != "Failed" && s != "TerminatingOrFailed") {
      errs.push_back(
          NotSupportedStr(Child(path, "podReplacementPolicy"), s, {"Failed", "TerminatingOrFailed"}));
    }
  }
  ValidatePodTemplateSpec(Get(spec, "template"), Child(path, "template"), errs);
  std::string rp = Str(GetPath(spec, {"template", "spec", "restartPolicy"}));
  std::string rpp = Child(path, "template.spec.restartPolicy");
  if (rp == "Always" || rp.empty()) {
    errs.push_back(Required(rpp, "valid values: \"OnFailure\", \"Never\""));
  } else if (rp != "OnFailure" && rp != "Never") {
    errs.push_back(NotSupportedStr(rpp, rp, {"OnFailure", "Never"}));
  } else if (has_pfp && rp != "Never") {
    errs.push_back(InvalidStr(rpp, rp, "only \"Never\" is supported when podFailurePolicy is specified"));
  }
}

void ValidateJobSpec(const json& spec, FieldErrors& errs) {
  ValidateJobSpecCommon(spec, "spec", errs);
  const json* sel = Get(spec, "selector");
  if (sel == nullptr) {
    errs.push_back(Required("spec.selector"));
  } else {
    ValidateSelectorAt(sel, "spec.selector", errs);
  }
  auto matches = SelectorMatches(sel, StrMap(TemplateLabels(spec)));
  if (matches) {
    if (sel != nullptr && SelectorEmpty(sel)) errs.push_back(Required("spec.selector"));
    if (!*matches) {
      errs.push_back(Invalid("spec.template.metadata.labels", RenderStringMap(TemplateLabels(spec)),
                             "`selector` does not match template `labels`"));
    }
  }
}

void ValidateHasLabel(const json& spec, std::string_view key, const std::string& want, FieldErrors& errs) {
  const json* labels = TemplateLabels(spec);
  const json* v = IsObj(labels) ? Get(*labels, key) : nullptr;
  std::string path = "spec.template.metadata.labels[" + std::string(key) + "]";
  if (v == nullptr) {
    errs.push_back(Required(path, "must be '" + want + "'"));
  } else if (Str(v) != want) {
    errs.push_back(Invalid(path, RenderStringMap(labels), "must be '" + want + "'"));
  }
}

void ValidateJob(const json& job, FieldErrors& errs) {
  ValidateObjectMeta(job, true, NameRule::kDNS1123Subdomain, errs);
  const json& spec = SpecOf(job);
  std::string uid = Str(GetPath(job, {"metadata", "uid"}));
  std::string name = Str(GetPath(job, {"metadata", "name"}));
  if (!Bool(spec, "manualSelector").value_or(false) && Has(spec, "selector")) {
    if (uid.empty()) errs.push_back(Required("metadata.uid"));
    ValidateHasLabel(spec, "controller-uid", uid, errs);
    ValidateHasLabel(spec, "job-name", name, errs);
    ValidateHasLabel(spec, "batch.kubernetes.io/controller-uid", uid, errs);
    ValidateHasLabel(spec, "batch.kubernetes.io/job-name", name, errs);
    std::map<std::string, std::string> expected = {{"controller-uid", uid},
                                                   {"job-name", name},
                                                   {"batch.kubernetes.io/controller-uid", uid},
                                                   {"batch.kubernetes.io/job-name", name}};
    if (auto m = SelectorMatches(Get(spec, "selector"), expected); m && !*m) {
      errs.push_back(Invalid("spec.selector", RenderLabelSelector(Get(spec, "selector")),
                             "`selector` not auto-generated"));
    }
  }
  ValidateJobSpec(spec, errs);
  if (Str(spec, "completionMode") == "Indexed") {
    if (auto c = Int(spec, "completions"); c && *c > 0) {
      std::string host = name + "-" + std::to_string(*c - 1);
      if (!api::IsDNS1123Label(host).empty()) {
        errs.push_back(
            InvalidStr("metadata.name", name, "will not able to create pod with invalid DNS label: " + host));
      }
    }
  }
}

void ValidateJobUpdate(const json& job, const json& old, FieldErrors& errs) {
  ValidateObjectMetaUpdate(job, old, errs);
  const json& spec = SpecOf(job);
  const json& old_spec = SpecOf(old);
  ValidateJobSpec(spec, errs);
  const json* nc = Get(spec, "completions");
  const json* oc = Get(old_spec, "completions");
  bool elastic = Str(spec, "completionMode") == "Indexed" && nc && oc &&
                 Int(nc) == Int(spec, "parallelism") && Int(oc) == Int(old_spec, "parallelism");
  if (!elastic && Changed(nc, oc)) {
    errs.push_back(Invalid("spec.completions", RenderScalar(nc), std::string(kImmutableMsg)));
  }
  const json* ns = Get(spec, "selector");
  const json* os = Get(old_spec, "selector");
  if (Changed(ns, os)) {
    errs.push_back(Invalid("spec.selector", RenderLabelSelector(ns), std::string(kImmutableMsg)));
  }
  json nt = Get(spec, "template") ? spec["template"] : json::object();
  json ot = Get(old_spec, "template") ? old_spec["template"] : json::object();
  // A suspended Job that never started may change its scheduling directives.
  bool mutable_sched =
      Bool(old_spec, "suspend").value_or(false) && GetPath(old, {"status", "startTime"}) == nullptr;
  if (mutable_sched && ot.is_object() && nt.is_object()) {
    json& os_spec = Obj(ot, "spec");
    const json* ns_spec = Get(nt, "spec");
    for (std::string_view k : {"nodeSelector", "tolerations", "schedulingGates"}) {
      if (ns_spec && Has(*ns_spec, k)) {
        os_spec[std::string(k)] = (*ns_spec)[std::string(k)];
      } else {
        os_spec.erase(std::string(k));
      }
    }
    if (ns_spec && IsObj(Get(*ns_spec, "affinity"))) {
      if (const json* na = GetPath(*ns_spec, {"affinity", "nodeAffinity"})) {
        Obj(os_spec, "affinity")["nodeAffinity"] = *na;
      } else if (os_spec.contains("affinity") && os_spec["affinity"].is_object()) {
        os_spec["affinity"].erase("nodeAffinity");
      }
    } else if (os_spec.contains("affinity") && os_spec["affinity"].is_object()) {
      os_spec["affinity"].erase("nodeAffinity");
      if (os_spec["affinity"].empty()) os_spec.erase("affinity");
    }
    json& om = Obj(ot, "metadata");
    const json* nm = Get(nt, "metadata");
    for (std::string_view k : {"labels", "annotations"}) {
      if (nm && Has(*nm, k)) {
        om[std::string(k)] = (*nm)[std::string(k)];
      } else {
        om.erase(std::string(k));
      }
    }
  }
  auto norm = [](json t) {
    if (t.is_object() && t.contains("metadata") && t["metadata"].is_object()) {
      t["metadata"].erase("creationTimestamp");
      if (t["metadata"].empty()) t.erase("metadata");
    }
    return t;
  };
  if (norm(nt) != norm(ot)) errs.push_back(Invalid("spec.template", nt.dump(), std::string(kImmutableMsg)));
  for (std::string_view k :
       {"completionMode", "podFailurePolicy", "backoffLimitPerIndex", "successPolicy", "managedBy"}) {
    const json* a = Get(spec, k);
    const json* b = Get(old_spec, k);
    if (Changed(a, b)) {
      errs.push_back(Invalid(Child("spec", k), RenderScalar(a), std::string(kImmutableMsg)));
    }
  }
}

void ValidateJobTemplateSpec(const json* jt, const std::string& path, FieldErrors& errs) {
  const json& t = ObjOrEmpty(jt);
  const json* meta = Get(t, "metadata");
  if (IsObj(meta)) {
    ValidateLabelsAt(Get(*meta, "labels"), Child(path, "metadata.labels"), errs);
    ValidateAnnotationsAt(Get(*meta, "annotations"), Child(path, "metadata.annotations"), errs);
  }
  const json* s = Get(t, "spec");
  const json& spec = ObjOrEmpty(s);
  ValidateJobSpecCommon(spec, Child(path, "spec"), errs);
  if (const json* sel = Get(spec, "selector")) {
    errs.push_back(
        Invalid(Child(path, "spec.selector"), RenderLabelSelector(sel), "`selector` will be auto-generated"));
  }
  if (Bool(spec, "manualSelector").value_or(false)) {
    errs.push_back(NotSupported(Child(path, "spec.manualSelector"), "true", {"nil", "false"}));
  }
}

void ValidateCronJob(const json& cj, const json* old, FieldErrors& errs) {
  const json& spec = SpecOf(cj);
  std::string schedule = Str(spec, "schedule");
  if (schedule.empty()) {
    errs.push_back(Required("spec.schedule"));
  } else {
    if (std::string e = CronError(schedule); !e.empty())
      errs.push_back(InvalidStr("spec.schedule", schedule, e));
    bool allow_tz =
        old != nullptr && Str(GetPath(*old, {"spec", "schedule"})).find("TZ") != std::string::npos;
    if (allow_tz && schedule.find("TZ") != std::string::npos && Has(spec, "timeZone")) {
      errs.push_back(InvalidStr("spec.schedule", schedule,
                                "cannot use both timeZone field and TZ or CRON_TZ in schedule"));
    } else if (!allow_tz && schedule.find("TZ") != std::string::npos) {
      errs.push_back(InvalidStr("spec.schedule", schedule,
                                "cannot use TZ or CRON_TZ in schedule, use timeZone field instead"));
    }
  }
  NonNegative(spec, "startingDeadlineSeconds", "spec.startingDeadlineSeconds", errs);
  if (const json* tz = Get(spec, "timeZone")) {
    bool changed = old == nullptr || Str(GetPath(*old, {"spec", "timeZone"})) != Str(tz);
    std::string z = Str(tz);
    if (changed) {
      struct stat st;
      if (z.empty()) {
        errs.push_back(InvalidStr("spec.timeZone", z, "timeZone must be nil or non-empty string"));
      } else if (z == "Local" || z == "local") {
        errs.push_back(InvalidStr(
            "spec.timeZone", z,
            "timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones"));
      } else if (z != "UTC" && (z.find("..") != std::string::npos ||
                                stat(("/usr/share/zoneinfo/" + z).c_str(), &st) != 0)) {
        errs.push_back(InvalidStr("spec.timeZone", z, "unknown time zone " + z));
      }
    }
  }
  std::string cp = Str(spec, "concurrencyPolicy");
  if (cp.empty()) {
    errs.push_back(Required("spec.concurrencyPolicy"));
  } else if (cp != "Allow" && cp != "Forbid" && cp != "Replace") {
    errs.push_back(NotSupportedStr("spec.concurrencyPolicy", cp, {"Allow", "Forbid", "Replace"}));
  }
  ValidateJobTemplateSpec(Get(spec, "jobTemplate"), "spec.jobTemplate", errs);
  NonNegative(spec, "successfulJobsHistoryLimit", "spec.successfulJobsHistoryLimit", errs);
  NonNegative(spec, "failedJobsHistoryLimit", "spec.failedJobsHistoryLimit", errs);
}

}  // namespace

void ValidateAppsKind(std::string_view kind, const json& obj, const json* old, FieldErrors& errs) {
  const json& spec = SpecOf(obj);
  if (kind == "Deployment") {
    ValidateObjectMetaFor(obj, old, true, NameRule::kDNS1123Subdomain, errs);
    ValidateDeploymentSpec(spec, errs);
    if (old) SelectorImmutable(obj, *old, errs);
  } else if (kind == "ReplicaSet") {
    ValidateObjectMetaFor(obj, old, true, NameRule::kDNS1123Subdomain, errs);
    ValidateReplicaSetSpec(spec, errs);
    if (old) SelectorImmutable(obj, *old, errs);
  } else if (kind == "StatefulSet") {
    ValidateObjectMetaFor(obj, old, true, NameRule::kDNS1123Label, errs);
    ValidateStatefulSetSpec(spec, errs);
    if (old) {
      json a = SpecOf(*old);
      json b = spec;
      for (std::string_view k : {"replicas", "ordinals", "template", "updateStrategy",
                                 "persistentVolumeClaimRetentionPolicy", "minReadySeconds"}) {
        a.erase(std::string(k));
        b.erase(std::string(k));
      }
      if (a != b) {
        errs.push_back(Forbidden(
            "spec",
            "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', "
            "'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
      }
    }
  } else if (kind == "DaemonSet") {
    if (old) {
      ValidateObjectMetaUpdate(obj, *old, errs);
      int64_t ntg = Int(spec, "templateGeneration").value_or(0);
      int64_t otg = Int(SpecOf(*old), "templateGeneration").value_or(0);
      if (ntg < otg) errs.push_back(InvalidInt("spec.templateGeneration", ntg, "must not be decremented"));
    } else {
      ValidateObjectMeta(obj, true, NameRule::kDNS1123Subdomain, errs);
    }
    ValidateDaemonSetSpec(spec, errs);
    if (old) SelectorImmutable(obj, *old, errs);
  } else if (kind == "ControllerRevision") {
    if (old) ValidateObjectMetaUpdate(obj, *old, errs);
    ValidateObjectMeta(obj, true, NameRule::kDNS1123Subdomain, errs);
    if (!Has(obj, "data")) errs.push_back(Required("data", "data is mandatory"));
    NonNegative(obj, "revision", "revision", errs);
    if (old) {
      const json* a = Get(obj, "data");
      const json* b = Get(*old, "data");
      if (Changed(a, b)) {
        errs.push_back(Invalid("data", a ? a->dump() : "null", std::string(kImmutableMsg)));
      }
    }
  }
}

void ValidateAppsStatus(std::string_view kind, const json& obj, const json& old, FieldErrors& errs) {
  ValidateObjectMetaUpdate(obj, old, errs);
  if (kind == "Deployment") {
    ReplicaStatus(obj,
                  {"observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
                   "unavailableReplicas", "collisionCount"},
                  errs, "cannot be greater than readyReplicas");
    CollisionCountNotDecremented(obj, old, errs);
  } else if (kind == "ReplicaSet") {
    ReplicaStatus(
        obj, {"replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration"},
        errs, "cannot be greater than readyReplicas");
  } else if (kind == "StatefulSet") {
    ReplicaStatus(obj,
                  {"replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas",
                   "observedGeneration", "collisionCount"},
                  errs, "cannot be greater than status.readyReplicas");
    CollisionCountNotDecremented(obj, old, errs);
  } else if (kind == "DaemonSet") {
    const json* st = Get(obj, "status");
    const json& s = ObjOrEmpty(st);
    for (std::string_view c : {"currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled",
                               "numberReady", "observedGeneration", "updatedNumberScheduled",
                               "numberAvailable", "numberUnavailable", "collisionCount"}) {
      NonNegative(s, c, "status." + std::string(c), errs);
    }
    CollisionCountNotDecremented(obj, old, errs);
  }
}

void ValidateBatchKind(std::string_view kind, const json& obj, const json* old, FieldErrors& errs) {
  if (kind == "Job") {
    if (old) {
      ValidateJobUpdate(obj, *old, errs);
    } else {
      ValidateJob(obj, errs);
    }
  } else if (kind == "CronJob") {
    ValidateObjectMetaFor(obj, old, true, NameRule::kDNS1123Subdomain, errs);
    ValidateCronJob(obj, old, errs);
    std::string name = Str(GetPath(obj, {"metadata", "name"}));
    if (!old && name.size() > 52)
      errs.push_back(InvalidStr("metadata.name", name, "must be no more than 52 characters"));
  }
}

void ValidateBatchStatus(std::string_view kind, const json& obj, const json& old, FieldErrors& errs) {
  ValidateObjectMetaUpdate(obj, old, errs);
  if (kind == "Job") {
    const json* st = Get(obj, "status");
    const json& s = ObjOrEmpty(st);
    for (std::string_view c : {"active", "succeeded", "failed", "ready", "terminating"}) {
      NonNegative(s, c, "status." + std::string(c), errs);
    }
  }
}

}  // namespace kubepp::apiserver::strategy::internal
