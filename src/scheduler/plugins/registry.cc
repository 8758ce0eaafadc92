#include "scheduler/plugins/registry.h"

#include <cstdlib>
#include <string>

#include "scheduler/plugins/default_binder/default_binder.h"
#include "scheduler/plugins/default_preemption/default_preemption.h"
#include "scheduler/plugins/image_locality/image_locality.h"
#include "scheduler/plugins/inter_pod_affinity/inter_pod_affinity.h"
#include "scheduler/plugins/node_affinity/node_affinity.h"
#include "scheduler/plugins/node_name/node_name.h"
#include "scheduler/plugins/node_ports/node_ports.h"
#include "scheduler/plugins/node_resources_balanced_allocation/node_resources_balanced_allocation.h"
#include "scheduler/plugins/node_resources_fit/node_resources_fit.h"
#include "scheduler/plugins/node_unschedulable/node_unschedulable.h"
#include "scheduler/plugins/pod_topology_spread/pod_topology_spread.h"
#include "scheduler/plugins/scheduling_gates/scheduling_gates.h"
#include "scheduler/plugins/taint_toleration/taint_toleration.h"

namespace kubepp::scheduler::plugins {

PluginRegistry InTreeRegistry() {
  PluginRegistry registry;
  auto add = [&](std::string_view name, PluginFactory factory) {
    // Names are compile-time constants: a duplicate is a programming error.
    if (!registry.Register(std::string(name), std::move(factory)).ok()) std::abort();
  };
  add(kSchedulingGatesName, NewSchedulingGates);
  add(kNodeUnschedulableName, NewNodeUnschedulable);
  add(kNodeNameName, NewNodeName);
  add(kTaintTolerationName, NewTaintToleration);
  add(kNodeAffinityName, NewNodeAffinity);
  add(kNodePortsName, NewNodePorts);
  add(kNodeResourcesFitName, NewNodeResourcesFit);
  add(kNodeResourcesBalancedAllocationName, NewNodeResourcesBalancedAllocation);
  add(kImageLocalityName, NewImageLocality);
  add(kInterPodAffinityName, NewInterPodAffinity);
  add(kPodTopologySpreadName, NewPodTopologySpread);
  add(kDefaultPreemptionName, NewDefaultPreemption);
  add(kDefaultBinderName, NewDefaultBinder);
  return registry;
}

}  // namespace kubepp::scheduler::plugins
