#include "scheduler/framework/node_info.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "runtime/image/reference.h"
#include "scheduler/framework/json_access.h"

namespace kubepp::scheduler {
namespace {

using internal::Find;
using internal::StringAt;
using nlohmann::json;

void Subtract(Resource& r, const Resource& o) {
  r.milli_cpu -= o.milli_cpu;
  r.memory -= o.memory;
  r.ephemeral_storage -= o.ephemeral_storage;
  r.allowed_pod_number -= o.allowed_pod_number;
  for (const auto& [name, v] : o.scalar_resources) {
    auto it = r.scalar_resources.find(name);
    if (it == r.scalar_resources.end()) continue;
    it->second -= v;
    if (it->second == 0) r.scalar_resources.erase(it);
  }
}

bool RemoveByUid(std::vector<PodInfoPtr>& pods, const std::string& uid) {
  auto it = std::find_if(pods.begin(), pods.end(), [&](const PodInfoPtr& p) { return p->uid == uid; });
  if (it == pods.end()) return false;
  // Order does not matter to plugins; swap-and-pop keeps removal O(1).
  std::iter_swap(it, pods.end() - 1);
  pods.pop_back();
  return true;
}

}  // namespace

NodeInfo::NodeInfo(std::shared_ptr<const json> node) { SetNode(std::move(node)); }

void NodeInfo::SetNode(std::shared_ptr<const json> node) {
  node_ = std::move(node);
  const json& n = *node_;
  name_ = StringAt(n, {"metadata", "name"});
  labels_.clear();
  if (const json* l = Find(n, {"metadata", "labels"}); l != nullptr && l->is_object()) {
    for (const auto& [k, v] : l->items()) {
      if (v.is_string()) labels_.emplace(k, v.get<std::string>());
    }
  }
  taints_.clear();
  if (const json* t = Find(n, {"spec", "taints"}); t != nullptr && t->is_array()) {
    for (const auto& taint : *t) {
      taints_.push_back({StringAt(taint, {"key"}), StringAt(taint, {"value"}), StringAt(taint, {"effect"})});
    }
  }
  const json* u = Find(n, {"spec", "unschedulable"});
  unschedulable_ = u != nullptr && u->is_boolean() && u->get<bool>();
  allocatable_ = Resource{};
  parse_error_ = Status::Ok();
  if (const json* alloc = Find(n, {"status", "allocatable"}); alloc != nullptr) {
    auto r = Resource::FromResourceList(*alloc, "status.allocatable");
    if (r.ok()) {
      allocatable_ = *std::move(r);
    } else {
      parse_error_ = r.status();
    }
  }
  image_sizes_.clear();
  if (const json* images = Find(n, {"status", "images"}); images != nullptr && images->is_array()) {
    for (const auto& image : *images) {
      int64_t size = 0;
      if (const json* s = Find(image, {"sizeBytes"}); s != nullptr && s->is_number_integer()) {
        size = s->get<int64_t>();
      }
      if (const json* names = Find(image, {"names"}); names != nullptr && names->is_array()) {
        for (const auto& name : *names) {
          if (!name.is_string()) continue;
          const auto& raw = name.get_ref<const std::string&>();
          image_sizes_[raw] = size;
          image_sizes_.emplace(runtime::image::NormalizeReference(raw), size);
        }
      }
    }
  }
  ++generation_;
}

void NodeInfo::ClearNode() {
  node_.reset();
  ++generation_;
}

void NodeInfo::AddPod(PodInfoPtr pod) {
  requested_.Add(pod->requests);
  non_zero_requested_.Add(pod->non_zero_requests);
  for (const auto& port : pod->host_ports) used_ports_.push_back(port);
  if (pod->HasAffinityConstraints()) pods_with_affinity_.push_back(pod);
  if (pod->HasRequiredAntiAffinity()) pods_with_required_anti_affinity_.push_back(pod);
  pods_.push_back(std::move(pod));
  ++generation_;
}

bool NodeInfo::RemovePod(const std::string& uid) {
  auto it = std::find_if(pods_.begin(), pods_.end(), [&](const PodInfoPtr& p) { return p->uid == uid; });
  if (it == pods_.end()) return false;
  PodInfoPtr pod = *it;
  RemoveByUid(pods_, uid);
  RemoveByUid(pods_with_affinity_, uid);
  RemoveByUid(pods_with_required_anti_affinity_, uid);
  Subtract(requested_, pod->requests);
  Subtract(non_zero_requested_, pod->non_zero_requests);
  for (const auto& port : pod->host_ports) {
    auto p = std::find_if(used_ports_.begin(), used_ports_.end(), [&](const HostPort& u) {
      return u.port == port.port && u.protocol == port.protocol && u.host_ip == port.host_ip;
    });
    if (p != used_ports_.end()) used_ports_.erase(p);
  }
  ++generation_;
  return true;
}

bool HostPortsConflict(const HostPort& a, const HostPort& b) {
  if (a.port != b.port || a.protocol != b.protocol) return false;
  return a.host_ip == b.host_ip || a.host_ip == "0.0.0.0" || b.host_ip == "0.0.0.0";
}

}  // namespace kubepp::scheduler
