#include "scheduler/plugins/default_binder/default_binder.h"

#include <nlohmann/json.hpp>

#include "client/client.h"

namespace kubepp::scheduler::plugins {

nlohmann::json MakeBinding(const PodInfo& pod, const std::string& node_name) {
  return {{"apiVersion", "v1"},
          {"kind", "Binding"},
          {"metadata", {{"name", pod.name}, {"namespace", pod.namespace_}, {"uid", pod.uid}}},
          {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node_name}}}};
}

PluginStatus DefaultBinder::Bind(CycleState& /*state*/, const PodInfo& pod, const std::string& node_name) {
  client::CreateOptions options;
  options.subresource = "binding";
  auto created = handle_.client().Create(client::GroupVersionResource{"", "v1", "pods"}, pod.namespace_,
                                         MakeBinding(pod, node_name), options);
  if (!created.ok()) return PluginStatus::Error(created.status().message());
  return PluginStatus::Success();
}

StatusOr<std::unique_ptr<Plugin>> NewDefaultBinder(const nlohmann::json* /*args*/, Handle& handle) {
  return std::unique_ptr<Plugin>(std::make_unique<DefaultBinder>(handle));
}

}  // namespace kubepp::scheduler::plugins
