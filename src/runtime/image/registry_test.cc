#include "runtime/image/registry.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>

#include "common/encoding.h"
#include "common/testing/temp_dir.h"
#include "runtime/image/digest.h"
#include "runtime/image/image_store.h"
#include "runtime/testing/test_image.h"

namespace kubepp::runtime::image {
namespace {

namespace fs = std::filesystem;

TEST(RegistriesConfigTest, ParsesMirrorsAndConfigs) {
  auto c = ParseRegistriesConfig(R"(
mirrors:
  docker.io:
    endpoint:
      - "http://127.0.0.1:5000"
      - "mirror.example.com"
configs:
  "127.0.0.1:5000":
    auth:
      username: u
      password: p
    tls:
      insecure_skip_verify: true
  "other:443":
    auth:
      auth: dXNlcjpwYXNz
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_EQ(c->mirrors["docker.io"].size(), 2u);
  EXPECT_EQ(c->mirrors["docker.io"][1], "https://mirror.example.com");
  EXPECT_EQ(c->configs["127.0.0.1:5000"].username, "u");
  EXPECT_TRUE(c->configs["127.0.0.1:5000"].insecure_skip_verify);
  EXPECT_EQ(c->configs["other:443"].username, "user");
  EXPECT_EQ(c->configs["other:443"].password, "pass");

  auto eps = EndpointsFor(*c, "docker.io");
  ASSERT_TRUE(eps.ok());
  ASSERT_EQ(eps->size(), 3u);
  EXPECT_EQ((*eps)[0].Url(), "http://127.0.0.1:5000/v2");
  EXPECT_EQ((*eps)[0].config.username, "u");
  EXPECT_EQ((*eps)[1].Url(), "https://mirror.example.com/v2");
  EXPECT_EQ((*eps)[2].Url(), "https://registry-1.docker.io/v2");
  auto local = EndpointsFor(*c, "localhost:5001");
  ASSERT_TRUE(local.ok());
  ASSERT_EQ(local->size(), 1u);
  EXPECT_EQ((*local)[0].Url(), "http://localhost:5001/v2");
}

TEST(RegistriesConfigTest, RejectsMalformedFiles) {
  EXPECT_EQ(ParseRegistriesConfig("mirrors: [1, 2]").status().code(), StatusCode::kInvalid);
  EXPECT_EQ(ParseRegistriesConfig("mirrors:\n  docker.io:\n    endpoint: x\n").status().code(),
            StatusCode::kInvalid);
  EXPECT_EQ(ParseRegistriesConfig("configs:\n  h:\n    auth:\n      auth: '!!'\n").status().code(),
            StatusCode::kInvalid);
  EXPECT_EQ(ParseRegistriesConfig("mirrors: {a: [").status().code(), StatusCode::kInvalid);
  EXPECT_TRUE(ParseRegistriesConfig("").ok());
  EXPECT_EQ(LoadRegistriesConfig("/nonexistent/registries.yaml").status().code(), StatusCode::kNotFound);
}

// A small registry on loopback serving one image from memory, with a Bearer
// (or Basic) challenge, optional 503s and a corrupt-blob mode.
class FakeRegistry {
 public:
  explicit FakeRegistry(const testimage::TestImage& image) {
    blobs_[image.config.digest] = image.config.data;
    for (const auto& l : image.layers) blobs_[l.digest] = l.data;
    manifest_ = image.manifest;
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t len = sizeof(a);
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(fd_, 16);
    thread_ = std::thread([this] { Serve(); });
  }
  ~FakeRegistry() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }

  std::string auth_mode = "bearer";  // "bearer", "basic" or "none"
  std::string user, password;        // required credentials when not empty
  std::atomic<int> fail_next{0};     // answer 503 to this many requests
  bool corrupt_blobs = false;
  std::atomic<int> token_requests{0};
  std::atomic<int> requests{0};

 private:
  void Serve() {
    while (!stop_) {
      int c = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c < 0) continue;
      Handle(c);
      ::close(c);
    }
  }
  static void Send(int c, int code, const std::string& reason,
                   const std::map<std::string, std::string>& headers, const std::string& body) {
    std::string out = "HTTP/1.1 " + std::to_string(code) + " " + reason + "\r\n";
    for (const auto& [k, v] : headers) out += k + ": " + v + "\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    size_t off = 0;
    while (off < out.size()) {
      ssize_t n = ::write(c, out.data() + off, out.size() - off);
      if (n <= 0) return;
      off += static_cast<size_t>(n);
    }
  }
  void Handle(int c) {
    std::string req;
    char buf[4096];
    while (req.find("\r\n\r\n") == std::string::npos) {
      ssize_t n = ::read(c, buf, sizeof(buf));
      if (n <= 0) return;
      req.append(buf, static_cast<size_t>(n));
    }
    ++requests;
    std::string line = req.substr(0, req.find("\r\n"));
    std::string target = line.substr(line.find(' ') + 1);
    target = target.substr(0, target.find(' '));
    std::string authz;
    if (size_t p = req.find("\r\nAuthorization: "); p != std::string::npos) {
      size_t s = p + 17;
      authz = req.substr(s, req.find("\r\n", s) - s);
    }
    if (fail_next > 0) {
      --fail_next;
      Send(c, 503, "Service Unavailable", {}, "");
      return;
    }
    std::string basic = "Basic " + Base64Encode(user + ":" + password);
    if (target.rfind("/token", 0) == 0) {
      ++token_requests;
      if (!user.empty() && authz != basic) {
        Send(c, 401, "Unauthorized", {}, R"({"details":"bad credentials"})");
        return;
      }
      Send(c, 200, "OK", {{"Content-Type", "application/json"}}, R"({"token":"tok123","expires_in":300})");
      return;
    }
    if (auth_mode == "bearer" && authz != "Bearer tok123") {
      Send(c, 401, "Unauthorized",
           {{"WWW-Authenticate", "Bearer realm=\"http://" + host() +
                                     "/token\",service=\"fake\",scope=\"repository:test/busybox:pull\""}},
           R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})");
      return;
    }
    if (auth_mode == "basic" && authz != basic) {
      Send(c, 401, "Unauthorized", {{"WWW-Authenticate", "Basic realm=\"fake\""}}, "");
      return;
    }
    const std::string mprefix = "/v2/test/busybox/manifests/";
    const std::string bprefix = "/v2/test/busybox/blobs/";
    if (target.rfind(mprefix, 0) == 0) {
      std::string ref = target.substr(mprefix.size());
      if (ref != "1" && ref != manifest_.digest) {
        Send(c, 404, "Not Found", {},
             R"({"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]})");
        return;
      }
      Send(c, 200, "OK",
           {{"Content-Type", manifest_.media_type}, {"Docker-Content-Digest", manifest_.digest}},
           manifest_.data);
      return;
    }
    if (target.rfind(bprefix, 0) == 0) {
      auto it = blobs_.find(target.substr(bprefix.size()));
      if (it == blobs_.end()) {
        Send(c, 404, "Not Found", {}, "");
        return;
      }
      std::string body = it->second;
      if (corrupt_blobs && body.size() > 10) body[body.size() / 2] ^= 1;
      Send(c, 200, "OK", {{"Content-Type", "application/octet-stream"}}, body);
      return;
    }
    Send(c, 404, "Not Found", {}, "");
  }

  std::map<std::string, std::string> blobs_;
  testimage::TestBlob manifest_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

class PullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    if (geteuid() != 0) GTEST_SKIP() << "needs root";
  }
  std::unique_ptr<ImageStore> OpenStore(const RegistriesConfig& registries = {}) {
    StoreOptions o;
    o.registries = registries;
    o.fetch.max_attempts = 3;
    o.fetch.initial_backoff = std::chrono::milliseconds(10);
    o.fetch.io_timeout = std::chrono::seconds(10);
    auto s = ImageStore::Open(tmp_.path() + "/store" + std::to_string(++stores_), o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  TempDir tmp_{"kubepp-pull-test"};
  int stores_ = 0;
};

TEST_F(PullTest, AnswersBearerChallengeAnonymouslyAndWithCredentials) {
  auto img = testimage::BuildBusyboxImage();
  ASSERT_TRUE(img.ok());
  FakeRegistry reg(*img);
  auto store = OpenStore();
  auto pulled = store->Pull(reg.host() + "/test/busybox:1");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->id, img->id());
  EXPECT_EQ(pulled->repo_tags, std::vector<std::string>{reg.host() + "/test/busybox:1"});
  EXPECT_EQ(pulled->repo_digests,
            std::vector<std::string>{reg.host() + "/test/busybox@" + img->manifest.digest});
  EXPECT_TRUE(fs::is_regular_file(pulled->layer_dirs[0] + "/bin/busybox"));
  EXPECT_EQ(reg.token_requests, 1);
  EXPECT_TRUE(store->Get(reg.host() + "/test/busybox@" + img->manifest.digest).ok());

  // With credentials required by the token endpoint.
  reg.user = "alice";
  reg.password = "s3cret";
  auto anon = OpenStore()->Pull(reg.host() + "/test/busybox:1");
  ASSERT_FALSE(anon.ok());
  EXPECT_EQ(anon.status().code(), StatusCode::kUnauthorized) << anon.status().ToString();
  RegistriesConfig rc;
  rc.configs[reg.host()].username = "alice";
  rc.configs[reg.host()].password = "s3cret";
  auto authed = OpenStore(rc)->Pull(reg.host() + "/test/busybox:1");
  ASSERT_TRUE(authed.ok()) << authed.status().ToString();
  PullOptions po;
  po.username = "alice";
  po.password = "s3cret";
  EXPECT_TRUE(OpenStore()->Pull(reg.host() + "/test/busybox@" + img->manifest.digest, po).ok());

  // Basic challenge.
  reg.auth_mode = "basic";
  EXPECT_EQ(OpenStore()->Pull(reg.host() + "/test/busybox:1").status().code(), StatusCode::kUnauthorized);
  EXPECT_TRUE(OpenStore(rc)->Pull(reg.host() + "/test/busybox:1").ok());
}

TEST_F(PullTest, RetriesUnavailableAndRejectsCorruptBlobs) {
  auto img = testimage::BuildBusyboxImage();
  ASSERT_TRUE(img.ok());
  FakeRegistry reg(*img);
  reg.auth_mode = "none";
  reg.fail_next = 2;  // max_attempts is 3
  auto store = OpenStore();
  auto pulled = store->Pull(reg.host() + "/test/busybox:1");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();

  reg.fail_next = 100;
  auto down = OpenStore()->Pull(reg.host() + "/test/busybox:1");
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable) << down.status().ToString();
  reg.fail_next = 0;

  reg.corrupt_blobs = true;
  auto corrupt_store = OpenStore();
  auto corrupt = corrupt_store->Pull(reg.host() + "/test/busybox:1");
  ASSERT_FALSE(corrupt.ok());
  EXPECT_EQ(corrupt.status().code(), StatusCode::kInvalid) << corrupt.status().ToString();
  EXPECT_TRUE(corrupt_store->List().empty());

  EXPECT_EQ(store->Pull(reg.host() + "/test/busybox:2").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store->Pull("Bad Ref").status().code(), StatusCode::kInvalid);
}

TEST_F(PullTest, PullsFromRealRegistryGzipAndZstd) {
  auto reg = testimage::TestRegistry::Start();
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  auto img = testimage::BuildBusyboxImage();
  ASSERT_TRUE(img.ok());
  std::string archive = tmp_.path() + "/bb.tar";
  ASSERT_TRUE(testimage::WriteOciArchive(*img, archive, "").ok());
  Status pushed = (*reg)->PushOciArchive(archive, "test/busybox:gzip");
  ASSERT_TRUE(pushed.ok()) << pushed.ToString();
  auto store = OpenStore();
  auto pulled = store->Pull((*reg)->host() + "/test/busybox:gzip");
  ASSERT_TRUE(pulled.ok()) << pulled.status().ToString();
  EXPECT_EQ(pulled->id, img->id());
  EXPECT_TRUE(fs::is_regular_file(pulled->layer_dirs[0] + "/bin/busybox"));

  // zstd layers, pushed as they are.
  testimage::TestImageOptions zo;
  zo.compression = "zstd";
  zo.extra_files["zstd"] = "yes";
  auto zimg = testimage::BuildBusyboxImage(zo);
  ASSERT_TRUE(zimg.ok());
  std::string zarchive = tmp_.path() + "/bbz.tar";
  ASSERT_TRUE(testimage::WriteOciArchive(*zimg, zarchive, "").ok());
  pushed = (*reg)->PushOciArchive(zarchive, "test/busybox:zstd");
  ASSERT_TRUE(pushed.ok()) << pushed.ToString();
  auto zpulled = store->Pull((*reg)->host() + "/test/busybox:zstd");
  ASSERT_TRUE(zpulled.ok()) << zpulled.status().ToString();
  EXPECT_EQ(zpulled->id, zimg->id());
  std::ifstream manifest(store->root() + "/blobs/sha256/" + zpulled->manifest_digest.substr(7));
  std::string body((std::istreambuf_iterator<char>(manifest)), {});
  EXPECT_NE(body.find("tar+zstd"), std::string::npos) << body;
  EXPECT_TRUE(fs::is_regular_file(zpulled->layer_dirs[0] + "/zstd"));

  // A docker-archive push (skopeo converts it to Docker schema 2, gzip).
  std::string darchive = tmp_.path() + "/bbd.tar";
  ASSERT_TRUE(testimage::WriteDockerArchive(*img, darchive, "busybox:latest").ok());
  pushed = (*reg)->PushDockerArchive(darchive, "test/busybox:docker");
  ASSERT_TRUE(pushed.ok()) << pushed.ToString();
  auto dpulled = store->Pull((*reg)->host() + "/test/busybox:docker");
  ASSERT_TRUE(dpulled.ok()) << dpulled.status().ToString();
  EXPECT_EQ(dpulled->diff_ids, pulled->diff_ids);
  EXPECT_EQ(dpulled->layer_dirs, pulled->layer_dirs);  // unpacked once

  // Mirrors: docker.io names served by the local registry; and a dead first
  // mirror falls through to the next endpoint.
  pushed = (*reg)->PushOciArchive(archive, "library/busybox:mirrored");
  ASSERT_TRUE(pushed.ok()) << pushed.ToString();
  std::string yaml_path = tmp_.path() + "/registries.yaml";
  std::ofstream(yaml_path)
      << "mirrors:\n  docker.io:\n    endpoint:\n      - \"http://" << (*reg)->host()
      << "\"\n  \"127.0.0.2:1\":\n    endpoint:\n      - \"http://127.0.0.1:1\"\n      - \"http://"
      << (*reg)->host() << "\"\n";
  auto rc = LoadRegistriesConfig(yaml_path);
  ASSERT_TRUE(rc.ok()) << rc.status().ToString();
  auto mstore = OpenStore(*rc);
  auto m = mstore->Pull("busybox:mirrored");
  ASSERT_TRUE(m.ok()) << m.status().ToString();
  EXPECT_EQ(m->repo_tags, std::vector<std::string>{"docker.io/library/busybox:mirrored"});
  EXPECT_TRUE(mstore->Get("busybox:mirrored").ok());
  auto m2 = mstore->Pull("127.0.0.2:1/library/busybox:mirrored");
  ASSERT_TRUE(m2.ok()) << m2.status().ToString();
  EXPECT_EQ(m2->id, img->id());
}

}  // namespace
}  // namespace kubepp::runtime::image
