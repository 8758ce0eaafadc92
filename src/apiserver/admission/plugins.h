// The API server's admission plugins, in the one order they run (mutating
// phase in this order, then validating phase in this order), as upstream's
// --enable-admission-plugins list. A new plugin is one file here plus one
// line in DefaultPlugins().
//
// Plugins read cluster state through a Lookup (the registry's store), never
// through a private cache of their own.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "apiserver/registry/registry.h"

namespace kubepp::apiserver::admission {

// Reads one object (group, resource, namespace, name); null when absent.
using Lookup = std::function<std::shared_ptr<const nlohmann::json>(std::string_view group, std::string_view resource,
                                                                   std::string_view ns, std::string_view name)>;
// Lists objects of a resource in every namespace.
using Lister = std::function<std::vector<std::shared_ptr<const nlohmann::json>>(std::string_view group,
                                                                                std::string_view resource)>;

struct PluginOptions {
  Lookup lookup;
  Lister lister;
  std::string service_cidr = "10.43.0.0/16";
  int node_port_min = 30000;
  int node_port_max = 32767;
};

// Namespaces that always exist and cannot be deleted.
const std::vector<std::string>& SystemNamespaces();

// NamespaceLifecycle: no writes into a missing or terminating namespace; the
// system namespaces cannot be deleted.
registry::AdmissionPluginPtr NewNamespaceLifecycle(Lookup lookup);
// ServiceIPs: allocates spec.clusterIP(s) from the service CIDR and node
// ports for NodePort/LoadBalancer Services, rejecting taken ones.
registry::AdmissionPluginPtr NewServiceAllocation(const PluginOptions& options);

// Priority: resolves spec.priorityClassName (or the globalDefault class) to
// spec.priority and spec.preemptionPolicy on pod creation, rejecting an
// unknown class or a conflicting explicit value; only one PriorityClass may
// be globalDefault.
registry::AdmissionPluginPtr NewPriority(Lookup lookup, Lister lister);
// The built-in classes (name, value) the server creates at start.
const std::vector<std::pair<std::string, int32_t>>& SystemPriorityClasses();

// The ordered list kubepp runs.
std::vector<registry::AdmissionPluginPtr> DefaultPlugins(const PluginOptions& options);

}  // namespace kubepp::apiserver::admission
