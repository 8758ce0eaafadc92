// WatchHub: fans committed events out to open watches (shared by the
// embedded backends; not part of the public interface).
//
// A backend publishes each committed batch of events, in revision order, with
// Publish(). Each watch has its own bounded queue, so Publish never waits on a
// consumer: a watch whose live backlog exceeds its capacity is ended with
// kUnavailable after the events already queued.
//
// Registering a watch that starts in the past is two steps, so that a backend
// can read history without holding up writers: Register() returns the last
// published revision H and starts queueing live events (> H) at once; the
// backend reads history (after, H] and hands it to Start(). Nothing is lost
// or repeated across that boundary.
//
// Thread-safety: all methods are thread-safe. Publish must be called by one
// thread at a time (the backend's writer) with increasing revisions.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "storage/storage.h"

namespace kubepp::storage {

class WatchHub {
 public:
  class Pending;  // a registered watch awaiting its history

  WatchHub() = default;
  ~WatchHub();
  WatchHub(const WatchHub&) = delete;
  WatchHub& operator=(const WatchHub&) = delete;

  // Registers a watch for options.range delivering events with revision >
  // options.after_revision (or > the last published revision when 0).
  // Returns kUnavailable after Close().
  struct Registration {
    std::shared_ptr<Pending> pending;
    int64_t published_revision = 0;  // history must cover (after, this]
  };
  StatusOr<Registration> Register(const WatchOptions& options);
  // Completes a registration with the history events (after, H] in revision
  // order (events outside the range or at/below after_revision are skipped).
  WatchPtr Start(std::shared_ptr<Pending> pending, std::vector<Event> history);
  // Drops a registration whose history could not be read.
  void Abandon(const std::shared_ptr<Pending>& pending);

  // Delivers committed events (revision order) to every matching watch.
  void Publish(const std::vector<Event>& events);
  // The revision of the last published event (or the value set here at open).
  int64_t published_revision() const;
  void set_published_revision(int64_t revision);

  // Ends every watch with `status`; later Register calls fail with it.
  void Close(const Status& status);

  size_t watch_count() const;

 private:
  void Remove(Pending* p);
  friend class HubWatch;

  mutable std::mutex mu_;
  std::vector<std::shared_ptr<Pending>> watches_;  // guarded by mu_
  int64_t published_revision_ = 0;                  // guarded by mu_
  bool closed_ = false;                             // guarded by mu_
  Status close_status_;                             // guarded by mu_
};

}  // namespace kubepp::storage
