// SimulatedNodes against the real API server (in-process, HTTPS, memory
// store): registration, Leases, heartbeats, pods marked Running and
// finalized, Stop.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "api/quantity.h"
#include "apiserver/server/apiserver.h"
#include "client/client.h"
#include "client/kubeconfig.h"
#include "common/testing/temp_dir.h"
#include "simnode/simulated_nodes.h"
#include "storage/memory/memory_store.h"

namespace kubepp::simnode {
namespace {

using namespace std::chrono_literals;
using client::Client;
using client::GroupVersionResource;
using nlohmann::json;

const GroupVersionResource kNodes{"", "v1", "nodes"};
const GroupVersionResource kPods{"", "v1", "pods"};
const GroupVersionResource kLeases{"coordination.k8s.io", "v1", "leases"};

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 10s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return cond();
}

int ThreadCount() {
  int n = 0;
  if (DIR* d = opendir("/proc/self/task")) {
    while (dirent* e = readdir(d)) n += e->d_name[0] != '.';
    closedir(d);
  }
  return n;
}

std::string Str(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* p : path) {
    if (!cur->is_object() || !cur->contains(p)) return "";
    cur = &(*cur)[p];
  }
  return cur->is_string() ? cur->get<std::string>() : "";
}

json FindCondition(const json& obj, const std::string& type) {
  for (const json& c : obj["status"]["conditions"]) {
    if (c["type"] == type) return c;
  }
  return json();
}

class SimnodeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir("kubepp-simnode");
    store_ = storage::NewMemoryStore().release();
    apiserver::ApiServerOptions o;
    o.data_dir = dir_->path();
    o.port = 0;
    auto api = apiserver::ApiServer::Start(o, *store_);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = api->release();
    auto config = client::LoadRestConfig(api_->kubeconfig_path());
    ASSERT_TRUE(config.ok()) << config.status().ToString();
    config_ = new client::RestConfig(*config);
  }
  static void TearDownTestSuite() {
    api_->Stop();
    delete api_;
    delete store_;
    delete config_;
    delete dir_;
  }

  void SetUp() override {
    ASSERT_NE(api_, nullptr);
    auto c = Client::New(*config_);
    ASSERT_TRUE(c.ok());
    client_ = std::move(c).value();
  }

  static SimulatedNodesOptions Options(const std::string& prefix, int64_t count) {
    SimulatedNodesOptions o;
    o.count = count;
    o.name_prefix = prefix;
    o.pod_workers = 4;
    o.node_workers = 2;
    return o;
  }

  json Pod(const std::string& name, const std::string& ns = "default") {
    return json{{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", ns}}},
                {"spec",
                 {{"initContainers", json::array({{{"name", "init"}, {"image", "busybox"}}})},
                  {"containers", json::array({{{"name", "pause"},
                                               {"image", "registry.k8s.io/pause:3.10"},
                                               {"resources", {{"requests", {{"cpu", "100m"}}}}}},
                                              {{"name", "second"}, {"image", "busybox"}}})}}}};
  }

  // POST pods/<name>/binding, as the scheduler does.
  Status Bind(const std::string& name, const std::string& node, const std::string& ns = "default") {
    json binding = {{"apiVersion", "v1"},
                    {"kind", "Binding"},
                    {"metadata", {{"name", name}, {"namespace", ns}}},
                    {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
    return client_->Create(kPods, ns, binding, {.subresource = "binding"}).status();
  }

  static TempDir* dir_;
  static storage::Store* store_;
  static apiserver::ApiServer* api_;
  static client::RestConfig* config_;
  std::unique_ptr<Client> client_;
};

TempDir* SimnodeTest::dir_ = nullptr;
storage::Store* SimnodeTest::store_ = nullptr;
apiserver::ApiServer* SimnodeTest::api_ = nullptr;
client::RestConfig* SimnodeTest::config_ = nullptr;

TEST_F(SimnodeTest, NodesRegisterReadyWithCapacityLabelsTaintsAndLeases) {
  SimulatedNodesOptions o = Options("reg-", 4);
  o.cpu = "4";
  o.memory = "32Gi";
  o.zones = 2;
  o.labels = {{"pool", "sim"}};
  o.taints = {{"dedicated", "sim", "NoSchedule"}};
  o.images = {{{"registry.k8s.io/pause:3.10"}, 300000}};
  auto nodes = SimulatedNodes::Start(*config_, o);
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  EXPECT_THAT((*nodes)->node_names(), ::testing::ElementsAre("reg-0", "reg-1", "reg-2", "reg-3"));
  EXPECT_EQ((*nodes)->stats().nodes_registered, 4);

  std::set<std::string> cidrs;
  for (int i = 0; i < 4; ++i) {
    std::string name = "reg-" + std::to_string(i);
    auto node = client_->Get(kNodes, "", name);
    ASSERT_TRUE(node.ok()) << node.status().ToString();
    const json& n = *node;
    json ready = FindCondition(n, "Ready");
    EXPECT_EQ(ready["status"], "True");
    EXPECT_EQ(ready["reason"], "KubeletReady");
    EXPECT_EQ(ready["message"], "kubelet is posting ready status");
    for (const char* t : {"MemoryPressure", "DiskPressure", "PIDPressure"}) {
      EXPECT_EQ(FindCondition(n, t)["status"], "False") << t;
    }
    EXPECT_EQ(n["status"]["allocatable"]["cpu"], "4");
    EXPECT_EQ(n["status"]["allocatable"]["memory"], "32Gi");
    EXPECT_EQ(n["status"]["capacity"]["pods"], "110");
    EXPECT_TRUE(n["status"]["capacity"].contains("ephemeral-storage"));
    EXPECT_EQ(n["metadata"]["labels"]["kubernetes.io/hostname"], name);
    EXPECT_EQ(n["metadata"]["labels"]["kubernetes.io/os"], "linux");
    EXPECT_EQ(n["metadata"]["labels"]["kubernetes.io/arch"], "amd64");
    EXPECT_EQ(n["metadata"]["labels"]["pool"], "sim");
    EXPECT_EQ(n["metadata"]["labels"]["topology.kubernetes.io/zone"], "zone-" + std::to_string(i % 2));
    EXPECT_EQ(n["spec"]["taints"],
              json::parse(R"([{"key":"dedicated","value":"sim","effect":"NoSchedule"}])"));
    EXPECT_EQ(n["status"]["nodeInfo"]["kubeletVersion"], "v1.33.0");
    EXPECT_EQ(n["status"]["addresses"][0]["type"], "InternalIP");
    EXPECT_EQ(n["status"]["images"][0]["names"][0], "registry.k8s.io/pause:3.10");
    cidrs.insert(Str(n, {"spec", "podCIDR"}));

    auto lease = client_->Get(kLeases, "kube-node-lease", name);
    ASSERT_TRUE(lease.ok()) << lease.status().ToString();
    EXPECT_EQ((*lease)["spec"]["holderIdentity"], name);
    EXPECT_EQ((*lease)["spec"]["leaseDurationSeconds"], 40);
    EXPECT_EQ((*lease)["metadata"]["ownerReferences"][0]["uid"], n["metadata"]["uid"]);
  }
  EXPECT_EQ(cidrs.size(), 4u);  // one pod CIDR per node
  (*nodes)->Stop();
}

TEST_F(SimnodeTest, LeaseRenewTimeAndHeartbeatAdvance) {
  SimulatedNodesOptions o = Options("renew-", 2);
  o.lease_renew_interval = 100ms;
  o.heartbeat_interval = 300ms;
  auto nodes = SimulatedNodes::Start(*config_, o);
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  auto first = client_->Get(kLeases, "kube-node-lease", "renew-1");
  ASSERT_TRUE(first.ok());
  std::string t0 = Str(*first, {"spec", "renewTime"});
  auto node0 = client_->Get(kNodes, "", "renew-1");
  ASSERT_TRUE(node0.ok());
  std::string hb0 = Str(FindCondition(*node0, "Ready"), {"lastHeartbeatTime"});
  std::string since0 = Str(FindCondition(*node0, "Ready"), {"lastTransitionTime"});
  EXPECT_TRUE(WaitFor([&] {
    auto l = client_->Get(kLeases, "kube-node-lease", "renew-1");
    return l.ok() && Str(*l, {"spec", "renewTime"}) > t0;
  }));
  // Heartbeats are second-precision: wait for the next second.
  json ready;
  EXPECT_TRUE(WaitFor([&] {
    auto n = client_->Get(kNodes, "", "renew-1");
    if (!n.ok()) return false;
    ready = FindCondition(*n, "Ready");
    return Str(ready, {"lastHeartbeatTime"}) > hb0;
  }));
  EXPECT_EQ(Str(ready, {"lastTransitionTime"}), since0);
  EXPECT_EQ(ready["status"], "True");
  EXPECT_GT((*nodes)->stats().leases_renewed, 0);
}

TEST_F(SimnodeTest, BoundPodBecomesRunningAndGracefulDeletionIsFinalized) {
  auto nodes = SimulatedNodes::Start(*config_, Options("run-", 2));
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  ASSERT_TRUE(WaitFor([&] { return (*nodes)->PodWatchSynced(); }));
  ASSERT_TRUE(client_->Create(kPods, "default", Pod("p1")).ok());
  ASSERT_TRUE(client_->Create(kPods, "default", Pod("p2")).ok());
  ASSERT_TRUE(Bind("p1", "run-1").ok());
  ASSERT_TRUE(Bind("p2", "run-1").ok());

  auto node = client_->Get(kNodes, "", "run-1");
  ASSERT_TRUE(node.ok());
  std::string cidr = Str(*node, {"spec", "podCIDR"});
  std::string node_ip = Str((*node)["status"]["addresses"][0], {"address"});
  std::string prefix = cidr.substr(0, cidr.rfind('.') + 1);  // a /24: "a.b.c."

  json pod;
  ASSERT_TRUE(WaitFor([&] {
    auto p = client_->Get(kPods, "default", "p1");
    if (!p.ok()) return false;
    pod = *p;
    return Str(pod, {"status", "phase"}) == "Running";
  })) << pod.dump();
  const json& st = pod["status"];
  std::string ip = Str(pod, {"status", "podIP"});
  EXPECT_EQ(ip.rfind(prefix, 0), 0u) << ip << " not in " << cidr;
  EXPECT_EQ(st["podIPs"][0]["ip"], ip);
  EXPECT_EQ(st["hostIP"], node_ip);
  EXPECT_FALSE(Str(pod, {"status", "startTime"}).empty());
  for (const char* t : {"PodScheduled", "Initialized", "ContainersReady", "Ready"}) {
    EXPECT_EQ(FindCondition(pod, t)["status"], "True") << t;
  }
  ASSERT_EQ(st["containerStatuses"].size(), 2u);
  for (const json& cs : st["containerStatuses"]) {
    EXPECT_EQ(cs["ready"], true);
    EXPECT_EQ(cs["started"], true);
    EXPECT_EQ(cs["restartCount"], 0);
    EXPECT_TRUE(cs["state"].contains("running"));
    EXPECT_EQ(Str(cs, {"containerID"}).rfind("sim://", 0), 0u);
  }
  EXPECT_EQ(st["containerStatuses"][0]["image"], "registry.k8s.io/pause:3.10");
  EXPECT_EQ(st["initContainerStatuses"][0]["state"]["terminated"]["reason"], "Completed");

  // Two pods on one node get different IPs from its CIDR.
  std::string ip2;
  ASSERT_TRUE(WaitFor([&] {
    auto p = client_->Get(kPods, "default", "p2");
    if (!p.ok()) return false;
    ip2 = Str(*p, {"status", "podIP"});
    return !ip2.empty();
  }));
  EXPECT_NE(ip, ip2);
  EXPECT_EQ(ip2.rfind(prefix, 0), 0u);

  // A graceful deletion (default 30 s) leaves the pod terminating until the
  // node confirms: the simulated kubelet deletes it at once.
  ASSERT_TRUE(client_->Delete(kPods, "default", "p1").ok());
  EXPECT_TRUE(
      WaitFor([&] { return client_->Get(kPods, "default", "p1").status().code() == StatusCode::kNotFound; }));
  // Counted once the DELETE returned, which may be just after the pod vanished.
  EXPECT_TRUE(WaitFor([&] { return (*nodes)->stats().pods_finalized >= 1; }));
  EXPECT_TRUE(WaitFor([&] { return (*nodes)->stats().pods_marked_running >= 2; }));
  ASSERT_TRUE(client_->Delete(kPods, "default", "p2").ok());
  EXPECT_TRUE(
      WaitFor([&] { return client_->Get(kPods, "default", "p2").status().code() == StatusCode::kNotFound; }));
}

TEST_F(SimnodeTest, PodsOnOtherNodesAreLeftAlone) {
  json other = {{"apiVersion", "v1"}, {"kind", "Node"}, {"metadata", {{"name", "real-node"}}}};
  ASSERT_TRUE(client_->Create(kNodes, "", other).ok());
  std::mutex mu;
  std::vector<std::string> bound;  // guarded by mu
  SimulatedNodesOptions o = Options("mine-", 1);
  o.on_pod_bound = [&](std::string_view ns, std::string_view name, std::string_view node) {
    std::lock_guard<std::mutex> lock(mu);
    bound.push_back(std::string(ns) + "/" + std::string(name) + "@" + std::string(node));
  };
  auto nodes = SimulatedNodes::Start(*config_, o);
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  ASSERT_TRUE(WaitFor([&] { return (*nodes)->PodWatchSynced(); }));
  ASSERT_TRUE(client_->Create(kPods, "default", Pod("elsewhere")).ok());
  ASSERT_TRUE(Bind("elsewhere", "real-node").ok());
  ASSERT_TRUE(client_->Create(kPods, "default", Pod("here")).ok());
  ASSERT_TRUE(Bind("here", "mine-0").ok());
  ASSERT_TRUE(WaitFor([&] {
    auto p = client_->Get(kPods, "default", "here");
    return p.ok() && Str(*p, {"status", "phase"}) == "Running";
  }));
  // "here" was bound after "elsewhere" and is done: "elsewhere" was seen and skipped.
  auto p = client_->Get(kPods, "default", "elsewhere");
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(Str(*p, {"status", "phase"}), "Pending");
  EXPECT_TRUE(WaitFor([&] { return (*nodes)->stats().pods_marked_running >= 1; }));
  EXPECT_EQ((*nodes)->stats().pods_marked_running, 1);
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_THAT(bound, ::testing::ElementsAre("default/here@mine-0"));  // once, although it changed since
  }
  (*nodes)->Stop();
  client::DeleteOptions now;
  now.grace_period_seconds = 0;
  EXPECT_TRUE(client_->Delete(kPods, "default", "elsewhere", now).ok());
  EXPECT_TRUE(client_->Delete(kPods, "default", "here", now).ok());
}

TEST_F(SimnodeTest, StopJoinsEveryThreadAndCanDeleteTheNodes) {
  int before = ThreadCount();
  SimulatedNodesOptions o = Options("gone-", 3);
  o.delete_nodes_on_stop = true;
  o.lease_renew_interval = 50ms;
  auto nodes = SimulatedNodes::Start(*config_, o);
  ASSERT_TRUE(nodes.ok()) << nodes.status().ToString();
  EXPECT_GT(ThreadCount(), before);
  ASSERT_TRUE(WaitFor([&] { return (*nodes)->stats().leases_renewed > 3; }));
  (*nodes)->Stop();
  EXPECT_EQ(ThreadCount(), before);
  (*nodes)->Stop();  // idempotent
  nodes->reset();
  for (const char* name : {"gone-0", "gone-1", "gone-2"}) {
    EXPECT_EQ(client_->Get(kNodes, "", name).status().code(), StatusCode::kNotFound) << name;
    EXPECT_EQ(client_->Get(kLeases, "kube-node-lease", name).status().code(), StatusCode::kNotFound) << name;
  }
}

TEST_F(SimnodeTest, ExistingNodeIsAdopted) {
  auto first = SimulatedNodes::Start(*config_, Options("again-", 1));
  ASSERT_TRUE(first.ok());
  auto uid = Str(*client_->Get(kNodes, "", "again-0"), {"metadata", "uid"});
  (*first)->Stop();
  SimulatedNodesOptions o = Options("again-", 1);
  o.cpu = "8";
  auto second = SimulatedNodes::Start(*config_, o);
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  auto node = client_->Get(kNodes, "", "again-0");
  ASSERT_TRUE(node.ok());
  EXPECT_EQ(Str(*node, {"metadata", "uid"}), uid);
  EXPECT_EQ((*node)["status"]["capacity"]["cpu"], "8");
}

TEST_F(SimnodeTest, BadOptionsAreRejectedNamingTheField) {
  SimulatedNodesOptions o = Options("bad-", 1);
  o.memory = "lots";
  auto r = SimulatedNodes::Start(*config_, o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kBadRequest);
  EXPECT_THAT(r.status().message(), ::testing::HasSubstr("memory \"lots\""));
  o = Options("Bad_", 1);
  EXPECT_THAT(SimulatedNodes::Start(*config_, o).status().message(), ::testing::HasSubstr("name prefix"));
  o = Options("many-", 40000);  // 40,000 /24 blocks do not fit in a /9
  EXPECT_THAT(SimulatedNodes::Start(*config_, o).status().message(), ::testing::HasSubstr("do not fit"));
}

TEST(ParseTest, LabelsTaintsDurations) {
  auto labels = ParseLabels("a=b, example.com/x=y,empty=");
  ASSERT_TRUE(labels.ok());
  EXPECT_EQ(labels->size(), 3u);
  EXPECT_EQ(labels->at("example.com/x"), "y");
  EXPECT_EQ(labels->at("empty"), "");
  EXPECT_TRUE(ParseLabels("").ok());
  EXPECT_THAT(ParseLabels("novalue").status().message(), ::testing::HasSubstr("\"novalue\""));
  EXPECT_FALSE(ParseLabels("a=b c").ok());

  auto taints = ParseTaints("k=v:NoSchedule,gpu:NoExecute");
  ASSERT_TRUE(taints.ok());
  ASSERT_EQ(taints->size(), 2u);
  EXPECT_EQ((*taints)[0].key, "k");
  EXPECT_EQ((*taints)[0].value, "v");
  EXPECT_EQ((*taints)[0].effect, "NoSchedule");
  EXPECT_EQ((*taints)[1].key, "gpu");
  EXPECT_EQ((*taints)[1].value, "");
  EXPECT_THAT(ParseTaints("k=v:Sometimes").status().message(), ::testing::HasSubstr("effect"));
  EXPECT_FALSE(ParseTaints("k=v").ok());

  EXPECT_EQ(*ParseDuration("10s"), 10s);
  EXPECT_EQ(*ParseDuration("500ms"), 500ms);
  EXPECT_EQ(*ParseDuration("1m30s"), 90s);
  EXPECT_EQ(*ParseDuration("1.5h"), 5400s);
  EXPECT_FALSE(ParseDuration("10").ok());
  EXPECT_FALSE(ParseDuration("-1s").ok());
  EXPECT_FALSE(ParseDuration("").ok());
}

}  // namespace
}  // namespace kubepp::simnode
