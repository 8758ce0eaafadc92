// SharedInformer: keeps a local, indexed copy of one resource in sync with
// the API server and tells event handlers what changed (client-go's shared
// informer, minus the DeltaFIFO: events are applied and dispatched in order
// on the informer's own thread).
//
// The reflector thread lists the resource (in pages, falling back to a full
// list when a continue token expires), replaces the cache, then watches from
// the list's resourceVersion with bookmarks and a randomized server timeout.
// A stream that ends (server timeout, dropped connection) is re-watched from
// the last seen resourceVersion; a 410 Gone/Expired (at the start or as an
// ERROR event) triggers a re-list. Failures back off exponentially.
//
// Events for each handler: on_add for a new object, on_update(old, new) for
// a changed one, on_delete(last, false) for a watched deletion. A re-list
// reports every listed object already cached as on_update (even unchanged,
// as client-go does), new ones as on_add, and cached objects the list no
// longer has as on_delete(last known state, final_state_unknown=true): the
// deletion happened while the watch was down. A resync (every resync_period
// on the injected clock) calls on_update(obj, obj) for every cached object,
// so level-triggered controllers re-check everything periodically.
//
// Handlers run on the informer's thread, one event at a time, and must be
// quick (a controller's handlers only enqueue keys). They may read the
// Lister/Indexer but must not call AddEventHandler or Stop on their own
// informer (deadlock). A handler added after the first list sees on_add for
// every object already cached, then live events.
//
// Ownership: the Client must outlive every informer using it.
// Thread-safety: all methods are thread-safe. Stop() may block for up to one
// in-flight list request (RestConfig::timeout): lists are not cancellable.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"
#include "client/clock.h"
#include "client/indexer.h"
#include "common/status.h"

namespace kubepp::client {

struct ResourceEventHandler {
  std::function<void(const ObjectPtr& object)> on_add;
  std::function<void(const ObjectPtr& old_object, const ObjectPtr& new_object)> on_update;
  // final_state_unknown: the deletion was inferred at a re-list; `object` is
  // the last state the cache had (client-go's DeletedFinalStateUnknown).
  std::function<void(const ObjectPtr& object, bool final_state_unknown)> on_delete;
};

struct InformerOptions {
  std::string namespace_;  // "" for all namespaces (or cluster-scoped)
  std::string label_selector;
  std::string field_selector;
  // Zero: no periodic resync.
  Clock::Duration resync_period = Clock::Duration::zero();
  Indexers indexers;
  int64_t page_size = 500;       // 0: one unpaginated list
  bool list_from_cache = false;  // resourceVersion=0 on the list (any cached state)
  // The server ends each watch after a random time in [t, 2t).
  std::chrono::seconds min_watch_timeout{300};
  // Back-off after a failed list or watch: doubling from initial to max.
  std::chrono::milliseconds initial_backoff{800};
  std::chrono::milliseconds max_backoff{30'000};
  Clock* clock = nullptr;  // resync timing; null: RealClock()
};

class SharedInformer {
 public:
  SharedInformer(Client& client, GroupVersionResource resource, InformerOptions options = {});
  ~SharedInformer();  // Stop()
  SharedInformer(const SharedInformer&) = delete;
  SharedInformer& operator=(const SharedInformer&) = delete;

  // Registers handlers (see the header comment); returns an id for
  // RemoveEventHandler. May be called before or after Start().
  uint64_t AddEventHandler(ResourceEventHandler handler);
  // After it returns, the handler is not running and never runs again.
  void RemoveEventHandler(uint64_t id);

  // Adds cache indexes. Errors: AlreadyExists for a duplicate index name.
  Status AddIndexers(Indexers indexers) { return indexer_.AddIndexers(std::move(indexers)); }

  // Starts the reflector (and resync) threads. Idempotent; no restart after Stop.
  void Start();
  // Stops and joins the threads. Idempotent.
  void Stop();

  // True once the first list is in the cache and its events were delivered.
  bool HasSynced() const { return synced_.load(); }
  // Waits (real time) until HasSynced(); false on timeout or when stopped first.
  bool WaitForSync(std::chrono::milliseconds timeout) const;

  const Indexer& indexer() const { return indexer_; }
  Lister lister() const { return Lister(indexer_, resource_); }
  const GroupVersionResource& resource() const { return resource_; }
  // The resourceVersion the cache is at ("" before the first list).
  std::string LastSyncResourceVersion() const;

 private:
  void RunReflector();
  // One list then watches until a re-list is needed. Returns OK for a
  // re-list without back-off (410), an error for a re-list after back-off.
  Status ListAndWatch();
  StatusOr<std::vector<ObjectPtr>> ListAll(std::string* resource_version);
  void ApplyList(std::vector<ObjectPtr> objects, const std::string& resource_version);
  void SetResourceVersion(const std::string& rv);
  // Handles one watch event; false stops the stream (ERROR event).
  bool ApplyEvent(WatchEvent event, Status* error_event);
  void RunResync(Clock::TimePoint first);
  // Waits up to `d` (real time) unless stopping; false when stopping.
  bool BackoffWait(std::chrono::milliseconds d);
  bool stopping() const;

  template <typename Fn>
  void ForEachHandler(Fn&& fn);

  Client& client_;
  const GroupVersionResource resource_;
  const InformerOptions options_;
  Clock& clock_;
  Indexer indexer_;

  // Serializes event dispatch and handler registration; held while handlers run.
  std::mutex dispatch_mu_;
  std::map<uint64_t, ResourceEventHandler> handlers_;  // guarded by dispatch_mu_
  uint64_t next_handler_id_ = 1;                       // guarded by dispatch_mu_

  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  bool started_ = false;              // guarded by mu_
  bool stopping_ = false;             // guarded by mu_
  std::string resource_version_;      // guarded by mu_
  CancelToken* watch_cancel_ = nullptr;  // guarded by mu_; the running watch's
  std::atomic<bool> synced_{false};

  std::mutex join_mu_;  // serializes Start/Stop's thread handling
  std::thread reflector_;
  std::thread resync_;

  ScopedClockWakeup wakeup_;  // last: unregisters before the members above go
};

// One informer per resource, shared by every controller of a process
// (client-go's SharedInformerFactory). Informers made after Start() start
// at once.
//
// Thread-safety: thread-safe. Informer references stay valid until the
// factory is destroyed.
class Informers {
 public:
  // `defaults` apply to every informer (namespace, resync period, clock...).
  Informers(Client& client, InformerOptions defaults = {});
  ~Informers();  // Stop()

  // The informer for `resource`, created on first use (with `indexers`
  // added when it is created; later calls' indexers are added too, and an
  // index name used twice is ignored).
  SharedInformer& For(const GroupVersionResource& resource, Indexers indexers = {});

  void Start();
  // Waits (real time) until every informer made so far has synced; false on timeout.
  bool WaitForCacheSync(std::chrono::milliseconds timeout);
  void Stop();

 private:
  Client& client_;
  const InformerOptions defaults_;
  std::mutex mu_;
  bool started_ = false;  // guarded by mu_
  std::map<GroupVersionResource, std::unique_ptr<SharedInformer>> informers_;  // guarded by mu_
};

}  // namespace kubepp::client
