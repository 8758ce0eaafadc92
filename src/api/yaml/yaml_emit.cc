// JSON -> YAML in the layout go-yaml v2 (libyaml's emitter) gives kubectl's
// `-o yaml`. Written directly for JSON trees instead of driving an event
// emitter: the layout rules are few, and yaml-cpp's emitter quotes and
// indents differently from kubectl.
#include <algorithm>
#include <cstdio>
#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "api/yaml/scalar.h"
#include "api/yaml/yaml.h"

namespace kubepp::api::yaml {
namespace {

using internal::Scalar;
using nlohmann::json;

constexpr int kBestWidth = 80;       // libyaml folds lines past this column
constexpr size_t kMaxSimpleKey = 128;  // longer keys are written as "? key"

bool IsBreak(char32_t c) { return c == '\n' || c == '\r' || c == 0x85 || c == 0x2028 || c == 0x2029; }

// libyaml's printable set (unicode output): tab, CR and anything outside the
// BMP are not, so such strings get double quotes and escapes.
bool IsPrintable(char32_t c) {
  return c == 0x0A || (c >= 0x20 && c <= 0x7E) || (c >= 0xA0 && c <= 0xD7FF) ||
         (c >= 0xE000 && c <= 0xFFFD && c != 0xFEFF);
}

struct Rune {
  char32_t cp;
  size_t pos;  // byte offset
  int width;
};

std::vector<Rune> Runes(std::string_view s) {
  std::vector<Rune> out;
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    int w;
    if (!internal::DecodeUtf8(s, i, &cp, &w)) {
      cp = 0xFFFD;
      w = 1;
    }
    out.push_back({cp, i, w});
    i += static_cast<size_t>(w);
  }
  return out;
}

// Which styles libyaml's scalar analysis allows for a value.
struct Analysis {
  bool multiline = false;
  bool block_plain_allowed = true;
  bool single_quoted_allowed = true;
  bool block_allowed = true;
  bool odd_breaks = false;  // line breaks other than '\n'
};

Analysis Analyze(std::string_view s, const std::vector<Rune>& r) {
  Analysis a;
  if (s.empty()) {
    a.block_allowed = false;
    return a;
  }
  bool flow_ind = false, block_ind = false, special = false, line_breaks = false;
  bool leading_space = false, leading_break = false, trailing_space = false, trailing_break = false;
  bool break_space = false, space_break = false, prev_space = false, prev_break = false;
  if (s.substr(0, 3) == "---" || s.substr(0, 3) == "...") flow_ind = block_ind = true;
  bool preceded_by_ws = true;
  for (size_t k = 0; k < r.size(); ++k) {
    char32_t c = r[k].cp;
    bool followed_by_ws = k + 1 >= r.size() || r[k + 1].cp == ' ' || r[k + 1].cp == '\t';
    if (k == 0) {
      switch (c) {
        case '#': case ',': case '[': case ']': case '{': case '}': case '&': case '*': case '!':
        case '|': case '>': case '\'': case '"': case '%': case '@': case '`':
          flow_ind = block_ind = true;
          break;
        case '?': case ':':
          flow_ind = true;
          if (followed_by_ws) block_ind = true;
          break;
        case '-':
          if (followed_by_ws) flow_ind = block_ind = true;
          break;
        default: break;
      }
    } else {
      switch (c) {
        case ',': case '?': case '[': case ']': case '{': case '}':
          flow_ind = true;
          break;
        case ':':
          flow_ind = true;
          if (followed_by_ws) block_ind = true;
          break;
        case '#':
          if (preceded_by_ws) flow_ind = block_ind = true;
          break;
        default: break;
      }
    }
    if (!IsPrintable(c)) special = true;
    if (IsBreak(c)) {
      line_breaks = true;
      if (c != '\n') a.odd_breaks = true;
    }
    bool last = k + 1 == r.size();
    if (c == ' ') {
      if (k == 0) leading_space = true;
      if (last) trailing_space = true;
      if (prev_break) break_space = true;
      prev_space = true;
      prev_break = false;
    } else if (IsBreak(c)) {
      if (k == 0) leading_break = true;
      if (last) trailing_break = true;
      if (prev_space) space_break = true;
      prev_space = false;
      prev_break = true;
    } else {
      prev_space = prev_break = false;
    }
    preceded_by_ws = c == ' ' || c == '\t' || IsBreak(c);
  }
  a.multiline = line_breaks;
  if (leading_space || leading_break || trailing_space || trailing_break) a.block_plain_allowed = false;
  if (trailing_space) a.block_allowed = false;
  if (break_space) a.block_plain_allowed = a.single_quoted_allowed = false;
  if (space_break || special) a.block_plain_allowed = a.single_quoted_allowed = a.block_allowed = false;
  if (line_breaks) a.block_plain_allowed = false;
  (void)flow_ind;  // block context only: flow indicators never matter
  if (block_ind) a.block_plain_allowed = false;
  return a;
}

// go-yaml's encoder: a string goes plain only if it would read back as a
// string (and is not a YAML 1.1 sexagesimal number).
bool ReadsBackAsString(std::string_view s) {
  return internal::ResolvePlain(s).kind == Scalar::Kind::kString && !internal::IsBase60Float(s);
}

// go-yaml's base64 for invalid UTF-8: 70-character lines, each followed by
// a newline when there is more than one.
std::string EncodeBinary(std::string_view s) {
  std::string b = internal::Base64Encode(s);
  if (b.size() < 70) return b;  // one line
  std::string out;
  for (size_t i = 0; i < b.size(); i += 70) {
    out.append(b.substr(i, 70));
    out.push_back('\n');
  }
  return out;
}

class Emitter {
 public:
  std::string Finish() {
    if (out_.empty() || out_.back() != '\n') out_.push_back('\n');
    return std::move(out_);
  }

  // Where a node starts: the document root, after "key:", or after one of
  // the indicators "-", "?" and the ":" of a "?" key (compact position).
  enum class Ctx { kRoot, kMapValue, kCompact };

  void Node(const json& v, int indent, Ctx ctx) {
    if (v.is_object() && !v.empty()) {
      if (ctx == Ctx::kRoot) {
        Map(v, 0, true);
      } else if (ctx == Ctx::kMapValue) {
        Map(v, indent + 2, false);
      } else {
        Raw(" ");
        Map(v, indent + 2, true);
      }
      return;
    }
    if (v.is_array() && !v.empty()) {
      if (ctx == Ctx::kRoot) {
        Seq(v, 0, true);
      } else if (ctx == Ctx::kMapValue) {
        Seq(v, indent, false);  // "- " at the key's column, as go-yaml does
      } else {
        Raw(" ");
        Seq(v, indent + 2, true);
      }
      return;
    }
    if (ctx != Ctx::kRoot) Raw(" ");
    ScalarValue(v, ctx == Ctx::kRoot ? 2 : indent + 2);
  }

 private:
  void Raw(std::string_view s) {
    out_.append(s);
    for (char c : s) {
      if (c == '\n') {
        column_ = 0;
      } else if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) {
        ++column_;
      }
    }
  }
  // A literal block already ends its last line, so no second break then.
  void NewLine(int indent) {
    if (!out_.empty() && out_.back() != '\n') out_.push_back('\n');
    out_.append(static_cast<size_t>(indent), ' ');
    column_ = indent;
  }

  void Map(const json& obj, int indent, bool inline_first) {
    std::vector<const std::string*> keys;
    keys.reserve(obj.size());
    for (auto it = obj.begin(); it != obj.end(); ++it) keys.push_back(&it.key());
    std::stable_sort(keys.begin(), keys.end(),
                     [](const std::string* a, const std::string* b) { return internal::NaturalKeyLess(*a, *b); });
    bool first = true;
    for (const std::string* key : keys) {
      if (!(first && inline_first)) NewLine(indent);
      first = false;
      const json& value = obj.at(*key);
      bool valid = !internal::FindInvalidUtf8(*key).has_value();
      std::string shown = valid ? *key : EncodeBinary(*key);
      bool simple = shown.size() + (valid ? 0 : 8) <= kMaxSimpleKey && shown.find_first_of("\n\r") == std::string::npos &&
                    !Analyze(shown, Runes(shown)).multiline;
      if (simple) {
        String(*key, indent + 2, /*simple_key=*/true);
        Raw(":");
        Node(value, indent, Ctx::kMapValue);
      } else {
        Raw("? ");
        String(*key, indent + 2, /*simple_key=*/false);
        NewLine(indent);
        Raw(":");
        Node(value, indent, Ctx::kCompact);
      }
    }
  }

  void Seq(const json& arr, int indent, bool inline_first) {
    bool first = true;
    for (const json& item : arr) {
      if (!(first && inline_first)) NewLine(indent);
      first = false;
      Raw("-");
      Node(item, indent, Ctx::kCompact);
    }
  }

  void ScalarValue(const json& v, int indent) {
    switch (v.type()) {
      case json::value_t::null: Raw("null"); return;
      case json::value_t::boolean: Raw(v.get<bool>() ? "true" : "false"); return;
      case json::value_t::number_integer: Raw(std::to_string(v.get<int64_t>())); return;
      case json::value_t::number_unsigned: Raw(std::to_string(v.get<uint64_t>())); return;
      case json::value_t::number_float: Raw(Float(v.get<double>())); return;
      case json::value_t::string: String(v.get_ref<const std::string&>(), indent, false); return;
      case json::value_t::object: Raw("{}"); return;
      case json::value_t::array: Raw("[]"); return;
      default: Raw("null"); return;  // binary and discarded values have no YAML form
    }
  }

  // kubectl sees doubles after a JSON round trip: integral ones print as
  // integers, the rest as Go's %g (shortest digits, "1e+06" style).
  static std::string Float(double d) {
    if (std::isfinite(d) && d == std::trunc(d)) {
      if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) return std::to_string(static_cast<int64_t>(d));
      if (d >= 0 && d < 18446744073709551616.0) return std::to_string(static_cast<uint64_t>(d));
    }
    std::string s = internal::GoFormatFloat(d, false);
    if (s == "+Inf") return ".inf";
    if (s == "-Inf") return "-.inf";
    if (s == "NaN") return ".nan";
    return s;
  }

  enum class Style { kPlain, kSingle, kDouble, kLiteral };

  void String(const std::string& raw, int indent, bool simple_key) {
    std::string binary;
    std::string_view s = raw;
    bool can_plain;
    if (internal::FindInvalidUtf8(raw)) {
      Raw("!!binary ");
      binary = EncodeBinary(raw);
      s = binary;
      can_plain = true;
    } else {
      can_plain = ReadsBackAsString(s);
    }
    std::vector<Rune> runes = Runes(s);
    Analysis a = Analyze(s, runes);
    Style style = s.find('\n') != std::string_view::npos ? Style::kLiteral
                  : can_plain                              ? Style::kPlain
                                                           : Style::kDouble;
    if (style == Style::kLiteral && (!a.block_allowed || simple_key)) style = Style::kDouble;
    if (style == Style::kPlain && (!a.block_plain_allowed || (s.empty() && simple_key))) style = Style::kSingle;
    if (style == Style::kSingle && !a.single_quoted_allowed) style = Style::kDouble;
    // Breaks other than '\n' fold differently between parsers: escape them.
    if (a.odd_breaks) style = Style::kDouble;
    bool allow_breaks = !simple_key;
    switch (style) {
      case Style::kPlain: Plain(s, runes, indent, allow_breaks); break;
      case Style::kSingle: Single(s, runes, indent, allow_breaks); break;
      case Style::kDouble: Double(s, runes, indent, allow_breaks); break;
      case Style::kLiteral: Literal(s, runes, indent); break;
    }
  }

  std::string_view Text(std::string_view s, const Rune& r) { return s.substr(r.pos, static_cast<size_t>(r.width)); }

  // Long lines fold at a single space once past column 80: the space becomes
  // a line break plus indentation, which a reader folds back into a space.
  void Plain(std::string_view s, const std::vector<Rune>& r, int indent, bool allow_breaks) {
    bool spaces = false;
    for (size_t k = 0; k < r.size(); ++k) {
      if (r[k].cp == ' ') {
        bool next_space = k + 1 < r.size() && r[k + 1].cp == ' ';
        if (allow_breaks && !spaces && column_ > kBestWidth && !next_space) {
          NewLine(indent);
        } else {
          Raw(" ");
        }
        spaces = true;
      } else {
        Raw(Text(s, r[k]));
        spaces = false;
      }
    }
  }

  void Single(std::string_view s, const std::vector<Rune>& r, int indent, bool allow_breaks) {
    Raw("'");
    bool spaces = false;
    for (size_t k = 0; k < r.size(); ++k) {
      if (r[k].cp == ' ') {
        bool next_space = k + 1 < r.size() && r[k + 1].cp == ' ';
        if (allow_breaks && !spaces && column_ > kBestWidth && k != 0 && k + 1 != r.size() && !next_space) {
          NewLine(indent);
        } else {
          Raw(" ");
        }
        spaces = true;
      } else {
        if (r[k].cp == '\'') Raw("'");
        Raw(Text(s, r[k]));
        spaces = false;
      }
    }
    Raw("'");
  }

  void Double(std::string_view s, const std::vector<Rune>& r, int indent, bool allow_breaks) {
    Raw("\"");
    bool spaces = false;
    for (size_t k = 0; k < r.size(); ++k) {
      char32_t c = r[k].cp;
      if (!IsPrintable(c) || c == 0xFEFF || IsBreak(c) || c == '"' || c == '\\') {
        Raw("\\");
        switch (c) {
          case 0x00: Raw("0"); break;
          case 0x07: Raw("a"); break;
          case 0x08: Raw("b"); break;
          case 0x09: Raw("t"); break;
          case 0x0A: Raw("n"); break;
          case 0x0B: Raw("v"); break;
          case 0x0C: Raw("f"); break;
          case 0x0D: Raw("r"); break;
          case 0x1B: Raw("e"); break;
          case '"': Raw("\""); break;
          case '\\': Raw("\\"); break;
          case 0x85: Raw("N"); break;
          case 0xA0: Raw("_"); break;
          case 0x2028: Raw("L"); break;
          case 0x2029: Raw("P"); break;
          default: {
            char buf[16];
            if (c <= 0xFF) {
              std::snprintf(buf, sizeof(buf), "x%02X", static_cast<unsigned>(c));
            } else if (c <= 0xFFFF) {
              std::snprintf(buf, sizeof(buf), "u%04X", static_cast<unsigned>(c));
            } else {
              std::snprintf(buf, sizeof(buf), "U%08X", static_cast<unsigned>(c));
            }
            Raw(buf);
          }
        }
        spaces = false;
      } else if (c == ' ') {
        if (allow_breaks && !spaces && column_ > kBestWidth && k != 0 && k + 1 != r.size()) {
          NewLine(indent);
          if (r[k + 1].cp == ' ') Raw("\\");
        } else {
          Raw(" ");
        }
        spaces = true;
      } else {
        Raw(Text(s, r[k]));
        spaces = false;
      }
    }
    Raw("\"");
  }

  void Literal(std::string_view s, const std::vector<Rune>& r, int indent) {
    Raw("|");
    if (!r.empty() && (r[0].cp == ' ' || IsBreak(r[0].cp))) Raw("2");
    // Chomping: "-" strips a missing final newline, "+" keeps extra ones.
    if (r.empty() || !IsBreak(r.back().cp)) {
      Raw("-");
    } else if (r.size() == 1 || IsBreak(r[r.size() - 2].cp)) {
      Raw("+");
    }
    out_.push_back('\n');
    column_ = 0;
    bool breaks = true;
    for (const Rune& rune : r) {
      if (IsBreak(rune.cp)) {
        out_.push_back('\n');
        column_ = 0;
        breaks = true;
      } else {
        if (breaks) {
          out_.append(static_cast<size_t>(indent), ' ');
          column_ = indent;
          breaks = false;
        }
        Raw(Text(s, rune));
      }
    }
  }

  std::string out_;
  int column_ = 0;
};

}  // namespace

std::string ToYaml(const json& value) {
  Emitter e;
  e.Node(value, 0, Emitter::Ctx::kRoot);
  return e.Finish();
}

std::string ToYamlDocuments(const std::vector<json>& docs) {
  std::string out;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i > 0) out += "---\n";
    out += ToYaml(docs[i]);
  }
  return out;
}

}  // namespace kubepp::api::yaml
