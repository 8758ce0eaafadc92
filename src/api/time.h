// Time: the instant of metav1.Time (RFC 3339, second precision on the wire)
// and metav1.MicroTime (microsecond precision on the wire).
//
// Parse accepts RFC 3339 with any fractional digits and a "Z" or +hh:mm
// offset; the instant is kept in nanoseconds since the Unix epoch (UTC).
// String() returns the exact text parsed, or "2006-01-02T15:04:05Z" (UTC,
// fraction dropped as upstream's Time marshalling does) for a Time built
// from a number. Equality and ordering are by instant.
//
// Known blind spot: instants are int64 nanoseconds, so only years 1678..2262
// parse (upstream Go time covers far more); others are rejected as Invalid.
//
// Thread-safety: a value type. Now() reads the system clock; code that needs
// testable time takes a clock, not Now().
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/status.h"

namespace kubepp::api {

class Time {
 public:
  Time();  // the Unix epoch (upstream's zero Time serializes as null; callers
           // decide that with IsZero())

  // Returns Invalid `parsing time "<text>" as "2006-01-02T15:04:05Z07:00":
  // cannot parse ...` (upstream's wording) on malformed input.
  static StatusOr<Time> Parse(std::string_view rfc3339);
  static Time FromUnixNanos(int64_t nanos);
  static Time FromUnixSeconds(int64_t seconds);
  static Time Now();

  int64_t UnixNanos() const { return nanos_; }
  int64_t UnixSeconds() const;  // floor
  bool IsZero() const { return nanos_ == 0; }

  // Exact parsed text, or the UTC second-precision form.
  const std::string& String() const { return text_; }
  // "2006-01-02T15:04:05Z" in UTC, fraction truncated (metav1.Time).
  std::string FormatSeconds() const;
  // "2006-01-02T15:04:05.000000Z" in UTC (metav1.MicroTime).
  std::string FormatMicro() const;
  // Same instant truncated to whole seconds / microseconds, as a value
  // round-tripped through metav1.Time / MicroTime would be.
  Time TruncateToSeconds() const;
  Time TruncateToMicros() const;

  bool operator==(const Time& o) const { return nanos_ == o.nanos_; }
  bool operator!=(const Time& o) const { return nanos_ != o.nanos_; }
  bool operator<(const Time& o) const { return nanos_ < o.nanos_; }
  bool operator<=(const Time& o) const { return nanos_ <= o.nanos_; }
  bool operator>(const Time& o) const { return nanos_ > o.nanos_; }
  bool operator>=(const Time& o) const { return nanos_ >= o.nanos_; }

 private:
  explicit Time(int64_t nanos);

  int64_t nanos_ = 0;
  std::string text_;
};

// `seconds` since the Unix epoch plus `nanos` as RFC 3339 in UTC with
// `frac_digits` (0..9) fractional digits, truncated: 0 gives metav1.Time's
// "2006-01-02T15:04:05Z", 6 MicroTime's "2006-01-02T15:04:05.000000Z".
// Covers years 0..9999, wider than Time (protobuf Timestamps reach that far);
// nullopt outside them (Go refuses to marshal those too), for nanos outside
// [0, 1e9) or frac_digits outside 0..9.
std::optional<std::string> FormatRfc3339Utc(int64_t seconds, int32_t nanos, int frac_digits);

}  // namespace kubepp::api
