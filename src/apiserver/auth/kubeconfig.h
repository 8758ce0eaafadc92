// Kubeconfig files: writing the admin kubeconfig the real kubectl uses
// unchanged, and loading any kubeconfig's current context (for kubepp's own
// client library and components run alone).
//
// Written files have one cluster, user and context, all named "default", with
// the CA and client credentials embedded as base64 PEM (`*-data` fields); they
// are written atomically with mode 0600.
//
// Loading follows kubectl for one file (no KUBECONFIG merging): the context is
// `current-context` unless one is named; `*-data` fields win over their file
// counterparts; relative file paths resolve against the kubeconfig's folder;
// `tokenFile` is read at load time. Errors name the file and the field
// ("kubeconfig /x: users[0].user.client-key-data: illegal base64 ...").
//
// Thread-safety: free functions, no shared state.
#pragma once

#include <string>
#include <string_view>

#include "apiserver/auth/pki.h"
#include "common/status.h"

namespace kubepp::apiserver::auth {

// The credentials and endpoint of one kubeconfig context.
struct KubeconfigContext {
  std::string context_name;
  std::string cluster_name;
  std::string user_name;
  std::string namespace_;  // context.namespace, "" when unset
  std::string server;      // cluster.server
  std::string ca_pem;      // certificate-authority(-data); "" when unset
  bool insecure_skip_tls_verify = false;
  std::string tls_server_name;
  std::string client_cert_pem;  // client-certificate(-data)
  std::string client_key_pem;   // client-key(-data)
  std::string token;            // token, or the content of tokenFile (trimmed)
};

// kubeconfig YAML for one server, CA and client credentials (names "default").
std::string RenderKubeconfig(std::string_view server, std::string_view ca_pem, std::string_view client_cert_pem,
                             std::string_view client_key_pem);

// Writes RenderKubeconfig(...) to `path` (0600, atomic). Errors: Internal.
Status WriteKubeconfig(const std::string& path, std::string_view server, std::string_view ca_pem,
                       std::string_view client_cert_pem, std::string_view client_key_pem);

// Writes data_dir/kubeconfig.yaml for https://127.0.0.1:port with the admin
// client certificate of `pki`. Returns the path.
StatusOr<std::string> WriteAdminKubeconfig(const std::string& data_dir, int port, const Pki& pki);

// Parses kubeconfig text; `base_dir` resolves relative file paths and `origin`
// names the source in errors. `context` empty means current-context.
// Errors: BadRequest naming the field (or the YAML line), NotFound for a
// missing context/cluster/user entry or referenced file.
StatusOr<KubeconfigContext> ParseKubeconfig(std::string_view text, const std::string& base_dir,
                                            const std::string& origin, std::string_view context = {});

// Reads and parses the file at `path`.
StatusOr<KubeconfigContext> LoadKubeconfig(const std::string& path, std::string_view context = {});

}  // namespace kubepp::apiserver::auth
