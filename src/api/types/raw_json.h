// RawJson: a JSON value kept as serialized text, the C++ form of the
// free-form parts of the API (runtime.RawExtension, metav1.FieldsV1,
// apiextensions JSON, fields typed "any"). The typed structs carry it without
// interpreting it; this header stays free of nlohmann so that every generated
// struct header remains cheap to include.
//
// The text is always valid, compact JSON: Parse validates and normalises
// (object keys sorted, no whitespace), so two RawJson of the same value
// compare equal. Thread-safety: a value type.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace kubepp::api {

class RawJson {
 public:
  RawJson() : text_("null") {}

  // Returns BadRequest naming the parse error when `text` is not one JSON value.
  static StatusOr<RawJson> Parse(std::string_view text);

  // For callers that already hold compact text produced by a JSON serializer
  // (the generated decoders). No validation.
  static RawJson FromSerialized(std::string text) {
    RawJson r;
    r.text_ = std::move(text);
    return r;
  }

  const std::string& text() const { return text_; }

  bool operator==(const RawJson& o) const = default;

 private:
  std::string text_;
};

}  // namespace kubepp::api
