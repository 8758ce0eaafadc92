// WorkQueue and rate limiters, on a FakeClock: client-go's semantics of
// dedup, processing exclusivity, delays, backoff and shutdown.
#include "client/workqueue.h"

#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include <gtest/gtest.h>

namespace kubepp::client {
namespace {

using namespace std::chrono_literals;

WorkQueueOptions FakeOptions(FakeClock& clock) {
  WorkQueueOptions o;
  o.clock = &clock;
  o.rate_limiter = DefaultControllerRateLimiter(clock);
  return o;
}

TEST(WorkQueueTest, DeduplicatesWhileQueued) {
  FakeClock clock;
  WorkQueue q(FakeOptions(clock));
  q.Add("a");
  q.Add("b");
  q.Add("a");
  EXPECT_EQ(q.Len(), 2u);
  EXPECT_EQ(q.TryGet(), "a");
  EXPECT_EQ(q.TryGet(), "b");
  EXPECT_EQ(q.TryGet(), std::nullopt);
}

TEST(WorkQueueTest, ProcessingKeyIsNotHandedOutTwiceAndIsRequeuedOnDone) {
  FakeClock clock;
  WorkQueue q(FakeOptions(clock));
  q.Add("a");
  ASSERT_EQ(q.TryGet(), "a");
  q.Add("a");  // changed while a worker processes it
  q.Add("a");
  EXPECT_EQ(q.Len(), 0u);
  EXPECT_EQ(q.TryGet(), std::nullopt);  // a second worker must not get it
  q.Done("a");
  EXPECT_EQ(q.Len(), 1u);  // processed once more, for the latest change
  EXPECT_EQ(q.TryGet(), "a");
  q.Done("a");
  EXPECT_EQ(q.Len(), 0u);  // not dirty this time: not requeued
}

TEST(WorkQueueTest, AddAfterWaitsForTheClock) {
  FakeClock clock;
  WorkQueue q(FakeOptions(clock));
  q.AddAfter("late", 10s);
  q.AddAfter("early", 1s);
  q.AddAfter("late", 20s);  // a later time for a pending key changes nothing
  EXPECT_EQ(q.Len(), 0u);
  clock.Advance(999ms);
  EXPECT_EQ(q.Len(), 0u);
  clock.Advance(1ms);
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(q.TryGet(), "early");
  clock.Advance(9s);
  EXPECT_EQ(q.TryGet(), "late");
  q.Done("early");
  q.Done("late");
  clock.Advance(20s);
  EXPECT_EQ(q.Len(), 0u);  // the 20 s request was folded into the 10 s one
  q.AddAfter("now", 0s);
  EXPECT_EQ(q.Len(), 1u);
}

TEST(WorkQueueTest, BlockedGetWakesWhenTheClockReachesADelayedKey) {
  FakeClock clock;
  WorkQueue q(FakeOptions(clock));
  q.AddAfter("k", 5s);
  auto got = std::async(std::launch::async, [&] { return q.Get(); });
  EXPECT_EQ(got.wait_for(20ms), std::future_status::timeout);  // still waiting on the fake clock
  clock.Advance(5s);
  ASSERT_EQ(got.wait_for(10s), std::future_status::ready);
  EXPECT_EQ(got.get(), "k");
}

TEST(WorkQueueTest, ItemExponentialBackoffDoublesAndCaps) {
  auto limiter = NewItemExponentialRateLimiter(5ms, 1000s);
  std::vector<Clock::Duration> got;
  for (int i = 0; i < 4; ++i) got.push_back(limiter->When("k"));
  EXPECT_EQ(got, (std::vector<Clock::Duration>{5ms, 10ms, 20ms, 40ms}));
  EXPECT_EQ(limiter->NumRequeues("k"), 4);
  EXPECT_EQ(limiter->When("other"), 5ms);  // per item
  for (int i = 0; i < 100; ++i) limiter->When("k");
  EXPECT_EQ(limiter->When("k"), 1000s);
  limiter->Forget("k");
  EXPECT_EQ(limiter->NumRequeues("k"), 0);
  EXPECT_EQ(limiter->When("k"), 5ms);
}

TEST(WorkQueueTest, DefaultControllerLimiterAddsOverallBucket) {
  FakeClock clock;
  auto limiter = DefaultControllerRateLimiter(clock);
  // The burst of 100 lets 100 distinct keys through at the per-item 5 ms.
  for (int i = 0; i < 100; ++i) EXPECT_EQ(limiter->When("k" + std::to_string(i)), 5ms) << i;
  // Then the 10 qps bucket dominates: reservations 100 ms apart.
  EXPECT_EQ(limiter->When("x"), 100ms);
  EXPECT_EQ(limiter->When("y"), 200ms);
  clock.Advance(10s);  // refills (capped at the burst)
  EXPECT_EQ(limiter->When("z"), 5ms);
}

TEST(WorkQueueTest, AddRateLimitedUsesBackoffAndForgetResetsIt) {
  FakeClock clock;
  WorkQueue q(FakeOptions(clock));
  q.AddRateLimited("k");
  EXPECT_EQ(q.Len(), 0u);
  clock.Advance(5ms);
  ASSERT_EQ(q.TryGet(), "k");
  q.Done("k");
  q.AddRateLimited("k");  // second failure: 10 ms
  clock.Advance(9ms);
  EXPECT_EQ(q.Len(), 0u);
  clock.Advance(1ms);
  EXPECT_EQ(q.Len(), 1u);
  EXPECT_EQ(q.NumRequeues("k"), 2);
  q.Forget("k");
  EXPECT_EQ(q.NumRequeues("k"), 0);
}

TEST(WorkQueueTest, ShutDownDrainsQueuedKeysThenStopsWorkers) {
  FakeClock clock;
  WorkQueue q(FakeOptions(clock));
  q.Add("a");
  q.AddAfter("delayed", 1s);
  q.ShutDown();
  EXPECT_TRUE(q.ShuttingDown());
  q.Add("ignored");
  EXPECT_EQ(q.Get(), "a");  // already queued keys are still handed out
  EXPECT_EQ(q.Get(), std::nullopt);
  clock.Advance(1s);
  EXPECT_EQ(q.Get(), std::nullopt);  // delayed keys were dropped
}

TEST(WorkQueueTest, ShutDownWakesBlockedWorkers) {
  WorkQueue q;
  std::vector<std::future<std::optional<std::string>>> workers;
  for (int i = 0; i < 3; ++i) workers.push_back(std::async(std::launch::async, [&] { return q.Get(); }));
  q.ShutDown();
  for (auto& w : workers) {
    ASSERT_EQ(w.wait_for(10s), std::future_status::ready);
    EXPECT_EQ(w.get(), std::nullopt);
  }
}

TEST(WorkQueueTest, ShutDownWithDrainWaitsForProcessing) {
  WorkQueue q;
  q.Add("a");
  ASSERT_EQ(q.Get(), "a");
  auto drained = std::async(std::launch::async, [&] { q.ShutDownWithDrain(); });
  EXPECT_EQ(drained.wait_for(20ms), std::future_status::timeout);
  q.Done("a");
  EXPECT_EQ(drained.wait_for(10s), std::future_status::ready);
}

TEST(WorkQueueTest, ConcurrentWorkersNeverShareAKey) {
  WorkQueue q;
  constexpr int kKeys = 20;
  std::mutex mu;
  std::set<std::string> in_flight;
  std::atomic<int> processed{0};
  std::atomic<bool> overlap{false};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&] {
      while (auto key = q.Get()) {
        {
          std::lock_guard<std::mutex> lock(mu);
          if (!in_flight.insert(*key).second) overlap = true;
        }
        std::this_thread::yield();
        {
          std::lock_guard<std::mutex> lock(mu);
          in_flight.erase(*key);
        }
        ++processed;
        q.Done(*key);
      }
    });
  }
  for (int round = 0; round < 200; ++round) q.Add("k" + std::to_string(round % kKeys));
  q.ShutDownWithDrain();
  for (auto& t : workers) t.join();
  EXPECT_FALSE(overlap);
  EXPECT_GE(processed.load(), kKeys);  // every key at least once, duplicates folded
  EXPECT_LE(processed.load(), 200);
}

}  // namespace
}  // namespace kubepp::client
