// SharedInformer and Informers against the FakeApiServer: initial (paged)
// list, live events, re-watch when a stream ends, re-list with tombstones
// after 410 Expired, bookmarks, resync on a fake clock, late handlers.
#include "client/informer.h"

#include <chrono>
#include <condition_variable>
#include <mutex>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client/testing/fake_apiserver_test.h"

namespace kubepp::client {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

const GroupVersionResource kConfigMaps{"", "v1", "configmaps"};

json ConfigMap(const std::string& name, const std::string& value) {
  return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", {{"k", value}}}};
}

std::string Name(const ObjectPtr& o) { return (*o)["metadata"]["name"]; }

// Records handler calls as strings ("add a", "update a 1->2", "delete b",
// "tombstone b", "resync a") and lets tests wait for them.
class Recorder {
 public:
  ResourceEventHandler Handler() {
    ResourceEventHandler h;
    h.on_add = [this](const ObjectPtr& o) { Record("add " + Name(o)); };
    h.on_update = [this](const ObjectPtr& old_o, const ObjectPtr& new_o) {
      if (old_o == new_o) {
        Record("resync " + Name(new_o));
      } else {
        Record("update " + Name(new_o) + " " + (*old_o)["data"]["k"].get<std::string>() + "->" +
               (*new_o)["data"]["k"].get<std::string>());
      }
    };
    h.on_delete = [this](const ObjectPtr& o, bool unknown) { Record((unknown ? "tombstone " : "delete ") + Name(o)); };
    return h;
  }

  // Waits until `n` events were recorded; returns them all.
  std::vector<std::string> WaitForCount(size_t n) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, 10s, [&] { return events_.size() >= n; });
    return events_;
  }
  std::vector<std::string> events() {
    std::lock_guard<std::mutex> lock(mu_);
    return events_;
  }
  void Clear() {
    std::lock_guard<std::mutex> lock(mu_);
    events_.clear();
  }

 private:
  void Record(std::string e) {
    std::lock_guard<std::mutex> lock(mu_);
    events_.push_back(std::move(e));
    cv_.notify_all();
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> events_;
};

class InformerTest : public FakeApiServerTest {
 protected:
  InformerOptions Options() {
    InformerOptions o;
    o.namespace_ = "ns1";
    o.initial_backoff = 5ms;
    o.max_backoff = 50ms;
    o.page_size = 2;
    return o;
  }

  json MustCreate(const std::string& name, const std::string& value, const std::string& ns = "ns1") {
    auto created = client_->Create(kConfigMaps, ns, ConfigMap(name, value));
    EXPECT_TRUE(created.ok()) << created.status().ToString();
    return created.ok() ? *created : json();
  }

  // Starts `informer`; true once it has synced and its watch is open.
  bool StartAndWatch(SharedInformer& informer) {
    informer.Start();
    return informer.WaitForSync(10s) && Eventually([&] { return server_->open_watches() == 1; });
  }
};

TEST_F(InformerTest, ListsInPagesThenDeliversWatchEvents) {
  MustCreate("a", "1");
  MustCreate("b", "1");
  MustCreate("c", "1");
  MustCreate("other-ns", "1", "ns2");
  SharedInformer informer(*client_, kConfigMaps, Options());
  Recorder rec;
  informer.AddEventHandler(rec.Handler());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(10s));
  EXPECT_EQ(rec.events(), (std::vector<std::string>{"add a", "add b", "add c"}));
  EXPECT_EQ(server_->list_count(), 2);  // page size 2
  auto a = informer.lister().Get("ns1", "a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ((**a)["kind"], "ConfigMap");  // list items get their type back
  EXPECT_EQ(informer.LastSyncResourceVersion(), std::to_string(server_->resource_version()));

  rec.Clear();
  json b = *client_->Get(kConfigMaps, "ns1", "b");
  b["data"]["k"] = "2";
  ASSERT_TRUE(client_->Update(kConfigMaps, "ns1", b).ok());
  ASSERT_TRUE(client_->Delete(kConfigMaps, "ns1", "c").ok());
  MustCreate("d", "1");
  EXPECT_EQ(rec.WaitForCount(3), (std::vector<std::string>{"update b 1->2", "delete c", "add d"}));
  EXPECT_EQ(informer.indexer().ListKeys(), (std::vector<std::string>{"ns1/a", "ns1/b", "ns1/d"}));
  EXPECT_EQ((*informer.indexer().Get("ns1/b"))["data"]["k"], "2");
  informer.Stop();
}

TEST_F(InformerTest, RewatchesFromLastVersionWhenTheStreamEnds) {
  MustCreate("a", "1");
  SharedInformer informer(*client_, kConfigMaps, Options());
  Recorder rec;
  informer.AddEventHandler(rec.Handler());
  ASSERT_TRUE(StartAndWatch(informer));
  MustCreate("b", "1");
  ASSERT_EQ(rec.WaitForCount(2).size(), 2u);

  server_->CloseWatches();  // the server's watch timeout
  ASSERT_TRUE(Eventually([&] { return server_->watch_count() == 2 && server_->open_watches() == 1; }));
  MustCreate("c", "1");
  EXPECT_EQ(rec.WaitForCount(3), (std::vector<std::string>{"add a", "add b", "add c"}));
  EXPECT_EQ(server_->list_count(), 1);  // no re-list: the watch resumed where it stopped
}

TEST_F(InformerTest, RelistsAfterExpiredAndReportsMissedDeletesAsTombstones) {
  MustCreate("a", "1");
  MustCreate("b", "1");
  SharedInformer informer(*client_, kConfigMaps, Options());
  Recorder rec;
  informer.AddEventHandler(rec.Handler());
  ASSERT_TRUE(StartAndWatch(informer));
  rec.Clear();

  // Changes the informer never sees as events, then history is compacted
  // and the stream dropped: the re-watch gets 410 Expired.
  server_->SetDeliverEvents(false);
  ASSERT_TRUE(client_->Delete(kConfigMaps, "ns1", "b").ok());
  MustCreate("c", "1");
  json a = *client_->Get(kConfigMaps, "ns1", "a");
  a["data"]["k"] = "2";
  ASSERT_TRUE(client_->Update(kConfigMaps, "ns1", a).ok());
  server_->Compact();
  server_->SetDeliverEvents(true);
  server_->CloseWatches();

  EXPECT_EQ(rec.WaitForCount(3), (std::vector<std::string>{"update a 1->2", "add c", "tombstone b"}));
  EXPECT_EQ(server_->list_count(), 2);
  EXPECT_EQ(informer.indexer().ListKeys(), (std::vector<std::string>{"ns1/a", "ns1/c"}));
  EXPECT_EQ(informer.LastSyncResourceVersion(), std::to_string(server_->resource_version()));
}

TEST_F(InformerTest, RelistsWhenTheWatchIsRejectedWithGone) {
  SharedInformer informer(*client_, kConfigMaps, Options());
  Recorder rec;
  informer.AddEventHandler(rec.Handler());
  ASSERT_TRUE(StartAndWatch(informer));
  server_->FailNext("GET", 410, "Gone", "too old", 1);
  server_->CloseWatches();  // re-watch -> 410 at the head -> re-list
  ASSERT_TRUE(Eventually([&] { return server_->list_count() == 2 && server_->open_watches() == 1; }));
  MustCreate("late", "1");
  EXPECT_EQ(rec.WaitForCount(1), (std::vector<std::string>{"add late"}));
}

TEST_F(InformerTest, RetriesAFailedInitialList) {
  server_->FailNext("GET", 500, "InternalError", "etcd is sad");
  MustCreate("a", "1");
  SharedInformer informer(*client_, kConfigMaps, Options());
  Recorder rec;
  informer.AddEventHandler(rec.Handler());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(10s));
  EXPECT_EQ(rec.events(), (std::vector<std::string>{"add a"}));
  // The fake answers injected failures before it counts lists: one list
  // succeeded, after the failed attempt consumed the injected error.
  EXPECT_EQ(server_->list_count(), 1);
  EXPECT_TRUE(client_->List(kConfigMaps, "ns1").ok());
}

TEST_F(InformerTest, BookmarksAdvanceTheResourceVersion) {
  SharedInformer informer(*client_, kConfigMaps, Options());
  ASSERT_TRUE(StartAndWatch(informer));
  MustCreate("elsewhere", "1", "ns2");  // not seen by an ns1 informer
  EXPECT_NE(informer.LastSyncResourceVersion(), std::to_string(server_->resource_version()));
  server_->SendBookmarks();
  ASSERT_TRUE(Eventually(
      [&] { return informer.LastSyncResourceVersion() == std::to_string(server_->resource_version()); }));
}

TEST_F(InformerTest, ResyncDeliversUpdatesForEveryObject) {
  MustCreate("a", "1");
  MustCreate("b", "1");
  FakeClock clock;
  InformerOptions options = Options();
  options.clock = &clock;
  options.resync_period = 30s;
  SharedInformer informer(*client_, kConfigMaps, options);
  Recorder rec;
  informer.AddEventHandler(rec.Handler());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(10s));
  ASSERT_EQ(rec.WaitForCount(2).size(), 2u);
  rec.Clear();
  clock.Advance(29s);
  clock.Advance(1s);
  EXPECT_EQ(rec.WaitForCount(2), (std::vector<std::string>{"resync a", "resync b"}));
  clock.Advance(30s);
  EXPECT_EQ(rec.WaitForCount(4).size(), 4u);
}

TEST_F(InformerTest, LateHandlerGetsTheCacheAsAdds) {
  MustCreate("a", "1");
  SharedInformer informer(*client_, kConfigMaps, Options());
  informer.Start();
  ASSERT_TRUE(informer.WaitForSync(10s));
  Recorder rec;
  uint64_t id = informer.AddEventHandler(rec.Handler());
  EXPECT_EQ(rec.events(), (std::vector<std::string>{"add a"}));
  MustCreate("b", "1");
  EXPECT_EQ(rec.WaitForCount(2), (std::vector<std::string>{"add a", "add b"}));
  informer.RemoveEventHandler(id);
  Recorder rec2;
  informer.AddEventHandler(rec2.Handler());
  MustCreate("c", "1");
  ASSERT_EQ(rec2.WaitForCount(3).size(), 3u);
  EXPECT_EQ(rec.events().size(), 2u);  // removed: no "add c"
}

TEST_F(InformerTest, FactorySharesInformersAndIndexes) {
  json on_n1 = ConfigMap("x", "1");
  on_n1["data"]["node"] = "n1";
  ASSERT_TRUE(client_->Create(kConfigMaps, "ns1", on_n1).ok());
  MustCreate("y", "1");
  Informers informers(*client_, Options());
  SharedInformer& first = informers.For(kConfigMaps, {{"node", FieldIndexFunc("data.node")}});
  SharedInformer& again = informers.For(kConfigMaps);
  EXPECT_EQ(&first, &again);
  informers.Start();
  ASSERT_TRUE(informers.WaitForCacheSync(10s));
  auto on_node = first.indexer().ByIndex("node", "n1");
  ASSERT_TRUE(on_node.ok());
  ASSERT_EQ(on_node->size(), 1u);
  EXPECT_EQ(Name((*on_node)[0]), "x");

  // An informer asked for after Start() starts at once.
  SharedInformer& leases = informers.For({"coordination.k8s.io", "v1", "leases"});
  EXPECT_TRUE(leases.WaitForSync(10s));
  informers.Stop();
}

TEST_F(InformerTest, StopEndsAnOpenWatchPromptly) {
  SharedInformer informer(*client_, kConfigMaps, Options());
  ASSERT_TRUE(StartAndWatch(informer));
  auto start = std::chrono::steady_clock::now();
  informer.Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

}  // namespace
}  // namespace kubepp::client
