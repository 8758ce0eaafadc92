#include "apiserver/registry/registry.h"

#include <gtest/gtest.h>

#include <thread>

#include <nlohmann/json.hpp>

#include "storage/memory/memory_store.h"
#include "storage/testing/fake_clock.h"

namespace kubepp::apiserver::registry {
namespace {

using nlohmann::json;

class RegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = storage::NewMemoryStore();
    registry_ = std::make_unique<Registry>(*store_, ResourceTable::Default(), nullptr,
                                           std::vector<AdmissionPluginPtr>{});
    ASSERT_TRUE(registry_->Start().ok());
    cm_ = ResourceTable::Default().Find("", "v1", "configmaps");
    deploy_ = ResourceTable::Default().Find("apps", "v1", "deployments");
    ns_ = ResourceTable::Default().Find("", "v1", "namespaces");
    pods_ = ResourceTable::Default().Find("", "v1", "pods");
    ASSERT_TRUE(cm_ && deploy_ && ns_ && pods_);
  }
  void TearDown() override { registry_->Stop(); }

  json ConfigMap(const std::string& name, json data = {{"k", "v"}}) {
    return {{"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", {{"name", name}}}, {"data", data}};
  }
  std::shared_ptr<const json> MustCreate(json obj, const ResourceInfo* info = nullptr, std::string ns = "default") {
    RequestContext ctx;
    auto r = registry_->Create(ctx, info ? *info : *cm_, ns, std::move(obj));
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? r->object : nullptr;
  }

  storage::StorePtr store_;
  std::unique_ptr<Registry> registry_;
  const ResourceInfo* cm_ = nullptr;
  const ResourceInfo* deploy_ = nullptr;
  const ResourceInfo* ns_ = nullptr;
  const ResourceInfo* pods_ = nullptr;
};

TEST_F(RegistryTest, CreateSetsServerFieldsAndGetReadsBack) {
  auto created = MustCreate(ConfigMap("a"));
  ASSERT_TRUE(created);
  const json& m = (*created)["metadata"];
  EXPECT_EQ(m["namespace"], "default");
  EXPECT_EQ(m["uid"].get<std::string>().size(), 36u);
  EXPECT_TRUE(m["creationTimestamp"].is_string());
  EXPECT_FALSE(m["resourceVersion"].get<std::string>().empty());
  EXPECT_FALSE(m.contains("generation"));  // ConfigMaps have none

  RequestContext ctx;
  auto got = registry_->Get(ctx, *cm_, "default", "a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(**got, *created);

  auto missing = registry_->Get(ctx, *cm_, "default", "nope");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(missing.status().message(), "configmaps \"nope\" not found");
}

TEST_F(RegistryTest, CreateRejectsDuplicatesAndBadMetadata) {
  MustCreate(ConfigMap("a"));
  RequestContext ctx;
  auto dup = registry_->Create(ctx, *cm_, "default", ConfigMap("a"));
  EXPECT_EQ(dup.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(dup.status().message(), "configmaps \"a\" already exists");

  json other = ConfigMap("b");
  other["metadata"]["namespace"] = "kube-system";
  EXPECT_EQ(registry_->Create(ctx, *cm_, "default", other).status().code(), StatusCode::kBadRequest);
  json with_rv = ConfigMap("c");
  with_rv["metadata"]["resourceVersion"] = "5";
  EXPECT_EQ(registry_->Create(ctx, *cm_, "default", with_rv).status().code(), StatusCode::kBadRequest);

  auto d = registry_->Create(ctx, *deploy_, "default",
                             json{{"metadata", {{"name", "w"}}}, {"spec", json::object()}});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ((*d->object)["metadata"]["generation"], 1);
}

TEST_F(RegistryTest, GenerateNameAndDryRun) {
  RequestContext ctx;
  json obj = ConfigMap("");
  obj["metadata"].erase("name");
  obj["metadata"]["generateName"] = "gen-";
  auto r = registry_->Create(ctx, *cm_, "default", obj);
  ASSERT_TRUE(r.ok());
  std::string name = (*r->object)["metadata"]["name"];
  EXPECT_EQ(name.rfind("gen-", 0), 0u);
  EXPECT_EQ(name.size(), 9u);

  RequestContext dry;
  dry.dry_run = true;
  auto d = registry_->Create(dry, *cm_, "default", ConfigMap("dry"));
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(registry_->Get(ctx, *cm_, "default", "dry").status().code(), StatusCode::kNotFound);
}

TEST_F(RegistryTest, UpdateChecksResourceVersionAndSkipsNoops) {
  auto created = MustCreate(ConfigMap("a"));
  json upd = *created;
  upd["data"]["k"] = "v2";
  RequestContext ctx;
  auto r = registry_->Update(ctx, *cm_, "default", "a", "", upd);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_NE((*r->object)["metadata"]["resourceVersion"], (*created)["metadata"]["resourceVersion"]);
  EXPECT_EQ((*r->object)["metadata"]["uid"], (*created)["metadata"]["uid"]);

  // The same body again carries a stale resourceVersion: 409.
  auto stale = registry_->Update(ctx, *cm_, "default", "a", "", upd);
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_NE(stale.status().message().find("the object has been modified"), std::string::npos);

  // Without a resourceVersion the update is unconditional; an identical
  // object is not written again.
  json same = *r->object;
  same["metadata"].erase("resourceVersion");
  int64_t before = store_->CurrentRevision();
  auto noop = registry_->Update(ctx, *cm_, "default", "a", "", same);
  ASSERT_TRUE(noop.ok());
  EXPECT_EQ(store_->CurrentRevision(), before);

  auto missing = registry_->Update(ctx, *cm_, "default", "zz", "", ConfigMap("zz"));
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST_F(RegistryTest, StatusIsOnlyWrittenThroughItsSubresourceAndSpecBumpsGeneration) {
  RequestContext ctx;
  auto d = registry_->Create(ctx, *deploy_, "default",
                             json{{"metadata", {{"name", "w"}}}, {"spec", {{"replicas", 1}}}});
  ASSERT_TRUE(d.ok());
  json upd = *d->object;
  upd["status"] = {{"replicas", 5}};
  upd["spec"]["replicas"] = 2;
  auto r = registry_->Update(ctx, *deploy_, "default", "w", "", upd);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->object->contains("status"));
  EXPECT_EQ((*r->object)["metadata"]["generation"], 2);

  json st = *r->object;
  st["status"] = {{"replicas", 2}};
  st["spec"]["replicas"] = 9;
  auto s = registry_->Update(ctx, *deploy_, "default", "w", "status", st);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ((*s->object)["status"]["replicas"], 2);
  EXPECT_EQ((*s->object)["spec"]["replicas"], 2);
  EXPECT_EQ((*s->object)["metadata"]["generation"], 2);
}

TEST_F(RegistryTest, ListFiltersPaginatesAndServesFromCache) {
  for (int i = 0; i < 7; ++i) {
    json cm = ConfigMap("cm" + std::to_string(i));
    cm["metadata"]["labels"] = {{"parity", i % 2 ? "odd" : "even"}};
    MustCreate(cm);
  }
  MustCreate(ConfigMap("other"), cm_, "kube-system");
  RequestContext ctx;
  ListOptions all;
  auto l = registry_->List(ctx, *cm_, "default", all);
  ASSERT_TRUE(l.ok());
  EXPECT_EQ(l->items.size(), 7u);
  EXPECT_EQ(registry_->List(ctx, *cm_, "", all)->items.size(), 8u);

  ListOptions odd;
  odd.label_selector = "parity=odd";
  EXPECT_EQ(registry_->List(ctx, *cm_, "default", odd)->items.size(), 3u);
  ListOptions byname;
  byname.field_selector = "metadata.name=cm3";
  EXPECT_EQ(registry_->List(ctx, *cm_, "default", byname)->items.size(), 1u);
  ListOptions bad;
  bad.field_selector = "spec.nodeName=x";
  EXPECT_EQ(registry_->List(ctx, *cm_, "default", bad).status().code(), StatusCode::kBadRequest);

  // Pages of 3 at one revision; a write between pages does not show.
  ListOptions page;
  page.limit = 3;
  auto p1 = registry_->List(ctx, *cm_, "default", page);
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->items.size(), 3u);
  ASSERT_FALSE(p1->continue_token.empty());
  EXPECT_EQ(p1->remaining_item_count, 4);
  MustCreate(ConfigMap("cm9"));
  std::vector<std::string> names;
  for (auto& o : p1->items) names.push_back(o->object()["metadata"]["name"]);
  std::string token = p1->continue_token;
  while (!token.empty()) {
    ListOptions next;
    next.limit = 3;
    next.continue_token = token;
    auto p = registry_->List(ctx, *cm_, "default", next);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->revision, p1->revision);
    for (auto& o : p->items) names.push_back(o->object()["metadata"]["name"]);
    token = p->continue_token;
  }
  EXPECT_EQ(names, (std::vector<std::string>{"cm0", "cm1", "cm2", "cm3", "cm4", "cm5", "cm6"}));

  ListOptions odd_page;
  odd_page.limit = 2;
  odd_page.label_selector = "parity=odd";
  auto op = registry_->List(ctx, *cm_, "default", odd_page);
  ASSERT_TRUE(op.ok());
  ASSERT_EQ(op->items.size(), 2u);
  EXPECT_EQ(op->items[1]->object()["metadata"]["name"], "cm3");
  EXPECT_FALSE(op->continue_token.empty());

  ListOptions bad_token;
  bad_token.continue_token = "!!!";
  EXPECT_EQ(registry_->List(ctx, *cm_, "default", bad_token).status().code(), StatusCode::kBadRequest);
}

TEST_F(RegistryTest, DeleteHonoursPreconditionsAndFinalizers) {
  auto created = MustCreate(ConfigMap("a"));
  RequestContext ctx;
  DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "x";
  EXPECT_EQ(registry_->Delete(ctx, *cm_, "default", "a", wrong_uid).status().code(), StatusCode::kConflict);
  auto d = registry_->Delete(ctx, *cm_, "default", "a", {});
  ASSERT_TRUE(d.ok());
  EXPECT_TRUE(d->deleted);
  EXPECT_EQ(registry_->Delete(ctx, *cm_, "default", "a", {}).status().code(), StatusCode::kNotFound);

  json fin = ConfigMap("f");
  fin["metadata"]["finalizers"] = {"example.com/hold"};
  MustCreate(fin);
  auto held = registry_->Delete(ctx, *cm_, "default", "f", {});
  ASSERT_TRUE(held.ok());
  EXPECT_FALSE(held->deleted);
  EXPECT_TRUE((*held->object)["metadata"]["deletionTimestamp"].is_string());
  // Removing the finalizer completes the deletion.
  json release = *held->object;
  release["metadata"]["finalizers"] = json::array();
  ASSERT_TRUE(registry_->Update(ctx, *cm_, "default", "f", "", release).ok());
  EXPECT_EQ(registry_->Get(ctx, *cm_, "default", "f").status().code(), StatusCode::kNotFound);

  // Foreground deletion records its finalizer for the garbage collector.
  MustCreate(ConfigMap("g"));
  DeleteOptions fg;
  fg.propagation_policy = "Foreground";
  auto g = registry_->Delete(ctx, *cm_, "default", "g", fg);
  ASSERT_TRUE(g.ok());
  EXPECT_FALSE(g->deleted);
  EXPECT_EQ((*g->object)["metadata"]["finalizers"], json::array({"foregroundDeletion"}));
}

TEST_F(RegistryTest, DeleteCollectionDeletesWhatTheSelectorSelects) {
  for (int i = 0; i < 4; ++i) {
    json cm = ConfigMap("dc" + std::to_string(i));
    cm["metadata"]["labels"] = {{"drop", i < 3 ? "yes" : "no"}};
    MustCreate(cm);
  }
  RequestContext ctx;
  ListOptions sel;
  sel.label_selector = "drop=yes";
  auto deleted = registry_->DeleteCollection(ctx, *cm_, "default", sel, {});
  ASSERT_TRUE(deleted.ok()) << deleted.status().ToString();
  EXPECT_EQ(deleted->size(), 3u);
  auto left = registry_->List(ctx, *cm_, "default", {});
  ASSERT_EQ(left->items.size(), 1u);
  EXPECT_EQ(left->items[0]->object()["metadata"]["name"], "dc3");
}

TEST_F(RegistryTest, WatchReplaysFiltersAndExpires) {
  auto a = MustCreate(ConfigMap("a"));
  std::string rv = (*a)["metadata"]["resourceVersion"];
  MustCreate(ConfigMap("b"));
  RequestContext ctx;
  WatchOptions wo;
  wo.resource_version = rv;
  auto w = registry_->Watch(ctx, *cm_, "default", wo);
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  json upd = *a;
  upd["data"]["k"] = "changed";
  upd["metadata"].erase("resourceVersion");
  ASSERT_TRUE(registry_->Update(ctx, *cm_, "default", "a", "", upd).ok());
  ASSERT_TRUE(registry_->Delete(ctx, *cm_, "default", "b", {}).ok());

  std::vector<std::pair<CacheEvent::Type, std::string>> seen;
  for (int i = 0; i < 50 && seen.size() < 3; ++i) {
    auto evs = (*w)->Next(std::chrono::milliseconds(100));
    ASSERT_TRUE(evs.ok());
    for (auto& e : *evs) seen.emplace_back(e.type, e.object->object()["metadata"]["name"]);
  }
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0], std::make_pair(CacheEvent::Type::kAdded, std::string("b")));
  EXPECT_EQ(seen[1], std::make_pair(CacheEvent::Type::kModified, std::string("a")));
  EXPECT_EQ(seen[2], std::make_pair(CacheEvent::Type::kDeleted, std::string("b")));

  // An object leaving a label filter is seen as DELETED by that watcher.
  json l = ConfigMap("l");
  l["metadata"]["labels"] = {{"app", "x"}};
  auto lc = MustCreate(l);
  WatchOptions sel;
  sel.label_selector = "app=x";
  sel.resource_version = (*lc)["metadata"]["resourceVersion"];
  auto ws = registry_->Watch(ctx, *cm_, "default", sel);
  ASSERT_TRUE(ws.ok());
  json relabel = *lc;
  relabel["metadata"]["labels"]["app"] = "y";
  relabel["metadata"].erase("resourceVersion");
  ASSERT_TRUE(registry_->Update(ctx, *cm_, "default", "l", "", relabel).ok());
  std::vector<CacheEvent> got;
  for (int i = 0; i < 50 && got.empty(); ++i) got = *(*ws)->Next(std::chrono::milliseconds(100));
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, CacheEvent::Type::kDeleted);
}

// A kind strategy that rejects every object, to check the 422's shape.
class RejectingHooks final : public Hooks {
 public:
  api::FieldErrors ValidateCreate(const ResourceInfo&, const json&) const override {
    return {api::FieldError::Invalid("spec.replicas", "-1", "must be greater than or equal to 0")};
  }
};

TEST(RegistryInvalidTest, ValidationFailuresBecome422WithCauses) {
  auto store = storage::NewMemoryStore();
  Registry reg(*store, ResourceTable::Default(), std::make_unique<RejectingHooks>(), {});
  ASSERT_TRUE(reg.Start().ok());
  const ResourceInfo* deploy = ResourceTable::Default().Find("apps", "v1", "deployments");
  RequestContext ctx;
  auto r = reg.Create(ctx, *deploy, "default", json{{"metadata", {{"name", "bad"}}}});
  EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
  EXPECT_EQ(r.status().message(),
            "Deployment.apps \"bad\" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0");
  EXPECT_EQ(ctx.error.kind, "Deployment");
  EXPECT_EQ(ctx.error.group, "apps");
  ASSERT_EQ(ctx.error.causes.size(), 1u);
  EXPECT_EQ(ctx.error.causes[0].reason, "FieldValueInvalid");
  EXPECT_EQ(ctx.error.causes[0].message, "Invalid value: -1: must be greater than or equal to 0");
  EXPECT_EQ(ctx.error.causes[0].field, "spec.replicas");
  EXPECT_EQ(store->CurrentRevision(), 0);  // nothing written
  reg.Stop();
}

TEST(RegistryTtlTest, EventsAndLeasesExpireAfterTheirLastWrite) {
  storage::testing::FakeClock clock;
  storage::MemoryOptions mo;
  mo.clock = &clock;
  mo.lease_check_interval = std::chrono::milliseconds(5);
  auto store = storage::NewMemoryStore(mo);
  RegistryOptions ro;
  ro.ttl = std::chrono::seconds(3600);
  Registry reg(*store, ResourceTable::Default(), nullptr, {}, ro);
  ASSERT_TRUE(reg.Start().ok());
  const ResourceInfo* events = ResourceTable::Default().Find("", "v1", "events");
  const ResourceInfo* cms = ResourceTable::Default().Find("", "v1", "configmaps");
  RequestContext ctx;
  ASSERT_TRUE(reg.Create(ctx, *events, "default", json{{"metadata", {{"name", "e"}}}}).ok());
  ASSERT_TRUE(reg.Create(ctx, *cms, "default", json{{"metadata", {{"name", "c"}}}}).ok());
  clock.Advance(std::chrono::minutes(59));
  EXPECT_TRUE(reg.Get(ctx, *events, "default", "e").ok());
  clock.Advance(std::chrono::minutes(3));
  bool gone = false;
  // The store's lease checker runs every 5 ms; poll its effect with a deadline.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!gone && std::chrono::steady_clock::now() < deadline) {
    gone = reg.Get(ctx, *events, "default", "e").status().code() == StatusCode::kNotFound;
    if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  EXPECT_TRUE(gone);
  EXPECT_TRUE(reg.Get(ctx, *cms, "default", "c").ok());  // other kinds never expire
  reg.Stop();
}

TEST(CachedObjectTest, EncodingsAreMadeOncePerForm) {
  CachedObject obj("/k", 7, std::make_shared<const json>(json{{"kind", "ConfigMap"}, {"apiVersion", "v1"}}));
  int made = 0;
  auto make = [&] {
    ++made;
    return std::string("row");
  };
  EXPECT_EQ(obj.Memo("table/h", make), "row");
  EXPECT_EQ(obj.Memo("table/h", make), "row");
  EXPECT_EQ(obj.Memo("table/n", make), "row");
  EXPECT_EQ(made, 2);
  EXPECT_EQ(&obj.Json(), &obj.Json());
  EXPECT_EQ(obj.Json(), R"({"apiVersion":"v1","kind":"ConfigMap"})");
  EXPECT_FALSE(obj.Protobuf().empty());
  EXPECT_EQ(obj.Protobuf().substr(0, 4), std::string("k8s\0", 4));
}

TEST(WatchCacheTest, OldResourceVersionIsExpiredAndSlowWatchersAreCut) {
  auto store = storage::NewMemoryStore();
  WatchCacheOptions opts;
  opts.history_capacity = 5;
  opts.watcher_queue_capacity = 3;
  WatchCache cache(*store, "/registry/",
                   [](std::string_view, std::string_view v) -> StatusOr<json> { return json::parse(v); },
                   opts);
  ASSERT_TRUE(cache.Start().ok());
  auto slow = cache.Watch("/registry/", 0, nullptr, false);
  ASSERT_TRUE(slow.ok());
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(store->Put("/registry/x/" + std::to_string(i), R"({"metadata":{"name":"x"}})").ok());
  }
  ASSERT_TRUE(cache.WaitUntil(store->CurrentRevision(), std::chrono::seconds(5)).ok());
  auto expired = cache.Watch("/registry/", 1, nullptr, false);
  EXPECT_EQ(expired.status().code(), StatusCode::kExpired);
  EXPECT_TRUE(cache.Watch("/registry/", store->CurrentRevision() - 2, nullptr, false).ok());
  // The slow watcher gets what was queued, then is cut off.
  StatusOr<std::vector<CacheEvent>> r = std::vector<CacheEvent>{};
  size_t total = 0;
  while ((r = (*slow)->Next(std::chrono::milliseconds(50))).ok()) {
    total += r->size();
    if (r->empty()) break;
  }
  EXPECT_EQ(total, 3u);
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  cache.Stop();
}

}  // namespace
}  // namespace kubepp::apiserver::registry
