// LeaderElector: leader election on a coordination.k8s.io/v1 Lease, as
// client-go's leaderelection package does it, so kubepp's scheduler and
// controller manager can run in several copies with one active.
//
// A candidate tries every retry_period (with up to 20% jitter) to take the
// Lease: it may when the Lease is absent, has no holder, is its own, or has
// not changed for its leaseDurationSeconds as observed on the candidate's
// own clock (never by comparing remote timestamps, so clock skew between
// machines does not matter). Writes are compare-and-swap on the Lease's
// resourceVersion: a 409 just means another candidate won this round.
// The leader renews every retry_period; if no renewal succeeded for
// renew_deadline it stops leading. Stop() while leading releases the Lease
// (holderIdentity cleared, leaseDurationSeconds 1) when release_on_cancel is
// set, so a successor need not wait for the lease to expire.
//
// The Lease spec written: holderIdentity, leaseDurationSeconds, acquireTime
// and renewTime (MicroTime: RFC 3339 UTC with 6 fraction digits) and
// leaseTransitions (incremented whenever the holder changes).
//
// Callbacks run on the elector's thread and must return promptly (start the
// real work on other threads; check IsLeader()). Differences from client-go:
// on_stopped_leading runs only if the elector was leading; after losing
// leadership the elector does not campaign again (client-go's Run returns
// too; processes usually exit then).
//
// Ownership: the Client must outlive the elector.
// Thread-safety: all methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <nlohmann/json_fwd.hpp>

#include "client/client.h"
#include "client/clock.h"
#include "common/status.h"

namespace kubepp::client {

struct LeaderElectionConfig {
  std::string lease_namespace = "kube-system";
  std::string lease_name;  // e.g. "kube-scheduler"
  std::string identity;    // unique per candidate, e.g. hostname + "_" + uuid

  // Written to the Lease in whole seconds (rounded up).
  std::chrono::milliseconds lease_duration{15'000};
  std::chrono::milliseconds renew_deadline{10'000};
  std::chrono::milliseconds retry_period{2'000};
  bool release_on_cancel = true;

  std::function<void()> on_started_leading;
  std::function<void()> on_stopped_leading;
  // The holder observed changed (to someone else or to this candidate).
  std::function<void(const std::string& identity)> on_new_leader;

  Clock* clock = nullptr;  // null: RealClock()
};

inline const GroupVersionResource kLeasesResource{"coordination.k8s.io", "v1", "leases"};

class LeaderElector {
 public:
  // Errors: Invalid (client-go's checks and wording) for an empty identity
  // or lease name, non-positive durations, lease_duration <= renew_deadline,
  // or renew_deadline <= 1.2 * retry_period.
  static StatusOr<std::unique_ptr<LeaderElector>> New(Client& client, LeaderElectionConfig config);

  ~LeaderElector();  // Stop()
  LeaderElector(const LeaderElector&) = delete;
  LeaderElector& operator=(const LeaderElector&) = delete;

  // Starts campaigning on a background thread. Idempotent.
  void Start();
  // Stops campaigning; releases the Lease if leading (see the header) and
  // runs on_stopped_leading before returning. Idempotent.
  void Stop();

  bool IsLeader() const;
  // The holder last observed on the Lease ("" when none yet).
  std::string GetLeader() const;
  // True once the elector stopped (by Stop(), or after losing leadership)
  // and its last callback returned.
  bool finished() const;

 private:
  LeaderElector(Client& client, LeaderElectionConfig config);

  void Run();
  // One attempt to acquire or renew; true when this candidate holds the Lease.
  bool TryAcquireOrRenew();
  void Release();
  void ReportLeader(const std::string& holder);
  // Waits up to `d` on the clock unless stopping; false when stopping.
  bool Wait(Clock::Duration d);

  Client& client_;
  const LeaderElectionConfig config_;
  Clock& clock_;

  // Touched by the elector thread only.
  std::string observed_spec_;                // the Lease spec last seen, serialized
  Clock::TimePoint observed_time_{};         // when it last changed, on clock_
  std::shared_ptr<const nlohmann::json> lease_;  // the Lease last read or written
  std::string reported_leader_;

  mutable std::mutex mu_;
  std::condition_variable cv_;
  bool started_ = false;   // guarded by mu_
  bool stopping_ = false;  // guarded by mu_
  bool leading_ = false;   // guarded by mu_
  bool finished_ = false;  // guarded by mu_
  std::string leader_;     // guarded by mu_

  std::mutex join_mu_;
  std::thread thread_;

  ScopedClockWakeup wakeup_;  // last: unregisters before the members above go
};

}  // namespace kubepp::client
