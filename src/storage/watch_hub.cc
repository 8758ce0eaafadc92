#include "storage/watch_hub.h"

#include <algorithm>

namespace kubepp::storage {

// One watch's state, shared by the hub (producer) and the handle (consumer).
class WatchHub::Pending {
 public:
  Pending(const WatchOptions& o, int64_t after) : range(o.range), capacity(o.queue_capacity) {
    last_queued = after;
    last_delivered = after;
  }

  const KeyRange range;
  const size_t capacity;

  std::mutex mu;
  std::condition_variable cv;
  std::deque<Event> queue;        // guarded by mu
  size_t history_left = 0;        // history events still at the queue front; guarded by mu
  int64_t last_queued = 0;        // guarded by mu
  int64_t last_delivered = 0;     // guarded by mu
  bool ended = false;             // guarded by mu
  Status end_status;              // guarded by mu
  bool started = false;           // guarded by mu; history handed over

  // Appends events newer than last_queued that fall in range. Returns false
  // if the live backlog overflowed (the watch is then ended). Requires mu.
  bool Append(const std::vector<Event>& events, bool history) {
    for (const Event& e : events) {
      if (e.revision() <= last_queued || !range.Contains(e.kv.key)) continue;
      if (!history && queue.size() - history_left >= capacity) {
        End(Status::Unavailable("watch fell behind: more than " + std::to_string(capacity) +
                                " undelivered events; re-watch from revision " +
                                std::to_string(last_queued)));
        return false;
      }
      queue.push_back(e);
      last_queued = e.revision();
      if (history) ++history_left;
    }
    return true;
  }
  void End(Status s) {
    if (ended) return;
    ended = true;
    end_status = std::move(s);
    cv.notify_all();
  }
};

class HubWatch final : public Watch {
 public:
  HubWatch(WatchHub* hub, std::shared_ptr<WatchHub::Pending> p) : hub_(hub), p_(std::move(p)) {}
  ~HubWatch() override { hub_->Remove(p_.get()); }

  StatusOr<std::vector<Event>> Next(std::chrono::milliseconds timeout) override {
    std::unique_lock lock(p_->mu);
    p_->cv.wait_for(lock, timeout, [&] { return !p_->queue.empty() || p_->ended; });
    if (p_->queue.empty()) {
      if (p_->ended) return p_->end_status;
      return std::vector<Event>{};
    }
    constexpr size_t kMaxBatch = 4096;
    size_t n = std::min(kMaxBatch, p_->queue.size());
    std::vector<Event> out;
    out.reserve(n);
    for (size_t i = 0; i < n; ++i) {
      out.push_back(std::move(p_->queue.front()));
      p_->queue.pop_front();
    }
    p_->history_left -= std::min(p_->history_left, n);
    p_->last_delivered = out.back().revision();
    return out;
  }

  int64_t LastRevision() const override {
    std::lock_guard lock(p_->mu);
    return p_->last_delivered;
  }

 private:
  WatchHub* const hub_;
  const std::shared_ptr<WatchHub::Pending> p_;
};

WatchHub::~WatchHub() = default;

StatusOr<WatchHub::Registration> WatchHub::Register(const WatchOptions& options) {
  std::lock_guard lock(mu_);
  if (closed_) return close_status_;
  int64_t after = options.after_revision > 0 ? options.after_revision : published_revision_;
  auto p = std::make_shared<Pending>(options, after);
  // From here on Publish queues live events (> H) for this watch; Start()
  // puts the history (after, H] in front of them.
  watches_.push_back(p);
  return Registration{p, published_revision_};
}

WatchPtr WatchHub::Start(std::shared_ptr<Pending> p, std::vector<Event> history) {
  {
    std::lock_guard lock(p->mu);
    // Live events already queued all have revision > H >= every history
    // event; put the history in front of them.
    std::deque<Event> live = std::move(p->queue);
    p->queue.clear();
    int64_t live_last = p->last_queued;
    p->last_queued = p->last_delivered;
    p->Append(history, /*history=*/true);
    for (Event& e : live) p->queue.push_back(std::move(e));
    p->last_queued = std::max(p->last_queued, live_last);
    p->started = true;
    if (!p->queue.empty()) p->cv.notify_all();
  }
  return std::make_unique<HubWatch>(this, std::move(p));
}

void WatchHub::Abandon(const std::shared_ptr<Pending>& p) { Remove(p.get()); }

void WatchHub::Remove(Pending* p) {
  std::lock_guard lock(mu_);
  auto it = std::find_if(watches_.begin(), watches_.end(),
                         [p](const std::shared_ptr<Pending>& w) { return w.get() == p; });
  if (it != watches_.end()) watches_.erase(it);
}

void WatchHub::Publish(const std::vector<Event>& events) {
  if (events.empty()) return;
  std::lock_guard lock(mu_);
  for (size_t i = 0; i < watches_.size();) {
    Pending& p = *watches_[i];
    bool keep;
    {
      std::lock_guard wl(p.mu);
      size_t before = p.queue.size();
      keep = p.Append(events, /*history=*/false);
      if (keep && p.queue.size() != before && p.started) p.cv.notify_all();
    }
    if (keep) {
      ++i;
    } else {
      watches_.erase(watches_.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  published_revision_ = std::max(published_revision_, events.back().revision());
}

int64_t WatchHub::published_revision() const {
  std::lock_guard lock(mu_);
  return published_revision_;
}

void WatchHub::set_published_revision(int64_t revision) {
  std::lock_guard lock(mu_);
  published_revision_ = std::max(published_revision_, revision);
}

void WatchHub::Close(const Status& status) {
  std::lock_guard lock(mu_);
  closed_ = true;
  close_status_ = status;
  for (auto& w : watches_) {
    std::lock_guard wl(w->mu);
    w->End(status);
  }
  watches_.clear();
}

size_t WatchHub::watch_count() const {
  std::lock_guard lock(mu_);
  return watches_.size();
}

}  // namespace kubepp::storage
