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
  auto it = data_.find(key);
  return it == data_.end() ? nullptr : it->second.get();
}

void CycleState::Write(std::string_view key, std::unique_ptr<StateData> data) {
  data_.insert_or_assign(std::string(key), std::move(data));
}

void CycleState::Delete(std::string_view key) {
  auto it = data_.find(key);
  if (it != data_.end()) data_.erase(it);
}

std::unique_ptr<CycleState> CycleState::Clone() const {
  auto copy = std::make_unique<CycleState>();
  for (const auto& [key, data] : data_) copy->data_.emplace(key, data ? data->Clone() : nullptr);
  copy->skip_filter_plugins = skip_filter_plugins;
  copy->skip_score_plugins = skip_score_plugins;
  return copy;
}

}  // namespace kubepp::scheduler
