#include "scheduler/framework/types.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kubepp::scheduler {
namespace {

using nlohmann::json;

json C(json requests, const char *restart_policy = nullptr) {
  json c = {{"name", "c"}, {"resources", {{"requests", std::move(requests)}}}};
  if (restart_policy != nullptr) c["restartPolicy"] = restart_policy;
  return c;
}

struct PodRequestCase {
  std::string name;
  json spec;
  int64_t milli_cpu;
  int64_t memory;
};

class PodRequestTest : public testing::TestWithParam<PodRequestCase> {};

TEST_P(PodRequestTest, MatchesUpstream) {
  const auto &tc = GetParam();
  auto r = ComputePodResourceRequest(json{{"spec", tc.spec}});
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->milli_cpu, tc.milli_cpu);
  EXPECT_EQ(r->memory, tc.memory);
}

INSTANTIATE_TEST_SUITE_P(
    Table, PodRequestTest,
    testing::Values(
        PodRequestCase{"NoRequests", json{{"containers", json::array({json{{"name", "a"}}})}}, 0, 0},
        PodRequestCase{
            "SumOfContainers",
            {{"containers",
              {C({{"cpu", "100m"}, {"memory", "1Gi"}}), C({{"cpu", "0.5"}, {"memory", "512Mi"}})}}},
            600,
            (1LL << 30) + (512LL << 20)},
        PodRequestCase{
            "InitContainerBiggerWins",
            {{"initContainers", {C({{"cpu", "2"}})}}, {"containers", {C({{"cpu", "1"}, {"memory", "1k"}})}}},
            2000,
            1000},
        PodRequestCase{"InitContainersTakeMaxNotSum",
                       {{"initContainers", {C({{"cpu", "1"}}), C({{"cpu", "1500m"}})}},
                        {"containers", {C({{"cpu", "100m"}})}}},
                       1500,
                       0},
        // Sidecar 500m runs beside the app (1 + 0.5) and beside the later
        // 1200m init step (1.7 cores), which is the peak.
        PodRequestCase{"SidecarAddsToAppAndLaterInitSteps",
                       {{"initContainers", {C({{"cpu", "500m"}}, "Always"), C({{"cpu", "1200m"}})}},
                        {"containers", {C({{"cpu", "1"}})}}},
                       1700,
                       0},
        // An init step before the sidecar starts does not overlap it.
        PodRequestCase{"InitBeforeSidecarDoesNotOverlap",
                       {{"initContainers", {C({{"cpu", "1200m"}}), C({{"cpu", "500m"}}, "Always")}},
                        {"containers", {C({{"cpu", "1"}})}}},
                       1500,
                       0},
        PodRequestCase{"OverheadAdded",
                       {{"containers", {C({{"cpu", "1"}, {"memory", "100"}})}},
                        {"initContainers", {C({{"cpu", "3"}})}},
                        {"overhead", {{"cpu", "250m"}, {"memory", "10"}}}},
                       3250,
                       110}),
    [](const auto &info) { return info.param.name; });

TEST(PodRequestTest, ScalarAndEphemeralResources) {
  json pod = {{"spec",
               {{"containers",
                 {C({{"ephemeral-storage", "1Gi"}, {"example.com/gpu", "2"}, {"hugepages-2Mi", "4Mi"}}),
                  C({{"example.com/gpu", "1"}})}}}}};
  auto r = ComputePodResourceRequest(pod);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->ephemeral_storage, 1LL << 30);
  EXPECT_EQ(r->scalar_resources.at("example.com/gpu"), 3);
  EXPECT_EQ(r->scalar_resources.at("hugepages-2Mi"), 4LL << 20);
}

TEST(PodRequestTest, BadQuantityIsAnErrorNamingTheField) {
  auto r = ComputePodResourceRequest({{"spec", {{"containers", {C({{"cpu", "lots"}})}}}}});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
  EXPECT_NE(r.status().message().find("spec.containers[0].resources.requests.cpu"), std::string::npos)
      << r.status().message();
  auto n = ComputePodResourceRequest({{"spec", {{"containers", {C({{"memory", 5}})}}}}});
  EXPECT_FALSE(n.ok());
}

}  // namespace
}  // namespace kubepp::scheduler
