// Registry access for image pulls: the k3s-style registries.yaml (mirrors and
// per-host auth/TLS), the endpoints to try for a registry host, and a client
// of the OCI distribution API (manifests and blobs over HTTP or HTTPS, with
// Bearer-token and Basic auth challenges, retries with exponential back-off
// on connection errors and 5xx, redirects, digest verification).
//
// Ownership: a RegistryClient is used by one pull on one thread; the
// functions are thread-safe. HTTP is Boost.Beast, confined to registry.cc.
// Blind spots: no HTTP proxy support; no Range resume of a broken blob
// download (it restarts); schema-1 manifests are not supported; registries.yaml
// "rewrite" rules are ignored; tokens are not cached across pulls.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kubepp::runtime::image {

struct RegistryHostConfig {
  // auth: username/password, or `auth` (base64 "user:pass", decoded into
  // these two), or identitytoken (an OAuth2 refresh token).
  std::string username;
  std::string password;
  std::string identity_token;
  // tls:
  bool insecure_skip_verify = false;
  std::string ca_file;
  std::string cert_file;
  std::string key_file;
};

// The content of a k3s registries.yaml:
//   mirrors: {"docker.io": {endpoint: ["http://127.0.0.1:5000"]}, "*": {...}}
//   configs: {"127.0.0.1:5000": {auth: {username, password}, tls: {insecure_skip_verify: true}}}
struct RegistriesConfig {
  std::map<std::string, std::vector<std::string>> mirrors;
  std::map<std::string, RegistryHostConfig> configs;
};

// Parses registries.yaml text; Invalid naming the key on a malformed entry.
StatusOr<RegistriesConfig> ParseRegistriesConfig(std::string_view yaml_text);
// Reads and parses the file; an empty path gives an empty config; NotFound
// when the file does not exist.
StatusOr<RegistriesConfig> LoadRegistriesConfig(const std::string& path);

struct RegistryEndpoint {
  bool tls = true;
  std::string host;        // "registry-1.docker.io", "127.0.0.1:5000"
  std::string api_prefix;  // "/v2"
  bool is_mirror = false;
  RegistryHostConfig config;  // credentials and TLS settings for `host`
  std::string Url() const { return std::string(tls ? "https://" : "http://") + host + api_prefix; }
};

// The endpoints to try, in order, for registry `domain` ("docker.io",
// "127.0.0.1:5000"): its mirrors (or those of "*"), then the registry itself
// (docker.io is served by registry-1.docker.io). A loopback registry
// (localhost, 127.0.0.0/8, [::1]) is spoken to over plain HTTP unless a
// mirror entry says otherwise. Invalid on a malformed mirror URL.
StatusOr<std::vector<RegistryEndpoint>> EndpointsFor(const RegistriesConfig& config,
                                                     const std::string& domain);

struct FetchOptions {
  int max_attempts = 4;                            // per request, on connection errors and 5xx
  std::chrono::milliseconds initial_backoff{200};  // doubled after each failed attempt
  std::chrono::seconds io_timeout{60};             // per read/write without progress
};

struct FetchedManifest {
  std::string media_type;  // Content-Type, or the body's mediaType
  std::string digest;      // "sha256:..." of the bytes
  std::string body;
};

// One repository on one endpoint. Not thread-safe.
class RegistryClient {
 public:
  RegistryClient(RegistryEndpoint endpoint, std::string repository_path, FetchOptions options = {});
  ~RegistryClient();

  // GET /v2/<repo>/manifests/<tag or digest> accepting OCI and Docker v2
  // manifests and indexes. NotFound on 404; Unauthorized / Forbidden on
  // auth failure; Unavailable on connection errors and 5xx after retries;
  // Invalid when a requested digest does not match the bytes.
  StatusOr<FetchedManifest> GetManifest(const std::string& tag_or_digest);

  // Downloads blob `digest` into `dest_path` (created or truncated), checking
  // its digest and, when size >= 0, its size: Invalid on a mismatch. Errors
  // as GetManifest.
  Status GetBlob(const std::string& digest, int64_t size, const std::string& dest_path);

  const RegistryEndpoint& endpoint() const { return endpoint_; }

 private:
  struct Impl;
  RegistryEndpoint endpoint_;
  std::string repository_;
  FetchOptions options_;
  std::string authorization_;  // header value once a challenge was answered
};

}  // namespace kubepp::runtime::image
