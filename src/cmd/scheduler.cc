// `kubepp scheduler`: the scheduler alone, against any API server
// (ARCHITECTURE.md §1). Flags and wiring only; see scheduler/app.h.
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "cmd/commands.h"
#include "cmd/stop_signals.h"
#include "common/flags.h"
#include "common/log.h"
#include "scheduler/app.h"

namespace kubepp::cmd {

int RunScheduler(const std::vector<std::string>& args) {
  std::string kubeconfig;
  std::string config;
  bool leader_elect = true;
  FlagSet flags("scheduler");
  flags.String("kubeconfig", &kubeconfig, "kubeconfig of the API server to schedule for");
  flags.String("config", &config, "KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1)");
  flags.Bool("leader-elect", &leader_elect,
             "take the kube-system/kube-scheduler Lease before scheduling (one active scheduler per cluster)");
  if (Status s = flags.Parse(args); !s.ok()) {
    std::fprintf(stderr, "kubepp scheduler: %s\n", s.message().c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (!flags.positional().empty()) {
    std::fprintf(stderr, "kubepp scheduler: unexpected argument \"%s\"\n", flags.positional()[0].c_str());
    return 2;
  }
  StopSignals stop;  // before any thread starts

  scheduler::AppOptions o;
  o.kubeconfig = kubeconfig;
  o.config_file = config;
  // The flag overrides the file's leaderElection.leaderElect only when given.
  bool given = false;
  for (const auto& a : args) given = given || a.rfind("--leader-elect", 0) == 0;
  if (given || config.empty()) o.leader_elect = leader_elect;
  auto app = scheduler::SchedulerApp::Start(o);
  if (!app.ok()) {
    std::fprintf(stderr, "kubepp scheduler: %s\n", app.status().message().c_str());
    return 1;
  }
  LogInfo("scheduler started");
  // A stop signal, or lost leadership (the process ends so a supervisor restarts it).
  int sig = stop.Wait([&] { return (*app)->lost(); });
  if (sig != 0) LogInfo("received {}, stopping", SignalName(sig));
  (*app)->Stop();
  return sig != 0 ? 0 : 1;
}

}  // namespace kubepp::cmd
