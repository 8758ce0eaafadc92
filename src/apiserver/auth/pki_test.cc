#include "apiserver/auth/pki.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "apiserver/auth/files.h"
#include "apiserver/auth/test_util.h"

namespace kubepp::apiserver::auth {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using testing::FileMode;
using std::chrono::hours;

using Days = std::chrono::duration<double, std::ratio<86400>>;

// A fixed instant so tests do not depend on the wall clock: 2026-01-01.
const Clock::time_point kT0 = Clock::from_time_t(1767225600);

PkiOptions Options(const std::string& dir) {
  PkiOptions o;
  o.data_dir = dir;
  o.host_sans = std::vector<std::string>{"192.0.2.10", "2001:db8::10", "node-a"};
  o.extra_sans = {"api.example.test"};
  o.now = kT0;
  return o;
}

// Independent checks with the OpenSSL API (not the code under test).
struct X509Deleter {
  void operator()(X509* x) const { X509_free(x); }
};
std::unique_ptr<X509, X509Deleter> Load(const std::string& pem) {
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  X509* x = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
  BIO_free(bio);
  return std::unique_ptr<X509, X509Deleter>(x);
}

// Verifies `leaf` against `ca` at `at` for `purpose`; returns OpenSSL's error text or "".
std::string OsslVerify(const std::string& leaf_pem, const std::string& ca_pem, Clock::time_point at, int purpose) {
  auto leaf = Load(leaf_pem);
  auto ca = Load(ca_pem);
  if (!leaf || !ca) return "unparsable";
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, ca.get());
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf.get(), nullptr);
  X509_STORE_CTX_set_time(ctx, 0, Clock::to_time_t(at));
  X509_STORE_CTX_set_purpose(ctx, purpose);
  int rc = X509_verify_cert(ctx);
  std::string err = rc == 1 ? "" : X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  ERR_clear_error();
  return err;
}

std::string Slurp(const std::string& path) {
  auto r = ReadFile(path);
  return r.ok() ? *r : "<" + r.status().ToString() + ">";
}

TEST(PkiTest, FirstStartCreatesAVerifiableChain) {
  TempDir dir;
  auto pki = EnsurePki(Options(dir.path()));
  ASSERT_TRUE(pki.ok()) << pki.status().ToString();
  Clock::time_point at = kT0 + hours(1);

  EXPECT_EQ(OsslVerify(pki->serving.cert_pem, pki->ca.cert_pem, at, X509_PURPOSE_SSL_SERVER), "");
  EXPECT_EQ(OsslVerify(pki->admin_client.cert_pem, pki->ca.cert_pem, at, X509_PURPOSE_SSL_CLIENT), "");
  EXPECT_EQ(OsslVerify(pki->kubelet_client.cert_pem, pki->ca.cert_pem, at, X509_PURPOSE_SSL_CLIENT), "");
  // Key usages keep each certificate to its role.
  EXPECT_NE(OsslVerify(pki->serving.cert_pem, pki->ca.cert_pem, at, X509_PURPOSE_SSL_CLIENT), "");
  EXPECT_NE(OsslVerify(pki->admin_client.cert_pem, pki->ca.cert_pem, at, X509_PURPOSE_SSL_SERVER), "");
  // Outside the validity window the chain fails.
  EXPECT_EQ(OsslVerify(pki->serving.cert_pem, pki->ca.cert_pem, kT0 + hours(24 * 366), X509_PURPOSE_SSL_SERVER),
            "certificate has expired");

  auto ca = Load(pki->ca.cert_pem);
  EXPECT_GT(X509_check_ca(ca.get()), 0);
  EXPECT_EQ(X509_check_issued(ca.get(), ca.get()), X509_V_OK);  // self-signed

  auto serving = Load(pki->serving.cert_pem);
  for (const char* host : {"localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                           "kubernetes.default.svc.cluster.local", "node-a", "api.example.test"}) {
    EXPECT_EQ(X509_check_host(serving.get(), host, 0, 0, nullptr), 1) << host;
  }
  for (const char* ip : {"127.0.0.1", "10.43.0.1", "192.0.2.10", "2001:db8::10"}) {
    EXPECT_EQ(X509_check_ip_asc(serving.get(), ip, 0), 1) << ip;
  }
  EXPECT_EQ(X509_check_host(serving.get(), "evil.example", 0, 0, nullptr), 0);

  auto admin = InspectCertificate(pki->admin_client.cert_pem);
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->common_name, "system:admin");
  EXPECT_EQ(admin->organizations, std::vector<std::string>{"system:masters"});
  EXPECT_TRUE(admin->client_auth);
  EXPECT_FALSE(admin->server_auth);
  EXPECT_FALSE(admin->is_ca);
  auto kubelet = InspectCertificate(pki->kubelet_client.cert_pem);
  ASSERT_TRUE(kubelet.ok());
  EXPECT_EQ(kubelet->common_name, "kube-apiserver-kubelet-client");
  EXPECT_EQ(kubelet->organizations, std::vector<std::string>{"kubepp:apiserver"});
  // Leaves live one year, the CA ten.
  EXPECT_NEAR(Days(admin->not_after - kT0).count(), 365, 0.01);
  auto ca_info = InspectCertificate(pki->ca.cert_pem);
  ASSERT_TRUE(ca_info.ok());
  EXPECT_NEAR(Days(ca_info->not_after - kT0).count(), 3650, 0.01);
}

TEST(PkiTest, FilesAndModes) {
  TempDir dir;
  auto pki = EnsurePki(Options(dir.path()));
  ASSERT_TRUE(pki.ok()) << pki.status().ToString();
  EXPECT_EQ(FileMode(dir.path() + "/tls"), 0700u);
  for (const CertKeyPair* p : {&pki->ca, &pki->serving, &pki->admin_client, &pki->kubelet_client}) {
    EXPECT_EQ(FileMode(p->key_file), 0600u) << p->key_file;
    EXPECT_EQ(FileMode(p->cert_file), 0644u) << p->cert_file;
    EXPECT_EQ(Slurp(p->cert_file), p->cert_pem);
    EXPECT_EQ(Slurp(p->key_file), p->key_pem);
    EXPECT_TRUE(CheckKeyMatches(p->cert_pem, p->key_pem).ok());
  }
  // No temp files left behind.
  for (const auto& e : std::filesystem::directory_iterator(dir.path() + "/tls")) {
    EXPECT_EQ(e.path().string().find(".tmp."), std::string::npos) << e.path();
  }
}

TEST(PkiTest, SecondStartReusesEverything) {
  TempDir dir;
  auto first = EnsurePki(Options(dir.path()));
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  PkiOptions later = Options(dir.path());
  later.now = kT0 + hours(24 * 30);
  auto second = EnsurePki(later);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->ca.cert_pem, first->ca.cert_pem);
  EXPECT_EQ(second->ca.key_pem, first->ca.key_pem);
  EXPECT_EQ(second->serving.cert_pem, first->serving.cert_pem);
  EXPECT_EQ(second->serving.key_pem, first->serving.key_pem);
  EXPECT_EQ(second->admin_client.cert_pem, first->admin_client.cert_pem);
  EXPECT_EQ(second->kubelet_client.cert_pem, first->kubelet_client.cert_pem);
  EXPECT_EQ(Slurp(second->serving.cert_file), first->serving.cert_pem);
}

TEST(PkiTest, LeafNearExpiryIsRenewedWithTheSameCa) {
  TempDir dir;
  auto first = EnsurePki(Options(dir.path()));
  ASSERT_TRUE(first.ok());
  PkiOptions later = Options(dir.path());
  later.now = kT0 + hours(24 * 300);  // 65 days before the leaves expire
  auto second = EnsurePki(later);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_EQ(second->ca.cert_pem, first->ca.cert_pem);
  EXPECT_EQ(second->ca.key_pem, first->ca.key_pem);
  EXPECT_NE(second->serving.cert_pem, first->serving.cert_pem);
  EXPECT_NE(second->admin_client.cert_pem, first->admin_client.cert_pem);
  EXPECT_NE(second->kubelet_client.cert_pem, first->kubelet_client.cert_pem);
  // The key is kept; the new certificate verifies well past the old expiry.
  EXPECT_EQ(second->admin_client.key_pem, first->admin_client.key_pem);
  EXPECT_EQ(Slurp(second->admin_client.cert_file), second->admin_client.cert_pem);
  Clock::time_point past_old_expiry = kT0 + hours(24 * 400);
  EXPECT_EQ(OsslVerify(second->admin_client.cert_pem, first->ca.cert_pem, past_old_expiry, X509_PURPOSE_SSL_CLIENT),
            "");
  EXPECT_EQ(OsslVerify(second->serving.cert_pem, first->ca.cert_pem, past_old_expiry, X509_PURPOSE_SSL_SERVER), "");

  // A shorter renewal window leaves them alone at the same instant.
  TempDir dir2;
  ASSERT_TRUE(EnsurePki(Options(dir2.path())).ok());
  PkiOptions narrow = Options(dir2.path());
  narrow.now = kT0 + hours(24 * 300);
  narrow.renew_before = hours(24 * 30);
  auto before = Slurp(dir2.path() + "/tls/client-admin.crt");
  ASSERT_TRUE(EnsurePki(narrow).ok());
  EXPECT_EQ(Slurp(dir2.path() + "/tls/client-admin.crt"), before);
}

TEST(PkiTest, NewHostAddressReissuesOnlyTheServingCert) {
  TempDir dir;
  auto first = EnsurePki(Options(dir.path()));
  ASSERT_TRUE(first.ok());
  PkiOptions moved = Options(dir.path());
  moved.host_sans->push_back("198.51.100.7");
  auto second = EnsurePki(moved);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_NE(second->serving.cert_pem, first->serving.cert_pem);
  EXPECT_EQ(second->admin_client.cert_pem, first->admin_client.cert_pem);
  EXPECT_EQ(second->ca.cert_pem, first->ca.cert_pem);
  auto serving = Load(second->serving.cert_pem);
  EXPECT_EQ(X509_check_ip_asc(serving.get(), "198.51.100.7", 0), 1);
  // Dropping a name is not a reason to re-issue (the cert still covers all).
  PkiOptions fewer = Options(dir.path());
  fewer.host_sans = std::vector<std::string>{"192.0.2.10"};
  auto third = EnsurePki(fewer);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->serving.cert_pem, second->serving.cert_pem);
}

TEST(PkiTest, DamagedLeavesAreReissuedButADamagedCaIsAnError) {
  TempDir dir;
  auto first = EnsurePki(Options(dir.path()));
  ASSERT_TRUE(first.ok());
  // Garbage certificate, and a key that belongs to another certificate.
  ASSERT_TRUE(WriteFileAtomic(first->serving.cert_file, "not a cert", 0644).ok());
  ASSERT_TRUE(WriteFileAtomic(first->admin_client.key_file, first->kubelet_client.key_pem, 0600).ok());
  auto second = EnsurePki(Options(dir.path()));
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  EXPECT_TRUE(CheckKeyMatches(second->serving.cert_pem, second->serving.key_pem).ok());
  EXPECT_TRUE(CheckKeyMatches(second->admin_client.cert_pem, second->admin_client.key_pem).ok());
  EXPECT_EQ(second->ca.cert_pem, first->ca.cert_pem);
  EXPECT_EQ(second->kubelet_client.cert_pem, first->kubelet_client.cert_pem);

  // A leaf signed by another CA is replaced.
  TempDir other;
  auto foreign = EnsurePki(Options(other.path()));
  ASSERT_TRUE(foreign.ok());
  ASSERT_TRUE(WriteFileAtomic(second->kubelet_client.cert_file, foreign->kubelet_client.cert_pem, 0644).ok());
  ASSERT_TRUE(WriteFileAtomic(second->kubelet_client.key_file, foreign->kubelet_client.key_pem, 0600).ok());
  auto third = EnsurePki(Options(dir.path()));
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(OsslVerify(third->kubelet_client.cert_pem, first->ca.cert_pem, kT0 + hours(1), X509_PURPOSE_SSL_CLIENT),
            "");

  std::filesystem::remove(first->ca.key_file);
  auto broken = EnsurePki(Options(dir.path()));
  ASSERT_FALSE(broken.ok());
  EXPECT_THAT(broken.status().message(), HasSubstr("cluster CA"));
  // The CA certificate was not replaced.
  EXPECT_EQ(Slurp(first->ca.cert_file), first->ca.cert_pem);
}

TEST(PkiTest, IssueClientCertForAnyUser) {
  TempDir dir;
  auto pki = EnsurePki(Options(dir.path()));
  ASSERT_TRUE(pki.ok());
  auto cert = IssueClientCert(pki->ca, "system:node:worker-1", {"system:nodes", "extra"}, kT0, hours(24));
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_EQ(OsslVerify(cert->cert_pem, pki->ca.cert_pem, kT0 + hours(1), X509_PURPOSE_SSL_CLIENT), "");
  auto info = InspectCertificate(cert->cert_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->common_name, "system:node:worker-1");
  EXPECT_EQ(info->organizations, (std::vector<std::string>{"system:nodes", "extra"}));
  EXPECT_EQ(info->issuer_common_name, InspectCertificate(pki->ca.cert_pem)->common_name);
  EXPECT_EQ(OsslVerify(cert->cert_pem, pki->ca.cert_pem, kT0 + hours(25), X509_PURPOSE_SSL_CLIENT),
            "certificate has expired");
  EXPECT_FALSE(IssueClientCert(pki->ca, "", {}, kT0).ok());
  CertKeyPair bad_ca{"junk", "junk", "", ""};
  EXPECT_FALSE(IssueClientCert(bad_ca, "u", {}, kT0).ok());
}

TEST(PkiTest, ServiceIpAndSanValidation) {
  EXPECT_EQ(*FirstServiceIp("10.43.0.0/16"), "10.43.0.1");
  EXPECT_EQ(*FirstServiceIp("10.96.5.7/12"), "10.96.0.1");
  EXPECT_EQ(*FirstServiceIp("fd00:43::/112"), "fd00:43::1");
  EXPECT_EQ(*FirstServiceIp("10.0.0.0/30"), "10.0.0.1");
  for (const char* bad : {"10.43.0.0", "10.43.0.0/33", "10.43.0.0/32", "nope/16", "10.43.0.0/x", "10.43.0.0/"}) {
    auto r = FirstServiceIp(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
    EXPECT_THAT(r.status().message(), HasSubstr(bad));
  }
  TempDir dir;
  PkiOptions o = Options(dir.path());
  o.extra_sans = {"bad name,IP:1.2.3.4"};
  auto r = EnsurePki(o);
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(r.status().message(), HasSubstr("bad name,IP:1.2.3.4"));
  EXPECT_FALSE(std::filesystem::exists(dir.path() + "/tls/ca.crt"));

  o = Options(dir.path());
  o.extra_sans = {"127.0.0.1", "LOCALHOST", "::ffff:0:0"};
  auto sans = RequiredServingSans(o);
  ASSERT_TRUE(sans.ok());
  EXPECT_EQ(std::count(sans->begin(), sans->end(), "127.0.0.1"), 1);
  EXPECT_EQ(std::count(sans->begin(), sans->end(), "localhost"), 1);
  EXPECT_THAT(*sans, Contains("10.43.0.1"));
}

TEST(PkiTest, HostSansListsNoLoopback) {
  auto sans = HostSans();
  for (const auto& s : sans) {
    EXPECT_NE(s.rfind("127.", 0), 0u) << s;
    EXPECT_NE(s, "::1");
  }
}

TEST(PkiTest, DefaultHostSansAreInTheServingCert) {
  TempDir dir;
  PkiOptions o;
  o.data_dir = dir.path();
  auto pki = EnsurePki(o);
  ASSERT_TRUE(pki.ok()) << pki.status().ToString();
  auto info = InspectCertificate(pki->serving.cert_pem);
  ASSERT_TRUE(info.ok());
  std::vector<std::string> have = info->dns_names;
  have.insert(have.end(), info->ip_addresses.begin(), info->ip_addresses.end());
  for (const auto& san : HostSans()) EXPECT_THAT(have, ::testing::Contains(san));
  EXPECT_THAT(have, ::testing::Contains("10.43.0.1"));
}

// Bad bytes never crash the parsers (run under ASan to make this bite).
TEST(PkiTest, GarbageCertificatesAreErrors) {
  std::mt19937 rng(7);
  TempDir dir;
  PkiOptions o;
  o.data_dir = dir.path();
  o.host_sans = std::vector<std::string>{};
  auto pki = EnsurePki(o);
  ASSERT_TRUE(pki.ok());
  std::string pem = pki->admin_client.cert_pem;
  for (int i = 0; i < 300; ++i) {
    std::string mutated = pem;
    for (int k = 0; k < 1 + i % 8; ++k) mutated[rng() % mutated.size()] = static_cast<char>(rng());
    (void)InspectCertificate(mutated);
    (void)VerifyCertificate(mutated, pki->ca.cert_pem, Clock::now());
    std::string random(rng() % 600, '\0');
    for (char& c : random) c = static_cast<char>(rng());
    EXPECT_FALSE(InspectCertificate(random).ok());
  }
}

TEST(PkiTest, SignCsrKeepsTheAgentsKeyAndNamesTheServersChoice) {
  TempDir dir;
  PkiOptions o;
  o.data_dir = dir.path();
  o.host_sans = std::vector<std::string>{};
  o.now = kT0;
  auto pki = EnsurePki(o);
  ASSERT_TRUE(pki.ok());
  auto csr = MakeCsr("i-claim-to-be-admin", {"system:masters"});
  ASSERT_TRUE(csr.ok()) << csr.status().ToString();
  auto cert = SignCsr(pki->ca, csr->cert_pem, "system:node:n1", {"system:nodes"}, kT0);
  ASSERT_TRUE(cert.ok()) << cert.status().ToString();
  EXPECT_TRUE(CheckKeyMatches(*cert, csr->key_pem).ok());
  EXPECT_EQ(OsslVerify(*cert, pki->ca.cert_pem, kT0 + hours(1), X509_PURPOSE_SSL_CLIENT), "");
  auto info = InspectCertificate(*cert);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->common_name, "system:node:n1");
  EXPECT_EQ(info->organizations, std::vector<std::string>{"system:nodes"});
  EXPECT_FALSE(info->server_auth);

  auto serving = SignCsr(pki->ca, csr->cert_pem, "system:node:n1", {"system:nodes"}, kT0, hours(24), true,
                         {"192.0.2.20", "n1"});
  ASSERT_TRUE(serving.ok());
  EXPECT_EQ(OsslVerify(*serving, pki->ca.cert_pem, kT0 + hours(1), X509_PURPOSE_SSL_SERVER), "");
  auto x = Load(*serving);
  EXPECT_EQ(X509_check_ip_asc(x.get(), "192.0.2.20", 0), 1);

  // A CSR whose signature was tampered with is refused.
  std::string bad = csr->cert_pem;
  size_t mid = bad.size() / 2;
  bad[mid] = bad[mid] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(SignCsr(pki->ca, bad, "u", {}, kT0).ok());
  EXPECT_FALSE(SignCsr(pki->ca, "junk", "u", {}, kT0).ok());
  EXPECT_FALSE(SignCsr(pki->ca, csr->cert_pem, "", {}, kT0).ok());
}

}  // namespace
}  // namespace kubepp::apiserver::auth
