// Validation messages, compared with upstream's (the text kubectl prints).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "apiserver/strategy/strategy.h"

namespace kubepp::apiserver::strategy {
namespace {

using nlohmann::json;

// Defaults + prepare + validate, as the registry does on create; the
// message is upstream's Status message (empty when valid).
std::string CreateMessage(std::string_view group, std::string_view kind, json obj) {
  if (obj.is_object() && obj.contains("metadata") && !obj["metadata"].contains("uid"))
    obj["metadata"]["uid"] = "uid-1";
  PrepareForCreate(group, kind, obj);
  ApplyDefaults(group, kind, obj);
  api::FieldErrors errs = ValidateCreate(group, kind, obj);
  if (errs.empty()) return "";
  return api::InvalidObjectMessage(group, kind, obj["metadata"].value("name", ""), errs);
}

std::string UpdateMessage(std::string_view group, std::string_view kind, json obj, json old) {
  ApplyDefaults(group, kind, old);
  ApplyDefaults(group, kind, obj);
  PrepareForUpdate(group, kind, obj, old);
  api::FieldErrors errs = ValidateUpdate(group, kind, obj, old);
  if (errs.empty()) return "";
  return api::InvalidObjectMessage(group, kind, obj["metadata"].value("name", ""), errs);
}

json Deployment() {
  return R"({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "bad", "namespace": "default"},
    "spec": {"selector": {"matchLabels": {"app": "x"}},
             "template": {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})"_json;
}

json Pod() {
  return R"({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "x", "namespace": "default"},
    "spec": {"containers": [{"name": "c", "image": "nginx"}]}})"_json;
}

json Service() {
  return R"({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc", "namespace": "default"},
    "spec": {"ports": [{"port": 80}], "selector": {"app": "x"}}})"_json;
}

const char kLabelRegexMsg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end "
    "with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

struct Case {
  const char* name;
  std::function<json()> make;
  std::string group, kind;
  std::string want;
};

void PrintTo(const Case& c, std::ostream* os) { *os << c.name; }

class CreateTest : public testing::TestWithParam<Case> {};

TEST_P(CreateTest, Message) {
  const Case& c = GetParam();
  EXPECT_EQ(CreateMessage(c.group, c.kind, c.make()), c.want);
}

json With(json obj, const std::string& pointer, json value) {
  obj[json::json_pointer(pointer)] = std::move(value);
  return obj;
}
json Without(json obj, const std::string& pointer) {
  json::json_pointer p(pointer);
  obj[p.parent_pointer()].erase(p.back());
  return obj;
}

INSTANTIATE_TEST_SUITE_P(
    Upstream, CreateTest,
    testing::Values(
        Case{"ValidDeployment", Deployment, "apps", "Deployment", ""},
        Case{"NegativeReplicas", [] { return With(Deployment(), "/spec/replicas", -1); }, "apps",
             "Deployment",
             "Deployment.apps \"bad\" is invalid: spec.replicas: Invalid value: -1: must be greater than or "
             "equal to 0"},
        Case{"SelectorMismatch", [] { return With(Deployment(), "/spec/selector/matchLabels/app", "y"); },
             "apps", "Deployment",
             "Deployment.apps \"bad\" is invalid: spec.template.metadata.labels: Invalid value: "
             "map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`"},
        Case{"SelectorMissing", [] { return Without(Deployment(), "/spec/selector"); }, "apps", "Deployment",
             "Deployment.apps \"bad\" is invalid: [spec.selector: Required value, "
             "spec.template.metadata.labels: "
             "Invalid value: map[string]string{\"app\":\"x\"}: `selector` does not match template `labels`]"},
        Case{"EmptySelector", [] { return With(Deployment(), "/spec/selector", json::object()); }, "apps",
             "Deployment",
             "Deployment.apps \"bad\" is invalid: spec.selector: Invalid value: "
             "v1.LabelSelector{MatchLabels:map[string]"
             "string(nil), MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid "
             "for deployment"},
        Case{"MaxUnavailableOver100",
             [] {
               return With(Deployment(), "/spec/strategy", {{"rollingUpdate", {{"maxUnavailable", "200%"}}}});
             },
             "apps", "Deployment",
             "Deployment.apps \"bad\" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "
             "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"200%\"}: must not be greater than 100%"},
        Case{"DeploymentRestartPolicy",
             [] { return With(Deployment(), "/spec/template/spec/restartPolicy", "Never"); }, "apps",
             "Deployment",
             "Deployment.apps \"bad\" is invalid: spec.template.spec.restartPolicy: Unsupported value: "
             "\"Never\": "
             "supported values: \"Always\""},
        Case{"ValidPod", Pod, "", "Pod", ""},
        Case{"NoContainers", [] { return With(Pod(), "/spec/containers", json::array()); }, "", "Pod",
             "Pod \"x\" is invalid: spec.containers: Required value"},
        Case{"BadContainerName", [] { return With(Pod(), "/spec/containers/0/name", "Bad_Name"); }, "", "Pod",
             std::string("Pod \"x\" is invalid: spec.containers[0].name: Invalid value: \"Bad_Name\": ") +
                 kLabelRegexMsg},
        Case{"DuplicateContainer",
             [] {
               json p = Pod();
               p["spec"]["containers"].push_back({{"name", "c"}, {"image", "busybox"}});
               return p;
             },
             "", "Pod", "Pod \"x\" is invalid: spec.containers[1].name: Duplicate value: \"c\""},
        Case{"EphemeralPVCNameTooLong",
             [] {
               json p = With(Pod(), "/metadata/name", std::string(250, 'p'));
               p["spec"]["volumes"] = R"([{"name": "data", "ephemeral": {"volumeClaimTemplate": {"spec": {
                   "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}}}])"_json;
               return p;
             },
             "", "Pod",
             "Pod \"" + std::string(250, 'p') +
                 "\" is invalid: spec.volumes[0].name: Invalid value: \"data\": "
                 "PVC name \"" +
                 std::string(250, 'p') + "-data\": must be no more than 253 characters"},
        Case{"MissingImage", [] { return Without(Pod(), "/spec/containers/0/image"); }, "", "Pod",
             "Pod \"x\" is invalid: spec.containers[0].image: Required value"},
        Case{"RequestsOverLimits",
             [] {
               return With(Pod(), "/spec/containers/0/resources",
                           {{"limits", {{"cpu", "1"}}}, {"requests", {{"cpu", "2000m"}}}});
             },
             "", "Pod",
             "Pod \"x\" is invalid: spec.containers[0].resources.requests: Invalid value: \"2\": must be "
             "less than or "
             "equal to cpu limit of 1"},
        Case{"RestartPolicy", [] { return With(Pod(), "/spec/restartPolicy", "Sometimes"); }, "", "Pod",
             "Pod \"x\" is invalid: spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
             "\"Always\", \"OnFailure\", \"Never\""},
        Case{"DNSPolicy", [] { return With(Pod(), "/spec/dnsPolicy", "Bogus"); }, "", "Pod",
             "Pod \"x\" is invalid: spec.dnsPolicy: Unsupported value: \"Bogus\": supported values: "
             "\"ClusterFirstWithHostNet\", \"ClusterFirst\", \"Default\", \"None\""},
        Case{"ContainerPort",
             [] {
               return With(Pod(), "/spec/containers/0/ports", {{{"containerPort", 70000}}});
             },
             "", "Pod",
             "Pod \"x\" is invalid: spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be "
             "between "
             "1 and 65535, inclusive"},
        Case{
            "PortProtocol",
            [] {
              return With(Pod(), "/spec/containers/0/ports", {{{"containerPort", 80}, {"protocol", "HTTP"}}});
            },
            "", "Pod",
            "Pod \"x\" is invalid: spec.containers[0].ports[0].protocol: Unsupported value: \"HTTP\": "
            "supported "
            "values: \"SCTP\", \"TCP\", \"UDP\""},
        Case{"MissingNamespace", [] { return Without(Pod(), "/metadata/namespace"); }, "", "Pod",
             "Pod \"x\" is invalid: metadata.namespace: Required value"},
        Case{"MissingName", [] { return Without(Pod(), "/metadata/name"); }, "", "Pod",
             "Pod \"\" is invalid: metadata.name: Required value: name or generateName is required"},
        Case{"BadLabelValue",
             [] {
               return With(Pod(), "/metadata/labels", {{"app", "a b"}});
             },
             "", "Pod",
             "Pod \"x\" is invalid: metadata.labels: Invalid value: \"a b\": a valid label must be an empty "
             "string or "
             "consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
             "alphanumeric "
             "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
             "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"},
        Case{
            "MountOfUnknownVolume",
            [] {
              return With(Pod(), "/spec/containers/0/volumeMounts", {{{"name", "v"}, {"mountPath", "/v"}}});
            },
            "", "Pod",
            "Pod \"x\" is invalid: spec.containers[0].volumeMounts[0].name: Invalid value: \"v\": not found"},
        Case{"TwoVolumeSources",
             [] {
               return With(Pod(), "/spec/volumes",
                           {{{"name", "v"}, {"emptyDir", json::object()}, {"hostPath", {{"path", "/x"}}}}});
             },
             "", "Pod",
             "Pod \"x\" is invalid: spec.volumes[0].hostPath: Forbidden: may not specify more than 1 volume "
             "type"},
        Case{"Toleration",
             [] {
               return With(Pod(), "/spec/tolerations", {{{"operator", "Equal"}, {"value", "x"}}});
             },
             "", "Pod",
             "Pod \"x\" is invalid: spec.tolerations[0].operator: Invalid value: \"Equal\": operator must be "
             "Exists "
             "when `key` is empty, which means \"match all values and all keys\""},
        Case{"ValidService", Service, "", "Service", ""},
        Case{"ServiceNoPorts", [] { return With(Service(), "/spec/ports", json::array()); }, "", "Service",
             "Service \"svc\" is invalid: spec.ports: Required value"},
        Case{"HeadlessNoPorts",
             [] { return With(With(Service(), "/spec/ports", json::array()), "/spec/clusterIP", "None"); },
             "", "Service", ""},
        Case{"ExternalNameNoPorts",
             [] {
               return With(With(Without(Service(), "/spec/ports"), "/spec/type", "ExternalName"),
                           "/spec/externalName", "example.com");
             },
             "", "Service", ""},
        Case{"ServicePortRange", [] { return With(Service(), "/spec/ports/0/port", 70000); }, "", "Service",
             // targetPort defaults to port, so upstream reports both.
             "Service \"svc\" is invalid: [spec.ports[0].port: Invalid value: 70000: must be between 1 and "
             "65535, "
             "inclusive, spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, "
             "inclusive]"},
        Case{"ServicePortNames",
             [] {
               json s = Service();
               s["spec"]["ports"].push_back({{"port", 81}});
               return s;
             },
             "", "Service",
             "Service \"svc\" is invalid: [spec.ports[0].name: Required value, spec.ports[1].name: Required "
             "value]"},
        Case{"ServiceType", [] { return With(Service(), "/spec/type", "Foo"); }, "", "Service",
             "Service \"svc\" is invalid: spec.type: Unsupported value: \"Foo\": supported values: "
             "\"ClusterIP\", "
             "\"ExternalName\", \"LoadBalancer\", \"NodePort\""},
        Case{"ServiceName", [] { return With(Service(), "/metadata/name", "1abc"); }, "", "Service",
             "Service \"1abc\" is invalid: metadata.name: Invalid value: \"1abc\": a DNS-1035 label must "
             "consist of "
             "lower case alphanumeric characters or '-', start with an alphabetic character, and end with an "
             "alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
             "'[a-z]([-a-z0-9]*[a-z0-9])?')"},
        Case{"ServiceNodePortOnClusterIP", [] { return With(Service(), "/spec/ports/0/nodePort", 30000); },
             "", "Service",
             "Service \"svc\" is invalid: spec.ports[0].nodePort: Forbidden: may not be used when `type` is "
             "'ClusterIP'"},
        Case{
            "ConfigMapKey",
            [] {
              return R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "d"},
                          "data": {"bad key": "v"}})"_json;
            },
            "", "ConfigMap",
            "ConfigMap \"c\" is invalid: data[bad key]: Invalid value: \"bad key\": a valid config key must "
            "consist "
            "of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', "
            "regex used "
            "for validation is '[-._a-zA-Z0-9]+')"},
        Case{"TLSSecret",
             [] {
               return R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "d"},
                          "type": "kubernetes.io/tls", "data": {"tls.crt": "YQ=="}})"_json;
             },
             "", "Secret", "Secret \"s\" is invalid: data[tls.key]: Required value"},
        Case{"NamespaceWithDots",
             [] { return R"({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "a.b"}})"_json; },
             "", "Namespace",
             "Namespace \"a.b\" is invalid: metadata.name: Invalid value: \"a.b\": must not contain dots"},
        Case{
            "NodeWithNamespace",
            [] {
              return R"({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "n", "namespace": "d"}})"_json;
            },
            "", "Node", "Node \"n\" is invalid: metadata.namespace: Forbidden: not allowed on this type"},
        Case{"GenerateName",
             [] {
               return R"({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"generateName": "Bad-", "name": "bad-x1", "namespace": "d"}})"_json;
             },
             "", "ConfigMap",
             "ConfigMap \"bad-x1\" is invalid: metadata.generateName: Invalid value: \"Bad-\": a lowercase "
             "RFC 1123 "
             "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and "
             "end with an "
             "alphanumeric character (e.g. 'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"},
        Case{
            "JobRestartAlways",
            [] {
              return R"({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "namespace": "d"},
                          "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}})"_json;
            },
            "batch", "Job",
            "Job.batch \"j\" is invalid: spec.template.spec.restartPolicy: Required value: valid values: "
            "\"OnFailure\", \"Never\""},
        Case{
            "CronJobSchedule",
            [] {
              return R"({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "d"},
                          "spec": {"schedule": "*/5 * * * 8", "jobTemplate": {"spec": {"template": {"spec": {
                          "containers": [{"name": "c", "image": "i"}], "restartPolicy": "OnFailure"}}}}}})"_json;
            },
            "batch", "CronJob",
            "CronJob.batch \"c\" is invalid: spec.schedule: Invalid value: \"*/5 * * * 8\": end of range (8) "
            "above "
            "maximum (6): 8"},
        Case{
            "IngressPathType",
            [] {
              return R"({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i", "namespace": "d"},
                          "spec": {"rules": [{"http": {"paths": [{"path": "/", "backend": {"service": {"name": "s",
                          "port": {"number": 80}}}}]}}]}})"_json;
            },
            "networking.k8s.io", "Ingress",
            "Ingress.networking.k8s.io \"i\" is invalid: spec.rules[0].http.paths[0].pathType: Required "
            "value: "
            "pathType must be specified"},
        Case{
            "RoleVerbs",
            [] {
              return R"({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": "d"},
                          "rules": [{"apiGroups": [""], "resources": ["pods"]}]})"_json;
            },
            "rbac.authorization.k8s.io", "Role",
            "Role.rbac.authorization.k8s.io \"r\" is invalid: rules[0].verbs: Required value: verbs must "
            "contain at "
            "least one value"}),
    [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

TEST(ValidationTest, DeploymentSelectorImmutable) {
  json old = Deployment();
  json upd = With(With(Deployment(), "/spec/selector/matchLabels/app", "y"),
                  "/spec/template/metadata/labels/app", "y");
  EXPECT_EQ(UpdateMessage("apps", "Deployment", upd, old),
            "Deployment.apps \"bad\" is invalid: spec.selector: Invalid value: "
            "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"y\"}, "
            "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable");
  EXPECT_EQ(UpdateMessage("apps", "Deployment", With(Deployment(), "/spec/replicas", 5), old), "");
}

TEST(ValidationTest, PodUpdates) {
  json old = Pod();
  PrepareForCreate("", "Pod", old);
  ApplyDefaults("", "Pod", old);
  // Image changes and added tolerations are allowed.
  EXPECT_EQ(UpdateMessage("", "Pod", With(old, "/spec/containers/0/image", "nginx:1.27"), old), "");
  EXPECT_EQ(
      UpdateMessage("", "Pod", With(old, "/spec/tolerations", {{{"key", "k"}, {"operator", "Exists"}}}), old),
      "");
  // Adding a container is not.
  json more = old;
  more["spec"]["containers"].push_back({{"name", "d"}, {"image", "busybox"}});
  EXPECT_EQ(UpdateMessage("", "Pod", more, old),
            "Pod \"x\" is invalid: spec.containers: Forbidden: pod updates may not add or remove containers");
  // Nor is any other spec change.
  std::string msg = UpdateMessage("", "Pod", With(old, "/spec/containers/0/command", {"sh"}), old);
  EXPECT_EQ(
      msg.rfind(
          "Pod \"x\" is invalid: spec: Forbidden: pod updates may not change fields other than "
          "`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,"
          "`spec.tolerations` (only additions to existing tolerations),"
          "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n",
          0),
      0u)
      << msg;
  EXPECT_NE(msg.find("containers[0].command"), std::string::npos) << msg;
  // activeDeadlineSeconds may only shrink.
  json ads = With(old, "/spec/activeDeadlineSeconds", 30);
  EXPECT_EQ(
      UpdateMessage("", "Pod", With(ads, "/spec/activeDeadlineSeconds", 60), ads),
      "Pod \"x\" is invalid: spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to "
      "previous value");
}

TEST(ValidationTest, PodStatusUpdate) {
  json old = Pod();
  PrepareForCreate("", "Pod", old);
  ApplyDefaults("", "Pod", old);
  json upd = With(old, "/status/qosClass", "Guaranteed");
  api::FieldErrors errs = ValidateStatusUpdate("", "Pod", upd, old);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].ToString(), "status.qosClass: Invalid value: \"Guaranteed\": field is immutable");
  EXPECT_TRUE(ValidateStatusUpdate("", "Pod", With(old, "/status/phase", "Running"), old).empty());
}

TEST(ValidationTest, ServiceClusterIPImmutable) {
  json old = With(With(Service(), "/spec/clusterIP", "10.43.0.10"), "/spec/clusterIPs", {"10.43.0.10"});
  json upd = With(Service(), "/spec/clusterIP", "10.43.0.20");
  EXPECT_EQ(UpdateMessage("", "Service", upd, old),
            "Service \"svc\" is invalid: spec.clusterIPs[0]: Invalid value: []string{\"10.43.0.20\"}: may "
            "not change "
            "once set");
  // Leaving clusterIP out keeps the allocated one.
  EXPECT_EQ(UpdateMessage("", "Service", Service(), old), "");
}

TEST(ValidationTest, ConfigMapAndSecretImmutability) {
  json cm = R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "d"},
    "immutable": true, "data": {"a": "1"}})"_json;
  EXPECT_EQ(UpdateMessage("", "ConfigMap", With(cm, "/data/a", "2"), cm),
            "ConfigMap \"c\" is invalid: data: Forbidden: field is immutable when `immutable` is set");
  EXPECT_EQ(UpdateMessage("", "ConfigMap", With(cm, "/immutable", false), cm),
            "ConfigMap \"c\" is invalid: immutable: Forbidden: field is immutable when `immutable` is set");
  json secret = R"({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", "namespace": "d"},
    "data": {"tls.crt": "YQ==", "tls.key": "Yg=="}})"_json;
  EXPECT_EQ(UpdateMessage("", "Secret", With(secret, "/type", "kubernetes.io/tls"), secret),
            "Secret \"s\" is invalid: type: Invalid value: \"kubernetes.io/tls\": field is immutable");
}

TEST(ValidationTest, JobUpdates) {
  json job =
      R"({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "namespace": "d", "uid": "u"},
    "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}], "restartPolicy": "Never"}}}})"_json;
  PrepareForCreate("batch", "Job", job);
  ApplyDefaults("batch", "Job", job);
  ASSERT_TRUE(ValidateCreate("batch", "Job", job).empty());
  EXPECT_EQ(UpdateMessage("batch", "Job", With(job, "/spec/parallelism", 3), job), "");
  api::FieldErrors errs =
      ValidateUpdate("batch", "Job", With(job, "/spec/template/spec/containers/0/image", "j"), job);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].field, "spec.template");
  EXPECT_EQ(errs[0].detail, "field is immutable");
  errs = ValidateUpdate("batch", "Job", With(job, "/spec/completions", 2), job);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].ToString(), "spec.completions: Invalid value: 2: field is immutable");
}

TEST(ValidationTest, StatefulSetClaimTemplatesAreVolumes) {
  json ss = R"({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web", "namespace": "d"},
    "spec": {"serviceName": "web", "selector": {"matchLabels": {"a": "b"}},
      "template": {"metadata": {"labels": {"a": "b"}}, "spec": {"containers": [{"name": "c", "image": "i",
        "volumeMounts": [{"name": "data", "mountPath": "/data"}]}]}},
      "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": "1Gi"}}}}]}})"_json;
  EXPECT_EQ(CreateMessage("apps", "StatefulSet", ss), "");
  EXPECT_EQ(CreateMessage("apps", "StatefulSet",
                          With(ss, "/spec/template/spec/containers/0/volumeMounts/0/name", "www")),
            "StatefulSet.apps \"web\" is invalid: spec.template.spec.containers[0].volumeMounts[0].name: "
            "Invalid value: "
            "\"www\": not found");
  json old = ss;
  ApplyDefaults("apps", "StatefulSet", old);
  EXPECT_EQ(
      UpdateMessage("apps", "StatefulSet", With(ss, "/spec/serviceName", "other"), old),
      "StatefulSet.apps \"web\" is invalid: spec: Forbidden: updates to statefulset spec for fields other "
      "than "
      "'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and "
      "'minReadySeconds' are forbidden");
}

TEST(ValidationTest, PVCSpecImmutable) {
  json pvc =
      R"({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "c", "namespace": "d"},
    "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}, "status": {"phase": "Bound"}})"_json;
  EXPECT_EQ(
      UpdateMessage("", "PersistentVolumeClaim", With(pvc, "/spec/resources/requests/storage", "2Gi"), pvc),
      "");
  std::string msg =
      UpdateMessage("", "PersistentVolumeClaim", With(pvc, "/spec/accessModes", {"ReadWriteMany"}), pvc);
  EXPECT_EQ(
      msg.rfind(
          "PersistentVolumeClaim \"c\" is invalid: spec: Forbidden: spec is immutable after creation except "
          "resources.requests for bound claims\n",
          0),
      0u)
      << msg;
  EXPECT_EQ(CreateMessage("", "PersistentVolumeClaim", Without(pvc, "/spec/resources")),
            "PersistentVolumeClaim \"c\" is invalid: spec.resources[storage]: Required value");
}

TEST(ValidationTest, NamespaceStatusAndFinalizers) {
  json ns =
      R"({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}, "spec": {"finalizers": ["kubernetes"]},
    "status": {"phase": "Active"}})"_json;
  json upd = With(ns, "/spec/finalizers", json::array());
  PrepareForUpdate("", "Namespace", upd, ns);
  EXPECT_EQ(upd["spec"]["finalizers"], json::array({"kubernetes"}));
  api::FieldErrors errs = ValidateStatusUpdate("", "Namespace", With(ns, "/status/phase", "Terminating"), ns);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(
      errs[0].ToString(),
      "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty");
}

TEST(ValidationTest, CronSchedules) {
  json cj = R"({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "c", "namespace": "d"},
    "spec": {"schedule": "", "jobTemplate": {"spec": {"template": {"spec": {
      "containers": [{"name": "c", "image": "i"}], "restartPolicy": "OnFailure"}}}}}})"_json;
  struct Sched {
    const char* schedule;
    const char* error;  // "" = valid
  };
  for (const Sched& s : std::initializer_list<Sched>{
           {"*/1 * * * *", ""},
           {"0 0 * * sun", ""},
           {"@hourly", ""},
           {"0 9-17/2 1,15 jan-jun mon-fri", ""},
           {"foo", "expected exactly 5 fields, found 1: [foo]"},
           {"61 * * * *", "end of range (61) above maximum (59): 61"},
           {"x * * * *", "failed to parse int from x: strconv.Atoi: parsing \"x\": invalid syntax"},
           {"5-2 * * * *", "beginning of range (5) beyond end of range (2): 5-2"},
           {"* * 0 * *", "beginning of range (0) below minimum (1): 0"},
           {"@often", "unrecognized descriptor: @often"},
       }) {
    api::FieldErrors errs = ValidateCreate("batch", "CronJob", With(cj, "/spec/schedule", s.schedule));
    std::string got;
    for (const auto& e : errs) {
      if (e.field == "spec.schedule") got = e.detail;
    }
    EXPECT_EQ(got, s.error) << s.schedule;
  }
}

TEST(ValidationTest, ObjectMetaLimits) {
  json cm = R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "d"}})"_json;
  cm["metadata"]["annotations"]["a"] = std::string(256 * 1024, 'x');
  api::FieldErrors errs = ValidateCreate("", "ConfigMap", cm);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].ToString(), "metadata.annotations: Too long: may not be more than 262144 bytes");
  json owned = R"({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "namespace": "d",
    "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "", "uid": "u"}],
    "finalizers": ["custom"]}})"_json;
  errs = ValidateCreate("", "ConfigMap", owned);
  ASSERT_EQ(errs.size(), 2u);
  EXPECT_EQ(errs[0].ToString(), "metadata.ownerReferences.name: Invalid value: \"\": must not be empty");
  EXPECT_EQ(errs[1].ToString(),
            "metadata.finalizers[0]: Invalid value: \"custom\": name is neither a standard finalizer name "
            "nor is it "
            "fully qualified");
}

TEST(ValidationTest, OtherGroups) {
  auto messages = [](std::string_view group, std::string_view kind, const json& obj) {
    std::vector<std::string> out;
    for (const auto& e : ValidateCreate(group, kind, obj)) out.push_back(e.ToString());
    return out;
  };
  json pdb =
      R"({"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "p", "namespace": "d"},
    "spec": {"minAvailable": "150%", "selector": {"matchLabels": {"a": "b"}}}})"_json;
  EXPECT_EQ(messages("policy", "PodDisruptionBudget", pdb),
            std::vector<std::string>{"spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, "
                                     "StrVal:\"150%\"}: must not be greater than 100%"});
  json lease =
      R"({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l", "namespace": "d"},
    "spec": {"leaseDurationSeconds": 0}})"_json;
  EXPECT_EQ(messages("coordination.k8s.io", "Lease", lease),
            std::vector<std::string>{"spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0"});
  json es =
      R"({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "e", "namespace": "d"},
    "addressType": "IPv4", "endpoints": [{"addresses": ["fe80::1"]}]})"_json;
  EXPECT_EQ(messages("discovery.k8s.io", "EndpointSlice", es),
            std::vector<std::string>{
                "endpoints[0].addresses[0]: Invalid value: \"fe80::1\": must be a valid IPv4 address"});
  json hpa =
      R"({"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h", "namespace": "d"},
    "spec": {"minReplicas": 3, "maxReplicas": 2, "scaleTargetRef": {"kind": "Deployment", "name": "d"}}})"_json;
  EXPECT_EQ(messages("autoscaling", "HorizontalPodAutoscaler", hpa),
            std::vector<std::string>{
                "spec.maxReplicas: Invalid value: 2: must be greater than or equal to `minReplicas`"});
  json pc =
      R"({"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "system-x"}, "value": 5})"_json;
  EXPECT_EQ(messages("scheduling.k8s.io", "PriorityClass", pc),
            std::vector<std::string>{
                "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved "
                "for system use only. error: system-x is not a known system priority class"});
  json sc = R"({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "s"},
    "provisioner": "rancher.io/local-path", "volumeBindingMode": "WaitForFirstConsumer", "reclaimPolicy": "Delete"})"_json;
  EXPECT_TRUE(ValidateCreate("storage.k8s.io", "StorageClass", sc).empty());
  api::FieldErrors errs =
      ValidateUpdate("storage.k8s.io", "StorageClass", With(sc, "/provisioner", "other.io/p"), sc);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(errs[0].ToString(), "provisioner: Forbidden: updates to provisioner are forbidden.");
  json crb =
      R"({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "b"},
    "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
    "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "d"}]})"_json;
  EXPECT_TRUE(ValidateCreate("rbac.authorization.k8s.io", "ClusterRoleBinding", crb).empty());
  errs = ValidateUpdate("rbac.authorization.k8s.io", "ClusterRoleBinding", With(crb, "/roleRef/name", "edit"),
                        crb);
  ASSERT_EQ(errs.size(), 1u);
  EXPECT_EQ(
      errs[0].ToString(),
      "roleRef: Invalid value: rbac.RoleRef{APIGroup:\"rbac.authorization.k8s.io\", Kind:\"ClusterRole\", "
      "Name:\"edit\"}: cannot change roleRef");
  json np =
      R"({"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "n", "namespace": "d"},
    "spec": {"podSelector": {}, "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.0/33"}}]}]}})"_json;
  EXPECT_EQ(messages("networking.k8s.io", "NetworkPolicy", np),
            std::vector<std::string>{
                "spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": must be a "
                "valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"});
  EXPECT_TRUE(ValidateCreate("example.com", "Widget", R"({"metadata": {}})"_json).empty());
}

TEST(ValidationTest, Events) {
  auto messages = [](std::string_view group, const json& obj) {
    std::vector<std::string> out;
    for (const auto& e : ValidateCreate(group, "Event", obj)) out.push_back(e.ToString());
    return out;
  };
  // core/v1: the legacy checks only, under core's field names.
  json core = R"({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "d"},
    "involvedObject": {"kind": "Pod", "name": "p", "namespace": "d"}, "eventTime": "2024-01-01T00:00:00.000000Z",
    "reportingInstance": "i", "action": "a", "reason": "r"})"_json;
  // An empty name also fails IsQualifiedName, as upstream reports it.
  std::vector<std::string> got = messages("", core);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "reportingComponent: Required value");
  EXPECT_EQ(got[1], "reportingComponent: Invalid value: \"\": name part must be non-empty");
  json moved = R"({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "d"},
    "involvedObject": {"kind": "Pod", "name": "p", "namespace": "other"}})"_json;
  EXPECT_EQ(messages("", moved), std::vector<std::string>{"involvedObject.namespace: Invalid value: "
                                                          "\"other\": does not match event.namespace"});
  // events.k8s.io: the same legacy checks first (also without eventTime),
  // then the strict ones.
  json ev =
      R"({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e", "namespace": "d"},
    "regarding": {"kind": "Pod", "name": "p", "namespace": "other"}, "type": "Normal"})"_json;
  EXPECT_EQ(messages("events.k8s.io", ev),
            (std::vector<std::string>{
                "involvedObject.namespace: Invalid value: \"other\": does not match event.namespace",
                "eventTime: Required value"}));
  json series =
      R"({"apiVersion": "events.k8s.io/v1", "kind": "Event", "metadata": {"name": "e", "namespace": "d"},
    "regarding": {"kind": "Pod", "name": "p", "namespace": "d"}, "eventTime": "2024-01-01T00:00:00.000000Z",
    "reportingController": "c", "reportingInstance": "i", "action": "a", "reason": "r", "type": "Normal",
    "series": {"count": 1, "lastObservedTime": "2024-01-01T00:00:00.000000Z"}})"_json;
  EXPECT_EQ(messages("events.k8s.io", series),
            std::vector<std::string>{"series.count: Invalid value: \"\": should be at least 2"});
  json no_controller = series;
  no_controller.erase("reportingController");
  no_controller.erase("series");
  got = messages("events.k8s.io", no_controller);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], "reportingController: Required value");
}

}  // namespace
}  // namespace kubepp::apiserver::strategy
