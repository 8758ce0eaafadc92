#include "apiserver/endpoints/watch_pump.h"

namespace kubepp::apiserver::endpoints {

struct WatchPump::Entry {
  std::unique_ptr<WatchStream> stream;
  std::mutex drain_mu;  // one drainer at a time
  // Guarded by the pump's mu_:
  bool scheduled = false;
  bool done = false;
  bool backlog = false;  // events left queued while the socket drains
  std::chrono::steady_clock::time_point next_bookmark;
  // Guarded by drain_mu:
  int64_t last_bookmark_revision = 0;
};

WatchPump::WatchPump(int threads) {
  for (int i = 0; i < std::max(1, threads); ++i) threads_.emplace_back([this] { Work(); });
  timer_ = std::thread([this] { Tick(); });
}

WatchPump::~WatchPump() { Shutdown(); }

void WatchPump::Add(std::unique_ptr<WatchStream> stream) {
  auto e = std::make_shared<Entry>();
  e->stream = std::move(stream);
  e->next_bookmark = std::chrono::steady_clock::now() + e->stream->bookmark_interval;
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      e->stream->writer->Finish();
      return;
    }
    entries_.insert(e);
  }
  std::weak_ptr<Entry> weak = e;
  e->stream->writer->OnClose([this, weak] {
    if (auto s = weak.lock()) Schedule(s);
  });
  e->stream->watcher->SetNotify([this, weak] {
    if (auto s = weak.lock()) Schedule(s);
  });
  Schedule(e);
}

void WatchPump::Schedule(const std::shared_ptr<Entry>& e) {
  std::lock_guard lock(mu_);
  if (e->scheduled || e->done || stopping_) return;
  e->scheduled = true;
  ready_.push_back(e);
  cv_.notify_one();
}

void WatchPump::Work() {
  while (true) {
    std::shared_ptr<Entry> e;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !ready_.empty(); });
      if (stopping_) return;
      e = std::move(ready_.front());
      ready_.pop_front();
      e->scheduled = false;  // later notifications schedule it again
    }
    Drain(e);
  }
}

void WatchPump::Drain(const std::shared_ptr<Entry>& e) {
  std::lock_guard drain(e->drain_mu);
  WatchStream& s = *e->stream;
  if (s.writer->closed()) {
    Remove(e);
    return;
  }
  // Events go out in bounded batches, and only while the connection's
  // unsent bytes stay under kMaxBuffered: a long replay (a watch resuming
  // far back) then flows at the client's pace instead of overrunning the
  // stream buffer, which is kept for clients that stop reading.
  constexpr size_t kBatchEvents = 512;
  constexpr size_t kMaxBuffered = 4 << 20;
  bool more = false;
  if (s.writer->buffered() < kMaxBuffered) {
    auto events = s.watcher->Next(std::chrono::milliseconds(0), kBatchEvents);
    if (!events.ok()) {
      if (s.error) s.writer->Write(s.error(events.status()));
      s.writer->Finish();
      Remove(e);
      return;
    }
    std::string batch;
    for (const auto& ev : *events) batch += s.encode(ev);
    if (!batch.empty() && !s.writer->Write(batch)) {
      Remove(e);
      return;
    }
    more = events->size() == kBatchEvents;
  } else {
    more = true;
  }
  {
    std::lock_guard lock(mu_);
    e->backlog = more && s.writer->buffered() >= kMaxBuffered;
    if (more && !e->backlog && !e->scheduled && !e->done && !stopping_) {
      e->scheduled = true;
      ready_.push_back(e);
      cv_.notify_one();
    }
  }
  auto now = std::chrono::steady_clock::now();
  bool bookmark_due = false;
  {
    std::lock_guard lock(mu_);
    if (now >= s.deadline) {
      e->done = true;
    } else if (s.bookmark && now >= e->next_bookmark) {
      bookmark_due = true;
      e->next_bookmark = now + s.bookmark_interval;
    }
  }
  if (bookmark_due) {
    int64_t rev = s.watcher->LastRevision();
    if (rev > 0) {
      s.writer->Write(s.bookmark(rev));
      e->last_bookmark_revision = rev;
    }
  }
  if (now >= s.deadline) {
    s.writer->Finish();
    Remove(e);
  }
}

void WatchPump::Remove(const std::shared_ptr<Entry>& e) {
  e->stream->watcher->SetNotify(nullptr);
  std::lock_guard lock(mu_);
  e->done = true;
  entries_.erase(e);
}

void WatchPump::Tick() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    bool backlog = false;
    for (const auto& e : entries_) backlog = backlog || e->backlog;
    // Streams waiting for their socket to drain are retried often.
    cv_.wait_for(lock, std::chrono::milliseconds(backlog ? 20 : 500));
    if (stopping_) return;
    auto now = std::chrono::steady_clock::now();
    for (const auto& e : entries_) {
      bool due = e->backlog || now >= e->stream->deadline || (e->stream->bookmark && now >= e->next_bookmark);
      if (due && !e->scheduled && !e->done) {
        e->scheduled = true;
        ready_.push_back(e);
      }
    }
    if (!ready_.empty()) cv_.notify_all();
  }
}

void WatchPump::Shutdown() {
  std::set<std::shared_ptr<Entry>> entries;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    entries.swap(entries_);
    ready_.clear();
    cv_.notify_all();
  }
  for (auto& t : threads_) t.join();
  timer_.join();
  for (const auto& e : entries) {
    e->stream->watcher->SetNotify(nullptr);
    e->stream->writer->Finish();
  }
}

size_t WatchPump::size() const {
  std::lock_guard lock(mu_);
  return entries_.size();
}

}  // namespace kubepp::apiserver::endpoints
