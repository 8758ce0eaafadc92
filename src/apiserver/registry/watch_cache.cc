#include "apiserver/registry/watch_cache.h"

#include <nlohmann/json.hpp>

#include "api/codec/protobuf_codec.h"
#include "api/resource_version.h"
#include "common/log.h"

namespace kubepp::apiserver::registry {

using nlohmann::json;

CachedObject::CachedObject(std::string key, int64_t revision, std::shared_ptr<const json> object)
    : key_(std::move(key)), revision_(revision), object_(std::move(object)) {}

const std::string& CachedObject::Json() const {
  std::call_once(json_once_, [this] { json_ = object_->dump(); });
  return json_;
}

const std::string& CachedObject::Protobuf() const {
  std::call_once(protobuf_once_, [this] {
    auto pb = api::EncodeProtobuf(*object_);
    if (pb.ok()) protobuf_ = std::move(*pb);
  });
  return protobuf_;
}

const std::string& CachedObject::Memo(const std::string& variant, const std::function<std::string()>& make) const {
  std::lock_guard lock(memo_mu_);
  for (const auto& [k, v] : memo_) {
    if (k == variant) return v;
  }
  // Encoded under the lock: concurrent watchers of one form wait for the
  // first instead of encoding it again.
  memo_.emplace_back(variant, make());
  return memo_.back().second;
}

namespace {

bool HasPrefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// A copy of `obj` stamped with another resourceVersion (a DELETED event
// carries the last state at the deletion's revision).
ObjectPtr Restamp(const ObjectPtr& obj, int64_t revision) {
  auto copy = std::make_shared<json>(obj->object());
  (*copy)["metadata"]["resourceVersion"] = api::FormatResourceVersion(revision);
  return std::make_shared<CachedObject>(obj->key(), revision, std::move(copy));
}

}  // namespace

class WatchCache::Watcher final : public CacheWatcher {
 public:
  Watcher(std::string prefix, ObjectFilter filter, int64_t start, size_t capacity)
      : prefix_(std::move(prefix)), filter_(std::move(filter)), capacity_(capacity),
        last_revision_(start) {}

  const std::string& prefix() const { return prefix_; }

  // Filters and converts one cache event; false if the watcher has nothing to
  // see. Called by the dispatcher (or at registration) outside the watcher's lock.
  bool Convert(const CacheEvent& in, CacheEvent* out) const {
    if (!HasPrefix(in.object ? in.object->key() : in.prev->key(), prefix_)) return false;
    auto passes = [this](const ObjectPtr& o) { return o && (!filter_ || filter_(o->object())); };
    switch (in.type) {
      case CacheEvent::Type::kAdded:
        if (!passes(in.object)) return false;
        *out = in;
        return true;
      case CacheEvent::Type::kModified: {
        bool cur = passes(in.object), old = passes(in.prev);
        if (cur && old) {
          *out = in;
        } else if (cur) {
          *out = CacheEvent{CacheEvent::Type::kAdded, in.revision, in.object, nullptr};
        } else if (old) {
          *out = CacheEvent{CacheEvent::Type::kDeleted, in.revision, Restamp(in.prev, in.revision), in.prev};
        } else {
          return false;
        }
        return true;
      }
      case CacheEvent::Type::kDeleted:
        if (!passes(in.prev)) return false;
        *out = in;
        return true;
      case CacheEvent::Type::kBookmark:
        return false;
    }
    return false;
  }

  // Queues an event; replayed (history) events do not count against the
  // capacity. Returns false if the watcher was cut off.
  bool Push(CacheEvent event, bool replay) {
    std::function<void()> notify;
    bool ok = true;
    {
      std::lock_guard lock(mu_);
      if (!status_.ok()) return false;
      if (!replay && live_queued_ >= capacity_) {
        status_ = Status::Unavailable("watcher fell too far behind and was cut off");
        ok = false;
      } else {
        if (!replay) ++live_queued_;
        queue_.push_back({std::move(event), replay});
      }
      cv_.notify_all();
      notify = notify_;
    }
    if (notify) notify();
    return ok;
  }

  void Close(Status status) {
    std::function<void()> notify;
    {
      std::lock_guard lock(mu_);
      if (status_.ok()) status_ = std::move(status);
      cv_.notify_all();
      notify = notify_;
    }
    if (notify) notify();
  }

  void SetNotify(std::function<void()> notify) override {
    bool pending;
    {
      std::lock_guard lock(mu_);
      notify_ = notify;
      pending = !queue_.empty() || !status_.ok();
    }
    if (pending && notify) notify();
  }

  bool closed() const {
    std::lock_guard lock(mu_);
    return !status_.ok();
  }

  StatusOr<std::vector<CacheEvent>> Next(std::chrono::milliseconds timeout, size_t max_events) override {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, timeout, [this] { return !queue_.empty() || !status_.ok(); });
    if (queue_.empty()) {
      if (!status_.ok()) return status_;
      return std::vector<CacheEvent>{};
    }
    std::vector<CacheEvent> out;
    const size_t n = std::min(queue_.size(), max_events);
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      Queued& q = queue_.front();
      if (!q.replay) --live_queued_;
      last_revision_ = std::max(last_revision_, q.event.revision);
      out.push_back(std::move(q.event));
      queue_.pop_front();
    }
    return out;
  }

  int64_t LastRevision() const override {
    std::lock_guard lock(mu_);
    return last_revision_;
  }

 private:
  struct Queued {
    CacheEvent event;
    bool replay;
  };
  const std::string prefix_;
  const ObjectFilter filter_;
  const size_t capacity_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Queued> queue_;   // guarded by mu_
  size_t live_queued_ = 0;     // guarded by mu_
  Status status_;              // guarded by mu_
  int64_t last_revision_ = 0;  // guarded by mu_
  std::function<void()> notify_;  // guarded by mu_
};

WatchCache::WatchCache(storage::Store& store, std::string prefix, Decoder decoder,
                       WatchCacheOptions options)
    : store_(store), prefix_(std::move(prefix)), decoder_(std::move(decoder)), options_(options) {}

WatchCache::~WatchCache() { Stop(); }

ObjectPtr WatchCache::Load(const std::string& key, std::string_view value, int64_t revision) const {
  auto decoded = decoder_(key, value);
  if (!decoded.ok()) {
    LogError("watch cache: skipping undecodable object {} at revision {}: {}", key, revision,
             decoded.status().ToString());
    return nullptr;
  }
  auto obj = std::make_shared<json>(std::move(*decoded));
  (*obj)["metadata"]["resourceVersion"] = api::FormatResourceVersion(revision);
  return std::make_shared<CachedObject>(key, revision, std::move(obj));
}

std::map<std::string, ObjectPtr, std::less<>> WatchCache::LoadAll(const storage::ListResult& listed) const {
  std::map<std::string, ObjectPtr, std::less<>> objects;
  for (const auto& kv : listed.kvs) {
    if (ObjectPtr o = Load(kv.key, kv.value, kv.mod_revision)) objects.emplace(kv.key, std::move(o));
  }
  return objects;
}

void WatchCache::Advance(int64_t revision) {
  std::lock_guard lock(mu_);
  revision_ = std::max(revision_, revision);
  revision_cv_.notify_all();
}

Status WatchCache::Start() {
  storage::ListOptions lo;
  lo.range = storage::KeyRange::Prefix(prefix_);
  ASSIGN_OR_RETURN(storage::ListResult listed, store_.List(lo));
  auto objects = LoadAll(listed);
  storage::WatchOptions wo;
  wo.range = lo.range;
  wo.after_revision = listed.revision;
  wo.queue_capacity = 1'000'000;
  ASSIGN_OR_RETURN(store_watch_, store_.Watch(wo));
  {
    std::lock_guard lock(mu_);
    objects_ = std::move(objects);
    revision_ = listed.revision;
    history_floor_ = listed.revision;
  }
  thread_ = std::thread([this] { Run(); });
  return Status::Ok();
}

void WatchCache::Stop() {
  std::vector<std::shared_ptr<Watcher>> watchers;
  {
    std::lock_guard lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    watchers.swap(watchers_);
    revision_cv_.notify_all();
  }
  for (auto& w : watchers) w->Close(Status::Unavailable("the API server is shutting down"));
  if (thread_.joinable()) thread_.join();
}

void WatchCache::Run() {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
    }
    auto next = store_watch_->Next(std::chrono::milliseconds(100));
    if (next.ok()) {
      if (!next->empty()) Apply(*next);
      continue;
    }
    // The store watch ended (we fell behind, or history was compacted):
    // resume where it stopped, or reload everything and cut watchers off so
    // their clients re-list.
    storage::WatchOptions wo;
    wo.range = storage::KeyRange::Prefix(prefix_);
    wo.after_revision = store_watch_->LastRevision();
    wo.queue_capacity = 1'000'000;
    auto again = store_.Watch(wo);
    if (again.ok()) {
      store_watch_ = std::move(*again);
      continue;
    }
    LogWarning("watch cache: store watch lost ({}); reloading", again.status().ToString());
    storage::ListOptions lo;
    lo.range = wo.range;
    auto listed = store_.List(lo);
    if (!listed.ok()) {
      std::unique_lock lock(mu_);
      revision_cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stopped_; });
      continue;
    }
    auto objects = LoadAll(*listed);
    wo.after_revision = listed->revision;
    auto rewatch = store_.Watch(wo);
    if (!rewatch.ok()) continue;
    store_watch_ = std::move(*rewatch);
    std::vector<std::shared_ptr<Watcher>> cut;
    {
      std::lock_guard lock(mu_);
      objects_ = std::move(objects);
      revision_ = listed->revision;
      history_.clear();
      history_floor_ = listed->revision;
      cut.swap(watchers_);
      revision_cv_.notify_all();
    }
    for (auto& w : cut) w->Close(Status::Unavailable("watch cache reloaded"));
  }
}

void WatchCache::Apply(const std::vector<storage::Event>& events) {
  for (const auto& ev : events) {
    CacheEvent ce;
    ce.revision = ev.revision();
    {
      std::lock_guard lock(mu_);
      auto it = objects_.find(ev.kv.key);
      if (it != objects_.end()) ce.prev = it->second;
    }
    if (ev.type == storage::Event::Type::kPut) {
      ce.object = Load(ev.kv.key, ev.kv.value, ce.revision);
      if (!ce.object) {
        Advance(ce.revision);
        continue;
      }
      ce.type = ce.prev ? CacheEvent::Type::kModified : CacheEvent::Type::kAdded;
    } else {
      if (!ce.prev) {
        Advance(ce.revision);
        continue;
      }
      ce.type = CacheEvent::Type::kDeleted;
      ce.object = Restamp(ce.prev, ce.revision);
    }
    Deliver(ce);
  }
}

void WatchCache::Deliver(const CacheEvent& event) {
  std::vector<std::shared_ptr<Watcher>> watchers;
  {
    std::lock_guard lock(mu_);
    if (event.type == CacheEvent::Type::kDeleted) {
      objects_.erase(event.object->key());
    } else {
      objects_[event.object->key()] = event.object;
    }
    history_.push_back(event);
    while (history_.size() > options_.history_capacity) {
      int64_t dropped = history_.front().revision;
      while (!history_.empty() && history_.front().revision == dropped) history_.pop_front();
      history_floor_ = dropped;
    }
    revision_ = std::max(revision_, event.revision);
    watchers = watchers_;  // delivered outside the lock: Push may be slow-ish
    revision_cv_.notify_all();
  }
  bool any_closed = false;
  for (auto& w : watchers) {
    CacheEvent out;
    if (w->Convert(event, &out)) w->Push(std::move(out), /*replay=*/false);
    any_closed = any_closed || w->closed();
  }
  if (any_closed) PruneClosedWatchers();
}

void WatchCache::PruneClosedWatchers() {
  std::lock_guard lock(mu_);
  std::erase_if(watchers_, [](const std::shared_ptr<Watcher>& w) { return w->closed(); });
}

int64_t WatchCache::revision() const {
  std::lock_guard lock(mu_);
  return revision_;
}

Status WatchCache::WaitUntil(int64_t revision, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  bool ok = revision_cv_.wait_for(lock, timeout, [&] { return stopped_ || revision_ >= revision; });
  if (stopped_) return Status::Unavailable("the API server is shutting down");
  if (!ok) {
    return Status::Timeout("Too large resource version: " + std::to_string(revision) +
                           ", current: " + std::to_string(revision_));
  }
  return Status::Ok();
}

WatchCache::Snapshot WatchCache::List(std::string_view prefix) const {
  Snapshot snap;
  std::lock_guard lock(mu_);
  snap.revision = revision_;
  for (auto it = objects_.lower_bound(prefix); it != objects_.end() && HasPrefix(it->first, prefix); ++it) {
    snap.objects.push_back(it->second);
  }
  return snap;
}

ObjectPtr WatchCache::Get(std::string_view key) const {
  std::lock_guard lock(mu_);
  auto it = objects_.find(key);
  return it == objects_.end() ? nullptr : it->second;
}

StatusOr<CacheWatcherPtr> WatchCache::Watch(std::string prefix, int64_t after_revision,
                                            ObjectFilter filter, bool send_initial) {
  if (!send_initial && after_revision > 0) {
    RETURN_IF_ERROR(WaitUntil(after_revision, std::chrono::seconds(3)));
  }
  std::unique_lock lock(mu_);
  if (stopped_) return Status::Unavailable("the API server is shutting down");
  if (send_initial || after_revision == 0) after_revision = revision_;
  if (after_revision < history_floor_) {
    return Status::Expired("too old resource version: " + std::to_string(after_revision) + " (" +
                           std::to_string(history_floor_ + 1) + ")");
  }
  auto w = std::make_shared<Watcher>(prefix, std::move(filter), after_revision,
                                     options_.watcher_queue_capacity);
  if (send_initial) {
    for (auto it = objects_.lower_bound(prefix); it != objects_.end() && HasPrefix(it->first, prefix);
         ++it) {
      CacheEvent in{CacheEvent::Type::kAdded, it->second->revision(), it->second, nullptr}, out;
      if (w->Convert(in, &out)) w->Push(std::move(out), /*replay=*/true);
    }
  } else {
    // History is ordered by revision: find the first event after the start.
    auto first = std::upper_bound(history_.begin(), history_.end(), after_revision,
                                  [](int64_t rev, const CacheEvent& e) { return rev < e.revision; });
    for (auto it = first; it != history_.end(); ++it) {
      CacheEvent out;
      if (w->Convert(*it, &out)) w->Push(std::move(out), /*replay=*/true);
    }
  }
  watchers_.push_back(w);
  // The caller owns the watcher through a handle that unregisters it on
  // destruction; the cache keeps a shared reference for delivery.
  struct Handle final : CacheWatcher {
    std::shared_ptr<Watcher> w;
    explicit Handle(std::shared_ptr<Watcher> w) : w(std::move(w)) {}
    ~Handle() override {
      w->SetNotify(nullptr);
      w->Close(Status::Unavailable("watch closed"));
    }
    void SetNotify(std::function<void()> n) override { w->SetNotify(std::move(n)); }
    StatusOr<std::vector<CacheEvent>> Next(std::chrono::milliseconds t, size_t max_events) override {
      return w->Next(t, max_events);
    }
    int64_t LastRevision() const override { return w->LastRevision(); }
  };
  lock.unlock();
  // Closed watchers are dropped at the next event; prune now too so an idle
  // cache does not accumulate them.
  PruneClosedWatchers();
  return CacheWatcherPtr(new Handle(std::move(w)));
}

size_t WatchCache::watcher_count() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& w : watchers_) n += w->closed() ? 0 : 1;
  return n;
}

int64_t WatchCache::oldest_resumable_revision() const {
  std::lock_guard lock(mu_);
  return history_floor_;
}

}  // namespace kubepp::apiserver::registry
