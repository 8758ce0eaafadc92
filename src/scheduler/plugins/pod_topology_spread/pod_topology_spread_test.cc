#include "scheduler/plugins/pod_topology_spread/pod_topology_spread.h"

#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "scheduler/testing/builders.h"
#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;
using testing::FakeHandle;
using testing::MakeNode;
using testing::MakePod;
using testing::PodBuilder;

constexpr const char* kZone = "topology.kubernetes.io/zone";
constexpr const char* kHost = "kubernetes.io/hostname";

json Spread(int max_skew, const std::string& key, const std::string& when,
            const std::map<std::string, std::string>& match_labels, const json& extra = json::object()) {
  json c = {{"maxSkew", max_skew},
            {"topologyKey", key},
            {"whenUnsatisfiable", when},
            {"labelSelector", {{"matchLabels", match_labels}}}};
  for (const auto& [k, v] : extra.items()) c[k] = v;
  return c;
}

PodBuilder& With(PodBuilder& b, const json& constraint) {
  b.Obj()["spec"]["topologySpreadConstraints"].push_back(constraint);
  return b;
}

// n pods labelled foo=bar on `node`, named prefix-0..n-1.
std::vector<PodInfoPtr> Foos(const std::string& node, int n, const std::string& prefix) {
  std::vector<PodInfoPtr> out;
  for (int i = 0; i < n; ++i) {
    out.push_back(MakePod(prefix + "-" + std::to_string(i)).Label("foo", "bar").Node(node).Info());
  }
  return out;
}

std::shared_ptr<const json> Obj(json j) { return std::make_shared<const json>(std::move(j)); }

class PodTopologySpreadTest : public ::testing::Test {
 protected:
  void Make(const json* args = nullptr) {
    auto p = NewPodTopologySpread(args, handle_);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    plugin_ = *std::move(p);
    pre_filter_ = dynamic_cast<PreFilterPlugin*>(plugin_.get());
    filter_ = dynamic_cast<FilterPlugin*>(plugin_.get());
    pre_score_ = dynamic_cast<PreScorePlugin*>(plugin_.get());
    score_ = dynamic_cast<ScorePlugin*>(plugin_.get());
    ASSERT_NE(pre_filter_, nullptr);
    ASSERT_NE(filter_, nullptr);
    ASSERT_NE(pre_score_, nullptr);
    ASSERT_NE(score_, nullptr);
  }
  void SetUp() override { Make(); }

  static std::string Describe(const PluginStatus& s) {
    switch (s.code()) {
      case Code::kSuccess:
        return "";
      case Code::kUnschedulable:
        return "U:" + s.Message();
      case Code::kUnschedulableAndUnresolvable:
        return "UU:" + s.Message();
      case Code::kSkip:
        return "skip";
      default:
        return "other:" + s.Message();
    }
  }

  // PreFilter + Filter on every node: name -> status text ("" = fits).
  std::map<std::string, std::string> RunFilter(const PodInfoPtr& pod, const std::vector<NodeInfoPtr>& nodes,
                                               CycleState& state, bool* skipped = nullptr) {
    handle_.SetNodes(nodes);
    PreFilterResult r;
    PluginStatus pre = pre_filter_->PreFilter(state, *pod, nodes, &r);
    if (skipped != nullptr) *skipped = pre.IsSkip();
    EXPECT_TRUE(pre.IsSuccess() || pre.IsSkip()) << pre.Message();
    std::map<std::string, std::string> out;
    for (const auto& n : nodes)
      out[n->name()] = pre.IsSkip() ? "" : Describe(filter_->Filter(state, *pod, *n));
    return out;
  }
  std::map<std::string, std::string> RunFilter(const PodInfoPtr& pod, const std::vector<NodeInfoPtr>& nodes,
                                               bool* skipped = nullptr) {
    CycleState state;
    return RunFilter(pod, nodes, state, skipped);
  }

  // PreScore/Score/NormalizeScore over `filtered` with `all` in the snapshot.
  std::map<std::string, int64_t> RunScore(const PodInfoPtr& pod, const std::vector<NodeInfoPtr>& filtered,
                                          const std::vector<NodeInfoPtr>& all, bool* skipped = nullptr,
                                          std::map<std::string, int64_t>* raw = nullptr) {
    handle_.SetNodes(all);
    CycleState state;
    PluginStatus pre = pre_score_->PreScore(state, *pod, filtered);
    if (skipped != nullptr) *skipped = pre.IsSkip();
    std::map<std::string, int64_t> out;
    if (pre.IsSkip()) return out;
    EXPECT_TRUE(pre.IsSuccess()) << pre.Message();
    std::vector<NodeScore> scores;
    for (const auto& n : filtered) {
      int64_t s = -1;
      EXPECT_TRUE(score_->Score(state, *pod, *n, &s).IsSuccess());
      scores.push_back({n->name(), s});
      if (raw != nullptr) (*raw)[n->name()] = s;
    }
    EXPECT_TRUE(score_->HasNormalizeScore());
    EXPECT_TRUE(score_->NormalizeScore(state, *pod, scores).IsSuccess());
    for (const auto& s : scores) out[s.name] = s.score;
    return out;
  }
  std::map<std::string, int64_t> RunScore(const PodInfoPtr& pod, const std::vector<NodeInfoPtr>& nodes,
                                          bool* skipped = nullptr) {
    return RunScore(pod, nodes, nodes, skipped);
  }

  FakeHandle handle_;
  std::unique_ptr<Plugin> plugin_;
  PreFilterPlugin* pre_filter_ = nullptr;
  FilterPlugin* filter_ = nullptr;
  PreScorePlugin* pre_score_ = nullptr;
  ScorePlugin* score_ = nullptr;
};

const std::string kSkew = "U:" + std::string(kErrReasonConstraintsNotMatch);
const std::string kMissing = "UU:" + std::string(kErrReasonNodeLabelNotMatch);

struct FilterCase {
  std::string name;
  PodInfoPtr pod;
  std::vector<NodeInfoPtr> nodes;
  std::map<std::string, std::string> want;
};

TEST_F(PodTopologySpreadTest, FilterTable) {
  std::vector<FilterCase> cases;
  auto foo_pod = [](const json& c) {
    PodBuilder p = MakePod("p").Label("foo", "bar");
    With(p, c);
    return p.Info();
  };
  cases.push_back(
      {"zones: the more loaded zone exceeds maxSkew",
       foo_pod(Spread(1, kZone, "DoNotSchedule", {{"foo", "bar"}})),
       {MakeNode("n1").Label(kZone, "a").Info(Foos("n1", 2, "a")), MakeNode("n2").Label(kZone, "a").Info(),
        MakeNode("n3").Label(kZone, "b").Info(Foos("n3", 1, "b")), MakeNode("n4").Label(kZone, "b").Info()},
       {{"n1", kSkew}, {"n2", kSkew}, {"n3", ""}, {"n4", ""}}});
  cases.push_back({"hostnames: maxSkew 1",
                   foo_pod(Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}})),
                   {MakeNode("n1").Info(Foos("n1", 1, "a")), MakeNode("n2").Info(), MakeNode("n3").Info()},
                   {{"n1", kSkew}, {"n2", ""}, {"n3", ""}}});
  cases.push_back({"hostnames: maxSkew 2 tolerates one more",
                   foo_pod(Spread(2, kHost, "DoNotSchedule", {{"foo", "bar"}})),
                   {MakeNode("n1").Info(Foos("n1", 1, "a")), MakeNode("n2").Info()},
                   {{"n1", ""}, {"n2", ""}}});
  cases.push_back({"node without the topology label",
                   foo_pod(Spread(1, kZone, "DoNotSchedule", {{"foo", "bar"}})),
                   {MakeNode("n1").Label(kZone, "a").Info(), MakeNode("n2").Info()},
                   {{"n1", ""}, {"n2", kMissing}}});
  {
    PodBuilder p = MakePod("p").Label("other", "x");
    With(p, Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}}));
    cases.push_back({"a pod outside its own selector adds no skew",
                     p.Info(),
                     {MakeNode("n1").Info(Foos("n1", 1, "a")), MakeNode("n2").Info()},
                     {{"n1", ""}, {"n2", ""}}});
  }
  cases.push_back({"minDomains above the domain count: global minimum is 0",
                   foo_pod(Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}}, {{"minDomains", 3}})),
                   {MakeNode("n1").Info(Foos("n1", 1, "a")), MakeNode("n2").Info(Foos("n2", 1, "b"))},
                   {{"n1", kSkew}, {"n2", kSkew}}});
  cases.push_back({"minDomains reached: the real minimum applies",
                   foo_pod(Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}}, {{"minDomains", 2}})),
                   {MakeNode("n1").Info(Foos("n1", 1, "a")), MakeNode("n2").Info(Foos("n2", 1, "b"))},
                   {{"n1", ""}, {"n2", ""}}});
  {
    PodBuilder p = MakePod("p").Label("foo", "bar");
    p.Obj()["spec"]["nodeSelector"] = {{kZone, "a"}};
    With(p, Spread(1, kZone, "DoNotSchedule", {{"foo", "bar"}}));
    cases.push_back(
        {"nodeAffinityPolicy Honor (default): zones the pod cannot use do not count",
         p.Info(),
         {MakeNode("n1").Label(kZone, "a").Info(Foos("n1", 3, "a")), MakeNode("n2").Label(kZone, "b").Info()},
         {{"n1", ""}, {"n2", ""}}});
  }
  {
    PodBuilder p = MakePod("p").Label("foo", "bar");
    p.Obj()["spec"]["nodeSelector"] = {{kZone, "a"}};
    With(p, Spread(1, kZone, "DoNotSchedule", {{"foo", "bar"}}, {{"nodeAffinityPolicy", "Ignore"}}));
    cases.push_back(
        {"nodeAffinityPolicy Ignore: every zone counts",
         p.Info(),
         {MakeNode("n1").Label(kZone, "a").Info(Foos("n1", 3, "a")), MakeNode("n2").Label(kZone, "b").Info()},
         {{"n1", kSkew}, {"n2", ""}}});
  }
  {
    PodBuilder p = MakePod("p").Label("foo", "bar");
    p.Obj()["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"] = {
        {"nodeSelectorTerms",
         {{{"matchExpressions", {{{"key", kZone}, {"operator", "NotIn"}, {"values", {"b"}}}}}}}}};
    With(p, Spread(1, kZone, "DoNotSchedule", {{"foo", "bar"}}));
    cases.push_back(
        {"required node affinity narrows the counted zones",
         p.Info(),
         {MakeNode("n1").Label(kZone, "a").Info(Foos("n1", 1, "a")), MakeNode("n2").Label(kZone, "b").Info(),
          MakeNode("n3").Label(kZone, "c").Info(Foos("n3", 1, "c"))},
         {{"n1", ""}, {"n2", ""}, {"n3", ""}}});
  }
  cases.push_back(
      {"nodeTaintsPolicy Ignore (default): tainted nodes count",
       foo_pod(Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}})),
       {MakeNode("n1").Info(Foos("n1", 1, "a")), MakeNode("n2").Taint("k", "v", "NoSchedule").Info()},
       {{"n1", kSkew}, {"n2", ""}}});
  cases.push_back(
      {"nodeTaintsPolicy Honor: untolerated tainted nodes do not count",
       foo_pod(Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}}, {{"nodeTaintsPolicy", "Honor"}})),
       {MakeNode("n1").Info(Foos("n1", 1, "a")), MakeNode("n2").Taint("k", "v", "NoSchedule").Info()},
       {{"n1", ""}, {"n2", ""}}});
  cases.push_back(
      {"nodeTaintsPolicy Honor: PreferNoSchedule taints are not excluding",
       foo_pod(Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}}, {{"nodeTaintsPolicy", "Honor"}})),
       {MakeNode("n1").Info(Foos("n1", 1, "a")), MakeNode("n2").Taint("k", "v", "PreferNoSchedule").Info()},
       {{"n1", kSkew}, {"n2", ""}}});
  {
    PodBuilder p = MakePod("p").Label("foo", "bar");
    p.Obj()["spec"]["tolerations"] = {{{"key", "k"}, {"operator", "Exists"}}};
    With(p, Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}}, {{"nodeTaintsPolicy", "Honor"}}));
    cases.push_back(
        {"nodeTaintsPolicy Honor: tolerated taints count",
         p.Info(),
         {MakeNode("n1").Info(Foos("n1", 1, "a")), MakeNode("n2").Taint("k", "v", "NoExecute").Info()},
         {{"n1", kSkew}, {"n2", ""}}});
  }
  cases.push_back(
      {"terminating pods and other namespaces are not counted",
       foo_pod(Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}})),
       {MakeNode("n1").Info({MakePod("t").Label("foo", "bar").Node("n1").Terminating().Info(),
                             MakePod("o").Namespace("other").Label("foo", "bar").Node("n1").Info()}),
        MakeNode("n2").Info()},
       {{"n1", ""}, {"n2", ""}}});
  {
    PodBuilder p = MakePod("p").Label("foo", "bar");
    With(p, Spread(1, kZone, "DoNotSchedule", {{"foo", "bar"}}));
    With(p, Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}}));
    cases.push_back(
        {"zone and hostname constraints together",
         p.Info(),
         {MakeNode("n1").Label(kZone, "a").Info(Foos("n1", 1, "a")), MakeNode("n2").Label(kZone, "a").Info(),
          MakeNode("n3").Label(kZone, "b").Info(), MakeNode("n4").Label(kZone, "b").Info(Foos("n4", 1, "b")),
          MakeNode("n5").Label(kZone, "c").Info()},
         {{"n1", kSkew}, {"n2", kSkew}, {"n3", kSkew}, {"n4", kSkew}, {"n5", ""}}});
  }
  {
    PodBuilder p = MakePod("p").Label("foo", "bar").Label("hash", "h2");
    With(p, Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}}, {{"matchLabelKeys", {"hash"}}}));
    cases.push_back(
        {"matchLabelKeys: only pods of the same revision count",
         p.Info(),
         {MakeNode("n1").Info({MakePod("old").Label("foo", "bar").Label("hash", "h1").Node("n1").Info()}),
          MakeNode("n2").Info({MakePod("new").Label("foo", "bar").Label("hash", "h2").Node("n2").Info()})},
         {{"n1", ""}, {"n2", kSkew}}});
  }
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(RunFilter(c.pod, c.nodes), c.want);
  }
}

TEST_F(PodTopologySpreadTest, PreFilterSkipsWithoutHardConstraints) {
  EXPECT_EQ(plugin_->Name(), "PodTopologySpread");
  bool skipped = false;
  std::vector<NodeInfoPtr> nodes = {MakeNode("n1").Info(Foos("n1", 3, "a")), MakeNode("n2").Info()};
  RunFilter(MakePod("p").Label("foo", "bar").Info(), nodes, &skipped);
  EXPECT_TRUE(skipped);
  PodBuilder soft = MakePod("p").Label("foo", "bar");
  With(soft, Spread(1, kHost, "ScheduleAnyway", {{"foo", "bar"}}));
  RunFilter(soft.Info(), nodes, &skipped);
  EXPECT_TRUE(skipped);
  // System defaults are ScheduleAnyway only: no filtering even with a Service.
  handle_.SetObjects("services", {Obj({{"metadata", {{"name", "s"}, {"namespace", "default"}}},
                                       {"spec", {{"selector", {{"foo", "bar"}}}}}})});
  RunFilter(MakePod("p").Label("foo", "bar").Info(), nodes, &skipped);
  EXPECT_TRUE(skipped);
}

TEST_F(PodTopologySpreadTest, RemovePodMakesBlockedNodeFeasible) {
  PodInfoPtr victim = MakePod("victim").Label("foo", "bar").Node("n1").Info();
  auto n1 = MakeNode("n1").Info({victim});
  auto n2 = MakeNode("n2").Info();
  PodBuilder p = MakePod("p").Label("foo", "bar");
  With(p, Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}}));
  PodInfoPtr pod = p.Info();
  CycleState state;
  ASSERT_EQ(RunFilter(pod, {n1, n2}, state), (std::map<std::string, std::string>{{"n1", kSkew}, {"n2", ""}}));

  auto copy = state.Clone();
  NodeInfo without = *n1;
  ASSERT_TRUE(without.RemovePod(victim->uid));
  ASSERT_TRUE(pre_filter_->RemovePod(*copy, *pod, victim, without).IsSuccess());
  EXPECT_TRUE(filter_->Filter(*copy, *pod, without).IsSuccess());
  EXPECT_EQ(Describe(filter_->Filter(state, *pod, *n1)), kSkew);  // original untouched

  // Removing a pod of another namespace changes nothing.
  auto other = MakePod("o").Namespace("other").Label("foo", "bar").Node("n1").Info();
  auto copy2 = state.Clone();
  ASSERT_TRUE(pre_filter_->RemovePod(*copy2, *pod, other, *n1).IsSuccess());
  EXPECT_EQ(Describe(filter_->Filter(*copy2, *pod, *n1)), kSkew);
}

TEST_F(PodTopologySpreadTest, AddPodTracksTheGlobalMinimum) {
  auto n1 = MakeNode("n1").Info();
  auto n2 = MakeNode("n2").Info();
  PodBuilder p = MakePod("p").Label("foo", "bar");
  With(p, Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}}));
  PodInfoPtr pod = p.Info();
  CycleState state;
  ASSERT_EQ(RunFilter(pod, {n1, n2}, state), (std::map<std::string, std::string>{{"n1", ""}, {"n2", ""}}));
  // A nominated pod lands on n1: n1 now has 1, the minimum (n2) 0.
  ASSERT_TRUE(pre_filter_->AddPod(state, *pod, MakePod("x").Label("foo", "bar").Info(), *n1).IsSuccess());
  EXPECT_EQ(Describe(filter_->Filter(state, *pod, *n1)), kSkew);
  EXPECT_TRUE(filter_->Filter(state, *pod, *n2).IsSuccess());
  // And one on n2: the minimum rises to 1, both fit again.
  ASSERT_TRUE(pre_filter_->AddPod(state, *pod, MakePod("y").Label("foo", "bar").Info(), *n2).IsSuccess());
  EXPECT_TRUE(filter_->Filter(state, *pod, *n1).IsSuccess());
  EXPECT_TRUE(filter_->Filter(state, *pod, *n2).IsSuccess());
  // Pods not matching the selector are ignored.
  ASSERT_TRUE(pre_filter_->AddPod(state, *pod, MakePod("z").Label("foo", "baz").Info(), *n1).IsSuccess());
  EXPECT_TRUE(filter_->Filter(state, *pod, *n1).IsSuccess());
}

TEST_F(PodTopologySpreadTest, CountsFollowNodeChangesAcrossCycles) {
  // The plugin reuses per-node counts between cycles; a changed node must be recounted.
  PodBuilder p = MakePod("p").Label("foo", "bar");
  With(p, Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}}));
  With(p, Spread(1, kHost, "ScheduleAnyway", {{"foo", "bar"}}));
  PodInfoPtr pod = p.Info();
  auto n1 = MakeNode("n1").Info();
  auto n2 = MakeNode("n2").Info();
  std::vector<NodeInfoPtr> nodes = {n1, n2};
  EXPECT_EQ(RunFilter(pod, nodes), (std::map<std::string, std::string>{{"n1", ""}, {"n2", ""}}));
  EXPECT_EQ(RunScore(pod, nodes), (std::map<std::string, int64_t>{{"n1", 100}, {"n2", 100}}));
  n1->AddPod(MakePod("a").Label("foo", "bar").Node("n1").Info());  // in place: generation moves
  EXPECT_EQ(RunFilter(pod, nodes), (std::map<std::string, std::string>{{"n1", kSkew}, {"n2", ""}}));
  EXPECT_EQ(RunScore(pod, nodes), (std::map<std::string, int64_t>{{"n1", 0}, {"n2", 100}}));
  // A copy (as the cache's copy-on-write makes) is a different node object.
  auto n2b = std::make_shared<NodeInfo>(*n2);
  n2b->AddPod(MakePod("b").Label("foo", "bar").Node("n2").Info());
  nodes = {n1, n2b};
  EXPECT_EQ(RunFilter(pod, nodes), (std::map<std::string, std::string>{{"n1", ""}, {"n2", ""}}));
  ASSERT_TRUE(n1->RemovePod("a-uid"));
  EXPECT_EQ(RunFilter(pod, nodes), (std::map<std::string, std::string>{{"n1", ""}, {"n2", kSkew}}));
  EXPECT_EQ(RunScore(pod, nodes), (std::map<std::string, int64_t>{{"n1", 100}, {"n2", 0}}));
}

TEST_F(PodTopologySpreadTest, FilterWithoutPreFilterIsAnError) {
  CycleState state;
  EXPECT_EQ(filter_->Filter(state, *MakePod("p").Info(), *MakeNode("n1").Info()).code(), Code::kError);
}

TEST_F(PodTopologySpreadTest, ScoreHostname) {
  PodBuilder p = MakePod("p").Label("foo", "bar");
  With(p, Spread(1, kHost, "ScheduleAnyway", {{"foo", "bar"}}));
  std::vector<NodeInfoPtr> nodes = {MakeNode("n1").Info(Foos("n1", 2, "a")),
                                    MakeNode("n2").Info(Foos("n2", 1, "b")), MakeNode("n3").Info()};
  // weight log(3+2): raw 3, 2, 0 -> reversed min-max.
  std::map<std::string, int64_t> raw;
  EXPECT_EQ(RunScore(p.Info(), nodes, nodes, nullptr, &raw),
            (std::map<std::string, int64_t>{{"n1", 0}, {"n2", 33}, {"n3", 100}}));
  EXPECT_EQ(raw, (std::map<std::string, int64_t>{{"n1", 3}, {"n2", 2}, {"n3", 0}}));

  // maxSkew 3 adds 2 to every raw score: raw 5, 4, 2.
  PodBuilder q = MakePod("q").Label("foo", "bar");
  With(q, Spread(3, kHost, "ScheduleAnyway", {{"foo", "bar"}}));
  EXPECT_EQ(RunScore(q.Info(), nodes), (std::map<std::string, int64_t>{{"n1", 40}, {"n2", 60}, {"n3", 100}}));
}

TEST_F(PodTopologySpreadTest, ScoreZonesCountsOnlyCandidateDomains) {
  PodBuilder p = MakePod("p").Label("foo", "bar");
  With(p, Spread(1, kZone, "ScheduleAnyway", {{"foo", "bar"}}));
  auto n1 = MakeNode("n1").Label(kZone, "a").Info(Foos("n1", 2, "a"));
  auto n2 = MakeNode("n2").Label(kZone, "a").Info();
  auto n3 = MakeNode("n3").Label(kZone, "b").Info(Foos("n3", 1, "b"));
  auto n4 = MakeNode("n4").Label(kZone, "c").Info(Foos("n4", 5, "c"));  // not a candidate
  auto n5 = MakeNode("n5").Info();                                      // no zone: ignored
  // Two candidate domains: weight log(4); raw a = 3, b = 1.
  EXPECT_EQ(RunScore(p.Info(), {n1, n2, n3, n5}, {n1, n2, n3, n4, n5}),
            (std::map<std::string, int64_t>{{"n1", 33}, {"n2", 33}, {"n3", 100}, {"n5", 0}}));
}

TEST_F(PodTopologySpreadTest, ScoreWithoutMatchingPodsIsMaxEverywhere) {
  PodBuilder p = MakePod("p").Label("foo", "bar");
  With(p, Spread(1, kHost, "ScheduleAnyway", {{"foo", "bar"}}));
  std::vector<NodeInfoPtr> nodes = {MakeNode("n1").Info(), MakeNode("n2").Info()};
  EXPECT_EQ(RunScore(p.Info(), nodes), (std::map<std::string, int64_t>{{"n1", 100}, {"n2", 100}}));
  bool skipped = false;
  PodBuilder hard = MakePod("h").Label("foo", "bar");
  With(hard, Spread(1, kHost, "DoNotSchedule", {{"foo", "bar"}}));
  RunScore(hard.Info(), nodes, &skipped);
  EXPECT_TRUE(skipped);
}

TEST_F(PodTopologySpreadTest, SystemDefaultsWithServiceSelector) {
  auto web = [](const std::string& node, const std::string& name) {
    return MakePod(name).Label("app", "web").Node(node).Info();
  };
  std::vector<NodeInfoPtr> nodes = {MakeNode("n1").Label(kZone, "a").Info({web("n1", "w1"), web("n1", "w2")}),
                                    MakeNode("n2").Label(kZone, "a").Info(),
                                    MakeNode("n3").Label(kZone, "b").Info(), MakeNode("n4").Info()};
  PodInfoPtr pod = MakePod("p").Label("app", "web").Info();
  bool skipped = false;
  RunScore(pod, nodes, &skipped);
  EXPECT_TRUE(skipped) << "no Service/controller selects the pod";

  handle_.SetObjects("services", {Obj({{"metadata", {{"name", "web"}, {"namespace", "default"}}},
                                       {"spec", {{"selector", {{"app", "web"}}}}}})});
  // hostname maxSkew 3 (weight log(6)), zone maxSkew 5 (domains a, b and the
  // label-less "": weight log(5)); n4 lacks a zone but is not ignored.
  std::map<std::string, int64_t> raw;
  auto got = RunScore(pod, nodes, nodes, &skipped, &raw);
  EXPECT_FALSE(skipped);
  EXPECT_EQ(raw, (std::map<std::string, int64_t>{{"n1", 13}, {"n2", 9}, {"n3", 6}, {"n4", 2}}));
  EXPECT_EQ(got, (std::map<std::string, int64_t>{{"n1", 15}, {"n2", 46}, {"n3", 69}, {"n4", 100}}));

  // A pod with its own constraints ignores the defaults.
  PodBuilder own = MakePod("own").Label("app", "web");
  With(own, Spread(1, kZone, "ScheduleAnyway", {{"app", "web"}}));
  auto own_scores = RunScore(own.Info(), nodes);
  EXPECT_EQ(own_scores.at("n4"), 0);  // missing zone: ignored with the pod's own constraints
}

TEST_F(PodTopologySpreadTest, ListDefaultingAppliesToPodsWithoutConstraints) {
  json args = {{"defaultingType", "List"},
               {"defaultConstraints",
                {{{"maxSkew", 1}, {"topologyKey", kHost}, {"whenUnsatisfiable", "DoNotSchedule"}}}}};
  Make(&args);
  handle_.SetObjects("replicasets", {Obj({{"metadata", {{"name", "rs1"}, {"namespace", "default"}}},
                                          {"spec", {{"selector", {{"matchLabels", {{"app", "web"}}}}}}}})});
  std::vector<NodeInfoPtr> nodes = {MakeNode("n1").Info({MakePod("w").Label("app", "web").Node("n1").Info()}),
                                    MakeNode("n2").Info()};
  PodBuilder owned = MakePod("p").Label("app", "web");
  owned.Obj()["metadata"]["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                                 {"kind", "ReplicaSet"},
                                                 {"name", "rs1"},
                                                 {"uid", "u"},
                                                 {"controller", true}}};
  EXPECT_EQ(RunFilter(owned.Info(), nodes), (std::map<std::string, std::string>{{"n1", kSkew}, {"n2", ""}}));

  bool skipped = false;
  RunFilter(MakePod("bare").Label("app", "web").Info(), nodes, &skipped);
  EXPECT_TRUE(skipped) << "nothing selects a bare pod";
}

TEST_F(PodTopologySpreadTest, DefaultSpreadSelector) {
  handle_.SetObjects(
      "services", {Obj({{"metadata", {{"name", "a"}, {"namespace", "default"}}},
                        {"spec", {{"selector", {{"app", "web"}}}}}}),
                   Obj({{"metadata", {{"name", "b"}, {"namespace", "default"}}},
                        {"spec", {{"selector", {{"app", "web"}, {"tier", "fe"}}}}}}),
                   Obj({{"metadata", {{"name", "c"}, {"namespace", "other"}}},
                        {"spec", {{"selector", {{"zone", "x"}}}}}}),
                   Obj({{"metadata", {{"name", "d"}, {"namespace", "default"}}}, {"spec", json::object()}}),
                   Obj({{"metadata", {{"name", "e"}, {"namespace", "default"}}},
                        {"spec", {{"selector", {{"app", "db"}}}}}})});
  PodBuilder p = MakePod("p").Label("app", "web").Label("tier", "fe").Label("zone", "x");
  EXPECT_EQ(DefaultSpreadSelector(*p.Info(), handle_).String(), "app=web,tier=fe");
  EXPECT_TRUE(DefaultSpreadSelector(*MakePod("q").Label("app", "other").Info(), handle_).Empty());

  handle_.SetObjects(
      "replicasets",
      {Obj({{"metadata", {{"name", "rs1"}, {"namespace", "default"}}},
            {"spec",
             {{"selector",
               {{"matchLabels", {{"app", "web"}}},
                {"matchExpressions", {{{"key", "hash"}, {"operator", "In"}, {"values", {"h1"}}}}}}}}}})});
  handle_.SetObjects("replicationcontrollers",
                     {Obj({{"metadata", {{"name", "rc1"}, {"namespace", "default"}}},
                           {"spec", {{"selector", {{"rc", "yes"}}}}}})});
  handle_.SetObjects("statefulsets", {Obj({{"metadata", {{"name", "ss1"}, {"namespace", "default"}}},
                                           {"spec", {{"selector", {{"matchLabels", {{"ss", "yes"}}}}}}}})});
  auto owned_by = [](const char* api_version, const char* kind, const char* name) {
    PodBuilder b = MakePod("o").Label("app", "web").Label("tier", "fe").Label("hash", "h1");
    b.Obj()["metadata"]["ownerReferences"] = {
        {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "x"}, {"uid", "1"}},  // not the controller
        {{"apiVersion", api_version}, {"kind", kind}, {"name", name}, {"uid", "2"}, {"controller", true}}};
    return b.Info();
  };
  api::LabelSelector rs = DefaultSpreadSelector(*owned_by("apps/v1", "ReplicaSet", "rs1"), handle_);
  EXPECT_TRUE(rs.Matches({{"app", "web"}, {"tier", "fe"}, {"hash", "h1"}}));
  EXPECT_FALSE(rs.Matches({{"app", "web"}, {"tier", "fe"}, {"hash", "h2"}}));
  api::LabelSelector rc = DefaultSpreadSelector(*owned_by("v1", "ReplicationController", "rc1"), handle_);
  EXPECT_EQ(rc.String(), "app=web,rc=yes,tier=fe");
  api::LabelSelector ss = DefaultSpreadSelector(*owned_by("apps/v1", "StatefulSet", "ss1"), handle_);
  EXPECT_TRUE(ss.Matches({{"app", "web"}, {"tier", "fe"}, {"ss", "yes"}}));
  EXPECT_FALSE(ss.Matches({{"app", "web"}, {"tier", "fe"}}));
  // An unknown owner leaves the Service selector.
  EXPECT_EQ(DefaultSpreadSelector(*owned_by("apps/v1", "ReplicaSet", "gone"), handle_).String(),
            "app=web,tier=fe");
}

TEST_F(PodTopologySpreadTest, Args) {
  auto d = ParsePodTopologySpreadArgs(nullptr);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->defaulting_type, "System");
  EXPECT_TRUE(d->default_constraints.empty());
  ASSERT_EQ(SystemDefaultSpreadConstraints().size(), 2u);
  EXPECT_EQ(SystemDefaultSpreadConstraints()[0].topology_key, kHost);
  EXPECT_EQ(SystemDefaultSpreadConstraints()[0].max_skew, 3);
  EXPECT_EQ(SystemDefaultSpreadConstraints()[1].topology_key, kZone);
  EXPECT_EQ(SystemDefaultSpreadConstraints()[1].max_skew, 5);

  json list = {{"defaultingType", "List"},
               {"defaultConstraints",
                {{{"maxSkew", 2},
                  {"topologyKey", kZone},
                  {"whenUnsatisfiable", "ScheduleAnyway"},
                  {"minDomains", 2}}}}};
  auto ok = ParsePodTopologySpreadArgs(&list);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  ASSERT_EQ(ok->default_constraints.size(), 1u);
  EXPECT_EQ(ok->default_constraints[0].max_skew, 2);
  EXPECT_EQ(ok->default_constraints[0].min_domains, 2);

  struct Bad {
    json args;
    std::string message;
  };
  std::vector<Bad> bad = {
      {{{"defaultConstraints",
         {{{"maxSkew", 1}, {"topologyKey", kZone}, {"whenUnsatisfiable", "DoNotSchedule"}}}}},
       "defaultingType: Invalid value: \"System\": when .defaultConstraints are not empty"},
      {{{"defaultingType", "Sometimes"}},
       "defaultingType: Unsupported value: \"Sometimes\": supported values: \"System\", \"List\""},
      {{{"defaultingType", "List"},
        {"defaultConstraints",
         {{{"maxSkew", 0}, {"topologyKey", kZone}, {"whenUnsatisfiable", "DoNotSchedule"}}}}},
       "defaultConstraints[0].maxSkew: Invalid value: 0: not in valid range (0, inf)"},
      {{{"defaultingType", "List"},
        {"defaultConstraints", {{{"maxSkew", 1}, {"whenUnsatisfiable", "DoNotSchedule"}}}}},
       "defaultConstraints[0].topologyKey: Required value: can not be empty"},
      {{{"defaultingType", "List"},
        {"defaultConstraints", {{{"maxSkew", 1}, {"topologyKey", kZone}, {"whenUnsatisfiable", "Maybe"}}}}},
       "defaultConstraints[0].whenUnsatisfiable: Unsupported value: \"Maybe\": supported values: "
       "\"DoNotSchedule\", \"ScheduleAnyway\""},
      {{{"defaultingType", "List"},
        {"defaultConstraints",
         {{{"maxSkew", 1},
           {"topologyKey", kZone},
           {"whenUnsatisfiable", "DoNotSchedule"},
           {"labelSelector", {{"matchLabels", {{"a", "b"}}}}}}}}},
       "defaultConstraints[0].labelSelector: Forbidden: constraint must not define a selector, as they "
       "deduced for "
       "each pod"},
      {{{"defaultingType", "List"},
        {"defaultConstraints",
         {{{"maxSkew", 1}, {"topologyKey", kZone}, {"whenUnsatisfiable", "DoNotSchedule"}},
          {{"maxSkew", 2}, {"topologyKey", kZone}, {"whenUnsatisfiable", "DoNotSchedule"}}}}},
       "defaultConstraints[1]: Duplicate value: \"{topology.kubernetes.io/zone, DoNotSchedule}\""},
  };
  for (const auto& b : bad) {
    SCOPED_TRACE(b.args.dump());
    auto s = NewPodTopologySpread(&b.args, handle_);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.status().code(), StatusCode::kInvalid);
    EXPECT_EQ(s.status().message(), b.message);
  }
}

TEST_F(PodTopologySpreadTest, EventsToRegister) {
  auto* ee = dynamic_cast<EnqueueExtensions*>(plugin_.get());
  ASSERT_NE(ee, nullptr);
  auto events = ee->EventsToRegister();
  auto covered = [&](EventResource r, uint32_t action) { return AnyEventMatches(events, {r, action}); };
  EXPECT_TRUE(covered(EventResource::kAssignedPod, kAdd));
  EXPECT_TRUE(covered(EventResource::kAssignedPod, kDelete));
  EXPECT_TRUE(covered(EventResource::kAssignedPod, kUpdatePodLabel));
  EXPECT_TRUE(covered(EventResource::kNode, kAdd));
  EXPECT_TRUE(covered(EventResource::kNode, kDelete));
  EXPECT_TRUE(covered(EventResource::kNode, kUpdateNodeLabel));
  EXPECT_TRUE(covered(EventResource::kNode, kUpdateNodeTaint));
  EXPECT_FALSE(covered(EventResource::kNode, kUpdateNodeAllocatable));
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
