#include "scheduler/plugins/node_affinity.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;

json Expr(const char *key, const char *op, std::vector<std::string> values = {}) {
  json e = {{"key", key}, {"operator", op}};
  if (!values.empty()) e["values"] = values;
  return e;
}

json Required(json terms) {
  return {{"affinity",
           {{"nodeAffinity",
             {{"requiredDuringSchedulingIgnoredDuringExecution", {{"nodeSelectorTerms", terms}}}}}}}};
}

TEST(NodeAffinityFilterTest, Table) {
  json labels = {{"zone", "us-east-1a"}, {"gpu", "true"}, {"cores", "8"}};
  struct Case {
    const char *name;
    json spec;
    bool fits;
  } cases[] = {
      {"no constraints", json::object(), true},
      {"nodeSelector matches", {{"nodeSelector", {{"zone", "us-east-1a"}}}}, true},
      {"nodeSelector all labels required",
       {{"nodeSelector", {{"zone", "us-east-1a"}, {"disk", "ssd"}}}},
       false},
      {"nodeSelector value differs", {{"nodeSelector", {{"zone", "us-east-1b"}}}}, false},
      {"In", Required({{{"matchExpressions", {Expr("zone", "In", {"us-east-1b", "us-east-1a"})}}}}), true},
      {"In missing", Required({{{"matchExpressions", {Expr("zone", "In", {"us-east-1b"})}}}}), false},
      {"NotIn", Required({{{"matchExpressions", {Expr("zone", "NotIn", {"us-east-1b"})}}}}), true},
      {"NotIn absent key matches", Required({{{"matchExpressions", {Expr("disk", "NotIn", {"ssd"})}}}}),
       true},
      {"Exists", Required({{{"matchExpressions", {Expr("gpu", "Exists")}}}}), true},
      {"DoesNotExist", Required({{{"matchExpressions", {Expr("gpu", "DoesNotExist")}}}}), false},
      {"Gt", Required({{{"matchExpressions", {Expr("cores", "Gt", {"4"})}}}}), true},
      {"Gt equal fails", Required({{{"matchExpressions", {Expr("cores", "Gt", {"8"})}}}}), false},
      {"Lt", Required({{{"matchExpressions", {Expr("cores", "Lt", {"16"})}}}}), true},
      {"Gt non-integer label", Required({{{"matchExpressions", {Expr("zone", "Gt", {"1"})}}}}), false},
      {"expressions are ANDed",
       Required({{{"matchExpressions", {Expr("gpu", "Exists"), Expr("zone", "In", {"us-east-1b"})}}}}),
       false},
      {"terms are ORed",
       Required({{{"matchExpressions", {Expr("zone", "In", {"us-east-1b"})}}},
                 {{"matchExpressions", {Expr("gpu", "In", {"true"})}}}}),
       true},
      {"empty term matches nothing", Required({json::object()}), false},
      {"empty term list matches nothing", Required(json::array()), false},
      {"invalid operator term fails", Required({{{"matchExpressions", {Expr("gpu", "Foo", {"x"})}}}}), false},
      {"invalid term does not block a valid one",
       Required(
           {{{"matchExpressions", {Expr("gpu", "Foo")}}}, {{"matchExpressions", {Expr("gpu", "Exists")}}}}),
       true},
      {"matchFields name In", Required({{{"matchFields", {Expr("metadata.name", "In", {"node-1"})}}}}), true},
      {"matchFields name In other", Required({{{"matchFields", {Expr("metadata.name", "In", {"node-2"})}}}}),
       false},
      {"matchFields name NotIn", Required({{{"matchFields", {Expr("metadata.name", "NotIn", {"node-2"})}}}}),
       true},
      {"matchFields two values invalid",
       Required({{{"matchFields", {Expr("metadata.name", "In", {"node-1", "node-2"})}}}}), false},
      {"matchFields Exists invalid", Required({{{"matchFields", {Expr("metadata.name", "Exists")}}}}), false},
      {"matchFields ANDed with expressions",
       Required({{{"matchFields", {Expr("metadata.name", "In", {"node-1"})}},
                  {"matchExpressions", {Expr("gpu", "DoesNotExist")}}}}),
       false},
      {"nodeSelector and affinity both required",
       json{{"nodeSelector", {{"zone", "us-east-1b"}}},
            {"affinity", Required({{{"matchExpressions", {Expr("gpu", "Exists")}}}})["affinity"]}},
       false},
  };
  auto node = NodeInfo::Create(json{{"metadata", {{"name", "node-1"}, {"labels", labels}}}});
  ASSERT_TRUE(node.ok());
  for (const auto &tc : cases) {
    SCOPED_TRACE(tc.name);
    FilterStatus s = NodeAffinityFilter(json{{"spec", tc.spec}}, *node);
    if (tc.fits) {
      EXPECT_TRUE(s.IsSuccess());
    } else {
      EXPECT_EQ(s.code, FilterCode::kUnschedulableAndUnresolvable);
      EXPECT_EQ(s.reasons, std::vector<std::string>{"node(s) didn't match Pod's node affinity/selector"});
    }
  }
}

TEST(NodeAffinityFilterTest, NodeWithoutLabels) {
  auto node = NodeInfo::Create(json{{"metadata", {{"name", "bare"}}}});
  ASSERT_TRUE(node.ok());
  EXPECT_FALSE(NodeAffinityFilter(json{{"spec", {{"nodeSelector", {{"a", "b"}}}}}}, *node).IsSuccess());
  EXPECT_TRUE(NodeAffinityFilter(json{{"spec", {{"nodeSelector", json::object()}}}}, *node).IsSuccess());
  EXPECT_TRUE(NodeAffinityFilter(
                  json{{"spec", Required({{{"matchExpressions", {Expr("a", "DoesNotExist")}}}})}}, *node)
                  .IsSuccess());
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
