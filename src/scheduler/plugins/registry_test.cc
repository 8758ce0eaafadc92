#include "scheduler/plugins/registry.h"

#include <gtest/gtest.h>

#include "scheduler/config/config.h"
#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler::plugins {
namespace {

const char* const kInTree[] = {
    "SchedulingGates", "NodeUnschedulable", "NodeName",          "TaintToleration",
    "NodeAffinity",    "NodePorts",         "NodeResourcesFit",  "NodeResourcesBalancedAllocation",
    "ImageLocality",   "InterPodAffinity",  "PodTopologySpread", "DefaultPreemption",
    "DefaultBinder"};

TEST(InTreeRegistryTest, EveryPluginBuildsWithDefaultArgsUnderItsName) {
  PluginRegistry registry = InTreeRegistry();
  testing::FakeHandle handle;
  for (const char* name : kInTree) {
    SCOPED_TRACE(name);
    const PluginFactory* factory = registry.Find(name);
    ASSERT_NE(factory, nullptr);
    auto plugin = (*factory)(nullptr, handle);
    ASSERT_TRUE(plugin.ok()) << plugin.status().ToString();
    EXPECT_EQ((*plugin)->Name(), name);
  }
  EXPECT_EQ(registry.Find("NoSuchPlugin"), nullptr);
  EXPECT_EQ(registry.Find("PrioritySort"), nullptr);  // built into the framework
}

// Every plugin of upstream's default profile is registered, so the default
// configuration builds.
TEST(InTreeRegistryTest, DefaultProfileBuilds) {
  for (const auto& p : config::DefaultMultiPointPlugins()) {
    if (p.name == "PrioritySort") continue;
    EXPECT_NE(InTreeRegistry().Find(p.name), nullptr) << p.name;
  }
  testing::FakeHandle handle;
  config::Configuration cfg = config::DefaultConfiguration();
  ASSERT_FALSE(cfg.profiles.empty());
  auto fw = Framework::Create(cfg.profiles[0], InTreeRegistry(), handle);
  ASSERT_TRUE(fw.ok()) << fw.status().ToString();
  EXPECT_TRUE((*fw)->HasPostFilterPlugins());
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
