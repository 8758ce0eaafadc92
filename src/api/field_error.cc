#include "api/field_error.h"

#include <set>
#include <vector>

#include <cstdio>

namespace kubepp::api {

std::string JoinFieldPath(std::string_view path, std::string_view name) {
  std::string out(path);
  if (!out.empty()) out.push_back('.');
  out.append(name);
  return out;
}

std::string FieldError::ToString() const {
  std::string out = field;
  out.append(": ");
  switch (type) {
    case Type::kInvalid:
      out.append("Invalid value: ").append(value);
      break;
    case Type::kRequired:
      out.append("Required value");
      break;
    case Type::kForbidden:
      out.append("Forbidden");
      break;
    case Type::kNotSupported:
      out.append("Unsupported value: ").append(value);
      break;
    case Type::kTooLong:
      out.append("Too long");
      break;
    case Type::kDuplicate:
      out.append("Duplicate value: ").append(value);
      break;
  }
  if (!detail.empty()) out.append(": ").append(detail);
  return out;
}

FieldError FieldError::Invalid(std::string field, std::string quoted_value, std::string detail) {
  return {Type::kInvalid, std::move(field), std::move(quoted_value), std::move(detail)};
}
FieldError FieldError::InvalidString(std::string field, std::string_view value, std::string detail) {
  return {Type::kInvalid, std::move(field), GoQuote(value), std::move(detail)};
}
FieldError FieldError::Required(std::string field, std::string detail) {
  return {Type::kRequired, std::move(field), "", std::move(detail)};
}
FieldError FieldError::Forbidden(std::string field, std::string detail) {
  return {Type::kForbidden, std::move(field), "", std::move(detail)};
}

std::string GoQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\t': out.append("\\t"); break;
      case '\r': out.append("\\r"); break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out.append(buf);
        } else {
          out.push_back(static_cast<char>(c));  // UTF-8 passes through
        }
    }
  }
  out.push_back('"');
  return out;
}

std::string FieldError::Message() const {
  std::string text = ToString();
  std::string prefix = field + ": ";
  if (!field.empty() && text.rfind(prefix, 0) == 0) text.erase(0, prefix.size());
  return text;
}

std::string JoinFieldErrors(const FieldErrors& errors) {
  std::vector<std::string> texts;
  std::set<std::string> seen;
  for (const auto& e : errors) {
    std::string t = e.ToString();
    if (seen.insert(t).second) texts.push_back(std::move(t));
  }
  if (texts.size() == 1) return texts[0];
  std::string out = "[";
  for (size_t i = 0; i < texts.size(); ++i) {
    if (i > 0) out.append(", ");
    out.append(texts[i]);
  }
  out.push_back(']');
  return out;
}

std::string_view CauseReason(FieldError::Type type) {
  switch (type) {
    case FieldError::Type::kInvalid: return "FieldValueInvalid";
    case FieldError::Type::kRequired: return "FieldValueRequired";
    case FieldError::Type::kForbidden: return "FieldValueForbidden";
    case FieldError::Type::kNotSupported: return "FieldValueNotSupported";
    case FieldError::Type::kTooLong: return "FieldValueTooLong";
    case FieldError::Type::kDuplicate: return "FieldValueDuplicate";
  }
  return "FieldValueInvalid";
}

std::string InvalidObjectMessage(std::string_view group, std::string_view kind, std::string_view name,
                                 const FieldErrors& errors) {
  std::string qualified(kind);
  if (!group.empty()) qualified += "." + std::string(group);
  return qualified + " " + GoQuote(name) + " is invalid: " + JoinFieldErrors(errors);
}

Status FieldErrorsToStatus(const FieldErrors& errors) {
  if (errors.empty()) return Status::Ok();
  return Status::Invalid(JoinFieldErrors(errors));
}

}  // namespace kubepp::api
