#include "api/codec/wire.h"

#include <cstdio>
#include <cstring>

namespace kubepp::api::wire {

void AppendVarint(std::string* out, uint64_t v) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}

void AppendTag(std::string* out, int number, WireType wt) {
  AppendVarint(out, (static_cast<uint64_t>(number) << 3) | static_cast<uint64_t>(wt));
}

void AppendLen(std::string* out, int number, std::string_view bytes) {
  AppendTag(out, number, kLen);
  AppendVarint(out, bytes.size());
  out->append(bytes);
}

bool Reader::ReadVarint(uint64_t* v) {
  uint64_t result = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p_ == end_) return false;
    const uint8_t b = static_cast<uint8_t>(*p_++);
    result |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      *v = result;
      return true;
    }
  }
  return false;  // more than 10 bytes
}

bool Reader::ReadTag(int* number, WireType* wt) {
  uint64_t tag;
  if (!ReadVarint(&tag)) return false;
  const uint64_t n = tag >> 3;
  if (n == 0 || n > 536870911u) return false;
  *number = static_cast<int>(n);
  *wt = static_cast<WireType>(tag & 7);
  return true;
}

bool Reader::ReadFixed64(uint64_t* v) {
  if (end_ - p_ < 8) return false;
  uint64_t r = 0;
  for (int i = 7; i >= 0; --i) r = (r << 8) | static_cast<uint8_t>(p_[i]);
  p_ += 8;
  *v = r;
  return true;
}

bool Reader::ReadLen(std::string_view* bytes) {
  uint64_t n;
  if (!ReadVarint(&n)) return false;
  if (n > static_cast<uint64_t>(end_ - p_)) return false;
  *bytes = std::string_view(p_, n);
  p_ += n;
  return true;
}

bool Reader::Skip(WireType wt) {
  uint64_t v;
  std::string_view b;
  switch (wt) {
    case kVarint:
      return ReadVarint(&v);
    case kFixed64:
      return ReadFixed64(&v);
    case kLen:
      return ReadLen(&b);
    case kFixed32:
      if (end_ - p_ < 4) return false;
      p_ += 4;
      return true;
  }
  return false;  // groups (3, 4) and 6, 7 are not used by Kubernetes
}

namespace {

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

void CivilFromDays(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    const char c = s[pos + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}

}  // namespace

bool ParseRfc3339(std::string_view s, int64_t* seconds, int32_t* nanos) {
  int y, mo, d, h, mi, se;
  if (!Digits(s, 0, 4, &y) || s.size() < 20 || s[4] != '-' || !Digits(s, 5, 2, &mo) ||
      s[7] != '-' || !Digits(s, 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
      !Digits(s, 11, 2, &h) || s[13] != ':' || !Digits(s, 14, 2, &mi) || s[16] != ':' ||
      !Digits(s, 17, 2, &se)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 59) return false;
  size_t pos = 19;
  int32_t ns = 0;
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
      if (digits < 9) ns = ns * 10 + (s[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (int i = digits; i < 9; ++i) ns *= 10;
  }
  int64_t offset = 0;
  if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
    ++pos;
  } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
    int oh, om;
    if (!Digits(s, pos + 1, 2, &oh) || pos + 3 >= s.size() || s[pos + 3] != ':' ||
        !Digits(s, pos + 4, 2, &om) || oh > 23 || om > 59) {
      return false;
    }
    offset = (oh * 3600 + om * 60) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return false;
  }
  if (pos != s.size()) return false;
  *seconds = DaysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + se - offset;
  *nanos = ns;
  return true;
}

std::optional<std::string> FormatRfc3339(int64_t seconds, int32_t nanos, bool micro) {
  // Reject values whose day arithmetic could overflow before the year check.
  if (seconds < -62167219200LL || seconds > 253402300799LL) return std::nullopt;
  if (nanos < 0 || nanos > 999999999) return std::nullopt;
  int64_t days = seconds / 86400;
  int64_t rem = seconds % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  int64_t y;
  unsigned m, d;
  CivilFromDays(days, &y, &m, &d);
  if (y < 0 || y > 9999) return std::nullopt;
  char buf[64];
  if (micro) {
    std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02d.%06dZ", static_cast<int>(y), m, d,
                  static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                  static_cast<int>(rem % 60), nanos / 1000);
  } else {
    std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(y), m, d,
                  static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60),
                  static_cast<int>(rem % 60));
  }
  return std::string(buf);
}


}  // namespace kubepp::api::wire
