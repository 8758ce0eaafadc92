#include "scheduler/testing/fake_handle.h"

#include <cstdlib>
#include <nlohmann/json.hpp>

namespace kubepp::scheduler::testing {

void FakeSnapshot::SetNodes(std::vector<NodeInfoPtr> nodes) {
  nodes_ = std::move(nodes);
  with_affinity_.clear();
  with_required_anti_affinity_.clear();
  for (const auto& n : nodes_) {
    if (!n->pods_with_affinity().empty()) with_affinity_.push_back(n);
    if (!n->pods_with_required_anti_affinity().empty()) with_required_anti_affinity_.push_back(n);
  }
}

const NodeInfo* FakeSnapshot::Get(std::string_view node_name) const {
  for (const auto& n : nodes_) {
    if (n->name() == node_name) return n.get();
  }
  return nullptr;
}

int FakeSnapshot::NumNodesWithImage(const std::string& image) const {
  int count = 0;
  for (const auto& n : nodes_) count += n->image_sizes().count(image) > 0 ? 1 : 0;
  return count;
}

void RecordingTransport::SetDefaultResponse(int status, std::string body) {
  std::lock_guard lock(mu_);
  default_status_ = status;
  default_body_ = std::move(body);
}

void RecordingTransport::Respond(std::string method, std::string target_prefix, int status,
                                 std::string body) {
  std::lock_guard lock(mu_);
  rules_.push_back({std::move(method), std::move(target_prefix), status, std::move(body)});
}

std::vector<RecordedRequest> RecordingTransport::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

void RecordingTransport::Clear() {
  std::lock_guard lock(mu_);
  requests_.clear();
}

StatusOr<client::HttpResponse> RecordingTransport::RoundTrip(const client::HttpRequest& request) {
  std::lock_guard lock(mu_);
  auto content_type = client::FindHeader(request.headers, "Content-Type");
  requests_.push_back({request.method, request.target,
                       content_type ? std::string(*content_type) : std::string(), request.body});
  client::HttpResponse response;
  response.status = default_status_;
  response.body = default_body_;
  for (const auto& rule : rules_) {
    if (rule.method == request.method && request.target.rfind(rule.prefix, 0) == 0) {
      response.status = rule.status;
      response.body = rule.body;
      break;
    }
  }
  response.headers.emplace_back("Content-Type", "application/json");
  return response;
}

Status RecordingTransport::Stream(const client::HttpRequest&, client::CancelToken&,
                                  const client::StreamCallbacks&) {
  return Status::Unavailable("RecordingTransport does not stream");
}

FakeHandle::FakeHandle()
    : transport_(std::make_shared<RecordingTransport>()),
      client_(std::make_unique<client::Client>(transport_)) {}

FakeHandle::~FakeHandle() = default;

const api::Labels* FakeHandle::NamespaceLabels(const std::string& ns) const {
  auto it = namespace_labels_.find(ns);
  return it == namespace_labels_.end() ? nullptr : &it->second;
}

std::vector<std::shared_ptr<const nlohmann::json>> FakeHandle::Objects(std::string_view resource) const {
  auto it = objects_.find(resource);
  return it == objects_.end() ? std::vector<std::shared_ptr<const nlohmann::json>>{} : it->second;
}

Framework& FakeHandle::framework() {
  if (framework_ == nullptr) std::abort();  // a test bug: set_framework first
  return *framework_;
}

std::vector<PodInfoPtr> FakeHandle::NominatedPodsForNode(const std::string& node_name) const {
  auto it = nominated_.find(node_name);
  return it == nominated_.end() ? std::vector<PodInfoPtr>{} : it->second;
}

void FakeHandle::RecordEvent(const PodInfo& pod, std::string_view type, std::string_view reason,
                             std::string_view action, std::string message) {
  events_.push_back(
      {pod.Key(), std::string(type), std::string(reason), std::string(action), std::move(message)});
}

}  // namespace kubepp::scheduler::testing
