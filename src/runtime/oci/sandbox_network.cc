#include "runtime/oci/sandbox_network.h"

#include "network/cni/cni.h"
#include "network/cni/netns.h"

namespace kubepp::runtime::oci {
namespace {

class LoopbackOnly final : public SandboxNetwork {
 public:
  StatusOr<std::vector<std::string>> SetUp(const SandboxNetworkRequest& req) override {
    RETURN_IF_ERROR(network::cni::BringUpLoopback(req.netns_path));
    return std::vector<std::string>{};
  }
  Status TearDown(const SandboxNetworkRequest&) override { return Status::Ok(); }
};

class CniAdapter final : public SandboxNetwork {
 public:
  explicit CniAdapter(network::cni::Network* n) : net_(n) {}

  StatusOr<std::vector<std::string>> SetUp(const SandboxNetworkRequest& req) override {
    ASSIGN_OR_RETURN(auto result, net_->Add(Convert(req)));
    return result.ips;
  }
  Status TearDown(const SandboxNetworkRequest& req) override { return net_->Del(Convert(req)); }

 private:
  static network::cni::AttachRequest Convert(const SandboxNetworkRequest& req) {
    network::cni::AttachRequest a;
    a.container_id = req.sandbox_id;
    a.netns_path = req.netns_path;
    a.pod_name = req.pod_name;
    a.pod_namespace = req.pod_namespace;
    a.pod_uid = req.pod_uid;
    for (const auto& p : req.port_mappings) {
      if (p.host_port <= 0) continue;  // only hostPort mappings go to the portmap plugin
      network::cni::PortMapping m;
      m.host_port = p.host_port;
      m.container_port = p.container_port;
      m.protocol = p.protocol.empty() ? "TCP" : p.protocol;
      m.host_ip = p.host_ip;
      a.port_mappings.push_back(m);
    }
    return a;
  }
  network::cni::Network* net_;
};

}  // namespace

std::unique_ptr<SandboxNetwork> MakeLoopbackOnlyNetwork() { return std::make_unique<LoopbackOnly>(); }
std::unique_ptr<SandboxNetwork> MakeCniSandboxNetwork(network::cni::Network* network) {
  return std::make_unique<CniAdapter>(network);
}

}  // namespace kubepp::runtime::oci
