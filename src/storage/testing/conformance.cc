#include "storage/testing/conformance.h"

#include <atomic>
#include <map>
#include <set>
#include <thread>

namespace kubepp::storage::testing {

using std::chrono::milliseconds;
using std::chrono::seconds;
constexpr milliseconds kWait{10000};

std::string BackendParamName(const ::testing::TestParamInfo<BackendParam>& info) { return info.param.name; }

void StoreConformanceTest::SetUp() {
  harness_ = GetParam().make();
  store_ = harness_->Open(&clock_);
  ASSERT_NE(store_, nullptr);
}

void StoreConformanceTest::TearDown() {
  store_.reset();
  harness_.reset();
}

namespace {

std::string Describe(const Event& e) {
  return std::string(e.type == Event::Type::kPut ? "PUT " : "DELETE ") + e.kv.key + "@" +
         std::to_string(e.revision()) + (e.type == Event::Type::kPut ? "=" + e.kv.value : "");
}

TEST_P(StoreConformanceTest, RevisionAdvancesOncePerSuccessfulWrite) {
  EXPECT_EQ(store_->CurrentRevision(), 0);
  WriteResult a = store_->Create("/a", "1");
  ASSERT_TRUE(a.ok()) << a.status.ToString();
  EXPECT_EQ(a.revision, 1);
  ASSERT_TRUE(a.kv);
  EXPECT_EQ(*a.kv, (KeyValue{"/a", "1", 1, 1, 1, 0}));
  EXPECT_FALSE(a.prev_kv);

  WriteResult b = store_->Put("/a", "2");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.revision, 2);
  EXPECT_EQ(*b.kv, (KeyValue{"/a", "2", 1, 2, 2, 0}));
  EXPECT_EQ(*b.prev_kv, (KeyValue{"/a", "1", 1, 1, 1, 0}));

  // Rejected writes consume no revision.
  EXPECT_EQ(store_->Create("/a", "x").status.code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store_->Update("/a", "x", 1).status.code(), StatusCode::kConflict);
  EXPECT_EQ(store_->Delete("/nope").status.code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->CurrentRevision(), 2);

  WriteResult c = store_->Create("/b", "3");
  EXPECT_EQ(c.revision, 3);
  EXPECT_EQ(store_->CurrentRevision(), 3);
  auto got = store_->Get("/a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(*got, (KeyValue{"/a", "2", 1, 2, 2, 0}));
  EXPECT_EQ(store_->Get("/missing").status().code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, CreateIfAbsentReportsTheExistingKey) {
  ASSERT_TRUE(store_->Create("/k", "first").ok());
  WriteResult again = store_->Create("/k", "second");
  EXPECT_EQ(again.status.code(), StatusCode::kAlreadyExists);
  ASSERT_TRUE(again.kv);
  EXPECT_EQ(again.kv->value, "first");
  EXPECT_EQ(again.revision, 1);
  EXPECT_EQ(store_->Get("/k")->value, "first");
}

TEST_P(StoreConformanceTest, UpdateIsCompareAndSwapOnModRevision) {
  WriteResult c = store_->Create("/k", "v1");
  WriteResult u = store_->Update("/k", "v2", c.revision);
  ASSERT_TRUE(u.ok()) << u.status.ToString();
  EXPECT_EQ(u.kv->version, 2);
  EXPECT_EQ(u.kv->create_revision, c.revision);
  EXPECT_EQ(u.prev_kv->value, "v1");

  WriteResult stale = store_->Update("/k", "v3", c.revision);
  EXPECT_EQ(stale.status.code(), StatusCode::kConflict);
  ASSERT_TRUE(stale.kv);
  EXPECT_EQ(stale.kv->value, "v2");
  EXPECT_EQ(stale.kv->mod_revision, u.revision);
  EXPECT_EQ(store_->Get("/k")->value, "v2");

  WriteResult any = store_->Update("/k", "v4", Store::kAnyRevision);
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any.kv->version, 3);

  WriteResult absent = store_->Update("/none", "x", Store::kAnyRevision);
  EXPECT_EQ(absent.status.code(), StatusCode::kNotFound);
  EXPECT_FALSE(absent.kv);
  EXPECT_EQ(store_->Get("/none").status().code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, DeleteIsCompareAndSwapAndRecreationRestartsVersion) {
  WriteResult c = store_->Create("/k", "v1");
  WriteResult u = store_->Put("/k", "v2");
  WriteResult stale = store_->Delete("/k", c.revision);
  EXPECT_EQ(stale.status.code(), StatusCode::kConflict);
  EXPECT_EQ(stale.kv->value, "v2");
  WriteResult d = store_->Delete("/k", u.revision);
  ASSERT_TRUE(d.ok()) << d.status.ToString();
  EXPECT_EQ(d.revision, 3);
  EXPECT_FALSE(d.kv);
  EXPECT_EQ(d.prev_kv->value, "v2");
  EXPECT_EQ(store_->Get("/k").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Delete("/k").status.code(), StatusCode::kNotFound);

  WriteResult again = store_->Create("/k", "v3");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again.kv, (KeyValue{"/k", "v3", 4, 4, 1, 0}));
  EXPECT_FALSE(again.prev_kv);
  WriteResult any = store_->Delete("/k");
  EXPECT_TRUE(any.ok());
}

TEST_P(StoreConformanceTest, GetAndListAtPastRevisions) {
  store_->Create("/r/a", "a1");          // 1
  store_->Create("/r/b", "b1");          // 2
  store_->Put("/r/a", "a2");             // 3
  store_->Delete("/r/b");                // 4
  store_->Create("/r/c", "c1");          // 5
  EXPECT_EQ(store_->Get("/r/a", 1)->value, "a1");
  EXPECT_EQ(store_->Get("/r/a", 2)->value, "a1");
  EXPECT_EQ(store_->Get("/r/a", 3)->value, "a2");
  EXPECT_EQ(store_->Get("/r/b", 3)->value, "b1");
  EXPECT_EQ(store_->Get("/r/b", 4).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("/r/c", 4).status().code(), StatusCode::kNotFound);

  auto keys = [](const ListResult& r) {
    std::vector<std::string> out;
    for (const auto& kv : r.kvs) out.push_back(kv.key + "=" + kv.value);
    return out;
  };
  auto at2 = store_->List({KeyRange::Prefix("/r/"), 2});
  ASSERT_TRUE(at2.ok());
  EXPECT_EQ(at2->revision, 2);
  EXPECT_EQ(keys(*at2), (std::vector<std::string>{"/r/a=a1", "/r/b=b1"}));
  auto at4 = store_->List({KeyRange::Prefix("/r/"), 4});
  EXPECT_EQ(keys(*at4), (std::vector<std::string>{"/r/a=a2"}));
  auto latest = store_->List({KeyRange::Prefix("/r/")});
  EXPECT_EQ(latest->revision, 5);
  EXPECT_EQ(keys(*latest), (std::vector<std::string>{"/r/a=a2", "/r/c=c1"}));

  EXPECT_EQ(store_->Get("/r/a", 6).status().code(), StatusCode::kTimeout);
  EXPECT_EQ(store_->List({KeyRange::Prefix("/r/"), 99}).status().code(), StatusCode::kTimeout);
}

TEST_P(StoreConformanceTest, ListRangesArePrefixesNotStringPrefixes) {
  store_->Create("/pods/a", "1");
  store_->Create("/pods/b", "2");
  store_->Create("/pods0", "x");
  store_->Create("/podsz", "y");
  store_->Create("/pod", "z");
  auto r = store_->List({KeyRange::Prefix("/pods/")});
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->kvs.size(), 2u);
  EXPECT_EQ(r->kvs[0].key, "/pods/a");
  EXPECT_EQ(r->kvs[1].key, "/pods/b");
  auto single = store_->List({KeyRange::Single("/pods0")});
  ASSERT_EQ(single->kvs.size(), 1u);
  EXPECT_EQ(single->kvs[0].value, "x");
  auto all = store_->List({KeyRange::Prefix("")});
  EXPECT_EQ(all->kvs.size(), 5u);
  auto span = store_->List({KeyRange{"/pods/b", "/podsz"}});
  ASSERT_EQ(span->kvs.size(), 2u);
  EXPECT_EQ(span->kvs[0].key, "/pods/b");
  EXPECT_EQ(span->kvs[1].key, "/pods0");
}

TEST_P(StoreConformanceTest, ListPaginatesWithLimitAndContinue) {
  for (int i = 0; i < 10; ++i) store_->Create("/p/" + std::to_string(i), "v" + std::to_string(i));
  store_->Delete("/p/4");
  store_->Create("/q/0", "other");
  int64_t rev = store_->CurrentRevision();
  // Writes after the first page must not show in later pages served at `rev`.
  std::vector<std::string> seen;
  ListOptions o{KeyRange::Prefix("/p/"), 0, 3};
  auto page = store_->List(o);
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->revision, rev);
  EXPECT_TRUE(page->more);
  EXPECT_EQ(page->remaining, 6);
  store_->Create("/p/99", "late");
  store_->Delete("/p/8");
  o.revision = page->revision;
  std::vector<int64_t> remaining;
  for (;;) {
    for (const auto& kv : page->kvs) seen.push_back(kv.key);
    remaining.push_back(page->remaining);
    if (!page->more) break;
    o.start_after = page->kvs.back().key;
    page = store_->List(o);
    ASSERT_TRUE(page.ok());
    EXPECT_EQ(page->revision, rev);
    EXPECT_LE(page->kvs.size(), 3u);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"/p/0", "/p/1", "/p/2", "/p/3", "/p/5", "/p/6", "/p/7", "/p/8", "/p/9"}));
  EXPECT_EQ(remaining, (std::vector<int64_t>{6, 3, 0}));

  // Exactly `limit` keys left: no `more`.
  auto exact = store_->List({KeyRange::Prefix("/p/"), rev, 9});
  EXPECT_EQ(exact->kvs.size(), 9u);
  EXPECT_FALSE(exact->more);
  auto one_short = store_->List({KeyRange::Prefix("/p/"), rev, 8});
  EXPECT_TRUE(one_short->more);
  EXPECT_EQ(one_short->remaining, 1);
}

TEST_P(StoreConformanceTest, WatchFromPastRevisionReplaysThenFollows) {
  store_->Create("/w/a", "1");  // 1
  store_->Put("/w/a", "2");     // 2
  store_->Create("/x/z", "0");  // 3 (outside the range)
  store_->Delete("/w/a");       // 4
  auto w = store_->Watch({KeyRange::Prefix("/w/"), 1});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  store_->Create("/w/b", "3");  // 5
  auto events = CollectEvents(**w, 3, kWait);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(Describe(events[0]), "PUT /w/a@2=2");
  ASSERT_TRUE(events[0].prev_kv);
  EXPECT_EQ(events[0].prev_kv->value, "1");
  EXPECT_EQ(Describe(events[1]), "DELETE /w/a@4");
  ASSERT_TRUE(events[1].prev_kv);
  EXPECT_EQ(events[1].prev_kv->value, "2");
  EXPECT_EQ(events[1].prev_kv->mod_revision, 2);
  EXPECT_EQ(Describe(events[2]), "PUT /w/b@5=3");
  EXPECT_FALSE(events[2].prev_kv);
  EXPECT_EQ(events[2].kv.create_revision, 5);
  EXPECT_EQ((*w)->LastRevision(), 5);
}

TEST_P(StoreConformanceTest, WatchFromNowSeesOnlyLaterWrites) {
  store_->Create("/w/old", "1");
  auto w = store_->Watch({KeyRange::Prefix("/w/")});
  ASSERT_TRUE(w.ok());
  EXPECT_EQ((*w)->LastRevision(), 1);
  store_->Create("/w/new", "2");
  auto events = CollectEvents(**w, 1, kWait);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Describe(events[0]), "PUT /w/new@2=2");
  // Nothing else arrives.
  auto more = (*w)->Next(milliseconds(50));
  ASSERT_TRUE(more.ok());
  EXPECT_TRUE(more->empty());
}

TEST_P(StoreConformanceTest, WatchSingleKeyAndFutureRevision) {
  auto w = store_->Watch({KeyRange::Single("/one"), 2});
  ASSERT_TRUE(w.ok());
  store_->Create("/one", "a");  // 1: not after 2
  store_->Create("/two", "b");  // 2
  store_->Put("/one", "c");     // 3
  auto events = CollectEvents(**w, 1, kWait);
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Describe(events[0]), "PUT /one@3=c");
}

TEST_P(StoreConformanceTest, CompactionMakesOlderRevisionsGone) {
  for (int i = 0; i < 5; ++i) store_->Put("/c/k", std::to_string(i));  // 1..5
  store_->Create("/c/gone", "x");                                     // 6
  store_->Delete("/c/gone");                                          // 7
  store_->Put("/c/k", "5");                                           // 8
  EXPECT_EQ(store_->Compact(99).code(), StatusCode::kTimeout);
  ASSERT_TRUE(store_->Compact(6).ok());
  EXPECT_EQ(store_->CompactRevision(), 6);
  EXPECT_TRUE(store_->Compact(3).ok());  // below: a no-op
  EXPECT_EQ(store_->CompactRevision(), 6);

  EXPECT_EQ(store_->Get("/c/k", 5).status().code(), StatusCode::kGone);
  EXPECT_EQ(store_->List({KeyRange::Prefix("/c/"), 5}).status().code(), StatusCode::kGone);
  EXPECT_EQ(store_->Get("/c/k", 6)->value, "4");
  EXPECT_EQ(store_->Get("/c/gone", 6)->value, "x");
  EXPECT_EQ(store_->Get("/c/gone", 7).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("/c/k")->value, "5");
  EXPECT_EQ(store_->Get("/c/k")->version, 6);

  auto gone = store_->Watch({KeyRange::Prefix("/c/"), 5});
  EXPECT_EQ(gone.status().code(), StatusCode::kGone);
  auto w = store_->Watch({KeyRange::Prefix("/c/"), 6});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  auto events = CollectEvents(**w, 2, kWait);
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(Describe(events[0]), "DELETE /c/gone@7");
  ASSERT_TRUE(events[0].prev_kv);
  EXPECT_EQ(events[0].prev_kv->value, "x");
  EXPECT_EQ(Describe(events[1]), "PUT /c/k@8=5");
  ASSERT_TRUE(events[1].prev_kv);
  EXPECT_EQ(events[1].prev_kv->value, "4");
}

TEST_P(StoreConformanceTest, LeaseExpiryDeletesAttachedKeys) {
  auto lease = store_->Grant(seconds(10));
  ASSERT_TRUE(lease.ok());
  EXPECT_GT(*lease, 0);
  ASSERT_TRUE(store_->Put("/l/a", "1", *lease).ok());
  ASSERT_TRUE(store_->Create("/l/b", "2", *lease).ok());
  ASSERT_TRUE(store_->Create("/l/free", "3").ok());
  EXPECT_EQ(store_->Get("/l/a")->lease, *lease);
  // Re-putting without the lease detaches the key.
  ASSERT_TRUE(store_->Create("/l/c", "4", *lease).ok());
  ASSERT_TRUE(store_->Put("/l/c", "5").ok());
  auto w = store_->Watch({KeyRange::Prefix("/l/")});
  ASSERT_TRUE(w.ok());

  clock_.Advance(seconds(9));
  // Keep-alive restarts the full TTL (deadline +19s): at +18s the keys live.
  auto ttl = store_->KeepAlive(*lease);
  ASSERT_TRUE(ttl.ok());
  EXPECT_EQ(*ttl, seconds(10));
  clock_.Advance(seconds(8));
  // A sentinel lease that has expired by now proves an expiry pass ran
  // after the clock moved.
  auto sentinel = store_->Grant(seconds(1));
  ASSERT_TRUE(store_->Put("/l/sentinel", "s", *sentinel).ok());
  clock_.Advance(seconds(1));
  auto first = CollectEvents(**w, 2, kWait);
  ASSERT_EQ(first.size(), 2u);
  EXPECT_EQ(Describe(first[1]), "DELETE /l/sentinel@" + std::to_string(first[1].revision()));
  EXPECT_EQ(store_->Get("/l/a")->value, "1");

  clock_.Advance(seconds(2));  // past the keep-alive'd deadline
  auto events = CollectEvents(**w, 2, kWait);
  ASSERT_EQ(events.size(), 2u);
  std::set<std::string> deleted;
  for (const Event& e : events) {
    EXPECT_EQ(e.type, Event::Type::kDelete) << Describe(e);
    ASSERT_TRUE(e.prev_kv);
    EXPECT_EQ(e.prev_kv->lease, *lease);
    deleted.insert(e.kv.key);
  }
  EXPECT_EQ(deleted, (std::set<std::string>{"/l/a", "/l/b"}));
  EXPECT_EQ(store_->Get("/l/a").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Get("/l/free")->value, "3");
  EXPECT_EQ(store_->Get("/l/c")->value, "5");
  EXPECT_EQ(store_->KeepAlive(*lease).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Put("/l/x", "1", *lease).status.code(), StatusCode::kNotFound);
}

TEST_P(StoreConformanceTest, RevokeDeletesKeysAndUnknownLeasesAreRejected) {
  EXPECT_EQ(store_->Grant(seconds(0)).status().code(), StatusCode::kInvalid);
  EXPECT_EQ(store_->Put("/k", "v", 12345).status.code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->CurrentRevision(), 0);
  auto lease = store_->Grant(seconds(60));
  ASSERT_TRUE(lease.ok());
  auto other = store_->Grant(seconds(60));
  EXPECT_NE(*lease, *other);
  store_->Put("/k1", "v", *lease);
  store_->Put("/k2", "v", *lease);
  int64_t before = store_->CurrentRevision();
  ASSERT_TRUE(store_->Revoke(*lease).ok());
  EXPECT_EQ(store_->CurrentRevision(), before + 2);
  EXPECT_EQ(store_->Get("/k1").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->Revoke(*lease).code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->KeepAlive(*lease).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(store_->KeepAlive(*other).ok());
}

TEST_P(StoreConformanceTest, SlowWatcherIsEndedAndCanResumeWithoutGap) {
  WatchOptions o{KeyRange::Prefix("/s/"), 0, 10};
  auto w = store_->Watch(o);
  ASSERT_TRUE(w.ok());
  // Writers are never held up by the consumer that does not read.
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(store_->Put("/s/k", std::to_string(i)).ok());
  Status end;
  auto first = CollectEvents(**w, 1000, kWait, &end);
  EXPECT_EQ(end.code(), StatusCode::kUnavailable) << end.ToString();
  ASSERT_EQ(first.size(), 10u);
  EXPECT_EQ((*w)->LastRevision(), 10);
  auto again = (*w)->Next(milliseconds(1));
  EXPECT_EQ(again.status().code(), StatusCode::kUnavailable);
  o.after_revision = (*w)->LastRevision();
  auto resumed = store_->Watch(o);
  ASSERT_TRUE(resumed.ok());
  auto rest = CollectEvents(**resumed, 40, kWait);
  ASSERT_EQ(rest.size(), 40u);
  for (size_t i = 0; i < rest.size(); ++i) EXPECT_EQ(rest[i].revision(), static_cast<int64_t>(11 + i));
}

TEST_P(StoreConformanceTest, ConcurrentWritersAndWatchersSeeEveryEventOnceInOrder) {
  constexpr int kWriters = 8, kPerWriter = 150, kWatchers = 4;
  constexpr int kTotal = kWriters * kPerWriter;
  store_->Put("/z/seed", "0");
  int64_t start = store_->CurrentRevision();
  std::vector<WatchPtr> watches;
  for (int i = 0; i < kWatchers; ++i) {
    auto w = store_->Watch({KeyRange::Prefix("/z/"), start, kTotal + 10});
    ASSERT_TRUE(w.ok());
    watches.push_back(std::move(*w));
  }
  std::vector<std::vector<Event>> seen(kWatchers + 1);
  std::vector<std::thread> readers;
  for (int i = 0; i < kWatchers; ++i) {
    readers.emplace_back([&, i] { seen[i] = CollectEvents(*watches[i], kTotal, std::chrono::seconds(60)); });
  }
  std::atomic<int> acked{0};
  std::vector<std::thread> writers;
  std::mutex results_mu;
  std::map<int64_t, std::string> acked_values;  // revision -> key=value
  WatchPtr late;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; i < kPerWriter; ++i) {
        std::string key = "/z/" + std::to_string(t) + "/" + std::to_string(i % 10);
        std::string value = std::to_string(t) + ":" + std::to_string(i);
        WriteResult r = store_->Put(key, value);
        if (!r.ok()) continue;
        std::lock_guard lock(results_mu);
        acked_values[r.revision] = key + "=" + value;
        ++acked;
      }
    });
  }
  // Starts a watch from the past while writes are in flight (a failing
  // store ends the wait at its deadline; the checks below then fail).
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (acked.load() < kTotal / 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  {
    auto w = store_->Watch({KeyRange::Prefix("/z/"), start, kTotal + 10});
    EXPECT_TRUE(w.ok()) << w.status().ToString();
    if (w.ok()) {
      late = std::move(*w);
      readers.emplace_back([&] { seen[kWatchers] = CollectEvents(*late, kTotal, std::chrono::seconds(60)); });
    }
  }
  for (auto& t : writers) t.join();
  for (auto& t : readers) t.join();
  ASSERT_EQ(acked_values.size(), static_cast<size_t>(kTotal));
  EXPECT_EQ(store_->CurrentRevision(), start + kTotal);
  for (size_t w = 0; w < seen.size(); ++w) {
    ASSERT_EQ(seen[w].size(), static_cast<size_t>(kTotal)) << "watcher " << w;
    for (int i = 0; i < kTotal; ++i) {
      const Event& e = seen[w][i];
      ASSERT_EQ(e.revision(), start + 1 + i) << "watcher " << w << " event " << i;
      ASSERT_EQ(e.kv.key + "=" + e.kv.value, acked_values[e.revision()]);
    }
  }
}

TEST_P(StoreConformanceTest, ConcurrentCompareAndSwapLosesNoIncrement) {
  constexpr int kThreads = 6, kIncrements = 60;
  ASSERT_TRUE(store_->Create("/counter", "0").ok());
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kIncrements;) {
        auto cur = store_->Get("/counter");
        if (!cur.ok()) {
          ADD_FAILURE() << cur.status().ToString();
          return;
        }
        WriteResult r = store_->Update("/counter", std::to_string(std::stoi(cur->value) + 1), cur->mod_revision);
        if (r.ok()) {
          ++i;
        } else {
          EXPECT_EQ(r.status.code(), StatusCode::kConflict);
          ++conflicts;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(store_->Get("/counter")->value, std::to_string(kThreads * kIncrements));
  EXPECT_EQ(store_->Get("/counter")->version, kThreads * kIncrements + 1);
}

TEST_P(StoreConformanceTest, BinaryKeysAndEmptyValues) {
  std::string key("/bin/\x00\xff\x01", 8);
  std::string value("\x00\x01\x02", 3);
  ASSERT_TRUE(store_->Create(key, value).ok());
  ASSERT_TRUE(store_->Create("/bin/empty", "").ok());
  EXPECT_EQ(store_->Get(key)->value, value);
  EXPECT_EQ(store_->Get("/bin/empty")->value, "");
  auto r = store_->List({KeyRange::Prefix("/bin/")});
  ASSERT_EQ(r->kvs.size(), 2u);
  EXPECT_EQ(r->kvs[0].key, key);
}

}  // namespace
}  // namespace kubepp::storage::testing
