#include "scheduler/framework/fit_error.h"

#include <gtest/gtest.h>

namespace kubepp::scheduler {
namespace {

TEST(FitErrorTest, HistogramSortedAsStrings) {
  // "10 ..." sorts before "2 ..." (string order, as upstream's sort.Strings).
  std::map<std::string, int, std::less<>> counts{
      {"Insufficient cpu", 2}, {"node(s) were unschedulable", 10}, {"Insufficient memory", 1}};
  EXPECT_EQ(FormatReasonHistogram(counts),
            "1 Insufficient memory, 10 node(s) were unschedulable, 2 Insufficient cpu");
  EXPECT_EQ(
      FormatNodeReasons(13, counts),
      "0/13 nodes are available: 1 Insufficient memory, 10 node(s) were unschedulable, 2 Insufficient cpu.");
}

TEST(FitErrorTest, EmptyHistogram) { EXPECT_EQ(FormatNodeReasons(0, {}), "0/0 nodes are available:"); }

TEST(FitErrorTest, CountsReasonsAndAbsentNodes) {
  NodeToStatusMap statuses;
  statuses.emplace("a", PluginStatus(Code::kUnschedulable, {"Insufficient cpu", "Insufficient memory"}));
  statuses.emplace("b", PluginStatus::Unschedulable("Insufficient cpu"));
  auto counts = CountNodeReasons(statuses, 5, {"Preemption is not helpful for scheduling"});
  EXPECT_EQ(
      FormatNodeReasons(5, counts),
      "0/5 nodes are available: 1 Insufficient memory, 2 Insufficient cpu, 3 Preemption is not helpful for "
      "scheduling.");
  // No absent nodes: the absent reason does not appear.
  EXPECT_EQ(CountNodeReasons(statuses, 2, {"x"}).count("x"), 0u);
}

TEST(FitErrorTest, FullMessageWithPostFilter) {
  std::map<std::string, int, std::less<>> filter{{"node(s) had untolerated taint {k: v}", 1},
                                                 {"Insufficient cpu", 2}};
  std::map<std::string, int, std::less<>> preempt{{"Preemption is not helpful for scheduling", 1},
                                                  {"No preemption victims found for incoming pod", 2}};
  std::string post = "preemption: " + FormatNodeReasons(3, preempt);
  EXPECT_EQ(
      FitErrorMessage(3, "", filter, post),
      "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu. preemption: 0/3 "
      "nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for "
      "incoming pod..");
}

TEST(FitErrorTest, PreFilterMessageReplacesHistogram) {
  std::map<std::string, int, std::less<>> filter{{"Insufficient cpu", 2}};
  EXPECT_EQ(FitErrorMessage(2, "node(s) didn't match pod topology spread constraints", filter, ""),
            "0/2 nodes are available: node(s) didn't match pod topology spread constraints.");
}

}  // namespace
}  // namespace kubepp::scheduler
