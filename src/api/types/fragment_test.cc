// Tests of the generator on testdata/schema_fragment.json, a small schema with
// what the real one lacks or has little of: self-recursive definitions,
// doubles, every special, nested containers, keyword and symbol field names.
// Generated into namespace kubepp::api::fragment.
#include <span>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/types/codec.h"
#include "api/types/fragment/example_v1_json.h"
#include "api/types/kinds.h"

namespace kubepp::api {
namespace types_internal {
std::span<const KindInfo> GeneratedKinds_kubepp_api_fragment();
}  // namespace types_internal

namespace {

using fragment::example::v1::Schema;
using fragment::example::v1::Widget;
using fragment::example::v1::WidgetList;
using nlohmann::json;

const char kFullWidget[] = R"({
  "apiVersion": "example.kubepp.io/v1", "kind": "Widget",
  "metadata": {"name": "w", "namespace": "ns", "labels": {"a": "b"},
               "creationTimestamp": "2024-05-06T07:08:09Z",
               "fieldsV1": {"f:metadata": {"f:labels": {".": {}}}}},
  "spec": {
    "replicas": 0, "generation": 9007199254740993, "ratio": 0.25, "enabled": false,
    "flags": [true, false], "payload": "aGVsbG8=", "operator": "In", "default": "",
    "podIPs": ["10.0.0.1"], "$ref": "#/x", "x-kubernetes-preserve-unknown-fields": true,
    "limits": {"cpu": "250m", "memory": "64Mi"}, "port": "http",
    "renewTime": "2024-05-06T07:08:09.123456Z", "timeout": "1m30s",
    "extension": {"apiVersion": "v1", "kind": "Thing", "x": [1, 2.5, "s", null, {}]},
    "value": 42, "cells": ["a", 1, true, null, {"k": []}],
    "extra": {"groups": ["g1", "g2"], "none": []},
    "matrix": [[1, 2], [], [-3]],
    "ports": [{"name": "http", "containerPort": 8080}, {}],
    "schema": {"type": "object",
               "not": {"type": "string", "not": {"allOf": []}},
               "allOf": [{"type": "a"}, {"properties": {"p": {"type": "integer"}}}],
               "properties": {"x": {"items": {"schema": {"type": "array"}}}},
               "items": {"schema": {"type": "leaf"}}}
  }
})";

const KindInfo& WidgetKind() {
  for (const KindInfo& k : types_internal::GeneratedKinds_kubepp_api_fragment()) {
    if (k.kind == "Widget") return k;
  }
  ADD_FAILURE() << "Widget not in fragment kinds table";
  static const KindInfo kNone{};
  return kNone;
}

TEST(Fragment, FullObjectRoundTripsIdentically) {
  json in = json::parse(kFullWidget);
  json out;
  Status s = WidgetKind().round_trip_json(in, &out);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(out, in);
  EXPECT_EQ(out.dump(), in.dump());

  json list = {{"apiVersion", "example.kubepp.io/v1"}, {"kind", "WidgetList"},
               {"items", json::array({in, json::object()})}};
  StatusOr<WidgetList> typed = Decode<WidgetList>(list.dump());
  ASSERT_TRUE(typed.ok()) << typed.status().ToString();
  EXPECT_EQ(Encode(*typed), list.dump());
}

TEST(Fragment, TypedAccessToEveryShape) {
  StatusOr<Widget> w = Decode<Widget>(kFullWidget);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  const auto& spec = *w->spec;
  EXPECT_EQ(spec.replicas, std::optional<int32_t>(0));
  EXPECT_EQ(spec.generation, std::optional<int64_t>(9007199254740993));
  EXPECT_EQ(spec.flags, (std::optional<std::vector<bool>>({true, false})));
  EXPECT_EQ(spec.operator_, std::optional<std::string>("In"));
  EXPECT_EQ(spec.default_, std::optional<std::string>(""));
  EXPECT_EQ(spec.ref, std::optional<std::string>("#/x"));
  EXPECT_EQ(spec.pod_ips->at(0), "10.0.0.1");
  EXPECT_TRUE(*spec.x_kubernetes_preserve_unknown_fields);
  EXPECT_EQ(spec.timeout, std::optional<std::string>("1m30s"));
  EXPECT_EQ(spec.value->text(), "42");
  EXPECT_EQ(spec.cells->size(), 5u);
  EXPECT_EQ(spec.extra->at("none").size(), 0u);
  EXPECT_EQ((*spec.schema->not_)->type, std::optional<std::string>("string"));
  EXPECT_TRUE((*(*spec.schema->not_)->not_)->all_of->empty());
  EXPECT_EQ((*spec.schema->items)->schema.value()->type, std::optional<std::string>("leaf"));
  EXPECT_EQ(w->metadata->fields_v1->text(), R"({"f:metadata":{"f:labels":{".":{}}}})");

  // Deep copies are independent; equality is deep.
  Widget copy = *w;
  EXPECT_EQ(copy, *w);
  (*copy.spec->schema->not_)->type = "changed";
  EXPECT_NE(copy, *w);
  EXPECT_EQ((*w->spec->schema->not_)->type, std::optional<std::string>("string"));
}

TEST(Fragment, DoublesAreWrittenLikeGo) {
  // Go prints an integral float64 without a fraction; so do we.
  StatusOr<Widget> w = Decode<Widget>(R"({"spec": {"ratio": 2.0}})");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(Encode(*w), R"({"spec":{"ratio":2}})");
  w = Decode<Widget>(R"({"spec": {"ratio": 3}})");
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(*w->spec->ratio, 3.0);
  EXPECT_EQ(Encode(*w), R"({"spec":{"ratio":3}})");
}

TEST(Fragment, ErrorPathsThroughNestedContainersAndRecursion) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {R"({"spec": {"matrix": [[1], ["x"]]}})", "spec.matrix[1][0]: expected integer, got string"},
      {R"({"spec": {"extra": {"k": ["a", 2]}}})", "spec.extra[k][1]: expected string, got integer"},
      {R"({"spec": {"flags": [true, 1]}})", "spec.flags[1]: expected boolean, got integer"},
      {R"({"spec": {"ratio": "1"}})", "spec.ratio: expected number, got string"},
      {R"({"spec": {"schema": {"not": {"allOf": [{"properties": {"p": {"type": 1}}}]}}}})",
       "spec.schema.not.allOf[0].properties[p].type: expected string, got integer"},
      {R"({"spec": {"schema": {"items": {"schema": []}}}})",
       "spec.schema.items.schema: expected object, got array"},
      {R"({"spec": {"ports": [{}, {"containerPort": null}, {"containerPort": {}}]}})",
       "spec.ports[2].containerPort: expected integer, got object"},
  };
  for (const Case& c : cases) {
    StatusOr<Widget> w = Decode<Widget>(c.json);
    EXPECT_EQ(w.status().code(), StatusCode::kInvalid) << c.json;
    EXPECT_EQ(w.status().message(), c.message) << c.json;
  }
  StatusOr<Widget> w = Decode<Widget>(R"({"spec": {"renewTime": "2024-13-45T00:00:00Z"}})");
  EXPECT_EQ(w.status().message().rfind("spec.renewTime: ", 0), 0u) << w.status().message();
}

}  // namespace
}  // namespace kubepp::api
