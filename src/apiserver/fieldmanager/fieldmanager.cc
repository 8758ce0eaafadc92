#include "apiserver/fieldmanager/fieldmanager.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <tuple>

#include <nlohmann/json.hpp>

#include "api/field_error.h"
#include "api/schema/schema.h"
#include "api/time.h"
#include "apiserver/fieldmanager/fieldset.h"
#include "apiserver/fieldmanager/typed.h"

namespace kubepp::apiserver::fieldmanager {
namespace {

using json = nlohmann::json;

constexpr int kMaxUpdateManagers = 10;
constexpr const char kAncientChanges[] = "ancient-changes";
constexpr const char kApply[] = "Apply";
constexpr const char kUpdate[] = "Update";
// Upstream's limit on the total size of an object's annotations.
constexpr size_t kTotalAnnotationSizeLimit = 256 * 1024;

struct Entry {
  std::string manager;
  std::string operation;
  std::string api_version;
  std::string subresource;
  std::optional<std::string> time;
  FieldSet set;
};

// Entries by identity (see Identity), as upstream keys its managers.
using Managers = std::map<std::string, Entry>;

// Go's encoding/json text for a string (HTML-safe escapes included).
std::string GoJsonString(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20 || c == '<' || c == '>' || c == '&') {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
                   (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
                    static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
          out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
          i += 2;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += "\"";
  return out;
}

// Go's json.Marshal of a decoded (unstructured) value: compact, map keys
// sorted, HTML-safe strings, integral floats without a fraction.
std::string GoJson(const json& v) {
  switch (v.type()) {
    case json::value_t::object: {
      std::string out = "{";
      bool first = true;
      for (auto it = v.begin(); it != v.end(); ++it) {
        if (!first) out += ",";
        first = false;
        out += GoJsonString(it.key()) + ":" + GoJson(*it);
      }
      return out + "}";
    }
    case json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += ",";
        out += GoJson(v[i]);
      }
      return out + "]";
    }
    case json::value_t::string:
      return GoJsonString(v.get_ref<const std::string&>());
    case json::value_t::number_float: {
      double d = v.get<double>();
      if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 1e21) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%.0f", d);
        return buf;
      }
      return v.dump();
    }
    default:
      return v.dump();
  }
}

// Upstream's manager identifier: the JSON of the entry without fields,
// fieldsType and time, and without apiVersion for appliers.
std::string Identity(const Entry& e) {
  std::string out = "{";
  bool first = true;
  auto add = [&](const char* name, const std::string& value) {
    if (value.empty()) return;
    if (!first) out += ",";
    first = false;
    out += "\"" + std::string(name) + "\":" + GoJsonString(value);
  };
  add("manager", e.manager);
  add("operation", e.operation);
  if (e.operation != kApply) add("apiVersion", e.api_version);
  add("subresource", e.subresource);
  return out + "}";
}

// How upstream names a manager in conflicts.
std::string PrintManager(const Entry& e) {
  std::string out = api::GoQuote(e.manager);
  if (!e.subresource.empty()) out += " with subresource " + api::GoQuote(e.subresource);
  if (e.operation == kUpdate) out += " using " + e.api_version;
  return out;
}

const json* Member(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &*it;
}

const json* MetadataMember(const json& obj, const char* key) {
  const json* meta = Member(obj, "metadata");
  return meta ? Member(*meta, key) : nullptr;
}

void EraseManagedFields(json& obj) {
  if (!obj.is_object()) return;
  auto it = obj.find("metadata");
  if (it != obj.end() && it->is_object()) it->erase("managedFields");
}

StatusOr<std::string> StringMember(const json& e, const char* key) {
  const json* v = Member(e, key);
  if (!v || v->is_null()) return std::string();
  if (!v->is_string()) return Status::BadRequest(std::string(key) + " must be a string");
  return v->get<std::string>();
}

StatusOr<Managers> DecodeEntries(const json* list) {
  Managers out;
  if (!list || list->is_null()) return out;
  if (!list->is_array()) return Status::BadRequest("managedFields must be a list");
  for (size_t i = 0; i < list->size(); ++i) {
    const json& e = (*list)[i];
    if (!e.is_object()) return Status::BadRequest("managed fields entry " + std::to_string(i) + " is not an object");
    Entry entry;
    ASSIGN_OR_RETURN(entry.manager, StringMember(e, "manager"));
    ASSIGN_OR_RETURN(entry.operation, StringMember(e, "operation"));
    ASSIGN_OR_RETURN(entry.api_version, StringMember(e, "apiVersion"));
    ASSIGN_OR_RETURN(entry.subresource, StringMember(e, "subresource"));
    ASSIGN_OR_RETURN(std::string fields_type, StringMember(e, "fieldsType"));
    ASSIGN_OR_RETURN(std::string time, StringMember(e, "time"));
    if (!time.empty()) entry.time = time;
    if (entry.operation != kApply && entry.operation != kUpdate) {
      return Status::BadRequest("operation must be `Apply` or `Update`");
    }
    if (entry.api_version.empty()) return Status::BadRequest("apiVersion must not be empty");
    if (fields_type.empty()) {
      return Status::BadRequest("missing fieldsType in managed fields entry " + std::to_string(i));
    }
    if (fields_type != "FieldsV1") {
      return Status::BadRequest("invalid fieldsType " + api::GoQuote(fields_type) + " in managed fields entry " +
                                std::to_string(i));
    }
    if (const json* f = Member(e, "fieldsV1"); f && !f->is_null()) {
      auto set = FieldSet::FromFieldsV1(*f);
      if (!set.ok()) {
        return Status::BadRequest("error decoding set of managed fields entry " + std::to_string(i) + ": " +
                                  set.status().message());
      }
      entry.set = std::move(set).value();
    }
    out[Identity(entry)] = std::move(entry);
  }
  return out;
}

int64_t TimeSeconds(const Entry& e) {
  if (!e.time) return 0;
  auto t = api::Time::Parse(*e.time);
  return t.ok() ? t->UnixSeconds() : 0;
}

json EncodeEntries(const Managers& managers) {
  std::vector<const Entry*> sorted;
  for (const auto& [id, e] : managers) sorted.push_back(&e);
  std::stable_sort(sorted.begin(), sorted.end(), [](const Entry* p, const Entry* q) {
    return std::make_tuple(p->operation, TimeSeconds(*p), p->manager, p->api_version, p->subresource) <
           std::make_tuple(q->operation, TimeSeconds(*q), q->manager, q->api_version, q->subresource);
  });
  json out = json::array();
  for (const Entry* e : sorted) {
    json j = json::object();
    if (!e->manager.empty()) j["manager"] = e->manager;
    j["operation"] = e->operation;
    j["apiVersion"] = e->api_version;
    if (e->time) j["time"] = *e->time;
    j["fieldsType"] = "FieldsV1";
    j["fieldsV1"] = e->set.ToFieldsV1();
    if (!e->subresource.empty()) j["subresource"] = e->subresource;
    out.push_back(std::move(j));
  }
  return out;
}

void SetManagedFields(json& obj, const Managers& managers) {
  if (managers.empty()) {
    EraseManagedFields(obj);
    return;
  }
  json& meta = obj["metadata"];
  if (meta.is_null()) meta = json::object();
  if (!meta.is_object()) return;
  meta["managedFields"] = EncodeEntries(managers);
}

// A request that sends `managedFields: []` or `[{}]` asks to drop them all.
bool IsReset(const json* list) {
  if (!list || !list->is_array()) return false;
  if (list->empty()) return true;
  if (list->size() != 1 || !(*list)[0].is_object()) return false;
  for (const auto& v : (*list)[0]) {
    if (!(v.is_null() || (v.is_string() && v.get_ref<const std::string&>().empty()))) return false;
  }
  return true;
}

FieldSet PathsFromDotted(const std::vector<std::string>& dotted) {
  FieldSet s;
  for (const auto& d : dotted) {
    FieldSet::Path p;
    size_t start = 0;
    while (start <= d.size()) {
      size_t dot = d.find('.', start);
      if (dot == std::string::npos) dot = d.size();
      if (dot > start) p.push_back(FieldElement(d.substr(start, dot - start)));
      start = dot + 1;
    }
    s.Insert(p);
  }
  return s;
}

// Paths never tracked (upstream's stripMetaManager).
const FieldSet& StripSet() {
  static const FieldSet* set = [] {
    auto* s = new FieldSet();
    *s = PathsFromDotted({"apiVersion", "kind", "metadata", "metadata.name", "metadata.namespace",
                          "metadata.creationTimestamp", "metadata.selfLink", "metadata.uid",
                          "metadata.clusterName", "metadata.generation", "metadata.managedFields",
                          "metadata.resourceVersion"});
    return s;
  }();
  return *set;
}

// Folds the oldest Update entries into "ancient-changes" entries, one per
// apiVersion, until at most kMaxUpdateManagers Update entries remain.
void CapUpdateManagers(Managers& managers) {
  std::vector<std::string> updaters;
  for (const auto& [id, e] : managers) {
    if (e.operation == kUpdate) updaters.push_back(id);
  }
  if (static_cast<int>(updaters.size()) <= kMaxUpdateManagers) return;
  std::sort(updaters.begin(), updaters.end(), [&](const std::string& a, const std::string& b) {
    int64_t ta = TimeSeconds(managers.at(a));
    int64_t tb = TimeSeconds(managers.at(b));
    if (ta != tb) return ta < tb;
    return a < b;
  });
  std::map<std::string, std::string> first_by_version;
  int length = static_cast<int>(updaters.size());
  for (size_t i = 0; i < updaters.size() && length > kMaxUpdateManagers; ++i) {
    const std::string& id = updaters[i];
    auto mit = managers.find(id);
    if (mit == managers.end()) continue;
    Entry current = mit->second;
    Entry bucket_entry{kAncientChanges, kUpdate, current.api_version, "", std::nullopt, FieldSet()};
    std::string bucket = Identity(bucket_entry);
    auto first = first_by_version.find(current.api_version);
    if (first == first_by_version.end()) {
      first_by_version[current.api_version] = id;
      continue;
    }
    if (!managers.count(bucket)) {
      auto fit = managers.find(first->second);
      if (fit != managers.end()) {
        bucket_entry.set = fit->second.set;
        managers.erase(fit);
      }
      managers[bucket] = bucket_entry;
    }
    Entry& b = managers[bucket];
    b.set = current.set.Union(b.set);
    b.time = current.time;
    if (id != bucket) managers.erase(id);
    --length;
  }
}

std::string GvkString(const json& obj) {
  std::string api_version, kind, group, version;
  if (const json* v = Member(obj, "apiVersion"); v && v->is_string()) api_version = v->get<std::string>();
  if (const json* v = Member(obj, "kind"); v && v->is_string()) kind = v->get<std::string>();
  api::SplitApiVersion(api_version, &group, &version);
  return group + "/" + version + ", Kind=" + kind;
}

std::string ObjectGvkNn(const json& obj) {
  std::string ns, name;
  if (const json* v = MetadataMember(obj, "namespace"); v && v->is_string()) ns = v->get<std::string>();
  if (const json* v = MetadataMember(obj, "name"); v && v->is_string()) name = v->get<std::string>();
  return ns + "/" + name + "; " + GvkString(obj);
}

const std::string* LastAppliedOf(const json& obj) {
  const json* ann = MetadataMember(obj, "annotations");
  const json* v = ann ? Member(*ann, kLastAppliedAnnotation) : nullptr;
  if (!v || !v->is_string() || v->get_ref<const std::string&>().empty()) return nullptr;
  return &v->get_ref<const std::string&>();
}

// The fields of the last-applied-configuration annotation whose live value
// still equals it: those a client-side applier set and nobody changed
// since, which kubectl's server-side apply may take over without conflict.
std::optional<FieldSet> AllowedFromLastApplied(const json& live_obj, const api::Definition& def,
                                               const std::string& api_version) {
  const std::string* text = LastAppliedOf(live_obj);
  if (!text) return std::nullopt;
  json last = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  if (last.is_discarded() || !last.is_object()) return std::nullopt;
  const json* av = Member(last, "apiVersion");
  if (!av || !av->is_string() || av->get<std::string>() != api_version) return std::nullopt;
  auto set = internal::ToFieldSet(last, def, /*strict=*/true);
  if (!set.ok()) return std::nullopt;
  json live_filled = live_obj;
  internal::FillZero(live_filled, def);
  internal::Comparison cmp = internal::Compare(last, live_filled, def);
  return set->Difference(cmp.modified).Difference(cmp.added).Difference(cmp.removed);
}

// Upstream's last-applied value: the configuration without the annotation
// itself, as Go encodes it (with the encoder's trailing newline).
std::string BuildLastApplied(const json& applied) {
  json copy = applied;
  if (copy.contains("metadata") && copy["metadata"].is_object()) {
    json& meta = copy["metadata"];
    if (meta.contains("annotations") && meta["annotations"].is_object()) {
      meta["annotations"].erase(kLastAppliedAnnotation);
    }
  }
  return GoJson(copy) + "\n";
}

void SetLastApplied(json& obj, const std::string& value) {
  json& meta = obj["metadata"];
  if (!meta.is_object()) return;
  json& ann = meta["annotations"];
  if (ann.is_null()) ann = json::object();
  if (!ann.is_object()) return;
  ann[kLastAppliedAnnotation] = value;
  size_t total = 0;
  for (auto it = ann.begin(); it != ann.end(); ++it) {
    total += it.key().size();
    if (it->is_string()) total += it->get_ref<const std::string&>().size();
  }
  if (total > kTotalAnnotationSizeLimit) ann.erase(kLastAppliedAnnotation);
}

struct ConflictSet {
  const Entry* entry;
  FieldSet fields;
};

std::vector<Conflict> ToConflicts(const std::map<std::string, ConflictSet>& sets) {
  std::vector<Conflict> out;
  for (const auto& [id, cs] : sets) {
    for (const auto& p : cs.fields.Paths()) {
      out.push_back(Conflict{cs.entry->manager, PathString(p), "conflict with " + PrintManager(*cs.entry)});
    }
  }
  return out;
}

std::string ConflictMessage(const std::map<std::string, ConflictSet>& sets, size_t count) {
  if (count == 1) {
    const ConflictSet& cs = sets.begin()->second;
    return "Apply failed with 1 conflict: conflict with " + PrintManager(*cs.entry) + ": " +
           PathString(cs.fields.Paths().front());
  }
  std::string msg = "Apply failed with " + std::to_string(count) + " conflicts: ";
  bool first = true;
  for (const auto& [id, cs] : sets) {
    if (!first) msg += "\n";
    first = false;
    msg += "conflicts with " + PrintManager(*cs.entry) + ":";
    for (const auto& p : cs.fields.Paths()) msg += "\n- " + PathString(p);
  }
  return msg;
}

}  // namespace

Status UpdateManagedFields(const json* live, json& updated, std::string_view manager, std::string_view now,
                           const Scope& scope) {
  if (!scope.kind || !scope.kind->definition) return Status::Internal("fieldmanager: scope without a kind");
  if (!updated.is_object()) return Status::Internal("fieldmanager: the object is not a JSON object");
  const api::Definition& def = *scope.kind->definition;

  Managers managers;
  bool chosen = false;
  if (scope.subresource.empty()) {
    const json* sent = MetadataMember(updated, "managedFields");
    if (IsReset(sent)) {
      chosen = true;
    } else if (sent) {
      auto decoded = DecodeEntries(sent);
      if (decoded.ok() && !decoded->empty()) {
        managers = std::move(decoded).value();
        chosen = true;
      }
    }
  }
  if (!chosen && live) {
    auto decoded = DecodeEntries(MetadataMember(*live, "managedFields"));
    if (decoded.ok()) managers = std::move(decoded).value();
  }
  EraseManagedFields(updated);

  json lhs = live ? *live : json::object();
  EraseManagedFields(lhs);
  internal::FillZero(lhs, def);
  json rhs = updated;
  internal::FillZero(rhs, def);
  internal::Comparison cmp = internal::Compare(lhs, rhs, def);
  FieldSet reset = PathsFromDotted(scope.reset_fields);
  internal::Comparison visible = cmp;
  visible.Exclude(reset);

  FieldSet taken = visible.modified.Union(visible.added);
  for (auto it = managers.begin(); it != managers.end();) {
    it->second.set = it->second.set.Difference(taken).Difference(visible.removed);
    it = it->second.set.Empty() ? managers.erase(it) : std::next(it);
  }

  FieldSet mine = cmp.modified.Union(cmp.added)
                      .Difference(cmp.removed)
                      .RecursiveDifference(reset)
                      .Difference(StripSet());
  if (!mine.Empty()) {
    Entry e{std::string(manager), kUpdate, scope.kind->ApiVersion(), scope.subresource, std::nullopt, FieldSet()};
    std::string id = Identity(e);
    if (auto it = managers.find(id); it != managers.end()) mine = mine.Union(it->second.set);
    e.set = std::move(mine);
    if (scope.subresource != "scale") e.time = std::string(now);
    managers[id] = std::move(e);
  }
  CapUpdateManagers(managers);
  SetManagedFields(updated, managers);
  return Status::Ok();
}

StatusOr<json> Apply(const json* live, const json& applied, std::string_view manager, bool force,
                     std::string_view now, const Scope& scope, std::vector<Conflict>* conflicts) {
  if (conflicts) conflicts->clear();
  if (!scope.kind || !scope.kind->definition) return Status::Internal("fieldmanager: scope without a kind");
  if (manager.empty()) {
    return Status::Invalid(
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");
  }
  if (!applied.is_object()) return Status::BadRequest("the apply configuration must be an object");
  const api::Kind& kind = *scope.kind;
  const api::Definition& def = *kind.definition;
  const std::string api_version = kind.ApiVersion();
  {
    const json* av = Member(applied, "apiVersion");
    const json* k = Member(applied, "kind");
    if (!av || !av->is_string() || av->get<std::string>() != api_version || !k || !k->is_string() ||
        k->get<std::string>() != kind.kind) {
      return Status::BadRequest("invalid object type: " + GvkString(applied));
    }
  }
  if (const json* mf = MetadataMember(applied, "managedFields"); mf && mf->is_array()) {
    return Status::BadRequest("metadata.managedFields must be nil");
  }

  Managers managers;
  if (live) {
    auto decoded = DecodeEntries(MetadataMember(*live, "managedFields"));
    if (!decoded.ok()) return Status::Internal("failed to decode managed fields: " + decoded.status().message());
    managers = std::move(decoded).value();
  }
  json live_obj = live ? *live : json::object();
  EraseManagedFields(live_obj);

  auto config_set = internal::ToFieldSet(applied, def, /*strict=*/true);
  if (!config_set.ok()) {
    return Status::Internal("failed to create typed patch object (" + ObjectGvkNn(applied) +
                            "): " + config_set.status().message());
  }
  FieldSet reset = PathsFromDotted(scope.reset_fields);

  Entry mine{std::string(manager), kApply, api_version, scope.subresource, std::nullopt,
             config_set->RecursiveDifference(reset)};
  const std::string id = Identity(mine);
  std::optional<FieldSet> last;
  if (auto it = managers.find(id); it != managers.end()) {
    last = it->second.set;
    mine.time = it->second.time;
  }
  managers[id] = mine;

  json result = internal::Merge(live_obj, applied, def);
  if (last && !last->Empty()) {
    FieldSet owned;
    for (const auto& [mid, e] : managers) owned = owned.Union(e.set);
    internal::Prune(result, *last, owned, def);
  }

  json lhs = live_obj;
  internal::FillZero(lhs, def);
  json rhs = result;
  internal::FillZero(rhs, def);
  internal::Comparison cmp = internal::Compare(lhs, rhs, def);
  cmp.Exclude(reset);
  FieldSet taken = cmp.modified.Union(cmp.added);

  std::map<std::string, ConflictSet> found;
  size_t count = 0;
  for (const auto& [mid, e] : managers) {
    if (mid == id) continue;
    FieldSet c = e.set.Intersection(taken);
    if (c.Empty()) continue;
    count += c.Paths().size();
    found[mid] = ConflictSet{&e, std::move(c)};
  }
  if (!found.empty() && !force) {
    // kubectl's server-side apply may take over what its client-side apply
    // set: drop conflicts on fields unchanged since the last client apply.
    bool forced = false;
    if (manager == kKubectlManager) {
      if (auto allowed = AllowedFromLastApplied(live_obj, def, api_version)) {
        std::map<std::string, ConflictSet> remaining;
        size_t remaining_count = 0;
        for (const auto& [mid, cs] : found) {
          FieldSet left;
          for (const auto& p : cs.fields.Paths()) {
            if (!allowed->Has(p)) left.Insert(p);
          }
          if (left.Empty()) continue;
          remaining_count += left.Paths().size();
          remaining[mid] = ConflictSet{cs.entry, std::move(left)};
        }
        if (remaining.empty()) {
          forced = true;
        } else {
          found = std::move(remaining);
          count = remaining_count;
        }
      }
    }
    if (!forced) {
      if (conflicts) *conflicts = ToConflicts(found);
      return Status::Conflict(ConflictMessage(found, count));
    }
  }

  for (auto& [mid, cs] : found) managers[mid].set = managers[mid].set.Difference(cs.fields);
  for (auto it = managers.begin(); it != managers.end();) {
    if (it->first != id) it->second.set = it->second.set.Difference(cmp.removed);
    it = it->second.set.Empty() ? managers.erase(it) : std::next(it);
  }

  // Upstream compares typed values, where zero-valued fields are present.
  const bool noop = lhs == rhs;
  if (auto it = managers.find(id); it != managers.end()) {
    it->second.set = it->second.set.Difference(StripSet());
    if (it->second.set.Empty()) {
      managers.erase(it);
    } else if (!noop) {
      it->second.time = std::string(now);
    }
  }
  if (noop) result = live_obj;
  internal::StripNulls(result);
  if (manager == kKubectlManager && LastAppliedOf(result)) SetLastApplied(result, BuildLastApplied(applied));
  SetManagedFields(result, managers);
  return result;
}

}  // namespace kubepp::apiserver::fieldmanager
