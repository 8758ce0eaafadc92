#include "scheduler/plugins/node_resources_balanced_allocation/node_resources_balanced_allocation.h"

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>

#include "api/field_error.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;

constexpr std::string_view kPreScoreStateKey = "PreScoreNodeResourcesBalancedAllocation";

struct PreScoreState final : StateData {
  std::vector<int64_t> pod_requests;
  std::unique_ptr<StateData> Clone() const override { return std::make_unique<PreScoreState>(*this); }
};

bool AllZero(const std::vector<int64_t>& v) {
  for (int64_t x : v) {
    if (x != 0) return false;
  }
  return true;
}

}  // namespace

StatusOr<std::vector<ResourceSpec>> ParseNodeResourcesBalancedAllocationArgs(const json* args) {
  if (args == nullptr || args->is_null()) return DefaultResourceSpecs();
  if (!args->is_object()) {
    return Status::Invalid("NodeResourcesBalancedAllocationArgs: Invalid value: must be an object");
  }
  api::FieldErrors errs;
  std::vector<ResourceSpec> resources;
  for (const auto& [key, value] : args->items()) {
    if (key == "resources") {
      resources = ReadResourceSpecs(value, "resources", &errs);
    } else if (key != "apiVersion" && key != "kind") {
      errs.push_back(api::FieldError::Forbidden(key, "unknown field"));
    }
  }
  if (resources.empty()) resources = DefaultResourceSpecs();
  std::set<std::string> seen;
  for (size_t i = 0; i < resources.size(); ++i) {
    std::string p = "resources[" + std::to_string(i) + "]";
    if (!seen.insert(resources[i].name).second) {
      errs.push_back(api::FieldError{api::FieldError::Type::kDuplicate, p + ".name",
                                     api::GoQuote(resources[i].name), ""});
    }
    if (resources[i].weight != 1) {
      errs.push_back(
          api::FieldError::Invalid(p + ".weight", std::to_string(resources[i].weight), "must be 1"));
    }
  }
  if (!errs.empty()) return api::FieldErrorsToStatus(errs);
  return resources;
}

int64_t BalancedResourceScore(size_t n, const int64_t* requested, const int64_t* allocatable) {
  double fractions[16];
  std::vector<double> more;
  double* f = fractions;
  if (n > 16) {
    more.resize(n);
    f = more.data();
  }
  size_t count = 0;
  double total = 0;
  for (size_t i = 0; i < n; ++i) {
    if (allocatable[i] == 0) continue;
    double fraction = static_cast<double>(requested[i]) / static_cast<double>(allocatable[i]);
    if (fraction > 1) fraction = 1;
    total += fraction;
    f[count++] = fraction;
  }
  double std_dev = 0;
  if (count == 2) {
    std_dev = std::abs((f[0] - f[1]) / 2);
  } else if (count > 2) {
    double mean = total / static_cast<double>(count);
    double sum = 0;
    for (size_t i = 0; i < count; ++i) sum += (f[i] - mean) * (f[i] - mean);
    std_dev = std::sqrt(sum / static_cast<double>(count));
  }
  return static_cast<int64_t>((1 - std_dev) * static_cast<double>(kMaxNodeScore));
}

PluginStatus NodeResourcesBalancedAllocation::PreScore(CycleState& state, const PodInfo& pod,
                                                       const std::vector<NodeInfoPtr>& /*nodes*/) {
  auto s = std::make_unique<PreScoreState>();
  s->pod_requests = scorer_.PodRequests(pod);
  // Best-effort pods would all pile onto the emptiest nodes (upstream #129138).
  if (AllZero(s->pod_requests)) return PluginStatus::Skip();
  state.Write(kPreScoreStateKey, std::move(s));
  return PluginStatus::Success();
}

PluginStatus NodeResourcesBalancedAllocation::Score(CycleState& state, const PodInfo& pod,
                                                    const NodeInfo& node, int64_t* score) {
  std::vector<int64_t> computed;
  const std::vector<int64_t>* pod_requests = nullptr;
  if (const auto* s = static_cast<const PreScoreState*>(state.Read(kPreScoreStateKey)); s != nullptr) {
    pod_requests = &s->pod_requests;
  } else {
    computed = scorer_.PodRequests(pod);
    if (AllZero(computed)) {
      *score = 0;
      return PluginStatus::Success();
    }
    pod_requests = &computed;
  }
  const size_t n = scorer_.size();
  *score = scorer_.ScoreComputed(node, *pod_requests, [n](const int64_t* requested, const int64_t* allocatable) {
    return BalancedResourceScore(n, requested, allocatable);
  });
  return PluginStatus::Success();
}

StatusOr<std::unique_ptr<Plugin>> NewNodeResourcesBalancedAllocation(const json* args, Handle& /*handle*/) {
  auto resources = ParseNodeResourcesBalancedAllocationArgs(args);
  if (!resources.ok()) return resources.status();
  return std::unique_ptr<Plugin>(std::make_unique<NodeResourcesBalancedAllocation>(*std::move(resources)));
}

}  // namespace kubepp::scheduler::plugins
