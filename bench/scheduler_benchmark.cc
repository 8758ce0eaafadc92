// The scheduler under upstream's scheduler_perf "SchedulingBasic" workload,
// through a real API server:
//
//   for each phase (default 10,000 then 50,000 measured pods, each on a
//   fresh cluster as upstream runs each workload):
//     1. `kubepp server --disable-scheduler --disable-agent
//        --disable-controller-manager` (temp data dir, port 0);
//     2. --nodes simulated nodes in this process (simnode::SimulatedNodes),
//        shaped like scheduler_perf's node-default.yaml (cpu 4, memory 32Gi,
//        pods 110); they keep Leases fresh and mark bound pods Running;
//     3. `kubepp scheduler --kubeconfig <dir>/kubeconfig.yaml` as its own
//        process, so its CPU time and peak RSS come from /proc/<pid>;
//     4. --init-pods pods (1,000 / 5,000 as upstream), waited for until all
//        are bound (also the warm-up: the scheduler has synced by then);
//     5. the measured pods, shaped like pod-default.yaml (one pause
//        container, requests = limits = cpu 100m, memory 500Mi), created by
//        --create-clients concurrent clients; the simulated nodes' pods
//        watch counts binds.
//   It prints pods scheduled per second from the first create to the last
//   bind, the create rate alone, the scheduler's and the API server's CPU
//   seconds (user+sys) and peak RSS (VmHWM), and how fast the simulated
//   nodes marked the pods Running.
//
//   build/bench/scheduler_benchmark [--nodes 5000] [--pods 10000,50000] [--init-pods 1000,5000]
//       [--create-clients 64] [--scheduler-config F] [--kubepp build/kubepp]
//
// Upstream's CI threshold for these workloads (5000Nodes_10000Pods and
// 5000Nodes_50000Pods) is 680 and 810 pods/s.
//
// --create-only creates the pods with no scheduler and no binder and prints
// only the create rate: the ceiling the API server and this harness put on
// the scheduled-pods figure on this machine.
//
// --self-bind is a DEBUGGING AID, NOT THE SCHEDULER: no `kubepp scheduler`
// is started and this process binds every pending pod round-robin to the
// simulated nodes itself, to measure the harness (node registration, pod
// creation, the bind path and Running marking) without a scheduler.
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "proc_stats.h"
#include "client/client.h"
#include "client/kubeconfig.h"
#include "common/flags.h"
#include "simnode/simulated_nodes.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
namespace fs = std::filesystem;
using kubepp::Status;
using kubepp::client::Client;
using kubepp::client::GroupVersionResource;

const GroupVersionResource kPods{"", "v1", "pods"};
const GroupVersionResource kNamespaces{"", "v1", "namespaces"};

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

using kubepp::bench::ProcCpuSeconds;
using kubepp::bench::ProcStatusKb;

std::vector<int64_t> ParseList(const std::string& s, const char* flag, bool* ok) {
  std::vector<int64_t> out;
  std::stringstream in(s);
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    long long v = std::strtoll(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 0) {
      std::fprintf(stderr, "--%s: \"%s\" is not a list of counts like 10000,50000\n", flag, s.c_str());
      *ok = false;
      return {};
    }
    out.push_back(v);
  }
  return out;
}

// A child process with its output in a log file; killed (SIGTERM, then
// SIGKILL) and reaped on Stop or destruction.
class Child {
 public:
  Child(const std::vector<std::string>& argv, const std::string& log) : log_(log) {
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
      dup2(fd, 1);
      dup2(fd, 2);
      std::vector<char*> args;
      for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
  }
  ~Child() { Stop(); }
  pid_t pid() const { return pid_; }
  // True while the process runs (false once it exited by itself).
  bool Running() {
    if (pid_ <= 0) return false;
    int st = 0;
    if (waitpid(pid_, &st, WNOHANG) == pid_) {
      exited_ = true;
      status_ = st;
      pid_ = -1;
      return false;
    }
    return true;
  }
  void Stop() {
    if (pid_ <= 0) return;
    kill(pid_, SIGTERM);
    for (int i = 0; i < 200; ++i) {
      if (!Running()) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    kill(pid_, SIGKILL);
    waitpid(pid_, &status_, 0);
    pid_ = -1;
  }
  std::string LogTail(size_t bytes = 3000) const {
    std::ifstream in(log_);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    return text.size() > bytes ? text.substr(text.size() - bytes) : text;
  }
  bool exited() const { return exited_; }
  int status() const { return status_; }

 private:
  pid_t pid_ = -1;
  std::string log_;
  bool exited_ = false;
  int status_ = 0;
};

// Counts pods (per namespace) as the simulated nodes first see them bound
// (their one pods watch; a second watch here would double the decoding cost
// in this process, which shares the machine with the server and scheduler).
class BindCounter {
 public:
  void OnBound(std::string_view ns) {
    std::lock_guard<std::mutex> lock(mu_);
    counts_[std::string(ns)]++;
    last_bind_ = Clock::now();
  }
  int64_t Bound(const std::string& ns) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = counts_.find(ns);
    return it == counts_.end() ? 0 : it->second;
  }
  Clock::time_point LastBind() {
    std::lock_guard<std::mutex> lock(mu_);
    return last_bind_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, int64_t> counts_;  // guarded by mu_
  Clock::time_point last_bind_{};          // guarded by mu_
};

// --self-bind only (NOT the scheduler): binds every pending pod round-robin
// to the simulated nodes, from a watch of unbound pods and `threads` binders.
class SelfBinder {
 public:
  SelfBinder(Client& client, std::vector<std::string> nodes, int threads, std::string from_rv)
      : client_(client), nodes_(std::move(nodes)), rv_(std::move(from_rv)) {
    watch_ = std::thread([this] { Watch(); });
    for (int i = 0; i < threads; ++i) binders_.emplace_back([this] { Bind(); });
  }
  ~SelfBinder() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stopping_ = true;
      if (cancel_) cancel_->Cancel();
    }
    cv_.notify_all();
    watch_.join();
    for (auto& t : binders_) t.join();
  }
  int64_t errors() const { return errors_.load(); }

 private:
  void Watch() {
    while (true) {
      kubepp::client::CancelToken cancel;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (stopping_) return;
        cancel_ = &cancel;
      }
      kubepp::client::ListOptions lo;
      lo.field_selector = "spec.nodeName=";
      lo.resource_version = rv_;
      lo.timeout_seconds = 3600;
      Status s = client_.WatchStream(kPods, "", lo, cancel, [&](kubepp::client::WatchEvent ev) {
        if (!ev.object || ev.type == kubepp::client::WatchEventType::kError) return ev.object != nullptr;
        const json& meta = (*ev.object)["metadata"];
        if (meta.contains("resourceVersion")) rv_ = meta["resourceVersion"].get<std::string>();
        if (ev.type != kubepp::client::WatchEventType::kAdded) return true;
        std::lock_guard<std::mutex> lock(mu_);
        pending_.emplace_back(meta.value("namespace", ""), meta.value("name", ""));
        cv_.notify_one();
        return true;
      });
      {
        std::lock_guard<std::mutex> lock(mu_);
        cancel_ = nullptr;
        if (stopping_) return;
      }
      if (!s.ok()) std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
  }
  void Bind() {
    while (true) {
      std::pair<std::string, std::string> pod;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !pending_.empty(); });
        if (stopping_) return;
        pod = std::move(pending_.front());
        pending_.pop_front();
      }
      const std::string& node = nodes_[next_++ % nodes_.size()];
      json binding = {{"apiVersion", "v1"},
                      {"kind", "Binding"},
                      {"metadata", {{"name", pod.second}, {"namespace", pod.first}}},
                      {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
      auto r = client_.Create(kPods, pod.first, binding, {.subresource = "binding"});
      if (!r.ok() && errors_++ < 10)
        std::fprintf(stderr, "self-bind %s: %s\n", pod.second.c_str(), r.status().ToString().c_str());
    }
  }

  Client& client_;
  const std::vector<std::string> nodes_;
  std::string rv_;
  std::atomic<uint64_t> next_{0};
  std::atomic<int64_t> errors_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;
  kubepp::client::CancelToken* cancel_ = nullptr;
  std::deque<std::pair<std::string, std::string>> pending_;
  std::thread watch_;
  std::vector<std::thread> binders_;
};

json PodDefault(const std::string& ns, const std::string& name) {
  // scheduler_perf's templates/pod-default.yaml, with a fixed name.
  json resources = {{"cpu", "100m"}, {"memory", "500Mi"}};
  return json{
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata", {{"name", name}, {"namespace", ns}}},
      {"spec",
       {{"containers", json::array({{{"image", "registry.k8s.io/pause:3.10.1"},
                                     {"name", "pause"},
                                     {"ports", json::array({{{"containerPort", 80}}})},
                                     {"resources", {{"limits", resources}, {"requests", resources}}}}})}}}};
}

// Creates `count` pods in `ns` from `clients` threads; returns the errors.
// With `prebind_prefix`, pod i gets spec.nodeName <prefix><i mod nodes> (created bound).
int64_t CreatePods(Client& client, const std::string& ns, int64_t count, int clients,
                   const std::string& prebind_prefix = "", int64_t nodes = 1) {
  std::atomic<int64_t> next{0}, errors{0};
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c) {
    threads.emplace_back([&] {
      for (int64_t i = next++; i < count; i = next++) {
        json pod = PodDefault(ns, "pod-" + std::to_string(i));
        if (!prebind_prefix.empty()) pod["spec"]["nodeName"] = prebind_prefix + std::to_string(i % nodes);
        auto r = client.Create(kPods, ns, pod);
        if (!r.ok() && errors++ < 10) {
          std::fprintf(stderr, "create %s/pod-%lld: %s\n", ns.c_str(), static_cast<long long>(i),
                       r.status().ToString().c_str());
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  return errors.load();
}

struct Flags {
  int64_t nodes = 5000;
  std::string pods = "10000,50000";
  std::string init_pods = "1000,5000";
  int64_t create_clients = 64;
  int64_t sim_workers = 32;
  int64_t timeout = 900;
  std::string binary = KUBEPP_BINARY;
  std::string scheduler_config;
  bool self_bind = false;
  bool create_only = false;
  bool marking_only = false;
  std::string lease_renew_interval = "10s";
  bool mark_running = true;
};

// One phase on a fresh cluster; false on any failure.
bool RunPhase(const Flags& f, int64_t init_pods, int64_t pods) {
  char tmpl[] = "/tmp/kubepp-sched-bench-XXXXXX";
  if (!mkdtemp(tmpl)) return false;
  struct Cleanup {
    std::string dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{tmpl};
  std::string data = std::string(tmpl) + "/data";
  std::string kubeconfig = data + "/kubeconfig.yaml";
  auto phase_start = Clock::now();
  Child server({f.binary, "server", "--disable-scheduler", "--disable-agent", "--disable-controller-manager",
                "--data-dir", data, "--https-listen-port", "0"},
               std::string(tmpl) + "/server.log");
  auto fail = [&](const std::string& what, Child* child) {
    std::fprintf(stderr, "FAIL: %s\n", what.c_str());
    if (child) std::fprintf(stderr, "--- log tail ---\n%s\n---\n", child->LogTail().c_str());
    return false;
  };
  while (!fs::exists(kubeconfig)) {
    if (!server.Running()) return fail("the server exited", &server);
    if (Clock::now() - phase_start > std::chrono::seconds(60))
      return fail("the server did not become ready", &server);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  auto config = kubepp::client::LoadRestConfig(kubeconfig);
  if (!config.ok()) return fail("kubeconfig: " + config.status().ToString(), &server);
  config->max_idle_connections = static_cast<int>(f.create_clients) + 16;
  config->user_agent = "scheduler-benchmark";
  auto client_or = Client::New(*config);
  if (!client_or.ok()) return fail("client: " + client_or.status().ToString(), nullptr);
  Client& client = **client_or;
  for (const char* ns : {"init", "measure"}) {
    auto r = client.Create(kNamespaces, "", json{{"metadata", {{"name", ns}}}});
    if (!r.ok()) return fail(std::string("namespace ") + ns + ": " + r.status().ToString(), &server);
  }

  // Nodes shaped like scheduler_perf's node-default.yaml.
  kubepp::simnode::SimulatedNodesOptions so;
  so.count = f.nodes;
  so.name_prefix = "scheduler-perf-";
  so.cpu = "4";
  so.memory = "32Gi";
  so.pods = "110";
  so.pod_workers = static_cast<int>(f.sim_workers);
  so.node_workers = std::max(2, so.pod_workers / 8);
  so.mark_pods_running = f.mark_running;
  auto renew = kubepp::simnode::ParseDuration(f.lease_renew_interval);
  if (!renew.ok()) return fail("--lease-renew-interval: " + renew.status().message(), nullptr);
  so.lease_renew_interval = *renew;
  if (f.marking_only) {
    auto t = Clock::now();
    int64_t errors =
        CreatePods(client, "measure", pods, static_cast<int>(f.create_clients), so.name_prefix, f.nodes);
    if (errors > 0) return fail(std::to_string(errors) + " pod creations failed", &server);
    std::printf("  %lld pods created already bound in %.2f s (%.0f pods/s)\n", static_cast<long long>(pods),
                Seconds(Clock::now() - t), static_cast<double>(pods) / Seconds(Clock::now() - t));
    auto reg = Clock::now();
    auto sim = kubepp::simnode::SimulatedNodes::Start(*config, so);
    if (!sim.ok()) return fail("simulated nodes: " + sim.status().ToString(), &server);
    auto t0 = Clock::now();
    std::printf("  %lld simulated nodes registered in %.2f s\n", static_cast<long long>(f.nodes),
                Seconds(t0 - reg));
    auto deadline = t0 + std::chrono::seconds(f.timeout);
    while ((*sim)->stats().pods_marked_running < pods && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    double secs = Seconds(Clock::now() - t0);
    auto st = (*sim)->stats();
    std::printf(
        "  %lld of %lld pods marked Running in %.2f s: %.0f pods/s (%lld workers, %lld write errors)\n",
        static_cast<long long>(st.pods_marked_running), static_cast<long long>(pods), secs,
        static_cast<double>(st.pods_marked_running) / secs, static_cast<long long>(f.sim_workers),
        static_cast<long long>(st.write_errors));
    std::printf("  apiserver:  %.2f CPU s total, peak RSS %ld MiB\n", ProcCpuSeconds(server.pid()),
                ProcStatusKb(server.pid(), "VmHWM:") / 1024);
    return st.pods_marked_running >= pods;
  }
  BindCounter binds;
  so.on_pod_bound = [&binds](std::string_view ns, std::string_view, std::string_view) { binds.OnBound(ns); };
  auto reg_start = Clock::now();
  auto nodes = kubepp::simnode::SimulatedNodes::Start(*config, so);
  if (!nodes.ok()) return fail("simulated nodes: " + nodes.status().ToString(), &server);
  double reg_s = Seconds(Clock::now() - reg_start);
  std::printf("  %lld simulated nodes registered (with Leases) in %.2f s (%.0f nodes/s)\n",
              static_cast<long long>(f.nodes), reg_s, static_cast<double>(f.nodes) / reg_s);

  auto list = client.List(kPods, "", {.limit = 1});
  if (!list.ok()) return fail("list pods: " + list.status().ToString(), &server);
  std::string rv = (*list)["metadata"].value("resourceVersion", "");

  std::unique_ptr<Child> scheduler;
  std::unique_ptr<SelfBinder> self_binder;
  if (f.create_only) {
    for (const auto& [ns, n] : {std::pair<std::string, int64_t>{"init", init_pods}, {"measure", pods}}) {
      if (n == 0) continue;
      auto t = Clock::now();
      int64_t errors = CreatePods(client, ns, n, static_cast<int>(f.create_clients));
      double secs = Seconds(Clock::now() - t);
      if (errors > 0) return fail(std::to_string(errors) + " pod creations failed", &server);
      std::printf("  %lld pods created in %s in %.2f s: %.0f pods/s (%lld clients, no scheduler)\n",
                  static_cast<long long>(n), ns.c_str(), secs, static_cast<double>(n) / secs,
                  static_cast<long long>(f.create_clients));
    }
    std::printf("  apiserver:  %.2f CPU s total, peak RSS %ld MiB\n", ProcCpuSeconds(server.pid()),
                ProcStatusKb(server.pid(), "VmHWM:") / 1024);
    return true;
  }
  if (f.self_bind) {
    self_binder = std::make_unique<SelfBinder>(client, (*nodes)->node_names(), 16, rv);
  } else {
    std::vector<std::string> argv = {f.binary, "scheduler", "--kubeconfig", kubeconfig};
    if (!f.scheduler_config.empty()) {
      argv.push_back("--config");
      argv.push_back(f.scheduler_config);
    }
    scheduler = std::make_unique<Child>(argv, std::string(tmpl) + "/scheduler.log");
  }
  auto scheduler_alive = [&] { return !scheduler || scheduler->Running(); };
  auto wait_bound = [&](const std::string& ns, int64_t want) {
    auto deadline = Clock::now() + std::chrono::seconds(f.timeout);
    while (binds.Bound(ns) < want) {
      if (!scheduler_alive()) return fail("the scheduler exited", scheduler.get());
      if (Clock::now() > deadline) {
        return fail("only " + std::to_string(binds.Bound(ns)) + " of " + std::to_string(want) + " pods in " +
                        ns + " bound after " + std::to_string(f.timeout) + " s",
                    scheduler.get());
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
  };
  if (init_pods > 0) {
    auto t = Clock::now();
    if (CreatePods(client, "init", init_pods, static_cast<int>(f.create_clients)) > 0) {
      return fail("creating the initial pods failed", &server);
    }
    if (!wait_bound("init", init_pods)) return false;
    std::printf("  %lld initial pods created and bound in %.2f s (not measured)\n",
                static_cast<long long>(init_pods), Seconds(Clock::now() - t));
  }
  if (!scheduler_alive()) return fail("the scheduler exited", scheduler.get());

  pid_t sched_pid = scheduler ? scheduler->pid() : 0;
  double sched_cpu0 = scheduler ? ProcCpuSeconds(sched_pid) : 0;
  double api_cpu0 = ProcCpuSeconds(server.pid());
  int64_t running0 = (*nodes)->stats().pods_marked_running;

  auto t0 = Clock::now();
  int64_t create_errors = CreatePods(client, "measure", pods, static_cast<int>(f.create_clients));
  auto t_created = Clock::now();
  if (create_errors > 0) return fail(std::to_string(create_errors) + " pod creations failed", &server);
  if (!wait_bound("measure", pods)) return false;
  auto t_bound = binds.LastBind();
  double sched_cpu = scheduler ? ProcCpuSeconds(sched_pid) - sched_cpu0 : 0;
  double api_cpu = ProcCpuSeconds(server.pid()) - api_cpu0;

  // Running marking: until every measured (and initial) pod is Running.
  double running_s = -1;
  if (f.mark_running) {
    auto deadline = Clock::now() + std::chrono::seconds(f.timeout);
    while ((*nodes)->stats().pods_marked_running - running0 < pods && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if ((*nodes)->stats().pods_marked_running - running0 >= pods) running_s = Seconds(Clock::now() - t0);
  }

  double create_s = Seconds(t_created - t0);
  double bind_s = Seconds(t_bound - t0);
  std::printf("  %lld measured pods: created in %.2f s (%.0f pods/s create rate, %lld clients)\n",
              static_cast<long long>(pods), create_s, static_cast<double>(pods) / create_s,
              static_cast<long long>(f.create_clients));
  std::printf("  SCHEDULED %.0f pods/s  (%lld pods, first create to last bind %.2f s)%s\n",
              static_cast<double>(pods) / bind_s, static_cast<long long>(pods), bind_s,
              f.self_bind ? "  [--self-bind: NOT the scheduler]" : "");
  if (running_s > 0) {
    std::printf("  all marked Running by the simulated nodes %.2f s after the first create (%.0f pods/s)\n",
                running_s, static_cast<double>(pods) / running_s);
  } else if (f.mark_running) {
    std::printf("  NOT all pods marked Running within %lld s\n", static_cast<long long>(f.timeout));
  }
  if (scheduler) {
    std::printf("  scheduler:  %.2f CPU s during the measured phase (%.2f CPU s total), peak RSS %ld MiB\n",
                sched_cpu, ProcCpuSeconds(sched_pid), ProcStatusKb(sched_pid, "VmHWM:") / 1024);
  }
  std::printf("  apiserver:  %.2f CPU s during the measured phase (%.2f CPU s total), peak RSS %ld MiB\n",
              api_cpu, ProcCpuSeconds(server.pid()), ProcStatusKb(server.pid(), "VmHWM:") / 1024);
  auto st = (*nodes)->stats();
  std::printf("  simnodes:   %lld pods marked Running, %lld lease renewals, %lld write errors\n",
              static_cast<long long>(st.pods_marked_running), static_cast<long long>(st.leases_renewed),
              static_cast<long long>(st.write_errors));
  self_binder.reset();
  (*nodes)->Stop();
  if (scheduler) scheduler->Stop();
  server.Stop();
  return !f.mark_running || running_s > 0;
}

}  // namespace

int main(int argc, char** argv) {
  Flags f;
  kubepp::FlagSet flags("scheduler_benchmark");
  flags.Int("nodes", &f.nodes, "simulated nodes (scheduler_perf node-default shape)");
  flags.String("pods", &f.pods, "measured pods per phase, comma-separated (one fresh cluster per phase)");
  flags.String("init-pods", &f.init_pods, "pods created and bound before each phase's measurement");
  flags.Int("create-clients", &f.create_clients, "concurrent pod creators");
  flags.Int("sim-workers", &f.sim_workers, "concurrent status writers of the simulated nodes");
  flags.Int("timeout", &f.timeout, "seconds to wait for all binds of one step");
  flags.String("kubepp", &f.binary, "the kubepp binary");
  flags.String("scheduler-config", &f.scheduler_config, "KubeSchedulerConfiguration file for the scheduler");
  flags.Bool("self-bind", &f.self_bind,
             "DEBUG: run no scheduler; this process binds pods round-robin itself (NOT a scheduler figure)");
  flags.Bool("create-only", &f.create_only, "no scheduler or binder: only measure the pod create rate");
  flags.Bool("marking-only", &f.marking_only,
             "no scheduler: create the measured pods already bound, then start the simulated nodes and time "
             "how fast they mark them Running");
  flags.String("lease-renew-interval", &f.lease_renew_interval,
               "simulated nodes' Lease renewal interval (kubelet default 10s; 5,000 nodes: 500 writes/s)");
  flags.Bool("mark-running", &f.mark_running, "simulated nodes mark bound pods Running (as kubelets would)");
  std::vector<std::string> args(argv + 1, argv + argc);
  if (auto s = flags.Parse(args); !s.ok()) {
    std::fprintf(stderr, "%s\n", s.message().c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  bool ok = true;
  auto pods = ParseList(f.pods, "pods", &ok);
  auto init = ParseList(f.init_pods, "init-pods", &ok);
  if (!ok) return 2;
  if (f.nodes < 1 || f.create_clients < 1 || f.sim_workers < 1 || pods.empty()) {
    std::fprintf(stderr, "--nodes, --create-clients, --sim-workers and --pods must be positive\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, nullptr, _IOLBF, 0);  // progress lines interleave with stderr in order
  for (size_t i = 0; i < pods.size(); ++i) {
    int64_t init_pods = init.empty() ? 0 : init[std::min(i, init.size() - 1)];
    std::printf("SchedulingBasic: %lld nodes, %lld initial pods, %lld measured pods%s\n",
                static_cast<long long>(f.nodes), static_cast<long long>(init_pods),
                static_cast<long long>(pods[i]), f.self_bind ? " -- SELF-BIND DEBUG MODE, no scheduler" : "");
    std::fflush(stdout);
    if (!RunPhase(f, init_pods, pods[i])) {
      std::printf("FAIL\n");
      return 1;
    }
    std::fflush(stdout);
  }
  std::printf("PASS\n");
  return 0;
}
