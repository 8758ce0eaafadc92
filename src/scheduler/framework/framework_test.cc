#include "scheduler/framework/framework.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler {
namespace {

using nlohmann::json;

// A plugin whose behaviour each test sets: filters out nodes in `reject`,
// scores by a table, counts calls.
class FakePlugin : public PreFilterPlugin,
                   public FilterPlugin,
                   public ScorePlugin,
                   public ReservePlugin,
                   public BindPlugin,
                   public EnqueueExtensions {
 public:
  explicit FakePlugin(std::string name) : name_(std::move(name)) {}
  std::string_view Name() const override { return name_; }
  PluginStatus PreFilter(CycleState&, const PodInfo&, const std::vector<NodeInfoPtr>&,
                         PreFilterResult* r) override {
    ++prefilter_calls;
    if (only) r->node_names = only;
    return prefilter_skip ? PluginStatus::Skip() : PluginStatus::Success();
  }
  PluginStatus Filter(CycleState&, const PodInfo&, const NodeInfo& node) override {
    ++filter_calls;
    if (reject.count(node.name()) > 0) return PluginStatus::Unschedulable(name_ + " says no");
    return PluginStatus::Success();
  }
  PluginStatus Score(CycleState&, const PodInfo&, const NodeInfo& node, int64_t* score) override {
    *score = scores.count(node.name()) > 0 ? scores.at(node.name()) : 0;
    return PluginStatus::Success();
  }
  bool HasNormalizeScore() const override { return normalize; }
  PluginStatus NormalizeScore(CycleState&, const PodInfo&, std::vector<NodeScore>& s) override {
    for (auto& n : s) n.score = kMaxNodeScore - n.score;
    return PluginStatus::Success();
  }
  PluginStatus Reserve(CycleState&, const PodInfo&, const std::string&) override {
    log->push_back("reserve " + name_);
    return reserve_fails ? PluginStatus::Unschedulable("full") : PluginStatus::Success();
  }
  void Unreserve(CycleState&, const PodInfo&, const std::string&) override { log->push_back("unreserve " + name_); }
  PluginStatus Bind(CycleState&, const PodInfo&, const std::string& node) override {
    if (bind_skip) return PluginStatus::Skip();
    log->push_back("bind " + name_ + " " + node);
    return PluginStatus::Success();
  }
  std::vector<ClusterEvent> EventsToRegister() const override { return {{EventResource::kNode, kAdd}}; }

  std::string name_;
  std::set<std::string> reject;
  std::map<std::string, int64_t> scores;
  std::optional<std::set<std::string>> only;
  bool prefilter_skip = false, normalize = false, reserve_fails = false, bind_skip = false;
  int prefilter_calls = 0, filter_calls = 0;
  std::vector<std::string>* log = nullptr;
};

class FrameworkTest : public ::testing::Test {
 protected:
  FrameworkTest() {
    for (const char* n : {"A", "B"}) {
      registry_.Register(n, [this, n](const json*, Handle&) -> StatusOr<std::unique_ptr<Plugin>> {
        auto p = std::make_unique<FakePlugin>(n);
        p->log = &log_;
        plugins_[n] = p.get();
        return std::unique_ptr<Plugin>(std::move(p));
      });
    }
  }
  // A profile with only A and B (every default disabled).
  config::Profile Profile(int32_t weight_a = 1, int32_t weight_b = 1) {
    config::Profile p;
    p.plugins.multi_point.disabled = {"*"};
    p.plugins.multi_point.enabled = {{"A", weight_a}, {"B", weight_b}};
    return p;
  }
  NodeInfoPtr Node(const std::string& name) {
    return std::make_shared<NodeInfo>(std::make_shared<const json>(json{{"metadata", {{"name", name}}}}));
  }
  PodInfoPtr Pod() {
    return ParsePodInfo(std::make_shared<const json>(json{{"metadata", {{"name", "p"}, {"namespace", "ns"}}}}));
  }

  PluginRegistry registry_;
  std::map<std::string, FakePlugin*> plugins_;
  std::vector<std::string> log_;
  testing::FakeHandle handle_;
};

TEST_F(FrameworkTest, UnknownPluginAndWrongExtensionPointAreErrors) {
  config::Profile p = Profile();
  p.plugins.multi_point.enabled.push_back({"Nope", 0});
  auto f = Framework::Create(p, registry_, handle_);
  ASSERT_FALSE(f.ok());
  EXPECT_EQ(f.status().code(), StatusCode::kInvalid);
  EXPECT_NE(f.status().message().find("plugin \"Nope\" does not exist"), std::string::npos) << f.status().message();

  config::Profile typo = Profile();
  typo.plugin_args["NodeResourceFit"] = std::make_shared<const json>(json::object());
  auto t = Framework::Create(typo, registry_, handle_);
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.status().message().find("pluginConfig: plugin \"NodeResourceFit\" does not exist"), std::string::npos)
      << t.status().message();

  registry_.Register("FilterOnly", [](const json*, Handle&) -> StatusOr<std::unique_ptr<Plugin>> {
    struct F : FilterPlugin {
      std::string_view Name() const override { return "FilterOnly"; }
      PluginStatus Filter(CycleState&, const PodInfo&, const NodeInfo&) override { return {}; }
    };
    return std::unique_ptr<Plugin>(std::make_unique<F>());
  });
  config::Profile q = Profile();
  q.plugins.score.enabled.push_back({"FilterOnly", 1});
  auto g = Framework::Create(q, registry_, handle_);
  ASSERT_FALSE(g.ok());
  EXPECT_NE(g.status().message().find("does not extend Score plugin"), std::string::npos) << g.status().message();
}

TEST_F(FrameworkTest, FilterStopsAtTheFirstFailureAndNamesThePlugin) {
  auto f = Framework::Create(Profile(), registry_, handle_);
  ASSERT_TRUE(f.ok()) << f.status().ToString();
  plugins_["A"]->reject = {"n1"};
  plugins_["B"]->reject = {"n1", "n2"};
  CycleState state;
  auto pod = Pod();
  PluginStatus s1 = (*f)->RunFilterPlugins(state, *pod, *Node("n1"));
  EXPECT_EQ(s1.code(), Code::kUnschedulable);
  EXPECT_EQ(s1.plugin(), "A");
  EXPECT_EQ(plugins_["B"]->filter_calls, 0);
  PluginStatus s2 = (*f)->RunFilterPlugins(state, *pod, *Node("n2"));
  EXPECT_EQ(s2.plugin(), "B");
  EXPECT_EQ(s2.Message(), "B says no");
  EXPECT_TRUE((*f)->RunFilterPlugins(state, *pod, *Node("n3")).IsSuccess());
}

TEST_F(FrameworkTest, PreFilterSkipAndNodeNarrowing) {
  auto f = Framework::Create(Profile(), registry_, handle_);
  ASSERT_TRUE(f.ok());
  plugins_["A"]->prefilter_skip = true;
  plugins_["A"]->reject = {"n1"};
  plugins_["B"]->only = std::set<std::string>{"n1", "n2"};
  CycleState state;
  PreFilterResult r;
  auto pod = Pod();
  ASSERT_TRUE((*f)->RunPreFilterPlugins(state, *pod, {Node("n1")}, &r).IsSuccess());
  ASSERT_TRUE(r.node_names.has_value());
  EXPECT_EQ(r.node_names->size(), 2u);
  // A skipped at PreFilter: its Filter does not run.
  EXPECT_TRUE((*f)->RunFilterPlugins(state, *pod, *Node("n1")).IsSuccess());
  EXPECT_EQ(plugins_["A"]->filter_calls, 0);
}

TEST_F(FrameworkTest, PreFilterNarrowingNamesThePluginsAsUpstream) {
  auto f = Framework::Create(Profile(), registry_, handle_);
  ASSERT_TRUE(f.ok());
  auto pod = Pod();
  // One plugin leaves no node: "plugin B".
  plugins_["B"]->only = std::set<std::string>{};
  CycleState s1;
  PreFilterResult r;
  std::vector<std::string> narrowing;
  PluginStatus st = (*f)->RunPreFilterPlugins(s1, *pod, {Node("n1")}, &r, &narrowing);
  EXPECT_EQ(st.code(), Code::kUnschedulableAndUnresolvable);
  EXPECT_EQ(st.Message(), "node(s) didn't satisfy plugin B");
  EXPECT_EQ(narrowing, std::vector<std::string>{"B"});
  // Two plugins with disjoint sets: both named, sorted, "simultaneously".
  plugins_["A"]->only = std::set<std::string>{"n1"};
  plugins_["B"]->only = std::set<std::string>{"n2"};
  CycleState s2;
  st = (*f)->RunPreFilterPlugins(s2, *pod, {Node("n1")}, &r, &narrowing);
  EXPECT_EQ(st.Message(), "node(s) didn't satisfy plugin(s) [A B] simultaneously");
  EXPECT_EQ(narrowing, (std::vector<std::string>{"A", "B"}));
}

TEST_F(FrameworkTest, ScoresAreNormalizedThenWeighted) {
  auto f = Framework::Create(Profile(/*weight_a=*/2, /*weight_b=*/3), registry_, handle_);
  ASSERT_TRUE(f.ok());
  plugins_["A"]->scores = {{"n1", 10}, {"n2", 50}};
  plugins_["B"]->scores = {{"n1", 100}, {"n2", 0}};
  plugins_["B"]->normalize = true;  // 100 - score
  CycleState state;
  auto scores = (*f)->RunScorePlugins(state, *Pod(), {Node("n1"), Node("n2")});
  ASSERT_TRUE(scores.ok());
  EXPECT_EQ((*scores)[0].score, 10 * 2 + 0 * 3);
  EXPECT_EQ((*scores)[1].score, 50 * 2 + 100 * 3);
  plugins_["A"]->scores = {{"n1", 101}};
  auto bad = (*f)->RunScorePlugins(state, *Pod(), {Node("n1")});
  EXPECT_FALSE(bad.ok());
}

TEST_F(FrameworkTest, UnreserveRunsInReverseAndBindSkipsToTheNextPlugin) {
  auto f = Framework::Create(Profile(), registry_, handle_);
  ASSERT_TRUE(f.ok());
  CycleState state;
  auto pod = Pod();
  plugins_["B"]->reserve_fails = true;
  PluginStatus r = (*f)->RunReservePluginsReserve(state, *pod, "n1");
  EXPECT_EQ(r.plugin(), "B");
  (*f)->RunReservePluginsUnreserve(state, *pod, "n1");
  EXPECT_EQ(log_, (std::vector<std::string>{"reserve A", "reserve B", "unreserve B", "unreserve A"}));
  log_.clear();
  plugins_["A"]->bind_skip = true;
  EXPECT_TRUE((*f)->RunBindPlugins(state, *pod, "n1").IsSuccess());
  EXPECT_EQ(log_, (std::vector<std::string>{"bind B n1"}));
  plugins_["B"]->bind_skip = true;
  EXPECT_FALSE((*f)->RunBindPlugins(state, *pod, "n1").IsSuccess());
}

TEST_F(FrameworkTest, NominatedPodsOfHigherPriorityCountDuringFilter) {
  auto f = Framework::Create(Profile(), registry_, handle_);
  ASSERT_TRUE(f.ok());
  handle_.set_framework(f->get());
  // A filter that rejects nodes already holding a pod.
  registry_ = PluginRegistry();
  struct Single : FilterPlugin {
    std::string_view Name() const override { return "Single"; }
    PluginStatus Filter(CycleState&, const PodInfo&, const NodeInfo& n) override {
      return n.pods().empty() ? PluginStatus::Success() : PluginStatus::Unschedulable("occupied");
    }
  };
  registry_.Register("Single", [](const json*, Handle&) -> StatusOr<std::unique_ptr<Plugin>> {
    return std::unique_ptr<Plugin>(std::make_unique<Single>());
  });
  registry_.Register("A", [this](const json*, Handle&) -> StatusOr<std::unique_ptr<Plugin>> {
    auto p = std::make_unique<FakePlugin>("A");
    p->log = &log_;
    return std::unique_ptr<Plugin>(std::move(p));
  });
  config::Profile p;
  p.plugins.multi_point.disabled = {"*"};
  p.plugins.multi_point.enabled = {{"Single", 0}, {"A", 0}};
  auto g = Framework::Create(p, registry_, handle_);
  ASSERT_TRUE(g.ok()) << g.status().ToString();
  auto nominated = ParsePodInfo(std::make_shared<const json>(
      json{{"metadata", {{"name", "vip"}, {"namespace", "ns"}, {"uid", "u-vip"}}}, {"spec", {{"priority", 100}}}}));
  handle_.AddNominatedPod("n1", nominated);
  CycleState state;
  EXPECT_EQ((*g)->RunFilterPluginsWithNominatedPods(state, *Pod(), *Node("n1")).Message(), "occupied");
  EXPECT_TRUE((*g)->RunFilterPluginsWithNominatedPods(state, *Pod(), *Node("n2")).IsSuccess());
  // The nominated pod itself is not blocked by its own nomination.
  EXPECT_TRUE((*g)->RunFilterPluginsWithNominatedPods(state, *nominated, *Node("n1")).IsSuccess());
}

TEST(ConfigTest, ParsesProfilesAndRejectsBadFields) {
  auto c = config::Parse(R"(apiVersion: kubescheduler.config.k8s.io/v1
kind: KubeSchedulerConfiguration
percentageOfNodesToScore: 30
leaderElection: {leaderElect: false, leaseDuration: 20s}
profiles:
- schedulerName: default-scheduler
- schedulerName: packer
  plugins:
    score:
      disabled: [{name: NodeResourcesBalancedAllocation}]
      enabled: [{name: NodeResourcesFit, weight: 5}]
  pluginConfig:
  - name: NodeResourcesFit
    args: {scoringStrategy: {type: MostAllocated}}
)");
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->percentage_of_nodes_to_score, 30);
  EXPECT_FALSE(c->leader_election.leader_elect);
  EXPECT_EQ(c->leader_election.lease_duration_ms, 20000);
  ASSERT_EQ(c->profiles.size(), 2u);
  auto expanded = config::ExpandPlugins(c->profiles[1]);
  const auto& score = expanded["Score"];
  ASSERT_FALSE(score.empty());
  EXPECT_EQ(score[0].name, "NodeResourcesFit");
  EXPECT_EQ(score[0].weight, 5);
  for (const auto& e : score) EXPECT_NE(e.name, "NodeResourcesBalancedAllocation");
  // Still at Filter through multiPoint.
  bool fit_filters = false;
  for (const auto& e : expanded["Filter"]) fit_filters = fit_filters || e.name == "NodeResourcesFit";
  EXPECT_TRUE(fit_filters);
  // Default weights from the multiPoint defaults.
  auto d = config::ExpandPlugins(c->profiles[0]);
  for (const auto& e : d["Score"]) {
    if (e.name == "TaintToleration") EXPECT_EQ(e.weight, 3);
  }

  auto dup = config::Parse(
      "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n"
      "- schedulerName: a\n- schedulerName: a\n");
  ASSERT_FALSE(dup.ok());
  EXPECT_EQ(dup.status().message(), "profiles[1].schedulerName: Duplicate value: \"a\"");
  auto unknown = config::Parse(
      "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n"
      "- schedulerName: a\n  plugin: {}\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().message(), "profiles[0].plugin: Unsupported field");
  auto duration = config::Parse(
      "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
      "leaderElection: {leaseDuration: .s}\n");
  ASSERT_FALSE(duration.ok());
  EXPECT_EQ(duration.status().message(),
            "leaderElection.leaseDuration: Invalid value: \".s\": time: invalid duration \".s\"");
  auto version = config::Parse("apiVersion: v1\nkind: KubeSchedulerConfiguration\n");
  ASSERT_FALSE(version.ok());
  EXPECT_NE(version.status().message().find("apiVersion: Unsupported value: \"v1\""), std::string::npos);
  auto pct = config::Parse(
      "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\npercentageOfNodesToScore: 101\n");
  ASSERT_FALSE(pct.ok());
  EXPECT_EQ(pct.status().message(), "percentageOfNodesToScore: Invalid value: 101: not in valid range [0-100]");
}

}  // namespace
}  // namespace kubepp::scheduler
