// Load on a real `kubepp server` over HTTPS, in two phases:
//   1. N concurrent clients create and read back ConfigMaps for a while:
//      writes/s, reads/s, latency percentiles; no error and no lost write
//      (the final list holds exactly the acknowledged creations).
//   2. M concurrent watchers, then E more creations (from 20 clients): every
//      watcher must receive every one; prints the fan-out rate.
// Also the server's RSS and its start-up time to /readyz. Exits non-zero on
// any error, lost write or missed event, so it doubles as a test (see
// bench/CMakeLists.txt).
//
//   build/bench/apiserver_load_benchmark [--clients 200] [--seconds 60] [--watchers 1000] [--events 2000]
//
// There is no kube-apiserver on this machine to run as a peer, so no ratio
// is printed; the figures stand alone.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "proc_stats.h"
#include "client/client.h"
#include "client/kubeconfig.h"
#include "common/flags.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
namespace fs = std::filesystem;
using kubepp::client::Client;

const kubepp::client::GroupVersionResource kConfigMaps{"", "v1", "configmaps"};

using kubepp::bench::ProcStatusKb;

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  int64_t clients = 200, watchers = 1000, seconds = 60, events = 2000;
  std::string binary = KUBEPP_BINARY;
  kubepp::FlagSet flags("apiserver_load_benchmark");
  flags.Int("clients", &clients, "concurrent writer/reader clients");
  flags.Int("watchers", &watchers, "concurrent watches that must see every write");
  flags.Int("seconds", &seconds, "how long the clients write");
  flags.Int("events", &events, "creations every watcher must see (phase 2)");
  flags.String("kubepp", &binary, "the kubepp binary to start");
  std::vector<std::string> args(argv + 1, argv + argc);
  if (auto s = flags.Parse(args); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);

  char tmpl[] = "/tmp/kubepp-load-XXXXXX";
  if (!mkdtemp(tmpl)) return 1;
  std::string data = std::string(tmpl) + "/data";
  auto start = Clock::now();
  pid_t server = fork();
  if (server == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(binary.c_str(), binary.c_str(), "server", "--disable-agent", "--data-dir", data.c_str(),
          "--https-listen-port", "0", nullptr);
    _exit(127);
  }
  auto cleanup = [&] {
    kill(server, SIGTERM);
    waitpid(server, nullptr, 0);
    std::error_code ec;
    fs::remove_all(tmpl, ec);
  };
  // Ready = the kubeconfig exists (written after the server answers /readyz).
  std::string kubeconfig = data + "/kubeconfig.yaml";
  while (!fs::exists(kubeconfig)) {
    if (Clock::now() - start > std::chrono::seconds(30)) {
      std::fprintf(stderr, "server did not become ready\n");
      cleanup();
      return 1;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  auto config = kubepp::client::LoadRestConfig(kubeconfig);
  if (!config.ok()) {
    std::fprintf(stderr, "kubeconfig: %s\n", config.status().ToString().c_str());
    cleanup();
    return 1;
  }
  auto probe = Client::New(*config);
  while (true) {
    auto r = (*probe)->Do({"GET", "/readyz", {}, "", std::chrono::milliseconds(1000)});
    if (r.ok() && r->status == 200) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  double startup_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  long rss_idle = ProcStatusKb(server, "VmRSS:");
  (void)(*probe)->Create({"", "v1", "namespaces"}, "", json{{"metadata", {{"name", "load"}}}});
  (void)(*probe)->Create({"", "v1", "namespaces"}, "", json{{"metadata", {{"name", "watch"}}}});

  // Writers: create then read back, until the deadline.
  std::atomic<int64_t> writes{0}, reads{0}, errors{0};
  std::mutex lat_mu;
  std::vector<double> write_lat, read_lat;
  std::set<std::string> created;
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::seconds(seconds);
  std::vector<std::thread> writers;
  for (int64_t w = 0; w < clients; ++w) {
    writers.emplace_back([&, w] {
      auto c = Client::New(*config);
      std::vector<double> wl, rl;
      std::vector<std::string> mine;
      for (int64_t i = 0; Clock::now() < deadline; ++i) {
        std::string name = "c-" + std::to_string(w) + "-" + std::to_string(i);
        json cm = {{"metadata", {{"name", name}}}, {"data", {{"k", name}}}};
        auto a = Clock::now();
        auto r = (*c)->Create(kConfigMaps, "load", cm);
        auto b = Clock::now();
        if (!r.ok()) {
          errors++;
          std::fprintf(stderr, "create %s: %s\n", name.c_str(), r.status().ToString().c_str());
          continue;
        }
        writes++;
        mine.push_back(name);
        wl.push_back(std::chrono::duration<double, std::milli>(b - a).count());
        auto g = (*c)->Get(kConfigMaps, "load", name);
        auto d = Clock::now();
        if (!g.ok() || (*g)["data"]["k"] != name) {
          errors++;
          std::fprintf(stderr, "get %s: %s\n", name.c_str(), g.ok() ? "wrong data" : g.status().ToString().c_str());
          continue;
        }
        reads++;
        rl.push_back(std::chrono::duration<double, std::milli>(d - b).count());
      }
      std::lock_guard lock(lat_mu);
      write_lat.insert(write_lat.end(), wl.begin(), wl.end());
      read_lat.insert(read_lat.end(), rl.begin(), rl.end());
      created.insert(mine.begin(), mine.end());
    });
  }
  long rss_peak_load = 0;
  while (Clock::now() < deadline) {
    rss_peak_load = std::max(rss_peak_load, ProcStatusKb(server, "VmRSS:"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (auto& t : writers) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();

  // No lost write: the list has exactly what was acknowledged.
  auto list = (*probe)->List(kConfigMaps, "load");
  std::set<std::string> listed;
  if (list.ok()) {
    for (const auto& item : (*list)["items"]) listed.insert(item["metadata"]["name"].get<std::string>());
  }
  bool lost = !list.ok() || listed != created;
  // Watchers: each counts ADDED ConfigMaps in namespace "watch".
  std::vector<std::atomic<int64_t>> seen(static_cast<size_t>(watchers));
  std::vector<std::unique_ptr<kubepp::client::CancelToken>> cancels;
  std::vector<std::thread> watch_threads;
  std::atomic<int> watch_errors{0}, watches_started{0};
  auto watch_client = Client::New(*config);
  for (int64_t i = 0; i < watchers; ++i) {
    cancels.push_back(std::make_unique<kubepp::client::CancelToken>());
    watch_threads.emplace_back([&, i] {
      auto c = Client::New(*config);
      kubepp::client::ListOptions lo;
      lo.resource_version = "0";  // start from now: the namespace is empty
      lo.timeout_seconds = 3600;
      auto st = (*c)->WatchStream(
          kConfigMaps, "watch", lo, *cancels[static_cast<size_t>(i)],
          [&](kubepp::client::WatchEvent ev) {
            if (ev.type == kubepp::client::WatchEventType::kAdded) seen[static_cast<size_t>(i)]++;
            if (ev.type == kubepp::client::WatchEventType::kError) watch_errors++;
            return true;
          },
          [&] { watches_started++; });
      if (!st.ok() && !cancels[static_cast<size_t>(i)]->cancelled()) watch_errors++;
    });
  }
  while (watches_started < watchers && Clock::now() - start < std::chrono::seconds(120)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }

  auto w0 = Clock::now();
  std::atomic<int64_t> phase2_writes{0};
  {
    std::vector<std::thread> ws;
    for (int w = 0; w < 20; ++w) {
      ws.emplace_back([&, w] {
        auto c = Client::New(*config);
        for (int64_t i = w; i < events; i += 20) {
          json cm = {{"metadata", {{"name", "w-" + std::to_string(i)}}}, {"data", {{"k", "v"}}}};
          auto r = (*c)->Create(kConfigMaps, "watch", cm);
          if (r.ok()) {
            phase2_writes++;
          } else {
            errors++;
            std::fprintf(stderr, "create w-%lld: %s\n", static_cast<long long>(i), r.status().ToString().c_str());
          }
        }
      });
    }
    for (auto& t : ws) t.join();
  }
  double write2_s = std::chrono::duration<double>(Clock::now() - w0).count();
  int64_t total = phase2_writes.load();
  auto wait_until = Clock::now() + std::chrono::seconds(120);
  int64_t behind = 0;
  do {
    behind = 0;
    for (auto& x : seen) behind += x.load() < total ? 1 : 0;
    if (behind == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  } while (Clock::now() < wait_until);
  int64_t min_seen = total;
  for (auto& x : seen) min_seen = std::min<int64_t>(min_seen, x.load());
  double fanout_s = std::chrono::duration<double>(Clock::now() - w0).count();
  long rss_watch = ProcStatusKb(server, "VmRSS:");
  long rss_end = ProcStatusKb(server, "VmRSS:");
  for (auto& c : cancels) c->Cancel();
  for (auto& t : watch_threads) t.join();

  std::printf("apiserver load: %lld clients for %.0f s, then %lld watchers (kubepp server over HTTPS, sqlite store)\n",
              static_cast<long long>(clients), elapsed, static_cast<long long>(watchers));
  std::printf("  start-up to /readyz:  %.0f ms\n", startup_ms);
  std::printf("  writes (create):      %.0f /s   p50 %.2f ms   p99 %.2f ms\n", static_cast<double>(writes) / elapsed,
              Percentile(write_lat, 0.50), Percentile(write_lat, 0.99));
  std::printf("  reads (get):          %.0f /s   p50 %.2f ms   p99 %.2f ms\n", static_cast<double>(reads) / elapsed,
              Percentile(read_lat, 0.50), Percentile(read_lat, 0.99));
  std::printf("  watch fan-out:        %lld events x %lld watchers = %lld deliveries in %.1f s (%.0f /s; writes took %.1f s)\n",
              static_cast<long long>(total), static_cast<long long>(watchers),
              static_cast<long long>(total * watchers), fanout_s,
              static_cast<double>(total * watchers) / std::max(fanout_s, 1e-9), write2_s);
  std::printf("  server RSS:           %ld MiB idle, %ld MiB peak under write load, %ld MiB with %lld watchers, %ld MiB at the end\n",
              rss_idle / 1024, rss_peak_load / 1024, rss_watch / 1024, static_cast<long long>(watchers), rss_end / 1024);
  std::printf("  errors: %lld   lost writes: %s   watchers behind: %lld (min seen %lld of %lld)   watch errors: %d\n",
              static_cast<long long>(errors.load()), lost ? "YES" : "0", static_cast<long long>(behind),
              static_cast<long long>(min_seen), static_cast<long long>(total), watch_errors.load());
  cleanup();
  bool ok = errors == 0 && !lost && behind == 0 && watch_errors == 0 && writes > 0 && (watchers == 0 || total > 0);
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
