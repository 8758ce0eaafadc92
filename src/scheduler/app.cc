#include "scheduler/app.h"

#include <unistd.h>

#include <random>

#include "client/client.h"
#include "client/kubeconfig.h"
#include "client/leader_election.h"
#include "common/log.h"
#include "scheduler/config/config.h"
#include "scheduler/framework/framework.h"
#include "scheduler/plugins/registry.h"
#include "scheduler/scheduler.h"

namespace kubepp::scheduler {
namespace {

class AppImpl final : public SchedulerApp {
 public:
  ~AppImpl() override { Stop(); }

  Status Init(const AppOptions& o) {
    config::Configuration cfg = config::DefaultConfiguration();
    if (!o.config_file.empty()) {
      ASSIGN_OR_RETURN(cfg, config::LoadFile(o.config_file));
    }
    if (o.leader_elect) cfg.leader_election.leader_elect = *o.leader_elect;
    std::string kubeconfig = !o.kubeconfig.empty() ? o.kubeconfig : cfg.kubeconfig;
    if (kubeconfig.empty()) return Status::Invalid("--kubeconfig: Required value (or clientConnection.kubeconfig)");
    ASSIGN_OR_RETURN(client::RestConfig rest, client::LoadRestConfig(kubeconfig));
    rest.qps = cfg.qps;
    rest.burst = cfg.burst;
    rest.user_agent = "kubepp-scheduler";
    ASSIGN_OR_RETURN(client_, client::Client::New(rest));
    registry_ = plugins::InTreeRegistry();
    identity_ = o.identity;
    if (identity_.empty()) {
      char host[256] = {};
      gethostname(host, sizeof(host) - 1);
      std::random_device rd;
      char suffix[16];
      std::snprintf(suffix, sizeof(suffix), "%08x", rd());
      identity_ = std::string(host) + "_" + suffix;
    }
    SchedulerOptions so;
    so.config = cfg;
    so.identity = identity_;
    ASSIGN_OR_RETURN(scheduler_, Scheduler::Create(*client_, so, registry_));

    if (!cfg.leader_election.leader_elect) return StartScheduling();
    // Caches first (as upstream): on_started_leading must return promptly,
    // or the lease it just took is not renewed while a big list loads.
    RETURN_IF_ERROR(scheduler_->SyncCaches(std::chrono::seconds(60)));
    client::LeaderElectionConfig le;
    le.lease_namespace = cfg.leader_election.resource_namespace;
    le.lease_name = cfg.leader_election.resource_name;
    le.identity = identity_;
    le.lease_duration = std::chrono::milliseconds(cfg.leader_election.lease_duration_ms);
    le.renew_deadline = std::chrono::milliseconds(cfg.leader_election.renew_deadline_ms);
    le.retry_period = std::chrono::milliseconds(cfg.leader_election.retry_period_ms);
    le.on_started_leading = [this] {
      LogInfo("scheduler: {} is the leader", identity_);
      if (Status s = StartScheduling(); !s.ok()) {
        LogError("scheduler: {}", s.ToString());
        lost_ = true;
      }
    };
    le.on_stopped_leading = [this] {
      if (stopping_) return;
      LogError("scheduler: leadership lost; scheduling stopped");
      lost_ = true;
    };
    ASSIGN_OR_RETURN(elector_, client::LeaderElector::New(*client_, le));
    elector_->Start();
    return Status::Ok();
  }

  void Stop() override {
    stopping_ = true;
    if (elector_) elector_->Stop();
    if (scheduler_) scheduler_->Stop();
    elector_.reset();
  }

  bool lost() const override { return lost_; }

 private:
  Status StartScheduling() {
    return scheduler_->Start(std::chrono::seconds(60));
  }

  std::unique_ptr<client::Client> client_;
  PluginRegistry registry_;
  std::string identity_;
  std::unique_ptr<Scheduler> scheduler_;
  std::unique_ptr<client::LeaderElector> elector_;
  std::atomic<bool> lost_{false};
  std::atomic<bool> stopping_{false};
};

}  // namespace

StatusOr<std::unique_ptr<SchedulerApp>> SchedulerApp::Start(const AppOptions& options) {
  auto app = std::make_unique<AppImpl>();
  RETURN_IF_ERROR(app->Init(options));
  return std::unique_ptr<SchedulerApp>(std::move(app));
}

}  // namespace kubepp::scheduler
