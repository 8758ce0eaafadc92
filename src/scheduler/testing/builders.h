// Builders of core/v1 Pod and Node JSON for scheduler tests, in the spirit
// of upstream's st.MakePod()/st.MakeNode(): chain setters, then Obj() for
// the JSON, Info() for the parsed PodInfo / NodeInfo.
//
//   auto pod = MakePod("p1").Namespace("ns").Priority(10).Req({{"cpu", "1"}}).Info();
//   auto node = MakeNode("n1").Capacity({{"cpu", "4"}, {"pods", "110"}}).Info();
//
// Test-only (includes nlohmann/json.hpp). Value types; not thread-safe.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "scheduler/framework/node_info.h"
#include "scheduler/framework/pod_info.h"

namespace kubepp::scheduler::testing {

class PodBuilder {
 public:
  explicit PodBuilder(std::string name) {
    pod_ = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", name + "-uid"}}},
            {"spec", {{"containers", nlohmann::json::array({{{"name", "c"}, {"image", "busybox"}}})}}},
            {"status", nlohmann::json::object()}};
  }
  PodBuilder& Namespace(std::string ns) { return Set(pod_["metadata"]["namespace"], std::move(ns)); }
  PodBuilder& Uid(std::string uid) { return Set(pod_["metadata"]["uid"], std::move(uid)); }
  PodBuilder& Label(const std::string& k, std::string v) {
    return Set(pod_["metadata"]["labels"][k], std::move(v));
  }
  PodBuilder& Node(std::string node) { return Set(pod_["spec"]["nodeName"], std::move(node)); }
  PodBuilder& SchedulerName(std::string s) { return Set(pod_["spec"]["schedulerName"], std::move(s)); }
  PodBuilder& Priority(int32_t p) { return Set(pod_["spec"]["priority"], p); }
  PodBuilder& PreemptionPolicy(std::string p) { return Set(pod_["spec"]["preemptionPolicy"], std::move(p)); }
  PodBuilder& NominatedNodeName(std::string n) {
    return Set(pod_["status"]["nominatedNodeName"], std::move(n));
  }
  // RFC 3339, e.g. "2024-01-01T00:00:00Z".
  PodBuilder& StartTime(std::string t) { return Set(pod_["status"]["startTime"], std::move(t)); }
  PodBuilder& CreationTimestamp(std::string t) {
    return Set(pod_["metadata"]["creationTimestamp"], std::move(t));
  }
  PodBuilder& Terminating(std::string t = "2024-01-01T00:00:00Z") {
    return Set(pod_["metadata"]["deletionTimestamp"], std::move(t));
  }
  PodBuilder& Condition(std::string type, std::string status, std::string reason) {
    pod_["status"]["conditions"].push_back({{"type", type}, {"status", status}, {"reason", reason}});
    return *this;
  }
  // Requests of the first container, e.g. {{"cpu", "500m"}, {"memory", "1Gi"}}.
  PodBuilder& Req(const std::map<std::string, std::string>& requests) {
    for (const auto& [k, v] : requests) pod_["spec"]["containers"][0]["resources"]["requests"][k] = v;
    return *this;
  }
  PodBuilder& HostPort(int32_t port, std::string protocol = "TCP") {
    pod_["spec"]["containers"][0]["ports"].push_back(
        {{"containerPort", port}, {"hostPort", port}, {"protocol", std::move(protocol)}});
    return *this;
  }

  nlohmann::json& Obj() { return pod_; }
  PodInfoPtr Info() const { return ParsePodInfo(std::make_shared<const nlohmann::json>(pod_)); }

 private:
  template <typename T>
  PodBuilder& Set(nlohmann::json& field, T&& v) {
    field = std::forward<T>(v);
    return *this;
  }
  nlohmann::json pod_;
};

class NodeBuilder {
 public:
  explicit NodeBuilder(std::string name) {
    node_ = {{"apiVersion", "v1"},
             {"kind", "Node"},
             {"metadata", {{"name", name}, {"labels", {{"kubernetes.io/hostname", name}}}}},
             {"spec", nlohmann::json::object()},
             {"status", nlohmann::json::object()}};
  }
  NodeBuilder& Label(const std::string& k, std::string v) {
    node_["metadata"]["labels"][k] = std::move(v);
    return *this;
  }
  // Sets both capacity and allocatable.
  NodeBuilder& Capacity(const std::map<std::string, std::string>& resources) {
    for (const auto& [k, v] : resources) {
      node_["status"]["capacity"][k] = v;
      node_["status"]["allocatable"][k] = v;
    }
    return *this;
  }
  NodeBuilder& Taint(std::string key, std::string value, std::string effect) {
    node_["spec"]["taints"].push_back({{"key", key}, {"value", value}, {"effect", effect}});
    return *this;
  }
  NodeBuilder& Unschedulable(bool u = true) {
    node_["spec"]["unschedulable"] = u;
    return *this;
  }

  nlohmann::json& Obj() { return node_; }
  // A NodeInfo for the node with `pods` added.
  std::shared_ptr<NodeInfo> Info(const std::vector<PodInfoPtr>& pods = {}) const {
    auto info = std::make_shared<NodeInfo>(std::make_shared<const nlohmann::json>(node_));
    for (const auto& p : pods) info->AddPod(p);
    return info;
  }

 private:
  nlohmann::json node_;
};

inline PodBuilder MakePod(std::string name) { return PodBuilder(std::move(name)); }
inline NodeBuilder MakeNode(std::string name) { return NodeBuilder(std::move(name)); }

}  // namespace kubepp::scheduler::testing
