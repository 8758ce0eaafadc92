#include "scheduler/queue/scheduling_queue.h"

#include <algorithm>

namespace kubepp::scheduler {

bool SchedulingQueue::ActiveLess::operator()(const QueuedPod* a, const QueuedPod* b) const {
  // PrioritySort: higher priority first, then the earlier entry.
  if (a->pod->priority != b->pod->priority) return a->pod->priority > b->pod->priority;
  if (a->timestamp != b->timestamp) return a->timestamp < b->timestamp;
  return a->seq < b->seq;
}

SchedulingQueue::SchedulingQueue(QueueOptions options) : options_(std::move(options)) {
  flusher_ = std::thread([this] { RunFlusher(); });
}

SchedulingQueue::~SchedulingQueue() { Close(); }

void SchedulingQueue::Close() {
  {
    std::lock_guard lock(mu_);
    if (closed_ && !flusher_.joinable()) return;
    closed_ = true;
  }
  cv_.notify_all();
  flush_cv_.notify_all();
  if (flusher_.joinable() && flusher_.get_id() != std::this_thread::get_id()) flusher_.join();
}

void SchedulingQueue::PushActiveLocked(QueuedPod qp) {
  qp.gated = false;
  qp.seq = seq_++;
  auto owned = std::make_unique<QueuedPod>(std::move(qp));
  active_order_.insert(owned.get());
  std::string uid = owned->pod->uid;
  active_[uid] = std::move(owned);
  cv_.notify_one();
}

void SchedulingQueue::PushBackoffLocked(QueuedPod qp) {
  std::string uid = qp.pod->uid;
  backoff_[uid] = std::make_unique<QueuedPod>(std::move(qp));
}

void SchedulingQueue::AddOrGateLocked(QueuedPod qp) {
  if (options_.pre_enqueue) {
    PluginStatus s = options_.pre_enqueue(*qp.pod);
    if (!s.IsSuccess()) {
      qp.gated = true;
      qp.unschedulable_plugins = {s.plugin()};
      std::string uid = qp.pod->uid;
      unschedulable_[uid] = std::make_unique<QueuedPod>(std::move(qp));
      return;
    }
  }
  PushActiveLocked(std::move(qp));
}

void SchedulingQueue::Add(PodInfoPtr pod) {
  std::lock_guard lock(mu_);
  const std::string& uid = pod->uid;
  if (in_flight_.count(uid) > 0) {
    in_flight_updates_[uid] = pod;
    return;
  }
  if (active_.count(uid) > 0 || backoff_.count(uid) > 0 || unschedulable_.count(uid) > 0) {
    // Already queued: keep its place, refresh the object.
    for (auto* m : {&active_, &backoff_, &unschedulable_}) {
      auto it = m->find(uid);
      if (it == m->end()) continue;
      if (m == &active_) active_order_.erase(it->second.get());
      it->second->pod = pod;
      if (m == &active_) active_order_.insert(it->second.get());
    }
    return;
  }
  QueuedPod qp;
  qp.pod = std::move(pod);
  qp.timestamp = Clock::now();
  AddOrGateLocked(std::move(qp));
}

void SchedulingQueue::Update(PodInfoPtr pod) {
  std::lock_guard lock(mu_);
  const std::string uid = pod->uid;
  if (in_flight_.count(uid) > 0) {
    in_flight_updates_[uid] = pod;
    return;
  }
  if (auto it = active_.find(uid); it != active_.end()) {
    active_order_.erase(it->second.get());
    it->second->pod = std::move(pod);
    active_order_.insert(it->second.get());
    return;
  }
  if (auto it = backoff_.find(uid); it != backoff_.end()) {
    it->second->pod = std::move(pod);
    return;
  }
  if (auto it = unschedulable_.find(uid); it != unschedulable_.end()) {
    QueuedPod qp = std::move(*it->second);
    unschedulable_.erase(it);
    qp.pod = std::move(pod);
    if (qp.gated) {
      AddOrGateLocked(std::move(qp));
    } else if (Clock::now() < BackoffExpiry(qp)) {
      PushBackoffLocked(std::move(qp));
    } else {
      PushActiveLocked(std::move(qp));
    }
    return;
  }
  QueuedPod qp;
  qp.pod = std::move(pod);
  qp.timestamp = Clock::now();
  AddOrGateLocked(std::move(qp));
}

void SchedulingQueue::Delete(const std::string& uid) {
  std::lock_guard lock(mu_);
  if (auto it = active_.find(uid); it != active_.end()) {
    active_order_.erase(it->second.get());
    active_.erase(it);
  }
  backoff_.erase(uid);
  unschedulable_.erase(uid);
  in_flight_updates_.erase(uid);
  if (in_flight_.count(uid) > 0) in_flight_deleted_.insert(uid);
  nominated_.erase(uid);
}

std::optional<QueuedPod> SchedulingQueue::Pop() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return closed_ || !active_order_.empty(); });
  if (closed_) return std::nullopt;
  const QueuedPod* first = *active_order_.begin();
  active_order_.erase(active_order_.begin());
  auto it = active_.find(first->pod->uid);
  QueuedPod qp = std::move(*it->second);
  active_.erase(it);
  ++cycle_;
  ++qp.attempts;
  if (qp.attempts == 1) qp.initial_attempt = Clock::now();
  qp.unschedulable_plugins.clear();
  in_flight_.insert(qp.pod->uid);
  return qp;
}

void SchedulingQueue::Done(const std::string& uid) {
  std::lock_guard lock(mu_);
  in_flight_.erase(uid);
  in_flight_updates_.erase(uid);
  in_flight_deleted_.erase(uid);
}

void SchedulingQueue::AddUnschedulable(QueuedPod qp, int64_t cycle, bool error) {
  std::lock_guard lock(mu_);
  const std::string uid = qp.pod->uid;
  in_flight_.erase(uid);
  if (in_flight_deleted_.erase(uid) > 0) {
    // Deleted (or bound elsewhere) during its cycle: nothing to retry.
    in_flight_updates_.erase(uid);
    return;
  }
  if (auto upd = in_flight_updates_.find(uid); upd != in_flight_updates_.end()) {
    qp.pod = upd->second;
    in_flight_updates_.erase(upd);
  }
  if (active_.count(uid) > 0 || backoff_.count(uid) > 0 || unschedulable_.count(uid) > 0) return;
  qp.timestamp = Clock::now();
  if (error || move_request_cycle_ >= cycle) {
    PushBackoffLocked(std::move(qp));
  } else {
    unschedulable_[uid] = std::make_unique<QueuedPod>(std::move(qp));
  }
}

SchedulingQueue::Clock::time_point SchedulingQueue::BackoffExpiry(const QueuedPod& qp) const {
  auto d = options_.initial_backoff;
  for (int i = 1; i < qp.attempts && d < options_.max_backoff; ++i) d *= 2;
  d = std::min(d, options_.max_backoff);
  return qp.timestamp + d;
}

bool SchedulingQueue::EventHelps(const QueuedPod& qp, const ClusterEvent& event) const {
  if (qp.unschedulable_plugins.empty() || !options_.events_for) return true;
  for (const auto& plugin : qp.unschedulable_plugins) {
    if (AnyEventMatches(options_.events_for(*qp.pod, plugin), event)) return true;
  }
  return false;
}

void SchedulingQueue::MoveAllToActiveOrBackoff(const ClusterEvent& event, const std::string& except_uid) {
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  for (auto it = unschedulable_.begin(); it != unschedulable_.end();) {
    if (it->second->gated || it->first == except_uid || !EventHelps(*it->second, event)) {
      ++it;
      continue;
    }
    QueuedPod qp = std::move(*it->second);
    it = unschedulable_.erase(it);
    if (now < BackoffExpiry(qp)) {
      PushBackoffLocked(std::move(qp));
    } else {
      PushActiveLocked(std::move(qp));
    }
  }
  move_request_cycle_ = cycle_;
}

void SchedulingQueue::AddNominated(const PodInfoPtr& pod, const std::string& node) {
  std::lock_guard lock(mu_);
  if (node.empty()) {
    nominated_.erase(pod->uid);
  } else {
    nominated_[pod->uid] = {pod, node};
  }
}

void SchedulingQueue::DeleteNominated(const std::string& uid) {
  std::lock_guard lock(mu_);
  nominated_.erase(uid);
}

std::vector<PodInfoPtr> SchedulingQueue::NominatedPodsForNode(const std::string& node) const {
  std::lock_guard lock(mu_);
  std::vector<PodInfoPtr> out;
  for (const auto& [uid, entry] : nominated_) {
    if (entry.second == node) out.push_back(entry.first);
  }
  return out;
}

int64_t SchedulingQueue::scheduling_cycle() const {
  std::lock_guard lock(mu_);
  return cycle_;
}
size_t SchedulingQueue::ActiveCount() const {
  std::lock_guard lock(mu_);
  return active_.size();
}
size_t SchedulingQueue::BackoffCount() const {
  std::lock_guard lock(mu_);
  return backoff_.size();
}
size_t SchedulingQueue::UnschedulableCount() const {
  std::lock_guard lock(mu_);
  return unschedulable_.size();
}

void SchedulingQueue::RunFlusher() {
  std::unique_lock lock(mu_);
  while (!closed_) {
    flush_cv_.wait_for(lock, options_.flush_interval);
    if (closed_) break;
    auto now = Clock::now();
    for (auto it = backoff_.begin(); it != backoff_.end();) {
      if (now < BackoffExpiry(*it->second)) {
        ++it;
        continue;
      }
      QueuedPod qp = std::move(*it->second);
      it = backoff_.erase(it);
      PushActiveLocked(std::move(qp));
    }
    for (auto it = unschedulable_.begin(); it != unschedulable_.end();) {
      if (it->second->gated || now - it->second->timestamp < options_.max_unschedulable) {
        ++it;
        continue;
      }
      QueuedPod qp = std::move(*it->second);
      it = unschedulable_.erase(it);
      PushActiveLocked(std::move(qp));
    }
  }
}

}  // namespace kubepp::scheduler
