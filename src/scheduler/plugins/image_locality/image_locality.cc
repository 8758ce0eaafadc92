#include "scheduler/plugins/image_locality/image_locality.h"

#include <algorithm>
#include <string>

#include "runtime/image/reference.h"

namespace kubepp::scheduler::plugins {
namespace {

constexpr std::string_view kPreScoreStateKey = "PreScoreImageLocality";
constexpr int64_t kMB = 1024 * 1024;
constexpr int64_t kMinThreshold = 23 * kMB;
constexpr int64_t kMaxContainerThreshold = 1000 * kMB;

struct PreScoreState final : StateData {
  struct Image {
    std::string name;   // normalized
    double spread = 0;  // nodes with the image / all nodes
  };
  std::vector<Image> images;
  int num_containers = 0;
  std::unique_ptr<StateData> Clone() const override { return std::make_unique<PreScoreState>(*this); }
};

PreScoreState Compute(const PodInfo& pod, const Snapshot& snapshot) {
  PreScoreState s;
  s.num_containers = static_cast<int>(pod.images.size());
  const double total = static_cast<double>(snapshot.nodes().size());
  for (const auto& image : pod.images) {
    PreScoreState::Image i;
    i.name = runtime::image::NormalizeReference(image);
    i.spread = total == 0 ? 0 : static_cast<double>(snapshot.NumNodesWithImage(i.name)) / total;
    s.images.push_back(std::move(i));
  }
  return s;
}

int64_t ScoreNode(const PreScoreState& s, const NodeInfo& node) {
  int64_t sum = 0;
  const auto& sizes = node.image_sizes();
  if (!sizes.empty()) {
    for (const auto& image : s.images) {
      auto it = sizes.find(image.name);
      if (it != sizes.end()) sum += static_cast<int64_t>(static_cast<double>(it->second) * image.spread);
    }
  }
  return ImageLocalityPriority(sum, s.num_containers);
}

}  // namespace

int64_t ImageLocalityPriority(int64_t sum_scores, int num_containers) {
  const int64_t max_threshold = kMaxContainerThreshold * num_containers;
  if (max_threshold <= kMinThreshold) return 0;  // no containers
  sum_scores = std::clamp(sum_scores, kMinThreshold, max_threshold);
  return kMaxNodeScore * (sum_scores - kMinThreshold) / (max_threshold - kMinThreshold);
}

PluginStatus ImageLocality::PreScore(CycleState& state, const PodInfo& pod,
                                     const std::vector<NodeInfoPtr>& /*nodes*/) {
  state.Write(kPreScoreStateKey, std::make_unique<PreScoreState>(Compute(pod, handle_.snapshot())));
  return PluginStatus::Success();
}

PluginStatus ImageLocality::Score(CycleState& state, const PodInfo& pod, const NodeInfo& node,
                                  int64_t* score) {
  if (const auto* s = static_cast<const PreScoreState*>(state.Read(kPreScoreStateKey)); s != nullptr) {
    *score = ScoreNode(*s, node);
  } else {
    *score = ScoreNode(Compute(pod, handle_.snapshot()), node);
  }
  return PluginStatus::Success();
}

StatusOr<std::unique_ptr<Plugin>> NewImageLocality(const nlohmann::json* /*args*/, Handle& handle) {
  return std::unique_ptr<Plugin>(std::make_unique<ImageLocality>(handle));
}

}  // namespace kubepp::scheduler::plugins
