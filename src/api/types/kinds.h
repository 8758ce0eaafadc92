// The table of served kinds with a typed round trip for each: for a given
// apiVersion/kind, decode generic JSON into the generated struct and encode it
// back. The API server and tests use it to check that an object conforms to
// the typed schema (a type error comes back as Invalid naming the field) and
// that the typed path loses nothing.
//
// The table is generated from schema.json's `kinds` (kinds_table.cc); list
// kinds (DeploymentList, ...) are entries of their own. Thread-safety:
// immutable after static initialisation.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace kubepp::api {

struct KindInfo {
  std::string_view api_version;  // "apps/v1", "v1"
  std::string_view kind;         // "Deployment"
  std::string_view definition;   // "io.k8s.api.apps.v1.Deployment"
  // Text -> typed -> text. BadRequest on malformed JSON, Invalid naming the
  // field on a type mismatch.
  Status (*round_trip_text)(std::string_view in, std::string* out);
  // Generic JSON -> typed -> generic JSON. Invalid naming the field.
  Status (*round_trip_json)(const nlohmann::json& in, nlohmann::json* out);
};

// Every served kind, in schema order.
std::span<const KindInfo> AllKinds();

// nullptr when the kind is not served.
const KindInfo* FindKind(std::string_view api_version, std::string_view kind);

}  // namespace kubepp::api
