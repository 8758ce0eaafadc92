// Internal to src/apiserver/openapi/: the protobuf encoding of a Swagger 2.0
// document as gnostic's openapi_v2.Document (github.com/google/gnostic,
// openapiv2/OpenAPIv2.proto), which kubectl decodes from /openapi/v2.
//
// The encoder walks the JSON form (so the JSON and protobuf documents carry
// the same facts) and covers the subset of Swagger our documents use: info,
// paths with operations, inline body/query/path parameters and $ref
// parameters, responses with schemas, definitions (Schema: $ref, type,
// format, required, items, properties, additionalProperties, allOf),
// security and securityDefinitions (apiKey), and x- vendor extensions, which
// gnostic keeps as NamedAny{name, Any{yaml}} with the value re-written as YAML
// (api::yaml::ToYaml, the go-yaml style kubectl's reader parses back).
//
// Pure functions; thread-safe.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace kubepp::apiserver::openapi::internal {

// The gnostic openapi_v2.Document bytes for a Swagger 2.0 JSON document.
// BadRequest naming the JSON path of a member whose shape the encoder does
// not understand (a wrong JSON type, or an unsupported parameter location).
StatusOr<std::string> EncodeGnosticV2(const nlohmann::json& swagger);

}  // namespace kubepp::apiserver::openapi::internal
