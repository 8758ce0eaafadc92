#include "storage/sqlite/sqlite_store.h"

#include <filesystem>

#include "storage/testing/conformance.h"
#include "common/testing/temp_dir.h"

namespace kubepp::storage::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

class SqliteHarness final : public StoreHarness {
 public:
  std::unique_ptr<Store> Open(Clock* clock) override {
    SqliteOptions o;
    o.path = dir_.path() + "/state.db";
    o.clock = clock;
    o.lease_check_interval = milliseconds(5);
    auto s = OpenSqliteStore(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }

 private:
  TempDir dir_;
};

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
                         ::testing::Values(BackendParam{"sqlite", [] { return std::make_unique<SqliteHarness>(); }}),
                         BackendParamName);

class SqliteStoreTest : public ::testing::Test {
 protected:
  std::unique_ptr<Store> Open(SqliteOptions o = {}) {
    o.path = path_;
    o.clock = &clock_;
    o.lease_check_interval = milliseconds(5);
    auto s = OpenSqliteStore(o);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? std::move(*s) : nullptr;
  }
  uintmax_t FileBytes() {
    uintmax_t total = 0;
    for (const char* suffix : {"", "-wal"}) {
      std::error_code ec;
      auto n = std::filesystem::file_size(path_ + suffix, ec);
      if (!ec) total += n;
    }
    return total;
  }

  TempDir dir_;
  std::string path_ = dir_.path() + "/state.db";
  FakeClock clock_;
};

TEST_F(SqliteStoreTest, EverythingSurvivesReopen) {
  int64_t lease;
  {
    auto store = Open();
    ASSERT_TRUE(store);
    store->Create("/a", "1");
    store->Put("/a", "2");
    store->Create("/b", "x");
    store->Delete("/b");
    lease = *store->Grant(seconds(30));
    store->Put("/leased", "v", lease);
    ASSERT_TRUE(store->Compact(2).ok());
  }
  auto store = Open();
  ASSERT_TRUE(store);
  EXPECT_EQ(store->CurrentRevision(), 5);
  EXPECT_EQ(store->CompactRevision(), 2);
  EXPECT_EQ(store->Get("/a")->value, "2");
  EXPECT_EQ(store->Get("/a")->version, 2);
  EXPECT_EQ(store->Get("/b", 3)->value, "x");
  EXPECT_EQ(store->Get("/a", 1).status().code(), StatusCode::kGone);
  // History serves a watch from before the reopen.
  auto w = store->Watch({KeyRange::Prefix("/"), 3});
  ASSERT_TRUE(w.ok());
  auto events = CollectEvents(**w, 2, milliseconds(5000));
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[0].type, Event::Type::kDelete);
  EXPECT_EQ(events[0].prev_kv->value, "x");
  EXPECT_EQ(events[1].kv.key, "/leased");
  // The lease survived (its countdown restarted) and new ids do not collide.
  EXPECT_TRUE(store->KeepAlive(lease).ok());
  EXPECT_GT(*store->Grant(seconds(5)), lease);
  clock_.Advance(seconds(31));
  auto deleted = CollectEvents(**w, 1, milliseconds(5000));
  ASSERT_EQ(deleted.size(), 1u);
  EXPECT_EQ(deleted[0].type, Event::Type::kDelete);
  EXPECT_EQ(deleted[0].kv.key, "/leased");
  w->reset();
}

TEST_F(SqliteStoreTest, RevisionNeverGoesBackwardsAfterCompactingATrailingDelete) {
  {
    auto store = Open();
    store->Create("/a", "1");
    store->Delete("/a");
    ASSERT_TRUE(store->Compact(2).ok());
    // Wait until the compaction removed the rows (the writer runs it in the
    // background): the next open must still start at revision 2.
    ASSERT_TRUE(store->Put("/b", "1").ok());  // a batch after the compaction step
    ASSERT_TRUE(store->Delete("/b").ok());
    ASSERT_TRUE(store->Compact(4).ok());
    ASSERT_TRUE(store->Put("/c", "1").ok());
    ASSERT_TRUE(store->Delete("/c").ok());
    ASSERT_TRUE(store->Compact(6).ok());
  }
  auto store = Open();
  EXPECT_EQ(store->CurrentRevision(), 6);
  EXPECT_EQ(store->Create("/d", "1").revision, 7);
}

TEST_F(SqliteStoreTest, SecondOpenOfTheSameFileIsRefused) {
  auto first = Open();
  ASSERT_TRUE(first);
  SqliteOptions o;
  o.path = path_;
  auto second = OpenSqliteStore(o);
  EXPECT_EQ(second.status().code(), StatusCode::kUnavailable);
}

TEST_F(SqliteStoreTest, UnopenablePathIsAnError) {
  SqliteOptions o;
  o.path = dir_.path() + "/no/such/dir/state.db";
  auto s = OpenSqliteStore(o);
  EXPECT_FALSE(s.ok());
  o.path = "";
  EXPECT_EQ(OpenSqliteStore(o).status().code(), StatusCode::kInvalid);
}

TEST_F(SqliteStoreTest, GarbageFileIsAnErrorNotACrash) {
  {
    FILE* f = fopen(path_.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::string junk(8192, 'j');
    fwrite(junk.data(), 1, junk.size(), f);
    fclose(f);
  }
  SqliteOptions o;
  o.path = path_;
  auto s = OpenSqliteStore(o);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), StatusCode::kInternal);
  EXPECT_NE(s.status().message().find("not a database"), std::string::npos) << s.status().ToString();
}

TEST_F(SqliteStoreTest, AutomaticCompactionTrailsTheHead) {
  SqliteOptions o;
  o.retain_revisions = 100;
  o.compaction_step = 50;
  auto store = Open(o);
  std::string value(1000, 'v');
  for (int i = 0; i < 2000; ++i) ASSERT_TRUE(store->Put("/k/" + std::to_string(i % 10), value).ok());
  // Compaction runs between batches; it reaches within retain+step of the
  // head once the writer is idle.
  auto deadline = std::chrono::steady_clock::now() + seconds(10);
  while (store->CompactRevision() < 2000 - 100 - 50 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(milliseconds(5));
  }
  EXPECT_GE(store->CompactRevision(), 2000 - 100 - 50);
  EXPECT_LE(store->CompactRevision(), 2000 - 100);
  EXPECT_EQ(store->Get("/k/1", 1).status().code(), StatusCode::kGone);
  EXPECT_EQ(store->Get("/k/1", 1995)->mod_revision, 1992);
  auto list = store->List({KeyRange::Prefix("/k/")});
  EXPECT_EQ(list->kvs.size(), 10u);
}

}  // namespace
}  // namespace kubepp::storage::testing
