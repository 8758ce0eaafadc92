#include "scheduler/plugins/taint_toleration/taint_toleration.h"

#include <gtest/gtest.h>

#include "scheduler/testing/builders.h"
#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;
using testing::MakeNode;
using testing::MakePod;

json TaintJson(const char* key, const char* value, const char* effect) {
  return {{"key", key}, {"value", value}, {"effect", effect}};
}

std::shared_ptr<NodeInfo> NodeWithTaints(const std::string& name, const json& taints) {
  auto b = MakeNode(name);
  b.Obj()["spec"]["taints"] = taints;
  return b.Info();
}

PodInfoPtr PodWithTolerations(const json& tolerations) {
  auto b = MakePod("p");
  b.Obj()["spec"]["tolerations"] = tolerations;
  return b.Info();
}

class TaintTolerationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto p = NewTaintToleration(nullptr, handle_);
    ASSERT_TRUE(p.ok());
    plugin_ = std::move(p).value();
    filter_ = dynamic_cast<FilterPlugin*>(plugin_.get());
    pre_score_ = dynamic_cast<PreScorePlugin*>(plugin_.get());
    score_ = dynamic_cast<ScorePlugin*>(plugin_.get());
    ASSERT_NE(filter_, nullptr);
    ASSERT_NE(pre_score_, nullptr);
    ASSERT_NE(score_, nullptr);
  }

  // PreScore + Score + NormalizeScore over `nodes`, as the framework runs them.
  std::vector<int64_t> Scores(const PodInfo& pod, const std::vector<NodeInfoPtr>& nodes) {
    CycleState state;
    EXPECT_TRUE(pre_score_->PreScore(state, pod, nodes).IsSuccess());
    std::vector<NodeScore> scores;
    for (const auto& n : nodes) {
      int64_t s = -1;
      EXPECT_TRUE(score_->Score(state, pod, *n, &s).IsSuccess());
      scores.push_back({n->name(), s});
    }
    EXPECT_TRUE(score_->HasNormalizeScore());
    EXPECT_TRUE(score_->NormalizeScore(state, pod, scores).IsSuccess());
    std::vector<int64_t> out;
    for (const auto& s : scores) out.push_back(s.score);
    return out;
  }

  testing::FakeHandle handle_;
  std::unique_ptr<Plugin> plugin_;
  FilterPlugin* filter_ = nullptr;
  PreScorePlugin* pre_score_ = nullptr;
  ScorePlugin* score_ = nullptr;
};

TEST_F(TaintTolerationTest, Filter) {
  struct Case {
    const char* name;
    json taints;
    json tolerations;
    std::string reason;  // "" means the pod fits
  } cases[] = {
      {"no taints", json::array(), json::array(), ""},
      {"untolerated NoSchedule",
       {TaintJson("dedicated", "user1", "NoSchedule")},
       json::array(),
       "node(s) had untolerated taint {dedicated: user1}"},
      {"tolerated NoSchedule",
       {TaintJson("dedicated", "user1", "NoSchedule")},
       {{{"key", "dedicated"}, {"value", "user1"}, {"effect", "NoSchedule"}}},
       ""},
      {"value mismatch",
       {TaintJson("dedicated", "user1", "NoSchedule")},
       {{{"key", "dedicated"}, {"operator", "Equal"}, {"value", "user2"}, {"effect", "NoSchedule"}}},
       "node(s) had untolerated taint {dedicated: user1}"},
      {"Exists ignores the value",
       {TaintJson("foo", "bar", "NoSchedule")},
       {{{"key", "foo"}, {"operator", "Exists"}, {"effect", "NoSchedule"}}},
       ""},
      {"toleration for another effect does not count",
       {TaintJson("foo", "bar", "NoSchedule")},
       {{{"key", "foo"}, {"operator", "Equal"}, {"value", "bar"}, {"effect", "PreferNoSchedule"}}},
       "node(s) had untolerated taint {foo: bar}"},
      {"untolerated NoExecute",
       {TaintJson("k", "", "NoExecute")},
       json::array(),
       "node(s) had untolerated taint {k: }"},
      {"PreferNoSchedule never filters", {TaintJson("k", "v", "PreferNoSchedule")}, json::array(), ""},
      {"first untolerated taint is reported",
       {TaintJson("a", "1", "NoSchedule"), TaintJson("b", "2", "NoSchedule"),
        TaintJson("c", "3", "NoExecute")},
       {{{"key", "a"}, {"operator", "Exists"}}},
       "node(s) had untolerated taint {b: 2}"},
      {"tolerate everything",
       {TaintJson("a", "1", "NoSchedule"), TaintJson("b", "2", "NoExecute")},
       {{{"operator", "Exists"}}},
       ""},
      {"unknown operator tolerates nothing",
       {TaintJson("a", "1", "NoSchedule")},
       {{{"key", "a"}, {"operator", "Gt"}, {"value", "1"}}},
       "node(s) had untolerated taint {a: 1}"},
      {"empty operator means Equal",
       {TaintJson("a", "1", "NoSchedule")},
       {{{"key", "a"}, {"value", "1"}}},
       ""},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    CycleState state;
    PluginStatus s =
        filter_->Filter(state, *PodWithTolerations(tc.tolerations), *NodeWithTaints("n", tc.taints));
    if (tc.reason.empty()) {
      EXPECT_TRUE(s.IsSuccess()) << s.Message();
    } else {
      EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);
      EXPECT_EQ(s.reasons(), std::vector<std::string>{tc.reason});
    }
  }
}

// Upstream's score table: the node with the fewest intolerable
// PreferNoSchedule taints gets 100, the one with the most gets 0.
TEST_F(TaintTolerationTest, Score) {
  struct Case {
    const char* name;
    json tolerations;
    std::vector<json> node_taints;
    std::vector<int64_t> want;
  } cases[] = {
      {"node with taints tolerated by the pod scores like an untainted one",
       {{{"key", "foo"}, {"operator", "Equal"}, {"value", "bar"}, {"effect", "PreferNoSchedule"}}},
       {json::array(), {TaintJson("foo", "bar", "PreferNoSchedule")}},
       {100, 100}},
      {"more tolerated taints do not lower the score",
       {{{"key", "cpu-type"}, {"operator", "Equal"}, {"value", "arm64"}, {"effect", "PreferNoSchedule"}},
        {{"key", "disk-type"}, {"operator", "Equal"}, {"value", "ssd"}, {"effect", "PreferNoSchedule"}}},
       {json::array(),
        {TaintJson("cpu-type", "arm64", "PreferNoSchedule")},
        {TaintJson("cpu-type", "arm64", "PreferNoSchedule"),
         TaintJson("disk-type", "ssd", "PreferNoSchedule")}},
       {100, 100, 100}},
      {"more intolerable taints, lower score",
       {{{"key", "foo"}, {"operator", "Equal"}, {"value", "bar"}, {"effect", "PreferNoSchedule"}}},
       {json::array(),
        {TaintJson("cpu-type", "arm64", "PreferNoSchedule")},
        {TaintJson("cpu-type", "arm64", "PreferNoSchedule"),
         TaintJson("disk-type", "ssd", "PreferNoSchedule")}},
       {100, 50, 0}},
      {"only PreferNoSchedule taints count",
       {{{"key", "cpu-type"}, {"operator", "Equal"}, {"value", "arm64"}, {"effect", "NoSchedule"}}},
       {json::array(),
        {TaintJson("cpu-type", "arm64", "NoSchedule")},
        {TaintJson("cpu-type", "arm64", "PreferNoSchedule")}},
       {100, 100, 0}},
      {"toleration with empty effect tolerates PreferNoSchedule",
       {{{"key", "foo"}, {"operator", "Exists"}}},
       {{TaintJson("foo", "x", "PreferNoSchedule")}, {TaintJson("bar", "x", "PreferNoSchedule")}},
       {100, 0}},
      {"no taints anywhere", json::array(), {json::array(), json::array()}, {100, 100}},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    std::vector<NodeInfoPtr> nodes;
    for (size_t i = 0; i < tc.node_taints.size(); ++i) {
      nodes.push_back(NodeWithTaints("n" + std::to_string(i), tc.node_taints[i]));
    }
    EXPECT_EQ(Scores(*PodWithTolerations(tc.tolerations), nodes), tc.want);
  }
}

TEST_F(TaintTolerationTest, ScoreWithoutPreScoreState) {
  auto pod = PodWithTolerations(json::array());
  auto node =
      NodeWithTaints("n", {TaintJson("a", "1", "PreferNoSchedule"), TaintJson("b", "1", "PreferNoSchedule")});
  CycleState state;
  int64_t s = -1;
  ASSERT_TRUE(score_->Score(state, *pod, *node, &s).IsSuccess());
  EXPECT_EQ(s, 2);
}

TEST(DefaultNormalizeScoreTest, Table) {
  auto run = [](std::vector<int64_t> in, bool reverse) {
    std::vector<NodeScore> scores;
    for (auto v : in) scores.push_back({"n", v});
    DefaultNormalizeScore(100, reverse, scores);
    std::vector<int64_t> out;
    for (auto& s : scores) out.push_back(s.score);
    return out;
  };
  EXPECT_EQ(run({1, 2, 3, 4, 5}, false), (std::vector<int64_t>{20, 40, 60, 80, 100}));
  EXPECT_EQ(run({1, 2, 3, 4, 5}, true), (std::vector<int64_t>{80, 60, 40, 20, 0}));
  EXPECT_EQ(run({0, 0, 0}, false), (std::vector<int64_t>{0, 0, 0}));
  EXPECT_EQ(run({0, 0, 0}, true), (std::vector<int64_t>{100, 100, 100}));
  EXPECT_EQ(run({1, 3}, false), (std::vector<int64_t>{33, 100}));
}

TEST_F(TaintTolerationTest, Events) {
  auto events = dynamic_cast<EnqueueExtensions*>(plugin_.get())->EventsToRegister();
  auto matches = [&](ClusterEvent e) {
    for (const auto& r : events) {
      if (r.Matches(e)) return true;
    }
    return false;
  };
  EXPECT_TRUE(matches({EventResource::kNode, kUpdateNodeTaint}));
  EXPECT_TRUE(matches({EventResource::kPod, kUpdatePodTolerations}));
  EXPECT_FALSE(matches({EventResource::kNode, kUpdateNodeAllocatable}));
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
