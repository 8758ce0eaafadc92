#include "runtime/image/registry.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <thread>
#include <utility>  // before asio/awaitable.hpp (Boost 1.74 + g++ 12)

#include "common/encoding.h"
#include "common/log.h"
#include "common/strings.h"
#include "runtime/image/digest.h"

namespace kubepp::runtime::image {

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using boost::system::error_code;

constexpr const char* kManifestAccept =
    "application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.list.v2+json, "
    "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json";
constexpr size_t kMaxInMemoryBody = 8 << 20;

// ---- registries.yaml ----

Status ParseHostConfig(const YAML::Node& node, const std::string& key, RegistryHostConfig* out) {
  if (!node.IsMap()) return Status::Invalid("configs." + key + ": must be a mapping");
  if (const YAML::Node auth = node["auth"]) {
    if (!auth.IsMap()) return Status::Invalid("configs." + key + ".auth: must be a mapping");
    if (auth["username"]) out->username = auth["username"].as<std::string>();
    if (auth["password"]) out->password = auth["password"].as<std::string>();
    if (auth["identitytoken"]) out->identity_token = auth["identitytoken"].as<std::string>();
    if (auth["auth"]) {
      auto decoded = Base64Decode(auth["auth"].as<std::string>());
      size_t colon = decoded ? decoded->find(':') : std::string::npos;
      if (colon == std::string::npos) {
        return Status::Invalid("configs." + key + ".auth.auth: want base64 of \"username:password\"");
      }
      out->username = decoded->substr(0, colon);
      out->password = decoded->substr(colon + 1);
    }
  }
  if (const YAML::Node tls = node["tls"]) {
    if (!tls.IsMap()) return Status::Invalid("configs." + key + ".tls: must be a mapping");
    if (tls["insecure_skip_verify"]) out->insecure_skip_verify = tls["insecure_skip_verify"].as<bool>();
    if (tls["ca_file"]) out->ca_file = tls["ca_file"].as<std::string>();
    if (tls["cert_file"]) out->cert_file = tls["cert_file"].as<std::string>();
    if (tls["key_file"]) out->key_file = tls["key_file"].as<std::string>();
  }
  return Status::Ok();
}

bool IsLoopbackHost(const std::string& hostport) {
  std::string host = hostport;
  if (!host.empty() && host.front() == '[') {
    host = host.substr(1, host.find(']') - 1);
  } else if (size_t c = host.rfind(':'); c != std::string::npos) {
    host = host.substr(0, c);
  }
  return host == "localhost" || host == "::1" || host.rfind("127.", 0) == 0;
}

struct ParsedUrl {
  bool tls = true;
  std::string host;    // host[:port]
  std::string target;  // path + query, "/" at least
};

StatusOr<ParsedUrl> ParseUrl(const std::string& url) {
  ParsedUrl u;
  std::string rest;
  if (url.rfind("https://", 0) == 0) {
    rest = url.substr(8);
  } else if (url.rfind("http://", 0) == 0) {
    u.tls = false;
    rest = url.substr(7);
  } else {
    return Status::Invalid("URL \"" + url + "\": want http:// or https://");
  }
  size_t slash = rest.find('/');
  u.host = rest.substr(0, slash);
  u.target = slash == std::string::npos ? "/" : rest.substr(slash);
  if (u.host.empty()) return Status::Invalid("URL \"" + url + "\": no host");
  return u;
}

std::string UrlEncode(std::string_view s) {
  static const char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// ---- HTTP ----

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;                            // when not streamed to the sink
  std::string Header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
};

// Receives the body of a 2xx response.
using BodySink = std::function<Status(const char* data, size_t n)>;

struct TlsSettings {
  bool insecure_skip_verify = false;
  std::string ca_file, cert_file, key_file;
};

template <typename Start>
error_code RunOp(asio::io_context& ioc, Start&& start) {
  error_code result = asio::error::would_block;
  start([&result](error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

// One request on a fresh connection. Connection-level failures are
// Unavailable (retryable); a sink error is returned as is.
template <typename Stream>
StatusOr<HttpResponse> Exchange(asio::io_context& ioc, Stream& stream, beast::tcp_stream& lowest,
                                const bhttp::request<bhttp::empty_body>& req, const BodySink& sink,
                                std::chrono::seconds io_timeout, const std::string& what) {
  lowest.expires_after(io_timeout);
  error_code ec = RunOp(ioc, [&](auto h) { bhttp::async_write(stream, req, h); });
  if (ec) return Status::Unavailable(what + ": write: " + ec.message());
  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::buffer_body> parser;
  // Not boost::none: Beast 1.74 compares the length against the optional and
  // treats "none" as smaller than any length.
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  lowest.expires_after(io_timeout);
  ec = RunOp(ioc, [&](auto h) { bhttp::async_read_header(stream, buffer, parser, h); });
  if (ec) return Status::Unavailable(what + ": read response: " + ec.message());
  HttpResponse resp;
  resp.status = static_cast<int>(parser.get().result_int());
  for (const auto& f : parser.get()) {
    resp.headers[AsciiLower(std::string(f.name_string()))] = std::string(f.value());
  }
  const bool stream_body = sink && resp.status >= 200 && resp.status < 300;
  std::vector<char> chunk(1 << 16);
  while (!parser.is_done()) {
    parser.get().body().data = chunk.data();
    parser.get().body().size = chunk.size();
    lowest.expires_after(io_timeout);
    ec = RunOp(ioc, [&](auto h) { bhttp::async_read(stream, buffer, parser, h); });
    if (ec == bhttp::error::need_buffer) ec = {};
    if (ec) return Status::Unavailable(what + ": read body: " + ec.message());
    size_t n = chunk.size() - parser.get().body().size;
    if (n == 0) continue;
    if (stream_body) {
      RETURN_IF_ERROR(sink(chunk.data(), n));
    } else {
      if (resp.body.size() + n > kMaxInMemoryBody) {
        return Status::Invalid(what + ": response body larger than " + std::to_string(kMaxInMemoryBody) +
                               " bytes");
      }
      resp.body.append(chunk.data(), n);
    }
  }
  return resp;
}

StatusOr<HttpResponse> DoRequest(const std::string& method, const ParsedUrl& url,
                                 const std::vector<std::pair<std::string, std::string>>& headers,
                                 const TlsSettings& tls, const BodySink& sink,
                                 std::chrono::seconds io_timeout) {
  const std::string what = method + " " + (url.tls ? "https://" : "http://") + url.host + url.target;
  std::string host = url.host, port = url.tls ? "443" : "80";
  if (!host.empty() && host.front() == '[') {
    size_t close = host.find(']');
    if (close + 1 < host.size() && host[close + 1] == ':') port = host.substr(close + 2);
    host = host.substr(1, close - 1);
  } else if (size_t c = host.rfind(':'); c != std::string::npos) {
    port = host.substr(c + 1);
    host = host.substr(0, c);
  }
  asio::io_context ioc{1};
  error_code ec;
  tcp::resolver resolver(ioc);
  auto results = resolver.resolve(host, port, ec);
  if (ec) return Status::Unavailable(what + ": lookup " + host + ": " + ec.message());

  bhttp::request<bhttp::empty_body> req;
  req.method_string(method);
  req.target(url.target);
  req.version(11);
  req.set(bhttp::field::host, url.host);
  req.set(bhttp::field::user_agent, "kubepp/0.1");
  req.set(bhttp::field::connection, "close");
  for (const auto& [k, v] : headers) req.set(k, v);

  beast::tcp_stream plain(ioc);
  plain.expires_after(io_timeout);
  ec = RunOp(ioc, [&](auto h) {
    plain.async_connect(results, [h](error_code e, const tcp::endpoint&) mutable { h(e); });
  });
  if (ec) return Status::Unavailable(what + ": dial tcp " + url.host + ": " + ec.message());
  if (!url.tls) return Exchange(ioc, plain, plain, req, sink, io_timeout, what);

  asio::ssl::context ctx(asio::ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
  if (tls.insecure_skip_verify) {
    ctx.set_verify_mode(asio::ssl::verify_none);
  } else {
    ctx.set_verify_mode(asio::ssl::verify_peer);
    ctx.set_default_verify_paths(ec);
    if (!tls.ca_file.empty()) {
      ctx.load_verify_file(tls.ca_file, ec);
      if (ec) return Status::Invalid(what + ": ca_file " + tls.ca_file + ": " + ec.message());
    }
  }
  if (!tls.cert_file.empty()) {
    ctx.use_certificate_chain_file(tls.cert_file, ec);
    if (!ec) ctx.use_private_key_file(tls.key_file, asio::ssl::context::pem, ec);
    if (ec) return Status::Invalid(what + ": client certificate " + tls.cert_file + ": " + ec.message());
  }
  beast::ssl_stream<beast::tcp_stream> stream(std::move(plain), ctx);
  SSL* ssl = stream.native_handle();
  unsigned char addr[16];
  bool ip = inet_pton(AF_INET, host.c_str(), addr) == 1 || inet_pton(AF_INET6, host.c_str(), addr) == 1;
  if (!ip) SSL_set_tlsext_host_name(ssl, host.c_str());
  if (!tls.insecure_skip_verify) {
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    if (ip) {
      X509_VERIFY_PARAM_set1_ip_asc(param, host.c_str());
    } else {
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
  }
  beast::tcp_stream& lowest = beast::get_lowest_layer(stream);
  lowest.expires_after(io_timeout);
  ec = RunOp(ioc, [&](auto h) { stream.async_handshake(asio::ssl::stream_base::client, h); });
  if (ec) {
    long verify = SSL_get_verify_result(ssl);
    if (verify != X509_V_OK) {
      return Status::Unavailable(
          what + ": tls: failed to verify certificate: " + X509_verify_cert_error_string(verify));
    }
    return Status::Unavailable(what + ": tls handshake: " + ec.message());
  }
  return Exchange(ioc, stream, lowest, req, sink, io_timeout, what);
}

// Parses `Bearer realm="..",service="..",scope=".."` into scheme + params.
void ParseChallenge(const std::string& header, std::string* scheme,
                    std::map<std::string, std::string>* params) {
  size_t sp = header.find(' ');
  *scheme = AsciiLower(header.substr(0, sp));
  if (sp == std::string::npos) return;
  std::string_view rest = std::string_view(header).substr(sp + 1);
  while (!rest.empty()) {
    rest = TrimSpace(rest);
    size_t eq = rest.find('=');
    if (eq == std::string_view::npos) break;
    std::string key = AsciiLower(std::string(TrimSpace(rest.substr(0, eq))));
    rest = rest.substr(eq + 1);
    std::string value;
    if (!rest.empty() && rest.front() == '"') {
      size_t i = 1;
      for (; i < rest.size() && rest[i] != '"'; ++i) {
        if (rest[i] == '\\' && i + 1 < rest.size()) ++i;
        value.push_back(rest[i]);
      }
      rest = rest.substr(std::min(rest.size(), i + 1));
    } else {
      size_t comma = rest.find(',');
      value = std::string(TrimSpace(rest.substr(0, comma)));
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma);
    }
    (*params)[key] = value;
    rest = TrimSpace(rest);
    if (!rest.empty() && rest.front() == ',') rest.remove_prefix(1);
  }
}

Status StatusForHttp(int status, const std::string& what, const std::string& body) {
  std::string msg = what + ": HTTP " + std::to_string(status);
  // The distribution API's error document: {"errors":[{"code","message"}]}.
  auto doc = nlohmann::json::parse(body, nullptr, false);
  if (doc.is_object() && doc.contains("errors") && doc["errors"].is_array() && !doc["errors"].empty()) {
    const auto& e = doc["errors"][0];
    if (e.is_object()) {
      msg += ": " + e.value("code", std::string()) + " " + e.value("message", std::string());
    }
  }
  if (status == 404) return Status::NotFound(msg);
  if (status == 401) return Status::Unauthorized(msg);
  if (status == 403) return Status::Forbidden(msg);
  if (status == 429) return Status::TooManyRequests(msg);
  if (status >= 500) return Status::Unavailable(msg);
  return Status::BadRequest(msg);
}

}  // namespace

StatusOr<RegistriesConfig> ParseRegistriesConfig(std::string_view yaml_text) {
  RegistriesConfig out;
  try {
    YAML::Node root = YAML::Load(std::string(yaml_text));
    if (!root || root.IsNull()) return out;
    if (!root.IsMap()) return Status::Invalid("registries config: top level must be a mapping");
    if (const YAML::Node mirrors = root["mirrors"]) {
      if (!mirrors.IsMap())
        return Status::Invalid("mirrors: must be a mapping of registry host to {endpoint: [...]}");
      for (const auto& kv : mirrors) {
        std::string host = kv.first.as<std::string>();
        const YAML::Node endpoints = kv.second["endpoint"];
        if (!endpoints) continue;
        if (!endpoints.IsSequence())
          return Status::Invalid("mirrors." + host + ".endpoint: must be a list of URLs");
        std::vector<std::string>& list = out.mirrors[host];
        for (const auto& e : endpoints) {
          std::string url = e.as<std::string>();
          if (url.find("://") == std::string::npos) url = "https://" + url;
          if (!ParseUrl(url).ok())
            return Status::Invalid("mirrors." + host + ".endpoint: bad URL \"" + url + "\"");
          list.push_back(url);
        }
      }
    }
    if (const YAML::Node configs = root["configs"]) {
      if (!configs.IsMap()) return Status::Invalid("configs: must be a mapping of registry host to settings");
      for (const auto& kv : configs) {
        std::string host = kv.first.as<std::string>();
        RETURN_IF_ERROR(ParseHostConfig(kv.second, host, &out.configs[host]));
      }
    }
  } catch (const YAML::Exception& e) {
    return Status::Invalid("registries config: " + std::string(e.what()));
  }
  return out;
}

StatusOr<RegistriesConfig> LoadRegistriesConfig(const std::string& path) {
  if (path.empty()) return RegistriesConfig{};
  std::ifstream in(path);
  if (!in) return Status::NotFound("registries config " + path + ": " + std::strerror(errno));
  std::stringstream ss;
  ss << in.rdbuf();
  auto parsed = ParseRegistriesConfig(ss.str());
  if (!parsed.ok()) return parsed.status().WithPrefix(path);
  return parsed;
}

StatusOr<std::vector<RegistryEndpoint>> EndpointsFor(const RegistriesConfig& config,
                                                     const std::string& domain) {
  std::vector<RegistryEndpoint> out;
  auto config_for = [&](const std::string& host) {
    auto it = config.configs.find(host);
    if (it != config.configs.end()) return it->second;
    auto star = config.configs.find("*");
    return star != config.configs.end() ? star->second : RegistryHostConfig{};
  };
  auto mirrors = config.mirrors.find(domain);
  if (mirrors == config.mirrors.end()) mirrors = config.mirrors.find("*");
  std::string upstream = domain == "docker.io" ? "registry-1.docker.io" : domain;
  if (mirrors != config.mirrors.end()) {
    for (const std::string& url : mirrors->second) {
      ASSIGN_OR_RETURN(ParsedUrl u, ParseUrl(url));
      RegistryEndpoint e;
      e.tls = u.tls;
      e.host = u.host;
      std::string path = u.target;
      while (!path.empty() && path.back() == '/') path.pop_back();
      if (path.empty()) {
        e.api_prefix = "/v2";
      } else if (path.size() >= 3 && path.substr(path.size() - 3) == "/v2") {
        e.api_prefix = path;
      } else {
        e.api_prefix = path + "/v2";
      }
      e.is_mirror = e.host != upstream && e.host != domain;
      e.config = config_for(e.host);
      out.push_back(std::move(e));
    }
  }
  bool upstream_listed = false;
  for (const auto& e : out)
    upstream_listed |= (e.host == upstream || e.host == domain) && e.api_prefix == "/v2";
  if (!upstream_listed) {
    RegistryEndpoint e;
    e.host = upstream;
    e.tls = !IsLoopbackHost(upstream);
    e.api_prefix = "/v2";
    e.config = config.configs.count(upstream) ? config_for(upstream) : config_for(domain);
    out.push_back(std::move(e));
  }
  return out;
}

struct RegistryClient::Impl {
  // Sends one request (with redirects and auth challenges, retrying
  // connection errors and 5xx with back-off).
  static StatusOr<HttpResponse> Send(RegistryClient& c, const std::string& method, const std::string& path,
                                     const std::string& accept, const BodySink& sink,
                                     const std::function<void()>& reset_sink) {
    const RegistryEndpoint& ep = c.endpoint_;
    TlsSettings tls{ep.config.insecure_skip_verify, ep.config.ca_file, ep.config.cert_file,
                    ep.config.key_file};
    std::string first_url = ep.Url() + path;
    auto backoff = c.options_.initial_backoff;
    bool answered_challenge = false;
    Status last = Status::Unavailable(first_url + ": no attempt made");
    for (int attempt = 1; attempt <= std::max(1, c.options_.max_attempts);) {
      ASSIGN_OR_RETURN(ParsedUrl url, ParseUrl(first_url));
      StatusOr<HttpResponse> resp = Status::Internal("unset");
      bool same_host = true;
      for (int redirects = 0;; ++redirects) {
        std::vector<std::pair<std::string, std::string>> headers;
        if (!accept.empty()) headers.emplace_back("Accept", accept);
        if (same_host && !c.authorization_.empty()) headers.emplace_back("Authorization", c.authorization_);
        if (reset_sink) reset_sink();
        resp = DoRequest(method, url, headers, tls, sink, c.options_.io_timeout);
        if (!resp.ok() || resp->status < 300 || resp->status >= 400 || resp->status == 304) break;
        std::string location = resp->Header("location");
        if (location.empty() || redirects >= 5) break;
        if (location.front() == '/') {
          url.target = location;
        } else {
          ASSIGN_OR_RETURN(url, ParseUrl(location));
          same_host = url.host == ep.host;
        }
      }
      if (!resp.ok()) {
        if (resp.status().code() != StatusCode::kUnavailable) return resp.status();
        last = resp.status();
      } else if (resp->status == 401 && !answered_challenge) {
        answered_challenge = true;
        RETURN_IF_ERROR(AnswerChallenge(c, resp->Header("www-authenticate"), first_url));
        continue;  // the retry after a challenge is not a failed attempt
      } else if (resp->status >= 500 || resp->status == 429) {
        last = StatusForHttp(resp->status, method + " " + first_url, resp->body);
      } else {
        return resp;
      }
      if (attempt == c.options_.max_attempts) break;
      LogDebug("registry: {} (attempt {}), retrying in {} ms", last.message(), attempt, backoff.count());
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
      ++attempt;
    }
    return last;
  }

  static Status AnswerChallenge(RegistryClient& c, const std::string& header, const std::string& url) {
    const RegistryHostConfig& cfg = c.endpoint_.config;
    std::string scheme;
    std::map<std::string, std::string> params;
    ParseChallenge(header, &scheme, &params);
    bool has_creds = !cfg.username.empty() || !cfg.password.empty();
    std::string basic = "Basic " + Base64Encode(cfg.username + ":" + cfg.password);
    if (scheme == "basic") {
      if (!has_creds) {
        return Status::Unauthorized(
            url + ": registry asks for Basic credentials and none are configured for " + c.endpoint_.host);
      }
      c.authorization_ = basic;
      return Status::Ok();
    }
    if (scheme != "bearer") {
      return Status::Unauthorized(url + ": unsupported authentication challenge \"" + header + "\"");
    }
    std::string realm = params["realm"];
    if (realm.empty()) return Status::Unauthorized(url + ": Bearer challenge without realm");
    std::string scope = params.count("scope") ? params["scope"] : "repository:" + c.repository_ + ":pull";
    std::string token_url = realm + (realm.find('?') == std::string::npos ? "?" : "&");
    token_url += "scope=" + UrlEncode(scope);
    if (params.count("service")) token_url += "&service=" + UrlEncode(params["service"]);
    ASSIGN_OR_RETURN(ParsedUrl tu, ParseUrl(token_url));
    std::vector<std::pair<std::string, std::string>> headers;
    if (has_creds) headers.emplace_back("Authorization", basic);
    TlsSettings tls{cfg.insecure_skip_verify, cfg.ca_file, cfg.cert_file, cfg.key_file};
    StatusOr<HttpResponse> resp = Status::Internal("unset");
    auto backoff = c.options_.initial_backoff;
    for (int attempt = 1;; ++attempt) {
      resp = DoRequest("GET", tu, headers, tls, nullptr, c.options_.io_timeout);
      bool retry = !resp.ok() ? resp.status().code() == StatusCode::kUnavailable : resp->status >= 500;
      if (!retry || attempt >= c.options_.max_attempts) break;
      std::this_thread::sleep_for(backoff);
      backoff *= 2;
    }
    if (!resp.ok()) return resp.status().WithPrefix("token");
    if (resp->status != 200) {
      Status s = StatusForHttp(resp->status, "GET " + realm + " (token)", resp->body);
      if (resp->status == 401 || resp->status == 403) return Status::Unauthorized(s.message());
      return s;
    }
    auto doc = nlohmann::json::parse(resp->body, nullptr, false);
    std::string token;
    if (doc.is_object()) {
      if (doc.contains("token") && doc["token"].is_string()) token = doc["token"].get<std::string>();
      if (token.empty() && doc.contains("access_token") && doc["access_token"].is_string()) {
        token = doc["access_token"].get<std::string>();
      }
    }
    if (token.empty()) return Status::Unauthorized("GET " + realm + ": token response has no \"token\"");
    c.authorization_ = "Bearer " + token;
    return Status::Ok();
  }
};

RegistryClient::RegistryClient(RegistryEndpoint endpoint, std::string repository_path, FetchOptions options)
    : endpoint_(std::move(endpoint)), repository_(std::move(repository_path)), options_(options) {}
RegistryClient::~RegistryClient() = default;

StatusOr<FetchedManifest> RegistryClient::GetManifest(const std::string& tag_or_digest) {
  std::string path = "/" + repository_ + "/manifests/" + tag_or_digest;
  ASSIGN_OR_RETURN(HttpResponse resp, Impl::Send(*this, "GET", path, kManifestAccept, nullptr, nullptr));
  const std::string what = "GET " + endpoint_.Url() + path;
  if (resp.status != 200) return StatusForHttp(resp.status, what, resp.body);
  FetchedManifest m;
  m.body = std::move(resp.body);
  m.digest = DigestOf(m.body);
  m.media_type = resp.Header("content-type");
  if (size_t semi = m.media_type.find(';'); semi != std::string::npos) m.media_type.resize(semi);
  auto doc = nlohmann::json::parse(m.body, nullptr, false);
  if (!doc.is_object()) return Status::Invalid(what + ": manifest is not a JSON object");
  if (doc.contains("mediaType") && doc["mediaType"].is_string())
    m.media_type = doc["mediaType"].get<std::string>();
  if (tag_or_digest.rfind("sha256:", 0) == 0 && m.digest != tag_or_digest) {
    return Status::Invalid(what + ": manifest digest is " + m.digest + ", want " + tag_or_digest);
  }
  std::string header_digest = resp.Header("docker-content-digest");
  if (!header_digest.empty() && header_digest.rfind("sha256:", 0) == 0 && header_digest != m.digest) {
    return Status::Invalid(what + ": manifest digest is " + m.digest + " but the registry says " +
                           header_digest);
  }
  return m;
}

Status RegistryClient::GetBlob(const std::string& digest, int64_t size, const std::string& dest_path) {
  RETURN_IF_ERROR(DigestHex(digest).status());
  int fd = ::open(dest_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::Internal("open " + dest_path + ": " + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  Sha256 hash;
  int64_t written = 0;
  auto reset = [&] {
    hash = Sha256();
    written = 0;
    if (::ftruncate(fd, 0) == 0) ::lseek(fd, 0, SEEK_SET);
  };
  BodySink sink = [&](const char* data, size_t n) -> Status {
    hash.Update(data, n);
    written += static_cast<int64_t>(n);
    if (size >= 0 && written > size) {
      return Status::Invalid("blob " + digest + ": more than the " + std::to_string(size) +
                             " bytes announced");
    }
    while (n > 0) {
      ssize_t w = ::write(fd, data, n);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return Status::Internal("write " + dest_path + ": " + std::strerror(errno));
      data += w;
      n -= static_cast<size_t>(w);
    }
    return Status::Ok();
  };
  std::string path = "/" + repository_ + "/blobs/" + digest;
  ASSIGN_OR_RETURN(HttpResponse resp, Impl::Send(*this, "GET", path, "", sink, reset));
  if (resp.status != 200) return StatusForHttp(resp.status, "GET " + endpoint_.Url() + path, resp.body);
  if (size >= 0 && written != size) {
    return Status::Invalid("blob " + digest + ": got " + std::to_string(written) + " bytes, want " +
                           std::to_string(size));
  }
  std::string got = hash.Finish();
  if (got != digest) return Status::Invalid("blob " + digest + ": content digest is " + got);
  if (::fsync(fd) != 0) return Status::Internal("fsync " + dest_path + ": " + std::strerror(errno));
  return Status::Ok();
}

}  // namespace kubepp::runtime::image
