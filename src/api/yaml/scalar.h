// Internal to the YAML codec: how a plain (unquoted) YAML scalar resolves to a
// type under the YAML 1.1 rules that Kubernetes' YAML stack (go-yaml v2 under
// sigs.k8s.io/yaml) applies, plus the small text helpers the parser and the
// emitter share (UTF-8, base64, Go-style float formatting, key ordering).
//
// The parser uses ResolvePlain to type unquoted scalars; the emitter uses the
// same function to decide whether a string must be quoted to read back as a
// string, so both directions agree by construction.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/encoding.h"

namespace kubepp::api::yaml::internal {

struct Scalar {
  enum class Kind { kNull, kBool, kInt, kUint, kFloat, kTimestamp, kMerge, kString };
  Kind kind = Kind::kString;
  bool b = false;
  int64_t i = 0;
  uint64_t u = 0;
  double d = 0;
};

// Resolves a plain scalar. `try_timestamp` is false when an explicit tag other
// than !!timestamp asked for the value (go-yaml only tries timestamps for
// untagged values). Numbers that overflow a double resolve to kString, as
// upstream does.
Scalar ResolvePlain(std::string_view s, bool try_timestamp = true);

// YAML 1.1 timestamp forms that go-yaml v2 recognises (date, date+time).
bool IsTimestamp(std::string_view s);
// YAML 1.1 sexagesimal float ("1:20"); go-yaml quotes these on output.
bool IsBase60Float(std::string_view s);

// Go's strconv.FormatFloat(v, 'g', -1, 64 or 32): shortest round-trip digits,
// exponent form when exp < -4 or exp >= 6 ("1e+06"), "+Inf"/"-Inf"/"NaN".
std::string GoFormatFloat(double v, bool single_precision);

// Shared with the other codecs (common/encoding.h).
using ::kubepp::Base64Decode;
using ::kubepp::Base64Encode;
using ::kubepp::DecodeUtf8;
using ::kubepp::FindInvalidUtf8;
using ::kubepp::SanitizeUtf8;

// Map-key order of go-yaml v2's encoder: runs of digits compare as numbers and
// non-letters sort before letters ("a2" < "a10", "_x" < "A").
bool NaturalKeyLess(std::string_view a, std::string_view b);

}  // namespace kubepp::api::yaml::internal
