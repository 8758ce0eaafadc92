// Internal helpers of the codecs: protobuf wire primitives, base64, RFC 3339
// times, UTF-8 repair. Not a public interface; thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/encoding.h"

namespace kubepp::api::wire {

enum WireType : int { kVarint = 0, kFixed64 = 1, kLen = 2, kFixed32 = 5 };

void AppendVarint(std::string* out, uint64_t v);
void AppendTag(std::string* out, int number, WireType wt);
void AppendLen(std::string* out, int number, std::string_view bytes);

// Sequential reader over untrusted bytes; every method returns false instead
// of reading past the end.
class Reader {
 public:
  explicit Reader(std::string_view data) : p_(data.data()), end_(data.data() + data.size()) {}
  bool done() const { return p_ == end_; }
  bool ReadVarint(uint64_t* v);
  bool ReadTag(int* number, WireType* wt);
  bool ReadFixed64(uint64_t* v);
  bool ReadLen(std::string_view* bytes);
  bool Skip(WireType wt);

 private:
  const char* p_;
  const char* end_;
};

using ::kubepp::Base64Decode;  // common/encoding.h
using ::kubepp::Base64Encode;

// RFC 3339 ("2024-01-02T03:04:05Z", "...05.123456+02:00") to Unix seconds
// and nanoseconds, through api::Time::Parse (false where it fails: bad
// syntax, impossible dates such as Feb 30, years outside 1678..2262).
bool ParseRfc3339(std::string_view s, int64_t* seconds, int32_t* nanos);
// Formats UTC with no fraction (micro=false) or six fractional digits.
// Returns nullopt for years outside 0..9999 (Go refuses those too).
std::optional<std::string> FormatRfc3339(int64_t seconds, int32_t nanos, bool micro);

using ::kubepp::SanitizeUtf8;  // common/encoding.h

}  // namespace kubepp::api::wire
