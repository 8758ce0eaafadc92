// FakeApiServer: a small in-memory Kubernetes API server for the client
// library's tests, on the real HTTP server (apiserver/http) so the real
// transport, TLS and chunked watch streams are exercised.
//
// It serves any resource path generically (/api/v1/... and /apis/G/V/...,
// namespaced as .../namespaces/NS/RESOURCE): create, get, list (label
// selectors, limit/continue), update (resourceVersion compare-and-swap, the
// "status" subresource), merge patch, delete (preconditions) and watch
// (history replay from a resourceVersion, BOOKMARK events, 410 Expired for a
// compacted resourceVersion). Tests steer it: close every watch (as a server
// timeout would), compact history, pause live event delivery (to make a
// client miss events), inject errors, count requests.
//
// Not a conformance reference: no validation, defaulting, admission, field
// selectors, or other patch types.
//
// Thread-safety: all methods are thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace kubepp::client {

class FakeApiServer {
 public:
  struct Options {
    // TLS when cert_pem is set; client certificates verified against
    // client_ca_pem when set.
    std::string cert_pem;
    std::string key_pem;
    std::string client_ca_pem;
    // Answer 401 unless the request carries a verified client certificate
    // or "Authorization: Bearer <token>".
    bool require_auth = false;
    std::string token;
  };

  // Errors: those of apiserver::http::Server::Start.
  static StatusOr<std::unique_ptr<FakeApiServer>> Start(Options options);
  static StatusOr<std::unique_ptr<FakeApiServer>> Start() { return Start(Options{}); }

  virtual ~FakeApiServer() = default;

  // "http://127.0.0.1:PORT" or "https://127.0.0.1:PORT".
  virtual std::string url() const = 0;

  // The store's current resourceVersion (the last write's).
  virtual int64_t resource_version() const = 0;
  // Ends every open watch stream normally (as timeoutSeconds would).
  virtual void CloseWatches() = 0;
  // Forgets history up to now: a watch from an older resourceVersion gets
  // an ERROR event with 410 Expired.
  virtual void Compact() = 0;
  // While false, writes are stored and recorded but not sent to open watches.
  virtual void SetDeliverEvents(bool deliver) = 0;
  // Sends a BOOKMARK at the current resourceVersion to every watch that
  // asked for bookmarks.
  virtual void SendBookmarks() = 0;
  // The next `count` requests with `method` ("" any) answer `code` with a
  // metav1.Status of `reason` and `message`.
  virtual void FailNext(std::string method, int code, std::string reason, std::string message, int count = 1) = 0;

  // Requests served so far, by kind.
  virtual int list_count() const = 0;
  virtual int watch_count() const = 0;
  virtual int open_watches() const = 0;
  // The stored object, or nullptr (for assertions without the client).
  virtual std::shared_ptr<const nlohmann::json> Peek(const std::string& group_version, const std::string& resource,
                                                     const std::string& ns, const std::string& name) const = 0;
};

}  // namespace kubepp::client
