#include "scheduler/plugins/taint_toleration.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;

json Taint(const char *key, const char *value, const char *effect) {
  return {{"key", key}, {"value", value}, {"effect", effect}};
}

TEST(ToleratesTaintTest, Table) {
  json taint = Taint("dedicated", "gpu", "NoSchedule");
  struct Case {
    const char *name;
    json toleration;
    bool tolerates;
  } cases[] = {
      {"Equal same key value effect",
       {{"key", "dedicated"}, {"operator", "Equal"}, {"value", "gpu"}, {"effect", "NoSchedule"}},
       true},
      {"empty operator means Equal", {{"key", "dedicated"}, {"value", "gpu"}}, true},
      {"Equal other value", {{"key", "dedicated"}, {"operator", "Equal"}, {"value", "cpu"}}, false},
      {"Exists ignores value", {{"key", "dedicated"}, {"operator", "Exists"}}, true},
      {"Exists other key", {{"key", "other"}, {"operator", "Exists"}}, false},
      {"empty key with Exists matches all", {{"operator", "Exists"}}, true},
      {"empty effect matches all effects",
       {{"key", "dedicated"}, {"operator", "Exists"}, {"effect", ""}},
       true},
      {"other effect", {{"key", "dedicated"}, {"operator", "Exists"}, {"effect", "NoExecute"}}, false},
      {"unknown operator", {{"key", "dedicated"}, {"operator", "Gt"}, {"value", "gpu"}}, false},
      {"not an object", json("x"), false},
  };
  for (const auto &tc : cases) {
    SCOPED_TRACE(tc.name);
    EXPECT_EQ(ToleratesTaint(tc.toleration, taint), tc.tolerates);
  }
  // A taint without a value is matched by Equal with no value.
  EXPECT_TRUE(ToleratesTaint(json{{"key", "k"}, {"operator", "Equal"}},
                             json{{"key", "k"}, {"effect", "NoSchedule"}}));
}

TEST(TaintTolerationFilterTest, Table) {
  struct Case {
    const char *name;
    json taints;
    json tolerations;
    std::string reason;  // "" means the pod fits
  } cases[] = {
      {"no taints", json::array(), json::array(), ""},
      {"untolerated NoSchedule",
       {Taint("dedicated", "user1", "NoSchedule")},
       json::array(),
       "node(s) had untolerated taint {dedicated: user1}"},
      {"tolerated NoSchedule",
       {Taint("dedicated", "user1", "NoSchedule")},
       {{{"key", "dedicated"}, {"value", "user1"}, {"effect", "NoSchedule"}}},
       ""},
      {"value mismatch",
       {Taint("dedicated", "user1", "NoSchedule")},
       {{{"key", "dedicated"}, {"operator", "Equal"}, {"value", "user2"}, {"effect", "NoSchedule"}}},
       "node(s) had untolerated taint {dedicated: user1}"},
      {"untolerated NoExecute",
       {Taint("k", "", "NoExecute")},
       json::array(),
       "node(s) had untolerated taint {k: }"},
      {"PreferNoSchedule never filters", {Taint("k", "v", "PreferNoSchedule")}, json::array(), ""},
      {"first untolerated taint is reported",
       {Taint("a", "1", "NoSchedule"), Taint("b", "2", "NoSchedule"), Taint("c", "3", "NoExecute")},
       {{{"key", "a"}, {"operator", "Exists"}}},
       "node(s) had untolerated taint {b: 2}"},
      {"tolerate everything",
       {Taint("a", "1", "NoSchedule"), Taint("b", "2", "NoExecute")},
       {{{"operator", "Exists"}}},
       ""},
  };
  for (const auto &tc : cases) {
    SCOPED_TRACE(tc.name);
    auto node = NodeInfo::Create(json{{"metadata", {{"name", "n"}}}, {"spec", {{"taints", tc.taints}}}});
    ASSERT_TRUE(node.ok());
    FilterStatus s = TaintTolerationFilter(json{{"spec", {{"tolerations", tc.tolerations}}}}, *node);
    if (tc.reason.empty()) {
      EXPECT_TRUE(s.IsSuccess()) << (s.reasons.empty() ? "" : s.reasons[0]);
    } else {
      EXPECT_EQ(s.code, FilterCode::kUnschedulableAndUnresolvable);
      EXPECT_EQ(s.reasons, std::vector<std::string>{tc.reason});
    }
  }
}

TEST(TaintTolerationFilterTest, PodWithoutTolerationsOnUntaintedNodeFits) {
  auto node = NodeInfo::Create(json{{"metadata", {{"name", "n"}}}});
  ASSERT_TRUE(node.ok());
  EXPECT_TRUE(TaintTolerationFilter(json::object(), *node).IsSuccess());
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
