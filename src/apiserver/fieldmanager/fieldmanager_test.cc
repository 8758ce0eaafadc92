#include "apiserver/fieldmanager/fieldmanager.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/schema/schema.h"
#include "apiserver/fieldmanager/testdata.h"

namespace kubepp::apiserver::fieldmanager {
namespace {

using json = nlohmann::json;

constexpr const char kT1[] = "2024-05-01T10:00:00Z";
constexpr const char kT2[] = "2024-05-01T10:05:00Z";
constexpr const char kT3[] = "2024-05-01T10:10:00Z";
constexpr const char kT4[] = "2024-05-01T10:15:00Z";

json J(const char* text) { return json::parse(text); }

const api::Kind* KindOf(const char* group, const char* kind) {
  const api::Kind* k = api::Schema::Default().FindKind(group, "v1", kind);
  EXPECT_NE(k, nullptr) << kind;
  return k;
}

Scope MainScope(const char* group, const char* kind) {
  Scope s;
  s.kind = KindOf(group, kind);
  s.reset_fields = {"status"};
  return s;
}

Scope Deployments() { return MainScope("apps", "Deployment"); }

// The entry of `manager`/`operation` (and subresource), or null.
json EntryOf(const json& obj, const std::string& manager, const std::string& operation,
             const std::string& subresource = "") {
  const json& mf = obj["metadata"]["managedFields"];
  for (const auto& e : mf) {
    if (e.value("manager", "") == manager && e.value("operation", "") == operation &&
        e.value("subresource", "") == subresource) {
      return e;
    }
  }
  return nullptr;
}

json FieldsOf(const json& obj, const std::string& manager, const std::string& operation,
              const std::string& subresource = "") {
  json e = EntryOf(obj, manager, operation, subresource);
  return e.is_null() ? json() : e["fieldsV1"];
}

// What `kubectl apply --server-side -f web.yaml` sends.
json WebConfig(int replicas, const char* image) {
  json c = J(R"({"apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "labels": {"app": "web"}},
    "spec": {"selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "nginx", "ports": [{"containerPort": 80}]}]}}}})");
  c["spec"]["replicas"] = replicas;
  c["spec"]["template"]["spec"]["containers"][0]["image"] = image;
  return c;
}

// What the registry stores after defaulting and system metadata.
json Stored(json obj) {
  json& meta = obj["metadata"];
  meta["uid"] = "6a3b2c1d-0000-4000-8000-000000000001";
  meta["resourceVersion"] = "100";
  meta["generation"] = 1;
  meta["creationTimestamp"] = kT1;
  json& spec = obj["spec"];
  if (!spec.contains("replicas")) spec["replicas"] = 1;
  spec["revisionHistoryLimit"] = 10;
  spec["progressDeadlineSeconds"] = 600;
  spec["strategy"] = J(R"({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}})");
  json& pod = spec["template"]["spec"];
  pod["restartPolicy"] = "Always";
  pod["dnsPolicy"] = "ClusterFirst";
  pod["schedulerName"] = "default-scheduler";
  pod["securityContext"] = json::object();
  pod["terminationGracePeriodSeconds"] = 30;
  for (auto& c : pod["containers"]) {
    c["imagePullPolicy"] = "IfNotPresent";
    c["terminationMessagePath"] = "/dev/termination-log";
    c["terminationMessagePolicy"] = "File";
    c["resources"] = json::object();
    for (auto& p : c["ports"]) p["protocol"] = "TCP";
  }
  return obj;
}

json MustApply(const json* live, const json& config, const char* manager, const char* now, bool force = false,
               const Scope& scope = Deployments()) {
  std::vector<Conflict> conflicts;
  auto r = Apply(live, config, manager, force, now, scope, &conflicts);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  return r.ok() ? *r : json();
}

json MustUpdate(const json* live, json updated, const char* manager, const char* now,
                const Scope& scope = Deployments()) {
  Status s = UpdateManagedFields(live, updated, manager, now, scope);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return updated;
}

// ---------------------------------------------------------------- apply

TEST(FieldManagerApplyTest, CreateRecordsTheConfigurationFieldsOnly) {
  json created = MustApply(nullptr, WebConfig(2, "nginx:1.25"), "kubectl", kT1);
  EXPECT_EQ(created["spec"]["replicas"], 2);
  EXPECT_EQ(created["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.25");
  ASSERT_EQ(created["metadata"]["managedFields"].size(), 1u);
  EXPECT_EQ(created["metadata"]["managedFields"][0], J(R"({
    "manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "time": "2024-05-01T10:00:00Z",
    "fieldsType": "FieldsV1",
    "fieldsV1": {"f:metadata": {"f:labels": {"f:app": {}}},
                 "f:spec": {"f:replicas": {}, "f:selector": {},
                            "f:template": {"f:metadata": {"f:labels": {"f:app": {}}},
                                           "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {
                                               ".": {}, "f:image": {}, "f:name": {},
                                               "f:ports": {"k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {
                                                   ".": {}, "f:containerPort": {}}}}}}}}}})"));
}

TEST(FieldManagerApplyTest, ReapplyUpdatesValuesAndRemovesWhatIsNoLongerApplied) {
  json live = Stored(MustApply(nullptr, WebConfig(2, "nginx:1.25"), "kubectl", kT1));
  json config = WebConfig(2, "nginx:1.26");
  config["spec"]["template"]["spec"]["containers"][0].erase("ports");
  config["metadata"]["labels"]["tier"] = "frontend";
  json out = MustApply(&live, config, "kubectl", kT2);

  const json& c = out["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["image"], "nginx:1.26");
  EXPECT_FALSE(c.contains("ports"));                             // applied before, owned by nobody now
  EXPECT_EQ(c["imagePullPolicy"], "IfNotPresent");               // never applied: kept
  EXPECT_EQ(out["metadata"]["labels"], J(R"({"app": "web", "tier": "frontend"})"));
  EXPECT_EQ(out["metadata"]["uid"], live["metadata"]["uid"]);
  json e = EntryOf(out, "kubectl", "Apply");
  EXPECT_EQ(e["time"], kT2);
  EXPECT_EQ(e["fieldsV1"]["f:metadata"], J(R"({"f:labels": {"f:app": {}, "f:tier": {}}})"));
  EXPECT_FALSE(e["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]["k:{\"name\":\"nginx\"}"].contains(
      "f:ports"));
}

TEST(FieldManagerApplyTest, UnchangedReapplyKeepsTimeAndObject) {
  json live = Stored(MustApply(nullptr, WebConfig(2, "nginx:1.25"), "kubectl", kT1));
  json out = MustApply(&live, WebConfig(2, "nginx:1.25"), "kubectl", kT2);
  EXPECT_EQ(EntryOf(out, "kubectl", "Apply")["time"], kT1);
  json a = out, b = live;
  a["metadata"].erase("managedFields");
  b["metadata"].erase("managedFields");
  EXPECT_EQ(a, b);
}

TEST(FieldManagerApplyTest, SecondApplierWithSameValuesSharesOwnershipWithoutTime) {
  json live = Stored(MustApply(nullptr, WebConfig(2, "nginx:1.25"), "kubectl", kT1));
  json config = J(R"({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                      "spec": {"replicas": 2}})");
  json out = MustApply(&live, config, "ci-bot", kT2);
  json e = EntryOf(out, "ci-bot", "Apply");
  EXPECT_EQ(e["fieldsV1"], J(R"({"f:spec": {"f:replicas": {}}})"));
  EXPECT_FALSE(e.contains("time"));  // nothing changed (upstream issue 127938)
  EXPECT_TRUE(FieldsOf(out, "kubectl", "Apply")["f:spec"].contains("f:replicas"));

  // A shared field stays when one owner stops applying it...
  json config2 = WebConfig(2, "nginx:1.25");
  config2["spec"].erase("replicas");
  json out2 = MustApply(&out, config2, "kubectl", kT3);
  EXPECT_EQ(out2["spec"]["replicas"], 2);
  EXPECT_FALSE(FieldsOf(out2, "kubectl", "Apply")["f:spec"].contains("f:replicas"));
  // ...and either owner changing it conflicts with the other.
  std::vector<Conflict> conflicts;
  json config3 = WebConfig(3, "nginx:1.25");
  EXPECT_EQ(Apply(&out, config3, "kubectl", false, kT3, Deployments(), &conflicts).status().code(),
            StatusCode::kConflict);
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].message, "conflict with \"ci-bot\"");
}

TEST(FieldManagerApplyTest, ScaleThenConflictingApplyThenForce) {
  json live = Stored(MustApply(nullptr, WebConfig(2, "nginx:1.25"), "kubectl", kT1));

  // kubectl scale deployment web --replicas=5 (PATCH .../scale).
  Scope scale = Deployments();
  scale.subresource = "scale";
  scale.reset_fields.clear();
  json scaled = live;
  scaled["spec"]["replicas"] = 5;
  scaled = MustUpdate(&live, scaled, "kubectl", kT2, scale);
  json se = EntryOf(scaled, "kubectl", "Update", "scale");
  EXPECT_EQ(se, J(R"({"manager": "kubectl", "operation": "Update", "apiVersion": "apps/v1",
                      "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}},
                      "subresource": "scale"})"));
  EXPECT_FALSE(FieldsOf(scaled, "kubectl", "Apply")["f:spec"].contains("f:replicas"));
  EXPECT_EQ(EntryOf(scaled, "kubectl", "Apply")["time"], kT1);  // losing a field does not touch time

  // Another manager applies replicas: 3.
  json config = J(R"({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
                      "spec": {"replicas": 3}})");
  std::vector<Conflict> conflicts;
  auto r = Apply(&scaled, config, "ops", false, kT3, Deployments(), &conflicts);
  ASSERT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_EQ(r.status().message(),
            "Apply failed with 1 conflict: conflict with \"kubectl\" with subresource \"scale\" using apps/v1: "
            ".spec.replicas");
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].manager, "kubectl");
  EXPECT_EQ(conflicts[0].field, ".spec.replicas");
  EXPECT_EQ(conflicts[0].message, "conflict with \"kubectl\" with subresource \"scale\" using apps/v1");

  // --force-conflicts: the value and the ownership move.
  json forced = MustApply(&scaled, config, "ops", kT3, /*force=*/true);
  EXPECT_EQ(forced["spec"]["replicas"], 3);
  EXPECT_TRUE(EntryOf(forced, "kubectl", "Update", "scale").is_null());  // its only field went
  EXPECT_EQ(FieldsOf(forced, "ops", "Apply"), J(R"({"f:spec": {"f:replicas": {}}})"));
  EXPECT_EQ(EntryOf(forced, "ops", "Apply")["time"], kT3);
  EXPECT_FALSE(EntryOf(forced, "kubectl", "Apply").is_null());
}

TEST(FieldManagerApplyTest, ConflictsWithSeveralManagersAreGroupedBySortedManager) {
  json live = Stored(MustApply(nullptr, WebConfig(2, "nginx:1.25"), "kubectl", kT1));
  json edited = live;
  edited["spec"]["replicas"] = 4;
  edited["metadata"]["labels"]["app"] = "web2";
  edited = MustUpdate(&live, edited, "kubectl-edit", kT2);
  json patched = edited;
  patched["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1.27";
  patched = MustUpdate(&edited, patched, "kubectl-patch", kT3);

  std::vector<Conflict> conflicts;
  auto r = Apply(&patched, WebConfig(2, "nginx:1.25"), "kubectl", false, kT4, Deployments(), &conflicts);
  ASSERT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_EQ(r.status().message(),
            "Apply failed with 3 conflicts: conflicts with \"kubectl-edit\" using apps/v1:\n"
            "- .metadata.labels.app\n"
            "- .spec.replicas\n"
            "conflicts with \"kubectl-patch\" using apps/v1:\n"
            "- .spec.template.spec.containers[name=\"nginx\"].image");
  ASSERT_EQ(conflicts.size(), 3u);
  EXPECT_EQ(conflicts[2].field, ".spec.template.spec.containers[name=\"nginx\"].image");
  EXPECT_EQ(conflicts[2].message, "conflict with \"kubectl-patch\" using apps/v1");
}

TEST(FieldManagerApplyTest, ClientSideApplyUpgradesToServerSideApply) {
  // kubectl apply -f web.yaml (client-side): POST with the annotation.
  json csa = WebConfig(2, "nginx:1.25");
  csa["metadata"]["annotations"][kLastAppliedAnnotation] =
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"labels":{"app":"web"},"name":"web","namespace":"default"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.25","name":"nginx","ports":[{"containerPort":80}]}]}}}})"
      "\n";
  json live = MustUpdate(nullptr, Stored(csa), "kubectl-client-side-apply", kT1);
  EXPECT_EQ(FieldsOf(live, "kubectl-client-side-apply", "Update")["f:spec"]["f:replicas"], json::object());

  // kubectl edit: replicas 2 -> 5.
  json edited = live;
  edited["spec"]["replicas"] = 5;
  edited = MustUpdate(&live, edited, "kubectl-edit", kT2);

  // kubectl apply --server-side with a new image: the image conflict with
  // the client-side applier is waived (unchanged since), replicas is not.
  std::vector<Conflict> conflicts;
  auto r = Apply(&edited, WebConfig(2, "nginx:1.26"), "kubectl", false, kT3, Deployments(), &conflicts);
  ASSERT_EQ(r.status().code(), StatusCode::kConflict);
  EXPECT_EQ(r.status().message(),
            "Apply failed with 1 conflict: conflict with \"kubectl-edit\" using apps/v1: .spec.replicas");

  // The same through another manager gets no waiver.
  EXPECT_EQ(Apply(&edited, WebConfig(5, "nginx:1.26"), "other", false, kT3, Deployments(), &conflicts)
                .status()
                .code(),
            StatusCode::kConflict);
  ASSERT_EQ(conflicts.size(), 1u);
  EXPECT_EQ(conflicts[0].manager, "kubectl-client-side-apply");

  json out = MustApply(&edited, WebConfig(5, "nginx:1.26"), "kubectl", kT3);
  EXPECT_EQ(out["spec"]["template"]["spec"]["containers"][0]["image"], "nginx:1.26");
  EXPECT_FALSE(FieldsOf(out, "kubectl-client-side-apply", "Update")["f:spec"]["f:template"]["f:spec"]["f:containers"]
                   ["k:{\"name\":\"nginx\"}"]
                       .contains("f:image"));
  // The annotation now holds the server-side configuration, as Go prints it.
  EXPECT_EQ(out["metadata"]["annotations"][kLastAppliedAnnotation],
            R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"web"},"name":"web","namespace":"default"},"spec":{"replicas":5,"selector":{"matchLabels":{"app":"web"}},"template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[{"image":"nginx:1.26","name":"nginx","ports":[{"containerPort":80}]}]}}}})"
            "\n");
}

TEST(FieldManagerApplyTest, ConfigMapDataKeysFollowTheirOwners) {
  Scope cms = MainScope("", "ConfigMap");
  cms.reset_fields.clear();
  json config = J(R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg", "namespace": "default"},
                      "data": {"a": "1", "b": "2"}})");
  json live = MustApply(nullptr, config, "kubectl", kT1, false, cms);
  EXPECT_EQ(FieldsOf(live, "kubectl", "Apply"), J(R"({"f:data": {"f:a": {}, "f:b": {}}})"));

  // kubectl patch adds c and changes b.
  json patched = live;
  patched["data"]["c"] = "3";
  patched["data"]["b"] = "20";
  patched = MustUpdate(&live, patched, "kubectl-patch", kT2, cms);
  EXPECT_EQ(FieldsOf(patched, "kubectl-patch", "Update"), J(R"({"f:data": {"f:b": {}, "f:c": {}}})"));
  EXPECT_EQ(FieldsOf(patched, "kubectl", "Apply"), J(R"({"f:data": {"f:a": {}}})"));

  // Re-applying without a and b: a goes (only the applier had it), b stays
  // (kubectl-patch owns it), c was never the applier's.
  json config2 = J(R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}, "data": {"d": "4"}})");
  json out = MustApply(&patched, config2, "kubectl", kT3, false, cms);
  EXPECT_EQ(out["data"], J(R"({"b": "20", "c": "3", "d": "4"})"));
  EXPECT_EQ(FieldsOf(out, "kubectl", "Apply"), J(R"({"f:data": {"f:d": {}}})"));

  // Applying nothing at all removes what only the applier owned and drops
  // its entry.
  json config3 = J(R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cfg"}})");
  json out3 = MustApply(&out, config3, "kubectl", kT4, false, cms);
  EXPECT_EQ(out3["data"], J(R"({"b": "20", "c": "3"})"));
  EXPECT_TRUE(EntryOf(out3, "kubectl", "Apply").is_null());
}

TEST(FieldManagerApplyTest, ServicePortsAreKeyedByPortAndDefaultedProtocol) {
  Scope svc = MainScope("", "Service");
  json config = J(R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                      "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}})");
  json live = MustApply(nullptr, config, "kubectl", kT1, false, svc);
  EXPECT_EQ(FieldsOf(live, "kubectl", "Apply"), J(R"({"f:spec": {
      "f:ports": {"k:{\"port\":80,\"protocol\":\"TCP\"}": {".": {}, "f:port": {}, "f:targetPort": {}}},
      "f:selector": {}}})"));

  // The stored, defaulted port merges with an applied one lacking protocol.
  live["spec"]["ports"][0]["protocol"] = "TCP";
  live["spec"]["ports"][0]["name"] = "http";
  json config2 = config;
  config2["spec"]["ports"][0]["targetPort"] = 9090;
  config2["spec"]["ports"].push_back(J(R"({"port": 443, "protocol": "TCP"})"));
  json out = MustApply(&live, config2, "kubectl", kT2, false, svc);
  EXPECT_EQ(out["spec"]["ports"], J(R"([{"name": "http", "port": 80, "protocol": "TCP", "targetPort": 9090},
                                        {"port": 443, "protocol": "TCP"}])"));
  // The selector is an atomic map: applied whole.
  json config3 = config;
  config3["spec"]["selector"] = J(R"({"app": "web", "tier": "fe"})");
  json out3 = MustApply(&live, config3, "kubectl", kT2, false, svc);
  EXPECT_EQ(out3["spec"]["selector"], J(R"({"app": "web", "tier": "fe"})"));
}

TEST(FieldManagerApplyTest, ListOrderFollowsUpstreamMerge) {
  json live = Stored(MustApply(nullptr, WebConfig(1, "a"), "kubectl", kT1));
  auto& cs = live["spec"]["template"]["spec"]["containers"];
  cs = J(R"([{"name": "a", "image": "a"}, {"name": "b", "image": "b"}, {"name": "c", "image": "c"}])");
  json config = J(R"({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
      "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "c2"}, {"name": "a", "image": "a2"},
                                                    {"name": "d", "image": "d"}]}}}})");
  json out = MustApply(&live, config, "other", kT2, /*force=*/true);
  std::vector<std::string> names;
  for (const auto& c : out["spec"]["template"]["spec"]["containers"]) names.push_back(c["name"]);
  EXPECT_EQ(names, (std::vector<std::string>{"b", "c", "a", "d"}));
  EXPECT_EQ(out["spec"]["template"]["spec"]["containers"][1]["image"], "c2");
}

TEST(FieldManagerApplyTest, MetadataListsAreTrackedAsSetAndByUid) {
  Scope cms = MainScope("", "ConfigMap");
  json config = J(R"({"apiVersion": "v1", "kind": "ConfigMap",
      "metadata": {"name": "cfg", "finalizers": ["example.com/a"], "annotations": {"note": "x"},
                   "ownerReferences": [{"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u1"}]}})");
  json live = MustApply(nullptr, config, "kubectl", kT1, false, cms);
  EXPECT_EQ(FieldsOf(live, "kubectl", "Apply"), J(R"({"f:metadata": {
      "f:annotations": {"f:note": {}},
      "f:finalizers": {"v:\"example.com/a\"": {}},
      "f:ownerReferences": {"k:{\"uid\":\"u1\"}": {}}}})"));

  json more = live;
  more["metadata"]["finalizers"].push_back("example.com/b");
  more = MustUpdate(&live, more, "controller", kT2, cms);
  EXPECT_EQ(FieldsOf(more, "controller", "Update"),
            J(R"({"f:metadata": {"f:finalizers": {"v:\"example.com/b\"": {}}}})"));

  // The applier drops its finalizer: only that one goes; sets merge in order.
  json config2 = config;
  config2["metadata"]["finalizers"] = J(R"(["example.com/c"])");
  json out = MustApply(&more, config2, "kubectl", kT3, false, cms);
  EXPECT_EQ(out["metadata"]["finalizers"], J(R"(["example.com/b", "example.com/c"])"));
}

TEST(FieldManagerApplyTest, StatusIsNotOwnedThroughTheMainResource) {
  json config = WebConfig(1, "nginx");
  config["status"] = J(R"({"replicas": 7})");
  json out = MustApply(nullptr, config, "kubectl", kT1);
  EXPECT_FALSE(FieldsOf(out, "kubectl", "Apply").contains("f:status"));
}

TEST(FieldManagerApplyTest, NullRemovesALeafAndKeepsOwnership) {
  json live = Stored(MustApply(nullptr, WebConfig(2, "nginx"), "kubectl", kT1));
  json config = WebConfig(2, "nginx");
  config["spec"]["replicas"] = nullptr;
  config["spec"]["template"]["spec"]["nodeSelector"] = nullptr;
  json out = MustApply(&live, config, "kubectl", kT2);
  EXPECT_FALSE(out["spec"].contains("replicas"));
  EXPECT_FALSE(out["spec"]["template"]["spec"].contains("nodeSelector"));
  EXPECT_TRUE(FieldsOf(out, "kubectl", "Apply")["f:spec"].contains("f:replicas"));
}

TEST(FieldManagerApplyTest, StoppingToApplyAStructRemovesItWithWhatNobodyOwnsInside) {
  json config = WebConfig(2, "nginx");
  config["spec"]["strategy"] = J(R"({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1}})");
  json live = Stored(MustApply(nullptr, config, "kubectl", kT1));
  live["spec"]["strategy"]["rollingUpdate"] = J(R"({"maxSurge": 1, "maxUnavailable": "25%"})");  // defaulted

  json out = MustApply(&live, WebConfig(2, "nginx"), "kubectl", kT2);
  EXPECT_FALSE(out["spec"].contains("strategy"));  // the caller's defaulting brings it back

  // Someone else owning a field inside keeps the struct, minus the rest the
  // applier had.
  json other = live;
  other["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] = 2;
  other = MustUpdate(&live, other, "tuner", kT2);
  json out2 = MustApply(&other, WebConfig(2, "nginx"), "kubectl", kT3);
  EXPECT_EQ(out2["spec"]["strategy"], J(R"({"rollingUpdate": {"maxUnavailable": 2}})"));
}

TEST(FieldManagerApplyTest, LiveDuplicatesDoNotBlockApplies) {
  json live = Stored(MustApply(nullptr, WebConfig(2, "nginx"), "kubectl", kT1));
  live["spec"]["template"]["spec"]["containers"][0]["env"] =
      J(R"([{"name": "A", "value": "1"}, {"name": "A", "value": "2"}, {"name": "B", "value": "3"}])");
  json config = WebConfig(2, "nginx");
  config["spec"]["template"]["spec"]["containers"][0]["env"] = J(R"([{"name": "C", "value": "4"}])");
  json out = MustApply(&live, config, "kubectl", kT2);
  EXPECT_EQ(out["spec"]["template"]["spec"]["containers"][0]["env"],
            J(R"([{"name": "A", "value": "1"}, {"name": "A", "value": "2"}, {"name": "B", "value": "3"},
                  {"name": "C", "value": "4"}])"));
}

TEST(FieldManagerApplyTest, RejectsBadRequests) {
  std::vector<Conflict> conflicts;
  auto code = [&](const json& body, const char* manager = "kubectl") {
    auto r = Apply(nullptr, body, manager, false, kT1, Deployments(), &conflicts);
    return r.ok() ? std::string("OK") : r.status().ToString();
  };
  json cm = J(R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web"}})");
  EXPECT_EQ(code(cm), "BadRequest: invalid object type: /v1, Kind=ConfigMap");
  json missing = J(R"({"metadata": {"name": "web"}})");
  EXPECT_EQ(code(missing), "BadRequest: invalid object type: /, Kind=");
  json with_mf = WebConfig(1, "x");
  with_mf["metadata"]["managedFields"] = json::array();
  EXPECT_EQ(code(with_mf), "BadRequest: metadata.managedFields must be nil");
  EXPECT_EQ(code(WebConfig(1, "x"), ""),
            "Invalid: PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply "
            "patch");

  json unknown = WebConfig(1, "x");
  unknown["spec"]["foo"] = 1;
  EXPECT_EQ(code(unknown),
            "InternalError: failed to create typed patch object (default/web; apps/v1, Kind=Deployment): "
            ".spec.foo: field not declared in schema");

  json dups = WebConfig(1, "x");
  auto& c0 = dups["spec"]["template"]["spec"]["containers"][0];
  c0["env"] = J(R"([{"name": "FOO", "value": "1"}, {"name": "FOO", "value": "2"}])");
  c0["ports"].push_back(J(R"({"containerPort": 80, "protocol": "TCP"})"));
  EXPECT_EQ(code(dups),
            "InternalError: failed to create typed patch object (default/web; apps/v1, Kind=Deployment): errors:\n"
            "  .spec.template.spec.containers[name=\"nginx\"].env: duplicate entries for key [name=\"FOO\"]\n"
            "  .spec.template.spec.containers[name=\"nginx\"].ports: duplicate entries for key "
            "[containerPort=80,protocol=\"TCP\"]");

  json nokey = WebConfig(1, "x");
  nokey["spec"]["template"]["spec"]["containers"].push_back(J(R"({"image": "y"})"));
  EXPECT_EQ(code(nokey),
            "InternalError: failed to create typed patch object (default/web; apps/v1, Kind=Deployment): "
            ".spec.template.spec.containers: element 1: associative list with keys has an element that omits key "
            "field \"name\" (and doesn't have default value)");

  json typed = WebConfig(1, "x");
  typed["spec"]["replicas"] = "two";
  EXPECT_NE(code(typed).find(".spec.replicas: expected numeric (int or float), got string"), std::string::npos);
  json atomic_inside = WebConfig(1, "x");
  atomic_inside["spec"]["selector"]["bogus"] = true;  // atomic values are checked too
  EXPECT_NE(code(atomic_inside).find(".spec.selector.bogus: field not declared in schema"), std::string::npos);
  json quantity = WebConfig(1, "x");
  quantity["spec"]["template"]["spec"]["containers"][0]["resources"] = J(R"({"limits": {"cpu": 1}})");
  EXPECT_EQ(code(quantity), "OK");

  json live = Stored(WebConfig(1, "x"));
  live["metadata"]["managedFields"] = J(R"([{"manager": "m", "operation": "Destroy", "apiVersion": "v1",
                                             "fieldsType": "FieldsV1"}])");
  auto r = Apply(&live, WebConfig(1, "x"), "kubectl", false, kT1, Deployments(), &conflicts);
  EXPECT_EQ(r.status().ToString(),
            "InternalError: failed to decode managed fields: operation must be `Apply` or `Update`");
}

// --------------------------------------------------------------- update

TEST(FieldManagerUpdateTest, CreateRecordsEveryFieldAsUpstreamDoes) {
  json obj = Stored(WebConfig(2, "nginx:1.25"));
  obj["metadata"]["annotations"][kLastAppliedAnnotation] = "{}\n";
  obj = MustUpdate(nullptr, obj, "kubectl-client-side-apply", kT1);
  ASSERT_EQ(obj["metadata"]["managedFields"].size(), 1u);
  json e = obj["metadata"]["managedFields"][0];
  EXPECT_EQ(e["manager"], "kubectl-client-side-apply");
  EXPECT_EQ(e["operation"], "Update");
  EXPECT_EQ(e["apiVersion"], "apps/v1");
  EXPECT_EQ(e["time"], kT1);
  EXPECT_EQ(e["fieldsType"], "FieldsV1");
  // Byte for byte what kube-apiserver records for this create.
  EXPECT_EQ(e["fieldsV1"], J(testdata::kClientSideApplyDeploymentFields));
}

TEST(FieldManagerUpdateTest, ChangesMoveOwnershipAndMergeTheManagersEntry) {
  json live = MustUpdate(nullptr, Stored(WebConfig(2, "nginx")), "kubectl-create", kT1);
  json edited = live;
  edited["spec"]["replicas"] = 3;
  edited = MustUpdate(&live, edited, "kubectl-edit", kT2);
  EXPECT_EQ(FieldsOf(edited, "kubectl-edit", "Update"), J(R"({"f:spec": {"f:replicas": {}}})"));
  EXPECT_FALSE(FieldsOf(edited, "kubectl-create", "Update")["f:spec"].contains("f:replicas"));
  EXPECT_EQ(EntryOf(edited, "kubectl-create", "Update")["time"], kT1);

  // The same manager again: one entry, fields merged, time moved.
  json again = edited;
  again["metadata"]["labels"]["tier"] = "x";
  again = MustUpdate(&edited, again, "kubectl-edit", kT3);
  EXPECT_EQ(FieldsOf(again, "kubectl-edit", "Update"),
            J(R"({"f:metadata": {"f:labels": {"f:tier": {}}}, "f:spec": {"f:replicas": {}}})"));
  EXPECT_EQ(EntryOf(again, "kubectl-edit", "Update")["time"], kT3);
  EXPECT_EQ(again["metadata"]["managedFields"].size(), 2u);

  // A write that changes nothing records nothing.
  json same = MustUpdate(&again, again, "someone", kT4);
  EXPECT_EQ(same["metadata"]["managedFields"], again["metadata"]["managedFields"]);

  // Removing a field takes it from its owner.
  json removed = again;
  removed["metadata"]["labels"].erase("tier");
  removed = MustUpdate(&again, removed, "kubectl-label", kT4);
  EXPECT_EQ(FieldsOf(removed, "kubectl-edit", "Update"), J(R"({"f:spec": {"f:replicas": {}}})"));
  EXPECT_TRUE(EntryOf(removed, "kubectl-label", "Update").is_null());
}

TEST(FieldManagerUpdateTest, UpdatesTakeFieldsFromAppliersToo) {
  json live = Stored(MustApply(nullptr, WebConfig(2, "nginx"), "kubectl", kT1));
  json patched = live;
  patched["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2";
  patched = MustUpdate(&live, patched, "kubectl-set", kT2);
  json cfields = FieldsOf(patched, "kubectl", "Apply")["f:spec"]["f:template"]["f:spec"]["f:containers"];
  EXPECT_FALSE(cfields["k:{\"name\":\"nginx\"}"].contains("f:image"));
  EXPECT_EQ(FieldsOf(patched, "kubectl-set", "Update"),
            J(R"({"f:spec": {"f:template": {"f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {"f:image": {}}}}}}})"));
}

TEST(FieldManagerUpdateTest, EntriesAreSortedApplyFirstThenByTime) {
  json live = MustUpdate(nullptr, Stored(WebConfig(2, "nginx")), "zeta", kT2);
  json a = live;
  a["metadata"]["labels"]["x"] = "1";
  a = MustUpdate(&live, a, "alpha", kT3);
  json b = MustApply(&a, J(R"({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web",
                                "labels": {"y": "2"}}})"),
                     "applier", kT4);
  std::vector<std::string> order;
  for (const auto& e : b["metadata"]["managedFields"]) order.push_back(e["manager"]);
  EXPECT_EQ(order, (std::vector<std::string>{"applier", "zeta", "alpha"}));
}

TEST(FieldManagerUpdateTest, RequestManagedFieldsReplaceOrResetTheLiveOnes) {
  json live = MustUpdate(nullptr, Stored(WebConfig(2, "nginx")), "creator", kT1);

  json reset = live;
  reset["metadata"]["managedFields"] = json::array();
  reset = MustUpdate(&live, reset, "kubectl-edit", kT2);
  EXPECT_FALSE(reset["metadata"].contains("managedFields"));
  json reset2 = live;
  reset2["metadata"]["managedFields"] = J("[{}]");
  reset2 = MustUpdate(&live, reset2, "kubectl-edit", kT2);
  EXPECT_FALSE(reset2["metadata"].contains("managedFields"));

  json own = live;
  own["metadata"]["managedFields"] = J(R"([{"manager": "mine", "operation": "Update", "apiVersion": "apps/v1",
      "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}}}])");
  own["spec"]["replicas"] = 4;
  own = MustUpdate(&live, own, "kubectl-edit", kT2);
  ASSERT_EQ(own["metadata"]["managedFields"].size(), 1u);
  EXPECT_EQ(own["metadata"]["managedFields"][0]["manager"], "kubectl-edit");

  // Undecodable ones are ignored in favour of the live entries; through a
  // subresource the request's entries never count.
  json junk = live;
  junk["metadata"]["managedFields"] = J(R"([{"manager": "x", "operation": "Nope"}])");
  junk = MustUpdate(&live, junk, "kubectl-edit", kT2);
  EXPECT_EQ(junk["metadata"]["managedFields"], live["metadata"]["managedFields"]);
  Scope status = Deployments();
  status.subresource = "status";
  status.reset_fields = {"spec", "metadata.labels"};
  json st = live;
  st["metadata"]["managedFields"] = json::array();
  st["status"] = J(R"({"replicas": 2, "readyReplicas": 2})");
  st = MustUpdate(&live, st, "kube-controller-manager", kT2, status);
  EXPECT_FALSE(EntryOf(st, "creator", "Update").is_null());
  EXPECT_EQ(EntryOf(st, "kube-controller-manager", "Update", "status"),
            J(R"({"manager": "kube-controller-manager", "operation": "Update", "apiVersion": "apps/v1",
                  "time": "2024-05-01T10:05:00Z", "fieldsType": "FieldsV1",
                  "fieldsV1": {"f:status": {"f:readyReplicas": {}, "f:replicas": {}}}, "subresource": "status"})"));
}

TEST(FieldManagerUpdateTest, PodStatusConditionsShowZeroTimes) {
  Scope pods = MainScope("", "Pod");
  pods.subresource = "status";
  pods.reset_fields = {"spec"};
  json pod = J(R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "default"},
                   "spec": {"containers": [{"name": "c", "image": "x"}]}, "status": {"phase": "Pending"}})");
  json updated = pod;
  updated["status"] = J(R"({"phase": "Running", "conditions": [{"type": "Ready", "status": "True",
                             "lastTransitionTime": "2024-05-01T10:00:00Z"}]})");
  updated = MustUpdate(&pod, updated, "kubelet", kT2, pods);
  EXPECT_EQ(FieldsOf(updated, "kubelet", "Update", "status"), J(R"({"f:status": {
      "f:conditions": {".": {}, "k:{\"type\":\"Ready\"}": {".": {}, "f:lastProbeTime": {}, "f:lastTransitionTime": {},
                                                            "f:status": {}, "f:type": {}}},
      "f:phase": {}}})"));
}

TEST(FieldManagerUpdateTest, MoreThanTenUpdateManagersFoldIntoAncientChanges) {
  json obj = MustUpdate(nullptr, Stored(WebConfig(2, "nginx")), "m00", "2024-05-01T10:00:00Z");
  for (int i = 1; i <= 10; ++i) {
    json next = obj;
    next["metadata"]["labels"]["l" + std::to_string(i)] = "v";
    char now[32], name[8];
    std::snprintf(now, sizeof(now), "2024-05-01T10:%02d:00Z", i);
    std::snprintf(name, sizeof(name), "m%02d", i);
    obj = MustUpdate(&obj, next, name, now);
  }
  const json& mf = obj["metadata"]["managedFields"];
  ASSERT_EQ(mf.size(), 10u);
  json ancient = EntryOf(obj, "ancient-changes", "Update");
  ASSERT_FALSE(ancient.is_null());
  EXPECT_EQ(ancient["time"], "2024-05-01T10:01:00Z");  // the newer of the two folded
  EXPECT_TRUE(ancient["fieldsV1"]["f:spec"].contains("f:replicas"));         // from m00
  EXPECT_TRUE(ancient["fieldsV1"]["f:metadata"]["f:labels"].contains("f:l1"));  // from m01
  EXPECT_TRUE(EntryOf(obj, "m00", "Update").is_null());
  EXPECT_TRUE(EntryOf(obj, "m01", "Update").is_null());
}

TEST(FieldManagerUpdateTest, RejectsOnlyProgrammingErrors) {
  json notobj = json::array();
  EXPECT_EQ(UpdateManagedFields(nullptr, notobj, "m", kT1, Deployments()).code(), StatusCode::kInternal);
  json obj = WebConfig(1, "x");
  EXPECT_EQ(UpdateManagedFields(nullptr, obj, "m", kT1, Scope{}).code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace kubepp::apiserver::fieldmanager
