// Tests of the types generated from the real schema (src/api/schema/schema.json).
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/schema/sample.h"
#include "api/schema/schema.h"
#include "api/types/apps_v1_json.h"
#include "api/types/codec.h"
#include "api/types/core_v1_json.h"
#include "api/types/kinds.h"
#include "api/types/meta_v1_json.h"

namespace kubepp::api {
namespace {

using nlohmann::json;

// Generic -> typed -> generic through the kinds table; must be identical.
void ExpectRoundTrip(const KindInfo& k, const json& in) {
  json out;
  Status s = k.round_trip_json(in, &out);
  ASSERT_TRUE(s.ok()) << k.api_version << " " << k.kind << ": " << s.ToString();
  EXPECT_EQ(out, in) << k.api_version << " " << k.kind;
  // Byte-identical serialization too (same types: no int/float drift).
  EXPECT_EQ(out.dump(), in.dump()) << k.api_version << " " << k.kind;
  std::string text;
  s = k.round_trip_text(in.dump(), &text);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(text, in.dump()) << k.api_version << " " << k.kind;
}

TEST(KindsTable, CoversEverySchemaKindAndList) {
  const Schema& schema = Schema::Default();
  ASSERT_FALSE(schema.kinds().empty());
  for (const Kind& k : schema.kinds()) {
    const KindInfo* info = FindKind(k.ApiVersion(), k.kind);
    ASSERT_NE(info, nullptr) << k.ApiVersion() << " " << k.kind;
    EXPECT_EQ(info->definition, k.definition->name);
    if (k.list != nullptr) {
      const KindInfo* list = FindKind(k.ApiVersion(), k.kind + "List");
      ASSERT_NE(list, nullptr) << k.ApiVersion() << " " << k.kind << "List";
      EXPECT_EQ(list->definition, k.list->name);
    }
  }
  EXPECT_EQ(FindKind("v1", "NoSuchKind"), nullptr);
}

// Every field of every kind, fully populated (SampleObject sets all of them
// to non-zero values), survives the typed round trip, for several seeds.
TEST(RoundTrip, EveryKindFullyPopulated) {
  const Schema& schema = Schema::Default();
  int checked = 0;
  for (const KindInfo& k : AllKinds()) {
    for (int seed : {1, 2, 7}) {
      json sample = SampleObject(schema, k.definition, seed);
      ASSERT_TRUE(sample.is_object()) << k.definition;
      ASSERT_GT(sample.size(), 1u) << k.definition;
      ExpectRoundTrip(k, sample);
      ++checked;
    }
  }
  EXPECT_GE(checked, 3 * static_cast<int>(schema.kinds().size()));
}

// Absent and present-but-empty stay distinct: [], {}, false, 0, "".
TEST(RoundTrip, AbsentVersusEmptyPreserved) {
  json pod = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "", "labels": {}, "annotations": {"a": ""}, "finalizers": []},
    "spec": {"containers": [{"name": "c", "ports": [], "env": [{"name": "E", "value": ""}],
                             "resources": {}, "stdin": false}],
             "hostNetwork": false, "priority": 0, "nodeSelector": {},
             "securityContext": {}, "terminationGracePeriodSeconds": 0}
  })");
  ExpectRoundTrip(*FindKind("v1", "Pod"), pod);

  core::v1::Pod typed;
  ASSERT_TRUE(core::v1::FromJson(pod, &typed).ok());
  const core::v1::PodSpec& spec = *typed.spec;
  EXPECT_TRUE(spec.node_selector.has_value());
  EXPECT_TRUE(spec.node_selector->empty());
  EXPECT_FALSE(spec.volumes.has_value());
  EXPECT_EQ(spec.host_network, std::optional<bool>(false));
  EXPECT_FALSE(spec.host_pid.has_value());
  EXPECT_EQ(spec.priority, std::optional<int32_t>(0));
  EXPECT_TRUE(spec.security_context.has_value());
  EXPECT_FALSE(spec.security_context->run_as_user.has_value());
  EXPECT_EQ(typed.metadata->name, std::optional<std::string>(""));
  EXPECT_FALSE(typed.metadata->namespace_.has_value());
  EXPECT_FALSE(typed.status.has_value());
}

// null is what upstream makes of it: the same as absent.
TEST(RoundTrip, NullMeansAbsent) {
  core::v1::Pod pod;
  Status s = core::v1::FromJson(
      json::parse(R"({"metadata": {"creationTimestamp": null, "labels": null}, "spec": null})"), &pod);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(pod.metadata.has_value());
  EXPECT_FALSE(pod.metadata->creation_timestamp.has_value());
  EXPECT_FALSE(pod.metadata->labels.has_value());
  EXPECT_FALSE(pod.spec.has_value());
  EXPECT_EQ(core::v1::ToJson(pod), json::parse(R"({"metadata": {}})"));
}

TEST(RoundTrip, ValueTypesKeepTheirText) {
  json pod = json::parse(R"({"spec": {"containers": [{"name": "c",
      "resources": {"limits": {"cpu": "1500m", "memory": "1.5Gi"}, "requests": {"cpu": "0.1"}},
      "livenessProbe": {"httpGet": {"port": "http"}, "tcpSocket": {"port": 8080}}}]},
      "metadata": {"creationTimestamp": "2024-01-02T03:04:05Z"}})");
  core::v1::Pod typed;
  ASSERT_TRUE(core::v1::FromJson(pod, &typed).ok());
  const core::v1::Container& c = typed.spec->containers->at(0);
  EXPECT_EQ(c.resources->limits->at("memory").String(), "1.5Gi");
  EXPECT_EQ(c.resources->requests->at("cpu").MilliValue(), 100);
  EXPECT_TRUE(c.liveness_probe->http_get->port->is_string());
  EXPECT_EQ(c.liveness_probe->tcp_socket->port->int_value(), 8080);
  EXPECT_EQ(typed.metadata->creation_timestamp->UnixSeconds(), 1704164645);
  EXPECT_EQ(core::v1::ToJson(typed), pod);
}

// A bare JSON number is accepted for a quantity, as upstream does, and
// written back as a string, as upstream does.
TEST(RoundTrip, NumericQuantityBecomesString) {
  core::v1::ResourceRequirements r;
  ASSERT_TRUE(core::v1::FromJson(json::parse(R"({"limits": {"cpu": 2}})"), &r).ok());
  EXPECT_EQ(core::v1::ToJson(r), json::parse(R"({"limits": {"cpu": "2"}})"));
}

TEST(FromJson, ErrorNamesTheFieldPath) {
  json pod = json::parse(R"({"spec": {"containers": [
      {"name": "a", "ports": [{"containerPort": 80}, {"containerPort": "80"}]}]}})");
  core::v1::Pod typed;
  Status s = core::v1::FromJson(pod, &typed);
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_EQ(s.message(), "spec.containers[0].ports[1].containerPort: expected integer, got string");
}

TEST(FromJson, ErrorPathsForMapsScalarsAndValueTypes) {
  struct Case {
    const char* json;
    const char* message;
  } cases[] = {
      {R"({"metadata": {"labels": {"app": 1}}})", "metadata.labels[app]: expected string, got integer"},
      {R"({"metadata": "x"})", "metadata: expected object, got string"},
      {R"({"spec": {"containers": {}}})", "spec.containers: expected array, got object"},
      {R"({"spec": {"hostNetwork": "true"}})", "spec.hostNetwork: expected boolean, got string"},
      {R"({"spec": {"priority": 1.5}})", "spec.priority: expected integer, got number"},
      {R"({"spec": {"priority": 3000000000}})", "spec.priority: value 3000000000 out of range for int32"},
      {R"({"spec": {"activeDeadlineSeconds": 18446744073709551615}})",
       "spec.activeDeadlineSeconds: value 18446744073709551615 out of range for int64"},
      {R"({"spec": {"containers": [{"livenessProbe": {"httpGet": {"port": true}}}]}})",
       "spec.containers[0].livenessProbe.httpGet.port: expected integer or string, got boolean"},
      {R"({"metadata": {"creationTimestamp": 5}})",
       "metadata.creationTimestamp: expected time string, got integer"},
  };
  for (const Case& c : cases) {
    core::v1::Pod typed;
    Status s = core::v1::FromJson(json::parse(c.json), &typed);
    EXPECT_EQ(s.code(), StatusCode::kInvalid) << c.json;
    EXPECT_EQ(s.message(), c.message) << c.json;
  }
  // Value-type parse errors carry the value type's own message after the path.
  core::v1::Pod typed;
  Status s = core::v1::FromJson(
      json::parse(R"({"spec": {"containers": [{"resources": {"limits": {"cpu": "lots"}}}]}})"), &typed);
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_EQ(s.message().rfind("spec.containers[0].resources.limits[cpu]: ", 0), 0u) << s.message();
  s = core::v1::FromJson(json::parse(R"({"metadata": {"creationTimestamp": "yesterday"}})"), &typed);
  EXPECT_EQ(s.message().rfind("metadata.creationTimestamp: ", 0), 0u) << s.message();
  // The root itself.
  s = core::v1::FromJson(json::parse("[1]"), &typed);
  EXPECT_EQ(s.message(), "expected object, got array");
}

TEST(FromJson, UnknownFieldsAreIgnored) {
  core::v1::Pod typed;
  ASSERT_TRUE(core::v1::FromJson(json::parse(R"({"spec": {"bogus": 1}, "extra": []})"), &typed).ok());
  EXPECT_EQ(core::v1::ToJson(typed), json::parse(R"({"spec": {}})"));
}

TEST(FromJson, ReusedOutputIsReset) {
  core::v1::Pod typed;
  ASSERT_TRUE(core::v1::FromJson(json::parse(R"({"spec": {"nodeName": "n1"}})"), &typed).ok());
  ASSERT_TRUE(core::v1::FromJson(json::parse(R"({"metadata": {"name": "p"}})"), &typed).ok());
  EXPECT_FALSE(typed.spec.has_value());
  EXPECT_EQ(core::v1::ToJson(typed), json::parse(R"({"metadata": {"name": "p"}})"));
}

TEST(Encode, PodBuiltInCode) {
  core::v1::Pod pod;
  SetTypeMeta(&pod);
  pod.metadata.emplace().name = "web";
  pod.metadata->namespace_ = "default";
  pod.metadata->labels = std::map<std::string, std::string>{{"app", "web"}};
  core::v1::Container c;
  c.name = "nginx";
  c.image = "nginx:1.25";
  core::v1::ContainerPort port;
  port.container_port = 80;
  port.protocol = "TCP";
  c.ports.emplace().push_back(port);
  c.resources.emplace().limits.emplace()["cpu"] = *Quantity::Parse("500m");
  pod.spec.emplace().containers.emplace().push_back(c);
  pod.spec->restart_policy = "Always";

  EXPECT_EQ(Encode(pod),
            R"({"apiVersion":"v1","kind":"Pod","metadata":{"labels":{"app":"web"},"name":"web",)"
            R"("namespace":"default"},"spec":{"containers":[{"image":"nginx:1.25","name":"nginx",)"
            R"("ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{"limits":{"cpu":"500m"}}}],)"
            R"("restartPolicy":"Always"}})");

  StatusOr<core::v1::Pod> back = Decode<core::v1::Pod>(Encode(pod));
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, pod);
}

// A plain nlohmann dump() throws on invalid UTF-8; the codec never throws.
TEST(Encode, InvalidUtf8InCodeBuiltObjectDoesNotThrow) {
  core::v1::Pod pod;
  pod.metadata.emplace().name = std::string("a\xff", 2);
  pod.metadata->managed_fields.emplace().emplace_back().fields_v1 =
      *RawJson::Parse(R"({"f:x": {}})");
  std::string out = Encode(pod);
  EXPECT_NE(out.find(R"("name":"a)"), std::string::npos) << out;
  json generic = {{"metadata", {{"managedFields", {{{"fieldsV1", {{"k", std::string("\xfe")}}}}}}}}};
  core::v1::Pod typed;
  EXPECT_TRUE(core::v1::FromJson(generic, &typed).ok());
}

TEST(Decode, ConstantsAndErrors) {
  EXPECT_EQ(apps::v1::Deployment::kApiVersion, "apps/v1");
  EXPECT_EQ(apps::v1::Deployment::kKind, "Deployment");
  EXPECT_EQ(apps::v1::DeploymentList::kKind, "DeploymentList");
  EXPECT_EQ(core::v1::Pod::kApiVersion, "v1");
  // Served under meta.k8s.io/v1 too; clients put "v1" on a Status.
  EXPECT_EQ(meta::v1::Status::kApiVersion, "v1");
  EXPECT_EQ(meta::v1::Table::kApiVersion, "meta.k8s.io/v1");

  StatusOr<apps::v1::Deployment> d =
      Decode<apps::v1::Deployment>(R"({"spec": {"replicas": 3, "strategy": {"rollingUpdate":
          {"maxSurge": "25%", "maxUnavailable": 1}}}})");
  ASSERT_TRUE(d.ok()) << d.status().ToString();
  EXPECT_EQ(d->spec->replicas, std::optional<int32_t>(3));
  EXPECT_EQ(d->spec->strategy->rolling_update->max_surge->str_value(), "25%");

  EXPECT_EQ(Decode<apps::v1::Deployment>("{\"spec\": ").status().code(), StatusCode::kBadRequest);
  EXPECT_EQ(Decode<apps::v1::Deployment>("").status().code(), StatusCode::kBadRequest);
  StatusOr<apps::v1::Deployment> bad = Decode<apps::v1::Deployment>(R"({"spec": {"replicas": "3"}})");
  EXPECT_EQ(bad.status().message(), "spec.replicas: expected integer, got string");
}

// Deep nesting is refused before any recursion can exhaust the stack.
TEST(Decode, DeepNestingIsRejected) {
  std::string deep = R"({"metadata": {"managedFields": [{"fieldsV1": )";
  deep += std::string(100000, '[') + std::string(100000, ']') + "}]}}";
  StatusOr<core::v1::Pod> p = Decode<core::v1::Pod>(deep);
  EXPECT_EQ(p.status().code(), StatusCode::kBadRequest);
  // Brackets inside strings do not count.
  std::string in_string = R"({"metadata": {"name": ")" + std::string(5000, '[') + R"("}})";
  EXPECT_TRUE(Decode<core::v1::Pod>(in_string).ok());
}

TEST(RawJson, ParseNormalises) {
  StatusOr<RawJson> r = RawJson::Parse(R"({ "b": 1, "a": [true, null] })");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->text(), R"({"a":[true,null],"b":1})");
  EXPECT_EQ(RawJson::Parse("{").status().code(), StatusCode::kBadRequest);
  EXPECT_EQ(RawJson().text(), "null");
}

}  // namespace
}  // namespace kubepp::api
