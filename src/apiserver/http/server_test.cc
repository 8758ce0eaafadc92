// Tests of the HTTP(S) server over real sockets on 127.0.0.1 (port 0), with
// certificates made by the openssl CLI in a temp dir and an in-process
// Beast/OpenSSL client.
#include <utility>

#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "apiserver/http/server.h"
#include "common/testing/temp_dir.h"

namespace kubepp::apiserver::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Certificates for every test: a CA, a server cert for 127.0.0.1, a client
// cert from that CA, and a client cert from an unrelated ("rogue") CA.
struct Certs {
  std::string ca, server_cert, server_key, client_cert, client_key, rogue_cert, rogue_key;
};

Certs* g_certs = nullptr;
TempDir* g_tmp = nullptr;  // certificates for the whole suite
std::filesystem::path g_dir;

void Run(const std::string& cmd) {
  std::string full = "cd '" + g_dir.string() + "' && " + cmd + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(full.c_str()), 0) << cmd;
}

class Env : public ::testing::Environment {
 public:
  void SetUp() override {
    g_tmp = new TempDir("kubepp-http-test");
    ASSERT_TRUE(g_tmp->ok());
    g_dir = g_tmp->path();
    const std::string ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
    {
      std::ofstream(g_dir / "server.ext") << "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n";
      std::ofstream(g_dir / "client.ext") << "extendedKeyUsage=clientAuth\n";
    }
    for (const char* ca : {"ca", "rogue-ca"}) {
      Run("openssl req -x509 " + ec + " -keyout " + ca + ".key -out " + ca + ".crt -days 2 -subj /CN=" + ca);
    }
    auto leaf = [&](const std::string& name, const std::string& ca, const std::string& subj,
                    const std::string& ext) {
      Run("openssl req " + ec + " -keyout " + name + ".key -out " + name + ".csr -subj '" + subj + "'");
      Run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".crt -CAkey " + ca +
          ".key -CAcreateserial -days 2 -out " + name + ".crt -extfile " + ext);
    };
    leaf("server", "ca", "/CN=kubepp-apiserver", "server.ext");
    leaf("client", "ca", "/O=system:masters/CN=admin", "client.ext");
    leaf("rogue", "rogue-ca", "/O=system:masters/CN=mallory", "client.ext");
    g_certs = new Certs{ReadFile(g_dir / "ca.crt"),     ReadFile(g_dir / "server.crt"),
                        ReadFile(g_dir / "server.key"), ReadFile(g_dir / "client.crt"),
                        ReadFile(g_dir / "client.key"), ReadFile(g_dir / "rogue.crt"),
                        ReadFile(g_dir / "rogue.key")};
  }
  void TearDown() override {
    delete g_certs;
    g_certs = nullptr;
    delete g_tmp;  // removes the folder
    g_tmp = nullptr;
  }
};
const auto* const kEnv = ::testing::AddGlobalTestEnvironment(new Env);

// A blocking client on one connection. Socket reads time out after 10 s so a
// broken server fails the test instead of hanging it.
class Client {
 public:
  struct Options {
    bool tls = true;
    std::string alpn;  // wire format, e.g. "\x02h2\x08http/1.1"
    std::string cert, key;
  };

  Client(uint16_t port, Options opts) : opts_(std::move(opts)), ctx_(asio::ssl::context::tls_client) {
    tcp::socket socket(ioc_);
    socket.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    socket.set_option(tcp::no_delay(true));  // as Go clients do; avoids 40 ms Nagle stalls
    timeval tv{10, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    if (!opts_.tls) {
      plain_.emplace(std::move(socket));
      return;
    }
    ctx_.add_certificate_authority(asio::buffer(g_certs->ca));
    ctx_.set_verify_mode(asio::ssl::verify_peer);
    if (!opts_.cert.empty()) {
      ctx_.use_certificate_chain(asio::buffer(opts_.cert));
      ctx_.use_private_key(asio::buffer(opts_.key), asio::ssl::context::pem);
    }
    tls_.emplace(std::move(socket), ctx_);
    if (!opts_.alpn.empty()) {
      SSL_set_alpn_protos(tls_->native_handle(), reinterpret_cast<const unsigned char*>(opts_.alpn.data()),
                          static_cast<unsigned>(opts_.alpn.size()));
    }
    tls_->handshake(asio::ssl::stream_base::client);
  }

  std::string SelectedAlpn() {
    const unsigned char* data = nullptr;
    unsigned len = 0;
    SSL_get0_alpn_selected(tls_->native_handle(), &data, &len);
    return std::string(reinterpret_cast<const char*>(data), len);
  }

  void Send(const bhttp::request<bhttp::string_body>& req) {
    if (tls_) bhttp::write(*tls_, req);
    else bhttp::write(*plain_, req);
  }
  void SendRaw(std::string_view bytes) {
    if (tls_) asio::write(*tls_, asio::buffer(bytes.data(), bytes.size()));
    else asio::write(*plain_, asio::buffer(bytes.data(), bytes.size()));
  }
  bhttp::response<bhttp::string_body> Read() {
    bhttp::response<bhttp::string_body> res;
    if (tls_) bhttp::read(*tls_, buffer_, res);
    else bhttp::read(*plain_, buffer_, res);
    return res;
  }
  // Reads into `parser` until `pred()` holds or the stream fails.
  template <class Parser, class Pred>
  beast::error_code ReadSomeUntil(Parser& parser, Pred pred) {
    beast::error_code ec;
    while (!ec && !pred()) {
      if (tls_) bhttp::read_some(*tls_, buffer_, parser, ec);
      else bhttp::read_some(*plain_, buffer_, parser, ec);
    }
    return ec;
  }
  bhttp::response<bhttp::string_body> Get(const std::string& target) {
    bhttp::request<bhttp::string_body> req(bhttp::verb::get, target, 11);
    req.set(bhttp::field::host, "127.0.0.1");
    Send(req);
    return Read();
  }
  void Close() {
    beast::error_code ec;
    if (tls_) tls_->lowest_layer().close(ec);
    else plain_->close(ec);
  }

 private:
  Options opts_;
  asio::io_context ioc_;
  asio::ssl::context ctx_;
  std::optional<asio::ssl::stream<tcp::socket>> tls_;
  std::optional<tcp::socket> plain_;
  beast::flat_buffer buffer_;
};

ServerOptions TlsOptions() {
  ServerOptions o;
  o.tls_cert_chain_pem = g_certs->server_cert;
  o.tls_key_pem = g_certs->server_key;
  o.client_ca_pem = g_certs->ca;
  return o;
}

std::unique_ptr<Server> MustStart(ServerOptions o, Handler h) {
  auto s = Server::Start(std::move(o), std::move(h));
  EXPECT_TRUE(s.ok()) << s.status().message();
  return s.ok() ? std::move(s).value() : nullptr;
}

void Echo(Request req, std::shared_ptr<ResponseWriter> w) {
  std::string body = req.method + " " + req.path + "\n";
  for (const auto& [k, v] : req.query) body += "q " + k + "=" + v + "\n";
  body += "ua " + std::string(req.headers.Get("user-agent").value_or("-")) + "\n";
  body += "certs " + std::to_string(req.client_cert_chain_pem.size()) + "\n";
  body += "body " + req.body + "\n";
  w->Send(200, {{"Content-Type", "text/plain"}, {"X-Remote", req.remote_address}}, std::move(body));
}

TEST(HttpServerTest, GetRoundTripOverTls) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  ASSERT_NE(server->port(), 0);
  Client c(server->port(), {});
  bhttp::request<bhttp::string_body> req(bhttp::verb::get, "/api/v1/name%20spaces?a=1&b=x%2Fy&a=2&c=d+e&flag", 11);
  req.set(bhttp::field::user_agent, "kubectl/v1.33");
  c.Send(req);
  auto res = c.Read();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bhttp::field::content_type], "text/plain");
  EXPECT_EQ(res.body(),
            "GET /api/v1/name spaces\nq a=1\nq a=2\nq b=x/y\nq c=d e\nq flag=\nua kubectl/v1.33\ncerts 0\nbody \n");
  EXPECT_TRUE(res[bhttp::field::connection].empty());  // keep-alive by default in 1.1
}

TEST(HttpServerTest, AlpnSelectsHttp11EvenWhenH2IsOfferedFirst) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  {
    Client c(server->port(), {.alpn = std::string("\x02h2\x08http/1.1", 12)});
    EXPECT_EQ(c.SelectedAlpn(), "http/1.1");
    EXPECT_EQ(c.Get("/version").result_int(), 200);
  }
  {
    // A client offering only h2 gets no ALPN answer, not h2.
    Client c(server->port(), {.alpn = std::string("\x02h2", 3)});
    EXPECT_EQ(c.SelectedAlpn(), "");
    EXPECT_EQ(c.Get("/version").result_int(), 200);
  }
}

TEST(HttpServerTest, VerifiedClientCertIsExposedAndUnverifiedOneIgnored) {
  std::mutex mu;
  std::vector<std::string> chain;
  auto server = MustStart(TlsOptions(), [&](Request req, std::shared_ptr<ResponseWriter> w) {
    {
      std::lock_guard lock(mu);
      chain = req.client_cert_chain_pem;
    }
    w->Send(200, {}, "ok");
  });
  ASSERT_TRUE(server);
  {
    Client c(server->port(), {.cert = g_certs->client_cert, .key = g_certs->client_key});
    EXPECT_EQ(c.Get("/").result_int(), 200);
    std::lock_guard lock(mu);
    ASSERT_EQ(chain.size(), 2u);  // leaf, then the CA it verified against
    EXPECT_EQ(chain[0], g_certs->client_cert);
    EXPECT_EQ(chain[1], g_certs->ca);
  }
  {
    Client c(server->port(), {.cert = g_certs->rogue_cert, .key = g_certs->rogue_key});
    EXPECT_EQ(c.Get("/").result_int(), 200);  // served, but anonymous
    std::lock_guard lock(mu);
    EXPECT_TRUE(chain.empty());
  }
  {
    Client c(server->port(), {});
    EXPECT_EQ(c.Get("/").result_int(), 200);
    std::lock_guard lock(mu);
    EXPECT_TRUE(chain.empty());
  }
}

TEST(HttpServerTest, KeepAliveServesManyRequestsOnOneConnection) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  Client c(server->port(), {});
  std::string remote;
  for (int i = 0; i < 20; ++i) {
    auto res = c.Get("/r" + std::to_string(i));
    ASSERT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body().substr(0, res.body().find('\n')), "GET /r" + std::to_string(i));
    if (i == 0) remote = std::string(res["X-Remote"]);
    EXPECT_EQ(res["X-Remote"], remote);  // same client port: same connection
  }
  EXPECT_FALSE(remote.empty());
}

TEST(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  ServerOptions o = TlsOptions();
  auto server = MustStart(o, Echo);
  ASSERT_TRUE(server);
  Client c(server->port(), {});
  std::string bytes;
  for (int i = 0; i < 5; ++i) {
    bytes += "POST /p" + std::to_string(i) + " HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\n" +
             std::to_string(i);
  }
  c.SendRaw(bytes);
  for (int i = 0; i < 5; ++i) {
    auto res = c.Read();
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_NE(res.body().find("POST /p" + std::to_string(i) + "\n"), std::string::npos) << res.body();
    EXPECT_NE(res.body().find("body " + std::to_string(i) + "\n"), std::string::npos) << res.body();
  }
}

TEST(HttpServerTest, ConnectionCloseIsHonoured) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  Client c(server->port(), {});
  bhttp::request<bhttp::string_body> req(bhttp::verb::get, "/", 11);
  req.set(bhttp::field::connection, "close");
  c.Send(req);
  auto res = c.Read();
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bhttp::field::connection], "close");
  // The server then closes: a further read ends (EOF or TLS truncation), not a timeout.
  bhttp::response_parser<bhttp::string_body> parser;
  auto ec = c.ReadSomeUntil(parser, [] { return false; });
  EXPECT_TRUE(ec);
  EXPECT_NE(ec, asio::error::would_block);
  EXPECT_NE(ec, asio::error::try_again);
}

TEST(HttpServerTest, IdleAndSlowConnectionsAreClosed) {
  ServerOptions o = TlsOptions();
  o.idle_timeout = 200ms;
  o.read_timeout = 200ms;
  auto server = MustStart(o, Echo);
  ASSERT_TRUE(server);
  auto closed_by_server = [](Client& c) {
    bhttp::response_parser<bhttp::string_body> parser;
    auto start = std::chrono::steady_clock::now();
    auto ec = c.ReadSomeUntil(parser, [] { return false; });
    // Closed well before the client's own 10 s read timeout.
    return ec && std::chrono::steady_clock::now() - start < 5s;
  };
  {
    Client c(server->port(), {});
    ASSERT_EQ(c.Get("/").result_int(), 200);
    EXPECT_TRUE(closed_by_server(c));  // idle keep-alive connection
  }
  {
    Client c(server->port(), {});
    c.SendRaw("GET / HTTP/1.1\r\nHost: x\r\n");  // header never completed
    EXPECT_TRUE(closed_by_server(c));
  }
}

// Holds writers (and producer threads) handed out by stream handlers.
struct StreamSink {
  std::mutex mu;
  std::condition_variable cv;
  std::vector<std::shared_ptr<ResponseWriter>> writers;
  std::vector<std::thread> threads;

  void Add(std::shared_ptr<ResponseWriter> w) {
    std::lock_guard lock(mu);
    writers.push_back(std::move(w));
    cv.notify_all();
  }
  std::shared_ptr<ResponseWriter> WaitFor(size_t n) {
    std::unique_lock lock(mu);
    if (!cv.wait_for(lock, 10s, [&] { return writers.size() >= n; })) return nullptr;
    return writers[n - 1];
  }
  ~StreamSink() {
    for (auto& t : threads) t.join();
  }
};

TEST(HttpServerTest, ChunkedStreamOfThousandLinesFromAnotherThreadArrivesInOrder) {
  StreamSink sink;
  auto server = MustStart(TlsOptions(), [&](Request, std::shared_ptr<ResponseWriter> w) {
    ASSERT_TRUE(w->StartStream(200, {{"Content-Type", "application/json"}}));
    std::lock_guard lock(sink.mu);
    sink.threads.emplace_back([w] {
      for (int i = 0; i < 1000; ++i) {
        ASSERT_TRUE(w->Write("{\"type\":\"ADDED\",\"n\":" + std::to_string(i) + "}\n"));
      }
      w->Finish();
      EXPECT_FALSE(w->Write("late\n"));
    });
  });
  ASSERT_TRUE(server);
  Client c(server->port(), {});
  auto res = c.Get("/api/v1/pods?watch=true");
  EXPECT_EQ(res.result_int(), 200);
  EXPECT_EQ(res[bhttp::field::transfer_encoding], "chunked");
  std::string expected;
  for (int i = 0; i < 1000; ++i) expected += "{\"type\":\"ADDED\",\"n\":" + std::to_string(i) + "}\n";
  EXPECT_EQ(res.body(), expected);
  // The connection stays usable after a finished stream.
  EXPECT_EQ(c.Get("/again").result_int(), 200);
}

TEST(HttpServerTest, EachChunkIsFlushedBeforeTheStreamEnds) {
  StreamSink sink;
  auto server = MustStart(TlsOptions(), [&](Request, std::shared_ptr<ResponseWriter> w) {
    w->StartStream(200, {});
    w->Write("first\n");
    sink.Add(std::move(w));
  });
  ASSERT_TRUE(server);
  Client c(server->port(), {});
  bhttp::request<bhttp::string_body> req(bhttp::verb::get, "/watch", 11);
  c.Send(req);
  bhttp::response_parser<bhttp::string_body> parser;
  auto ec = c.ReadSomeUntil(parser, [&] { return parser.get().body() == "first\n"; });
  EXPECT_FALSE(ec) << ec.message();
  auto w = sink.WaitFor(1);
  ASSERT_TRUE(w);
  EXPECT_TRUE(w->Write("second\n"));
  ec = c.ReadSomeUntil(parser, [&] { return parser.get().body() == "first\nsecond\n"; });
  EXPECT_FALSE(ec) << ec.message();
  w->Finish();
  ec = c.ReadSomeUntil(parser, [&] { return parser.is_done(); });
  EXPECT_FALSE(ec) << ec.message();
}

TEST(HttpServerTest, ClientDisconnectMidStreamMakesWriteFail) {
  StreamSink sink;
  std::promise<void> closed;
  auto server = MustStart(TlsOptions(), [&](Request, std::shared_ptr<ResponseWriter> w) {
    w->StartStream(200, {});
    w->Write("hello\n");
    w->OnClose([&] { closed.set_value(); });
    sink.Add(std::move(w));
  });
  ASSERT_TRUE(server);
  auto w = [&] {
    Client c(server->port(), {});
    bhttp::request<bhttp::string_body> req(bhttp::verb::get, "/watch", 11);
    c.Send(req);
    bhttp::response_parser<bhttp::string_body> parser;
    EXPECT_FALSE(c.ReadSomeUntil(parser, [&] { return parser.get().body() == "hello\n"; }));
    auto w = sink.WaitFor(1);
    EXPECT_TRUE(w && !w->closed());
    c.Close();
    return w;
  }();
  ASSERT_TRUE(w);
  ASSERT_EQ(closed.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_TRUE(w->closed());
  EXPECT_FALSE(w->Write("anyone?\n"));
}

TEST(HttpServerTest, SlowReaderIsCutWhenStreamBufferOverflows) {
  ServerOptions o = TlsOptions();
  o.max_stream_buffer_bytes = 64 * 1024;
  StreamSink sink;
  auto server = MustStart(o, [&](Request, std::shared_ptr<ResponseWriter> w) {
    w->StartStream(200, {});
    sink.Add(std::move(w));
  });
  ASSERT_TRUE(server);
  Client c(server->port(), {});
  bhttp::request<bhttp::string_body> req(bhttp::verb::get, "/watch", 11);
  c.Send(req);  // and never read
  auto w = sink.WaitFor(1);
  ASSERT_TRUE(w);
  const std::string line(1024, 'x');
  int written = 0;
  while (w->Write(line)) {
    ASSERT_LT(++written, 1'000'000) << "Write never failed for a client that does not read";
  }
  EXPECT_TRUE(w->closed());
}

TEST(HttpServerTest, OversizedBodyGets413) {
  ServerOptions o = TlsOptions();
  o.max_body_bytes = 1024;
  std::atomic<int> calls{0};
  auto server = MustStart(o, [&](Request req, std::shared_ptr<ResponseWriter> w) {
    ++calls;
    w->Send(200, {}, req.body);
  });
  ASSERT_TRUE(server);
  {
    // Declared too large: answered from the header, before any body byte.
    Client c(server->port(), {});
    c.SendRaw("POST /api/v1/namespaces/default/configmaps HTTP/1.1\r\nHost: x\r\nContent-Length: 100000000\r\n\r\n");
    auto res = c.Read();
    EXPECT_EQ(res.result_int(), 413);
    EXPECT_NE(res.body().find("\"reason\":\"RequestEntityTooLarge\""), std::string::npos);
    EXPECT_EQ(res[bhttp::field::connection], "close");
  }
  {
    // Chunked: cut once the decoded body passes the limit.
    Client c(server->port(), {});
    std::string bytes = "POST /x HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 3; ++i) bytes += "200\r\n" + std::string(512, 'a') + "\r\n";
    bytes += "0\r\n\r\n";
    c.SendRaw(bytes);
    EXPECT_EQ(c.Read().result_int(), 413);
  }
  {
    Client c(server->port(), {});
    bhttp::request<bhttp::string_body> req(bhttp::verb::post, "/x", 11);
    req.body() = std::string(1024, 'b');
    req.prepare_payload();
    c.Send(req);
    auto res = c.Read();
    EXPECT_EQ(res.result_int(), 200);
    EXPECT_EQ(res.body().size(), 1024u);
  }
  EXPECT_EQ(calls.load(), 1);
}

TEST(HttpServerTest, HundredConcurrentClients) {
  auto server = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(server);
  std::atomic<int> ok{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 100; ++i) {
    clients.emplace_back([&, i] {
      try {
        Client c(server->port(), {});
        for (int j = 0; j < 5; ++j) {
          auto res = c.Get("/c" + std::to_string(i) + "/" + std::to_string(j));
          if (res.result_int() == 200 &&
              res.body().starts_with("GET /c" + std::to_string(i) + "/" + std::to_string(j) + "\n")) {
            ++ok;
          }
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "client " << i << ": " << e.what();
      }
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(ok.load(), 500);
}

TEST(HttpServerTest, StopWithOpenConnectionsAndStreamsReturnsPromptly) {
  StreamSink sink;
  std::atomic<int> closed_callbacks{0};
  auto server = MustStart(TlsOptions(), [&](Request req, std::shared_ptr<ResponseWriter> w) {
    if (req.path == "/watch") {
      w->StartStream(200, {});
      w->Write("event\n");
      w->OnClose([&] { ++closed_callbacks; });
      sink.Add(std::move(w));
      return;
    }
    Echo(std::move(req), std::move(w));
  });
  ASSERT_TRUE(server);
  std::vector<std::unique_ptr<Client>> idle, streaming;
  for (int i = 0; i < 5; ++i) {
    idle.push_back(std::make_unique<Client>(server->port(), Client::Options{}));
    ASSERT_EQ(idle.back()->Get("/").result_int(), 200);
  }
  for (int i = 0; i < 3; ++i) {
    streaming.push_back(std::make_unique<Client>(server->port(), Client::Options{}));
    streaming.back()->Send(bhttp::request<bhttp::string_body>(bhttp::verb::get, "/watch", 11));
  }
  ASSERT_TRUE(sink.WaitFor(3));
  // One connection that never even finishes its TLS handshake.
  asio::io_context ioc;
  tcp::socket raw(ioc);
  raw.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), server->port()));

  auto start = std::chrono::steady_clock::now();
  server->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_EQ(closed_callbacks.load(), 3);
  for (auto& w : sink.writers) EXPECT_FALSE(w->Write("after stop\n"));
  // Streams were ended cleanly: the client sees the whole chunked body end.
  for (auto& c : streaming) {
    auto res = c->Read();
    EXPECT_EQ(res.body(), "event\n");
  }
  server->Stop();  // idempotent
}

TEST(HttpServerTest, UpgradeRequestReachesTheHandler) {
  std::atomic<bool> saw_upgrade{false};
  auto server = MustStart(TlsOptions(), [&](Request req, std::shared_ptr<ResponseWriter> w) {
    saw_upgrade = req.IsUpgrade();
    w->Send(400, {}, "upgrades not supported yet");
  });
  ASSERT_TRUE(server);
  Client c(server->port(), {});
  bhttp::request<bhttp::string_body> req(bhttp::verb::get, "/api/v1/namespaces/d/pods/p/exec?command=ls", 11);
  req.set(bhttp::field::connection, "Upgrade");
  req.set(bhttp::field::upgrade, "websocket");
  req.set("Sec-WebSocket-Protocol", "v5.channel.k8s.io");
  c.Send(req);
  EXPECT_EQ(c.Read().result_int(), 400);
  EXPECT_TRUE(saw_upgrade.load());
  EXPECT_EQ(c.Get("/after").result_int(), 400);  // the connection is still usable
}

TEST(HttpServerTest, HandlerThatDropsOrThrowsStillAnswers500) {
  ServerOptions o = TlsOptions();
  auto server = MustStart(o, [](Request req, std::shared_ptr<ResponseWriter>) {
    if (req.path == "/throw") throw std::runtime_error("boom");
    // "/drop": return without answering.
  });
  ASSERT_TRUE(server);
  Client c(server->port(), {});
  EXPECT_EQ(c.Get("/drop").result_int(), 500);
  EXPECT_EQ(c.Get("/throw").result_int(), 500);
}

TEST(HttpServerTest, BadTlsMaterialIsAnError) {
  ServerOptions o = TlsOptions();
  o.tls_key_pem = g_certs->client_key;  // does not match the certificate
  auto s = Server::Start(o, Echo);
  EXPECT_FALSE(s.ok());
  o = TlsOptions();
  o.tls_cert_chain_pem = "not a pem";
  EXPECT_FALSE(Server::Start(o, Echo).ok());
}

TEST(HttpServerTest, PortInUseIsUnavailable) {
  auto first = MustStart(TlsOptions(), Echo);
  ASSERT_TRUE(first);
  ServerOptions o = TlsOptions();
  o.port = first->port();
  auto second = Server::Start(o, Echo);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

// Prints requests/s of a keep-alive GET loop (one client, one connection).
void MeasureKeepAlive(bool tls, int handler_threads) {
  ServerOptions o = TlsOptions();
  o.plain_http = !tls;
  o.handler_threads = handler_threads;
  auto server = MustStart(o, [](Request, std::shared_ptr<ResponseWriter> w) {
    w->Send(200, {{"Content-Type", "application/json"}}, R"({"major":"1","minor":"33"})");
  });
  ASSERT_TRUE(server);
  Client c(server->port(), {.tls = tls});
  bhttp::request<bhttp::string_body> req(bhttp::verb::get, "/version", 11);
  req.set(bhttp::field::host, "127.0.0.1");
  const int n = 5000;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    c.Send(req);
    ASSERT_EQ(c.Read().result_int(), 200);
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("keep-alive GET, %s, handler_threads=%d: %.0f requests/s\n", tls ? "TLS" : "plain",
              handler_threads, n / secs);
}

// 5,000 requests on one keep-alive connection per mode must all succeed; the
// rate printed is informational (the benchmark figure belongs in bench/).
TEST(HttpServerTest, ThousandsOfRequestsOnOneKeepAliveConnection) {
  MeasureKeepAlive(true, 0);
  MeasureKeepAlive(true, 8);
  MeasureKeepAlive(false, 0);
}

TEST(HttpQueryTest, DecodesLikeGo) {
  EXPECT_EQ(PercentDecode("a%2Fb%zz%4", false), "a/b%zz%4");
  EXPECT_EQ(PercentDecode("a+b", false), "a+b");
  EXPECT_EQ(PercentDecode("a+b", true), "a b");
  auto q = ParseQuery("labelSelector=app%3Dweb%2Ctier+in+(a)&&watch&limit=500");
  ASSERT_EQ(q.size(), 3u);
  EXPECT_EQ(q.find("labelSelector")->second, "app=web,tier in (a)");
  EXPECT_EQ(q.find("watch")->second, "");
  EXPECT_EQ(q.find("limit")->second, "500");
}

TEST(HttpHeadersTest, CaseInsensitive) {
  Headers h{{"Content-Type", "a"}, {"X-Multi", "1"}, {"x-multi", "2"}};
  EXPECT_EQ(h.Get("content-type").value_or(""), "a");
  EXPECT_EQ(h.GetAll("X-MULTI").size(), 2u);
  h.Set("X-Multi", "3");
  ASSERT_EQ(h.GetAll("x-multi").size(), 1u);
  EXPECT_EQ(h.GetAll("x-multi")[0], "3");
  EXPECT_FALSE(h.Has("absent"));
}

}  // namespace
}  // namespace kubepp::apiserver::http
