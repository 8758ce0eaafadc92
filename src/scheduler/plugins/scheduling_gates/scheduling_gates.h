// SchedulingGates plugin (upstream "SchedulingGates"): a pod with
// spec.schedulingGates stays out of the active queue. PreEnqueue returns
// UnschedulableAndUnresolvable "waiting for scheduling gates: [a b]" (Go's
// %v of the gate names) until the gates are removed. No args.
//
// Ownership: created by its factory, owned by the Framework.
// Thread-safety: stateless.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kSchedulingGatesName = "SchedulingGates";

class SchedulingGates final : public PreEnqueuePlugin, public EnqueueExtensions {
 public:
  std::string_view Name() const override { return kSchedulingGatesName; }
  PluginStatus PreEnqueue(const PodInfo& pod) override;
  // A pod's scheduling gates all removed.
  std::vector<ClusterEvent> EventsToRegister() const override;
};

StatusOr<std::unique_ptr<Plugin>> NewSchedulingGates(const nlohmann::json* args, Handle& handle);

}  // namespace kubepp::scheduler::plugins
