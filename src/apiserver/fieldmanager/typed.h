// Schema-driven walks over JSON objects, the parts of server-side apply that
// depend on the API schema (structured-merge-diff's typed package):
// which paths a value sets, how two values differ, how an applied
// configuration merges onto a live object, and which fields an applier that
// stopped applying them leaves behind.
//
// Type rules, from the embedded schema (src/api/schema/schema.h):
//  - scalars (string, integer, number, boolean, Quantity, IntOrString,
//    Time, MicroTime, Duration) are leaves;
//  - free-form values (RawExtension, FieldsV1, JSON, "any") are leaves;
//  - a struct is granular unless its definition says structType atomic, or
//    the field holding it says mapType (the field wins: PersistentVolume
//    spec.claimRef is granular although ObjectReference is atomic);
//  - a map is granular unless the field says mapType atomic;
//  - a list follows its field's listType: "map" (items keyed by
//    listMapKeys), "set" (items keyed by value), "atomic"; without a
//    listType, patchStrategy merge makes it keyed by patchMergeKey (a set
//    without one), otherwise it is atomic;
//  - a list key field that an item omits takes upstream's default where the
//    schema has one (protocol "TCP" for ContainerPort and ServicePort).
//
// Internal to the fieldmanager library; not a public interface.
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "apiserver/fieldmanager/fieldset.h"
#include "common/status.h"

namespace kubepp::api {
struct Definition;
}  // namespace kubepp::api

namespace kubepp::apiserver::fieldmanager::internal {

struct Comparison {
  FieldSet added;
  FieldSet removed;
  FieldSet modified;

  // Drops every path at or below a member of `fields` from all three sets.
  void Exclude(const FieldSet& fields);
};

// The paths `value` sets (structured-merge-diff's ToFieldSet): every scalar
// and atomic value, every list item and map entry, and every struct field
// whose value is null or {}. With `strict` (an applied configuration),
// fields the schema does not declare, duplicate list keys, missing keys and
// mistyped values are errors (BadRequest carrying upstream-shaped texts such
// as `.spec.foo: field not declared in schema`); without it (a stored
// object) unknown fields count as leaves and a duplicated list item counts
// as a member without children.
StatusOr<FieldSet> ToFieldSet(const nlohmann::json& value, const api::Definition& root, bool strict);

// What changed from `lhs` to `rhs`: leaves that appear, disappear or change,
// plus every granular struct, map, list or list item that appears or
// disappears as a whole. A field holding null counts as present.
Comparison Compare(const nlohmann::json& lhs, const nlohmann::json& rhs, const api::Definition& root);

// `applied` merged onto `live`: leaves and atomic values of `applied` win,
// structs and maps merge by key, keyed lists and sets merge by item (in
// upstream's order: items only in `live` keep their place, shared and new
// items follow `applied`'s order). A null in `applied` replaces a leaf (the
// caller drops it later) and leaves a non-empty granular value alone.
nlohmann::json Merge(const nlohmann::json& live, const nlohmann::json& applied, const api::Definition& root);

// Removes from `merged` every path the applier owned last time (`last`)
// that no manager, the applier's new configuration included, owns any more
// (`owned`). A struct field counts as owned when anything below it is.
void Prune(nlohmann::json& merged, const FieldSet& last, const FieldSet& owned, const api::Definition& root);

// Adds the fields a Go round trip would show in `obj` although they hold
// zero values: value (non-pointer) structs as {}, value times as null, and
// required lists, maps and pointers as null. Compare needs them to tell
// "added" from "changed" as upstream does on its typed objects.
void FillZero(nlohmann::json& obj, const api::Definition& root);

// Removes object members whose value is null, at any depth.
void StripNulls(nlohmann::json& value);

}  // namespace kubepp::apiserver::fieldmanager::internal
