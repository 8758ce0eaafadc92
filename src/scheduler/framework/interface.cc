#include "scheduler/framework/interface.h"

#include <algorithm>

namespace kubepp::scheduler {

void DefaultNormalizeScore(int64_t max_priority, bool reverse, std::vector<NodeScore>& scores) {
  int64_t max_count = 0;
  for (const auto& s : scores) max_count = std::max(max_count, s.score);
  if (max_count == 0) {
    if (reverse) {
      for (auto& s : scores) s.score = max_priority;
    }
    return;
  }
  for (auto& s : scores) {
    int64_t scaled = max_priority * s.score / max_count;
    s.score = reverse ? max_priority - scaled : scaled;
  }
}

std::string PluginStatus::Message() const {
  std::string out;
  for (const auto& r : reasons_) {
    if (!out.empty()) out += ", ";
    out += r;
  }
  return out;
}

StateData* CycleState::Read(std::string_view key) const {
  for (const auto& e : data_) {
    if (e.key_address == key.data() && e.key.size() == key.size()) return e.data.get();
  }
  for (const auto& e : data_) {
    if (e.key == key) return e.data.get();
  }
  return nullptr;
}

void CycleState::Write(std::string_view key, std::unique_ptr<StateData> data) {
  for (auto& e : data_) {
    if (e.key == key) {
      e.key_address = key.data();
      e.data = std::move(data);
      return;
    }
  }
  data_.push_back({std::string(key), key.data(), std::move(data)});
}

void CycleState::Delete(std::string_view key) {
  for (auto it = data_.begin(); it != data_.end(); ++it) {
    if (it->key == key) {
      data_.erase(it);
      return;
    }
  }
}

std::unique_ptr<CycleState> CycleState::Clone() const {
  auto copy = std::make_unique<CycleState>();
  for (const auto& e : data_) copy->data_.push_back({e.key, e.key_address, e.data ? e.data->Clone() : nullptr});
  copy->skip_filter_plugins = skip_filter_plugins;
  copy->skip_score_plugins = skip_score_plugins;
  copy->skip_filter_mask = skip_filter_mask;
  return copy;
}

}  // namespace kubepp::scheduler
