// Slow tests of the sqlite store's promises on a real file:
//  - an acknowledged write survives SIGKILL of the writing process, and the
//    revision sequence has no hole (20 random kills under concurrent load);
//  - 1,000,000 updates over 1,000 keys keep the file (db + wal) bounded.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <map>
#include <random>
#include <sstream>
#include <thread>

#include "storage/sqlite/sqlite_store.h"
#include "storage/testing/conformance.h"
#include "common/testing/temp_dir.h"

namespace kubepp::storage::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clk = std::chrono::steady_clock;

// ---- crash test ----

constexpr int kCrashWriters = 32;

// Runs in the forked child: writes until killed, reporting each acknowledged
// write as "key value revision\n" (one write(2) per line, < PIPE_BUF, so
// lines never interleave).
[[noreturn]] void CrashChild(const std::string& path, int fd) {
  SqliteOptions o;
  o.path = path;
  o.retain_revisions = 0;  // keep every revision to check for holes
  auto opened = OpenSqliteStore(o);
  if (!opened.ok()) _exit(2);
  Store& store = **opened;
  if (!store.Create("/crash/start", "0").ok()) _exit(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < kCrashWriters; ++t) {
    threads.emplace_back([&store, fd, t] {
      for (int i = 0;; ++i) {
        // Mostly creations of fresh keys, and updates of a per-thread hot key.
        std::string key = i % 4 == 3 ? "/crash/hot/" + std::to_string(t)
                                     : "/crash/k/" + std::to_string(t) + "/" + std::to_string(i);
        std::string value = std::to_string(i) + std::string(100, 'x');
        WriteResult r = i % 4 == 3 ? store.Put(key, value) : store.Create(key, value);
        if (!r.ok()) _exit(4);
        std::string line = key + " " + value + " " + std::to_string(r.revision) + "\n";
        if (write(fd, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(5);
      }
    });
  }
  for (auto& t : threads) t.join();
  _exit(0);
}

struct Ack {
  std::string key, value;
  int64_t revision;
};

TEST(SqliteDurabilityTest, AcknowledgedWritesSurviveSigkillWithoutRevisionHoles) {
  std::mt19937 rng(std::random_device{}());
  constexpr int kRounds = 20;
  size_t total_acks = 0;
  for (int round = 0; round < kRounds; ++round) {
    SCOPED_TRACE("round " + std::to_string(round));
    TempDir dir;
    std::string path = dir.path() + "/state.db";
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      CrashChild(path, fds[1]);
    }
    close(fds[1]);
    // Read acknowledgements; kill at a random moment after the first one.
    std::string data;
    char buf[65536];
    auto kill_after = milliseconds(std::uniform_int_distribution<int>(20, 600)(rng));
    std::optional<Clk::time_point> kill_at;
    auto give_up = Clk::now() + seconds(20);
    bool killed = false;
    for (;;) {
      if (!killed && kill_at && Clk::now() >= *kill_at) {
        kill(pid, SIGKILL);
        killed = true;
      }
      if (!killed && Clk::now() > give_up) {
        kill(pid, SIGKILL);
        killed = true;
        ADD_FAILURE() << "child never acknowledged a write";
      }
      pollfd p{fds[0], POLLIN, 0};
      if (poll(&p, 1, 20) == 0) continue;
      ssize_t n = read(fds[0], buf, sizeof buf);  // EOF once the child is dead and the pipe drained
      if (n <= 0) break;
      data.append(buf, static_cast<size_t>(n));
      if (!kill_at && data.find('\n') != std::string::npos) kill_at = Clk::now() + kill_after;
    }
    close(fds[0]);
    int status = 0;
    ASSERT_EQ(waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "child exited on its own, status " << status;

    std::vector<Ack> acks;
    std::istringstream in(data);
    std::string line;
    while (std::getline(in, line)) {
      if (in.eof()) break;  // a partial last line cannot happen (atomic writes), but be strict
      std::istringstream ls(line);
      Ack a;
      ls >> a.key >> a.value >> a.revision;
      acks.push_back(a);
    }
    ASSERT_FALSE(acks.empty());
    total_acks += acks.size();

    SqliteOptions o;
    o.path = path;
    o.retain_revisions = 0;
    auto reopened = OpenSqliteStore(o);
    ASSERT_TRUE(reopened.ok()) << reopened.status().ToString();
    Store& store = **reopened;
    int64_t head = store.CurrentRevision();
    // Every revision 2..head is one event: no hole.
    auto w = store.Watch({KeyRange::Prefix("/crash/"), 1, static_cast<size_t>(head) + 10});
    ASSERT_TRUE(w.ok()) << w.status().ToString();
    auto events = CollectEvents(**w, static_cast<size_t>(head - 1), seconds(30));
    ASSERT_EQ(events.size(), static_cast<size_t>(head - 1));
    std::map<int64_t, const Event*> by_revision;
    for (size_t i = 0; i < events.size(); ++i) {
      ASSERT_EQ(events[i].revision(), static_cast<int64_t>(i) + 2) << "hole in the revision sequence";
      by_revision[events[i].revision()] = &events[i];
    }
    // Every acknowledged write is there, at its revision, with its value.
    std::map<std::string, int64_t> last_hot_ack;
    for (const Ack& a : acks) {
      ASSERT_LE(a.revision, head) << a.key << " acknowledged at " << a.revision << " but lost";
      const Event* e = by_revision[a.revision];
      ASSERT_NE(e, nullptr);
      EXPECT_EQ(e->kv.key, a.key);
      EXPECT_EQ(e->kv.value, a.value);
      if (a.key.rfind("/crash/hot/", 0) == 0) {
        last_hot_ack[a.key] = std::max(last_hot_ack[a.key], a.revision);
      } else {
        auto got = store.Get(a.key);
        ASSERT_TRUE(got.ok()) << a.key << ": " << got.status().ToString();
        EXPECT_EQ(got->value, a.value);
        EXPECT_EQ(got->mod_revision, a.revision);
      }
    }
    for (const auto& [key, rev] : last_hot_ack) {
      auto got = store.Get(key);
      ASSERT_TRUE(got.ok());
      EXPECT_GE(got->mod_revision, rev) << key;
    }
    w->reset();
  }
  RecordProperty("acknowledged_writes", static_cast<int>(total_acks));
  printf("crash test: %zu acknowledged writes checked over %d kills\n", total_acks, kRounds);
}

// ---- churn test ----

// The bound the file (state.db + state.db-wal) must stay under throughout.
constexpr uintmax_t kChurnFileBound = 24ull << 20;  // 24 MiB (measured max: ~10 MiB)

uintmax_t FileBytes(const std::string& path) {
  uintmax_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    std::error_code ec;
    auto n = std::filesystem::file_size(path + suffix, ec);
    if (!ec) total += n;
  }
  return total;
}

TEST(SqliteDurabilityTest, MillionUpdatesOverThousandKeysKeepTheFileBounded) {
  constexpr int kKeys = 1000, kWriters = 64, kUpdates = 1'000'000;
  TempDir dir;
  std::string path = dir.path() + "/state.db";
  SqliteOptions o;
  o.path = path;  // default compaction settings: what `kubepp server` runs
  auto opened = OpenSqliteStore(o);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  Store& store = **opened;
  const std::string pad(256, 'p');
  auto key = [](int k) { return "/registry/churn/" + std::to_string(k); };
  for (int k = 0; k < kKeys; ++k) ASSERT_TRUE(store.Create(key(k), pad).ok());

  std::atomic<bool> done{false};
  std::atomic<uintmax_t> max_bytes{0};
  // Samples the file size while the writers run (a measurement, not a wait).
  std::thread sampler([&] {
    while (!done.load()) {
      uintmax_t b = FileBytes(path);
      if (b > max_bytes.load()) max_bytes.store(b);
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
  // Readers list the whole range all the while, as an API server would: WAL
  // checkpoints must still complete (no unbounded -wal growth).
  std::atomic<long> lists{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 2; ++r) {
    readers.emplace_back([&] {
      while (!done.load()) {
        auto l = store.List({KeyRange::Prefix("/registry/churn/")});
        if (!l.ok() || l->kvs.size() != static_cast<size_t>(kKeys)) ADD_FAILURE() << "list during churn";
        ++lists;
        // Pace the readers (they overlap, but leave the writer CPU on this
        // 2-core machine).
        std::this_thread::sleep_for(milliseconds(2));
      }
    });
  }
  auto start = Clk::now();
  std::atomic<int> failures{0};
  std::vector<std::vector<int>> last(kWriters, std::vector<int>(kKeys, -1));
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      // Thread t owns the keys k with k % kWriters == t.
      std::vector<int> mine;
      for (int k = t; k < kKeys; k += kWriters) mine.push_back(k);
      int n = kUpdates / kWriters + (t < kUpdates % kWriters ? 1 : 0);
      for (int i = 0; i < n; ++i) {
        int k = mine[static_cast<size_t>(i) % mine.size()];
        if (!store.Put(key(k), std::to_string(i) + pad).ok()) ++failures;
        last[t][k] = i;
      }
    });
  }
  for (auto& t : writers) t.join();
  auto elapsed = std::chrono::duration<double>(Clk::now() - start).count();
  done = true;
  sampler.join();
  for (auto& t : readers) t.join();
  uintmax_t final_bytes = FileBytes(path);
  max_bytes.store(std::max(max_bytes.load(), final_bytes));

  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(store.CurrentRevision(), kKeys + kUpdates);
  for (int t = 0; t < kWriters; ++t) {
    for (int k = t; k < kKeys; k += kWriters) {
      auto got = store.Get(key(k));
      ASSERT_TRUE(got.ok());
      EXPECT_EQ(got->value, std::to_string(last[t][k]) + pad) << key(k);
    }
  }
  printf("churn test: %d updates in %.1f s (%.0f/s) with %ld concurrent full lists; file max %.1f MiB, final %.1f MiB, bound %.0f MiB\n", kUpdates,
         elapsed, kUpdates / elapsed, lists.load(), max_bytes.load() / 1048576.0, final_bytes / 1048576.0,
         kChurnFileBound / 1048576.0);
  EXPECT_LT(max_bytes.load(), kChurnFileBound);
  EXPECT_GT(store.CompactRevision(), kUpdates - 20000);  // compaction kept up with the head
}

}  // namespace
}  // namespace kubepp::storage::testing
