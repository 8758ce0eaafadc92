#include "api/quantity.h"

#include <algorithm>
#include <cstdlib>
#include <limits>

namespace kubepp::api {
namespace {

using int128 = __int128;
constexpr int128 kMaxNanos = std::numeric_limits<int128>::max();
constexpr int128 kNanosPerUnit = 1000000000;
// Upstream caps BinarySI quantities at 2^63-1 units.
constexpr int128 kMaxBinaryNanos = int128(std::numeric_limits<int64_t>::max()) * kNanosPerUnit;

constexpr std::string_view kErrFormat =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
constexpr std::string_view kErrSuffix = "unable to parse quantity's suffix";
constexpr std::string_view kErrTooLarge = "quantity is too large";

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int128 Abs(int128 v) { return v < 0 ? -v : v; }

int128 SaturatingAdd(int128 a, int128 b) {
  int128 r;
  if (__builtin_add_overflow(a, b, &r)) return a > 0 ? kMaxNanos : -kMaxNanos;
  return std::clamp(r, -kMaxNanos, kMaxNanos);
}

std::string Int128ToString(int128 v) {
  if (v == 0) return "0";
  bool neg = v < 0;
  // |INT128_MIN| is never stored (values are clamped to +-kMaxNanos).
  unsigned __int128 u = neg ? static_cast<unsigned __int128>(-v) : static_cast<unsigned __int128>(v);
  std::string out;
  while (u > 0) {
    out.push_back(static_cast<char>('0' + static_cast<int>(u % 10)));
    u /= 10;
  }
  if (neg) out.push_back('-');
  std::reverse(out.begin(), out.end());
  return out;
}

// Suffix tables. Decimal SI exponents are powers of ten, binary SI are
// powers of two.
struct SuffixEntry {
  std::string_view suffix;
  int exponent;
};
constexpr SuffixEntry kDecimalSuffixes[] = {
    {"n", -9}, {"u", -6}, {"m", -3}, {"", 0},   {"k", 3},
    {"M", 6},  {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18},
};
constexpr SuffixEntry kBinarySuffixes[] = {
    {"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60},
};

// Decodes a suffix into (base-10 exponent, base-2 exponent, format).
bool InterpretSuffix(std::string_view s, int64_t* exp10, int* exp2, Quantity::Format* format) {
  *exp10 = 0;
  *exp2 = 0;
  for (const auto& e : kDecimalSuffixes) {
    if (e.suffix == s) {
      *exp10 = e.exponent;
      *format = Quantity::Format::kDecimalSI;
      return true;
    }
  }
  for (const auto& e : kBinarySuffixes) {
    if (e.suffix == s) {
      *exp2 = e.exponent;
      *format = Quantity::Format::kBinarySI;
      return true;
    }
  }
  if (s.size() > 1 && (s[0] == 'e' || s[0] == 'E')) {
    std::string_view rest = s.substr(1);
    bool neg = false;
    if (rest[0] == '+' || rest[0] == '-') {
      neg = rest[0] == '-';
      rest.remove_prefix(1);
    }
    if (rest.empty()) return false;
    int64_t v = 0;
    for (char c : rest) {
      if (!IsDigit(c)) return false;
      // Clamp: anything this large overflows or rounds to 1n anyway.
      if (v < 1000000000) v = v * 10 + (c - '0');
    }
    *exp10 = neg ? -v : v;
    *format = Quantity::Format::kDecimalExponent;
    return true;
  }
  return false;
}

// Multiplies a big-endian decimal digit string by two in place.
void DoubleDigits(std::string* digits) {
  int carry = 0;
  for (auto it = digits->rbegin(); it != digits->rend(); ++it) {
    int d = (*it - '0') * 2 + carry;
    *it = static_cast<char>('0' + d % 10);
    carry = d / 10;
  }
  if (carry) digits->insert(digits->begin(), static_cast<char>('0' + carry));
}

int128 Pow10(int n) {
  int128 r = 1;
  for (int i = 0; i < n; ++i) r *= 10;
  return r;
}

// Divides v by 10^n rounding away from zero; n may be large.
int128 DivPow10RoundAway(int128 v, int n) {
  if (n <= 0) return v;
  if (n > 38) return v == 0 ? 0 : (v > 0 ? 1 : -1);
  int128 p = Pow10(n);
  int128 q = v / p;
  if (v % p != 0) q += v > 0 ? 1 : -1;
  return q;
}

int64_t SaturateToInt64(int128 v) {
  if (v > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (v < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}

}  // namespace

Quantity::Quantity() : text_("0") {}

Quantity::Quantity(int128 nanos, Format format) : nanos_(nanos), format_(format) {
  Recanonicalize();
}

StatusOr<Quantity> Quantity::Parse(std::string_view str) {
  if (str.empty()) return Status::Invalid(std::string(kErrFormat));
  size_t pos = 0;
  const size_t end = str.size();
  bool negative = false;
  if (str[0] == '+' || str[0] == '-') {
    negative = str[0] == '-';
    ++pos;
  }
  size_t int_begin = pos;
  while (pos < end && IsDigit(str[pos])) ++pos;
  std::string_view int_part = str.substr(int_begin, pos - int_begin);
  std::string_view frac_part;
  if (pos < end && str[pos] == '.') {
    size_t frac_begin = ++pos;
    while (pos < end && IsDigit(str[pos])) ++pos;
    frac_part = str.substr(frac_begin, pos - frac_begin);
  }
  // Suffix: letters from the suffix alphabet, an optional sign, digits.
  size_t suffix_begin = pos;
  static constexpr std::string_view kSuffixChars = "eEinumkKMGTP";
  while (pos < end && kSuffixChars.find(str[pos]) != std::string_view::npos) ++pos;
  if (pos < end && (str[pos] == '+' || str[pos] == '-')) ++pos;
  while (pos < end && IsDigit(str[pos])) ++pos;
  if (pos != end) return Status::Invalid(std::string(kErrFormat));
  std::string_view suffix = str.substr(suffix_begin);

  int64_t exp10 = 0;
  int exp2 = 0;
  Format format = Format::kDecimalSI;
  if (!InterpretSuffix(suffix, &exp10, &exp2, &format)) {
    return Status::Invalid(std::string(kErrSuffix));
  }

  // Exact decimal digits of |value| = digits * 10^(exp10 - len(frac)) * 2^exp2.
  std::string digits;
  digits.reserve(int_part.size() + frac_part.size());
  digits.append(int_part);
  digits.append(frac_part);
  size_t nz = digits.find_first_not_of('0');
  if (nz == std::string::npos) {
    // Zero keeps its suffix family ("0Mi" is BinarySI); "-0" is plain 0.
    Quantity q(0, format);
    q.text_ = std::string(str);
    return q;
  }
  digits.erase(0, nz);
  for (int i = 0; i < exp2; ++i) DoubleDigits(&digits);
  // Shift so the integer we build counts nanos.
  int64_t shift = exp10 - static_cast<int64_t>(frac_part.size()) + 9;
  std::string int_digits;
  bool round_up = false;
  if (shift >= 0) {
    if (static_cast<int64_t>(digits.size()) + shift > 39) {
      return Status::Invalid(std::string(kErrTooLarge));
    }
    int_digits = digits + std::string(static_cast<size_t>(shift), '0');
  } else {
    int64_t keep = static_cast<int64_t>(digits.size()) + shift;  // digits left of the nano point
    if (keep <= 0) {
      round_up = true;  // everything is below 1n and non-zero
    } else {
      int_digits = digits.substr(0, static_cast<size_t>(keep));
      round_up = digits.find_first_not_of('0', static_cast<size_t>(keep)) != std::string::npos;
    }
  }
  if (int_digits.size() > 39) return Status::Invalid(std::string(kErrTooLarge));
  unsigned __int128 acc = 0;
  for (char c : int_digits) acc = acc * 10 + static_cast<unsigned>(c - '0');
  if (round_up) acc += 1;  // away from zero: a non-zero request never becomes 0
  if (acc > static_cast<unsigned __int128>(kMaxNanos)) return Status::Invalid(std::string(kErrTooLarge));
  int128 nanos = static_cast<int128>(acc);

  if (format == Format::kBinarySI) {
    if (nanos > kMaxBinaryNanos) nanos = kMaxBinaryNanos;
    // Below one unit a binary suffix means nothing; upstream switches format.
    if (nanos < kNanosPerUnit) format = Format::kDecimalSI;
  }
  Quantity q(negative ? -nanos : nanos, format);
  q.text_ = std::string(str);
  return q;
}

Quantity Quantity::FromScaled(int64_t value, int scale, Format format) {
  int128 v = value;
  int shift = scale + 9;
  if (shift >= 0) {
    for (int i = 0; i < shift; ++i) {
      if (Abs(v) > kMaxNanos / 10) {
        v = v > 0 ? kMaxNanos : -kMaxNanos;
        break;
      }
      v *= 10;
    }
  } else {
    v = DivPow10RoundAway(v, -shift);
  }
  return Quantity(v, format);
}

Quantity Quantity::FromInt(int64_t value, Format format) { return FromScaled(value, 0, format); }

Quantity Quantity::FromMilli(int64_t milli) { return FromScaled(milli, -3, Format::kDecimalSI); }

std::string Quantity::CanonicalString() const {
  if (nanos_ == 0) return "0";
  Format format = format_;
  if (format == Format::kBinarySI) {
    if (Abs(nanos_) < 1024 * kNanosPerUnit || nanos_ % kNanosPerUnit != 0) {
      // Small or fractional binary values would need rounding: show decimal.
      format = Format::kDecimalSI;
    } else {
      int128 units = nanos_ / kNanosPerUnit;
      size_t exp = 0;
      while (exp < std::size(kBinarySuffixes) && units % 1024 == 0) {
        units /= 1024;
        ++exp;
      }
      std::string out = Int128ToString(units);
      if (exp > 0) out.append(kBinarySuffixes[exp - 1].suffix);
      return out;
    }
  }
  // Largest exponent (a multiple of 3) that keeps the mantissa an integer.
  int128 mantissa = nanos_;
  int exponent = -9;
  while (mantissa % 10 == 0) {
    mantissa /= 10;
    ++exponent;
  }
  while (((exponent % 3) + 3) % 3 != 0) {
    mantissa *= 10;
    --exponent;
  }
  std::string out = Int128ToString(mantissa);
  if (format == Format::kDecimalSI && exponent <= 18) {
    for (const auto& e : kDecimalSuffixes) {
      if (e.exponent == exponent) out.append(e.suffix);
    }
  } else if (exponent != 0) {
    // DecimalExponent, or DecimalSI past "E" (upstream falls back to eN).
    out.append("e").append(std::to_string(exponent));
  }
  return out;
}

int64_t Quantity::ScaledValue(int scale) const {
  int shift = scale + 9;
  if (shift >= 0) return SaturateToInt64(DivPow10RoundAway(nanos_, shift));
  int128 v = nanos_;
  for (int i = 0; i < -shift; ++i) {
    if (Abs(v) > std::numeric_limits<int64_t>::max()) break;
    v *= 10;
  }
  return SaturateToInt64(v);
}

int64_t Quantity::Value() const { return ScaledValue(0); }
int64_t Quantity::MilliValue() const { return ScaledValue(-3); }

bool Quantity::AsInt64(int64_t* out) const {
  if (nanos_ % kNanosPerUnit != 0) return false;
  int128 units = nanos_ / kNanosPerUnit;
  if (units > std::numeric_limits<int64_t>::max() || units < std::numeric_limits<int64_t>::min()) {
    return false;
  }
  *out = static_cast<int64_t>(units);
  return true;
}

double Quantity::AsApproximateDouble() const {
  return static_cast<double>(nanos_) / 1e9;
}

int Quantity::Compare(const Quantity& other) const {
  return nanos_ < other.nanos_ ? -1 : (nanos_ > other.nanos_ ? 1 : 0);
}

int Quantity::Sign() const { return nanos_ < 0 ? -1 : (nanos_ > 0 ? 1 : 0); }
bool Quantity::IsZero() const { return nanos_ == 0; }

Quantity& Quantity::Add(const Quantity& other) {
  if (nanos_ == 0) format_ = other.format_;
  nanos_ = SaturatingAdd(nanos_, other.nanos_);
  Recanonicalize();
  return *this;
}

Quantity& Quantity::Sub(const Quantity& other) {
  if (nanos_ == 0) format_ = other.format_;
  nanos_ = SaturatingAdd(nanos_, -other.nanos_);
  Recanonicalize();
  return *this;
}

Quantity& Quantity::Neg() {
  nanos_ = -nanos_;
  Recanonicalize();
  return *this;
}

}  // namespace kubepp::api
