#include "apiserver/auth/kubeconfig.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <random>

#include "apiserver/auth/files.h"
#include "common/encoding.h"
#include "apiserver/auth/test_util.h"

namespace kubepp::apiserver::auth {
namespace {

using ::testing::HasSubstr;
using testing::FileMode;

const Clock::time_point kT0 = Clock::from_time_t(1767225600);

StatusOr<Pki> MakePki(const std::string& dir) {
  PkiOptions o;
  o.data_dir = dir;
  o.host_sans = std::vector<std::string>{};
  return EnsurePki(o);
}

TEST(KubeconfigTest, AdminKubeconfigRoundTrip) {
  TempDir dir;
  auto pki = MakePki(dir.path());
  ASSERT_TRUE(pki.ok()) << pki.status().ToString();
  auto path = WriteAdminKubeconfig(dir.path(), 6443, *pki);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, dir.path() + "/kubeconfig.yaml");
  EXPECT_EQ(FileMode(*path), 0600u);
  auto kc = LoadKubeconfig(*path);
  ASSERT_TRUE(kc.ok()) << kc.status().ToString();
  EXPECT_EQ(kc->context_name, "default");
  EXPECT_EQ(kc->cluster_name, "default");
  EXPECT_EQ(kc->user_name, "default");
  EXPECT_EQ(kc->server, "https://127.0.0.1:6443");
  EXPECT_EQ(kc->ca_pem, pki->ca.cert_pem);
  EXPECT_EQ(kc->client_cert_pem, pki->admin_client.cert_pem);
  EXPECT_EQ(kc->client_key_pem, pki->admin_client.key_pem);
  EXPECT_FALSE(kc->insecure_skip_tls_verify);
  EXPECT_EQ(kc->token, "");
  auto text = ReadFile(*path);
  ASSERT_TRUE(text.ok());
  EXPECT_THAT(*text, HasSubstr("current-context: default\n"));
  EXPECT_THAT(*text, HasSubstr("certificate-authority-data: "));
  EXPECT_FALSE(WriteAdminKubeconfig(dir.path(), 0, *pki).ok());
}

TEST(KubeconfigTest, FilesTokensAndNamedContexts) {
  TempDir dir;
  auto pki = MakePki(dir.path());
  ASSERT_TRUE(pki.ok());
  ASSERT_TRUE(WriteFileAtomic(dir.path() + "/tok", "  s3cret\n", 0600).ok());
  std::string text = R"(apiVersion: v1
kind: Config
current-context: a
clusters:
- name: c1
  cluster:
    server: https://10.0.0.1:6443
    certificate-authority: tls/ca.crt
    insecure-skip-tls-verify: true
    tls-server-name: kubernetes
users:
- name: u1
  user:
    client-certificate: )" + pki->admin_client.cert_file + R"(
    client-key: tls/client-admin.key
- name: u2
  user:
    tokenFile: tok
- name: u3
  user:
    token: inline
    tokenFile: tok
contexts:
- name: a
  context: {cluster: c1, user: u1, namespace: kube-system}
- name: b
  context: {cluster: c1, user: u2}
- name: c
  context: {cluster: c1, user: u3}
)";
  auto a = ParseKubeconfig(text, dir.path(), "test");
  ASSERT_TRUE(a.ok()) << a.status().ToString();
  EXPECT_EQ(a->server, "https://10.0.0.1:6443");
  EXPECT_EQ(a->ca_pem, pki->ca.cert_pem);
  EXPECT_TRUE(a->insecure_skip_tls_verify);
  EXPECT_EQ(a->tls_server_name, "kubernetes");
  EXPECT_EQ(a->namespace_, "kube-system");
  EXPECT_EQ(a->client_cert_pem, pki->admin_client.cert_pem);
  EXPECT_EQ(a->client_key_pem, pki->admin_client.key_pem);
  auto b = ParseKubeconfig(text, dir.path(), "test", "b");
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  EXPECT_EQ(b->token, "s3cret");
  EXPECT_EQ(b->client_cert_pem, "");
  auto c = ParseKubeconfig(text, dir.path(), "test", "c");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->token, "inline");
  auto missing = ParseKubeconfig(text, dir.path(), "test", "zzz");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(), HasSubstr("contexts: no entry named \"zzz\""));
}

TEST(KubeconfigTest, ErrorsNameTheField) {
  struct Case {
    std::string yaml;
    std::string want;
  } cases[] = {
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
       "clusters: [{name: c, cluster: {server: https://h, certificate-authority-data: '!!!'}}]\n",
       "clusters[0].cluster.certificate-authority-data: illegal base64"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c, user: u}}]\n"
       "clusters: [{name: c, cluster: {server: https://h}}]\n"
       "users: [{name: u, user: {client-key-data: 'QQ=='}}]\n",
       "users[0].user: client-key set without client-certificate"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: [{name: c, cluster: {server: 5}}]\n",
       "clusters[0].cluster.server: must be a string"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: [{name: c, cluster: {server: https://h, insecure-skip-tls-verify: maybe}}]\n",
       "clusters[0].cluster.insecure-skip-tls-verify: must be a boolean"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\n"
       "clusters: [{name: c, cluster: {certificate-authority: /nonexistent/ca.crt, server: https://h}}]\n",
       "clusters[0].cluster.certificate-authority: /nonexistent/ca.crt"},
      {"current-context: x\ncontexts: [{name: x, context: {cluster: c}}]\nclusters: [{name: c, cluster: {}}]\n",
       "clusters[0].cluster.server: must be set"},
      {"contexts: []\n", "current-context: not set"},
      {"- a\n", "(document): must be a mapping"},
      {"a: [\n", "kubeconfig f: yaml: document 1, line"},
  };
  for (const auto& c : cases) {
    auto r = ParseKubeconfig(c.yaml, "/", "f");
    ASSERT_FALSE(r.ok()) << c.yaml;
    EXPECT_THAT(r.status().message(), HasSubstr(c.want)) << c.yaml;
  }
  EXPECT_EQ(LoadKubeconfig("/nonexistent/kubeconfig").status().code(), StatusCode::kNotFound);
}

// The real kubectl reads the file unchanged (no server involved).
TEST(KubeconfigTest, KubectlParsesTheWrittenFile) {
  if (access("/usr/bin/kubectl", X_OK) != 0) GTEST_SKIP() << "kubectl not installed";
  TempDir dir;
  auto pki = MakePki(dir.path());
  ASSERT_TRUE(pki.ok());
  auto path = WriteAdminKubeconfig(dir.path(), 16443, *pki);
  ASSERT_TRUE(path.ok());
  auto run = [&](const std::string& jsonpath) {
    std::string cmd = "/usr/bin/kubectl --kubeconfig " + *path + " config view --raw -o jsonpath='" + jsonpath +
                      "' 2>&1";
    std::string out;
    FILE* p = popen(cmd.c_str(), "r");
    if (p == nullptr) return std::string("<popen failed>");
    std::array<char, 4096> buf;
    size_t n;
    while ((n = fread(buf.data(), 1, buf.size(), p)) > 0) out.append(buf.data(), n);
    int rc = pclose(p);
    if (rc != 0) out += "<exit " + std::to_string(rc) + ">";
    return out;
  };
  EXPECT_EQ(run("{.users[0].user.client-certificate-data}"), Base64Encode(pki->admin_client.cert_pem));
  EXPECT_EQ(run("{.users[0].user.client-key-data}"), Base64Encode(pki->admin_client.key_pem));
  EXPECT_EQ(run("{.clusters[0].cluster.certificate-authority-data}"), Base64Encode(pki->ca.cert_pem));
  EXPECT_EQ(run("{.clusters[0].cluster.server}"), "https://127.0.0.1:16443");
  EXPECT_EQ(run("{.current-context}"), "default");
}

}  // namespace
}  // namespace kubepp::apiserver::auth

namespace kubepp::apiserver::auth {
namespace {

TEST(KubeconfigTest, MutatedFilesNeverCrash) {
  std::string good = RenderKubeconfig("https://127.0.0.1:1", "ca", "cert", "key");
  std::mt19937 rng(3);
  for (int i = 0; i < 500; ++i) {
    std::string text = good;
    for (int k = 0; k < 1 + i % 5; ++k) text[rng() % text.size()] = "x:-[]{}\n '\"!&*"[rng() % 15];
    (void)ParseKubeconfig(text, "/nonexistent", "f");
  }
  auto ok = ParseKubeconfig(good, "/", "f");
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->client_key_pem, "key");
}

}  // namespace
}  // namespace kubepp::apiserver::auth
