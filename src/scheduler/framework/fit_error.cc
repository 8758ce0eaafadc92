#include "scheduler/framework/fit_error.h"

#include <algorithm>

namespace kubepp::scheduler {

std::string NoNodeAvailableMessage(int num_all_nodes) {
  return "0/" + std::to_string(num_all_nodes) + " nodes are available";
}

std::string FormatReasonHistogram(const std::map<std::string, int, std::less<>>& reason_counts) {
  std::vector<std::string> entries;
  entries.reserve(reason_counts.size());
  for (const auto& [reason, count] : reason_counts) entries.push_back(std::to_string(count) + " " + reason);
  std::sort(entries.begin(), entries.end());
  std::string out;
  for (const auto& e : entries) {
    if (!out.empty()) out += ", ";
    out += e;
  }
  return out;
}

std::string FormatNodeReasons(int num_all_nodes,
                              const std::map<std::string, int, std::less<>>& reason_counts) {
  return FitErrorMessage(num_all_nodes, {}, reason_counts, {});
}

std::map<std::string, int, std::less<>> CountNodeReasons(
    const NodeToStatusMap& statuses, int num_all_nodes, const std::vector<std::string>& absent_node_reasons) {
  std::map<std::string, int, std::less<>> counts;
  for (const auto& [node, status] : statuses) {
    for (const auto& reason : status.reasons()) ++counts[reason];
  }
  int absent = num_all_nodes - static_cast<int>(statuses.size());
  if (absent > 0) {
    for (const auto& reason : absent_node_reasons) counts[reason] += absent;
  }
  return counts;
}

std::string FitErrorMessage(int num_all_nodes, std::string_view pre_filter_msg,
                            const std::map<std::string, int, std::less<>>& reason_counts,
                            std::string_view post_filter_msg) {
  std::string out = NoNodeAvailableMessage(num_all_nodes) + ":";
  if (!pre_filter_msg.empty()) {
    out += " ";
    out += pre_filter_msg;
    out += ".";
  } else if (!reason_counts.empty()) {
    out += " " + FormatReasonHistogram(reason_counts) + ".";
  }
  if (!post_filter_msg.empty()) {
    out += " ";
    out += post_filter_msg;
    out += ".";
  }
  return out;
}

}  // namespace kubepp::scheduler
