// FieldError: one validation failure on one field, printed the way upstream's
// field.Error prints ("spec.replicas: Invalid value: -1: must be greater
// than or equal to 0"). The value types in this folder report through it so
// the API server can put the same text into a 422 Status.
//
// Thread-safety: a value type.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kubepp::api {

struct FieldError {
  enum class Type { kInvalid, kRequired, kForbidden, kNotSupported, kTooLong, kDuplicate };

  Type type = Type::kInvalid;
  std::string field;  // "metadata.name", "spec.selector.matchExpressions[0].values"
  // The offending value already rendered as upstream renders it: strings
  // quoted ("\"a b\""), numbers bare; empty for Required/Forbidden.
  std::string value;
  std::string detail;

  // "<field>: Invalid value: <value>: <detail>", "<field>: Required value:
  // <detail>", "<field>: Forbidden: <detail>", ...
  std::string ToString() const;
  // ToString without the leading "<field>: ", as a 422's details.causes[]
  // message carries it ("Invalid value: -1: must be ...", "Required value").
  std::string Message() const;

  static FieldError Invalid(std::string field, std::string quoted_value, std::string detail);
  static FieldError InvalidString(std::string field, std::string_view value, std::string detail);
  static FieldError Required(std::string field, std::string detail);
  static FieldError Forbidden(std::string field, std::string detail);
};

using FieldErrors = std::vector<FieldError>;

// "spec" + "replicas" -> "spec.replicas"; "" + "spec" -> "spec". The field
// path of a member, as field errors and strict-decoding errors print it.
std::string JoinFieldPath(std::string_view path, std::string_view name);

// Go's %q of a string (used when rendering values): "a\"b" with escapes.
std::string GoQuote(std::string_view s);

// One error prints as itself, several as "[e1, e2]" with identical texts
// listed once (upstream's ErrorList.ToAggregate).
std::string JoinFieldErrors(const FieldErrors& errors);
// details.causes[].reason of an error: "FieldValueInvalid",
// "FieldValueRequired", "FieldValueForbidden", "FieldValueNotSupported",
// "FieldValueTooLong", "FieldValueDuplicate".
std::string_view CauseReason(FieldError::Type type);
// The 422 Status message: `Deployment.apps "bad" is invalid: <errors>` (the
// kind qualified by its group; "Pod" for core). kubectl prints it as
// `The Deployment "bad" is invalid: ...`.
std::string InvalidObjectMessage(std::string_view group, std::string_view kind, std::string_view name,
                                 const FieldErrors& errors);

// OK when empty, else Invalid with JoinFieldErrors as the message.
Status FieldErrorsToStatus(const FieldErrors& errors);

}  // namespace kubepp::api
