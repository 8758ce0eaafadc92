// Internal to src/apiserver/openapi/: the REST routes of one group-version as
// a neutral model (paths, operations, parameters, bodies, responses), built
// from the ResourceTable the way upstream's route installer names and shapes
// them. openapi.cc renders the model as Swagger 2.0 and as OpenAPI 3.0.
//
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "apiserver/discovery/resources.h"

namespace kubepp::api {
class Schema;
}

namespace kubepp::apiserver::openapi::internal {

struct Gvk {
  std::string group;
  std::string version;
  std::string kind;
  bool operator==(const Gvk&) const = default;
};

// A non-body parameter.
struct Parameter {
  std::string name;
  std::string in;    // "path" or "query"
  std::string type;  // "string", "integer" or "boolean"
  bool required = false;
  bool operator==(const Parameter&) const = default;
};

struct Response {
  int code = 200;           // 200, 201, 202 or 401
  std::string definition;   // schema $ref target; empty for none / a string body
  bool string_body = false; // schema {"type":"string"} (logs, connect)
};

struct Operation {
  std::string method;        // get, put, post, delete, patch, head, options
  std::string operation_id;  // e.g. patchAppsV1NamespacedDeployment
  std::string tag;           // e.g. apps_v1
  std::string action;        // x-kubernetes-action: get, list, post, put, ...
  std::optional<Gvk> gvk;    // x-kubernetes-group-version-kind
  std::vector<Parameter> parameters;  // what is not hoisted to the path item
  std::string body;          // request body definition; empty for none
  bool body_required = false;
  bool patch_body = false;   // body is a meta/v1 Patch in the patch media types
  std::vector<std::string> consumes;
  std::vector<std::string> produces;
  std::vector<Response> responses;
};

struct PathItem {
  std::string path;
  // Parameters shared by every operation of the path (upstream hoists them),
  // sorted by name then location.
  std::vector<Parameter> parameters;
  std::vector<Operation> operations;  // in method order get, put, post, delete, options, head, patch
};

// Every route of one group-version, sorted by path. Response and body
// definitions are schema definition names (resolved through `schema`); an
// entry whose kind `schema` lacks gets no schema on that response.
std::vector<PathItem> BuildRoutes(const ResourceTable& table, const api::Schema& schema,
                                  const GroupVersion& gv);

}  // namespace kubepp::apiserver::openapi::internal
