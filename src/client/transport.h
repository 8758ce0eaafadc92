// Transport: one HTTP exchange with the API server, the seam under Client.
//
// RoundTrip sends a request and returns the whole response; Stream sends a
// request and hands the response body to a callback as bytes arrive (watch,
// `logs -f`), until the server ends it or a CancelToken is cancelled. The
// interface is deliberately small so an in-process transport can call the
// API server's handler chain directly. A Transport adds no API semantics: a
// non-2xx response is a successful exchange (Client maps it to a Status).
//
// Implementations: http_transport.h (HTTP/1.1 over TCP or TLS).
//
// Thread-safety: a Transport is shared by every thread of a process and all
// its methods may be called concurrently. CancelToken is thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"

namespace kubepp::client {

// Header fields in order; names compare case-insensitively in FindHeader.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The first value of header `name` (any case), or nullopt.
std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name);

struct HttpRequest {
  std::string method = "GET";
  std::string target;  // path and query, e.g. "/api/v1/pods?limit=500"; already escaped
  HeaderList headers;  // the transport adds Host, User-Agent, Authorization and framing
  std::string body;
  // Whole-exchange deadline for RoundTrip; for Stream, the time to get the
  // response head (the body may then flow for as long as the server likes).
  // Zero: the transport's default.
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
  int status = 0;
  HeaderList headers;
  std::string body;
};

// Cancels one streaming exchange from another thread. The transport
// registers an action (e.g. closing the socket) while it streams; Cancel()
// runs it. Once cancelled, a token stays cancelled.
class CancelToken {
 public:
  CancelToken() = default;
  CancelToken(const CancelToken&) = delete;
  CancelToken& operator=(const CancelToken&) = delete;

  // Idempotent. Runs the registered action (once) on the calling thread.
  void Cancel();
  bool cancelled() const;

  // For transports: registers the action Cancel() runs. Returns false (and
  // registers nothing) if the token is already cancelled. One action at a
  // time; a new one replaces the old.
  bool SetAction(std::function<void()> action);
  // For transports: removes the action. After it returns the action is not
  // running and will not run, so what it refers to may be destroyed.
  void ClearAction();

 private:
  mutable std::mutex mu_;
  bool cancelled_ = false;          // guarded by mu_
  std::function<void()> action_;    // guarded by mu_; runs under mu_
};

// Callbacks of a streaming exchange, called on the thread inside Stream().
struct StreamCallbacks {
  // Once, with the status code and headers, before any body bytes.
  std::function<void(int status, const HeaderList& headers)> on_head;
  // Body bytes as they arrive, in order (chunk boundaries carry no meaning).
  // Returning false stops the exchange (Stream returns OK).
  std::function<bool(std::string_view data)> on_data;
};

class Transport {
 public:
  virtual ~Transport() = default;

  // Sends `request`, returns the complete response (any status code).
  // Errors: Unavailable when the server cannot be reached or the connection
  // fails (the message says why, e.g. "connection refused" or a TLS
  // verification failure), Timeout when `request.timeout` passes.
  virtual StatusOr<HttpResponse> RoundTrip(const HttpRequest& request) = 0;

  // Sends `request` and streams the response into `callbacks`. Returns OK
  // when the body ended (the server finished the stream), when on_data
  // returned false, or when `cancel` was cancelled (before or during the
  // exchange). Errors: Unavailable for connection failures before or during
  // the body (a server that drops the connection mid-stream), Timeout when
  // the head did not arrive within request.timeout.
  virtual Status Stream(const HttpRequest& request, CancelToken& cancel, const StreamCallbacks& callbacks) = 0;
};

}  // namespace kubepp::client
