// FieldSet: a set of field paths inside one object, as server-side apply
// tracks ownership (sigs.k8s.io/structured-merge-diff's fieldpath.Set), and
// its wire form FieldsV1 (`metadata.managedFields[].fieldsV1`).
//
// A path is a list of elements, each spelled as in FieldsV1:
//   "f:replicas"                         a struct field or a map key
//   "k:{\"name\":\"nginx\"}"             an item of a list keyed by fields
//                                        (key fields sorted by name)
//   "v:\"x\""                            an item of a set (the JSON value)
//   "i:3"                                an item by index (never produced
//                                        for the built-in schema; parsed)
// The set is a tree: every node may be a member (the path itself is in the
// set) and may have children. FieldsV1 writes a member leaf as `{}`, and a
// member that also has children with a `".": {}` entry:
//   {"f:spec":{"f:replicas":{}},
//    "f:containers":{"k:{\"name\":\"c\"}":{".":{},"f:image":{}}}}
//
// Element strings are canonical (key objects and values re-serialized
// compactly with sorted keys), so two spellings of one element compare equal.
// Children iterate in byte order of their element strings; upstream orders
// by element value, which differs only among numeric list keys.
//
// Thread-safety: a value type; const methods are safe from many threads.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace kubepp::apiserver::fieldmanager {

class FieldSet {
 public:
  using Path = std::vector<std::string>;

  struct Node {
    bool member = false;
    // Invariant: no child is empty (neither member nor has children).
    std::map<std::string, Node> children;

    bool Empty() const { return !member && children.empty(); }
    const Node* Child(std::string_view element) const;
  };

  FieldSet() = default;

  // Parses a FieldsV1 value. Returns BadRequest naming the offending key
  // when the value is not an object tree or a key is not a valid element.
  static StatusOr<FieldSet> FromFieldsV1(const nlohmann::json& fields);
  // The FieldsV1 value; an empty set is {}.
  nlohmann::json ToFieldsV1() const;

  void Insert(const Path& path);
  bool Has(const Path& path) const;  // path is a member
  bool Empty() const { return root_.Empty(); }

  FieldSet Union(const FieldSet& other) const;
  // Members of this set that are not members of `other` (not recursive: a
  // member of `other` does not remove paths below it).
  FieldSet Difference(const FieldSet& other) const;
  FieldSet Intersection(const FieldSet& other) const;
  // Removes every path that is a member of `other` or lies below one.
  FieldSet RecursiveDifference(const FieldSet& other) const;

  // Member paths in upstream's iteration order: at each level the members
  // first, then the paths below each child.
  std::vector<Path> Paths() const;

  const Node& root() const { return root_; }
  Node& root() { return root_; }

  bool operator==(const FieldSet& o) const;

 private:
  Node root_;
};

// "f:" + name.
std::string FieldElement(std::string_view name);

// A path as upstream prints it in conflicts and errors:
// ".spec.template.spec.containers[name=\"nginx\"].image",
// ".spec.ports[port=80,protocol=\"TCP\"]", ".metadata.finalizers[=\"x\"]".
std::string PathString(const FieldSet::Path& path);

}  // namespace kubepp::apiserver::fieldmanager
