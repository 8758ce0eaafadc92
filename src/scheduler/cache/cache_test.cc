#include "scheduler/cache/cache.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kubepp::scheduler {
namespace {

using nlohmann::json;

std::shared_ptr<const json> Node(const std::string& name, const std::string& cpu = "4") {
  return std::make_shared<const json>(json{{"metadata", {{"name", name}, {"labels", {{"zone", "a"}}}}},
                                           {"status", {{"allocatable", {{"cpu", cpu}, {"pods", "110"}}}}}});
}

PodInfoPtr Pod(const std::string& uid, const std::string& node, const std::string& cpu = "1") {
  return ParsePodInfo(std::make_shared<const json>(
      json{{"metadata", {{"name", "p-" + uid}, {"namespace", "ns"}, {"uid", uid}}},
           {"spec", {{"nodeName", node}, {"containers", {{{"name", "c"}, {"resources", {{"requests", {{"cpu", cpu}}}}}}}}}}}));
}

TEST(CacheTest, SnapshotSeesNodesAndPods) {
  Cache cache;
  cache.AddNode(Node("n1"));
  cache.AddNode(Node("n2"));
  cache.AddPod(Pod("u1", "n1"));
  CacheSnapshot snap;
  cache.UpdateSnapshot(snap);
  ASSERT_EQ(snap.nodes().size(), 2u);
  ASSERT_NE(snap.Get("n1"), nullptr);
  EXPECT_EQ(snap.Get("n1")->requested().milli_cpu, 1000);
  EXPECT_EQ(snap.Get("n2")->requested().milli_cpu, 0);
  EXPECT_EQ(snap.Get("nx"), nullptr);
}

TEST(CacheTest, SnapshotIsNotMutatedByLaterChanges) {
  Cache cache;
  cache.AddNode(Node("n1"));
  CacheSnapshot snap;
  cache.UpdateSnapshot(snap);
  NodeInfoPtr held = snap.nodes()[0];
  cache.AddPod(Pod("u1", "n1"));
  // The cycle holding `held` still sees the state it started with.
  EXPECT_EQ(held->pods().size(), 0u);
  cache.UpdateSnapshot(snap);
  EXPECT_EQ(snap.Get("n1")->pods().size(), 1u);
  EXPECT_EQ(held->pods().size(), 0u);
}

TEST(CacheTest, AssumedPodCountsUntilForgotten) {
  Cache cache;
  cache.AddNode(Node("n1"));
  auto p = Pod("u1", "n1", "3");
  ASSERT_TRUE(cache.AssumePod(p).ok());
  EXPECT_TRUE(cache.IsAssumed("u1"));
  EXPECT_EQ(cache.AssumePod(p).code(), StatusCode::kAlreadyExists);
  CacheSnapshot snap;
  cache.UpdateSnapshot(snap);
  EXPECT_EQ(snap.Get("n1")->requested().milli_cpu, 3000);
  cache.ForgetPod("u1");
  cache.UpdateSnapshot(snap);
  EXPECT_EQ(snap.Get("n1")->requested().milli_cpu, 0);
  EXPECT_FALSE(cache.IsAssumed("u1"));
}

TEST(CacheTest, InformerConfirmsAssumedPodWithoutDoubleCounting) {
  Cache cache;
  cache.AddNode(Node("n1"));
  ASSERT_TRUE(cache.AssumePod(Pod("u1", "n1")).ok());
  cache.FinishBinding("u1");
  cache.AddPod(Pod("u1", "n1"));
  EXPECT_FALSE(cache.IsAssumed("u1"));
  cache.ForgetPod("u1");  // no-op once confirmed
  CacheSnapshot snap;
  cache.UpdateSnapshot(snap);
  EXPECT_EQ(snap.Get("n1")->requested().milli_cpu, 1000);
  EXPECT_EQ(snap.Get("n1")->pods().size(), 1u);
}

TEST(CacheTest, PodMovesAndNodeRemoval) {
  Cache cache;
  cache.AddNode(Node("n1"));
  cache.AddNode(Node("n2"));
  cache.AddPod(Pod("u1", "n1"));
  cache.UpdatePod(Pod("u1", "n2"));
  CacheSnapshot snap;
  cache.UpdateSnapshot(snap);
  EXPECT_EQ(snap.Get("n1")->pods().size(), 0u);
  EXPECT_EQ(snap.Get("n2")->pods().size(), 1u);
  cache.RemoveNode("n2");
  cache.UpdateSnapshot(snap);
  EXPECT_EQ(snap.nodes().size(), 1u);
  EXPECT_EQ(snap.Get("n2"), nullptr);
  cache.RemovePod("u1");
  EXPECT_EQ(cache.PodCount(), 0u);
  EXPECT_EQ(cache.NodeCount(), 1u);
}

TEST(CacheTest, ImageCountsAndAffinityLists) {
  Cache cache;
  json n = *Node("n1");
  n["status"]["images"] = {{{"names", {"docker.io/library/busybox:latest"}}, {"sizeBytes", 1000}}};
  cache.AddNode(std::make_shared<const json>(n));
  cache.AddNode(Node("n2"));
  json pod = *Pod("u1", "n2")->object;
  pod["spec"]["affinity"] = {{"podAntiAffinity",
                              {{"requiredDuringSchedulingIgnoredDuringExecution",
                                {{{"labelSelector", {{"matchLabels", {{"app", "x"}}}}}, {"topologyKey", "zone"}}}}}}};
  CacheSnapshot snap;
  cache.UpdateSnapshot(snap);
  EXPECT_EQ(snap.NumNodesWithImage("docker.io/library/busybox:latest"), 1);
  EXPECT_TRUE(snap.nodes_with_required_anti_affinity_pods().empty());
  cache.AddPod(ParsePodInfo(std::make_shared<const json>(pod)));
  cache.UpdateSnapshot(snap);
  ASSERT_EQ(snap.nodes_with_required_anti_affinity_pods().size(), 1u);
  EXPECT_EQ(snap.nodes_with_required_anti_affinity_pods()[0]->name(), "n2");
  EXPECT_EQ(snap.nodes_with_affinity_pods().size(), 1u);
}

}  // namespace
}  // namespace kubepp::scheduler
