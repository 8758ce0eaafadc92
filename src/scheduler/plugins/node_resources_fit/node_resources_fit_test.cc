#include "scheduler/plugins/node_resources_fit/node_resources_fit.h"

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
  auto p = NewNodeResourcesFit(args, handle);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

// PreFilter then Filter, as the framework runs them.
PluginStatus RunFilter(Plugin* plugin, const PodInfo& pod, const NodeInfo& node) {
  CycleState state;
  PreFilterResult result;
  PluginStatus s = dynamic_cast<PreFilterPlugin*>(plugin)->PreFilter(state, pod, {}, &result);
  if (!s.IsSuccess()) return s;
  return dynamic_cast<FilterPlugin*>(plugin)->Filter(state, pod, node);
}

TEST(NodeResourcesFitTest, Filter) {
  // Node: 10 cpu, 20 bytes memory, 32 pods, 5 ephemeral, 2 gpus; existing
  // pods use 5 cpu, 19 bytes memory, 1 gpu.
  auto node = MakeNode("n")
                  .Capacity({{"cpu", "10"},
                             {"memory", "20"},
                             {"pods", "32"},
                             {"ephemeral-storage", "5"},
                             {"example.com/gpu", "2"}})
                  .Info({Pod("e1", {{"cpu", "3"}, {"memory", "10"}, {"example.com/gpu", "1"}}),
                         Pod("e2", {{"cpu", "2"}, {"memory", "9"}})});
  auto with_init = MakePod("init").Req({{"cpu", "1"}});
  with_init.Obj()["spec"]["initContainers"] = {
      {{"name", "i"}, {"resources", {{"requests", {{"cpu", "6"}}}}}}};
  auto with_overhead = MakePod("overhead").Req({{"cpu", "4600m"}});
  with_overhead.Obj()["spec"]["overhead"] = {{"cpu", "500m"}};
  struct Case {
    const char* name;
    PodInfoPtr pod;
    Code code;
    std::vector<std::string> reasons;
  } cases[] = {
      {"no requests fit", Pod("p", {}), Code::kSuccess, {}},
      {"fits exactly", Pod("p", {{"cpu", "5"}, {"memory", "1"}}), Code::kSuccess, {}},
      {"too much cpu", Pod("p", {{"cpu", "5001m"}}), Code::kUnschedulable, {"Insufficient cpu"}},
      {"too much memory", Pod("p", {{"memory", "2"}}), Code::kUnschedulable, {"Insufficient memory"}},
      {"cpu and memory",
       Pod("p", {{"cpu", "6"}, {"memory", "2"}}),
       Code::kUnschedulable,
       {"Insufficient cpu", "Insufficient memory"}},
      {"ephemeral storage fits exactly", Pod("p", {{"ephemeral-storage", "5"}}), Code::kSuccess, {}},
      {"extended resource fits", Pod("p", {{"example.com/gpu", "1"}}), Code::kSuccess, {}},
      {"extended resource short",
       Pod("p", {{"example.com/gpu", "2"}}),
       Code::kUnschedulable,
       {"Insufficient example.com/gpu"}},
      {"unknown extended resource can never fit",
       Pod("p", {{"example.com/fpga", "1"}}),
       Code::kUnschedulableAndUnresolvable,
       {"Insufficient example.com/fpga"}},
      {"zero extended request ignored", Pod("p", {{"example.com/fpga", "0"}}), Code::kSuccess, {}},
      {"init container counted", with_init.Info(), Code::kUnschedulable, {"Insufficient cpu"}},
      {"overhead counted", with_overhead.Info(), Code::kUnschedulable, {"Insufficient cpu"}},
      {"more than the whole node is unresolvable",
       Pod("p", {{"cpu", "11"}, {"memory", "1"}}),
       Code::kUnschedulableAndUnresolvable,
       {"Insufficient cpu"}},
  };
  auto plugin = MustNew();
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    PluginStatus s = RunFilter(plugin.get(), *tc.pod, *node);
    EXPECT_EQ(s.code(), tc.code) << s.Message();
    if (!tc.reasons.empty()) {
      EXPECT_EQ(s.reasons(), tc.reasons);
    }
  }
  // Ephemeral storage that does not fit: 5 allocatable, 6 requested.
  PluginStatus s = RunFilter(plugin.get(), *Pod("p", {{"ephemeral-storage", "6"}}), *node);
  EXPECT_EQ(s.reasons(), std::vector<std::string>{"Insufficient ephemeral-storage"});
}

TEST(NodeResourcesFitTest, TooManyPodsEvenWithoutRequests) {
  auto node = MakeNode("n").Capacity({{"cpu", "1"}, {"pods", "1"}}).Info({Pod("e", {})});
  auto plugin = MustNew();
  PluginStatus s = RunFilter(plugin.get(), *Pod("p", {}), *node);
  EXPECT_EQ(s.code(), Code::kUnschedulable);
  EXPECT_EQ(s.reasons(), std::vector<std::string>{"Too many pods"});
  s = RunFilter(plugin.get(), *Pod("p", {{"cpu", "2"}}), *node);
  EXPECT_EQ(s.reasons(), (std::vector<std::string>{"Too many pods", "Insufficient cpu"}));
  // 2 cpu can never fit a 1-cpu node: preemption cannot help.
  EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);
}

TEST(NodeResourcesFitTest, NodeWithoutAllocatableFitsNothing) {
  auto node = MakeNode("n").Info();
  auto plugin = MustNew();
  EXPECT_EQ(RunFilter(plugin.get(), *Pod("p", {}), *node).reasons(),
            std::vector<std::string>{"Too many pods"});
}

TEST(NodeResourcesFitTest, MalformedRequestIsAnError) {
  auto node = MakeNode("n").Capacity({{"pods", "10"}}).Info();
  auto plugin = MustNew();
  PluginStatus s = RunFilter(plugin.get(), *Pod("p", {{"cpu", "abc"}}), *node);
  EXPECT_EQ(s.code(), Code::kError);
  EXPECT_NE(s.Message().find("spec.containers[0].resources.requests.cpu"), std::string::npos) << s.Message();
}

TEST(NodeResourcesFitTest, FilterWithoutPreFilterState) {
  auto node = MakeNode("n").Capacity({{"cpu", "1"}, {"pods", "10"}}).Info();
  auto plugin = MustNew();
  CycleState state;
  EXPECT_EQ(
      dynamic_cast<FilterPlugin*>(plugin.get())->Filter(state, *Pod("p", {{"cpu", "2"}}), *node).reasons(),
      std::vector<std::string>{"Insufficient cpu"});
}

TEST(NodeResourcesFitTest, IgnoredResources) {
  auto node = MakeNode("n").Capacity({{"cpu", "1"}, {"pods", "10"}, {"hugepages-2Mi", "0"}}).Info();
  auto pod = Pod("p", {{"example.com/fpga", "1"}, {"other.io/nic", "1"}, {"hugepages-2Mi", "2Mi"}});
  struct Case {
    const char* name;
    json args;
    std::vector<std::string> reasons;
  } cases[] = {
      {"nothing ignored",
       json::object(),
       {"Insufficient example.com/fpga", "Insufficient hugepages-2Mi", "Insufficient other.io/nic"}},
      {"ignoredResources",
       {{"ignoredResources", {"example.com/fpga", "hugepages-2Mi"}}},
       // hugepages are not extended resources: never ignored.
       {"Insufficient hugepages-2Mi", "Insufficient other.io/nic"}},
      {"ignoredResourceGroups",
       {{"ignoredResourceGroups", {"other.io"}}},
       {"Insufficient example.com/fpga", "Insufficient hugepages-2Mi"}},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto plugin = MustNew(&tc.args);
    ASSERT_NE(plugin, nullptr);
    EXPECT_EQ(RunFilter(plugin.get(), *pod, *node).reasons(), tc.reasons);
  }
}

TEST(NodeResourcesFitTest, ArgsDefaultsAndErrors) {
  auto defaults = ParseNodeResourcesFitArgs(nullptr);
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->type, ScoringStrategyType::kLeastAllocated);
  EXPECT_EQ(defaults->resources, (std::vector<ResourceSpec>{{"cpu", 1}, {"memory", 1}}));

  json most = {{"kind", "NodeResourcesFitArgs"},
               {"scoringStrategy", {{"type", "MostAllocated"}, {"resources", {{{"name", "cpu"}}}}}}};
  auto parsed = ParseNodeResourcesFitArgs(&most);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->type, ScoringStrategyType::kMostAllocated);
  EXPECT_EQ(parsed->resources, (std::vector<ResourceSpec>{{"cpu", 1}}));  // weight defaulted

  json no_resources = {{"scoringStrategy", {{"type", "MostAllocated"}}}};
  parsed = ParseNodeResourcesFitArgs(&no_resources);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->resources, DefaultResourceSpecs());

  struct Case {
    const char* name;
    json args;
    std::string message;
  } cases[] = {
      {"unknown type",
       {{"scoringStrategy", {{"type", "Foo"}}}},
       "scoringStrategy.type: Unsupported value: \"Foo\": supported values: \"LeastAllocated\", "
       "\"MostAllocated\", \"RequestedToCapacityRatio\""},
      {"missing type",
       {{"scoringStrategy", {{"resources", {{{"name", "cpu"}}}}}}},
       "scoringStrategy.type: Unsupported value: \"\": supported values: \"LeastAllocated\", "
       "\"MostAllocated\", \"RequestedToCapacityRatio\""},
      {"weight out of range",
       {{"scoringStrategy",
         {{"type", "LeastAllocated"}, {"resources", {{{"name", "cpu"}, {"weight", 101}}}}}}},
       "scoringStrategy.resources[0].weight: Invalid value: 101: resource weight of cpu not in valid range "
       "(0, 100]"},
      {"group with slash",
       {{"ignoredResourceGroups", {"example.com/aaa"}}},
       "ignoredResourceGroups[0]: Invalid value: \"example.com/aaa\": resource group name can't contain '/'"},
      {"bad ignored resource name",
       {{"ignoredResources", {"-bad-"}}},
       "ignoredResources[0]: Invalid value: \"-bad-\""},
      {"shape not increasing",
       json::parse(R"({"scoringStrategy": {"type": "RequestedToCapacityRatio", "requestedToCapacityRatio":
           {"shape": [{"utilization": 50, "score": 1}, {"utilization": 10, "score": 2}]}}})"),
       "scoringStrategy.shape[1].utilization: Invalid value: 10: values must be sorted in increasing order"},
      {"shape score out of range",
       json::parse(R"({"scoringStrategy": {"type": "RequestedToCapacityRatio", "requestedToCapacityRatio":
           {"shape": [{"utilization": 50, "score": 11}]}}})"),
       "scoringStrategy.shape[0].score: Invalid value: 11: not in valid range [0, 10]"},
      {"shape missing",
       {{"scoringStrategy", {{"type", "RequestedToCapacityRatio"}}}},
       "scoringStrategy.shape: Required value: at least one point must be specified"},
      {"unknown field", {{"ignoredResource", {"x"}}}, "ignoredResource: Forbidden: unknown field"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto s = ParseNodeResourcesFitArgs(&tc.args);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kInvalid);
    EXPECT_NE(s.status().message().find(tc.message), std::string::npos) << s.status().message();
    testing::FakeHandle handle;
    EXPECT_FALSE(NewNodeResourcesFit(&tc.args, handle).ok());
  }
}

// Scores of nodes a (4 cpu, 10000 bytes) and b (6 cpu, 10000 bytes) for a
// pod requesting 3 cpu / 5000 bytes, per strategy (worked by hand from
// upstream's formulas).
TEST(NodeResourcesFitTest, ScoringStrategies) {
  auto existing = Pod("e", {{"cpu", "1"}, {"memory", "2000"}});
  std::vector<NodeInfoPtr> nodes = {
      MakeNode("a").Capacity({{"cpu", "4"}, {"memory", "10000"}, {"pods", "10"}}).Info(),
      MakeNode("b").Capacity({{"cpu", "6"}, {"memory", "10000"}, {"pods", "10"}}).Info(),
      MakeNode("c").Capacity({{"cpu", "4"}, {"memory", "10000"}, {"pods", "10"}}).Info({existing}),
  };
  auto pod = Pod("p", {{"cpu", "3"}, {"memory", "5000"}});
  auto shape = [](std::vector<std::pair<int, int>> points) {
    json out = json::array();
    for (auto [u, s] : points) out.push_back({{"utilization", u}, {"score", s}});
    return out;
  };
  struct Case {
    const char* name;
    json args;
    std::vector<int64_t> want;
  } cases[] = {
      // a: cpu 25, mem 50; b: 50, 50; c: cpu 0, mem 30.
      {"LeastAllocated (default)", json::object(), {37, 50, 15}},
      {"LeastAllocated weighted",
       {{"scoringStrategy",
         {{"type", "LeastAllocated"},
          {"resources", {{{"name", "cpu"}, {"weight", 2}}, {{"name", "memory"}}}}}}},
       {33, 50, 10}},
      // a: cpu 75, mem 50; b: 50, 50; c: 100, 70.
      {"MostAllocated", {{"scoringStrategy", {{"type", "MostAllocated"}}}}, {62, 50, 85}},
      // Same points as MostAllocated but rounded: a 62.5 -> 63.
      {"RequestedToCapacityRatio increasing",
       {{"scoringStrategy",
         {{"type", "RequestedToCapacityRatio"},
          {"requestedToCapacityRatio", {{"shape", shape({{0, 0}, {100, 10}})}}}}}},
       {63, 50, 85}},
      // a: 25, 50 -> 37.5 -> 38; c: cpu 0 is left out of the average -> 30.
      {"RequestedToCapacityRatio decreasing",
       {{"scoringStrategy",
         {{"type", "RequestedToCapacityRatio"},
          {"requestedToCapacityRatio", {{"shape", shape({{0, 10}, {100, 0}})}}}}}},
       {38, 50, 30}},
      // Broken line: 0->0, 50->10 (100), then flat: a cpu 75 -> 100, mem 50 -> 100.
      {"RequestedToCapacityRatio broken line",
       {{"scoringStrategy",
         {{"type", "RequestedToCapacityRatio"},
          {"requestedToCapacityRatio", {{"shape", shape({{0, 0}, {50, 10}, {100, 10}})}}}}}},
       {100, 100, 100}},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto plugin = MustNew(&tc.args);
    ASSERT_NE(plugin, nullptr);
    auto* ps = dynamic_cast<PreScorePlugin*>(plugin.get());
    auto* sp = dynamic_cast<ScorePlugin*>(plugin.get());
    CycleState state;
    ASSERT_TRUE(ps->PreScore(state, *pod, nodes).IsSuccess());
    std::vector<int64_t> got;
    for (const auto& n : nodes) {
      int64_t v = -1;
      ASSERT_TRUE(sp->Score(state, *pod, *n, &v).IsSuccess());
      got.push_back(v);
    }
    EXPECT_EQ(got, tc.want);
    EXPECT_FALSE(sp->HasNormalizeScore());
  }
}

// A pod without requests is scored as 100m cpu / 200Mi memory, and so are
// the pods already on the node.
TEST(NodeResourcesFitTest, ScoreUsesNonZeroRequests) {
  auto plugin = MustNew();
  auto* sp = dynamic_cast<ScorePlugin*>(plugin.get());
  auto node = MakeNode("n").Capacity({{"cpu", "1"}, {"memory", "1Gi"}, {"pods", "10"}}).Info();
  CycleState state;  // no PreScore: Score computes the requests itself
  int64_t v = -1;
  ASSERT_TRUE(sp->Score(state, *Pod("p", {}), *node, &v).IsSuccess());
  // cpu (1000-100)*100/1000 = 90; memory (1Gi-200Mi)*100/1Gi = 80.
  EXPECT_EQ(v, 85);
  auto busy = MakeNode("n").Capacity({{"cpu", "1"}, {"memory", "1Gi"}, {"pods", "10"}}).Info({Pod("e", {})});
  ASSERT_TRUE(sp->Score(state, *Pod("p", {}), *busy, &v).IsSuccess());
  // cpu (1000-200)*100/1000 = 80; memory (1Gi-400Mi)*100/1Gi = 60.
  EXPECT_EQ(v, 70);
}

TEST(NodeResourcesFitTest, ScoreExtendedResourceOnlyWhenRequested) {
  json args = {{"scoringStrategy",
                {{"type", "LeastAllocated"},
                 {"resources",
                  {{{"name", "cpu"}}, {{"name", "memory"}}, {{"name", "example.com/gpu"}, {"weight", 2}}}}}}};
  auto plugin = MustNew(&args);
  auto* sp = dynamic_cast<ScorePlugin*>(plugin.get());
  auto gpu_node = MakeNode("g")
                      .Capacity({{"cpu", "4"}, {"memory", "10000"}, {"example.com/gpu", "4"}, {"pods", "10"}})
                      .Info();
  auto plain_node = MakeNode("p").Capacity({{"cpu", "4"}, {"memory", "10000"}, {"pods", "10"}}).Info();
  CycleState state;
  int64_t v = -1;
  // Without a gpu request the gpu is left out: (25 + 50) / 2.
  ASSERT_TRUE(sp->Score(state, *Pod("p", {{"cpu", "3"}, {"memory", "5000"}}), *gpu_node, &v).IsSuccess());
  EXPECT_EQ(v, 37);
  // With one: (25 + 50 + 75*2) / 4 = 56.
  auto gpu_pod = Pod("p", {{"cpu", "3"}, {"memory", "5000"}, {"example.com/gpu", "1"}});
  ASSERT_TRUE(sp->Score(state, *gpu_pod, *gpu_node, &v).IsSuccess());
  EXPECT_EQ(v, 56);
  // A node without the resource leaves it out.
  ASSERT_TRUE(sp->Score(state, *gpu_pod, *plain_node, &v).IsSuccess());
  EXPECT_EQ(v, 37);
}

TEST(NodeResourcesFitTest, Events) {
  auto plugin = MustNew();
  auto events = dynamic_cast<EnqueueExtensions*>(plugin.get())->EventsToRegister();
  auto matches = [&](ClusterEvent e) {
    for (const auto& r : events) {
      if (r.Matches(e)) return true;
    }
    return false;
  };
  EXPECT_TRUE(matches({EventResource::kAssignedPod, kDelete}));
  EXPECT_TRUE(matches({EventResource::kNode, kUpdateNodeAllocatable}));
  EXPECT_TRUE(matches({EventResource::kNode, kAdd}));
  EXPECT_FALSE(matches({EventResource::kNode, kUpdateNodeLabel}));
  EXPECT_FALSE(matches({EventResource::kAssignedPod, kAdd}));
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
