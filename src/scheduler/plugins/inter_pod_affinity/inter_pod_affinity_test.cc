#include "scheduler/plugins/inter_pod_affinity/inter_pod_affinity.h"

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

// A PodAffinityTerm selecting labels `match_labels` over `topology_key`;
// `extra` members (namespaces, namespaceSelector, matchLabelKeys) are merged in.
json Term(const std::map<std::string, std::string>& match_labels, const std::string& topology_key,
          const json& extra = json::object()) {
  json t = {{"labelSelector", {{"matchLabels", match_labels}}}, {"topologyKey", topology_key}};
  for (const auto& [k, v] : extra.items()) t[k] = v;
  return t;
}

PodBuilder& Required(PodBuilder& b, const char* kind, const json& term) {
  b.Obj()["spec"]["affinity"][kind]["requiredDuringSchedulingIgnoredDuringExecution"].push_back(term);
  return b;
}
PodBuilder& Affinity(PodBuilder& b, const json& term) { return Required(b, "podAffinity", term); }
PodBuilder& AntiAffinity(PodBuilder& b, const json& term) { return Required(b, "podAntiAffinity", term); }
PodBuilder& Preferred(PodBuilder& b, const char* kind, int weight, const json& term) {
  b.Obj()["spec"]["affinity"][kind]["preferredDuringSchedulingIgnoredDuringExecution"].push_back(
      {{"weight", weight}, {"podAffinityTerm", term}});
  return b;
}

constexpr const char* kZone = "topology.kubernetes.io/zone";
constexpr const char* kHost = "kubernetes.io/hostname";

class InterPodAffinityTest : public ::testing::Test {
 protected:
  void Make(const json* args = nullptr) {
    auto p = NewInterPodAffinity(args, handle_);
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

  // Runs PreFilter then Filter on every node; node name -> status ("" on success).
  std::map<std::string, std::string> RunFilter(const PodInfoPtr& pod, const std::vector<NodeInfoPtr>& nodes,
                                               CycleState& state) {
    handle_.SetNodes(nodes);
    PreFilterResult r;
    PluginStatus pre = pre_filter_->PreFilter(state, *pod, nodes, &r);
    std::map<std::string, std::string> out;
    for (const auto& n : nodes) {
      if (pre.IsSkip()) {
        out[n->name()] = "";
        continue;
      }
      PluginStatus s = filter_->Filter(state, *pod, *n);
      out[n->name()] = Describe(s);
    }
    return out;
  }
  std::map<std::string, std::string> RunFilter(const PodInfoPtr& pod, const std::vector<NodeInfoPtr>& nodes) {
    CycleState state;
    return RunFilter(pod, nodes, state);
  }

  static std::string Describe(const PluginStatus& s) {
    switch (s.code()) {
      case Code::kSuccess:
        return "";
      case Code::kUnschedulable:
        return "U:" + s.Message();
      case Code::kUnschedulableAndUnresolvable:
        return "UU:" + s.Message();
      default:
        return "other:" + s.Message();
    }
  }

  // PreScore, Score and NormalizeScore over `nodes`; name -> final score.
  // A skipped PreScore yields 0 for every node (the framework skips Score).
  std::map<std::string, int64_t> RunScore(const PodInfoPtr& pod, const std::vector<NodeInfoPtr>& nodes,
                                          bool* skipped = nullptr) {
    handle_.SetNodes(nodes);
    CycleState state;
    PluginStatus pre = pre_score_->PreScore(state, *pod, nodes);
    if (skipped != nullptr) *skipped = pre.IsSkip();
    std::map<std::string, int64_t> out;
    if (pre.IsSkip()) {
      for (const auto& n : nodes) out[n->name()] = 0;
      return out;
    }
    EXPECT_TRUE(pre.IsSuccess()) << pre.Message();
    std::vector<NodeScore> scores;
    for (const auto& n : nodes) {
      int64_t s = 0;
      PluginStatus st = score_->Score(state, *pod, *n, &s);
      EXPECT_TRUE(st.IsSuccess()) << st.Message();
      scores.push_back({n->name(), s});
    }
    EXPECT_TRUE(score_->HasNormalizeScore());
    EXPECT_TRUE(score_->NormalizeScore(state, *pod, scores).IsSuccess());
    for (const auto& s : scores) out[s.name] = s.score;
    return out;
  }

  FakeHandle handle_;
  std::unique_ptr<Plugin> plugin_;
  PreFilterPlugin* pre_filter_ = nullptr;
  FilterPlugin* filter_ = nullptr;
  PreScorePlugin* pre_score_ = nullptr;
  ScorePlugin* score_ = nullptr;
};

const std::string kAff = "UU:" + std::string(kErrReasonAffinityRulesNotMatch);
const std::string kAnti = "U:" + std::string(kErrReasonAntiAffinityRulesNotMatch);
const std::string kExisting = "U:" + std::string(kErrReasonExistingAntiAffinityRulesNotMatch);

TEST_F(InterPodAffinityTest, NameAndSkipWithoutTerms) {
  EXPECT_EQ(plugin_->Name(), "InterPodAffinity");
  auto nodes =
      std::vector<NodeInfoPtr>{MakeNode("n1").Info({MakePod("a").Label("app", "db").Node("n1").Info()})};
  handle_.SetNodes(nodes);
  CycleState state;
  PreFilterResult r;
  EXPECT_TRUE(pre_filter_->PreFilter(state, *MakePod("p").Label("app", "db").Info(), nodes, &r).IsSkip());
  EXPECT_TRUE(pre_filter_->HasPreFilterExtensions());
}

struct FilterCase {
  std::string name;
  PodInfoPtr pod;
  std::vector<NodeInfoPtr> nodes;
  std::map<std::string, std::string> want;
};

TEST_F(InterPodAffinityTest, FilterTable) {
  auto db_on = [](const std::string& node, const std::string& name = "db") {
    return MakePod(name).Label("app", "db").Node(node).Info();
  };
  auto web = [](const std::string& node, const std::string& name) {
    return MakePod(name).Label("app", "web").Node(node).Info();
  };
  std::vector<FilterCase> cases;
  {
    PodBuilder p = MakePod("p");
    Affinity(p, Term({{"app", "db"}}, kZone));
    cases.push_back({"affinity satisfied in the zone of a matching pod",
                     p.Info(),
                     {MakeNode("n1").Label(kZone, "a").Info({db_on("n1")}),
                      MakeNode("n2").Label(kZone, "a").Info(), MakeNode("n3").Label(kZone, "b").Info()},
                     {{"n1", ""}, {"n2", ""}, {"n3", kAff}}});
  }
  {
    PodBuilder p = MakePod("p");
    Affinity(p, Term({{"app", "db"}}, kZone));
    cases.push_back({"affinity needs the topology key on the node",
                     p.Info(),
                     {MakeNode("n1").Label(kZone, "a").Info({db_on("n1")}), MakeNode("n2").Info()},
                     {{"n1", ""}, {"n2", kAff}}});
  }
  {
    PodBuilder p = MakePod("p").Label("app", "web");
    Affinity(p, Term({{"app", "web"}}, kZone));
    cases.push_back({"first pod of a self-affine group goes anywhere with the key",
                     p.Info(),
                     {MakeNode("n1").Label(kZone, "a").Info({db_on("n1")}),
                      MakeNode("n2").Label(kZone, "b").Info(), MakeNode("n3").Info()},
                     {{"n1", ""}, {"n2", ""}, {"n3", kAff}}});
  }
  {
    PodBuilder p = MakePod("p").Label("app", "web");
    Affinity(p, Term({{"app", "web"}}, kZone));
    cases.push_back(
        {"self-affine pod follows an existing group member",
         p.Info(),
         {MakeNode("n1").Label(kZone, "a").Info(), MakeNode("n2").Label(kZone, "b").Info({web("n2", "w1")})},
         {{"n1", kAff}, {"n2", ""}}});
  }
  {
    PodBuilder p = MakePod("p").Label("app", "web");
    Affinity(p, Term({{"app", "db"}}, kZone));
    cases.push_back({"affinity to pods that exist nowhere, not matching itself",
                     p.Info(),
                     {MakeNode("n1").Label(kZone, "a").Info()},
                     {{"n1", kAff}}});
  }
  {
    PodBuilder p = MakePod("p");
    Affinity(p, Term({{"app", "db"}}, kZone));
    Affinity(p, Term({{"tier", "cache"}}, kHost));
    auto db_cache = MakePod("dc").Label("app", "db").Label("tier", "cache").Node("n2").Info();
    cases.push_back(
        {"all affinity terms must be matched by the same pod",
         p.Info(),
         {MakeNode("n1")
              .Label(kZone, "a")
              .Info({db_on("n1"), MakePod("c").Label("tier", "cache").Node("n1").Info()}),
          MakeNode("n2").Label(kZone, "b").Info({db_cache}), MakeNode("n3").Label(kZone, "b").Info()},
         {{"n1", kAff}, {"n2", ""}, {"n3", kAff}}});
  }
  {
    PodBuilder p = MakePod("p").Label("app", "web");
    AntiAffinity(p, Term({{"app", "web"}}, kHost));
    cases.push_back({"anti-affinity to itself spreads one per node",
                     p.Info(),
                     {MakeNode("n1").Info({web("n1", "w1")}), MakeNode("n2").Info(),
                      MakeNode("n3").Info({web("n3", "w3")})},
                     {{"n1", kAnti}, {"n2", ""}, {"n3", kAnti}}});
  }
  {
    PodBuilder p = MakePod("p").Label("app", "web");
    AntiAffinity(p, Term({{"app", "db"}}, kZone));
    cases.push_back({"anti-affinity ignores nodes without the topology key",
                     p.Info(),
                     {MakeNode("n1").Label(kZone, "a").Info({db_on("n1")}),
                      MakeNode("n2").Label(kZone, "a").Info(), MakeNode("n3").Info()},
                     {{"n1", kAnti}, {"n2", kAnti}, {"n3", ""}}});
  }
  {
    PodBuilder e = MakePod("e").Label("app", "db").Node("n1");
    AntiAffinity(e, Term({{"app", "web"}}, kZone));
    cases.push_back({"existing pods' anti-affinity blocks their whole zone",
                     MakePod("p").Label("app", "web").Info(),
                     {MakeNode("n1").Label(kZone, "a").Info({e.Info()}),
                      MakeNode("n2").Label(kZone, "a").Info(), MakeNode("n3").Label(kZone, "b").Info()},
                     {{"n1", kExisting}, {"n2", kExisting}, {"n3", ""}}});
  }
  {
    PodBuilder e = MakePod("e").Namespace("other").Label("app", "db").Node("n1");
    AntiAffinity(e, Term({{"app", "web"}}, kHost));
    cases.push_back({"existing pods' anti-affinity only covers their own namespace by default",
                     MakePod("p").Label("app", "web").Info(),
                     {MakeNode("n1").Info({e.Info()})},
                     {{"n1", ""}}});
  }
  {
    PodBuilder e = MakePod("e").Namespace("other").Label("app", "db").Node("n1");
    AntiAffinity(e, Term({{"app", "web"}}, kHost, {{"namespaces", {"default"}}}));
    cases.push_back({"existing pods' anti-affinity with explicit namespaces",
                     MakePod("p").Label("app", "web").Info(),
                     {MakeNode("n1").Info({e.Info()}), MakeNode("n2").Info()},
                     {{"n1", kExisting}, {"n2", ""}}});
  }
  {
    PodBuilder p = MakePod("p").Label("app", "web");
    AntiAffinity(p, Term({{"app", "web"}}, kHost));
    PodBuilder e = MakePod("e").Label("app", "db").Node("n2");
    AntiAffinity(e, Term({{"app", "web"}}, kHost));
    cases.push_back(
        {"affinity checked before anti-affinity, incoming before existing",
         p.Info(),
         {MakeNode("n1").Info({web("n1", "w1")}), MakeNode("n2").Info({e.Info()}), MakeNode("n3").Info()},
         {{"n1", kAnti}, {"n2", kExisting}, {"n3", ""}}});
  }
  {
    // matchLabelKeys: the incoming pod's own version joins the selector.
    PodBuilder p = MakePod("p").Label("app", "web").Label("version", "v1");
    AntiAffinity(p, Term({{"app", "web"}}, kHost, {{"matchLabelKeys", {"version"}}}));
    cases.push_back(
        {"matchLabelKeys narrows anti-affinity to the same version",
         p.Info(),
         {MakeNode("n1").Info({MakePod("a").Label("app", "web").Label("version", "v0").Node("n1").Info()}),
          MakeNode("n2").Info({MakePod("b").Label("app", "web").Label("version", "v1").Node("n2").Info()})},
         {{"n1", ""}, {"n2", kAnti}}});
  }
  {
    PodBuilder p = MakePod("p").Label("app", "web").Label("version", "v1");
    AntiAffinity(p, Term({{"app", "web"}}, kHost, {{"mismatchLabelKeys", {"version"}}}));
    cases.push_back(
        {"mismatchLabelKeys keeps away from other versions",
         p.Info(),
         {MakeNode("n1").Info({MakePod("a").Label("app", "web").Label("version", "v0").Node("n1").Info()}),
          MakeNode("n2").Info({MakePod("b").Label("app", "web").Label("version", "v1").Node("n2").Info()})},
         {{"n1", kAnti}, {"n2", ""}}});
  }
  {
    PodBuilder p = MakePod("p");
    Affinity(p, Term({{"app", "db"}}, kHost));
    cases.push_back(
        {"pods in other namespaces do not satisfy the default namespace",
         p.Info(),
         {MakeNode("n1").Info({MakePod("x").Namespace("other").Label("app", "db").Node("n1").Info()}),
          MakeNode("n2").Info({db_on("n2")})},
         {{"n1", kAff}, {"n2", ""}}});
  }
  for (auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(RunFilter(c.pod, c.nodes), c.want);
  }
}

TEST_F(InterPodAffinityTest, NamespaceSelector) {
  handle_.SetNamespaceLabels("team-a", {{"team", "a"}});
  handle_.SetNamespaceLabels("team-b", {{"team", "b"}});
  std::vector<NodeInfoPtr> nodes = {
      MakeNode("n1").Info({MakePod("a").Namespace("team-a").Label("app", "db").Node("n1").Info()}),
      MakeNode("n2").Info({MakePod("b").Namespace("team-b").Label("app", "db").Node("n2").Info()}),
      MakeNode("n3").Info({MakePod("c").Namespace("unknown").Label("app", "db").Node("n3").Info()}),
      MakeNode("n4").Info()};
  {
    PodBuilder p = MakePod("p");
    Affinity(p, Term({{"app", "db"}}, kHost, {{"namespaceSelector", {{"matchLabels", {{"team", "a"}}}}}}));
    EXPECT_EQ(RunFilter(p.Info(), nodes),
              (std::map<std::string, std::string>{{"n1", ""}, {"n2", kAff}, {"n3", kAff}, {"n4", kAff}}));
  }
  {
    // An empty namespaceSelector selects every namespace, known or not.
    PodBuilder p = MakePod("p");
    Affinity(p, Term({{"app", "db"}}, kHost, {{"namespaceSelector", json::object()}}));
    EXPECT_EQ(RunFilter(p.Info(), nodes),
              (std::map<std::string, std::string>{{"n1", ""}, {"n2", ""}, {"n3", ""}, {"n4", kAff}}));
  }
  {
    // namespaces and namespaceSelector are ORed.
    PodBuilder p = MakePod("p");
    AntiAffinity(
        p, Term({{"app", "db"}}, kHost,
                {{"namespaces", {"unknown"}}, {"namespaceSelector", {{"matchLabels", {{"team", "b"}}}}}}));
    EXPECT_EQ(RunFilter(p.Info(), nodes),
              (std::map<std::string, std::string>{{"n1", ""}, {"n2", kAnti}, {"n3", kAnti}, {"n4", ""}}));
  }
  {
    // An existing pod's anti-affinity namespaceSelector is evaluated against
    // the incoming pod's namespace labels.
    PodBuilder e = MakePod("e").Namespace("team-b").Label("app", "db").Node("n4");
    AntiAffinity(e,
                 Term({{"app", "web"}}, kHost, {{"namespaceSelector", {{"matchLabels", {{"team", "a"}}}}}}));
    std::vector<NodeInfoPtr> with_e = {MakeNode("n4").Info({e.Info()})};
    EXPECT_EQ(RunFilter(MakePod("p").Namespace("team-a").Label("app", "web").Info(), with_e),
              (std::map<std::string, std::string>{{"n4", kExisting}}));
    EXPECT_EQ(RunFilter(MakePod("p").Namespace("team-b").Label("app", "web").Info(), with_e),
              (std::map<std::string, std::string>{{"n4", ""}}));
  }
}

TEST_F(InterPodAffinityTest, RemovePodUnblocksExistingAntiAffinityForPreemption) {
  PodBuilder e = MakePod("victim").Label("app", "db").Node("n1");
  AntiAffinity(e, Term({{"app", "web"}}, kHost));
  PodInfoPtr victim = e.Info();
  auto n1 = MakeNode("n1").Info({victim});
  std::vector<NodeInfoPtr> nodes = {n1, MakeNode("n2").Info()};
  PodInfoPtr pod = MakePod("p").Label("app", "web").Info();
  CycleState state;
  ASSERT_EQ(RunFilter(pod, nodes, state),
            (std::map<std::string, std::string>{{"n1", kExisting}, {"n2", ""}}));

  auto copy = state.Clone();
  NodeInfo without = *n1;
  ASSERT_TRUE(without.RemovePod(victim->uid));
  ASSERT_TRUE(pre_filter_->RemovePod(*copy, *pod, victim, without).IsSuccess());
  EXPECT_TRUE(filter_->Filter(*copy, *pod, without).IsSuccess());
  // The original state is untouched by the clone's update.
  EXPECT_EQ(Describe(filter_->Filter(state, *pod, *n1)), kExisting);
  // Adding it back blocks again.
  ASSERT_TRUE(pre_filter_->AddPod(*copy, *pod, victim, *n1).IsSuccess());
  EXPECT_EQ(Describe(filter_->Filter(*copy, *pod, *n1)), kExisting);
}

TEST_F(InterPodAffinityTest, RemovePodUnblocksIncomingAntiAffinity) {
  PodInfoPtr victim = MakePod("victim").Label("app", "web").Node("n1").Info();
  auto n1 = MakeNode("n1").Info({victim});
  PodBuilder p = MakePod("p").Label("app", "web");
  AntiAffinity(p, Term({{"app", "web"}}, kHost));
  PodInfoPtr pod = p.Info();
  CycleState state;
  ASSERT_EQ(RunFilter(pod, {n1}, state), (std::map<std::string, std::string>{{"n1", kAnti}}));
  ASSERT_TRUE(pre_filter_->RemovePod(state, *pod, victim, *n1).IsSuccess());
  EXPECT_TRUE(filter_->Filter(state, *pod, *n1).IsSuccess());
}

TEST_F(InterPodAffinityTest, AddAndRemoveAffinityTargets) {
  PodBuilder p = MakePod("p");
  Affinity(p, Term({{"app", "db"}}, kHost));
  PodInfoPtr pod = p.Info();
  PodInfoPtr db = MakePod("db").Label("app", "db").Node("n1").Info();
  auto n1 = MakeNode("n1").Info({db});
  auto n2 = MakeNode("n2").Info();
  CycleState state;
  ASSERT_EQ(RunFilter(pod, {n1, n2}, state), (std::map<std::string, std::string>{{"n1", ""}, {"n2", kAff}}));
  // A nominated db pod on n2 makes n2 feasible.
  ASSERT_TRUE(pre_filter_->AddPod(state, *pod, MakePod("db2").Label("app", "db").Info(), *n2).IsSuccess());
  EXPECT_TRUE(filter_->Filter(state, *pod, *n2).IsSuccess());
  // Removing the only db pod on n1 makes n1 infeasible (p does not match itself).
  ASSERT_TRUE(pre_filter_->RemovePod(state, *pod, db, *n1).IsSuccess());
  EXPECT_EQ(Describe(filter_->Filter(state, *pod, *n1)), kAff);
}

TEST_F(InterPodAffinityTest, FilterWithoutPreFilterIsAnError) {
  CycleState state;
  EXPECT_EQ(filter_->Filter(state, *MakePod("p").Info(), *MakeNode("n1").Info()).code(), Code::kError);
}

TEST_F(InterPodAffinityTest, ScorePreferredAffinityAndAntiAffinity) {
  auto nodes = [] {
    return std::vector<NodeInfoPtr>{
        MakeNode("n1").Label(kZone, "a").Info({MakePod("db").Label("app", "db").Node("n1").Info()}),
        MakeNode("n2").Label(kZone, "a").Info(),
        MakeNode("n3").Label(kZone, "b").Info({MakePod("cache").Label("app", "cache").Node("n3").Info()})};
  };
  {
    PodBuilder p = MakePod("p");
    Preferred(p, "podAffinity", 5, Term({{"app", "db"}}, kZone));
    EXPECT_EQ(RunScore(p.Info(), nodes()),
              (std::map<std::string, int64_t>{{"n1", 100}, {"n2", 100}, {"n3", 0}}));
  }
  {
    PodBuilder p = MakePod("p");
    Preferred(p, "podAntiAffinity", 5, Term({{"app", "db"}}, kZone));
    EXPECT_EQ(RunScore(p.Info(), nodes()),
              (std::map<std::string, int64_t>{{"n1", 0}, {"n2", 0}, {"n3", 100}}));
  }
  {
    // 8 for zone a, 4 for n3's host, -2 for zone b: min-max over {8, 8, 2}.
    PodBuilder p = MakePod("p");
    Preferred(p, "podAffinity", 8, Term({{"app", "db"}}, kZone));
    Preferred(p, "podAffinity", 4, Term({{"app", "cache"}}, kHost));
    Preferred(p, "podAntiAffinity", 2, Term({{"app", "cache"}}, kZone));
    EXPECT_EQ(RunScore(p.Info(), nodes()),
              (std::map<std::string, int64_t>{{"n1", 100}, {"n2", 100}, {"n3", 0}}));
  }
  {
    PodBuilder p = MakePod("p");
    Preferred(p, "podAffinity", 3, Term({{"app", "db"}}, kHost));
    Preferred(p, "podAffinity", 1, Term({{"app", "cache"}}, kHost));
    EXPECT_EQ(RunScore(p.Info(), nodes()),
              (std::map<std::string, int64_t>{{"n1", 100}, {"n2", 0}, {"n3", 33}}));
  }
  {
    // Nothing matches anywhere: PreScore skips.
    PodBuilder p = MakePod("p");
    Preferred(p, "podAffinity", 3, Term({{"app", "none"}}, kHost));
    bool skipped = false;
    RunScore(p.Info(), nodes(), &skipped);
    EXPECT_TRUE(skipped);
  }
}

TEST_F(InterPodAffinityTest, ScoreExistingPodsTerms) {
  auto nodes = [] {
    PodBuilder req = MakePod("req").Label("app", "db").Node("n1");
    Affinity(req, Term({{"app", "web"}}, kHost));
    PodBuilder pref = MakePod("pref").Label("app", "db").Node("n2");
    Preferred(pref, "podAffinity", 10, Term({{"app", "web"}}, kHost));
    PodBuilder anti = MakePod("anti").Label("app", "db").Node("n3");
    Preferred(anti, "podAntiAffinity", 10, Term({{"app", "web"}}, kHost));
    return std::vector<NodeInfoPtr>{MakeNode("n1").Info({req.Info()}), MakeNode("n2").Info({pref.Info()}),
                                    MakeNode("n3").Info({anti.Info()}), MakeNode("n4").Info()};
  };
  PodInfoPtr pod = MakePod("p").Label("app", "web").Info();
  // Raw: n1 +1 (hardPodAffinityWeight), n2 +10, n3 -10, n4 0 -> min-max over [-10, 10].
  EXPECT_EQ(RunScore(pod, nodes()),
            (std::map<std::string, int64_t>{{"n1", 55}, {"n2", 100}, {"n3", 0}, {"n4", 50}}));

  json heavy = {{"hardPodAffinityWeight", 10}};
  Make(&heavy);
  EXPECT_EQ(RunScore(pod, nodes()),
            (std::map<std::string, int64_t>{{"n1", 100}, {"n2", 100}, {"n3", 0}, {"n4", 50}}));

  json none = {{"hardPodAffinityWeight", 0}};
  Make(&none);
  EXPECT_EQ(RunScore(pod, nodes()),
            (std::map<std::string, int64_t>{{"n1", 50}, {"n2", 100}, {"n3", 0}, {"n4", 50}}));

  // ignorePreferredTermsOfExistingPods: a pod without preferred terms skips scoring.
  json ignore = {{"ignorePreferredTermsOfExistingPods", true}};
  Make(&ignore);
  bool skipped = false;
  RunScore(pod, nodes(), &skipped);
  EXPECT_TRUE(skipped);
  PodBuilder with_pref = MakePod("p2").Label("app", "web");
  Preferred(with_pref, "podAffinity", 1, Term({{"app", "none"}}, kHost));
  RunScore(with_pref.Info(), nodes(), &skipped);
  EXPECT_FALSE(skipped);  // existing pods' terms still count when the pod has its own
}

TEST_F(InterPodAffinityTest, ScoreNamespaceSelectorOfExistingPods) {
  handle_.SetNamespaceLabels("team-a", {{"team", "a"}});
  PodBuilder pref = MakePod("pref").Namespace("other").Label("app", "db").Node("n1");
  Preferred(pref, "podAffinity", 10,
            Term({{"app", "web"}}, kHost, {{"namespaceSelector", {{"matchLabels", {{"team", "a"}}}}}}));
  std::vector<NodeInfoPtr> nodes = {MakeNode("n1").Info({pref.Info()}), MakeNode("n2").Info()};
  EXPECT_EQ(RunScore(MakePod("p").Namespace("team-a").Label("app", "web").Info(), nodes),
            (std::map<std::string, int64_t>{{"n1", 100}, {"n2", 0}}));
  bool skipped = false;
  RunScore(MakePod("p").Namespace("team-b").Label("app", "web").Info(), nodes, &skipped);
  EXPECT_TRUE(skipped);
}

TEST_F(InterPodAffinityTest, Args) {
  auto d = ParseInterPodAffinityArgs(nullptr);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->hard_pod_affinity_weight, 1);
  EXPECT_FALSE(d->ignore_preferred_terms_of_existing_pods);

  json ok = {{"kind", "InterPodAffinityArgs"},
             {"hardPodAffinityWeight", 100},
             {"ignorePreferredTermsOfExistingPods", true}};
  auto parsed = ParseInterPodAffinityArgs(&ok);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(parsed->hard_pod_affinity_weight, 100);
  EXPECT_TRUE(parsed->ignore_preferred_terms_of_existing_pods);

  json big = {{"hardPodAffinityWeight", 101}};
  auto bad = NewInterPodAffinity(&big, handle_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(bad.status().message(), "hardPodAffinityWeight: Invalid value: 101: not in valid range [0, 100]");

  json neg = {{"hardPodAffinityWeight", -1}};
  EXPECT_FALSE(ParseInterPodAffinityArgs(&neg).ok());
  json str = {{"hardPodAffinityWeight", "5"}};
  auto s = ParseInterPodAffinityArgs(&str);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.status().message().find("hardPodAffinityWeight"), std::string::npos);
  json b = {{"ignorePreferredTermsOfExistingPods", "yes"}};
  EXPECT_FALSE(ParseInterPodAffinityArgs(&b).ok());
}

TEST_F(InterPodAffinityTest, EventsToRegister) {
  auto* ee = dynamic_cast<EnqueueExtensions*>(plugin_.get());
  ASSERT_NE(ee, nullptr);
  auto events = ee->EventsToRegister();
  auto covered = [&](EventResource r, uint32_t action) { return AnyEventMatches(events, {r, action}); };
  EXPECT_TRUE(covered(EventResource::kAssignedPod, kAdd));
  EXPECT_TRUE(covered(EventResource::kAssignedPod, kDelete));
  EXPECT_TRUE(covered(EventResource::kAssignedPod, kUpdatePodLabel));
  EXPECT_TRUE(covered(EventResource::kNode, kAdd));
  EXPECT_TRUE(covered(EventResource::kNode, kUpdateNodeLabel));
  EXPECT_FALSE(covered(EventResource::kNode, kUpdateNodeAllocatable));
  EXPECT_FALSE(covered(EventResource::kAssignedPod, kUpdatePodScaleDown));
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
