// The in-memory Store: full etcd v3 semantics (history, watch from a past
// revision, compaction, leases) with nothing persisted. For unit tests of the
// layers above storage, and the reference the sqlite backend is held to by
// the conformance suite.
//
// Blind spot: history is kept until Compact() is called (no automatic
// compaction), so a long-lived memory store grows with every write.
//
// Thread-safety: as storage::Store (every method from any thread). One mutex
// guards the data; watches are fed through per-watch bounded queues, so a
// slow consumer never blocks a writer. Leases are expired by a background
// thread that checks the injected clock every `lease_check_interval`.
#pragma once

#include <chrono>
#include <memory>

#include "storage/storage.h"

namespace kubepp::storage {

struct MemoryOptions {
  Clock* clock = RealClock();  // not owned; must outlive the store
  std::chrono::milliseconds lease_check_interval{50};
};

std::unique_ptr<Store> NewMemoryStore(const MemoryOptions& options = {});

}  // namespace kubepp::storage
