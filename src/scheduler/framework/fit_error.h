// Upstream's FitError message ("0/3 nodes are available: 1 node(s) had
// untolerated taint {k: v}, 2 Insufficient cpu.") built from a histogram of
// per-node rejection reasons. Used by the scheduler for FailedScheduling
// events and by DefaultPreemption for its "preemption: ..." part.
//
// The histogram entries are "<count> <reason>" strings sorted as plain
// strings (so "10 x" sorts before "2 y"), exactly as upstream sorts them.
//
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "scheduler/framework/interface.h"

namespace kubepp::scheduler {

// upstream NoNodeAvailableMsg with the count filled in: "0/N nodes are available".
std::string NoNodeAvailableMessage(int num_all_nodes);

// "1 a, 2 b": the entries "<count> <reason>" sorted as strings, joined with ", ".
std::string FormatReasonHistogram(const std::map<std::string, int, std::less<>>& reason_counts);

// "0/N nodes are available: 1 a, 2 b." — or "0/N nodes are available:" when
// reason_counts is empty (upstream prints no histogram then).
std::string FormatNodeReasons(int num_all_nodes,
                              const std::map<std::string, int, std::less<>>& reason_counts);

// Counts every reason of every status in `statuses`; nodes without a status
// (num_all_nodes - statuses.size(), when positive) count once per reason in
// `absent_node_reasons` (upstream's AbsentNodesStatus).
std::map<std::string, int, std::less<>> CountNodeReasons(
    const NodeToStatusMap& statuses, int num_all_nodes,
    const std::vector<std::string>& absent_node_reasons = {});

// upstream FitError.Error(): "0/N nodes are available:" then " <pre_filter_msg>."
// when PreFilter rejected the pod (the per-node histogram is then left out,
// as every node carries the same status), else " <histogram>." when there are
// reasons; then " <post_filter_msg>." when PostFilter said something (e.g.
// "preemption: 0/3 nodes are available: 3 No preemption victims found for
// incoming pod." — which makes upstream's message end in "..").
std::string FitErrorMessage(int num_all_nodes, std::string_view pre_filter_msg,
                            const std::map<std::string, int, std::less<>>& reason_counts,
                            std::string_view post_filter_msg);

}  // namespace kubepp::scheduler
