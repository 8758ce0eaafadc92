#include "scheduler/plugins/node_ports/node_ports.h"

#include <gtest/gtest.h>

#include "scheduler/testing/builders.h"
#include "scheduler/testing/fake_handle.h"

namespace kubepp::scheduler::plugins {
namespace {

using nlohmann::json;
using testing::MakeNode;
using testing::MakePod;

// "proto/ip/port" strings, as in upstream's newPod helper.
PodInfoPtr PodWithPorts(const std::string& name, const std::vector<std::string>& specs) {
  auto b = MakePod(name);
  json ports = json::array();
  for (const auto& spec : specs) {
    auto first = spec.find('/');
    auto second = spec.find('/', first + 1);
    json port = {{"protocol", spec.substr(0, first)},
                 {"hostPort", std::stoi(spec.substr(second + 1))},
                 {"containerPort", std::stoi(spec.substr(second + 1))}};
    std::string ip = spec.substr(first + 1, second - first - 1);
    if (!ip.empty()) port["hostIP"] = ip;
    ports.push_back(port);
  }
  b.Obj()["spec"]["containers"][0]["ports"] = ports;
  return b.Info();
}

TEST(NodePortsTest, Filter) {
  struct Case {
    const char* name;
    std::vector<std::string> pod;
    std::vector<std::string> existing;
    bool fits;
  } cases[] = {
      {"same udp port", {"UDP/127.0.0.1/8080"}, {"UDP/127.0.0.1/8080"}, false},
      {"different port", {"UDP/127.0.0.1/8080"}, {"UDP/127.0.0.1/9090"}, true},
      {"same port, other protocol", {"TCP/127.0.0.1/8080"}, {"UDP/127.0.0.1/8080"}, true},
      {"same port, other ip", {"UDP/127.0.0.1/8080"}, {"UDP/127.0.0.2/8080"}, true},
      {"second port conflicts", {"UDP/127.0.0.1/8001", "TCP/127.0.0.1/8002"}, {"TCP/127.0.0.1/8002"}, false},
      {"0.0.0.0 wanted, specific ip used", {"TCP/0.0.0.0/8001"}, {"TCP/127.0.0.1/8001"}, false},
      {"specific ip wanted, 0.0.0.0 used", {"TCP/127.0.0.1/8001"}, {"TCP/0.0.0.0/8001"}, false},
      {"no ip means 0.0.0.0", {"TCP//8001"}, {"TCP/10.0.0.1/8001"}, false},
      {"0.0.0.0 on another protocol", {"UDP/127.0.0.1/8001"}, {"TCP/0.0.0.0/8001"}, true},
  };
  testing::FakeHandle handle;
  auto plugin = NewNodePorts(nullptr, handle);
  ASSERT_TRUE(plugin.ok());
  auto* pf = dynamic_cast<PreFilterPlugin*>(plugin->get());
  auto* filter = dynamic_cast<FilterPlugin*>(plugin->get());
  ASSERT_NE(pf, nullptr);
  ASSERT_NE(filter, nullptr);
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto node = MakeNode("n").Info({PodWithPorts("existing", tc.existing)});
    auto pod = PodWithPorts("p", tc.pod);
    CycleState state;
    PreFilterResult result;
    ASSERT_TRUE(pf->PreFilter(state, *pod, {}, &result).IsSuccess());
    PluginStatus s = filter->Filter(state, *pod, *node);
    if (tc.fits) {
      EXPECT_TRUE(s.IsSuccess()) << s.Message();
    } else {
      EXPECT_EQ(s.code(), Code::kUnschedulable);
      EXPECT_EQ(s.reasons(),
                std::vector<std::string>{"node(s) didn't have free ports for the requested pod ports"});
    }
  }
}

TEST(NodePortsTest, PodWithoutHostPortsIsSkipped) {
  testing::FakeHandle handle;
  auto plugin = NewNodePorts(nullptr, handle);
  ASSERT_TRUE(plugin.ok());
  CycleState state;
  PreFilterResult result;
  EXPECT_TRUE(dynamic_cast<PreFilterPlugin*>(plugin->get())
                  ->PreFilter(state, *MakePod("p").Info(), {}, &result)
                  .IsSkip());
}

TEST(NodePortsTest, FilterWithoutPreFilterStateAndRemovedPods) {
  testing::FakeHandle handle;
  auto plugin = NewNodePorts(nullptr, handle);
  ASSERT_TRUE(plugin.ok());
  auto* filter = dynamic_cast<FilterPlugin*>(plugin->get());
  auto existing = PodWithPorts("existing", {"TCP/0.0.0.0/80"});
  auto node = MakeNode("n").Info({existing});
  CycleState state;
  EXPECT_FALSE(filter->Filter(state, *PodWithPorts("p", {"TCP//80"}), *node).IsSuccess());
  // Once the pod holding the port is gone, it is free again.
  ASSERT_TRUE(node->RemovePod(existing->uid));
  EXPECT_TRUE(filter->Filter(state, *PodWithPorts("p", {"TCP//80"}), *node).IsSuccess());
}

TEST(NodePortsTest, Events) {
  testing::FakeHandle handle;
  auto plugin = NewNodePorts(nullptr, handle);
  auto events = dynamic_cast<EnqueueExtensions*>(plugin->get())->EventsToRegister();
  auto matches = [&](ClusterEvent e) {
    for (const auto& r : events) {
      if (r.Matches(e)) return true;
    }
    return false;
  };
  EXPECT_TRUE(matches({EventResource::kAssignedPod, kDelete}));
  EXPECT_TRUE(matches({EventResource::kNode, kAdd}));
  EXPECT_FALSE(matches({EventResource::kAssignedPod, kAdd}));
}

}  // namespace
}  // namespace kubepp::scheduler::plugins
