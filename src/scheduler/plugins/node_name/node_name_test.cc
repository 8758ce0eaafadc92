#include "scheduler/plugins/node_name/node_name.h"

#include <gtest/gtest.h>

#include "scheduler/testing/builders.h"
#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler::plugins {
namespace {

using testing::MakeNode;
using testing::MakePod;

TEST(NodeNameTest, Filter) {
  struct Case {
    const char* name;
    const char* pod_node_name;  // nullptr: unset
    bool fits;
  } cases[] = {
      {"no nodeName", nullptr, true},
      {"empty nodeName", "", true},
      {"same node", "foo", true},
      {"other node", "bar", false},
  };
  testing::FakeHandle handle;
  auto plugin = NewNodeName(nullptr, handle);
  ASSERT_TRUE(plugin.ok());
  auto* filter = dynamic_cast<FilterPlugin*>(plugin->get());
  ASSERT_NE(filter, nullptr);
  auto node = MakeNode("foo").Info();
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto builder = MakePod("p");
    if (tc.pod_node_name != nullptr) builder.Node(tc.pod_node_name);
    CycleState state;
    PluginStatus s = filter->Filter(state, *builder.Info(), *node);
    if (tc.fits) {
      EXPECT_TRUE(s.IsSuccess()) << s.Message();
    } else {
      EXPECT_EQ(s.code(), Code::kUnschedulableAndUnresolvable);
      EXPECT_EQ(s.reasons(), std::vector<std::string>{"node(s) didn't match the requested node name"});
    }
  }
}

TEST(NodeNameTest, NameAndEvents) {
  testing::FakeHandle handle;
  auto plugin = NewNodeName(nullptr, handle);
  ASSERT_TRUE(plugin.ok());
  EXPECT_EQ((*plugin)->Name(), "NodeName");
  auto* ee = dynamic_cast<EnqueueExtensions*>(plugin->get());
  ASSERT_NE(ee, nullptr);
  ASSERT_EQ(ee->EventsToRegister().size(), 1u);
  EXPECT_TRUE(ee->EventsToRegister()[0].Matches({EventResource::kNode, kAdd}));
  EXPECT_FALSE(ee->EventsToRegister()[0].Matches({EventResource::kNode, kUpdateNodeLabel}));
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
