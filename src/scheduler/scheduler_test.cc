// The scheduler loop against the real API server (in-process, HTTPS, memory
// store), with test plugins at the points the seed's constraint tests do not
// reach: Permit (wait, allow, reject) and a Bind that fails once (the pod is
// un-assumed and retried), plus the cache seeing assumed pods between cycles.
#include "scheduler/scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "apiserver/server/apiserver.h"
#include "client/client.h"
#include "client/kubeconfig.h"
#include "common/testing/temp_dir.h"
#include "scheduler/framework/framework.h"
#include "scheduler/plugins/registry.h"
#include "storage/memory/memory_store.h"

namespace kubepp::scheduler {
namespace {

using namespace std::chrono_literals;
using nlohmann::json;

const client::GroupVersionResource kPods{"", "v1", "pods"};
const client::GroupVersionResource kNodes{"", "v1", "nodes"};
const client::GroupVersionResource kEvents{"", "v1", "events"};

bool WaitFor(const std::function<bool()>& cond, std::chrono::milliseconds timeout = 15s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (cond()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return cond();
}

// Holds pods labelled permit=wait at Permit; the test allows or rejects them
// through the Handle, as a coscheduling plugin would.
class WaitPermit final : public PermitPlugin {
 public:
  explicit WaitPermit(Handle& h) : handle(h) {}
  std::string_view Name() const override { return "WaitPermit"; }
  PluginStatus Permit(CycleState&, const PodInfo& pod, const std::string&,
                      std::chrono::milliseconds* t) override {
    if (pod.labels.count("permit") == 0) return PluginStatus::Success();
    *t = pod.labels.at("permit") == "short" ? 300ms : 30s;
    waiting_uid = pod.uid;
    return PluginStatus(Code::kWait, {});
  }
  Handle& handle;
  std::string waiting_uid;
};

// Fails the first bind of pods labelled flaky=true, then lets DefaultBinder bind.
class FlakyBind final : public BindPlugin {
 public:
  std::string_view Name() const override { return "FlakyBind"; }
  PluginStatus Bind(CycleState&, const PodInfo& pod, const std::string&) override {
    if (pod.labels.count("flaky") > 0 && failures++ == 0) return PluginStatus::Error("injected bind failure");
    return PluginStatus::Skip();
  }
  std::atomic<int> failures{0};
};

class SchedulerLoopTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::make_unique<TempDir>("kubepp-scheduler");
    store_ = storage::NewMemoryStore();
    apiserver::ApiServerOptions o;
    o.data_dir = dir_->path();
    o.port = 0;
    auto api = apiserver::ApiServer::Start(o, *store_);
    ASSERT_TRUE(api.ok()) << api.status().ToString();
    api_ = *std::move(api);
    auto config = client::LoadRestConfig(api_->kubeconfig_path());
    ASSERT_TRUE(config.ok());
    auto c = client::Client::New(*config);
    ASSERT_TRUE(c.ok());
    client_ = *std::move(c);

    // The node exists before the scheduler starts, so its first list has
    // it: a node created later could reach the cache after the first pod.
    json node = {{"apiVersion", "v1"},
                 {"kind", "Node"},
                 {"metadata", {{"name", "n1"}}},
                 {"status", {{"allocatable", {{"cpu", "2"}, {"memory", "4Gi"}, {"pods", "110"}}}}}};
    ASSERT_TRUE(client_->Create(kNodes, "", node).ok());

    PluginRegistry registry = plugins::InTreeRegistry();
    ASSERT_TRUE(registry
                    .Register("WaitPermit",
                              [this](const json*, Handle& h) -> StatusOr<std::unique_ptr<Plugin>> {
                                auto p = std::make_unique<WaitPermit>(h);
                                permit_ = p.get();
                                return std::unique_ptr<Plugin>(std::move(p));
                              })
                    .ok());
    ASSERT_TRUE(registry
                    .Register("FlakyBind",
                              [this](const json*, Handle&) -> StatusOr<std::unique_ptr<Plugin>> {
                                auto p = std::make_unique<FlakyBind>();
                                flaky_ = p.get();
                                return std::unique_ptr<Plugin>(std::move(p));
                              })
                    .ok());
    SchedulerOptions so;
    config::Profile p;
    p.plugins.multi_point.enabled = {{"WaitPermit", 0}};
    p.plugins.bind.enabled = {{"FlakyBind", 0}};  // before DefaultBinder
    so.config.profiles = {p};
    so.config.pod_initial_backoff_seconds = 1;
    so.config.pod_max_backoff_seconds = 1;
    auto s = Scheduler::Create(*client_, so, registry);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    scheduler_ = *std::move(s);
    ASSERT_TRUE(scheduler_->Start(10s).ok());

  }
  void TearDown() override {
    if (scheduler_) scheduler_->Stop();
    scheduler_.reset();
    client_.reset();
    if (api_) api_->Stop();
  }

  void CreatePod(const std::string& name, json labels, const std::string& cpu = "100m") {
    json pod = {{"apiVersion", "v1"},
                {"kind", "Pod"},
                {"metadata", {{"name", name}, {"namespace", "default"}, {"labels", labels}}},
                {"spec",
                 {{"containers",
                   {{{"name", "c"}, {"image", "busybox"}, {"resources", {{"requests", {{"cpu", cpu}}}}}}}}}}};
    auto r = client_->Create(kPods, "default", pod);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  std::string NodeOf(const std::string& name) {
    auto p = client_->Get(kPods, "default", name);
    return p.ok() ? p->value("/spec/nodeName"_json_pointer, std::string()) : "";
  }
  std::string Uid(const std::string& name) {
    auto p = client_->Get(kPods, "default", name);
    return p.ok() ? p->value("/metadata/uid"_json_pointer, std::string()) : "";
  }
  std::string LastEvent(const std::string& pod, const std::string& reason) {
    client::ListOptions lo;
    lo.field_selector = "involvedObject.name=" + pod + ",reason=" + reason;
    auto l = client_->List(kEvents, "default", lo);
    if (!l.ok() || (*l)["items"].empty()) return "";
    return (*l)["items"].back().value("message", "");
  }

  std::unique_ptr<TempDir> dir_;
  std::unique_ptr<storage::Store> store_;
  std::unique_ptr<apiserver::ApiServer> api_;
  std::unique_ptr<client::Client> client_;
  std::unique_ptr<Scheduler> scheduler_;
  WaitPermit* permit_ = nullptr;
  FlakyBind* flaky_ = nullptr;
};

TEST_F(SchedulerLoopTest, PermitWaitsUntilAllowed) {
  CreatePod("held", {{"permit", "long"}});
  std::string uid = Uid("held");
  ASSERT_TRUE(WaitFor([&] { return permit_->waiting_uid == uid; }));
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(NodeOf("held"), "");  // still held at Permit
  // An assumed pod counts: a pod asking for the rest of the node's cpu is
  // refused while "held" waits with its 100m.
  CreatePod("big", {}, "1950m");
  EXPECT_TRUE(WaitFor([&] { return !LastEvent("big", "FailedScheduling").empty(); }));
  EXPECT_NE(LastEvent("big", "FailedScheduling").find("Insufficient cpu"), std::string::npos);
  EXPECT_TRUE(permit_->handle.AllowWaitingPod(uid, "WaitPermit"));
  EXPECT_TRUE(WaitFor([&] { return NodeOf("held") == "n1"; }));
  EXPECT_FALSE(permit_->handle.AllowWaitingPod(uid, "WaitPermit"));  // no longer waiting
}

TEST_F(SchedulerLoopTest, PermitRejectionAndTimeoutRequeue) {
  CreatePod("rejected", {{"permit", "long"}});
  std::string uid = Uid("rejected");
  ASSERT_TRUE(WaitFor([&] { return permit_->waiting_uid == uid; }));
  EXPECT_TRUE(permit_->handle.RejectWaitingPod(uid, "WaitPermit", "not now"));
  EXPECT_TRUE(WaitFor([&] { return LastEvent("rejected", "FailedScheduling") == "not now"; }));
  EXPECT_EQ(NodeOf("rejected"), "");

  CreatePod("timeout", {{"permit", "short"}});
  EXPECT_TRUE(WaitFor([&] {
    return LastEvent("timeout", "FailedScheduling") ==
           "rejected due to timeout after waiting 300ms at plugin WaitPermit";
  })) << LastEvent("timeout", "FailedScheduling");
}

TEST_F(SchedulerLoopTest, FailedBindUnassumesAndRetries) {
  CreatePod("flaky", {{"flaky", "true"}}, "1500m");
  EXPECT_TRUE(WaitFor([&] { return !LastEvent("flaky", "FailedScheduling").empty(); }));
  EXPECT_EQ(LastEvent("flaky", "FailedScheduling"), "injected bind failure");
  // Retried after back-off, and its 1500m was released in between: it fits.
  EXPECT_TRUE(WaitFor([&] { return NodeOf("flaky") == "n1"; }));
  EXPECT_EQ(flaky_->failures.load(), 2);  // one failure, then one pass-through
  EXPECT_TRUE(WaitFor([&] { return !LastEvent("flaky", "Scheduled").empty(); }));
  EXPECT_EQ(LastEvent("flaky", "Scheduled"), "Successfully assigned default/flaky to n1");
  EXPECT_EQ(scheduler_->stats().scheduled, 1);
  EXPECT_GE(scheduler_->stats().errors, 1);
}

TEST_F(SchedulerLoopTest, DeletingAPodHeldAtPermitFreesItsPlace) {
  CreatePod("held", {{"permit", "long"}});  // 30s at Permit
  std::string uid = Uid("held");
  ASSERT_TRUE(WaitFor([&] { return permit_->waiting_uid == uid; }));
  CreatePod("big", {}, "1950m");
  ASSERT_TRUE(WaitFor([&] { return !LastEvent("big", "FailedScheduling").empty(); }));
  // Deleted while held: rejected at once ("removed", as upstream), its
  // assumed 100m released, and "big", waiting for an event, retried.
  ASSERT_TRUE(client_->Delete(kPods, "default", "held").ok());
  EXPECT_TRUE(WaitFor([&] { return NodeOf("big") == "n1"; }, 10s));
  EXPECT_TRUE(WaitFor([&] { return LastEvent("held", "FailedScheduling") == "removed"; }, 10s));
}

TEST_F(SchedulerLoopTest, StopDoesNotWaitForPodsHeldAtPermit) {
  CreatePod("held", {{"permit", "long"}});
  std::string uid = Uid("held");
  ASSERT_TRUE(WaitFor([&] { return permit_->waiting_uid == uid; }));
  auto start = std::chrono::steady_clock::now();
  scheduler_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
  EXPECT_EQ(NodeOf("held"), "");
}

TEST_F(SchedulerLoopTest, NodesLeftOutByPreFilterNameThePlugin) {
  json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", "n2"}}},
               {"status", {{"allocatable", {{"cpu", "2"}, {"memory", "4Gi"}, {"pods", "110"}}}}}};
  ASSERT_TRUE(client_->Create(kNodes, "", node).ok());
  json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "pinned"}, {"namespace", "default"}}},
              {"spec",
               {{"affinity",
                 {{"nodeAffinity",
                   {{"requiredDuringSchedulingIgnoredDuringExecution",
                     {{"nodeSelectorTerms",
                       {{{"matchFields",
                          {{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n1"}}}}}}}}}}}}}},
                {"containers",
                 {{{"name", "c"}, {"image", "busybox"}, {"resources", {{"requests", {{"cpu", "3"}}}}}}}}}}};
  ASSERT_TRUE(client_->Create(kPods, "default", pod).ok());
  EXPECT_TRUE(WaitFor([&] {
    return LastEvent("pinned", "FailedScheduling")
               .rfind(
                   "0/2 nodes are available: 1 Insufficient cpu, 1 node(s) didn't satisfy plugin(s) "
                   "[NodeAffinity].",
                   0) == 0;
  })) << LastEvent("pinned", "FailedScheduling");
}

// The scheduler's own status patch (PodScheduled=False) reaches the queued
// copy of the pod: a retry with the same outcome writes nothing.
TEST_F(SchedulerLoopTest, UnchangedFailureIsNotWrittenAgain) {
  CreatePod("big", {}, "3");
  std::string rv;
  ASSERT_TRUE(WaitFor([&] {
    auto p = client_->Get(kPods, "default", "big");
    if (!p.ok() || !p->contains("status") || !(*p)["status"].contains("conditions")) return false;
    rv = (*p)["metadata"]["resourceVersion"];
    return true;
  }));
  const int64_t attempts = scheduler_->stats().attempts;
  // A new lastTransitionTime would differ from the first one.
  std::this_thread::sleep_for(1100ms);
  // An event NodeResourcesFit registered for: the pod is retried and fails alike.
  auto n = client_->Get(kNodes, "", "n1");
  ASSERT_TRUE(n.ok());
  (*n)["status"]["allocatable"]["cpu"] = "2500m";
  ASSERT_TRUE(client_->UpdateStatus(kNodes, "", *n).ok());
  ASSERT_TRUE(WaitFor([&] { return scheduler_->stats().attempts > attempts; }));
  EXPECT_FALSE(WaitFor(
      [&] {
        auto p = client_->Get(kPods, "default", "big");
        return p.ok() && (*p)["metadata"]["resourceVersion"] != rv;
      },
      1s));
}

}  // namespace
}  // namespace kubepp::scheduler
