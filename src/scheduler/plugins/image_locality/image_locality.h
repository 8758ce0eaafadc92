// ImageLocality plugin (upstream "ImageLocality"): favours nodes that
// already have the pod's images (containers and init containers). Each image
// present on the node adds its size scaled by its spread (nodes that have
// it / all nodes, against the "every pod on the one node with the image"
// heating problem); the sum is clamped to [23 MB, 1000 MB x number of
// containers] and mapped linearly onto 0..100. Image names are compared in
// normalized form (runtime::image::NormalizeReference), so "busybox" matches a node
// reporting "docker.io/library/busybox:latest". PreScore resolves the names
// and their spreads once per pod; Score is then a few hash lookups. No args.
//
// Ownership: created by its factory, owned by the Framework; keeps a
// reference to the Handle (which outlives it) for the snapshot.
// Thread-safety: stateless apart from CycleState.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kImageLocalityName = "ImageLocality";

// upstream calculatePriority: the sum of scaled image sizes -> 0..100.
int64_t ImageLocalityPriority(int64_t sum_scores, int num_containers);

class ImageLocality final : public PreScorePlugin, public ScorePlugin {
 public:
  explicit ImageLocality(Handle& handle) : handle_(handle) {}

  std::string_view Name() const override { return kImageLocalityName; }
  PluginStatus PreScore(CycleState& state, const PodInfo& pod,
                        const std::vector<NodeInfoPtr>& nodes) override;
  PluginStatus Score(CycleState& state, const PodInfo& pod, const NodeInfo& node, int64_t* score) override;

 private:
  Handle& handle_;
};

StatusOr<std::unique_ptr<Plugin>> NewImageLocality(const nlohmann::json* args, Handle& handle);

}  // namespace kubepp::scheduler::plugins
