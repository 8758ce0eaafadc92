// WatchCache: the API server's in-memory mirror of the store.
//
// One cache covers the whole "/registry/" keyspace: it lists every key once at
// Start() and then follows a single store watch, so its state is always the
// store's state at some revision (`revision()`). It serves
//   - lists at resourceVersion=0 and consistent lists (after waiting until it
//     has caught up with the store's current revision), straight from memory;
//   - every watch: events after a resourceVersion are replayed from a bounded
//     history ring (older ones get kExpired, upstream's 410 "too old resource
//     version"), then followed live.
// Each object is decoded once when its event arrives and its JSON encoding is
// kept, so a list or a watch event costs a copy of bytes, however many
// clients read it.
//
// Watchers never slow the cache down: each has a bounded queue, and one that
// falls further behind is cut off (its Next() returns kUnavailable), as
// kube-apiserver drops slow watchers; the client re-watches.
//
// Thread-safety: every method is thread-safe. One dispatcher thread applies
// store events; CacheWatcher::Next is called by one consumer at a time.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <list>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"
#include "storage/storage.h"

namespace kubepp::apiserver::registry {

// One object state as the cache holds it: immutable once built.
class CachedObject {
 public:
  // `object` must already carry metadata.resourceVersion = revision.
  CachedObject(std::string key, int64_t revision, std::shared_ptr<const nlohmann::json> object);

  const std::string& key() const { return key_; }
  int64_t revision() const { return revision_; }
  const nlohmann::json& object() const { return *object_; }
  std::shared_ptr<const nlohmann::json> shared_object() const { return object_; }
  // The compact JSON encoding, computed on first use and kept.
  const std::string& Json() const;
  // The Kubernetes protobuf encoding (k8s\0 envelope), computed on first use
  // and kept; empty if the kind has no protobuf form.
  const std::string& Protobuf() const;
  // Any other encoding, computed once per `variant` by `make` and kept for
  // the object's life (e.g. a watch event's Table row, shared by every
  // watcher asking for the same form).
  const std::string& Memo(const std::string& variant, const std::function<std::string()>& make) const;

 private:
  const std::string key_;
  const int64_t revision_;
  const std::shared_ptr<const nlohmann::json> object_;
  mutable std::once_flag json_once_;
  mutable std::string json_;
  mutable std::once_flag protobuf_once_;
  mutable std::string protobuf_;
  mutable std::mutex memo_mu_;
  mutable std::list<std::pair<std::string, std::string>> memo_;  // guarded by memo_mu_; few entries
};
using ObjectPtr = std::shared_ptr<const CachedObject>;

struct CacheEvent {
  enum class Type { kAdded, kModified, kDeleted, kBookmark };
  Type type = Type::kAdded;
  int64_t revision = 0;
  // kAdded/kModified: the new state. kDeleted: the last state, re-stamped
  // with the deletion's revision (what upstream sends). kBookmark: null.
  ObjectPtr object;
  ObjectPtr prev;  // the state before (null for kAdded and kBookmark)
};

// Decides whether an object is visible to a watcher (selectors).
using ObjectFilter = std::function<bool(const nlohmann::json& object)>;

class CacheWatcher {
 public:
  virtual ~CacheWatcher() = default;
  // Up to `timeout` for events (empty when none), at most `max_events` of
  // them (the rest stay queued). kUnavailable once the watcher was cut off
  // (too slow) or the cache stopped.
  virtual StatusOr<std::vector<CacheEvent>> Next(std::chrono::milliseconds timeout,
                                                 size_t max_events = SIZE_MAX) = 0;
  // The revision of the last event returned (or the start revision).
  virtual int64_t LastRevision() const = 0;
  // Calls `notify` (from the cache's dispatcher thread, or at once if events
  // are already waiting) whenever events arrive or the watcher ends, so a
  // server can drain many watchers with a few threads instead of one blocked
  // Next() each. `notify` must be cheap and must not call back into the
  // watcher. Replaces any earlier callback.
  virtual void SetNotify(std::function<void()> notify) = 0;
};
using CacheWatcherPtr = std::unique_ptr<CacheWatcher>;

struct WatchCacheOptions {
  // Events kept for resuming watches; older resourceVersions get kExpired.
  size_t history_capacity = 100'000;
  // A watcher with more undelivered events than this is cut off.
  size_t watcher_queue_capacity = 10'000;
};

class WatchCache {
 public:
  // Decodes a stored value into an object (without resourceVersion); the
  // cache stamps metadata.resourceVersion itself.
  using Decoder = std::function<StatusOr<nlohmann::json>(std::string_view key, std::string_view value)>;

  WatchCache(storage::Store& store, std::string prefix, Decoder decoder,
             WatchCacheOptions options = {});
  ~WatchCache();  // Stop()
  WatchCache(const WatchCache&) = delete;
  WatchCache& operator=(const WatchCache&) = delete;

  // Loads the current state and starts following the store. Errors of the
  // store's List/Watch are returned as is.
  Status Start();
  // Stops the dispatcher and cuts every watcher off. Idempotent.
  void Stop();

  // The store revision the cache reflects.
  int64_t revision() const;
  // Waits until revision() >= `revision`. kTimeout after `timeout`
  // (upstream: "Too large resource version"), kUnavailable when stopped.
  Status WaitUntil(int64_t revision, std::chrono::milliseconds timeout) const;

  struct Snapshot {
    std::vector<ObjectPtr> objects;  // sorted by key
    int64_t revision = 0;
  };
  // The objects under `prefix` at revision().
  Snapshot List(std::string_view prefix) const;
  // One object by key, or null.
  ObjectPtr Get(std::string_view key) const;

  // Starts a watch of keys under `prefix` seeing events with revision >
  // after_revision, filtered by `filter` (objects moving into the filter are
  // ADDED, out of it DELETED, as upstream). With send_initial, the current
  // state is first delivered as ADDED events (after_revision is then the
  // state's revision). kExpired if after_revision is older than the history
  // kept; kTimeout if it is in the future and the cache does not reach it
  // within a few seconds.
  StatusOr<CacheWatcherPtr> Watch(std::string prefix, int64_t after_revision, ObjectFilter filter,
                                  bool send_initial);

  size_t watcher_count() const;
  // The oldest revision a watch can resume from (exclusive lower bound).
  int64_t oldest_resumable_revision() const;

 private:
  class Watcher;
  // A stored value as a cached object stamped with `revision`; null (logged)
  // when it does not decode.
  ObjectPtr Load(const std::string& key, std::string_view value, int64_t revision) const;
  std::map<std::string, ObjectPtr, std::less<>> LoadAll(const storage::ListResult& listed) const;
  // Records that the cache reflects `revision` (an event it had nothing to apply for).
  void Advance(int64_t revision);
  void Run();
  void Apply(const std::vector<storage::Event>& events);
  void Deliver(const CacheEvent& event);
  void PruneClosedWatchers();

  storage::Store& store_;
  const std::string prefix_;
  const Decoder decoder_;
  const WatchCacheOptions options_;

  mutable std::mutex mu_;
  mutable std::condition_variable revision_cv_;
  std::map<std::string, ObjectPtr, std::less<>> objects_;  // guarded by mu_
  std::deque<CacheEvent> history_;                         // guarded by mu_
  int64_t revision_ = 0;                                   // guarded by mu_
  int64_t history_floor_ = 0;  // guarded by mu_: events > this are in history_
  std::vector<std::shared_ptr<Watcher>> watchers_;         // guarded by mu_
  bool stopped_ = false;                                   // guarded by mu_

  storage::WatchPtr store_watch_;
  std::thread thread_;
};

}  // namespace kubepp::apiserver::registry
