#include "scheduler/framework/types.h"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "api/quantity.h"
#include "scheduler/framework/json_access.h"

namespace kubepp::scheduler {
namespace {

using internal::Find;
using nlohmann::json;

// Requests of one container; an absent resources.requests means zero.
StatusOr<Resource> ContainerRequests(const json &container, const std::string &path, bool non_zero) {
  const json *requests = Find(container, {"resources", "requests"});
  Resource r;
  if (requests != nullptr) {
    ASSIGN_OR_RETURN(r, Resource::FromResourceList(*requests, path + ".resources.requests"));
  }
  if (non_zero) {
    if (requests == nullptr || !requests->contains(kResourceCPU)) r.milli_cpu = 100;
    if (requests == nullptr || !requests->contains(kResourceMemory)) r.memory = 200LL * 1024 * 1024;
  }
  return r;
}

bool IsRestartable(const json &container) {
  return internal::StringAt(container, {"restartPolicy"}) == "Always";
}

}  // namespace

StatusOr<Resource> Resource::FromResourceList(const json &list, const std::string &path) {
  Resource r;
  if (list.is_null()) return r;
  if (!list.is_object()) return Status::Invalid(path + ": Invalid value: must be an object");
  for (const auto &[name, value] : list.items()) {
    if (!value.is_string()) {
      return Status::Invalid(path + "." + name + ": Invalid value: quantity must be a string");
    }
    auto q = api::Quantity::Parse(value.get<std::string>());
    if (!q.ok()) return q.status().WithPrefix(path + "." + name);
    if (name == kResourceCPU) {
      r.milli_cpu = q->MilliValue();
    } else if (name == kResourceMemory) {
      r.memory = q->Value();
    } else if (name == kResourceEphemeralStorage) {
      r.ephemeral_storage = q->Value();
    } else if (name == kResourcePods) {
      r.allowed_pod_number = q->Value();
    } else {
      r.scalar_resources[name] = q->Value();
    }
  }
  return r;
}

void Resource::Add(const Resource &o) {
  milli_cpu += o.milli_cpu;
  memory += o.memory;
  ephemeral_storage += o.ephemeral_storage;
  allowed_pod_number += o.allowed_pod_number;
  for (const auto &[name, v] : o.scalar_resources) scalar_resources[name] += v;
}

void Resource::SetMax(const Resource &o) {
  milli_cpu = std::max(milli_cpu, o.milli_cpu);
  memory = std::max(memory, o.memory);
  ephemeral_storage = std::max(ephemeral_storage, o.ephemeral_storage);
  allowed_pod_number = std::max(allowed_pod_number, o.allowed_pod_number);
  for (const auto &[name, v] : o.scalar_resources) {
    auto [it, inserted] = scalar_resources.emplace(name, v);
    if (!inserted) it->second = std::max(it->second, v);
  }
}

bool Resource::IsZeroRequest() const {
  if (milli_cpu != 0 || memory != 0 || ephemeral_storage != 0) return false;
  return std::all_of(scalar_resources.begin(), scalar_resources.end(),
                     [](const auto &kv) { return kv.second == 0; });
}

StatusOr<Resource> ComputePodResourceRequest(const json &pod, bool non_zero) {
  Resource reqs;
  const json *spec = Find(pod, {"spec"});
  if (spec == nullptr) return reqs;

  if (const json *containers = Find(*spec, {"containers"}); containers != nullptr && containers->is_array()) {
    for (size_t i = 0; i < containers->size(); ++i) {
      ASSIGN_OR_RETURN(Resource c,
                       ContainerRequests((*containers)[i], "spec.containers[" + std::to_string(i) + "]", non_zero));
      reqs.Add(c);
    }
  }

  // Sidecars keep running for the rest of the pod's life, so each one adds
  // to the steady state and to every init step that starts after it.
  Resource sidecars;
  Resource init_max;
  if (const json *inits = Find(*spec, {"initContainers"}); inits != nullptr && inits->is_array()) {
    for (size_t i = 0; i < inits->size(); ++i) {
      const json &c = (*inits)[i];
      ASSIGN_OR_RETURN(Resource step, ContainerRequests(c, "spec.initContainers[" + std::to_string(i) + "]", non_zero));
      if (IsRestartable(c)) {
        reqs.Add(step);
        sidecars.Add(step);
        step = sidecars;
      } else {
        step.Add(sidecars);
      }
      init_max.SetMax(step);
    }
  }
  reqs.SetMax(init_max);

  if (const json *overhead = Find(*spec, {"overhead"}); overhead != nullptr) {
    ASSIGN_OR_RETURN(Resource o, Resource::FromResourceList(*overhead, "spec.overhead"));
    reqs.Add(o);
  }
  return reqs;
}

}  // namespace kubepp::scheduler
