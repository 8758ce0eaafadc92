// Test doubles for scheduler plugins: FakeSnapshot (a fixed list of
// NodeInfos), RecordingTransport (answers every API request with a canned
// response and records it, so a real client::Client can be handed to
// plugins), and FakeHandle (a Handle over those, with settable namespace
// labels, watched objects, nominated pods and a Framework pointer, recording
// the events plugins emit).
//
// Ownership: FakeHandle owns its snapshot, transport and client; the
// Framework given to set_framework is the test's and must outlive its use.
// Thread-safety: RecordingTransport is thread-safe (binding threads may call
// it); FakeSnapshot and FakeHandle are for one test thread.
// Shared by every plugin's tests: extend it, keep existing behaviour.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "client/client.h"
#include "client/transport.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler::testing {

class FakeSnapshot : public Snapshot {
 public:
  FakeSnapshot() = default;
  explicit FakeSnapshot(std::vector<NodeInfoPtr> nodes) { SetNodes(std::move(nodes)); }
  // Replaces the nodes (and recomputes the affinity lists).
  void SetNodes(std::vector<NodeInfoPtr> nodes);

  const std::vector<NodeInfoPtr>& nodes() const override { return nodes_; }
  const std::vector<NodeInfoPtr>& nodes_with_affinity_pods() const override { return with_affinity_; }
  const std::vector<NodeInfoPtr>& nodes_with_required_anti_affinity_pods() const override {
    return with_required_anti_affinity_;
  }
  const NodeInfo* Get(std::string_view node_name) const override;
  int NumNodesWithImage(const std::string& image) const override;

 private:
  std::vector<NodeInfoPtr> nodes_;
  std::vector<NodeInfoPtr> with_affinity_;
  std::vector<NodeInfoPtr> with_required_anti_affinity_;
};

// One request as the transport saw it.
struct RecordedRequest {
  std::string method;  // "GET", "POST", "PATCH", "DELETE", ...
  std::string target;  // "/api/v1/namespaces/ns/pods/p/status"
  std::string content_type;
  std::string body;
};

class RecordingTransport : public client::Transport {
 public:
  // Every request answers `status` with `body` unless a Respond rule matches.
  // Default: 200 "{}".
  void SetDefaultResponse(int status, std::string body);
  // Requests with this method whose target starts with `target_prefix`
  // answer `status` with `body` (first matching rule wins).
  void Respond(std::string method, std::string target_prefix, int status, std::string body);

  std::vector<RecordedRequest> requests() const;
  void Clear();

  StatusOr<client::HttpResponse> RoundTrip(const client::HttpRequest& request) override;
  // Not supported: returns Unavailable.
  Status Stream(const client::HttpRequest& request, client::CancelToken& cancel,
                const client::StreamCallbacks& callbacks) override;

 private:
  struct Rule {
    std::string method, prefix;
    int status;
    std::string body;
  };
  mutable std::mutex mu_;
  std::vector<RecordedRequest> requests_;  // guarded by mu_
  std::vector<Rule> rules_;                // guarded by mu_
  int default_status_ = 200;               // guarded by mu_
  std::string default_body_ = "{}";        // guarded by mu_
};

// An event a plugin recorded through Handle::RecordEvent.
struct RecordedEvent {
  std::string pod;  // "ns/name"
  std::string type, reason, action, message;
};

class FakeHandle : public Handle {
 public:
  FakeHandle();
  ~FakeHandle() override;

  FakeSnapshot& mutable_snapshot() { return snapshot_; }
  void SetNodes(std::vector<NodeInfoPtr> nodes) { snapshot_.SetNodes(std::move(nodes)); }
  void SetNamespaceLabels(const std::string& ns, api::Labels labels) {
    namespace_labels_[ns] = std::move(labels);
  }
  void SetObjects(std::string resource, std::vector<std::shared_ptr<const nlohmann::json>> objects) {
    objects_[std::move(resource)] = std::move(objects);
  }
  void AddNominatedPod(const std::string& node_name, PodInfoPtr pod) {
    nominated_[node_name].push_back(std::move(pod));
  }
  // The framework returned by framework(); framework() aborts when unset.
  void set_framework(Framework* framework) { framework_ = framework; }
  RecordingTransport& transport() { return *transport_; }
  const std::vector<RecordedEvent>& events() const { return events_; }

  const Snapshot& snapshot() const override { return snapshot_; }
  const api::Labels* NamespaceLabels(const std::string& ns) const override;
  client::Client& client() override { return *client_; }
  std::vector<std::shared_ptr<const nlohmann::json>> Objects(std::string_view resource) const override;
  Framework& framework() override;
  std::vector<PodInfoPtr> NominatedPodsForNode(const std::string& node_name) const override;
  void RecordEvent(const PodInfo& pod, std::string_view type, std::string_view reason,
                   std::string_view action, std::string message) override;

 private:
  FakeSnapshot snapshot_;
  std::shared_ptr<RecordingTransport> transport_;
  std::unique_ptr<client::Client> client_;
  std::map<std::string, api::Labels> namespace_labels_;
  std::map<std::string, std::vector<std::shared_ptr<const nlohmann::json>>, std::less<>> objects_;
  std::map<std::string, std::vector<PodInfoPtr>> nominated_;
  Framework* framework_ = nullptr;
  std::vector<RecordedEvent> events_;
};

}  // namespace kubepp::scheduler::testing
