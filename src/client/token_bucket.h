// TokenBucket: `qps` tokens per second, at most `burst` saved up, with
// reservations: Reserve() always takes a token and says how long the caller
// must wait for it, so callers that go ahead after that wait are spaced at
// 1/qps once the burst is spent (golang.org/x/time/rate's Reserve().Delay()).
// Used for client-side request throttling and the work queue's overall
// rate limit.
//
// Thread-safety: thread-safe.
#pragma once

#include <algorithm>
#include <mutex>

#include "client/clock.h"

namespace kubepp::client {

class TokenBucket {
 public:
  // qps <= 0 means unlimited (Reserve always returns zero). The bucket
  // starts full. `clock` must outlive the bucket.
  TokenBucket(double qps, int burst, Clock& clock = RealClock())
      : qps_(qps), burst_(std::max(1, burst)), clock_(clock), tokens_(burst_), last_(clock.Now()) {}

  // Takes a token; returns how long until it is available (zero if now).
  Clock::Duration Reserve() {
    if (qps_ <= 0) return Clock::Duration::zero();
    std::lock_guard<std::mutex> lock(mu_);
    Clock::TimePoint now = clock_.Now();
    if (now > last_) {
      double elapsed = std::chrono::duration<double>(now - last_).count();
      tokens_ = std::min<double>(burst_, tokens_ + elapsed * qps_);
      last_ = now;
    }
    tokens_ -= 1;
    if (tokens_ >= 0) return Clock::Duration::zero();
    return std::chrono::duration_cast<Clock::Duration>(std::chrono::duration<double>(-tokens_ / qps_));
  }

 private:
  const double qps_;
  const int burst_;
  Clock& clock_;
  std::mutex mu_;
  double tokens_;            // guarded by mu_; negative: reserved ahead
  Clock::TimePoint last_;    // guarded by mu_
};

}  // namespace kubepp::client
