// The HTTP/1.1 server (over TLS, or plain for tests) under the API server.
//
// A Server accepts connections, parses one request at a time per connection
// (keep-alive; pipelined requests are read ahead and answered in order) and
// hands each to a Handler together with a ResponseWriter. The handler answers
// with one full response (Send) or a chunked stream (StartStream / Write /
// Finish), which is how a Kubernetes watch or `logs -f` is served.
//
// TLS: ALPN offers and selects only "http/1.1" (kubectl offers h2 first and
// breaks if h2 is selected). Client certificates are requested, never
// required: a chain that verifies against ServerOptions::client_ca_pem is
// exposed in Request::client_cert_chain_pem; an unverifiable one is treated as
// absent (the request is anonymous at the TLS layer), as kube-apiserver does.
//
// Thread-safety: Server's methods may be called from any thread. Handlers run
// on handler threads (or on I/O threads when ServerOptions::handler_threads is
// 0, in which case they must not block). A ResponseWriter is thread-safe and
// may outlive the handler call: a watch keeps it and writes from a store
// watcher thread. Writes are queued and flushed by the connection's I/O thread;
// Write() never blocks on the network.
//
// Upgrades (WebSocket/SPDY for exec, attach, port-forward): requests with an
// `Upgrade` header reach the handler like any other; today it can only answer
// them normally (e.g. 400 or 403, which makes kubectl 1.30+ fall back). The
// writer is designed so a later `Hijack()` fits: the connection loop owns the
// stream and already parks between requests waiting for the exchange to end;
// Hijack would queue the 101 reply, and once it is flushed the loop would move
// the stream plus any read-ahead bytes into a Beast-free byte-stream object
// handed to a callback, instead of reading the next request.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/status.h"
#include "common/strings.h"

namespace kubepp::apiserver::http {

// An ordered list of header fields with case-insensitive lookup. Duplicates
// are kept (Add), Set replaces every field of that name.
class Headers {
 public:
  Headers() = default;
  Headers(std::initializer_list<std::pair<std::string, std::string>> fields);

  void Add(std::string name, std::string value);
  void Set(std::string name, std::string value);
  void Remove(std::string_view name);
  // The first field named `name` (any case), or nullopt.
  std::optional<std::string_view> Get(std::string_view name) const;
  // Every value of the fields named `name`, in order.
  std::vector<std::string_view> GetAll(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }

  const std::vector<std::pair<std::string, std::string>>& fields() const { return fields_; }
  size_t size() const { return fields_.size(); }

 private:
  std::vector<std::pair<std::string, std::string>> fields_;
};

using ::kubepp::EqualsIgnoreCase;  // common/strings.h

struct Request {
  std::string method;        // "GET", "POST", ... as sent
  std::string target;        // raw request target: "/api/v1/pods?watch=true"
  std::string path;          // target before '?', percent-decoded
  std::string raw_query;     // target after '?', undecoded ("" if none)
  // Decoded query parameters (Go url.ParseQuery semantics: '+' is a space,
  // a key without '=' has an empty value). Repeated keys keep every value.
  std::multimap<std::string, std::string> query;
  Headers headers;
  std::string body;
  // The client certificate chain the TLS layer verified against the client
  // CA, leaf first, ending with the trust anchor, each as PEM. Empty if the
  // client sent none, sent one that did not verify, or the server is plain.
  std::vector<std::string> client_cert_chain_pem;
  std::string remote_address;  // "127.0.0.1:54321"
  bool tls = false;
  unsigned http_version = 11;  // 10 or 11

  // The first value of query parameter `key`, or nullopt.
  std::optional<std::string> Query(std::string_view key) const;
  // True if the request asks for a protocol upgrade (Connection: upgrade and
  // an Upgrade header).
  bool IsUpgrade() const;
};

// How a handler answers. Exactly one of:
//   - Send(status, headers, body): one full response (Content-Length framed);
//   - StartStream(status, headers), then Write(chunk)... then Finish():
//     chunked transfer encoding, each Write flushed as its own chunk.
// The writer sets the framing headers (Content-Length, Transfer-Encoding,
// Connection) itself; such fields passed by the caller are dropped.
// Dropping the last reference without answering sends a 500 (nothing sent
// yet) or finishes the stream, so a buggy handler never hangs a client.
//
// All methods are thread-safe. A write "fails" (returns false) when the
// client went away, the server is stopping, the stream overran its buffer
// limit (a reader too slow for the producer: the connection is closed, as
// kube-apiserver drops slow watchers), or the response is already complete.
class ResponseWriter {
 public:
  virtual ~ResponseWriter() = default;

  // Queues a complete response. False if the exchange is closed or a
  // response was already started.
  virtual bool Send(int status, Headers headers, std::string body) = 0;
  // Queues the status line and headers of a chunked response.
  virtual bool StartStream(int status, Headers headers) = 0;
  // Queues one chunk (an empty chunk is ignored). False once closed.
  virtual bool Write(std::string_view chunk) = 0;
  // Ends the stream (terminating chunk). Idempotent.
  virtual void Finish() = 0;

  // True once no more writes will be accepted: client gone, server stopping,
  // buffer overrun, or the response completed.
  virtual bool closed() const = 0;
  // Bytes queued but not yet handed to the socket (producers that can wait,
  // like watch replays, pace themselves on it instead of overrunning).
  virtual size_t buffered() const { return 0; }
  // Runs `callback` once when the exchange becomes closed (immediately, on
  // the calling thread, if it already is). Callbacks run on whatever thread
  // closes the exchange (an I/O thread, Stop()'s caller or a writer), outside
  // the writer's lock; they must not block.
  virtual void OnClose(std::function<void()> callback) = 0;
};

using Handler = std::function<void(Request, std::shared_ptr<ResponseWriter>)>;

struct ServerOptions {
  std::string bind_address = "127.0.0.1";
  uint16_t port = 0;  // 0: the kernel picks a free port; see Server::port()

  // TLS material (PEM). Required unless plain_http.
  std::string tls_cert_chain_pem;  // leaf first, then intermediates
  std::string tls_key_pem;
  // CA bundle client certificates are verified against; empty: client
  // certificates are not requested.
  std::string client_ca_pem;
  bool plain_http = false;  // tests and in-cluster loopback only

  int io_threads = 2;
  // Threads running handlers; 0 runs them inline on the I/O thread (fastest,
  // but a blocking handler then stalls every connection of that thread).
  int handler_threads = 8;

  size_t max_body_bytes = 3 * 1024 * 1024;  // 413 beyond (kube-apiserver: 3 MiB)
  size_t max_header_bytes = 1024 * 1024;    // 431 beyond
  // A stream whose unsent bytes exceed this is cut (the client reads too slowly).
  size_t max_stream_buffer_bytes = 16 * 1024 * 1024;

  // A connection with no request in progress is closed after idle_timeout.
  std::chrono::milliseconds idle_timeout{90'000};
  // The TLS handshake, and a request's header and body once its first byte
  // arrived, must complete within read_timeout.
  std::chrono::milliseconds read_timeout{30'000};
  // A single flush of queued response bytes must complete within write_timeout.
  std::chrono::milliseconds write_timeout{60'000};
};

class Server {
 public:
  // Binds, listens and starts serving. Errors: InvalidArgument-like
  // BadRequest for unusable TLS material or options, Unavailable when the
  // address cannot be bound.
  static StatusOr<std::unique_ptr<Server>> Start(ServerOptions options, Handler handler);

  virtual ~Server() = default;  // calls Stop()

  // The bound port (useful with port 0).
  virtual uint16_t port() const = 0;

  // Stops accepting, closes every connection (open streams see their writer
  // closed and OnClose callbacks run), waits for running handlers to return
  // and joins all threads. Idempotent. Writers kept by producers stay safe to
  // call afterwards (they return false).
  virtual void Stop() = 0;
};

// Percent-decodes `s` ("%2F" -> "/"); with plus_as_space, '+' becomes ' '.
// Malformed escapes are kept verbatim, as Go's lenient path handling does.
std::string PercentDecode(std::string_view s, bool plus_as_space);
// Parses a raw query string into decoded key/value pairs.
std::multimap<std::string, std::string> ParseQuery(std::string_view raw_query);

}  // namespace kubepp::apiserver::http
