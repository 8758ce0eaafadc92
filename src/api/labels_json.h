// metav1.LabelSelector as API JSON -> the value types of labels.h. The one
// conversion every component that reads selectors from objects uses
// (scheduler affinity terms, spread constraints, PDBs, ...).
//
// Lenient as a reader of stored objects: members of the wrong JSON type are
// skipped (validation already happened at the API server). Pure functions.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "api/labels.h"
#include "common/status.h"

namespace kubepp::api {

// matchLabels and matchExpressions (key, operator, values) of `selector`;
// empty when it is not an object.
LabelSelectorSpec LabelSelectorSpecFromJson(const nlohmann::json& selector);

// upstream LabelSelectorAsSelector on JSON: null or absent -> Nothing, {} ->
// Everything. Errors: Invalid when `selector` is not an object or a
// requirement is malformed (unknown operator, bad values), with the reason.
StatusOr<LabelSelector> LabelSelectorFromJson(const nlohmann::json* selector);

}  // namespace kubepp::api
