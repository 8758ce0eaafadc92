#include "client/workqueue.h"

#include <algorithm>
#include <cmath>

namespace kubepp::client {
namespace {

class ItemExponentialRateLimiter final : public RateLimiter {
 public:
  ItemExponentialRateLimiter(Clock::Duration base, Clock::Duration max) : base_(base), max_(max) {}

  Clock::Duration When(const std::string& item) override {
    std::lock_guard<std::mutex> lock(mu_);
    int exp = failures_[item]++;
    // In floating point: 2^exp overflows any integer type after ~60 failures.
    double backoff = static_cast<double>(base_.count()) * std::pow(2.0, exp);
    if (backoff >= static_cast<double>(max_.count())) return max_;
    return Clock::Duration(static_cast<Clock::Duration::rep>(backoff));
  }
  void Forget(const std::string& item) override {
    std::lock_guard<std::mutex> lock(mu_);
    failures_.erase(item);
  }
  int NumRequeues(const std::string& item) override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = failures_.find(item);
    return it == failures_.end() ? 0 : it->second;
  }

 private:
  const Clock::Duration base_;
  const Clock::Duration max_;
  std::mutex mu_;
  std::map<std::string, int> failures_;  // guarded by mu_
};

class BucketRateLimiter final : public RateLimiter {
 public:
  BucketRateLimiter(double qps, int burst, Clock& clock) : bucket_(qps, burst, clock) {}
  Clock::Duration When(const std::string&) override { return bucket_.Reserve(); }
  void Forget(const std::string&) override {}
  int NumRequeues(const std::string&) override { return 0; }

 private:
  TokenBucket bucket_;
};

class MaxOfRateLimiter final : public RateLimiter {
 public:
  explicit MaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters) : limiters_(std::move(limiters)) {}
  Clock::Duration When(const std::string& item) override {
    Clock::Duration out = Clock::Duration::zero();
    for (auto& l : limiters_) out = std::max(out, l->When(item));
    return out;
  }
  void Forget(const std::string& item) override {
    for (auto& l : limiters_) l->Forget(item);
  }
  int NumRequeues(const std::string& item) override {
    int out = 0;
    for (auto& l : limiters_) out = std::max(out, l->NumRequeues(item));
    return out;
  }

 private:
  const std::vector<std::unique_ptr<RateLimiter>> limiters_;
};

}  // namespace

std::unique_ptr<RateLimiter> NewItemExponentialRateLimiter(Clock::Duration base, Clock::Duration max) {
  return std::make_unique<ItemExponentialRateLimiter>(base, max);
}

std::unique_ptr<RateLimiter> NewBucketRateLimiter(double qps, int burst, Clock& clock) {
  return std::make_unique<BucketRateLimiter>(qps, burst, clock);
}

std::unique_ptr<RateLimiter> NewMaxOfRateLimiter(std::vector<std::unique_ptr<RateLimiter>> limiters) {
  return std::make_unique<MaxOfRateLimiter>(std::move(limiters));
}

std::unique_ptr<RateLimiter> DefaultControllerRateLimiter(Clock& clock) {
  std::vector<std::unique_ptr<RateLimiter>> limiters;
  limiters.push_back(NewItemExponentialRateLimiter(std::chrono::milliseconds(5), std::chrono::seconds(1000)));
  limiters.push_back(NewBucketRateLimiter(10, 100, clock));
  return NewMaxOfRateLimiter(std::move(limiters));
}

WorkQueue::WorkQueue(WorkQueueOptions options)
    : clock_(options.clock ? *options.clock : RealClock()),
      limiter_(options.rate_limiter ? std::move(options.rate_limiter) : DefaultControllerRateLimiter(clock_)),
      wakeup_(clock_, mu_, cv_) {}

WorkQueue::~WorkQueue() { ShutDown(); }

void WorkQueue::AddLocked(const std::string& key) {
  if (shutting_down_) return;
  if (!dirty_.insert(key).second) return;  // already queued (or pending re-add)
  if (processing_.count(key)) return;       // Done() queues it
  queue_.push_back(key);
  cv_.notify_all();
}

void WorkQueue::Add(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  AddLocked(key);
}

void WorkQueue::AddAfter(const std::string& key, Clock::Duration d) {
  std::lock_guard<std::mutex> lock(mu_);
  if (shutting_down_) return;
  if (d <= Clock::Duration::zero()) {
    AddLocked(key);
    return;
  }
  Clock::TimePoint ready = clock_.Now() + d;
  auto it = waiting_.find(key);
  if (it != waiting_.end()) {
    if (it->second <= ready) return;  // an earlier time is already pending
    auto range = by_time_.equal_range(it->second);
    for (auto t = range.first; t != range.second; ++t) {
      if (t->second == key) {
        by_time_.erase(t);
        break;
      }
    }
    it->second = ready;
  } else {
    waiting_.emplace(key, ready);
  }
  by_time_.emplace(ready, key);
  cv_.notify_all();  // waiters recompute their deadline
}

void WorkQueue::AddRateLimited(const std::string& key) { AddAfter(key, limiter_->When(key)); }

void WorkQueue::Forget(const std::string& key) { limiter_->Forget(key); }

int WorkQueue::NumRequeues(const std::string& key) { return limiter_->NumRequeues(key); }

Clock::TimePoint WorkQueue::PromoteDueLocked() {
  const Clock::TimePoint now = clock_.Now();
  while (!by_time_.empty() && by_time_.begin()->first <= now) {
    std::string key = std::move(by_time_.begin()->second);
    by_time_.erase(by_time_.begin());
    waiting_.erase(key);
    AddLocked(key);
  }
  return by_time_.empty() ? Clock::TimePoint::max() : by_time_.begin()->first;
}

std::optional<std::string> WorkQueue::PopLocked() {
  if (queue_.empty()) return std::nullopt;
  std::string key = std::move(queue_.front());
  queue_.pop_front();
  processing_.insert(key);
  dirty_.erase(key);
  return key;
}

std::optional<std::string> WorkQueue::Get() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    Clock::TimePoint next = PromoteDueLocked();
    if (!queue_.empty()) return PopLocked();
    if (shutting_down_) return std::nullopt;
    clock_.WaitUntil(cv_, lock, next);
  }
}

std::optional<std::string> WorkQueue::TryGet() {
  std::lock_guard<std::mutex> lock(mu_);
  PromoteDueLocked();
  return PopLocked();
}

void WorkQueue::Done(const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  processing_.erase(key);
  if (dirty_.count(key)) {
    queue_.push_back(key);
    cv_.notify_all();
  }
  if (processing_.empty()) cv_.notify_all();  // ShutDownWithDrain
}

void WorkQueue::ShutDown() {
  std::lock_guard<std::mutex> lock(mu_);
  shutting_down_ = true;
  waiting_.clear();
  by_time_.clear();
  cv_.notify_all();
}

void WorkQueue::ShutDownWithDrain() {
  std::unique_lock<std::mutex> lock(mu_);
  shutting_down_ = true;
  waiting_.clear();
  by_time_.clear();
  cv_.notify_all();
  cv_.wait(lock, [this] { return processing_.empty(); });
}

bool WorkQueue::ShuttingDown() const {
  std::lock_guard<std::mutex> lock(mu_);
  return shutting_down_;
}

size_t WorkQueue::Len() {
  std::lock_guard<std::mutex> lock(mu_);
  PromoteDueLocked();
  return queue_.size();
}

}  // namespace kubepp::client
