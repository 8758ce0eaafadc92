#include "scheduler/plugins/node_resources_fit.h"

#include <nlohmann/json.hpp>

namespace kubepp::scheduler::plugins {

FilterStatus NodeResourcesFitFilter(const nlohmann::json &pod, const NodeInfo &node) {
  auto request = ComputePodResourceRequest(pod);
  if (!request.ok()) return {FilterCode::kError, {request.status().message()}};
  const Resource &req = *request;
  const Resource &alloc = node.allocatable();
  const Resource &used = node.requested();

  std::vector<std::string> reasons;
  if (static_cast<int64_t>(node.pods().size()) + 1 > alloc.allowed_pod_number)
    reasons.push_back("Too many pods");
  if (!req.IsZeroRequest()) {
    if (req.milli_cpu > 0 && req.milli_cpu > alloc.milli_cpu - used.milli_cpu) {
      reasons.push_back("Insufficient cpu");
    }
    if (req.memory > 0 && req.memory > alloc.memory - used.memory) reasons.push_back("Insufficient memory");
    if (req.ephemeral_storage > 0 &&
        req.ephemeral_storage > alloc.ephemeral_storage - used.ephemeral_storage) {
      reasons.push_back("Insufficient ephemeral-storage");
    }
    for (const auto &[name, quantity] : req.scalar_resources) {
      if (quantity == 0) continue;
      auto a = alloc.scalar_resources.find(name);
      auto u = used.scalar_resources.find(name);
      int64_t free = (a == alloc.scalar_resources.end() ? 0 : a->second) -
                     (u == used.scalar_resources.end() ? 0 : u->second);
      if (quantity > free) reasons.push_back("Insufficient " + name);
    }
  }
  if (reasons.empty()) return FilterStatus::Success();
  return {FilterCode::kUnschedulable, std::move(reasons)};
}

}  // namespace kubepp::scheduler::plugins
