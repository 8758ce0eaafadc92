// The sqlite Store: the default datastore of `kubepp server`, one file in the
// data dir (DATA/state.db plus its -wal file).
//
// Layout, in the spirit of k3s' kine: a log-structured table with one row per
// revision (key, value, create_revision, prev_revision, version, lease,
// deleted), so Get/List at a past revision and Watch from a past revision are
// answered from the table itself. Compaction deletes rows superseded at or
// below a compact revision that trails the head, and frees pages with
// incremental vacuum, so the file stays bounded under churn.
//
// Durability: WAL mode with synchronous=FULL; a write is acknowledged only
// after the transaction holding it committed (fsync), so an acknowledged
// write survives SIGKILL and power loss.
//
// Threads: ONE writer thread owns the only write connection. Callers enqueue
// requests and block until acknowledged; the writer takes every queued request
// (up to max_batch), applies them in one transaction - checking
// create-if-absent and compare-and-swap there, serialized - commits once
// (group commit: one fsync per batch), publishes the batch's events to the
// watches, then acknowledges each caller. The writer also expires leases and
// runs compaction steps. Reads use a pool of separate read-only connections
// (WAL readers do not block the writer nor each other); SQLITE_BUSY is
// retried internally and never returned. One exception keeps the -wal file
// bounded: when overlapping reads have kept the WAL from resetting for ~2000
// pages, the writer briefly holds new reads, waits for those in flight, and
// resets the WAL (a RESTART checkpoint); a very long read delays writes then.
//
// Bound measured by storage_slow_test: 1,000,000 updates of 256-byte values
// over 1,000 keys, with default options and two readers listing all along,
// keep state.db + state.db-wal under 24 MiB (~14 MiB observed).
//
// Thread-safety: as storage::Store. A second process opening the same file is
// refused (kUnavailable) via an exclusive lock on PATH.lock.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "storage/storage.h"

namespace kubepp::storage {

struct SqliteOptions {
  std::string path;            // the database file; created if absent
  Clock* clock = RealClock();  // lease expiry; not owned, must outlive the store
  // Automatic compaction keeps at least this many past revisions readable
  // (Kubernetes' own compactor also calls Compact every few minutes).
  // 0 disables automatic compaction; Compact() still works.
  int64_t retain_revisions = 10000;
  // Rows of history examined per compaction step (bounds writer pauses).
  int64_t compaction_step = 2000;
  // How often the writer looks for expired leases (on the injected clock's
  // time, but polled on real time).
  std::chrono::milliseconds lease_check_interval{200};
  // Most writes committed in one transaction.
  size_t max_batch = 1024;
  // Idle read connections kept open.
  size_t max_idle_readers = 8;
};

// Opens (or creates) the store. kUnavailable if another process has it open;
// kInternal on an unreadable or corrupt file (the message says which).
StatusOr<std::unique_ptr<Store>> OpenSqliteStore(const SqliteOptions& options);

}  // namespace kubepp::storage
