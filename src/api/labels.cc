#include "api/labels.h"

#include <algorithm>

#include "api/names.h"
#include "api/strconv.h"

namespace kubepp::api {
namespace {

// Go's %#v of a []string: []string(nil) or []string{"a", "b"}.
std::string GoStringSlice(const std::vector<std::string>& v) {
  if (v.empty()) return "[]string(nil)";
  std::string out = "[]string{";
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out.append(", ");
    out.append(GoQuote(v[i]));
  }
  return out + "}";
}

std::string Join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out.append(sep);
    out.append(parts[i]);
  }
  return out;
}

FieldErrors RequirementErrors(const std::string& key, SelectorOperator op,
                              const std::vector<std::string>& vals) {
  FieldErrors errs;
  if (auto m = IsQualifiedName(key); !m.empty()) {
    errs.push_back(FieldError::InvalidString("key", key, Join(m, "; ")));
  }
  switch (op) {
    case SelectorOperator::kIn:
    case SelectorOperator::kNotIn:
      if (vals.empty()) {
        errs.push_back(FieldError::Invalid("values", GoStringSlice(vals),
                                           "for 'in', 'notin' operators, values set can't be empty"));
      }
      break;
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
    case SelectorOperator::kNotEquals:
      if (vals.size() != 1) {
        errs.push_back(FieldError::Invalid("values", GoStringSlice(vals),
                                           "exact-match compatibility requires one single value"));
      }
      break;
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      if (!vals.empty()) {
        errs.push_back(FieldError::Invalid("values", GoStringSlice(vals),
                                           "values set must be empty for exists and does not exist"));
      }
      break;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan:
      if (vals.size() != 1) {
        errs.push_back(FieldError::Invalid("values", GoStringSlice(vals),
                                           "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (size_t i = 0; i < vals.size(); ++i) {
        int64_t ignored;
        if (!ParseGoInt64(vals[i], &ignored).empty()) {
          errs.push_back(FieldError::InvalidString("values[" + std::to_string(i) + "]", vals[i],
                                                   "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
  for (size_t i = 0; i < vals.size(); ++i) {
    if (auto m = IsValidLabelValue(vals[i]); !m.empty()) {
      errs.push_back(FieldError::InvalidString("values[" + std::to_string(i) + "][" + key + "]", vals[i],
                                               Join(m, "; ")));
    }
  }
  return errs;
}

// ---- query-string lexer and parser ----

enum class Tok {
  kEnd,
  kClosePar,
  kComma,
  kNot,  // "!"
  kDoubleEquals,
  kEquals,
  kGreater,
  kIdent,
  kIn,
  kLess,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Token {
  Tok tok;
  std::string lit;
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsSpecial(char c) {
  return c == '=' || c == '!' || c == '(' || c == ')' || c == ',' || c == '>' || c == '<';
}

std::optional<Tok> SymbolToken(std::string_view s) {
  if (s == ")") return Tok::kClosePar;
  if (s == ",") return Tok::kComma;
  if (s == "!") return Tok::kNot;
  if (s == "==") return Tok::kDoubleEquals;
  if (s == "=") return Tok::kEquals;
  if (s == ">") return Tok::kGreater;
  if (s == "<") return Tok::kLess;
  if (s == "!=") return Tok::kNotEquals;
  if (s == "(") return Tok::kOpenPar;
  return std::nullopt;
}

std::vector<Token> Lex(std::string_view s) {
  // Upstream's lexer reads a NUL byte as end of input.
  if (size_t nul = s.find('\0'); nul != std::string_view::npos) s = s.substr(0, nul);
  std::vector<Token> out;
  size_t i = 0;
  while (true) {
    while (i < s.size() && IsSpace(s[i])) ++i;
    if (i >= s.size()) {
      out.push_back({Tok::kEnd, ""});
      return out;
    }
    if (IsSpecial(s[i])) {
      // Longest symbol that is a token: "!=" over "!", "==" over "=".
      size_t len = 1;
      if (i + 1 < s.size() && SymbolToken(s.substr(i, 2))) len = 2;
      out.push_back({*SymbolToken(s.substr(i, len)), std::string(s.substr(i, len))});
      i += len;
      continue;
    }
    size_t start = i;
    while (i < s.size() && !IsSpace(s[i]) && !IsSpecial(s[i])) ++i;
    std::string lit(s.substr(start, i - start));
    Tok t = lit == "in" ? Tok::kIn : lit == "notin" ? Tok::kNotIn : Tok::kIdent;
    out.push_back({t, std::move(lit)});
  }
}

class Parser {
 public:
  explicit Parser(std::string_view s) : toks_(Lex(s)) {}

  StatusOr<std::vector<LabelRequirement>> Parse() {
    std::vector<LabelRequirement> reqs;
    while (true) {
      const Token& t = PeekValue();
      if (t.tok == Tok::kIdent || t.tok == Tok::kNot) {
        auto r = ParseRequirement();
        if (!r.ok()) return Status::BadRequest("unable to parse requirement: " + r.status().message());
        reqs.push_back(std::move(r).value());
        Token next = ConsumeValue();
        if (next.tok == Tok::kEnd) return reqs;
        if (next.tok == Tok::kComma) {
          const Token& t2 = PeekValue();
          if (t2.tok != Tok::kIdent && t2.tok != Tok::kNot) {
            return Status::BadRequest("found '" + t2.lit + "', expected: identifier after ','");
          }
          continue;
        }
        return Status::BadRequest("found '" + next.lit + "', expected: ',' or 'end of string'");
      }
      if (t.tok == Tok::kEnd) return reqs;
      return Status::BadRequest("found '" + t.lit + "', expected: !, identifier, or 'end of string'");
    }
  }

 private:
  // In value context the keywords "in"/"notin" are plain identifiers.
  Token AsValue(Token t) const {
    if (t.tok == Tok::kIn || t.tok == Tok::kNotIn) t.tok = Tok::kIdent;
    return t;
  }
  Token PeekValue() const { return AsValue(toks_[pos_]); }
  Token ConsumeValue() { return AsValue(toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]); }
  Token ConsumeOperator() { return toks_[pos_ < toks_.size() - 1 ? pos_++ : pos_]; }

  // Errors here are messages only; Parse() adds the prefix and the code.
  StatusOr<LabelRequirement> ParseRequirement() {
    SelectorOperator op = SelectorOperator::kExists;
    bool negated = false;
    Token t = ConsumeValue();
    if (t.tok == Tok::kNot) {
      negated = true;
      t = ConsumeValue();
    }
    if (t.tok != Tok::kIdent) return Status::BadRequest("found '" + t.lit + "', expected: identifier");
    if (auto m = IsQualifiedName(t.lit); !m.empty()) {
      return Status::BadRequest(FieldError::InvalidString("<nil>", t.lit, Join(m, "; ")).ToString());
    }
    std::string key = t.lit;
    Tok next = PeekValue().tok;
    if (negated || next == Tok::kEnd || next == Tok::kComma) {
      // "!key" is complete here; anything after it fails in Parse().
      return Build(std::move(key), negated ? SelectorOperator::kDoesNotExist : SelectorOperator::kExists, {});
    }
    Token o = ConsumeOperator();
    switch (o.tok) {
      case Tok::kIn: op = SelectorOperator::kIn; break;
      case Tok::kNotIn: op = SelectorOperator::kNotIn; break;
      case Tok::kEquals: op = SelectorOperator::kEquals; break;
      case Tok::kDoubleEquals: op = SelectorOperator::kDoubleEquals; break;
      case Tok::kNotEquals: op = SelectorOperator::kNotEquals; break;
      case Tok::kGreater: op = SelectorOperator::kGreaterThan; break;
      case Tok::kLess: op = SelectorOperator::kLessThan; break;
      default:
        return Status::BadRequest("found '" + o.lit + "', expected: in, notin, =, ==, !=, gt, lt");
    }
    std::vector<std::string> values;
    if (op == SelectorOperator::kIn || op == SelectorOperator::kNotIn) {
      auto v = ParseValueSet();
      if (!v.ok()) return v.status();
      values = std::move(v).value();
    } else {
      Token v = PeekValue();
      if (v.tok == Tok::kEnd || v.tok == Tok::kComma) {
        values.push_back("");  // "a=" selects the empty value
      } else {
        v = ConsumeValue();
        if (v.tok != Tok::kIdent) return Status::BadRequest("found '" + v.lit + "', expected: identifier");
        values.push_back(v.lit);
      }
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    return Build(std::move(key), op, std::move(values));
  }

  StatusOr<std::vector<std::string>> ParseValueSet() {
    Token t = ConsumeValue();
    if (t.tok != Tok::kOpenPar) return Status::BadRequest("found '" + t.lit + "' expected: '('");
    Token first = PeekValue();
    if (first.tok == Tok::kClosePar) {
      ConsumeValue();
      return std::vector<std::string>{""};  // "()" is the set {""}
    }
    if (first.tok != Tok::kIdent && first.tok != Tok::kComma) {
      return Status::BadRequest("found '" + first.lit + "', expected: ',', ')' or identifier");
    }
    std::vector<std::string> vals;
    // Mirrors upstream: empty entries ("(,a)", "(a,,b)", "(a,)") add "".
    while (true) {
      Token v = ConsumeValue();
      if (v.tok == Tok::kIdent) {
        vals.push_back(v.lit);
        Token n = PeekValue();
        if (n.tok == Tok::kComma) continue;
        if (n.tok == Tok::kClosePar) break;
        return Status::BadRequest("found '" + n.lit + "', expected: ',' or ')'");
      }
      if (v.tok == Tok::kComma) {
        if (vals.empty()) vals.push_back("");
        Token n = PeekValue();
        if (n.tok == Tok::kClosePar) {
          vals.push_back("");
          break;
        }
        if (n.tok == Tok::kComma) {
          ConsumeValue();
          vals.push_back("");
        }
        continue;
      }
      return Status::BadRequest("found '" + v.lit + "', expected: ',', or identifier");
    }
    Token close = ConsumeValue();
    if (close.tok != Tok::kClosePar) return Status::BadRequest("found '" + first.lit + "', expected: ')'");
    return vals;
  }

  static StatusOr<LabelRequirement> Build(std::string key, SelectorOperator op, std::vector<std::string> values) {
    auto r = LabelRequirement::Create(std::move(key), op, std::move(values));
    if (!r.ok()) return Status::BadRequest(r.status().message());
    return r;
  }

  std::vector<Token> toks_;
  size_t pos_ = 0;
};

void SortByKey(std::vector<LabelRequirement>* reqs) {
  std::stable_sort(reqs->begin(), reqs->end(),
                   [](const LabelRequirement& a, const LabelRequirement& b) { return a.key() < b.key(); });
}

}  // namespace

std::string_view SelectorOperatorName(SelectorOperator op) {
  switch (op) {
    case SelectorOperator::kIn: return "in";
    case SelectorOperator::kNotIn: return "notin";
    case SelectorOperator::kEquals: return "=";
    case SelectorOperator::kDoubleEquals: return "==";
    case SelectorOperator::kNotEquals: return "!=";
    case SelectorOperator::kExists: return "exists";
    case SelectorOperator::kDoesNotExist: return "!";
    case SelectorOperator::kGreaterThan: return "gt";
    case SelectorOperator::kLessThan: return "lt";
  }
  return "";
}

StatusOr<LabelRequirement> LabelRequirement::Create(std::string key, SelectorOperator op,
                                                    std::vector<std::string> values) {
  FieldErrors errs = RequirementErrors(key, op, values);
  if (!errs.empty()) return FieldErrorsToStatus(errs);
  return LabelRequirement(std::move(key), op, std::move(values));
}

bool LabelRequirement::Matches(const Labels& labels) const {
  auto it = labels.find(key_);
  bool has = it != labels.end();
  auto has_value = [&] { return std::find(values_.begin(), values_.end(), it->second) != values_.end(); };
  switch (op_) {
    case SelectorOperator::kIn:
    case SelectorOperator::kEquals:
    case SelectorOperator::kDoubleEquals:
      return has && has_value();
    case SelectorOperator::kNotIn:
    case SelectorOperator::kNotEquals:
      return !has || !has_value();
    case SelectorOperator::kExists:
      return has;
    case SelectorOperator::kDoesNotExist:
      return !has;
    case SelectorOperator::kGreaterThan:
    case SelectorOperator::kLessThan: {
      int64_t have, want;
      if (!has || values_.size() != 1 || !ParseGoInt64(it->second, &have).empty() ||
          !ParseGoInt64(values_[0], &want).empty()) {
        return false;
      }
      return op_ == SelectorOperator::kGreaterThan ? have > want : have < want;
    }
  }
  return false;
}

std::string LabelRequirement::String() const {
  std::string out;
  if (op_ == SelectorOperator::kDoesNotExist) out.push_back('!');
  out.append(key_);
  switch (op_) {
    case SelectorOperator::kExists:
    case SelectorOperator::kDoesNotExist:
      return out;
    case SelectorOperator::kEquals: out.append("="); break;
    case SelectorOperator::kDoubleEquals: out.append("=="); break;
    case SelectorOperator::kNotEquals: out.append("!="); break;
    case SelectorOperator::kIn: out.append(" in ("); break;
    case SelectorOperator::kNotIn: out.append(" notin ("); break;
    case SelectorOperator::kGreaterThan: out.append(">"); break;
    case SelectorOperator::kLessThan: out.append("<"); break;
  }
  std::vector<std::string> sorted = values_;
  std::sort(sorted.begin(), sorted.end());
  out.append(Join(sorted, ","));
  if (op_ == SelectorOperator::kIn || op_ == SelectorOperator::kNotIn) out.push_back(')');
  return out;
}

LabelSelector LabelSelector::Nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

StatusOr<LabelSelector> LabelSelector::Parse(std::string_view selector) {
  Parser p(selector);
  auto reqs = p.Parse();
  if (!reqs.ok()) return reqs.status();
  LabelSelector s;
  s.requirements_ = std::move(reqs).value();
  SortByKey(&s.requirements_);
  return s;
}

StatusOr<LabelSelector> LabelSelector::FromSpec(const LabelSelectorSpec* spec) {
  if (spec == nullptr) return Nothing();
  LabelSelector s;
  for (const auto& [k, v] : spec->match_labels) {
    auto r = LabelRequirement::Create(k, SelectorOperator::kEquals, {v});
    if (!r.ok()) return r.status();
    s.requirements_.push_back(std::move(r).value());
  }
  for (const auto& e : spec->match_expressions) {
    SelectorOperator op;
    if (e.op == "In") {
      op = SelectorOperator::kIn;
    } else if (e.op == "NotIn") {
      op = SelectorOperator::kNotIn;
    } else if (e.op == "Exists") {
      op = SelectorOperator::kExists;
    } else if (e.op == "DoesNotExist") {
      op = SelectorOperator::kDoesNotExist;
    } else {
      return Status::Invalid(GoQuote(e.op) + " is not a valid label selector operator");
    }
    auto r = LabelRequirement::Create(e.key, op, e.values);
    if (!r.ok()) return r.status();
    s.requirements_.push_back(std::move(r).value());
  }
  SortByKey(&s.requirements_);
  return s;
}

LabelSelector LabelSelector::FromSet(const Labels& set) {
  LabelSelector s;
  for (const auto& [k, v] : set) s.requirements_.push_back(LabelRequirement(k, SelectorOperator::kEquals, {v}));
  return s;  // std::map iterates in key order already
}

StatusOr<LabelRequirement> LabelSelector::NodeSelectorRequirement(std::string key, std::string_view op,
                                                                  std::vector<std::string> values) {
  SelectorOperator sop;
  if (op == "In") {
    sop = SelectorOperator::kIn;
  } else if (op == "NotIn") {
    sop = SelectorOperator::kNotIn;
  } else if (op == "Exists") {
    sop = SelectorOperator::kExists;
  } else if (op == "DoesNotExist") {
    sop = SelectorOperator::kDoesNotExist;
  } else if (op == "Gt") {
    sop = SelectorOperator::kGreaterThan;
  } else if (op == "Lt") {
    sop = SelectorOperator::kLessThan;
  } else {
    return Status::Invalid(GoQuote(op) + " is not a valid node selector operator");
  }
  return LabelRequirement::Create(std::move(key), sop, std::move(values));
}

bool LabelSelector::Matches(const Labels& labels) const {
  if (nothing_) return false;
  for (const auto& r : requirements_) {
    if (!r.Matches(labels)) return false;
  }
  return true;
}

std::string LabelSelector::String() const {
  std::vector<std::string> parts;
  parts.reserve(requirements_.size());
  for (const auto& r : requirements_) parts.push_back(r.String());
  return Join(parts, ",");
}

LabelSelector LabelSelector::Add(LabelRequirement r) const {
  LabelSelector s = *this;
  if (s.nothing_) return s;
  s.requirements_.push_back(std::move(r));
  SortByKey(&s.requirements_);
  return s;
}

std::optional<std::string> LabelSelector::RequiresExactMatch(std::string_view key) const {
  for (const auto& r : requirements_) {
    if (r.key() != key) continue;
    bool exact = r.op() == SelectorOperator::kEquals || r.op() == SelectorOperator::kDoubleEquals ||
                 r.op() == SelectorOperator::kIn;
    if (exact && r.values().size() == 1) return r.values()[0];
    return std::nullopt;
  }
  return std::nullopt;
}

FieldErrors ValidateLabelSelector(const LabelSelectorSpec& spec, const std::string& path) {
  FieldErrors errs = ValidateLabels(spec.match_labels, path + ".matchLabels");
  for (size_t i = 0; i < spec.match_expressions.size(); ++i) {
    const auto& e = spec.match_expressions[i];
    std::string p = path + ".matchExpressions[" + std::to_string(i) + "]";
    if (e.op == "In" || e.op == "NotIn") {
      if (e.values.empty()) {
        errs.push_back(FieldError::Required(p + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
      }
    } else if (e.op == "Exists" || e.op == "DoesNotExist") {
      if (!e.values.empty()) {
        errs.push_back(FieldError::Forbidden(
            p + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else {
      errs.push_back(FieldError::InvalidString(p + ".operator", e.op, "not a valid selector operator"));
    }
    for (auto& m : IsQualifiedName(e.key)) errs.push_back(FieldError::InvalidString(p + ".key", e.key, m));
    for (size_t j = 0; j < e.values.size(); ++j) {
      for (auto& m : IsValidLabelValue(e.values[j])) {
        errs.push_back(FieldError::InvalidString(p + ".values[" + std::to_string(j) + "]", e.values[j], m));
      }
    }
  }
  return errs;
}

}  // namespace kubepp::api
