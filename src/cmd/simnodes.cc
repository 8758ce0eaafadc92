// `kubepp simnodes`: N simulated (hollow) nodes against any API server, for
// scale tests (simnode/simulated_nodes.h). Flags and wiring only; runs until
// SIGTERM/SIGINT, then stops cleanly.
#include <signal.h>

#include <cstdio>
#include <string>
#include <vector>

#include "client/kubeconfig.h"
#include "cmd/commands.h"
#include "cmd/stop_signals.h"
#include "common/flags.h"
#include "common/log.h"
#include "simnode/simulated_nodes.h"

namespace kubepp::cmd {

int RunSimnodes(const std::vector<std::string>& args) {
  simnode::SimulatedNodesOptions o;
  std::string kubeconfig, labels, taints, renew = "10s", heartbeat = "1m";
  int64_t count = 0, zones = 0, workers = o.pod_workers, lease_duration = o.lease_duration_seconds;
  bool delete_on_exit = false, no_pods = false;
  FlagSet flags("simnodes");
  flags.String("kubeconfig", &kubeconfig, "kubeconfig of the cluster to join (required)");
  flags.Int("count", &count, "number of simulated nodes (required)");
  flags.String("name-prefix", &o.name_prefix, "node names are <prefix>0 .. <prefix>N-1");
  flags.String("cpu", &o.cpu, "cpu capacity of each node");
  flags.String("memory", &o.memory, "memory capacity of each node");
  flags.String("pods", &o.pods, "pod capacity of each node");
  flags.String("ephemeral-storage", &o.ephemeral_storage, "ephemeral-storage capacity of each node");
  flags.String("labels", &labels, "extra node labels: k=v,k2=v2");
  flags.Int("zones", &zones,
            "spread topology.kubernetes.io/zone=zone-<i mod K> over K zones (0: no zone label)");
  flags.String("taints", &taints, "node taints: key[=value]:effect,...");
  flags.String("lease-renew-interval", &renew, "how often each node renews its Lease");
  flags.Int("lease-duration", &lease_duration, "leaseDurationSeconds of the node Leases");
  flags.String("heartbeat-interval", &heartbeat, "how often each node re-posts its Ready condition");
  flags.Int("workers", &workers, "concurrent pod status writers");
  flags.Bool("no-pods", &no_pods, "do not mark bound pods Running (graceful deletions are still finalized)");
  flags.Bool("delete-on-exit", &delete_on_exit, "delete the nodes and their Leases when stopping");
  if (Status s = flags.Parse(args); !s.ok()) {
    std::fprintf(stderr, "kubepp simnodes: %s\n", s.message().c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  auto usage_error = [](const std::string& m) {
    std::fprintf(stderr, "kubepp simnodes: %s\n", m.c_str());
    return 2;
  };
  if (!flags.positional().empty())
    return usage_error("unexpected argument \"" + flags.positional()[0] + "\"");
  if (kubeconfig.empty()) return usage_error("--kubeconfig is required");
  if (count < 1) return usage_error("--count must be at least 1");
  if (workers < 1 || workers > 1024) return usage_error("--workers must be between 1 and 1024");
  o.count = count;
  o.zones = zones;
  o.pod_workers = static_cast<int>(workers);
  o.node_workers = std::max(2, o.pod_workers / 8);
  o.lease_duration_seconds = lease_duration;
  o.mark_pods_running = !no_pods;
  o.delete_nodes_on_stop = delete_on_exit;
  auto l = simnode::ParseLabels(labels);
  if (!l.ok()) return usage_error("--labels: " + l.status().message());
  o.labels = *l;
  auto t = simnode::ParseTaints(taints);
  if (!t.ok()) return usage_error("--taints: " + t.status().message());
  o.taints = *t;
  auto r = simnode::ParseDuration(renew);
  if (!r.ok()) return usage_error("--lease-renew-interval: " + r.status().message());
  o.lease_renew_interval = *r;
  auto h = simnode::ParseDuration(heartbeat);
  if (!h.ok()) return usage_error("--heartbeat-interval: " + h.status().message());
  o.heartbeat_interval = *h;

  auto config = client::LoadRestConfig(kubeconfig);
  if (!config.ok()) {
    std::fprintf(stderr, "kubepp simnodes: --kubeconfig=%s: %s\n", kubeconfig.c_str(),
                 config.status().ToString().c_str());
    return 1;
  }
  config->user_agent = "kubepp-simnodes";

  // Before any thread starts: only the wait below sees the stop signals.
  StopSignals stop;
  signal(SIGPIPE, SIG_IGN);

  auto started = std::chrono::steady_clock::now();
  auto nodes = simnode::SimulatedNodes::Start(*config, o);
  if (!nodes.ok()) {
    Status s = nodes.status();
    std::fprintf(stderr, "kubepp simnodes: %s\n", s.ToString().c_str());
    return s.code() == StatusCode::kBadRequest ? 2 : 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  LogInfo("{} simulated nodes {}0..{}{} registered in {:.2f} s; Ctrl-C or SIGTERM stops them", count,
          o.name_prefix, o.name_prefix, count - 1, secs);
  int sig = stop.Wait();
  LogInfo("received {}, stopping{}", SignalName(sig),
          delete_on_exit ? " and deleting the nodes" : "");
  (*nodes)->Stop();
  auto st = (*nodes)->stats();
  LogInfo("stopped: {} pods marked Running, {} finalized, {} lease renewals, {} heartbeats, {} write errors",
          st.pods_marked_running, st.pods_finalized, st.leases_renewed, st.heartbeats, st.write_errors);
  return 0;
}

}  // namespace kubepp::cmd
