#include "client/kubeconfig.h"

#include <stdlib.h>

#include "apiserver/auth/files.h"

namespace kubepp::client {
namespace {

// The file without its trailing newlines and spaces.
StatusOr<std::string> ReadTrimmed(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, apiserver::auth::ReadFile(path));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

}  // namespace

RestConfig RestConfigFromContext(const apiserver::auth::KubeconfigContext& context) {
  RestConfig config;
  config.server = context.server;
  config.ca_pem = context.ca_pem;
  config.tls_server_name = context.tls_server_name;
  config.insecure_skip_tls_verify = context.insecure_skip_tls_verify;
  config.client_cert_pem = context.client_cert_pem;
  config.client_key_pem = context.client_key_pem;
  config.token = context.token;
  config.namespace_ = context.namespace_;
  return config;
}

StatusOr<RestConfig> LoadRestConfig(const std::string& path, std::string_view context) {
  ASSIGN_OR_RETURN(apiserver::auth::KubeconfigContext ctx, apiserver::auth::LoadKubeconfig(path, context));
  return RestConfigFromContext(ctx);
}

StatusOr<RestConfig> InClusterRestConfig(const std::string& secrets_dir) {
  const char* host = getenv("KUBERNETES_SERVICE_HOST");
  const char* port = getenv("KUBERNETES_SERVICE_PORT");
  if (host == nullptr || *host == '\0' || port == nullptr || *port == '\0') {
    return Status::NotFound(
        "unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be "
        "defined");
  }
  RestConfig config;
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  config.server = "https://" + h + ":" + port;
  ASSIGN_OR_RETURN(config.token, ReadTrimmed(secrets_dir + "/token"));
  auto ca = apiserver::auth::ReadFile(secrets_dir + "/ca.crt");
  if (ca.ok()) config.ca_pem = std::move(ca).value();
  auto ns = ReadTrimmed(secrets_dir + "/namespace");
  if (ns.ok()) config.namespace_ = std::move(ns).value();
  return config;
}

}  // namespace kubepp::client
