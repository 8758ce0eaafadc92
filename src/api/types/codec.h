// Generic entry points over the generated types: Decode<T>(text) and
// Encode(obj) for any kind struct (those with kApiVersion/kKind), e.g.
//
//   #include "api/types/apps_v1_json.h"
//   #include "api/types/codec.h"
//   StatusOr<apps::v1::Deployment> d = Decode<apps::v1::Deployment>(body);
//   std::string text = Encode(*d);
//
// Decode returns BadRequest for text that is not JSON (or nests deeper than
// kMaxJsonDepth levels) and Invalid "<field path>: <problem>" for a value of
// the wrong type. Unknown fields are ignored; null means absent.
// Encode writes exactly the members that are set (compact JSON, sorted keys).
// The DecodeJson/EncodeJson overloads they call are found by argument-
// dependent lookup, so include the _json.h header of the group you use.
//
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "api/json_depth.h"
#include "common/status.h"

namespace kubepp::api {

template <typename T>
StatusOr<T> Decode(std::string_view json_text) {
  T value;
  Status s = DecodeJson(json_text, &value);
  if (!s.ok()) return s;
  return value;
}

template <typename T>
std::string Encode(const T& value) {
  return EncodeJson(value);
}

// Sets apiVersion and kind to the struct's constants (for objects built in
// C++; decoding never fills them in, to keep the round trip exact).
template <typename T>
void SetTypeMeta(T* obj) {
  obj->api_version = std::string(T::kApiVersion);
  obj->kind = std::string(T::kKind);
}

}  // namespace kubepp::api
