// Clock: the time source of the client library (work queue delays, informer
// resync, leader election), injectable so tests control time.
//
// Now() is monotonic (steady) time for durations and deadlines; WallNow() is
// wall-clock time for timestamps written to the API (Lease renewTime).
// WaitUntil() blocks on a condition variable until notified or until the
// clock reaches a deadline; a FakeClock's deadline passes only when a test
// calls Advance(), which wakes every waiter registered with AddWakeup().
//
// Thread-safety: all methods of both clocks may be called from any thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>

namespace kubepp::client {

class Clock {
 public:
  using Duration = std::chrono::steady_clock::duration;
  using TimePoint = std::chrono::steady_clock::time_point;
  using WallTime = std::chrono::system_clock::time_point;

  virtual ~Clock() = default;

  virtual TimePoint Now() const = 0;
  virtual WallTime WallNow() const = 0;

  // Waits on `cv` (whose mutex `lock` holds) until notified, spuriously, or
  // until Now() >= deadline. TimePoint::max() waits for a notification only.
  // Callers re-check their condition in a loop, as with any condition wait.
  virtual void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                         TimePoint deadline) const = 0;

  // Registers `wake`, called (from the thread that moves the clock) whenever
  // time jumps, so waiters blocked in WaitUntil re-check their deadlines. A
  // typical `wake` locks the waiter's mutex and notifies its condition
  // variable; it must not call back into the clock. Returns an id for
  // RemoveWakeup. The real clock never jumps and ignores these.
  virtual uint64_t AddWakeup(std::function<void()> wake) = 0;
  // After it returns, `wake` of `id` is not running and never runs again.
  virtual void RemoveWakeup(uint64_t id) = 0;
};

// The process-wide real clock (std::chrono::steady_clock / system_clock).
Clock& RealClock();

// A clock that moves only when told to. Starts at an arbitrary steady time
// and at 2024-01-01T00:00:00Z wall time.
class FakeClock final : public Clock {
 public:
  FakeClock();

  TimePoint Now() const override;
  WallTime WallNow() const override;
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline) const override;
  uint64_t AddWakeup(std::function<void()> wake) override;
  void RemoveWakeup(uint64_t id) override;

  // Moves both times forward by `d` and runs every registered wake-up.
  void Advance(Duration d);

 private:
  std::atomic<int64_t> offset_ns_{0};  // time since construction
  const TimePoint steady_base_;
  const WallTime wall_base_;

  std::mutex wake_mu_;  // held while wake-ups run (see RemoveWakeup)
  uint64_t next_id_ = 1;                              // guarded by wake_mu_
  std::map<uint64_t, std::function<void()>> wakes_;  // guarded by wake_mu_
};

// Registers a wake-up for (mu, cv) with `clock` for the lifetime of the
// object: the usual way a component using WaitUntil stays wakeable by a
// FakeClock.
class ScopedClockWakeup {
 public:
  ScopedClockWakeup(Clock& clock, std::mutex& mu, std::condition_variable& cv)
      : clock_(clock), id_(clock.AddWakeup([&mu, &cv] {
          std::lock_guard<std::mutex> lock(mu);
          cv.notify_all();
        })) {}
  ~ScopedClockWakeup() { clock_.RemoveWakeup(id_); }
  ScopedClockWakeup(const ScopedClockWakeup&) = delete;
  ScopedClockWakeup& operator=(const ScopedClockWakeup&) = delete;

 private:
  Clock& clock_;
  uint64_t id_;
};

}  // namespace kubepp::client
