#include <algorithm>

#include <nlohmann/json.hpp>

#include "apiserver/admission/plugins.h"

namespace kubepp::apiserver::admission {
namespace {

using nlohmann::json;

class NamespaceLifecycle final : public registry::AdmissionPlugin {
 public:
  explicit NamespaceLifecycle(Lookup lookup) : lookup_(std::move(lookup)) {}
  std::string_view name() const override { return "NamespaceLifecycle"; }

  Status Validate(const registry::AdmissionRequest& r) const override {
    const ResourceInfo& res = *r.resource;
    if (res.group.empty() && res.resource == "namespaces") {
      if (r.operation == registry::Operation::kDelete) {
        const auto& sys = SystemNamespaces();
        if (std::find(sys.begin(), sys.end(), r.name) != sys.end()) {
          return Status::Forbidden("namespaces \"" + r.name + "\" is forbidden: this namespace may not be deleted");
        }
      }
      return Status::Ok();
    }
    if (!res.namespaced || r.operation != registry::Operation::kCreate) return Status::Ok();
    auto ns = lookup_("", "namespaces", "", r.namespace_);
    if (!ns) return Status::NotFound("namespaces \"" + r.namespace_ + "\" not found");
    const json& meta = (*ns)["metadata"];
    bool terminating = meta.contains("deletionTimestamp") ||
                       ((*ns).contains("status") && (*ns)["status"].value("phase", "") == "Terminating");
    // Events about the namespace's own teardown are still allowed, as upstream.
    bool is_event = res.resource == "events";
    if (terminating && !is_event) {
      return Status::Forbidden("unable to create new content in namespace " + r.namespace_ +
                               " because it is being terminated");
    }
    return Status::Ok();
  }

 private:
  const Lookup lookup_;
};

}  // namespace

const std::vector<std::string>& SystemNamespaces() {
  static const std::vector<std::string> kNames = {"default", "kube-system", "kube-public", "kube-node-lease"};
  return kNames;
}

registry::AdmissionPluginPtr NewNamespaceLifecycle(Lookup lookup) {
  return std::make_unique<NamespaceLifecycle>(std::move(lookup));
}

}  // namespace kubepp::apiserver::admission
