// Registry: generic create/read/update/delete/watch of API objects over the
// store, for every served resource.
//
// Objects are JSON documents (nlohmann::json); the kind-specific behaviour
// (defaults, validation, field ownership) comes from a Hooks implementation,
// and admission plugins run in one ordered list (mutating, then validating),
// so the same code serves every kind and, later, custom resources.
//
// Keys: /registry/<group or "core">/<resource>/[<namespace>/]<name>. A stored
// value is the object's JSON without metadata.resourceVersion; the store's
// mod_revision is the resourceVersion.
//
// Reads that allow it are served by the WatchCache (lists at
// resourceVersion=0 or not older than N, consistent lists after the cache
// caught up, every watch); exact-revision and paginated lists and single gets
// go to the store.
//
// Errors follow upstream's reasons and message shapes ("configmaps \"x\" not
// found", "Operation cannot be fulfilled on ..."); the details a metav1.Status
// needs beyond code and message (kind, name, causes) are left in
// RequestContext::error.
//
// Thread-safety: every method may be called concurrently.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "api/field_error.h"
#include "apiserver/discovery/resources.h"
#include "apiserver/registry/watch_cache.h"
#include "common/status.h"
#include "storage/storage.h"

namespace kubepp::apiserver::registry {

// One entry of metav1.StatusDetails.causes.
struct StatusCause {
  std::string reason;   // "FieldValueInvalid", "FieldManagerConflict", ...
  std::string message;  // "Invalid value: -1: must be greater than or equal to 0"
  std::string field;    // "spec.replicas"
};

// What a metav1.Status needs beyond code and message.
struct ErrorDetails {
  std::string name;
  std::string group;
  std::string kind;  // resource plural for most errors, Kind for Invalid (as upstream)
  std::string uid;
  std::vector<StatusCause> causes;
  int retry_after_seconds = 0;
};

// Per-request state: who asks, how, and what the registry has to say back.
struct RequestContext {
  std::string user;
  std::vector<std::string> groups;
  bool dry_run = false;
  std::string field_manager;
  // Set when the caller already recorded managedFields (server-side apply):
  // the registry then does not add an Update entry.
  bool fields_tracked = false;
  // Filled when an operation fails with details worth sending.
  ErrorDetails error;
  // Texts for `Warning: 299 - "..."` response headers.
  std::vector<std::string> warnings;
};

enum class Operation { kCreate, kUpdate, kDelete, kConnect };

// Kind-specific behaviour. The defaults do nothing (tests, custom resources).
class Hooks {
 public:
  virtual ~Hooks() = default;
  // Fills upstream defaults (also into embedded templates).
  virtual void Default(const ResourceInfo& info, nlohmann::json& obj) const;
  // Resets what a create must not set (status of most kinds, ...).
  virtual void PrepareForCreate(const ResourceInfo& info, nlohmann::json& obj) const;
  // Before an update: carries over what the new object may not change or
  // omit (e.g. a Service's allocated clusterIP), drops disallowed changes.
  virtual void PrepareForUpdate(const ResourceInfo& info, nlohmann::json& obj, const nlohmann::json& old) const;
  virtual void PrepareForStatusUpdate(const ResourceInfo& info, nlohmann::json& obj,
                                      const nlohmann::json& old) const;
  virtual api::FieldErrors ValidateCreate(const ResourceInfo& info, const nlohmann::json& obj) const;
  virtual api::FieldErrors ValidateUpdate(const ResourceInfo& info, const nlohmann::json& obj,
                                          const nlohmann::json& old) const;
  virtual api::FieldErrors ValidateStatusUpdate(const ResourceInfo& info, const nlohmann::json& obj,
                                                const nlohmann::json& old) const;
  // Records the write of `manager` through `subresource` ("" for the main
  // resource) in obj.metadata.managedFields (live is null on create). A
  // failure fails the write.
  virtual Status TrackFields(const ResourceInfo& info, std::string_view subresource, const nlohmann::json* live,
                             nlohmann::json& obj, std::string_view manager, std::string_view now) const;
};

// What an admission plugin sees. `object` is the incoming object (mutable in
// the mutating phase), `old` the stored one (update, delete).
struct AdmissionRequest {
  const ResourceInfo* resource = nullptr;
  std::string subresource;
  Operation operation = Operation::kCreate;
  std::string namespace_;
  std::string name;
  nlohmann::json* object = nullptr;
  const nlohmann::json* old = nullptr;
  const RequestContext* context = nullptr;
};

class AdmissionPlugin {
 public:
  virtual ~AdmissionPlugin() = default;
  virtual std::string_view name() const = 0;
  // Mutating phase; may change *request.object. A non-OK status rejects.
  virtual Status Admit(AdmissionRequest& request) const;
  // Validating phase; must not change anything.
  virtual Status Validate(const AdmissionRequest& request) const;
};
using AdmissionPluginPtr = std::unique_ptr<AdmissionPlugin>;

struct ListOptions {
  std::string label_selector;
  std::string field_selector;
  int64_t limit = 0;
  std::string continue_token;
  std::optional<std::string> resource_version;  // unset, "0", or "N"
  std::string resource_version_match;           // "", "NotOlderThan", "Exact"
};

struct ListResult {
  std::vector<ObjectPtr> items;
  int64_t revision = 0;
  std::string continue_token;
  std::optional<int64_t> remaining_item_count;
};

struct WatchOptions {
  std::string label_selector;
  std::string field_selector;
  std::optional<std::string> resource_version;
  bool send_initial_events = false;
};

struct DeleteOptions {
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  std::optional<int64_t> grace_period_seconds;
  std::string propagation_policy;  // "", "Orphan", "Background", "Foreground"
  std::optional<bool> orphan_dependents;
};

struct WriteResult {
  std::shared_ptr<const nlohmann::json> object;  // with resourceVersion
  bool created = false;
};

struct DeleteResult {
  // The deleted object (deleted == true) or the object now being deleted
  // (deletionTimestamp set, waiting for finalizers or a graceful stop).
  std::shared_ptr<const nlohmann::json> object;
  bool deleted = false;
};

// Computes an object from the current one (null when absent). Used by PATCH,
// server-side apply and subresources; may run more than once (conflicts).
using MutateFn = std::function<StatusOr<nlohmann::json>(const nlohmann::json* current)>;

struct RegistryOptions {
  WatchCacheOptions cache;
  // How long a consistent read waits for the cache to catch up.
  std::chrono::milliseconds consistent_read_timeout{3000};
  // Time to live of Events and Leases after their last write.
  std::chrono::seconds ttl{3600};
};

class Registry {
 public:
  Registry(storage::Store& store, const ResourceTable& resources, std::unique_ptr<Hooks> hooks,
           std::vector<AdmissionPluginPtr> admission, RegistryOptions options = {});
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Loads the watch cache. Store errors as is.
  Status Start();
  void Stop();

  // Storage key prefix of a resource, optionally within a namespace.
  static std::string KeyPrefix(const ResourceInfo& info, std::string_view ns = {});
  static std::string Key(const ResourceInfo& info, std::string_view ns, std::string_view name);

  // POST. The object's name may come from generateName. BadRequest for a
  // namespace mismatch or a set resourceVersion; Invalid (422) with causes;
  // AlreadyExists; whatever admission says.
  StatusOr<WriteResult> Create(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                               nlohmann::json obj);
  // GET one object. resource_version "0" may be served from the cache.
  StatusOr<std::shared_ptr<const nlohmann::json>> Get(RequestContext& ctx, const ResourceInfo& info,
                                                      std::string_view ns, std::string_view name,
                                                      std::string_view resource_version = {});
  // GET a collection (ns empty: all namespaces). BadRequest for bad
  // selectors; Expired for a stale continue token; Gone/Timeout for a bad
  // resourceVersion.
  StatusOr<ListResult> List(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                            const ListOptions& options);
  // PUT (subresource "" or "status"). Conflict on a stale resourceVersion.
  StatusOr<WriteResult> Update(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                               std::string_view name, std::string_view subresource, nlohmann::json obj);
  // Read-modify-write with retries on conflict (PATCH, apply, subresources).
  // With create_if_missing, `mutate(nullptr)` builds an object to create.
  // `expected_resource_version` (from the patch body) disables the retries.
  StatusOr<WriteResult> GuaranteedUpdate(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                                         std::string_view name, std::string_view subresource,
                                         const MutateFn& mutate, bool create_if_missing = false);
  // DELETE one object.
  StatusOr<DeleteResult> Delete(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                                std::string_view name, const DeleteOptions& options);
  // DELETE a collection: every object the list options select.
  StatusOr<std::vector<DeleteResult>> DeleteCollection(RequestContext& ctx, const ResourceInfo& info,
                                                       std::string_view ns, const ListOptions& list,
                                                       const DeleteOptions& options);
  // WATCH. Expired (410) when resourceVersion is too old.
  StatusOr<CacheWatcherPtr> Watch(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                                  const WatchOptions& options);

  // The current revision of the cache (after a consistent wait).
  StatusOr<int64_t> ConsistentRevision();

  const ResourceTable& resources() const { return resources_; }
  WatchCache& cache() { return *cache_; }
  storage::Store& store() { return store_; }

 private:
  StatusOr<WriteResult> CreateLocked(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                                     nlohmann::json obj, bool from_update);
  StatusOr<WriteResult> CommitUpdate(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                                     std::string_view name, std::string_view subresource,
                                     const storage::KeyValue& current_kv, const nlohmann::json& current,
                                     nlohmann::json obj);
  Status RunAdmission(AdmissionRequest& request, bool mutating) const;
  // The store lease a write of this resource attaches (0: none). Events and
  // Leases expire an hour after their last write; one store lease is shared
  // by the writes of a minute (so the TTL is 1 h to 1 h 1 min).
  int64_t LeaseFor(const ResourceInfo& info);

  storage::Store& store_;
  const ResourceTable& resources_;
  const std::unique_ptr<Hooks> hooks_;
  const std::vector<AdmissionPluginPtr> admission_;
  const RegistryOptions options_;
  std::unique_ptr<WatchCache> cache_;

  std::mutex lease_mu_;
  int64_t lease_id_ = 0;  // guarded by lease_mu_
  std::chrono::steady_clock::time_point lease_granted_;  // guarded by lease_mu_
};

// The selector predicate the registry applies to lists and watches.
// BadRequest for a malformed selector or an unsupported field.
StatusOr<ObjectFilter> MakeFilter(const ResourceInfo& info, std::string_view label_selector,
                                  std::string_view field_selector);

// Upstream's qualified resource name in messages: "configmaps",
// "deployments.apps".
std::string QualifiedResource(const ResourceInfo& info);

// A random RFC 4122 version-4 UUID.
std::string NewUid();

}  // namespace kubepp::apiserver::registry
