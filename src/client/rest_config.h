// RestConfig: where the API server is and how to authenticate to it, the
// input of NewHttpTransport and Client::New (the counterpart of client-go's
// rest.Config). Built by hand, from a kubeconfig (kubeconfig.h), or by tests.
//
// Thread-safety: a plain value.
#pragma once

#include <chrono>
#include <string>

namespace kubepp::client {

struct RestConfig {
  // "https://host:port" or "http://host:port" (IPv6 hosts in brackets); an
  // optional path prefix ("https://h:6443/k8s") is prepended to every path.
  std::string server;

  // TLS. ca_pem empty: the system trust store. tls_server_name overrides the
  // name used for SNI and certificate verification (default: the URL host).
  std::string ca_pem;
  std::string tls_server_name;
  bool insecure_skip_tls_verify = false;
  std::string client_cert_pem;  // chain, leaf first
  std::string client_key_pem;

  std::string token;  // sent as "Authorization: Bearer <token>" when set

  std::string user_agent = "kubepp-client";

  // Client-side throttling of requests (token bucket); qps <= 0: unlimited.
  double qps = 0;
  int burst = 0;  // <= 0 with qps > 0: max(1, qps)

  // Default per-request timeout (connect + exchange) for non-streaming calls.
  std::chrono::milliseconds timeout{60'000};
  // Time to establish a connection (TCP + TLS).
  std::chrono::milliseconds connect_timeout{10'000};
  // Idle keep-alive connections kept for reuse.
  int max_idle_connections = 16;

  // The default namespace of the kubeconfig context ("" when unknown).
  std::string namespace_;
};

}  // namespace kubepp::client
