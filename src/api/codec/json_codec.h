// JSON decoding with the strictness Kubernetes applies to request bodies.
//
// DecodeJson parses bytes into the generic representation (nlohmann::json)
// with errors that name the line, column and byte offset. The strict-field
// helpers compare an object against a schema Definition and report, in
// upstream's words, `unknown field "spec.foo"` and `duplicate field "x"`
// (paths: struct fields joined by '.', list items as [i]; map keys are not
// path segments, as in upstream's decoder). Free-form values (RawExtension,
// FieldsV1, `any`) are never inspected; map keys are never "unknown".
//
// fieldValidation=Strict turns the findings into an error
// (StrictDecodingError); Warn reports them and prunes the unknown fields;
// Ignore prunes silently. Thread-safe: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "api/schema/schema.h"
#include "common/status.h"

namespace kubepp::api {

// Parses JSON text. BadRequest "json: <problem> at line L, column C (offset
// O)" on malformed input (including trailing garbage and invalid UTF-8).
StatusOr<nlohmann::json> DecodeJson(std::string_view bytes);

// Unknown and duplicate fields of the JSON text `bytes` read as `def`, in
// document order, e.g. {`duplicate field "metadata.name"`,
// `unknown field "spec.template.spec.containers[0].foo"`}. A field that is
// both unknown and repeated is reported once, as unknown. Text that is not
// valid JSON yields no findings (DecodeJson reports it).
std::vector<std::string> StrictFieldErrors(std::string_view bytes, const Definition& def);

// Unknown fields of an already-decoded object (e.g. from YAML), sorted by
// path: `unknown field "spec.foo"`.
std::vector<std::string> FindUnknownFields(const nlohmann::json& object, const Definition& def);

// Removes the unknown fields from *object; returns the findings as
// FindUnknownFields would have.
std::vector<std::string> PruneUnknownFields(nlohmann::json* object, const Definition& def);

// BadRequest "strict decoding error: <e1>, <e2>, ..." (Ok when empty).
Status StrictDecodingError(const std::vector<std::string>& errors);

}  // namespace kubepp::api
