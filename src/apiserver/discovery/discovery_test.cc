#include "apiserver/discovery/discovery.h"

#include <set>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace kubepp::apiserver {
namespace {

// Ordered, so dumps keep the field order of the body under test.
using json = nlohmann::ordered_json;

const ResourceTable& Table() { return ResourceTable::Default(); }

// Accept headers recorded from the real kubectl binaries (kubectl-contract.md §1).
constexpr char kKubectl132Accept[] =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json";
constexpr char kKubectl127Accept[] =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";
constexpr char kKubectlTableAccept[] =
    "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,"
    "application/json";

json Parse(const std::string& body) {
  json j = json::parse(body, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << body;
  return j;
}

const json* FindBy(const json& array, const char* key, std::string_view value) {
  for (const auto& e : array) {
    if (e.contains(key) && e[key] == value) return &e;
  }
  return nullptr;
}

TEST(DiscoveryNegotiationTest, AcceptTable) {
  struct Case {
    const char* accept;
    DiscoveryFormat want;
  } cases[] = {
      {kKubectl132Accept, DiscoveryFormat::kAggregatedV2},
      {kKubectl127Accept, DiscoveryFormat::kAggregatedV2Beta1},
      {"application/json", DiscoveryFormat::kPlain},
      {"application/json, */*", DiscoveryFormat::kPlain},
      {"", DiscoveryFormat::kPlain},
      {"*/*", DiscoveryFormat::kPlain},
      {"text/html", DiscoveryFormat::kPlain},
      {kKubectlTableAccept, DiscoveryFormat::kPlain},
      // Parameter order and whitespace do not matter.
      {"application/json;as=APIGroupDiscoveryList;v=v2;g=apidiscovery.k8s.io",
       DiscoveryFormat::kAggregatedV2},
      {" application/json ; v=v2beta1 ; as=APIGroupDiscoveryList ; g=apidiscovery.k8s.io ",
       DiscoveryFormat::kAggregatedV2Beta1},
      {"Application/JSON;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
       DiscoveryFormat::kAggregatedV2},
      // The client's order decides, not the server's preference.
      {"application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
       "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
       DiscoveryFormat::kAggregatedV2Beta1},
      {"application/json,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
       DiscoveryFormat::kPlain},
      // ...unless q says otherwise.
      {"application/json;q=0.5,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
       DiscoveryFormat::kAggregatedV2},
      {"application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=0.4,"
       "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList;q=0.9",
       DiscoveryFormat::kAggregatedV2Beta1},
      // Incomplete or unknown conversions are skipped; with nothing else, plain.
      {"application/json;g=apidiscovery.k8s.io;v=v2", DiscoveryFormat::kPlain},
      {"application/json;g=apidiscovery.k8s.io;v=v3;as=APIGroupDiscoveryList,"
       "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
       DiscoveryFormat::kAggregatedV2Beta1},
      {"application/json;g=apidiscovery.k8s.io;v=v2;as=apigroupdiscoverylist",
       DiscoveryFormat::kPlain},
      // Media types other than JSON are not served here.
      {"application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
       "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
       DiscoveryFormat::kAggregatedV2Beta1},
      {"application/*;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
       DiscoveryFormat::kAggregatedV2},
      // Malformed pieces are ignored, never fatal.
      {",,;;==,application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList;q=abc,"
       "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList",
       DiscoveryFormat::kAggregatedV2Beta1},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(NegotiateDiscoveryFormat(c.accept), c.want) << c.accept;
  }
}

TEST(DiscoveryNegotiationTest, ContentTypes) {
  EXPECT_EQ(DiscoveryContentType(DiscoveryFormat::kAggregatedV2),
            "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  EXPECT_EQ(DiscoveryContentType(DiscoveryFormat::kAggregatedV2Beta1),
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
  EXPECT_EQ(DiscoveryContentType(DiscoveryFormat::kPlain), "application/json");
}

TEST(DiscoveryDocumentsTest, ApiVersionsGolden) {
  EXPECT_EQ(ApiVersionsJson("127.0.0.1:6443"),
            R"({"kind":"APIVersions","versions":["v1"],"serverAddressByClientCIDRs":)"
            R"([{"clientCIDR":"0.0.0.0/0","serverAddress":"127.0.0.1:6443"}]})");
}

TEST(DiscoveryDocumentsTest, ApiGroupGolden) {
  auto apps = ApiGroupJson(Table(), "apps");
  ASSERT_TRUE(apps.ok()) << apps.status().ToString();
  EXPECT_EQ(*apps,
            R"({"kind":"APIGroup","apiVersion":"v1","name":"apps","versions":)"
            R"([{"groupVersion":"apps/v1","version":"v1"}],)"
            R"("preferredVersion":{"groupVersion":"apps/v1","version":"v1"}})");
  auto autoscaling = ApiGroupJson(Table(), "autoscaling");
  ASSERT_TRUE(autoscaling.ok());
  json a = Parse(*autoscaling);
  EXPECT_EQ(a["preferredVersion"]["version"], "v2");
  ASSERT_EQ(a["versions"].size(), 2u);
  EXPECT_EQ(a["versions"][0]["groupVersion"], "autoscaling/v2");
  EXPECT_EQ(a["versions"][1]["groupVersion"], "autoscaling/v1");

  EXPECT_EQ(ApiGroupJson(Table(), "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ApiGroupJson(Table(), "extensions").status().code(), StatusCode::kNotFound);
}

TEST(DiscoveryDocumentsTest, ApiGroupListOrderAndPreferred) {
  json j = Parse(ApiGroupListJson(Table()));
  EXPECT_EQ(j["kind"], "APIGroupList");
  EXPECT_EQ(j["apiVersion"], "v1");
  std::vector<std::string> names;
  for (const auto& g : j["groups"]) {
    names.push_back(g["name"]);
    EXPECT_EQ(g["preferredVersion"], g["versions"][0]) << g.dump();
  }
  const std::vector<std::string> want = {
      "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io", "autoscaling",
      "batch", "networking.k8s.io", "policy", "rbac.authorization.k8s.io", "storage.k8s.io",
      "scheduling.k8s.io", "coordination.k8s.io", "discovery.k8s.io"};
  EXPECT_EQ(names, want);
}

TEST(DiscoveryDocumentsTest, CoreResourceListHasEvictionForDrain) {
  auto body = ApiResourceListJson(Table(), "", "v1");
  ASSERT_TRUE(body.ok());
  json j = Parse(*body);
  EXPECT_EQ(j["kind"], "APIResourceList");
  EXPECT_FALSE(j.contains("apiVersion"));  // as upstream's /api/v1
  EXPECT_EQ(j["groupVersion"], "v1");
  const json& rs = j["resources"];
  const json* eviction = FindBy(rs, "name", "pods/eviction");
  ASSERT_NE(eviction, nullptr);
  EXPECT_EQ(eviction->dump(),
            R"({"name":"pods/eviction","singularName":"","namespaced":true,"group":"policy",)"
            R"("version":"v1","kind":"Eviction","verbs":["create"]})");
  const json* token = FindBy(rs, "name", "serviceaccounts/token");
  ASSERT_NE(token, nullptr);
  EXPECT_EQ((*token)["group"], "authentication.k8s.io");
  EXPECT_EQ((*token)["kind"], "TokenRequest");
  const json* log = FindBy(rs, "name", "pods/log");
  ASSERT_NE(log, nullptr);
  EXPECT_FALSE(log->contains("group"));
  EXPECT_FALSE(log->contains("version"));
  EXPECT_EQ((*log)["kind"], "Pod");
  const json* pods = FindBy(rs, "name", "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ((*pods)["singularName"], "pod");
  EXPECT_EQ((*pods)["shortNames"], json::array({"po"}));
  EXPECT_EQ((*pods)["categories"], json::array({"all"}));
  const json* secrets = FindBy(rs, "name", "secrets");
  ASSERT_NE(secrets, nullptr);
  EXPECT_FALSE(secrets->contains("shortNames"));  // omitted when empty
  EXPECT_FALSE(secrets->contains("categories"));
  const json* nodes_status = FindBy(rs, "name", "nodes/status");
  ASSERT_NE(nodes_status, nullptr);
  EXPECT_EQ((*nodes_status)["namespaced"], false);
  // Sorted by name, as upstream lists its paths.
  for (size_t i = 1; i < rs.size(); ++i) {
    EXPECT_LT(rs[i - 1]["name"].get<std::string>(), rs[i]["name"].get<std::string>());
  }
  EXPECT_EQ(FindBy(rs, "name", "deployments"), nullptr);
}

TEST(DiscoveryDocumentsTest, AppsResourceListHasScale) {
  auto body = ApiResourceListJson(Table(), "apps", "v1");
  ASSERT_TRUE(body.ok());
  json j = Parse(*body);
  EXPECT_EQ(j["apiVersion"], "v1");
  EXPECT_EQ(j["groupVersion"], "apps/v1");
  const json* scale = FindBy(j["resources"], "name", "deployments/scale");
  ASSERT_NE(scale, nullptr);
  EXPECT_EQ((*scale)["group"], "autoscaling");
  EXPECT_EQ((*scale)["version"], "v1");
  EXPECT_EQ((*scale)["kind"], "Scale");
  EXPECT_EQ((*scale)["verbs"], json::array({"get", "patch", "update"}));
  const json* deploy = FindBy(j["resources"], "name", "deployments");
  ASSERT_NE(deploy, nullptr);
  EXPECT_EQ((*deploy)["shortNames"], json::array({"deploy"}));
  EXPECT_EQ(ApiResourceListJson(Table(), "apps", "v1beta1").status().code(),
            StatusCode::kNotFound);
  EXPECT_EQ(ApiResourceListJson(Table(), "", "v2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(ApiResourceListJson(Table(), "nope", "v1").status().code(), StatusCode::kNotFound);
  auto hpa1 = ApiResourceListJson(Table(), "autoscaling", "v1");
  ASSERT_TRUE(hpa1.ok());
  EXPECT_NE(FindBy(Parse(*hpa1)["resources"], "name", "horizontalpodautoscalers"), nullptr);
}

TEST(DiscoveryDocumentsTest, AggregatedCoreDocument) {
  json j = Parse(AggregatedDiscoveryJson(Table(), DiscoveryRoot::kApi,
                                         DiscoveryFormat::kAggregatedV2));
  EXPECT_EQ(j["kind"], "APIGroupDiscoveryList");
  EXPECT_EQ(j["apiVersion"], "apidiscovery.k8s.io/v2");
  EXPECT_EQ(j["metadata"], json::object());
  ASSERT_EQ(j["items"].size(), 1u);
  const json& core = j["items"][0];
  EXPECT_FALSE(core["metadata"].contains("name"));  // "" is omitted, as Go does
  ASSERT_EQ(core["versions"].size(), 1u);
  const json& v1 = core["versions"][0];
  EXPECT_EQ(v1["version"], "v1");
  EXPECT_EQ(v1["freshness"], "Current");
  const json* pods = FindBy(v1["resources"], "resource", "pods");
  ASSERT_NE(pods, nullptr);
  EXPECT_EQ((*pods)["responseKind"], json({{"group", ""}, {"version", ""}, {"kind", "Pod"}}));
  EXPECT_EQ((*pods)["scope"], "Namespaced");
  EXPECT_EQ((*pods)["singularResource"], "pod");
  EXPECT_EQ((*pods)["shortNames"], json::array({"po"}));
  EXPECT_EQ((*pods)["categories"], json::array({"all"}));
  const json* eviction = FindBy((*pods)["subresources"], "subresource", "eviction");
  ASSERT_NE(eviction, nullptr);
  EXPECT_EQ((*eviction)["responseKind"],
            json({{"group", "policy"}, {"version", "v1"}, {"kind", "Eviction"}}));
  EXPECT_EQ((*eviction)["verbs"], json::array({"create"}));
  const json* exec = FindBy((*pods)["subresources"], "subresource", "exec");
  ASSERT_NE(exec, nullptr);
  EXPECT_EQ((*exec)["responseKind"]["kind"], "PodExecOptions");
  const json* nodes = FindBy(v1["resources"], "resource", "nodes");
  ASSERT_NE(nodes, nullptr);
  EXPECT_EQ((*nodes)["scope"], "Cluster");
  // Golden: one whole entry and the document head, byte for byte (upstream
  // field order).
  const std::string raw =
      AggregatedDiscoveryJson(Table(), DiscoveryRoot::kApi, DiscoveryFormat::kAggregatedV2);
  EXPECT_NE(raw.find(R"({"resource":"configmaps","responseKind":{"group":"","version":"",)"
                     R"("kind":"ConfigMap"},"scope":"Namespaced","singularResource":"configmap",)"
                     R"("verbs":["create","delete","deletecollection","get","list","patch",)"
                     R"("update","watch"],"shortNames":["cm"]})"),
            std::string::npos)
      << raw.substr(0, 600);
  EXPECT_EQ(raw.rfind(R"({"kind":"APIGroupDiscoveryList","apiVersion":"apidiscovery.k8s.io/v2",)"
                      R"("metadata":{},"items":[{"metadata":{"creationTimestamp":null},)"
                      R"("versions":[{"version":"v1","resources":[)",
                      0),
            0u);
}

TEST(DiscoveryDocumentsTest, AggregatedGroupsDocument) {
  const std::string raw = AggregatedDiscoveryJson(Table(), DiscoveryRoot::kApis,
                                                  DiscoveryFormat::kAggregatedV2Beta1);
  json j = Parse(raw);
  EXPECT_EQ(j["apiVersion"], "apidiscovery.k8s.io/v2beta1");
  std::vector<std::string> names;
  for (const auto& g : j["items"]) names.push_back(g["metadata"]["name"]);
  std::vector<std::string> want;
  const json group_list = Parse(ApiGroupListJson(Table()));
  for (const auto& g : group_list["groups"]) want.push_back(g["name"]);
  EXPECT_EQ(names, want);  // same order as the plain /apis

  const json& apps_item = j["items"][0];
  ASSERT_EQ(apps_item["metadata"]["name"], "apps");
  EXPECT_EQ(apps_item["metadata"].dump(), R"({"name":"apps","creationTimestamp":null})");
  const json& apps_v1 = apps_item["versions"][0];
  const json* deploy = FindBy(apps_v1["resources"], "resource", "deployments");
  ASSERT_NE(deploy, nullptr);
  ASSERT_EQ((*deploy)["subresources"].size(), 2u);
  EXPECT_EQ((*deploy)["subresources"][0].dump(),
            R"({"subresource":"scale","responseKind":{"group":"autoscaling","version":"v1",)"
            R"("kind":"Scale"},"verbs":["get","patch","update"]})");
  EXPECT_EQ((*deploy)["subresources"][1]["subresource"], "status");
  EXPECT_EQ((*deploy)["subresources"][1]["responseKind"]["group"], "");
  EXPECT_EQ((*deploy)["categories"], json::array({"all"}));

  // autoscaling lists v2 first, both Current.
  const json* autoscaling = nullptr;
  for (const auto& g : j["items"]) {
    if (g["metadata"]["name"] == "autoscaling") autoscaling = &g;
  }
  ASSERT_NE(autoscaling, nullptr);
  ASSERT_EQ((*autoscaling)["versions"].size(), 2u);
  EXPECT_EQ((*autoscaling)["versions"][0]["version"], "v2");
  EXPECT_EQ((*autoscaling)["versions"][1]["version"], "v1");
  // No core group in /apis.
  for (const auto& g : j["items"]) EXPECT_TRUE(g["metadata"].contains("name"));
}

// Every table entry appears exactly once in the aggregated documents and in
// its group-version's resource list, resources sorted by name.
TEST(DiscoveryDocumentsTest, DocumentsCoverTheWholeTable) {
  std::set<std::string> seen;
  for (DiscoveryRoot root : {DiscoveryRoot::kApi, DiscoveryRoot::kApis}) {
    json j = Parse(AggregatedDiscoveryJson(Table(), root, DiscoveryFormat::kAggregatedV2));
    for (const auto& g : j["items"]) {
      const std::string group = g["metadata"].value("name", "");
      for (const auto& v : g["versions"]) {
        std::string prev;
        for (const auto& r : v["resources"]) {
          const std::string res = r["resource"];
          EXPECT_LT(prev, res);
          prev = res;
          EXPECT_TRUE(seen.insert(group + "/" + v["version"].get<std::string>() + "/" + res).second);
        }
      }
    }
  }
  EXPECT_EQ(seen.size(), Table().resources().size());
  for (const auto& r : Table().resources()) {
    EXPECT_EQ(seen.count(r.group + "/" + r.version + "/" + r.resource), 1u) << r.resource;
    auto list = ApiResourceListJson(Table(), r.group, r.version);
    ASSERT_TRUE(list.ok());
    EXPECT_NE(FindBy(Parse(*list)["resources"], "name", r.resource), nullptr);
  }
}

TEST(DiscoveryDocumentsTest, RootDiscoveryFollowsAccept) {
  DiscoveryResponse r = RootDiscovery(Table(), DiscoveryRoot::kApi, kKubectl127Accept, "h:1");
  EXPECT_EQ(r.content_type,
            "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList");
  EXPECT_EQ(Parse(r.body)["apiVersion"], "apidiscovery.k8s.io/v2beta1");

  r = RootDiscovery(Table(), DiscoveryRoot::kApis, kKubectl132Accept, "h:1");
  EXPECT_EQ(r.content_type, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList");
  EXPECT_EQ(Parse(r.body)["items"][0]["metadata"]["name"], "apps");

  r = RootDiscovery(Table(), DiscoveryRoot::kApi, "application/json, */*", "h:1");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, ApiVersionsJson("h:1"));

  r = RootDiscovery(Table(), DiscoveryRoot::kApis, "application/json, */*", "h:1");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(Parse(r.body)["kind"], "APIGroupList");
}

}  // namespace
}  // namespace kubepp::apiserver
