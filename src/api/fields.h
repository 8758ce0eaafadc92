// Field selectors (k8s.io/apimachinery/pkg/fields): ?fieldSelector= and
// kubectl --field-selector, e.g. "metadata.name=web,status.phase!=Running".
//
// Terms are split on unescaped commas and ANDed; each term is
// "<field>=<value>", "<field>==<value>" or "<field>!=<value>" (the first
// operator found wins; nothing is trimmed). Values unescape "\\", "\," and
// "\=" and may not contain a bare "," or "=". A missing field reads as "".
// Which fields are supported is per resource: the API server checks
// requirements() against its list (UnsupportedFieldError gives upstream's
// message).
//
// Thread-safety: value types.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kubepp::api {

struct FieldRequirement {
  std::string field;
  bool equals = true;  // false for "!="
  std::string value;   // unescaped

  bool operator==(const FieldRequirement& o) const {
    return field == o.field && equals == o.equals && value == o.value;
  }
};

class FieldSelector {
 public:
  // Returns the value of a field of the object, nullopt when it has none.
  using FieldGetter = std::function<std::optional<std::string>(std::string_view field)>;

  FieldSelector() = default;  // Everything

  // Returns BadRequest on a term without an operator ("invalid selector:
  // 'x'; can't understand 'x'"), or a value with a bad escape ("invalid field
  // selector: invalid escape sequence: \\x") or a bare , or = ("invalid
  // field selector: unescaped character in value: 61", rune printed as a
  // number, as upstream does).
  static StatusOr<FieldSelector> Parse(std::string_view selector);
  static FieldSelector FromSet(const std::map<std::string, std::string>& set);  // all equalities

  bool Empty() const { return requirements_.empty(); }
  bool Matches(const FieldGetter& get) const;
  bool Matches(const std::map<std::string, std::string>& fields) const;
  // Terms sorted, re-escaped and joined with ","; "==" prints as "=".
  std::string String() const;
  // Sorted by the text of the term, as upstream sorts them.
  const std::vector<FieldRequirement>& requirements() const { return requirements_; }

  // The value `field` must equal, if one "=" term pins it.
  std::optional<std::string> RequiresExactMatch(std::string_view field) const;

  // OK when every field named is in `supported`; else BadRequest
  // "field label not supported: <field>" for the first one that is not.
  Status CheckSupported(const std::set<std::string, std::less<>>& supported) const;

 private:
  std::vector<FieldRequirement> requirements_;
};

// Escapes \, , and = in a field selector value (EscapeValue).
std::string EscapeFieldSelectorValue(std::string_view value);
// Inverse of the above; errors as Parse describes.
StatusOr<std::string> UnescapeFieldSelectorValue(std::string_view value);

}  // namespace kubepp::api
