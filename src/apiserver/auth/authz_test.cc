#include "apiserver/auth/authz.h"

#include <gtest/gtest.h>

namespace kubepp::apiserver::auth {
namespace {

class Fixed final : public Authorizer {
 public:
  Fixed(Decision d, std::string reason, int* calls) : d_(d), reason_(std::move(reason)), calls_(calls) {}
  AuthzResult Authorize(const Attributes&) const override {
    ++*calls_;
    return {d_, reason_};
  }

 private:
  Decision d_;
  std::string reason_;
  int* calls_;
};

Attributes Attrs(std::string user, std::vector<std::string> groups) {
  Attributes a;
  a.user.name = std::move(user);
  a.user.groups = std::move(groups);
  a.verb = "get";
  a.resource = "pods";
  a.namespace_ = "default";
  a.name = "web";
  return a;
}

TEST(AuthorizerTest, DefaultChain) {
  auto authz = DefaultAuthorizer();
  EXPECT_EQ(authz->Authorize(Attrs("system:admin", {"system:masters"})).decision, Decision::kAllow);
  EXPECT_EQ(authz->Authorize(Attrs("bob", {"system:authenticated"})).decision, Decision::kAllow);
  EXPECT_EQ(authz->Authorize(Attrs("system:anonymous", {"system:unauthenticated"})).decision, Decision::kNoOpinion);
  EXPECT_EQ(authz->Authorize(Attrs("nobody", {})).decision, Decision::kNoOpinion);
}

TEST(AuthorizerTest, ChainStopsAtFirstDecision) {
  int calls[3] = {0, 0, 0};
  std::vector<AuthorizerPtr> links;
  links.push_back(std::make_unique<Fixed>(Decision::kNoOpinion, "abstain", &calls[0]));
  links.push_back(std::make_unique<Fixed>(Decision::kDeny, "denied by policy", &calls[1]));
  links.push_back(std::make_unique<Fixed>(Decision::kAllow, "", &calls[2]));
  AuthorizerChain chain(std::move(links));
  AuthzResult r = chain.Authorize(Attrs("bob", {"system:authenticated"}));
  EXPECT_EQ(r.decision, Decision::kDeny);
  EXPECT_EQ(r.reason, "denied by policy");
  EXPECT_EQ(calls[0], 1);
  EXPECT_EQ(calls[1], 1);
  EXPECT_EQ(calls[2], 0);

  // Masters first: a later deny never applies to them.
  std::vector<AuthorizerPtr> links2;
  links2.push_back(std::make_unique<PrivilegedGroupAuthorizer>(std::vector<std::string>{"system:masters"}));
  links2.push_back(std::make_unique<Fixed>(Decision::kDeny, "no", &calls[0]));
  AuthorizerChain chain2(std::move(links2));
  EXPECT_EQ(chain2.Authorize(Attrs("root", {"system:masters"})).decision, Decision::kAllow);
  EXPECT_EQ(chain2.Authorize(Attrs("bob", {"system:authenticated"})).decision, Decision::kDeny);

  AuthorizerChain empty({});
  EXPECT_EQ(empty.Authorize(Attrs("bob", {})).decision, Decision::kNoOpinion);
}

TEST(AuthorizerTest, ForbiddenMessageShapes) {
  Attributes a = Attrs("bob", {});
  EXPECT_EQ(ForbiddenMessage(a, ""),
            "pods \"web\" is forbidden: User \"bob\" cannot get resource \"pods\" in API group \"\" in the namespace "
            "\"default\"");
  a.name = "";
  a.verb = "list";
  a.api_group = "apps";
  a.resource = "deployments";
  a.namespace_ = "";
  EXPECT_EQ(ForbiddenMessage(a, "no RBAC policy matched"),
            "deployments.apps is forbidden: User \"bob\" cannot list resource \"deployments\" in API group \"apps\" "
            "at the cluster scope: no RBAC policy matched");
  a = Attrs("bob", {});
  a.subresource = "log";
  EXPECT_EQ(ForbiddenMessage(a, ""),
            "pods \"web\" is forbidden: User \"bob\" cannot get resource \"pods/log\" in API group \"\" in the "
            "namespace \"default\"");
  Attributes p;
  p.user.name = "bob";
  p.verb = "get";
  p.resource_request = false;
  p.path = "/metrics";
  EXPECT_EQ(ForbiddenMessage(p, ""), "forbidden: User \"bob\" cannot get path \"/metrics\"");
}

}  // namespace
}  // namespace kubepp::apiserver::auth
