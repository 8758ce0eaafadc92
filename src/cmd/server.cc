// `kubepp server`: flags and wiring of the control plane (ARCHITECTURE.md §1).
//
// Today it runs the datastore, the API server and the scheduler; the
// controller manager and agent arrive with their issues (it says so on start). It stops
// cleanly on SIGTERM/SIGINT.
#include <signal.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

#include "apiserver/server/apiserver.h"
#include "cmd/commands.h"
#include "cmd/stop_signals.h"
#include "scheduler/app.h"
#include "common/flags.h"
#include "common/log.h"
#include "storage/sqlite/sqlite_store.h"

namespace kubepp::cmd {

struct ServerOptions {
  std::string data_dir = "/var/lib/kubepp";
  int64_t https_listen_port = 6443;
  std::string bind_address = "127.0.0.1";
  std::string cluster_cidr = "10.42.0.0/16";
  std::string service_cidr = "10.43.0.0/16";
  std::string cluster_dns = "10.43.0.10";
  std::string datastore_endpoint = "sqlite";
  std::string token_auth_file;
  int64_t min_request_timeout = 1800;
  int64_t watch_cache_size = 100000;
  bool disable_agent = false;
  bool disable_scheduler = false;
  bool disable_controller_manager = false;
};

int RunServer(const std::vector<std::string>& args) {
  ServerOptions o;
  FlagSet flags("server");
  flags.String("data-dir", &o.data_dir, "folder for the datastore, certificates and node state");
  flags.Int("https-listen-port", &o.https_listen_port, "HTTPS port of the API server");
  flags.String("bind-address", &o.bind_address, "address the API server listens on");
  flags.String("cluster-cidr", &o.cluster_cidr, "pod network range");
  flags.String("service-cidr", &o.service_cidr, "service ClusterIP range");
  flags.String("cluster-dns", &o.cluster_dns, "cluster DNS service IP");
  flags.String("datastore-endpoint", &o.datastore_endpoint,
               "\"sqlite\" (a file in the data dir) or etcd://host:port[,host:port...]");
  flags.String("token-auth-file", &o.token_auth_file,
               "CSV file of bearer tokens (token,user,uid,\"group1,group2\"), re-read when it changes");
  flags.Int("min-request-timeout", &o.min_request_timeout,
            "seconds a watch lasts at least (ends randomly between this and twice this)");
  flags.Int("watch-cache-size", &o.watch_cache_size, "events kept for resuming watches");
  flags.Bool("disable-agent", &o.disable_agent, "do not run a kubelet and proxy for this node");
  flags.Bool("disable-scheduler", &o.disable_scheduler, "do not run the scheduler");
  flags.Bool("disable-controller-manager", &o.disable_controller_manager,
             "do not run the controller manager");
  if (Status s = flags.Parse(args); !s.ok()) {
    std::fprintf(stderr, "kubepp server: %s\n", s.message().c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  if (!flags.positional().empty()) {
    std::fprintf(stderr, "kubepp server: unexpected argument \"%s\"\n", flags.positional()[0].c_str());
    return 2;
  }
  if (o.https_listen_port < 0 || o.https_listen_port > 65535) {
    std::fprintf(stderr, "kubepp server: --https-listen-port must be between 0 (any free port) and 65535, got %lld\n",
                 static_cast<long long>(o.https_listen_port));
    return 2;
  }
  if (o.datastore_endpoint != "sqlite") {
    std::fprintf(stderr,
                 "kubepp server: --datastore-endpoint=%s: only \"sqlite\" is available in this build "
                 "(the etcd datastore is not implemented yet)\n",
                 o.datastore_endpoint.c_str());
    return 2;
  }

  std::error_code ec;
  std::filesystem::path db_dir = std::filesystem::path(o.data_dir) / "db";
  std::filesystem::create_directories(db_dir, ec);
  if (ec) {
    std::fprintf(stderr, "kubepp server: --data-dir=%s: cannot create %s: %s\n", o.data_dir.c_str(),
                 db_dir.c_str(), ec.message().c_str());
    return 1;
  }
  ::chmod(o.data_dir.c_str(), 0700);

  // Before any thread starts: only the wait below sees the stop signals.
  StopSignals stop;

  storage::SqliteOptions store_options;
  store_options.path = (db_dir / "state.db").string();
  auto store = storage::OpenSqliteStore(store_options);
  if (!store.ok()) {
    std::fprintf(stderr, "kubepp server: datastore %s: %s\n", store_options.path.c_str(),
                 store.status().ToString().c_str());
    return 1;
  }
  LogInfo("datastore sqlite at {} open, revision {}", store_options.path, (*store)->CurrentRevision());
  if (o.min_request_timeout < 1) {
    std::fprintf(stderr, "kubepp server: --min-request-timeout must be at least 1, got %lld\n",
                 static_cast<long long>(o.min_request_timeout));
    return 2;
  }
  if (o.watch_cache_size < 1) {
    std::fprintf(stderr, "kubepp server: --watch-cache-size must be at least 1, got %lld\n",
                 static_cast<long long>(o.watch_cache_size));
    return 2;
  }
  apiserver::ApiServerOptions api_options;
  api_options.min_request_timeout = std::chrono::seconds(o.min_request_timeout);
  api_options.watch_cache_size = static_cast<size_t>(o.watch_cache_size);
  api_options.data_dir = o.data_dir;
  api_options.bind_address = o.bind_address;
  api_options.port = static_cast<uint16_t>(o.https_listen_port);
  api_options.service_cidr = o.service_cidr;
  api_options.token_auth_file = o.token_auth_file;
  auto api = apiserver::ApiServer::Start(api_options, **store);
  if (!api.ok()) {
    std::fprintf(stderr, "kubepp server: API server: %s\n", api.status().ToString().c_str());
    return 1;
  }
  LogInfo("API server ready at https://{}:{}; admin kubeconfig: {}", o.bind_address, (*api)->port(),
          (*api)->kubeconfig_path());
  // These flags belong to components that do not exist yet: say so rather
  // than accept them silently.
  const ServerOptions defaults;
  std::string inert;
  auto note = [&](bool set, const char* name) {
    if (set) inert += std::string(inert.empty() ? "" : ", ") + "--" + name;
  };
  note(o.cluster_cidr != defaults.cluster_cidr, "cluster-cidr");
  note(o.cluster_dns != defaults.cluster_dns, "cluster-dns");
  note(o.disable_agent, "disable-agent");
  note(o.disable_controller_manager, "disable-controller-manager");
  if (!inert.empty()) LogWarning("{}: no effect in this build (no agent or controller manager yet)", inert);

  // The scheduler talks to the API server like any client (through the
  // admin kubeconfig), with leader election as `kubepp scheduler` does.
  std::unique_ptr<scheduler::SchedulerApp> sched;
  if (!o.disable_scheduler) {
    scheduler::AppOptions so;
    so.kubeconfig = (*api)->kubeconfig_path();
    auto app = scheduler::SchedulerApp::Start(so);
    if (!app.ok()) {
      std::fprintf(stderr, "kubepp server: scheduler: %s\n", app.status().ToString().c_str());
      (*api)->Stop();
      return 1;
    }
    sched = *std::move(app);
    LogInfo("scheduler started");
  }
  LogInfo("the controller manager and agent are not implemented yet. Stop with Ctrl-C or SIGTERM.");

  // Wait for a stop signal; a scheduler that lost its leadership ends the
  // process too (as kube-scheduler exits), so a supervisor restarts it.
  int sig = stop.Wait([&] { return sched && sched->lost(); });
  int exit_code = 0;
  if (sig != 0) {
    LogInfo("received {}, stopping", SignalName(sig));
  } else {
    LogError("scheduler lost its leadership; stopping");
    exit_code = 1;
  }
  if (sched) sched->Stop();
  sched.reset();
  (*api)->Stop();
  api->reset();
  store->reset();
  LogInfo("datastore closed");
  return exit_code;
}

}  // namespace kubepp::cmd
