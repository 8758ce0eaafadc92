// PATCH bodies and server-side apply for the endpoints (internal to
// apiserver/endpoints): parses a patch body by its type and applies it to an
// object, and runs server-side apply with upstream's conflict reporting.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "api/schema/schema.h"
#include "apiserver/discovery/resources.h"
#include "apiserver/endpoints/negotiation.h"
#include "apiserver/registry/registry.h"
#include "common/status.h"

namespace kubepp::apiserver::endpoints {

// JSON for the JSON/merge/strategic types, YAML (or JSON) for apply.
// BadRequest naming the problem when unreadable.
StatusOr<nlohmann::json> ParsePatchBody(std::string_view body, PatchType type);

// Applies a JSON, merge or strategic patch to `base` (an object of `kind`).
StatusOr<nlohmann::json> ApplyPatch(PatchType type, const nlohmann::json& base, const nlohmann::json& patch,
                                    const api::Kind& kind, registry::RequestContext& ctx, bool main_resource);

// Server-side apply of `applied` onto `current` (null: create) by
// ctx.field_manager. Conflict (409) with FieldManagerConflict causes in
// ctx.error unless `force`.
StatusOr<nlohmann::json> ApplyServerSide(const nlohmann::json* current, const nlohmann::json& applied,
                                         const api::Kind& kind, registry::RequestContext& ctx, bool force,
                                         const ResourceInfo& res, std::string_view name);

}  // namespace kubepp::apiserver::endpoints
