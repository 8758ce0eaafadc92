// ApiServer: the assembled Kubernetes API server of `kubepp server`.
//
// Start() makes sure the PKI exists (data_dir/tls), builds the registry over
// the given store (kind strategies, field management, admission plugins),
// loads the watch cache, creates the system namespaces and the
// default/kubernetes Service, serves HTTPS (client certificates and bearer
// tokens), and once /readyz answers writes data_dir/kubeconfig.yaml for the
// admin. It also runs the namespace finalizer (deleting a namespace's content
// before the namespace) until the controller manager exists.
//
// Ownership: borrows the store, which must outlive the ApiServer.
// Thread-safety: Stop() may be called from any thread, once or more.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "storage/storage.h"

namespace kubepp::apiserver {

namespace registry {
class Registry;
}

struct ApiServerOptions {
  std::string data_dir;
  std::string bind_address = "127.0.0.1";
  uint16_t port = 6443;  // 0: any free port (tests)
  std::string service_cidr = "10.43.0.0/16";
  std::vector<std::string> extra_sans;
  // A CSV token file (token,user,uid,"group1,group2"), re-read on change; "" for none.
  std::string token_auth_file;
  // A watch without timeoutSeconds ends after a random time in [this, 2x]
  // (upstream's --min-request-timeout); clients then re-watch.
  std::chrono::seconds min_request_timeout{1800};
  // Events the watch cache keeps for resuming watches (older: 410 Expired).
  size_t watch_cache_size = 100'000;
  int io_threads = 2;
  int handler_threads = 8;
};

class ApiServer {
 public:
  // Errors: PKI or store failures as is; Unavailable when the port is taken.
  static StatusOr<std::unique_ptr<ApiServer>> Start(const ApiServerOptions& options, storage::Store& store);
  virtual ~ApiServer() = default;

  virtual uint16_t port() const = 0;
  // data_dir/kubeconfig.yaml, written once the server was ready.
  virtual const std::string& kubeconfig_path() const = 0;
  virtual registry::Registry& registry() = 0;
  // Ends watches, stops serving and the background loops. Idempotent.
  virtual void Stop() = 0;
};

}  // namespace kubepp::apiserver
