// Authorization: may this user do this verb to this resource (or path)?
//
// An Authorizer answers Allow, Deny or NoOpinion with a reason. A chain asks
// each in order and stops at the first Allow or Deny; all NoOpinion means no
// one allowed it, which the server answers with 403 and ForbiddenMessage().
// The default chain today is: system:masters always allowed, then every
// authenticated user allowed. RBAC will replace the second link; this is the
// seam it plugs into.
//
// Thread-safety: Authorize is const and safe from many threads.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "apiserver/auth/authn.h"

namespace kubepp::apiserver::auth {

struct Attributes {
  UserInfo user;
  std::string verb;         // get, list, watch, create, update, patch, delete, ...
  bool resource_request = true;
  std::string api_group;    // "" for the core group
  std::string api_version;
  std::string resource;     // "pods"
  std::string subresource;  // "status", "log", ...
  std::string namespace_;
  std::string name;
  std::string path;  // the request path (used for non-resource requests)
};

enum class Decision { kNoOpinion, kAllow, kDeny };

struct AuthzResult {
  Decision decision = Decision::kNoOpinion;
  std::string reason;
};

class Authorizer {
 public:
  virtual ~Authorizer() = default;
  virtual AuthzResult Authorize(const Attributes& attrs) const = 0;
};
using AuthorizerPtr = std::unique_ptr<Authorizer>;

// Allow for members of any of `groups`; otherwise NoOpinion.
class PrivilegedGroupAuthorizer final : public Authorizer {
 public:
  explicit PrivilegedGroupAuthorizer(std::vector<std::string> groups) : groups_(std::move(groups)) {}
  AuthzResult Authorize(const Attributes& attrs) const override;

 private:
  const std::vector<std::string> groups_;
};

// Allow for every user in system:authenticated; otherwise NoOpinion.
class AuthenticatedAuthorizer final : public Authorizer {
 public:
  AuthzResult Authorize(const Attributes& attrs) const override;
};

// First Allow or Deny wins; NoOpinion when all abstain (or the chain is empty).
class AuthorizerChain final : public Authorizer {
 public:
  explicit AuthorizerChain(std::vector<AuthorizerPtr> links) : links_(std::move(links)) {}
  AuthzResult Authorize(const Attributes& attrs) const override;

 private:
  const std::vector<AuthorizerPtr> links_;
};

// system:masters, then all authenticated users.
AuthorizerPtr DefaultAuthorizer();

// Upstream's 403 message, e.g.
//   pods "web" is forbidden: User "bob" cannot get resource "pods" in API group "" in the namespace "default"
//   forbidden: User "bob" cannot get path "/metrics"
// with ": <reason>" appended when the decision gave one.
std::string ForbiddenMessage(const Attributes& attrs, const std::string& reason);

}  // namespace kubepp::apiserver::auth
