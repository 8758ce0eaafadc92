// The scheduler inside `kubepp server`, driven with the real kubectl: one
// test per constraint of the seed (nodeSelector, required anti-affinity,
// taints and tolerations, resource requests, preemption). Nodes are plain
// Node objects created through the API (no agent): the scheduler only reads
// them, and pods stay Pending once bound.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "process.h"

namespace kubepp::e2e {
namespace {

using namespace std::chrono_literals;

constexpr char kKubectl[] = "/usr/bin/kubectl";

class SchedulerE2ETest : public ::testing::Test {
 protected:
  // Flags for `kubepp server` (fixtures for a separate scheduler add some).
  virtual std::vector<std::string> ServerFlags() const { return {}; }

  void SetUp() override {
    std::string log;
    server_ = TestServer::Start(KUBEPP_BINARY, &log, ServerFlags());
    ASSERT_TRUE(server_) << log;
  }
  void TearDown() override {
    if (HasFailure() && server_) {
      server_->process().WaitFor("\x01", 100ms);
      std::cerr << "---- server log ----\n" << server_->process().output() << "\n";
    }
    server_.reset();
  }

  RunResult K(std::vector<std::string> args, const std::string& stdin_data = "") {
    std::vector<std::string> argv = {kKubectl};
    argv.insert(argv.end(), args.begin(), args.end());
    return ::kubepp::e2e::Run(argv, {{"HOME", server_->home()}, {"KUBECONFIG", server_->kubeconfig()}}, stdin_data);
  }
  std::string Ok(std::vector<std::string> args, const std::string& stdin_data = "") {
    RunResult r = K(args, stdin_data);
    std::string cmd;
    for (auto& a : args) cmd += a + " ";
    EXPECT_EQ(r.rc, 0) << "kubectl " << cmd << "\nstdout: " << r.out << "\nstderr: " << r.err;
    return r.out;
  }
  void Apply(const std::string& yaml) { Ok({"apply", "-f", "-"}, yaml); }

  // A node with the given allocatable cpu, labels and taints (YAML snippets).
  static std::string Node(const std::string& name, const std::string& cpu, const std::string& labels = "{}",
                          const std::string& taints = "[]") {
    return "apiVersion: v1\nkind: Node\nmetadata:\n  name: " + name + "\n  labels: " + labels +
           "\nspec:\n  taints: " + taints + "\nstatus:\n  capacity: {cpu: \"" + cpu +
           "\", memory: 8Gi, pods: \"110\"}\n  allocatable: {cpu: \"" + cpu +
           "\", memory: 8Gi, pods: \"110\"}\n  conditions:\n  - {type: Ready, status: \"True\"}\n---\n";
  }
  static std::string Pod(const std::string& name, const std::string& extra_spec, const std::string& labels = "{}") {
    return "apiVersion: v1\nkind: Pod\nmetadata:\n  name: " + name + "\n  labels: " + labels +
           "\nspec:\n  containers:\n  - name: c\n    image: busybox\n" + extra_spec + "---\n";
  }

  // Waits until jsonpath `path` of pod `name` is non-empty; returns it.
  std::string WaitField(const std::string& name, const std::string& path, std::chrono::seconds d = 20s) {
    auto deadline = std::chrono::steady_clock::now() + d;
    std::string out;
    while (std::chrono::steady_clock::now() < deadline) {
      RunResult r = K({"get", "pod", name, "-o", "jsonpath={" + path + "}"});
      if (r.rc == 0 && !r.out.empty()) return r.out;
      std::this_thread::sleep_for(100ms);
    }
    return "";
  }
  std::string NodeOf(const std::string& pod) { return WaitField(pod, ".spec.nodeName"); }
  // The FailedScheduling message of `pod` once one was recorded.
  std::string FailedScheduling(const std::string& pod) {
    auto deadline = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < deadline) {
      RunResult r = K({"get", "events", "--field-selector",
                       "involvedObject.name=" + pod + ",reason=FailedScheduling", "-o",
                       "jsonpath={.items[-1:].message}"});
      if (r.rc == 0 && !r.out.empty()) return r.out;
      std::this_thread::sleep_for(100ms);
    }
    return "";
  }

  std::unique_ptr<TestServer> server_;
};

TEST_F(SchedulerE2ETest, NodeSelectorPicksTheOnlyLabelledNode) {
  Apply(Node("n1", "4") + Node("n2", "4", "{disk: ssd}") + Node("n3", "4"));
  Apply(Pod("fast", "  nodeSelector: {disk: ssd}\n"));
  EXPECT_EQ(NodeOf("fast"), "n2");
  // Scheduled event, as `kubectl describe pod` shows it.
  std::string describe = Ok({"describe", "pod", "fast"});
  EXPECT_NE(describe.find("Successfully assigned default/fast to n2"), std::string::npos) << describe;
  EXPECT_NE(describe.find("default-scheduler"), std::string::npos) << describe;
  // A selector nobody satisfies leaves the pod Pending with upstream's message.
  Apply(Pod("nowhere", "  nodeSelector: {disk: nvme}\n"));
  EXPECT_EQ(FailedScheduling("nowhere"),
            "0/3 nodes are available: 3 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes "
            "are available: 3 Preemption is not helpful for scheduling..");
  EXPECT_EQ(Ok({"get", "pod", "nowhere", "-o", "jsonpath={.status.conditions[0].reason}"}), "Unschedulable");
  // Labelling a node is a cluster event that brings the pod back.
  Ok({"label", "node", "n3", "disk=nvme"});
  EXPECT_EQ(NodeOf("nowhere"), "n3");
}

TEST_F(SchedulerE2ETest, RequiredAntiAffinitySpreadsOnePerNode) {
  Apply(Node("n1", "4") + Node("n2", "4") + Node("n3", "4"));
  const std::string anti =
      "  affinity:\n    podAntiAffinity:\n      requiredDuringSchedulingIgnoredDuringExecution:\n"
      "      - labelSelector: {matchLabels: {app: web}}\n        topologyKey: kubernetes.io/hostname\n";
  // The hostname label is what the topology key reads.
  for (const char* n : {"n1", "n2", "n3"}) Ok({"label", "node", n, std::string("kubernetes.io/hostname=") + n});
  Apply(Pod("web-0", anti, "{app: web}") + Pod("web-1", anti, "{app: web}") + Pod("web-2", anti, "{app: web}"));
  std::set<std::string> nodes = {NodeOf("web-0"), NodeOf("web-1"), NodeOf("web-2")};
  EXPECT_EQ(nodes, (std::set<std::string>{"n1", "n2", "n3"}));
  Apply(Pod("web-3", anti, "{app: web}"));
  EXPECT_EQ(FailedScheduling("web-3"),
            "0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are "
            "available: 3 No preemption victims found for incoming pod..");
  EXPECT_EQ(Ok({"get", "pod", "web-3", "-o", "jsonpath={.spec.nodeName}"}), "");
  // One replica goes away: the pending one takes its node.
  std::string freed = Ok({"get", "pod", "web-1", "-o", "jsonpath={.spec.nodeName}"});
  Ok({"delete", "pod", "web-1", "--grace-period=0", "--force"});
  EXPECT_EQ(NodeOf("web-3"), freed);
}

TEST_F(SchedulerE2ETest, TaintRepelsUntilTolerated) {
  Apply(Node("gpu", "4", "{}", "[{key: dedicated, value: gpu, effect: NoSchedule}]"));
  Apply(Pod("plain", ""));
  EXPECT_EQ(FailedScheduling("plain"),
            "0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}. preemption: 0/1 nodes are "
            "available: 1 Preemption is not helpful for scheduling..");
  Apply(Pod("tolerant", "  tolerations:\n  - {key: dedicated, operator: Equal, value: gpu, effect: NoSchedule}\n"));
  EXPECT_EQ(NodeOf("tolerant"), "gpu");
  EXPECT_EQ(Ok({"get", "pod", "plain", "-o", "jsonpath={.spec.nodeName}"}), "");
  // Removing the taint is a cluster event: the repelled pod is retried.
  Ok({"taint", "node", "gpu", "dedicated=gpu:NoSchedule-"});
  EXPECT_EQ(NodeOf("plain"), "gpu");
}

TEST_F(SchedulerE2ETest, RequestsThatFitOnlyOneNode) {
  Apply(Node("small", "1") + Node("big", "4") + Node("medium", "2"));
  const std::string three_cpus = "    resources: {requests: {cpu: \"3\"}}\n";
  // Pod() appends extra_spec after the container; requests belong to it.
  Apply("apiVersion: v1\nkind: Pod\nmetadata: {name: heavy}\nspec:\n  containers:\n  - name: c\n    image: "
        "busybox\n" + three_cpus);
  EXPECT_EQ(NodeOf("heavy"), "big");
  Apply("apiVersion: v1\nkind: Pod\nmetadata: {name: heavier}\nspec:\n  containers:\n  - name: c\n    image: "
        "busybox\n" + three_cpus);
  // small and medium can never hold 3 cpus (UnschedulableAndUnresolvable,
  // as upstream 1.33 reports it); big could, if heavy (same priority) went.
  EXPECT_EQ(FailedScheduling("heavier"),
            "0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 1 No preemption "
            "victims found for incoming pod, 2 Preemption is not helpful for scheduling..");
}

TEST_F(SchedulerE2ETest, PreemptsALowerPriorityPod) {
  Apply(Node("only", "2"));
  Apply(
      "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: low}\nvalue: 10\n---\n"
      "apiVersion: scheduling.k8s.io/v1\nkind: PriorityClass\nmetadata: {name: high}\nvalue: 1000\n");
  Apply("apiVersion: v1\nkind: Pod\nmetadata: {name: victim}\nspec:\n  priorityClassName: low\n  containers:\n"
        "  - name: c\n    image: busybox\n    resources: {requests: {cpu: 1500m}}\n");
  EXPECT_EQ(NodeOf("victim"), "only");
  EXPECT_EQ(Ok({"get", "pod", "victim", "-o", "jsonpath={.spec.priority} {.spec.preemptionPolicy}"}),
            "10 PreemptLowerPriority");
  // The Priority admission plugin: unknown classes are refused.
  RunResult bad = K({"apply", "-f", "-"},
                    "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec:\n  priorityClassName: nope\n"
                    "  containers:\n  - {name: c, image: busybox}\n");
  EXPECT_NE(bad.rc, 0);
  EXPECT_NE(bad.err.find("pods \"bad\" is forbidden: no PriorityClass with name nope was found"), std::string::npos)
      << bad.err;
  Apply("apiVersion: v1\nkind: Pod\nmetadata: {name: vip}\nspec:\n  priorityClassName: high\n  containers:\n"
        "  - name: c\n    image: busybox\n    resources: {requests: {cpu: 1500m}}\n");
  // The victim is deleted (gracefully: with no kubelet, force it away as a
  // kubelet would once its containers stopped), the preemptor is nominated
  // and then bound.
  EXPECT_EQ(WaitField("vip", ".status.nominatedNodeName"), "only");
  auto deadline = std::chrono::steady_clock::now() + 20s;
  bool terminating = false;
  while (std::chrono::steady_clock::now() < deadline && !terminating) {
    RunResult r = K({"get", "pod", "victim", "-o", "jsonpath={.metadata.deletionTimestamp}"});
    terminating = r.rc != 0 || !r.out.empty();
    if (!terminating) std::this_thread::sleep_for(100ms);
  }
  ASSERT_TRUE(terminating) << "the lower-priority pod was not preempted";
  std::string events = Ok({"get", "events", "--field-selector", "involvedObject.name=victim,reason=Preempted", "-o",
                           "jsonpath={.items[0].message}"});
  EXPECT_NE(events.find("Preempted by pod"), std::string::npos) << events;
  EXPECT_NE(events.find("on node only"), std::string::npos) << events;
  K({"delete", "pod", "victim", "--grace-period=0", "--force"});
  EXPECT_EQ(NodeOf("vip"), "only");
}

TEST_F(SchedulerE2ETest, PodsForAnotherSchedulerAreLeftAlone) {
  Apply(Node("n1", "4"));
  Apply(Pod("mine", "") + Pod("theirs", "  schedulerName: other-scheduler\n"));
  EXPECT_EQ(NodeOf("mine"), "n1");
  std::this_thread::sleep_for(500ms);  // give a wrong scheduler time to act
  EXPECT_EQ(Ok({"get", "pod", "theirs", "-o", "jsonpath={.spec.nodeName}"}), "");
  EXPECT_EQ(Ok({"get", "events", "--field-selector", "involvedObject.name=theirs", "-o", "name"}), "");
}

// A server without its own scheduler, for `kubepp scheduler` processes.
class StandaloneSchedulerE2ETest : public SchedulerE2ETest {
 protected:
  std::vector<std::string> ServerFlags() const override { return {"--disable-scheduler"}; }

  std::unique_ptr<Background> StartScheduler(const std::string& config_yaml) {
    std::string config = server_->home() + "/scheduler-" + std::to_string(schedulers_++) + ".yaml";
    std::ofstream(config) << "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n"
                          << config_yaml;
    return Background::Start({KUBEPP_BINARY, "scheduler", "--kubeconfig", server_->kubeconfig(), "--config", config});
  }

  int schedulers_ = 0;
};

// Two `kubepp scheduler` processes: one holds the kube-system/kube-scheduler
// Lease and schedules; when it stops, the other takes over.
TEST_F(StandaloneSchedulerE2ETest, OneActiveSchedulerAndFailover) {
  const std::string config =
      "leaderElection: {leaderElect: true, leaseDuration: 3s, renewDeadline: 2s, retryPeriod: 500ms}\n";
  auto a = StartScheduler(config);
  ASSERT_TRUE(a->WaitFor("is the leader", 20s)) << a->output();
  auto b = StartScheduler(config);
  ASSERT_TRUE(b->WaitFor("scheduler started", 20s)) << b->output();
  Apply(Node("n1", "4") + Pod("first", ""));
  EXPECT_EQ(NodeOf("first"), "n1");
  // b is a candidate, not a leader.
  EXPECT_FALSE(b->WaitFor("is the leader", 1s)) << b->output();
  std::string holder = Ok({"get", "lease", "-n", "kube-system", "kube-scheduler", "-o", "jsonpath={.spec.holderIdentity}"});
  EXPECT_NE(a->output().find(holder + " is the leader"), std::string::npos) << holder << "\n" << a->output();

  EXPECT_EQ(a->Stop(SIGTERM), 0);
  ASSERT_TRUE(b->WaitFor("is the leader", 20s)) << b->output();
  Apply(Pod("second", ""));
  EXPECT_EQ(NodeOf("second"), "n1");
  EXPECT_EQ(b->Stop(SIGTERM), 0);
}

// Two profiles in one KubeSchedulerConfiguration: each pod is scheduled by
// the profile its spec.schedulerName names, and that profile reports it.
TEST_F(StandaloneSchedulerE2ETest, PodsPickTheirProfile) {
  // "packer" scores MostAllocated and fills the already busy node.
  auto sched = StartScheduler(
      "leaderElection: {leaderElect: false}\nprofiles:\n- schedulerName: default-scheduler\n"
      "- schedulerName: packer\n  pluginConfig:\n  - name: NodeResourcesFit\n    args:\n"
      "      scoringStrategy: {type: MostAllocated}\n");
  ASSERT_TRUE(sched->WaitFor("scheduler started", 20s)) << sched->output();
  Apply(Node("a", "4") + Node("b", "4"));
  const std::string one_cpu = "    resources: {requests: {cpu: \"1\"}}\n";
  // The first pod lands somewhere; a packer pod joins it (most allocated),
  // a default-scheduler pod goes to the emptier node (least allocated).
  Apply(Pod("first", one_cpu + "  schedulerName: packer\n"));
  std::string busy = NodeOf("first");
  ASSERT_FALSE(busy.empty());
  Apply(Pod("packed", one_cpu + "  schedulerName: packer\n"));
  EXPECT_EQ(NodeOf("packed"), busy);
  Apply(Pod("spread", one_cpu));
  EXPECT_EQ(NodeOf("spread"), busy == "a" ? "b" : "a");
  EXPECT_EQ(Ok({"get", "events", "--field-selector", "involvedObject.name=packed,reason=Scheduled", "-o",
                "jsonpath={.items[0].source.component}"}),
            "packer");
  EXPECT_EQ(sched->Stop(SIGTERM), 0);
}

}  // namespace
}  // namespace kubepp::e2e
