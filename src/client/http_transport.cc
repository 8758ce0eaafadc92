// The Beast implementation of http_transport.h. Beast appears only here.
//
// Every connection owns a private io_context; an exchange issues async
// operations (so Beast's per-operation timeouts apply) and runs that
// io_context on the calling thread until they complete. Cancelling a stream
// posts a close of the socket to the connection's io_context, which is safe
// from any thread and aborts the pending read.
#include <utility>  // before asio/awaitable.hpp (Boost 1.74 + g++ 12)

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>

#include <array>
#include <charconv>
#include <limits>
#include <mutex>
#include <optional>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "client/http_transport.h"
#include "common/strings.h"

namespace kubepp::client {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using SteadyTime = std::chrono::steady_clock::time_point;

bool IsIpLiteral(const std::string& host) {
  unsigned char buf[16];
  return inet_pton(AF_INET, host.c_str(), buf) == 1 || inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

// Adds every certificate of a PEM bundle to the context's trust store.
Status AddCaBundle(SSL_CTX* ctx, const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  if (bio == nullptr) return Status::Internal("out of memory");
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int added = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, cert);  // a duplicate is not an error worth failing on
    X509_free(cert);
    ++added;
  }
  BIO_free(bio);
  ERR_clear_error();  // the loop ends on a "no start line" error
  if (added == 0) return Status::BadRequest("ca_pem: no PEM certificate found");
  return Status::Ok();
}

struct Connection {
  asio::io_context ioc{1};
  std::unique_ptr<beast::tcp_stream> plain;
  std::unique_ptr<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  bool reused = false;

  beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  // Runs the io_context until the operations issued so far complete.
  void Run() {
    ioc.restart();
    ioc.run();
  }

  // Closes the socket on the io_context's thread, aborting the pending
  // operation. Safe from any thread (the action of a CancelToken).
  void PostClose() {
    asio::post(ioc, [this] {
      error_code ignored;
      lowest().socket().close(ignored);
    });
  }
};

// Waits for one async operation `start(handler)` and returns its error.
template <typename Start>
error_code RunOp(Connection& c, Start&& start) {
  error_code result = asio::error::would_block;
  start([&result](error_code ec, auto&&...) { result = ec; });
  c.Run();
  return result;
}

// Methods safe to send twice: only these are retried when a pooled
// connection fails before any response byte (the server may have acted on
// a POST or PATCH it never answered).
bool IsIdempotent(const std::string& method) {
  return method == "GET" || method == "HEAD" || method == "OPTIONS" || method == "PUT" || method == "DELETE";
}

bool IsStaleConnectionError(const error_code& ec) {
  return ec == bhttp::error::end_of_stream || ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated;
}

class HttpTransport final : public Transport {
 public:
  HttpTransport(RestConfig config, ServerUrl url) : config_(std::move(config)), url_(std::move(url)) {}

  Status Init() {
    if (!url_.tls) return Status::Ok();
    ssl_ctx_.emplace(asio::ssl::context::tls_client);
    SSL_CTX* ctx = ssl_ctx_->native_handle();
    SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
    if (config_.insecure_skip_tls_verify) {
      ssl_ctx_->set_verify_mode(asio::ssl::verify_none);
    } else {
      ssl_ctx_->set_verify_mode(asio::ssl::verify_peer);
      if (config_.ca_pem.empty()) {
        error_code ec;
        ssl_ctx_->set_default_verify_paths(ec);
        if (ec) return Status::BadRequest("system trust store: " + ec.message());
      } else {
        RETURN_IF_ERROR(AddCaBundle(ctx, config_.ca_pem));
      }
    }
    if (!config_.client_cert_pem.empty() || !config_.client_key_pem.empty()) {
      if (config_.client_cert_pem.empty() || config_.client_key_pem.empty()) {
        return Status::BadRequest("client certificate and key must be given together");
      }
      error_code ec;
      ssl_ctx_->use_certificate_chain(asio::buffer(config_.client_cert_pem), ec);
      if (ec) return Status::BadRequest("client certificate: " + ec.message());
      ssl_ctx_->use_private_key(asio::buffer(config_.client_key_pem), asio::ssl::context::pem, ec);
      if (ec) return Status::BadRequest("client key: " + ec.message());
      if (SSL_CTX_check_private_key(ctx) != 1) {
        ERR_clear_error();
        return Status::BadRequest("client key does not match the client certificate");
      }
    }
    return Status::Ok();
  }

  StatusOr<HttpResponse> RoundTrip(const HttpRequest& request) override {
    const auto timeout = request.timeout.count() > 0 ? request.timeout : config_.timeout;
    const SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
    for (int attempt = 0;; ++attempt) {
      std::unique_ptr<Connection> conn = TakeIdle();
      if (!conn) {
        ASSIGN_OR_RETURN(conn, Connect(request, deadline, nullptr));
      }
      bool retry = false;
      bool reusable = false;
      StatusOr<HttpResponse> result = Exchange(*conn, request, deadline, &retry, &reusable);
      if (retry && attempt == 0) continue;
      if (result.ok() && reusable) PutIdle(std::move(conn));
      return result;
    }
  }

  Status Stream(const HttpRequest& request, CancelToken& cancel, const StreamCallbacks& callbacks) override {
    const auto timeout = request.timeout.count() > 0 ? request.timeout : config_.timeout;
    const SteadyTime deadline = std::chrono::steady_clock::now() + timeout;
    for (int attempt = 0;; ++attempt) {
      if (cancel.cancelled()) return Status::Ok();
      std::unique_ptr<Connection> conn = TakeIdle();
      if (!conn) {
        auto made = Connect(request, deadline, &cancel);
        if (!made.ok()) return cancel.cancelled() ? Status::Ok() : made.status();
        conn = std::move(made).value();
      }
      Connection* raw = conn.get();
      if (!cancel.SetAction([raw] { raw->PostClose(); })) {
        return Status::Ok();  // cancelled before the exchange started
      }
      bool retry = false;
      bool reusable = false;
      Status s = StreamOn(*conn, request, deadline, callbacks, &retry, &reusable);
      cancel.ClearAction();
      if (cancel.cancelled()) return Status::Ok();  // the socket may be closed: drop conn
      if (retry && attempt == 0) continue;
      if (s.ok() && reusable) PutIdle(std::move(conn));
      return s;
    }
  }

 private:
  std::string Url(const HttpRequest& request) const {
    std::string out = url_.tls ? "https://" : "http://";
    out += HostPort();
    out += url_.path_prefix;
    out += request.target;
    return out;
  }

  std::string HostPort() const {
    std::string host = url_.host.find(':') != std::string::npos ? "[" + url_.host + "]" : url_.host;
    return host + ":" + std::to_string(url_.port);
  }

  Status IoError(const HttpRequest& request, std::string_view what, const error_code& ec) const {
    std::string msg = request.method + " \"" + Url(request) + "\": " + std::string(what) + ": ";
    if (ec == beast::error::timeout) return Status::Timeout(msg + "i/o timeout");
    return Status::Unavailable(msg + ec.message());
  }

  // A pooled connection the server has not closed, or nullptr.
  std::unique_ptr<Connection> TakeIdle() {
    std::lock_guard<std::mutex> lock(pool_mu_);
    while (!idle_.empty()) {
      auto conn = std::move(idle_.back());
      idle_.pop_back();
      // An idle connection has nothing to read: readable means the server
      // closed it (FIN, or a TLS close_notify) while it sat in the pool.
      pollfd p{};
      p.fd = conn->lowest().socket().native_handle();
      p.events = POLLIN | POLLRDHUP;
      if (::poll(&p, 1, 0) != 0) continue;
      conn->reused = true;
      return conn;
    }
    return nullptr;
  }

  void PutIdle(std::unique_ptr<Connection> conn) {
    conn->lowest().expires_never();
    std::lock_guard<std::mutex> lock(pool_mu_);
    if (static_cast<int>(idle_.size()) < config_.max_idle_connections) idle_.push_back(std::move(conn));
  }

  // A new connection (TCP, then TLS). `cancel` (optional) closes it midway.
  StatusOr<std::unique_ptr<Connection>> Connect(const HttpRequest& request, SteadyTime deadline,
                                                CancelToken* cancel) {
    auto conn = std::make_unique<Connection>();
    if (url_.tls) {
      conn->tls = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(conn->ioc, *ssl_ctx_);
    } else {
      conn->plain = std::make_unique<beast::tcp_stream>(conn->ioc);
    }
    Connection* raw = conn.get();
    if (cancel != nullptr && !cancel->SetAction([raw] { raw->PostClose(); })) {
      return Status::Unavailable("cancelled");
    }
    struct ClearOnExit {
      CancelToken* token;
      ~ClearOnExit() {
        if (token) token->ClearAction();
      }
    } clear{cancel};

    std::vector<tcp::endpoint> endpoints;
    error_code ec;
    if (IsIpLiteral(url_.host)) {
      endpoints.emplace_back(asio::ip::make_address(url_.host, ec), url_.port);
    } else {
      // Synchronous getaddrinfo: names here are localhost or cluster-local;
      // asio's async resolver would only move the same call to a thread.
      tcp::resolver resolver(conn->ioc);
      auto results = resolver.resolve(url_.host, std::to_string(url_.port), ec);
      for (const auto& r : results) endpoints.push_back(r.endpoint());
    }
    if (ec || endpoints.empty()) {
      return Status::Unavailable(request.method + " \"" + Url(request) + "\": dial tcp: lookup " + url_.host +
                                 ": " + (ec ? ec.message() : "no such host"));
    }
    const SteadyTime connect_deadline = std::min(deadline, std::chrono::steady_clock::now() + config_.connect_timeout);
    beast::tcp_stream& stream = conn->lowest();
    stream.expires_at(connect_deadline);
    ec = RunOp(*conn, [&](auto handler) {
      stream.async_connect(endpoints, [handler](error_code e, const tcp::endpoint&) mutable { handler(e); });
    });
    if (ec) return IoError(request, "dial tcp " + HostPort(), ec);
    stream.socket().set_option(tcp::no_delay(true), ec);  // as Go does; avoids Nagle stalls
    // TCP keep-alive (30 s idle, as Go's dialer): a watch on a peer that
    // vanished without a FIN or RST fails instead of hanging forever.
    stream.socket().set_option(asio::socket_base::keep_alive(true), ec);
    int idle = 30, interval = 30, count = 3;
    setsockopt(stream.socket().native_handle(), IPPROTO_TCP, TCP_KEEPIDLE, &idle, sizeof(idle));
    setsockopt(stream.socket().native_handle(), IPPROTO_TCP, TCP_KEEPINTVL, &interval, sizeof(interval));
    setsockopt(stream.socket().native_handle(), IPPROTO_TCP, TCP_KEEPCNT, &count, sizeof(count));

    if (url_.tls) {
      SSL* ssl = conn->tls->native_handle();
      const std::string& name = config_.tls_server_name.empty() ? url_.host : config_.tls_server_name;
      if (!IsIpLiteral(name)) SSL_set_tlsext_host_name(ssl, name.c_str());
      if (!config_.insecure_skip_tls_verify) {
        X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
        X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
        if (IsIpLiteral(name)) {
          X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
        } else {
          X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
        }
      }
      static const unsigned char kAlpn[] = "\x08http/1.1";
      SSL_set_alpn_protos(ssl, kAlpn, sizeof(kAlpn) - 1);
      ec = RunOp(*conn, [&](auto handler) { conn->tls->async_handshake(asio::ssl::stream_base::client, handler); });
      if (ec) {
        long verify = SSL_get_verify_result(ssl);
        if (verify != X509_V_OK) {
          return Status::Unavailable(request.method + " \"" + Url(request) +
                                     "\": tls: failed to verify certificate: " +
                                     X509_verify_cert_error_string(verify));
        }
        return IoError(request, "tls handshake", ec);
      }
    }
    return conn;
  }

  bhttp::request<bhttp::string_body> BuildRequest(const HttpRequest& request) const {
    bhttp::request<bhttp::string_body> req;
    bhttp::verb verb = bhttp::string_to_verb(request.method);
    if (verb == bhttp::verb::unknown) {
      req.method_string(request.method);
    } else {
      req.method(verb);
    }
    req.target(url_.path_prefix + request.target);
    req.version(11);
    req.set(bhttp::field::host, HostPort());
    if (!config_.user_agent.empty()) req.set(bhttp::field::user_agent, config_.user_agent);
    if (!config_.token.empty()) req.set(bhttp::field::authorization, "Bearer " + config_.token);
    for (const auto& [k, v] : request.headers) req.insert(k, v);
    req.body() = request.body;
    if (!request.body.empty() || verb == bhttp::verb::post || verb == bhttp::verb::put ||
        verb == bhttp::verb::patch) {
      req.prepare_payload();
    }
    req.keep_alive(true);
    return req;
  }

  template <typename Fields>
  static HeaderList CopyHeaders(const Fields& fields) {
    HeaderList out;
    for (const auto& f : fields) out.emplace_back(std::string(f.name_string()), std::string(f.value()));
    return out;
  }

  template <typename Fn>
  auto WithStream(Connection& c, Fn&& fn) {
    if (c.tls) return fn(*c.tls);
    return fn(*c.plain);
  }

  // Writes `request` on `c` and reads the response head into `parser`.
  // Sets *retry when a pooled connection turned out to be closed before any
  // response byte arrived (safe to resend only for idempotent methods).
  template <typename Parser>
  Status SendAndReadHead(Connection& c, const HttpRequest& request, SteadyTime deadline, Parser& parser,
                         bool* retry) {
    auto req = BuildRequest(request);
    c.lowest().expires_at(deadline);
    error_code ec = WithStream(c, [&](auto& stream) {
      return RunOp(c, [&](auto handler) { bhttp::async_write(stream, req, handler); });
    });
    if (ec) {
      *retry = c.reused && IsIdempotent(request.method) && IsStaleConnectionError(ec);
      return IoError(request, "write", ec);
    }
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());
    parser.header_limit(1024 * 1024);
    ec = WithStream(c, [&](auto& stream) {
      return RunOp(c, [&](auto handler) { bhttp::async_read_header(stream, c.buffer, parser, handler); });
    });
    if (ec) {
      *retry = c.reused && IsIdempotent(request.method) && !parser.got_some() && IsStaleConnectionError(ec);
      return IoError(request, "read response", ec);
    }
    return Status::Ok();
  }

  // One request/response on `c`. *retry: as SendAndReadHead.
  // *reusable: the server allows keep-alive and the response was read whole.
  StatusOr<HttpResponse> Exchange(Connection& c, const HttpRequest& request, SteadyTime deadline, bool* retry,
                                  bool* reusable) {
    bhttp::response_parser<bhttp::string_body> parser;
    RETURN_IF_ERROR(SendAndReadHead(c, request, deadline, parser, retry));
    error_code ec = WithStream(c, [&](auto& stream) {
      return RunOp(c, [&](auto handler) { bhttp::async_read(stream, c.buffer, parser, handler); });
    });
    if (ec) return IoError(request, "read response", ec);
    auto msg = parser.release();
    HttpResponse out;
    out.status = static_cast<int>(msg.result_int());
    out.headers = CopyHeaders(msg);
    out.body = std::move(msg.body());
    *reusable = msg.keep_alive();
    return out;
  }

  // Streams one response on `c`. *retry: as SendAndReadHead. *reusable: the
  // body ended cleanly and the server allows keep-alive.
  Status StreamOn(Connection& c, const HttpRequest& request, SteadyTime deadline, const StreamCallbacks& callbacks,
                  bool* retry, bool* reusable) {
    bhttp::response_parser<bhttp::buffer_body> parser;
    RETURN_IF_ERROR(SendAndReadHead(c, request, deadline, parser, retry));
    if (callbacks.on_head) {
      callbacks.on_head(static_cast<int>(parser.get().result_int()), CopyHeaders(parser.get()));
    }
    c.lowest().expires_never();
    std::vector<char> buf(64 * 1024);
    while (!parser.is_done()) {
      parser.get().body().data = buf.data();
      parser.get().body().size = buf.size();
      error_code ec = WithStream(c, [&](auto& stream) {
        return RunOp(c, [&](auto handler) { bhttp::async_read_some(stream, c.buffer, parser, handler); });
      });
      if (ec == bhttp::error::need_buffer) ec = {};
      size_t n = buf.size() - parser.get().body().size;
      if (n > 0 && callbacks.on_data && !callbacks.on_data(std::string_view(buf.data(), n))) {
        return Status::Ok();  // the caller stopped early; the connection is mid-body, not reusable
      }
      if (ec) return IoError(request, "read stream", ec);
    }
    *reusable = parser.get().keep_alive();
    return Status::Ok();
  }

  const RestConfig config_;
  const ServerUrl url_;
  std::optional<asio::ssl::context> ssl_ctx_;  // set by Init for https; read-only after

  std::mutex pool_mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // guarded by pool_mu_
};

}  // namespace

StatusOr<ServerUrl> ParseServerUrl(std::string_view url) {
  ServerUrl out;
  const std::string quoted = "server URL \"" + std::string(url) + "\"";
  std::string_view rest;
  if (url.substr(0, 8) == "https://") {
    out.tls = true;
    rest = url.substr(8);
  } else if (url.substr(0, 7) == "http://") {
    out.tls = false;
    rest = url.substr(7);
  } else {
    return Status::BadRequest(quoted + ": unsupported scheme (want https:// or http://)");
  }
  size_t slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  out.path_prefix = std::string(path);
  std::string_view port_text;
  if (!authority.empty() && authority.front() == '[') {
    size_t close = authority.find(']');
    if (close == std::string_view::npos) return Status::BadRequest(quoted + ": missing ']' in host");
    out.host = std::string(authority.substr(1, close - 1));
    std::string_view after = authority.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return Status::BadRequest(quoted + ": invalid host");
      port_text = after.substr(1);
    }
  } else {
    size_t colon = authority.rfind(':');
    if (colon != std::string_view::npos) {
      out.host = std::string(authority.substr(0, colon));
      port_text = authority.substr(colon + 1);
    } else {
      out.host = std::string(authority);
    }
  }
  if (out.host.empty()) return Status::BadRequest(quoted + ": missing host");
  if (port_text.empty()) {
    out.port = out.tls ? 443 : 80;
  } else {
    unsigned port = 0;
    auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc() || ptr != port_text.data() + port_text.size() || port == 0 || port > 65535) {
      return Status::BadRequest(quoted + ": invalid port \"" + std::string(port_text) + "\"");
    }
    out.port = static_cast<uint16_t>(port);
  }
  return out;
}

StatusOr<std::unique_ptr<Transport>> NewHttpTransport(const RestConfig& config) {
  ASSIGN_OR_RETURN(ServerUrl url, ParseServerUrl(config.server));
  auto transport = std::make_unique<HttpTransport>(config, std::move(url));
  RETURN_IF_ERROR(transport->Init());
  return std::unique_ptr<Transport>(std::move(transport));
}

}  // namespace kubepp::client
