// LeaseSet: the lease bookkeeping shared by the embedded backends (not part
// of the public interface): each lease's TTL, deadline and attached keys.
//
// Thread-safety: none; the owning backend serializes access (the memory
// store under its mutex, the sqlite store on its writer thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "storage/storage.h"

namespace kubepp::storage {

class LeaseSet {
 public:
  struct Lease {
    std::chrono::seconds ttl{0};
    Clock::TimePoint deadline;
    std::set<std::string> keys;
  };

  bool Contains(int64_t id) const { return leases_.count(id) != 0; }
  // Adds a lease expiring at now + ttl.
  void Add(int64_t id, std::chrono::seconds ttl, Clock::TimePoint now);
  // Removes a lease and stores its keys (sorted) in *keys; false if unknown.
  bool Remove(int64_t id, std::vector<std::string>* keys);
  // Restarts the countdown; false if unknown.
  bool Refresh(int64_t id, Clock::TimePoint now, std::chrono::seconds* ttl);
  void Attach(int64_t id, const std::string& key);
  void Detach(int64_t id, const std::string& key);
  // Leases whose deadline is <= now, in id order.
  std::vector<int64_t> Expired(Clock::TimePoint now) const;
  int64_t max_id() const { return leases_.empty() ? 0 : leases_.rbegin()->first; }
  const std::map<int64_t, Lease>& leases() const { return leases_; }

 private:
  std::map<int64_t, Lease> leases_;
};

}  // namespace kubepp::storage
