// SchedulingQueue: the pods waiting to be scheduled, in upstream's three
// parts (pkg/scheduler/backend/queue):
//   active        — ready now, popped by priority then time of entry;
//   backoff       — failed recently, ready again after a per-pod back-off
//                   (initial * 2^(attempts-1), capped);
//   unschedulable — rejected by plugins; moved back when a cluster event
//                   one of those plugins registered for happens (a node
//                   added, a pod deleted, ...), or after 5 minutes at most.
// Pods a PreEnqueue plugin rejects (scheduling gates) wait as "gated"
// until an update lets them through.
//
// An event that happens while a pod is being scheduled may be the one that
// makes it fit; such a pod, if it then fails, goes to backoff instead of
// unschedulable (upstream's moveRequestCycle).
//
// Thread-safety: thread-safe. Pop blocks; Close wakes it. A background
// thread flushes backoff and stale unschedulable pods.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "scheduler/framework/interface.h"

namespace kubepp::scheduler {

struct QueuedPod {
  PodInfoPtr pod;
  int attempts = 0;
  std::chrono::steady_clock::time_point timestamp;          // entered the current queue
  std::chrono::steady_clock::time_point initial_attempt;    // first pop
  std::set<std::string, std::less<>> unschedulable_plugins;  // rejected it in the last cycle
  bool gated = false;
  uint64_t seq = 0;  // queue-internal tie breaker
};

struct QueueOptions {
  std::chrono::milliseconds initial_backoff{1000};
  std::chrono::milliseconds max_backoff{10'000};
  std::chrono::milliseconds max_unschedulable{5 * 60 * 1000};
  std::chrono::milliseconds flush_interval{1000};
  // PreEnqueue gate (the profile's PreEnqueue plugins); null admits all.
  std::function<PluginStatus(const PodInfo&)> pre_enqueue;
  // Events each plugin registered (Framework::EventsFor); null: every event.
  // The reference must stay valid as long as the queue (no copy per check).
  std::function<const std::vector<ClusterEvent>&(const PodInfo&, std::string_view plugin)> events_for;
};

class SchedulingQueue {
 public:
  explicit SchedulingQueue(QueueOptions options);
  ~SchedulingQueue();  // Close()
  SchedulingQueue(const SchedulingQueue&) = delete;
  SchedulingQueue& operator=(const SchedulingQueue&) = delete;

  // A new pending pod (or one seen again after a re-list).
  void Add(PodInfoPtr pod);
  // A pending pod changed. A gated pod is re-checked; an unschedulable pod
  // whose spec changed goes back to active (upstream: any update of the pod
  // itself may make it schedulable).
  void Update(PodInfoPtr pod);
  // The pod was deleted or got bound elsewhere. A pod deleted while popped
  // (in flight) is not requeued by a later AddUnschedulable.
  void Delete(const std::string& uid);

  // The next pod to schedule; blocks. nullopt once closed.
  std::optional<QueuedPod> Pop();
  // After a failed cycle (pod popped in cycle `cycle`): unschedulable, or
  // backoff when an event arrived meanwhile or the failure was an error.
  void AddUnschedulable(QueuedPod pod, int64_t cycle, bool error);
  // The popped pod is no longer in flight (bound, failed, or deleted).
  void Done(const std::string& uid);
  // A cluster event: moves the unschedulable pods it may help, except the
  // pod `except_uid` (upstream's pre-check when a rejected binding frees
  // the assumed pod's place: the pod itself stays unschedulable).
  void MoveAllToActiveOrBackoff(const ClusterEvent& event, const std::string& except_uid = "");

  // Pods nominated to nodes by preemption (status.nominatedNodeName).
  void AddNominated(const PodInfoPtr& pod, const std::string& node);
  void DeleteNominated(const std::string& uid);
  std::vector<PodInfoPtr> NominatedPodsForNode(const std::string& node) const;

  int64_t scheduling_cycle() const;
  // Counts for tests and metrics.
  size_t ActiveCount() const;
  size_t BackoffCount() const;
  size_t UnschedulableCount() const;

  void Close();

 private:
  using Clock = std::chrono::steady_clock;
  struct ActiveLess {
    bool operator()(const QueuedPod* a, const QueuedPod* b) const;
  };
  void PushActiveLocked(QueuedPod qp);
  void PushBackoffLocked(QueuedPod qp);
  void AddOrGateLocked(QueuedPod qp);
  Clock::time_point BackoffExpiry(const QueuedPod& qp) const;
  bool EventHelps(const QueuedPod& qp, const ClusterEvent& event) const;
  void RunFlusher();

  const QueueOptions options_;

  mutable std::mutex mu_;
  std::condition_variable cv_;        // Pop waits on it
  std::condition_variable flush_cv_;  // the flusher waits on it
  bool closed_ = false;
  int64_t cycle_ = 0;
  int64_t move_request_cycle_ = -1;
  uint64_t seq_ = 0;
  // Every queued pod lives in exactly one of these maps (by uid).
  std::unordered_map<std::string, std::unique_ptr<QueuedPod>> active_, backoff_, unschedulable_;
  std::set<const QueuedPod*, ActiveLess> active_order_;
  std::set<std::string> in_flight_;
  std::unordered_map<std::string, PodInfoPtr> in_flight_updates_;  // updates while popped
  std::set<std::string> in_flight_deleted_;                         // deleted while popped
  std::unordered_map<std::string, std::pair<PodInfoPtr, std::string>> nominated_;  // uid -> (pod, node)
  std::thread flusher_;
};

}  // namespace kubepp::scheduler
