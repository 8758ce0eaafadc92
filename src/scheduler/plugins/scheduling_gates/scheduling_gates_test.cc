#include "scheduler/plugins/scheduling_gates/scheduling_gates.h"

#include <gtest/gtest.h>

#include "scheduler/testing/builders.h"
#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;
using testing::MakePod;

TEST(SchedulingGatesTest, PreEnqueue) {
  struct Case {
    const char* name;
    std::vector<std::string> gates;
    Code code;
    std::string message;
  } cases[] = {
      {"no gates", {}, Code::kSuccess, ""},
      {"one gate", {"foo"}, Code::kUnschedulableAndUnresolvable, "waiting for scheduling gates: [foo]"},
      {"two gates",
       {"foo", "bar"},
       Code::kUnschedulableAndUnresolvable,
       "waiting for scheduling gates: [foo bar]"},
  };
  testing::FakeHandle handle;
  auto plugin = NewSchedulingGates(nullptr, handle);
  ASSERT_TRUE(plugin.ok());
  auto* pe = dynamic_cast<PreEnqueuePlugin*>(plugin->get());
  ASSERT_NE(pe, nullptr);
  EXPECT_EQ((*plugin)->Name(), "SchedulingGates");
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto b = MakePod("p");
    if (!tc.gates.empty()) {
      json gates = json::array();
      for (const auto& g : tc.gates) gates.push_back({{"name", g}});
      b.Obj()["spec"]["schedulingGates"] = gates;
    }
    PluginStatus s = pe->PreEnqueue(*b.Info());
    EXPECT_EQ(s.code(), tc.code);
    EXPECT_EQ(s.Message(), tc.message);
  }
}

TEST(SchedulingGatesTest, Events) {
  testing::FakeHandle handle;
  auto plugin = NewSchedulingGates(nullptr, handle);
  auto events = dynamic_cast<EnqueueExtensions*>(plugin->get())->EventsToRegister();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_TRUE(events[0].Matches({EventResource::kPod, kUpdatePodSchedulingGatesEliminated}));
  EXPECT_FALSE(events[0].Matches({EventResource::kPod, kUpdatePodLabel}));
  EXPECT_FALSE(events[0].Matches({EventResource::kNode, kAdd}));
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
