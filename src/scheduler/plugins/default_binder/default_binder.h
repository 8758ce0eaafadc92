// DefaultBinder plugin (upstream "DefaultBinder"): binds a pod by creating
// a core/v1 Binding through POST /api/v1/namespaces/<ns>/pods/<name>/binding
// (metadata name/namespace/uid of the pod, target the Node). Any API error
// becomes PluginStatus::Error with the server's message (e.g. `pods "p" not
// found`, or the Conflict of an already bound pod). No args.
//
// Ownership: created by its factory, owned by the Framework; keeps a
// reference to the Handle (which outlives it) for the API client.
// Thread-safety: Bind runs on binding threads concurrently; the client is
// thread-safe and the plugin keeps no other state.
#pragma once

#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>

#include "common/status.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kDefaultBinderName = "DefaultBinder";

// The v1 Binding object DefaultBinder posts.
nlohmann::json MakeBinding(const PodInfo& pod, const std::string& node_name);

class DefaultBinder final : public BindPlugin {
 public:
  explicit DefaultBinder(Handle& handle) : handle_(handle) {}

  std::string_view Name() const override { return kDefaultBinderName; }
  PluginStatus Bind(CycleState& state, const PodInfo& pod, const std::string& node_name) override;

 private:
  Handle& handle_;
};

StatusOr<std::unique_ptr<Plugin>> NewDefaultBinder(const nlohmann::json* args, Handle& handle);

}  // namespace kubepp::scheduler::plugins
