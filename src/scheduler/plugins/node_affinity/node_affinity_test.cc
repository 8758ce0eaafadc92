#include "scheduler/plugins/node_affinity/node_affinity.h"

#include <gtest/gtest.h>

#include "scheduler/testing/builders.h"
#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;
using testing::MakeNode;
using testing::MakePod;

json Expr(const char* key, const char* op, std::vector<std::string> values = {}) {
  json e = {{"key", key}, {"operator", op}};
  if (!values.empty()) e["values"] = values;
  return e;
}

json RequiredAffinity(json terms) {
  return {
      {"nodeAffinity", {{"requiredDuringSchedulingIgnoredDuringExecution", {{"nodeSelectorTerms", terms}}}}}};
}

json PreferredAffinity(json terms) {
  return {{"nodeAffinity", {{"preferredDuringSchedulingIgnoredDuringExecution", terms}}}};
}

PodInfoPtr PodWithSpec(const json& spec) {
  auto b = MakePod("p");
  for (const auto& [k, v] : spec.items()) b.Obj()["spec"][k] = v;
  return b.Info();
}

std::shared_ptr<NodeInfo> NodeWithLabels(const std::string& name, const json& labels) {
  auto b = MakeNode(name);
  b.Obj()["metadata"]["labels"] = labels;
  return b.Info();
}

std::unique_ptr<Plugin> MustNew(const json* args = nullptr) {
  testing::FakeHandle handle;
  auto p = NewNodeAffinity(args, handle);
  EXPECT_TRUE(p.ok()) << p.status().ToString();
  return p.ok() ? std::move(p).value() : nullptr;
}

TEST(NodeAffinityTest, Filter) {
  json labels = {{"zone", "us-east-1a"}, {"gpu", "true"}, {"cores", "8"}};
  struct Case {
    const char* name;
    json spec;
    bool fits;
  } cases[] = {
      {"no constraints", json::object(), true},
      {"nodeSelector matches", {{"nodeSelector", {{"zone", "us-east-1a"}}}}, true},
      {"nodeSelector all labels required",
       {{"nodeSelector", {{"zone", "us-east-1a"}, {"disk", "ssd"}}}},
       false},
      {"nodeSelector value differs", {{"nodeSelector", {{"zone", "us-east-1b"}}}}, false},
      {"In",
       {{"affinity",
         RequiredAffinity({{{"matchExpressions", {Expr("zone", "In", {"us-east-1b", "us-east-1a"})}}}})}},
       true},
      {"In missing",
       {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("zone", "In", {"us-east-1b"})}}}})}},
       false},
      {"NotIn",
       {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("zone", "NotIn", {"us-east-1b"})}}}})}},
       true},
      {"NotIn absent key matches",
       {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("disk", "NotIn", {"ssd"})}}}})}},
       true},
      {"Exists", {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("gpu", "Exists")}}}})}}, true},
      {"DoesNotExist",
       {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("gpu", "DoesNotExist")}}}})}},
       false},
      {"Gt", {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("cores", "Gt", {"4"})}}}})}}, true},
      {"Gt equal fails",
       {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("cores", "Gt", {"8"})}}}})}},
       false},
      {"Lt", {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("cores", "Lt", {"16"})}}}})}}, true},
      {"Gt non-integer label",
       {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("zone", "Gt", {"1"})}}}})}},
       false},
      {"expressions are ANDed",
       {{"affinity", RequiredAffinity({{{"matchExpressions",
                                         {Expr("gpu", "Exists"), Expr("zone", "In", {"us-east-1b"})}}}})}},
       false},
      {"terms are ORed",
       {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("zone", "In", {"us-east-1b"})}}},
                                       {{"matchExpressions", {Expr("gpu", "In", {"true"})}}}})}},
       true},
      {"empty term matches nothing", {{"affinity", RequiredAffinity({json::object()})}}, false},
      {"empty term list matches nothing", {{"affinity", RequiredAffinity(json::array())}}, false},
      {"invalid operator term fails",
       {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("gpu", "Foo", {"x"})}}}})}},
       false},
      {"invalid term does not block a valid one",
       {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("gpu", "Foo")}}},
                                       {{"matchExpressions", {Expr("gpu", "Exists")}}}})}},
       true},
      {"matchFields name In",
       {{"affinity", RequiredAffinity({{{"matchFields", {Expr("metadata.name", "In", {"node-1"})}}}})}},
       true},
      {"matchFields name In other",
       {{"affinity", RequiredAffinity({{{"matchFields", {Expr("metadata.name", "In", {"node-2"})}}}})}},
       false},
      {"matchFields name NotIn",
       {{"affinity", RequiredAffinity({{{"matchFields", {Expr("metadata.name", "NotIn", {"node-2"})}}}})}},
       true},
      {"matchFields two values invalid",
       {{"affinity",
         RequiredAffinity({{{"matchFields", {Expr("metadata.name", "In", {"node-1", "node-2"})}}}})}},
       false},
      {"matchFields Exists invalid",
       {{"affinity", RequiredAffinity({{{"matchFields", {Expr("metadata.name", "Exists")}}}})}},
       false},
      {"matchFields ANDed with expressions",
       {{"affinity", RequiredAffinity({{{"matchFields", {Expr("metadata.name", "In", {"node-1"})}},
                                        {"matchExpressions", {Expr("gpu", "DoesNotExist")}}}})}},
       false},
      {"nodeSelector and affinity both required",
       {{"nodeSelector", {{"zone", "us-east-1b"}}},
        {"affinity", RequiredAffinity({{{"matchExpressions", {Expr("gpu", "Exists")}}}})}},
       false},
      {"preferred terms never filter",
       {{"affinity", PreferredAffinity(
                         {{{"weight", 5}, {"preference", {{"matchExpressions", {Expr("x", "Exists")}}}}}})}},
       true},
  };
  auto plugin = MustNew();
  auto* filter = dynamic_cast<FilterPlugin*>(plugin.get());
  ASSERT_NE(filter, nullptr);
  auto node = NodeWithLabels("node-1", labels);
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    CycleState state;
    PluginStatus s = filter->Filter(state, *PodWithSpec(tc.spec), *node);
    if (tc.fits) {
      EXPECT_TRUE(s.IsSuccess()) << s.Message();
    } else {
      EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);
      EXPECT_EQ(s.reasons(), std::vector<std::string>{"node(s) didn't match Pod's node affinity/selector"});
    }
  }
}

TEST(NodeAffinityTest, NodeWithoutLabels) {
  auto plugin = MustNew();
  auto* filter = dynamic_cast<FilterPlugin*>(plugin.get());
  auto node = NodeWithLabels("bare", json::object());
  CycleState state;
  EXPECT_FALSE(filter->Filter(state, *PodWithSpec({{"nodeSelector", {{"a", "b"}}}}), *node).IsSuccess());
  EXPECT_TRUE(filter->Filter(state, *PodWithSpec({{"nodeSelector", json::object()}}), *node).IsSuccess());
  EXPECT_TRUE(
      filter
          ->Filter(state,
                   *PodWithSpec({{"affinity",
                                  RequiredAffinity({{{"matchExpressions", {Expr("a", "DoesNotExist")}}}})}}),
                   *node)
          .IsSuccess());
}

TEST(NodeAffinityTest, PreFilter) {
  struct Case {
    const char* name;
    json spec;
    Code code;
    std::optional<std::set<std::string>> node_names;
    std::string reason;
  } cases[] = {
      {"nothing to do: Skip", json::object(), Code::kSkip, std::nullopt, ""},
      {"nodeSelector only: no narrowing", {{"nodeSelector", {{"a", "b"}}}}, Code::kSuccess, std::nullopt, ""},
      {"expressions only: no narrowing",
       {{"affinity", RequiredAffinity({{{"matchExpressions", {Expr("a", "Exists")}}}})}},
       Code::kSuccess,
       std::nullopt,
       ""},
      {"metadata.name In narrows",
       {{"affinity", RequiredAffinity({{{"matchFields", {Expr("metadata.name", "In", {"node-1"})}}}})}},
       Code::kSuccess,
       std::set<std::string>{"node-1"},
       ""},
      {"terms are unioned",
       {{"affinity", RequiredAffinity({{{"matchFields", {Expr("metadata.name", "In", {"node-1"})}}},
                                       {{"matchFields", {Expr("metadata.name", "In", {"node-2"})}}}})}},
       Code::kSuccess,
       std::set<std::string>{"node-1", "node-2"},
       ""},
      {"one unpinned term admits every node",
       {{"affinity", RequiredAffinity({{{"matchFields", {Expr("metadata.name", "In", {"node-1"})}}},
                                       {{"matchExpressions", {Expr("a", "Exists")}}}})}},
       Code::kSuccess,
       std::nullopt,
       ""},
      {"NotIn does not narrow",
       {{"affinity", RequiredAffinity({{{"matchFields", {Expr("metadata.name", "NotIn", {"node-1"})}}}})}},
       Code::kSuccess,
       std::nullopt,
       ""},
      {"requirements within a term intersect to nothing",
       {{"affinity", RequiredAffinity({{{"matchFields",
                                         {Expr("metadata.name", "In", {"node-1"}),
                                          Expr("metadata.name", "In", {"node-2"})}}}})}},
       Code::kUnschedulableAndUnresolvable,
       std::nullopt,
       "pod affinity terms conflict"},
  };
  auto plugin = MustNew();
  auto* pf = dynamic_cast<PreFilterPlugin*>(plugin.get());
  ASSERT_NE(pf, nullptr);
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    CycleState state;
    PreFilterResult result;
    PluginStatus s = pf->PreFilter(state, *PodWithSpec(tc.spec), {}, &result);
    EXPECT_EQ(s.code(), tc.code) << s.Message();
    EXPECT_EQ(result.node_names, tc.node_names);
    if (!tc.reason.empty()) {
      EXPECT_EQ(s.reasons(), std::vector<std::string>{tc.reason});
    }
  }
}

TEST(NodeAffinityTest, AddedAffinity) {
  json args = {{"apiVersion", "kubescheduler.config.k8s.io/v1"},
               {"kind", "NodeAffinityArgs"},
               {"addedAffinity",
                RequiredAffinity({{{"matchExpressions", {Expr("pool", "In", {"a"})}}}})["nodeAffinity"]}};
  auto plugin = MustNew(&args);
  ASSERT_NE(plugin, nullptr);
  auto* pf = dynamic_cast<PreFilterPlugin*>(plugin.get());
  auto* filter = dynamic_cast<FilterPlugin*>(plugin.get());
  auto pool_a = NodeWithLabels("n1", {{"pool", "a"}, {"zone", "z1"}});
  auto pool_b = NodeWithLabels("n2", {{"pool", "b"}, {"zone", "z1"}});
  // A pod without constraints is not skipped: the enforced affinity applies.
  auto plain = PodWithSpec(json::object());
  CycleState state;
  PreFilterResult result;
  EXPECT_TRUE(pf->PreFilter(state, *plain, {}, &result).IsSuccess());
  EXPECT_TRUE(filter->Filter(state, *plain, *pool_a).IsSuccess());
  PluginStatus s = filter->Filter(state, *plain, *pool_b);
  EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);
  EXPECT_EQ(s.reasons(), std::vector<std::string>{"node(s) didn't match scheduler-enforced node affinity"});
  // Both must match; the pod's own mismatch has its own reason.
  auto wants_z2 = PodWithSpec({{"nodeSelector", {{"zone", "z2"}}}});
  EXPECT_EQ(filter->Filter(state, *wants_z2, *pool_a).reasons(),
            std::vector<std::string>{"node(s) didn't match Pod's node affinity/selector"});
}

TEST(NodeAffinityTest, ArgsErrors) {
  struct Case {
    const char* name;
    json args;
    std::string want_substring;
  } cases[] = {
      {"unknown field", {{"addedAffinty", json::object()}}, "unknown field \"addedAffinty\""},
      {"bad operator",
       {{"addedAffinity",
         RequiredAffinity({{{"matchExpressions", {Expr("a", "Foo", {"x"})}}}})["nodeAffinity"]}},
       "addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions["
       "0]"},
      {"matchFields on a label",
       {{"addedAffinity",
         RequiredAffinity({{{"matchFields", {Expr("zone", "In", {"x"})}}}})["nodeAffinity"]}},
       "nodeSelectorTerms[0].matchFields[0].key"},
      {"preferred weight not a number",
       {{"addedAffinity",
         {{"preferredDuringSchedulingIgnoredDuringExecution",
           {{{"weight", "high"}, {"preference", json::object()}}}}}}},
       "addedAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight"},
      {"args not an object", json::array(), "must be an object"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    testing::FakeHandle handle;
    auto p = NewNodeAffinity(&tc.args, handle);
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.status().code(), StatusCode::kInvalid);
    EXPECT_NE(p.status().message().find(tc.want_substring), std::string::npos) << p.status().message();
  }
}

// Upstream's score table: weights of matching preferred terms, normalized so
// the best node gets 100.
TEST(NodeAffinityTest, Score) {
  json affinity1 = PreferredAffinity(
      {{{"weight", 2}, {"preference", {{"matchExpressions", {Expr("foo", "In", {"bar"})}}}}}});
  json affinity2 = PreferredAffinity({
      {{"weight", 2}, {"preference", {{"matchExpressions", {Expr("foo", "In", {"bar"})}}}}},
      {{"weight", 4}, {"preference", {{"matchExpressions", {Expr("key", "In", {"value"})}}}}},
      {{"weight", 5},
       {"preference",
        {{"matchExpressions",
          {Expr("foo", "In", {"bar"}), Expr("key", "In", {"value"}), Expr("az", "In", {"az1"})}}}}},
  });
  std::vector<NodeInfoPtr> nodes = {
      NodeWithLabels("node1", {{"foo", "bar"}}),
      NodeWithLabels("node2", {{"foo", "bar"}, {"key", "value"}, {"az", "az1"}}),
      NodeWithLabels("node3", {{"key", "value"}}),
      NodeWithLabels("node4", {{"other", "x"}}),
  };
  struct Case {
    const char* name;
    json spec;
    const json* args;
    Code pre_score;
    std::vector<int64_t> want;
  };
  json added = {{"addedAffinity",
                 PreferredAffinity(
                     {{{"weight", 3},
                       {"preference", {{"matchExpressions", {Expr("other", "Exists")}}}}}})["nodeAffinity"]}};
  std::vector<Case> cases = {
      {"no preferences: Skip", json::object(), nullptr, Code::kSkip, {}},
      {"one term", {{"affinity", affinity1}}, nullptr, Code::kSuccess, {100, 100, 0, 0}},
      // raw: node1 2, node2 2+4+5=11, node3 4, node4 0
      {"weighted terms", {{"affinity", affinity2}}, nullptr, Code::kSuccess, {18, 100, 36, 0}},
      // raw: node1 2, node2 2, node3 0, node4 3
      {"added preferred terms count too",
       {{"affinity", affinity1}},
       &added,
       Code::kSuccess,
       {66, 66, 0, 100}},
      {"added terms alone", json::object(), &added, Code::kSuccess, {0, 0, 0, 100}},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto plugin = MustNew(tc.args);
    auto* ps = dynamic_cast<PreScorePlugin*>(plugin.get());
    auto* sp = dynamic_cast<ScorePlugin*>(plugin.get());
    ASSERT_NE(ps, nullptr);
    ASSERT_NE(sp, nullptr);
    auto pod = PodWithSpec(tc.spec);
    CycleState state;
    PluginStatus s = ps->PreScore(state, *pod, nodes);
    EXPECT_EQ(s.code(), tc.pre_score);
    if (s.IsSkip()) continue;
    std::vector<NodeScore> scores;
    for (const auto& n : nodes) {
      int64_t v = -1;
      ASSERT_TRUE(sp->Score(state, *pod, *n, &v).IsSuccess());
      scores.push_back({n->name(), v});
    }
    ASSERT_TRUE(sp->HasNormalizeScore());
    ASSERT_TRUE(sp->NormalizeScore(state, *pod, scores).IsSuccess());
    std::vector<int64_t> got;
    for (const auto& v : scores) got.push_back(v.score);
    EXPECT_EQ(got, tc.want);
  }
}

TEST(NodeAffinityTest, Events) {
  auto plugin = MustNew();
  auto events = dynamic_cast<EnqueueExtensions*>(plugin.get())->EventsToRegister();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].Matches({EventResource::kNode, kUpdateNodeLabel}));
  EXPECT_TRUE(events[0].Matches({EventResource::kNode, kAdd}));
  EXPECT_FALSE(events[0].Matches({EventResource::kNode, kUpdateNodeTaint}));
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
