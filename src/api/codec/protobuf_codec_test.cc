#include "api/codec/protobuf_codec.h"

#include <random>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/json_depth.h"
#include "api/schema/sample.h"

namespace kubepp::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

template <size_t N>
std::string Bytes(const char (&lit)[N]) {
  return std::string(lit, N - 1);
}

// Captured from kubectl v1.32.4 against a loopback listener:
//   kubectl create configmap x --from-literal=a=b --dry-run=server -n default
const std::string kKubectlConfigMap = Bytes(
    "\x6b\x38\x73\x00\x0a\x0f\x0a\x02\x76\x31\x12\x09\x43\x6f\x6e\x66\x69\x67\x4d\x61\x70\x12\x22\x0a"
    "\x18\x0a\x01\x78\x12\x00\x1a\x07\x64\x65\x66\x61\x75\x6c\x74\x22\x00\x2a\x00\x32\x00\x38\x00\x42"
    "\x00\x12\x06\x0a\x01\x61\x12\x01\x62\x1a\x00\x22\x00");

//   kubectl create deployment x --image=nginx --dry-run=server -n default
const std::string kKubectlDeployment = Bytes(
    "\x6b\x38\x73\x00\x0a\x15\x0a\x07\x61\x70\x70\x73\x2f\x76\x31\x12\x0a\x44\x65\x70\x6c\x6f\x79\x6d"
    "\x65\x6e\x74\x12\xaa\x01\x0a\x22\x0a\x01\x78\x12\x00\x1a\x07\x64\x65\x66\x61\x75\x6c\x74\x22\x00"
    "\x2a\x00\x32\x00\x38\x00\x42\x00\x5a\x08\x0a\x03\x61\x70\x70\x12\x01\x78\x12\x76\x08\x01\x12\x0a"
    "\x0a\x08\x0a\x03\x61\x70\x70\x12\x01\x78\x1a\x5e\x0a\x1a\x0a\x00\x12\x00\x1a\x00\x22\x00\x2a\x00"
    "\x32\x00\x38\x00\x42\x00\x5a\x08\x0a\x03\x61\x70\x70\x12\x01\x78\x12\x40\x12\x22\x0a\x05\x6e\x67"
    "\x69\x6e\x78\x12\x05\x6e\x67\x69\x6e\x78\x2a\x00\x42\x00\x6a\x00\x72\x00\x80\x01\x00\x88\x01\x00"
    "\x90\x01\x00\xa2\x01\x00\x1a\x00\x32\x00\x42\x00\x4a\x00\x52\x00\x58\x00\x60\x00\x68\x00\x82\x01"
    "\x00\x8a\x01\x00\x9a\x01\x00\xc2\x01\x00\x22\x02\x0a\x00\x28\x00\x38\x00\x1a\x0c\x08\x00\x10\x00"
    "\x18\x00\x20\x00\x28\x00\x38\x00\x1a\x00\x22\x00");

TEST(ProtobufGoldenTest, KubectlConfigMap) {
  auto decoded = DecodeProtobuf(kKubectlConfigMap);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, json::parse(R"({"apiVersion": "v1", "kind": "ConfigMap",
      "metadata": {"name": "x", "namespace": "default"}, "data": {"a": "b"}})"));
  // Our encoding omits zero-valued non-pointer fields (a Go decoder yields the
  // same object); it must decode back to the same JSON.
  auto encoded = EncodeProtobuf(*decoded);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto again = DecodeProtobuf(*encoded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *decoded);
  // Exact bytes for what we write: prefix, typeMeta, raw, "" encodings.
  EXPECT_EQ(*encoded, Bytes("k8s\0\x0a\x0f\x0a\x02v1\x12\x09"
                            "ConfigMap\x12\x16\x0a\x0c\x0a\x01x\x1a\x07"
                            "default\x12\x06\x0a\x01"
                            "a\x12\x01"
                            "b\x1a\x00\x22\x00"));
}

TEST(ProtobufGoldenTest, KubectlDeployment) {
  auto decoded = DecodeProtobuf(kKubectlDeployment);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, json::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "x", "namespace": "default", "labels": {"app": "x"}},
      "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "x"}},
               "template": {"metadata": {"labels": {"app": "x"}},
                            "spec": {"containers": [{"name": "nginx", "image": "nginx",
                                                     "resources": {}}]}},
               "strategy": {}},
      "status": {}})"));
  auto encoded = EncodeProtobuf(*decoded);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto again = DecodeProtobuf(*encoded);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *decoded);
}

TEST(ProtobufTest, PointerZeroKeptValueZeroDropped) {
  const json in = json::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "d", "generation": 0, "creationTimestamp": null},
      "spec": {"replicas": 0, "paused": false, "minReadySeconds": 0,
               "template": {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 0}]}],
                                     "terminationGracePeriodSeconds": 0}}}})");
  auto encoded = EncodeProtobuf(in);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto out = DecodeProtobuf(*encoded);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, json::parse(R"({"apiVersion": "apps/v1", "kind": "Deployment",
      "metadata": {"name": "d"},
      "spec": {"replicas": 0,
               "template": {"spec": {"containers": [{"name": "c", "ports": [{"containerPort": 0}]}],
                                     "terminationGracePeriodSeconds": 0}}}})"));
}

TEST(ProtobufTest, SpecialTypes) {
  const json in = json::parse(R"({"apiVersion": "v1", "kind": "Pod",
      "metadata": {"name": "p", "creationTimestamp": "2024-05-06T07:08:09Z",
                   "managedFields": [{"manager": "m", "fieldsType": "FieldsV1",
                                      "fieldsV1": {"f:metadata": {"f:labels": {}}}}]},
      "spec": {"containers": [{"name": "c",
          "resources": {"limits": {"cpu": "500m", "memory": "1Gi"}},
          "livenessProbe": {"httpGet": {"port": "http", "path": "/"}},
          "readinessProbe": {"tcpSocket": {"port": 8080}}}]}})");
  auto encoded = EncodeProtobuf(in);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto out = DecodeProtobuf(*encoded);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, in);
  // Secret data: base64 in JSON, raw bytes on the wire.
  const json secret = json::parse(
      R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
          "data": {"k": "AAEC/w=="}, "type": "Opaque"})");
  auto sb = EncodeProtobuf(secret);
  ASSERT_TRUE(sb.ok());
  EXPECT_NE(sb->find(std::string("\x00\x01\x02\xff", 4)), std::string::npos);
  auto sd = DecodeProtobuf(*sb);
  ASSERT_TRUE(sd.ok());
  EXPECT_EQ(*sd, secret);
}

TEST(ProtobufTest, EncodeErrorsNameTheField) {
  auto r = EncodeProtobuf(json::parse(
      R"({"apiVersion": "apps/v1", "kind": "Deployment", "spec": {"replicas": "three"}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kBadRequest);
  EXPECT_THAT(r.status().message(), HasSubstr("spec.replicas"));
  r = EncodeProtobuf(json::parse(R"({"apiVersion": "v1", "kind": "Secret", "data": {"k": "!!"}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("data[k]"));
  r = EncodeProtobuf(json::parse(R"({"apiVersion": "v1", "kind": "Nope"})"));
  EXPECT_EQ(r.status().code(), StatusCode::kNotFound);
  r = EncodeProtobuf(json::parse(R"({"kind": "Pod"})"));
  EXPECT_EQ(r.status().code(), StatusCode::kBadRequest);
  r = EncodeProtobuf(json::parse(R"({"apiVersion": "meta.k8s.io/v1", "kind": "Table"})"));
  EXPECT_FALSE(r.ok());
  r = EncodeProtobuf(json::parse(
      R"({"apiVersion": "v1", "kind": "Pod", "spec": {"priority": 3000000000}})"));
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("spec.priority"));
}

// Every served kind and its List survive JSON -> protobuf -> JSON unchanged
// with every field populated.
TEST(ProtobufRoundTripTest, EveryKindAndList) {
  const Schema& schema = Schema::Default();
  int checked = 0;
  for (const Kind& k : schema.kinds()) {
    if (k.definition->proto.empty()) continue;  // meta/v1 Table: JSON only
    for (const Definition* def : {k.definition, k.list}) {
      if (def == nullptr) continue;
      for (int seed : {1, 2}) {
        json in = SampleObject(schema, def->name, seed);
        in["apiVersion"] = k.ApiVersion();
        in["kind"] = def == k.list ? k.kind + "List" : k.kind;
        auto encoded = EncodeProtobuf(in);
        ASSERT_TRUE(encoded.ok()) << def->name << ": " << encoded.status().ToString();
        auto out = DecodeProtobuf(*encoded);
        ASSERT_TRUE(out.ok()) << def->name << ": " << out.status().ToString();
        EXPECT_EQ(*out, in) << def->name << "\n" << json::diff(in, *out).dump();
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 150);
}

TEST(ProtobufMalformedTest, ReturnsErrors) {
  auto expect_bad = [](std::string_view body, const char* what) -> std::string {
    auto r = DecodeProtobuf(body);
    EXPECT_FALSE(r.ok()) << what;
    if (r.ok()) return "";
    EXPECT_TRUE(r.status().code() == StatusCode::kBadRequest ||
                r.status().code() == StatusCode::kNotFound)
        << what << ": " << r.status().ToString();
    return r.status().message();
  };
  expect_bad("", "empty");
  expect_bad("k8s", "short prefix");
  EXPECT_THAT(expect_bad("{\"kind\":\"Pod\"}", "json"), HasSubstr("expected prefix"));
  expect_bad(kKubectlConfigMap.substr(0, kKubectlConfigMap.size() - 9), "truncated");
  expect_bad(Bytes("k8s\0\x0a\x80"), "truncated varint");
  expect_bad(Bytes("k8s\0\x0a\x7f\x0a"), "length past end");
  EXPECT_EQ(DecodeProtobuf(Bytes("k8s\0\x0a\x08\x0a\x02v1\x12\x02Zz")).status().code(),
            StatusCode::kNotFound);
  expect_bad(Bytes("k8s\0\x0a\x04\x0a\x02v1"), "no kind");
  // A field path in the error: ConfigMap.data entry whose length runs past.
  std::string bad_map = Bytes("k8s\0\x0a\x0f\x0a\x02v1\x12\x09"
                              "ConfigMap\x12\x04\x12\x02\x0a\x09");
  EXPECT_THAT(expect_bad(bad_map, "bad map"), HasSubstr("data"));
  // Wrong wire type for a string field (varint where bytes expected).
  std::string bad_wt = Bytes("k8s\0\x0a\x0f\x0a\x02v1\x12\x09"
                             "ConfigMap\x12\x04\x0a\x02\x08\x01");
  EXPECT_THAT(expect_bad(bad_wt, "wire type"), HasSubstr("metadata.name"));
  // Deep recursion: nested Status.details... use WatchEvent-free nesting via
  // repeated embedded protobuf objects in a RawExtension.
  std::string nested = kKubectlConfigMap;
  for (int i = 0; i < 200; ++i) {
    std::string raw;
    raw += '\x0a';  // RawExtension.raw = 1
    // varint length
    std::string len;
    size_t n = nested.size();
    while (n >= 0x80) {
      len.push_back(static_cast<char>((n & 0x7f) | 0x80));
      n >>= 7;
    }
    len.push_back(static_cast<char>(n));
    raw += len + nested;
    std::string event = "\x0a\x05" "ADDED";
    event += '\x12';
    std::string rlen;
    n = raw.size();
    while (n >= 0x80) {
      rlen.push_back(static_cast<char>((n & 0x7f) | 0x80));
      n >>= 7;
    }
    rlen.push_back(static_cast<char>(n));
    event += rlen + raw;
    std::string tm = Bytes("\x0a\x02v1\x12\x0a") + "WatchEvent";
    std::string body = Bytes("k8s\0\x0a");
    body += static_cast<char>(tm.size());
    body += tm;
    body += '\x12';
    n = event.size();
    std::string elen;
    while (n >= 0x80) {
      elen.push_back(static_cast<char>((n & 0x7f) | 0x80));
      n >>= 7;
    }
    elen.push_back(static_cast<char>(n));
    body += elen + event;
    nested = body;
  }
  EXPECT_THAT(expect_bad(nested, "deep"), HasSubstr("too deep"));
}

TEST(ProtobufMalformedTest, WatchEventEmbedsProtobufObject) {
  std::string raw = Bytes("\x0a") + static_cast<char>(kKubectlConfigMap.size()) + kKubectlConfigMap;
  std::string event = Bytes("\x0a\x05") + "ADDED" + "\x12" + static_cast<char>(raw.size()) + raw;
  std::string tm = Bytes("\x0a\x02v1\x12\x0a") + "WatchEvent";
  std::string body = Bytes("k8s\0\x0a") + static_cast<char>(tm.size()) + tm + "\x12" +
                     static_cast<char>(event.size()) + event;
  auto r = DecodeProtobuf(body);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)["type"], "ADDED");
  EXPECT_EQ((*r)["object"]["kind"], "ConfigMap");
  EXPECT_EQ((*r)["object"]["data"]["a"], "b");
}

TEST(ProtobufTest, WatchEventCarriesServedObjectsInProtobuf) {
  const json event = json::parse(R"({"apiVersion": "v1", "kind": "WatchEvent", "type": "MODIFIED",
      "object": {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"},
                 "data": {"a": "b"}}})");
  auto encoded = EncodeProtobuf(event);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  // The embedded object has its own "k8s\0" prefix, not JSON text.
  EXPECT_NE(encoded->find("k8s", 4), std::string::npos);
  EXPECT_EQ(encoded->find("{\"apiVersion\""), std::string::npos);
  auto decoded = DecodeProtobuf(*encoded);
  ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
  EXPECT_EQ(*decoded, event);
}

// Embedded JSON (RawExtension) is held to the same nesting limit as any
// JSON body, so no decoded object is too deep for the recursive walkers.
TEST(ProtobufMalformedTest, DeeplyNestedEmbeddedJsonIsRefused) {
  json deep = json::array();
  for (int i = 0; i < kMaxJsonDepth + 100; ++i) deep = json::array({deep});
  const json event = {{"apiVersion", "v1"}, {"kind", "WatchEvent"}, {"type", "ADDED"},
                      {"object", {{"kind", "NotServed"}, {"v", deep}}}};
  auto encoded = EncodeProtobuf(event);
  ASSERT_TRUE(encoded.ok()) << encoded.status().ToString();
  auto decoded = DecodeProtobuf(*encoded);
  ASSERT_FALSE(decoded.ok());
  EXPECT_NE(decoded.status().message().find("nesting deeper than"), std::string::npos)
      << decoded.status().message();
}

// Random mutations of valid bodies never crash (run under ASan in CI builds).
TEST(ProtobufMalformedTest, FuzzMutationsDoNotCrash) {
  const Schema& schema = Schema::Default();
  std::vector<std::string> seeds = {kKubectlConfigMap, kKubectlDeployment};
  for (const char* def : {"io.k8s.api.core.v1.Pod", "io.k8s.api.apps.v1.StatefulSet",
                          "io.k8s.api.core.v1.Node", "io.k8s.api.batch.v1.CronJob"}) {
    auto e = EncodeProtobuf(SampleObject(schema, def, 7));
    ASSERT_TRUE(e.ok()) << def << e.status().ToString();
    seeds.push_back(*e);
  }
  std::mt19937 rng(12345);
  int ok = 0, failed = 0;
  for (int iter = 0; iter < 4000; ++iter) {
    std::string body = seeds[iter % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !body.empty(); ++e) {
      const size_t pos = 4 + rng() % (body.size() > 4 ? body.size() - 4 : 1);
      switch (rng() % 4) {
        case 0: if (pos < body.size()) body[pos] = static_cast<char>(rng()); break;
        case 1: body.resize(pos < body.size() ? pos : body.size()); break;
        case 2: if (pos < body.size()) body.erase(pos, 1 + rng() % 8); break;
        case 3: body.insert(std::min(pos, body.size()), 1, static_cast<char>(rng())); break;
      }
    }
    auto r = DecodeProtobuf(body);
    if (r.ok()) {
      ++ok;
      (void)r->dump();  // must be serializable (valid UTF-8)
    } else {
      ++failed;
    }
  }
  // Both outcomes occur: mutations that stay decodable, and ones refused
  // with an error (never a crash).
  EXPECT_GT(failed, 0);
  EXPECT_GT(ok, 0);
}

}  // namespace
}  // namespace kubepp::api
