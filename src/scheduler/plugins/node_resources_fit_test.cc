#include "scheduler/plugins/node_resources_fit.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;

json Pod(json requests) {
  return {{"spec", {{"containers", {{{"name", "c"}, {"resources", {{"requests", std::move(requests)}}}}}}}}};
}

TEST(NodeResourcesFitFilterTest, Table) {
  // Node: 10 cpu, 20 bytes memory, 32 pods, 5 ephemeral, 2 gpus; existing
  // pods use 5 cpu, 19 bytes memory, 1 gpu.
  json node = {{"metadata", {{"name", "n"}}},
               {"status",
                {{"allocatable",
                  {{"cpu", "10"},
                   {"memory", "20"},
                   {"pods", "32"},
                   {"ephemeral-storage", "5"},
                   {"example.com/gpu", "2"}}}}}};
  std::vector<json> existing = {Pod({{"cpu", "3"}, {"memory", "10"}, {"example.com/gpu", "1"}}),
                                Pod({{"cpu", "2"}, {"memory", "9"}})};
  struct Case {
    const char *name;
    json pod;
    std::vector<std::string> reasons;
  } cases[] = {
      {"no requests fit", Pod(json::object()), {}},
      {"fits exactly", Pod({{"cpu", "5"}, {"memory", "1"}}), {}},
      {"too much cpu", Pod({{"cpu", "5001m"}}), {"Insufficient cpu"}},
      {"too much memory", Pod({{"memory", "2"}}), {"Insufficient memory"}},
      {"cpu and memory", Pod({{"cpu", "6"}, {"memory", "2"}}), {"Insufficient cpu", "Insufficient memory"}},
      {"ephemeral storage", Pod({{"ephemeral-storage", "6"}}), {"Insufficient ephemeral-storage"}},
      {"extended resource fits", Pod({{"example.com/gpu", "1"}}), {}},
      {"extended resource short", Pod({{"example.com/gpu", "2"}}), {"Insufficient example.com/gpu"}},
      {"unknown extended resource", Pod({{"example.com/fpga", "1"}}), {"Insufficient example.com/fpga"}},
      {"zero extended request ignored", Pod({{"example.com/fpga", "0"}}), {}},
      {"init container counted",
       json{{"spec",
             {{"initContainers", {{{"name", "i"}, {"resources", {{"requests", {{"cpu", "6"}}}}}}}},
              {"containers", {{{"name", "c"}, {"resources", {{"requests", {{"cpu", "1"}}}}}}}}}}},
       {"Insufficient cpu"}},
      {"overhead counted",
       json{{"spec",
             {{"overhead", {{"cpu", "500m"}}},
              {"containers", {{{"name", "c"}, {"resources", {{"requests", {{"cpu", "4600m"}}}}}}}}}}},
       {"Insufficient cpu"}},
  };
  auto info = NodeInfo::Create(node, existing);
  ASSERT_TRUE(info.ok());
  for (const auto &tc : cases) {
    SCOPED_TRACE(tc.name);
    FilterStatus s = NodeResourcesFitFilter(tc.pod, *info);
    if (tc.reasons.empty()) {
      EXPECT_TRUE(s.IsSuccess()) << (s.reasons.empty() ? "" : s.reasons[0]);
    } else {
      EXPECT_EQ(s.code, FilterCode::kUnschedulable);
      EXPECT_EQ(s.reasons, tc.reasons);
    }
  }
}

TEST(NodeResourcesFitFilterTest, TooManyPodsEvenWithoutRequests) {
  json node = {{"metadata", {{"name", "n"}}}, {"status", {{"allocatable", {{"cpu", "1"}, {"pods", "1"}}}}}};
  auto info = NodeInfo::Create(node, {Pod(json::object())});
  ASSERT_TRUE(info.ok());
  FilterStatus s = NodeResourcesFitFilter(Pod(json::object()), *info);
  EXPECT_EQ(s.code, FilterCode::kUnschedulable);
  EXPECT_EQ(s.reasons, std::vector<std::string>{"Too many pods"});
  s = NodeResourcesFitFilter(Pod({{"cpu", "2"}}), *info);
  EXPECT_EQ(s.reasons, (std::vector<std::string>{"Too many pods", "Insufficient cpu"}));
}

TEST(NodeResourcesFitFilterTest, NodeWithoutAllocatableFitsNothing) {
  auto info = NodeInfo::Create(json{{"metadata", {{"name", "n"}}}});
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(NodeResourcesFitFilter(Pod(json::object()), *info).reasons,
            std::vector<std::string>{"Too many pods"});
}

TEST(NodeResourcesFitFilterTest, MalformedRequestIsAnError) {
  auto info =
      NodeInfo::Create(json{{"metadata", {{"name", "n"}}}, {"status", {{"allocatable", {{"pods", "10"}}}}}});
  ASSERT_TRUE(info.ok());
  FilterStatus s = NodeResourcesFitFilter(Pod({{"cpu", "abc"}}), *info);
  EXPECT_EQ(s.code, FilterCode::kError);
  ASSERT_EQ(s.reasons.size(), 1u);
  EXPECT_NE(s.reasons[0].find("spec.containers[0].resources.requests.cpu"), std::string::npos)
      << s.reasons[0];
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
