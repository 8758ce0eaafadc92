// The per-kind "strategy" of the API server registry, as pure functions over
// decoded objects (nlohmann::json): upstream's defaulting (SetDefaults_* of
// every served kind, recursively into pod/job templates), the kind-specific
// create/update preparation (status resets, Job selector generation,
// Namespace finalizers, Service allocated-field carry-over), validation with
// upstream's field paths and wording, and the 422 Status built from it.
//
// What the generic registry does itself and these functions leave alone:
// uid, resourceVersion, creationTimestamp, generateName, metadata.namespace
// from the URL, deletionTimestamp, managedFields, generation bumps, copying
// status on main-resource updates and spec on status updates.
//
// Call order mirrors upstream's: on create ApplyDefaults (decoding) and
// PrepareForCreate in either order, then ValidateCreate; on update
// ApplyDefaults, PrepareForUpdate, ValidateUpdate; on /status
// PrepareForStatusUpdate, ValidateStatusUpdate. `group` is "" for core; the
// object's apiVersion picks the version where it matters (autoscaling v1/v2).
// Unknown kinds are left as they are and validate clean.
//
// Thread-safety: pure functions; safe from any number of threads. Bad input
// never throws. Validation treats a value of the wrong JSON type as absent
// (the decoder's schema check is where upstream reports type errors);
// defaulting may replace a non-object found where it must add members to an
// object (e.g. "spec": 5 becomes a defaulted spec).
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "api/field_error.h"

namespace kubepp::apiserver::strategy {

// Fills upstream's defaults into `obj` in place, including embedded templates
// (Deployment/ReplicaSet/StatefulSet/DaemonSet/Job .spec.template get PodSpec
// defaults; CronJob .spec.jobTemplate gets only pod-template defaults, as
// upstream), folds Secret.stringData into data, and canonicalizes every
// resource quantity the schema knows ("1000m" -> "1", "0.5" -> "500m").
// Idempotent. Never fails.
void ApplyDefaults(std::string_view group, std::string_view kind, nlohmann::json& obj);

// Kind-specific resets before a create: status cleared or initialized (Pod
// {phase: Pending, qosClass}, Namespace {phase: Active}, PV {phase: Pending,
// lastPhaseTransitionTime}, zero-valued counters upstream serializes),
// Namespace spec.finalizers gains "kubernetes", Job selector/labels
// generated from metadata.uid (set it first) unless spec.manualSelector.
// Service clusterIP / nodePort allocation is NOT done here.
void PrepareForCreate(std::string_view group, std::string_view kind, nlohmann::json& obj);

// Kind-specific carry-over before an update of the main resource (`old` is
// the stored object): Namespace keeps spec.finalizers; Service keeps its
// allocated clusterIP(s), nodePorts and healthCheckNodePort when the new
// object leaves them unset and normalizes clusterIPs. Status copying is the
// registry's job.
void PrepareForUpdate(std::string_view group, std::string_view kind, nlohmann::json& obj,
                      const nlohmann::json& old);

// Before a /status update: Pods keep their ownerReferences (upstream does
// not let pods/status touch them). Spec copying is the registry's job.
void PrepareForStatusUpdate(std::string_view group, std::string_view kind, nlohmann::json& obj,
                            const nlohmann::json& old);

// upstream's Job selector generation: adds controller-uid, job-name,
// batch.kubernetes.io/controller-uid and batch.kubernetes.io/job-name labels
// to spec.template (keeping any the user set) and selects on
// batch.kubernetes.io/controller-uid = uid. No-op when spec.manualSelector.
void PrepareJobSelector(nlohmann::json& job, std::string_view uid);

// Validation of a new object (after defaults and PrepareForCreate). Every
// error with upstream's path and wording; empty = valid. Includes metadata:
// the kind's name rule (DNS-1123 subdomain / label, DNS-1035 label for
// Services, path segment for RBAC), generateName, labels/annotations
// syntax and size, ownerReferences, finalizers, namespace required or
// forbidden by scope.
api::FieldErrors ValidateCreate(std::string_view group, std::string_view kind, const nlohmann::json& obj);

// Validation of an update of the main resource (`old` = stored object):
// the object rules plus immutability (name/namespace, selectors of
// Deployment/ReplicaSet/DaemonSet/Job, Job template and completions,
// StatefulSet spec except replicas/template/updateStrategy/..., Service
// clusterIPs, PVC spec except resources.requests when bound, PV source,
// Secret/ConfigMap data when immutable, Secret type, Pod spec except
// images/activeDeadlineSeconds/tolerations additions/schedulingGates
// removal, roleRef, StorageClass parameters/provisioner/reclaimPolicy...).
api::FieldErrors ValidateUpdate(std::string_view group, std::string_view kind, const nlohmann::json& obj,
                                const nlohmann::json& old);

// Validation of a /status update (what upstream checks there: metadata
// update rules, non-negative counters, Pod QoS immutability and container
// state transitions, Namespace phase vs deletionTimestamp, IP syntax...).
api::FieldErrors ValidateStatusUpdate(std::string_view group, std::string_view kind,
                                      const nlohmann::json& obj, const nlohmann::json& old);


}  // namespace kubepp::apiserver::strategy
