#include "storage/lease_set.h"

namespace kubepp::storage {

void LeaseSet::Add(int64_t id, std::chrono::seconds ttl, Clock::TimePoint now) {
  Lease& l = leases_[id];
  l.ttl = ttl;
  l.deadline = now + ttl;
}

bool LeaseSet::Remove(int64_t id, std::vector<std::string>* keys) {
  auto it = leases_.find(id);
  if (it == leases_.end()) return false;
  if (keys) keys->assign(it->second.keys.begin(), it->second.keys.end());
  leases_.erase(it);
  return true;
}

bool LeaseSet::Refresh(int64_t id, Clock::TimePoint now, std::chrono::seconds* ttl) {
  auto it = leases_.find(id);
  if (it == leases_.end()) return false;
  it->second.deadline = now + it->second.ttl;
  if (ttl) *ttl = it->second.ttl;
  return true;
}

void LeaseSet::Attach(int64_t id, const std::string& key) {
  if (id == 0) return;
  auto it = leases_.find(id);
  if (it != leases_.end()) it->second.keys.insert(key);
}

void LeaseSet::Detach(int64_t id, const std::string& key) {
  if (id == 0) return;
  auto it = leases_.find(id);
  if (it != leases_.end()) it->second.keys.erase(key);
}

std::vector<int64_t> LeaseSet::Expired(Clock::TimePoint now) const {
  std::vector<int64_t> out;
  for (const auto& [id, l] : leases_) {
    if (l.deadline <= now) out.push_back(id);
  }
  return out;
}

}  // namespace kubepp::storage
