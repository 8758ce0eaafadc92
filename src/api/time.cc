#include "api/time.h"

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace kubepp::api {
namespace {

constexpr std::string_view kLayout = "2006-01-02T15:04:05Z07:00";
constexpr int64_t kNanosPerSecond = 1000000000;

// Days since 1970-01-01 for a proleptic Gregorian date (Hinnant's algorithm
// family: shift the year to start in March so leap days fall last).
int64_t DaysFromCivil(int64_t y, int m, int d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t mp = (m + 9) % 12;
  const int64_t doy = (153 * mp + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, int* m, int* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  *d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  *m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  *y = yoe + era * 400 + (*m <= 2);
}

bool IsLeap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysIn(int64_t y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

int64_t FloorDiv(int64_t a, int64_t b) {
  int64_t q = a / b;
  if (a % b != 0 && (a < 0) != (b < 0)) --q;
  return q;
}

// Reads exactly n digits at *pos.
bool Digits(std::string_view s, size_t* pos, size_t n, int* out) {
  if (*pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[*pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *pos += n;
  *out = v;
  return true;
}

Status ParseError(std::string_view text, std::string_view rest, std::string_view elem) {
  return Status::Invalid("parsing time \"" + std::string(text) + "\" as \"" + std::string(kLayout) +
                         "\": cannot parse \"" + std::string(rest) + "\" as \"" + std::string(elem) +
                         "\"");
}

Status RangeError(std::string_view text, std::string_view what) {
  return Status::Invalid("parsing time \"" + std::string(text) + "\": " + std::string(what) +
                         " out of range");
}

std::string FormatUtc(int64_t nanos, int frac_digits) {
  int64_t secs = FloorDiv(nanos, kNanosPerSecond);
  // Every int64 nanosecond instant lies within years 1677..2262.
  return *FormatRfc3339Utc(secs, static_cast<int32_t>(nanos - secs * kNanosPerSecond), frac_digits);
}

}  // namespace

Time::Time() : text_(FormatUtc(0, 0)) {}

Time::Time(int64_t nanos) : nanos_(nanos), text_(FormatUtc(nanos, 0)) {}

Time Time::FromUnixNanos(int64_t nanos) { return Time(nanos); }
Time Time::FromUnixSeconds(int64_t seconds) {
  int64_t nanos;
  if (__builtin_mul_overflow(seconds, kNanosPerSecond, &nanos)) {
    nanos = seconds > 0 ? INT64_MAX : INT64_MIN;  // saturate
  }
  return Time(nanos);
}

Time Time::Now() {
  auto now = std::chrono::system_clock::now().time_since_epoch();
  return Time(std::chrono::duration_cast<std::chrono::nanoseconds>(now).count());
}

StatusOr<Time> Time::Parse(std::string_view s) {
  size_t pos = 0;
  int year, month, day, hour, minute, second;
  auto rest = [&] { return s.substr(pos); };
  auto expect = [&](char c) {
    if (pos < s.size() && s[pos] == c) {
      ++pos;
      return true;
    }
    return false;
  };
  if (!Digits(s, &pos, 4, &year)) return ParseError(s, rest(), "2006");
  if (!expect('-')) return ParseError(s, rest(), "-");
  if (!Digits(s, &pos, 2, &month)) return ParseError(s, rest(), "01");
  if (!expect('-')) return ParseError(s, rest(), "-");
  if (!Digits(s, &pos, 2, &day)) return ParseError(s, rest(), "02");
  if (!expect('T')) return ParseError(s, rest(), "T");
  if (!Digits(s, &pos, 2, &hour)) return ParseError(s, rest(), "15");
  if (!expect(':')) return ParseError(s, rest(), ":");
  if (!Digits(s, &pos, 2, &minute)) return ParseError(s, rest(), "04");
  if (!expect(':')) return ParseError(s, rest(), ":");
  if (!Digits(s, &pos, 2, &second)) return ParseError(s, rest(), "05");
  int64_t frac_nanos = 0;
  if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
    size_t start = ++pos;
    int64_t scale = kNanosPerSecond / 10;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      frac_nanos += (s[pos] - '0') * scale;  // digits past nanos are dropped
      scale /= 10;
      ++pos;
    }
    if (pos == start) return ParseError(s, s.substr(start - 1), "Z07:00");
  }
  int64_t offset_secs = 0;
  if (expect('Z')) {
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int sign = s[pos] == '-' ? -1 : 1;
    size_t zone_start = pos++;
    int oh, om;
    if (!Digits(s, &pos, 2, &oh) || !expect(':') || !Digits(s, &pos, 2, &om)) {
      return ParseError(s, s.substr(zone_start), "Z07:00");
    }
    if (oh > 23 || om > 59) return RangeError(s, "time zone offset");
    offset_secs = sign * (oh * 3600 + om * 60);
  } else {
    return ParseError(s, rest(), "Z07:00");
  }
  if (pos != s.size()) {
    return Status::Invalid("parsing time \"" + std::string(s) + "\": extra text: \"" +
                           std::string(rest()) + "\"");
  }
  if (month < 1 || month > 12) return RangeError(s, "month");
  if (day < 1 || day > DaysIn(year, month)) return RangeError(s, "day");
  if (hour > 23) return RangeError(s, "hour");
  if (minute > 59) return RangeError(s, "minute");
  if (second > 59) return RangeError(s, "second");
  int64_t secs = DaysFromCivil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second -
                 offset_secs;
  int64_t nanos;
  if (__builtin_mul_overflow(secs, kNanosPerSecond, &nanos) ||
      __builtin_add_overflow(nanos, frac_nanos, &nanos)) {
    // Known blind spot: instants are int64 nanoseconds (years 1678..2262).
    return Status::Invalid("parsing time \"" + std::string(s) +
                           "\": outside the supported range (years 1678 to 2262)");
  }
  Time t(nanos);
  t.text_ = std::string(s);
  return t;
}

int64_t Time::UnixSeconds() const { return FloorDiv(nanos_, kNanosPerSecond); }

std::string Time::FormatSeconds() const { return FormatUtc(nanos_, 0); }
std::string Time::FormatMicro() const { return FormatUtc(nanos_, 6); }

Time Time::TruncateToSeconds() const { return Time(UnixSeconds() * kNanosPerSecond); }
Time Time::TruncateToMicros() const { return Time(FloorDiv(nanos_, 1000) * 1000); }

std::optional<std::string> FormatRfc3339Utc(int64_t seconds, int32_t nanos, int frac_digits) {
  // 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z; bounding the seconds also
  // keeps the day arithmetic from overflowing.
  if (seconds < -62167219200LL || seconds > 253402300799LL) return std::nullopt;
  if (nanos < 0 || nanos >= kNanosPerSecond || frac_digits < 0 || frac_digits > 9) return std::nullopt;
  int64_t days = FloorDiv(seconds, 86400);
  int64_t sod = seconds - days * 86400;
  int64_t y;
  int m, d;
  CivilFromDays(days, &y, &m, &d);
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "%04lld-%02d-%02dT%02d:%02d:%02d",
                        static_cast<long long>(y), m, d, static_cast<int>(sod / 3600),
                        static_cast<int>(sod / 60 % 60), static_cast<int>(sod % 60));
  std::string out(buf, static_cast<size_t>(n));
  if (frac_digits > 0) {
    std::snprintf(buf, sizeof buf, ".%09d", static_cast<int>(nanos));
    out.append(buf, static_cast<size_t>(1 + frac_digits));
  }
  out.push_back('Z');
  return out;
}

}  // namespace kubepp::api
