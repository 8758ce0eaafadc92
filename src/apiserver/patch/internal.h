// Helpers shared by the patch implementations; not part of the interface.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace kubepp::apiserver::patch::internal {

// How deeply nested objects and lists a merge or strategic merge patch may
// be. Kubernetes objects nest a few dozen levels; the bound only keeps the
// recursive merge off the end of the stack.
inline constexpr int kMaxPatchDepth = 1000;

// BadRequest for a patch nested deeper than kMaxPatchDepth.
Status TooDeep();

// The name Go's encoding/json gives a JSON value's type in its errors
// ("object", "array", "string", "number", "bool", "null"), so messages read
// like upstream's ("json: cannot unmarshal array into Go value of type ...").
std::string GoJsonTypeName(const nlohmann::json& value);

}  // namespace kubepp::apiserver::patch::internal
