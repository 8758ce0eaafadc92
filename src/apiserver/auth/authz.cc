#include "apiserver/auth/authz.h"

#include "apiserver/auth/pki.h"

namespace kubepp::apiserver::auth {

AuthzResult PrivilegedGroupAuthorizer::Authorize(const Attributes& attrs) const {
  for (const auto& g : groups_) {
    if (attrs.user.InGroup(g)) return {Decision::kAllow, "member of privileged group " + g};
  }
  return {};
}

AuthzResult AuthenticatedAuthorizer::Authorize(const Attributes& attrs) const {
  if (attrs.user.InGroup(kAuthenticatedGroup)) return {Decision::kAllow, "authenticated user"};
  return {};
}

AuthzResult AuthorizerChain::Authorize(const Attributes& attrs) const {
  std::string reasons;
  for (const auto& link : links_) {
    AuthzResult r = link->Authorize(attrs);
    if (r.decision != Decision::kNoOpinion) return r;
    if (!r.reason.empty()) {
      if (!reasons.empty()) reasons += ", ";
      reasons += r.reason;
    }
  }
  return {Decision::kNoOpinion, reasons};
}

AuthorizerPtr DefaultAuthorizer() {
  std::vector<AuthorizerPtr> links;
  links.push_back(
      std::make_unique<PrivilegedGroupAuthorizer>(std::vector<std::string>{std::string(kMastersGroup)}));
  links.push_back(std::make_unique<AuthenticatedAuthorizer>());
  return std::make_unique<AuthorizerChain>(std::move(links));
}

std::string ForbiddenMessage(const Attributes& a, const std::string& reason) {
  std::string msg;
  if (!a.resource_request) {
    msg = "forbidden: User \"" + a.user.name + "\" cannot " + a.verb + " path \"" + a.path + "\"";
  } else {
    std::string resource = a.resource;
    if (!a.subresource.empty()) resource += "/" + a.subresource;
    // The group-qualified resource (without subresource) leads the message.
    std::string qualified = a.api_group.empty() ? a.resource : a.resource + "." + a.api_group;
    if (!a.name.empty()) {
      msg = qualified + " \"" + a.name + "\" is forbidden: ";
    } else {
      msg = qualified + " is forbidden: ";
    }
    msg += "User \"" + a.user.name + "\" cannot " + a.verb + " resource \"" + resource + "\" in API group \"" +
           a.api_group + "\"";
    msg += a.namespace_.empty() ? " at the cluster scope" : " in the namespace \"" + a.namespace_ + "\"";
  }
  if (!reason.empty()) msg += ": " + reason;
  return msg;
}

}  // namespace kubepp::apiserver::auth
