#include "scheduler/plugins/default_preemption/default_preemption.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scheduler/framework/framework.h"
#include "scheduler/testing/builders.h"
#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;
using testing::FakeHandle;
using testing::MakeNode;
using testing::MakePod;
using testing::RecordedRequest;

// --- Test plugins: small stand-ins so these tests do not depend on the real
// Filter plugins. ---

// CPU fit from NodeInfo (which preemption edits on its copy).
class FakeFit : public PreFilterPlugin, public FilterPlugin {
 public:
  std::string_view Name() const override { return "FakeFit"; }
  PluginStatus PreFilter(CycleState&, const PodInfo&, const std::vector<NodeInfoPtr>&,
                         PreFilterResult*) override {
    return PluginStatus::Success();
  }
  // Nodes Filter ran on, in order (tests clear it).
  static inline std::vector<std::string> filtered_nodes;
  PluginStatus Filter(CycleState&, const PodInfo& pod, const NodeInfo& node) override {
    filtered_nodes.push_back(node.name());
    if (node.requested().milli_cpu + pod.requests.milli_cpu > node.allocatable().milli_cpu) {
      return PluginStatus::Unschedulable("Insufficient cpu");
    }
    return PluginStatus::Success();
  }
};

// Rejects nodes hosting a pod labelled blocker=true, from state computed in
// PreFilter and kept right by the PreFilter extensions (as InterPodAffinity
// does), so preemption must call AddPod/RemovePod on its own state copy.
struct BlockerState : StateData {
  std::map<std::string, int> blockers_per_node;
  std::unique_ptr<StateData> Clone() const override { return std::make_unique<BlockerState>(*this); }
};
class FakeBlocker : public PreFilterPlugin, public FilterPlugin {
 public:
  static constexpr const char* kKey = "PreFilterFakeBlocker";
  std::string_view Name() const override { return "FakeBlocker"; }
  PluginStatus PreFilter(CycleState& state, const PodInfo&, const std::vector<NodeInfoPtr>& nodes,
                         PreFilterResult*) override {
    auto s = std::make_unique<BlockerState>();
    for (const auto& n : nodes) {
      for (const auto& p : n->pods()) {
        if (IsBlocker(*p)) ++s->blockers_per_node[n->name()];
      }
    }
    state.Write(kKey, std::move(s));
    return PluginStatus::Success();
  }
  bool HasPreFilterExtensions() const override { return true; }
  PluginStatus AddPod(CycleState& state, const PodInfo&, const PodInfoPtr& p, const NodeInfo& node) override {
    if (IsBlocker(*p)) ++Get(state)->blockers_per_node[node.name()];
    return PluginStatus::Success();
  }
  PluginStatus RemovePod(CycleState& state, const PodInfo&, const PodInfoPtr& p,
                         const NodeInfo& node) override {
    if (IsBlocker(*p)) --Get(state)->blockers_per_node[node.name()];
    return PluginStatus::Success();
  }
  PluginStatus Filter(CycleState& state, const PodInfo&, const NodeInfo& node) override {
    auto* s = Get(state);
    auto it = s->blockers_per_node.find(node.name());
    if (it != s->blockers_per_node.end() && it->second > 0) {
      return PluginStatus::Unschedulable("node(s) had a blocker pod");
    }
    return PluginStatus::Success();
  }
  static BlockerState* Get(CycleState& state) { return static_cast<BlockerState*>(state.Read(kKey)); }

 private:
  static bool IsBlocker(const PodInfo& p) {
    auto it = p.labels.find("blocker");
    return it != p.labels.end() && it->second == "true";
  }
};

// Nodes labelled tainted=true are unresolvable.
class FakeTaint : public FilterPlugin {
 public:
  std::string_view Name() const override { return "FakeTaint"; }
  PluginStatus Filter(CycleState&, const PodInfo&, const NodeInfo& node) override {
    if (node.labels().count("tainted") > 0)
      return PluginStatus::Unresolvable("node(s) had untolerated taint {k: v}");
    return PluginStatus::Success();
  }
};

class FakeBind : public BindPlugin {
 public:
  std::string_view Name() const override { return "FakeBind"; }
  PluginStatus Bind(CycleState&, const PodInfo&, const std::string&) override {
    return PluginStatus::Success();
  }
};

template <typename T>
PluginFactory FactoryOf() {
  return [](const json*, Handle&) -> StatusOr<std::unique_ptr<Plugin>> {
    return std::unique_ptr<Plugin>(std::make_unique<T>());
  };
}

PluginRegistry TestRegistry() {
  PluginRegistry r;
  (void)r.Register("FakeFit", FactoryOf<FakeFit>());
  (void)r.Register("FakeBlocker", FactoryOf<FakeBlocker>());
  (void)r.Register("FakeTaint", FactoryOf<FakeTaint>());
  (void)r.Register("FakeBind", FactoryOf<FakeBind>());
  (void)r.Register(std::string(kDefaultPreemptionName), NewDefaultPreemption);
  return r;
}

config::Profile TestProfile(bool with_preemption = false) {
  config::Profile profile;
  profile.plugins.multi_point.disabled = {"*"};
  for (const char* name : {"FakeTaint", "FakeFit", "FakeBlocker", "FakeBind"}) {
    profile.plugins.multi_point.enabled.push_back({name, 0});
  }
  if (with_preemption)
    profile.plugins.multi_point.enabled.push_back({std::string(kDefaultPreemptionName), 0});
  return profile;
}

// A scheduling cycle's worth of setup: handle, framework, plugin, and the
// filter statuses the cycle would have produced.
class PreemptionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto fw = Framework::Create(TestProfile(), registry_, handle_);
    ASSERT_TRUE(fw.ok()) << fw.status().ToString();
    framework_ = *std::move(fw);
    handle_.set_framework(framework_.get());
    SetArgs({});
  }

  void SetArgs(DefaultPreemptionArgs args) {
    plugin_ = std::make_unique<DefaultPreemption>(args, handle_);
    plugin_->set_offset_function([](int32_t) { return 0; });
  }

  void SetNodes(std::vector<std::shared_ptr<NodeInfo>> nodes) {
    std::vector<NodeInfoPtr> ptrs(nodes.begin(), nodes.end());
    handle_.SetNodes(std::move(ptrs));
  }

  // Runs PreFilter + Filter over the snapshot (as the cycle does), then PostFilter.
  PluginStatus Run(const PodInfoPtr& pod, PostFilterResult* result) {
    state_ = std::make_unique<CycleState>();
    PreFilterResult pre;
    PluginStatus s = framework_->RunPreFilterPlugins(*state_, *pod, handle_.snapshot().nodes(), &pre);
    EXPECT_TRUE(s.IsSuccess()) << s.Message();
    filtered_.clear();
    for (const auto& n : handle_.snapshot().nodes()) {
      PluginStatus f = framework_->RunFilterPluginsWithNominatedPods(*state_, *pod, *n);
      EXPECT_FALSE(f.IsSuccess()) << "test setup: pod fits on " << n->name();
      filtered_.emplace(n->name(), f);
    }
    return plugin_->PostFilter(*state_, *pod, filtered_, static_cast<int>(handle_.snapshot().nodes().size()),
                               result);
  }

  std::vector<RecordedRequest> Requests() { return handle_.transport().requests(); }
  // "METHOD target" of every request, in order.
  std::vector<std::string> Calls() {
    std::vector<std::string> out;
    for (const auto& r : Requests()) out.push_back(r.method + " " + r.target);
    return out;
  }

  PluginRegistry registry_ = TestRegistry();
  FakeHandle handle_;
  std::unique_ptr<Framework> framework_;
  std::unique_ptr<DefaultPreemption> plugin_;
  std::unique_ptr<CycleState> state_;
  NodeToStatusMap filtered_;
};

const std::vector<std::string> kPreemptLow = {"PATCH /api/v1/namespaces/default/pods/low/status",
                                              "DELETE /api/v1/namespaces/default/pods/low"};

TEST_F(PreemptionTest, LowestPriorityVictimIsPreemptedAndTheRestReprieved) {
  auto low = MakePod("low").Node("n1").Priority(1).Req({{"cpu", "1"}}).Info();
  auto mid = MakePod("mid").Node("n1").Priority(5).Req({{"cpu", "1"}}).Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "2"}}).Info({low, mid})});
  auto pod = MakePod("p").Priority(10).Req({{"cpu", "1"}}).Info();

  PostFilterResult result;
  PluginStatus s = Run(pod, &result);
  ASSERT_TRUE(s.IsSuccess()) << s.Message();
  EXPECT_EQ(result.nominated_node_name, "n1");
  EXPECT_FALSE(result.clear_nomination);
  EXPECT_EQ(Calls(), kPreemptLow);

  // The status patch adds the DisruptionTarget condition (strategic merge:
  // the other conditions stay).
  auto reqs = Requests();
  EXPECT_EQ(reqs[0].content_type, "application/strategic-merge-patch+json");
  json patch = json::parse(reqs[0].body);
  const json& cond = patch["status"]["conditions"][0];
  EXPECT_EQ(cond["type"], "DisruptionTarget");
  EXPECT_EQ(cond["status"], "True");
  EXPECT_EQ(cond["reason"], "PreemptionByScheduler");
  EXPECT_EQ(cond["message"], "default-scheduler: preempting to accommodate a higher priority pod");
  EXPECT_TRUE(cond.contains("lastTransitionTime"));

  ASSERT_EQ(handle_.events().size(), 1u);
  const auto& e = handle_.events()[0];
  EXPECT_EQ(e.pod, "default/low");
  EXPECT_EQ(e.type, "Normal");
  EXPECT_EQ(e.reason, "Preempted");
  EXPECT_EQ(e.action, "Preempting");
  EXPECT_EQ(e.message, "Preempted by pod p-uid on node n1");
}

TEST_F(PreemptionTest, SchedulerNameOfThePreemptorInTheCondition) {
  auto low = MakePod("low").Node("n1").Priority(1).Req({{"cpu", "1"}}).Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "1"}}).Info({low})});
  auto pod = MakePod("p").SchedulerName("my-scheduler").Priority(10).Req({{"cpu", "1"}}).Info();
  PostFilterResult result;
  ASSERT_TRUE(Run(pod, &result).IsSuccess());
  json patch = json::parse(Requests()[0].body);
  EXPECT_EQ(patch["status"]["conditions"][0]["message"],
            "my-scheduler: preempting to accommodate a higher priority pod");
}

TEST_F(PreemptionTest, ReprieveKeepsPodsThatAreNotNeeded) {
  auto a = MakePod("a").Node("n1").Priority(1).Req({{"cpu", "1"}}).Info();
  auto b = MakePod("b").Node("n1").Priority(2).Req({{"cpu", "1"}}).Info();
  auto c = MakePod("c").Node("n1").Priority(3).Req({{"cpu", "1"}}).Info();
  auto d = MakePod("d").Node("n1").Priority(4).Req({{"cpu", "1"}}).Info();
  auto node = MakeNode("n1").Capacity({{"cpu", "4"}}).Info({a, b, c, d});
  SetNodes({node});
  auto pod = MakePod("p").Priority(10).Req({{"cpu", "2"}}).Info();

  // The pure step first: victims are the two least important, most important first.
  state_ = std::make_unique<CycleState>();
  PreFilterResult pre;
  ASSERT_TRUE(framework_->RunPreFilterPlugins(*state_, *pod, handle_.snapshot().nodes(), &pre).IsSuccess());
  NodeInfo copy = *node;
  auto state_copy = state_->Clone();
  PreemptionCandidate cand;
  ASSERT_TRUE(plugin_->SelectVictimsOnNode(*state_copy, *pod, copy, {}, &cand).IsSuccess());
  ASSERT_EQ(cand.victims.size(), 2u);
  EXPECT_EQ(cand.victims[0]->name, "b");
  EXPECT_EQ(cand.victims[1]->name, "a");
  EXPECT_EQ(cand.num_pdb_violations, 0);
  EXPECT_EQ(node->pods().size(), 4u) << "the snapshot's NodeInfo must not change";

  PostFilterResult result;
  ASSERT_TRUE(Run(pod, &result).IsSuccess());
  EXPECT_EQ(result.nominated_node_name, "n1");
  auto calls = Calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0], "PATCH /api/v1/namespaces/default/pods/b/status");
  EXPECT_EQ(calls[1], "DELETE /api/v1/namespaces/default/pods/b");
  EXPECT_EQ(calls[2], "PATCH /api/v1/namespaces/default/pods/a/status");
  EXPECT_EQ(calls[3], "DELETE /api/v1/namespaces/default/pods/a");
}

TEST_F(PreemptionTest, EqualPriorityReprievesTheEarlierStartedPod) {
  auto old_pod =
      MakePod("old").Node("n1").Priority(1).StartTime("2024-01-01T00:00:00Z").Req({{"cpu", "1"}}).Info();
  auto new_pod =
      MakePod("new").Node("n1").Priority(1).StartTime("2024-06-01T00:00:00Z").Req({{"cpu", "1"}}).Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "2"}}).Info({new_pod, old_pod})});
  PostFilterResult result;
  ASSERT_TRUE(Run(MakePod("p").Priority(10).Req({{"cpu", "1"}}).Info(), &result).IsSuccess());
  EXPECT_EQ(Calls(), (std::vector<std::string>{"PATCH /api/v1/namespaces/default/pods/new/status",
                                               "DELETE /api/v1/namespaces/default/pods/new"}));
}

TEST_F(PreemptionTest, PreFilterExtensionsRunOnACopyOfTheState) {
  auto blocker = MakePod("blocker").Node("n1").Priority(1).Label("blocker", "true").Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "4"}}).Info({blocker})});
  auto pod = MakePod("p").Priority(10).Req({{"cpu", "1"}}).Info();
  PostFilterResult result;
  PluginStatus s = Run(pod, &result);
  ASSERT_TRUE(s.IsSuccess()) << s.Message();
  EXPECT_EQ(result.nominated_node_name, "n1");
  EXPECT_EQ(Calls(), (std::vector<std::string>{"PATCH /api/v1/namespaces/default/pods/blocker/status",
                                               "DELETE /api/v1/namespaces/default/pods/blocker"}));
  // The cycle's own state is untouched.
  EXPECT_EQ(FakeBlocker::Get(*state_)->blockers_per_node["n1"], 1);
}

TEST_F(PreemptionTest, PdbViolatingVictimsAreReprievedFirstOnANode) {
  // Without the PDB "protected" (started later, so less important) would be the victim.
  auto guarded = MakePod("protected")
                     .Node("n1")
                     .Priority(1)
                     .Label("app", "db")
                     .StartTime("2024-06-01T00:00:00Z")
                     .Req({{"cpu", "1"}})
                     .Info();
  auto other =
      MakePod("other").Node("n1").Priority(1).StartTime("2024-01-01T00:00:00Z").Req({{"cpu", "1"}}).Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "2"}}).Info({guarded, other})});
  auto pod = MakePod("p").Priority(10).Req({{"cpu", "1"}}).Info();

  PostFilterResult result;
  ASSERT_TRUE(Run(pod, &result).IsSuccess());
  EXPECT_EQ(Calls()[1], "DELETE /api/v1/namespaces/default/pods/protected");

  handle_.transport().Clear();
  handle_.SetObjects(
      "poddisruptionbudgets",
      {std::make_shared<const json>(json::parse(R"({"metadata":{"name":"pdb","namespace":"default"},
                        "spec":{"selector":{"matchLabels":{"app":"db"}}},"status":{"disruptionsAllowed":0}})"))});
  ASSERT_TRUE(Run(pod, &result).IsSuccess());
  EXPECT_EQ(Calls()[1], "DELETE /api/v1/namespaces/default/pods/other");
}

TEST_F(PreemptionTest, NodesWithoutPdbViolationsArePreferred) {
  auto guarded = MakePod("guarded").Node("n1").Priority(1).Label("app", "db").Req({{"cpu", "1"}}).Info();
  auto plain = MakePod("plain").Node("n2").Priority(5).Req({{"cpu", "1"}}).Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "1"}}).Info({guarded}),
            MakeNode("n2").Capacity({{"cpu", "1"}}).Info({plain})});
  auto pod = MakePod("p").Priority(10).Req({{"cpu", "1"}}).Info();

  // No PDB: n1 (lower-priority victim).
  PostFilterResult result;
  ASSERT_TRUE(Run(pod, &result).IsSuccess());
  EXPECT_EQ(result.nominated_node_name, "n1");

  // A PDB with no disruption left: n2, even with a higher-priority victim.
  handle_.transport().Clear();
  handle_.SetObjects(
      "poddisruptionbudgets",
      {std::make_shared<const json>(json::parse(R"({"metadata":{"name":"pdb","namespace":"default"},
                        "spec":{"selector":{"matchLabels":{"app":"db"}}},"status":{"disruptionsAllowed":0}})"))});
  ASSERT_TRUE(Run(pod, &result).IsSuccess());
  EXPECT_EQ(result.nominated_node_name, "n2");

  // The only choice violates the PDB: preemption still happens.
  SetNodes({MakeNode("n1").Capacity({{"cpu", "1"}}).Info({guarded})});
  ASSERT_TRUE(Run(pod, &result).IsSuccess());
  EXPECT_EQ(result.nominated_node_name, "n1");
}

TEST(PdbTest, SplitCountsBudgetsInOrder) {
  auto pdb_objs = std::vector<std::shared_ptr<const json>>{
      std::make_shared<const json>(json::parse(R"({"metadata":{"namespace":"default"},
        "spec":{"selector":{"matchLabels":{"app":"web"}}},"status":{"disruptionsAllowed":1,
        "disruptedPods":{"w3":"2024-01-01T00:00:00Z"}}})")),
      // Other namespace, empty selector (matches nothing), no selector.
      std::make_shared<const json>(json::parse(R"({"metadata":{"namespace":"other"},
        "spec":{"selector":{"matchLabels":{"app":"web"}}},"status":{"disruptionsAllowed":0}})")),
      std::make_shared<const json>(json::parse(R"({"metadata":{"namespace":"default"},
        "spec":{"selector":{}},"status":{"disruptionsAllowed":0}})")),
      std::make_shared<const json>(json::parse(R"({"metadata":{"namespace":"default"},"spec":{}})")),
  };
  auto pdbs = ParsePdbs(pdb_objs);
  ASSERT_EQ(pdbs.size(), 4u);
  std::vector<PodInfoPtr> pods = {MakePod("w1").Label("app", "web").Info(),
                                  MakePod("w3").Label("app", "web").Info(),
                                  MakePod("w2").Label("app", "web").Info(),
                                  MakePod("x").Label("app", "x").Info(), MakePod("nolabels").Info()};
  std::vector<PodInfoPtr> violating, non_violating;
  SplitByPdbViolation(pods, pdbs, &violating, &non_violating);
  // w1 uses the one allowed disruption, w3 is already disrupted, w2 violates.
  ASSERT_EQ(violating.size(), 1u);
  EXPECT_EQ(violating[0]->name, "w2");
  ASSERT_EQ(non_violating.size(), 4u);
  EXPECT_EQ(non_violating[0]->name, "w1");
  EXPECT_EQ(non_violating[1]->name, "w3");
}

TEST_F(PreemptionTest, PreemptionPolicyNeverIsNotEligible) {
  auto low = MakePod("low").Node("n1").Priority(1).Req({{"cpu", "1"}}).Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "1"}}).Info({low})});
  auto pod = MakePod("p").Priority(10).PreemptionPolicy("Never").Req({{"cpu", "1"}}).Info();
  PostFilterResult result;
  PluginStatus s = Run(pod, &result);
  EXPECT_EQ(s.code(), Code::kUnschedulable);
  EXPECT_EQ(s.Message(), "preemption: not eligible due to preemptionPolicy=Never.");
  EXPECT_EQ(result.nominated_node_name, "");
  EXPECT_FALSE(result.clear_nomination);
  EXPECT_TRUE(Calls().empty());
}

TEST_F(PreemptionTest, TerminatingVictimOnNominatedNodeBlocksAnotherPreemption) {
  auto dying = MakePod("dying")
                   .Node("n1")
                   .Priority(1)
                   .Req({{"cpu", "1"}})
                   .Terminating()
                   .Condition("DisruptionTarget", "True", "PreemptionByScheduler")
                   .Info();
  auto low = MakePod("low").Node("n2").Priority(1).Req({{"cpu", "1"}}).Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "1"}}).Info({dying}),
            MakeNode("n2").Capacity({{"cpu", "1"}}).Info({low})});
  auto pod = MakePod("p").Priority(10).NominatedNodeName("n1").Req({{"cpu", "1"}}).Info();
  PostFilterResult result;
  PluginStatus s = Run(pod, &result);
  EXPECT_EQ(s.code(), Code::kUnschedulable);
  EXPECT_EQ(s.Message(), "preemption: not eligible due to a terminating pod on the nominated node.");
  EXPECT_TRUE(Calls().empty());

  // A pod terminating for another reason does not block.
  auto evicted = MakePod("dying").Node("n1").Priority(1).Req({{"cpu", "1"}}).Terminating().Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "1"}}).Info({evicted}),
            MakeNode("n2").Capacity({{"cpu", "1"}}).Info({low})});
  EXPECT_EQ(plugin_->PodEligibleToPreemptOthers(*pod, &filtered_["n1"]), "");
  // Nor does a nominated node the filters now call unresolvable.
  SetNodes({MakeNode("n1").Capacity({{"cpu", "1"}}).Info({dying})});
  PluginStatus unresolvable = PluginStatus::Unresolvable("gone");
  EXPECT_EQ(plugin_->PodEligibleToPreemptOthers(*pod, &unresolvable), "");
  EXPECT_EQ(plugin_->PodEligibleToPreemptOthers(*pod, nullptr), "");
}

TEST_F(PreemptionTest, TerminatingVictimsGetNoApiCalls) {
  auto dying = MakePod("dying").Node("n1").Priority(1).Req({{"cpu", "1"}}).Terminating().Info();
  auto low = MakePod("low").Node("n1").Priority(2).Req({{"cpu", "1"}}).Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "2"}}).Info({dying, low})});
  PostFilterResult result;
  ASSERT_TRUE(Run(MakePod("p").Priority(10).Req({{"cpu", "2"}}).Info(), &result).IsSuccess());
  EXPECT_EQ(result.nominated_node_name, "n1");
  EXPECT_EQ(Calls(), kPreemptLow);
}

TEST_F(PreemptionTest, NoCandidatesGivesUpstreamsMessage) {
  auto high = MakePod("high").Node("n2").Priority(100).Req({{"cpu", "1"}}).Info();
  auto low = MakePod("low").Node("n3").Priority(1).Req({{"cpu", "1"}}).Info();
  SetNodes({MakeNode("n1").Label("tainted", "true").Capacity({{"cpu", "8"}}).Info(),
            MakeNode("n2").Capacity({{"cpu", "1"}}).Info({high}),
            MakeNode("n3").Capacity({{"cpu", "1"}}).Info({low})});
  auto pod = MakePod("p").Priority(10).NominatedNodeName("n3").Req({{"cpu", "2"}}).Info();
  PostFilterResult result;
  PluginStatus s = Run(pod, &result);
  EXPECT_EQ(s.code(), Code::kUnschedulable);
  EXPECT_EQ(s.Message(),
            "preemption: 0/3 nodes are available: 1 Insufficient cpu, 1 No preemption victims found for "
            "incoming pod, "
            "1 Preemption is not helpful for scheduling.");
  EXPECT_TRUE(result.clear_nomination);
  EXPECT_EQ(result.nominated_node_name, "");
  EXPECT_TRUE(Calls().empty());
}

TEST_F(PreemptionTest, NoPotentialNodes) {
  SetNodes({MakeNode("n1").Label("tainted", "true").Info(), MakeNode("n2").Label("tainted", "true").Info()});
  PostFilterResult result;
  PluginStatus s = Run(MakePod("p").Priority(10).Info(), &result);
  EXPECT_EQ(s.Message(), "preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
  EXPECT_TRUE(result.clear_nomination);
}

TEST_F(PreemptionTest, NoNodes) {
  PostFilterResult result;
  PluginStatus s = plugin_->PostFilter(*std::make_unique<CycleState>(), *MakePod("p").Info(), {}, 0, &result);
  EXPECT_EQ(s.code(), Code::kError);
  EXPECT_EQ(s.Message(), "preemption: no nodes available");
}

TEST_F(PreemptionTest, DryRunStopsAfterEnoughCandidatesFromTheOffset) {
  // n1's victim has a higher priority than n2's: with every node examined, n2 wins.
  auto v1 = MakePod("v1").Node("n1").Priority(5).Req({{"cpu", "1"}}).Info();
  auto v2 = MakePod("v2").Node("n2").Priority(1).Req({{"cpu", "1"}}).Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "1"}}).Info({v1}),
            MakeNode("n2").Capacity({{"cpu", "1"}}).Info({v2})});
  auto pod = MakePod("p").Priority(10).Req({{"cpu", "1"}}).Info();
  PostFilterResult result;
  ASSERT_TRUE(Run(pod, &result).IsSuccess());
  EXPECT_EQ(result.nominated_node_name, "n2");

  // One candidate wanted: the first node from the offset is taken.
  SetArgs({.min_candidate_nodes_percentage = 0, .min_candidate_nodes_absolute = 1});
  ASSERT_TRUE(Run(pod, &result).IsSuccess());
  EXPECT_EQ(result.nominated_node_name, "n1");
  // ... and the dry run stopped there: n2 was not examined.
  FakeFit::filtered_nodes.clear();
  ASSERT_TRUE(plugin_->PostFilter(*state_, *pod, filtered_, 2, &result).IsSuccess());
  EXPECT_EQ(FakeFit::filtered_nodes, (std::vector<std::string>{"n1", "n1"}));  // without victims, reprieve
  plugin_->set_offset_function([](int32_t n) {
    EXPECT_EQ(n, 2);
    return 1;
  });
  ASSERT_TRUE(Run(pod, &result).IsSuccess());
  EXPECT_EQ(result.nominated_node_name, "n2");
}

TEST_F(PreemptionTest, LowerPriorityNominatedPodsLoseTheirNomination) {
  auto low = MakePod("low").Node("n1").Priority(1).Req({{"cpu", "1"}}).Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "1"}}).Info({low})});
  handle_.AddNominatedPod("n1", MakePod("waiting").Priority(5).NominatedNodeName("n1").Info());
  PostFilterResult result;
  ASSERT_TRUE(Run(MakePod("p").Priority(10).Req({{"cpu", "1"}}).Info(), &result).IsSuccess());
  auto reqs = Requests();
  ASSERT_EQ(reqs.size(), 3u);
  EXPECT_EQ(reqs[2].method, "PATCH");
  EXPECT_EQ(reqs[2].target, "/api/v1/namespaces/default/pods/waiting/status");
  EXPECT_EQ(json::parse(reqs[2].body), json::parse(R"({"status":{"nominatedNodeName":null}})"));
}

TEST_F(PreemptionTest, ApiErrors) {
  auto low = MakePod("low").Node("n1").Priority(1).Req({{"cpu", "1"}}).Info();
  SetNodes({MakeNode("n1").Capacity({{"cpu", "1"}}).Info({low})});
  auto pod = MakePod("p").Priority(10).Req({{"cpu", "1"}}).Info();

  // A victim already gone: success, no event.
  handle_.transport().Respond("DELETE", "/api/v1/namespaces/default/pods/low", 404,
                              R"({"kind":"Status","apiVersion":"v1","status":"Failure","reason":"NotFound",
                                  "message":"pods \"low\" not found","code":404})");
  PostFilterResult result;
  ASSERT_TRUE(Run(pod, &result).IsSuccess());
  EXPECT_EQ(result.nominated_node_name, "n1");
  EXPECT_TRUE(handle_.events().empty());

  // Any other failure: Error, no nomination.
  FakeHandle other;
  other.set_framework(framework_.get());
  other.SetNodes(handle_.snapshot().nodes());
  other.transport().SetDefaultResponse(500, R"({"kind":"Status","apiVersion":"v1","status":"Failure",
      "reason":"InternalError","message":"boom","code":500})");
  DefaultPreemption plugin({}, other);
  PostFilterResult r2;
  PluginStatus s = plugin.PostFilter(*state_, *pod, filtered_, 1, &r2);
  EXPECT_EQ(s.code(), Code::kError);
  EXPECT_NE(s.Message().find("preemption: "), std::string::npos);
  EXPECT_NE(s.Message().find("boom"), std::string::npos);
  EXPECT_EQ(r2.nominated_node_name, "");
  EXPECT_EQ(other.transport().requests().size(), 1u) << "no delete after a failed status patch";
}

TEST_F(PreemptionTest, CreatedByTheFrameworkFromItsArgs) {
  FakeHandle handle;
  config::Profile profile = TestProfile(/*with_preemption=*/true);
  profile.plugin_args[std::string(kDefaultPreemptionName)] =
      std::make_shared<const json>(json{{"minCandidateNodesPercentage", 20}});
  auto fw = Framework::Create(profile, registry_, handle);
  ASSERT_TRUE(fw.ok()) << fw.status().ToString();
  EXPECT_TRUE((*fw)->HasPostFilterPlugins());

  profile.plugin_args[std::string(kDefaultPreemptionName)] =
      std::make_shared<const json>(json{{"minCandidateNodesPercentage", 200}});
  auto bad = Framework::Create(profile, registry_, handle);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find(
                "minCandidateNodesPercentage: Invalid value: 200: not in valid range [0, 100]"),
            std::string::npos)
      << bad.status().message();
}

// --- Pure helpers ---

TEST(ArgsTest, DefaultsAndValidation) {
  auto d = ParseDefaultPreemptionArgs(nullptr);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->min_candidate_nodes_percentage, 10);
  EXPECT_EQ(d->min_candidate_nodes_absolute, 100);

  json ok = {{"apiVersion", "kubescheduler.config.k8s.io/v1"},
             {"kind", "DefaultPreemptionArgs"},
             {"minCandidateNodesPercentage", 50},
             {"minCandidateNodesAbsolute", 0}};
  auto parsed = ParseDefaultPreemptionArgs(&ok);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->min_candidate_nodes_percentage, 50);
  EXPECT_EQ(parsed->min_candidate_nodes_absolute, 0);

  struct Case {
    json args;
    std::string error;
  } cases[] = {
      {{{"minCandidateNodesPercentage", -1}},
       "minCandidateNodesPercentage: Invalid value: -1: not in valid range [0, 100]"},
      {{{"minCandidateNodesAbsolute", -1}},
       "minCandidateNodesAbsolute: Invalid value: -1: not in valid range [0, inf)"},
      {{{"minCandidateNodesPercentage", 0}, {"minCandidateNodesAbsolute", 0}},
       "[minCandidateNodesPercentage: Invalid value: 0: cannot be zero at the same time as "
       "minCandidateNodesAbsolute, "
       "minCandidateNodesAbsolute: Invalid value: 0: cannot be zero at the same time as "
       "minCandidateNodesPercentage]"},
      {{{"minCandidateNodesPercentage", "10"}},
       "minCandidateNodesPercentage: Invalid value: \"10\": must be a 32-bit integer"},
      {{{"minCandidates", 1}}, "unknown field \"minCandidates\""},
  };
  for (const auto& c : cases) {
    auto r = ParseDefaultPreemptionArgs(&c.args);
    ASSERT_FALSE(r.ok()) << c.args.dump();
    EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
    EXPECT_EQ(r.status().message(), c.error);
  }
}

TEST(ArgsTest, NumCandidates) {
  DefaultPreemptionArgs defaults;
  EXPECT_EQ(NumCandidates(defaults, 5000), 500);
  EXPECT_EQ(NumCandidates(defaults, 500), 100);
  EXPECT_EQ(NumCandidates(defaults, 50), 50);
  EXPECT_EQ(NumCandidates({.min_candidate_nodes_percentage = 50, .min_candidate_nodes_absolute = 1}, 10), 5);
  EXPECT_EQ(NumCandidates({.min_candidate_nodes_percentage = 0, .min_candidate_nodes_absolute = 3}, 10), 3);
}

PodInfoPtr Victim(int32_t priority, std::string start = "2024-01-01T00:00:00Z") {
  static int n = 0;
  return MakePod("v" + std::to_string(++n)).Priority(priority).StartTime(std::move(start)).Info();
}

TEST(PickOneNodeTest, OrderOfRules) {
  struct Case {
    std::string name;
    std::vector<PreemptionCandidate> candidates;
    int want;
  };
  std::vector<Case> cases = {
      {"fewest PDB violations", {{"a", {Victim(1)}, 1}, {"b", {Victim(100), Victim(100)}, 0}}, 1},
      {"lowest highest-priority victim",
       {{"a", {Victim(10), Victim(1)}, 0}, {"b", {Victim(5), Victim(5), Victim(5)}, 0}},
       1},
      {"smallest priority sum", {{"a", {Victim(5), Victim(4)}, 0}, {"b", {Victim(5), Victim(3)}, 0}}, 1},
      {"negative priorities: sum shifted so fewer victims is not penalised",
       {{"a", {Victim(-5), Victim(-5)}, 0}, {"b", {Victim(-5)}, 0}},
       1},
      {"fewest victims", {{"a", {Victim(2), Victim(0), Victim(0)}, 0}, {"b", {Victim(2), Victim(0)}, 0}}, 1},
      {"latest start of the highest-priority victims",
       {{"a", {Victim(5, "2024-03-01T00:00:00Z"), Victim(5, "2024-01-01T00:00:00Z")}, 0},
        {"b", {Victim(5, "2024-02-01T00:00:00Z"), Victim(5, "2024-02-02T00:00:00Z")}, 0}},
       1},
      {"ties: the first", {{"a", {Victim(5)}, 0}, {"b", {Victim(5)}, 0}}, 0},
      {"one candidate", {{"a", {Victim(5)}, 3}}, 0},
  };
  for (const auto& c : cases) EXPECT_EQ(PickOneNodeForPreemption(c.candidates), c.want) << c.name;
  EXPECT_EQ(PickOneNodeForPreemption({}), -1);
}

TEST(MoreImportantPodTest, PriorityThenStartTime) {
  EXPECT_TRUE(MoreImportantPod(*Victim(2), *Victim(1)));
  EXPECT_TRUE(MoreImportantPod(*Victim(1, "2024-01-01T00:00:00Z"), *Victim(1, "2024-01-02T00:00:00Z")));
  EXPECT_FALSE(MoreImportantPod(*Victim(1, "2024-01-02T00:00:00Z"), *Victim(1, "2024-01-01T00:00:00Z")));
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
