#include "scheduler/plugins/image_locality/image_locality.h"

#include <gtest/gtest.h>

#include "runtime/image/reference.h"
#include "scheduler/testing/builders.h"
#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;
using testing::MakeNode;
using testing::MakePod;

constexpr int64_t kMB = 1024 * 1024;

NodeInfoPtr NodeWithImages(const std::string& name,
                           const std::vector<std::pair<std::vector<std::string>, int64_t>>& images) {
  auto b = MakeNode(name);
  json list = json::array();
  for (const auto& [names, size] : images) list.push_back({{"names", names}, {"sizeBytes", size}});
  b.Obj()["status"]["images"] = list;
  return b.Info();
}

PodInfoPtr PodWithImages(const std::vector<std::string>& containers,
                         const std::vector<std::string>& init = {}) {
  auto b = MakePod("p");
  json c = json::array();
  for (size_t i = 0; i < containers.size(); ++i)
    c.push_back({{"name", "c" + std::to_string(i)}, {"image", containers[i]}});
  b.Obj()["spec"]["containers"] = c;
  if (!init.empty()) {
    json ic = json::array();
    for (size_t i = 0; i < init.size(); ++i)
      ic.push_back({{"name", "i" + std::to_string(i)}, {"image", init[i]}});
    b.Obj()["spec"]["initContainers"] = ic;
  }
  return b.Info();
}

std::vector<int64_t> Scores(const PodInfo& pod, const std::vector<NodeInfoPtr>& nodes,
                            bool pre_score = true) {
  testing::FakeHandle handle;
  handle.SetNodes(nodes);
  auto plugin = NewImageLocality(nullptr, handle);
  EXPECT_TRUE(plugin.ok());
  CycleState state;
  if (pre_score) {
    EXPECT_TRUE(dynamic_cast<PreScorePlugin*>(plugin->get())->PreScore(state, pod, nodes).IsSuccess());
  }
  auto* sp = dynamic_cast<ScorePlugin*>(plugin->get());
  EXPECT_FALSE(sp->HasNormalizeScore());
  std::vector<int64_t> out;
  for (const auto& n : nodes) {
    int64_t v = -1;
    EXPECT_TRUE(sp->Score(state, pod, *n, &v).IsSuccess());
    out.push_back(v);
  }
  return out;
}

TEST(ImageLocalityTest, Score) {
  auto node1 = NodeWithImages("node1", {{{"gcr.io/40:latest", "gcr.io/40:v1"}, 40 * kMB},
                                        {{"gcr.io/300:latest", "gcr.io/300:v1"}, 300 * kMB},
                                        {{"gcr.io/2000:latest"}, 2000 * kMB}});
  auto node2 = NodeWithImages("node2", {{{"gcr.io/250:latest"}, 250 * kMB}, {{"gcr.io/10:v1"}, 10 * kMB}});
  auto node3 = NodeWithImages("node3", {});
  std::vector<NodeInfoPtr> nodes = {node1, node2, node3};
  struct Case {
    const char* name;
    PodInfoPtr pod;
    std::vector<int64_t> want;
  } cases[] = {
      // node1: 300MB * 1/3 = 100MB -> 100 * (100-23) / (1000-23) = 7.
      {"one image on one of three nodes", PodWithImages({"gcr.io/300"}), {7, 0, 0}},
      // An explicit tag must match the reported one.
      {"tag must match", PodWithImages({"gcr.io/300:v1"}), {7, 0, 0}},
      {"other tag is another image", PodWithImages({"gcr.io/300:v2"}), {0, 0, 0}},
      // node1: 40MB/3 = 13MB < 23MB -> 0; node2: 250MB/3 = 83MB over a
      // 2000MB range -> 100 * 60.3 / 1977 = 3.
      {"two containers", PodWithImages({"gcr.io/40", "gcr.io/250"}), {0, 3, 0}},
      // Init containers count: 2000MB/3 + 300MB/3 = 766MB of 2000MB -> 37.
      {"init containers count", PodWithImages({"gcr.io/2000"}, {"gcr.io/300"}), {37, 0, 0}},
      {"no image anywhere", PodWithImages({"gcr.io/none"}), {0, 0, 0}},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    EXPECT_EQ(Scores(*tc.pod, nodes), tc.want);
    EXPECT_EQ(Scores(*tc.pod, nodes, /*pre_score=*/false), tc.want);
  }
}

TEST(ImageLocalityTest, LargeImageEverywhereScoresMax) {
  auto node = NodeWithImages("n", {{{"gcr.io/2000:latest"}, 2000 * kMB}});
  EXPECT_EQ(Scores(*PodWithImages({"gcr.io/2000"}), {node}), std::vector<int64_t>{100});
}

// A runtime reports fully qualified names; pods usually say "busybox".
TEST(ImageLocalityTest, NormalizedNamesMatch) {
  auto containerd = NodeWithImages("a", {{{"docker.io/library/busybox:latest"}, 500 * kMB}});
  auto docker = NodeWithImages("b", {{{"busybox:latest"}, 500 * kMB}});
  auto none = NodeWithImages("c", {});
  // Two of three nodes have it: 500MB * 2/3 = 333MB -> 100 * 310.3 / 977 = 31.
  EXPECT_EQ(Scores(*PodWithImages({"busybox"}), {containerd, docker, none}),
            (std::vector<int64_t>{31, 31, 0}));
  EXPECT_EQ(Scores(*PodWithImages({"docker.io/library/busybox:latest"}), {containerd, docker, none}),
            (std::vector<int64_t>{31, 31, 0}));
}

TEST(ImageLocalityTest, Priority) {
  EXPECT_EQ(ImageLocalityPriority(0, 1), 0);
  EXPECT_EQ(ImageLocalityPriority(23 * kMB, 1), 0);
  EXPECT_EQ(ImageLocalityPriority(1000 * kMB, 1), 100);
  EXPECT_EQ(ImageLocalityPriority(5000 * kMB, 1), 100);
  EXPECT_EQ(ImageLocalityPriority(1000 * kMB, 2), 49);  // 977 / 1977
  EXPECT_EQ(ImageLocalityPriority(1000 * kMB, 0), 0);
}

// The scheduler relies on the runtime's normalization to match pod images
// against node.status.images names.
TEST(ImageNameNormalizationTest, Table) {
  struct Case {
    std::string in;
    std::string want;
  } cases[] = {
      {"busybox", "docker.io/library/busybox:latest"},
      {"busybox:1.36", "docker.io/library/busybox:1.36"},
      {"library/busybox", "docker.io/library/busybox:latest"},
      {"user/repo:tag", "docker.io/user/repo:tag"},
      {"docker.io/busybox", "docker.io/library/busybox:latest"},
      {"index.docker.io/library/busybox", "docker.io/library/busybox:latest"},
      {"gcr.io/foo/bar", "gcr.io/foo/bar:latest"},
      {"localhost/app", "localhost/app:latest"},
      {"localhost:5000/app", "localhost:5000/app:latest"},
      {"localhost:5000/app:v1", "localhost:5000/app:v1"},
      {"busybox@sha256:" + std::string(64, 'a'), "docker.io/library/busybox@sha256:" + std::string(64, 'a')},
      {"registry.k8s.io/pause:3.9", "registry.k8s.io/pause:3.9"},
  };
  for (const auto& tc : cases) EXPECT_EQ(runtime::image::NormalizeReference(tc.in), tc.want) << tc.in;
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
