// Internal to the printers library: lenient JSON accessors and the shared
// cell formatters the per-kind row functions are built from. Not for use
// outside src/apiserver/printers/.
//
// Every accessor tolerates a missing field, a null, or a value of the wrong
// JSON type by returning the zero value upstream would print; none throws.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "apiserver/printers/printers.h"

namespace kubepp::apiserver::printers_internal {

using nlohmann::json;
using Path = std::initializer_list<std::string_view>;

// The value at `path` (object keys), or nullptr when any step is missing,
// null, or not an object.
const json* Find(const json& o, Path path);
std::string Str(const json& o, Path path);                  // "" unless a string
int64_t Int(const json& o, Path path, int64_t dflt = 0);    // dflt unless a number
bool Bool(const json& o, Path path, bool dflt = false);     // dflt unless a boolean
bool Has(const json& o, Path path);                         // present and not null
const json& Arr(const json& o, Path path);                  // [] unless an array
size_t Size(const json& o, Path path);                      // array/object size, else 0

// Parsed instant of a metav1.Time / MicroTime string, in Unix nanoseconds;
// nullopt for missing, null or unparsable (upstream's zero time).
std::optional<int64_t> TimeNanos(const json* v);

// Context for one rendering: the injected clock.
struct Ctx {
  int64_t now_nanos = 0;
  // HumanDuration(now - t), "<unknown>" for a zero time.
  std::string Since(const json* t) const;
  std::string Age(const json& obj) const { return Since(Find(obj, {"metadata", "creationTimestamp"})); }
};

std::string Join(const std::vector<std::string>& parts, std::string_view sep);

// A map of strings as sorted "k=v" joined by ","; "<none>" when empty.
std::string FormatLabels(const json* map);
// metav1.LabelSelector as requirement string. For nil or empty returns ""
// (callers pick the placeholder); "<error>" when it cannot be converted.
std::string SelectorString(const json* selector);
// upstream FormatLabelSelector: SelectorString with "<none>" for "".
std::string FormatLabelSelector(const json* selector);
// Canonical Quantity text of a JSON quantity; "0" for missing.
std::string QuantityString(const json* q);
// Access modes as "RWO,ROX,RWX,RWOP" (de-duplicated, fixed order).
std::string AccessModes(const json& modes);
// Container names / images of a pod spec, joined by ",".
std::string ContainerNames(const json* pod_spec);
std::string ContainerImages(const json* pod_spec);
// LoadBalancerStatus ingress: ip, else hostname; de-duplicated, sorted, ",".
std::string LoadBalancerIngress(const json* lb_status);
// IntOrString as text ("2", "50%").
std::string IntOrStringText(const json& v);

// One rendered row: the cells and, for a few kinds, row conditions.
struct Row {
  json cells = json::array();
  json conditions;  // null unless set
};

using RowFn = void (*)(const json& obj, const Ctx& ctx, Row& row);

struct Column {
  const char* name;
  const char* type;
  const char* format;
  int priority;
  const char* description;
};

// Columns and accessors every printer uses.
inline constexpr Column kName = {"Name", "string", "name", 0, "The object's name, unique within its namespace."};
inline constexpr Column kAge = {"Age", "string", "", 0, "How long ago the object was created."};
inline std::string Name(const json& o) { return Str(o, {"metadata", "name"}); }

struct Printer {
  std::string_view group;
  std::string_view kind;
  std::vector<Column> columns;
  RowFn row;
};

// Every kind-specific printer (core.cc and other.cc each contribute).
const std::vector<Printer>& CorePrinters();
const std::vector<Printer>& OtherPrinters();

}  // namespace kubepp::apiserver::printers_internal
