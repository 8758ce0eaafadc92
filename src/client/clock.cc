#include "client/clock.h"

namespace kubepp::client {
namespace {

class RealClockImpl final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
  WallTime WallNow() const override { return std::chrono::system_clock::now(); }
  void WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                 TimePoint deadline) const override {
    // wait_until(max) overflows in some standard libraries' clock conversion.
    if (deadline == TimePoint::max()) {
      cv.wait(lock);
    } else {
      cv.wait_until(lock, deadline);
    }
  }
  uint64_t AddWakeup(std::function<void()>) override { return 0; }
  void RemoveWakeup(uint64_t) override {}
};

}  // namespace

Clock& RealClock() {
  static RealClockImpl* clock = new RealClockImpl();  // never destroyed: threads may outlive statics
  return *clock;
}

FakeClock::FakeClock()
    : steady_base_(std::chrono::steady_clock::time_point(std::chrono::hours(1000))),
      wall_base_(std::chrono::system_clock::time_point(std::chrono::seconds(1704067200))) {}

Clock::TimePoint FakeClock::Now() const { return steady_base_ + std::chrono::nanoseconds(offset_ns_.load()); }

Clock::WallTime FakeClock::WallNow() const {
  return wall_base_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(
                          std::chrono::nanoseconds(offset_ns_.load()));
}

void FakeClock::WaitUntil(std::condition_variable& cv, std::unique_lock<std::mutex>& lock,
                          TimePoint deadline) const {
  // Advance() changes the time before it runs the wake-ups, and a wake-up
  // takes the waiter's mutex, so a waiter that saw the old time here is
  // already inside cv.wait when it is notified: no lost wake-up.
  if (Now() >= deadline) return;
  cv.wait(lock);
}

uint64_t FakeClock::AddWakeup(std::function<void()> wake) {
  std::lock_guard<std::mutex> lock(wake_mu_);
  uint64_t id = next_id_++;
  wakes_.emplace(id, std::move(wake));
  return id;
}

void FakeClock::RemoveWakeup(uint64_t id) {
  std::lock_guard<std::mutex> lock(wake_mu_);
  wakes_.erase(id);
}

void FakeClock::Advance(Duration d) {
  offset_ns_.fetch_add(std::chrono::duration_cast<std::chrono::nanoseconds>(d).count());
  std::lock_guard<std::mutex> lock(wake_mu_);
  for (auto& [id, wake] : wakes_) wake();
}

}  // namespace kubepp::client
