// InterPodAffinity: upstream's plugin of that name (PreFilter, Filter,
// PreFilterExtensions, PreScore, Score, NormalizeScore, EventsToRegister).
//
// Filter enforces, per node topology domain:
//   - the incoming pod's required podAffinity terms (every term's domain must
//     hold a pod matching all terms; the first pod of a self-affine group may
//     go anywhere its topology keys exist when no pod matches anywhere),
//   - the incoming pod's required podAntiAffinity terms,
//   - the required podAntiAffinity terms of pods already placed that match
//     the incoming pod.
// PreFilter walks every node's pods once and stores per topology pair
// (key, value) counts in the CycleState; Filter and the AddPod/RemovePod
// extensions (used by preemption and nominated pods) only touch those maps.
// Score adds preferred-term weights (the incoming pod's, and placed pods'
// preferred terms plus hardPodAffinityWeight for their required affinity
// terms) per topology pair; NormalizeScore maps them min-max onto 0..100.
//
// Namespace selectors are resolved through Handle::NamespaceLabels: a term of
// the incoming pod with a non-empty namespaceSelector matches pods in known
// namespaces whose labels it selects; an empty one matches every namespace.
//
// Ownership/thread-safety: one instance per profile, called on the
// scheduling-cycle thread only; state lives in the CycleState.
// Known blind spots: none beyond upstream's (no queueing hints).
#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json_fwd.hpp>
#include <string_view>

#include "common/status.h"
#include "scheduler/framework/interface.h"

namespace kubepp::scheduler::plugins {

inline constexpr std::string_view kInterPodAffinityName = "InterPodAffinity";

// Filter reasons, as upstream prints them.
inline constexpr std::string_view kErrReasonAffinityRulesNotMatch = "node(s) didn't match pod affinity rules";
inline constexpr std::string_view kErrReasonAntiAffinityRulesNotMatch =
    "node(s) didn't match pod anti-affinity rules";
inline constexpr std::string_view kErrReasonExistingAntiAffinityRulesNotMatch =
    "node(s) didn't satisfy existing pods anti-affinity rules";

// kubescheduler.config.k8s.io/v1 InterPodAffinityArgs.
struct InterPodAffinityArgs {
  int32_t hard_pod_affinity_weight = 1;  // 0..100
  bool ignore_preferred_terms_of_existing_pods = false;
};

// Parses the args object (null -> defaults). Returns Invalid naming the field,
// e.g. "hardPodAffinityWeight: Invalid value: 101: not in valid range [0, 100]".
StatusOr<InterPodAffinityArgs> ParseInterPodAffinityArgs(const nlohmann::json* args);

StatusOr<std::unique_ptr<Plugin>> NewInterPodAffinity(const nlohmann::json* args, Handle& handle);

}  // namespace kubepp::scheduler::plugins
