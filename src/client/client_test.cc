// Client and HttpTransport against the in-test FakeApiServer (plain HTTP and
// TLS with client certificates), plus the pure helpers (paths, error
// mapping, URL parsing).
#include "client/client.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "apiserver/auth/files.h"
#include "apiserver/auth/kubeconfig.h"
#include "apiserver/auth/pki.h"
#include "client/http_transport.h"
#include "client/kubeconfig.h"
#include "client/testing/fake_apiserver_test.h"
#include "common/testing/temp_dir.h"

namespace kubepp::client {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const GroupVersionResource kConfigMaps{"", "v1", "configmaps"};
const GroupVersionResource kLeases{"coordination.k8s.io", "v1", "leases"};

json ConfigMap(const std::string& name, const std::string& value, json labels = json::object()) {
  return {{"apiVersion", "v1"},
          {"kind", "ConfigMap"},
          {"metadata", {{"name", name}, {"labels", labels}}},
          {"data", {{"k", value}}}};
}

TEST(ResourcePathTest, BuildsCoreAndGroupPaths) {
  struct Case {
    GroupVersionResource r;
    std::string ns, name, sub, want;
  } cases[] = {
      {kConfigMaps, "ns1", "", "", "/api/v1/namespaces/ns1/configmaps"},
      {kConfigMaps, "", "", "", "/api/v1/configmaps"},
      {{"", "v1", "pods"}, "default", "web-0", "status", "/api/v1/namespaces/default/pods/web-0/status"},
      {{"", "v1", "nodes"}, "", "n1", "", "/api/v1/nodes/n1"},
      {kLeases, "kube-system", "kube-scheduler", "", "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler"},
      {{"apps", "v1", "deployments"}, "", "", "", "/apis/apps/v1/deployments"},
      {{"rbac.authorization.k8s.io", "v1", "clusterroles"}, "", "system:node", "",
       "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:node"},
      {kConfigMaps, "a", "we ird/x", "", "/api/v1/namespaces/a/configmaps/we%20ird%2Fx"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(Client::ResourcePath(c.r, c.ns, c.name, c.sub), c.want);
  }
}

TEST(QueryEscapeTest, MatchesGoQueryEscape) {
  EXPECT_EQ(QueryEscape("app=web,env in (a,b)"), "app%3Dweb%2Cenv+in+%28a%2Cb%29");
  EXPECT_EQ(QueryEscape("spec.nodeName=n-1_~"), "spec.nodeName%3Dn-1_~");
}

TEST(StatusFromResponseTest, MapsReasonAndKeepsMessage) {
  struct Case {
    int http;
    std::string body;
    StatusCode want;
    std::string message;
  } cases[] = {
      {404, R"j({"kind":"Status","status":"Failure","message":"configmaps \"x\" not found","reason":"NotFound","code":404})j",
       StatusCode::kNotFound, "configmaps \"x\" not found"},
      {409, R"j({"kind":"Status","message":"configmaps \"x\" already exists","reason":"AlreadyExists","code":409})j",
       StatusCode::kAlreadyExists, "configmaps \"x\" already exists"},
      {409, R"j({"kind":"Status","message":"Operation cannot be fulfilled","reason":"Conflict","code":409})j",
       StatusCode::kConflict, "Operation cannot be fulfilled"},
      {422, R"j({"kind":"Status","message":"ConfigMap \"x\" is invalid","reason":"Invalid","code":422})j",
       StatusCode::kInvalid, "ConfigMap \"x\" is invalid"},
      {410, R"j({"kind":"Status","message":"too old resource version: 1 (5)","reason":"Expired","code":410})j",
       StatusCode::kExpired, "too old resource version: 1 (5)"},
      {410, R"j({"kind":"Status","message":"gone","reason":"Gone","code":410})j", StatusCode::kGone, "gone"},
      {410, R"j({"kind":"Status","message":"gone","code":410})j", StatusCode::kGone, "gone"},
      {403, R"j({"kind":"Status","message":"forbidden: no","reason":"Forbidden","code":403})j", StatusCode::kForbidden,
       "forbidden: no"},
      {429, R"j({"kind":"Status","message":"slow down","reason":"TooManyRequests","code":429})j",
       StatusCode::kTooManyRequests, "slow down"},
      {404, "404 page not found", StatusCode::kNotFound, "the server could not find the requested resource"},
      {500, "boom\n", StatusCode::kInternal,
       "an error on the server (\"boom\") has prevented the request from succeeding"},
      {503, "", StatusCode::kUnavailable, "the server is currently unable to handle the request"},
      {409, "", StatusCode::kConflict, "the server reported a conflict"},
      {422, "", StatusCode::kInvalid, "the server rejected our request due to an error in our request"},
      {504, R"j({"kind":"Status","message":"slow","reason":"ServerTimeout","code":504})j", StatusCode::kTimeout,
       "slow"},
      {413, R"j({"kind":"Status","message":"too big","reason":"RequestEntityTooLarge","code":413})j",
       StatusCode::kRequestEntityTooLarge, "too big"},
      {502, "bad gateway", StatusCode::kInternal,
       "an error on the server (\"bad gateway\") has prevented the request from succeeding"},
  };
  for (const auto& c : cases) {
    Status s = StatusFromResponse(c.http, c.body);
    EXPECT_EQ(s.code(), c.want) << c.body;
    EXPECT_EQ(s.message(), c.message) << c.body;
  }
}

TEST(ParseServerUrlTest, Table) {
  auto u = ParseServerUrl("https://127.0.0.1:6443");
  ASSERT_TRUE(u.ok());
  EXPECT_TRUE(u->tls);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 6443);
  u = ParseServerUrl("http://[::1]:8080/prefix/");
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->tls);
  EXPECT_EQ(u->host, "::1");
  EXPECT_EQ(u->port, 8080);
  EXPECT_EQ(u->path_prefix, "/prefix");
  u = ParseServerUrl("https://kubernetes.default.svc");
  ASSERT_TRUE(u.ok());
  EXPECT_EQ(u->port, 443);
  EXPECT_EQ(ParseServerUrl("ftp://x").status().code(), StatusCode::kBadRequest);
  EXPECT_EQ(ParseServerUrl("https://:443").status().code(), StatusCode::kBadRequest);
  EXPECT_EQ(ParseServerUrl("https://h:99999").status().code(), StatusCode::kBadRequest);
}

using ClientTest = FakeApiServerTest;

TEST_F(ClientTest, CrudRoundTrip) {
  auto created = client_->Create(kConfigMaps, "ns1", ConfigMap("a", "1", {{"app", "web"}}));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  EXPECT_EQ((*created)["metadata"]["namespace"], "ns1");
  const std::string rv1 = (*created)["metadata"]["resourceVersion"];

  auto dup = client_->Create(kConfigMaps, "ns1", ConfigMap("a", "1"));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.status().message(), "configmaps \"a\" already exists");

  auto got = client_->Get(kConfigMaps, "ns1", "a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ((*got)["data"]["k"], "1");

  json changed = *got;
  changed["data"]["k"] = "2";
  auto updated = client_->Update(kConfigMaps, "ns1", changed);
  ASSERT_TRUE(updated.ok()) << updated.status().ToString();
  EXPECT_NE((*updated)["metadata"]["resourceVersion"], rv1);

  // The stale resourceVersion of `changed` makes the second update a conflict.
  changed["data"]["k"] = "3";
  auto stale = client_->Update(kConfigMaps, "ns1", changed);
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_NE(stale.status().message().find("the object has been modified"), std::string::npos);

  auto patched = client_->Patch(kConfigMaps, "ns1", "a", PatchType::kMerge, R"({"data":{"p":"x"}})");
  ASSERT_TRUE(patched.ok()) << patched.status().ToString();
  EXPECT_EQ((*patched)["data"]["k"], "2");
  EXPECT_EQ((*patched)["data"]["p"], "x");

  json with_status = *patched;
  with_status["status"] = {{"phase", "Ready"}};
  with_status["data"]["k"] = "ignored";
  auto status_updated = client_->UpdateStatus(kConfigMaps, "ns1", with_status);
  ASSERT_TRUE(status_updated.ok()) << status_updated.status().ToString();
  EXPECT_EQ((*status_updated)["status"]["phase"], "Ready");
  EXPECT_EQ((*status_updated)["data"]["k"], "2");  // the status subresource leaves the rest alone

  DeleteOptions wrong_rv;
  wrong_rv.precondition_resource_version = rv1;
  EXPECT_EQ(client_->Delete(kConfigMaps, "ns1", "a", wrong_rv).code(), StatusCode::kConflict);
  ASSERT_TRUE(client_->Delete(kConfigMaps, "ns1", "a").ok());
  auto gone = client_->Get(kConfigMaps, "ns1", "a");
  EXPECT_EQ(gone.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(gone.status().message(), "configmaps \"a\" not found");
  EXPECT_EQ(client_->Delete(kConfigMaps, "ns1", "a").code(), StatusCode::kNotFound);
}

TEST_F(ClientTest, UpdateWithoutNameIsBadRequest) {
  auto s = client_->Update(kConfigMaps, "ns1", json{{"metadata", json::object()}});
  EXPECT_EQ(s.status().code(), StatusCode::kBadRequest);
}

TEST_F(ClientTest, ListWithSelectorAndPages) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_TRUE(client_->Create(kConfigMaps, "ns1", ConfigMap("c" + std::to_string(i), "v",
                                                              {{"tier", i % 2 ? "odd" : "even"}}))
                    .ok());
  }
  ASSERT_TRUE(client_->Create(kConfigMaps, "ns2", ConfigMap("other", "v")).ok());

  auto all = client_->List(kConfigMaps, "");
  ASSERT_TRUE(all.ok());
  EXPECT_EQ((*all)["items"].size(), 6u);
  EXPECT_EQ((*all)["metadata"]["resourceVersion"], std::to_string(server_->resource_version()));

  ListOptions odd;
  odd.label_selector = "tier in (odd)";
  auto odds = client_->List(kConfigMaps, "ns1", odd);
  ASSERT_TRUE(odds.ok()) << odds.status().ToString();
  EXPECT_EQ((*odds)["items"].size(), 2u);

  ListOptions page;
  page.limit = 2;
  std::vector<std::string> names;
  for (int pages = 0; pages < 10; ++pages) {
    auto l = client_->List(kConfigMaps, "ns1", page);
    ASSERT_TRUE(l.ok());
    for (const auto& item : (*l)["items"]) names.push_back(item["metadata"]["name"]);
    page.continue_token = (*l)["metadata"].value("continue", "");
    if (page.continue_token.empty()) break;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"c0", "c1", "c2", "c3", "c4"}));
}

TEST_F(ClientTest, InjectedServerErrorsAreMapped) {
  server_->FailNext("GET", 403, "Forbidden", "configmaps is forbidden: User \"bob\" cannot list resource");
  auto l = client_->List(kConfigMaps, "ns1");
  EXPECT_EQ(l.status().code(), StatusCode::kForbidden);
  EXPECT_EQ(l.status().message(), "configmaps is forbidden: User \"bob\" cannot list resource");
  EXPECT_TRUE(client_->List(kConfigMaps, "ns1").ok());  // only the next request failed
}

TEST_F(ClientTest, WatchDeliversEventsInOrder) {
  auto created = client_->Create(kConfigMaps, "ns1", ConfigMap("w", "1"));
  ASSERT_TRUE(created.ok());
  ListOptions from;
  from.resource_version = (*created)["metadata"]["resourceVersion"];
  auto watcher = client_->Watch(kConfigMaps, "ns1", from);
  ASSERT_TRUE(watcher.ok()) << watcher.status().ToString();

  json cm = *created;
  cm["data"]["k"] = "2";
  ASSERT_TRUE(client_->Update(kConfigMaps, "ns1", cm).ok());
  ASSERT_TRUE(client_->Create(kConfigMaps, "ns2", ConfigMap("elsewhere", "1")).ok());  // other namespace
  ASSERT_TRUE(client_->Delete(kConfigMaps, "ns1", "w").ok());

  auto ev = (*watcher)->Next(5s);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->type, WatchEventType::kModified);
  EXPECT_EQ((*ev->object)["data"]["k"], "2");
  ev = (*watcher)->Next(5s);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->type, WatchEventType::kDeleted);
  EXPECT_EQ((*ev->object)["metadata"]["name"], "w");
  EXPECT_FALSE((*watcher)->Next(20ms).has_value());  // nothing from ns2
  EXPECT_FALSE((*watcher)->done());

  server_->CloseWatches();
  EXPECT_FALSE((*watcher)->Next(5s).has_value());
  EXPECT_TRUE((*watcher)->done());
  EXPECT_TRUE((*watcher)->status().ok()) << (*watcher)->status().ToString();
}

TEST_F(ClientTest, WatchFromCompactedVersionGetsExpiredEvent) {
  ASSERT_TRUE(client_->Create(kConfigMaps, "ns1", ConfigMap("x", "1")).ok());
  server_->Compact();
  ListOptions from;
  from.resource_version = "1";
  auto watcher = client_->Watch(kConfigMaps, "ns1", from);
  ASSERT_TRUE(watcher.ok());
  auto ev = (*watcher)->Next(5s);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->type, WatchEventType::kError);
  EXPECT_EQ(ev->error.code(), StatusCode::kExpired);
  EXPECT_EQ(ev->error.message(), "too old resource version: 1 (2)");
}

TEST_F(ClientTest, WatchBookmarksAndStop) {
  ListOptions opts;
  opts.resource_version = std::to_string(server_->resource_version());
  opts.allow_watch_bookmarks = true;
  auto watcher = client_->Watch(kConfigMaps, "", opts);
  ASSERT_TRUE(watcher.ok());
  ASSERT_TRUE(client_->Create(kConfigMaps, "ns1", ConfigMap("b", "1")).ok());
  auto ev = (*watcher)->Next(5s);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->type, WatchEventType::kAdded);
  server_->SendBookmarks();
  ev = (*watcher)->Next(5s);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->type, WatchEventType::kBookmark);
  EXPECT_EQ((*ev->object)["metadata"]["resourceVersion"], std::to_string(server_->resource_version()));

  // Stop() cancels a stream the server keeps open.
  auto start = std::chrono::steady_clock::now();
  (*watcher)->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE((*watcher)->done());
}

TEST_F(ClientTest, WatchRejectedAtStartReturnsError) {
  server_->FailNext("GET", 403, "Forbidden", "watch is forbidden");
  auto watcher = client_->Watch(kConfigMaps, "ns1");
  EXPECT_EQ(watcher.status().code(), StatusCode::kForbidden);
  EXPECT_EQ(watcher.status().message(), "watch is forbidden");
}

TEST_F(ClientTest, ManySequentialRequestsReuseConnections) {
  ASSERT_TRUE(client_->Create(kConfigMaps, "ns1", ConfigMap("r", "1")).ok());
  for (int i = 0; i < 200; ++i) {
    ASSERT_TRUE(client_->Get(kConfigMaps, "ns1", "r").ok()) << i;
  }
}

TEST(TransportTest, ConnectionRefusedIsUnavailable) {
  uint16_t port;
  {
    auto server = FakeApiServer::Start();
    ASSERT_TRUE(server.ok());
    port = static_cast<uint16_t>(std::stoi((*server)->url().substr((*server)->url().rfind(':') + 1)));
  }  // closed: the port now refuses connections
  RestConfig config;
  config.server = "http://127.0.0.1:" + std::to_string(port);
  auto client = Client::New(config);
  ASSERT_TRUE(client.ok());
  auto got = (*client)->Get(kConfigMaps, "ns1", "a");
  EXPECT_EQ(got.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(got.status().message().find("/api/v1/namespaces/ns1/configmaps/a"), std::string::npos)
      << got.status().message();
}

// A bare HTTP/1.1 server that answers one request per connection and then
// closes it, although its response allowed keep-alive: what a client sees
// when a server drops an idle pooled connection.
class OneShotServer {
 public:
  OneShotServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
    listen(fd_, 8);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~OneShotServer() {
    shutdown(fd_, SHUT_RDWR);
    close(fd_);
    thread_.join();
  }
  uint16_t port() const { return port_; }
  // Waits until `n` connections were answered and closed.
  bool WaitClosed(int n) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return closed_ >= n; });
  }

 private:
  void Serve() {
    while (true) {
      int c = accept(fd_, nullptr, nullptr);
      if (c < 0) return;
      std::string in;
      char buf[4096];
      while (in.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = read(c, buf, sizeof(buf));
        if (n <= 0) break;
        in.append(buf, static_cast<size_t>(n));
      }
      const std::string out =
          "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
      (void)!write(c, out.data(), out.size());
      close(c);
      std::lock_guard<std::mutex> lock(mu_);
      ++closed_;
      cv_.notify_all();
    }
  }

  int fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  int closed_ = 0;
};

TEST(TransportTest, PooledConnectionClosedByServerIsNotReused) {
  OneShotServer server;
  RestConfig config;
  config.server = "http://127.0.0.1:" + std::to_string(server.port());
  auto client = Client::New(config);
  ASSERT_TRUE(client.ok());
  // POST is never retried, so the second one succeeds only if the closed
  // pooled connection is detected before it is used.
  for (int i = 1; i <= 3; ++i) {
    auto created = (*client)->Create(kConfigMaps, "ns1", ConfigMap("a", "1"));
    ASSERT_TRUE(created.ok()) << i << ": " << created.status().ToString();
    ASSERT_TRUE(server.WaitClosed(i));
  }
}

TEST(TransportTest, BadTlsMaterialIsRejected) {
  RestConfig config;
  config.server = "https://127.0.0.1:1";
  config.ca_pem = "not a certificate";
  EXPECT_EQ(NewHttpTransport(config).status().code(), StatusCode::kBadRequest);
  config.ca_pem.clear();
  config.client_cert_pem = "x";
  EXPECT_EQ(NewHttpTransport(config).status().code(), StatusCode::kBadRequest);
}

// TLS with the cluster PKI: the server verifies client certificates against
// the CA; the client verifies the server's certificate and name.
class TlsClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(dir_.ok());
    apiserver::auth::PkiOptions options;
    options.data_dir = dir_.path();
    options.host_sans = std::vector<std::string>{};
    auto pki = apiserver::auth::EnsurePki(options);
    ASSERT_TRUE(pki.ok()) << pki.status().ToString();
    pki_ = *pki;
    FakeApiServer::Options so;
    so.cert_pem = pki_.serving.cert_pem;
    so.key_pem = pki_.serving.key_pem;
    so.client_ca_pem = pki_.ca.cert_pem;
    so.require_auth = true;
    so.token = "sekret";
    auto server = FakeApiServer::Start(so);
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
  }

  RestConfig Config() const {
    RestConfig c;
    c.server = server_->url();
    c.ca_pem = pki_.ca.cert_pem;
    return c;
  }

  TempDir dir_{"kubepp-client-tls"};
  apiserver::auth::Pki pki_;
  std::unique_ptr<FakeApiServer> server_;
};

TEST_F(TlsClientTest, ClientCertificateAuthenticatesAndWatchStreams) {
  RestConfig config = Config();
  config.client_cert_pem = pki_.admin_client.cert_pem;
  config.client_key_pem = pki_.admin_client.key_pem;
  auto client = Client::New(config);
  ASSERT_TRUE(client.ok()) << client.status().ToString();
  ASSERT_TRUE((*client)->Create(kConfigMaps, "ns1", ConfigMap("t", "1")).ok());
  ListOptions from;
  from.resource_version = std::to_string(server_->resource_version());
  auto watcher = (*client)->Watch(kConfigMaps, "ns1", from);
  ASSERT_TRUE(watcher.ok()) << watcher.status().ToString();
  ASSERT_TRUE((*client)->Delete(kConfigMaps, "ns1", "t").ok());
  auto ev = (*watcher)->Next(5s);
  ASSERT_TRUE(ev.has_value());
  EXPECT_EQ(ev->type, WatchEventType::kDeleted);
  (*watcher)->Stop();
}

TEST_F(TlsClientTest, KubeconfigFileWorks) {
  std::string path = dir_.path() + "/kubeconfig.yaml";
  ASSERT_TRUE(apiserver::auth::WriteKubeconfig(path, server_->url(), pki_.ca.cert_pem, pki_.admin_client.cert_pem,
                                               pki_.admin_client.key_pem)
                  .ok());
  auto config = LoadRestConfig(path);
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, server_->url());
  auto client = Client::New(*config);
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->default_namespace(), "default");
  EXPECT_TRUE((*client)->List(kConfigMaps, "").ok());
  EXPECT_EQ(LoadRestConfig(dir_.path() + "/missing").status().code(), StatusCode::kNotFound);
}

// A pod's service account files, as the kubelet mounts them (trailing
// newlines are not part of the token or namespace).
TEST(InClusterRestConfigTest, ReadsServiceAccountFilesAndEnvironment) {
  TempDir dir("kubepp-incluster");
  ASSERT_TRUE(dir.ok());
  ASSERT_TRUE(apiserver::auth::WriteFileAtomic(dir.path() + "/token", "tok3n\n", 0600).ok());
  ASSERT_TRUE(apiserver::auth::WriteFileAtomic(dir.path() + "/namespace", "kube-system\n", 0600).ok());
  ASSERT_TRUE(apiserver::auth::WriteFileAtomic(dir.path() + "/ca.crt", "CA PEM\n", 0600).ok());
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
  EXPECT_EQ(InClusterRestConfig(dir.path()).status().code(), StatusCode::kNotFound);

  setenv("KUBERNETES_SERVICE_HOST", "fd00::1", 1);
  setenv("KUBERNETES_SERVICE_PORT", "443", 1);
  auto config = InClusterRestConfig(dir.path());
  ASSERT_TRUE(config.ok()) << config.status().ToString();
  EXPECT_EQ(config->server, "https://[fd00::1]:443");
  EXPECT_EQ(config->token, "tok3n");
  EXPECT_EQ(config->namespace_, "kube-system");
  EXPECT_EQ(config->ca_pem, "CA PEM\n");
  EXPECT_EQ(InClusterRestConfig(dir.path() + "/missing").status().code(), StatusCode::kNotFound);
  unsetenv("KUBERNETES_SERVICE_HOST");
  unsetenv("KUBERNETES_SERVICE_PORT");
}

TEST_F(TlsClientTest, BearerTokenAuthenticates) {
  RestConfig config = Config();
  config.token = "sekret";
  auto client = Client::New(config);
  ASSERT_TRUE(client.ok());
  EXPECT_TRUE((*client)->List(kConfigMaps, "").ok());
}

TEST_F(TlsClientTest, NoCredentialsIsUnauthorized) {
  auto client = Client::New(Config());
  ASSERT_TRUE(client.ok());
  EXPECT_EQ((*client)->List(kConfigMaps, "").status().code(), StatusCode::kUnauthorized);
}

TEST_F(TlsClientTest, UnknownAuthorityIsRejected) {
  TempDir other_dir("kubepp-client-tls-other");
  apiserver::auth::PkiOptions options;
  options.data_dir = other_dir.path();
  options.host_sans = std::vector<std::string>{};
  auto other = apiserver::auth::EnsurePki(options);
  ASSERT_TRUE(other.ok());
  RestConfig config = Config();
  config.ca_pem = other->ca.cert_pem;
  config.token = "sekret";
  auto client = Client::New(config);
  ASSERT_TRUE(client.ok());
  auto l = (*client)->List(kConfigMaps, "");
  EXPECT_EQ(l.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(l.status().message().find("tls: failed to verify certificate"), std::string::npos)
      << l.status().message();

  config.insecure_skip_tls_verify = true;  // kubectl --insecure-skip-tls-verify
  auto insecure = Client::New(config);
  ASSERT_TRUE(insecure.ok());
  EXPECT_TRUE((*insecure)->List(kConfigMaps, "").ok());
}

TEST_F(TlsClientTest, WrongServerNameIsRejected) {
  RestConfig config = Config();
  config.token = "sekret";
  config.tls_server_name = "not-the-apiserver.example";
  auto client = Client::New(config);
  ASSERT_TRUE(client.ok());
  auto l = (*client)->List(kConfigMaps, "");
  EXPECT_EQ(l.status().code(), StatusCode::kUnavailable);
  config.tls_server_name = "kubernetes.default.svc";  // a SAN of the serving certificate
  auto named = Client::New(config);
  ASSERT_TRUE(named.ok());
  EXPECT_TRUE((*named)->List(kConfigMaps, "").ok());
}

}  // namespace
}  // namespace kubepp::client
