#include "apiserver/fieldmanager/fieldset.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "apiserver/fieldmanager/testdata.h"

namespace kubepp::apiserver::fieldmanager {
namespace {

using json = nlohmann::json;

FieldSet Parse(const char* text) {
  auto s = FieldSet::FromFieldsV1(json::parse(text));
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : FieldSet();
}

TEST(FieldSetTest, FieldsV1RoundTripsUpstreamEncoding) {
  json in = json::parse(testdata::kClientSideApplyDeploymentFields);
  FieldSet s = Parse(testdata::kClientSideApplyDeploymentFields);
  EXPECT_EQ(s.ToFieldsV1(), in);
  EXPECT_TRUE(s.Has({"f:spec", "f:replicas"}));
  EXPECT_TRUE(s.Has({"f:metadata", "f:labels"}));  // ".": the map itself
  EXPECT_FALSE(s.Has({"f:spec"}));                 // only things below it
  EXPECT_TRUE(s.Has({"f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"nginx\"}"}));
  EXPECT_FALSE(s.Has({"f:spec", "f:template", "f:spec", "f:containers"}));
}

TEST(FieldSetTest, EmptySetIsEmptyObject) {
  FieldSet s = Parse("{}");
  EXPECT_TRUE(s.Empty());
  EXPECT_EQ(s.ToFieldsV1(), json::object());
}

TEST(FieldSetTest, KeysAndValuesAreCanonical) {
  FieldSet s = Parse(R"({"f:ports": {"k:{\"protocol\": \"TCP\", \"containerPort\": 80}": {}},
                         "f:finalizers": {"v:\"a\"": {}}})");
  EXPECT_TRUE(s.Has({"f:ports", "k:{\"containerPort\":80,\"protocol\":\"TCP\"}"}));
  EXPECT_EQ(s.ToFieldsV1().dump(),
            R"({"f:finalizers":{"v:\"a\"":{}},"f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{}}})");
}

TEST(FieldSetTest, RejectsMalformedFieldsV1) {
  for (const char* bad : {R"([])", R"({"x": {}})", R"({"f:a": 1})", R"({"k:[1]": {}})", R"({"k:{": {}})",
                          R"({"i:x": {}})", R"({"f:a": {"v:nope": {}}})"}) {
    auto s = FieldSet::FromFieldsV1(json::parse(bad));
    EXPECT_FALSE(s.ok()) << bad;
    if (!s.ok()) {
      EXPECT_EQ(s.status().code(), StatusCode::kBadRequest) << bad;
    }
  }
  std::string deep = "v:" + std::string(100, '[') + std::string(100, ']');
  EXPECT_FALSE(FieldSet::FromFieldsV1(json{{deep, json::object()}}).ok());
}

TEST(FieldSetTest, PathStringMatchesUpstream) {
  struct Case {
    FieldSet::Path path;
    const char* want;
  } cases[] = {
      {{"f:spec", "f:replicas"}, ".spec.replicas"},
      {{"f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"nginx\"}", "f:image"},
       ".spec.template.spec.containers[name=\"nginx\"].image"},
      {{"f:spec", "f:ports", "k:{\"port\":80,\"protocol\":\"TCP\"}"}, ".spec.ports[port=80,protocol=\"TCP\"]"},
      {{"f:metadata", "f:finalizers", "v:\"example.com/x\""}, ".metadata.finalizers[=\"example.com/x\"]"},
      {{"f:args", "i:2"}, ".args[2]"},
      {{"f:metadata", "f:labels", "f:app.kubernetes.io/name"}, ".metadata.labels.app.kubernetes.io/name"},
  };
  for (const auto& c : cases) EXPECT_EQ(PathString(c.path), c.want);
}

TEST(FieldSetTest, SetOperations) {
  FieldSet a = Parse(R"({"f:a": {".": {}, "f:b": {}, "f:c": {}}, "f:d": {}})");
  FieldSet b = Parse(R"({"f:a": {}, "f:d": {}, "f:e": {}})");

  // Difference is not recursive: a member of b does not take what is below.
  EXPECT_EQ(a.Difference(b).ToFieldsV1(), json::parse(R"({"f:a": {"f:b": {}, "f:c": {}}})"));
  // RecursiveDifference takes everything at or below b's members.
  EXPECT_EQ(a.RecursiveDifference(b).ToFieldsV1(), json::object());
  EXPECT_EQ(a.RecursiveDifference(Parse(R"({"f:a": {"f:b": {}}})")).ToFieldsV1(),
            json::parse(R"({"f:a": {".": {}, "f:c": {}}, "f:d": {}})"));
  EXPECT_EQ(a.Intersection(b).ToFieldsV1(), json::parse(R"({"f:a": {}, "f:d": {}})"));
  EXPECT_EQ(b.Union(Parse(R"({"f:a": {"f:x": {}}})")).ToFieldsV1(),
            json::parse(R"({"f:a": {".": {}, "f:x": {}}, "f:d": {}, "f:e": {}})"));
}

TEST(FieldSetTest, PathsListMembersBeforeDeeperPaths) {
  FieldSet s = Parse(R"({"f:spec": {"f:template": {"f:x": {}}, "f:replicas": {}}, "f:metadata": {"f:labels": {"f:a": {}}}})");
  std::vector<std::string> got;
  for (const auto& p : s.Paths()) got.push_back(PathString(p));
  EXPECT_EQ(got, (std::vector<std::string>{".metadata.labels.a", ".spec.replicas", ".spec.template.x"}));
}

}  // namespace
}  // namespace kubepp::apiserver::fieldmanager
