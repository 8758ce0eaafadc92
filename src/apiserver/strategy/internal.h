// Shared helpers of the strategy library (not part of its interface): safe
// JSON access, field paths, upstream-shaped error builders, Go-syntax value
// rendering, and the per-area validators the kind dispatch in strategy.cc
// calls. Everything here is a pure function.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/field_error.h"

namespace kubepp::apiserver::strategy::internal {

using json = nlohmann::json;
using api::FieldError;
using api::FieldErrors;

// ---- JSON access. A missing key, a null, or a value of another type reads
// as absent; nothing here throws.
const json* Get(const json& o, std::string_view key);
const json* GetPath(const json& o, std::initializer_list<std::string_view> path);
bool Has(const json& o, std::string_view key);
bool IsObj(const json* v);
bool IsArr(const json* v);
// The string value, or "" when absent / not a string.
std::string Str(const json* v);
std::string Str(const json& o, std::string_view key);
// Integer value (also from a whole float); nullopt when absent / not numeric.
std::optional<int64_t> Int(const json* v);
std::optional<int64_t> Int(const json& o, std::string_view key);
std::optional<bool> Bool(const json* v);
std::optional<bool> Bool(const json& o, std::string_view key);
// Elements of an array (empty when absent / not an array).
const std::vector<json>& Arr(const json* v);
const std::vector<json>& Arr(const json& o, std::string_view key);
// A map[string]string (non-string values skipped).
std::map<std::string, std::string> StrMap(const json* v);
// obj[key] as an object, created (or replaced when not an object) on demand.
json& Obj(json& o, std::string_view key);
// Sets o[key] = value when the key is absent or null.
void SetDefault(json& o, std::string_view key, json value);
// *v when it is an object, else a shared empty object: a read-only view that
// lets the validators walk a missing or mistyped member like an empty one.
const json& ObjOrEmpty(const json* v);
const json& SpecOf(const json& o);  // ObjOrEmpty(o.spec)
// An optional member changed: present on one side only, or different.
bool Changed(const json* a, const json* b);

// ---- Field paths as upstream's field.Path prints them.
std::string Child(std::string_view path, std::string_view name);
std::string Index(std::string_view path, size_t i);
std::string Key(std::string_view path, std::string_view key);

// ---- Values rendered the way upstream's field.Error renders BadValue.
std::string Quote(std::string_view s);  // Go %q
// A scalar as field.Invalid prints it: strings quoted, numbers and bools
// bare, null/absent as "null"; objects and arrays as compact JSON (upstream
// prints Go syntax for structs; that is not reproduced).
std::string RenderScalar(const json* v);
// Go %#v forms used in upstream messages.
std::string RenderStringMap(const json* v);      // map[string]string{"a":"b"} / (nil)
std::string RenderStringSlice(const json* v);    // []string{"a", "b"} / (nil)
std::string RenderLabelSelector(const json* v);  // v1.LabelSelector{...}
std::string RenderIntOrString(const json* v);    // intstr.IntOrString{Type:1, ...}
std::string GoStringSlice(const std::vector<std::string>& v);

// ---- Error builders (upstream's field.* constructors).
FieldError Invalid(std::string path, std::string rendered, std::string detail);
FieldError InvalidStr(std::string path, std::string_view value, std::string detail);
FieldError InvalidInt(std::string path, int64_t value, std::string detail);
FieldError Required(std::string path, std::string detail = "");
FieldError Forbidden(std::string path, std::string detail);
// "Unsupported value: <v>: supported values: "a", "b"".
FieldError NotSupported(std::string path, std::string rendered, const std::vector<std::string>& valid);
FieldError NotSupportedStr(std::string path, std::string_view value, const std::vector<std::string>& valid);
FieldError Duplicate(std::string path, std::string rendered);
FieldError TooLong(std::string path, int64_t max_bytes);
// upstream's field.NotFound; FieldError has no such type, so it is reported
// as Invalid with detail "not found" (upstream prints `Not found: "x"`).
FieldError NotFound(std::string path, std::string rendered);

// ---- Common checks.
inline constexpr std::string_view kNegativeMsg = "must be greater than or equal to 0";
inline constexpr std::string_view kImmutableMsg = "field is immutable";
void NonNegative(const json& o, std::string_view key, const std::string& path, FieldErrors& errs);
void AppendAll(FieldErrors& errs, FieldErrors more);
// "must be between lo and hi, inclusive"
std::string InclusiveRangeError(int64_t lo, int64_t hi);
std::vector<std::string> IsValidPortNum(int64_t port);
std::vector<std::string> IsValidPortName(std::string_view name);
std::vector<std::string> IsConfigMapKey(std::string_view key);
std::vector<std::string> IsRelaxedEnvVarName(std::string_view name);
std::vector<std::string> IsValidPercent(std::string_view v);
bool IsValidIP(std::string_view s, bool* is_v6 = nullptr);
// validation.IsValidIP as field errors ("must be a valid IP address, ...").
void ValidateIP(const std::string& path, std::string_view ip, FieldErrors& errs);
void ValidateCIDR(const std::string& path, std::string_view cidr, FieldErrors& errs);
void ValidateDNS1123Label(const std::string& path, std::string_view v, FieldErrors& errs);
void ValidateDNS1123Subdomain(const std::string& path, std::string_view v, FieldErrors& errs);
void ValidateQualifiedName(const std::string& path, std::string_view v, FieldErrors& errs);
void ValidateLabelsAt(const json* labels, const std::string& path, FieldErrors& errs);
void ValidateAnnotationsAt(const json* annotations, const std::string& path, FieldErrors& errs);
// metav1.LabelSelector validation (labels.h), plus whether it converts.
void ValidateSelectorAt(const json* selector, const std::string& path, FieldErrors& errs);
// Does the selector (metav1.LabelSelector JSON) match `labels`? A null
// selector matches nothing; an empty one everything. nullopt when it cannot
// be converted (invalid operator...).
std::optional<bool> SelectorMatches(const json* selector, const std::map<std::string, std::string>& labels);
bool SelectorEmpty(const json* selector);
// Quantities.
std::optional<std::string> CanonicalQuantity(const json& v);  // nullopt: unparsable
int CompareQuantity(const json& a, const json& b);            // parse failures compare equal
bool QuantityNegative(const json& v);
bool QuantityIsInteger(const json& v);

// ---- Names.
enum class NameRule { kDNS1123Subdomain, kDNS1123Label, kDNS1035Label, kPathSegment, kAny };
// Upstream's name functions: `prefix` is true for generateName (a trailing
// dash is tolerated).
std::vector<std::string> ValidateName(NameRule rule, std::string_view name, bool prefix);

// ---- ObjectMeta.
void ValidateObjectMeta(const json& obj, bool namespaced, NameRule rule, FieldErrors& errs);
void ValidateObjectMetaUpdate(const json& obj, const json& old, FieldErrors& errs);
// ValidateObjectMetaUpdate when `old` is set (an update), else ValidateObjectMeta.
void ValidateObjectMetaFor(const json& obj, const json* old, bool namespaced, NameRule rule,
                           FieldErrors& errs);

// ---- Pod specs (validate_pod.cc).
struct PodOpts {
  bool resource_is_pod = false;
  std::string pod_name;  // for ephemeral PVC name checks
};
void ValidatePodSpec(const json& spec, const std::string& path, const PodOpts& opts, FieldErrors& errs);
// ValidatePodTemplateSpec: labels, annotations, spec; ephemeral containers forbidden.
void ValidatePodTemplateSpec(const json* tmpl, const std::string& path, FieldErrors& errs);
FieldErrors ValidatePod(const json& pod);
FieldErrors ValidatePodUpdate(const json& pod, const json& old);
FieldErrors ValidatePodStatusUpdate(const json& pod, const json& old);
void ValidateTolerations(const json* tolerations, const std::string& path, FieldErrors& errs);
void ValidateResourceRequirements(const json* res, const std::string& path, bool container,
                                  FieldErrors& errs);
// A compact, cmp-like list of what differs between two JSON values, for the
// "may not change fields" messages.
std::string DiffSummary(const json& before, const json& after, std::string_view type_name);

// ---- Per-area validators (validate_core.cc, validate_apps.cc, validate_other.cc).
FieldErrors ValidateService(const json& svc);
FieldErrors ValidateServiceUpdate(const json& svc, const json& old);
FieldErrors ValidateServiceStatus(const json& svc);
void ValidateCoreKind(std::string_view kind, const json& obj, const json* old, FieldErrors& errs);
void ValidateCoreStatus(std::string_view kind, const json& obj, const json& old, FieldErrors& errs);
void ValidateAppsKind(std::string_view kind, const json& obj, const json* old, FieldErrors& errs);
void ValidateAppsStatus(std::string_view kind, const json& obj, const json& old, FieldErrors& errs);
void ValidateBatchKind(std::string_view kind, const json& obj, const json* old, FieldErrors& errs);
void ValidateBatchStatus(std::string_view kind, const json& obj, const json& old, FieldErrors& errs);
// upstream's legacy Event checks, which core/v1 and events.k8s.io requests
// both get; the two APIs name the same fields differently. Error paths are
// core's, except the reporting field's, which is `reporting`.
struct EventFieldNames {
  std::string_view regarding;  // "involvedObject" / "regarding"
  std::string_view reporting;  // "reportingComponent" / "reportingController"
  std::string_view note;       // "message" / "note"
};
void ValidateLegacyEvent(const json& ev, const EventFieldNames& names, FieldErrors& errs);
// group != core/apps/batch; only the kinds strategy.cc's Known() lists reach these.
void ValidateOtherKind(std::string_view group, std::string_view kind, const json& obj, const json* old,
                       FieldErrors& errs);
void ValidateOtherStatus(std::string_view group, std::string_view kind, const json& obj, const json& old,
                         FieldErrors& errs);

// ---- Defaults (defaults.cc).
void DefaultPodSpec(json& spec, bool is_pod);
void DefaultPodTemplate(json& tmpl);
void CanonicalizeQuantities(std::string_view group, std::string_view kind, json& obj);

}  // namespace kubepp::apiserver::strategy::internal
