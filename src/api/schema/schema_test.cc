#include "api/schema/schema.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/schema/sample.h"

namespace kubepp::api {
namespace {

TEST(SchemaTest, DefaultHasEveryServedKind) {
  const Schema& s = Schema::Default();
  struct Want {
    const char* group;
    const char* version;
    const char* kind;
    bool list;
  };
  const Want wants[] = {
      {"", "v1", "Namespace", true},       {"", "v1", "Pod", true},
      {"", "v1", "Service", true},         {"", "v1", "Endpoints", true},
      {"", "v1", "ConfigMap", true},       {"", "v1", "Secret", true},
      {"", "v1", "Node", true},            {"", "v1", "Event", true},
      {"", "v1", "ServiceAccount", true},  {"", "v1", "PersistentVolume", true},
      {"", "v1", "PersistentVolumeClaim", true}, {"", "v1", "Binding", false},
      {"", "v1", "LimitRange", true},      {"", "v1", "ResourceQuota", true},
      {"apps", "v1", "Deployment", true},  {"apps", "v1", "ReplicaSet", true},
      {"apps", "v1", "StatefulSet", true}, {"apps", "v1", "DaemonSet", true},
      {"apps", "v1", "ControllerRevision", true}, {"batch", "v1", "Job", true},
      {"batch", "v1", "CronJob", true},    {"networking.k8s.io", "v1", "Ingress", true},
      {"networking.k8s.io", "v1", "IngressClass", true},
      {"networking.k8s.io", "v1", "NetworkPolicy", true},
      {"storage.k8s.io", "v1", "StorageClass", true},
      {"discovery.k8s.io", "v1", "EndpointSlice", true},
      {"coordination.k8s.io", "v1", "Lease", true},
      {"rbac.authorization.k8s.io", "v1", "Role", true},
      {"rbac.authorization.k8s.io", "v1", "ClusterRole", true},
      {"rbac.authorization.k8s.io", "v1", "RoleBinding", true},
      {"rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", true},
      {"events.k8s.io", "v1", "Event", true}, {"policy", "v1", "PodDisruptionBudget", true},
      {"policy", "v1", "Eviction", false}, {"autoscaling", "v2", "HorizontalPodAutoscaler", true},
      {"scheduling.k8s.io", "v1", "PriorityClass", true}, {"autoscaling", "v1", "Scale", false},
      {"authentication.k8s.io", "v1", "TokenReview", false},
      {"authentication.k8s.io", "v1", "TokenRequest", false},
      {"authentication.k8s.io", "v1", "SelfSubjectReview", false},
      {"authorization.k8s.io", "v1", "SubjectAccessReview", false},
      {"authorization.k8s.io", "v1", "SelfSubjectAccessReview", false},
      {"authorization.k8s.io", "v1", "LocalSubjectAccessReview", false},
      {"authorization.k8s.io", "v1", "SelfSubjectRulesReview", false},
      {"meta.k8s.io", "v1", "Status", false}, {"meta.k8s.io", "v1", "DeleteOptions", false},
      {"meta.k8s.io", "v1", "Table", false}, {"meta.k8s.io", "v1", "PartialObjectMetadata", true},
      {"meta.k8s.io", "v1", "WatchEvent", false}, {"", "v1", "Status", false},
  };
  for (const Want& w : wants) {
    const Kind* k = s.FindKind(w.group, w.version, w.kind);
    ASSERT_NE(k, nullptr) << w.group << "/" << w.version << " " << w.kind;
    EXPECT_NE(k->definition, nullptr);
    EXPECT_EQ(k->list != nullptr, w.list) << w.kind;
  }
  EXPECT_EQ(s.FindKind("apps", "v1", "Nope"), nullptr);
}

TEST(SchemaTest, ResolveKindHandlesListsAndCoreGroup) {
  const Schema& s = Schema::Default();
  bool is_list = true;
  const Kind* k = s.ResolveKind("v1", "Pod", &is_list);
  ASSERT_NE(k, nullptr);
  EXPECT_FALSE(is_list);
  EXPECT_EQ(k->definition->name, "io.k8s.api.core.v1.Pod");
  k = s.ResolveKind("apps/v1", "DeploymentList", &is_list);
  ASSERT_NE(k, nullptr);
  EXPECT_TRUE(is_list);
  EXPECT_EQ(k->kind, "Deployment");
  EXPECT_EQ(k->ApiVersion(), "apps/v1");
  EXPECT_EQ(s.ResolveKind("apps/v2", "Deployment"), nullptr);
}

TEST(SchemaTest, FieldFacts) {
  const Schema& s = Schema::Default();
  const Definition* spec = s.FindDefinition("io.k8s.api.apps.v1.DeploymentSpec");
  ASSERT_NE(spec, nullptr);
  const Field* replicas = spec->FindField("replicas");
  ASSERT_NE(replicas, nullptr);
  EXPECT_TRUE(replicas->pointer);
  EXPECT_EQ(replicas->proto, 1);
  EXPECT_EQ(replicas->type.kind, TypeKind::kInteger);
  EXPECT_EQ(replicas->type.format, "int32");
  const Field* paused = spec->FindField("paused");
  ASSERT_NE(paused, nullptr);
  EXPECT_FALSE(paused->pointer);

  const Definition* pod_spec = s.FindDefinition("io.k8s.api.core.v1.PodSpec");
  ASSERT_NE(pod_spec, nullptr);
  const Field* containers = pod_spec->FindField("containers");
  ASSERT_NE(containers, nullptr);
  EXPECT_TRUE(containers->required);
  EXPECT_EQ(containers->patch_merge_key, "name");
  EXPECT_EQ(containers->patch_strategy, "merge");
  EXPECT_EQ(containers->list_type, "map");
  ASSERT_EQ(containers->type.kind, TypeKind::kArray);
  ASSERT_EQ(containers->type.element->kind, TypeKind::kRef);
  EXPECT_EQ(containers->type.element->ref->name, "io.k8s.api.core.v1.Container");
  EXPECT_TRUE(pod_spec->FindField("terminationGracePeriodSeconds")->pointer);

  // Inline struct: Volume.hostPath sits in volumeSource (2), field 1.
  const Definition* volume = s.FindDefinition("io.k8s.api.core.v1.Volume");
  const Field* host_path = volume->FindField("hostPath");
  ASSERT_NE(host_path, nullptr);
  EXPECT_EQ(host_path->proto_via, std::vector<int>{2});
  EXPECT_EQ(host_path->proto, 1);

  const Definition* quantity = s.FindDefinition("io.k8s.apimachinery.pkg.api.resource.Quantity");
  ASSERT_NE(quantity, nullptr);
  EXPECT_EQ(quantity->special, Special::kQuantity);
  const Definition* secret = s.FindDefinition("io.k8s.api.core.v1.Secret");
  EXPECT_TRUE(secret->FindField("data")->type.element->IsBytes());
  EXPECT_TRUE(s.FindDefinition("io.k8s.apimachinery.pkg.apis.meta.v1.Table")->proto.empty());
}

TEST(SchemaTest, ParseRejectsBadInput) {
  EXPECT_FALSE(Schema::Parse("{").ok());
  EXPECT_FALSE(Schema::Parse(R"({"definitions": {}})").ok());
  auto dangling = Schema::Parse(
      R"({"definitions": {"a": {"fields": [{"name": "x", "type": {"kind": "ref", "ref": "b"}}]}},
          "kinds": []})");
  ASSERT_FALSE(dangling.ok());
  EXPECT_NE(dangling.status().message().find("dangling"), std::string::npos);
}

// Every field of every definition reachable from a kind gets a non-zero value.
bool AllNonZero(const nlohmann::json& v, std::string* where) {
  if (v.is_null()) return false;
  if (v.is_string()) return !v.get<std::string>().empty();
  if (v.is_boolean()) return v.get<bool>();
  if (v.is_number()) return v.get<double>() != 0;
  if (v.is_array() || v.is_object()) {
    if (v.empty()) return v.is_object();  // {} is how FieldsV1 leaves look
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (!AllNonZero(*it, where)) {
        if (v.is_object()) *where = it.key() + "." + *where;
        return false;
      }
    }
  }
  return true;
}

TEST(SampleTest, PopulatesEveryField) {
  const Schema& s = Schema::Default();
  for (const Kind& k : s.kinds()) {
    nlohmann::json obj = SampleObject(s, k.definition->name, 1);
    ASSERT_TRUE(obj.is_object()) << k.kind;
    if (k.definition->FindField("kind") != nullptr) {  // WatchEvent has no TypeMeta
      EXPECT_EQ(obj["kind"], k.kind);
      EXPECT_TRUE(obj["apiVersion"].is_string()) << k.kind;
    }
    for (const Field& f : k.definition->fields) {
      EXPECT_TRUE(obj.contains(f.name)) << k.kind << "." << f.name;
    }
    std::string where;
    EXPECT_TRUE(AllNonZero(obj, &where)) << k.kind << ": " << where;
  }
  const nlohmann::json pod = SampleObject(s, "io.k8s.api.core.v1.Pod", 3);
  EXPECT_TRUE(pod["spec"]["containers"][0].contains("image"));
  EXPECT_TRUE(pod["spec"]["volumes"][0].contains("hostPath"));
  EXPECT_NE(SampleObject(s, "io.k8s.api.core.v1.Pod", 4), pod);
  EXPECT_TRUE(SampleObject(s, "no.such.Definition", 1).is_null());
}

}  // namespace
}  // namespace kubepp::api
