#include "scheduler/plugins/node_name.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;

TEST(NodeNameFilterTest, Table) {
  struct Case {
    const char *name;
    json pod;
    bool fits;
  } cases[] = {
      {"no nodeName", json{{"spec", json::object()}}, true},
      {"empty nodeName", json{{"spec", {{"nodeName", ""}}}}, true},
      {"same node", json{{"spec", {{"nodeName", "foo"}}}}, true},
      {"other node", json{{"spec", {{"nodeName", "bar"}}}}, false},
  };
  auto node = NodeInfo::Create(json{{"metadata", {{"name", "foo"}}}});
  ASSERT_TRUE(node.ok());
  for (const auto &tc : cases) {
    SCOPED_TRACE(tc.name);
    FilterStatus s = NodeNameFilter(tc.pod, *node);
    if (tc.fits) {
      EXPECT_TRUE(s.IsSuccess());
    } else {
      EXPECT_EQ(s.code, FilterCode::kUnschedulableAndUnresolvable);
      EXPECT_EQ(s.reasons, std::vector<std::string>{"node(s) didn't match the requested node name"});
    }
  }
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
