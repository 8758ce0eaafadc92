#include "apiserver/discovery/resources.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <tuple>

#include <nlohmann/json.hpp>

#include "api/schema/schema.h"
#include "common/strings.h"

// Defined in the generated resources_data.cc (tools/embed_json.py).
namespace kubepp::api::internal {
extern const char kResourcesJson[];
extern const unsigned long kResourcesJsonSize;
}  // namespace kubepp::api::internal

namespace kubepp::apiserver {
namespace {

// Upstream kube-apiserver's group order in /apis (its group priorities), for
// the groups kubepp serves or may serve. Checked against kubernetes/kubernetes
// api/discovery/apis.json. Groups not listed sort after these, by name.
constexpr std::string_view kGroupOrder[] = {
    "",
    "apiregistration.k8s.io",
    "apps",
    "events.k8s.io",
    "authentication.k8s.io",
    "authorization.k8s.io",
    "autoscaling",
    "batch",
    "certificates.k8s.io",
    "networking.k8s.io",
    "policy",
    "rbac.authorization.k8s.io",
    "storage.k8s.io",
    "admissionregistration.k8s.io",
    "apiextensions.k8s.io",
    "scheduling.k8s.io",
    "coordination.k8s.io",
    "node.k8s.io",
    "discovery.k8s.io",
    "flowcontrol.apiserver.k8s.io",
    "internal.apiserver.k8s.io",
    "resource.k8s.io",
    "storagemigration.k8s.io",
};

size_t GroupRank(std::string_view group) {
  for (size_t i = 0; i < std::size(kGroupOrder); ++i) {
    if (kGroupOrder[i] == group) return i;
  }
  return std::size(kGroupOrder);
}

bool GroupBefore(std::string_view a, std::string_view b) {
  const size_t ra = GroupRank(a), rb = GroupRank(b);
  if (ra != rb) return ra < rb;
  return a < b;
}

bool GvBefore(std::string_view ga, std::string_view va, std::string_view gb, std::string_view vb) {
  if (ga != gb) return GroupBefore(ga, gb);
  return CompareVersionPriority(va, vb) < 0;
}


// Parses "v1", "v2beta1", "v1alpha3": major, stability (2 GA, 1 beta, 0
// alpha), minor. False when the version does not follow that pattern.
bool ParseKubeVersion(std::string_view v, int* major, int* stability, int* minor) {
  if (v.size() < 2 || v[0] != 'v') return false;
  size_t i = 1;
  auto read_number = [&](int* out) {
    if (i >= v.size() || !std::isdigit(static_cast<unsigned char>(v[i])) || v[i] == '0') {
      return false;
    }
    long n = 0;
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) {
      n = n * 10 + (v[i] - '0');
      if (n > 1000000) return false;
      ++i;
    }
    *out = static_cast<int>(n);
    return true;
  };
  if (!read_number(major)) return false;
  if (i == v.size()) {
    *stability = 2;
    *minor = 0;
    return true;
  }
  std::string_view rest = v.substr(i);
  if (rest.starts_with("beta")) {
    *stability = 1;
    i += 4;
  } else if (rest.starts_with("alpha")) {
    *stability = 0;
    i += 5;
  } else {
    return false;
  }
  if (!read_number(minor)) return false;
  return i == v.size();
}

// Reads an optional array of strings; BadRequest naming `where` otherwise.
Status ReadStrings(const nlohmann::json& obj, const char* key, const std::string& where,
                   std::vector<std::string>* out) {
  auto it = obj.find(key);
  if (it == obj.end() || it->is_null()) return Status::Ok();
  if (!it->is_array()) return Status::BadRequest(where + "." + key + ": must be an array");
  for (const auto& v : *it) {
    if (!v.is_string()) {
      return Status::BadRequest(where + "." + key + ": must contain only strings");
    }
    out->push_back(v.get<std::string>());
  }
  return Status::Ok();
}

Status ReadString(const nlohmann::json& obj, const char* key, const std::string& where,
                  bool required, std::string* out) {
  auto it = obj.find(key);
  if (it == obj.end()) {
    return required ? Status::BadRequest(where + "." + key + ": required") : Status::Ok();
  }
  if (!it->is_string()) return Status::BadRequest(where + "." + key + ": must be a string");
  *out = it->get<std::string>();
  if (required && out->empty() && std::string_view(key) != "group") {
    return Status::BadRequest(where + "." + key + ": must not be empty");
  }
  return Status::Ok();
}

StatusOr<ResourceInfo> ParseEntry(const nlohmann::json& e, size_t index) {
  std::string where = "resources[" + std::to_string(index) + "]";
  if (!e.is_object()) return Status::BadRequest(where + ": must be an object");
  ResourceInfo r;
  RETURN_IF_ERROR(ReadString(e, "group", where, true, &r.group));
  RETURN_IF_ERROR(ReadString(e, "version", where, true, &r.version));
  RETURN_IF_ERROR(ReadString(e, "kind", where, true, &r.kind));
  where += " (" + r.ApiVersion() + " " + r.kind + ")";
  RETURN_IF_ERROR(ReadString(e, "resource", where, true, &r.resource));
  RETURN_IF_ERROR(ReadString(e, "singularName", where, true, &r.singular));
  auto ns = e.find("namespaced");
  if (ns == e.end() || !ns->is_boolean()) {
    return Status::BadRequest(where + ".namespaced: required boolean");
  }
  r.namespaced = ns->get<bool>();
  if (auto d = e.find("deleteReturnsObject"); d != e.end()) {
    if (!d->is_boolean()) return Status::BadRequest(where + ".deleteReturnsObject: must be a boolean");
    r.delete_returns_object = d->get<bool>();
  }
  RETURN_IF_ERROR(ReadStrings(e, "verbs", where, &r.verbs));
  if (r.verbs.empty()) return Status::BadRequest(where + ".verbs: must not be empty");
  RETURN_IF_ERROR(ReadStrings(e, "shortNames", where, &r.short_names));
  RETURN_IF_ERROR(ReadStrings(e, "categories", where, &r.categories));
  RETURN_IF_ERROR(ReadStrings(e, "fieldSelectors", where, &r.field_selectors));
  if (auto subs = e.find("subresources"); subs != e.end() && !subs->is_null()) {
    if (!subs->is_array()) return Status::BadRequest(where + ".subresources: must be an array");
    for (size_t i = 0; i < subs->size(); ++i) {
      const auto& s = (*subs)[i];
      const std::string sw = where + ".subresources[" + std::to_string(i) + "]";
      if (!s.is_object()) return Status::BadRequest(sw + ": must be an object");
      SubresourceInfo sub;
      std::string full;
      RETURN_IF_ERROR(ReadString(s, "name", sw, true, &full));
      const std::string prefix = r.resource + "/";
      if (!full.starts_with(prefix) || full.size() == prefix.size() ||
          full.find('/', prefix.size()) != std::string::npos) {
        return Status::BadRequest(sw + ".name: \"" + full + "\" is not \"" + prefix + "<sub>\"");
      }
      sub.name = full.substr(prefix.size());
      sub.group = r.group;
      sub.version = r.version;
      if (s.contains("group") || s.contains("version")) {
        RETURN_IF_ERROR(ReadString(s, "group", sw, true, &sub.group));
        RETURN_IF_ERROR(ReadString(s, "version", sw, true, &sub.version));
      }
      RETURN_IF_ERROR(ReadString(s, "kind", sw, true, &sub.kind));
      RETURN_IF_ERROR(ReadStrings(s, "verbs", sw, &sub.verbs));
      if (sub.verbs.empty()) return Status::BadRequest(sw + ".verbs: must not be empty");
      r.subresources.push_back(std::move(sub));
    }
    std::sort(r.subresources.begin(), r.subresources.end(),
              [](const SubresourceInfo& a, const SubresourceInfo& b) { return a.name < b.name; });
  }
  return r;
}

}  // namespace

int CompareVersionPriority(std::string_view a, std::string_view b) {
  int ma, sa, na, mb, sb, nb;
  const bool pa = ParseKubeVersion(a, &ma, &sa, &na);
  const bool pb = ParseKubeVersion(b, &mb, &sb, &nb);
  if (pa && pb) {
    // Higher stability first, then higher major, then higher minor.
    auto ka = std::make_tuple(-sa, -ma, -na);
    auto kb = std::make_tuple(-sb, -mb, -nb);
    if (ka < kb) return -1;
    if (kb < ka) return 1;
    return 0;
  }
  if (pa != pb) return pa ? -1 : 1;
  return a < b ? -1 : (b < a ? 1 : 0);
}

bool ResourceInfo::HasVerb(std::string_view verb) const {
  return std::find(verbs.begin(), verbs.end(), verb) != verbs.end();
}

const SubresourceInfo* ResourceInfo::FindSubresource(std::string_view name) const {
  for (const auto& s : subresources) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

bool ResourceInfo::SupportsFieldSelector(std::string_view field) const {
  if (field == "metadata.name") return true;
  if (field == "metadata.namespace") return namespaced;
  return std::find(field_selectors.begin(), field_selectors.end(), field) !=
         field_selectors.end();
}

ResourceTable::~ResourceTable() = default;

StatusOr<std::unique_ptr<ResourceTable>> ResourceTable::Parse(std::string_view json_text,
                                                              const api::Schema* schema) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json_text);
  } catch (const nlohmann::json::exception& e) {
    return Status::BadRequest(std::string("resources.json: ") + e.what());
  }
  if (!doc.is_object() || !doc.contains("resources") || !doc["resources"].is_array()) {
    return Status::BadRequest("resources.json: top level must be an object with a resources array");
  }
  std::unique_ptr<ResourceTable> table(new ResourceTable());
  const auto& entries = doc["resources"];
  for (size_t i = 0; i < entries.size(); ++i) {
    ASSIGN_OR_RETURN(ResourceInfo r, ParseEntry(entries[i], i));
    if (table->Find(r.group, r.version, r.resource) != nullptr) {
      return Status::BadRequest("resources[" + std::to_string(i) + "]: duplicate " +
                                r.ApiVersion() + " " + r.resource);
    }
    if (schema != nullptr) {
      if (const api::Kind* k = schema->FindKind(r.group, r.version, r.kind);
          k != nullptr && k->definition != nullptr) {
        r.definition = k->definition->name;
      }
    }
    table->resources_.push_back(std::move(r));
  }
  std::stable_sort(table->resources_.begin(), table->resources_.end(),
                   [](const ResourceInfo& a, const ResourceInfo& b) {
                     if (a.group != b.group || a.version != b.version) {
                       return GvBefore(a.group, a.version, b.group, b.version);
                     }
                     return a.resource < b.resource;
                   });
  for (const auto& r : table->resources_) {
    GroupVersion gv{r.group, r.version};
    if (table->group_versions_.empty() || !(table->group_versions_.back() == gv)) {
      table->group_versions_.push_back(std::move(gv));
    }
  }
  return table;
}

const ResourceTable& ResourceTable::Default() {
  static const ResourceTable* const kDefault = [] {
    auto parsed = Parse(
        std::string_view(api::internal::kResourcesJson, api::internal::kResourcesJsonSize),
        &api::Schema::Default());
    if (!parsed.ok()) {
      std::fprintf(stderr, "embedded resources.json: %s\n", parsed.status().ToString().c_str());
      std::abort();
    }
    return std::move(parsed).value().release();
  }();
  return *kDefault;
}

const ResourceInfo* ResourceTable::Find(std::string_view group, std::string_view version,
                                        std::string_view resource) const {
  for (const auto& r : resources_) {
    if (r.resource == resource && r.version == version && r.group == group) return &r;
  }
  return nullptr;
}

const ResourceInfo* ResourceTable::FindByKind(std::string_view group, std::string_view version,
                                              std::string_view kind) const {
  for (const auto& r : resources_) {
    if (r.kind == kind && r.version == version && r.group == group) return &r;
  }
  return nullptr;
}

const ResourceInfo* ResourceTable::Resolve(std::string_view name) const {
  const std::string lower = AsciiLower(name);
  // kubectl expands short names before it matches plural, singular and kind.
  auto match = [&](std::string_view n, auto&& in_scope) -> const ResourceInfo* {
    for (const auto& r : resources_) {
      if (!in_scope(r)) continue;
      for (const auto& s : r.short_names) {
        if (AsciiLower(s) == n) return &r;
      }
    }
    for (const auto& r : resources_) {
      if (!in_scope(r)) continue;
      if (r.resource == n || r.singular == n || AsciiLower(r.kind) == n) return &r;
    }
    return nullptr;
  };
  if (lower.empty()) return nullptr;
  if (const ResourceInfo* r = match(lower, [](const ResourceInfo&) { return true; })) return r;

  // "name.group" or "name.version.group".
  const size_t dot = lower.find('.');
  if (dot == std::string::npos || dot == 0 || dot + 1 == lower.size()) return nullptr;
  const std::string_view base = std::string_view(lower).substr(0, dot);
  const std::string_view rest = std::string_view(lower).substr(dot + 1);
  if (const size_t dot2 = rest.find('.'); dot2 != std::string_view::npos) {
    const std::string_view version = rest.substr(0, dot2);
    const std::string_view group = rest.substr(dot2 + 1);
    if (const ResourceInfo* r = match(base, [&](const ResourceInfo& x) {
          return x.group == group && x.version == version;
        })) {
      return r;
    }
  }
  return match(base, [&](const ResourceInfo& x) { return x.group == rest; });
}

std::vector<std::string> ResourceTable::groups() const {
  std::vector<std::string> out;
  for (const auto& gv : group_versions_) {
    if (out.empty() || out.back() != gv.group) out.push_back(gv.group);
  }
  return out;
}

std::vector<std::string> ResourceTable::VersionsOf(std::string_view group) const {
  std::vector<std::string> out;
  for (const auto& gv : group_versions_) {
    if (gv.group == group) out.push_back(gv.version);
  }
  return out;
}

std::vector<const ResourceInfo*> ResourceTable::ResourcesIn(std::string_view group,
                                                           std::string_view version) const {
  std::vector<const ResourceInfo*> out;
  for (const auto& r : resources_) {
    if (r.group == group && r.version == version) out.push_back(&r);
  }
  return out;
}

Status ResourceTable::Validate(const api::Schema& schema) const {
  std::string missing;
  auto check = [&](std::string_view g, std::string_view v, std::string_view k,
                   std::string_view context) {
    if (schema.FindKind(g, v, k) != nullptr) return;
    if (!missing.empty()) missing += "; ";
    missing += std::string(context) + ": ";
    missing += g.empty() ? std::string(v) : std::string(g) + "/" + std::string(v);
    missing += " " + std::string(k);
  };
  for (const auto& r : resources_) {
    check(r.group, r.version, r.kind, r.resource);
    for (const auto& s : r.subresources) {
      // Connect subresources (exec, attach, proxy, portforward) take their
      // options from the query string; no object of that kind is ever sent.
      if (s.kind.ends_with("Options")) continue;
      check(s.group, s.version, s.kind, r.resource + "/" + s.name);
    }
  }
  if (missing.empty()) return Status::Ok();
  return Status::Invalid("kinds missing from the schema: " + missing);
}

}  // namespace kubepp::apiserver
