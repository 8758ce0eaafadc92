// FakeClock: a storage::Clock that moves only when a test advances it.
// Thread-safe.
#pragma once

#include <mutex>

#include "storage/storage.h"

namespace kubepp::storage::testing {

class FakeClock final : public Clock {
 public:
  TimePoint Now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void Advance(std::chrono::nanoseconds d) {
    std::lock_guard lock(mu_);
    now_ += d;
  }

 private:
  mutable std::mutex mu_;
  TimePoint now_{std::chrono::hours(1)};
};

}  // namespace kubepp::storage::testing
