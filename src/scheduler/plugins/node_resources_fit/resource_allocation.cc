#include "scheduler/plugins/node_resources_fit/resource_allocation.h"

#include <nlohmann/json.hpp>

namespace kubepp::scheduler::plugins {

std::vector<ResourceSpec> DefaultResourceSpecs() { return {{"cpu", 1}, {"memory", 1}}; }

std::vector<ResourceSpec> ReadResourceSpecs(const nlohmann::json& list, const std::string& path,
                                            api::FieldErrors* errors) {
  std::vector<ResourceSpec> out;
  if (list.is_null()) return out;
  if (!list.is_array()) {
    errors->push_back(api::FieldError::Invalid(path, list.dump(), "must be a list of resources"));
    return out;
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const auto& r = list[i];
    std::string p = path + "[" + std::to_string(i) + "]";
    if (!r.is_object()) {
      errors->push_back(api::FieldError::Invalid(p, r.dump(), "must be an object"));
      continue;
    }
    ResourceSpec spec;
    for (const auto& [key, value] : r.items()) {
      if (key == "name") {
        if (!value.is_string()) {
          errors->push_back(api::FieldError::Invalid(p + ".name", value.dump(), "must be a string"));
        } else {
          spec.name = value.get<std::string>();
        }
      } else if (key == "weight") {
        if (!value.is_null() && !value.is_number_integer()) {
          errors->push_back(api::FieldError::Invalid(p + ".weight", value.dump(), "must be an integer"));
        } else if (value.is_number_integer()) {
          spec.weight = value.get<int64_t>();
        }
      } else {
        errors->push_back(
            api::FieldError{api::FieldError::Type::kInvalid, p, "", "unknown field \"" + key + "\""});
      }
    }
    if (spec.name.empty()) errors->push_back(api::FieldError::Required(p + ".name", ""));
    if (spec.weight == 0) spec.weight = 1;
    out.push_back(std::move(spec));
  }
  return out;
}

bool IsExtendedResourceName(std::string_view name) {
  if (name.find('/') == std::string_view::npos) return false;               // native
  if (name.find("kubernetes.io/") != std::string_view::npos) return false;  // prefixed native
  return name.rfind("requests.", 0) != 0;
}

bool IsScalarResourceName(std::string_view name) {
  return IsExtendedResourceName(name) || name.rfind("hugepages-", 0) == 0 ||
         name.find("kubernetes.io/") != std::string_view::npos || name.rfind("attachable-volumes-", 0) == 0;
}

ResourceAllocationScorer::ResourceAllocationScorer(std::vector<ResourceSpec> resources, bool use_requested)
    : resources_(std::move(resources)), use_requested_(use_requested) {
  for (const auto& r : resources_) {
    if (r.name == kResourceCPU) {
      kinds_.push_back(Kind::kCpu);
    } else if (r.name == kResourceMemory) {
      kinds_.push_back(Kind::kMemory);
    } else if (r.name == kResourceEphemeralStorage) {
      kinds_.push_back(Kind::kEphemeralStorage);
    } else if (IsScalarResourceName(r.name)) {
      kinds_.push_back(Kind::kScalar);
    } else {
      kinds_.push_back(Kind::kIgnored);
    }
  }
}

std::vector<int64_t> ResourceAllocationScorer::PodRequests(const PodInfo& pod) const {
  std::vector<int64_t> out(resources_.size(), 0);
  const Resource& cpu_mem = use_requested_ ? pod.requests : pod.non_zero_requests;
  for (size_t i = 0; i < resources_.size(); ++i) {
    switch (kinds_[i]) {
      case Kind::kCpu:
        out[i] = cpu_mem.milli_cpu;
        break;
      case Kind::kMemory:
        out[i] = cpu_mem.memory;
        break;
      case Kind::kEphemeralStorage:
        out[i] = pod.requests.ephemeral_storage;
        break;
      case Kind::kScalar: {
        auto it = pod.requests.scalar_resources.find(resources_[i].name);
        out[i] = it == pod.requests.scalar_resources.end() ? 0 : it->second;
        break;
      }
      case Kind::kIgnored:
        break;
    }
  }
  return out;
}

void ResourceAllocationScorer::Compute(const NodeInfo& node, const std::vector<int64_t>& pod_requests,
                                       int64_t* requested, int64_t* allocatable) const {
  const Resource& alloc = node.allocatable();
  const Resource& cpu_mem = use_requested_ ? node.requested() : node.non_zero_requested();
  for (size_t i = 0; i < resources_.size(); ++i) {
    int64_t a = 0, r = 0;
    switch (kinds_[i]) {
      case Kind::kCpu:
        a = alloc.milli_cpu;
        r = cpu_mem.milli_cpu + pod_requests[i];
        break;
      case Kind::kMemory:
        a = alloc.memory;
        r = cpu_mem.memory + pod_requests[i];
        break;
      case Kind::kEphemeralStorage:
        a = alloc.ephemeral_storage;
        r = node.requested().ephemeral_storage + pod_requests[i];
        break;
      case Kind::kScalar: {
        if (pod_requests[i] == 0) break;
        auto it = alloc.scalar_resources.find(resources_[i].name);
        if (it == alloc.scalar_resources.end()) break;
        a = it->second;
        auto used = node.requested().scalar_resources.find(resources_[i].name);
        r = (used == node.requested().scalar_resources.end() ? 0 : used->second) + pod_requests[i];
        break;
      }
      case Kind::kIgnored:
        break;
    }
    // Only a resource the node has takes part.
    if (a == 0) r = 0;
    allocatable[i] = a;
    requested[i] = r;
  }
}

}  // namespace kubepp::scheduler::plugins
