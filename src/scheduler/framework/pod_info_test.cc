#include "scheduler/framework/pod_info.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scheduler/framework/node_info.h"

namespace kubepp::scheduler {
namespace {

using nlohmann::json;

PodInfoPtr Parse(json pod) { return ParsePodInfo(std::make_shared<const json>(std::move(pod))); }

TEST(PodInfoTest, ParsesPlaceholder) {
  auto p = Parse(json{{"metadata", {{"name", "p"}, {"namespace", "ns"}}}});
  EXPECT_EQ(p->Key(), "ns/p");
  EXPECT_EQ(p->scheduler_name, "default-scheduler");
}

}  // namespace
}  // namespace kubepp::scheduler
