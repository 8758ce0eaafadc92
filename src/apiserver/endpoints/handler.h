// ApiHandler: the Kubernetes REST API over the registry.
//
// Every request goes: authentication -> authorization -> routing (discovery,
// health, version, extra routes such as OpenAPI and metrics, or a resource
// verb) -> the registry (which runs defaulting, admission and validation).
// Request bodies may be JSON, YAML or Kubernetes protobuf; responses follow
// Accept (JSON, YAML, protobuf, meta.k8s.io Table, PartialObjectMetadata).
// Watches are served by a small pool of threads from the watch cache, never
// by one blocked thread per watch.
//
// Ownership: the handler borrows the registry, authenticator and authorizer,
// which must outlive it. Thread-safety: Serve may be called concurrently from
// any number of threads; AddRoute only before serving starts.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "apiserver/auth/authn.h"
#include "apiserver/auth/authz.h"
#include "apiserver/http/server.h"
#include "apiserver/registry/registry.h"

namespace kubepp::apiserver::endpoints {

struct HandlerOptions {
  // Reported in APIVersions.serverAddressByClientCIDRs ("127.0.0.1:6443").
  std::string server_address;
  // A watch without timeoutSeconds ends after a random time between this and
  // twice this (upstream's --min-request-timeout), so clients re-watch
  // spread out in time.
  std::chrono::seconds default_watch_timeout{1800};
  // BOOKMARK events for watches that allow them, at most this often.
  std::chrono::milliseconds bookmark_interval{std::chrono::seconds(30)};
  int watch_threads = 2;
};

// A non-resource route (OpenAPI, metrics). Runs after authentication and
// authorization (verb "get" on the path).
using RouteFn = std::function<void(const http::Request& request, http::ResponseWriter& writer)>;

class Metrics;
class WatchPump;

class ApiHandler {
 public:
  ApiHandler(registry::Registry& registry, const auth::Authenticator& authenticator,
             const auth::Authorizer& authorizer, HandlerOptions options);
  ~ApiHandler();
  ApiHandler(const ApiHandler&) = delete;
  ApiHandler& operator=(const ApiHandler&) = delete;

  // Serves `path` exactly, or every path under it when `prefix`.
  void AddRoute(std::string path, bool prefix, RouteFn fn);
  // /readyz answers 200 only once ready (and /livez always while running).
  void SetReady(bool ready) { ready_ = ready; }
  // Ends every open watch (on shutdown, before the HTTP server stops).
  void Shutdown();

  void Serve(http::Request request, std::shared_ptr<http::ResponseWriter> writer);
  // Records one store call for /metrics (any thread).
  void ObserveStore(std::string_view operation, std::chrono::nanoseconds latency);
  // The Prometheus text exposition of the request metrics.
  std::string MetricsText() const;
  size_t open_watches() const;

 private:
  struct Route {
    std::string path;
    bool prefix;
    RouteFn fn;
  };
  void ServeNonResource(const http::Request& request, const std::shared_ptr<http::ResponseWriter>& writer);

  registry::Registry& registry_;
  const auth::Authenticator& authenticator_;
  const auth::Authorizer& authorizer_;
  const HandlerOptions options_;
  std::vector<Route> routes_;
  // Discovery documents, built once (the resource table does not change):
  // /api and /apis per negotiated format, /api/v1 and /apis/G/V, /apis/G.
  std::map<std::pair<int, int>, std::pair<std::string, std::string>> root_discovery_;  // (root, format) -> (type, body)
  std::map<std::string, std::string, std::less<>> group_version_discovery_;  // "api/v1", "apis/apps/v1"
  std::map<std::string, std::string, std::less<>> group_discovery_;          // "apis/apps"
  std::atomic<bool> ready_{false};
  std::unique_ptr<Metrics> metrics_;
  std::unique_ptr<WatchPump> pump_;
};

}  // namespace kubepp::apiserver::endpoints
