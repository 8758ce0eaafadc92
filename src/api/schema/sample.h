// SampleObject: a deterministic object with EVERY field of a definition set
// to a valid, non-zero value of its type (one element per list, one entry per
// map, recursively). Meant for tests of any layer: round trips through the
// codecs, storage, typed structs.
//
// Top-level apiVersion/kind are set to the kind's own values when the
// definition is a served kind or List kind; nested apiVersion/kind fields that
// have no protobuf field (an item's TypeMeta) are left out, since they cannot
// travel in protobuf. Thread-safe (pure function of its arguments).
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "api/schema/schema.h"

namespace kubepp::api {

// Returns a null json when definition_name is unknown. Different seeds give
// different values.
nlohmann::json SampleObject(const Schema& schema, std::string_view definition_name, int seed);

}  // namespace kubepp::api
