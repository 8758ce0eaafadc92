#include "scheduler/cache/cache.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace kubepp::scheduler {

const NodeInfo* CacheSnapshot::Get(std::string_view node_name) const {
  auto it = index_.find(std::string(node_name));
  return it == index_.end() ? nullptr : nodes_[it->second].get();
}

int CacheSnapshot::NumNodesWithImage(const std::string& image) const {
  auto it = image_nodes_.find(image);
  return it == image_nodes_.end() ? 0 : it->second;
}

void Cache::MarkDirty(const std::string& name) {
  dirty_.insert(name);
  ++generation_;
}

NodeInfo& Cache::MutableNode(const std::string& name) {
  auto it = nodes_.find(name);
  if (it == nodes_.end()) {
    it = nodes_.emplace(name, std::make_shared<NodeInfo>()).first;
    order_.push_back(name);
  } else if (it->second.use_count() > 1) {
    // A snapshot (or a cycle holding a pointer from it) shares this one.
    it->second = std::make_shared<NodeInfo>(*it->second);
  }
  MarkDirty(name);
  return *it->second;
}

void Cache::AddNode(std::shared_ptr<const nlohmann::json> node) {
  std::lock_guard lock(mu_);
  std::string name = node->value("/metadata/name"_json_pointer, std::string());
  bool known = nodes_.count(name) > 0 && nodes_[name]->node() != nullptr;
  MutableNode(name).SetNode(std::move(node));
  if (!known) membership_changed_ = true;
}

void Cache::RemoveNode(const std::string& name) {
  std::lock_guard lock(mu_);
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  membership_changed_ = true;
  if (it->second->pods().empty()) {
    nodes_.erase(it);
    order_.erase(std::find(order_.begin(), order_.end(), name));
    MarkDirty(name);
    return;
  }
  // Pods still bound to it: keep a node-less NodeInfo until they go.
  MutableNode(name).ClearNode();
}

void Cache::AddPodLocked(PodInfoPtr pod) {
  std::string node = pod->node_name;
  MutableNode(node).AddPod(std::move(pod));
}

void Cache::RemovePodLocked(const PodInfo& pod) {
  auto it = nodes_.find(pod.node_name);
  if (it == nodes_.end()) return;
  NodeInfo& n = MutableNode(pod.node_name);
  n.RemovePod(pod.uid);
  if (n.node() == nullptr && n.pods().empty()) {
    nodes_.erase(pod.node_name);
    order_.erase(std::find(order_.begin(), order_.end(), pod.node_name));
    membership_changed_ = true;
  }
}

void Cache::AddPod(PodInfoPtr pod) {
  std::lock_guard lock(mu_);
  auto it = pods_.find(pod->uid);
  if (it != pods_.end()) {
    RemovePodLocked(*it->second.pod);
    it->second = PodState{pod, false, false};
  } else {
    pods_.emplace(pod->uid, PodState{pod, false, false});
  }
  AddPodLocked(std::move(pod));
}

void Cache::RemovePod(const std::string& uid) {
  std::lock_guard lock(mu_);
  auto it = pods_.find(uid);
  if (it == pods_.end()) return;
  RemovePodLocked(*it->second.pod);
  pods_.erase(it);
}

Status Cache::AssumePod(PodInfoPtr pod) {
  std::lock_guard lock(mu_);
  if (pods_.count(pod->uid) > 0) return Status::AlreadyExists("pod " + pod->Key() + " is already in the cache");
  pods_.emplace(pod->uid, PodState{pod, true, false});
  AddPodLocked(std::move(pod));
  return Status::Ok();
}

void Cache::FinishBinding(const std::string& uid) {
  std::lock_guard lock(mu_);
  auto it = pods_.find(uid);
  if (it != pods_.end() && it->second.assumed) it->second.binding_finished = true;
}

void Cache::ForgetPod(const std::string& uid) {
  std::lock_guard lock(mu_);
  auto it = pods_.find(uid);
  if (it == pods_.end() || !it->second.assumed) return;
  RemovePodLocked(*it->second.pod);
  pods_.erase(it);
}

bool Cache::IsAssumed(const std::string& uid) const {
  std::lock_guard lock(mu_);
  auto it = pods_.find(uid);
  return it != pods_.end() && it->second.assumed;
}

PodInfoPtr Cache::GetPod(const std::string& uid) const {
  std::lock_guard lock(mu_);
  auto it = pods_.find(uid);
  return it == pods_.end() ? nullptr : it->second.pod;
}

size_t Cache::NodeCount() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [name, info] : nodes_) n += info->node() != nullptr ? 1 : 0;
  return n;
}

size_t Cache::PodCount() const {
  std::lock_guard lock(mu_);
  return pods_.size();
}

void Cache::UpdateSnapshot(CacheSnapshot& snap) {
  std::lock_guard lock(mu_);
  if (snap.generation_ == generation_) return;
  auto count_images = [&](const NodeInfo* n, int delta) {
    if (n == nullptr || n->node() == nullptr) return;
    for (const auto& [image, size] : n->image_sizes()) {
      int& c = snap.image_nodes_[image];
      c += delta;
      if (c <= 0) snap.image_nodes_.erase(image);
    }
  };
  bool affinity_changed = false;
  auto has_affinity = [](const NodeInfo* n) {
    return n != nullptr && (!n->pods_with_affinity().empty() || !n->pods_with_required_anti_affinity().empty());
  };

  if (membership_changed_ || snap.generation_ < 0) {
    // Rebuild the node list in cache order (nodes came or went).
    snap.image_nodes_.clear();
    snap.nodes_.clear();
    snap.index_.clear();
    for (const auto& name : order_) {
      const auto& info = nodes_.at(name);
      if (info->node() == nullptr) continue;
      snap.index_[name] = snap.nodes_.size();
      snap.nodes_.push_back(info);
      count_images(info.get(), +1);
    }
    affinity_changed = true;
  } else {
    for (const auto& name : dirty_) {
      auto idx = snap.index_.find(name);
      auto it = nodes_.find(name);
      if (idx == snap.index_.end() || it == nodes_.end()) continue;
      NodeInfoPtr& slot = snap.nodes_[idx->second];
      if (slot == it->second) continue;
      if (has_affinity(slot.get()) || has_affinity(it->second.get())) affinity_changed = true;
      if (slot->image_sizes() != it->second->image_sizes()) {
        count_images(slot.get(), -1);
        count_images(it->second.get(), +1);
      }
      slot = it->second;
    }
  }
  if (affinity_changed) {
    snap.with_affinity_.clear();
    snap.with_anti_affinity_.clear();
    for (const auto& n : snap.nodes_) {
      if (!n->pods_with_affinity().empty()) snap.with_affinity_.push_back(n);
      if (!n->pods_with_required_anti_affinity().empty()) snap.with_anti_affinity_.push_back(n);
    }
  }
  dirty_.clear();
  membership_changed_ = false;
  snap.generation_ = generation_;
}

}  // namespace kubepp::scheduler
