#include "scheduler/plugins/node_resources_fit/node_resources_fit.h"

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "api/field_error.h"
#include "api/names.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;

constexpr std::string_view kPreFilterStateKey = "PreFilterNodeResourcesFit";
constexpr std::string_view kPreScoreStateKey = "PreScoreNodeResourcesFit";
constexpr int64_t kMaxUtilization = 100;
constexpr int64_t kMaxCustomPriorityScore = 10;

struct PreFilterState final : StateData {
  Resource request;
  // cpu, memory and ephemeral-storage all zero and no scalar to check.
  bool nothing_to_check = false;
  // Non-zero scalar requests that are not ignored, in name order.
  std::vector<std::pair<std::string, int64_t>> scalars;
  std::unique_ptr<StateData> Clone() const override { return std::make_unique<PreFilterState>(*this); }
};

struct PreScoreState final : StateData {
  std::vector<int64_t> pod_requests;
  std::unique_ptr<StateData> Clone() const override { return std::make_unique<PreScoreState>(*this); }
};

std::vector<std::string> ReadStrings(const json& v, const std::string& path, api::FieldErrors* errs) {
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) {
    errs->push_back(api::FieldError::Invalid(path, v.dump(), "must be a list of strings"));
    return out;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) {
      errs->push_back(
          api::FieldError::Invalid(path + "[" + std::to_string(i) + "]", v[i].dump(), "must be a string"));
      continue;
    }
    out.push_back(v[i].get<std::string>());
  }
  return out;
}

void ValidateLabelName(const std::string& value, const std::string& path, api::FieldErrors* errs) {
  for (auto& msg : api::IsQualifiedName(value))
    errs->push_back(api::FieldError::InvalidString(path, value, msg));
}

std::vector<UtilizationShapePoint> ReadShape(const json& v, const std::string& path, api::FieldErrors* errs) {
  std::vector<UtilizationShapePoint> out;
  if (v.is_null()) return out;
  if (!v.is_array()) {
    errs->push_back(api::FieldError::Invalid(path, v.dump(), "must be a list of points"));
    return out;
  }
  for (size_t i = 0; i < v.size(); ++i) {
    std::string p = path + "[" + std::to_string(i) + "]";
    if (!v[i].is_object()) {
      errs->push_back(api::FieldError::Invalid(p, v[i].dump(), "must be an object"));
      continue;
    }
    UtilizationShapePoint point;
    for (const auto& [key, value] : v[i].items()) {
      int32_t* target = key == "utilization" ? &point.utilization : key == "score" ? &point.score : nullptr;
      if (target == nullptr) {
        errs->push_back(api::FieldError::Forbidden(p + "." + key, "unknown field"));
      } else if (!value.is_number_integer()) {
        errs->push_back(api::FieldError::Invalid(p + "." + key, value.dump(), "must be an integer"));
      } else {
        *target = value.get<int32_t>();
      }
    }
    out.push_back(point);
  }
  return out;
}

// upstream validateFunctionShape.
void ValidateShape(const std::vector<UtilizationShapePoint>& shape, const std::string& path,
                   api::FieldErrors* errs) {
  if (shape.empty()) {
    errs->push_back(api::FieldError::Required(path, "at least one point must be specified"));
    return;
  }
  for (size_t i = 1; i < shape.size(); ++i) {
    if (shape[i - 1].utilization >= shape[i].utilization) {
      errs->push_back(api::FieldError::Invalid(path + "[" + std::to_string(i) + "].utilization",
                                               std::to_string(shape[i].utilization),
                                               "values must be sorted in increasing order"));
      break;
    }
  }
  for (size_t i = 0; i < shape.size(); ++i) {
    std::string p = path + "[" + std::to_string(i) + "]";
    if (shape[i].utilization < 0 || shape[i].utilization > kMaxUtilization) {
      errs->push_back(api::FieldError::Invalid(p + ".utilization", std::to_string(shape[i].utilization),
                                               "not in valid range [0, 100]"));
    }
    if (shape[i].score < 0 || shape[i].score > kMaxCustomPriorityScore) {
      errs->push_back(api::FieldError::Invalid(p + ".score", std::to_string(shape[i].score),
                                               "not in valid range [0, 10]"));
    }
  }
}

// upstream helper.BuildBrokenLinearFunction over points scaled to 0..100.
int64_t BrokenLinear(const std::vector<UtilizationShapePoint>& shape, int64_t p) {
  auto score = [&](size_t i) { return int64_t{shape[i].score} * (kMaxNodeScore / kMaxCustomPriorityScore); };
  for (size_t i = 0; i < shape.size(); ++i) {
    if (p <= shape[i].utilization) {
      if (i == 0) return score(0);
      return score(i - 1) + (score(i) - score(i - 1)) * (p - shape[i - 1].utilization) /
                                (shape[i].utilization - shape[i - 1].utilization);
    }
  }
  return score(shape.size() - 1);
}

std::unique_ptr<PreFilterState> ComputePreFilterState(const NodeResourcesFitArgs& args, const PodInfo& pod) {
  auto s = std::make_unique<PreFilterState>();
  s->request = pod.requests;
  for (const auto& [name, quantity] : pod.requests.scalar_resources) {
    if (quantity == 0) continue;
    if (IsExtendedResourceName(name)) {
      if (args.ignored_resources.count(name) > 0) continue;
      if (!args.ignored_resource_groups.empty() &&
          args.ignored_resource_groups.count(name.substr(0, name.find('/'))) > 0) {
        continue;
      }
    }
    s->scalars.emplace_back(name, quantity);
  }
  s->nothing_to_check = pod.requests.milli_cpu == 0 && pod.requests.memory == 0 &&
                        pod.requests.ephemeral_storage == 0 && s->scalars.empty();
  return s;
}

PluginStatus FitsRequest(const PreFilterState& s, const NodeInfo& node) {
  const Resource& alloc = node.allocatable();
  const Resource& used = node.requested();
  std::vector<std::string> reasons;
  bool unresolvable = false;
  if (static_cast<int64_t>(node.pods().size()) + 1 > alloc.allowed_pod_number)
    reasons.emplace_back("Too many pods");
  if (!s.nothing_to_check) {
    const Resource& req = s.request;
    auto check = [&](int64_t want, int64_t allocatable, int64_t in_use, const char* reason) {
      if (want > 0 && want > allocatable - in_use) {
        reasons.emplace_back(reason);
        unresolvable = unresolvable || want > allocatable;
      }
    };
    check(req.milli_cpu, alloc.milli_cpu, used.milli_cpu, "Insufficient cpu");
    check(req.memory, alloc.memory, used.memory, "Insufficient memory");
    check(req.ephemeral_storage, alloc.ephemeral_storage, used.ephemeral_storage,
          "Insufficient ephemeral-storage");
    for (const auto& [name, quantity] : s.scalars) {
      auto a = alloc.scalar_resources.find(name);
      auto u = used.scalar_resources.find(name);
      int64_t allocatable = a == alloc.scalar_resources.end() ? 0 : a->second;
      int64_t in_use = u == used.scalar_resources.end() ? 0 : u->second;
      if (quantity > allocatable - in_use) {
        reasons.push_back("Insufficient " + name);
        unresolvable = unresolvable || quantity > allocatable;
      }
    }
  }
  if (reasons.empty()) return PluginStatus::Success();
  return {unresolvable ? Code::kUnschedulableAndUnresolvable : Code::kUnschedulable, std::move(reasons)};
}

}  // namespace

StatusOr<NodeResourcesFitArgs> ParseNodeResourcesFitArgs(const json* args) {
  NodeResourcesFitArgs out;
  if (args == nullptr || args->is_null()) return out;
  if (!args->is_object()) return Status::Invalid("NodeResourcesFitArgs: Invalid value: must be an object");
  api::FieldErrors errs;
  for (const auto& [key, value] : args->items()) {
    if (key != "apiVersion" && key != "kind" && key != "ignoredResources" && key != "ignoredResourceGroups" &&
        key != "scoringStrategy") {
      errs.push_back(api::FieldError::Forbidden(key, "unknown field"));
    }
  }
  auto field = [](const json& obj, const char* key) -> const json& {
    static const json kNull;
    auto it = obj.find(key);
    return it == obj.end() ? kNull : *it;
  };

  auto ignored = ReadStrings(field(*args, "ignoredResources"), "ignoredResources", &errs);
  for (size_t i = 0; i < ignored.size(); ++i) {
    ValidateLabelName(ignored[i], "ignoredResources[" + std::to_string(i) + "]", &errs);
    out.ignored_resources.insert(ignored[i]);
  }
  auto groups = ReadStrings(field(*args, "ignoredResourceGroups"), "ignoredResourceGroups", &errs);
  for (size_t i = 0; i < groups.size(); ++i) {
    std::string p = "ignoredResourceGroups[" + std::to_string(i) + "]";
    if (groups[i].find('/') != std::string::npos) {
      errs.push_back(api::FieldError::InvalidString(p, groups[i], "resource group name can't contain '/'"));
    }
    ValidateLabelName(groups[i], p, &errs);
    out.ignored_resource_groups.insert(groups[i]);
  }

  const json& strategy = field(*args, "scoringStrategy");
  if (!strategy.is_null()) {
    if (!strategy.is_object()) {
      errs.push_back(api::FieldError::Invalid("scoringStrategy", strategy.dump(), "must be an object"));
    } else {
      for (const auto& [key, value] : strategy.items()) {
        if (key != "type" && key != "resources" && key != "requestedToCapacityRatio") {
          errs.push_back(api::FieldError::Forbidden("scoringStrategy." + key, "unknown field"));
        }
      }
      const json& type = field(strategy, "type");
      std::string type_name = type.is_string() ? type.get<std::string>() : std::string();
      if (type_name == "LeastAllocated") {
        out.type = ScoringStrategyType::kLeastAllocated;
      } else if (type_name == "MostAllocated") {
        out.type = ScoringStrategyType::kMostAllocated;
      } else if (type_name == "RequestedToCapacityRatio") {
        out.type = ScoringStrategyType::kRequestedToCapacityRatio;
      } else {
        errs.push_back(api::FieldError{
            api::FieldError::Type::kNotSupported, "scoringStrategy.type",
            type.is_string() || type.is_null() ? api::GoQuote(type_name) : type.dump(),
            "supported values: \"LeastAllocated\", \"MostAllocated\", \"RequestedToCapacityRatio\""});
      }
      out.resources = ReadResourceSpecs(field(strategy, "resources"), "scoringStrategy.resources", &errs);
      if (out.resources.empty()) out.resources = DefaultResourceSpecs();
      for (size_t i = 0; i < out.resources.size(); ++i) {
        const auto& r = out.resources[i];
        if (r.weight <= 0 || r.weight > 100) {
          errs.push_back(api::FieldError::Invalid(
              "scoringStrategy.resources[" + std::to_string(i) + "].weight", std::to_string(r.weight),
              "resource weight of " + r.name + " not in valid range (0, 100]"));
        }
      }
      const json& rtcr = field(strategy, "requestedToCapacityRatio");
      if (!rtcr.is_null()) {
        if (!rtcr.is_object()) {
          errs.push_back(api::FieldError::Invalid("scoringStrategy.requestedToCapacityRatio", rtcr.dump(),
                                                  "must be an object"));
        } else {
          out.shape = ReadShape(field(rtcr, "shape"), "scoringStrategy.shape", &errs);
          ValidateShape(out.shape, "scoringStrategy.shape", &errs);
        }
      } else if (out.type == ScoringStrategyType::kRequestedToCapacityRatio) {
        // Upstream would dereference nil here; say what is missing instead.
        errs.push_back(
            api::FieldError::Required("scoringStrategy.shape", "at least one point must be specified"));
      }
    }
  }
  if (!errs.empty()) return api::FieldErrorsToStatus(errs);
  return out;
}

int64_t LeastAllocatedScore(const std::vector<ResourceSpec>& resources, const int64_t* requested,
                            const int64_t* allocatable) {
  int64_t node_score = 0, weight_sum = 0;
  for (size_t i = 0; i < resources.size(); ++i) {
    if (allocatable[i] == 0) continue;
    int64_t score =
        requested[i] > allocatable[i] ? 0 : (allocatable[i] - requested[i]) * kMaxNodeScore / allocatable[i];
    node_score += score * resources[i].weight;
    weight_sum += resources[i].weight;
  }
  return weight_sum == 0 ? 0 : node_score / weight_sum;
}

int64_t MostAllocatedScore(const std::vector<ResourceSpec>& resources, const int64_t* requested,
                           const int64_t* allocatable) {
  int64_t node_score = 0, weight_sum = 0;
  for (size_t i = 0; i < resources.size(); ++i) {
    if (allocatable[i] == 0) continue;
    // Requests above capacity (non-zero defaults) count as full.
    int64_t req = std::min(requested[i], allocatable[i]);
    node_score += req * kMaxNodeScore / allocatable[i] * resources[i].weight;
    weight_sum += resources[i].weight;
  }
  return weight_sum == 0 ? 0 : node_score / weight_sum;
}

int64_t RequestedToCapacityRatioScore(const std::vector<ResourceSpec>& resources,
                                      const std::vector<UtilizationShapePoint>& shape,
                                      const int64_t* requested, const int64_t* allocatable) {
  if (shape.empty()) return 0;
  int64_t node_score = 0, weight_sum = 0;
  for (size_t i = 0; i < resources.size(); ++i) {
    if (allocatable[i] == 0) continue;
    int64_t score = requested[i] > allocatable[i]
                        ? BrokenLinear(shape, kMaxUtilization)
                        : BrokenLinear(shape, requested[i] * kMaxUtilization / allocatable[i]);
    if (score > 0) {
      node_score += score * resources[i].weight;
      weight_sum += resources[i].weight;
    }
  }
  if (weight_sum == 0) return 0;
  return static_cast<int64_t>(
      std::llround(static_cast<double>(node_score) / static_cast<double>(weight_sum)));
}

NodeResourcesFit::NodeResourcesFit(NodeResourcesFitArgs args)
    : args_(std::move(args)), scorer_(args_.resources, /*use_requested=*/false) {}

PluginStatus NodeResourcesFit::PreFilter(CycleState& state, const PodInfo& pod,
                                         const std::vector<NodeInfoPtr>& /*nodes*/,
                                         PreFilterResult* /*result*/) {
  if (!pod.parse_error.ok()) return PluginStatus::Error(pod.parse_error.message());
  state.Write(kPreFilterStateKey, ComputePreFilterState(args_, pod));
  return PluginStatus::Success();
}

PluginStatus NodeResourcesFit::Filter(CycleState& state, const PodInfo& pod, const NodeInfo& node) {
  if (const auto* s = static_cast<const PreFilterState*>(state.Read(kPreFilterStateKey)); s != nullptr) {
    return FitsRequest(*s, node);
  }
  return FitsRequest(*ComputePreFilterState(args_, pod), node);
}

PluginStatus NodeResourcesFit::PreScore(CycleState& state, const PodInfo& pod,
                                        const std::vector<NodeInfoPtr>& /*nodes*/) {
  auto s = std::make_unique<PreScoreState>();
  s->pod_requests = scorer_.PodRequests(pod);
  state.Write(kPreScoreStateKey, std::move(s));
  return PluginStatus::Success();
}

PluginStatus NodeResourcesFit::Score(CycleState& state, const PodInfo& pod, const NodeInfo& node,
                                     int64_t* score) {
  std::vector<int64_t> computed;
  const std::vector<int64_t>* pod_requests = nullptr;
  if (const auto* s = static_cast<const PreScoreState*>(state.Read(kPreScoreStateKey)); s != nullptr) {
    pod_requests = &s->pod_requests;
  } else {
    computed = scorer_.PodRequests(pod);
    pod_requests = &computed;
  }
  const size_t n = scorer_.size();
  if (n == 0) return PluginStatus::Error("resources not found");
  *score = scorer_.ScoreComputed(node, *pod_requests, [this](const int64_t* requested, const int64_t* allocatable) {
    switch (args_.type) {
      case ScoringStrategyType::kLeastAllocated:
        return LeastAllocatedScore(args_.resources, requested, allocatable);
      case ScoringStrategyType::kMostAllocated:
        return MostAllocatedScore(args_.resources, requested, allocatable);
      case ScoringStrategyType::kRequestedToCapacityRatio:
        return RequestedToCapacityRatioScore(args_.resources, args_.shape, requested, allocatable);
    }
    return int64_t{0};
  });
  return PluginStatus::Success();
}

std::vector<ClusterEvent> NodeResourcesFit::EventsToRegister() const {
  return {{EventResource::kPod, kDelete | kUpdatePodScaleDown},
          {EventResource::kNode, kAdd | kUpdateNodeAllocatable}};
}

StatusOr<std::unique_ptr<Plugin>> NewNodeResourcesFit(const json* args, Handle& /*handle*/) {
  auto parsed = ParseNodeResourcesFitArgs(args);
  if (!parsed.ok()) return parsed.status();
  return std::unique_ptr<Plugin>(std::make_unique<NodeResourcesFit>(*std::move(parsed)));
}

}  // namespace kubepp::scheduler::plugins
