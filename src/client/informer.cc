#include "client/informer.h"

#include <random>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "common/log.h"

namespace kubepp::client {
namespace {

using nlohmann::json;

bool IsExpired(const Status& s) { return s.code() == StatusCode::kGone || s.code() == StatusCode::kExpired; }

// Errors after which the watch is retried from the same resourceVersion
// rather than re-listing: the server was unreachable or shedding load.
bool IsRetryableWatchError(const Status& s) {
  return s.code() == StatusCode::kUnavailable || s.code() == StatusCode::kTimeout ||
         s.code() == StatusCode::kTooManyRequests;
}

std::string StringField(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t RandomWatchTimeout(std::chrono::seconds min) {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  int64_t lo = std::max<int64_t>(1, min.count());
  std::uniform_int_distribution<int64_t> dist(lo, 2 * lo - 1 > lo ? 2 * lo - 1 : lo);
  return dist(rng);
}

}  // namespace

SharedInformer::SharedInformer(Client& client, GroupVersionResource resource, InformerOptions options)
    : client_(client),
      resource_(std::move(resource)),
      options_(std::move(options)),
      clock_(options_.clock ? *options_.clock : RealClock()),
      indexer_(options_.indexers),
      wakeup_(clock_, mu_, cv_) {}

SharedInformer::~SharedInformer() { Stop(); }

uint64_t SharedInformer::AddEventHandler(ResourceEventHandler handler) {
  std::lock_guard<std::mutex> lock(dispatch_mu_);
  uint64_t id = next_handler_id_++;
  // The cache changes only under dispatch_mu_, so replaying it here and
  // registering before the next event neither misses nor repeats anything.
  if (handler.on_add) {
    for (const auto& object : indexer_.List()) handler.on_add(object);
  }
  handlers_.emplace(id, std::move(handler));
  return id;
}

void SharedInformer::RemoveEventHandler(uint64_t id) {
  std::lock_guard<std::mutex> lock(dispatch_mu_);
  handlers_.erase(id);
}

template <typename Fn>
void SharedInformer::ForEachHandler(Fn&& fn) {
  for (auto& [id, handler] : handlers_) fn(handler);
}

void SharedInformer::Start() {
  std::lock_guard<std::mutex> join_lock(join_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_ || stopping_) return;
    started_ = true;
  }
  reflector_ = std::thread([this] { RunReflector(); });
  if (options_.resync_period > Clock::Duration::zero()) {
    // The first deadline is fixed here, not in the thread, so time that
    // passes before the thread runs still counts.
    Clock::TimePoint first = clock_.Now() + options_.resync_period;
    resync_ = std::thread([this, first] { RunResync(first); });
  }
}

void SharedInformer::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    if (watch_cancel_ != nullptr) watch_cancel_->Cancel();
    cv_.notify_all();
  }
  std::lock_guard<std::mutex> join_lock(join_mu_);
  if (reflector_.joinable()) reflector_.join();
  if (resync_.joinable()) resync_.join();
}

bool SharedInformer::WaitForSync(std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return synced_.load() || stopping_; });
  return synced_.load();
}

std::string SharedInformer::LastSyncResourceVersion() const {
  std::lock_guard<std::mutex> lock(mu_);
  return resource_version_;
}

void SharedInformer::SetResourceVersion(const std::string& rv) {
  std::lock_guard<std::mutex> lock(mu_);
  resource_version_ = rv;
}

bool SharedInformer::stopping() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stopping_;
}

bool SharedInformer::BackoffWait(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, d, [this] { return stopping_; });
  return !stopping_;
}

void SharedInformer::RunReflector() {
  std::chrono::milliseconds backoff = options_.initial_backoff;
  while (!stopping()) {
    Status s = ListAndWatch();
    if (stopping()) return;
    if (s.ok()) {
      backoff = options_.initial_backoff;
      continue;
    }
    LogWarning("informer {}: {}; re-listing in {} ms", resource_.GroupResource(), s.ToString(), backoff.count());
    if (!BackoffWait(backoff)) return;
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

StatusOr<std::vector<ObjectPtr>> SharedInformer::ListAll(std::string* resource_version) {
  ListOptions lo;
  lo.label_selector = options_.label_selector;
  lo.field_selector = options_.field_selector;
  lo.limit = options_.page_size;
  if (options_.list_from_cache) lo.resource_version = "0";
  std::vector<ObjectPtr> out;
  while (true) {
    auto page = client_.List(resource_, options_.namespace_, lo);
    if (!page.ok()) {
      if (IsExpired(page.status()) && !lo.continue_token.empty()) {
        // The continue token outlived the server's history: start over
        // with one unpaginated list, as client-go's pager does.
        out.clear();
        lo.continue_token.clear();
        lo.limit = 0;
        lo.resource_version = options_.list_from_cache ? "0" : "";
        continue;
      }
      return page.status();
    }
    json& list = *page;
    const json empty = json::object();
    const json& meta = list.contains("metadata") && list["metadata"].is_object() ? list["metadata"] : empty;
    if (!list.is_object()) return Status::Internal("list response is not an object");
    std::string list_kind = StringField(list, "kind");
    std::string item_kind = list_kind.size() > 4 && list_kind.ends_with("List")
                                ? list_kind.substr(0, list_kind.size() - 4)
                                : std::string();
    std::string api_version = StringField(list, "apiVersion");
    if (list.contains("items") && list["items"].is_array()) {
      for (auto& item : list["items"]) {
        if (!item.is_object()) continue;
        // List items come without their type; watch events carry it. Fill
        // it in so handlers see the same shape either way.
        if (!item.contains("kind") && !item_kind.empty()) item["kind"] = item_kind;
        if (!item.contains("apiVersion") && !api_version.empty()) item["apiVersion"] = api_version;
        out.push_back(std::make_shared<const json>(std::move(item)));
      }
    }
    auto rv = meta.find("resourceVersion");
    if (rv != meta.end() && rv->is_string()) *resource_version = rv->get<std::string>();
    auto cont = meta.find("continue");
    if (cont == meta.end() || !cont->is_string() || cont->get<std::string>().empty()) break;
    lo.continue_token = cont->get<std::string>();
    lo.resource_version.clear();  // not allowed together with continue
  }
  return out;
}

void SharedInformer::ApplyList(std::vector<ObjectPtr> objects, const std::string& resource_version) {
  std::lock_guard<std::mutex> lock(dispatch_mu_);
  std::unordered_map<std::string, ObjectPtr> old;
  for (auto& object : indexer_.List()) old.emplace(ObjectKey(*object), std::move(object));
  indexer_.Replace(objects);
  SetResourceVersion(resource_version);  // the cache's version, before handlers look at it
  for (const auto& object : objects) {
    std::string key = ObjectKey(*object);
    if (key.empty()) continue;
    auto it = old.find(key);
    if (it != old.end()) {
      ObjectPtr before = std::move(it->second);
      old.erase(it);
      ForEachHandler([&](ResourceEventHandler& h) {
        if (h.on_update) h.on_update(before, object);
      });
    } else {
      ForEachHandler([&](ResourceEventHandler& h) {
        if (h.on_add) h.on_add(object);
      });
    }
  }
  for (const auto& [key, object] : old) {
    ForEachHandler([&](ResourceEventHandler& h) {
      if (h.on_delete) h.on_delete(object, true);
    });
  }
  synced_ = true;
}

bool SharedInformer::ApplyEvent(WatchEvent event, Status* error_event) {
  if (event.type == WatchEventType::kError) {
    *error_event = event.error.ok() ? Status::Internal("watch ERROR event without a status") : event.error;
    return false;
  }
  const std::string rv = event.object ? ObjectResourceVersion(*event.object) : "";
  if (event.type == WatchEventType::kBookmark) {
    if (!rv.empty()) SetResourceVersion(rv);
    return true;
  }
  const ObjectPtr& object = event.object;
  {
    std::lock_guard<std::mutex> lock(dispatch_mu_);
    if (event.type == WatchEventType::kDeleted) {
      indexer_.Delete(ObjectKey(*object));
      if (!rv.empty()) SetResourceVersion(rv);
      ForEachHandler([&](ResourceEventHandler& h) {
        if (h.on_delete) h.on_delete(object, false);
      });
    } else {
      ObjectPtr old = indexer_.Upsert(object);
      if (!rv.empty()) SetResourceVersion(rv);
      ForEachHandler([&](ResourceEventHandler& h) {
        if (old) {
          if (h.on_update) h.on_update(old, object);
        } else if (h.on_add) {
          h.on_add(object);
        }
      });
    }
  }
  return true;
}

Status SharedInformer::ListAndWatch() {
  std::string list_rv;
  auto listed = ListAll(&list_rv);
  if (!listed.ok()) return listed.status().WithPrefix("list");
  ApplyList(std::move(listed).value(), list_rv);
  {
    std::lock_guard<std::mutex> lock(mu_);
    cv_.notify_all();  // WaitForSync
  }

  std::chrono::milliseconds backoff = options_.initial_backoff;
  while (true) {
    ListOptions lo;
    lo.label_selector = options_.label_selector;
    lo.field_selector = options_.field_selector;
    lo.allow_watch_bookmarks = true;
    lo.timeout_seconds = RandomWatchTimeout(options_.min_watch_timeout);
    CancelToken cancel;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return Status::Ok();
      lo.resource_version = resource_version_;
      watch_cancel_ = &cancel;
    }
    Status error_event;
    int events = 0;
    const auto started = std::chrono::steady_clock::now();
    Status s = client_.WatchStream(resource_, options_.namespace_, lo, cancel, [&](WatchEvent ev) {
      ++events;
      return ApplyEvent(std::move(ev), &error_event);
    });
    {
      std::lock_guard<std::mutex> lock(mu_);
      watch_cancel_ = nullptr;
      if (stopping_) return Status::Ok();
    }
    if (!error_event.ok()) s = error_event;
    if (IsExpired(s)) {
      LogInfo("informer {}: watch: {}; re-listing", resource_.GroupResource(), s.message());
      return Status::Ok();
    }
    if (!s.ok() && !IsRetryableWatchError(s)) return s.WithPrefix("watch");
    if (s.ok() && (events > 0 || std::chrono::steady_clock::now() - started >= std::chrono::seconds(1))) {
      backoff = options_.initial_backoff;  // a normal end (timeoutSeconds): watch again at once
      continue;
    }
    // Unreachable server, or a stream that ended at once without events:
    // wait before watching again so a sick server is not hammered.
    if (!s.ok()) LogWarning("informer {}: watch: {}", resource_.GroupResource(), s.ToString());
    if (!BackoffWait(backoff)) return Status::Ok();
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
}

void SharedInformer::RunResync(Clock::TimePoint next) {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    if (clock_.Now() < next) {
      clock_.WaitUntil(cv_, lock, next);
      continue;
    }
    lock.unlock();
    if (synced_.load()) {
      std::lock_guard<std::mutex> dispatch(dispatch_mu_);
      for (const auto& object : indexer_.List()) {
        ForEachHandler([&](ResourceEventHandler& h) {
          if (h.on_update) h.on_update(object, object);
        });
      }
    }
    lock.lock();
    // On schedule, so time that passed while handlers ran still counts; a
    // clock far ahead (a long pause) gets one resync now, not a burst.
    next += options_.resync_period;
    if (clock_.Now() - next >= options_.resync_period) next = clock_.Now();
  }
}

Informers::Informers(Client& client, InformerOptions defaults) : client_(client), defaults_(std::move(defaults)) {}

Informers::~Informers() { Stop(); }

SharedInformer& Informers::For(const GroupVersionResource& resource, Indexers indexers) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = informers_.find(resource);
  if (it == informers_.end()) {
    it = informers_.emplace(resource, std::make_unique<SharedInformer>(client_, resource, defaults_)).first;
    if (started_) it->second->Start();
  }
  for (auto& [name, func] : indexers) {
    Indexers one;
    one.emplace(name, std::move(func));
    (void)it->second->AddIndexers(std::move(one));  // a duplicate name is ignored, as documented
  }
  return *it->second;
}

void Informers::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  started_ = true;
  for (auto& [r, informer] : informers_) informer->Start();
}

bool Informers::WaitForCacheSync(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  std::vector<SharedInformer*> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [r, informer] : informers_) all.push_back(informer.get());
  }
  for (SharedInformer* informer : all) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (!informer->WaitForSync(std::max(left, std::chrono::milliseconds(0)))) return false;
  }
  return true;
}

void Informers::Stop() {
  std::vector<SharedInformer*> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& [r, informer] : informers_) all.push_back(informer.get());
  }
  // Outside mu_: a handler blocked in For() must not deadlock the join.
  for (SharedInformer* informer : all) informer->Stop();
}

}  // namespace kubepp::client
