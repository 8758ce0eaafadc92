#include "scheduler/plugins/node_unschedulable/node_unschedulable.h"

#include <gtest/gtest.h>

#include <optional>

#include "scheduler/testing/builders.h"
#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;
using testing::MakeNode;
using testing::MakePod;

TEST(NodeUnschedulableTest, Filter) {
  json tolerate = {
      {{"key", "node.kubernetes.io/unschedulable"}, {"operator", "Exists"}, {"effect", "NoSchedule"}}};
  json tolerate_other_effect = {
      {{"key", "node.kubernetes.io/unschedulable"}, {"operator", "Exists"}, {"effect", "NoExecute"}}};
  json tolerate_all = {{{"operator", "Exists"}}};
  struct Case {
    const char* name;
    json tolerations;
    std::optional<bool> unschedulable;
    bool fits;
  } cases[] = {
      {"schedulable node", json::array(), std::nullopt, true},
      {"unschedulable false", json::array(), false, true},
      {"cordoned", json::array(), true, false},
      {"cordoned, pod tolerates", tolerate, true, true},
      {"cordoned, pod tolerates everything", tolerate_all, true, true},
      {"cordoned, toleration for another effect", tolerate_other_effect, true, false},
  };
  testing::FakeHandle handle;
  auto plugin = NewNodeUnschedulable(nullptr, handle);
  ASSERT_TRUE(plugin.ok());
  auto* filter = dynamic_cast<FilterPlugin*>(plugin->get());
  ASSERT_NE(filter, nullptr);
  EXPECT_EQ((*plugin)->Name(), "NodeUnschedulable");
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto node = MakeNode("n");
    if (tc.unschedulable) node.Unschedulable(*tc.unschedulable);
    auto pod = MakePod("p");
    pod.Obj()["spec"]["tolerations"] = tc.tolerations;
    CycleState state;
    PluginStatus s = filter->Filter(state, *pod.Info(), *node.Info());
    if (tc.fits) {
      EXPECT_TRUE(s.IsSuccess()) << s.Message();
    } else {
      EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);
      EXPECT_EQ(s.reasons(), std::vector<std::string>{"node(s) were unschedulable"});
    }
  }
}

TEST(NodeUnschedulableTest, EventsCoverCordonAndTolerationChanges) {
  testing::FakeHandle handle;
  auto plugin = NewNodeUnschedulable(nullptr, handle);
  ASSERT_TRUE(plugin.ok());
  auto events = dynamic_cast<EnqueueExtensions*>(plugin->get())->EventsToRegister();
  auto matches = [&](ClusterEvent e) {
    for (const auto& r : events) {
      if (r.Matches(e)) return true;
    }
    return false;
  };
  EXPECT_TRUE(matches({EventResource::kNode, kUpdateNodeTaint}));
  EXPECT_TRUE(matches({EventResource::kNode, kAdd}));
  EXPECT_TRUE(matches({EventResource::kPod, kUpdatePodTolerations}));
  EXPECT_FALSE(matches({EventResource::kNode, kUpdateNodeLabel}));
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
