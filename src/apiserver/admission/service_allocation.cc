#include <arpa/inet.h>

#include <mutex>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "apiserver/admission/plugins.h"

namespace kubepp::apiserver::admission {
namespace {

using nlohmann::json;

struct Cidr {
  uint32_t base = 0;
  uint32_t size = 0;
};

bool ParseCidr(const std::string& text, Cidr* out) {
  size_t slash = text.find('/');
  if (slash == std::string::npos) return false;
  in_addr addr{};
  if (inet_pton(AF_INET, text.substr(0, slash).c_str(), &addr) != 1) return false;
  int bits = std::atoi(text.c_str() + slash + 1);
  if (bits < 8 || bits > 30) return false;
  out->size = 1u << (32 - bits);
  out->base = ntohl(addr.s_addr) & ~(out->size - 1);
  return true;
}

std::string FormatIp(uint32_t ip) {
  in_addr addr{htonl(ip)};
  char buf[INET_ADDRSTRLEN];
  inet_ntop(AF_INET, &addr, buf, sizeof buf);
  return buf;
}

std::optional<uint32_t> ParseIp(const std::string& s) {
  in_addr addr{};
  if (inet_pton(AF_INET, s.c_str(), &addr) != 1) return std::nullopt;
  return ntohl(addr.s_addr);
}

bool IsService(const registry::AdmissionRequest& r) {
  return r.resource->group.empty() && r.resource->resource == "services" && r.subresource.empty();
}

class ServiceAllocation final : public registry::AdmissionPlugin {
 public:
  explicit ServiceAllocation(const PluginOptions& o) : options_(o) { ParseCidr(o.service_cidr, &cidr_); }
  std::string_view name() const override { return "ServiceAllocation"; }

  Status Admit(registry::AdmissionRequest& r) const override {
    if (!IsService(r) || r.object == nullptr) return Status::Ok();
    json& svc = *r.object;
    json& spec = svc["spec"];
    if (!spec.is_object()) spec = json::object();
    // On update the strategy (PrepareForUpdate) has already carried the
    // allocated values over from the stored Service; what is still missing
    // here is new (e.g. a type change to NodePort) and gets allocated.
    if (r.operation != registry::Operation::kCreate && r.operation != registry::Operation::kUpdate) {
      return Status::Ok();
    }
    std::string type = spec.value("type", "ClusterIP");
    std::lock_guard lock(mu_);
    if (type != "ExternalName") {
      std::string ip = spec.value("clusterIP", "");
      if (ip.empty() && spec.contains("clusterIPs") && spec["clusterIPs"].is_array() && !spec["clusterIPs"].empty()) {
        ip = spec["clusterIPs"][0].get<std::string>();
      }
      if (ip.empty() && r.operation == registry::Operation::kCreate) {
        auto used = UsedIps(r);
        auto picked = PickIp(used, svc["metadata"].value("name", ""), r.namespace_);
        if (!picked) return Status::Internal("failed to allocate a serviceIP: range is full");
        ip = FormatIp(*picked);
        recent_ips_.insert(*picked);
      } else if (!ip.empty() && ip != "None" && r.operation == registry::Operation::kCreate) {
        auto parsed = ParseIp(ip);
        if (!parsed || *parsed < cidr_.base || *parsed >= cidr_.base + cidr_.size) {
          return Status::Invalid("Service \"" + svc["metadata"].value("name", "") +
                                 "\" is invalid: spec.clusterIPs: Invalid value: []string{\"" + ip +
                                 "\"}: failed to allocate IP " + ip + ": the provided IP (" + ip +
                                 ") is not in the valid range. The range of valid IPs is " + options_.service_cidr);
        }
        auto used = UsedIps(r);
        if (used.count(*parsed)) {
          return Status::Invalid("Service \"" + svc["metadata"].value("name", "") +
                                 "\" is invalid: spec.clusterIPs: Invalid value: []string{\"" + ip +
                                 "\"}: failed to allocate IP " + ip + ": provided IP is already allocated");
        }
        recent_ips_.insert(*parsed);
      }
      if (!ip.empty()) {
        spec["clusterIP"] = ip;
        spec["clusterIPs"] = json::array({ip});
      }
    }
    if ((type == "NodePort" || type == "LoadBalancer") && spec.contains("ports") && spec["ports"].is_array()) {
      auto used = UsedNodePorts(r);
      for (auto& p : spec["ports"]) {
        if (p.contains("nodePort") && p["nodePort"].is_number_integer() && p["nodePort"].get<int>() != 0) continue;
        std::optional<int> port;
        for (int i = 0; i < 64 && !port; ++i) {
          int candidate = options_.node_port_min +
                          static_cast<int>(rng_() % static_cast<uint32_t>(options_.node_port_max - options_.node_port_min + 1));
          if (!used.count(candidate)) port = candidate;
        }
        for (int candidate = options_.node_port_min; !port && candidate <= options_.node_port_max; ++candidate) {
          if (!used.count(candidate)) port = candidate;
        }
        if (!port) return Status::Internal("failed to allocate a nodePort: range is full");
        p["nodePort"] = *port;
        used.insert(*port);
        recent_ports_.insert(*port);
      }
    }
    return Status::Ok();
  }

 private:
  std::set<uint32_t> UsedIps(const registry::AdmissionRequest& r) const {
    std::set<uint32_t> used = recent_ips_;
    for (const auto& s : options_.lister("", "services")) {
      if (!s->contains("spec")) continue;
      const json& meta = (*s)["metadata"];
      if (meta.value("namespace", "") == r.namespace_ && meta.value("name", "") == r.name) continue;
      if (auto ip = ParseIp((*s)["spec"].value("clusterIP", ""))) used.insert(*ip);
    }
    return used;
  }

  std::set<int> UsedNodePorts(const registry::AdmissionRequest& r) const {
    std::set<int> used = recent_ports_;
    for (const auto& s : options_.lister("", "services")) {
      const json& meta = (*s)["metadata"];
      if (meta.value("namespace", "") == r.namespace_ && meta.value("name", "") == r.name) continue;
      if (!s->contains("spec") || !(*s)["spec"].contains("ports")) continue;
      for (const auto& p : (*s)["spec"]["ports"]) {
        if (p.contains("nodePort") && p["nodePort"].is_number_integer()) used.insert(p["nodePort"].get<int>());
      }
    }
    return used;
  }

  // The first usable address goes to default/kubernetes (as upstream); the
  // others are picked at random among the free ones.
  std::optional<uint32_t> PickIp(const std::set<uint32_t>& used, const std::string& name,
                                 const std::string& ns) const {
    uint32_t first = cidr_.base + 1;
    if (name == "kubernetes" && ns == "default" && !used.count(first)) return first;
    uint32_t span = cidr_.size - 3;  // skip network, first (reserved) and broadcast
    for (int i = 0; i < 64; ++i) {
      uint32_t candidate = cidr_.base + 2 + rng_() % span;
      if (!used.count(candidate)) return candidate;
    }
    for (uint32_t c = cidr_.base + 2; c < cidr_.base + cidr_.size - 1; ++c) {
      if (!used.count(c)) return c;
    }
    return std::nullopt;
  }

  const PluginOptions options_;
  Cidr cidr_;
  mutable std::mutex mu_;
  // Allocated by this process; kept so concurrent creates never collide even
  // before the watch cache shows the first one. Stale entries only make an
  // address unavailable, never double-booked.
  mutable std::set<uint32_t> recent_ips_;
  mutable std::set<int> recent_ports_;
  mutable std::mt19937 rng_{std::random_device{}()};
};

}  // namespace

registry::AdmissionPluginPtr NewServiceAllocation(const PluginOptions& options) {
  return std::make_unique<ServiceAllocation>(options);
}

std::vector<registry::AdmissionPluginPtr> DefaultPlugins(const PluginOptions& options) {
  std::vector<registry::AdmissionPluginPtr> plugins;
  plugins.push_back(NewNamespaceLifecycle(options.lookup));
  plugins.push_back(NewServiceAllocation(options));
  plugins.push_back(NewPriority(options.lookup, options.lister));
  return plugins;
}

}  // namespace kubepp::apiserver::admission
