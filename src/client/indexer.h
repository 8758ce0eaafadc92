// Indexer: the informer's local cache of objects, keyed by "namespace/name"
// ("name" for cluster-scoped objects), with named secondary indexes (e.g.
// pods by spec.nodeName) computed by index functions. Lister: a read-only
// view of an Indexer with label-selector filtering and namespace scoping,
// what controllers read instead of calling the API server.
//
// Objects are shared, immutable JSON documents (ObjectPtr); the indexer
// never copies or mutates them. An index function that throws (a JSON type
// mismatch) indexes the object under no value rather than failing.
//
// Thread-safety: every method of Indexer and Lister is thread-safe (one
// mutex; readers see a consistent snapshot per call). A Lister must not
// outlive its Indexer.
#pragma once

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "api/labels.h"
#include "client/client.h"
#include "common/status.h"

namespace kubepp::client {

// The values an object is indexed under (none: not in the index).
using IndexFunc = std::function<std::vector<std::string>(const nlohmann::json& object)>;
using Indexers = std::map<std::string, IndexFunc>;

inline constexpr char kNamespaceIndex[] = "namespace";

// metadata.namespace (objects without one are not indexed).
IndexFunc NamespaceIndexFunc();
// The string at a dotted path, e.g. "spec.nodeName"; absent, empty or
// non-string values are not indexed.
IndexFunc FieldIndexFunc(std::string dotted_path);

// "namespace/name", or "name" without a namespace; "" without a name.
std::string ObjectKey(const nlohmann::json& object);
// {"namespace", "name"} from a key ({"", "name"} for cluster-scoped keys).
std::pair<std::string, std::string> SplitObjectKey(std::string_view key);
// metadata.resourceVersion, or "" when missing.
std::string ObjectResourceVersion(const nlohmann::json& object);
// metadata.labels as a map (non-string values skipped).
api::Labels ObjectLabels(const nlohmann::json& object);

class Indexer {
 public:
  // The namespace index is always present.
  explicit Indexer(Indexers indexers = {});

  // Adds indexes, computing them for the objects already stored.
  // Errors: AlreadyExists naming an index that exists.
  Status AddIndexers(Indexers indexers);

  // Inserts or replaces the object under ObjectKey(*object); returns the
  // previous object or nullptr. Objects without a name are ignored (nullptr).
  ObjectPtr Upsert(ObjectPtr object);
  // Removes `key`; returns the removed object or nullptr.
  ObjectPtr Delete(const std::string& key);
  // Replaces the whole content.
  void Replace(const std::vector<ObjectPtr>& objects);

  ObjectPtr Get(const std::string& key) const;  // nullptr when absent
  std::vector<ObjectPtr> List() const;          // ordered by key
  std::vector<std::string> ListKeys() const;
  size_t size() const;

  // Objects whose index `index` has `value`, ordered by key.
  // Errors: NotFound naming an unknown index.
  StatusOr<std::vector<ObjectPtr>> ByIndex(const std::string& index, const std::string& value) const;
  // Their keys. Errors: as ByIndex.
  StatusOr<std::vector<std::string>> IndexKeys(const std::string& index, const std::string& value) const;
  // Every value present in `index`. Errors: as ByIndex.
  StatusOr<std::vector<std::string>> ListIndexValues(const std::string& index) const;

 private:
  struct Index {
    IndexFunc func;
    std::map<std::string, std::set<std::string>> keys_by_value;
  };
  static std::vector<std::string> Values(const Index& index, const nlohmann::json& object);
  void IndexLocked(const std::string& key, const ObjectPtr& object);
  void UnindexLocked(const std::string& key, const ObjectPtr& object);

  mutable std::mutex mu_;
  std::map<std::string, ObjectPtr> objects_;  // guarded by mu_
  std::map<std::string, Index> indexes_;      // guarded by mu_
};

// Read access for controllers, like client-go's generated listers.
class Lister {
 public:
  // `resource` names the objects in NotFound messages (`configmaps "x" not found`).
  Lister(const Indexer& indexer, GroupVersionResource resource) : indexer_(&indexer), resource_(std::move(resource)) {}

  // Every object (all namespaces) the selector matches, ordered by key.
  std::vector<ObjectPtr> List(const api::LabelSelector& selector = {}) const;
  // The objects of one namespace the selector matches (namespace index).
  std::vector<ObjectPtr> List(std::string_view ns, const api::LabelSelector& selector = {}) const;
  // Errors: NotFound `<resource> "<name>" not found`.
  StatusOr<ObjectPtr> Get(std::string_view ns, std::string_view name) const;

 private:
  const Indexer* indexer_;
  GroupVersionResource resource_;
};

}  // namespace kubepp::client
