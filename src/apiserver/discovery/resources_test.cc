#include "apiserver/discovery/resources.h"

#include <set>
#include <string>

#include <gtest/gtest.h>

#include <utility>
#include <vector>

#include "api/schema/schema.h"

namespace kubepp::apiserver {
namespace {

const ResourceTable& Table() { return ResourceTable::Default(); }

std::string Gvr(const ResourceInfo* r) {
  if (r == nullptr) return "<null>";
  return r->ApiVersion() + " " + r->resource;
}

TEST(ResourceTableTest, LoadsEveryEntry) {
  // tools/data/README.md: 42 entries (40 kinds plus autoscaling/v1 HPA and
  // events.k8s.io/v1 Event).
  EXPECT_EQ(Table().resources().size(), 42u);
}

TEST(ResourceTableTest, GroupVersionsInUpstreamOrder) {
  std::vector<std::string> got;
  for (const auto& gv : Table().group_versions()) got.push_back(gv.ToString());
  const std::vector<std::string> want = {
      "v1",
      "apps/v1",
      "events.k8s.io/v1",
      "authentication.k8s.io/v1",
      "authorization.k8s.io/v1",
      "autoscaling/v2",
      "autoscaling/v1",
      "batch/v1",
      "networking.k8s.io/v1",
      "policy/v1",
      "rbac.authorization.k8s.io/v1",
      "storage.k8s.io/v1",
      "scheduling.k8s.io/v1",
      "coordination.k8s.io/v1",
      "discovery.k8s.io/v1",
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(Table().VersionsOf("autoscaling"), (std::vector<std::string>{"v2", "v1"}));
  EXPECT_TRUE(Table().VersionsOf("nope").empty());
  ASSERT_FALSE(Table().groups().empty());
  EXPECT_EQ(Table().groups().front(), "");
}

TEST(ResourceTableTest, ResolvesWhatUsersType) {
  struct Case {
    const char* typed;
    const char* want;  // "apiVersion resource"
  } cases[] = {
      {"po", "v1 pods"},
      {"pods", "v1 pods"},
      {"pod", "v1 pods"},
      {"Pod", "v1 pods"},
      {"PODS", "v1 pods"},
      {"deploy", "apps/v1 deployments"},
      {"deployment", "apps/v1 deployments"},
      {"Deployment", "apps/v1 deployments"},
      {"deployments.apps", "apps/v1 deployments"},
      {"deployments.v1.apps", "apps/v1 deployments"},
      {"svc", "v1 services"},
      {"no", "v1 nodes"},
      {"ns", "v1 namespaces"},
      {"cm", "v1 configmaps"},
      {"ep", "v1 endpoints"},
      {"endpoints", "v1 endpoints"},
      {"hpa", "autoscaling/v2 horizontalpodautoscalers"},
      {"hpa.v1.autoscaling", "autoscaling/v1 horizontalpodautoscalers"},
      {"horizontalpodautoscalers.autoscaling", "autoscaling/v2 horizontalpodautoscalers"},
      {"ev", "v1 events"},
      {"events", "v1 events"},
      {"events.events.k8s.io", "events.k8s.io/v1 events"},
      {"ing", "networking.k8s.io/v1 ingresses"},
      {"netpol", "networking.k8s.io/v1 networkpolicies"},
      {"pdb", "policy/v1 poddisruptionbudgets"},
      {"sts", "apps/v1 statefulsets"},
      {"cj", "batch/v1 cronjobs"},
      {"job", "batch/v1 jobs"},
      {"clusterrolebindings", "rbac.authorization.k8s.io/v1 clusterrolebindings"},
      {"endpointslices", "discovery.k8s.io/v1 endpointslices"},
      {"lease", "coordination.k8s.io/v1 leases"},
      {"pc", "scheduling.k8s.io/v1 priorityclasses"},
      {"sc", "storage.k8s.io/v1 storageclasses"},
      {"quota", "v1 resourcequotas"},
      {"limits", "v1 limitranges"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Gvr(Table().Resolve(c.typed)), c.want) << c.typed;
  }
}

TEST(ResourceTableTest, DeleteReturnsObjectWhereUpstreamDoes) {
  const ResourceTable& t = ResourceTable::Default();
  for (auto [group, resource] : std::vector<std::pair<std::string, std::string>>{
           {"", "pods"}, {"", "services"}, {"", "persistentvolumeclaims"}, {"storage.k8s.io", "storageclasses"}}) {
    const ResourceInfo* r = t.Find(group, "v1", resource);
    ASSERT_NE(r, nullptr) << resource;
    EXPECT_TRUE(r->delete_returns_object) << resource;
  }
  for (auto [group, resource] : std::vector<std::pair<std::string, std::string>>{
           {"", "configmaps"}, {"", "namespaces"}, {"apps", "deployments"}}) {
    const ResourceInfo* r = t.Find(group, "v1", resource);
    ASSERT_NE(r, nullptr) << resource;
    EXPECT_FALSE(r->delete_returns_object) << resource;
  }
}

TEST(ResourceTableTest, ResolveRejectsUnknownNames) {
  for (const char* typed : {"", "pox", "deploy.batch", "pods.v2", "foo.bar.baz", ".", "pods.",
                            "componentstatuses", "deployments.v1beta1.apps"}) {
    EXPECT_EQ(Table().Resolve(typed), nullptr) << typed;
  }
}

TEST(ResourceTableTest, ExactLookups) {
  const ResourceInfo* pods = Table().Find("", "v1", "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ(pods->kind, "Pod");
  EXPECT_EQ(pods->singular, "pod");
  EXPECT_TRUE(pods->namespaced);
  EXPECT_EQ(pods->definition, "io.k8s.api.core.v1.Pod");
  EXPECT_TRUE(pods->HasVerb("watch"));
  EXPECT_FALSE(pods->HasVerb("proxy"));
  EXPECT_EQ(Table().Find("", "v1", "Pod"), nullptr);  // plural only
  EXPECT_EQ(Table().Find("apps", "v1", "pods"), nullptr);

  EXPECT_EQ(Table().FindByKind("apps", "v1", "Deployment"), Table().Find("apps", "v1", "deployments"));
  EXPECT_EQ(Table().FindByKind("", "v1", "Deployment"), nullptr);
  const ResourceInfo* hpa1 = Table().FindByKind("autoscaling", "v1", "HorizontalPodAutoscaler");
  const ResourceInfo* hpa2 = Table().FindByKind("autoscaling", "v2", "HorizontalPodAutoscaler");
  ASSERT_NE(hpa1, nullptr);
  ASSERT_NE(hpa2, nullptr);
  EXPECT_NE(hpa1, hpa2);
  EXPECT_EQ(hpa2->definition, "io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler");

  const ResourceInfo* ns = Table().Find("", "v1", "namespaces");
  ASSERT_NE(ns, nullptr);
  EXPECT_FALSE(ns->namespaced);
  EXPECT_FALSE(ns->HasVerb("deletecollection"));
}

TEST(ResourceTableTest, Subresources) {
  const ResourceInfo* pods = Table().Find("", "v1", "pods");
  ASSERT_NE(pods, nullptr);
  const SubresourceInfo* ev = pods->FindSubresource("eviction");
  ASSERT_NE(ev, nullptr);
  EXPECT_EQ(ev->group, "policy");
  EXPECT_EQ(ev->version, "v1");
  EXPECT_EQ(ev->kind, "Eviction");
  EXPECT_EQ(ev->verbs, std::vector<std::string>{"create"});
  const SubresourceInfo* log = pods->FindSubresource("log");
  ASSERT_NE(log, nullptr);
  EXPECT_EQ(log->group, "");
  EXPECT_EQ(log->version, "v1");
  EXPECT_EQ(pods->FindSubresource("pods/log"), nullptr);
  for (size_t i = 1; i < pods->subresources.size(); ++i) {
    EXPECT_LT(pods->subresources[i - 1].name, pods->subresources[i].name);
  }
  const ResourceInfo* deploy = Table().Find("apps", "v1", "deployments");
  ASSERT_NE(deploy, nullptr);
  const SubresourceInfo* scale = deploy->FindSubresource("scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ(scale->group, "autoscaling");
  EXPECT_EQ(scale->version, "v1");
  EXPECT_EQ(scale->kind, "Scale");
}

TEST(ResourceTableTest, FieldSelectors) {
  const ResourceInfo* pods = Table().Find("", "v1", "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_TRUE(pods->SupportsFieldSelector("metadata.name"));
  EXPECT_TRUE(pods->SupportsFieldSelector("metadata.namespace"));
  EXPECT_TRUE(pods->SupportsFieldSelector("spec.nodeName"));
  EXPECT_TRUE(pods->SupportsFieldSelector("status.phase"));
  EXPECT_FALSE(pods->SupportsFieldSelector("spec.containers"));
  const ResourceInfo* events = Table().Find("", "v1", "events");
  ASSERT_NE(events, nullptr);
  EXPECT_TRUE(events->SupportsFieldSelector("involvedObject.uid"));
  const ResourceInfo* nodes = Table().Find("", "v1", "nodes");
  ASSERT_NE(nodes, nullptr);
  EXPECT_FALSE(nodes->SupportsFieldSelector("metadata.namespace"));
}

// Every kind served must be in the schema, or the API server could not
// decode or validate it. autoscaling/v1 HorizontalPodAutoscaler is a known
// gap of src/api/schema (schema.json has only v2); this test fails on any
// other missing kind, and also once the gap is closed, so the exception is
// removed then.
TEST(ResourceTableTest, EveryKindIsInTheSchema) {
  Status s = Table().Validate(api::Schema::Default());
  EXPECT_TRUE(s.ok()) << s.message();
  for (const auto& r : Table().resources()) {
    EXPECT_FALSE(r.definition.empty()) << r.ApiVersion() << " " << r.kind;
  }
}

TEST(ResourceTableTest, ValidateCatchesAMissingKind) {
  auto t = ResourceTable::Parse(
      R"({"resources":[{"group":"","version":"v1","kind":"Gizmo","resource":"gizmos",
          "singularName":"gizmo","namespaced":true,"verbs":["get"]}]})",
      &api::Schema::Default());
  ASSERT_TRUE(t.ok()) << t.status().ToString();
  Status s = (*t)->Validate(api::Schema::Default());
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("v1 Gizmo"), std::string::npos) << s.message();
  EXPECT_TRUE((*t)->resources()[0].definition.empty());
}

TEST(ResourceTableTest, ParseErrorsNameTheEntry) {
  struct Case {
    const char* json;
    const char* want;
  } cases[] = {
      {"{", "resources.json"},
      {"[]", "resources array"},
      {R"({"resources":[7]})", "resources[0]"},
      {R"({"resources":[{"group":"","version":"v1","resource":"x","singularName":"x",
          "namespaced":true,"verbs":["get"]}]})",
       "resources[0].kind: required"},
      {R"({"resources":[{"group":"","version":"v1","kind":"X","resource":"xs","singularName":"x",
          "namespaced":"yes","verbs":["get"]}]})",
       "namespaced"},
      {R"({"resources":[{"group":"","version":"v1","kind":"X","resource":"xs","singularName":"x",
          "namespaced":true,"verbs":[1]}]})",
       "verbs"},
      {R"({"resources":[{"group":"","version":"v1","kind":"X","resource":"xs","singularName":"x",
          "namespaced":true,"verbs":["get"],
          "subresources":[{"name":"ys/status","kind":"X","verbs":["get"]}]}]})",
       "subresources[0].name"},
      {R"({"resources":[{"group":"","version":"v1","kind":"X","resource":"xs","singularName":"x",
          "namespaced":true,"verbs":["get"]},{"group":"","version":"v1","kind":"X",
          "resource":"xs","singularName":"x","namespaced":true,"verbs":["get"]}]})",
       "duplicate v1 xs"},
  };
  for (const auto& c : cases) {
    auto t = ResourceTable::Parse(c.json, nullptr);
    ASSERT_FALSE(t.ok()) << c.json;
    EXPECT_EQ(t.status().code(), StatusCode::kBadRequest);
    EXPECT_NE(t.status().message().find(c.want), std::string::npos)
        << t.status().message() << " does not mention " << c.want;
  }
}

TEST(ResourceTableTest, VersionPriority) {
  // Each version is preferred over the next.
  const std::vector<std::string> ordered = {"v10", "v2", "v1", "v2beta2", "v2beta1",
                                            "v1beta1", "v1alpha2", "v1alpha1", "foo"};
  for (size_t i = 0; i + 1 < ordered.size(); ++i) {
    EXPECT_LT(CompareVersionPriority(ordered[i], ordered[i + 1]), 0)
        << ordered[i] << " vs " << ordered[i + 1];
    EXPECT_GT(CompareVersionPriority(ordered[i + 1], ordered[i]), 0);
  }
  EXPECT_EQ(CompareVersionPriority("v1", "v1"), 0);
  EXPECT_GT(CompareVersionPriority("v01", "v1"), 0);  // not a Kubernetes version
}

}  // namespace
}  // namespace kubepp::apiserver
