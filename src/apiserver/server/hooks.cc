#include "apiserver/server/hooks.h"

#include <nlohmann/json.hpp>

#include "api/schema/schema.h"

#include "apiserver/fieldmanager/fieldmanager.h"
#include "apiserver/strategy/strategy.h"

namespace kubepp::apiserver {
namespace {

using nlohmann::json;

class StrategyHooks final : public registry::Hooks {
 public:
  void Default(const ResourceInfo& info, json& obj) const override {
    strategy::ApplyDefaults(info.group, info.kind, obj);
  }
  void PrepareForCreate(const ResourceInfo& info, json& obj) const override {
    strategy::PrepareForCreate(info.group, info.kind, obj);
  }
  void PrepareForUpdate(const ResourceInfo& info, json& obj, const json& old) const override {
    strategy::PrepareForUpdate(info.group, info.kind, obj, old);
  }
  void PrepareForStatusUpdate(const ResourceInfo& info, json& obj, const json& old) const override {
    strategy::PrepareForStatusUpdate(info.group, info.kind, obj, old);
  }
  api::FieldErrors ValidateCreate(const ResourceInfo& info, const json& obj) const override {
    return strategy::ValidateCreate(info.group, info.kind, obj);
  }
  api::FieldErrors ValidateUpdate(const ResourceInfo& info, const json& obj, const json& old) const override {
    return strategy::ValidateUpdate(info.group, info.kind, obj, old);
  }
  api::FieldErrors ValidateStatusUpdate(const ResourceInfo& info, const json& obj, const json& old) const override {
    return strategy::ValidateStatusUpdate(info.group, info.kind, obj, old);
  }
  Status TrackFields(const ResourceInfo& info, std::string_view subresource, const json* live, json& obj,
                     std::string_view manager, std::string_view now) const override {
    const api::Kind* kind = api::Schema::Default().FindKind(info.group, info.version, info.kind);
    if (kind == nullptr || kind->definition == nullptr) return Status::Ok();
    fieldmanager::Scope scope;
    scope.kind = kind;
    // Writes through a subresource are recorded as such; only scale and
    // status are tracked upstream (binding and finalize are not).
    if (subresource == "status" || subresource == "scale") scope.subresource = std::string(subresource);
    if (subresource == "binding" || subresource == "finalize") return Status::Ok();
    if (subresource.empty() && info.FindSubresource("status") != nullptr) scope.reset_fields = {"status"};
    return fieldmanager::UpdateManagedFields(live, obj, manager, now, scope);
  }
};

}  // namespace

std::unique_ptr<registry::Hooks> NewStrategyHooks() { return std::make_unique<StrategyHooks>(); }

}  // namespace kubepp::apiserver
