#include "api/fields.h"

#include <algorithm>

namespace kubepp::api {
namespace {

// Splits on commas not preceded by a backslash escape.
std::vector<std::string_view> SplitTerms(std::string_view s) {
  std::vector<std::string_view> terms;
  if (s.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (in_slash) {
      in_slash = false;
    } else if (s[i] == '\\') {
      in_slash = true;
    } else if (s[i] == ',') {
      terms.push_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.push_back(s.substr(start));
  return terms;
}

}  // namespace

std::string EscapeFieldSelectorValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\' || c == ',' || c == '=') out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

StatusOr<std::string> UnescapeFieldSelectorValue(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  bool in_slash = false;
  for (char c : value) {
    if (in_slash) {
      if (c != '\\' && c != ',' && c != '=') {
        return Status::BadRequest(std::string("invalid field selector: invalid escape sequence: \\") + c);
      }
      out.push_back(c);
      in_slash = false;
      continue;
    }
    if (c == '\\') {
      in_slash = true;
    } else if (c == ',' || c == '=') {
      return Status::BadRequest("invalid field selector: unescaped character in value: " +
                                std::to_string(static_cast<int>(c)));
    } else {
      out.push_back(c);
    }
  }
  if (in_slash) return Status::BadRequest("invalid field selector: invalid escape sequence: \\");
  return out;
}

StatusOr<FieldSelector> FieldSelector::Parse(std::string_view selector) {
  std::vector<std::string_view> terms = SplitTerms(selector);
  std::sort(terms.begin(), terms.end());
  FieldSelector s;
  for (std::string_view term : terms) {
    if (term.empty()) continue;
    // First position where an operator starts; "!=" and "==" before "=".
    size_t op_pos = std::string_view::npos;
    size_t op_len = 0;
    bool equals = true;
    for (size_t i = 0; i < term.size(); ++i) {
      std::string_view rest = term.substr(i);
      if (rest.starts_with("!=")) {
        op_pos = i, op_len = 2, equals = false;
        break;
      }
      if (rest.starts_with("==")) {
        op_pos = i, op_len = 2;
        break;
      }
      if (rest.starts_with("=")) {
        op_pos = i, op_len = 1;
        break;
      }
    }
    if (op_pos == std::string_view::npos) {
      return Status::BadRequest("invalid selector: '" + std::string(selector) + "'; can't understand '" +
                                std::string(term) + "'");
    }
    auto value = UnescapeFieldSelectorValue(term.substr(op_pos + op_len));
    if (!value.ok()) return value.status();
    s.requirements_.push_back({std::string(term.substr(0, op_pos)), equals, std::move(value).value()});
  }
  return s;
}

FieldSelector FieldSelector::FromSet(const std::map<std::string, std::string>& set) {
  FieldSelector s;
  for (const auto& [k, v] : set) s.requirements_.push_back({k, true, v});
  return s;
}

bool FieldSelector::Matches(const FieldGetter& get) const {
  for (const auto& r : requirements_) {
    std::string have = get(r.field).value_or("");
    if ((have == r.value) != r.equals) return false;
  }
  return true;
}

bool FieldSelector::Matches(const std::map<std::string, std::string>& fields) const {
  return Matches([&](std::string_view f) -> std::optional<std::string> {
    auto it = fields.find(std::string(f));
    if (it == fields.end()) return std::nullopt;
    return it->second;
  });
}

std::string FieldSelector::String() const {
  std::string out;
  for (size_t i = 0; i < requirements_.size(); ++i) {
    if (i) out.push_back(',');
    const auto& r = requirements_[i];
    out.append(r.field).append(r.equals ? "=" : "!=").append(EscapeFieldSelectorValue(r.value));
  }
  return out;
}

std::optional<std::string> FieldSelector::RequiresExactMatch(std::string_view field) const {
  for (const auto& r : requirements_) {
    if (r.field == field && r.equals) return r.value;
  }
  return std::nullopt;
}

Status FieldSelector::CheckSupported(const std::set<std::string, std::less<>>& supported) const {
  for (const auto& r : requirements_) {
    if (!supported.contains(r.field)) return Status::BadRequest("field label not supported: " + r.field);
  }
  return Status::Ok();
}

}  // namespace kubepp::api
