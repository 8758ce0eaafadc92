// Label selectors (k8s.io/apimachinery/pkg/labels): the query-string syntax
// used by ?labelSelector= and kubectl -l, and the structured
// metav1.LabelSelector (matchLabels + matchExpressions) found in
// Deployments, Services' owners, PDBs and so on.
//
//   LabelSelector::Parse("app=web,tier!=db,env in (prod,staging),!canary")
//
// Semantics follow upstream: requirements are ANDed and kept sorted by key;
// values of set operators are de-duplicated and sorted; "x=" means value "";
// NotIn/!= match objects without the key; Gt/Lt compare int64 values.
// An empty selector (Everything) matches every object; Nothing() — what a nil
// metav1.LabelSelector converts to — matches none.
//
// Thread-safety: value types.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"
#include "common/status.h"

namespace kubepp::api {

using Labels = std::map<std::string, std::string>;

enum class SelectorOperator {
  kIn,
  kNotIn,
  kEquals,        // "="
  kDoubleEquals,  // "=="
  kNotEquals,     // "!="
  kExists,
  kDoesNotExist,
  kGreaterThan,  // "gt" (node affinity Gt)
  kLessThan,     // "lt" (node affinity Lt)
};

// "in", "notin", "=", "==", "!=", "exists", "!", "gt", "lt" (upstream's
// selection.Operator strings).
std::string_view SelectorOperatorName(SelectorOperator op);

class LabelRequirement {
 public:
  // upstream NewRequirement: validates the key (qualified name), the number
  // of values for the operator, Gt/Lt integer values, and each value (label
  // value syntax). Returns Invalid with upstream's field-error text, e.g.
  // "values: Invalid value: []string(nil): for 'in', 'notin' operators,
  // values set can't be empty".
  static StatusOr<LabelRequirement> Create(std::string key, SelectorOperator op,
                                           std::vector<std::string> values);

  const std::string& key() const { return key_; }
  SelectorOperator op() const { return op_; }
  const std::vector<std::string>& values() const { return values_; }

  bool Matches(const Labels& labels) const;
  // "key=v", "key==v", "key!=v", "key in (a,b)", "key notin (a)", "key",
  // "!key", "key>3", "key<3"; set values printed sorted.
  std::string String() const;

  bool operator==(const LabelRequirement& o) const {
    return key_ == o.key_ && op_ == o.op_ && values_ == o.values_;
  }

 private:
  LabelRequirement(std::string key, SelectorOperator op, std::vector<std::string> values)
      : key_(std::move(key)), op_(op), values_(std::move(values)) {}
  friend class LabelSelector;

  std::string key_;
  SelectorOperator op_;
  std::vector<std::string> values_;
};

// metav1.LabelSelectorRequirement / metav1.LabelSelector as plain data, so
// callers with generated structs can convert without this header knowing them.
struct LabelSelectorRequirementSpec {
  std::string key;
  std::string op;  // "In", "NotIn", "Exists", "DoesNotExist"
  std::vector<std::string> values;
};
struct LabelSelectorSpec {
  std::map<std::string, std::string> match_labels;
  std::vector<LabelSelectorRequirementSpec> match_expressions;
};

class LabelSelector {
 public:
  LabelSelector() = default;  // Everything
  static LabelSelector Everything() { return LabelSelector(); }
  static LabelSelector Nothing();

  // Parses the query-string syntax. Returns BadRequest (what the API server
  // answers for ?labelSelector=) with upstream's message, e.g. "unable to
  // parse requirement: found '(', expected: identifier" or "found ',',
  // expected: identifier after ','". "" parses to Everything.
  static StatusOr<LabelSelector> Parse(std::string_view selector);

  // upstream LabelSelectorAsSelector: nullptr -> Nothing, empty -> Everything.
  // Returns Invalid on an unknown operator or a requirement NewRequirement
  // rejects. Use ValidateLabelSelector first for API-style field errors.
  static StatusOr<LabelSelector> FromSpec(const LabelSelectorSpec* spec);

  // Equality on every label of the set, unvalidated (SelectorFromSet).
  static LabelSelector FromSet(const Labels& set);

  // Node-affinity style requirement (In, NotIn, Exists, DoesNotExist, Gt, Lt).
  static StatusOr<LabelRequirement> NodeSelectorRequirement(std::string key, std::string_view op,
                                                            std::vector<std::string> values);

  bool Matches(const Labels& labels) const;
  // True for Everything (no requirements); false for Nothing.
  bool Empty() const { return !nothing_ && requirements_.empty(); }
  bool IsNothing() const { return nothing_; }
  // Requirements joined by ",", sorted by key ("" for Everything and Nothing).
  std::string String() const;
  const std::vector<LabelRequirement>& requirements() const { return requirements_; }

  // A copy with the requirement added (kept sorted by key). Nothing stays Nothing.
  LabelSelector Add(LabelRequirement r) const;

  // The value a key must have when the selector pins it with =, == or a
  // single-value in (RequiresExactMatch); used to narrow list scans.
  std::optional<std::string> RequiresExactMatch(std::string_view key) const;

 private:
  bool nothing_ = false;
  std::vector<LabelRequirement> requirements_;
};

// API validation of a metav1.LabelSelector at `path` (e.g. "spec.selector"):
// matchLabels keys/values, each expression's key, operator, and value count
// ("...values: Required value: must be specified when `operator` is 'In' or
// 'NotIn'", "...values: Forbidden: may not be specified when `operator` is
// 'Exists' or 'DoesNotExist'"), and value syntax.
FieldErrors ValidateLabelSelector(const LabelSelectorSpec& spec, const std::string& path);

}  // namespace kubepp::api
