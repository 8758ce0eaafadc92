// Authentication: who sent a request, decided from its credentials without
// any HTTP types (the HTTP layer fills a Credentials from the TLS session and
// the Authorization header).
//
// An Authenticator answers with a UserInfo (authenticated), nullopt (these
// credentials are not of its kind: try the next one) or Unauthorized (they
// are of its kind and wrong). UnionAuthenticator tries each in order; the
// first success wins. AuthenticateRequest is the entry point the server uses:
// it turns "nobody recognised anything" and every failure into the Status a
// client sees, upstream's 401 body message "Unauthorized", and hands the
// detailed reason back separately for the log.
//
// AuthenticateRequest adds the group "system:authenticated" to every user it
// lets through (the authenticators themselves report only what the
// credentials say).
//
// Thread-safety: Authenticate is const and safe from many threads at once in
// every implementation here (TokenFileAuthenticator reloads under a mutex).
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <unordered_map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kubepp::apiserver::auth {

inline constexpr std::string_view kAuthenticatedGroup = "system:authenticated";
inline constexpr std::string_view kNodeBootstrapUser = "system:node-bootstrap";
inline constexpr std::string_view kBootstrappersGroup = "system:bootstrappers";

struct UserInfo {
  std::string name, uid;
  std::vector<std::string> groups;
  std::map<std::string, std::vector<std::string>> extra;

  bool InGroup(std::string_view group) const;
};

// What a request presents.
struct Credentials {
  // The client certificate from the TLS handshake (PEM or DER); empty when
  // the client sent none. The TLS layer verified the chain already; the x509
  // authenticator checks it again against its own CA.
  std::string peer_certificate;
  // The raw value of the Authorization header ("Bearer abc"), empty if none.
  std::string authorization;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // UserInfo, nullopt when not applicable, or Unauthorized with a reason for
  // the log (never shown to the client).
  virtual StatusOr<std::optional<UserInfo>> Authenticate(const Credentials& creds) const = 0;
};
using AuthenticatorPtr = std::unique_ptr<Authenticator>;

// Client certificates signed by the cluster CA: user = subject CN, groups =
// subject O entries. The certificate must carry clientAuth (or no extended
// key usage), chain to `ca_pem` and be valid at the clock's time.
class X509Authenticator final : public Authenticator {
 public:
  using NowFn = std::chrono::system_clock::time_point (*)();
  explicit X509Authenticator(std::string ca_pem, NowFn now = &std::chrono::system_clock::now);
  StatusOr<std::optional<UserInfo>> Authenticate(const Credentials& creds) const override;

 private:
  const std::string ca_pem_;
  const NowFn now_;
  // Verified certificates (PEM -> user, notAfter): parsing and verifying a
  // certificate on every request dominated the server's CPU under load.
  // Bounded; cleared when full. Guarded by mu_.
  struct Cached {
    UserInfo user;
    std::chrono::system_clock::time_point not_after;
  };
  mutable std::mutex mu_;
  mutable std::unordered_map<std::string, Cached> cache_;
};

// One line of a static token file.
struct TokenEntry {
  std::string token;
  UserInfo user;
};

// Parses upstream's static token file: CSV records
// `token,user,uid[,"group1,group2"]` (further columns ignored; leading
// spaces of fields trimmed; blank lines skipped; a record with an empty token
// is skipped; a later duplicate token wins). Errors: BadRequest naming
// `origin` and the line ("tokens.csv:3: must have at least 3 columns ...").
StatusOr<std::vector<TokenEntry>> ParseTokenCsv(std::string_view text, std::string_view origin);

// Bearer tokens from a static token file and/or fixed entries (the node join
// token). The file is re-read when its mtime, size or inode changes (checked
// with one stat per request); a version that fails to parse keeps the
// previous tokens and is logged once. Blind spot: an in-place edit that
// keeps size and inode within one mtime tick goes unseen until the next change.
class TokenFileAuthenticator final : public Authenticator {
 public:
  // `path` empty: only `fixed`. Errors: the file's first load.
  static StatusOr<std::unique_ptr<TokenFileAuthenticator>> Create(std::string path,
                                                                  std::vector<TokenEntry> fixed = {});
  StatusOr<std::optional<UserInfo>> Authenticate(const Credentials& creds) const override;

 private:
  TokenFileAuthenticator(std::string path, std::vector<TokenEntry> fixed);
  Status ReloadIfChanged() const;

  const std::string path_;
  const std::vector<TokenEntry> fixed_;
  mutable std::mutex mu_;
  // Guarded by mu_.
  mutable std::map<std::string, UserInfo, std::less<>> tokens_;
  mutable std::string file_stamp_;
};

// Tries each authenticator in order; the first UserInfo wins. When none
// succeeds: the joined errors if any failed, otherwise nullopt.
class UnionAuthenticator final : public Authenticator {
 public:
  explicit UnionAuthenticator(std::vector<AuthenticatorPtr> parts) : parts_(std::move(parts)) {}
  StatusOr<std::optional<UserInfo>> Authenticate(const Credentials& creds) const override;

 private:
  const std::vector<AuthenticatorPtr> parts_;
};

// The server's entry point: the authenticated user (with
// system:authenticated), or Unauthorized("Unauthorized") as upstream answers
// (401, reason Unauthorized). `log_reason` (optional) receives the detail.
StatusOr<UserInfo> AuthenticateRequest(const Authenticator& authn, const Credentials& creds,
                                       std::string* log_reason = nullptr);

// The node join token: DATA/token, created on first call with 32 random bytes
// as hex (0600), read back afterwards. Errors: Internal for I/O; BadRequest
// for an empty token file.
StatusOr<std::string> EnsureNodeToken(const std::string& data_dir);

// The TokenEntry mapping a node join token to system:node-bootstrap in
// system:bootstrappers.
TokenEntry NodeBootstrapTokenEntry(std::string token);

}  // namespace kubepp::apiserver::auth
