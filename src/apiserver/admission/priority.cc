#include <optional>

#include <nlohmann/json.hpp>

#include "apiserver/admission/plugins.h"
#include "api/strconv.h"

namespace kubepp::apiserver::admission {
namespace {

using nlohmann::json;

constexpr int32_t kSystemNodeCritical = 2000001000;
constexpr int32_t kSystemClusterCritical = 2000000000;
constexpr const char* kPreemptLowerPriority = "PreemptLowerPriority";

struct Resolved {
  std::string class_name;
  int32_t value = 0;
  std::string preemption_policy = kPreemptLowerPriority;
};

class Priority final : public registry::AdmissionPlugin {
 public:
  Priority(Lookup lookup, Lister lister) : lookup_(std::move(lookup)), lister_(std::move(lister)) {}
  std::string_view name() const override { return "Priority"; }

  Status Admit(registry::AdmissionRequest& r) const override {
    const ResourceInfo& res = *r.resource;
    if (!(res.group.empty() && res.resource == "pods") || r.operation != registry::Operation::kCreate ||
        !r.subresource.empty() || r.object == nullptr) {
      return Status::Ok();
    }
    json& pod = *r.object;
    if (!pod.contains("spec") || !pod["spec"].is_object()) return Status::Ok();
    json& spec = pod["spec"];
    std::string class_name = spec.value("priorityClassName", "");
    Resolved resolved;
    if (class_name.empty()) {
      resolved = DefaultClass();
    } else {
      auto found = Find(class_name);
      if (!found) {
        return Status::Forbidden("pods \"" + r.name + "\" is forbidden: no PriorityClass with name " + class_name +
                                 " was found");
      }
      resolved = *found;
    }
    if (auto p = spec.find("priority"); p != spec.end() && !p->is_null()) {
      if (!p->is_number_integer() || p->get<int64_t>() != resolved.value) {
        return Status::Forbidden("pods \"" + r.name + "\" is forbidden: the integer value of priority (" + p->dump() +
                                 ") must not be provided in pod spec; priority admission controller computed " +
                                 std::to_string(resolved.value) + " from the given PriorityClass name");
      }
    }
    if (auto p = spec.find("preemptionPolicy"); p != spec.end() && !p->is_null()) {
      if (!p->is_string() || p->get<std::string>() != resolved.preemption_policy) {
        return Status::Forbidden("pods \"" + r.name + "\" is forbidden: the string value of PreemptionPolicy (" +
                                 (p->is_string() ? p->get<std::string>() : p->dump()) +
                                 ") must not be provided in pod spec; priority admission controller computed " +
                                 resolved.preemption_policy + " from the given PriorityClass name");
      }
    }
    if (!resolved.class_name.empty()) spec["priorityClassName"] = resolved.class_name;
    spec["priority"] = resolved.value;
    spec["preemptionPolicy"] = resolved.preemption_policy;
    return Status::Ok();
  }

  Status Validate(const registry::AdmissionRequest& r) const override {
    const ResourceInfo& res = *r.resource;
    if (res.group != "scheduling.k8s.io" || res.resource != "priorityclasses" || r.object == nullptr) {
      return Status::Ok();
    }
    if (r.operation != registry::Operation::kCreate && r.operation != registry::Operation::kUpdate) {
      return Status::Ok();
    }
    const json& pc = *r.object;
    if (!pc.value("globalDefault", false)) return Status::Ok();
    for (const auto& other : lister_("scheduling.k8s.io", "priorityclasses")) {
      std::string name = other->value("/metadata/name"_json_pointer, std::string());
      if (name != r.name && other->value("globalDefault", false)) {
        return Status::Forbidden("priorityclasses.scheduling.k8s.io \"" + r.name +
                                 "\" is forbidden: PriorityClass " + name +
                                 " is already marked as default. Only one default can exist");
      }
    }
    return Status::Ok();
  }

 private:
  static Resolved FromObject(const json& pc) {
    Resolved out;
    out.class_name = pc.value("/metadata/name"_json_pointer, std::string());
    if (auto v = pc.find("value"); v != pc.end() && v->is_number_integer()) out.value = v->get<int32_t>();
    if (auto p = pc.find("preemptionPolicy"); p != pc.end() && p->is_string()) out.preemption_policy = *p;
    return out;
  }

  std::optional<Resolved> Find(const std::string& name) const {
    if (auto pc = lookup_("scheduling.k8s.io", "priorityclasses", "", name); pc) return FromObject(*pc);
    // The two system classes exist even before their objects are written.
    if (name == "system-node-critical") return Resolved{name, kSystemNodeCritical, kPreemptLowerPriority};
    if (name == "system-cluster-critical") return Resolved{name, kSystemClusterCritical, kPreemptLowerPriority};
    return std::nullopt;
  }

  // The globalDefault class with the lowest value (upstream picks that one
  // if several slipped in), or priority 0 without a class.
  Resolved DefaultClass() const {
    std::optional<Resolved> best;
    for (const auto& pc : lister_("scheduling.k8s.io", "priorityclasses")) {
      if (!pc->value("globalDefault", false)) continue;
      Resolved r = FromObject(*pc);
      if (!best || r.value < best->value) best = r;
    }
    return best.value_or(Resolved{});
  }

  const Lookup lookup_;
  const Lister lister_;
};

}  // namespace

registry::AdmissionPluginPtr NewPriority(Lookup lookup, Lister lister) {
  return std::make_unique<Priority>(std::move(lookup), std::move(lister));
}

const std::vector<std::pair<std::string, int32_t>>& SystemPriorityClasses() {
  static const std::vector<std::pair<std::string, int32_t>> kClasses = {
      {"system-node-critical", kSystemNodeCritical}, {"system-cluster-critical", kSystemClusterCritical}};
  return kClasses;
}

}  // namespace kubepp::apiserver::admission
