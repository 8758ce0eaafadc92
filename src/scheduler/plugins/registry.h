// The in-tree plugin registry: every scheduler plugin kubepp ships, under
// its upstream name, for Framework::Create to build profiles from. A new
// plugin is one folder plus one line in registry.cc (no static
// self-registration).
//
// Thread-safety: returns a fresh value; PluginRegistry is read-only after.
#pragma once

#include "scheduler/framework/framework.h"

namespace kubepp::scheduler::plugins {

// NodeName, NodeUnschedulable, TaintToleration, NodeAffinity, NodePorts,
// NodeResourcesFit, NodeResourcesBalancedAllocation, ImageLocality,
// SchedulingGates, InterPodAffinity, PodTopologySpread, DefaultPreemption,
// DefaultBinder. (PrioritySort, the queue sort, is built into the framework.)
PluginRegistry InTreeRegistry();

}  // namespace kubepp::scheduler::plugins
