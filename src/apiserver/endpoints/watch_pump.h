// WatchPump: serves many watch streams with a few threads (internal to
// apiserver/endpoints).
//
// Each stream pairs a cache watcher with the HTTP writer of its response.
// When the watcher has events (it notifies the pump), a pump thread drains
// them, encodes each with the stream's encoder and writes the chunk. A timer
// ends streams at their deadline and emits BOOKMARK events when asked to.
// A stream whose client left, or whose watcher was cut off, is finished and
// forgotten.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "apiserver/http/server.h"
#include "apiserver/registry/watch_cache.h"

namespace kubepp::apiserver::endpoints {

struct WatchStream {
  registry::CacheWatcherPtr watcher;
  std::shared_ptr<http::ResponseWriter> writer;
  // Encodes one event as the bytes of one chunk ("" to skip it).
  std::function<std::string(const registry::CacheEvent&)> encode;
  // Encodes a BOOKMARK at a revision; null when bookmarks were not asked for.
  std::function<std::string(int64_t revision)> bookmark;
  // Encodes the ERROR event sent when the watcher is cut off; may be null.
  std::function<std::string(const Status&)> error;
  std::chrono::steady_clock::time_point deadline;
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds(30)};
};

class WatchPump {
 public:
  explicit WatchPump(int threads);
  ~WatchPump();  // Shutdown()

  // Takes over a stream whose response headers were already sent.
  void Add(std::unique_ptr<WatchStream> stream);
  // Finishes every stream and joins the threads. Idempotent.
  void Shutdown();
  size_t size() const;

 private:
  struct Entry;
  void Schedule(const std::shared_ptr<Entry>& e);
  void Work();
  void Tick();
  void Drain(const std::shared_ptr<Entry>& e);
  void Remove(const std::shared_ptr<Entry>& e);

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::shared_ptr<Entry>> ready_;     // guarded by mu_
  std::set<std::shared_ptr<Entry>> entries_;     // guarded by mu_
  bool stopping_ = false;                        // guarded by mu_
  std::vector<std::thread> threads_;
  std::thread timer_;
};

}  // namespace kubepp::apiserver::endpoints
