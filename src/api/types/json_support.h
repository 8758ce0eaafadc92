// Internal to the generated JSON conversions (api/types/*_json.cc): the
// per-type readers and writers they are built from. Pulls in nlohmann/json;
// include only from .cc files.
//
// Error convention inside this layer: a Read returns Invalid whose message is
// "<relative path>: <problem>", the path possibly empty (": expected string,
// got integer"); each enclosing Read adds its segment in front ("[2]",
// "[key]", "name"). Generated struct readers only ever return a non-empty
// path, except for their own "expected object" check, which a caller inside
// this layer never triggers because Read(T*) checks the object first.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/intstr.h"
#include "api/quantity.h"
#include "api/time.h"
#include "api/types/box.h"
#include "api/types/codec.h"
#include "api/types/kinds.h"
#include "api/types/raw_json.h"
#include "common/status.h"

namespace kubepp::api::types_internal {

using Json = nlohmann::json;

// "null", "boolean", "integer", "number", "string", "array", "object".
std::string_view TypeName(const Json& j);
// Invalid ": <problem>" (a leaf error with an empty relative path).
Status Leaf(std::string_view problem);
// Invalid "expected object, got <type>" (root of a generated FromJson).
Status NotAnObject(const Json& j);
// Put one path segment in front of a nested error.
Status PrefixField(const Status& s, std::string_view field);
Status PrefixIndex(const Status& s, size_t index);
Status PrefixKey(const Status& s, std::string_view key);

// Serializes compactly; invalid UTF-8 in strings (possible only in a JSON
// value or struct built in code) is replaced with U+FFFD instead of throwing.
std::string Dump(const Json& j);

// Parses JSON text: BadRequest naming the offset on malformed input or on
// nesting deeper than kMaxJsonDepth. Never throws.
Status ParseJson(std::string_view text, Json* out);

// Scalar and value-type readers.
Status Read(const Json& j, std::string* out);
Status Read(const Json& j, int32_t* out);
Status Read(const Json& j, int64_t* out);
Status Read(const Json& j, double* out);
Status Read(const Json& j, bool* out);
Status Read(const Json& j, Quantity* out);
Status Read(const Json& j, IntOrString* out);
Status Read(const Json& j, Time* out);
Status Read(const Json& j, RawJson* out);
Status Read(const Json& j, std::vector<bool>* out);  // elements are not addressable
template <typename T>
Status Read(const Json& j, std::vector<T>* out);
template <typename T>
Status Read(const Json& j, std::map<std::string, T>* out);
template <typename T>
Status Read(const Json& j, Box<T>* out);
template <typename T>
Status Read(const Json& j, T* out);  // a generated struct (FromJson by ADL)

Json Write(const std::string& v);
Json Write(int32_t v);
Json Write(int64_t v);
Json Write(double v);
Json Write(bool v);
Json Write(const Quantity& v);
Json Write(const IntOrString& v);
Json Write(const Time& v);
Json Write(const RawJson& v);
template <typename T>
Json Write(const std::vector<T>& v);
template <typename T>
Json Write(const std::map<std::string, T>& v);
template <typename T>
Json Write(const Box<T>& v);
template <typename T>
Json Write(const T& v);  // a generated struct (ToJson by ADL)

template <typename T>
[[gnu::noinline]] Status Read(const Json& j, std::vector<T>* out) {
  if (!j.is_array()) return Leaf("expected array, got " + std::string(TypeName(j)));
  out->clear();
  out->resize(j.size());
  for (size_t i = 0; i < j.size(); ++i) {
    Status s = Read(j[i], &(*out)[i]);
    if (!s.ok()) return PrefixIndex(s, i);
  }
  return Status::Ok();
}

template <typename T>
[[gnu::noinline]] Status Read(const Json& j, std::map<std::string, T>* out) {
  if (!j.is_object()) return Leaf("expected object, got " + std::string(TypeName(j)));
  out->clear();
  for (auto it = j.begin(); it != j.end(); ++it) {
    Status s = Read(it.value(), &(*out)[it.key()]);
    if (!s.ok()) return PrefixKey(s, it.key());
  }
  return Status::Ok();
}

template <typename T>
Status Read(const Json& j, Box<T>* out) {
  return Read(j, &**out);
}

template <typename T>
Status Read(const Json& j, T* out) {
  if (!j.is_object()) return Leaf("expected object, got " + std::string(TypeName(j)));
  return FromJson(j, out);
}

template <typename T>
[[gnu::noinline]] Json Write(const std::vector<T>& v) {
  Json j = Json::array();
  for (const T& e : v) j.push_back(Write(e));
  return j;
}

template <typename T>
[[gnu::noinline]] Json Write(const std::map<std::string, T>& v) {
  Json j = Json::object();
  for (const auto& [k, e] : v) j.emplace(k, Write(e));
  return j;
}

template <typename T>
Json Write(const Box<T>& v) {
  return Write(*v);
}

template <typename T>
Json Write(const T& v) {
  return ToJson(v);
}

// Non-template halves of ReadField/WriteField, out of line.
const Json* FindField(const Json& obj, const char* name);  // nullptr if absent or null
void PutField(Json& obj, const char* name, Json value);

// One member of a generated struct. Absent and null both make it nullopt.
// Kept out of line (one instantiation per member type, not inlined into
// every FromJson): that halves the compile time of the generated code.
template <typename T>
[[gnu::noinline]] Status ReadField(const Json& obj, const char* name, std::optional<T>* out) {
  const Json* v = FindField(obj, name);
  if (v == nullptr) {
    out->reset();
    return Status::Ok();
  }
  Status s = Read(*v, &out->emplace());
  if (!s.ok()) return PrefixField(s, name);
  return s;
}

template <typename T>
[[gnu::noinline]] void WriteField(Json& obj, const char* name, const std::optional<T>& v) {
  if (v.has_value()) PutField(obj, name, Write(*v));
}

template <typename T>
Status DecodeText(std::string_view text, T* out) {
  Json j;
  RETURN_IF_ERROR(ParseJson(text, &j));
  return FromJson(j, out);
}

template <typename T>
Status RoundTripText(std::string_view in, std::string* out) {
  T v;
  RETURN_IF_ERROR(DecodeText(in, &v));
  *out = Dump(ToJson(v));
  return Status::Ok();
}

template <typename T>
Status RoundTripJson(const Json& in, Json* out) {
  T v;
  RETURN_IF_ERROR(FromJson(in, &v));
  *out = ToJson(v);
  return Status::Ok();
}

}  // namespace kubepp::api::types_internal
