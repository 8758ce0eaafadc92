// Quantity: a fixed-point number with a unit suffix, the value type of
// Kubernetes resource.Quantity ("100m", "1.5Gi", "1e3", "-2k").
//
// Semantics follow upstream apimachinery:
//  * Accepted syntax is `[+-]?[0-9]*(\.[0-9]*)?` followed by a suffix: a
//    decimal SI suffix (n u m "" k M G T P E), a binary SI suffix (Ki Mi Gi
//    Ti Pi Ei) or a decimal exponent (e3, E-2, e+6).
//  * The value is kept exactly at nano (1e-9) resolution; inputs finer than
//    that are rounded away from zero to the next nano, so a non-zero request
//    never becomes zero. Binary SI values are capped at 2^63-1 in magnitude.
//  * The suffix family ("format") is remembered and decides the canonical
//    text: DecimalSI "1500m" -> "1500m", "1000m" -> "1"; BinarySI
//    "1.5Gi" -> "1536Mi"; DecimalExponent "1000e0" -> "1e3".
//  * String() returns the exact text that was parsed (lossless round trip);
//    CanonicalString() is what upstream serializes on the wire.
//  * Comparison and equality are by value, across formats ("1Ki" == "1024").
//
// Known blind spot: upstream keeps arbitrary precision (inf.Dec); this type
// holds the value in a 128-bit count of nanos, so magnitudes above about
// 1.7e29 are rejected by Parse (Invalid) and saturate in arithmetic.
//
// Thread-safety: a value type; const methods may be called concurrently.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace kubepp::api {

class Quantity {
 public:
  // Which suffix family the quantity was written in; decides canonical form.
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  Quantity();  // zero, DecimalSI, String() == "0"

  // Parses upstream quantity syntax. Returns Invalid with upstream's message
  // ("quantities must match the regular expression ...", "unable to parse
  // quantity's suffix", "unable to parse numeric part of quantity") on bad
  // input, and Invalid "quantity is too large" past the supported range.
  static StatusOr<Quantity> Parse(std::string_view text);

  // Builders used by arithmetic-heavy callers (scheduler, quota).
  // value * 10^scale, e.g. FromScaled(5, -3) == "5m". Saturates on overflow.
  static Quantity FromScaled(int64_t value, int scale, Format format = Format::kDecimalSI);
  static Quantity FromInt(int64_t value, Format format = Format::kDecimalSI);  // FromScaled(v, 0)
  static Quantity FromMilli(int64_t milli);                                    // DecimalSI

  // The exact text this was parsed from; the canonical form once the value
  // was built by a builder or changed by arithmetic.
  const std::string& String() const { return text_; }
  // Upstream's canonical form (what the API server writes back).
  std::string CanonicalString() const;

  Format format() const { return format_; }

  // Value in units (Value) or thousandths (MilliValue), rounded away from
  // zero like upstream ("1.1" -> 2, "-1.1" -> -2). Saturates at int64 limits.
  int64_t Value() const;
  int64_t MilliValue() const;
  // Value scaled to 10^scale units, rounded away from zero (ScaledValue).
  int64_t ScaledValue(int scale) const;
  // The value in units when it is an exact integer inside int64 (AsInt64).
  bool AsInt64(int64_t* out) const;
  // Approximate value as a double (for ratios, e.g. scheduler scoring).
  double AsApproximateDouble() const;

  // -1, 0, 1 like upstream Cmp, comparing values regardless of format.
  int Compare(const Quantity& other) const;
  int Sign() const;
  bool IsZero() const;

  // In-place arithmetic; the format of *this is kept unless it is zero
  // (then the other's format is taken, as upstream does). Saturates at the
  // supported range. String() becomes the canonical form.
  Quantity& Add(const Quantity& other);
  Quantity& Sub(const Quantity& other);
  Quantity& Neg();

  bool operator==(const Quantity& o) const { return Compare(o) == 0; }
  bool operator<(const Quantity& o) const { return Compare(o) < 0; }
  bool operator<=(const Quantity& o) const { return Compare(o) <= 0; }
  bool operator>(const Quantity& o) const { return Compare(o) > 0; }
  bool operator>=(const Quantity& o) const { return Compare(o) >= 0; }

 private:
  Quantity(__int128 nanos, Format format);
  void Recanonicalize() { text_ = CanonicalString(); }

  __int128 nanos_ = 0;  // value * 1e9, exact
  Format format_ = Format::kDecimalSI;
  std::string text_;
};

}  // namespace kubepp::api
