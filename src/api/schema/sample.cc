#include "api/schema/sample.h"

#include <functional>
#include <string>

#include "common/encoding.h"

namespace kubepp::api {
namespace {

constexpr int kMaxDepth = 24;

class Sampler {
 public:
  Sampler(const Schema& schema, int seed) : schema_(schema), seed_(seed) {}

  nlohmann::json Struct(const Definition& def, int depth, bool top) {
    if (def.special != Special::kNone) return SpecialValue(def, def.name);
    nlohmann::json obj = nlohmann::json::object();
    if (depth > kMaxDepth) return obj;
    for (const Field& f : def.fields) {
      if ((f.name == "apiVersion" || f.name == "kind") && f.proto == 0) {
        if (top) SetTypeMeta(def, &obj);
        continue;
      }
      obj[f.name] = Value(f.type, f.name, depth + 1);
    }
    return obj;
  }

 private:
  void SetTypeMeta(const Definition& def, nlohmann::json* obj) {
    for (const Kind& k : schema_.kinds()) {
      if (k.definition == &def) {
        (*obj)["apiVersion"] = k.ApiVersion();
        (*obj)["kind"] = k.kind;
        return;
      }
      if (k.list == &def) {
        (*obj)["apiVersion"] = k.ApiVersion();
        (*obj)["kind"] = k.kind + "List";
        return;
      }
    }
  }

  int Number(std::string_view salt) const {
    return 1 + static_cast<int>((std::hash<std::string_view>()(salt) + seed_ * 7919u) % 100000u);
  }

  nlohmann::json Value(const TypeRef& t, const std::string& name, int depth) {
    switch (t.kind) {
      case TypeKind::kString:
        if (t.IsBytes()) return Base64Encode("bytes-" + name + "-" + std::to_string(seed_));
        return name + "-" + std::to_string(seed_);
      case TypeKind::kInteger:
        return Number(name);
      case TypeKind::kNumber:
        return 0.5 + Number(name);
      case TypeKind::kBoolean:
        return true;
      case TypeKind::kAny:
        return nlohmann::json{{"free", name}, {"n", seed_}};
      case TypeKind::kArray:
        return nlohmann::json::array({Value(*t.element, name, depth + 1)});
      case TypeKind::kMap:
        return nlohmann::json{{"key-" + std::to_string(seed_), Value(*t.element, name, depth + 1)}};
      case TypeKind::kRef:
        if (t.ref->special != Special::kNone) return SpecialValue(*t.ref, name);
        return Struct(*t.ref, depth + 1, /*top=*/false);
    }
    return nullptr;
  }

  nlohmann::json SpecialValue(const Definition& def, const std::string& name) {
    const int n = Number(name);
    switch (def.special) {
      case Special::kQuantity:
        return std::to_string(n) + "Mi";
      case Special::kIntOrString:
        if ((seed_ + n) % 2 == 0) return n;
        return std::to_string(n % 100) + "%";
      case Special::kTime:
        return "2024-0" + std::to_string(1 + seed_ % 9) + "-1" + std::to_string(n % 10) +
               "T03:04:05Z";
      case Special::kMicroTime:
        return "2024-0" + std::to_string(1 + seed_ % 9) + "-1" + std::to_string(n % 10) +
               "T03:04:05.123456Z";
      case Special::kRawExtension:
      case Special::kJson:
        return nlohmann::json{{"apiVersion", "example.com/v1"}, {"kind", "Thing"}, {"n", n}};
      case Special::kFieldsV1:
        return nlohmann::json{{"f:metadata", {{"f:labels", nlohmann::json::object()}}}};
      case Special::kDuration:
        return std::to_string(n % 60) + "s";
      case Special::kNone:
        break;
    }
    return nullptr;
  }

  const Schema& schema_;
  const int seed_;
};

}  // namespace

nlohmann::json SampleObject(const Schema& schema, std::string_view definition_name, int seed) {
  const Definition* def = schema.FindDefinition(definition_name);
  if (def == nullptr) return nullptr;
  return Sampler(schema, seed).Struct(*def, 0, /*top=*/true);
}

}  // namespace kubepp::api
