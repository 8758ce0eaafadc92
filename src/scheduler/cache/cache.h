// Cache: the scheduler's view of nodes and the pods it counts on them —
// bound pods from the informer plus pods "assumed" by a scheduling cycle
// whose binding is still in flight (upstream pkg/scheduler/backend/cache).
// An assumed pod counts at once, so the next cycle does not place another
// pod on resources already promised; it is confirmed when the informer
// delivers it bound, or forgotten when its binding fails.
//
// UpdateSnapshot brings a CacheSnapshot up to date by copying only the
// nodes that changed since the last call (NodeInfo generations), so a cycle
// costs O(changed nodes), not O(all nodes). NodeInfos are copy-on-write:
// the cache never mutates a NodeInfo a snapshot still shares.
//
// Thread-safety: every method is thread-safe (one mutex). A CacheSnapshot
// is used by one thread (the cycle) between UpdateSnapshot calls.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json_fwd.hpp>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "common/status.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler {

class CacheSnapshot final : public Snapshot {
 public:
  const std::vector<NodeInfoPtr>& nodes() const override { return nodes_; }
  const std::vector<NodeInfoPtr>& nodes_with_affinity_pods() const override { return with_affinity_; }
  const std::vector<NodeInfoPtr>& nodes_with_required_anti_affinity_pods() const override {
    return with_anti_affinity_;
  }
  const NodeInfo* Get(std::string_view node_name) const override;
  int NumNodesWithImage(const std::string& image) const override;

 private:
  friend class Cache;
  std::vector<NodeInfoPtr> nodes_;
  std::unordered_map<std::string, size_t> index_;  // name -> position in nodes_
  std::vector<NodeInfoPtr> with_affinity_;
  std::vector<NodeInfoPtr> with_anti_affinity_;
  std::unordered_map<std::string, int> image_nodes_;  // image name -> node count
  int64_t generation_ = -1;  // the cache generation it reflects
};

class Cache {
 public:
  Cache() = default;
  Cache(const Cache&) = delete;
  Cache& operator=(const Cache&) = delete;

  void AddNode(std::shared_ptr<const nlohmann::json> node);
  void UpdateNode(std::shared_ptr<const nlohmann::json> node) { AddNode(std::move(node)); }
  void RemoveNode(const std::string& name);

  // A bound pod seen by the informer (spec.nodeName set). Confirms an
  // assumed pod with the same uid; moves the pod if its node changed.
  void AddPod(PodInfoPtr pod);
  void UpdatePod(PodInfoPtr pod) { AddPod(std::move(pod)); }
  void RemovePod(const std::string& uid);

  // Counts `pod` (whose node_name is the chosen node) on its node until it
  // is confirmed or forgotten. Errors: AlreadyExists when the uid is known.
  Status AssumePod(PodInfoPtr pod);
  // The binding of an assumed pod succeeded (the informer will confirm it).
  void FinishBinding(const std::string& uid);
  // Drops an assumed pod (its binding failed). No-op for confirmed pods.
  void ForgetPod(const std::string& uid);
  bool IsAssumed(const std::string& uid) const;
  // The pod the cache counts under this uid (assumed or bound), or null.
  PodInfoPtr GetPod(const std::string& uid) const;

  void UpdateSnapshot(CacheSnapshot& snapshot);

  size_t NodeCount() const;
  size_t PodCount() const;

 private:
  struct PodState {
    PodInfoPtr pod;
    bool assumed = false;
    bool binding_finished = false;
  };

  // The mutable NodeInfo for `name` (created empty when absent), cloned
  // first if a snapshot shares it. Requires mu_.
  NodeInfo& MutableNode(const std::string& name);
  void AddPodLocked(PodInfoPtr pod);
  void RemovePodLocked(const PodInfo& pod);
  void MarkDirty(const std::string& name);

  mutable std::mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<NodeInfo>> nodes_;  // guarded by mu_
  std::vector<std::string> order_;                                    // node names, insertion order
  std::unordered_map<std::string, PodState> pods_;                    // by uid; guarded by mu_
  std::unordered_set<std::string> dirty_;                             // changed since the last snapshot
  bool membership_changed_ = true;  // nodes appeared/disappeared since the last snapshot
  int64_t generation_ = 0;
};

}  // namespace kubepp::scheduler
