#include "api/codec/json_codec.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace kubepp::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const Definition& Def(const char* name) {
  const Definition* d = Schema::Default().FindDefinition(name);
  EXPECT_NE(d, nullptr) << name;
  return *d;
}

TEST(DecodeJsonTest, ErrorNamesLineAndColumn) {
  auto r = DecodeJson("{\n  \"a\": 1,\n  \"b\": }\n");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kBadRequest);
  EXPECT_THAT(r.status().message(), HasSubstr("line 3, column 8"));
  EXPECT_FALSE(DecodeJson("{} trailing").ok());
  EXPECT_FALSE(DecodeJson("").ok());
  // Absurd nesting is refused before any recursive walk can see it.
  std::string deep = std::string(100000, '[') + std::string(100000, ']');
  auto too_deep = DecodeJson(deep);
  ASSERT_FALSE(too_deep.ok());
  EXPECT_NE(too_deep.status().message().find("nesting deeper than"), std::string::npos);
  EXPECT_TRUE(DecodeJson(std::string(100, '[') + std::string(100, ']')).ok());
  EXPECT_TRUE(DecodeJson(R"({"a": "[[[[\"{{{{"})").ok());
  EXPECT_FALSE(DecodeJson(std::string_view("{\"a\":\"\xff\"}")).ok());
  auto ok = DecodeJson(R"({"a": [1, 2]})");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)["a"][1], 2);
}

// Upstream's field validation integration test body and expected message.
TEST(StrictFieldErrorsTest, MatchesUpstreamDeploymentCase) {
  const std::string body = R"({
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
      "name": "dupename",
      "name": "x",
      "labels": {"app": "nginx"},
      "unknownMeta": "metaVal"
    },
    "spec": {
      "unknown1": "val1",
      "unknownDupe": "valDupe",
      "unknownDupe": "valDupe2",
      "paused": true,
      "paused": false,
      "selector": {"matchLabels": {"app": "nginx"}},
      "template": {
        "metadata": {"labels": {"app": "nginx"}},
        "spec": {
          "containers": [{
            "name":  "nginx",
            "image": "nginx:latest",
            "unknownNested": "val1",
            "imagePullPolicy": "Always",
            "imagePullPolicy": "Never"
          }]
        }
      }
    }
  })";
  const auto errors = StrictFieldErrors(body, Def("io.k8s.api.apps.v1.Deployment"));
  EXPECT_EQ(StrictDecodingError(errors).message(),
            "strict decoding error: duplicate field \"metadata.name\", unknown field "
            "\"metadata.unknownMeta\", unknown field \"spec.unknown1\", unknown field "
            "\"spec.unknownDupe\", duplicate field \"spec.paused\", unknown field "
            "\"spec.template.spec.containers[0].unknownNested\", duplicate field "
            "\"spec.template.spec.containers[0].imagePullPolicy\"");
  EXPECT_EQ(StrictDecodingError(errors).code(), StatusCode::kBadRequest);
  EXPECT_TRUE(StrictDecodingError({}).ok());
}

TEST(StrictFieldErrorsTest, FreeFormAndMapsAreNotUnknown) {
  // ControllerRevision.data is a RawExtension; labels/annotations are maps;
  // managedFields[].fieldsV1 is free-form.
  const std::string body = R"({
    "apiVersion": "apps/v1", "kind": "ControllerRevision",
    "metadata": {"labels": {"anything": "goes"},
                 "managedFields": [{"manager": "m", "fieldsV1": {"f:spec": {"f:x": {}}}}]},
    "data": {"spec": {"whatever": [1, {"deep": true}]}},
    "revision": 3
  })";
  EXPECT_THAT(StrictFieldErrors(body, Def("io.k8s.api.apps.v1.ControllerRevision")), IsEmpty());
  auto obj = DecodeJson(body);
  ASSERT_TRUE(obj.ok());
  EXPECT_THAT(FindUnknownFields(*obj, Def("io.k8s.api.apps.v1.ControllerRevision")), IsEmpty());
}

TEST(StrictFieldErrorsTest, MapOfStructsAndListItems) {
  // Secret.data values are bytes (not structs); use a Pod: overhead is a map
  // of quantities, and volumes[].projected.sources[] nest lists in lists.
  const std::string body = R"({
    "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
    "spec": {
      "containers": [{"name": "a"}, {"name": "b", "ports": [{"containerPort": 1, "bogus": 1}]}],
      "volumes": [{"name": "v", "projected": {"sources": [{"secret": {"nme": "s"}}]}}],
      "overhead": {"cpu": "1"}
    }
  })";
  EXPECT_THAT(StrictFieldErrors(body, Def("io.k8s.api.core.v1.Pod")),
              ElementsAre("unknown field \"spec.containers[1].ports[0].bogus\"",
                          "unknown field \"spec.volumes[0].projected.sources[0].secret.nme\""));
  // A map whose values are structs: UserInfo.extra is map of lists; use
  // ResourceQuota's scopeSelector list-in-struct plus a duplicate map key.
  const std::string labels = R"({"metadata": {"labels": {"a": "1", "a": "2"}}})";
  EXPECT_THAT(StrictFieldErrors(labels, Def("io.k8s.api.core.v1.ConfigMap")),
              ElementsAre("duplicate field \"metadata.labels.a\""));
}

TEST(StrictFieldErrorsTest, MapValuesThatAreStructsAreChecked) {
  // autoscaling/v2 has no such map; SubjectAccessReviewSpec.extra is a map of
  // arrays of strings; the only map-of-struct in scope is Quantity-valued, so
  // check through a synthetic schema.
  auto schema = Schema::Parse(R"({
    "definitions": {
      "T": {"fields": [{"name": "m", "type": {"kind": "map", "values": {"kind": "ref", "ref": "V"}}}]},
      "V": {"fields": [{"name": "x", "type": {"kind": "string"}}]}
    },
    "kinds": []})");
  ASSERT_TRUE(schema.ok()) << schema.status().ToString();
  const Definition& t = *(*schema)->FindDefinition("T");
  EXPECT_THAT(StrictFieldErrors(R"({"m": {"k1": {"x": "a"}, "k2": {"y": "b"}}})", t),
              ElementsAre("unknown field \"m.y\""));
  auto obj = DecodeJson(R"({"m": {"k1": {"x": "a"}, "k2": {"y": "b"}}, "top": 1})");
  ASSERT_TRUE(obj.ok());
  EXPECT_THAT(PruneUnknownFields(&*obj, t), ElementsAre("unknown field \"m.y\"",
                                                         "unknown field \"top\""));
  EXPECT_EQ(*obj, nlohmann::json::parse(R"({"m": {"k1": {"x": "a"}, "k2": {}}})"));
}

TEST(PruneUnknownFieldsTest, ReportsSortedAndDrops) {
  auto obj = DecodeJson(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "d", "zzz": 1},
    "spec": {"unknown1": 1, "replicas": 2,
             "template": {"spec": {"containers": [{"name": "c", "extra": {"a": 1}}]}}}
  })");
  ASSERT_TRUE(obj.ok());
  const Definition& d = Def("io.k8s.api.apps.v1.Deployment");
  EXPECT_THAT(FindUnknownFields(*obj, d),
              ElementsAre("unknown field \"metadata.zzz\"",
                          "unknown field \"spec.template.spec.containers[0].extra\"",
                          "unknown field \"spec.unknown1\""));
  const auto pruned = PruneUnknownFields(&*obj, d);
  EXPECT_EQ(pruned.size(), 3u);
  EXPECT_THAT(FindUnknownFields(*obj, d), IsEmpty());
  EXPECT_EQ((*obj)["spec"]["replicas"], 2);
  EXPECT_EQ((*obj)["metadata"]["name"], "d");
  EXPECT_FALSE((*obj)["spec"]["template"]["spec"]["containers"][0].contains("extra"));
}

TEST(StrictFieldErrorsTest, GarbageDoesNotCrash) {
  const Definition& d = Def("io.k8s.api.core.v1.Pod");
  for (const char* s : {"", "{", "{\"spec\":", "[1,2", "{\"a\":\"\\u12", "nul", "{\"spec\":{\"containers\":[{"}) {
    (void)StrictFieldErrors(s, d);
  }
  std::string deep(100000, '[');
  (void)StrictFieldErrors("{\"spec\":{\"x\":" + deep, d);
  SUCCEED();
}

}  // namespace
}  // namespace kubepp::api
