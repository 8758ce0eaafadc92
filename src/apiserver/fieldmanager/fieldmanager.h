// Field management: `metadata.managedFields` bookkeeping for every write and
// server-side apply (PATCH with Content-Type application/apply-patch+yaml),
// as pure functions over generic JSON objects, driven by the embedded API
// schema. Upstream's model is followed (k8s.io/apimachinery managedfields
// on top of sigs.k8s.io/structured-merge-diff, Kubernetes 1.27-1.33):
//
//  - Every manager entry is {manager, operation: Apply|Update, apiVersion,
//    time, fieldsType: FieldsV1, fieldsV1, subresource}. An entry is
//    identified by manager + operation + subresource, plus apiVersion for
//    Update entries; entries are written sorted by operation (Apply first),
//    time, manager, apiVersion, subresource. An empty list is written as no
//    `managedFields` at all.
//  - A non-apply write (create, update, patch) gives its manager the fields
//    it added or changed; every other manager (appliers too) silently loses
//    them, and everybody loses fields the write removed. The entry's time
//    moves only when the write took fields. More than 10 Update entries are
//    folded, oldest first, into "ancient-changes" entries per apiVersion.
//  - An apply merges the configuration onto the live object per the schema
//    (see typed.h), makes the applier own exactly the configuration's
//    fields, removes fields it applied last time and no manager owns any
//    more, and fails with conflicts when it would change a field another
//    manager owns, unless forced (then the others lose those fields).
//  - Never tracked: apiVersion, kind, metadata itself and its name,
//    namespace, creationTimestamp, selfLink, uid, clusterName, generation,
//    managedFields and resourceVersion. Labels, annotations, finalizers (a
//    set) and ownerReferences (keyed by uid) are tracked like any field.
//
// Callers run these after decoding and defaulting the incoming object (the
// defaults an Update introduces are owned by its manager, as upstream) and
// before validation and storage. The strategy's reset of fields a
// subresource may not change (status through the main resource, spec
// through /status) stays the caller's job; `reset_fields` only keeps those
// fields out of ownership and conflicts, as upstream's ResetFieldsStrategy.
//
// Known differences from upstream: Go's zero-valued fields (which decide the
// "." markers of Update entries) come from a curated table of value structs
// and times, so kinds it misses may show an extra "." on a struct; free-form
// values (RawExtension, JSON) are tracked as one leaf, not as deduced maps;
// Quantity accepts JSON numbers; the texts for mistyped applied values are
// close to, not exactly, structured-merge-diff's.
//
// Thread-safety: pure functions over their arguments; safe from any number
// of threads. Inputs other than `updated` are never modified.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace kubepp::api {
struct Kind;
}  // namespace kubepp::api

namespace kubepp::apiserver::fieldmanager {

// What a write is about.
struct Scope {
  // The kind written (apiVersion + definition), e.g.
  // Schema::Default().FindKind("apps", "v1", "Deployment"). Required.
  const api::Kind* kind = nullptr;
  // "" for the main resource, "status", "scale", ... Recorded in the entry
  // (the same manager through another subresource is another entry). A
  // write through a subresource ignores managedFields in the request body.
  // A "scale" entry carries no time, as upstream's scale handler writes it.
  std::string subresource;
  // Dotted field paths the strategy resets for this (sub)resource, upstream's
  // GetResetFields: {"status"} for the main resource of kinds with a status
  // subresource; {"spec", "metadata.labels"} (per kind) for /status. Fields
  // at or below them are neither owned nor conflicting.
  std::vector<std::string> reset_fields;
};

// One field another manager owns and an apply would change.
struct Conflict {
  std::string manager;  // the manager's name: "kubectl-client-side-apply"
  std::string field;    // upstream's path text: ".spec.replicas",
                        // ".spec.template.spec.containers[name=\"nginx\"].image"
  // The StatusCause message: `conflict with "kubectl-client-side-apply"
  // using apps/v1`, `conflict with "kubectl"` (an applier), `conflict with
  // "kubectl" with subresource "scale" using apps/v1`.
  std::string message;
};

// The Status.details.causes[].reason of a conflict.
inline constexpr const char kConflictCauseReason[] = "FieldManagerConflict";

// The manager that kubectl's server-side apply uses by default. Its applies
// upgrade an object from client-side apply: conflicts on fields whose live
// value still equals the last-applied-configuration annotation are forced,
// and that annotation is rewritten to the new configuration.
inline constexpr const char kKubectlManager[] = "kubectl";
inline constexpr const char kLastAppliedAnnotation[] = "kubectl.kubernetes.io/last-applied-configuration";

// Records a non-apply write by `manager` at `now` (RFC 3339, seconds) in
// updated.metadata.managedFields. `live` is the stored object, nullptr on
// create. The starting entries are the live object's, unless the request
// (main resource only) carries its own decodable non-empty list: then those,
// and `[]` or `[{}]` resets them to none. Undecodable live entries count as
// none. The manager name is recorded as given (upstream derives one from
// the User-Agent when the request names none; that is the caller's job).
// Never fails on user input: returns Internal only when `updated` is not
// an object or scope.kind is unset.
Status UpdateManagedFields(const nlohmann::json* live, nlohmann::json& updated, std::string_view manager,
                           std::string_view now, const Scope& scope);

// Server-side apply of `applied` (the decoded apply body) by `manager` at
// `now` onto `live` (nullptr when the object does not exist yet: the result
// is then the object to create). Returns the merged object with its
// managedFields recorded; when the apply changes nothing but ownership,
// the live object with updated managedFields and the entry's time kept.
// Nulls in the configuration remove what they name from the result.
// Checking metadata.name/namespace, resourceVersion preconditions,
// defaulting and validation of the result are the caller's.
// Errors:
//  - Invalid `PatchOptions.meta.k8s.io "" is invalid: fieldManager:
//    Required value: is required for apply patch` when manager is empty;
//  - BadRequest "invalid object type: apps/v1, Kind=Deployment" when the
//    body's apiVersion/kind is not scope.kind's (upstream's GVK text, e.g.
//    "/v1, Kind=Pod", "/, Kind=" when missing);
//  - BadRequest "metadata.managedFields must be nil" when the body has them;
//  - Internal "failed to create typed patch object (ns/name; apps/v1,
//    Kind=Deployment): .spec.foo: field not declared in schema" (or
//    duplicate/missing list keys, mistyped values; several as "errors:\n
//    ..."): upstream answers these with a 500 whose reason is empty;
//  - Internal "failed to decode managed fields: ..." for unreadable live
//    entries;
//  - Conflict (409) when fields owned by other managers would change and
//    !force; *conflicts (when non-null) lists them in upstream's order and
//    the message is upstream's: `Apply failed with 1 conflict: conflict
//    with "kubectl-client-side-apply" using apps/v1: .spec.replicas`, or
//    `Apply failed with 2 conflicts: conflicts with "a" using v1:\n- .x\n
//    - .y` grouped by manager. Build the Status as upstream's
//    NewApplyConflict: reason Conflict, details.causes[] =
//    {reason: kConflictCauseReason, message, field} and no name or kind.
StatusOr<nlohmann::json> Apply(const nlohmann::json* live, const nlohmann::json& applied, std::string_view manager,
                               bool force, std::string_view now, const Scope& scope,
                               std::vector<Conflict>* conflicts);

}  // namespace kubepp::apiserver::fieldmanager
