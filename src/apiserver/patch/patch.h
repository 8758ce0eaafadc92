// The three bodies of the PATCH verb, as pure functions over generic JSON:
// RFC 6902 JSON Patch (application/json-patch+json), RFC 7386 JSON Merge
// Patch (application/merge-patch+json) and Kubernetes strategic merge patch
// (application/strategic-merge-patch+json). kubectl patch/apply/label/
// annotate/scale/rollout undo send these; the results must be the objects
// kube-apiserver would produce, because kubectl's three-way apply and its
// tests compare them field by field and in list order.
//
// Upstream behaviour followed (Kubernetes 1.27-1.33):
//  - JSON Patch: gopkg.in/evanphx/json-patch.v4 (v4.12) as kube-apiserver
//    drives it, including its non-RFC leniencies (negative array indices,
//    "replace" of a missing object member adds it, "copy" from a missing
//    member copies null, an operation without "value" uses null).
//  - Merge patch: the same library's MergePatch (nulls pruned from values
//    that are added; a patch that is null or a scalar is rejected).
//  - Strategic merge: k8s.io/apimachinery/pkg/util/strategicpatch as the
//    server applies it (StrategicMergeMapPatch with MergeParallelList and
//    IgnoreUnmatchedNulls), driven by the patchStrategy / patchMergeKey of
//    the project schema. Merged-list order follows upstream's rules, which
//    put new patch items before server-only items unless $setElementOrder
//    says otherwise.
//
// Nothing here decodes the result into a typed object: the caller does that
// (and so reports a non-object merge-patch result, unknown fields, etc. as
// upstream's decoding step does).
//
// Known, deliberate differences from upstream (all on inputs kubectl never
// sends): see each function. Merge and strategic merge patches nested more
// than 1000 levels deep are refused (BadRequest) instead of recursing on.
// No function throws; an unexpected internal failure is Internal.
//
// Thread-safety: pure functions over their arguments; safe to call from any
// number of threads at once. Inputs are never modified.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace kubepp::api {
struct Definition;
class Schema;
}  // namespace kubepp::api

namespace kubepp::apiserver::patch {

// The most operations one JSON Patch may carry (kube-apiserver's
// maxJSONPatchOperations).
inline constexpr int kMaxJsonPatchOperations = 10000;

// kube-apiserver answers a patch that cannot apply (a JSON Patch operation
// failing; a strategic merge list of lists) with a 422 whose Status.message
// is this fixed text and whose details.causes[0].message is the reason,
// i.e. the message of the Invalid status these functions return. kubectl
// prints "The request is invalid: <this text>".
inline constexpr const char kPatchRejectedMessage[] =
    "the server rejected our request due to an error in our request";

// Applies an RFC 6902 JSON Patch (the decoded request body) to `doc`.
// Returns the patched document, or:
//  - BadRequest when the body is not a JSON Patch document: not an array, or
//    an element that is not an object (upstream's decoding error text, e.g.
//    "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
//    a null body is an empty patch (no change), as upstream decodes it;
//  - RequestEntityTooLarge for more than kMaxJsonPatchOperations operations;
//  - Invalid (422) when an operation cannot apply. Upstream decides this
//    only while applying, so it covers an unknown or missing "op"
//    ("Unexpected kind: foo"), a missing/non-string "path" or "from", a
//    missing path or key, an index out of range, a failed "test" ("testing
//    value /spec/replicas failed: test failed"). The message is the
//    library's text; see kPatchRejectedMessage for the Status shape.
// Deliberate changes: a non-empty "path" that does not start with "/" is
// Invalid (upstream silently ignores its first segment); replacing the
// whole document ("path": "") by a non-container is Invalid with a clean
// message (upstream: the same 422 with a garbled one, or a crash when
// "value" is absent); "test" compares numbers by value (1 equals 1.0) where
// upstream compares their JSON text.
StatusOr<nlohmann::json> ApplyJsonPatch(const nlohmann::json& doc, const nlohmann::json& patch);

// Applies an RFC 7386 JSON Merge Patch to `doc`: null deletes a member,
// objects merge recursively, anything else (arrays included) replaces;
// nulls inside added values are dropped. A patch that is an array replaces
// the whole document (the caller's decode then rejects it, as upstream's
// does). Returns BadRequest "Invalid JSON Patch" when the patch is null or a
// scalar (upstream's rejection; RFC 7386 itself would return the patch).
StatusOr<nlohmann::json> ApplyMergePatch(const nlohmann::json& doc, const nlohmann::json& patch);

// Applies a strategic merge patch to `doc`, an object of the kind whose
// definition is `def` (Schema::ResolveKind(apiVersion, kind)->definition).
// Like upstream, only patchStrategy/patchMergeKey drive the merge;
// x-kubernetes-list-type alone (e.g. listType=map without a merge strategy)
// still means "replace".
// Per field of the definition:
//  - null deletes the field; objects merge recursively (patchStrategy
//    "replace" replaces them);
//  - lists with patchStrategy "merge" merge element by element on
//    patchMergeKey (lists of scalars merge as sets); other lists replace;
//  - directives: $patch: replace|delete on an object and on an element of a
//    merging list, $setElementOrder/<list>, $retainKeys,
//    $deleteFromPrimitiveList/<list>. Directives never appear in the result;
//  - fields the schema does not know, and free-form values (RawExtension,
//    JSON, maps), merge as plain objects (lists replace); the caller's field
//    validation reports unknown fields.
// A null patch changes nothing. Returns BadRequest when the patch is not an
// object, for a malformed directive (unknown $patch value, including
// "merge", which upstream rejects too; $retainKeys not a list or not naming
// every field the patch sets; a $setElementOrder list that disagrees with
// the patch list; a merging-list element without its merge key; elements of
// mixed types) with upstream's wording where upstream has one; Invalid for a
// list of lists (upstream's 422). Nested definitions are reached through
// `def`'s field references.
// Upstream answers most malformed directives with a 500 (plain Go errors);
// they are BadRequest here. Where upstream copies a patch value verbatim
// (into a missing field, a "replace"-strategy field or a non-merging list)
// nested directives and nulls are applied/removed here instead of being
// stored; a `$patch: replace` object for a field the object lacks keeps its
// content (upstream drops the field).
StatusOr<nlohmann::json> ApplyStrategicMergePatch(const nlohmann::json& doc, const nlohmann::json& patch,
                                                  const api::Definition& def);

}  // namespace kubepp::apiserver::patch
