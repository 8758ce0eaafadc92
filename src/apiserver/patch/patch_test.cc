// JSON Patch (RFC 6902 as kube-apiserver's evanphx/json-patch v4 applies
// it) and JSON merge patch (RFC 7386, same library).
#include "apiserver/patch/patch.h"

#include <ostream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace kubepp::apiserver::patch {
namespace {

using json = nlohmann::json;

// --- JSON Patch: successful applications --------------------------------------

struct JsonPatchCase {
  const char* name;
  const char* doc;
  const char* patch;
  const char* want;
};

void PrintTo(const JsonPatchCase& c, std::ostream* os) { *os << c.name; }

class JsonPatchApplies : public ::testing::TestWithParam<JsonPatchCase> {};

TEST_P(JsonPatchApplies, ProducesDocument) {
  const JsonPatchCase& c = GetParam();
  StatusOr<json> got = ApplyJsonPatch(json::parse(c.doc), json::parse(c.patch));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, json::parse(c.want)) << got->dump();
}

INSTANTIATE_TEST_SUITE_P(
    Rfc6902AndUpstream, JsonPatchApplies,
    ::testing::Values(
        // RFC 6902 appendix A.
        JsonPatchCase{"A1_AddObjectMember", R"({"foo":"bar"})",
                      R"([{"op":"add","path":"/baz","value":"qux"}])", R"({"baz":"qux","foo":"bar"})"},
        JsonPatchCase{"A2_AddArrayElement", R"({"foo":["bar","baz"]})",
                      R"([{"op":"add","path":"/foo/1","value":"qux"}])", R"({"foo":["bar","qux","baz"]})"},
        JsonPatchCase{"A3_RemoveObjectMember", R"({"baz":"qux","foo":"bar"})",
                      R"([{"op":"remove","path":"/baz"}])", R"({"foo":"bar"})"},
        JsonPatchCase{"A4_RemoveArrayElement", R"({"foo":["bar","qux","baz"]})",
                      R"([{"op":"remove","path":"/foo/1"}])", R"({"foo":["bar","baz"]})"},
        JsonPatchCase{"A5_ReplaceValue", R"({"baz":"qux","foo":"bar"})",
                      R"([{"op":"replace","path":"/baz","value":"boo"}])", R"({"baz":"boo","foo":"bar"})"},
        JsonPatchCase{"A6_MoveValue", R"({"foo":{"bar":"baz","waldo":"fred"},"qux":{"corge":"grault"}})",
                      R"([{"op":"move","from":"/foo/waldo","path":"/qux/thud"}])",
                      R"({"foo":{"bar":"baz"},"qux":{"corge":"grault","thud":"fred"}})"},
        JsonPatchCase{"A7_MoveArrayElement", R"({"foo":["all","grass","cows","eat"]})",
                      R"([{"op":"move","from":"/foo/1","path":"/foo/3"}])",
                      R"({"foo":["all","cows","eat","grass"]})"},
        JsonPatchCase{
            "A8_TestSucceeds", R"({"baz":"qux","foo":["a",2,"c"]})",
            R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":2}])",
            R"({"baz":"qux","foo":["a",2,"c"]})"},
        JsonPatchCase{"A10_AddNestedObject", R"({"foo":"bar"})",
                      R"([{"op":"add","path":"/child","value":{"grandchild":{}}}])",
                      R"({"foo":"bar","child":{"grandchild":{}}})"},
        JsonPatchCase{"A11_UnrecognizedMembersIgnored", R"({"foo":"bar"})",
                      R"([{"op":"add","path":"/baz","value":"qux","xyz":123}])",
                      R"({"foo":"bar","baz":"qux"})"},
        JsonPatchCase{"A14_EscapeOrdering", R"({"/":9,"~1":10})",
                      R"([{"op":"test","path":"/~01","value":10}])", R"({"/":9,"~1":10})"},
        JsonPatchCase{"A16_AddArrayValue", R"({"foo":["bar"]})",
                      R"([{"op":"add","path":"/foo/-","value":["abc","def"]}])",
                      R"({"foo":["bar",["abc","def"]]})"},
        // Pointer escapes and the empty key.
        JsonPatchCase{"SlashEscape", R"({"a/b":1})", R"([{"op":"replace","path":"/a~1b","value":2}])",
                      R"({"a/b":2})"},
        JsonPatchCase{"TildeEscape", R"({"m~n":1})", R"([{"op":"remove","path":"/m~0n"}])", R"({})"},
        JsonPatchCase{"EmptyKey", R"({"":1})", R"([{"op":"replace","path":"/","value":2}])", R"({"":2})"},
        // Upstream's leniencies (evanphx v4), kept because clients see them.
        JsonPatchCase{"NegativeIndexAdd", R"({"foo":["bar","baz"]})",
                      R"([{"op":"add","path":"/foo/-1","value":"qux"}])", R"({"foo":["bar","baz","qux"]})"},
        JsonPatchCase{"NegativeIndexAddToEmpty", R"({"foo":[]})",
                      R"([{"op":"add","path":"/foo/-1","value":"qux"}])", R"({"foo":["qux"]})"},
        JsonPatchCase{"NegativeIndexRemove", R"({"foo":["bar","qux","baz"]})",
                      R"([{"op":"remove","path":"/foo/-2"}])", R"({"foo":["bar","baz"]})"},
        JsonPatchCase{"NegativeIndexReplace", R"({"foo":["a","b"]})",
                      R"([{"op":"replace","path":"/foo/-1","value":"z"}])", R"({"foo":["a","z"]})"},
        JsonPatchCase{"ReplaceMissingMemberAddsIt", R"({"metadata":{}})",
                      R"([{"op":"replace","path":"/metadata/labels","value":{"a":"b"}}])",
                      R"({"metadata":{"labels":{"a":"b"}}})"},
        JsonPatchCase{"AddWithoutValueAddsNull", R"({"a":1})", R"([{"op":"add","path":"/b"}])",
                      R"({"a":1,"b":null})"},
        JsonPatchCase{"CopyMissingMemberCopiesNull", R"({"a":{}})",
                      R"([{"op":"copy","from":"/a/x","path":"/b"}])", R"({"a":{},"b":null})"},
        JsonPatchCase{"AddReplacesExistingMember", R"({"a":1})", R"([{"op":"add","path":"/a","value":[1]}])",
                      R"({"a":[1]})"},
        JsonPatchCase{"RemoveNullMember", R"({"foo":"bar","qux":{"baz":1,"bar":null}})",
                      R"([{"op":"remove","path":"/qux/bar"}])", R"({"foo":"bar","qux":{"baz":1}})"},
        JsonPatchCase{"ReplaceNullWithValue", R"({"bar":[{"baz":null}]})",
                      R"([{"op":"replace","path":"/bar/0/baz","value":1}])", R"({"bar":[{"baz":1}]})"},
        JsonPatchCase{"CopyIntoArray", R"({"foo":["bar"]})",
                      R"([{"op":"copy","path":"/foo/0","from":"/foo"}])", R"({"foo":[["bar"],"bar"]})"},
        JsonPatchCase{"CopyDeep", R"({"a":{"b":[1,2]},"c":{}})",
                      R"([{"op":"copy","from":"/a/b","path":"/c/d"}])",
                      R"({"a":{"b":[1,2]},"c":{"d":[1,2]}})"},
        JsonPatchCase{"MoveWithinArray", R"({"foo":["all","grass","cows","eat"]})",
                      R"([{"op":"move","from":"/foo/1","path":"/foo/2"}])",
                      R"({"foo":["all","cows","grass","eat"]})"},
        JsonPatchCase{"ReplaceWholeDocument", R"({"a":1})", R"([{"op":"replace","path":"","value":{"b":2}}])",
                      R"({"b":2})"},
        JsonPatchCase{"TestWholeDocument", R"({"a":1})", R"([{"op":"test","path":"","value":{"a":1}}])",
                      R"({"a":1})"},
        JsonPatchCase{"TestMissingEqualsNull", R"({"baz":"qux"})",
                      R"([{"op":"test","path":"/foo","value":null}])", R"({"baz":"qux"})"},
        JsonPatchCase{"TestNullEqualsNull", R"({"foo":null})",
                      R"([{"op":"test","path":"/foo","value":null}])", R"({"foo":null})"},
        JsonPatchCase{"TestObjectsUnordered", R"({"o":{"a":1,"b":[1,{"c":2}]}})",
                      R"([{"op":"test","path":"/o","value":{"b":[1,{"c":2}],"a":1}}])",
                      R"({"o":{"a":1,"b":[1,{"c":2}]}})"},
        JsonPatchCase{"OperationsApplyInOrder", R"({})",
                      R"([{"op":"add","path":"/a","value":{}},{"op":"add","path":"/a/b","value":1},
                          {"op":"copy","from":"/a","path":"/c"},{"op":"remove","path":"/a/b"}])",
                      R"({"a":{},"c":{"b":1}})"},
        JsonPatchCase{"NullPatchIsEmpty", R"({"a":1})", "null", R"({"a":1})"},
        JsonPatchCase{"EmptyPatch", R"({"a":1})", "[]", R"({"a":1})"},
        // What `kubectl rollout undo` sends.
        JsonPatchCase{
            "KubectlRolloutUndo",
            R"({"metadata":{"name":"web","annotations":{"deployment.kubernetes.io/revision":"2"}},
                          "spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},
                                  "spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}})",
            R"([{"op":"replace","path":"/spec/template","value":{"metadata":{"labels":{"app":"web"}},
                            "spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}},
                          {"op":"replace","path":"/metadata/annotations",
                           "value":{"deployment.kubernetes.io/revision":"1"}}])",
            R"({"metadata":{"name":"web","annotations":{"deployment.kubernetes.io/revision":"1"}},
                          "spec":{"replicas":2,"template":{"metadata":{"labels":{"app":"web"}},
                                  "spec":{"containers":[{"name":"nginx","image":"nginx:1.25"}]}}}})"},
        JsonPatchCase{"AddLabelWithSlashInKey", R"({"metadata":{"labels":{}}})",
                      R"([{"op":"add","path":"/metadata/labels/app.kubernetes.io~1name","value":"web"}])",
                      R"({"metadata":{"labels":{"app.kubernetes.io/name":"web"}}})"}),
    [](const ::testing::TestParamInfo<JsonPatchCase>& info) { return std::string(info.param.name); });

// --- JSON Patch: operations that cannot apply (422, library's message) -------

struct JsonPatchErrorCase {
  const char* name;
  const char* doc;
  const char* patch;
  const char* message;  // exact Status message
};

void PrintTo(const JsonPatchErrorCase& c, std::ostream* os) { *os << c.name; }

class JsonPatchFails : public ::testing::TestWithParam<JsonPatchErrorCase> {};

TEST_P(JsonPatchFails, IsInvalidWithUpstreamMessage) {
  const JsonPatchErrorCase& c = GetParam();
  StatusOr<json> got = ApplyJsonPatch(json::parse(c.doc), json::parse(c.patch));
  ASSERT_FALSE(got.ok()) << got->dump();
  EXPECT_EQ(got.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(got.status().message(), c.message);
}

INSTANTIATE_TEST_SUITE_P(
    Upstream, JsonPatchFails,
    ::testing::Values(
        JsonPatchErrorCase{"A9_TestFails", R"({"baz":"qux"})",
                           R"([{"op":"test","path":"/baz","value":"bar"}])",
                           "testing value /baz failed: test failed"},
        JsonPatchErrorCase{"A12_AddToMissingParent", R"({"foo":"bar"})",
                           R"([{"op":"add","path":"/baz/bat","value":"qux"}])",
                           "add operation does not apply: doc is missing path: \"/baz/bat\": missing value"},
        JsonPatchErrorCase{"A15_StringIsNotNumber", R"({"/":9,"~1":10})",
                           R"([{"op":"test","path":"/~01","value":"10"}])",
                           "testing value /~01 failed: test failed"},
        JsonPatchErrorCase{"TestMissingAgainstValue", R"({"baz":"qux"})",
                           R"([{"op":"test","path":"/foo","value":42}])",
                           "testing value /foo failed: test failed"},
        JsonPatchErrorCase{"TestObjectAgainstNull", R"({"foo":{}})",
                           R"([{"op":"test","path":"/foo","value":null}])",
                           "testing value /foo failed: test failed"},
        JsonPatchErrorCase{"TestWithoutValue", R"({"foo":[]})", R"([{"op":"test","path":"/foo"}])",
                           "testing value /foo failed: test failed"},
        JsonPatchErrorCase{
            "TestSecondOperationFails", R"({"baz":"qux","foo":["a",2,"c"]})",
            R"([{"op":"test","path":"/baz","value":"qux"},{"op":"test","path":"/foo/1","value":"c"}])",
            "testing value /foo/1 failed: test failed"},
        JsonPatchErrorCase{"TestMissingParent", R"({})", R"([{"op":"test","path":"/a/b","value":1}])",
                           "test operation does not apply: is missing path: /a/b: missing value"},
        JsonPatchErrorCase{
            "RemoveMissingMember", R"({"a":{"b":{"d":1}}})", R"([{"op":"remove","path":"/a/b/c"}])",
            "error in remove for path: '/a/b/c': Unable to remove nonexistent key: c: missing value"},
        JsonPatchErrorCase{
            "RemoveIndexOutOfRange", R"({"a":{"b":[1]}})", R"([{"op":"remove","path":"/a/b/1"}])",
            "error in remove for path: '/a/b/1': Unable to access invalid index: 1: invalid index "
            "referenced"},
        JsonPatchErrorCase{"RemoveDashIndex", R"({"foo":[]})", R"([{"op":"remove","path":"/foo/-"}])",
                           "error in remove for path: '/foo/-': strconv.Atoi: parsing \"-\": invalid syntax"},
        // Go's %q escapes a newline as \n.
        JsonPatchErrorCase{
            "RemoveIndexWithNewline", R"({"foo":[1]})", R"([{"op":"remove","path":"/foo/1\n"}])",
            "error in remove for path: '/foo/1\n': strconv.Atoi: parsing \"1\\n\": invalid syntax"},
        JsonPatchErrorCase{
            "RemoveNegativeOnEmpty", R"({"foo":[]})", R"([{"op":"remove","path":"/foo/-1"}])",
            "error in remove for path: '/foo/-1': Unable to access invalid index: -1: invalid index "
            "referenced"},
        JsonPatchErrorCase{
            "RemoveNegativeTooSmall", R"({"foo":["bar"]})", R"([{"op":"remove","path":"/foo/-2"}])",
            "error in remove for path: '/foo/-2': Unable to access invalid index: -2: invalid index "
            "referenced"},
        JsonPatchErrorCase{"RemoveMissingParent", R"({})", R"([{"op":"remove","path":"/a/b"}])",
                           "remove operation does not apply: doc is missing path: \"/a/b\": missing value"},
        JsonPatchErrorCase{
            "AddIndexPastEnd", R"({"foo":["bar"]})", R"([{"op":"add","path":"/foo/2","value":"bum"}])",
            "error in add for path: '/foo/2': Unable to access invalid index: 2: invalid index "
            "referenced"},
        JsonPatchErrorCase{
            "AddNegativeTooSmall", R"({"foo":["bar","baz"]})",
            R"([{"op":"add","path":"/foo/-4","value":"bum"}])",
            "error in add for path: '/foo/-4': Unable to access invalid index: -4: invalid index "
            "referenced"},
        JsonPatchErrorCase{
            "AddNonNumericIndex", R"({"foo":[]})", R"([{"op":"add","path":"/foo/x","value":1}])",
            "error in add for path: '/foo/x': value was not a proper array index: 'x': strconv.Atoi: "
            "parsing \"x\": invalid syntax"},
        JsonPatchErrorCase{"AddThroughScalar", R"({"a":1})", R"([{"op":"add","path":"/a/b","value":1}])",
                           "add operation does not apply: doc is missing path: \"/a/b\": missing value"},
        JsonPatchErrorCase{"AddThroughNull", R"({"a":null})", R"([{"op":"add","path":"/a/b","value":1}])",
                           "add operation does not apply: doc is missing path: \"/a/b\": missing value"},
        JsonPatchErrorCase{"AddToRoot", R"({"foo":"bar"})", R"([{"op":"add","path":"","value":"qux"}])",
                           "add operation does not apply: doc is missing path: \"\": missing value"},
        JsonPatchErrorCase{"PathWithoutLeadingSlash", R"({"a":{"b":1}})",
                           R"([{"op":"add","path":"a/b","value":2}])",
                           "add operation does not apply: doc is missing path: \"a/b\": missing value"},
        JsonPatchErrorCase{"ReplaceIndexPastEnd", R"({"foo":["bar","baz"]})",
                           R"([{"op":"replace","path":"/foo/2","value":"bum"}])",
                           "replace operation does not apply: doc is missing key: /foo/2: missing value"},
        JsonPatchErrorCase{"ReplaceMissingParent", R"({"name":{"foo":"bat"}})",
                           R"([{"op":"replace","path":"/foo/bar","value":"baz"}])",
                           "replace operation does not apply: doc is missing path: /foo/bar: missing value"},
        JsonPatchErrorCase{"ReplaceRootWithScalar", R"({"a":1})", R"([{"op":"replace","path":"","value":1}])",
                           "replace operation value must be object or array"},
        JsonPatchErrorCase{"MoveMissingMember", R"({"a":{"b":{"d":1}}})",
                           R"([{"op":"move","from":"/a/b/c","path":"/a/b/e"}])",
                           "error in move for path: 'c': Unable to remove nonexistent key: c: missing value"},
        JsonPatchErrorCase{
            "MoveIndexOutOfRange", R"({"a":{"b":[1]}})", R"([{"op":"move","from":"/a/b/1","path":"/a/b/2"}])",
            "error in move for path: '1': Unable to access invalid index: 1: invalid index referenced"},
        JsonPatchErrorCase{
            "MovePastEnd", R"({"foo":["all","grass","cows","eat"]})",
            R"([{"op":"move","from":"/foo/1","path":"/foo/4"}])",
            "error in move for path: '/foo/4': Unable to access invalid index: 4: invalid index "
            "referenced"},
        JsonPatchErrorCase{
            "MoveIntoItsOwnChild", R"({"a":{"b":{}}})", R"([{"op":"move","from":"/a","path":"/a/b/c"}])",
            "move operation does not apply: doc is missing destination path: /a/b/c: missing value"},
        JsonPatchErrorCase{
            "MoveWithoutFrom", R"({})", R"([{"op":"move","path":"/a"}])",
            "move operation failed to decode from: operation, missing from field: missing value"},
        JsonPatchErrorCase{
            "CopyPastEnd", R"({"foo":["bar"]})", R"([{"op":"copy","path":"/foo/2","from":"/foo/0"}])",
            "error while adding value during copy: Unable to access invalid index: 2: invalid index "
            "referenced"},
        JsonPatchErrorCase{
            "CopyHugeIndex", R"({"foo":["bar"]})",
            R"([{"op":"copy","path":"/foo/6666666666","from":"/foo/0"}])",
            "error while adding value during copy: Unable to access invalid index: 6666666666: "
            "invalid index referenced"},
        JsonPatchErrorCase{"CopyFromMissingParent", R"({})", R"([{"op":"copy","from":"/x/y","path":"/z"}])",
                           "copy operation does not apply: doc is missing from path: /x/y: missing value"},
        JsonPatchErrorCase{"MissingPathOnAdd", R"({"foo":"bar"})",
                           R"([{"op":"add","pathz":"/baz","value":"qux"}])",
                           "add operation failed to decode path: missing value"},
        JsonPatchErrorCase{"NullPath", R"({})", R"([{"op":"add","path":null}])",
                           "add operation failed to decode path: missing value"},
        JsonPatchErrorCase{
            "MissingPathOnReplace", R"({})", R"([{"op":"replace","value":1}])",
            "replace operation failed to decode path: operation missing path field: missing value"},
        JsonPatchErrorCase{
            "NumericPath", R"({})", R"([{"op":"test","path":5,"value":1}])",
            "test operation failed to decode path: json: cannot unmarshal number into Go value of "
            "type string"},
        JsonPatchErrorCase{"UnknownOp", R"({})", R"([{"op":"frobnicate","path":"/a"}])",
                           "Unexpected kind: frobnicate"},
        JsonPatchErrorCase{"NullOp", R"({})", R"([{"op":null,"path":""}])", "Unexpected kind: unknown"},
        JsonPatchErrorCase{"MissingOp", R"({})", R"([{"path":"/a","value":1}])", "Unexpected kind: unknown"},
        JsonPatchErrorCase{"NullOperation", R"({})", R"([null])", "Unexpected kind: unknown"}),
    [](const ::testing::TestParamInfo<JsonPatchErrorCase>& info) { return std::string(info.param.name); });

TEST(JsonPatchTest, MalformedDocumentIsBadRequest) {
  struct Case {
    const char* patch;
    const char* message;
  } cases[] = {
      {R"({"op":"add","path":"/a","value":1})",
       "json: cannot unmarshal object into Go value of type jsonpatch.Patch"},
      {R"("add")", "json: cannot unmarshal string into Go value of type jsonpatch.Patch"},
      {"5", "json: cannot unmarshal number into Go value of type jsonpatch.Patch"},
      {R"([{"op":"add","path":"/a","value":1}, "x"])",
       "json: cannot unmarshal string into Go value of type jsonpatch.Operation"},
      {R"([[1]])", "json: cannot unmarshal array into Go value of type jsonpatch.Operation"},
  };
  for (const Case& c : cases) {
    StatusOr<json> got = ApplyJsonPatch(json::parse(R"({"a":0})"), json::parse(c.patch));
    ASSERT_FALSE(got.ok()) << c.patch;
    EXPECT_EQ(got.status().code(), StatusCode::kBadRequest) << c.patch;
    EXPECT_EQ(got.status().message(), c.message);
  }
}

TEST(JsonPatchTest, TooManyOperationsIsRequestEntityTooLarge) {
  json ops = json::array();
  for (int i = 0; i <= kMaxJsonPatchOperations; ++i) {
    ops.push_back({{"op", "test"}, {"path", "/a"}, {"value", 0}});
  }
  StatusOr<json> got = ApplyJsonPatch(json::parse(R"({"a":0})"), ops);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), StatusCode::kRequestEntityTooLarge);
  EXPECT_EQ(got.status().message(), "The allowed maximum operations in a JSON patch is 10000, got 10001");

  ops.erase(ops.begin());  // exactly the limit is fine
  EXPECT_TRUE(ApplyJsonPatch(json::parse(R"({"a":0})"), ops).ok());
}

TEST(JsonPatchTest, FailureLeavesInputUntouchedAndNothingApplied) {
  const json doc = json::parse(R"({"spec":{"replicas":1}})");
  StatusOr<json> got = ApplyJsonPatch(doc, json::parse(R"([{"op":"replace","path":"/spec/replicas","value":5},
                                                           {"op":"test","path":"/spec/replicas","value":1}])"));
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(doc, json::parse(R"({"spec":{"replicas":1}})"));
}

TEST(JsonPatchTest, TestGuardsAReplace) {
  // kubectl patch --type=json with a compare-and-swap guard.
  const json pod = json::parse(R"({"metadata":{"labels":{"A":"true"}}})");
  const json patch = json::parse(R"([{"op":"test","path":"/metadata/labels/A","value":"true"},
                                     {"op":"replace","path":"/metadata/labels/A","value":"false"}])");
  StatusOr<json> once = ApplyJsonPatch(pod, patch);
  ASSERT_TRUE(once.ok());
  EXPECT_EQ((*once)["metadata"]["labels"]["A"], "false");
  StatusOr<json> twice = ApplyJsonPatch(*once, patch);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(twice.status().message(), "testing value /metadata/labels/A failed: test failed");
}

// --- JSON merge patch --------------------------------------------------------

struct MergePatchCase {
  const char* name;
  const char* doc;
  const char* patch;
  const char* want;
};

void PrintTo(const MergePatchCase& c, std::ostream* os) { *os << c.name; }

class MergePatchApplies : public ::testing::TestWithParam<MergePatchCase> {};

TEST_P(MergePatchApplies, ProducesDocument) {
  const MergePatchCase& c = GetParam();
  StatusOr<json> got = ApplyMergePatch(json::parse(c.doc), json::parse(c.patch));
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, json::parse(c.want)) << got->dump();
}

INSTANTIATE_TEST_SUITE_P(
    Rfc7386AndUpstream, MergePatchApplies,
    ::testing::Values(
        // RFC 7386 appendix A (the two vectors upstream refuses are below).
        MergePatchCase{"A1", R"({"a":"b"})", R"({"a":"c"})", R"({"a":"c"})"},
        MergePatchCase{"A2", R"({"a":"b"})", R"({"b":"c"})", R"({"a":"b","b":"c"})"},
        MergePatchCase{"A3", R"({"a":"b"})", R"({"a":null})", R"({})"},
        MergePatchCase{"A4", R"({"a":"b","b":"c"})", R"({"a":null})", R"({"b":"c"})"},
        MergePatchCase{"A5", R"({"a":["b"]})", R"({"a":"c"})", R"({"a":"c"})"},
        MergePatchCase{"A6", R"({"a":"c"})", R"({"a":["b"]})", R"({"a":["b"]})"},
        MergePatchCase{"A7", R"({"a":{"b":"c"}})", R"({"a":{"b":"d","c":null}})", R"({"a":{"b":"d"}})"},
        MergePatchCase{"A8", R"({"a":[{"b":"c"}]})", R"({"a":[1]})", R"({"a":[1]})"},
        MergePatchCase{"A9", R"(["a","b"])", R"(["c","d"])", R"(["c","d"])"},
        MergePatchCase{"A10", R"({"a":"b"})", R"(["c"])", R"(["c"])"},
        MergePatchCase{"A13", R"({"e":null})", R"({"a":1})", R"({"e":null,"a":1})"},
        MergePatchCase{"A14", R"([1,2])", R"({"a":"b","c":null})", R"({"a":"b"})"},
        MergePatchCase{"A15", R"({})", R"({"a":{"bb":{"ccc":null}}})", R"({"a":{"bb":{}}})"},
        // Upstream prunes nulls from added values, inside arrays too.
        MergePatchCase{"AddedValueNullsPruned", R"({})", R"({"a":{"b":null,"c":[{"d":null,"e":1},null]}})",
                       R"({"a":{"c":[{"e":1}]}})"},
        MergePatchCase{"NullMemberIsAbsent", R"({"a":null})", R"({"a":{"b":1,"c":null}})",
                       R"({"a":{"b":1}})"},
        MergePatchCase{"DeleteMissingMember", R"({"a":1})", R"({"b":null})", R"({"a":1})"},
        MergePatchCase{"EmptyPatch", R"({"a":1})", R"({})", R"({"a":1})"},
        MergePatchCase{"ObjectReplacesScalar", R"({"a":1})", R"({"a":{"b":null,"c":2}})", R"({"a":{"c":2}})"},
        MergePatchCase{"ArrayPatchPruned", R"({"a":1})", R"([{"x":null,"y":1},null])", R"([{"y":1}])"},
        // What kubectl label/annotate/scale send.
        MergePatchCase{"KubectlLabelRemove", R"({"metadata":{"name":"p","labels":{"tier":"web","app":"a"}}})",
                       R"({"metadata":{"labels":{"tier":null}}})",
                       R"({"metadata":{"name":"p","labels":{"app":"a"}}})"},
        MergePatchCase{"KubectlAnnotateAdd", R"({"metadata":{"name":"p"}})",
                       R"({"metadata":{"annotations":{"note":"x"}}})",
                       R"({"metadata":{"name":"p","annotations":{"note":"x"}}})"},
        MergePatchCase{"KubectlScale", R"({"kind":"Scale","spec":{"replicas":1},"status":{"replicas":1}})",
                       R"({"spec":{"replicas":3}})",
                       R"({"kind":"Scale","spec":{"replicas":3},"status":{"replicas":1}})"},
        // Lists replace whole, even lists strategic merge would merge.
        MergePatchCase{"ContainersReplaced",
                       R"({"spec":{"containers":[{"name":"a","image":"x"},{"name":"b","image":"y"}]}})",
                       R"({"spec":{"containers":[{"name":"a","image":"z"}]}})",
                       R"({"spec":{"containers":[{"name":"a","image":"z"}]}})"}),
    [](const ::testing::TestParamInfo<MergePatchCase>& info) { return std::string(info.param.name); });

TEST(MergePatchTest, NullOrScalarPatchIsRejectedLikeUpstream) {
  // RFC 7386 vectors A.11 (null) and A.12 ("bar"): the RFC returns the
  // patch, kube-apiserver's library answers ErrBadJSONPatch (400).
  for (const char* patch : {"null", R"("bar")", "1", "true"}) {
    StatusOr<json> got = ApplyMergePatch(json::parse(R"({"a":"foo"})"), json::parse(patch));
    ASSERT_FALSE(got.ok()) << patch;
    EXPECT_EQ(got.status().code(), StatusCode::kBadRequest);
    EXPECT_EQ(got.status().message(), "Invalid JSON Patch");
  }
}

TEST(MergePatchTest, DeepNestingIsRefusedNotCrashing) {
  auto nested = [](int levels) {
    json value = nullptr;
    for (int i = 0; i < levels; ++i) value = json{{"x", std::move(value)}};
    return value;
  };
  StatusOr<json> shallow = ApplyMergePatch(json::object(), nested(100));
  ASSERT_TRUE(shallow.ok()) << shallow.status().ToString();
  for (const json& doc : {json::object(), nested(5000)}) {
    StatusOr<json> got = ApplyMergePatch(doc, nested(5000));
    ASSERT_FALSE(got.ok());
    EXPECT_EQ(got.status().code(), StatusCode::kBadRequest);
    EXPECT_EQ(got.status().message(), "the patch nests objects and lists more than 1000 levels deep");
  }
}

TEST(MergePatchTest, InputIsNotModified) {
  const json doc = json::parse(R"({"a":{"b":1}})");
  const json patch = json::parse(R"({"a":{"b":null,"c":{"d":null}}})");
  StatusOr<json> got = ApplyMergePatch(doc, patch);
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, json::parse(R"({"a":{"c":{}}})"));
  EXPECT_EQ(doc, json::parse(R"({"a":{"b":1}})"));
  EXPECT_EQ(patch, json::parse(R"({"a":{"b":null,"c":{"d":null}}})"));
}

}  // namespace
}  // namespace kubepp::apiserver::patch
