// SchedulerApp: the scheduler as a running component — client from a
// kubeconfig, KubeSchedulerConfiguration from a file (or the defaults), the
// in-tree plugins, and leader election on the kube-system/kube-scheduler
// Lease so that only one scheduler of a cluster schedules at a time. Used by
// `kubepp scheduler` and, in-process, by `kubepp server`.
//
// When leadership is lost the scheduler stops (upstream exits); lost() then
// says so and the process is expected to end.
//
// Thread-safety: Start/Stop from one thread; lost() from any.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>

#include "common/status.h"

namespace kubepp::scheduler {

struct AppOptions {
  std::string kubeconfig;   // required unless the config file names one
  std::string config_file;  // "" for the defaults
  // Overrides the config's leaderElection.leaderElect when set.
  std::optional<bool> leader_elect;
  std::string identity;  // "" : hostname + "_" + random suffix
};

class SchedulerApp {
 public:
  // Loads everything and starts campaigning (or scheduling at once without
  // leader election). Errors: the config's (Invalid, naming file and
  // field), the kubeconfig's, Invalid for a bad profile.
  static StatusOr<std::unique_ptr<SchedulerApp>> Start(const AppOptions& options);
  virtual ~SchedulerApp() = default;
  virtual void Stop() = 0;
  // True when this instance lost its leadership and stopped scheduling.
  virtual bool lost() const = 0;
};

}  // namespace kubepp::scheduler
