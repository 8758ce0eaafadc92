#include "apiserver/endpoints/patching.h"

#include "api/codec/json_codec.h"
#include "api/time.h"
#include "api/yaml/yaml.h"
#include "apiserver/fieldmanager/fieldmanager.h"
#include "apiserver/patch/patch.h"

namespace kubepp::apiserver::endpoints {

using nlohmann::json;

StatusOr<json> ParsePatchBody(std::string_view body, PatchType type) {
  if (type == PatchType::kApplyYaml) {
    auto parsed = api::yaml::ParseYaml(body);
    if (!parsed.ok()) return Status::BadRequest("error decoding YAML: " + parsed.status().message());
    if (!parsed->is_object()) return Status::BadRequest("apply patch must be a YAML or JSON object");
    return std::move(*parsed);
  }
  auto parsed = api::DecodeJson(body);
  if (!parsed.ok()) return Status::BadRequest("error decoding patch: " + parsed.status().message());
  if (type == PatchType::kJsonPatch && !parsed->is_array()) {
    return Status::BadRequest("json: cannot unmarshal object into Go value of type jsonpatch.Patch");
  }
  if (type != PatchType::kJsonPatch && !parsed->is_object()) {
    return Status::BadRequest("error decoding patch: the patch must be a JSON object");
  }
  return std::move(*parsed);
}

StatusOr<json> ApplyPatch(PatchType type, const json& base, const json& patch, const api::Kind& kind,
                          registry::RequestContext& ctx, bool main_resource) {
  (void)main_resource;
  switch (type) {
    case PatchType::kJsonPatch: {
      auto r = patch::ApplyJsonPatch(base, patch);
      if (!r.ok() && r.status().code() == StatusCode::kInvalid) {
        // Upstream's shape: a fixed message, the reason in the first cause.
        ctx.error.causes = {{"", r.status().message(), ""}};
        return Status::Invalid(patch::kPatchRejectedMessage);
      }
      return r;
    }
    case PatchType::kMergePatch: return patch::ApplyMergePatch(base, patch);
    case PatchType::kStrategicMergePatch:
      return patch::ApplyStrategicMergePatch(base, patch, *kind.definition);
    default: break;
  }
  return Status::BadRequest("unsupported patch type");
}

StatusOr<json> ApplyServerSide(const json* current, const json& applied, const api::Kind& kind,
                               registry::RequestContext& ctx, bool force, const ResourceInfo& res,
                               std::string_view name) {
  std::string api_version = applied.value("apiVersion", "");
  std::string applied_kind = applied.value("kind", "");
  if (api_version != kind.ApiVersion() || applied_kind != kind.kind) {
    return Status::BadRequest("the API version in the data (" + api_version + ") and kind (" + applied_kind +
                              ") do not match the expected " + kind.ApiVersion() + " " + kind.kind);
  }
  std::string applied_name = applied.contains("metadata") && applied["metadata"].is_object()
                                 ? applied["metadata"].value("name", "")
                                 : "";
  if (applied_name != name) {
    return Status::BadRequest("the name of the object (" + applied_name + ") does not match the name on the URL (" +
                              std::string(name) + ")");
  }
  std::vector<fieldmanager::Conflict> conflicts;
  fieldmanager::Scope scope;
  scope.kind = &kind;
  if (res.FindSubresource("status") != nullptr) scope.reset_fields = {"status"};
  auto result = fieldmanager::Apply(current, applied, ctx.field_manager, force, api::Time::Now().FormatSeconds(),
                                    scope, &conflicts);
  if (!result.ok() && result.status().code() == StatusCode::kConflict) {
    ctx.error.name = std::string(name);
    ctx.error.group = res.group;
    ctx.error.kind = res.resource;
    ctx.error.causes.clear();
    for (const auto& cf : conflicts) {
      ctx.error.causes.push_back({"FieldManagerConflict", cf.message, cf.field});
    }
  }
  return result;
}

}  // namespace kubepp::apiserver::endpoints
