// Upstream reference data shared by the field manager's tests.
//
// Test-only header (constants, no code). Thread-safety: immutable.
#pragma once

namespace kubepp::apiserver::fieldmanager::testdata {

// The fieldsV1 kube-apiserver records when `kubectl apply` (client-side)
// creates the web Deployment of fieldmanager_test.cc (one container, one port):
// member leaves, a "." on items and on values created whole, none on values
// a zero Deployment already has (spec, strategy, template, containers).
inline constexpr char kClientSideApplyDeploymentFields[] = R"({
  "f:metadata": {"f:annotations": {".": {}, "f:kubectl.kubernetes.io/last-applied-configuration": {}},
                 "f:labels": {".": {}, "f:app": {}}},
  "f:spec": {"f:progressDeadlineSeconds": {}, "f:replicas": {}, "f:revisionHistoryLimit": {}, "f:selector": {},
             "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}, "f:type": {}},
             "f:template": {"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
                            "f:spec": {"f:containers": {"k:{\"name\":\"nginx\"}": {
                                ".": {}, "f:image": {}, "f:imagePullPolicy": {}, "f:name": {},
                                "f:ports": {".": {}, "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {
                                    ".": {}, "f:containerPort": {}, "f:protocol": {}}},
                                "f:resources": {}, "f:terminationMessagePath": {}, "f:terminationMessagePolicy": {}}},
                              "f:dnsPolicy": {}, "f:restartPolicy": {}, "f:schedulerName": {},
                              "f:securityContext": {}, "f:terminationGracePeriodSeconds": {}}}}
})";

}  // namespace kubepp::apiserver::fieldmanager::testdata
