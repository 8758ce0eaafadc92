// RestConfig from a kubeconfig file (through the one kubeconfig parser,
// apiserver/auth/kubeconfig.h) or from a pod's in-cluster service account.
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <string>
#include <string_view>

#include "apiserver/auth/kubeconfig.h"
#include "client/rest_config.h"
#include "common/status.h"

namespace kubepp::client {

// The server, CA, client credentials, token, TLS server name and namespace
// of one kubeconfig context; other RestConfig fields keep their defaults.
RestConfig RestConfigFromContext(const apiserver::auth::KubeconfigContext& context);

// Loads `path` (context "" means current-context). Errors: those of
// apiserver::auth::LoadKubeconfig (NotFound for a missing file or entry,
// BadRequest naming the bad field).
StatusOr<RestConfig> LoadRestConfig(const std::string& path, std::string_view context = {});

// The config a pod uses: https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT
// with the token, CA and namespace from `secrets_dir`. Errors: NotFound when
// the environment variables or the token file are missing.
StatusOr<RestConfig> InClusterRestConfig(
    const std::string& secrets_dir = "/var/run/secrets/kubernetes.io/serviceaccount");

}  // namespace kubepp::client
