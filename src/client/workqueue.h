// WorkQueue: the rate-limited queue of string keys between a controller's
// event handlers and its workers, with client-go's workqueue semantics:
//
//  - A key is queued at most once: adding a key already waiting is a no-op.
//  - A key handed out by Get() is "processing" until Done(); it is never
//    handed to a second worker meanwhile. Adding it while it is processing
//    marks it dirty, and Done() queues it again, so the latest change is
//    processed after the current run.
//  - AddAfter(key, d) queues the key once d has passed on the queue's clock
//    (the earliest pending time wins for a key added after twice).
//  - AddRateLimited(key) is AddAfter(key, limiter.When(key)); Forget(key)
//    clears the key's failure history once a Sync succeeded.
//  - ShutDown() drops delayed keys and ignores later adds; Get() keeps
//    handing out keys already queued, then returns nullopt to every worker.
//
// Rate limiters: ItemExponentialRateLimiter (per key base*2^failures, capped),
// BucketRateLimiter (one token bucket for all keys) and MaxOfRateLimiter;
// DefaultControllerRateLimiter() is client-go's default for controllers:
// max(per-item 5 ms doubling to 1000 s, overall 10 qps with burst 100).
//
// Thread-safety: every method of WorkQueue is thread-safe. Rate limiters are
// thread-safe. The clock must outlive the queue.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "client/clock.h"
#include "client/token_bucket.h"

namespace kubepp::client {

class RateLimiter {
 public:
  virtual ~RateLimiter() = default;
  // How long `item` should wait before its next try; counts a failure.
  virtual Clock::Duration When(const std::string& item) = 0;
  // Forgets the item's failures (it succeeded).
  virtual void Forget(const std::string& item) = 0;
  // Failures counted for `item` since the last Forget.
  virtual int NumRequeues(const std::string& item) = 0;
};

// base * 2^n for the n-th failure (n from 0), at most `max`.
std::unique_ptr<RateLimiter> NewItemExponentialRateLimiter(Clock::Duration base, Clock::Duration max);
// A token bucket shared by all items (qps, burst); ignores Forget.
std::unique_ptr<RateLimiter> NewBucketRateLimiter(double qps, int burst, Clock& clock = RealClock());
// The longest delay of `limiters`; Forget forgets in all of them.
std::unique_ptr<RateLimiter> NewMaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters);
// max(ItemExponential(5 ms, 1000 s), Bucket(10 qps, burst 100)).
std::unique_ptr<RateLimiter> DefaultControllerRateLimiter(Clock& clock = RealClock());

struct WorkQueueOptions {
  Clock* clock = nullptr;                     // null: RealClock()
  std::unique_ptr<RateLimiter> rate_limiter;  // null: DefaultControllerRateLimiter(*clock)
};

class WorkQueue {
 public:
  explicit WorkQueue(WorkQueueOptions options = {});
  ~WorkQueue();  // ShutDown()
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Add(const std::string& key);
  // d <= 0 adds now.
  void AddAfter(const std::string& key, Clock::Duration d);
  void AddRateLimited(const std::string& key);
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key);

  // Blocks until a key is ready and returns it (now processing), or returns
  // nullopt once the queue is shut down and empty.
  std::optional<std::string> Get();
  // A ready key, or nullopt at once when none is ready.
  std::optional<std::string> TryGet();
  // Marks `key` no longer processing; re-queues it if it was added meanwhile.
  void Done(const std::string& key);

  void ShutDown();
  // ShutDown, then waits until every processing key is Done.
  void ShutDownWithDrain();
  bool ShuttingDown() const;

  // Keys ready to be handed out (not counting delayed or processing ones;
  // delayed keys whose time came count).
  size_t Len();

 private:
  void AddLocked(const std::string& key);
  // Moves keys whose delay passed into the queue; returns the next ready
  // time of a delayed key (TimePoint::max() if none).
  Clock::TimePoint PromoteDueLocked();
  std::optional<std::string> PopLocked();

  Clock& clock_;
  std::unique_ptr<RateLimiter> limiter_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;        // guarded by mu_; FIFO of ready keys
  std::set<std::string> dirty_;          // guarded by mu_; queued, or added while processing
  std::set<std::string> processing_;     // guarded by mu_
  std::map<std::string, Clock::TimePoint> waiting_;          // guarded by mu_; delayed key -> ready time
  std::multimap<Clock::TimePoint, std::string> by_time_;     // guarded by mu_; the same, by time
  bool shutting_down_ = false;           // guarded by mu_

  ScopedClockWakeup wakeup_;  // last: unregisters before the members above go
};

}  // namespace kubepp::client
