// Strategic merge patch. Two tables:
//  - upstream's own cases (apimachinery strategicpatch patch_test.go: the
//    patch applied to "current" gives "result", in list order), ported as
//    data onto a test schema shaped like upstream's MergeItem test struct;
//  - what kubectl and controllers really send, against the project schema
//    (Deployment, Pod, ConfigMap, Service, Node, PDB, ControllerRevision),
//    including the two bodies captured from kubectl apply.
#include <memory>
#include <ostream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/schema/schema.h"
#include "apiserver/patch/patch.h"

namespace kubepp::apiserver::patch {
namespace {

using json = nlohmann::json;

// Upstream's MergeItem / RetainKeysMergeItem test structs as schema.
constexpr const char kMergeItemSchema[] = R"({
  "definitions": {
    "test.MergeItem": {"fields": [
      {"name": "name", "type": {"kind": "string"}},
      {"name": "value", "type": {"kind": "string"}},
      {"name": "other", "type": {"kind": "string"}},
      {"name": "mergingList", "type": {"kind": "array", "items": {"kind": "ref", "ref": "test.MergeItem"}},
       "patchStrategy": "merge", "patchMergeKey": "name"},
      {"name": "nonMergingList", "type": {"kind": "array", "items": {"kind": "ref", "ref": "test.MergeItem"}}},
      {"name": "mergingIntList", "type": {"kind": "array", "items": {"kind": "integer"}}, "patchStrategy": "merge"},
      {"name": "nonMergingIntList", "type": {"kind": "array", "items": {"kind": "integer"}}},
      {"name": "mergeItemPtr", "type": {"kind": "array", "items": {"kind": "ref", "ref": "test.MergeItem"}},
       "patchStrategy": "merge", "patchMergeKey": "name"},
      {"name": "simpleMap", "type": {"kind": "map", "values": {"kind": "string"}}},
      {"name": "replacingItem", "type": {"kind": "ref", "ref": "test.RawExtension"}, "patchStrategy": "replace"},
      {"name": "retainKeysMap", "type": {"kind": "ref", "ref": "test.RetainKeysMergeItem"},
       "patchStrategy": "retainKeys"},
      {"name": "retainKeysMergingList",
       "type": {"kind": "array", "items": {"kind": "ref", "ref": "test.MergeItem"}},
       "patchStrategy": "merge,retainKeys", "patchMergeKey": "name"}
    ]},
    "test.RetainKeysMergeItem": {"fields": [
      {"name": "name", "type": {"kind": "string"}},
      {"name": "value", "type": {"kind": "string"}},
      {"name": "other", "type": {"kind": "string"}},
      {"name": "simpleMap", "type": {"kind": "map", "values": {"kind": "string"}}},
      {"name": "mergingIntList", "type": {"kind": "array", "items": {"kind": "integer"}}, "patchStrategy": "merge"},
      {"name": "mergingList", "type": {"kind": "array", "items": {"kind": "ref", "ref": "test.MergeItem"}},
       "patchStrategy": "merge", "patchMergeKey": "name"},
      {"name": "nonMergingList", "type": {"kind": "array", "items": {"kind": "ref", "ref": "test.MergeItem"}}}
    ]},
    "test.RawExtension": {"special": "rawextension"}
  },
  "kinds": [{"group": "test", "version": "v1", "kind": "MergeItem", "definition": "test.MergeItem"}]
})";

const api::Schema& MergeItemSchema() {
  static const api::Schema* schema = [] {
    StatusOr<std::unique_ptr<api::Schema>> parsed = api::Schema::Parse(kMergeItemSchema);
    if (!parsed.ok()) {
      ADD_FAILURE() << parsed.status().ToString();
      std::abort();
    }
    return parsed->release();
  }();
  return *schema;
}

// Any key a directive uses, anywhere in `value` ("" when none).
std::string FindDirective(const json& value, const std::string& where = "") {
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end(); ++it) {
      if (!it.key().empty() && it.key()[0] == '$') return where + "." + it.key();
      std::string found = FindDirective(*it, where + "." + it.key());
      if (!found.empty()) return found;
    }
  } else if (value.is_array()) {
    for (size_t i = 0; i < value.size(); ++i) {
      std::string found = FindDirective(value[i], where + "[" + std::to_string(i) + "]");
      if (!found.empty()) return found;
    }
  }
  return "";
}

struct SmpCase {
  const char* name;
  const char* current;
  const char* patch;
  const char* want;
};

void PrintTo(const SmpCase& c, std::ostream* os) { *os << c.name; }

void ExpectPatchResult(const SmpCase& c, const api::Definition& def) {
  const json current = json::parse(c.current);
  const json patch = json::parse(c.patch);
  StatusOr<json> got = ApplyStrategicMergePatch(current, patch, def);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  // Exact equality: list order is part of upstream's result.
  EXPECT_EQ(*got, json::parse(c.want)) << "got:  " << got->dump() << "\nwant: " << json::parse(c.want).dump();
  EXPECT_EQ(FindDirective(*got), "") << got->dump();
  EXPECT_EQ(current, json::parse(c.current)) << "input modified";
  EXPECT_EQ(patch, json::parse(c.patch)) << "patch modified";
}

// ApplyStrategicMergePatch for a v1 Pod of the project schema.
StatusOr<json> PatchPod(const json& current, const json& patch) {
  const api::Schema& schema = api::Schema::Default();
  return ApplyStrategicMergePatch(current, patch, *schema.ResolveKind("v1", "Pod")->definition);
}

// --- upstream's cases on the MergeItem schema ---------------------------------

class UpstreamCases : public ::testing::TestWithParam<SmpCase> {};

TEST_P(UpstreamCases, MatchUpstreamResult) {
  const api::Schema& schema = MergeItemSchema();
  ExpectPatchResult(GetParam(), *schema.FindDefinition("test.MergeItem"));
}

INSTANTIATE_TEST_SUITE_P(
    MergeItem, UpstreamCases,
    ::testing::Values(
        // Maps.
        SmpCase{"AddFieldToMap", R"({"name":1,"other":"a"})", R"({"value":1})",
                R"({"name":1,"value":1,"other":"a"})"},
        SmpCase{"AddAndDeleteField", R"({"name":1,"other":"a"})", R"({"name":null,"value":1})",
                R"({"value":1,"other":"a"})"},
        SmpCase{"DeleteFieldFromNestedMap", R"({"simpleMap":{"key1":1,"key2":1,"other":"a"}})",
                R"({"simpleMap":{"key2":null}})", R"({"simpleMap":{"key1":1,"other":"a"}})"},
        SmpCase{"DeleteAllFields", R"({"name":1,"value":1,"other":"a"})", R"({"name":null,"value":null})",
                R"({"other":"a"})"},
        SmpCase{"NullForMissingFieldIsIgnored", R"({"name":"a","other":"a"})",
                R"({"name":1,"value":1,"other":null})", R"({"name":1,"value":1})"},
        SmpCase{"NilPatch", R"({"name":1})", R"({})", R"({"name":1})"},
        SmpCase{"DeleteMapWithDirective", R"({"simpleMap":{"key1":1,"key2":1}})",
                R"({"simpleMap":{"$patch":"delete"}})", R"({"simpleMap":{}})"},
        SmpCase{"ReplaceWholeObject", R"({"name":1,"value":1})", R"({"$patch":"replace"})", R"({})"},
        SmpCase{"ReplaceWholeObjectWithContent", R"({"name":1,"value":1})",
                R"({"other":"a","$patch":"replace"})", R"({"other":"a"})"},
        // Lists of scalars.
        SmpCase{"ReplaceListOfScalars", R"({"nonMergingIntList":[1,2]})", R"({"nonMergingIntList":[2,3]})",
                R"({"nonMergingIntList":[2,3]})"},
        SmpCase{"UniqueScalarsWhenMerging", R"({"mergingIntList":[1,2]})", R"({"mergingIntList":[2,3]})",
                R"({"mergingIntList":[1,2,3]})"},
        SmpCase{"PreserveOrderFromPatchInIntList", R"({"mergingIntList":[1,2,3]})",
                R"({"mergingIntList":[3,1,2]})", R"({"mergingIntList":[3,1,2]})"},
        SmpCase{"PreserveOrderFromPatchInIntList2", R"({"mergingIntList":[1,2,3]})",
                R"({"mergingIntList":[3,1]})", R"({"mergingIntList":[2,3,1]})"},
        SmpCase{"DeleteFromPrimitiveList", R"({"mergingIntList":[1,2,3]})",
                R"({"$deleteFromPrimitiveList/mergingIntList":[2]})", R"({"mergingIntList":[1,3]})"},
        SmpCase{"DeleteFromNonMergingPrimitiveList", R"({"nonMergingIntList":[1,2,3]})",
                R"({"$deleteFromPrimitiveList/nonMergingIntList":[2]})", R"({"nonMergingIntList":[1,3]})"},
        SmpCase{"DeleteNonexistentFromPrimitiveList", R"({"mergingIntList":[1,2]})",
                R"({"$deleteFromPrimitiveList/mergingIntList":[3]})", R"({"mergingIntList":[1,2]})"},
        SmpCase{"DeleteFromNullPrimitiveList", R"({"mergingIntList":null})",
                R"({"$deleteFromPrimitiveList/mergingIntList":[3]})", R"({"mergingIntList":null})"},
        SmpCase{"DeleteFromMissingPrimitiveList", R"({"foo":["bar"]})",
                R"({"$deleteFromPrimitiveList/mergingIntList":[3]})", R"({"foo":["bar"]})"},
        SmpCase{"DeleteItemsInListOfScalars", R"({"mergingIntList":[1,2,3,4]})",
                R"({"$setElementOrder/mergingIntList":[1,2],"$deleteFromPrimitiveList/mergingIntList":[3]})",
                R"({"mergingIntList":[1,2,4]})"},
        SmpCase{"DeleteAllDuplicateScalars", R"({"mergingIntList":[1,2,3,3,4]})",
                R"({"$setElementOrder/mergingIntList":[1,2],"$deleteFromPrimitiveList/mergingIntList":[3]})",
                R"({"mergingIntList":[1,2,4]})"},
        SmpCase{
            "AddAndDeleteScalars", R"({"mergingIntList":[1,2,3,4]})",
            R"({"$setElementOrder/mergingIntList":[1,2,4],"$deleteFromPrimitiveList/mergingIntList":[3]})",
            R"({"mergingIntList":[1,2,4]})"},
        SmpCase{"MergeListsOfScalars", R"({"mergingIntList":[1,2,4]})",
                R"({"$setElementOrder/mergingIntList":[1,2,3],"mergingIntList":[3]})",
                R"({"mergingIntList":[1,2,3,4]})"},
        SmpCase{"AddScalarAndPreserveOrder", R"({"mergingIntList":[1,4,2]})",
                R"({"$setElementOrder/mergingIntList":[3,1,2],"mergingIntList":[3]})",
                R"({"mergingIntList":[3,1,4,2]})"},
        SmpCase{"AddScalarToIntList", R"({"mergingIntList":[1,2]})",
                R"({"$setElementOrder/mergingIntList":[3,1,2],"mergingIntList":[3]})",
                R"({"mergingIntList":[3,1,2]})"},
        SmpCase{"AddScalarsToIntList", R"({"mergingIntList":[1,2]})",
                R"({"$setElementOrder/mergingIntList":[1,4,2,3],"mergingIntList":[4,3]})",
                R"({"mergingIntList":[1,4,2,3]})"},
        SmpCase{"DeleteScalarAndPreserveOrder", R"({"mergingIntList":[1,2,3]})",
                R"({"$setElementOrder/mergingIntList":[2,1],"$deleteFromPrimitiveList/mergingIntList":[3]})",
                R"({"mergingIntList":[2,1]})"},
        SmpCase{"AddAndDeleteScalarPreserveOrder", R"({"mergingIntList":[1,2,3]})",
                R"({"$setElementOrder/mergingIntList":[4,2,1],"mergingIntList":[4],
                    "$deleteFromPrimitiveList/mergingIntList":[3]})",
                R"({"mergingIntList":[4,2,1]})"},
        SmpCase{"SetOrderOfIntList", R"({"mergingIntList":[1,3,4,2]})",
                R"({"$setElementOrder/mergingIntList":[4,2,3,1]})", R"({"mergingIntList":[4,2,3,1]})"},
        SmpCase{"SetOrderOfIntListServerOnly", R"({"mergingIntList":[1,3,4,2,9]})",
                R"({"$setElementOrder/mergingIntList":[4,2,3,1]})", R"({"mergingIntList":[4,2,3,1,9]})"},
        SmpCase{"SetOrderOfIntListServerOnly2", R"({"mergingIntList":[1,2,9,3,4]})",
                R"({"$setElementOrder/mergingIntList":[2,1,4,3]})", R"({"mergingIntList":[2,1,9,4,3]})"},
        SmpCase{"SetOrderOfIntListServerOnly3", R"({"mergingIntList":[1,2,7,9,8,3,4]})",
                R"({"$setElementOrder/mergingIntList":[2,1,4,3]})", R"({"mergingIntList":[2,1,7,9,8,4,3]})"},
        SmpCase{"SetOrderOfIntListWithDuplicates", R"({"mergingIntList":[1,2,3,2,4]})",
                R"({"$setElementOrder/mergingIntList":[2,1,4,3,2]})", R"({"mergingIntList":[2,2,1,4,3]})"},
        SmpCase{"SetOrderNamesMissingScalar", R"({"mergingIntList":[1,3]})",
                R"({"$setElementOrder/mergingIntList":[3,2,1]})", R"({"mergingIntList":[3,1]})"},
        // Lists of maps merged on "name".
        SmpCase{"MergeEmptyLists", R"({"mergingList":[]})", R"({"mergingList":[]})", R"({"mergingList":[]})"},
        SmpCase{"DeleteAllItemsWithReplace", R"({"mergingList":[{"name":1},{"name":2}]})",
                R"({"mergingList":[{"$patch":"replace"}]})", R"({"mergingList":[]})"},
        SmpCase{"DeleteAllMaps", R"({"mergingList":[{"name":1},{"name":2}]})",
                R"({"mergingList":[{"name":1,"$patch":"delete"},{"name":2,"$patch":"delete"}]})",
                R"({"mergingList":[]})"},
        SmpCase{"DeleteAllMapsFromEmptyList", R"({"mergingList":[]})",
                R"({"mergingList":[{"name":1,"$patch":"delete"},{"name":2,"$patch":"delete"}]})",
                R"({"mergingList":[]})"},
        SmpCase{"DeleteAllDuplicateEntries",
                R"({"mergingList":[{"name":1},{"name":1},{"name":2,"value":"a"},{"name":3},{"name":3}]})",
                R"({"mergingList":[{"name":1,"$patch":"delete"},{"name":3,"$patch":"delete"}]})",
                R"({"mergingList":[{"name":2,"value":"a"}]})"},
        SmpCase{"PreserveOrderFromPatch", R"({"mergingList":[{"name":1},{"name":2,"value":"b"},{"name":3}]})",
                R"({"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"},{"name":2,"other":"x"}]})",
                R"({"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"},
                                   {"name":2,"value":"b","other":"x"}]})"},
        SmpCase{"PreserveOrderFromPatch2",
                R"({"mergingList":[{"name":1},{"name":2,"value":"b"},{"name":3}]})",
                R"({"mergingList":[{"name":3,"value":"c"},{"name":1,"value":"a"}]})",
                R"({"mergingList":[{"name":2,"value":"b"},{"name":3,"value":"c"},{"name":1,"value":"a"}]})"},
        SmpCase{"SetOrderNamesMissingMap", R"({"mergingList":[{"name":1},{"name":3}]})",
                R"({"$setElementOrder/mergingList":[{"name":3},{"name":2},{"name":1}],
                    "mergingList":[{"name":3,"value":3},{"name":1,"value":1}]})",
                R"({"mergingList":[{"name":3,"value":3},{"name":1,"value":1}]})"},
        SmpCase{"NestedMergeWithEmptyList", R"({"name":"hi","mergingList":[{"name":"hello2"}]})",
                R"({"$setElementOrder/mergingList":[{"name":"hello"},{"name":"doesntexist"}],
                    "mergingList":[{"name":"hello"},{"$patch":"delete","name":"doesntexist"}]})",
                R"({"name":"hi","mergingList":[{"name":"hello"},{"name":"hello2"}]})"},
        SmpCase{"NestedMergeWithMissingList", R"({"name":"hi"})",
                R"({"mergingList":[{"name":"hello"},{"$patch":"delete","name":"doesntexist"}]})",
                R"({"name":"hi","mergingList":[{"name":"hello"}]})"},
        SmpCase{
            "MergeListsOfMaps",
            R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})",
            R"({"$setElementOrder/mergingList":[{"name":4},{"name":1},{"name":2},{"name":3}],
                    "mergingList":[{"name":4,"value":4},{"name":3,"value":3}]})",
            R"({"mergingList":[{"name":4,"value":4},{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"},
                                   {"name":3,"value":3}]})"},
        SmpCase{
            "MergeListsOfMapsWithConflict",
            R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":3,"other":"b"}]})",
            R"({"$setElementOrder/mergingList":[{"name":1},{"name":2},{"name":3}],
                    "mergingList":[{"name":2,"value":2},{"name":3,"value":3}]})",
            R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"},{"name":3,"value":3}]})"},
        SmpCase{
            "AddFieldToMapInMergingList",
            R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})",
            R"({"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":1,"value":1}]})",
            R"({"mergingList":[{"name":1,"value":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})"},
        SmpCase{"AddFieldToMapInMergingListWithConflict",
                R"({"mergingList":[{"name":1,"other":"a"},{"name":3,"value":2,"other":"b"}]})",
                R"({"$setElementOrder/mergingList":[{"name":1},{"name":2}],
                    "mergingList":[{"name":1,"value":1},{"name":2,"value":2}]})",
                R"({"mergingList":[{"name":1,"value":1,"other":"a"},{"name":2,"value":2},
                                   {"name":3,"value":2,"other":"b"}]})"},
        SmpCase{
            "ReplaceMapFieldValueInMergingList",
            R"({"mergingList":[{"name":1,"value":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})",
            R"({"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":1,"value":"a"}]})",
            R"({"mergingList":[{"name":1,"value":"a","other":"a"},{"name":2,"value":2,"other":"b"}]})"},
        SmpCase{
            "DeleteMapFromMergingList", R"({"mergingList":[{"name":1},{"name":2,"other":"b"}]})",
            R"({"$setElementOrder/mergingList":[{"name":2}],"mergingList":[{"name":1,"$patch":"delete"}]})",
            R"({"mergingList":[{"name":2,"other":"b"}]})"},
        SmpCase{
            "DeleteMissingMapFromMergingList", R"({"mergingList":[{"name":2,"other":"b"}]})",
            R"({"$setElementOrder/mergingList":[{"name":2}],"mergingList":[{"name":1,"$patch":"delete"}]})",
            R"({"mergingList":[{"name":2,"other":"b"}]})"},
        SmpCase{"DeleteMissingMapWithConflict", R"({"mergingList":[{"name":3,"other":"a"}]})",
                R"({"$setElementOrder/mergingList":[{"name":2}],
                    "mergingList":[{"name":2},{"name":1,"$patch":"delete"}]})",
                R"({"mergingList":[{"name":2},{"name":3,"other":"a"}]})"},
        SmpCase{"AddMapAndDeleteMap",
                R"({"mergingList":[{"name":1},{"name":2,"other":"b"},{"name":4,"other":"c"}]})",
                R"({"$setElementOrder/mergingList":[{"name":2},{"name":3}],
                    "mergingList":[{"name":3},{"name":1,"$patch":"delete"}]})",
                R"({"mergingList":[{"name":2,"other":"b"},{"name":4,"other":"c"},{"name":3}]})"},
        SmpCase{"AddMapAndDeleteMapWithConflict",
                R"({"mergingList":[{"name":1,"other":"a"},{"name":4,"other":"c"}]})",
                R"({"$setElementOrder/mergingList":[{"name":2},{"name":3}],
                    "mergingList":[{"name":2},{"name":3},{"name":1,"$patch":"delete"}]})",
                R"({"mergingList":[{"name":4,"other":"c"},{"name":2},{"name":3}]})"},
        SmpCase{
            "DeleteFieldFromMapInMergingList",
            R"({"mergingList":[{"name":1,"value":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})",
            R"({"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":1,"value":null}]})",
            R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})"},
        SmpCase{"ReplaceNonMergingListNestedInMergingList",
                R"({"mergingList":[{"name":1,"other":"a","nonMergingList":[{"name":1},{"name":2,"value":2}]},
                                   {"name":2,"other":"b"}]})",
                R"({"$setElementOrder/mergingList":[{"name":1},{"name":2}],
                    "mergingList":[{"name":1,"nonMergingList":[{"name":1,"value":1}]}]})",
                R"({"mergingList":[{"name":1,"other":"a","nonMergingList":[{"name":1,"value":1}]},
                                   {"name":2,"other":"b"}]})"},
        SmpCase{
            "MergeNestedMergingList",
            R"({"mergingList":[{"name":1,"other":"a","mergingList":[{"name":1},{"name":2,"value":2}]},
                                   {"name":2,"other":"b"}]})",
            R"({"$setElementOrder/mergingList":[{"name":1},{"name":2}],
                    "mergingList":[{"$setElementOrder/mergingList":[{"name":1},{"name":2}],"name":1,
                                    "mergingList":[{"name":1,"value":1}]}]})",
            R"({"mergingList":[{"name":1,"other":"a","mergingList":[{"name":1,"value":1},{"name":2,"value":2}]},
                                   {"name":2,"other":"b"}]})"},
        SmpCase{"MergeNestedMergingListReordered",
                R"({"mergingList":[{"name":1,"other":"a","mergingList":[{"name":2,"value":2,"other":"d"}]},
                                   {"name":2,"other":"b"}]})",
                R"({"$setElementOrder/mergingList":[{"name":1},{"name":2}],
                    "mergingList":[{"$setElementOrder/mergingList":[{"name":2},{"name":1}],"name":1,
                                    "mergingList":[{"name":1,"value":1}]}]})",
                R"({"mergingList":[{"name":1,"other":"a","mergingList":[{"name":2,"value":2,"other":"d"},
                                                                       {"name":1,"value":1}]},
                                   {"name":2,"other":"b"}]})"},
        SmpCase{"AddMapToMergingListByPointer", R"({"mergeItemPtr":[{"name":1,"other":"a"},{"name":3}]})",
                R"({"$setElementOrder/mergeItemPtr":[{"name":1},{"name":2}],"mergeItemPtr":[{"name":2}]})",
                R"({"mergeItemPtr":[{"name":1,"other":"a"},{"name":2},{"name":3}]})"},
        SmpCase{"AddMapToMergingListByPointerWithConflict", R"({"mergeItemPtr":[{"name":3}]})",
                R"({"$setElementOrder/mergeItemPtr":[{"name":1},{"name":2}],
                    "mergeItemPtr":[{"name":1},{"name":2}]})",
                R"({"mergeItemPtr":[{"name":1},{"name":2},{"name":3}]})"},
        SmpCase{
            "AddItemAndPreserveOrder",
            R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})",
            R"({"$setElementOrder/mergingList":[{"name":3},{"name":1},{"name":2}],
                    "mergingList":[{"name":3,"value":3}]})",
            R"({"mergingList":[{"name":3,"value":3},{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})"},
        SmpCase{
            "AddItemsAndPreserveOrder",
            R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"}]})",
            R"({"$setElementOrder/mergingList":[{"name":1},{"name":4},{"name":2},{"name":3}],
                    "mergingList":[{"name":4,"value":4},{"name":3,"value":3}]})",
            R"({"mergingList":[{"name":1,"other":"a"},{"name":4,"value":4},{"name":2,"value":2,"other":"b"},
                                   {"name":3,"value":3}]})"},
        SmpCase{
            "DeleteItemAndPreserveOrder",
            R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"},{"name":3,"value":3}]})",
            R"({"$setElementOrder/mergingList":[{"name":2},{"name":1}],
                    "mergingList":[{"name":3,"$patch":"delete"}]})",
            R"({"mergingList":[{"name":2,"value":2,"other":"b"},{"name":1,"other":"a"}]})"},
        SmpCase{
            "ChangeItemAndPreserveOrder",
            R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"},{"name":3,"value":3}]})",
            R"({"$setElementOrder/mergingList":[{"name":2},{"name":3},{"name":1}],
                    "mergingList":[{"name":3,"value":"x"}]})",
            R"({"mergingList":[{"name":2,"value":2,"other":"b"},{"name":3,"value":"x"},{"name":1,"other":"a"}]})"},
        SmpCase{
            "AddAndDeleteItemAndPreserveOrder",
            R"({"mergingList":[{"name":1,"other":"a"},{"name":2,"value":2,"other":"b"},{"name":3,"value":3}]})",
            R"({"$setElementOrder/mergingList":[{"name":4},{"name":2},{"name":1}],
                    "mergingList":[{"name":4,"value":4},{"name":3,"$patch":"delete"}]})",
            R"({"mergingList":[{"name":4,"value":4},{"name":2,"value":2,"other":"b"},{"name":1,"other":"a"}]})"},
        SmpCase{"SetOrderOfList",
                R"({"mergingList":[{"name":1,"other":"a"},{"name":3,"value":3},{"name":4,"value":4},
                                   {"name":2,"value":2}]})",
                R"({"$setElementOrder/mergingList":[{"name":4},{"name":2},{"name":3},{"name":1}]})",
                R"({"mergingList":[{"name":4,"value":4},{"name":2,"value":2},{"name":3,"value":3},
                                   {"name":1,"other":"a"}]})"},
        SmpCase{"SetOrderOfListServerOnly",
                R"({"mergingList":[{"name":1,"other":"a"},{"name":3},{"name":4},{"name":2},{"name":9}]})",
                R"({"$setElementOrder/mergingList":[{"name":4},{"name":2},{"name":3},{"name":1}]})",
                R"({"mergingList":[{"name":4},{"name":2},{"name":3},{"name":1,"other":"a"},{"name":9}]})"},
        SmpCase{"SetOrderOfListServerOnly2",
                R"({"mergingList":[{"name":1},{"name":2},{"name":9},{"name":3},{"name":4}]})",
                R"({"$setElementOrder/mergingList":[{"name":2},{"name":1},{"name":4},{"name":3}]})",
                R"({"mergingList":[{"name":2},{"name":1},{"name":9},{"name":4},{"name":3}]})"},
        SmpCase{
            "SetOrderOfListServerOnly3",
            R"({"mergingList":[{"name":1},{"name":2},{"name":7},{"name":9},{"name":8},{"name":3},{"name":4}]})",
            R"({"$setElementOrder/mergingList":[{"name":2},{"name":1},{"name":4},{"name":3}]})",
            R"({"mergingList":[{"name":2},{"name":1},{"name":7},{"name":9},{"name":8},{"name":4},{"name":3}]})"},
        SmpCase{
            "SetOrderOfListWithDuplicates",
            R"({"mergingList":[{"name":1},{"name":2,"value":"dup1"},{"name":3},{"name":2,"value":"dup2"},
                                   {"name":4}]})",
            R"({"$setElementOrder/mergingList":[{"name":2},{"name":1},{"name":4},{"name":3},{"name":2}]})",
            R"({"mergingList":[{"name":2,"value":"dup1"},{"name":2,"value":"dup2"},{"name":1},{"name":4},
                                   {"name":3}]})"},
        SmpCase{"DeleteAndReorderInOneListReorderInAnother",
                R"({"mergingList":[{"name":"a","value":"a"},{"name":"b","value":"b"}],
                    "mergeItemPtr":[{"name":"c","value":"c"},{"name":"d","value":"d"}]})",
                R"({"$setElementOrder/mergingList":[{"name":"b"}],
                    "$setElementOrder/mergeItemPtr":[{"name":"d"},{"name":"c"}],
                    "mergingList":[{"$patch":"delete","name":"a"}]})",
                R"({"mergingList":[{"name":"b","value":"b"}],
                    "mergeItemPtr":[{"name":"d","value":"d"},{"name":"c","value":"c"}]})"},
        // retainKeys.
        SmpCase{"RetainKeysMapAddsFieldWithoutDirective", R"({"retainKeysMap":{"name":"foo"}})",
                R"({"retainKeysMap":{"value":"bar"}})", R"({"retainKeysMap":{"name":"foo","value":"bar"}})"},
        SmpCase{"RetainKeysMapMergeEmptyMap", R"({"retainKeysMap":{"name":"foo","value":"a"}})",
                R"({"retainKeysMap":{}})", R"({"retainKeysMap":{"name":"foo","value":"a"}})"},
        SmpCase{"RetainKeysClearsDefaultedField", R"({"retainKeysMap":{"value":"foo"}})",
                R"({"retainKeysMap":{"$retainKeys":["other"],"other":"bar"}})",
                R"({"retainKeysMap":{"other":"bar"}})"},
        SmpCase{"RetainKeysDiscriminatedUnion", R"({"retainKeysMap":{"name":"type1","value":"foo"}})",
                R"({"retainKeysMap":{"$retainKeys":["name","other"],"name":"type2","other":"bar"}})",
                R"({"retainKeysMap":{"name":"type2","other":"bar"}})"},
        SmpCase{"RetainKeysAddsAndClears", R"({"retainKeysMap":{"name":"foo","other":"a"}})",
                R"({"retainKeysMap":{"$retainKeys":["name","value"],"value":"bar"}})",
                R"({"retainKeysMap":{"name":"foo","value":"bar"}})"},
        SmpCase{"RetainKeysDeletesAndClears", R"({"retainKeysMap":{"name":"foo","value":"bar","other":"a"}})",
                R"({"retainKeysMap":{"$retainKeys":["name"],"value":null}})",
                R"({"retainKeysMap":{"name":"foo"}})"},
        SmpCase{"RetainKeysOnlyClears", R"({"retainKeysMap":{"name":"foo","value":"bar","other":"a"}})",
                R"({"retainKeysMap":{"$retainKeys":["name","value"]}})",
                R"({"retainKeysMap":{"name":"foo","value":"bar"}})"},
        SmpCase{"RetainKeysNestedMap", R"({"retainKeysMap":{"name":"foo","value":"bar",
                                                            "simpleMap":{"key1":"a","key2":"b","key3":"c"}}})",
                R"({"retainKeysMap":{"$retainKeys":["name","simpleMap","value"],"simpleMap":{"key2":null}}})",
                R"({"retainKeysMap":{"name":"foo","value":"bar","simpleMap":{"key1":"a","key3":"c"}}})"},
        SmpCase{
            "RetainKeysDeletesNestedNonMergingList",
            R"({"retainKeysMap":{"name":"foo","nonMergingList":[{"name":"a"},{"name":"b"},{"name":"c"}]}})",
            R"({"retainKeysMap":{"$retainKeys":["name","value"],"value":"bar","nonMergingList":null}})",
            R"({"retainKeysMap":{"name":"foo","value":"bar"}})"},
        SmpCase{"RetainKeysNestedIntListNoChange",
                R"({"retainKeysMap":{"name":"foo","mergingIntList":[1,2,3]}})",
                R"({"retainKeysMap":{"$retainKeys":["mergingIntList","name","value"],
                                     "$setElementOrder/mergingIntList":[1,2],"value":"bar"}})",
                R"({"retainKeysMap":{"name":"foo","value":"bar","mergingIntList":[1,2,3]}})"},
        SmpCase{"RetainKeysAddsToNestedIntList",
                R"({"retainKeysMap":{"name":"foo","mergingIntList":[1,2,3]}})",
                R"({"retainKeysMap":{"$setElementOrder/mergingIntList":[1,2,4],
                                     "$retainKeys":["mergingIntList","name"],"mergingIntList":[4]}})",
                R"({"retainKeysMap":{"name":"foo","mergingIntList":[1,2,4,3]}})"},
        SmpCase{"RetainKeysDeletesFromNestedIntList",
                R"({"retainKeysMap":{"name":"foo","mergingIntList":[1,2,3,4]}})",
                R"({"retainKeysMap":{"$retainKeys":["mergingIntList","name"],
                                     "$deleteFromPrimitiveList/mergingIntList":[2],
                                     "$setElementOrder/mergingIntList":[1,3]}})",
                R"({"retainKeysMap":{"name":"foo","mergingIntList":[1,3,4]}})"},
        SmpCase{"RetainKeysAddsAndDeletesInNestedIntList",
                R"({"retainKeysMap":{"name":"foo","mergingIntList":[1,2,3,4]}})",
                R"({"retainKeysMap":{"$retainKeys":["mergingIntList","name"],"mergingIntList":[5],
                                     "$deleteFromPrimitiveList/mergingIntList":[2],
                                     "$setElementOrder/mergingIntList":[1,3,5]}})",
                R"({"retainKeysMap":{"name":"foo","mergingIntList":[1,3,5,4]}})"},
        SmpCase{"RetainKeysAddsToNestedMergingList",
                R"({"retainKeysMap":{"name":"foo","mergingList":[{"name":"a"},{"name":"b"},{"name":"x"}]}})",
                R"({"retainKeysMap":{"$retainKeys":["mergingList","name"],
                                     "$setElementOrder/mergingList":[{"name":"a"},{"name":"b"},{"name":"c"}],
                                     "mergingList":[{"name":"c"}]}})",
                R"({"retainKeysMap":{"name":"foo",
                                     "mergingList":[{"name":"a"},{"name":"b"},{"name":"c"},{"name":"x"}]}})"},
        SmpCase{"RetainKeysDeletesFromNestedMergingList",
                R"({"retainKeysMap":{"name":"foo","mergingList":[{"name":"a"},{"name":"b"},{"name":"x"}]}})",
                R"({"retainKeysMap":{"$retainKeys":["mergingList","name"],
                                     "$setElementOrder/mergingList":[{"name":"a"}],
                                     "mergingList":[{"name":"b","$patch":"delete"}]}})",
                R"({"retainKeysMap":{"name":"foo","mergingList":[{"name":"a"},{"name":"x"}]}})"},
        SmpCase{"RetainKeysListCanDeleteWithoutDirective",
                R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a"}]})",
                R"({"retainKeysMergingList":[{"name":"foo","value":null}]})",
                R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo"}]})"},
        SmpCase{"RetainKeysListClearsField",
                R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a","other":"x"}]})",
                R"({"$setElementOrder/retainKeysMergingList":[{"name":"bar"},{"name":"foo"}],
                    "retainKeysMergingList":[{"$retainKeys":["name","value"],"name":"foo"}]})",
                R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"a"}]})"},
        SmpCase{"RetainKeysListChangesAndClears",
                R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"modified","other":"x"}]})",
                R"({"$setElementOrder/retainKeysMergingList":[{"name":"bar"},{"name":"foo"}],
                    "retainKeysMergingList":[{"$retainKeys":["name","value"],"name":"foo","value":"new"}]})",
                R"({"retainKeysMergingList":[{"name":"bar"},{"name":"foo","value":"new"}]})"},
        // replace strategy (a RawExtension upstream).
        SmpCase{"ReplaceRawExtensionField",
                R"({"name":"my-object","mergingList":[{"name":1},{"name":3}],
                    "replacingItem":{"Some":"Generic","Yaml":"Inside","The":"RawExtension","Field":"Period"}})",
                R"({"$setElementOrder/mergingList":[{"name":1},{"name":2}],"mergingList":[{"name":2}],
                    "replacingItem":{"Newly":"Modified","Yaml":"Inside","The":"RawExtension"}})",
                R"({"name":"my-object","mergingList":[{"name":1},{"name":2},{"name":3}],
                    "replacingItem":{"Newly":"Modified","Yaml":"Inside","The":"RawExtension"}})"},
        // Fields the schema does not know.
        SmpCase{"UnknownDiscardsNullsInNested", R"({"name":"foo"})",
                R"({"complex_nullable":{"key":{"keynotnull":"value","keynull":null}}})",
                R"({"name":"foo","complex_nullable":{"key":{"keynotnull":"value"}}})"},
        SmpCase{"UnknownAllNulls", R"({})", R"({"complex":{"nested":null}})", R"({"complex":{}})"},
        SmpCase{"UnknownNullsInOriginalPreserved", R"({"complex":{"key":null},"thing":null})",
                R"({"nested":{"value":5}})", R"({"complex":{"key":null},"nested":{"value":5},"thing":null})"},
        SmpCase{"UnknownFilterNullsFromNestedSlices", R"({})",
                R"({"complex_nullable":[{"inner_one":{"key_one":"foo","key_two":null}}]})",
                R"({"complex_nullable":[{"inner_one":{"key_one":"foo"}}]})"},
        SmpCase{"UnknownKeepsNullsInScalarSlice", R"({})", R"({"complex_nullable":["key1",null,"key2"]})",
                R"({"complex_nullable":["key1",null,"key2"]})"},
        SmpCase{"UnknownAddEmptySlice", R"({"name":"foo"})", R"({"complex_nullable":[]})",
                R"({"name":"foo","complex_nullable":[]})"},
        SmpCase{"UnknownRemoved", R"({"name":"foo","scalar":true,"complex":{"nested":true},"array":[1,2,3]})",
                R"({"complex":null,"scalar":null})", R"({"array":[1,2,3],"name":"foo"})"}),
    [](const ::testing::TestParamInfo<SmpCase>& info) { return std::string(info.param.name); });

// --- what kubectl sends, on the project schema --------------------------------

struct KindCase {
  const char* name;
  const char* api_version;
  const char* kind;
  const char* current;
  const char* patch;
  const char* want;
};

void PrintTo(const KindCase& c, std::ostream* os) { *os << c.name; }

class KubectlCases : public ::testing::TestWithParam<KindCase> {};

TEST_P(KubectlCases, MatchUpstreamResult) {
  const KindCase& c = GetParam();
  const api::Schema& schema = api::Schema::Default();
  const api::Kind* kind = schema.ResolveKind(c.api_version, c.kind);
  ASSERT_NE(kind, nullptr) << c.kind;
  ExpectPatchResult(SmpCase{c.name, c.current, c.patch, c.want}, *kind->definition);
}

INSTANTIATE_TEST_SUITE_P(
    ProjectSchema, KubectlCases,
    ::testing::Values(
        // kubectl apply, captured body 1 (kubectl-contract.md §4): replicas,
        // image, env removed, a port added and ordered.
        KindCase{
            "KubectlApplyCapturedBody1", "apps/v1", "Deployment",
            R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},
                     "spec":{"replicas":1,"selector":{"matchLabels":{"app":"web"}},
                       "template":{"metadata":{"labels":{"app":"web"}},
                         "spec":{"containers":[{"name":"nginx","image":"nginx:1.25",
                                   "env":[{"name":"A","value":"1"}],
                                   "ports":[{"containerPort":80,"protocol":"TCP"}],
                                   "terminationMessagePath":"/dev/termination-log"}],
                                 "restartPolicy":"Always"}}}})",
            R"({"spec":{"replicas":3,"template":{"spec":{"$setElementOrder/containers":[{"name":"nginx"}],
                     "containers":[{"$setElementOrder/ports":[{"containerPort":80},{"containerPort":443}],"env":null,
                                    "image":"nginx:1.26","name":"nginx","ports":[{"containerPort":443}]}]}}}})",
            R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"default"},
                     "spec":{"replicas":3,"selector":{"matchLabels":{"app":"web"}},
                       "template":{"metadata":{"labels":{"app":"web"}},
                         "spec":{"containers":[{"name":"nginx","image":"nginx:1.26",
                                   "ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":443}],
                                   "terminationMessagePath":"/dev/termination-log"}],
                                 "restartPolicy":"Always"}}}})"},
        // kubectl apply, captured body 2: strategy and a volume switched
        // with $retainKeys, a container, an env var, a mount and a volume
        // deleted, tolerations dropped, args replaced.
        KindCase{"KubectlApplyCapturedBody2", "apps/v1", "Deployment",
                 R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
                     "spec":{"replicas":1,
                       "strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%","maxUnavailable":"25%"}},
                       "template":{"spec":{
                         "containers":[{"name":"a","image":"busybox","args":["sleep","1"],
                                        "env":[{"name":"XA","value":"1"},{"name":"YB","value":"2"}],
                                        "volumeMounts":[{"name":"v1","mountPath":"/a"},{"name":"v2","mountPath":"/b"}]},
                                       {"name":"b","image":"busybox"}],
                         "tolerations":[{"key":"k","operator":"Exists"}],
                         "volumes":[{"name":"v1","emptyDir":{}},
                                    {"name":"v2","configMap":{"name":"cm","defaultMode":420}}]}}}})",
                 R"({"spec":{"strategy":{"$retainKeys":["type"],"rollingUpdate":null,"type":"Recreate"},
                     "template":{"spec":{"$setElementOrder/containers":[{"name":"a"}],
                                         "$setElementOrder/volumes":[{"name":"v2"}],
                       "containers":[{"$setElementOrder/env":[{"name":"YB"}],
                                      "$setElementOrder/volumeMounts":[{"mountPath":"/b"}],
                                      "args":["sleep","2"],"env":[{"name":"YB","value":"3"},
                                                                  {"$patch":"delete","name":"XA"}],
                                      "name":"a","volumeMounts":[{"$patch":"delete","mountPath":"/a"}]},
                                     {"$patch":"delete","name":"b"}],
                       "tolerations":null,
                       "volumes":[{"$retainKeys":["name","secret"],"configMap":null,"name":"v2",
                                   "secret":{"secretName":"s"}},
                                  {"$patch":"delete","name":"v1"}]}}}})",
                 R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"d"},
                     "spec":{"replicas":1,"strategy":{"type":"Recreate"},
                       "template":{"spec":{
                         "containers":[{"name":"a","image":"busybox","args":["sleep","2"],
                                        "env":[{"name":"YB","value":"3"}],
                                        "volumeMounts":[{"name":"v2","mountPath":"/b"}]}],
                         "volumes":[{"name":"v2","secret":{"secretName":"s"}}]}}}})"},
        KindCase{"KubectlApplyConfigMap", "v1", "ConfigMap",
                 R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","annotations":{"x":"1"}},
                     "data":{"k":"v","k2":"old","k3":"keep"}})",
                 R"({"data":{"k":null,"k2":"v2"},
                     "metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}\n"}}})",
                 R"({"apiVersion":"v1","kind":"ConfigMap",
                     "metadata":{"name":"c","annotations":{"x":"1",
                                 "kubectl.kubernetes.io/last-applied-configuration":"{}\n"}},
                     "data":{"k2":"v2","k3":"keep"}})"},
        KindCase{"KubectlCordon", "v1", "Node",
                 R"({"metadata":{"name":"n1"},"spec":{"podCIDR":"10.0.0.0/24"}})",
                 R"({"spec":{"unschedulable":true}})",
                 R"({"metadata":{"name":"n1"},"spec":{"podCIDR":"10.0.0.0/24","unschedulable":true}})"},
        KindCase{"KubectlRolloutRestart", "apps/v1", "Deployment",
                 R"({"spec":{"template":{"metadata":{"labels":{"app":"web"}},
                     "spec":{"containers":[{"name":"c","image":"i"}]}}}})",
                 R"({"spec":{"template":{"metadata":{"annotations":{
                     "kubectl.kubernetes.io/restartedAt":"2025-01-01T00:00:00Z"}}}}})",
                 R"({"spec":{"template":{"metadata":{"labels":{"app":"web"},
                     "annotations":{"kubectl.kubernetes.io/restartedAt":"2025-01-01T00:00:00Z"}},
                     "spec":{"containers":[{"name":"c","image":"i"}]}}}})"},
        KindCase{
            "KubectlSetImage", "apps/v1", "Deployment",
            R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:1"}]}}}})",
            R"({"spec":{"template":{"spec":{"containers":[{"name":"b","image":"b:2"}]}}}})",
            R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"a:1"},{"name":"b","image":"b:2"}]}}}})"},
        // A new element of a merging list goes before the server's ones
        // when nothing orders it (upstream's mergeSortedSlice).
        KindCase{"NewContainerGoesFirst", "v1", "Pod",
                 R"({"spec":{"containers":[{"name":"a","image":"x"}]}})",
                 R"({"spec":{"containers":[{"name":"sidecar","image":"y"}]}})",
                 R"({"spec":{"containers":[{"name":"sidecar","image":"y"},{"name":"a","image":"x"}]}})"},
        KindCase{"ServicePortsMergeOnPort", "v1", "Service",
                 R"({"spec":{"ports":[{"name":"http","port":80,"targetPort":8080,"protocol":"TCP"}],
                     "selector":{"app":"web"}}})",
                 R"({"spec":{"ports":[{"name":"http","port":80,"targetPort":9090},
                                      {"name":"https","port":443,"targetPort":8443}]}})",
                 R"({"spec":{"ports":[{"name":"http","port":80,"targetPort":9090,"protocol":"TCP"},
                                      {"name":"https","port":443,"targetPort":8443}],
                     "selector":{"app":"web"}}})"},
        KindCase{"NodeStatusConditionsMergeOnType", "v1", "Node",
                 R"({"status":{"conditions":[{"type":"Ready","status":"True","reason":"KubeletReady"},
                                             {"type":"MemoryPressure","status":"False"}],
                     "addresses":[{"type":"InternalIP","address":"10.0.0.1"}]}})",
                 R"({"status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady"}],
                     "addresses":[{"type":"Hostname","address":"n1"}]}})",
                 R"({"status":{"conditions":[{"type":"Ready","status":"False","reason":"KubeletNotReady"},
                                             {"type":"MemoryPressure","status":"False"}],
                     "addresses":[{"type":"Hostname","address":"n1"},{"type":"InternalIP","address":"10.0.0.1"}]}})"},
        KindCase{"FinalizersMergeAsSet", "v1", "ConfigMap", R"({"metadata":{"finalizers":["a","b"]}})",
                 R"({"metadata":{"finalizers":["b","c"]}})", R"({"metadata":{"finalizers":["a","b","c"]}})"},
        KindCase{"FinalizersDeleteFromPrimitiveList", "v1", "ConfigMap",
                 R"({"metadata":{"finalizers":["a","b","c"]}})",
                 R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["b","x"]}})",
                 R"({"metadata":{"finalizers":["a","c"]}})"},
        KindCase{"FinalizersSetElementOrder", "v1", "ConfigMap",
                 R"({"metadata":{"finalizers":["a","b","c"]}})",
                 R"({"metadata":{"$setElementOrder/finalizers":["c","a","d"],"finalizers":["d"],
                                 "$deleteFromPrimitiveList/finalizers":["b"]}})",
                 R"({"metadata":{"finalizers":["c","a","d"]}})"},
        KindCase{
            "OwnerReferencesMergeOnUid", "apps/v1", "ReplicaSet",
            R"({"metadata":{"ownerReferences":[{"uid":"u1","kind":"Deployment","name":"d","controller":true}]}})",
            R"({"metadata":{"ownerReferences":[{"uid":"u1","blockOwnerDeletion":true}]}})",
            R"({"metadata":{"ownerReferences":[{"uid":"u1","kind":"Deployment","name":"d","controller":true,
                                                     "blockOwnerDeletion":true}]}})"},
        KindCase{
            "AtomicListsReplace", "v1", "Pod",
            R"({"spec":{"containers":[{"name":"a","args":["x","y"],"command":["sh"]}],
                     "tolerations":[{"key":"a"},{"key":"b"}]}})",
            R"({"spec":{"containers":[{"name":"a","args":["z"]}],"tolerations":[{"key":"c"}]}})",
            R"({"spec":{"containers":[{"name":"a","args":["z"],"command":["sh"]}],"tolerations":[{"key":"c"}]}})"},
        KindCase{"MapsMergeRecursively", "v1", "Pod",
                 R"({"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"nodeSelector":{"disk":"ssd"},
                     "securityContext":{"runAsUser":1,"fsGroup":2}}})",
                 R"({"metadata":{"labels":{"b":null,"c":"3"}},"spec":{"securityContext":{"fsGroup":3}}})",
                 R"({"metadata":{"labels":{"a":"1","c":"3"}},"spec":{"nodeSelector":{"disk":"ssd"},
                     "securityContext":{"runAsUser":1,"fsGroup":3}}})"},
        KindCase{"NullDeletesField", "v1", "Pod", R"({"spec":{"hostNetwork":true,"dnsPolicy":"Default"}})",
                 R"({"spec":{"hostNetwork":null,"absent":null}})", R"({"spec":{"dnsPolicy":"Default"}})"},
        KindCase{"PatchDeleteOnListElement", "v1", "Pod",
                 R"({"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}})",
                 R"({"spec":{"containers":[{"$patch":"delete","name":"b"}]}})",
                 R"({"spec":{"containers":[{"name":"a"},{"name":"c"}]}})"},
        KindCase{"PatchDeleteOnMap", "v1", "Pod",
                 R"({"spec":{"securityContext":{"runAsUser":1},"hostPID":true}})",
                 R"({"spec":{"securityContext":{"$patch":"delete"}}})",
                 R"({"spec":{"securityContext":{},"hostPID":true}})"},
        KindCase{"PatchReplaceOnMap", "v1", "Pod", R"({"metadata":{"labels":{"a":"1","b":"2"}}})",
                 R"({"metadata":{"labels":{"$patch":"replace","c":"3"}}})",
                 R"({"metadata":{"labels":{"c":"3"}}})"},
        KindCase{"PatchReplaceOnList", "v1", "Pod",
                 R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}})",
                 R"({"spec":{"containers":[{"$patch":"replace"},{"name":"c","image":"z"}]}})",
                 R"({"spec":{"containers":[{"name":"c","image":"z"}]}})"},
        KindCase{"ReplaceStrategyObject", "policy/v1", "PodDisruptionBudget",
                 R"({"spec":{"minAvailable":1,"selector":{"matchLabels":{"a":"1"},
                     "matchExpressions":[{"key":"k","operator":"Exists"}]}}})",
                 R"({"spec":{"selector":{"matchLabels":{"b":"2"}}}})",
                 R"({"spec":{"minAvailable":1,"selector":{"matchLabels":{"b":"2"}}}})"},
        KindCase{
            "RetainKeysOnVolumeWithoutDirectiveMerges", "v1", "Pod",
            R"({"spec":{"volumes":[{"name":"v","configMap":{"name":"a"}}]}})",
            R"({"spec":{"volumes":[{"name":"v","secret":{"secretName":"s"}}]}})",
            R"({"spec":{"volumes":[{"name":"v","configMap":{"name":"a"},"secret":{"secretName":"s"}}]}})"},
        // Directives inside values the object does not have yet are
        // applied to nothing and removed.
        KindCase{"DirectivesInNewValuesRemoved", "v1", "Pod", R"({"spec":{"containers":[{"name":"a"}]}})",
                 R"({"spec":{"$setElementOrder/initContainers":[{"name":"i"}],
                     "initContainers":[{"name":"i","image":"busybox","command":null,
                       "$setElementOrder/env":[{"name":"E"}],
                       "env":[{"name":"E","value":"1"},{"$patch":"delete","name":"GONE"}],
                       "securityContext":{"$patch":"delete"},
                       "resources":{"$retainKeys":["limits"],"limits":{"cpu":"1"}}}]}})",
                 R"({"spec":{"containers":[{"name":"a"}],
                     "initContainers":[{"name":"i","image":"busybox","env":[{"name":"E","value":"1"}],
                                       "resources":{"limits":{"cpu":"1"}}}]}})"},
        KindCase{"ReplaceDirectiveOnAbsentMapKeepsContent", "v1", "Pod", R"({"spec":{}})",
                 R"({"spec":{"securityContext":{"$patch":"replace","runAsUser":5}}})",
                 R"({"spec":{"securityContext":{"runAsUser":5}}})"},
        KindCase{"UnknownFieldMergesAsPlainJson", "v1", "Pod",
                 R"({"spec":{"madeUp":{"a":1,"list":[{"name":"x"}]}}})",
                 R"({"spec":{"madeUp":{"b":2,"list":[{"name":"y"}],"gone":null}}})",
                 R"({"spec":{"madeUp":{"a":1,"b":2,"list":[{"name":"y"}]}}})"},
        KindCase{
            "FreeFormRawExtensionMergesAsPlainJson", "apps/v1", "ControllerRevision",
            R"({"revision":1,"data":{"spec":{"template":{"a":1,"containers":[{"name":"x","image":"1"}]}}}})",
            R"({"data":{"spec":{"template":{"b":2,"containers":[{"name":"y"}]}}}})",
            R"({"revision":1,"data":{"spec":{"template":{"a":1,"b":2,"containers":[{"name":"y"}]}}}})"},
        KindCase{"QuantityMapValuesReplace", "v1", "Node",
                 R"({"status":{"capacity":{"cpu":"2","memory":"1Gi"}}})",
                 R"({"status":{"capacity":{"cpu":"4"}}})",
                 R"({"status":{"capacity":{"cpu":"4","memory":"1Gi"}}})"},
        KindCase{"NullPatchValueOfWholeSpec", "v1", "Pod",
                 R"({"metadata":{"name":"p"},"spec":{"hostPID":true}})", R"({"spec":null})",
                 R"({"metadata":{"name":"p"}})"}),
    [](const ::testing::TestParamInfo<KindCase>& info) { return std::string(info.param.name); });

// --- errors --------------------------------------------------------------------

struct ErrorCase {
  const char* name;
  const char* current;
  const char* patch;
  StatusCode code;
  const char* message_part;
};

void PrintTo(const ErrorCase& c, std::ostream* os) { *os << c.name; }

class Errors : public ::testing::TestWithParam<ErrorCase> {};

TEST_P(Errors, AreReported) {
  const ErrorCase& c = GetParam();
  StatusOr<json> got = PatchPod(json::parse(c.current), json::parse(c.patch));
  ASSERT_FALSE(got.ok()) << got->dump();
  EXPECT_EQ(got.status().code(), c.code) << got.status().ToString();
  EXPECT_NE(got.status().message().find(c.message_part), std::string::npos) << got.status().message();
}

INSTANTIATE_TEST_SUITE_P(
    Pod, Errors,
    ::testing::Values(
        ErrorCase{"PatchNotAnObject", R"({})", R"([{"op":"add"}])", StatusCode::kBadRequest,
                  "json: cannot unmarshal array into Go value of type map[string]interface {}"},
        ErrorCase{"MergeDirectiveOnMap", R"({"spec":{"securityContext":{"runAsUser":1}}})",
                  R"({"spec":{"securityContext":{"$patch":"merge","fsGroup":1}}})", StatusCode::kBadRequest,
                  "unknown patch type: merge in map: "},
        ErrorCase{"MergeDirectiveInList", R"({"spec":{"containers":[{"name":"a"}]}})",
                  R"({"spec":{"containers":[{"$patch":"merge"},{"name":"b"}]}})", StatusCode::kBadRequest,
                  "merging lists cannot yet be specified in the patch"},
        ErrorCase{"UnknownDirectiveOnMap", R"({"spec":{}})", R"({"spec":{"$patch":"bogus"}})",
                  StatusCode::kBadRequest, "unknown patch type: bogus in map: {\"$patch\":\"bogus\"}"},
        ErrorCase{"UnknownDirectiveInListElement", R"({"spec":{"containers":[{"name":"a"}]}})",
                  R"({"spec":{"containers":[{"$patch":"bogus","name":"a"}]}})", StatusCode::kBadRequest,
                  "unknown patch type: bogus in map: "},
        ErrorCase{"UnknownDirectiveInNewValue", R"({"spec":{}})",
                  R"({"spec":{"securityContext":{"$patch":7}}})", StatusCode::kBadRequest,
                  "unknown patch type: 7 in map: "},
        ErrorCase{"MissingMergeKey", R"({"spec":{"containers":[{"name":"a","image":"x"}]}})",
                  R"({"spec":{"containers":[{"image":"y"}]}})", StatusCode::kBadRequest,
                  "map: {\"image\":\"y\"} does not contain declared merge key: name"},
        ErrorCase{"DeleteWithoutMergeKey", R"({"spec":{"containers":[{"name":"a"}]}})",
                  R"({"spec":{"containers":[{"$patch":"delete"}]}})", StatusCode::kBadRequest,
                  "does not contain declared merge key: name"},
        ErrorCase{"RetainKeysNotAList", R"({"spec":{}})",
                  R"({"spec":{"$retainKeys":"hostPID","hostPID":true}})", StatusCode::kBadRequest,
                  "invalid patch format of retainKeys"},
        ErrorCase{"RetainKeysMissingPatchedField", R"({"spec":{}})",
                  R"({"spec":{"$retainKeys":["hostPID"],"hostPID":true,"hostIPC":true}})",
                  StatusCode::kBadRequest, "invalid patch format of retainKeys"},
        ErrorCase{"SetElementOrderDisagrees",
                  R"({"spec":{"containers":[{"name":"a"},{"name":"c"},{"name":"b"}]}})",
                  R"({"spec":{"$setElementOrder/containers":[{"name":"a"},{"name":"b"},{"name":"c"}],
                      "containers":[{"name":"c","image":"3"},{"name":"a","image":"1"}]}})",
                  StatusCode::kBadRequest, "doesn't match $setElementOrder list"},
        ErrorCase{"SetElementOrderOfScalarsDisagrees", R"({"metadata":{"finalizers":["a","c","b"]}})",
                  R"({"metadata":{"$setElementOrder/finalizers":["a","b","c"],"finalizers":["c","a"]}})",
                  StatusCode::kBadRequest, "doesn't match"},
        ErrorCase{"SetElementOrderNotAList", R"({"spec":{}})",
                  R"({"spec":{"$setElementOrder/containers":{}}})", StatusCode::kBadRequest,
                  "invalid patch format of setElementOrder list"},
        ErrorCase{"SetElementOrderWithoutField", R"({"spec":{}})", R"({"spec":{"$setElementOrder":[]}})",
                  StatusCode::kBadRequest, "invalid patch format of setElementOrder list"},
        ErrorCase{"SetElementOrderItemWithoutKey", R"({"spec":{"containers":[{"name":"a"}]}})",
                  R"({"spec":{"$setElementOrder/containers":[{"image":"a"}],"containers":[{"name":"a"}]}})",
                  StatusCode::kBadRequest, "does not contain declared merge key: name"},
        ErrorCase{"DeleteFromPrimitiveListWithoutField", R"({"metadata":{"finalizers":["a"]}})",
                  R"({"metadata":{"$deleteFromPrimitiveListfinalizers":["a"]}})", StatusCode::kBadRequest,
                  "invalid patch format of primitive list"},
        ErrorCase{"DeleteFromPrimitiveListNotAList", R"({"metadata":{"finalizers":["a"]}})",
                  R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}})", StatusCode::kBadRequest,
                  "invalid patch format of primitive list"},
        ErrorCase{"DeleteFromPrimitiveListOfObjects", R"({"spec":{"containers":[{"name":"a"}]}})",
                  R"({"spec":{"$deleteFromPrimitiveList/containers":[{"name":"a"}]}})",
                  StatusCode::kBadRequest, "invalid patch format of primitive list"},
        ErrorCase{"MixedElementTypes", R"({"metadata":{"finalizers":["a"]}})",
                  R"({"metadata":{"finalizers":[1]}})", StatusCode::kBadRequest,
                  "list element types are not identical"},
        ErrorCase{"MixedElementTypesInMapList", R"({"spec":{"containers":[{"name":"a"}]}})",
                  R"({"spec":{"containers":["a"]}})", StatusCode::kBadRequest,
                  "list element types are not identical"},
        ErrorCase{"ListOfLists", R"({"metadata":{"finalizers":[["a"]]}})",
                  R"({"metadata":{"finalizers":[["b"]]}})", StatusCode::kInvalid,
                  "lists of lists are not supported"}),
    [](const ::testing::TestParamInfo<ErrorCase>& info) { return std::string(info.param.name); });

TEST(StrategicMergePatchTest, NullPatchChangesNothing) {
  const json pod = json::parse(R"({"metadata":{"name":"p"}})");
  StatusOr<json> got = PatchPod(pod, json(nullptr));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, pod);
}

TEST(StrategicMergePatchTest, DeleteDirectiveOnWholeObjectEmptiesIt) {
  StatusOr<json> got =
      PatchPod(json::parse(R"({"metadata":{"name":"p"},"spec":{}})"), json::parse(R"({"$patch":"delete"})"));
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, json::object());
}

TEST(StrategicMergePatchTest, ResultDoesNotDependOnKeyOrder) {
  // Upstream walks the patch's keys in Go's random map order, so a list
  // that is both added to and deleted from must come out the same either
  // way round (add-then-delete and delete-then-add both give [4,2,3]).
  const api::Schema& schema = MergeItemSchema();
  const api::Definition& def = *schema.FindDefinition("test.MergeItem");
  StatusOr<json> got = ApplyStrategicMergePatch(
      json::parse(R"({"mergingIntList":[1,2,3],"nonMergingIntList":[1,2,3]})"),
      json::parse(R"({"mergingIntList":[4],"$deleteFromPrimitiveList/mergingIntList":[1],
                      "$deleteFromPrimitiveList/nonMergingIntList":[2]})"),
      def);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, json::parse(R"({"mergingIntList":[4,2,3],"nonMergingIntList":[1,3]})"));
}

TEST(StrategicMergePatchTest, DeepNestingIsRefusedNotCrashing) {
  auto nested = [](int levels) {
    json value = "leaf";
    for (int i = 0; i < levels; ++i) value = json{{"x", std::move(value)}, {"y", json::array({1})}};
    return value;
  };
  // 100 levels of an unknown (free-form) field merge fine.
  StatusOr<json> shallow = PatchPod(json::object({{"deep", nested(100)}}), json::object({{"deep", nested(100)}}));
  ASSERT_TRUE(shallow.ok()) << shallow.status().ToString();
  for (const json& doc : {json::object(), json::object({{"deep", nested(5000)}})}) {
    StatusOr<json> got = PatchPod(doc, json::object({{"deep", nested(5000)}}));
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kBadRequest);
    EXPECT_EQ(got.status().message(), "the patch nests objects and lists more than 1000 levels deep");
  }
}

TEST(StrategicMergePatchTest, LongListsMerge) {
  // A request body may hold tens of thousands of list items; merging must
  // not be quadratic in them (this case took minutes when it was).
  constexpr int kItems = 20000;
  json live = json::array(), patch_env = json::array(), order = json::array();
  json finalizers = json::array(), more_finalizers = json::array();
  for (int i = 0; i < kItems; ++i) {
    live.push_back({{"name", "v" + std::to_string(i)}, {"value", "old"}});
    patch_env.push_back({{"name", "v" + std::to_string(kItems - 1 - i)}, {"value", "new"}});
    order.push_back({{"name", "v" + std::to_string(kItems - 1 - i)}});
    finalizers.push_back("f" + std::to_string(i));
    more_finalizers.push_back("g" + std::to_string(i));
  }
  json pod = {{"metadata", {{"finalizers", finalizers}}},
              {"spec", {{"containers", json::array({{{"name", "c"}, {"env", live}}})}}}};
  json patch = {{"metadata", {{"finalizers", more_finalizers}}},
                {"spec",
                 {{"containers",
                   json::array({{{"name", "c"}, {"env", patch_env}, {"$setElementOrder/env", order}}})}}}};
  StatusOr<json> got = PatchPod(pod, patch);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  const json& env = (*got)["spec"]["containers"][0]["env"];
  ASSERT_EQ(env.size(), static_cast<size_t>(kItems));
  EXPECT_EQ(env.front(), json({{"name", "v" + std::to_string(kItems - 1)}, {"value", "new"}}));
  EXPECT_EQ(env.back(), json({{"name", "v0"}, {"value", "new"}}));
  EXPECT_EQ((*got)["metadata"]["finalizers"].size(), static_cast<size_t>(2 * kItems));
}

}  // namespace
}  // namespace kubepp::apiserver::patch
