// Known differences from upstream kube-apiserver's documents (all facts we
// do not hold, none that kubectl reads for apply, validation or explain):
//  - no `description` anywhere and no `default` values (the schema has no
//    prose and no defaults);
//  - no `x-kubernetes-unions` on the few definitions upstream marks;
//  - no non-resource paths (/version, /api/, /apis/<group>/, discovery
//    GETs), so APIResourceList/APIGroup definitions are absent;
//  - parameters are written inline on every path (upstream's v2 shares some
//    through #/parameters/...), and no CBOR media types are listed (kubepp
//    does not serve CBOR; upstream 1.33 lists it only behind a feature gate);
//  - the v3 index lists only group-version documents (upstream also lists
//    "api", "apis", "apis/<group>", "version", ...).

#include "apiserver/openapi/openapi.h"

#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "api/schema/schema.h"
#include "apiserver/discovery/resources.h"
#include "apiserver/openapi/gnostic.h"
#include "apiserver/openapi/routes.h"

namespace kubepp::apiserver::openapi {
namespace {

using internal::Gvk;
using nlohmann::json;

enum class Flavor { kV2, kV3 };

constexpr std::string_view kPatchDef = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";

std::string RefPrefix(Flavor f) {
  return f == Flavor::kV2 ? "#/definitions/" : "#/components/schemas/";
}

json RefTo(Flavor f, std::string_view name) { return json{{"$ref", RefPrefix(f) + std::string(name)}}; }

json GvkJson(const Gvk& g) { return json{{"group", g.group}, {"kind", g.kind}, {"version", g.version}}; }

std::string Sha512Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // EVP_Digest fails only when OpenSSL cannot allocate; an empty hash then.
  if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha512(), nullptr) != 1) return "";
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(len * 2);
  for (unsigned int i = 0; i < len; ++i) {
    out.push_back(kHex[md[i] >> 4]);
    out.push_back(kHex[md[i] & 0xf]);
  }
  return out;
}

// The JSON schema of a field type, without the field's own extensions.
json TypeSchema(const api::TypeRef& t, Flavor f) {
  json j = json::object();
  switch (t.kind) {
    case api::TypeKind::kString:
      j["type"] = "string";
      break;
    case api::TypeKind::kInteger:
      j["type"] = "integer";
      break;
    case api::TypeKind::kNumber:
      j["type"] = "number";
      break;
    case api::TypeKind::kBoolean:
      j["type"] = "boolean";
      break;
    case api::TypeKind::kRef:
      if (t.ref != nullptr) j = RefTo(f, t.ref->name);
      return j;
    case api::TypeKind::kArray:
      j["type"] = "array";
      j["items"] = t.element ? TypeSchema(*t.element, f) : json::object();
      return j;
    case api::TypeKind::kMap:
      j["type"] = "object";
      j["additionalProperties"] = t.element ? TypeSchema(*t.element, f) : json::object();
      return j;
    case api::TypeKind::kAny:
      return j;  // any JSON value
  }
  if (!t.format.empty()) j["format"] = t.format;
  return j;
}

json FieldSchema(const api::Field& field, Flavor f) {
  json ext = json::object();
  if (!field.patch_strategy.empty()) ext["x-kubernetes-patch-strategy"] = field.patch_strategy;
  if (!field.patch_merge_key.empty()) ext["x-kubernetes-patch-merge-key"] = field.patch_merge_key;
  if (!field.list_type.empty()) ext["x-kubernetes-list-type"] = field.list_type;
  if (!field.list_map_keys.empty()) ext["x-kubernetes-list-map-keys"] = field.list_map_keys;
  if (!field.map_type.empty()) ext["x-kubernetes-map-type"] = field.map_type;
  json j = TypeSchema(field.type, f);
  if (f == Flavor::kV3 && field.type.kind == api::TypeKind::kRef) {
    // OpenAPI 3.0 ignores siblings of a $ref, so upstream wraps every
    // property reference in a one-element allOf (kubectl's explain and
    // strategic-merge code read allOf[0]).
    j = json{{"allOf", json::array({std::move(j)})}};
  }
  for (auto& [k, v] : ext.items()) j[k] = v;
  return j;
}

json DefinitionSchema(const api::Definition& d, Flavor f, const std::vector<Gvk>* gvks) {
  json j = json::object();
  switch (d.special) {
    case api::Special::kQuantity:
      if (f == Flavor::kV2) {
        j["type"] = "string";
      } else {
        j["oneOf"] = json::array({json{{"type", "string"}}, json{{"type", "number"}}});
      }
      return j;
    case api::Special::kIntOrString:
      j["format"] = "int-or-string";
      if (f == Flavor::kV2) {
        j["type"] = "string";
      } else {
        j["oneOf"] = json::array({json{{"type", "integer"}}, json{{"type", "string"}}});
      }
      return j;
    case api::Special::kTime:
    case api::Special::kMicroTime:
      j["type"] = "string";
      j["format"] = "date-time";
      return j;
    case api::Special::kRawExtension:
    case api::Special::kFieldsV1:
      j["type"] = "object";
      return j;
    case api::Special::kJson:
      return j;  // any JSON value
    case api::Special::kDuration:
      j["type"] = "string";
      return j;
    case api::Special::kNone:
      break;
  }
  j["type"] = "object";
  if (!d.fields.empty()) {
    json props = json::object();
    for (const api::Field& field : d.fields) props[field.name] = FieldSchema(field, f);
    j["properties"] = std::move(props);
  }
  if (!d.required.empty()) j["required"] = d.required;
  if (!d.struct_type.empty()) j["x-kubernetes-map-type"] = d.struct_type;
  if (gvks != nullptr && !gvks->empty()) {
    json list = json::array();
    for (const Gvk& g : *gvks) list.push_back(GvkJson(g));
    j["x-kubernetes-group-version-kind"] = std::move(list);
  }
  return j;
}

std::string ResponseDescription(int code) {
  switch (code) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 401: return "Unauthorized";
    default: return "";
  }
}

json ResponseSchema(const internal::Response& r, Flavor f) {
  if (r.string_body) return json{{"type", "string"}};
  if (!r.definition.empty()) return RefTo(f, r.definition);
  return nullptr;
}

void AddOperationMetadata(const internal::Operation& op, json* j) {
  (*j)["operationId"] = op.operation_id;
  (*j)["tags"] = json::array({op.tag});
  (*j)["x-kubernetes-action"] = op.action;
  if (op.gvk) (*j)["x-kubernetes-group-version-kind"] = GvkJson(*op.gvk);
}

json V2Parameter(const internal::Parameter& p) {
  json j{{"in", p.in}, {"name", p.name}, {"type", p.type}, {"uniqueItems", true}};
  if (p.required) j["required"] = true;
  return j;
}

json V2Operation(const internal::Operation& op) {
  json j = json::object();
  AddOperationMetadata(op, &j);
  j["consumes"] = op.consumes;
  j["produces"] = op.produces;
  j["schemes"] = json::array({"https"});
  std::vector<std::pair<std::string, json>> params;
  if (!op.body.empty()) {
    json body{{"in", "body"}, {"name", "body"}, {"schema", RefTo(Flavor::kV2, op.body)}};
    if (op.body_required) body["required"] = true;
    params.emplace_back("body", std::move(body));
  }
  for (const internal::Parameter& p : op.parameters) params.emplace_back(p.name, V2Parameter(p));
  std::stable_sort(params.begin(), params.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  if (!params.empty()) {
    json list = json::array();
    for (auto& [name, p] : params) list.push_back(std::move(p));
    j["parameters"] = std::move(list);
  }
  json responses = json::object();
  for (const internal::Response& r : op.responses) {
    json resp{{"description", ResponseDescription(r.code)}};
    json schema = ResponseSchema(r, Flavor::kV2);
    if (!schema.is_null()) resp["schema"] = std::move(schema);
    responses[std::to_string(r.code)] = std::move(resp);
  }
  j["responses"] = std::move(responses);
  return j;
}

json V3Parameter(const internal::Parameter& p) {
  json j{{"in", p.in}, {"name", p.name}, {"schema", {{"type", p.type}, {"uniqueItems", true}}}};
  if (p.required) j["required"] = true;
  return j;
}

json V3Operation(const internal::Operation& op) {
  json j = json::object();
  AddOperationMetadata(op, &j);
  if (!op.parameters.empty()) {
    json list = json::array();
    for (const internal::Parameter& p : op.parameters) list.push_back(V3Parameter(p));
    j["parameters"] = std::move(list);
  }
  if (!op.body.empty()) {
    json content = json::object();
    for (const std::string& mt : op.consumes) content[mt] = {{"schema", RefTo(Flavor::kV3, op.body)}};
    json body{{"content", std::move(content)}};
    if (op.body_required) body["required"] = true;
    j["requestBody"] = std::move(body);
  }
  json responses = json::object();
  for (const internal::Response& r : op.responses) {
    json resp{{"description", ResponseDescription(r.code)}};
    json schema = ResponseSchema(r, Flavor::kV3);
    if (!schema.is_null()) {
      json content = json::object();
      for (const std::string& mt : op.produces) content[mt] = {{"schema", schema}};
      resp["content"] = std::move(content);
    }
    responses[std::to_string(r.code)] = std::move(resp);
  }
  j["responses"] = std::move(responses);
  return j;
}

json PathItemJson(const internal::PathItem& item, Flavor f) {
  json j = json::object();
  if (!item.parameters.empty()) {
    json list = json::array();
    for (const internal::Parameter& p : item.parameters) {
      list.push_back(f == Flavor::kV2 ? V2Parameter(p) : V3Parameter(p));
    }
    j["parameters"] = std::move(list);
  }
  for (const internal::Operation& op : item.operations) {
    j[op.method] = f == Flavor::kV2 ? V2Operation(op) : V3Operation(op);
  }
  return j;
}

json SecurityRequirement() {
  json req = json::object();
  req["BearerToken"] = json::array();
  json list = json::array();
  list.push_back(std::move(req));
  return list;
}

json Info() { return json{{"title", "Kubernetes"}, {"version", "unversioned"}}; }

json BearerTokenScheme() {
  return json{{"BearerToken", {{"in", "header"}, {"name", "authorization"}, {"type", "apiKey"}}}};
}

// The definitions `routes` refer to and everything they reach.
struct DefinitionSet {
  std::set<std::string> names;
  std::set<std::string> missing;
};

void AddRoots(const std::vector<internal::PathItem>& routes, std::vector<std::string>* roots) {
  for (const internal::PathItem& item : routes) {
    for (const internal::Operation& op : item.operations) {
      if (!op.body.empty()) roots->push_back(op.body);
      for (const internal::Response& r : op.responses) {
        if (!r.definition.empty()) roots->push_back(r.definition);
      }
    }
  }
}

void CollectRefs(const api::TypeRef& t, std::vector<std::string>* out) {
  if (t.kind == api::TypeKind::kRef && t.ref != nullptr) out->push_back(t.ref->name);
  if (t.element) CollectRefs(*t.element, out);
}

DefinitionSet Reachable(const api::Schema& schema, std::vector<std::string> pending) {
  DefinitionSet set;
  while (!pending.empty()) {
    std::string name = std::move(pending.back());
    pending.pop_back();
    if (set.names.count(name) != 0 || set.missing.count(name) != 0) continue;
    if (name == kPatchDef) {
      set.names.insert(name);  // synthesized: upstream's Patch is an empty object type
      continue;
    }
    const api::Definition* d = schema.FindDefinition(name);
    if (d == nullptr) {
      set.missing.insert(name);
      continue;
    }
    set.names.insert(name);
    for (const api::Field& f : d->fields) CollectRefs(f.type, &pending);
  }
  return set;
}

// The group-version-kinds each definition is published under, as upstream's
// `x-kubernetes-group-version-kind` lists them (sorted by group, version).
std::map<std::string, std::vector<Gvk>> DefinitionGvks(const api::Schema& schema, const ResourceTable& table) {
  std::map<std::string, std::vector<Gvk>> out;
  for (const api::Kind& k : schema.kinds()) {
    // meta.k8s.io lists the meta/v1 kinds for our own codecs; upstream
    // publishes them under the core group only.
    if (k.group == "meta.k8s.io") continue;
    if (k.definition != nullptr) out[k.definition->name].push_back({k.group, k.version, k.kind});
    if (k.list != nullptr) out[k.list->name].push_back({k.group, k.version, k.kind + "List"});
  }
  // Upstream registers these two in every served group-version's scheme.
  for (const char* kind : {"DeleteOptions", "WatchEvent"}) {
    const api::Kind* k = schema.FindKind("", "v1", kind);
    if (k == nullptr || k->definition == nullptr) continue;
    for (const GroupVersion& gv : table.group_versions()) {
      if (!gv.group.empty()) out[k->definition->name].push_back({gv.group, gv.version, kind});
    }
  }
  for (auto& [name, list] : out) {
    std::sort(list.begin(), list.end(), [](const Gvk& a, const Gvk& b) {
      return std::tie(a.group, a.version, a.kind) < std::tie(b.group, b.version, b.kind);
    });
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  return out;
}

std::string GvPath(const GroupVersion& gv) {
  return gv.group.empty() ? "api/" + gv.version : "apis/" + gv.group + "/" + gv.version;
}

}  // namespace

const Document* OpenApi::V3(std::string_view gv_path) const {
  auto it = v3_.find(gv_path);
  return it == v3_.end() ? nullptr : &it->second;
}

StatusOr<std::unique_ptr<OpenApi>> OpenApi::Build(const api::Schema& schema, const ResourceTable& table) {
  Status valid = table.Validate(schema);
  if (!valid.ok()) return valid.WithPrefix("openapi");

  const std::map<std::string, std::vector<Gvk>> gvks = DefinitionGvks(schema, table);
  std::map<std::string, json> v2_defs;  // built once, copied into the documents
  std::map<std::string, json> v3_defs;
  auto definition = [&](const std::string& name, Flavor f) -> const json& {
    std::map<std::string, json>& cache = f == Flavor::kV2 ? v2_defs : v3_defs;
    auto it = cache.find(name);
    if (it != cache.end()) return it->second;
    json j;
    if (name == kPatchDef) {
      j = json{{"type", "object"}};
    } else {
      auto g = gvks.find(name);
      j = DefinitionSchema(*schema.FindDefinition(name), f, g == gvks.end() ? nullptr : &g->second);
    }
    return cache.emplace(name, std::move(j)).first->second;
  };

  std::unique_ptr<OpenApi> api(new OpenApi());
  json v2_paths = json::object();
  std::vector<std::string> all_roots;
  json index_paths = json::object();
  for (const GroupVersion& gv : table.group_versions()) {
    std::vector<internal::PathItem> routes = internal::BuildRoutes(table, schema, gv);
    std::vector<std::string> roots;
    AddRoots(routes, &roots);
    all_roots.insert(all_roots.end(), roots.begin(), roots.end());
    DefinitionSet defs = Reachable(schema, std::move(roots));
    if (!defs.missing.empty()) {
      std::string names;
      for (const std::string& m : defs.missing) names += (names.empty() ? "" : ", ") + m;
      return Status::Invalid("openapi: " + gv.ToString() + " refers to definitions the schema lacks: " + names);
    }

    json paths = json::object();
    for (const internal::PathItem& item : routes) {
      paths[item.path] = PathItemJson(item, Flavor::kV3);
      v2_paths[item.path] = PathItemJson(item, Flavor::kV2);
    }
    json schemas = json::object();
    for (const std::string& name : defs.names) schemas[name] = definition(name, Flavor::kV3);
    json doc{{"openapi", "3.0.0"},
             {"info", Info()},
             {"paths", std::move(paths)},
             {"components", {{"schemas", std::move(schemas)}, {"securitySchemes", BearerTokenScheme()}}}};
    Document d;
    d.json = doc.dump();
    d.hash = Sha512Hex(d.json);
    const std::string path = GvPath(gv);
    index_paths[path] = {{"serverRelativeURL", "/openapi/v3/" + path + "?hash=" + d.hash}};
    api->v3_.emplace(path, std::move(d));
  }
  api->v3_index_.json = json{{"paths", std::move(index_paths)}}.dump();
  api->v3_index_.hash = Sha512Hex(api->v3_index_.json);

  DefinitionSet all = Reachable(schema, std::move(all_roots));
  json definitions = json::object();
  for (const std::string& name : all.names) definitions[name] = definition(name, Flavor::kV2);
  json v2{{"swagger", "2.0"},
          {"info", Info()},
          {"paths", std::move(v2_paths)},
          {"definitions", std::move(definitions)},
          {"security", SecurityRequirement()},
          {"securityDefinitions", BearerTokenScheme()}};
  api->v2_.json = v2.dump();
  api->v2_.hash = Sha512Hex(api->v2_.json);
  StatusOr<std::string> proto = internal::EncodeGnosticV2(v2);
  if (!proto.ok()) return proto.status();
  api->v2_protobuf_ = std::move(proto).value();
  return api;
}

}  // namespace kubepp::apiserver::openapi
