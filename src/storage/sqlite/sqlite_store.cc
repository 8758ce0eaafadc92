#include "storage/sqlite/sqlite_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "common/log.h"
#include "storage/errors.h"
#include "storage/lease_set.h"
#include "storage/watch_hub.h"

namespace kubepp::storage {
namespace {

constexpr int kBusyTimeoutMs = 5000;

Status SqlError(sqlite3* db, std::string_view what) {
  return Status::Internal("sqlite: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

bool IsBusy(int rc) {
  int primary = rc & 0xff;
  return primary == SQLITE_BUSY || primary == SQLITE_LOCKED;
}

// A prepared statement, reset on every use.
class Stmt {
 public:
  Stmt() = default;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt() { sqlite3_finalize(s_); }

  Status Prepare(sqlite3* db, const char* sql) {
    db_ = db;
    if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s_, nullptr) != SQLITE_OK) {
      return SqlError(db, std::string("prepare ") + sql);
    }
    return Status::Ok();
  }
  // Resets and clears bindings; returns *this for chaining binds.
  Stmt& Reset() {
    sqlite3_reset(s_);
    sqlite3_clear_bindings(s_);
    return *this;
  }
  Stmt& Bind(int i, int64_t v) {
    sqlite3_bind_int64(s_, i, v);
    return *this;
  }
  Stmt& BindBlob(int i, std::string_view v) {
    // A zero-length blob must still be a blob (not NULL): pass a non-null pointer.
    sqlite3_bind_blob(s_, i, v.empty() ? "" : v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
    return *this;
  }
  Stmt& BindText(int i, const char* v) {
    sqlite3_bind_text(s_, i, v, -1, SQLITE_STATIC);
    return *this;
  }
  // SQLITE_ROW, SQLITE_DONE or an error code; retries busy.
  int Step() {
    for (;;) {
      int rc = sqlite3_step(s_);
      if (!IsBusy(rc)) return rc;
      sqlite3_reset(s_);
      std::this_thread::yield();
    }
  }
  Status Exec(std::string_view what) {
    int rc = Step();
    sqlite3_reset(s_);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return SqlError(db_, what);
    return Status::Ok();
  }
  int64_t Int(int i) const { return sqlite3_column_int64(s_, i); }
  std::string Blob(int i) const {
    const void* p = sqlite3_column_blob(s_, i);
    int n = sqlite3_column_bytes(s_, i);
    return p == nullptr ? std::string() : std::string(static_cast<const char*>(p), static_cast<size_t>(n));
  }
  std::string_view BlobView(int i) const {
    const void* p = sqlite3_column_blob(s_, i);
    int n = sqlite3_column_bytes(s_, i);
    return p == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(p), static_cast<size_t>(n));
  }
  bool IsNull(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
};

// Runs a statement with no result, retrying busy.
Status ExecSql(sqlite3* db, const char* sql) {
  for (;;) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    if (rc == SQLITE_OK) return Status::Ok();
    std::string msg = err ? err : sqlite3_errstr(rc);
    sqlite3_free(err);
    if (IsBusy(rc)) {
      std::this_thread::yield();
      continue;
    }
    return Status::Internal(std::string("sqlite: ") + sql + ": " + msg);
  }
}

StatusOr<sqlite3*> OpenDb(const std::string& path, bool read_only) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | (read_only ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    Status s = Status::Internal("sqlite: open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    sqlite3_close(db);
    return s;
  }
  sqlite3_busy_timeout(db, kBusyTimeoutMs);
  return db;
}

// Row columns shared by every KeyValue query: id, name, deleted,
// create_revision, version, lease, value.
constexpr const char* kRowCols = "id, name, deleted, create_revision, version, lease, value";

KeyValue RowToKv(const Stmt& s, int base = 0) {
  KeyValue kv;
  kv.mod_revision = s.Int(base + 0);
  kv.key = s.Blob(base + 1);
  kv.create_revision = s.Int(base + 3);
  kv.version = s.Int(base + 4);
  kv.lease = s.Int(base + 5);
  kv.value = s.Blob(base + 6);
  return kv;
}

// A read connection with its statements.
struct Reader {
  sqlite3* db = nullptr;
  Stmt begin, commit, rollback, compact_rev, get, list_bounded, list_unbounded, count_bounded, count_unbounded,
      history;
  ~Reader() {
    // Statements must be finalized before the connection closes: the
    // Stmt members are destroyed after this body, so close via v2 (zombie
    // until the last statement is finalized).
    sqlite3_close_v2(db);
  }
  Status Init(const std::string& path) {
    ASSIGN_OR_RETURN(db, OpenDb(path, /*read_only=*/true));
    RETURN_IF_ERROR(begin.Prepare(db, "BEGIN"));
    RETURN_IF_ERROR(commit.Prepare(db, "COMMIT"));
    RETURN_IF_ERROR(rollback.Prepare(db, "ROLLBACK"));
    RETURN_IF_ERROR(compact_rev.Prepare(db, "SELECT value FROM meta WHERE name = 'compact_revision'"));
    RETURN_IF_ERROR(get.Prepare(
        db, (std::string("SELECT ") + kRowCols + " FROM kv WHERE name = ?1 AND id <= ?2 ORDER BY id DESC LIMIT 1")
                .c_str()));
    RETURN_IF_ERROR(list_bounded.Prepare(
        db, (std::string("SELECT ") + kRowCols +
             " FROM kv WHERE name >= ?1 AND name < ?2 AND id <= ?3 ORDER BY name, id")
                .c_str()));
    RETURN_IF_ERROR(list_unbounded.Prepare(
        db, (std::string("SELECT ") + kRowCols + " FROM kv WHERE name >= ?1 AND id <= ?3 ORDER BY name, id").c_str()));
    // Index-only scans (kv_name_id covers name, id, deleted) for counting.
    RETURN_IF_ERROR(count_bounded.Prepare(
        db, "SELECT name, deleted FROM kv WHERE name > ?1 AND name < ?2 AND id <= ?3 ORDER BY name, id"));
    RETURN_IF_ERROR(count_unbounded.Prepare(
        db, "SELECT name, deleted FROM kv WHERE name > ?1 AND id <= ?3 ORDER BY name, id"));
    RETURN_IF_ERROR(history.Prepare(
        db,
        "SELECT k.id, k.name, k.deleted, k.create_revision, k.version, k.lease, k.value, "
        "p.id, p.name, p.deleted, p.create_revision, p.version, p.lease, p.value "
        "FROM kv k LEFT JOIN kv p ON p.id = k.prev_revision WHERE k.id > ?1 AND k.id <= ?2 ORDER BY k.id"));
    return Status::Ok();
  }
};

// One queued write, owned by the blocked caller.
struct Request {
  enum class Op { kCreate, kPut, kUpdate, kDelete, kGrant, kRevoke, kKeepAlive, kCompact };
  Op op = Op::kPut;
  std::string_view key;
  std::string_view value;
  int64_t expected = 0;
  int64_t lease = 0;
  int64_t arg = 0;  // ttl seconds (grant), revision (compact)

  WriteResult result;  // writes; result.status for every op
  int64_t out = 0;     // lease id (grant), ttl (keepalive)

  // Completion. The writer signals while holding `mu`, so the caller cannot
  // return (destroying this) before the writer is done touching it.
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;  // guarded by mu
};

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(const SqliteOptions& o) : options_(o) {}

  ~SqliteStore() override {
    {
      std::lock_guard lock(queue_mu_);
      stopping_ = true;
    }
    queue_cv_.notify_all();
    if (writer_.joinable()) writer_.join();
    hub_.Close(Status::Unavailable("store closed"));
    readers_.clear();
    wstmts_.reset();
    if (wdb_ != nullptr) sqlite3_close_v2(wdb_);
    if (lock_fd_ >= 0) close(lock_fd_);
  }

  Status Open() {
    std::string lock_path = options_.path + ".lock";
    lock_fd_ = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (lock_fd_ < 0) return Status::Internal("open " + lock_path + ": " + strerror(errno));
    if (flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
      return Status::Unavailable("datastore " + options_.path + " is in use by another process");
    }
    ASSIGN_OR_RETURN(wdb_, OpenDb(options_.path, /*read_only=*/false));
    // auto_vacuum only takes effect before the first table is created.
    RETURN_IF_ERROR(ExecSql(wdb_, "PRAGMA auto_vacuum = INCREMENTAL"));
    RETURN_IF_ERROR(ExecSql(wdb_, "PRAGMA journal_mode = WAL"));
    RETURN_IF_ERROR(ExecSql(wdb_, "PRAGMA synchronous = FULL"));
    // Truncate the WAL back to 8 MiB whenever it is reset.
    RETURN_IF_ERROR(ExecSql(wdb_, "PRAGMA journal_size_limit = 8388608"));
    // Checkpoints are ours (MaybeCheckpoint); this replaces autocheckpoint.
    sqlite3_wal_hook(wdb_, &SqliteStore::WalHook, this);
    RETURN_IF_ERROR(ExecSql(wdb_,
                            "CREATE TABLE IF NOT EXISTS kv ("
                            " id INTEGER PRIMARY KEY,"  // the revision
                            " name BLOB NOT NULL,"
                            " deleted INTEGER NOT NULL,"
                            " create_revision INTEGER NOT NULL,"
                            " prev_revision INTEGER NOT NULL,"
                            " version INTEGER NOT NULL,"
                            " lease INTEGER NOT NULL,"
                            " value BLOB NOT NULL);"
                            "CREATE INDEX IF NOT EXISTS kv_name_id ON kv (name, id, deleted);"
                            "CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
                            "CREATE TABLE IF NOT EXISTS leases (id INTEGER PRIMARY KEY, ttl INTEGER NOT NULL);"
                            "INSERT OR IGNORE INTO meta VALUES ('compact_revision', 0), ('compacted_upto', 0),"
                            " ('revision_floor', 0), ('last_lease_id', 0);"));
    wstmts_ = std::make_unique<WriterStmts>();
    RETURN_IF_ERROR(wstmts_->Init(wdb_));
    RETURN_IF_ERROR(LoadState());
    hub_.set_published_revision(revision_);
    head_.store(revision_);
    compact_.store(compact_revision_);
    writer_ = std::thread([this] { WriterLoop(); });
    return Status::Ok();
  }

  int64_t CurrentRevision() override { return head_.load(); }
  int64_t CompactRevision() override { return compact_.load(); }

  StatusOr<KeyValue> Get(std::string_view key, int64_t revision) override {
    std::optional<KeyValue> found;
    Status s = Read(revision, [&](Reader& r, int64_t rev) -> Status {
      r.get.Reset().BindBlob(1, key).Bind(2, rev);
      int rc = r.get.Step();
      if (rc == SQLITE_ROW && r.get.Int(2) == 0) found = RowToKv(r.get);
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqlError(r.db, "get");
      r.get.Reset();
      return Status::Ok();
    });
    if (!s.ok()) return s;
    if (!found) return KeyNotFound(key);
    return *std::move(found);
  }

  StatusOr<ListResult> List(const ListOptions& o) override {
    ListResult out;
    std::string begin = o.range.begin;
    std::string end = o.range.end;
    if (end.empty()) end = begin + std::string(1, '\0');  // a single key
    bool unbounded = end == KeyRange::kUnbounded;
    std::string start_after;
    if (!o.start_after.empty() && o.start_after >= begin) start_after = o.start_after;
    Status s = Read(o.revision, [&](Reader& r, int64_t rev) -> Status {
      out = ListResult{};
      out.revision = rev;
      Stmt& q = unbounded ? r.list_unbounded : r.list_bounded;
      // Continue strictly after start_after: the next possible key is start_after + '\0'.
      std::string from = start_after.empty() ? begin : start_after + std::string(1, '\0');
      q.Reset().BindBlob(1, from).Bind(3, rev);
      if (!unbounded) q.BindBlob(2, end);
      // Rows arrive by (name, id); the last row of each name group is the
      // key's state at `rev`.
      std::optional<KeyValue> cand;
      bool cand_deleted = false;
      auto flush = [&] {
        if (cand && !cand_deleted) out.kvs.push_back(std::move(*cand));
        cand.reset();
      };
      int rc;
      while ((rc = q.Step()) == SQLITE_ROW) {
        std::string_view name = q.BlobView(1);
        if (cand && name != cand->key) {
          flush();
          if (o.limit > 0 && static_cast<int64_t>(out.kvs.size()) >= o.limit) break;
        }
        cand = RowToKv(q);
        cand_deleted = q.Int(2) != 0;
      }
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        q.Reset();
        return SqlError(r.db, "list");
      }
      bool exhausted = rc == SQLITE_DONE;
      q.Reset();
      if (exhausted) {
        // The loop stops as soon as the limit is reached, so the key in hand
        // (if any) still fits.
        flush();
        return Status::Ok();
      }
      // Limit reached: count the live keys after the last one returned.
      Stmt& c = unbounded ? r.count_unbounded : r.count_bounded;
      c.Reset().BindBlob(1, out.kvs.back().key).Bind(3, rev);
      if (!unbounded) c.BindBlob(2, end);
      // The last row of each name group is the key's state at `rev`.
      std::string last_name;
      bool have = false, last_deleted = false;
      int64_t count = 0;
      while ((rc = c.Step()) == SQLITE_ROW) {
        std::string_view name = c.BlobView(0);
        if (have && name != last_name) count += last_deleted ? 0 : 1;
        if (!have || name != last_name) last_name.assign(name);
        have = true;
        last_deleted = c.Int(1) != 0;
      }
      if (have && !last_deleted) ++count;
      c.Reset();
      if (rc != SQLITE_DONE) return SqlError(r.db, "list count");
      out.remaining = count;
      out.more = count > 0;
      return Status::Ok();
    });
    if (!s.ok()) return s;
    return out;
  }

  WriteResult Create(std::string_view key, std::string_view value, int64_t lease) override {
    return SubmitWrite(Request::Op::kCreate, key, value, 0, lease);
  }
  WriteResult Put(std::string_view key, std::string_view value, int64_t lease) override {
    return SubmitWrite(Request::Op::kPut, key, value, 0, lease);
  }
  WriteResult Update(std::string_view key, std::string_view value, int64_t expected, int64_t lease) override {
    return SubmitWrite(Request::Op::kUpdate, key, value, expected, lease);
  }
  WriteResult Delete(std::string_view key, int64_t expected) override {
    return SubmitWrite(Request::Op::kDelete, key, {}, expected, 0);
  }

  StatusOr<WatchPtr> Watch(const WatchOptions& o) override {
    if (o.after_revision > 0 && o.after_revision < compact_.load()) {
      return RevisionCompacted(o.after_revision, compact_.load());
    }
    ASSIGN_OR_RETURN(WatchHub::Registration reg, hub_.Register(o));
    std::vector<Event> history;
    if (o.after_revision > 0 && o.after_revision < reg.published_revision) {
      Status s = Read(reg.published_revision, [&](Reader& r, int64_t) -> Status {
        history.clear();
        Stmt& q = r.history;
        q.Reset().Bind(1, o.after_revision).Bind(2, reg.published_revision);
        int rc;
        while ((rc = q.Step()) == SQLITE_ROW) {
          if (!o.range.Contains(q.BlobView(1))) continue;
          Event e;
          if (q.Int(2) != 0) {
            e.type = Event::Type::kDelete;
            e.kv.key = q.Blob(1);
            e.kv.mod_revision = q.Int(0);
          } else {
            e.kv = RowToKv(q);
          }
          if (!q.IsNull(7) && q.Int(9) == 0) e.prev_kv = RowToKv(q, 7);
          history.push_back(std::move(e));
        }
        q.Reset();
        if (rc != SQLITE_DONE) return SqlError(r.db, "watch history");
        return Status::Ok();
      }, /*min_revision=*/o.after_revision);
      if (!s.ok()) {
        hub_.Abandon(reg.pending);
        return s;
      }
    }
    return hub_.Start(std::move(reg.pending), std::move(history));
  }

  Status Compact(int64_t revision) override {
    Request r;
    r.op = Request::Op::kCompact;
    r.arg = revision;
    Submit(r);
    return r.result.status;
  }

  StatusOr<int64_t> Grant(std::chrono::seconds ttl) override {
    if (ttl.count() < 1) return LeaseTtlTooShort();
    Request r;
    r.op = Request::Op::kGrant;
    r.arg = ttl.count();
    Submit(r);
    if (!r.result.ok()) return r.result.status;
    return r.out;
  }
  Status Revoke(int64_t lease) override {
    Request r;
    r.op = Request::Op::kRevoke;
    r.lease = lease;
    Submit(r);
    return r.result.status;
  }
  StatusOr<std::chrono::seconds> KeepAlive(int64_t lease) override {
    Request r;
    r.op = Request::Op::kKeepAlive;
    r.lease = lease;
    Submit(r);
    if (!r.result.ok()) return r.result.status;
    return std::chrono::seconds(r.out);
  }

 private:
  struct WriterStmts {
    Stmt begin, commit, rollback, latest, insert, get_meta, set_meta, insert_lease, delete_lease, compact_prev,
        compact_tombstones, freelist, page_count;
    Status Init(sqlite3* db) {
      RETURN_IF_ERROR(begin.Prepare(db, "BEGIN IMMEDIATE"));
      RETURN_IF_ERROR(commit.Prepare(db, "COMMIT"));
      RETURN_IF_ERROR(rollback.Prepare(db, "ROLLBACK"));
      RETURN_IF_ERROR(latest.Prepare(
          db, (std::string("SELECT ") + kRowCols + " FROM kv WHERE name = ?1 ORDER BY id DESC LIMIT 1").c_str()));
      RETURN_IF_ERROR(insert.Prepare(db,
                                     "INSERT INTO kv (id, name, deleted, create_revision, prev_revision, version, "
                                     "lease, value) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
      RETURN_IF_ERROR(get_meta.Prepare(db, "SELECT value FROM meta WHERE name = ?1"));
      RETURN_IF_ERROR(set_meta.Prepare(db, "UPDATE meta SET value = ?2 WHERE name = ?1"));
      RETURN_IF_ERROR(insert_lease.Prepare(db, "INSERT INTO leases (id, ttl) VALUES (?1, ?2)"));
      RETURN_IF_ERROR(delete_lease.Prepare(db, "DELETE FROM leases WHERE id = ?1"));
      // Every row in (lo, hi] supersedes the row it names as prev_revision.
      RETURN_IF_ERROR(compact_prev.Prepare(
          db,
          "DELETE FROM kv WHERE id IN (SELECT prev_revision FROM kv WHERE id > ?1 AND id <= ?2 AND prev_revision > 0)"));
      RETURN_IF_ERROR(compact_tombstones.Prepare(db, "DELETE FROM kv WHERE id > ?1 AND id <= ?2 AND deleted = 1"));
      RETURN_IF_ERROR(freelist.Prepare(db, "PRAGMA freelist_count"));
      RETURN_IF_ERROR(page_count.Prepare(db, "PRAGMA page_count"));
      return Status::Ok();
    }
  };

  // ---- reads ----

  // Runs `fn(reader, revision)` in a read transaction at `revision` (0 = the
  // head), after checking it against the compact revision seen inside the
  // same snapshot. min_revision (watch history) is checked instead when set.
  template <typename Fn>
  Status Read(int64_t revision, Fn&& fn, int64_t min_revision = -1) {
    int64_t head = head_.load();
    int64_t rev = revision == 0 ? head : revision;
    if (rev > head) {
      return RevisionInFuture(rev, head);
    }
    ASSIGN_OR_RETURN(std::unique_ptr<Reader> r, AcquireReader());
    {
      std::unique_lock lock(gate_mu_);
      gate_cv_.wait(lock, [&] { return !gate_closed_; });
      ++active_reads_;
    }
    Status s = [&]() -> Status {
      RETURN_IF_ERROR(r->begin.Exec("begin"));
      r->compact_rev.Reset();
      int rc = r->compact_rev.Step();
      if (rc != SQLITE_ROW) {
        r->compact_rev.Reset();
        return SqlError(r->db, "read compact revision");
      }
      int64_t compact = r->compact_rev.Int(0);
      r->compact_rev.Reset();
      int64_t check = min_revision >= 0 ? min_revision : rev;
      if (check < compact) return RevisionCompacted(check, compact);
      return fn(*r, rev);
    }();
    (void)r->commit.Exec("end read");
    {
      std::lock_guard lock(gate_mu_);
      if (--active_reads_ == 0 && gate_closed_) gate_cv_.notify_all();
    }
    ReleaseReader(std::move(r));
    return s;
  }

  StatusOr<std::unique_ptr<Reader>> AcquireReader() {
    {
      std::lock_guard lock(readers_mu_);
      if (!readers_.empty()) {
        auto r = std::move(readers_.back());
        readers_.pop_back();
        return r;
      }
    }
    auto r = std::make_unique<Reader>();
    RETURN_IF_ERROR(r->Init(options_.path));
    return r;
  }
  void ReleaseReader(std::unique_ptr<Reader> r) {
    std::lock_guard lock(readers_mu_);
    if (readers_.size() < options_.max_idle_readers) readers_.push_back(std::move(r));
  }

  // ---- writes ----

  WriteResult SubmitWrite(Request::Op op, std::string_view key, std::string_view value, int64_t expected,
                          int64_t lease) {
    Request r;
    r.op = op;
    r.key = key;
    r.value = value;
    r.expected = expected;
    r.lease = lease;
    Submit(r);
    return std::move(r.result);
  }

  void Submit(Request& r) {
    {
      std::lock_guard lock(queue_mu_);
      if (stopping_) {
        r.result.status = Status::Unavailable("store closed");
        return;
      }
      queue_.push_back(&r);
    }
    queue_cv_.notify_one();
    std::unique_lock lock(r.mu);
    r.cv.wait(lock, [&] { return r.done; });
  }

  static void Ack(Request* r) {
    std::lock_guard lock(r->mu);
    r->done = true;
    r->cv.notify_one();
  }

  Status LoadState() {
    auto meta = [&](const char* name) -> StatusOr<int64_t> {
      Stmt& s = wstmts_->get_meta;
      s.Reset().BindText(1, name);
      int rc = s.Step();
      int64_t v = rc == SQLITE_ROW ? s.Int(0) : 0;
      s.Reset();
      if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqlError(wdb_, "read meta");
      return v;
    };
    ASSIGN_OR_RETURN(compact_revision_, meta("compact_revision"));
    ASSIGN_OR_RETURN(compacted_upto_, meta("compacted_upto"));
    ASSIGN_OR_RETURN(int64_t floor, meta("revision_floor"));
    ASSIGN_OR_RETURN(last_lease_id_, meta("last_lease_id"));
    Stmt max_id;
    RETURN_IF_ERROR(max_id.Prepare(wdb_, "SELECT COALESCE(MAX(id), 0) FROM kv"));
    if (max_id.Step() != SQLITE_ROW) return SqlError(wdb_, "read revision");
    revision_ = std::max(floor, max_id.Int(0));
    // Leases restart their countdown on open (as etcd does on leader change).
    leases_ = LeaseSet();
    Stmt ls;
    RETURN_IF_ERROR(ls.Prepare(wdb_, "SELECT id, ttl FROM leases"));
    auto now = options_.clock->Now();
    int rc;
    while ((rc = ls.Step()) == SQLITE_ROW) leases_.Add(ls.Int(0), std::chrono::seconds(ls.Int(1)), now);
    if (rc != SQLITE_DONE) return SqlError(wdb_, "read leases");
    Stmt lk;
    RETURN_IF_ERROR(lk.Prepare(wdb_,
                               "SELECT name, lease FROM (SELECT MAX(id), name, lease, deleted FROM kv GROUP BY name) "
                               "WHERE lease != 0 AND deleted = 0"));
    while ((rc = lk.Step()) == SQLITE_ROW) leases_.Attach(lk.Int(1), lk.Blob(0));
    if (rc != SQLITE_DONE) return SqlError(wdb_, "read lease keys");
    return Status::Ok();
  }

  void WriterLoop() {
    auto next_lease_check = std::chrono::steady_clock::now();
    std::vector<Request*> batch;
    for (;;) {
      bool stop;
      {
        std::unique_lock lock(queue_mu_);
        bool compaction_due = CompactionDueNow();
        if (queue_.empty() && !stopping_ && !compaction_due) {
          queue_cv_.wait_until(lock, next_lease_check, [&] { return !queue_.empty() || stopping_; });
        }
        size_t n = std::min(queue_.size(), options_.max_batch);
        batch.assign(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        queue_.erase(queue_.begin(), queue_.begin() + static_cast<std::ptrdiff_t>(n));
        stop = stopping_ && queue_.empty();
      }
      bool check_leases = std::chrono::steady_clock::now() >= next_lease_check;
      if (check_leases) next_lease_check = std::chrono::steady_clock::now() + options_.lease_check_interval;
      RunBatch(batch, check_leases);
      batch.clear();
      if (stop) break;
    }
  }

  // Whether CompactionStep would do anything (keeps the writer from idling
  // while there is history to remove, and from spinning when there is none).
  bool CompactionDue() const {
    return compacted_upto_ < compact_revision_ || AutoCompactTarget() > compact_revision_ + options_.compaction_step;
  }
  int64_t AutoCompactTarget() const {
    if (options_.retain_revisions <= 0) return 0;
    return revision_ - options_.retain_revisions;
  }

  // CompactionDue, unless a failed transaction asked the writer to wait: a
  // step that keeps failing (disk full, I/O error) must not spin the writer.
  bool CompactionDueNow() const {
    return CompactionDue() && std::chrono::steady_clock::now() >= retry_after_;
  }

  // One transaction: the batch's writes, due lease expiries, one compaction
  // step. Acknowledges every request after the commit. Opens no transaction
  // when there is nothing to do (an idle store writes nothing).
  void RunBatch(const std::vector<Request*>& batch, bool check_leases) {
    const int64_t start_revision = revision_;
    events_.clear();
    std::vector<int64_t> expired;
    if (check_leases) expired = leases_.Expired(options_.clock->Now());
    const bool compact = CompactionDueNow();
    if (batch.empty() && expired.empty() && !compact) return;
    Status s = wstmts_->begin.Exec("begin");
    if (s.ok()) {
      for (Request* r : batch) {
        s = Apply(*r);
        if (!s.ok()) break;
      }
    }
    for (int64_t id : expired) {
      if (!s.ok()) break;
      s = RevokeLease(id);
    }
    if (s.ok() && compact) s = CompactionStep();
    if (s.ok()) s = wstmts_->commit.Exec("commit");
    if (!s.ok()) {
      (void)wstmts_->rollback.Exec("rollback");
      revision_ = start_revision;
      Status reload = LoadState();
      if (!reload.ok()) s = s.WithPrefix(reload.ToString());
      LogError("sqlite store {}: write transaction failed, retrying background work in 1 s: {}",
               options_.path, s.ToString());
      retry_after_ = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      for (Request* r : batch) {
        r->result = WriteResult{};
        r->result.status = s;
        r->result.revision = revision_;
        Ack(r);
      }
      return;
    }
    head_.store(revision_);
    compact_.store(compact_revision_);
    hub_.Publish(events_);
    for (Request* r : batch) Ack(r);
    MaybeCheckpoint();
  }

  static int WalHook(void* self, sqlite3*, const char*, int frames) {
    static_cast<SqliteStore*>(self)->wal_frames_ = frames;
    return SQLITE_OK;
  }

  // Keeps the -wal file bounded. A passive checkpoint (what SQLite's
  // autocheckpoint does) copies frames back but cannot reset the WAL while a
  // reader is inside it, and with overlapping readers (an API server listing
  // all the time) there always is one: the WAL then grows without bound.
  // Past kRestartFrames the writer closes the read gate (new reads wait),
  // waits for the reads in flight (they are short), runs a RESTART
  // checkpoint with nobody in the way, and reopens the gate.
  void MaybeCheckpoint() {
    constexpr int kPassiveFrames = 1000;
    constexpr int kRestartFrames = 2000;
    if (wal_frames_ < kPassiveFrames) return;
    if (wal_frames_ < kRestartFrames) {
      (void)sqlite3_wal_checkpoint_v2(wdb_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
      return;
    }
    {
      std::unique_lock lock(gate_mu_);
      gate_closed_ = true;
      gate_cv_.wait(lock, [&] { return active_reads_ == 0; });
    }
    int rc = sqlite3_wal_checkpoint_v2(wdb_, nullptr, SQLITE_CHECKPOINT_RESTART, nullptr, nullptr);
    if (rc == SQLITE_OK) wal_frames_ = 0;
    {
      std::lock_guard lock(gate_mu_);
      gate_closed_ = false;
    }
    gate_cv_.notify_all();
  }

  // The key's live state as seen by the writer, or nullopt.
  StatusOr<std::optional<std::pair<KeyValue, int64_t>>> Latest(std::string_view key) {
    Stmt& q = wstmts_->latest;
    q.Reset().BindBlob(1, key);
    int rc = q.Step();
    std::optional<std::pair<KeyValue, int64_t>> out;
    if (rc == SQLITE_ROW && q.Int(2) == 0) out = std::make_pair(RowToKv(q), q.Int(0));
    q.Reset();
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) return SqlError(wdb_, "read key");
    return out;
  }

  Status InsertRow(std::string_view key, bool deleted, int64_t create_revision, int64_t prev_revision,
                   int64_t version, int64_t lease, std::string_view value) {
    Stmt& q = wstmts_->insert;
    q.Reset()
        .Bind(1, revision_ + 1)
        .BindBlob(2, key)
        .Bind(3, deleted ? 1 : 0)
        .Bind(4, create_revision)
        .Bind(5, prev_revision)
        .Bind(6, version)
        .Bind(7, lease)
        .BindBlob(8, value);
    RETURN_IF_ERROR(q.Exec("insert"));
    ++revision_;
    return Status::Ok();
  }

  Status SetMeta(const char* name, int64_t value) {
    wstmts_->set_meta.Reset().BindText(1, name).Bind(2, value);
    return wstmts_->set_meta.Exec("write meta");
  }

  // Applies one request inside the batch transaction. A rejected request is
  // not an error; a non-OK return is an SQL failure that aborts the batch.
  Status Apply(Request& r) {
    WriteResult& res = r.result;
    auto reject = [&](Status st, std::optional<KeyValue> cur) {
      res.status = std::move(st);
      res.revision = revision_;
      res.kv = std::move(cur);
      return Status::Ok();
    };
    using Op = Request::Op;
    switch (r.op) {
      case Op::kCreate:
      case Op::kPut:
      case Op::kUpdate: {
        ASSIGN_OR_RETURN(auto cur, Latest(r.key));
        if (r.op == Op::kCreate && cur) {
          return reject(KeyExists(r.key), cur->first);
        }
        if (r.op == Op::kUpdate) {
          if (!cur) return reject(KeyNotFound(r.key), std::nullopt);
          if (r.expected != kAnyRevision && cur->first.mod_revision != r.expected) {
            return reject(ModRevisionMismatch(r.key, r.expected, cur->first.mod_revision), cur->first);
          }
        }
        if (r.lease != 0 && !leases_.Contains(r.lease)) {
          return reject(LeaseNotFound(r.lease), std::nullopt);
        }
        KeyValue kv;
        kv.key = std::string(r.key);
        kv.value = std::string(r.value);
        kv.create_revision = cur ? cur->first.create_revision : revision_ + 1;
        kv.version = cur ? cur->first.version + 1 : 1;
        kv.lease = r.lease;
        RETURN_IF_ERROR(InsertRow(r.key, false, kv.create_revision, cur ? cur->second : 0, kv.version, kv.lease,
                                  r.value));
        kv.mod_revision = revision_;
        if (cur) leases_.Detach(cur->first.lease, kv.key);
        leases_.Attach(kv.lease, kv.key);
        res.status = Status::Ok();
        res.revision = revision_;
        res.kv = kv;
        if (cur) res.prev_kv = cur->first;
        events_.push_back(Event{Event::Type::kPut, std::move(kv), res.prev_kv});
        return Status::Ok();
      }
      case Op::kDelete: {
        ASSIGN_OR_RETURN(auto cur, Latest(r.key));
        if (!cur) return reject(KeyNotFound(r.key), std::nullopt);
        if (r.expected != kAnyRevision && cur->first.mod_revision != r.expected) {
          return reject(ModRevisionMismatch(r.key, r.expected, cur->first.mod_revision), cur->first);
        }
        RETURN_IF_ERROR(DeleteKey(cur->first, cur->second));
        res.status = Status::Ok();
        res.revision = revision_;
        res.prev_kv = cur->first;
        return Status::Ok();
      }
      case Op::kGrant: {
        int64_t id = ++last_lease_id_;
        wstmts_->insert_lease.Reset().Bind(1, id).Bind(2, r.arg);
        RETURN_IF_ERROR(wstmts_->insert_lease.Exec("insert lease"));
        RETURN_IF_ERROR(SetMeta("last_lease_id", id));
        leases_.Add(id, std::chrono::seconds(r.arg), options_.clock->Now());
        res.status = Status::Ok();
        r.out = id;
        return Status::Ok();
      }
      case Op::kRevoke: {
        if (!leases_.Contains(r.lease)) {
          return reject(LeaseNotFound(r.lease), std::nullopt);
        }
        RETURN_IF_ERROR(RevokeLease(r.lease));
        res.status = Status::Ok();
        return Status::Ok();
      }
      case Op::kKeepAlive: {
        std::chrono::seconds ttl;
        if (!leases_.Refresh(r.lease, options_.clock->Now(), &ttl)) {
          return reject(LeaseNotFound(r.lease), std::nullopt);
        }
        res.status = Status::Ok();
        r.out = ttl.count();
        return Status::Ok();
      }
      case Op::kCompact: {
        if (r.arg > revision_) {
          return reject(CompactRevisionInFuture(r.arg, revision_), std::nullopt);
        }
        if (r.arg > compact_revision_) {
          compact_revision_ = r.arg;
          RETURN_IF_ERROR(SetMeta("compact_revision", compact_revision_));
        }
        res.status = Status::Ok();
        res.revision = revision_;
        return Status::Ok();
      }
    }
    return Status::Internal("unknown request");
  }

  Status DeleteKey(const KeyValue& cur, int64_t cur_row) {
    RETURN_IF_ERROR(InsertRow(cur.key, true, 0, cur_row, 0, 0, ""));
    leases_.Detach(cur.lease, cur.key);
    Event e;
    e.type = Event::Type::kDelete;
    e.kv.key = cur.key;
    e.kv.mod_revision = revision_;
    e.prev_kv = cur;
    events_.push_back(std::move(e));
    return Status::Ok();
  }

  Status RevokeLease(int64_t id) {
    std::vector<std::string> keys;
    leases_.Remove(id, &keys);
    wstmts_->delete_lease.Reset().Bind(1, id);
    RETURN_IF_ERROR(wstmts_->delete_lease.Exec("delete lease"));
    for (const std::string& k : keys) {
      ASSIGN_OR_RETURN(auto cur, Latest(k));
      if (cur && cur->first.lease == id) RETURN_IF_ERROR(DeleteKey(cur->first, cur->second));
    }
    return Status::Ok();
  }

  // Advances the logical compact revision to trail the head, and physically
  // removes superseded rows of one step of history below it.
  Status CompactionStep() {
    int64_t target = AutoCompactTarget();
    if (target > compact_revision_ + options_.compaction_step) {
      compact_revision_ = target;
      RETURN_IF_ERROR(SetMeta("compact_revision", compact_revision_));
    }
    if (compacted_upto_ >= compact_revision_) return Status::Ok();
    int64_t lo = compacted_upto_;
    int64_t hi = std::min(compact_revision_, lo + options_.compaction_step);
    wstmts_->compact_prev.Reset().Bind(1, lo).Bind(2, hi);
    RETURN_IF_ERROR(wstmts_->compact_prev.Exec("compact superseded rows"));
    wstmts_->compact_tombstones.Reset().Bind(1, lo).Bind(2, hi);
    RETURN_IF_ERROR(wstmts_->compact_tombstones.Exec("compact deletions"));
    compacted_upto_ = hi;
    RETURN_IF_ERROR(SetMeta("compacted_upto", compacted_upto_));
    // The newest row may have been a deletion that was just removed: keep
    // the revision from going backwards on reopen.
    RETURN_IF_ERROR(SetMeta("revision_floor", revision_));
    // Give free pages back to the file system once they are a quarter of it.
    if (++steps_since_vacuum_ >= 16) {
      steps_since_vacuum_ = 0;
      auto pragma = [&](Stmt& q) {
        q.Reset();
        int64_t v = q.Step() == SQLITE_ROW ? q.Int(0) : 0;
        q.Reset();
        return v;
      };
      int64_t free_pages = pragma(wstmts_->freelist);
      int64_t pages = pragma(wstmts_->page_count);
      if (free_pages > 256 && free_pages * 4 > pages) {
        RETURN_IF_ERROR(ExecSql(wdb_, "PRAGMA incremental_vacuum"));
      }
    }
    return Status::Ok();
  }

  const SqliteOptions options_;
  WatchHub hub_;
  int lock_fd_ = -1;

  std::atomic<int64_t> head_{0};     // last committed revision
  std::atomic<int64_t> compact_{0};  // committed compact revision

  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Request*> queue_;  // guarded by queue_mu_
  bool stopping_ = false;       // guarded by queue_mu_

  // The read gate: the writer closes it to reset the WAL (MaybeCheckpoint).
  std::mutex gate_mu_;
  std::condition_variable gate_cv_;
  int active_reads_ = 0;     // read transactions in flight; guarded by gate_mu_
  bool gate_closed_ = false;  // guarded by gate_mu_

  std::mutex readers_mu_;
  std::vector<std::unique_ptr<Reader>> readers_;  // guarded by readers_mu_

  // Writer thread only (and Open before it starts).
  sqlite3* wdb_ = nullptr;
  std::unique_ptr<WriterStmts> wstmts_;
  int64_t revision_ = 0;
  int64_t compact_revision_ = 0;
  int64_t compacted_upto_ = 0;
  int64_t last_lease_id_ = 0;
  int steps_since_vacuum_ = 0;
  int wal_frames_ = 0;  // frames in the WAL after the last commit (WalHook)
  // No background transaction (compaction) before this time; set after a
  // failed transaction.
  std::chrono::steady_clock::time_point retry_after_{};
  LeaseSet leases_;
  std::vector<Event> events_;
  std::thread writer_;
};

}  // namespace

StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options) {
  if (options.path.empty()) return Status::Invalid("sqlite datastore: path is empty");
  auto store = std::make_unique<SqliteStore>(options);
  RETURN_IF_ERROR(store->Open());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace kubepp::storage
