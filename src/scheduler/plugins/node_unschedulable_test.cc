#include "scheduler/plugins/node_unschedulable.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;

TEST(NodeUnschedulableFilterTest, Table) {
  json tolerate = {{"spec",
                    {{"tolerations",
                      {{{"key", "node.kubernetes.io/unschedulable"},
                        {"operator", "Exists"},
                        {"effect", "NoSchedule"}}}}}}};
  json tolerate_other_effect = {
      {"spec",
       {{"tolerations",
         {{{"key", "node.kubernetes.io/unschedulable"}, {"operator", "Exists"}, {"effect", "NoExecute"}}}}}}};
  json tolerate_all = {{"spec", {{"tolerations", {{{"operator", "Exists"}}}}}}};
  json plain = {{"spec", json::object()}};
  struct Case {
    const char *name;
    json pod;
    json node_spec;
    bool fits;
  } cases[] = {
      {"schedulable node", plain, json::object(), true},
      {"unschedulable false", plain, {{"unschedulable", false}}, true},
      {"cordoned", plain, {{"unschedulable", true}}, false},
      {"cordoned, pod tolerates", tolerate, {{"unschedulable", true}}, true},
      {"cordoned, pod tolerates everything", tolerate_all, {{"unschedulable", true}}, true},
      {"cordoned, toleration for another effect", tolerate_other_effect, {{"unschedulable", true}}, false},
  };
  for (const auto &tc : cases) {
    SCOPED_TRACE(tc.name);
    auto node = NodeInfo::Create(json{{"metadata", {{"name", "n"}}}, {"spec", tc.node_spec}});
    ASSERT_TRUE(node.ok());
    FilterStatus s = NodeUnschedulableFilter(tc.pod, *node);
    if (tc.fits) {
      EXPECT_TRUE(s.IsSuccess());
    } else {
      EXPECT_EQ(s.code, FilterCode::kUnschedulableAndUnresolvable);
      EXPECT_EQ(s.reasons, std::vector<std::string>{"node(s) were unschedulable"});
    }
  }
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
