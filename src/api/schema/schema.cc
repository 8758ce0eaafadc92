#include "api/schema/schema.h"

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace kubepp::api {

namespace internal {
// Defined in the generated schema_data.cc (see CMakeLists.txt).
extern const char kSchemaJson[];
extern const unsigned long kSchemaJsonSize;
}  // namespace internal

struct Schema::Impl {
  std::map<std::string, std::unique_ptr<Definition>, std::less<>> definitions;
  // "group/version/kind" -> index into kinds_; list kinds map to their kind.
  std::map<std::string, size_t, std::less<>> by_gvk;
  std::map<std::string, size_t, std::less<>> by_list_gvk;
};

namespace {

std::string GvkKey(std::string_view g, std::string_view v, std::string_view k) {
  std::string key;
  key.reserve(g.size() + v.size() + k.size() + 2);
  key.append(g).push_back('/');
  key.append(v).push_back('/');
  key.append(k);
  return key;
}

Special ParseSpecial(const std::string& s) {
  if (s == "quantity") return Special::kQuantity;
  if (s == "intorstring") return Special::kIntOrString;
  if (s == "time") return Special::kTime;
  if (s == "microtime") return Special::kMicroTime;
  if (s == "rawextension") return Special::kRawExtension;
  if (s == "fieldsv1") return Special::kFieldsV1;
  if (s == "json") return Special::kJson;
  if (s == "duration") return Special::kDuration;
  return Special::kNone;
}

}  // namespace

const Field* Definition::FindField(std::string_view json_name) const {
  for (const Field& f : fields) {
    if (f.name == json_name) return &f;
  }
  return nullptr;
}

Schema::Schema() : impl_(std::make_unique<Impl>()) {}
Schema::~Schema() = default;

StatusOr<std::unique_ptr<Schema>> Schema::Parse(std::string_view json_text) {
  std::unique_ptr<Schema> schema(new Schema());
  Impl& impl = *schema->impl_;
  try {
    nlohmann::json doc = nlohmann::json::parse(json_text);
    const nlohmann::json& defs = doc.at("definitions");
    for (auto it = defs.begin(); it != defs.end(); ++it) {
      auto d = std::make_unique<Definition>();
      d->name = it.key();
      impl.definitions.emplace(it.key(), std::move(d));
    }
    std::string where;
    // Parses a TypeRef, resolving refs; throws on bad input.
    std::function<TypeRef(const nlohmann::json&)> parse_type =
        [&](const nlohmann::json& t) -> TypeRef {
      TypeRef r;
      const std::string kind = t.at("kind").get<std::string>();
      if (t.contains("format")) r.format = t["format"].get<std::string>();
      if (kind == "string") {
        r.kind = TypeKind::kString;
      } else if (kind == "integer") {
        r.kind = TypeKind::kInteger;
      } else if (kind == "number") {
        r.kind = TypeKind::kNumber;
      } else if (kind == "boolean") {
        r.kind = TypeKind::kBoolean;
      } else if (kind == "any") {
        r.kind = TypeKind::kAny;
      } else if (kind == "ref") {
        r.kind = TypeKind::kRef;
        auto found = impl.definitions.find(t.at("ref").get<std::string>());
        if (found == impl.definitions.end()) {
          throw std::runtime_error(where + ": dangling ref " + t["ref"].get<std::string>());
        }
        r.ref = found->second.get();
      } else if (kind == "array") {
        r.kind = TypeKind::kArray;
        r.element = std::make_shared<TypeRef>(parse_type(t.at("items")));
      } else if (kind == "map") {
        r.kind = TypeKind::kMap;
        r.element = std::make_shared<TypeRef>(parse_type(t.at("values")));
      } else {
        throw std::runtime_error(where + ": unknown type kind " + kind);
      }
      return r;
    };
    for (auto it = defs.begin(); it != defs.end(); ++it) {
      Definition& d = *impl.definitions[it.key()];
      const nlohmann::json& j = it.value();
      if (j.contains("special")) {
        d.special = ParseSpecial(j["special"].get<std::string>());
        if (d.special == Special::kNone) {
          throw std::runtime_error(d.name + ": unknown special");
        }
      }
      if (j.contains("proto")) d.proto = j["proto"].get<std::string>();
      if (j.contains("structType")) d.struct_type = j["structType"].get<std::string>();
      if (j.contains("required")) d.required = j["required"].get<std::vector<std::string>>();
      if (!j.contains("fields")) continue;
      for (const nlohmann::json& f : j["fields"]) {
        Field field;
        field.name = f.at("name").get<std::string>();
        where = d.name + "." + field.name;
        field.type = parse_type(f.at("type"));
        if (f.contains("proto")) field.proto = f["proto"].get<int>();
        if (f.contains("protoVia")) field.proto_via = f["protoVia"].get<std::vector<int>>();
        if (f.contains("patchStrategy")) field.patch_strategy = f["patchStrategy"].get<std::string>();
        if (f.contains("patchMergeKey")) field.patch_merge_key = f["patchMergeKey"].get<std::string>();
        if (f.contains("listType")) field.list_type = f["listType"].get<std::string>();
        if (f.contains("listMapKeys")) {
          field.list_map_keys = f["listMapKeys"].get<std::vector<std::string>>();
        }
        if (f.contains("mapType")) field.map_type = f["mapType"].get<std::string>();
        field.pointer = f.value("pointer", false);
        for (const std::string& r : d.required) {
          if (r == field.name) field.required = true;
        }
        d.fields.push_back(std::move(field));
      }
    }
    for (const nlohmann::json& k : doc.at("kinds")) {
      Kind kind;
      kind.group = k.at("group").get<std::string>();
      kind.version = k.at("version").get<std::string>();
      kind.kind = k.at("kind").get<std::string>();
      const Definition* def = schema->FindDefinition(k.at("definition").get<std::string>());
      if (def == nullptr) throw std::runtime_error("kind " + kind.kind + ": no definition");
      kind.definition = def;
      if (k.contains("list")) {
        kind.list = schema->FindDefinition(k["list"].get<std::string>());
        if (kind.list == nullptr) throw std::runtime_error("kind " + kind.kind + ": no list");
      }
      const size_t index = schema->kinds_.size();
      impl.by_gvk[GvkKey(kind.group, kind.version, kind.kind)] = index;
      if (kind.list != nullptr) {
        impl.by_list_gvk[GvkKey(kind.group, kind.version, kind.kind + "List")] = index;
      }
      schema->kinds_.push_back(std::move(kind));
    }
  } catch (const std::exception& e) {
    return Status::BadRequest(std::string("schema: ") + e.what());
  }
  return schema;
}

const Schema& Schema::Default() {
  static const Schema* const kDefault = [] {
    auto parsed = Parse(std::string_view(internal::kSchemaJson, internal::kSchemaJsonSize));
    if (!parsed.ok()) {
      std::fprintf(stderr, "embedded schema.json: %s\n", parsed.status().ToString().c_str());
      std::abort();
    }
    return std::move(parsed).value().release();
  }();
  return *kDefault;
}

const Kind* Schema::FindKind(std::string_view group, std::string_view version,
                             std::string_view kind) const {
  auto it = impl_->by_gvk.find(GvkKey(group, version, kind));
  return it == impl_->by_gvk.end() ? nullptr : &kinds_[it->second];
}

const Kind* Schema::ResolveKind(std::string_view api_version, std::string_view kind,
                                bool* is_list) const {
  std::string group, version;
  SplitApiVersion(api_version, &group, &version);
  const std::string key = GvkKey(group, version, kind);
  if (auto it = impl_->by_gvk.find(key); it != impl_->by_gvk.end()) {
    if (is_list != nullptr) *is_list = false;
    return &kinds_[it->second];
  }
  if (auto it = impl_->by_list_gvk.find(key); it != impl_->by_list_gvk.end()) {
    if (is_list != nullptr) *is_list = true;
    return &kinds_[it->second];
  }
  return nullptr;
}

const Definition* Schema::FindDefinition(std::string_view name) const {
  auto it = impl_->definitions.find(name);
  return it == impl_->definitions.end() ? nullptr : it->second.get();
}

std::vector<const Definition*> Schema::definitions() const {
  std::vector<const Definition*> out;
  out.reserve(impl_->definitions.size());
  for (const auto& [name, def] : impl_->definitions) out.push_back(def.get());
  return out;
}

void SplitApiVersion(std::string_view api_version, std::string* group, std::string* version) {
  const size_t slash = api_version.find('/');
  if (slash == std::string_view::npos) {
    group->clear();
    version->assign(api_version);
  } else {
    group->assign(api_version.substr(0, slash));
    version->assign(api_version.substr(slash + 1));
  }
}

}  // namespace kubepp::api
