// Scheduler: watches pods and nodes through informers, keeps the cache and
// the scheduling queue, and runs the scheduling cycle one pod at a time on
// its own thread (upstream pkg/scheduler/schedule_one.go):
//   pop → snapshot → PreFilter → Filter (over the nodes to find, from a
//   rotating start) → PostFilter on failure (preemption) → PreScore/Score →
//   pick the best node (ties broken at random) → assume in the cache →
//   Reserve → Permit → hand over to a binding thread: wait on Permit,
//   PreBind, Bind (pods/binding), PostBind.
// A failure reports upstream's FailedScheduling event and the PodScheduled
// =False condition ("0/3 nodes are available: ..."), and requeues the pod;
// a failed binding un-assumes the pod first. A success emits "Scheduled".
//
// Pods are scheduled by the profile named in spec.schedulerName; pods for
// other schedulers are left alone.
//
// Ownership: the Client outlives the Scheduler. Thread-safety: Start/Stop
// from one thread; the accessors are thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "common/status.h"
#include "scheduler/config/config.h"

namespace kubepp::client {
class Client;
}

namespace kubepp::scheduler {

class PluginRegistry;

struct SchedulerOptions {
  config::Configuration config = config::DefaultConfiguration();
  // Concurrent bindings (each one API call).
  int bind_workers = 16;
  // reportingInstance of events; "" picks "<hostname>".
  std::string identity;
  // Watch timeout floor for the informers (tests shorten it).
  std::chrono::seconds min_watch_timeout{300};
};

struct SchedulerStats {
  int64_t attempts = 0;
  int64_t scheduled = 0;       // bound successfully
  int64_t unschedulable = 0;   // cycles that found no node
  int64_t errors = 0;          // cycles or bindings that failed with an error
  int64_t preemptions = 0;     // PostFilter nominated a node
};

class Scheduler {
 public:
  // Builds every profile. Errors: Invalid for a bad profile (unknown plugin,
  // bad plugin args), naming the profile and plugin.
  static StatusOr<std::unique_ptr<Scheduler>> Create(client::Client& client, SchedulerOptions options,
                                                     const PluginRegistry& registry);
  virtual ~Scheduler() = default;

  // Starts the informers, waits for their first list (up to `sync_timeout`),
  // then the scheduling and binding threads. Errors: Unavailable when the
  // caches did not sync in time.
  virtual Status Start(std::chrono::milliseconds sync_timeout) = 0;
  // The informer part of Start alone (idempotent): a candidate for
  // leadership syncs its caches before campaigning, so that taking the
  // lead does not block lease renewal. Errors: as Start.
  virtual Status SyncCaches(std::chrono::milliseconds sync_timeout) = 0;
  // Stops every thread; in-flight bindings finish first. Idempotent.
  virtual void Stop() = 0;
  virtual SchedulerStats stats() const = 0;
};

}  // namespace kubepp::scheduler
