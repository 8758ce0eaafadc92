#include "apiserver/openapi/openapi.h"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include "api/schema/schema.h"
#include "api/yaml/yaml.h"
#include "apiserver/discovery/resources.h"
#include "apiserver/openapi/gnostic.h"

namespace kubepp::apiserver::openapi {
namespace {

using nlohmann::json;

// The documents of the default tables, built once for the whole binary.
const OpenApi& Api() {
  static const OpenApi* api = [] {
    auto built = OpenApi::Build(api::Schema::Default(), ResourceTable::Default());
    if (!built.ok()) {
      ADD_FAILURE() << built.status().ToString();
      std::abort();
    }
    return std::move(built).value().release();
  }();
  return *api;
}

const json& V3Json(const std::string& gv_path) {
  static std::map<std::string, json> cache;
  auto it = cache.find(gv_path);
  if (it != cache.end()) return it->second;
  const Document* d = Api().V3(gv_path);
  return cache.emplace(gv_path, d == nullptr ? json() : json::parse(d->json)).first->second;
}

const json& V2() {
  static const json v2 = json::parse(Api().V2Json());
  return v2;
}

std::string GvPath(std::string_view group, std::string_view version) {
  return group.empty() ? "api/" + std::string(version) : "apis/" + std::string(group) + "/" + std::string(version);
}

json Gvk(std::string_view group, std::string_view version, std::string_view kind) {
  return json{{"group", group}, {"kind", kind}, {"version", version}};
}

std::string Sha512Hex(std::string_view data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha512(), nullptr);
  std::string out;
  char buf[3];
  for (unsigned int i = 0; i < len; ++i) {
    std::snprintf(buf, sizeof(buf), "%02X", md[i]);
    out += buf;
  }
  return out;
}

// Every "$ref" value anywhere in `j`.
void CollectRefs(const json& j, std::vector<std::string>* out) {
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) {
      if (k == "$ref" && v.is_string()) out->push_back(v.get<std::string>());
      CollectRefs(v, out);
    }
  } else if (j.is_array()) {
    for (const json& v : j) CollectRefs(v, out);
  }
}

// ---------------------------------------------------------------------------
// Build, index, hashes.

TEST(OpenApiTest, BuildIsFast) {
  const auto start = std::chrono::steady_clock::now();
  auto api = OpenApi::Build(api::Schema::Default(), ResourceTable::Default());
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ASSERT_TRUE(api.ok()) << api.status().ToString();
  std::printf("OpenApi::Build: %.1f ms; v2 JSON %zu bytes, v2 protobuf %zu bytes, %zu v3 documents\n", ms,
              (*api)->V2Json().size(), (*api)->V2Protobuf().size(), (*api)->V3Documents().size());
  // Generous bound (sanitizer and debug builds); a RelWithDebInfo build takes ~50 ms.
  EXPECT_LT(ms, 5000);
}

TEST(OpenApiTest, BuildIsDeterministic) {
  auto again = OpenApi::Build(api::Schema::Default(), ResourceTable::Default());
  ASSERT_TRUE(again.ok());
  EXPECT_EQ((*again)->V3Index(), Api().V3Index());
  EXPECT_EQ((*again)->V2Protobuf(), Api().V2Protobuf());
}

TEST(OpenApiTest, IndexListsEveryGroupVersionWithItsHash) {
  const json index = json::parse(Api().V3Index());
  ASSERT_TRUE(index["paths"].is_object());
  const auto& gvs = ResourceTable::Default().group_versions();
  EXPECT_EQ(index["paths"].size(), gvs.size());
  for (const GroupVersion& gv : gvs) {
    const std::string path = GvPath(gv.group, gv.version);
    SCOPED_TRACE(path);
    const Document* doc = Api().V3(path);
    ASSERT_NE(doc, nullptr);
    EXPECT_EQ(doc->hash, Sha512Hex(doc->json));
    EXPECT_EQ(doc->hash.size(), 128u);
    EXPECT_EQ(index["paths"][path]["serverRelativeURL"], "/openapi/v3/" + path + "?hash=" + doc->hash);
  }
  EXPECT_EQ(Api().V2Hash(), Sha512Hex(Api().V2Json()));
  EXPECT_EQ(Api().V3IndexHash(), Sha512Hex(Api().V3Index()));
}

TEST(OpenApiTest, UnknownGroupVersionIsNull) {
  for (const char* p : {"", "api", "apis/apps", "apis/apps/v2", "apps/v1", "/api/v1", "api/v1?hash=x", "api/v1/"}) {
    EXPECT_EQ(Api().V3(p), nullptr) << p;
  }
  EXPECT_NE(Api().V3("api/v1"), nullptr);
  EXPECT_NE(Api().V3("apis/rbac.authorization.k8s.io/v1"), nullptr);
}

TEST(OpenApiTest, TableKindMissingFromSchemaIsInvalid) {
  const char* resources = R"({"resources":[{"group":"example.com","version":"v1","kind":"Widget",
      "resource":"widgets","singularName":"widget","namespaced":true,"verbs":["get","patch"]}]})";
  auto table = ResourceTable::Parse(resources, &api::Schema::Default());
  ASSERT_TRUE(table.ok()) << table.status().ToString();
  auto built = OpenApi::Build(api::Schema::Default(), **table);
  ASSERT_FALSE(built.ok());
  EXPECT_EQ(built.status().code(), StatusCode::kInvalid);
  EXPECT_NE(built.status().message().find("Widget"), std::string::npos) << built.status().message();
}

// ---------------------------------------------------------------------------
// v3 documents: what kubectl reads.

TEST(OpenApiV3Test, DocumentsAreOpenApi3WithResolvableRefs) {
  for (const auto& [path, doc] : Api().V3Documents()) {
    SCOPED_TRACE(path);
    const json& j = V3Json(path);
    EXPECT_EQ(j["openapi"], "3.0.0");
    EXPECT_EQ(j["info"]["title"], "Kubernetes");
    EXPECT_FALSE(j["paths"].empty());
    const json& schemas = j["components"]["schemas"];
    std::vector<std::string> refs;
    CollectRefs(j, &refs);
    EXPECT_FALSE(refs.empty());
    for (const std::string& ref : refs) {
      ASSERT_TRUE(ref.starts_with("#/components/schemas/")) << ref;
      EXPECT_TRUE(schemas.contains(ref.substr(21))) << ref;
    }
  }
}

// kubectl (query_param_verifier_v3) takes the first path whose PATCH carries
// the object's GVK, in Go map order, i.e. any of them: every PATCH must list
// fieldValidation for server-side validation to be chosen.
TEST(OpenApiV3Test, EveryPatchHasGvkAndFieldValidationAndPatchMediaTypes) {
  int patches = 0;
  for (const auto& [gv, doc] : Api().V3Documents()) {
    for (const auto& [path, item] : V3Json(gv)["paths"].items()) {
      if (!item.contains("patch")) continue;
      SCOPED_TRACE(path);
      const json& op = item["patch"];
      if (op["x-kubernetes-action"] == "connect") {
        // pods/proxy and the like: the GVK is the *Options kind, never an object's.
        EXPECT_TRUE(op["x-kubernetes-group-version-kind"]["kind"].get<std::string>().ends_with("Options"));
        EXPECT_FALSE(op.contains("requestBody"));
        continue;
      }
      ++patches;
      EXPECT_TRUE(op["x-kubernetes-group-version-kind"].is_object());
      EXPECT_EQ(op["x-kubernetes-action"], "patch");
      std::set<std::string> query;
      for (const json& p : op["parameters"]) {
        if (p["in"] == "query") query.insert(p["name"].get<std::string>());
      }
      EXPECT_EQ(query, (std::set<std::string>{"dryRun", "fieldManager", "fieldValidation", "force"}));
      const json& content = op["requestBody"]["content"];
      for (const char* mt : {"application/json-patch+json", "application/merge-patch+json",
                             "application/strategic-merge-patch+json", "application/apply-patch+yaml"}) {
        ASSERT_TRUE(content.contains(mt)) << mt;
        EXPECT_EQ(content[mt]["schema"]["$ref"], "#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
      }
      EXPECT_EQ(op["requestBody"]["required"], true);
    }
  }
  EXPECT_GT(patches, 50);
}

// The (group, version, kind) of every PATCH-able resource and subresource must
// find a PATCH path in its group-version document.
TEST(OpenApiV3Test, EveryPatchableKindIsFoundByGvk) {
  for (const ResourceInfo& r : ResourceTable::Default().resources()) {
    std::vector<json> gvks;
    if (r.HasVerb("patch")) gvks.push_back(Gvk(r.group, r.version, r.kind));
    for (const SubresourceInfo& s : r.subresources) {
      if (std::find(s.verbs.begin(), s.verbs.end(), "patch") != s.verbs.end() && !s.kind.ends_with("Options")) {
        gvks.push_back(Gvk(s.group, s.version, s.kind));
      }
    }
    const json& doc = V3Json(GvPath(r.group, r.version));
    for (const json& gvk : gvks) {
      bool found = false;
      for (const auto& [path, item] : doc["paths"].items()) {
        if (item.contains("patch") && item["patch"]["x-kubernetes-group-version-kind"] == gvk) found = true;
      }
      EXPECT_TRUE(found) << r.resource << " " << gvk.dump();
    }
  }
}

// What `kubectl explain <resource>.<a>.<b>` does with a v3 document: the GVK
// from the POST on the collection path, the schema carrying that GVK, then
// properties, following allOf[0] / $ref and array items.
struct ExplainResult {
  std::string error;
  json schema;
};

json ResolveSchema(const json& doc, json s) {
  for (int guard = 0; guard < 8; ++guard) {
    if (s.contains("allOf") && s["allOf"].size() == 1 && !s.contains("properties")) {
      s = s["allOf"][0];
    } else if (s.contains("$ref")) {
      const std::string ref = s["$ref"];
      const std::string name = ref.substr(std::string("#/components/schemas/").size());
      if (!doc["components"]["schemas"].contains(name)) return json();
      s = doc["components"]["schemas"][name];
    } else if (s.value("type", "") == "array" && s.contains("items")) {
      s = s["items"];
    } else {
      return s;
    }
  }
  return json();
}

ExplainResult Explain(const ResourceInfo& r, const std::vector<std::string>& fields) {
  const json& doc = V3Json(GvPath(r.group, r.version));
  const std::string prefix = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  json gvk;
  for (const std::string& p : {prefix + "/" + r.resource, prefix + "/namespaces/{namespace}/" + r.resource}) {
    if (doc["paths"].contains(p) && doc["paths"][p].contains("post")) {
      gvk = doc["paths"][p]["post"]["x-kubernetes-group-version-kind"];
    }
  }
  if (gvk.is_null()) return {"GVR not found in OpenAPI schema", {}};
  json schema;
  for (const auto& [name, s] : doc["components"]["schemas"].items()) {
    if (!s.contains("x-kubernetes-group-version-kind")) continue;
    for (const json& g : s["x-kubernetes-group-version-kind"]) {
      if (g == gvk) schema = s;
    }
  }
  if (schema.is_null()) return {"GVK " + gvk.dump() + " not found in OpenAPI schema", {}};
  for (const std::string& f : fields) {
    if (!schema.contains("properties") || !schema["properties"].contains(f)) {
      return {"field \"" + f + "\" does not exist", {}};
    }
    schema = ResolveSchema(doc, schema["properties"][f]);
    if (schema.is_null()) return {"unresolvable reference under " + f, {}};
  }
  return {"", schema};
}

TEST(OpenApiV3Test, ExplainFindsEveryResourceKind) {
  for (const ResourceInfo& r : ResourceTable::Default().resources()) {
    ExplainResult e = Explain(r, {});
    EXPECT_EQ(e.error, "") << r.ApiVersion() << " " << r.resource;
    EXPECT_EQ(e.schema.value("type", ""), "object") << r.resource;
  }
}

TEST(OpenApiV3Test, ExplainWalksNestedFields) {
  struct Case {
    std::string group, version, resource;
    std::vector<std::string> fields;
    std::vector<std::string> want_properties;
  };
  const std::vector<Case> cases = {
      {"apps", "v1", "deployments", {"spec"}, {"replicas", "selector", "strategy", "template"}},
      {"apps", "v1", "deployments", {"spec", "strategy"}, {"rollingUpdate", "type"}},
      {"apps", "v1", "deployments", {"spec", "template", "spec", "containers"}, {"image", "name", "ports"}},
      {"apps", "v1", "deployments", {"spec", "template", "spec", "containers", "ports"}, {"containerPort", "protocol"}},
      {"", "v1", "pods", {"metadata"}, {"annotations", "labels", "name", "ownerReferences"}},
      {"", "v1", "pods", {"spec", "containers", "resources"}, {"limits", "requests"}},
      {"", "v1", "services", {"spec", "ports"}, {"port", "targetPort"}},
      {"", "v1", "nodes", {"status", "addresses"}, {"address", "type"}},
      {"batch", "v1", "cronjobs", {"spec", "jobTemplate", "spec", "template"}, {"metadata", "spec"}},
      {"autoscaling", "v2", "horizontalpodautoscalers", {"spec", "metrics"}, {"resource", "type"}},
  };
  for (const Case& c : cases) {
    const ResourceInfo* r = ResourceTable::Default().Find(c.group, c.version, c.resource);
    ASSERT_NE(r, nullptr) << c.resource;
    ExplainResult e = Explain(*r, c.fields);
    ASSERT_EQ(e.error, "") << c.resource;
    for (const std::string& p : c.want_properties) {
      EXPECT_TRUE(e.schema["properties"].contains(p)) << c.resource << " " << p;
    }
  }
  ExplainResult bad = Explain(*ResourceTable::Default().Find("apps", "v1", "deployments"), {"spec", "nope"});
  EXPECT_EQ(bad.error, "field \"nope\" does not exist");
}

TEST(OpenApiV3Test, DeploymentSchemaFacts) {
  const json& s = V3Json("apis/apps/v1")["components"]["schemas"];
  const json& dep = s["io.k8s.api.apps.v1.Deployment"];
  EXPECT_EQ(dep["type"], "object");
  EXPECT_EQ(dep["x-kubernetes-group-version-kind"], json::array({Gvk("apps", "v1", "Deployment")}));
  EXPECT_EQ(dep["properties"]["spec"],
            json({{"allOf", {{{"$ref", "#/components/schemas/io.k8s.api.apps.v1.DeploymentSpec"}}}}}));
  EXPECT_EQ(dep["properties"]["apiVersion"], json({{"type", "string"}}));
  EXPECT_EQ(s["io.k8s.api.apps.v1.DeploymentList"]["x-kubernetes-group-version-kind"],
            json::array({Gvk("apps", "v1", "DeploymentList")}));

  const json& spec = s["io.k8s.api.apps.v1.DeploymentSpec"];
  EXPECT_EQ(spec["required"], json({"selector", "template"}));
  EXPECT_EQ(spec["properties"]["replicas"], json({{"type", "integer"}, {"format", "int32"}}));
  EXPECT_EQ(spec["properties"]["strategy"],
            json({{"allOf", {{{"$ref", "#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy"}}}},
                  {"x-kubernetes-patch-strategy", "retainKeys"}}));

  const json& pod_spec = s["io.k8s.api.core.v1.PodSpec"]["properties"];
  EXPECT_EQ(pod_spec["containers"]["type"], "array");
  EXPECT_EQ(pod_spec["containers"]["items"], json({{"$ref", "#/components/schemas/io.k8s.api.core.v1.Container"}}));
  EXPECT_EQ(pod_spec["containers"]["x-kubernetes-patch-merge-key"], "name");
  EXPECT_EQ(pod_spec["containers"]["x-kubernetes-patch-strategy"], "merge");
  EXPECT_EQ(pod_spec["containers"]["x-kubernetes-list-type"], "map");
  EXPECT_EQ(pod_spec["containers"]["x-kubernetes-list-map-keys"], json({"name"}));
  EXPECT_EQ(pod_spec["volumes"]["x-kubernetes-patch-strategy"], "merge,retainKeys");
  EXPECT_EQ(pod_spec["nodeSelector"], json({{"type", "object"},
                                            {"additionalProperties", {{"type", "string"}}},
                                            {"x-kubernetes-map-type", "atomic"}}));

  const json& ports = s["io.k8s.api.core.v1.Container"]["properties"]["ports"];
  EXPECT_EQ(ports["x-kubernetes-list-type"], "map");
  EXPECT_EQ(ports["x-kubernetes-list-map-keys"], json({"containerPort", "protocol"}));
  EXPECT_EQ(ports["x-kubernetes-patch-merge-key"], "containerPort");

  const json& meta = s["io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"]["properties"];
  EXPECT_EQ(meta["finalizers"]["x-kubernetes-list-type"], "set");
  EXPECT_EQ(meta["finalizers"]["x-kubernetes-patch-strategy"], "merge");
  EXPECT_EQ(meta["ownerReferences"]["x-kubernetes-patch-merge-key"], "uid");
  EXPECT_EQ(s["io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference"]["x-kubernetes-map-type"], "atomic");
  EXPECT_EQ(s["io.k8s.apimachinery.pkg.apis.meta.v1.OwnerReference"]["required"],
            json({"apiVersion", "kind", "name", "uid"}));
}

TEST(OpenApiV3Test, SpecialDefinitionsAsUpstream) {
  const json& s = V3Json("api/v1")["components"]["schemas"];
  EXPECT_EQ(s["io.k8s.apimachinery.pkg.util.intstr.IntOrString"],
            json({{"format", "int-or-string"}, {"oneOf", {{{"type", "integer"}}, {{"type", "string"}}}}}));
  EXPECT_EQ(s["io.k8s.apimachinery.pkg.api.resource.Quantity"],
            json({{"oneOf", {{{"type", "string"}}, {{"type", "number"}}}}}));
  EXPECT_EQ(s["io.k8s.apimachinery.pkg.apis.meta.v1.Time"], json({{"type", "string"}, {"format", "date-time"}}));
  EXPECT_EQ(s["io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime"], json({{"type", "string"}, {"format", "date-time"}}));
  EXPECT_EQ(s["io.k8s.apimachinery.pkg.runtime.RawExtension"], json({{"type", "object"}}));
  EXPECT_EQ(s["io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1"], json({{"type", "object"}}));
  EXPECT_EQ(s["io.k8s.apimachinery.pkg.apis.meta.v1.Patch"], json({{"type", "object"}}));
  EXPECT_EQ(s["io.k8s.api.core.v1.Secret"]["properties"]["data"]["additionalProperties"],
            json({{"type", "string"}, {"format", "byte"}}));
  EXPECT_EQ(s["io.k8s.apimachinery.pkg.apis.meta.v1.Status"]["x-kubernetes-group-version-kind"],
            json::array({Gvk("", "v1", "Status")}));
}

TEST(OpenApiV3Test, MetaKindsAreRegisteredInEveryGroupVersion) {
  const json& gvks =
      V3Json("apis/apps/v1")["components"]["schemas"]["io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"]
                            ["x-kubernetes-group-version-kind"];
  EXPECT_EQ(gvks.size(), ResourceTable::Default().group_versions().size());
  EXPECT_EQ(gvks[0], Gvk("", "v1", "DeleteOptions"));
  EXPECT_NE(std::find(gvks.begin(), gvks.end(), Gvk("apps", "v1", "DeleteOptions")), gvks.end());
  EXPECT_EQ(std::find(gvks.begin(), gvks.end(), Gvk("meta.k8s.io", "v1", "DeleteOptions")), gvks.end());
}

TEST(OpenApiV3Test, DocumentHoldsOnlyWhatItsPathsReach) {
  const json& apps = V3Json("apis/apps/v1")["components"]["schemas"];
  for (const char* name : {"io.k8s.api.apps.v1.Deployment", "io.k8s.api.apps.v1.StatefulSetList",
                           "io.k8s.api.autoscaling.v1.Scale", "io.k8s.api.core.v1.Container",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent"}) {
    EXPECT_TRUE(apps.contains(name)) << name;
  }
  for (const char* name : {"io.k8s.api.batch.v1.Job", "io.k8s.api.core.v1.Pod",
                           "io.k8s.apimachinery.pkg.apis.meta.v1.Table"}) {
    EXPECT_FALSE(apps.contains(name)) << name;
  }
  const json& core = V3Json("api/v1")["components"]["schemas"];
  EXPECT_TRUE(core.contains("io.k8s.api.policy.v1.Eviction"));
  EXPECT_TRUE(core.contains("io.k8s.api.authentication.v1.TokenRequest"));
}

// Paths and operations as upstream names and shapes them.
TEST(OpenApiV3Test, PathsAndOperationsAsUpstream) {
  struct Case {
    std::string gv, path, method, operation_id, action;
    json gvk;
    std::string body_ref;      // "" for none
    std::string response_ref;  // 200 response schema $ref; "string" for {"type":"string"}
  };
  const std::string p = "#/components/schemas/";
  const std::vector<Case> cases = {
      {"api/v1", "/api/v1/pods", "get", "listCoreV1PodForAllNamespaces", "list", Gvk("", "v1", "Pod"), "",
       p + "io.k8s.api.core.v1.PodList"},
      {"api/v1", "/api/v1/namespaces/{namespace}/pods", "post", "createCoreV1NamespacedPod", "post",
       Gvk("", "v1", "Pod"), p + "io.k8s.api.core.v1.Pod", p + "io.k8s.api.core.v1.Pod"},
      {"api/v1", "/api/v1/namespaces/{namespace}/pods", "delete", "deleteCoreV1CollectionNamespacedPod",
       "deletecollection", Gvk("", "v1", "Pod"), p + "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
       p + "io.k8s.apimachinery.pkg.apis.meta.v1.Status"},
      {"api/v1", "/api/v1/namespaces/{namespace}/pods/{name}", "delete", "deleteCoreV1NamespacedPod", "delete",
       Gvk("", "v1", "Pod"), p + "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions", p + "io.k8s.api.core.v1.Pod"},
      {"api/v1", "/api/v1/namespaces/{namespace}/configmaps/{name}", "delete", "deleteCoreV1NamespacedConfigMap",
       "delete", Gvk("", "v1", "ConfigMap"), p + "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
       p + "io.k8s.apimachinery.pkg.apis.meta.v1.Status"},
      {"api/v1", "/api/v1/namespaces/{namespace}/pods/{name}/status", "patch", "patchCoreV1NamespacedPodStatus",
       "patch", Gvk("", "v1", "Pod"), p + "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
       p + "io.k8s.api.core.v1.Pod"},
      {"api/v1", "/api/v1/namespaces/{namespace}/pods/{name}/eviction", "post", "createCoreV1NamespacedPodEviction",
       "post", Gvk("policy", "v1", "Eviction"), p + "io.k8s.api.policy.v1.Eviction",
       p + "io.k8s.api.policy.v1.Eviction"},
      {"api/v1", "/api/v1/namespaces/{namespace}/pods/{name}/binding", "post", "createCoreV1NamespacedPodBinding",
       "post", Gvk("", "v1", "Binding"), p + "io.k8s.api.core.v1.Binding", p + "io.k8s.api.core.v1.Binding"},
      {"api/v1", "/api/v1/namespaces/{namespace}/bindings", "post", "createCoreV1NamespacedBinding", "post",
       Gvk("", "v1", "Binding"), p + "io.k8s.api.core.v1.Binding", p + "io.k8s.api.core.v1.Binding"},
      {"api/v1", "/api/v1/namespaces/{namespace}/pods/{name}/log", "get", "readCoreV1NamespacedPodLog", "get",
       Gvk("", "v1", "Pod"), "", "string"},
      {"api/v1", "/api/v1/namespaces/{namespace}/pods/{name}/exec", "post", "connectCoreV1PostNamespacedPodExec",
       "connect", Gvk("", "v1", "PodExecOptions"), "", "string"},
      {"api/v1", "/api/v1/nodes/{name}/proxy/{path}", "head", "connectCoreV1HeadNodeProxyWithPath", "connect",
       Gvk("", "v1", "NodeProxyOptions"), "", "string"},
      {"api/v1", "/api/v1/namespaces/{namespace}/serviceaccounts/{name}/token", "post",
       "createCoreV1NamespacedServiceAccountToken", "post", Gvk("authentication.k8s.io", "v1", "TokenRequest"),
       p + "io.k8s.api.authentication.v1.TokenRequest", p + "io.k8s.api.authentication.v1.TokenRequest"},
      {"api/v1", "/api/v1/namespaces/{name}/finalize", "put", "replaceCoreV1NamespaceFinalize", "put",
       Gvk("", "v1", "Namespace"), p + "io.k8s.api.core.v1.Namespace", p + "io.k8s.api.core.v1.Namespace"},
      {"api/v1", "/api/v1/nodes/{name}", "get", "readCoreV1Node", "get", Gvk("", "v1", "Node"), "",
       p + "io.k8s.api.core.v1.Node"},
      {"api/v1", "/api/v1/watch/namespaces/{namespace}/pods", "get", "watchCoreV1NamespacedPodList", "watchlist",
       Gvk("", "v1", "Pod"), "", p + "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent"},
      {"apis/apps/v1", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}", "patch",
       "patchAppsV1NamespacedDeployment", "patch", Gvk("apps", "v1", "Deployment"),
       p + "io.k8s.apimachinery.pkg.apis.meta.v1.Patch", p + "io.k8s.api.apps.v1.Deployment"},
      {"apis/apps/v1", "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale", "put",
       "replaceAppsV1NamespacedDeploymentScale", "put", Gvk("autoscaling", "v1", "Scale"),
       p + "io.k8s.api.autoscaling.v1.Scale", p + "io.k8s.api.autoscaling.v1.Scale"},
      {"apis/rbac.authorization.k8s.io/v1", "/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}", "get",
       "readRbacAuthorizationV1ClusterRole", "get", Gvk("rbac.authorization.k8s.io", "v1", "ClusterRole"), "",
       p + "io.k8s.api.rbac.v1.ClusterRole"},
      {"apis/authorization.k8s.io/v1", "/apis/authorization.k8s.io/v1/namespaces/{namespace}/localsubjectaccessreviews",
       "post", "createAuthorizationV1NamespacedLocalSubjectAccessReview", "post",
       Gvk("authorization.k8s.io", "v1", "LocalSubjectAccessReview"),
       p + "io.k8s.api.authorization.v1.LocalSubjectAccessReview",
       p + "io.k8s.api.authorization.v1.LocalSubjectAccessReview"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.path + " " + c.method);
    const json& paths = V3Json(c.gv)["paths"];
    ASSERT_TRUE(paths.contains(c.path));
    ASSERT_TRUE(paths[c.path].contains(c.method));
    const json& op = paths[c.path][c.method];
    EXPECT_EQ(op["operationId"], c.operation_id);
    EXPECT_EQ(op["x-kubernetes-action"], c.action);
    EXPECT_EQ(op["x-kubernetes-group-version-kind"], c.gvk);
    if (c.body_ref.empty()) {
      EXPECT_FALSE(op.contains("requestBody"));
    } else {
      ASSERT_TRUE(op.contains("requestBody"));
      const json& content = op["requestBody"]["content"];
      ASSERT_FALSE(content.empty());
      EXPECT_EQ(content.begin().value()["schema"]["$ref"], c.body_ref);
    }
    const json& ok = op["responses"]["200"];
    EXPECT_EQ(ok["description"], "OK");
    ASSERT_FALSE(ok["content"].empty());
    const json& schema = ok["content"].begin().value()["schema"];
    if (c.response_ref == "string") {
      EXPECT_EQ(schema, json({{"type", "string"}}));
    } else {
      EXPECT_EQ(schema["$ref"], c.response_ref);
    }
    EXPECT_EQ(op["responses"]["401"], json({{"description", "Unauthorized"}}));
  }
}

TEST(OpenApiV3Test, SharedParametersAreHoistedToThePath) {
  const json& paths = V3Json("apis/apps/v1")["paths"];
  auto names = [](const json& params) {
    std::vector<std::string> out;
    for (const json& p : params) out.push_back(p["name"].get<std::string>() + ":" + p["in"].get<std::string>());
    return out;
  };
  const json& item = paths["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"];
  EXPECT_EQ(names(item["parameters"]), (std::vector<std::string>{"name:path", "namespace:path", "pretty:query"}));
  EXPECT_EQ(item["parameters"][0], json({{"in", "path"}, {"name", "name"}, {"required", true},
                                         {"schema", {{"type", "string"}, {"uniqueItems", true}}}}));
  EXPECT_FALSE(item["get"].contains("parameters"));
  EXPECT_EQ(names(item["put"]["parameters"]),
            (std::vector<std::string>{"dryRun:query", "fieldManager:query", "fieldValidation:query"}));
  EXPECT_EQ(names(item["delete"]["parameters"]),
            (std::vector<std::string>{"dryRun:query", "gracePeriodSeconds:query",
                                      "ignoreStoreReadErrorWithClusterBreakingPotential:query",
                                      "orphanDependents:query", "propagationPolicy:query"}));
  // A path with a single operation has all its parameters on the path.
  const json& all = paths["/apis/apps/v1/deployments"];
  EXPECT_FALSE(all["get"].contains("parameters"));
  EXPECT_EQ(names(all["parameters"]).size(), 11u);
  // Cluster-scoped resources have no namespace.
  const json& node = V3Json("api/v1")["paths"]["/api/v1/nodes/{name}"];
  EXPECT_EQ(names(node["parameters"]), (std::vector<std::string>{"name:path", "pretty:query"}));
  // Create-only resources have no item or list path.
  EXPECT_FALSE(V3Json("api/v1")["paths"].contains("/api/v1/namespaces/{namespace}/bindings/{name}"));
  EXPECT_FALSE(V3Json("apis/authentication.k8s.io/v1")["paths"].contains(
      "/apis/authentication.k8s.io/v1/watch/tokenreviews"));
  // Namespaces have no deletecollection verb, so no DELETE on the collection.
  EXPECT_FALSE(V3Json("api/v1")["paths"]["/api/v1/namespaces"].contains("delete"));
}

// ---------------------------------------------------------------------------
// v2 JSON.

TEST(OpenApiV2Test, JsonHasEveryPathAndResolvableDefinitions) {
  const json& v2 = V2();
  EXPECT_EQ(v2["swagger"], "2.0");
  EXPECT_EQ(v2["securityDefinitions"]["BearerToken"]["type"], "apiKey");
  std::set<std::string> v3_paths, v3_defs;
  for (const auto& [gv, doc] : Api().V3Documents()) {
    for (const auto& [path, item] : V3Json(gv)["paths"].items()) v3_paths.insert(path);
    for (const auto& [name, s] : V3Json(gv)["components"]["schemas"].items()) v3_defs.insert(name);
  }
  std::set<std::string> v2_paths, v2_defs;
  for (const auto& [path, item] : v2["paths"].items()) v2_paths.insert(path);
  for (const auto& [name, s] : v2["definitions"].items()) v2_defs.insert(name);
  EXPECT_EQ(v2_paths, v3_paths);
  EXPECT_EQ(v2_defs, v3_defs);
  std::vector<std::string> refs;
  CollectRefs(v2, &refs);
  for (const std::string& ref : refs) {
    ASSERT_TRUE(ref.starts_with("#/definitions/")) << ref;
    EXPECT_TRUE(v2["definitions"].contains(ref.substr(14))) << ref;
  }
}

TEST(OpenApiV2Test, JsonShapesAsUpstream) {
  const json& v2 = V2();
  const json& patch = v2["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}"]["patch"];
  EXPECT_EQ(patch["consumes"], json({"application/json-patch+json", "application/merge-patch+json",
                                     "application/strategic-merge-patch+json", "application/apply-patch+yaml"}));
  EXPECT_EQ(patch["parameters"][0],
            json({{"in", "body"}, {"name", "body"}, {"required", true},
                  {"schema", {{"$ref", "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch"}}}}));
  EXPECT_EQ(patch["parameters"][3],
            json({{"in", "query"}, {"name", "fieldValidation"}, {"type", "string"}, {"uniqueItems", true}}));
  EXPECT_EQ(patch["x-kubernetes-group-version-kind"], Gvk("apps", "v1", "Deployment"));
  EXPECT_EQ(patch["responses"]["201"],
            json({{"description", "Created"}, {"schema", {{"$ref", "#/definitions/io.k8s.api.apps.v1.Deployment"}}}}));
  EXPECT_EQ(patch["schemes"], json({"https"}));
  EXPECT_EQ(patch["tags"], json({"apps_v1"}));
  const json& defs = v2["definitions"];
  EXPECT_EQ(defs["io.k8s.apimachinery.pkg.util.intstr.IntOrString"],
            json({{"type", "string"}, {"format", "int-or-string"}}));
  EXPECT_EQ(defs["io.k8s.apimachinery.pkg.api.resource.Quantity"], json({{"type", "string"}}));
  // v2 keeps extensions beside a $ref.
  EXPECT_EQ(defs["io.k8s.api.apps.v1.DeploymentSpec"]["properties"]["strategy"],
            json({{"$ref", "#/definitions/io.k8s.api.apps.v1.DeploymentStrategy"},
                  {"x-kubernetes-patch-strategy", "retainKeys"}}));
}

// ---------------------------------------------------------------------------
// v2 protobuf: decoded with a descriptor table written from gnostic's
// openapiv2/OpenAPIv2.proto, independently of the encoder.

enum class Kind { kString, kBool, kMessage };
struct FieldDesc {
  std::string name;
  Kind kind;
  std::string message;  // for kMessage
  bool repeated = false;
};
using MessageDesc = std::map<int, FieldDesc>;

FieldDesc S(std::string name, bool repeated = false) { return {std::move(name), Kind::kString, "", repeated}; }
FieldDesc B(std::string name) { return {std::move(name), Kind::kBool, "", false}; }
FieldDesc M(std::string name, std::string message, bool repeated = false) {
  return {std::move(name), Kind::kMessage, std::move(message), repeated};
}

const std::map<std::string, MessageDesc>& Descriptors() {
  static const std::map<std::string, MessageDesc> d = {
      {"Document",
       {{1, S("swagger")}, {2, M("info", "Info")}, {3, S("host")}, {4, S("base_path")},
        {5, S("schemes", true)}, {6, S("consumes", true)}, {7, S("produces", true)},
        {8, M("paths", "Paths")}, {9, M("definitions", "Definitions")},
        {12, M("security", "SecurityRequirement", true)},
        {13, M("security_definitions", "SecurityDefinitions")},
        {16, M("vendor_extension", "NamedAny", true)}}},
      {"Info", {{1, S("title")}, {2, S("version")}, {3, S("description")}, {7, M("vendor_extension", "NamedAny", true)}}},
      {"NamedAny", {{1, S("name")}, {2, M("value", "Any")}}},
      {"Any", {{2, S("yaml")}}},
      {"Paths", {{1, M("vendor_extension", "NamedAny", true)}, {2, M("path", "NamedPathItem", true)}}},
      {"NamedPathItem", {{1, S("name")}, {2, M("value", "PathItem")}}},
      {"PathItem",
       {{1, S("_ref")}, {2, M("get", "Operation")}, {3, M("put", "Operation")}, {4, M("post", "Operation")},
        {5, M("delete", "Operation")}, {6, M("options", "Operation")}, {7, M("head", "Operation")},
        {8, M("patch", "Operation")}, {9, M("parameters", "ParametersItem", true)},
        {10, M("vendor_extension", "NamedAny", true)}}},
      {"Operation",
       {{1, S("tags", true)}, {2, S("summary")}, {3, S("description")}, {5, S("operation_id")},
        {6, S("produces", true)}, {7, S("consumes", true)}, {8, M("parameters", "ParametersItem", true)},
        {9, M("responses", "Responses")}, {10, S("schemes", true)}, {11, B("deprecated")},
        {13, M("vendor_extension", "NamedAny", true)}}},
      {"ParametersItem", {{1, M("parameter", "Parameter")}, {2, M("json_reference", "JsonReference")}}},
      {"JsonReference", {{1, S("_ref")}, {2, S("description")}}},
      {"Parameter", {{1, M("body_parameter", "BodyParameter")}, {2, M("non_body_parameter", "NonBodyParameter")}}},
      {"BodyParameter",
       {{1, S("description")}, {2, S("name")}, {3, S("in")}, {4, B("required")}, {5, M("schema", "Schema")},
        {6, M("vendor_extension", "NamedAny", true)}}},
      {"NonBodyParameter",
       {{1, M("header_parameter_sub_schema", "HeaderParameterSubSchema")},
        {3, M("query_parameter_sub_schema", "QueryParameterSubSchema")},
        {4, M("path_parameter_sub_schema", "PathParameterSubSchema")}}},
      {"QueryParameterSubSchema",
       {{1, B("required")}, {2, S("in")}, {3, S("description")}, {4, S("name")}, {5, B("allow_empty_value")},
        {6, S("type")}, {7, S("format")}, {20, B("unique_items")}, {23, M("vendor_extension", "NamedAny", true)}}},
      {"PathParameterSubSchema",
       {{1, B("required")}, {2, S("in")}, {3, S("description")}, {4, S("name")}, {5, S("type")}, {6, S("format")},
        {19, B("unique_items")}, {22, M("vendor_extension", "NamedAny", true)}}},
      {"HeaderParameterSubSchema",
       {{1, B("required")}, {2, S("in")}, {3, S("description")}, {4, S("name")}, {5, S("type")}, {6, S("format")},
        {19, B("unique_items")}, {22, M("vendor_extension", "NamedAny", true)}}},
      {"Responses", {{1, M("response_code", "NamedResponseValue", true)}, {2, M("vendor_extension", "NamedAny", true)}}},
      {"NamedResponseValue", {{1, S("name")}, {2, M("value", "ResponseValue")}}},
      {"ResponseValue", {{1, M("response", "Response")}, {2, M("json_reference", "JsonReference")}}},
      {"Response",
       {{1, S("description")}, {2, M("schema", "SchemaItem")}, {5, M("vendor_extension", "NamedAny", true)}}},
      {"SchemaItem", {{1, M("schema", "Schema")}}},
      {"Schema",
       {{1, S("_ref")}, {2, S("format")}, {3, S("title")}, {4, S("description")}, {16, B("unique_items")},
        {19, S("required", true)}, {21, M("additional_properties", "AdditionalPropertiesItem")},
        {22, M("type", "TypeItem")}, {23, M("items", "ItemsItem")}, {24, M("all_of", "Schema", true)},
        {25, M("properties", "Properties")}, {27, B("read_only")}, {31, M("vendor_extension", "NamedAny", true)}}},
      {"AdditionalPropertiesItem", {{1, M("schema", "Schema")}, {2, B("boolean")}}},
      {"TypeItem", {{1, S("value", true)}}},
      {"ItemsItem", {{1, M("schema", "Schema", true)}}},
      {"Properties", {{1, M("additional_properties", "NamedSchema", true)}}},
      {"NamedSchema", {{1, S("name")}, {2, M("value", "Schema")}}},
      {"Definitions", {{1, M("additional_properties", "NamedSchema", true)}}},
      {"SecurityRequirement", {{1, M("additional_properties", "NamedStringArray", true)}}},
      {"NamedStringArray", {{1, S("name")}, {2, M("value", "StringArray")}}},
      {"StringArray", {{1, S("value", true)}}},
      {"SecurityDefinitions", {{1, M("additional_properties", "NamedSecurityDefinitionsItem", true)}}},
      {"NamedSecurityDefinitionsItem", {{1, S("name")}, {2, M("value", "SecurityDefinitionsItem")}}},
      {"SecurityDefinitionsItem", {{2, M("api_key_security", "ApiKeySecurity")}}},
      {"ApiKeySecurity",
       {{1, S("type")}, {2, S("name")}, {3, S("in")}, {4, S("description")},
        {5, M("vendor_extension", "NamedAny", true)}}},
  };
  return d;
}

bool ReadVarint(std::string_view data, size_t* pos, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (*pos >= data.size()) return false;
    const uint8_t b = static_cast<uint8_t>(data[(*pos)++]);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// The message as JSON keyed by proto field names (repeated fields as arrays);
// an error string for malformed bytes, a field the descriptor lacks or a
// wrong wire type.
std::string Decode(const std::string& type, std::string_view data, json* out) {
  const MessageDesc& desc = Descriptors().at(type);
  *out = json::object();
  size_t pos = 0;
  while (pos < data.size()) {
    uint64_t key = 0;
    if (!ReadVarint(data, &pos, &key)) return type + ": truncated key";
    const int field = static_cast<int>(key >> 3);
    const int wire = static_cast<int>(key & 7);
    auto it = desc.find(field);
    if (it == desc.end()) return type + ": unexpected field " + std::to_string(field);
    const FieldDesc& f = it->second;
    json value;
    if (f.kind == Kind::kBool) {
      uint64_t v = 0;
      if (wire != 0 || !ReadVarint(data, &pos, &v)) return type + "." + f.name + ": want varint";
      value = v != 0;
    } else {
      uint64_t len = 0;
      if (wire != 2 || !ReadVarint(data, &pos, &len) || len > data.size() - pos) {
        return type + "." + f.name + ": want length-delimited";
      }
      std::string_view bytes = data.substr(pos, len);
      pos += len;
      if (f.kind == Kind::kString) {
        value = std::string(bytes);
      } else {
        std::string err = Decode(f.message, bytes, &value);
        if (!err.empty()) return type + "." + f.name + " > " + err;
      }
    }
    if (f.repeated) {
      (*out)[f.name].push_back(std::move(value));
    } else {
      if (out->contains(f.name)) return type + "." + f.name + ": repeated singular field";
      (*out)[f.name] = std::move(value);
    }
  }
  return "";
}

// Rebuilds Swagger JSON from the decoded protobuf, the way gnostic's
// ToJSON / kube-openapi's readers interpret each message.
void ExtensionsToJson(const json& m, json* out) {
  if (!m.contains("vendor_extension")) return;
  for (const json& e : m["vendor_extension"]) {
    auto parsed = api::yaml::ParseYaml(e["value"]["yaml"].get<std::string>());
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    (*out)[e["name"].get<std::string>()] = *parsed;
  }
}

json SchemaToJson(const json& s) {
  json out = json::object();
  if (s.contains("_ref")) out["$ref"] = s["_ref"];
  if (s.contains("format")) out["format"] = s["format"];
  if (s.contains("description")) out["description"] = s["description"];
  if (s.contains("unique_items")) out["uniqueItems"] = s["unique_items"];
  if (s.contains("required")) out["required"] = s["required"];
  if (s.contains("type")) {
    const json& t = s["type"]["value"];
    out["type"] = t.size() == 1 ? t[0] : t;
  }
  if (s.contains("items")) {
    const json& items = s["items"]["schema"];
    out["items"] = items.size() == 1 ? SchemaToJson(items[0]) : json("want one item schema");
  }
  if (s.contains("additional_properties")) {
    const json& a = s["additional_properties"];
    out["additionalProperties"] = a.contains("schema") ? SchemaToJson(a["schema"]) : json(a.value("boolean", false));
  }
  if (s.contains("all_of")) {
    for (const json& x : s["all_of"]) out["allOf"].push_back(SchemaToJson(x));
  }
  if (s.contains("properties")) {
    out["properties"] = json::object();
    for (const json& p : s["properties"]["additional_properties"]) {
      out["properties"][p["name"].get<std::string>()] = SchemaToJson(p.value("value", json::object()));
    }
  }
  ExtensionsToJson(s, &out);
  return out;
}

json ParameterToJson(const json& item) {
  if (item.contains("json_reference")) return json{{"$ref", item["json_reference"]["_ref"]}};
  const json& p = item["parameter"];
  json out = json::object();
  if (p.contains("body_parameter")) {
    const json& b = p["body_parameter"];
    for (const char* k : {"name", "in", "required"}) {
      if (b.contains(k)) out[k] = b[k];
    }
    out["schema"] = SchemaToJson(b["schema"]);
    return out;
  }
  const json& nb = p["non_body_parameter"];
  const json& sub = nb.contains("query_parameter_sub_schema")  ? nb["query_parameter_sub_schema"]
                    : nb.contains("path_parameter_sub_schema") ? nb["path_parameter_sub_schema"]
                                                               : nb["header_parameter_sub_schema"];
  for (const char* k : {"name", "in", "required", "type", "format"}) {
    if (sub.contains(k)) out[k] = sub[k];
  }
  if (sub.contains("unique_items")) out["uniqueItems"] = sub["unique_items"];
  return out;
}

json OperationToJson(const json& op) {
  json out = json::object();
  if (op.contains("tags")) out["tags"] = op["tags"];
  if (op.contains("operation_id")) out["operationId"] = op["operation_id"];
  if (op.contains("produces")) out["produces"] = op["produces"];
  if (op.contains("consumes")) out["consumes"] = op["consumes"];
  if (op.contains("schemes")) out["schemes"] = op["schemes"];
  if (op.contains("parameters")) {
    for (const json& p : op["parameters"]) out["parameters"].push_back(ParameterToJson(p));
  }
  out["responses"] = json::object();
  for (const json& r : op["responses"]["response_code"]) {
    const json& resp = r["value"]["response"];
    json j = json::object();
    if (resp.contains("description")) j["description"] = resp["description"];
    if (resp.contains("schema")) j["schema"] = SchemaToJson(resp["schema"]["schema"]);
    out["responses"][r["name"].get<std::string>()] = j;
  }
  ExtensionsToJson(op, &out);
  return out;
}

json DocumentToJson(const json& doc) {
  json out = json::object();
  out["swagger"] = doc["swagger"];
  out["info"] = {{"title", doc["info"]["title"]}, {"version", doc["info"]["version"]}};
  out["paths"] = json::object();
  for (const json& named : doc["paths"]["path"]) {
    json item = json::object();
    const json& v = named["value"];
    for (const char* m : {"get", "put", "post", "delete", "options", "head", "patch"}) {
      if (v.contains(m)) item[m] = OperationToJson(v[m]);
    }
    if (v.contains("parameters")) {
      for (const json& p : v["parameters"]) item["parameters"].push_back(ParameterToJson(p));
    }
    out["paths"][named["name"].get<std::string>()] = item;
  }
  out["definitions"] = json::object();
  for (const json& named : doc["definitions"]["additional_properties"]) {
    out["definitions"][named["name"].get<std::string>()] = SchemaToJson(named.value("value", json::object()));
  }
  for (const json& req : doc["security"]) {
    json r = json::object();
    for (const json& named : req["additional_properties"]) {
      r[named["name"].get<std::string>()] = named["value"].value("value", json::array());
    }
    out["security"].push_back(r);
  }
  for (const json& named : doc["security_definitions"]["additional_properties"]) {
    const json& k = named["value"]["api_key_security"];
    out["securityDefinitions"][named["name"].get<std::string>()] = {
        {"type", k["type"]}, {"name", k["name"]}, {"in", k["in"]}};
  }
  return out;
}

const json& DecodedV2() {
  static const json decoded = [] {
    json d;
    std::string err = Decode("Document", Api().V2Protobuf(), &d);
    EXPECT_EQ(err, "");
    return d;
  }();
  return decoded;
}

TEST(OpenApiV2ProtobufTest, DecodesBackToTheJsonDocument) {
  const json& d = DecodedV2();
  ASSERT_TRUE(d.contains("paths"));
  EXPECT_EQ(d["swagger"], "2.0");
  // Same order as the JSON (sorted), as gnostic keeps the document's order.
  std::vector<std::string> names;
  for (const json& p : d["paths"]["path"]) names.push_back(p["name"]);
  EXPECT_TRUE(std::is_sorted(names.begin(), names.end()));
  const json rebuilt = DocumentToJson(d);
  const json& want = V2();
  EXPECT_EQ(rebuilt["paths"].size(), want["paths"].size());
  for (const auto& [path, item] : want["paths"].items()) {
    EXPECT_EQ(rebuilt["paths"][path], item) << path;
  }
  EXPECT_EQ(rebuilt["definitions"].size(), want["definitions"].size());
  for (const auto& [name, s] : want["definitions"].items()) {
    EXPECT_EQ(rebuilt["definitions"][name], s) << name;
  }
  EXPECT_EQ(rebuilt, want);
}

// kubectl 1.27/1.28 (cli-runtime query_param_verifier.go): the first PATCH
// whose x-kubernetes-group-version-kind extension (YAML map) equals the GVK
// decides; it must carry a query parameter named fieldValidation.
std::string SupportsFieldValidationV2(const json& doc, const json& gvk) {
  for (const json& path : doc["paths"]["path"]) {
    if (!path["value"].contains("patch")) continue;
    const json& op = path["value"]["patch"];
    bool match = false;
    for (const json& ext : op.value("vendor_extension", json::array())) {
      if (ext["name"] != "x-kubernetes-group-version-kind" || !ext["value"].contains("yaml")) continue;
      auto v = api::yaml::ParseYaml(ext["value"]["yaml"].get<std::string>());
      match = v.ok() && *v == gvk;
      break;
    }
    if (!match) continue;
    for (const json& item : op.value("parameters", json::array())) {
      const json* q = nullptr;
      if (item.contains("parameter") && item["parameter"].contains("non_body_parameter") &&
          item["parameter"]["non_body_parameter"].contains("query_parameter_sub_schema")) {
        q = &item["parameter"]["non_body_parameter"]["query_parameter_sub_schema"];
      }
      if (q != nullptr && q->value("name", "") == "fieldValidation") return "";
    }
    return "unsupported";
  }
  return "path not found";
}

TEST(OpenApiV2ProtobufTest, KubectlFindsFieldValidationForEveryPatchableKind) {
  const json& d = DecodedV2();
  int checked = 0;
  for (const ResourceInfo& r : ResourceTable::Default().resources()) {
    if (r.HasVerb("patch")) {
      EXPECT_EQ(SupportsFieldValidationV2(d, Gvk(r.group, r.version, r.kind)), "") << r.resource;
      ++checked;
    }
  }
  EXPECT_GT(checked, 30);
  EXPECT_EQ(SupportsFieldValidationV2(d, Gvk("autoscaling", "v1", "Scale")), "");
  EXPECT_EQ(SupportsFieldValidationV2(d, Gvk("apps", "v1", "NoSuchKind")), "path not found");
}

// kubectl's v2 model parser (kube-openapi proto.NewOpenAPIData) and its GVK
// index read the definitions' extensions as YAML: a list of maps.
TEST(OpenApiV2ProtobufTest, DefinitionGvkExtensionIsAYamlList) {
  for (const json& named : DecodedV2()["definitions"]["additional_properties"]) {
    if (named["name"] != "io.k8s.api.apps.v1.Deployment") continue;
    for (const json& ext : named["value"]["vendor_extension"]) {
      if (ext["name"] != "x-kubernetes-group-version-kind") continue;
      EXPECT_EQ(ext["value"]["yaml"], "- group: apps\n  kind: Deployment\n  version: v1\n");
      return;
    }
  }
  ADD_FAILURE() << "no Deployment definition with a GVK extension";
}

// ---------------------------------------------------------------------------
// Encoder pieces.

TEST(GnosticTest, EncodesSmallDocumentExactly) {
  const json doc = json::parse(R"({"swagger":"2.0","info":{"title":"T","version":"v"},
    "paths":{"/a":{"get":{"operationId":"x","x-k":"v"}}}})");
  auto bytes = internal::EncodeGnosticV2(doc);
  ASSERT_TRUE(bytes.ok());
  // Fields in the JSON's (sorted) key order: info=2 {title=1 "T", version=2
  // "v"}; paths=8 {path=2 {name=1 "/a", value=2 {get=2 {operation_id=5 "x",
  // vendor_extension=13 {name=1 "x-k", value=2 {yaml=2 "v\n"}}}}}}; swagger=1 "2.0".
  const std::string want = std::string("\x12\x06\x0a\x01T\x12\x01v", 8) +
                           std::string("\x42\x1a\x12\x18\x0a\x02/a\x12\x12\x12\x10\x2a\x01x\x6a\x0b\x0a\x03x-k"
                                       "\x12\x04\x12\x02v\n",
                                       28) +
                           std::string("\x0a\x03" "2.0", 5);
  EXPECT_EQ(*bytes, want);
}

TEST(GnosticTest, RejectsWhatItCannotEncode) {
  struct Case {
    std::string doc;
    std::string want_in_message;
  };
  const std::vector<Case> cases = {
      {R"({"paths":{"/x":{"get":{"parameters":[{"in":"cookie","name":"a"}]}}}})",
       "$.paths[/x].get.parameters[0].in"},
      {R"({"definitions":{"A":{"properties":{"b":{"minimum":1}}}}})", "$.definitions[A].properties.b.minimum"},
      {R"({"info":"x"})", "$.info"},
      {R"({"swagger":2})", "$.swagger"},
      {R"({"paths":{"/x":{"trace":{}}}})", "$.paths[/x].trace"},
      {R"([])", "$"},
  };
  for (const Case& c : cases) {
    auto r = internal::EncodeGnosticV2(json::parse(c.doc));
    ASSERT_FALSE(r.ok()) << c.doc;
    EXPECT_EQ(r.status().code(), StatusCode::kBadRequest);
    EXPECT_NE(r.status().message().find(c.want_in_message), std::string::npos) << r.status().message();
  }
}

}  // namespace
}  // namespace kubepp::apiserver::openapi
