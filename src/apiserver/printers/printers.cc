#include "apiserver/printers/printers.h"

#include <algorithm>
#include <set>

#include <nlohmann/json.hpp>

#include "api/intstr.h"
#include "api/labels.h"
#include "api/labels_json.h"
#include "api/quantity.h"
#include "api/time.h"
#include "apiserver/printers/internal.h"

namespace kubepp::apiserver {

using nlohmann::json;
namespace pi = printers_internal;

std::string HumanDuration(int64_t s) {
  if (s < -1) return "<invalid>";
  if (s < 0) return "0s";
  if (s < 120) return std::to_string(s) + "s";
  int64_t m = s / 60;
  if (m < 10) {
    return s % 60 == 0 ? std::to_string(m) + "m"
                       : std::to_string(m) + "m" + std::to_string(s % 60) + "s";
  }
  if (m < 180) return std::to_string(m) + "m";
  int64_t h = m / 60;
  if (h < 8) {
    return m % 60 == 0 ? std::to_string(h) + "h"
                       : std::to_string(h) + "h" + std::to_string(m % 60) + "m";
  }
  if (h < 48) return std::to_string(h) + "h";
  if (h < 192) {
    return h % 24 == 0 ? std::to_string(h / 24) + "d"
                       : std::to_string(h / 24) + "d" + std::to_string(h % 24) + "h";
  }
  if (h < 24 * 365 * 2) return std::to_string(h / 24) + "d";
  if (h < 24 * 365 * 8) {
    int64_t y = h / 24 / 365;
    int64_t d = (h / 24) % 365;
    return d == 0 ? std::to_string(y) + "y" : std::to_string(y) + "y" + std::to_string(d) + "d";
  }
  return std::to_string(h / 24 / 365) + "y";
}

namespace printers_internal {

const json* Find(const json& o, Path path) {
  const json* cur = &o;
  for (std::string_view key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end() || it->is_null()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string Str(const json& o, Path path) {
  const json* v = Find(o, path);
  return v != nullptr && v->is_string() ? v->get<std::string>() : std::string();
}

int64_t Int(const json& o, Path path, int64_t dflt) {
  const json* v = Find(o, path);
  if (v == nullptr) return dflt;
  if (v->is_number_unsigned()) {
    uint64_t u = v->get<uint64_t>();
    return u > static_cast<uint64_t>(INT64_MAX) ? INT64_MAX : static_cast<int64_t>(u);
  }
  if (v->is_number_integer()) return v->get<int64_t>();
  if (v->is_number_float()) {
    double d = v->get<double>();
    if (!(d > -9.2e18 && d < 9.2e18)) return dflt;  // also rejects NaN
    return static_cast<int64_t>(d);
  }
  return dflt;
}

bool Bool(const json& o, Path path, bool dflt) {
  const json* v = Find(o, path);
  return v != nullptr && v->is_boolean() ? v->get<bool>() : dflt;
}

bool Has(const json& o, Path path) { return Find(o, path) != nullptr; }

const json& Arr(const json& o, Path path) {
  static const json kEmpty = json::array();
  const json* v = Find(o, path);
  return v != nullptr && v->is_array() ? *v : kEmpty;
}

size_t Size(const json& o, Path path) {
  const json* v = Find(o, path);
  return v != nullptr && (v->is_array() || v->is_object()) ? v->size() : 0;
}

std::optional<int64_t> TimeNanos(const json* v) {
  if (v == nullptr || !v->is_string()) return std::nullopt;
  auto t = api::Time::Parse(v->get<std::string>());
  if (!t.ok()) return std::nullopt;
  return t->UnixNanos();
}

std::string Ctx::Since(const json* t) const {
  auto nanos = TimeNanos(t);
  if (!nanos) return "<unknown>";
  // Whole seconds, truncated toward zero, as Go's Duration.Seconds() cast.
  __int128 diff = static_cast<__int128>(now_nanos) - *nanos;
  return HumanDuration(static_cast<int64_t>(diff / 1000000000));
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) out += sep;
    out += parts[i];
  }
  return out;
}

std::string FormatLabels(const json* map) {
  if (map == nullptr || !map->is_object() || map->empty()) return "<none>";
  std::vector<std::string> parts;
  for (auto it = map->begin(); it != map->end(); ++it) {  // nlohmann objects are key-sorted
    parts.push_back(it.key() + "=" + (it->is_string() ? it->get<std::string>() : it->dump()));
  }
  return Join(parts, ",");
}

std::string SelectorString(const json* selector) {
  if (selector == nullptr) return "";
  if (!selector->is_object()) return "<error>";
  auto sel = api::LabelSelectorFromJson(selector);
  return sel.ok() ? sel->String() : "<error>";
}

std::string FormatLabelSelector(const json* selector) {
  std::string s = SelectorString(selector);
  return s.empty() ? "<none>" : s;
}

std::string QuantityString(const json* q) {
  if (q == nullptr) return "0";
  if (q->is_string()) {
    auto parsed = api::Quantity::Parse(q->get<std::string>());
    return parsed.ok() ? parsed->CanonicalString() : q->get<std::string>();
  }
  if (q->is_number_integer()) return api::Quantity::FromInt(q->get<int64_t>()).CanonicalString();
  if (q->is_number()) {
    auto parsed = api::Quantity::Parse(q->dump());
    return parsed.ok() ? parsed->CanonicalString() : q->dump();
  }
  return "0";
}

std::string AccessModes(const json& modes) {
  std::set<std::string> have;
  if (modes.is_array()) {
    for (const json& m : modes) {
      if (m.is_string()) have.insert(m.get<std::string>());
    }
  }
  static constexpr std::pair<const char*, const char*> kOrder[] = {
      {"ReadWriteOnce", "RWO"},
      {"ReadOnlyMany", "ROX"},
      {"ReadWriteMany", "RWX"},
      {"ReadWriteOncePod", "RWOP"},
  };
  std::vector<std::string> out;
  for (const auto& [mode, abbrev] : kOrder) {
    if (have.count(mode) > 0) out.emplace_back(abbrev);
  }
  return Join(out, ",");
}

namespace {
std::string JoinContainerField(const json* pod_spec, const char* field) {
  if (pod_spec == nullptr) return "";
  std::vector<std::string> parts;
  for (const json& c : Arr(*pod_spec, {"containers"})) parts.push_back(Str(c, {field}));
  return Join(parts, ",");
}
}  // namespace

std::string ContainerNames(const json* pod_spec) { return JoinContainerField(pod_spec, "name"); }
std::string ContainerImages(const json* pod_spec) { return JoinContainerField(pod_spec, "image"); }

std::string LoadBalancerIngress(const json* lb_status) {
  if (lb_status == nullptr) return "";
  std::set<std::string> out;
  for (const json& ing : Arr(*lb_status, {"ingress"})) {
    std::string ip = Str(ing, {"ip"});
    std::string host = Str(ing, {"hostname"});
    if (!ip.empty()) {
      out.insert(ip);
    } else if (!host.empty()) {
      out.insert(host);
    }
  }
  return Join(std::vector<std::string>(out.begin(), out.end()), ",");
}

std::string IntOrStringText(const json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer()) return std::to_string(v.get<int64_t>());
  return v.dump();
}

}  // namespace printers_internal

namespace {

const std::vector<pi::Column>& DefaultColumns() {
  static const std::vector<pi::Column> kColumns = {
      pi::kName,
      {"Created At", "date", "", 0, "When the object was created (RFC 3339, UTC)."},
  };
  return kColumns;
}

void DefaultRow(const json& obj, const pi::Ctx&, pi::Row& row) {
  row.cells.push_back(pi::Str(obj, {"metadata", "name"}));
  auto t = pi::TimeNanos(pi::Find(obj, {"metadata", "creationTimestamp"}));
  if (t) {
    row.cells.push_back(api::Time::FromUnixNanos(*t).FormatSeconds());
  } else {
    row.cells.push_back(nullptr);  // a zero metav1.Time serializes as null
  }
}

const pi::Printer* Lookup(std::string_view group, std::string_view kind) {
  for (const auto* list : {&pi::CorePrinters(), &pi::OtherPrinters()}) {
    for (const pi::Printer& p : *list) {
      if (p.group == group && p.kind == kind) return &p;
    }
  }
  return nullptr;
}

json RowObject(const json& obj, IncludeObject include) {
  if (include == IncludeObject::kObject) return obj;
  json partial = json::object();
  partial["kind"] = "PartialObjectMetadata";
  partial["apiVersion"] = "meta.k8s.io/v1";
  const json* meta = pi::Find(obj, {"metadata"});
  partial["metadata"] = meta != nullptr && meta->is_object() ? *meta : json::object();
  return partial;
}

}  // namespace

bool HasPrinter(std::string_view group, std::string_view kind) {
  return Lookup(group, kind) != nullptr;
}

StatusOr<json> PrintTable(std::string_view group, std::string_view kind,
                          const std::vector<const json*>& objects, const TableOptions& opts) {
  try {
    const pi::Printer* printer = Lookup(group, kind);
    const std::vector<pi::Column>& columns = printer ? printer->columns : DefaultColumns();
    pi::RowFn row_fn = printer ? printer->row : &DefaultRow;

    json table = json::object();
    table["kind"] = "Table";
    table["apiVersion"] = "meta.k8s.io/v1";
    json meta = json::object();
    if (!opts.resource_version.empty()) meta["resourceVersion"] = opts.resource_version;
    if (!opts.continue_token.empty()) meta["continue"] = opts.continue_token;
    if (opts.remaining_item_count) meta["remainingItemCount"] = *opts.remaining_item_count;
    table["metadata"] = std::move(meta);
    if (!opts.no_headers) {
      json defs = json::array();
      for (const pi::Column& c : columns) {
        defs.push_back({{"name", c.name},
                        {"type", c.type},
                        {"format", c.format},
                        {"description", c.description},
                        {"priority", c.priority}});
      }
      table["columnDefinitions"] = std::move(defs);
    }
    pi::Ctx ctx;
    ctx.now_nanos = static_cast<int64_t>(
        std::clamp<__int128>(static_cast<__int128>(opts.now) * 1000000000, INT64_MIN, INT64_MAX));
    json rows = json::array();
    for (size_t i = 0; i < objects.size(); ++i) {
      const json* obj = objects[i];
      if (obj == nullptr || !obj->is_object()) {
        return Status::BadRequest("table item " + std::to_string(i) + ": not a JSON object");
      }
      pi::Row row;
      row_fn(*obj, ctx, row);
      if (row.cells.size() != columns.size()) {
        return Status::Internal("printer for " + std::string(kind) + " produced " +
                                std::to_string(row.cells.size()) + " cells for " +
                                std::to_string(columns.size()) + " columns");
      }
      json out = json::object();
      out["cells"] = std::move(row.cells);
      if (!row.conditions.is_null()) out["conditions"] = std::move(row.conditions);
      // Upstream's row object is a RawExtension, which serializes as null
      // when includeObject=None.
      out["object"] = opts.include_object == IncludeObject::kNone
                          ? json(nullptr)
                          : RowObject(*obj, opts.include_object);
      rows.push_back(std::move(out));
    }
    table["rows"] = std::move(rows);
    return table;
  } catch (const json::exception& e) {
    return Status::Internal(std::string("printing ") + std::string(kind) + " table: " + e.what());
  }
}

}  // namespace kubepp::apiserver
