// The resource verbs of the API (internal to apiserver/endpoints): get, list,
// watch, create, update, patch (JSON, merge, strategic, apply), delete,
// deletecollection and the subresources status, scale, binding, eviction and
// finalize.
#pragma once

#include <memory>
#include <string>

#include "apiserver/auth/authn.h"
#include "apiserver/auth/authz.h"
#include "apiserver/endpoints/handler.h"
#include "apiserver/endpoints/watch_pump.h"
#include "apiserver/http/server.h"
#include "apiserver/registry/registry.h"

namespace kubepp::apiserver::endpoints {

// What a request path names (upstream's RequestInfo).
struct RequestInfo {
  bool is_resource = false;
  std::string path;
  std::string verb;  // get, list, watch, create, update, patch, delete, deletecollection
  std::string group;
  std::string version;
  std::string namespace_;
  std::string resource;
  std::string name;
  std::string subresource;
};

// NotFound for paths with too many segments.
StatusOr<RequestInfo> ParseRequestInfo(const http::Request& req);

// The server's authenticator and authorizer answer the review kinds
// (selfsubjectreviews, *accessreviews, tokenreviews), which are never stored.
struct AuthPair {
  const auth::Authenticator& authenticator;
  const auth::Authorizer& authorizer;
};

void ServeResource(registry::Registry& registry, WatchPump& pump, const HandlerOptions& options,
                   const AuthPair& auth, const http::Request& req, const RequestInfo& info,
                   const auth::UserInfo& user, const std::shared_ptr<http::ResponseWriter>& w);

}  // namespace kubepp::apiserver::endpoints
