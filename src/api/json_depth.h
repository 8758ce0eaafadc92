// The nesting limit for JSON text from outside (request bodies, responses,
// files), shared by every JSON entry point of the project (api/codec's
// DecodeJson, the generated types' Decode) so that a document one accepts
// the other does not refuse. The decoded values are walked recursively
// (strictness checks, conversions, protobuf and YAML encoders); refusing
// absurd nesting before parsing keeps those walks off the end of the stack.
// Upstream's decoder allows 10000 levels; no Kubernetes object nests near
// this limit.
//
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string_view>

namespace kubepp::api {

inline constexpr int kMaxJsonDepth = 1000;

// The offset of the '[' or '{' that opens level kMaxJsonDepth + 1 of `text`
// (brackets inside strings do not count), or npos when the text nests no
// deeper than kMaxJsonDepth. Malformed text is scanned as far as it goes.
size_t JsonDepthExceededAt(std::string_view text);

}  // namespace kubepp::api
