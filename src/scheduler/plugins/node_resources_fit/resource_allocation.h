// The resource-allocation scoring shared by NodeResourcesFit's scoring
// strategies and NodeResourcesBalancedAllocation (upstream's
// resourceAllocationScorer): for each configured resource, the node's
// allocatable and what the node would have requested with the pod on it.
//
//   - cpu / memory: the node's non-zero requested sum (a container without a
//     request counts 100m / 200Mi) plus the pod's non-zero request, unless
//     use_requested (BalancedAllocation), which uses the plain requests;
//   - ephemeral-storage: plain requests;
//   - scalar resources (extended, hugepages-*, *kubernetes.io/*,
//     attachable-volumes-*): plain requests, and the resource is left out
//     (allocatable 0) when the pod does not request it or the node lacks it;
//   - anything else (e.g. "pods"): left out.
// A left-out resource has allocatable 0; scorers skip those entries.
//
// Thread-safety: immutable after construction.
#pragma once

#include <array>

#include <cstdint>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <vector>

#include "api/field_error.h"
#include "common/status.h"
#include "scheduler/framework/node_info.h"
#include "scheduler/framework/pod_info.h"

namespace kubepp::scheduler::plugins {

// kubescheduler.config.k8s.io/v1 ResourceSpec.
struct ResourceSpec {
  std::string name;
  int64_t weight = 1;
  bool operator==(const ResourceSpec&) const = default;
};

// The v1 default: cpu and memory, weight 1 each.
std::vector<ResourceSpec> DefaultResourceSpecs();

// Reads a []ResourceSpec at `path` ("scoringStrategy.resources"); a missing
// or 0 weight becomes 1 (the v1 defaulting). Appends field errors for
// malformed entries (wrong types, empty name, unknown fields).
std::vector<ResourceSpec> ReadResourceSpecs(const nlohmann::json& list, const std::string& path,
                                            api::FieldErrors* errors);

// upstream schedutil.IsScalarResourceName.
bool IsScalarResourceName(std::string_view name);
// upstream v1helper.IsExtendedResourceName (without the quota-name check).
bool IsExtendedResourceName(std::string_view name);

class ResourceAllocationScorer {
 public:
  ResourceAllocationScorer(std::vector<ResourceSpec> resources, bool use_requested);

  const std::vector<ResourceSpec>& resources() const { return resources_; }
  size_t size() const { return resources_.size(); }

  // The pod's request of each resource (index-aligned with resources()).
  std::vector<int64_t> PodRequests(const PodInfo& pod) const;
  // Fills requested[i] / allocatable[i] (arrays of size()) for `node` with
  // the pod (pod_requests from PodRequests) on it; both 0 when left out.
  void Compute(const NodeInfo& node, const std::vector<int64_t>& pod_requests, int64_t* requested,
               int64_t* allocatable) const;
  // Compute into buffers on the stack (the heap only beyond 16 resources:
  // Score runs for every feasible node) and return score(requested,
  // allocatable).
  template <typename ScoreFn>
  int64_t ScoreComputed(const NodeInfo& node, const std::vector<int64_t>& pod_requests, ScoreFn&& score) const {
    constexpr size_t kInline = 16;
    std::array<int64_t, kInline> req_buf, alloc_buf;
    std::vector<int64_t> req_vec, alloc_vec;
    int64_t* requested = req_buf.data();
    int64_t* allocatable = alloc_buf.data();
    if (size() > kInline) {
      req_vec.resize(size());
      alloc_vec.resize(size());
      requested = req_vec.data();
      allocatable = alloc_vec.data();
    }
    Compute(node, pod_requests, requested, allocatable);
    return score(static_cast<const int64_t*>(requested), static_cast<const int64_t*>(allocatable));
  }

 private:
  enum class Kind { kCpu, kMemory, kEphemeralStorage, kScalar, kIgnored };
  std::vector<ResourceSpec> resources_;
  std::vector<Kind> kinds_;
  bool use_requested_;
};

}  // namespace kubepp::scheduler::plugins
