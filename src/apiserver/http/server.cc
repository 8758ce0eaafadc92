// The Asio/Beast implementation of server.h. Beast appears only in this file.
//
// Per connection, one coroutine on the connection's strand owns the stream:
// it reads a request (Beast parser), dispatches it, then pumps the bytes the
// ResponseWriter queued (from any thread) until the response is complete. A
// second, short coroutine reads ahead on the same stream while the response
// is in flight: it notices a client that went away (EOF/reset aborts the
// exchange, so Write() returns false) and keeps pipelined bytes for the next
// request. The loop waits for that read before parsing the next request.
#include <utility>  // before asio/awaitable.hpp (Boost 1.74 + g++ 12)

#include <atomic>
#include <mutex>
#include <thread>
#include <unordered_map>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "apiserver/http/server.h"

namespace kubepp::apiserver::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;
using asio::awaitable;

const char* Reason(int status) {
  switch (status) {
    case 100: return "Continue";
    case 101: return "Switching Protocols";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 413: return "Request Entity Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "Status";
  }
}

bool IsFramingField(std::string_view name) {
  return EqualsIgnoreCase(name, "Content-Length") || EqualsIgnoreCase(name, "Transfer-Encoding") ||
         EqualsIgnoreCase(name, "Connection");
}

bool HasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// Status line and header block. content_length < 0 means chunked.
void AppendHead(std::string& out, int status, const Headers& headers, long long content_length,
                bool close) {
  if (status < 100 || status > 999) status = 500;
  out += "HTTP/1.1 ";
  out += std::to_string(status);
  out += ' ';
  out += Reason(status);
  out += "\r\n";
  for (const auto& [name, value] : headers.fields()) {
    // Framing is ours; a field with CR/LF would let a value inject headers.
    if (IsFramingField(name) || HasCrLf(name) || HasCrLf(value) || name.empty()) continue;
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  if (content_length >= 0) {
    out += "Content-Length: ";
    out += std::to_string(content_length);
    out += "\r\n";
  } else {
    out += "Transfer-Encoding: chunked\r\n";
  }
  if (close) out += "Connection: close\r\n";
  out += "\r\n";
}

std::string StatusBody(int code, std::string_view reason, std::string_view message) {
  // A metav1.Status, as kube-apiserver answers errors raised below the router.
  std::string out = R"({"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":")";
  out += message;
  out += R"(","reason":")";
  out += reason;
  out += R"(","code":)";
  out += std::to_string(code);
  out += "}\n";
  return out;
}

class ConnectionBase {
 public:
  virtual ~ConnectionBase() = default;
  // Thread-safe: wakes the connection loop (posted to its strand).
  virtual void Wake() = 0;
  // Thread-safe: ends open streams, closes the connection.
  virtual void Shutdown() = 0;
};

// State shared by a ResponseWriter and the connection serving its request.
struct Exchange {
  std::mutex mu;
  std::string out;  // serialized bytes not yet handed to the socket
  bool started = false;
  bool chunked = false;
  bool done = false;     // response complete (more bytes may still be queued)
  bool aborted = false;  // client gone, server stopping, or buffer overrun
  bool closed = false;   // no more writes accepted (done || aborted)
  bool wake_pending = false;
  bool close_connection = false;
  bool head = false;
  size_t max_buffer = 0;
  std::vector<std::function<void()>> on_close;
  std::weak_ptr<ConnectionBase> conn;

  // Requires mu. Marks closed and returns the callbacks to run unlocked.
  std::vector<std::function<void()>> CloseLocked() {
    closed = true;
    return std::move(on_close);
  }
  // Requires mu.
  void WakeLocked() {
    if (wake_pending) return;
    wake_pending = true;
    if (auto c = conn.lock()) c->Wake();
  }
  // Any thread: aborts the exchange (idempotent) and runs close callbacks.
  void Abort() {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(mu);
      if (aborted) return;
      aborted = true;
      if (!closed) callbacks = CloseLocked();
    }
    for (auto& cb : callbacks) cb();
  }
};

void RunAll(std::vector<std::function<void()>>& callbacks) {
  for (auto& cb : callbacks) cb();
}

class WriterImpl final : public ResponseWriter {
 public:
  explicit WriterImpl(std::shared_ptr<Exchange> ex) : ex_(std::move(ex)) {}

  ~WriterImpl() override {
    bool started;
    {
      std::lock_guard lock(ex_->mu);
      started = ex_->started;
    }
    if (!started) {
      Send(500, {{"Content-Type", "application/json"}},
           StatusBody(500, "InternalError", "the handler did not answer the request"));
    } else {
      Finish();
    }
  }

  bool Send(int status, Headers headers, std::string body) override {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(ex_->mu);
      if (ex_->closed || ex_->started) return false;
      if (auto c = headers.Get("Connection"); c && EqualsIgnoreCase(*c, "close")) {
        ex_->close_connection = true;
      }
      ex_->started = true;
      ex_->done = true;
      AppendHead(ex_->out, status, headers, static_cast<long long>(body.size()),
                 ex_->close_connection);
      if (!ex_->head) ex_->out += body;
      callbacks = ex_->CloseLocked();
      ex_->WakeLocked();
    }
    RunAll(callbacks);
    return true;
  }

  bool StartStream(int status, Headers headers) override {
    std::lock_guard lock(ex_->mu);
    if (ex_->closed || ex_->started) return false;
    if (auto c = headers.Get("Connection"); c && EqualsIgnoreCase(*c, "close")) {
      ex_->close_connection = true;
    }
    ex_->started = true;
    ex_->chunked = true;
    AppendHead(ex_->out, status, headers, -1, ex_->close_connection);
    ex_->WakeLocked();
    return true;
  }

  bool Write(std::string_view chunk) override {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(ex_->mu);
      if (ex_->closed || !ex_->chunked) return false;
      if (chunk.empty() || ex_->head) return true;
      if (ex_->out.size() + chunk.size() > ex_->max_buffer) {
        // The client reads slower than we produce: cut it rather than buffer
        // without bound. The loop sees `aborted` and closes the connection.
        ex_->aborted = true;
        callbacks = ex_->CloseLocked();
        ex_->WakeLocked();
      } else {
        char size[32];
        int n = std::snprintf(size, sizeof(size), "%zx\r\n", chunk.size());
        ex_->out.append(size, static_cast<size_t>(n));
        ex_->out.append(chunk);
        ex_->out += "\r\n";
        ex_->WakeLocked();
        return true;
      }
    }
    RunAll(callbacks);
    return false;
  }

  void Finish() override {
    std::vector<std::function<void()>> callbacks;
    {
      std::lock_guard lock(ex_->mu);
      if (ex_->closed || !ex_->chunked) return;
      ex_->done = true;
      if (!ex_->head) ex_->out += "0\r\n\r\n";
      callbacks = ex_->CloseLocked();
      ex_->WakeLocked();
    }
    RunAll(callbacks);
  }

  bool closed() const override {
    std::lock_guard lock(ex_->mu);
    return ex_->closed;
  }

  size_t buffered() const override {
    std::lock_guard lock(ex_->mu);
    return ex_->out.size();
  }

  void OnClose(std::function<void()> callback) override {
    {
      std::lock_guard lock(ex_->mu);
      if (!ex_->closed) {
        ex_->on_close.push_back(std::move(callback));
        return;
      }
    }
    callback();
  }

 private:
  std::shared_ptr<Exchange> ex_;
};

class ServerImpl;

template <class Stream>
class Connection final : public ConnectionBase,
                         public std::enable_shared_from_this<Connection<Stream>> {
 public:
  static constexpr bool kTls = !std::is_same_v<Stream, beast::tcp_stream>;

  template <class... Args>
  Connection(ServerImpl* server, std::string remote, Args&&... args)
      : server_(server),
        remote_(std::move(remote)),
        stream_(std::forward<Args>(args)...),
        signal_(stream_.get_executor()) {}

  void Start() {
    auto self = this->shared_from_this();
    asio::co_spawn(stream_.get_executor(), Run(self), asio::detached);
  }

  void Wake() override {
    auto self = this->shared_from_this();
    asio::post(stream_.get_executor(), [self] { self->signal_.cancel(); });
  }

  void Shutdown() override {
    auto self = this->shared_from_this();
    asio::post(stream_.get_executor(), [self] { self->ShutdownOnStrand(); });
  }

 private:
  const ServerOptions& options() const;
  void Unregister();
  void Dispatch(Request req, std::shared_ptr<ResponseWriter> writer);

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  void ShutdownOnStrand() {
    stopping_ = true;
    if (ex_) {
      // End a stream cleanly (terminating chunk) so clients see a normal end
      // of watch; anything not yet answered is aborted.
      std::vector<std::function<void()>> callbacks;
      bool unanswered = false;
      {
        std::lock_guard lock(ex_->mu);
        if (!ex_->closed && ex_->chunked) {
          ex_->done = true;
          if (!ex_->head) ex_->out += "0\r\n\r\n";
          callbacks = ex_->CloseLocked();
        }
        unanswered = !ex_->started;
      }
      RunAll(callbacks);
      if (unanswered) ex_->Abort();
    }
    // An exchange finishes its stream itself (the terminating chunk above),
    // writing under a 1 s timeout once stopping; a write in flight gets the
    // same bound (the connection is closed if it is still around then). Closing here instead cut streams short when Stop came just
    // as a write was on its way.
    if (!ex_) {
      lowest().close();
    } else if (writing_) {
      // (Beast forbids changing the expiry while a read and a write are both
      // pending, so the bound is a separate timer on the strand.)
      auto self = this->shared_from_this();
      stop_timer_ = std::make_shared<asio::steady_timer>(stream_.get_executor(), std::chrono::seconds(1));
      stop_timer_->async_wait([self](const error_code& ec) {
        if (!ec) self->lowest().close();
      });
    }
    signal_.cancel();
  }

  awaitable<void> Run(std::shared_ptr<Connection> self) {
    (void)self;  // keeps the connection alive for the coroutine's life
    error_code ec;
    if constexpr (kTls) {
      lowest().expires_after(options().read_timeout);
      co_await stream_.async_handshake(asio::ssl::stream_base::server,
                                       asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) ExtractClientChain();
    }
    if (!ec) {
      while (!stopping_) {
        bool keep = co_await ServeOne(self);
        if (!keep) break;
      }
    }
    if (ex_) ex_->Abort();
    ex_.reset();
    lowest().close();
    if (stop_timer_) stop_timer_->cancel();  // done: Stop need not wait for it
    Unregister();
  }

  awaitable<void> Monitor(std::shared_ptr<Connection> self) {
    (void)self;
    error_code ec;
    size_t n = co_await stream_.async_read_some(buffer_.prepare(16 * 1024),
                                                asio::redirect_error(asio::use_awaitable, ec));
    buffer_.commit(n);
    monitor_pending_ = false;
    if (ec) {
      monitor_failed_ = true;
      if (ex_) ex_->Abort();
    }
    signal_.cancel();
  }

  // Answers an error the HTTP layer detects itself, then closes: shut down
  // our sending side and drain what the client still sends for a moment, so
  // the kernel does not reset the connection before the client reads us.
  awaitable<void> FailAndClose(int code, std::string_view reason, std::string_view message) {
    std::string out;
    std::string body = StatusBody(code, reason, message);
    AppendHead(out, code, {{"Content-Type", "application/json"}}, static_cast<long long>(body.size()),
               true);
    out += body;
    error_code ec;
    lowest().expires_after(std::chrono::seconds(1));
    co_await asio::async_write(stream_, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
    if (ec) co_return;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ec);
    char sink[4096];
    size_t drained = 0;
    lowest().expires_after(std::chrono::milliseconds(500));
    while (!ec && drained < 8 * 1024 * 1024) {
      drained += co_await lowest().async_read_some(asio::buffer(sink),
                                                   asio::redirect_error(asio::use_awaitable, ec));
    }
  }

  // Serves one request. Returns whether the connection may serve another.
  awaitable<bool> ServeOne(std::shared_ptr<Connection> self) {
    const ServerOptions& opts = options();
    error_code ec;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(std::min<size_t>(opts.max_header_bytes, UINT32_MAX)));
    parser.body_limit(opts.max_body_bytes);

    lowest().expires_after(buffer_.size() > 0 ? opts.read_timeout : opts.idle_timeout);
    co_await bhttp::async_read_header(stream_, buffer_, parser,
                                      asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
      if (ec == bhttp::error::body_limit) {  // Content-Length above the limit
        co_await FailAndClose(413, "RequestEntityTooLarge", "the request entity is too large");
      } else if (ec == bhttp::error::header_limit) {
        co_await FailAndClose(431, "RequestHeaderFieldsTooLarge", "request header fields too large");
      } else if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
                 ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
        co_await FailAndClose(400, "BadRequest", "malformed HTTP request");
      }
      co_return false;
    }
    if (parser.content_length() && *parser.content_length() > opts.max_body_bytes) {
      co_await FailAndClose(413, "RequestEntityTooLarge", "the request entity is too large");
      co_return false;
    }
    if (!parser.is_done()) {
      auto expect = parser.get()[bhttp::field::expect];
      if (EqualsIgnoreCase(std::string_view(expect.data(), expect.size()), "100-continue")) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        lowest().expires_after(opts.write_timeout);
        co_await asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (ec) co_return false;
      }
      lowest().expires_after(opts.read_timeout);
      co_await bhttp::async_read(stream_, buffer_, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (ec == bhttp::error::body_limit) {
        co_await FailAndClose(413, "RequestEntityTooLarge", "the request entity is too large");
        co_return false;
      }
      if (ec) {
        if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
            ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
          co_await FailAndClose(400, "BadRequest", "malformed HTTP request body");
        }
        co_return false;
      }
    }
    lowest().expires_never();

    bhttp::request<bhttp::string_body> msg = parser.release();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    std::string_view target(req.target);
    size_t q = target.find('?');
    req.path = PercentDecode(target.substr(0, q), false);
    if (q != std::string_view::npos) {
      req.raw_query = std::string(target.substr(q + 1));
      req.query = ParseQuery(req.raw_query);
    }
    for (const auto& field : msg) {
      req.headers.Add(std::string(field.name_string()), std::string(field.value()));
    }
    req.body = std::move(msg.body());
    req.client_cert_chain_pem = client_chain_;
    req.remote_address = remote_;
    req.tls = kTls;
    req.http_version = msg.version();

    ex_ = std::make_shared<Exchange>();
    ex_->conn = self;
    ex_->close_connection = !msg.keep_alive();
    ex_->head = msg.method() == bhttp::verb::head;
    ex_->max_buffer = opts.max_stream_buffer_bytes;
    std::shared_ptr<Exchange> ex = ex_;

    // Read ahead while the response is produced: notices a vanished client
    // and keeps pipelined bytes. Skipped when the next (pipelined) request is
    // already buffered: nothing may arrive after it, and the next parse must
    // not race a pending read. Such an exchange has no disconnect detection
    // until it writes.
    monitor_pending_ = false;
    if (buffer_.size() == 0) {
      monitor_pending_ = true;
      asio::co_spawn(stream_.get_executor(), Monitor(self), asio::detached);
    }

    Dispatch(std::move(req), std::make_shared<WriterImpl>(ex));

    bool close_after = false;
    for (;;) {
      std::string batch;
      bool done, aborted;
      {
        std::lock_guard lock(ex->mu);
        batch.swap(ex->out);
        done = ex->done;
        aborted = ex->aborted;
        close_after = ex->close_connection;
        ex->wake_pending = false;
      }
      if (aborted) co_return false;
      if (!batch.empty()) {
        lowest().expires_after(stopping_ ? std::min<std::chrono::milliseconds>(opts.write_timeout,
                                                                               std::chrono::seconds(1))
                                         : opts.write_timeout);
        writing_ = true;
        co_await asio::async_write(stream_, asio::buffer(batch), asio::redirect_error(asio::use_awaitable, ec));
        writing_ = false;
        if (ec) {
          ex->Abort();
          co_return false;
        }
        continue;
      }
      if (done) break;
      signal_.expires_at(asio::steady_timer::time_point::max());
      co_await signal_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
    }
    ex_.reset();
    if (close_after || stopping_) co_return false;

    // Wait for the read-ahead: the next request's first bytes, EOF, or the
    // idle timeout. Stale wake-ups from the finished exchange loop back here.
    auto deadline = asio::steady_timer::clock_type::now() + opts.idle_timeout;
    while (monitor_pending_ && !stopping_) {
      signal_.expires_at(deadline);
      co_await signal_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) co_return false;  // idle timeout
    }
    co_return !monitor_failed_ && !stopping_;
  }

  void ExtractClientChain() {
    if constexpr (kTls) {
      SSL* ssl = stream_.native_handle();
      if (SSL_get_verify_result(ssl) != X509_V_OK) return;  // unverified: anonymous
      if (SSL_get0_peer_certificate(ssl) == nullptr) return;
      STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl);
      if (chain == nullptr) return;
      for (int i = 0; i < sk_X509_num(chain); ++i) {
        BIO* bio = BIO_new(BIO_s_mem());
        if (bio == nullptr) return;
        if (PEM_write_bio_X509(bio, sk_X509_value(chain, i)) == 1) {
          char* data = nullptr;
          long len = BIO_get_mem_data(bio, &data);
          if (len > 0) client_chain_.emplace_back(data, static_cast<size_t>(len));
        }
        BIO_free(bio);
      }
    }
  }

  ServerImpl* const server_;
  const std::string remote_;
  Stream stream_;
  beast::flat_buffer buffer_;
  asio::steady_timer signal_;  // waited on with a far deadline; cancel() wakes
  std::vector<std::string> client_chain_;

  // Touched only on the strand.
  std::shared_ptr<Exchange> ex_;
  bool monitor_pending_ = false;
  bool monitor_failed_ = false;
  bool stopping_ = false;
  std::shared_ptr<asio::steady_timer> stop_timer_;  // bounds a write in flight at Stop
  bool writing_ = false;
};

using PlainConnection = Connection<beast::tcp_stream>;
using TlsConnection = Connection<beast::ssl_stream<beast::tcp_stream>>;

int SelectAlpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
               unsigned int inlen, void*) {
  static const unsigned char kHttp11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
  unsigned char* selected = nullptr;
  if (SSL_select_next_proto(&selected, outlen, kHttp11, sizeof(kHttp11), in, inlen) !=
      OPENSSL_NPN_NEGOTIATED) {
    return SSL_TLSEXT_ERR_NOACK;  // carry on without ALPN; we speak HTTP/1.1
  }
  *out = selected;
  return SSL_TLSEXT_ERR_OK;
}

class ServerImpl final : public Server {
 public:
  ServerImpl(ServerOptions options, Handler handler)
      : options_(std::move(options)),
        handler_(std::move(handler)),
        ioc_(std::max(1, options_.io_threads)),
        acceptor_(asio::make_strand(ioc_)) {}

  ~ServerImpl() override { Stop(); }

  Status Init() {
    if (!handler_) return Status::BadRequest("http server: no handler");
    if (!options_.plain_http) RETURN_IF_ERROR(InitTls());
    error_code ec;
    auto address = asio::ip::make_address(options_.bind_address, ec);
    if (ec) return Status::BadRequest("http server: bad bind address \"" + options_.bind_address + "\"");
    tcp::endpoint endpoint(address, options_.port);
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acceptor_.bind(endpoint, ec);
    if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      return Status::Unavailable("http server: cannot listen on " + options_.bind_address + ":" +
                                 std::to_string(options_.port) + ": " + ec.message());
    }
    port_ = acceptor_.local_endpoint(ec).port();
    if (options_.handler_threads > 0) {
      pool_ = std::make_unique<asio::thread_pool>(static_cast<size_t>(options_.handler_threads));
    }
    asio::co_spawn(acceptor_.get_executor(), AcceptLoop(), asio::detached);
    for (int i = 0; i < std::max(1, options_.io_threads); ++i) {
      threads_.emplace_back([this] { ioc_.run(); });
    }
    return Status::Ok();
  }

  uint16_t port() const override { return port_; }

  void Stop() override {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
      stopped_ = true;
      for (auto& [ptr, weak] : conns_) {
        if (auto c = weak.lock()) c->Shutdown();
      }
    }
    asio::post(acceptor_.get_executor(), [this] {
      error_code ec;
      acceptor_.close(ec);
    });
    if (pool_) pool_->join();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
  }

  const ServerOptions& options() const { return options_; }

  void Unregister(ConnectionBase* c) {
    std::lock_guard lock(mu_);
    conns_.erase(c);
  }

  void Dispatch(Request req, std::shared_ptr<ResponseWriter> writer) {
    if (pool_) {
      asio::post(*pool_, [this, req = std::move(req), writer = std::move(writer)]() mutable {
        Invoke(std::move(req), std::move(writer));
      });
    } else {
      Invoke(std::move(req), std::move(writer));
    }
  }

 private:
  void Invoke(Request req, std::shared_ptr<ResponseWriter> writer) {
    try {
      handler_(std::move(req), writer);
    } catch (...) {
      // No exception crosses into the I/O loop; the client still gets an answer.
      if (!writer->Send(500, {{"Content-Type", "application/json"}},
                        StatusBody(500, "InternalError", "internal error"))) {
        writer->Finish();
      }
    }
  }

  Status InitTls() {
    ssl_ctx_.emplace(asio::ssl::context::tls_server);
    auto& ctx = *ssl_ctx_;
    error_code ec;
    ctx.set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                    ec);
    ctx.use_certificate_chain(asio::buffer(options_.tls_cert_chain_pem), ec);
    if (ec) return Status::BadRequest("http server: bad TLS certificate chain: " + ec.message());
    ctx.use_private_key(asio::buffer(options_.tls_key_pem), asio::ssl::context::pem, ec);
    if (ec) return Status::BadRequest("http server: bad TLS private key: " + ec.message());
    SSL_CTX* native = ctx.native_handle();
    if (SSL_CTX_check_private_key(native) != 1) {
      return Status::BadRequest("http server: TLS private key does not match the certificate");
    }
    // No resumption: a resumed session has no verified chain to expose.
    SSL_CTX_set_session_cache_mode(native, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_num_tickets(native, 0);
    SSL_CTX_set_options(native, SSL_OP_NO_TICKET);
    SSL_CTX_set_alpn_select_cb(native, &SelectAlpn, nullptr);
    if (!options_.client_ca_pem.empty()) {
      ctx.add_certificate_authority(asio::buffer(options_.client_ca_pem), ec);
      if (ec) return Status::BadRequest("http server: bad client CA bundle: " + ec.message());
      // Tell clients which CAs we accept (Go picks its certificate by them).
      BIO* bio = BIO_new_mem_buf(options_.client_ca_pem.data(), static_cast<int>(options_.client_ca_pem.size()));
      if (bio != nullptr) {
        while (X509* ca = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
          SSL_CTX_add_client_CA(native, ca);
          X509_free(ca);
        }
        ERR_clear_error();
        BIO_free(bio);
      }
      // Request, never require: a failed verification keeps the handshake
      // going; the connection then just has no client identity.
      ctx.set_verify_mode(asio::ssl::verify_peer, ec);
      ctx.set_verify_callback([](bool, asio::ssl::verify_context&) { return true; }, ec);
    }
    return Status::Ok();
  }

  awaitable<void> AcceptLoop() {
    for (;;) {
      tcp::socket socket(asio::make_strand(ioc_));
      error_code ec;
      co_await acceptor_.async_accept(socket, asio::redirect_error(asio::use_awaitable, ec));
      if (ec) {
        if (!acceptor_.is_open()) co_return;
        {
          std::lock_guard lock(mu_);
          if (stopped_) co_return;
        }
        // EMFILE and friends: back off a little instead of spinning.
        asio::steady_timer backoff(acceptor_.get_executor(), std::chrono::milliseconds(50));
        co_await backoff.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        continue;
      }
      socket.set_option(tcp::no_delay(true), ec);
      std::string remote;
      auto ep = socket.remote_endpoint(ec);
      if (!ec) {
        remote = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
        remote += ":" + std::to_string(ep.port());
      }
      std::shared_ptr<ConnectionBase> conn;
      std::function<void()> start;
      if (options_.plain_http) {
        auto c = std::make_shared<PlainConnection>(this, std::move(remote), std::move(socket));
        start = [c] { c->Start(); };
        conn = c;
      } else {
        auto c = std::make_shared<TlsConnection>(this, std::move(remote), std::move(socket), *ssl_ctx_);
        start = [c] { c->Start(); };
        conn = c;
      }
      {
        std::lock_guard lock(mu_);
        if (stopped_) co_return;
        conns_.emplace(conn.get(), conn);
      }
      start();
    }
  }

  const ServerOptions options_;
  const Handler handler_;
  asio::io_context ioc_;
  std::optional<asio::ssl::context> ssl_ctx_;
  tcp::acceptor acceptor_;
  std::unique_ptr<asio::thread_pool> pool_;
  std::vector<std::thread> threads_;
  uint16_t port_ = 0;

  std::mutex mu_;
  bool stopped_ = false;                                                     // guarded by mu_
  std::unordered_map<ConnectionBase*, std::weak_ptr<ConnectionBase>> conns_;  // guarded by mu_
};

template <class Stream>
const ServerOptions& Connection<Stream>::options() const {
  return server_->options();
}

template <class Stream>
void Connection<Stream>::Unregister() {
  server_->Unregister(this);
}

template <class Stream>
void Connection<Stream>::Dispatch(Request req, std::shared_ptr<ResponseWriter> writer) {
  server_->Dispatch(std::move(req), std::move(writer));
}

}  // namespace

StatusOr<std::unique_ptr<Server>> Server::Start(ServerOptions options, Handler handler) {
  auto server = std::make_unique<ServerImpl>(std::move(options), std::move(handler));
  Status s = server->Init();
  if (!s.ok()) return s;
  return std::unique_ptr<Server>(std::move(server));
}

}  // namespace kubepp::apiserver::http
