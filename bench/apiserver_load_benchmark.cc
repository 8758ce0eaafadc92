// Load on a real `kubepp server` over HTTPS: N concurrent clients create and
// read ConfigMaps for a while, and M watchers must each receive every
// creation. Prints writes/s, reads/s, latency percentiles, the server's RSS
// and its start-up time to /readyz; exits non-zero on any error, lost write
// or missed event (so it doubles as a test: see bench/CMakeLists.txt).
//
//   build/bench/apiserver_load_benchmark [--clients 200] [--watchers 1000] [--seconds 60]
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

#include "client/client.h"
#include "client/kubeconfig.h"
#include "common/flags.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
namespace fs = std::filesystem;
using kubepp::client::Client;

const kubepp::client::GroupVersionResource kConfigMaps{"", "v1", "configmaps"};

long RssKb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::strtol(line.c_str() + std::strlen(field), nullptr, 10);
  }
  return -1;
}

double Percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1));
  std::nth_element(v.begin(), v.begin() + static_cast<long>(i), v.end());
  return v[i];
}

}  // namespace

int main(int argc, char** argv) {
  int64_t clients = 200, watchers = 1000, seconds = 60;
  std::string binary = KUBEPP_BINARY;
  kubepp::FlagSet flags("apiserver_load_benchmark");
  flags.Int("clients", &clients, "concurrent writer/reader clients");
  flags.Int("watchers", &watchers, "concurrent watches that must see every write");
  flags.Int("seconds", &seconds, "how long the clients write");
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
  long rss_idle = RssKb(server, "VmRSS:");
  (void)(*probe)->Create({"", "v1", "namespaces"}, "", json{{"metadata", {{"name", "load"}}}});

  // Watchers: each counts ADDED ConfigMaps in namespace "load".
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
          kConfigMaps, "load", lo, *cancels[static_cast<size_t>(i)],
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
    rss_peak_load = std::max(rss_peak_load, RssKb(server, "VmRSS:"));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (auto& t : writers) t.join();
  double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();

  // Every watcher must see every write.
  int64_t total = writes.load();
  auto wait_until = Clock::now() + std::chrono::seconds(60);
  int64_t behind = 0;
  do {
    behind = 0;
    for (auto& s : seen) behind += s.load() < total ? 1 : 0;
    if (behind == 0) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  } while (Clock::now() < wait_until);
  int64_t min_seen = total;
  for (auto& s : seen) min_seen = std::min<int64_t>(min_seen, s.load());
  double fanout_s = std::chrono::duration<double>(Clock::now() - t0).count() - elapsed;

  // No lost write: the list has exactly what was acknowledged.
  auto list = (*probe)->List(kConfigMaps, "load");
  std::set<std::string> listed;
  if (list.ok()) {
    for (const auto& item : (*list)["items"]) listed.insert(item["metadata"]["name"].get<std::string>());
  }
  bool lost = !list.ok() || listed != created;
  long rss_end = RssKb(server, "VmRSS:");
  for (auto& c : cancels) c->Cancel();
  for (auto& t : watch_threads) t.join();

  std::printf("apiserver load: %lld clients, %lld watchers, %.0f s (kubepp server over HTTPS, sqlite store)\n",
              static_cast<long long>(clients), static_cast<long long>(watchers), elapsed);
  std::printf("  start-up to /readyz:  %.0f ms\n", startup_ms);
  std::printf("  writes (create):      %.0f /s   p50 %.2f ms   p99 %.2f ms\n", static_cast<double>(writes) / elapsed,
              Percentile(write_lat, 0.50), Percentile(write_lat, 0.99));
  std::printf("  reads (get):          %.0f /s   p50 %.2f ms   p99 %.2f ms\n", static_cast<double>(reads) / elapsed,
              Percentile(read_lat, 0.50), Percentile(read_lat, 0.99));
  std::printf("  watch fan-out:        %lld events x %lld watchers = %lld deliveries; all seen %.1f s after the last write\n",
              static_cast<long long>(total), static_cast<long long>(watchers),
              static_cast<long long>(total * watchers), fanout_s);
  std::printf("  server RSS:           %ld MiB idle, %ld MiB peak under load, %ld MiB at the end\n", rss_idle / 1024,
              rss_peak_load / 1024, rss_end / 1024);
  std::printf("  errors: %lld   lost writes: %s   watchers behind: %lld (min seen %lld of %lld)   watch errors: %d\n",
              static_cast<long long>(errors.load()), lost ? "YES" : "0", static_cast<long long>(behind),
              static_cast<long long>(min_seen), static_cast<long long>(total), watch_errors.load());
  cleanup();
  bool ok = errors == 0 && !lost && behind == 0 && watch_errors == 0 && total > 0;
  std::printf("%s\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
