// The HTTP/1.1 Transport over TCP or TLS (Boost.Beast + OpenSSL; Beast stays
// inside http_transport.cc).
//
// TLS verifies the server's chain against RestConfig::ca_pem (or the system
// store) and its name against the URL host or tls_server_name (IP SANs for
// IP hosts), offers ALPN "http/1.1" only, and presents the client
// certificate when one is configured. A bearer token is sent on every
// request. Idle keep-alive connections are pooled; one the server closed
// while idle is discarded before use, and an idempotent request (GET, HEAD,
// OPTIONS, PUT, DELETE) that still fails on a pooled connection before any
// response byte arrived is retried once on a fresh connection.
//
// Each exchange runs on the calling thread (one private io_context per
// connection), so any number of threads may call RoundTrip/Stream at once;
// each holds its own connection for the duration of the exchange.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "client/rest_config.h"
#include "client/transport.h"
#include "common/status.h"

namespace kubepp::client {

struct ServerUrl {
  bool tls = true;
  std::string host;  // without brackets for IPv6
  uint16_t port = 0;
  std::string path_prefix;  // "" or "/prefix" (no trailing slash)
};

// Parses RestConfig::server. A missing port means 443 (https) or 80 (http).
// Errors: BadRequest naming the URL ("unsupported scheme", "missing host",
// "invalid port").
StatusOr<ServerUrl> ParseServerUrl(std::string_view url);

// Errors: BadRequest for an unusable URL, CA bundle, client certificate or
// key (the message says which).
StatusOr<std::unique_ptr<Transport>> NewHttpTransport(const RestConfig& config);

}  // namespace kubepp::client
