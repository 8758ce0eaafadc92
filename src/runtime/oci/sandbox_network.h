// SandboxNetwork: the seam through which the oci runtime wires a pod sandbox's network
// namespace (which the runtime creates and deletes itself, as containerd does). Two
// implementations: LoopbackOnlyNetwork (brings `lo` up, no interfaces: for tests and
// single-pod-networkless use) and the adapter over a CNI network list (cni::Network).
//
// Thread-safe implementations; SetUp/TearDown for different sandboxes may run concurrently.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/status.h"
#include "runtime/runtime.h"

namespace kubepp::network::cni {
class Network;
}

namespace kubepp::runtime::oci {

struct SandboxNetworkRequest {
  std::string sandbox_id;
  std::string netns_path;
  std::string pod_name, pod_namespace, pod_uid;
  std::vector<PortMapping> port_mappings;
};

class SandboxNetwork {
 public:
  virtual ~SandboxNetwork() = default;
  // Wires the namespace; returns the pod IPs (IPv4 first; may be empty).
  virtual StatusOr<std::vector<std::string>> SetUp(const SandboxNetworkRequest& req) = 0;
  // Unwires it. Idempotent: OK when already torn down or never set up, and when the
  // namespace is already gone.
  virtual Status TearDown(const SandboxNetworkRequest& req) = 0;
};

// Only brings the loopback interface up (PortForward to 127.0.0.1 works); no IPs.
std::unique_ptr<SandboxNetwork> MakeLoopbackOnlyNetwork();

// CNI ADD/DEL through `network` (not owned; must outlive the adapter), ifname eth0.
std::unique_ptr<SandboxNetwork> MakeCniSandboxNetwork(network::cni::Network* network);

}  // namespace kubepp::runtime::oci
