// Defaulting and create/update preparation, compared with what an upstream
// 1.33 API server returns for the same input.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "apiserver/strategy/strategy.h"

namespace kubepp::apiserver::strategy {
namespace {

using nlohmann::json;

json Created(std::string_view group, std::string_view kind, json obj) {
  PrepareForCreate(group, kind, obj);
  ApplyDefaults(group, kind, obj);
  return obj;
}

TEST(DefaultsTest, DeploymentMatchesUpstream) {
  json d = R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {"selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}}})"_json;
  json want = R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default"},
    "spec": {
      "progressDeadlineSeconds": 600, "replicas": 1, "revisionHistoryLimit": 10,
      "selector": {"matchLabels": {"app": "web"}},
      "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
      "template": {
        "metadata": {"creationTimestamp": null, "labels": {"app": "web"}},
        "spec": {
          "containers": [{"image": "nginx", "imagePullPolicy": "Always", "name": "nginx", "resources": {},
                          "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
          "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
          "securityContext": {}, "terminationGracePeriodSeconds": 30}}},
    "status": {}})"_json;
  EXPECT_EQ(Created("apps", "Deployment", d), want);
}

TEST(DefaultsTest, PodMatchesUpstreamExceptAdmission) {
  // `kubectl run nginx --image=nginx`; the ServiceAccount and
  // DefaultTolerationSeconds admission plugins add more upstream.
  json p = R"({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "nginx", "namespace": "default", "labels": {"run": "nginx"}},
    "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}})"_json;
  json want = R"({"apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "nginx", "namespace": "default", "labels": {"run": "nginx"}},
    "spec": {
      "containers": [{"image": "nginx", "imagePullPolicy": "Always", "name": "nginx", "resources": {},
                      "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
      "dnsPolicy": "ClusterFirst", "enableServiceLinks": true, "preemptionPolicy": "PreemptLowerPriority",
      "priority": 0, "restartPolicy": "Always", "schedulerName": "default-scheduler", "securityContext": {},
      "terminationGracePeriodSeconds": 30},
    "status": {"phase": "Pending", "qosClass": "BestEffort"}})"_json;
  EXPECT_EQ(Created("", "Pod", p), want);
}

TEST(DefaultsTest, PodRequestsDefaultToLimitsAndQuantitiesCanonicalize) {
  json p = R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "d"},
    "spec": {"containers": [{"name": "c", "image": "busybox:1.36",
      "resources": {"limits": {"cpu": "1000m", "memory": "0.5Gi"}, "requests": {"cpu": 0.5}}}]}})"_json;
  json out = Created("", "Pod", p);
  const json& res = out["spec"]["containers"][0]["resources"];
  EXPECT_EQ(res["limits"], R"({"cpu": "1", "memory": "512Mi"})"_json);
  EXPECT_EQ(res["requests"], R"({"cpu": "500m", "memory": "512Mi"})"_json);
  EXPECT_EQ(out["spec"]["containers"][0]["imagePullPolicy"], "IfNotPresent");
  EXPECT_EQ(out["status"]["qosClass"], "Burstable");
}

TEST(DefaultsTest, PodTemplatesDoNotGetPodOnlyDefaults) {
  json d = R"({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
    "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"cpu": "1"}}}]}}}})"_json;
  ApplyDefaults("apps", "Deployment", d);
  const json& spec = d["spec"]["template"]["spec"];
  EXPECT_FALSE(spec.contains("enableServiceLinks"));
  EXPECT_FALSE(spec.contains("priority"));
  EXPECT_FALSE(spec["containers"][0]["resources"].contains("requests"));
}

TEST(DefaultsTest, ImagePullPolicy) {
  struct Case {
    const char* image;
    const char* want;
  };
  for (const Case& c : std::initializer_list<Case>{
           {"nginx", "Always"},
           {"nginx:latest", "Always"},
           {"nginx:1.25", "IfNotPresent"},
           {"docker.io/library/nginx", "Always"},
           {"localhost:5000/app", "Always"},
           {"registry.local:5000/team/app:v1", "IfNotPresent"},
           {"nginx@sha256:0000000000000000000000000000000000000000000000000000000000000000", "IfNotPresent"},
           {"nginx:1.25@sha256:0000000000000000000000000000000000000000000000000000000000000000",
            "IfNotPresent"},
           {"Nginx", "IfNotPresent"},  // unparsable reference
           {"", "IfNotPresent"},
       }) {
    json p = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"spec", {{"containers", {{{"name", "c"}, {"image", c.image}}}}}}};
    ApplyDefaults("", "Pod", p);
    EXPECT_EQ(p["spec"]["containers"][0]["imagePullPolicy"], c.want) << c.image;
  }
}

TEST(DefaultsTest, ProbesPortsVolumesAndEnv) {
  json p = R"({"apiVersion": "v1", "kind": "Pod", "spec": {
    "containers": [{"name": "c", "image": "i:1",
      "ports": [{"containerPort": 80}],
      "livenessProbe": {"httpGet": {"port": 80}},
      "readinessProbe": {"tcpSocket": {"port": 80}, "periodSeconds": 5},
      "env": [{"name": "N", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
              {"name": "L", "valueFrom": {"resourceFieldRef": {"resource": "limits.cpu"}}}]}],
    "volumes": [{"name": "a"}, {"name": "s", "secret": {"secretName": "x"}}, {"name": "h", "hostPath": {"path": "/tmp"}},
                {"name": "p", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}]}})"_json;
  ApplyDefaults("", "Pod", p);
  const json& c = p["spec"]["containers"][0];
  EXPECT_EQ(c["ports"][0]["protocol"], "TCP");
  EXPECT_EQ(c["livenessProbe"],
            R"({"httpGet": {"path": "/", "port": 80, "scheme": "HTTP"}, "timeoutSeconds": 1,
    "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3})"_json);
  EXPECT_EQ(c["readinessProbe"]["periodSeconds"], 5);
  EXPECT_EQ(c["env"][0]["valueFrom"]["fieldRef"]["apiVersion"], "v1");
  EXPECT_EQ(c["env"][1]["valueFrom"]["resourceFieldRef"]["divisor"], "0");
  const json& v = p["spec"]["volumes"];
  EXPECT_EQ(v[0]["emptyDir"], json::object());
  EXPECT_EQ(v[1]["secret"]["defaultMode"], 420);
  EXPECT_EQ(v[2]["hostPath"]["type"], "");
  EXPECT_EQ(v[3]["projected"]["defaultMode"], 420);
  EXPECT_EQ(v[3]["projected"]["sources"][0]["serviceAccountToken"]["expirationSeconds"], 3600);
}

TEST(DefaultsTest, PodHostNetworkPortsAndServiceAccountTwin) {
  json p = R"({"apiVersion": "v1", "kind": "Pod", "spec": {"hostNetwork": true, "serviceAccountName": "sa",
    "containers": [{"name": "c", "image": "i", "ports": [{"containerPort": 8080}]}]}})"_json;
  ApplyDefaults("", "Pod", p);
  EXPECT_EQ(p["spec"]["containers"][0]["ports"][0]["hostPort"], 8080);
  EXPECT_EQ(p["spec"]["serviceAccount"], "sa");
}

TEST(DefaultsTest, QOSClass) {
  struct Case {
    const char* resources;
    const char* want;
  };
  for (const Case& c : std::initializer_list<Case>{
           {R"({})", "BestEffort"},
           {R"({"limits": {"cpu": "1", "memory": "1Gi"}})", "Guaranteed"},
           {R"({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "1000m", "memory": "1Gi"}})",
            "Guaranteed"},
           {R"({"limits": {"cpu": "1", "memory": "1Gi"}, "requests": {"cpu": "500m"}})", "Burstable"},
           {R"({"limits": {"cpu": "1"}})", "Burstable"},
           {R"({"requests": {"memory": "10Mi"}})", "Burstable"},
           {R"({"requests": {"example.com/gpu": "1"}, "limits": {"example.com/gpu": "1"}})", "BestEffort"},
       }) {
    json p = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"spec",
               {{"containers", {{{"name", "c"}, {"image", "i"}, {"resources", json::parse(c.resources)}}}}}}};
    EXPECT_EQ(Created("", "Pod", p)["status"]["qosClass"], c.want) << c.resources;
  }
}

TEST(DefaultsTest, SchedulingGatedPodGetsCondition) {
  json p = R"({"apiVersion": "v1", "kind": "Pod", "spec": {"schedulingGates": [{"name": "g"}],
    "containers": [{"name": "c", "image": "i"}]}})"_json;
  json out = Created("", "Pod", p);
  ASSERT_EQ(out["status"]["conditions"].size(), 1u);
  EXPECT_EQ(out["status"]["conditions"][0]["reason"], "SchedulingGated");
}

TEST(DefaultsTest, ServiceClusterIP) {
  // `kubectl create service clusterip x --tcp=80:8080`
  json s = R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x", "namespace": "default"},
    "spec": {"ports": [{"name": "80-8080", "port": 80, "targetPort": 8080}], "selector": {"app": "x"}, "type": "ClusterIP"}})"_json;
  json want = R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "x", "namespace": "default"},
    "spec": {"internalTrafficPolicy": "Cluster", "ipFamilies": ["IPv4"], "ipFamilyPolicy": "SingleStack",
             "ports": [{"name": "80-8080", "port": 80, "protocol": "TCP", "targetPort": 8080}],
             "selector": {"app": "x"}, "sessionAffinity": "None", "type": "ClusterIP"},
    "status": {"loadBalancer": {}}})"_json;
  EXPECT_EQ(Created("", "Service", s), want);
}

TEST(DefaultsTest, ServiceTypesAndTargetPort) {
  json lb =
      R"({"apiVersion": "v1", "kind": "Service", "spec": {"type": "LoadBalancer", "ports": [{"port": 443}],
    "sessionAffinity": "ClientIP"}})"_json;
  ApplyDefaults("", "Service", lb);
  EXPECT_EQ(lb["spec"]["externalTrafficPolicy"], "Cluster");
  EXPECT_EQ(lb["spec"]["allocateLoadBalancerNodePorts"], true);
  EXPECT_EQ(lb["spec"]["ports"][0]["targetPort"], 443);
  EXPECT_EQ(lb["spec"]["sessionAffinityConfig"]["clientIP"]["timeoutSeconds"], 10800);

  json headless = R"({"apiVersion": "v1", "kind": "Service", "spec": {"clusterIP": "None"}})"_json;
  ApplyDefaults("", "Service", headless);
  EXPECT_EQ(headless["spec"]["clusterIPs"], json::array({"None"}));
  EXPECT_EQ(headless["spec"]["ipFamilyPolicy"], "RequireDualStack");

  json ext =
      R"({"apiVersion": "v1", "kind": "Service", "spec": {"type": "ExternalName", "externalName": "a.b"}})"_json;
  ApplyDefaults("", "Service", ext);
  EXPECT_FALSE(ext["spec"].contains("ipFamilies"));
  EXPECT_FALSE(ext["spec"].contains("internalTrafficPolicy"));
}

TEST(DefaultsTest, ServiceUpdateKeepsAllocatedValues) {
  json old = R"({"spec": {"type": "NodePort", "clusterIP": "10.43.0.10", "clusterIPs": ["10.43.0.10"],
    "ports": [{"name": "http", "port": 80, "nodePort": 30080}]}})"_json;
  json upd =
      R"({"apiVersion": "v1", "kind": "Service", "spec": {"type": "NodePort", "ports": [{"name": "http", "port": 80}]}})"_json;
  PrepareForUpdate("", "Service", upd, old);
  EXPECT_EQ(upd["spec"]["clusterIP"], "10.43.0.10");
  EXPECT_EQ(upd["spec"]["clusterIPs"], json::array({"10.43.0.10"}));
  EXPECT_EQ(upd["spec"]["ports"][0]["nodePort"], 30080);
}

TEST(DefaultsTest, JobCreateGeneratesSelector) {
  // `kubectl create job pi --image=perl`
  json j =
      R"({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi", "namespace": "default", "uid": "u-1"},
    "spec": {"template": {"spec": {"containers": [{"name": "pi", "image": "perl"}], "restartPolicy": "Never"}}}})"_json;
  json out = Created("batch", "Job", j);
  json want_spec = R"({
    "backoffLimit": 6, "completionMode": "NonIndexed", "completions": 1, "manualSelector": false,
    "parallelism": 1, "podReplacementPolicy": "TerminatingOrFailed",
    "selector": {"matchLabels": {"batch.kubernetes.io/controller-uid": "u-1"}}, "suspend": false,
    "template": {
      "metadata": {"creationTimestamp": null, "labels": {
        "batch.kubernetes.io/controller-uid": "u-1", "batch.kubernetes.io/job-name": "pi",
        "controller-uid": "u-1", "job-name": "pi"}},
      "spec": {"containers": [{"image": "perl", "imagePullPolicy": "Always", "name": "pi", "resources": {},
                               "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}],
               "dnsPolicy": "ClusterFirst", "restartPolicy": "Never", "schedulerName": "default-scheduler",
               "securityContext": {}, "terminationGracePeriodSeconds": 30}}})"_json;
  EXPECT_EQ(out["spec"], want_spec);
  // The Job's own labels come from the template's (as a real server shows).
  EXPECT_EQ(out["metadata"]["labels"], want_spec["template"]["metadata"]["labels"]);
  EXPECT_EQ(out["status"], json::object());
  EXPECT_TRUE(ValidateCreate("batch", "Job", out).empty());
}

TEST(DefaultsTest, JobLabelsDoNotDependOnCallOrder) {
  json j = R"({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi", "uid": "u-1"},
    "spec": {"template": {"metadata": {"labels": {"app": "pi"}}, "spec": {"containers": [{"name": "pi", "image": "perl"}],
    "restartPolicy": "Never"}}}})"_json;
  json a = j, b = j;
  PrepareForCreate("batch", "Job", a);
  ApplyDefaults("batch", "Job", a);
  ApplyDefaults("batch", "Job", b);
  PrepareForCreate("batch", "Job", b);
  EXPECT_EQ(a, b);
  EXPECT_EQ(a["metadata"]["labels"]["app"], "pi");
  EXPECT_EQ(a["metadata"]["labels"]["job-name"], "pi");
  // User-set Job labels are kept as they are.
  json c = j;
  c["metadata"]["labels"] = {{"team", "x"}};
  PrepareForCreate("batch", "Job", c);
  ApplyDefaults("batch", "Job", c);
  EXPECT_EQ(c["metadata"]["labels"], R"({"team": "x"})"_json);
}

TEST(DefaultsTest, UnknownKindsAreLeftAlone) {
  json obj =
      R"({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 3}})"_json;
  json copy = obj;
  ApplyDefaults("example.com", "Widget", obj);
  PrepareForCreate("example.com", "Widget", obj);
  EXPECT_EQ(obj, copy);
}

TEST(DefaultsTest, JobManualSelectorIsLeftAlone) {
  json j = R"({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "uid": "u"},
    "spec": {"manualSelector": true, "selector": {"matchLabels": {"a": "b"}},
             "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": []}}}})"_json;
  json out = Created("batch", "Job", j);
  EXPECT_EQ(out["spec"]["selector"], R"({"matchLabels": {"a": "b"}})"_json);
  EXPECT_EQ(out["spec"]["template"]["metadata"]["labels"], R"({"a": "b"})"_json);
}

TEST(DefaultsTest, CronJobTemplateGetsPodDefaultsOnly) {
  json c = R"({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c"},
    "spec": {"schedule": "*/1 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
      "containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "OnFailure"}}}}}})"_json;
  json out = Created("batch", "CronJob", c);
  const json& spec = out["spec"];
  EXPECT_EQ(spec["concurrencyPolicy"], "Allow");
  EXPECT_EQ(spec["suspend"], false);
  EXPECT_EQ(spec["successfulJobsHistoryLimit"], 3);
  EXPECT_EQ(spec["failedJobsHistoryLimit"], 1);
  EXPECT_EQ(spec["jobTemplate"]["metadata"], R"({"creationTimestamp": null})"_json);
  EXPECT_FALSE(spec["jobTemplate"]["spec"].contains("backoffLimit"));
  EXPECT_EQ(spec["jobTemplate"]["spec"]["template"]["spec"]["dnsPolicy"], "ClusterFirst");
}

TEST(DefaultsTest, StatefulSetAndDaemonSet) {
  json ss = R"({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
    "spec": {"serviceName": "s", "selector": {"matchLabels": {"a": "b"}},
      "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}},
      "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}}}}]}})"_json;
  json out = Created("apps", "StatefulSet", ss);
  EXPECT_EQ(out["spec"]["podManagementPolicy"], "OrderedReady");
  EXPECT_EQ(out["spec"]["updateStrategy"],
            R"({"type": "RollingUpdate", "rollingUpdate": {"partition": 0}})"_json);
  EXPECT_EQ(out["spec"]["persistentVolumeClaimRetentionPolicy"],
            R"({"whenDeleted": "Retain", "whenScaled": "Retain"})"_json);
  EXPECT_EQ(out["spec"]["replicas"], 1);
  EXPECT_EQ(out["spec"]["revisionHistoryLimit"], 10);
  EXPECT_EQ(out["spec"]["volumeClaimTemplates"][0]["spec"]["volumeMode"], "Filesystem");
  EXPECT_EQ(out["spec"]["volumeClaimTemplates"][0]["status"], R"({"phase": "Pending"})"_json);
  EXPECT_EQ(out["status"], R"({"replicas": 0, "availableReplicas": 0})"_json);

  json ds = R"({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "d"},
    "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}})"_json;
  ApplyDefaults("apps", "DaemonSet", ds);
  EXPECT_EQ(ds["spec"]["updateStrategy"],
            R"({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}})"_json);
  EXPECT_EQ(ds["spec"]["revisionHistoryLimit"], 10);
}

TEST(DefaultsTest, CoreKinds) {
  json ns = R"({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}})"_json;
  json ns_out = Created("", "Namespace", ns);
  EXPECT_EQ(ns_out["metadata"]["labels"], R"({"kubernetes.io/metadata.name": "team"})"_json);
  EXPECT_EQ(ns_out["spec"], R"({"finalizers": ["kubernetes"]})"_json);
  EXPECT_EQ(ns_out["status"], R"({"phase": "Active"})"_json);

  json secret = R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"},
    "stringData": {"user": "admin"}, "data": {"a": "Yg=="}})"_json;
  ApplyDefaults("", "Secret", secret);
  EXPECT_EQ(secret["type"], "Opaque");
  EXPECT_EQ(secret["data"], R"({"a": "Yg==", "user": "YWRtaW4="})"_json);
  EXPECT_FALSE(secret.contains("stringData"));

  json pvc = R"({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c"},
    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1024Mi"}}}})"_json;
  json pvc_out = Created("", "PersistentVolumeClaim", pvc);
  EXPECT_EQ(pvc_out["spec"]["volumeMode"], "Filesystem");
  EXPECT_EQ(pvc_out["spec"]["resources"]["requests"]["storage"], "1Gi");
  EXPECT_EQ(pvc_out["status"], R"({"phase": "Pending"})"_json);

  json pv = R"({"apiVersion": "v1", "kind": "PersistentVolume",
    "metadata": {"name": "v", "creationTimestamp": "2024-01-01T00:00:00Z"},
    "spec": {"capacity": {"storage": "1Gi"}, "hostPath": {"path": "/data"}}})"_json;
  json pv_out = Created("", "PersistentVolume", pv);
  EXPECT_EQ(pv_out["spec"]["persistentVolumeReclaimPolicy"], "Retain");
  EXPECT_EQ(pv_out["spec"]["volumeMode"], "Filesystem");
  EXPECT_EQ(pv_out["spec"]["hostPath"]["type"], "");
  EXPECT_EQ(pv_out["status"],
            R"({"phase": "Pending", "lastPhaseTransitionTime": "2024-01-01T00:00:00Z"})"_json);

  json node = R"({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n"},
    "status": {"capacity": {"cpu": "2", "memory": "2048Mi"}}})"_json;
  ApplyDefaults("", "Node", node);
  EXPECT_EQ(node["status"]["allocatable"], R"({"cpu": "2", "memory": "2Gi"})"_json);

  json lr = R"({"apiVersion": "v1", "kind": "LimitRange", "spec": {"limits": [{"type": "Container",
    "max": {"cpu": "2"}, "min": {"memory": "10Mi"}, "default": {"memory": "100Mi"}}]}})"_json;
  ApplyDefaults("", "LimitRange", lr);
  EXPECT_EQ(lr["spec"]["limits"][0]["default"], R"({"cpu": "2", "memory": "100Mi"})"_json);
  EXPECT_EQ(lr["spec"]["limits"][0]["defaultRequest"], R"({"cpu": "2", "memory": "100Mi"})"_json);
}

TEST(DefaultsTest, OtherGroups) {
  json sc =
      R"({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "s"}, "provisioner": "x.io/p"})"_json;
  ApplyDefaults("storage.k8s.io", "StorageClass", sc);
  EXPECT_EQ(sc["reclaimPolicy"], "Delete");
  EXPECT_EQ(sc["volumeBindingMode"], "Immediate");

  json np = R"({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "spec": {"podSelector": {},
    "egress": [{"ports": [{"port": 53}]}]}})"_json;
  ApplyDefaults("networking.k8s.io", "NetworkPolicy", np);
  EXPECT_EQ(np["spec"]["policyTypes"], json::array({"Ingress", "Egress"}));
  EXPECT_EQ(np["spec"]["egress"][0]["ports"][0]["protocol"], "TCP");

  json hpa = R"({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "spec": {"maxReplicas": 3,
    "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "d"}, "behavior": {}}})"_json;
  ApplyDefaults("autoscaling", "HorizontalPodAutoscaler", hpa);
  EXPECT_EQ(hpa["spec"]["minReplicas"], 1);
  EXPECT_EQ(hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"], 80);
  EXPECT_EQ(hpa["spec"]["behavior"]["scaleDown"]["stabilizationWindowSeconds"], 300);
  EXPECT_EQ(hpa["spec"]["behavior"]["scaleUp"]["policies"].size(), 2u);

  json hpa1 =
      R"({"apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "spec": {"maxReplicas": 3}})"_json;
  ApplyDefaults("autoscaling", "HorizontalPodAutoscaler", hpa1);
  EXPECT_FALSE(hpa1["spec"].contains("metrics"));

  json rb = R"({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
    "subjects": [{"kind": "User", "name": "u"}, {"kind": "ServiceAccount", "name": "s", "namespace": "n"}]})"_json;
  ApplyDefaults("rbac.authorization.k8s.io", "RoleBinding", rb);
  EXPECT_EQ(rb["subjects"][0]["apiGroup"], "rbac.authorization.k8s.io");
  EXPECT_EQ(rb["subjects"][1]["apiGroup"], "");

  json pc = R"({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "value": 10})"_json;
  ApplyDefaults("scheduling.k8s.io", "PriorityClass", pc);
  EXPECT_EQ(pc["preemptionPolicy"], "PreemptLowerPriority");

  json es = R"({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "ports": [{"port": 80}]})"_json;
  ApplyDefaults("discovery.k8s.io", "EndpointSlice", es);
  EXPECT_EQ(es["ports"][0], R"({"name": "", "port": 80, "protocol": "TCP"})"_json);
}

TEST(DefaultsTest, IdempotentAndRobustToWrongTypes) {
  json d = R"({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
    "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i", "resources": {"limits": {"cpu": "0.25"}}}]}}}})"_json;
  ApplyDefaults("apps", "Deployment", d);
  json once = d;
  ApplyDefaults("apps", "Deployment", d);
  EXPECT_EQ(d, once);
  EXPECT_EQ(d["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"], "250m");

  for (const char* text : {R"({"spec": 5})", R"({"spec": {"template": []}})",
                           R"({"spec": {"template": {"spec": {"containers": 3}}}})", R"([])",
                           R"({"spec": {"template": {"spec": {"containers": [1, null, "x"]}}}})"}) {
    json bad = json::parse(text);
    EXPECT_NO_THROW(ApplyDefaults("apps", "Deployment", bad)) << text;
    EXPECT_NO_THROW(PrepareForCreate("apps", "Deployment", bad)) << text;
    EXPECT_NO_THROW(ValidateCreate("apps", "Deployment", bad)) << text;
    EXPECT_NO_THROW(ValidateCreate("", "Pod", bad)) << text;
    EXPECT_NO_THROW(ValidateUpdate("", "Pod", bad, bad)) << text;
  }
}

}  // namespace
}  // namespace kubepp::apiserver::strategy
