#include "scheduler/framework/pod_info.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "scheduler/framework/node_info.h"

namespace kubepp::scheduler {
namespace {

using nlohmann::json;

PodInfoPtr Parse(json pod) { return ParsePodInfo(std::make_shared<const json>(std::move(pod))); }

json Container(json extra = json::object()) {
  json c = {{"name", "c"}, {"image", "busybox"}};
  c.update(extra);
  return c;
}

TEST(PodInfoTest, DefaultsAndBasicFields) {
  auto p = Parse({{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"uid", "u1"}, {"labels", {{"app", "web"}}}}},
                  {"spec", {{"containers", {Container()}}}}});
  EXPECT_EQ(p->Key(), "ns/p");
  EXPECT_EQ(p->scheduler_name, "default-scheduler");
  EXPECT_EQ(p->preemption_policy, "PreemptLowerPriority");
  EXPECT_EQ(p->priority, 0);
  EXPECT_EQ(p->labels.at("app"), "web");
  EXPECT_EQ(p->images, (std::vector<std::string>{"busybox"}));
  EXPECT_TRUE(p->parse_error.ok());
  // No requests: zero, but the scoring variant counts 100m / 200Mi.
  EXPECT_EQ(p->requests.milli_cpu, 0);
  EXPECT_EQ(p->non_zero_requests.milli_cpu, kDefaultMilliCPURequest);
  EXPECT_EQ(p->non_zero_requests.memory, kDefaultMemoryRequest);
}

TEST(PodInfoTest, AffinityTermNamespacesAndLabelKeys) {
  json term = {{"labelSelector", {{"matchLabels", {{"app", "web"}}}}},
               {"topologyKey", "zone"},
               {"matchLabelKeys", {"rev", "absent"}}};
  json other_ns = term;
  other_ns["namespaces"] = {"a", "b"};
  json all_ns = term;
  all_ns["namespaceSelector"] = json::object();
  auto p = Parse({{"metadata", {{"name", "p"}, {"namespace", "ns"}, {"labels", {{"app", "web"}, {"rev", "7"}}}}},
                  {"spec",
                   {{"containers", {Container()}},
                    {"affinity",
                     {{"podAntiAffinity",
                       {{"requiredDuringSchedulingIgnoredDuringExecution", {term, other_ns, all_ns}}}}}}}}});
  ASSERT_TRUE(p->parse_error.ok()) << p->parse_error.ToString();
  ASSERT_EQ(p->required_anti_affinity.size(), 3u);
  EXPECT_TRUE(p->HasRequiredAntiAffinity());
  const AffinityTerm& own = p->required_anti_affinity[0];
  EXPECT_EQ(own.namespaces, (std::set<std::string>{"ns"}));  // none given: the pod's own
  EXPECT_FALSE(own.namespace_selector.has_value());
  EXPECT_EQ(p->required_anti_affinity[1].namespaces, (std::set<std::string>{"a", "b"}));
  EXPECT_TRUE(p->required_anti_affinity[2].namespace_selector.has_value());

  // matchLabelKeys pins rev=7; a key the pod lacks is ignored.
  auto candidate = [](const std::string& ns, const std::string& rev) {
    return Parse({{"metadata", {{"name", "q"}, {"namespace", ns}, {"labels", {{"app", "web"}, {"rev", rev}}}}}});
  };
  EXPECT_TRUE(own.Matches(*candidate("ns", "7"), nullptr));
  EXPECT_FALSE(own.Matches(*candidate("ns", "8"), nullptr));
  EXPECT_FALSE(own.Matches(*candidate("other", "7"), nullptr));
  api::Labels ns_labels{{"team", "x"}};
  EXPECT_TRUE(p->required_anti_affinity[2].Matches(*candidate("other", "7"), &ns_labels));
}

TEST(PodInfoTest, HostPortsTolerationsGatesAndSpread) {
  auto p = Parse(
      {{"metadata", {{"name", "p"}, {"namespace", "ns"}}},
       {"spec",
        {{"containers",
          {Container({{"ports", {{{"containerPort", 80}, {"hostPort", 8080}}, {{"containerPort", 81}}}}})}},
         {"initContainers", {Container({{"ports", {{{"hostPort", 53}, {"protocol", "UDP"}, {"hostIP", "10.0.0.1"}}}}})}},
         {"tolerations", {{{"key", "k"}, {"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", 30}}}},
         {"schedulingGates", {{{"name", "wait"}}}},
         {"topologySpreadConstraints",
          {{{"maxSkew", 2}, {"topologyKey", "zone"}, {"whenUnsatisfiable", "DoNotSchedule"},
            {"labelSelector", {{"matchLabels", {{"app", "web"}}}}}}}}}}});
  ASSERT_EQ(p->host_ports.size(), 2u);  // the port without hostPort is not one
  EXPECT_EQ(p->host_ports[0].host_ip, "0.0.0.0");
  EXPECT_EQ(p->host_ports[0].protocol, "TCP");
  EXPECT_EQ(p->host_ports[1].protocol, "UDP");
  ASSERT_EQ(p->tolerations.size(), 1u);
  EXPECT_EQ(p->tolerations[0].toleration_seconds, 30);
  EXPECT_TRUE(ToleratesTaint(p->tolerations[0], Taint{"k", "any", "NoExecute"}));
  EXPECT_FALSE(ToleratesTaint(p->tolerations[0], Taint{"k", "any", "NoSchedule"}));
  EXPECT_EQ(p->scheduling_gates, (std::vector<std::string>{"wait"}));
  ASSERT_EQ(p->topology_spread_constraints.size(), 1u);
  const auto& c = p->topology_spread_constraints[0];
  EXPECT_EQ(c.max_skew, 2);
  EXPECT_EQ(c.min_domains, 1);
  EXPECT_EQ(c.node_affinity_policy, "Honor");
  EXPECT_EQ(c.node_taints_policy, "Ignore");
}

TEST(PodInfoTest, MalformedPodsStillParseWithTheError) {
  auto bad_quantity = Parse({{"metadata", {{"name", "p"}}},
                             {"spec", {{"containers", {Container({{"resources", {{"requests", {{"cpu", "x"}}}}}})}}}}});
  ASSERT_FALSE(bad_quantity->parse_error.ok());
  EXPECT_NE(bad_quantity->parse_error.message().find("spec.containers[0].resources.requests.cpu"), std::string::npos)
      << bad_quantity->parse_error.message();
  auto bad_selector = Parse(
      {{"metadata", {{"name", "p"}}},
       {"spec",
        {{"affinity",
          {{"podAffinity",
            {{"requiredDuringSchedulingIgnoredDuringExecution",
              {{{"labelSelector", {{"matchExpressions", {{{"key", "a"}, {"operator", "Bogus"}}}}}},
                {"topologyKey", "zone"}}}}}}}}}}});
  ASSERT_FALSE(bad_selector->parse_error.ok());
  EXPECT_NE(bad_selector->parse_error.message().find("spec.affinity.podAffinity"), std::string::npos)
      << bad_selector->parse_error.message();
  // Nothing is matched by a selector that did not parse.
  EXPECT_TRUE(bad_selector->required_affinity[0].selector.IsNothing());
}

TEST(NodeSelectorTest, TermsAreOredRequirementsAnded) {
  auto p = Parse({{"metadata", {{"name", "p"}}},
                  {"spec",
                   {{"affinity",
                     {{"nodeAffinity",
                       {{"requiredDuringSchedulingIgnoredDuringExecution",
                         {{"nodeSelectorTerms",
                           {{{"matchExpressions",
                              {{{"key", "disk"}, {"operator", "In"}, {"values", {"ssd"}}},
                               {{"key", "cores"}, {"operator", "Gt"}, {"values", {"4"}}}}}},
                            {{"matchFields",
                              {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n9"}}}}}},
                            {{"matchExpressions", {{{"key", "x"}, {"operator", "Bogus"}}}}}}}}}}}}}}}});
  ASSERT_TRUE(p->required_node_affinity.has_value());
  const NodeSelector& sel = *p->required_node_affinity;
  ASSERT_EQ(sel.terms.size(), 3u);
  EXPECT_FALSE(sel.terms[2].valid);
  EXPECT_TRUE(NodeSelectorMatches(sel, {{"disk", "ssd"}, {"cores", "8"}}, "n1"));
  EXPECT_FALSE(NodeSelectorMatches(sel, {{"disk", "ssd"}, {"cores", "2"}}, "n1"));
  EXPECT_TRUE(NodeSelectorMatches(sel, {}, "n9"));
  EXPECT_FALSE(NodeSelectorMatches(sel, {{"x", "1"}}, "n1"));  // the invalid term matches nothing
  EXPECT_FALSE(NodeSelectorMatches(NodeSelector{}, {}, "n1"));  // no term: nothing
}

TEST(NodeInfoTest, PodBookkeepingAddsAndRemovesEverything) {
  json node = {{"metadata", {{"name", "n1"}, {"labels", {{"zone", "a"}}}}},
               {"spec", {{"unschedulable", true}, {"taints", {{{"key", "k"}, {"value", "v"}, {"effect", "NoSchedule"}}}}}},
               {"status",
                {{"allocatable", {{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}}},
                 {"images", {{{"names", {"busybox:1"}}, {"sizeBytes", 5000}}}}}}};
  NodeInfo n(std::make_shared<const json>(node));
  EXPECT_EQ(n.name(), "n1");
  EXPECT_TRUE(n.unschedulable());
  ASSERT_EQ(n.taints().size(), 1u);
  EXPECT_EQ(n.allocatable().milli_cpu, 4000);
  EXPECT_EQ(n.image_sizes().at("busybox:1"), 5000);
  EXPECT_EQ(n.image_sizes().at("docker.io/library/busybox:1"), 5000);  // the normalized name too

  auto with = [](const std::string& uid, bool anti) {
    json pod = {{"metadata", {{"name", uid}, {"namespace", "ns"}, {"uid", uid}}},
                {"spec",
                 {{"nodeName", "n1"},
                  {"containers",
                   {Container({{"resources", {{"requests", {{"cpu", "1"}}}}},
                               {"ports", {{{"containerPort", 80}, {"hostPort", 8080}}}}})}}}}};
    if (anti) {
      pod["spec"]["affinity"] = {
          {"podAntiAffinity",
           {{"requiredDuringSchedulingIgnoredDuringExecution",
             {{{"labelSelector", {{"matchLabels", {{"a", "b"}}}}}, {"topologyKey", "zone"}}}}}}};
    }
    return ParsePodInfo(std::make_shared<const json>(pod));
  };
  int64_t g = n.generation();
  n.AddPod(with("u1", true));
  n.AddPod(with("u2", false));
  EXPECT_GT(n.generation(), g);
  EXPECT_EQ(n.requested().milli_cpu, 2000);
  EXPECT_EQ(n.used_ports().size(), 2u);
  EXPECT_EQ(n.pods_with_affinity().size(), 1u);
  EXPECT_EQ(n.pods_with_required_anti_affinity().size(), 1u);
  EXPECT_TRUE(n.RemovePod("u1"));
  EXPECT_FALSE(n.RemovePod("u1"));
  EXPECT_EQ(n.requested().milli_cpu, 1000);
  EXPECT_EQ(n.used_ports().size(), 1u);
  EXPECT_TRUE(n.pods_with_affinity().empty());
  EXPECT_TRUE(n.pods_with_required_anti_affinity().empty());
  EXPECT_EQ(n.pods().size(), 1u);
}

TEST(NodeInfoTest, HostPortConflicts) {
  EXPECT_TRUE(HostPortsConflict({"0.0.0.0", "TCP", 80}, {"10.0.0.1", "TCP", 80}));
  EXPECT_TRUE(HostPortsConflict({"10.0.0.1", "TCP", 80}, {"10.0.0.1", "TCP", 80}));
  EXPECT_FALSE(HostPortsConflict({"10.0.0.1", "TCP", 80}, {"10.0.0.2", "TCP", 80}));
  EXPECT_FALSE(HostPortsConflict({"0.0.0.0", "TCP", 80}, {"0.0.0.0", "UDP", 80}));
  EXPECT_FALSE(HostPortsConflict({"0.0.0.0", "TCP", 80}, {"0.0.0.0", "TCP", 81}));
}

}  // namespace
}  // namespace kubepp::scheduler
