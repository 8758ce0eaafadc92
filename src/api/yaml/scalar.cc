#include "api/yaml/scalar.h"

#include <charconv>
#include <cmath>
#include <cstring>
#include <string>
#include <system_error>
#include <vector>

namespace kubepp::api::yaml::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// One of the spellings in YAML 1.1's bool/null/inf/nan tables that go-yaml v2
// accepts (exact case variants only: "True" yes, "tRUE" no).
bool OneOf(std::string_view s, std::initializer_list<std::string_view> list) {
  for (std::string_view w : list) {
    if (s == w) return true;
  }
  return false;
}

// Digits of `s` in `base`, no sign, at least one digit; false on overflow.
bool ParseDigits(std::string_view s, int base, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (v > (UINT64_MAX - static_cast<uint64_t>(d)) / static_cast<uint64_t>(base)) return false;
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  }
  *out = v;
  return true;
}

// Unsigned magnitude with Go's base-0 prefixes: 0x, 0o, 0b, leading 0 = octal.
bool ParseMagnitude(std::string_view s, uint64_t* out) {
  if (s.size() >= 2 && s[0] == '0') {
    char p = s[1];
    if (p == 'x' || p == 'X') return ParseDigits(s.substr(2), 16, out);
    if (p == 'o' || p == 'O') return ParseDigits(s.substr(2), 8, out);
    if (p == 'b' || p == 'B') return ParseDigits(s.substr(2), 2, out);
    return ParseDigits(s.substr(1), 8, out);
  }
  return ParseDigits(s, 10, out);
}

// strconv.ParseInt(s, 0, 64).
bool GoParseInt(std::string_view s, int64_t* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  uint64_t m;
  if (!ParseMagnitude(s, &m)) return false;
  if (neg) {
    if (m > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = m == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(m);
  } else {
    if (m > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(m);
  }
  return true;
}

// strconv.ParseUint(s, 0, 64): no sign accepted.
bool GoParseUint(std::string_view s, uint64_t* out) {
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) return false;
  return ParseMagnitude(s, out);
}

// ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
bool LooksLikeYamlFloat(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i < s.size() && s[i] == '.') {
    ++i;
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
  } else {
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
    if (i < s.size() && s[i] == '.') {
      ++i;
      while (i < s.size() && IsDigit(s[i])) ++i;
    }
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
    size_t start = i;
    while (i < s.size() && IsDigit(s[i])) ++i;
    if (i == start) return false;
  }
  return i == s.size();
}

// Parses text already matching LooksLikeYamlFloat. Go's ParseFloat fails on
// overflow (the caller then keeps the text as a string) but flushes underflow
// to zero; from_chars reports both as out of range, so tell them apart by the
// decimal magnitude of the text.
bool ParseYamlFloat(std::string_view s, double* out) {
  bool neg = false;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  double v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v, std::chars_format::general);
  if (ec == std::errc() && ptr == s.data() + s.size()) {
    *out = neg ? -v : v;
    return true;
  }
  if (ec != std::errc::result_out_of_range) return false;
  // Position (power of ten) of the first non-zero mantissa digit, plus exponent.
  long long first_nonzero = 0;
  bool found = false;
  long long int_digits = 0;
  size_t i = 0;
  while (i < s.size() && IsDigit(s[i])) {
    if (!found && s[i] != '0') {
      found = true;
      first_nonzero = -int_digits;  // fixed up below
    }
    ++int_digits;
    ++i;
  }
  long long power = 0;
  if (found) {
    power = int_digits + first_nonzero - 1;
  }
  if (i < s.size() && s[i] == '.') {
    ++i;
    long long frac = 0;
    while (i < s.size() && IsDigit(s[i])) {
      ++frac;
      if (!found && s[i] != '0') {
        found = true;
        power = -frac;
      }
      ++i;
    }
  }
  long long exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    while (i < s.size() && IsDigit(s[i])) {
      if (exp < 100000000) exp = exp * 10 + (s[i] - '0');
      ++i;
    }
    if (eneg) exp = -exp;
  }
  if (found && power + exp > 0) return false;  // overflow
  *out = neg ? -0.0 : 0.0;                      // underflow
  return true;
}

int DaysIn(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0)) return 29;
  return kDays[month - 1];
}

// Reads 1 or 2 digits (Go's non-padded layout fields).
bool Num12(std::string_view s, size_t* i, int* out) {
  if (*i >= s.size() || !IsDigit(s[*i])) return false;
  int v = s[(*i)++] - '0';
  if (*i < s.size() && IsDigit(s[*i])) v = v * 10 + (s[(*i)++] - '0');
  *out = v;
  return true;
}

bool Num2(std::string_view s, size_t i, int* out) {
  if (i + 2 > s.size() || !IsDigit(s[i]) || !IsDigit(s[i + 1])) return false;
  *out = (s[i] - '0') * 10 + (s[i + 1] - '0');
  return true;
}

bool IsLetter(char32_t c) {
  if (c < 0x80) return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  // Approximation of unicode.IsLetter outside ASCII: Latin-1 letters and
  // everything above it. Kubernetes keys are ASCII, so this rarely matters.
  if (c < 0x100) return (c >= 0xC0 && c != 0xD7 && c != 0xF7) || c == 0xAA || c == 0xB5 || c == 0xBA;
  return true;
}

std::u32string ToRunes(std::string_view s) {
  std::u32string out;
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    int w;
    if (!DecodeUtf8(s, i, &cp, &w)) {
      cp = 0xFFFD;
      w = 1;
    }
    out.push_back(cp);
    i += static_cast<size_t>(w);
  }
  return out;
}

}  // namespace

bool IsTimestamp(std::string_view s) {
  if (s.size() < 8) return false;
  for (int k = 0; k < 4; ++k) {
    if (!IsDigit(s[static_cast<size_t>(k)])) return false;
  }
  if (s[4] != '-') return false;
  int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  size_t i = 5;
  int month, day;
  if (!Num12(s, &i, &month) || i >= s.size() || s[i] != '-') return false;
  ++i;
  if (!Num12(s, &i, &day)) return false;
  if (month < 1 || month > 12 || day < 1 || day > DaysIn(year, month)) return false;
  if (i == s.size()) return true;
  char sep = s[i++];
  if (sep != 'T' && sep != 't' && sep != ' ') return false;
  int hour, minute, second;
  if (!Num12(s, &i, &hour) || i >= s.size() || s[i++] != ':') return false;
  if (!Num12(s, &i, &minute) || i >= s.size() || s[i++] != ':') return false;
  if (!Num12(s, &i, &second)) return false;
  if (hour > 23 || minute > 59 || second > 59) return false;
  if (i + 1 < s.size() && (s[i] == '.' || s[i] == ',') && IsDigit(s[i + 1])) {
    ++i;
    while (i < s.size() && IsDigit(s[i])) ++i;
  }
  if (sep == ' ') return i == s.size();
  if (i == s.size()) return false;
  if (s[i] == 'Z') return i + 1 == s.size();
  if (s[i] != '+' && s[i] != '-') return false;
  int hh, mm;
  if (s.size() - i != 6 || !Num2(s, i + 1, &hh) || s[i + 3] != ':' || !Num2(s, i + 4, &mm)) return false;
  return hh <= 24 && mm <= 60;
}

bool IsBase60Float(std::string_view s) {
  // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
  size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  if (i >= s.size() || !IsDigit(s[i])) return false;
  ++i;
  while (i < s.size() && (IsDigit(s[i]) || s[i] == '_')) ++i;
  int groups = 0;
  while (i < s.size() && s[i] == ':') {
    ++i;
    if (i + 1 < s.size() && s[i] >= '0' && s[i] <= '5' && IsDigit(s[i + 1])) {
      i += 2;
    } else if (i < s.size() && IsDigit(s[i])) {
      ++i;
    } else {
      return false;
    }
    ++groups;
  }
  if (groups == 0) return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && (IsDigit(s[i]) || s[i] == '_')) ++i;
  }
  return i == s.size();
}

Scalar ResolvePlain(std::string_view s, bool try_timestamp) {
  using K = Scalar::Kind;
  Scalar r;
  if (OneOf(s, {"", "~", "null", "Null", "NULL"})) {
    r.kind = K::kNull;
    return r;
  }
  if (OneOf(s, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})) {
    r.kind = K::kBool;
    r.b = true;
    return r;
  }
  if (OneOf(s, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})) {
    r.kind = K::kBool;
    r.b = false;
    return r;
  }
  if (OneOf(s, {".nan", ".NaN", ".NAN"})) {
    r.kind = K::kFloat;
    r.d = std::nan("");
    return r;
  }
  if (OneOf(s, {".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"})) {
    r.kind = K::kFloat;
    r.d = HUGE_VAL;
    return r;
  }
  if (OneOf(s, {"-.inf", "-.Inf", "-.INF"})) {
    r.kind = K::kFloat;
    r.d = -HUGE_VAL;
    return r;
  }
  if (s == "<<") {
    r.kind = K::kMerge;
    return r;
  }
  char c = s[0];
  if (c == '.') {
    // Only a plain decimal fraction can start with '.'.
    double d;
    if (LooksLikeYamlFloat(s) && ParseYamlFloat(s, &d)) {
      r.kind = K::kFloat;
      r.d = d;
    }
    return r;
  }
  if (!IsDigit(c) && c != '+' && c != '-') return r;
  if (try_timestamp && IsTimestamp(s)) {
    r.kind = K::kTimestamp;
    return r;
  }
  std::string plain;
  plain.reserve(s.size());
  for (char ch : s) {
    if (ch != '_') plain.push_back(ch);
  }
  if (GoParseInt(plain, &r.i)) {
    r.kind = K::kInt;
    return r;
  }
  if (GoParseUint(plain, &r.u)) {
    r.kind = K::kUint;
    return r;
  }
  if (LooksLikeYamlFloat(plain) && ParseYamlFloat(plain, &r.d)) {
    r.kind = K::kFloat;
    return r;
  }
  // go-yaml also reads "0b<signed binary>" and "-0b<binary>" explicitly.
  std::string_view p = plain;
  if (p.substr(0, 2) == "0b" || p.substr(0, 3) == "-0b") {
    bool neg = p[0] == '-';
    std::string_view rest = p.substr(neg ? 3 : 2);
    bool rneg = false;
    if (!neg && !rest.empty() && (rest[0] == '+' || rest[0] == '-')) {
      rneg = rest[0] == '-';
      rest.remove_prefix(1);
    }
    uint64_t m;
    if (ParseDigits(rest, 2, &m)) {
      bool negative = neg || rneg;
      if (!negative && m <= static_cast<uint64_t>(INT64_MAX)) {
        r.kind = K::kInt;
        r.i = static_cast<int64_t>(m);
      } else if (!negative) {
        r.kind = K::kUint;
        r.u = m;
      } else if (m <= static_cast<uint64_t>(INT64_MAX) + 1) {
        r.kind = K::kInt;
        r.i = m == static_cast<uint64_t>(INT64_MAX) + 1 ? INT64_MIN : -static_cast<int64_t>(m);
      }
    }
  }
  return r;
}

std::string GoFormatFloat(double v, bool single_precision) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char sci[64];
  char fix[512];
  std::to_chars_result rs, rf;
  if (single_precision) {
    float f = static_cast<float>(v);
    if (std::isinf(f)) return f > 0 ? "+Inf" : "-Inf";
    rs = std::to_chars(sci, sci + sizeof(sci), f, std::chars_format::scientific);
    rf = std::to_chars(fix, fix + sizeof(fix), f, std::chars_format::fixed);
  } else {
    rs = std::to_chars(sci, sci + sizeof(sci), v, std::chars_format::scientific);
    rf = std::to_chars(fix, fix + sizeof(fix), v, std::chars_format::fixed);
  }
  std::string s(sci, rs.ptr);
  size_t e = s.find('e');
  int exp = std::atoi(s.c_str() + e + 1);
  if (exp < -4 || exp >= 6 || rf.ec != std::errc()) return s;
  return std::string(fix, rf.ptr);
}


bool NaturalKeyLess(std::string_view a_text, std::string_view b_text) {
  std::u32string a = ToRunes(a_text), b = ToRunes(b_text);
  auto digit = [](char32_t c) { return c >= '0' && c <= '9'; };
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    if (a[i] == b[i]) continue;
    bool al = IsLetter(a[i]), bl = IsLetter(b[i]);
    if (al && bl) return a[i] < b[i];
    if (al || bl) return bl;  // non-letters first
    // Compare the digit runs starting here as numbers. When one side starts
    // with '0' and the digits before it were not all zeros, both numbers
    // carry a leading 1 so "10" vs "09" still compares by value.
    uint64_t an = 0, bn = 0;
    if (a[i] == '0' || b[i] == '0') {
      for (size_t j = i; j-- > 0 && digit(a[j]);) {
        if (a[j] != '0') {
          an = bn = 1;
          break;
        }
      }
    }
    size_t ai = i, bi = i;
    for (; ai < a.size() && digit(a[ai]); ++ai) an = an * 10 + (a[ai] - '0');
    for (; bi < b.size() && digit(b[bi]); ++bi) bn = bn * 10 + (b[bi] - '0');
    if (an != bn) return static_cast<int64_t>(an) < static_cast<int64_t>(bn);
    if (ai != bi) return ai < bi;
    return a[i] < b[i];
  }
  return a.size() < b.size();
}

}  // namespace kubepp::api::yaml::internal
