#include "scheduler/plugins/node_resources_balanced_allocation/node_resources_balanced_allocation.h"

#include <gtest/gtest.h>

#include "scheduler/testing/builders.h"
#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;
using testing::MakeNode;
using testing::MakePod;

PodInfoPtr Pod(const std::string& name, const std::map<std::string, std::string>& requests) {
  return MakePod(name).Req(requests).Info();
}

std::unique_ptr<Plugin> MustNew(const json* args = nullptr) {
  testing::FakeHandle handle;
  auto p = NewNodeResourcesBalancedAllocation(args, handle);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

// Scores worked by hand: a (4 cpu, 10000 bytes): fractions .75/.5 -> std
// .125 -> 87; b (6 cpu): .5/.5 -> 100; c (a with 1 cpu/2000 bytes in use):
// 1/.7 -> 85.
TEST(BalancedAllocationTest, Score) {
  std::vector<NodeInfoPtr> nodes = {
      MakeNode("a").Capacity({{"cpu", "4"}, {"memory", "10000"}, {"ephemeral-storage", "10000"}}).Info(),
      MakeNode("b").Capacity({{"cpu", "6"}, {"memory", "10000"}, {"ephemeral-storage", "10000"}}).Info(),
      MakeNode("c")
          .Capacity({{"cpu", "4"}, {"memory", "10000"}, {"ephemeral-storage", "10000"}})
          .Info({Pod("e", {{"cpu", "1"}, {"memory", "2000"}}), Pod("besteffort", {})}),
  };
  json three = {{"resources",
                 {{{"name", "cpu"}}, {{"name", "memory"}}, {{"name", "ephemeral-storage"}, {"weight", 1}}}}};
  json with_gpu = {{"resources", {{{"name", "cpu"}}, {{"name", "memory"}}, {{"name", "example.com/gpu"}}}}};
  struct Case {
    const char* name;
    const json* args;
    PodInfoPtr pod;
    std::vector<int64_t> want;
  } cases[] = {
      {"cpu and memory", nullptr, Pod("p", {{"cpu", "3"}, {"memory", "5000"}}), {87, 100, 85}},
      // Fractions above 1 are capped: a cpu 5/4 -> 1, memory .5 -> 75; b
      // .833/.5 -> 83; c 6/4 -> 1, .7 -> 85.
      {"over capacity", nullptr, Pod("p", {{"cpu", "5"}, {"memory", "5000"}}), {75, 83, 85}},
      // Plain requests (no 200Mi default): a .25/0 -> 87; b .167/0 -> 91;
      // c .5/.2 -> 85 (the best-effort pod there counts nothing).
      {"cpu only", nullptr, Pod("p", {{"cpu", "1"}}), {87, 91, 85}},
      // Population std: a .75/.5/.1 -> .2677 -> 73; b .5/.5/.1 -> .1886 -> 81;
      // c 1/.7/.1 -> .3742 -> 62.
      {"three resources",
       &three,
       Pod("p", {{"cpu", "3"}, {"memory", "5000"}, {"ephemeral-storage", "1000"}}),
       {73, 81, 62}},
      {"extended resource not requested is left out",
       &with_gpu,
       Pod("p", {{"cpu", "3"}, {"memory", "5000"}}),
       {87, 100, 85}},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto plugin = MustNew(tc.args);
    ASSERT_NE(plugin, nullptr);
    auto* ps = dynamic_cast<PreScorePlugin*>(plugin.get());
    auto* sp = dynamic_cast<ScorePlugin*>(plugin.get());
    ASSERT_NE(ps, nullptr);
    ASSERT_NE(sp, nullptr);
    CycleState state;
    ASSERT_TRUE(ps->PreScore(state, *tc.pod, nodes).IsSuccess());
    std::vector<int64_t> got;
    for (const auto& n : nodes) {
      int64_t v = -1;
      ASSERT_TRUE(sp->Score(state, *tc.pod, *n, &v).IsSuccess());
      got.push_back(v);
    }
    EXPECT_EQ(got, tc.want);
  }
}

TEST(BalancedAllocationTest, BestEffortPodIsSkipped) {
  auto plugin = MustNew();
  auto* ps = dynamic_cast<PreScorePlugin*>(plugin.get());
  auto node = MakeNode("a").Capacity({{"cpu", "4"}, {"memory", "10000"}}).Info();
  CycleState state;
  EXPECT_TRUE(ps->PreScore(state, *Pod("p", {}), {node}).IsSkip());
  // Score without PreScore state (PreScore not enabled) scores 0.
  int64_t v = -1;
  ASSERT_TRUE(dynamic_cast<ScorePlugin*>(plugin.get())->Score(state, *Pod("p", {}), *node, &v).IsSuccess());
  EXPECT_EQ(v, 0);
}

TEST(BalancedAllocationTest, BalancedResourceScore) {
  int64_t req[] = {1, 1, 5};
  int64_t alloc[] = {2, 0, 10};
  EXPECT_EQ(BalancedResourceScore(3, req, alloc), 100);  // .5 and .5; the 0 entry is skipped
  int64_t one_req[] = {3};
  int64_t one_alloc[] = {4};
  EXPECT_EQ(BalancedResourceScore(1, one_req, one_alloc), 100);  // one resource: std 0
  EXPECT_EQ(BalancedResourceScore(0, nullptr, nullptr), 100);
}

TEST(BalancedAllocationTest, Args) {
  auto defaults = ParseNodeResourcesBalancedAllocationArgs(nullptr);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(*defaults, DefaultResourceSpecs());
  json empty = {{"resources", json::array()}};
  auto parsed = ParseNodeResourcesBalancedAllocationArgs(&empty);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, DefaultResourceSpecs());

  struct Case {
    const char* name;
    json args;
    std::string message;
  } cases[] = {
      {"duplicate",
       {{"resources", {{{"name", "cpu"}}, {{"name", "cpu"}}}}},
       "resources[1].name: Duplicate value: \"cpu\""},
      {"weight not 1",
       {{"resources", {{{"name", "cpu"}, {"weight", 2}}}}},
       "resources[0].weight: Invalid value: 2: must be 1"},
      {"unknown field", {{"resource", json::array()}}, "resource: Forbidden: unknown field"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto s = ParseNodeResourcesBalancedAllocationArgs(&tc.args);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kInvalid);
    EXPECT_EQ(s.status().message(), tc.message);
  }
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
