// Store: the versioned key-value store under the API server.
//
// The interface maps one-to-one onto etcd v3 semantics so that the embedded
// backends (memory/, sqlite/) and an etcd backend over gRPC can all pass one
// conformance suite (storage/testing/conformance.h):
//   - one global revision, incremented by every successful write (a write is a
//     Create, Put, Update, Delete, or a key deleted by lease expiry); a
//     rejected write does not consume a revision;
//   - KeyValue carries etcd's create_revision, mod_revision, version, lease;
//   - reads (Get/List) may be served at a past revision that has not been
//     compacted; a compacted revision yields StatusCode::kGone;
//   - Update and Delete are compare-and-swap on mod_revision, checked by the
//     backend atomically with the write (never read-then-write by a caller);
//   - Watch delivers every event of a key range in revision order, with no gap
//     and no duplicate, starting strictly after a given revision;
//   - leases: keys attached to a lease are deleted (producing DELETE events)
//     when the lease expires or is revoked.
//
// Ownership: the Store owns its threads, files and connections; a Watch handle
// returned by Store::Watch is owned by the caller and must be destroyed before
// the Store (destroying it cancels the watch).
//
// Thread-safety: every Store method may be called concurrently from any number
// of threads. A Watch handle is used by one consumer thread at a time. A slow
// watch consumer never blocks writers: each watch has a bounded queue, and a
// watch whose queue overflows is ended with StatusCode::kUnavailable after the
// events already queued; the consumer re-establishes it from LastRevision().
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kubepp::storage {

// Monotonic time source for lease expiry; tests inject a fake one
// (storage/testing/fake_clock.h). Thread-safe.
class Clock {
 public:
  using TimePoint = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual TimePoint Now() const = 0;
};
// The process-wide real clock (std::chrono::steady_clock). Never null.
Clock* RealClock();

struct KeyValue {
  std::string key;
  std::string value;
  int64_t create_revision = 0;  // revision of the write that created the key
  int64_t mod_revision = 0;     // revision of the last write to the key
  int64_t version = 0;          // 1 at creation, +1 per update
  int64_t lease = 0;            // attached lease id, 0 for none

  bool operator==(const KeyValue&) const = default;
};

struct Event {
  enum class Type { kPut, kDelete };
  Type type = Type::kPut;
  // kPut: the key's new state. kDelete: only `key` and `mod_revision` (the
  // revision of the deletion) are set, as in etcd.
  KeyValue kv;
  // The key's state before this event; absent for a creation.
  std::optional<KeyValue> prev_kv;

  int64_t revision() const { return kv.mod_revision; }
};

// A key range [begin, end). An empty `end` selects the single key `begin`.
struct KeyRange {
  std::string begin;
  std::string end;

  static KeyRange Single(std::string key) { return {std::move(key), ""}; }
  // Every key that starts with `prefix` (every key when prefix is empty).
  static KeyRange Prefix(std::string_view prefix);
  // True if `key` is in the range.
  bool Contains(std::string_view key) const;
  // A range end that means "no upper bound" (etcd's "\0").
  static constexpr std::string_view kUnbounded{"\0", 1};
};

struct ListOptions {
  KeyRange range;
  // Serve the list at this revision; 0 means the latest.
  int64_t revision = 0;
  // At most this many items; 0 means no limit.
  int64_t limit = 0;
  // Continue a paginated list: only keys strictly greater than this one.
  // (Callers paginate at a fixed `revision` = the first page's revision.)
  std::string start_after;
};

struct ListResult {
  std::vector<KeyValue> kvs;  // sorted by key
  int64_t revision = 0;       // the revision the list was served at
  bool more = false;          // more keys exist in the range past the last item
  int64_t remaining = 0;      // how many (0 when !more)
};

// The outcome of a write. `status` is OK, or the reason it was rejected.
struct WriteResult {
  Status status;
  // On success: the revision of this write. On rejection: the store's
  // current revision when the write was checked.
  int64_t revision = 0;
  // The key's state after the operation: the written value after a
  // successful Create/Put/Update; absent after a successful Delete.
  // On kConflict / kAlreadyExists: the key's current state (so a caller can
  // retry or report the object that won). Absent on kNotFound.
  std::optional<KeyValue> kv;
  // On success: the key's state before the write (absent for a creation).
  std::optional<KeyValue> prev_kv;

  bool ok() const { return status.ok(); }
};

// An open watch. Destroying it cancels the watch.
class Watch {
 public:
  virtual ~Watch() = default;
  // Waits up to `timeout` for events; returns them in revision order (an
  // empty vector when the timeout passes first). Once the watch has ended and
  // every event queued before the end has been returned, returns the reason
  // it ended, for ever:
  //   kUnavailable: the consumer fell behind (queue overflow) or the store
  //                 closed; re-establish from LastRevision().
  virtual StatusOr<std::vector<Event>> Next(std::chrono::milliseconds timeout) = 0;
  // The revision of the last event returned by Next, or the revision the
  // watch started after. Re-watching with after_revision = LastRevision()
  // misses nothing and repeats nothing.
  virtual int64_t LastRevision() const = 0;
};
using WatchPtr = std::unique_ptr<Watch>;

struct WatchOptions {
  KeyRange range;
  // Deliver events with revision > after_revision. 0 means "from now": the
  // first event is the first write after Watch() returns.
  int64_t after_revision = 0;
  // Live events a consumer may lag behind before the watch is ended with
  // kUnavailable. Events replayed from history on creation do not count.
  size_t queue_capacity = 10000;
};

class Store {
 public:
  // Compare-and-swap argument meaning "whatever the current mod_revision is".
  static constexpr int64_t kAnyRevision = 0;

  virtual ~Store() = default;

  // The revision of the last acknowledged write (0 for an empty store).
  virtual int64_t CurrentRevision() = 0;
  // The revision below which history was discarded (reads and watches at a
  // revision < this return kGone). 0 if never compacted.
  virtual int64_t CompactRevision() = 0;

  // The key at `revision` (0 = latest). kNotFound if absent at that revision;
  // kGone if revision < CompactRevision(); kTimeout if revision is in the
  // future (etcd's ErrFutureRev, Kubernetes' "too large resource version").
  virtual StatusOr<KeyValue> Get(std::string_view key, int64_t revision = 0) = 0;

  // Keys in a range at a revision, sorted by key. Errors as Get (no kNotFound:
  // an empty range is an empty list).
  virtual StatusOr<ListResult> List(const ListOptions& options) = 0;

  // Creates `key` if absent. kAlreadyExists (kv = current) if present;
  // kNotFound if `lease` is non-zero and not granted.
  virtual WriteResult Create(std::string_view key, std::string_view value, int64_t lease = 0) = 0;
  // Unconditional create-or-replace (etcd Put). kNotFound for an unknown lease.
  virtual WriteResult Put(std::string_view key, std::string_view value, int64_t lease = 0) = 0;
  // Replaces the value of an existing key whose mod_revision equals
  // `expected_mod_revision` (or any, with kAnyRevision). The lease is replaced
  // too, as in etcd. kNotFound if absent (or the lease is unknown); kConflict
  // (kv = current) if the key's mod_revision differs.
  virtual WriteResult Update(std::string_view key, std::string_view value,
                             int64_t expected_mod_revision, int64_t lease = 0) = 0;
  // Deletes an existing key whose mod_revision equals expected_mod_revision
  // (or any, with kAnyRevision). kNotFound if absent; kConflict (kv = current)
  // on a stale expected_mod_revision. prev_kv holds the deleted state.
  virtual WriteResult Delete(std::string_view key, int64_t expected_mod_revision = kAnyRevision) = 0;

  // Starts a watch. kGone if after_revision < CompactRevision() (events
  // were discarded). A future after_revision is allowed (as in etcd): events
  // arrive once the store reaches it. kUnavailable if the store is closing.
  virtual StatusOr<WatchPtr> Watch(const WatchOptions& options) = 0;

  // Discards history below `revision`: afterwards reads at a revision <
  // `revision` and watches after one return kGone. Idempotent; compacting
  // below the current compact revision is a no-op. kTimeout if revision >
  // CurrentRevision().
  virtual Status Compact(int64_t revision) = 0;

  // Grants a lease of `ttl` (whole seconds, >= 1; kInvalid otherwise) and
  // returns its id (> 0).
  virtual StatusOr<int64_t> Grant(std::chrono::seconds ttl) = 0;
  // Revokes a lease and deletes its keys (one DELETE event per key).
  // kNotFound if the lease is unknown or already expired.
  virtual Status Revoke(int64_t lease) = 0;
  // Restarts the lease's countdown from its full TTL; returns the TTL.
  // kNotFound if the lease is unknown or already expired.
  virtual StatusOr<std::chrono::seconds> KeepAlive(int64_t lease) = 0;
};
using StorePtr = std::unique_ptr<Store>;

}  // namespace kubepp::storage
