#include "apiserver/auth/authn.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

#include "apiserver/auth/files.h"
#include "common/encoding.h"
#include "apiserver/auth/pki.h"
#include "apiserver/auth/test_util.h"

namespace kubepp::apiserver::auth {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::FileMode;
using std::chrono::hours;

Clock::time_point FixedNow() { return Clock::from_time_t(1767225600) + hours(1); }
const Clock::time_point kT0 = Clock::from_time_t(1767225600);

StatusOr<Pki> MakePki(const std::string& dir) {
  PkiOptions o;
  o.data_dir = dir;
  o.host_sans = std::vector<std::string>{};
  o.now = kT0;
  return EnsurePki(o);
}

TEST(X509AuthenticatorTest, CertificateBecomesUserAndGroups) {
  TempDir dir;
  auto pki = MakePki(dir.path());
  ASSERT_TRUE(pki.ok());
  X509Authenticator authn(pki->ca.cert_pem, &FixedNow);

  auto admin = authn.Authenticate({pki->admin_client.cert_pem, ""});
  ASSERT_TRUE(admin.ok()) << admin.status().ToString();
  ASSERT_TRUE(admin->has_value());
  EXPECT_EQ((*admin)->name, "system:admin");
  EXPECT_THAT((*admin)->groups, ElementsAre("system:masters"));

  auto node = IssueClientCert(pki->ca, "system:node:n1", {"system:nodes"}, kT0);
  ASSERT_TRUE(node.ok());
  // DER works as well as PEM.
  auto der = Base64Decode(node->cert_pem.substr(node->cert_pem.find('\n') + 1,
                                                node->cert_pem.find("-----END") - node->cert_pem.find('\n') - 1));
  ASSERT_TRUE(der.has_value());
  auto n1 = authn.Authenticate({*der, ""});
  ASSERT_TRUE(n1.ok()) << n1.status().ToString();
  ASSERT_TRUE(n1->has_value());
  EXPECT_EQ((*n1)->name, "system:node:n1");
  EXPECT_THAT((*n1)->groups, ElementsAre("system:nodes"));

  // No certificate: not applicable.
  auto none = authn.Authenticate({"", "Bearer x"});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  // A serving certificate is not a client certificate.
  auto serving = authn.Authenticate({pki->serving.cert_pem, ""});
  ASSERT_FALSE(serving.ok());
  EXPECT_EQ(serving.status().code(), StatusCode::kUnauthorized);

  // Another cluster's certificate does not verify.
  TempDir other;
  auto foreign = MakePki(other.path());
  ASSERT_TRUE(foreign.ok());
  auto f = authn.Authenticate({foreign->admin_client.cert_pem, ""});
  ASSERT_FALSE(f.ok());
  EXPECT_THAT(f.status().message(), HasSubstr("x509"));

  // Expired.
  auto old = IssueClientCert(pki->ca, "old", {}, kT0 - hours(48), hours(24));
  ASSERT_TRUE(old.ok());
  auto o = authn.Authenticate({old->cert_pem, ""});
  ASSERT_FALSE(o.ok());
  EXPECT_THAT(o.status().message(), HasSubstr("expired"));

  // Garbage never crashes.
  EXPECT_FALSE(authn.Authenticate({"garbage", ""}).ok());
  EXPECT_FALSE(authn.Authenticate({"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", ""}).ok());
}

// A clock the test moves; X509Authenticator takes a plain function pointer.
std::atomic<int64_t> g_offset_seconds{0};
Clock::time_point MovableNow() { return kT0 + std::chrono::seconds(g_offset_seconds.load()); }

// Verified certificates are cached; the cache must not outlive a
// certificate's expiry nor hand one certificate's user to another.
TEST(X509AuthenticatorTest, CachedCertificatesStillExpire) {
  TempDir dir;
  auto pki = MakePki(dir.path());
  ASSERT_TRUE(pki.ok());
  g_offset_seconds = 3600;
  X509Authenticator authn(pki->ca.cert_pem, &MovableNow);
  auto day = IssueClientCert(pki->ca, "day", {"g1"}, kT0, hours(24));
  auto other = IssueClientCert(pki->ca, "other", {"g2"}, kT0, hours(24));
  ASSERT_TRUE(day.ok() && other.ok());

  for (int i = 0; i < 2; ++i) {  // the second round is served from the cache
    auto a = authn.Authenticate({day->cert_pem, ""});
    ASSERT_TRUE(a.ok() && a->has_value()) << i;
    EXPECT_EQ((*a)->name, "day");
    EXPECT_THAT((*a)->groups, ElementsAre("g1"));
    auto b = authn.Authenticate({other->cert_pem, ""});
    ASSERT_TRUE(b.ok() && b->has_value()) << i;
    EXPECT_EQ((*b)->name, "other");
  }

  // Past notAfter the cached entry no longer answers.
  g_offset_seconds = 25 * 3600;
  auto expired = authn.Authenticate({day->cert_pem, ""});
  ASSERT_FALSE(expired.ok());
  EXPECT_EQ(expired.status().code(), StatusCode::kUnauthorized);
  EXPECT_THAT(expired.status().message(), HasSubstr("expired"));

  // A certificate without a real expiry (RFC 5280's 99991231235959Z) is
  // accepted and cached like any other.
  g_offset_seconds = 3600;
  auto forever = IssueClientCert(pki->ca, "forever", {}, kT0, std::chrono::seconds(253402300799 - 1767225600));
  ASSERT_TRUE(forever.ok()) << forever.status().ToString();
  auto info = InspectCertificate(forever->cert_pem);
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->not_after, Clock::time_point::max());
  for (int i = 0; i < 2; ++i) {
    auto f = authn.Authenticate({forever->cert_pem, ""});
    ASSERT_TRUE(f.ok() && f->has_value()) << f.status().ToString();
    EXPECT_EQ((*f)->name, "forever");
  }
}

TEST(TokenCsvTest, ParsesUpstreamFormat) {
  auto r = ParseTokenCsv(
      "tok1,alice,uid-1,\"group1,group2\"\n"
      "\n"
      "tok2, bob ,uid-2\r\n"
      "tok3,carol,uid-3,\"g1, g2 ,\",ignored\n"
      ",nobody,uid-x\n"
      "tok1,alice2,uid-1b\n"
      "\"tok,4\",\"d\"\"q\",uid-4,single",
      "tokens.csv");
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 4u);
  EXPECT_EQ((*r)[0].token, "tok2");
  EXPECT_EQ((*r)[0].user.name, "bob ");
  EXPECT_EQ((*r)[0].user.uid, "uid-2");
  EXPECT_TRUE((*r)[0].user.groups.empty());
  EXPECT_EQ((*r)[1].token, "tok3");
  EXPECT_THAT((*r)[1].user.groups, ElementsAre("g1", "g2"));
  EXPECT_EQ((*r)[2].token, "tok1");  // the later duplicate wins
  EXPECT_EQ((*r)[2].user.name, "alice2");
  EXPECT_EQ((*r)[3].token, "tok,4");
  EXPECT_EQ((*r)[3].user.name, "d\"q");
  EXPECT_THAT((*r)[3].user.groups, ElementsAre("single"));

  auto groups = ParseTokenCsv("t,u,i,\"a,b\"\n", "f");
  ASSERT_TRUE(groups.ok());
  EXPECT_THAT((*groups)[0].user.groups, ElementsAre("a", "b"));
}

TEST(TokenCsvTest, BadLinesNameTheLine) {
  struct Case {
    const char* text;
    const char* want;
  } cases[] = {
      {"a,b,c\nonly,two\n", "tokens.csv:2: must have at least 3 columns (token, user name, user uid), found 2"},
      {"a,b,c\n\n\"open,b,c\n", "tokens.csv:3: extraneous or missing \""},
      {"a,b\"x,c\n", "tokens.csv:1: bare \""},
      {"a,,c\n", "tokens.csv:1: user name is empty"},
      {"\"a\"x,b,c\n", "tokens.csv:1: extraneous"},
  };
  for (const auto& c : cases) {
    auto r = ParseTokenCsv(c.text, "tokens.csv");
    ASSERT_FALSE(r.ok()) << c.text;
    EXPECT_EQ(r.status().code(), StatusCode::kBadRequest);
    EXPECT_THAT(r.status().message(), HasSubstr(c.want)) << c.text;
  }
}

TEST(TokenFileAuthenticatorTest, BearerTokensAndReload) {
  TempDir dir;
  std::string path = dir.path() + "/tokens.csv";
  ASSERT_TRUE(WriteFileAtomic(path, "abc,alice,1,\"dev,ops\"\n", 0600).ok());
  auto authn = TokenFileAuthenticator::Create(path, {NodeBootstrapTokenEntry("join")});
  ASSERT_TRUE(authn.ok()) << authn.status().ToString();

  auto alice = (*authn)->Authenticate({"", "Bearer abc"});
  ASSERT_TRUE(alice.ok());
  ASSERT_TRUE(alice->has_value());
  EXPECT_EQ((*alice)->name, "alice");
  EXPECT_EQ((*alice)->uid, "1");
  EXPECT_THAT((*alice)->groups, ElementsAre("dev", "ops"));

  auto node = (*authn)->Authenticate({"", "bearer join"});
  ASSERT_TRUE(node.ok());
  ASSERT_TRUE(node->has_value());
  EXPECT_EQ((*node)->name, "system:node-bootstrap");
  EXPECT_THAT((*node)->groups, ElementsAre("system:bootstrappers"));

  auto wrong = (*authn)->Authenticate({"", "Bearer nope"});
  ASSERT_FALSE(wrong.ok());
  EXPECT_EQ(wrong.status().code(), StatusCode::kUnauthorized);
  for (const char* na : {"", "Basic YTpi", "Bearer", "Bearer ", "Bearer a b"}) {
    auto r = (*authn)->Authenticate({"", na});
    ASSERT_TRUE(r.ok()) << na;
    EXPECT_FALSE(r->has_value()) << na;
  }

  // The file changes: the new token works, the old one no longer does.
  ASSERT_TRUE(WriteFileAtomic(path, "xyz,bob,2\n", 0600).ok());
  auto bob = (*authn)->Authenticate({"", "Bearer xyz"});
  ASSERT_TRUE(bob.ok());
  ASSERT_TRUE(bob->has_value());
  EXPECT_EQ((*bob)->name, "bob");
  EXPECT_FALSE((*authn)->Authenticate({"", "Bearer abc"}).ok());
  // A broken file keeps the previous tokens; the join token always works.
  ASSERT_TRUE(WriteFileAtomic(path, "broken\n", 0600).ok());
  EXPECT_TRUE((*authn)->Authenticate({"", "Bearer xyz"}).ok());
  EXPECT_TRUE((*authn)->Authenticate({"", "Bearer join"}).ok());

  // Concurrent use is safe (run under TSan/ASan to make this bite).
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        auto r = (*authn)->Authenticate({"", "Bearer join"});
        if (r.ok() && r->has_value()) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(ok.load(), 800);

  auto bad = TokenFileAuthenticator::Create(dir.path() + "/missing.csv");
  EXPECT_FALSE(bad.ok());
}

TEST(UnionAuthenticatorTest, TriesEachInOrder) {
  TempDir dir;
  auto pki = MakePki(dir.path());
  ASSERT_TRUE(pki.ok());
  std::vector<AuthenticatorPtr> parts;
  parts.push_back(std::make_unique<X509Authenticator>(pki->ca.cert_pem, &FixedNow));
  auto tokens = TokenFileAuthenticator::Create("", {NodeBootstrapTokenEntry("join")});
  ASSERT_TRUE(tokens.ok());
  parts.push_back(*std::move(tokens));
  UnionAuthenticator authn(std::move(parts));

  std::string why;
  auto admin = AuthenticateRequest(authn, {pki->admin_client.cert_pem, "Bearer join"}, &why);
  ASSERT_TRUE(admin.ok());
  EXPECT_EQ(admin->name, "system:admin");  // the certificate comes first
  // The entry point adds system:authenticated, once.
  EXPECT_THAT(admin->groups, ElementsAre("system:masters", "system:authenticated"));

  auto node = AuthenticateRequest(authn, {"", "Bearer join"}, &why);
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(node->name, "system:node-bootstrap");
  EXPECT_THAT(node->groups, ElementsAre("system:bootstrappers", "system:authenticated"));

  // A bad certificate does not stop a good token.
  auto both = AuthenticateRequest(authn, {"garbage", "Bearer join"}, &why);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ(both->name, "system:node-bootstrap");

  auto anon = AuthenticateRequest(authn, {"", ""}, &why);
  ASSERT_FALSE(anon.ok());
  EXPECT_EQ(anon.status().code(), StatusCode::kUnauthorized);
  EXPECT_EQ(anon.status().message(), "Unauthorized");
  EXPECT_EQ(HttpCode(anon.status().code()), 401);
  EXPECT_EQ(why, "no credentials provided");

  auto bad = AuthenticateRequest(authn, {"", "Bearer wrong"}, &why);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "Unauthorized");
  EXPECT_THAT(why, HasSubstr("invalid bearer token"));
}

TEST(NodeTokenTest, CreatedOnceAndReused) {
  TempDir dir;
  std::string data = dir.path() + "/data";
  auto t1 = EnsureNodeToken(data);
  ASSERT_TRUE(t1.ok()) << t1.status().ToString();
  EXPECT_EQ(t1->size(), 64u);
  EXPECT_EQ(FileMode(data + "/token"), 0600u);
  auto t2 = EnsureNodeToken(data);
  ASSERT_TRUE(t2.ok());
  EXPECT_EQ(*t1, *t2);
  TempDir other;
  auto t3 = EnsureNodeToken(other.path());
  ASSERT_TRUE(t3.ok());
  EXPECT_NE(*t1, *t3);
  ASSERT_TRUE(WriteFileAtomic(other.path() + "/token", "\n", 0600).ok());
  EXPECT_FALSE(EnsureNodeToken(other.path()).ok());
}

TEST(TokenCsvTest, GarbageNeverCrashes) {
  std::mt19937 rng(11);
  const char alphabet[] = "ab,\"\n\r \t,";
  for (int i = 0; i < 2000; ++i) {
    std::string text(rng() % 64, ' ');
    for (char& c : text) c = alphabet[rng() % (sizeof alphabet - 1)];
    auto r = ParseTokenCsv(text, "f");
    if (!r.ok()) {
      EXPECT_THAT(r.status().message(), ::testing::StartsWith("f:")) << text;
    }
  }
}

}  // namespace
}  // namespace kubepp::apiserver::auth
