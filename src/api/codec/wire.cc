#include "api/codec/wire.h"

#include "api/time.h"

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

bool ParseRfc3339(std::string_view s, int64_t* seconds, int32_t* nanos) {
  // One RFC 3339 parser for the project: api::Time's (calendar-checked).
  auto t = Time::Parse(s);
  if (!t.ok()) return false;
  const int64_t n = t->UnixNanos();
  int64_t secs = n / 1000000000;
  int64_t rem = n % 1000000000;
  if (rem < 0) {  // floor, so nanos stay in [0, 1e9) before 1970
    rem += 1000000000;
    --secs;
  }
  *seconds = secs;
  *nanos = static_cast<int32_t>(rem);
  return true;
}

std::optional<std::string> FormatRfc3339(int64_t seconds, int32_t nanos, bool micro) {
  return FormatRfc3339Utc(seconds, nanos, micro ? 6 : 0);
}

}  // namespace kubepp::api::wire
