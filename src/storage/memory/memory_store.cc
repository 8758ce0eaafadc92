#include "storage/memory/memory_store.h"

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "storage/errors.h"
#include "storage/lease_set.h"
#include "storage/watch_hub.h"

namespace kubepp::storage {
namespace {

// One revision of one key: its value, or a deletion (tombstone).
struct Version {
  int64_t revision = 0;
  bool deleted = false;
  KeyValue kv;
};

class MemoryStore final : public Store {
 public:
  explicit MemoryStore(const MemoryOptions& o) : options_(o) {
    lease_thread_ = std::thread([this] { LeaseLoop(); });
  }
  ~MemoryStore() override {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    stop_cv_.notify_all();
    lease_thread_.join();
    hub_.Close(Status::Unavailable("store closed"));
  }

  int64_t CurrentRevision() override {
    std::lock_guard lock(mu_);
    return revision_;
  }
  int64_t CompactRevision() override {
    std::lock_guard lock(mu_);
    return compact_revision_;
  }

  StatusOr<KeyValue> Get(std::string_view key, int64_t revision) override {
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(int64_t rev, ReadRevision(revision));
    auto it = keys_.find(key);
    const Version* v = it == keys_.end() ? nullptr : At(it->second, rev);
    if (v == nullptr || v->deleted) return KeyNotFound(key);
    return v->kv;
  }

  StatusOr<ListResult> List(const ListOptions& o) override {
    std::lock_guard lock(mu_);
    ASSIGN_OR_RETURN(int64_t rev, ReadRevision(o.revision));
    ListResult out;
    out.revision = rev;
    auto it = keys_.lower_bound(std::string_view(o.range.begin));
    if (!o.start_after.empty() && o.start_after >= o.range.begin) {
      it = keys_.upper_bound(std::string_view(o.start_after));
    }
    for (; it != keys_.end() && o.range.Contains(it->first); ++it) {
      const Version* v = At(it->second, rev);
      if (v == nullptr || v->deleted) continue;
      if (o.limit > 0 && static_cast<int64_t>(out.kvs.size()) >= o.limit) {
        out.more = true;
        ++out.remaining;
        continue;
      }
      out.kvs.push_back(v->kv);
    }
    return out;
  }

  WriteResult Create(std::string_view key, std::string_view value, int64_t lease) override {
    std::lock_guard lock(mu_);
    const Version* cur = Latest(key);
    if (cur != nullptr) return Reject(KeyExists(key), cur);
    return Write(key, value, lease);
  }

  WriteResult Put(std::string_view key, std::string_view value, int64_t lease) override {
    std::lock_guard lock(mu_);
    return Write(key, value, lease);
  }

  WriteResult Update(std::string_view key, std::string_view value, int64_t expected,
                     int64_t lease) override {
    std::lock_guard lock(mu_);
    const Version* cur = Latest(key);
    if (cur == nullptr) return Reject(KeyNotFound(key), nullptr);
    if (expected != kAnyRevision && cur->kv.mod_revision != expected) {
      return Reject(ModRevisionMismatch(key, expected, cur->kv.mod_revision), cur);
    }
    return Write(key, value, lease);
  }

  WriteResult Delete(std::string_view key, int64_t expected) override {
    std::lock_guard lock(mu_);
    const Version* cur = Latest(key);
    if (cur == nullptr) return Reject(KeyNotFound(key), nullptr);
    if (expected != kAnyRevision && cur->kv.mod_revision != expected) {
      return Reject(ModRevisionMismatch(key, expected, cur->kv.mod_revision), cur);
    }
    return DeleteLocked(key);
  }

  StatusOr<WatchPtr> Watch(const WatchOptions& o) override {
    std::unique_lock lock(mu_);
    if (o.after_revision > 0 && o.after_revision < compact_revision_) {
      return RevisionCompacted(o.after_revision, compact_revision_);
    }
    ASSIGN_OR_RETURN(WatchHub::Registration reg, hub_.Register(o));
    std::vector<Event> history;
    if (o.after_revision > 0) {
      for (auto it = log_.upper_bound(o.after_revision); it != log_.end() && it->first <= reg.published_revision;
           ++it) {
        if (o.range.Contains(it->second.kv.key)) history.push_back(it->second);
      }
    }
    lock.unlock();
    return hub_.Start(std::move(reg.pending), std::move(history));
  }

  Status Compact(int64_t revision) override {
    std::lock_guard lock(mu_);
    if (revision > revision_) {
      return CompactRevisionInFuture(revision, revision_);
    }
    if (revision <= compact_revision_) return Status::Ok();
    compact_revision_ = revision;
    for (auto it = keys_.begin(); it != keys_.end();) {
      auto& versions = it->second;
      // Keep the latest version <= revision (unless it is a deletion) and
      // everything after it.
      auto first_after = std::upper_bound(versions.begin(), versions.end(), revision,
                                          [](int64_t r, const Version& v) { return r < v.revision; });
      if (first_after != versions.begin()) {
        auto keep_from = std::prev(first_after);
        if (keep_from->deleted) ++keep_from;
        versions.erase(versions.begin(), keep_from);
      }
      it = versions.empty() ? keys_.erase(it) : std::next(it);
    }
    log_.erase(log_.begin(), log_.upper_bound(revision));
    return Status::Ok();
  }

  StatusOr<int64_t> Grant(std::chrono::seconds ttl) override {
    if (ttl.count() < 1) return LeaseTtlTooShort();
    std::lock_guard lock(mu_);
    int64_t id = ++last_lease_id_;
    leases_.Add(id, ttl, options_.clock->Now());
    return id;
  }

  Status Revoke(int64_t lease) override {
    std::lock_guard lock(mu_);
    return RevokeLocked(lease);
  }

  StatusOr<std::chrono::seconds> KeepAlive(int64_t lease) override {
    std::lock_guard lock(mu_);
    std::chrono::seconds ttl;
    if (!leases_.Refresh(lease, options_.clock->Now(), &ttl)) return LeaseNotFound(lease);
    return ttl;
  }

 private:

  // The revision a read is served at, or why it cannot be. Requires mu_.
  StatusOr<int64_t> ReadRevision(int64_t revision) const {
    if (revision == 0) return revision_;
    if (revision < compact_revision_) {
      return RevisionCompacted(revision, compact_revision_);
    }
    if (revision > revision_) {
      return RevisionInFuture(revision, revision_);
    }
    return revision;
  }

  // The version in effect at `rev`, or null. Requires mu_.
  static const Version* At(const std::vector<Version>& versions, int64_t rev) {
    auto it = std::upper_bound(versions.begin(), versions.end(), rev,
                               [](int64_t r, const Version& v) { return r < v.revision; });
    if (it == versions.begin()) return nullptr;
    return &*std::prev(it);
  }

  // The key's current live version, or null. Requires mu_.
  const Version* Latest(std::string_view key) const {
    auto it = keys_.find(key);
    if (it == keys_.end() || it->second.empty() || it->second.back().deleted) return nullptr;
    return &it->second.back();
  }

  WriteResult Reject(Status s, const Version* cur) const {
    WriteResult r;
    r.status = std::move(s);
    r.revision = revision_;
    if (cur != nullptr) r.kv = cur->kv;
    return r;
  }

  // Create-or-replace. Requires mu_.
  WriteResult Write(std::string_view key, std::string_view value, int64_t lease) {
    if (lease != 0 && !leases_.Contains(lease)) return Reject(LeaseNotFound(lease), nullptr);
    const Version* cur = Latest(key);
    std::optional<KeyValue> prev;
    if (cur != nullptr) prev = cur->kv;
    Version v;
    v.revision = ++revision_;
    v.kv.key = std::string(key);
    v.kv.value = std::string(value);
    v.kv.mod_revision = v.revision;
    v.kv.create_revision = prev ? prev->create_revision : v.revision;
    v.kv.version = prev ? prev->version + 1 : 1;
    v.kv.lease = lease;
    if (prev) leases_.Detach(prev->lease, prev->key);
    leases_.Attach(lease, v.kv.key);
    Event e{Event::Type::kPut, v.kv, prev};
    WriteResult r;
    r.revision = v.revision;
    r.kv = v.kv;
    r.prev_kv = prev;
    keys_[v.kv.key].push_back(std::move(v));
    Commit(std::move(e));
    return r;
  }

  // Deletes a live key. Requires mu_.
  WriteResult DeleteLocked(std::string_view key) {
    auto it = keys_.find(key);
    KeyValue prev = it->second.back().kv;
    leases_.Detach(prev.lease, prev.key);
    Version v;
    v.revision = ++revision_;
    v.deleted = true;
    v.kv.key = prev.key;
    v.kv.mod_revision = v.revision;
    it->second.push_back(v);
    WriteResult r;
    r.revision = v.revision;
    r.prev_kv = prev;
    Commit(Event{Event::Type::kDelete, v.kv, prev});
    return r;
  }

  Status RevokeLocked(int64_t lease) {
    std::vector<std::string> keys;
    if (!leases_.Remove(lease, &keys)) return LeaseNotFound(lease);
    for (const std::string& k : keys) {
      if (Latest(k) != nullptr) DeleteLocked(k);
    }
    return Status::Ok();
  }

  void Commit(Event e) {
    log_.emplace(e.revision(), e);
    hub_.Publish({std::move(e)});
  }

  void LeaseLoop() {
    std::unique_lock lock(mu_);
    while (!stopping_) {
      stop_cv_.wait_for(lock, options_.lease_check_interval);
      if (stopping_) break;
      for (int64_t id : leases_.Expired(options_.clock->Now())) (void)RevokeLocked(id);
    }
  }

  const MemoryOptions options_;
  WatchHub hub_;

  std::mutex mu_;
  std::condition_variable stop_cv_;
  bool stopping_ = false;                                            // guarded by mu_
  int64_t revision_ = 0;                                             // guarded by mu_
  int64_t compact_revision_ = 0;                                     // guarded by mu_
  std::map<std::string, std::vector<Version>, std::less<>> keys_;  // guarded by mu_
  std::map<int64_t, Event> log_;  // every event > compact_revision_; guarded by mu_
  LeaseSet leases_;               // guarded by mu_
  int64_t last_lease_id_ = 0;     // guarded by mu_

  std::thread lease_thread_;
};

}  // namespace

std::unique_ptr<Store> NewMemoryStore(const MemoryOptions& options) {
  return std::make_unique<MemoryStore>(options);
}

}  // namespace kubepp::storage
