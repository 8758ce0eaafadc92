#include "scheduler/queue/scheduling_queue.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <thread>

namespace kubepp::scheduler {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

PodInfoPtr Pod(const std::string& uid, int priority = 0) {
  return ParsePodInfo(std::make_shared<const json>(
      json{{"metadata", {{"name", "p-" + uid}, {"namespace", "ns"}, {"uid", uid}}},
           {"spec", {{"priority", priority}, {"containers", {{{"name", "c"}}}}}}}));
}

QueueOptions Fast() {
  QueueOptions o;
  o.initial_backoff = 50ms;
  o.max_backoff = 200ms;
  o.flush_interval = 10ms;
  return o;
}

template <typename Pred>
bool WaitFor(Pred p, std::chrono::milliseconds d = 5s) {
  auto deadline = std::chrono::steady_clock::now() + d;
  while (std::chrono::steady_clock::now() < deadline) {
    if (p()) return true;
    std::this_thread::sleep_for(2ms);
  }
  return p();
}

TEST(SchedulingQueueTest, PopsByPriorityThenAge) {
  SchedulingQueue q(Fast());
  q.Add(Pod("a", 0));
  q.Add(Pod("b", 10));
  q.Add(Pod("c", 0));
  EXPECT_EQ(q.Pop()->pod->uid, "b");
  EXPECT_EQ(q.Pop()->pod->uid, "a");
  EXPECT_EQ(q.Pop()->pod->uid, "c");
}

TEST(SchedulingQueueTest, UnschedulableWaitsForARelevantEvent) {
  QueueOptions o = Fast();
  o.events_for = [](const PodInfo&, std::string_view plugin) -> const std::vector<ClusterEvent>& {
    static const std::vector<ClusterEvent> kFit = {{EventResource::kNode, kAdd}, {EventResource::kAssignedPod, kDelete}};
    static const std::vector<ClusterEvent> kNone;
    return plugin == "NodeResourcesFit" ? kFit : kNone;
  };
  SchedulingQueue q(o);
  q.Add(Pod("a"));
  auto qp = q.Pop();
  int64_t cycle = q.scheduling_cycle();
  qp->unschedulable_plugins = {"NodeResourcesFit"};
  q.AddUnschedulable(*qp, cycle, false);
  EXPECT_EQ(q.UnschedulableCount(), 1u);
  q.MoveAllToActiveOrBackoff({EventResource::kNode, kUpdateNodeLabel});  // not registered
  EXPECT_EQ(q.UnschedulableCount(), 1u);
  q.MoveAllToActiveOrBackoff({EventResource::kAssignedPod, kDelete});
  EXPECT_EQ(q.UnschedulableCount(), 0u);
  // Back-off first (one attempt: 50ms), then active.
  auto again = q.Pop();
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->pod->uid, "a");
  EXPECT_EQ(again->attempts, 2);
}

TEST(SchedulingQueueTest, EventDuringCycleSendsFailureToBackoff) {
  SchedulingQueue q(Fast());
  q.Add(Pod("a"));
  auto qp = q.Pop();
  int64_t cycle = q.scheduling_cycle();
  q.MoveAllToActiveOrBackoff({EventResource::kNode, kAdd});  // while "a" is in flight
  qp->unschedulable_plugins = {"X"};
  q.AddUnschedulable(*qp, cycle, false);
  EXPECT_EQ(q.UnschedulableCount(), 0u);
  EXPECT_EQ(q.BackoffCount(), 1u);
  EXPECT_TRUE(WaitFor([&] { return q.ActiveCount() == 1; }));
}

TEST(SchedulingQueueTest, GatedPodWaitsForAnUpdate) {
  QueueOptions o = Fast();
  o.pre_enqueue = [](const PodInfo& p) {
    if (p.labels.count("gate") > 0) return PluginStatus::Unresolvable("gated").WithPlugin("SchedulingGates");
    return PluginStatus::Success();
  };
  SchedulingQueue q(o);
  json pod = *Pod("a")->object;
  pod["metadata"]["labels"] = {{"gate", "1"}};
  q.Add(ParsePodInfo(std::make_shared<const json>(pod)));
  EXPECT_EQ(q.ActiveCount(), 0u);
  q.MoveAllToActiveOrBackoff({});  // events do not release gated pods
  EXPECT_EQ(q.ActiveCount(), 0u);
  q.Update(Pod("a"));
  EXPECT_EQ(q.ActiveCount(), 1u);
}

TEST(SchedulingQueueTest, DeleteRemovesFromEveryQueueAndCloseWakesPop) {
  SchedulingQueue q(Fast());
  q.Add(Pod("a"));
  q.Delete("a");
  EXPECT_EQ(q.ActiveCount(), 0u);
  std::thread t([&] { EXPECT_FALSE(q.Pop().has_value()); });
  q.Close();
  t.join();
}

TEST(SchedulingQueueTest, PodDeletedDuringItsCycleIsNotRequeued) {
  SchedulingQueue q(Fast());
  q.Add(Pod("a"));
  q.Add(Pod("b"));
  auto a = q.Pop();
  q.Delete("a");  // deleted (or bound elsewhere) while "a" is being scheduled
  a->unschedulable_plugins = {"X"};
  q.AddUnschedulable(*a, q.scheduling_cycle(), /*error=*/true);
  EXPECT_EQ(q.BackoffCount() + q.UnschedulableCount(), 0u);
  // The mark is per cycle: "b", deleted after its cycle ended, is unaffected.
  auto b = q.Pop();
  q.AddUnschedulable(*b, q.scheduling_cycle(), false);
  EXPECT_EQ(q.UnschedulableCount(), 1u);
}

TEST(SchedulingQueueTest, MoveCanSpareOnePod) {
  SchedulingQueue q(Fast());
  q.Add(Pod("a"));
  q.Add(Pod("b"));
  for (int i = 0; i < 2; ++i) {
    auto qp = q.Pop();
    q.AddUnschedulable(*qp, q.scheduling_cycle(), false);
  }
  ASSERT_EQ(q.UnschedulableCount(), 2u);
  q.MoveAllToActiveOrBackoff({EventResource::kAssignedPod, kDelete}, "a");
  EXPECT_EQ(q.UnschedulableCount(), 1u);
  EXPECT_EQ(q.ActiveCount() + q.BackoffCount(), 1u);
}

TEST(SchedulingQueueTest, NominatedPods) {
  SchedulingQueue q(Fast());
  q.AddNominated(Pod("a", 5), "n1");
  q.AddNominated(Pod("b", 5), "n2");
  EXPECT_EQ(q.NominatedPodsForNode("n1").size(), 1u);
  q.DeleteNominated("a");
  EXPECT_TRUE(q.NominatedPodsForNode("n1").empty());
}

TEST(SchedulingQueueTest, UnschedulablePodsAreRetriedAfterTheMaximumWait) {
  QueueOptions o = Fast();
  o.max_unschedulable = 100ms;
  SchedulingQueue q(o);
  q.Add(Pod("a"));
  auto qp = q.Pop();
  qp->unschedulable_plugins = {"X"};
  q.AddUnschedulable(*qp, q.scheduling_cycle(), false);
  EXPECT_EQ(q.UnschedulableCount(), 1u);
  EXPECT_TRUE(WaitFor([&] { return q.ActiveCount() == 1; }));
}

}  // namespace
}  // namespace kubepp::scheduler
