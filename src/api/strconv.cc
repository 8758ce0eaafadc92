#include "api/strconv.h"

#include <charconv>

namespace kubepp::api {

std::string_view ParseGoInt64(std::string_view s, int64_t* out) {
  std::string_view d = s;
  // from_chars takes a '-' but not a '+'; after a '+' only digits may follow.
  if (!d.empty() && d[0] == '+') {
    d.remove_prefix(1);
    if (!d.empty() && d[0] == '-') return "invalid syntax";
  }
  int64_t v = 0;
  auto [ptr, ec] = std::from_chars(d.data(), d.data() + d.size(), v);
  if (ec == std::errc::result_out_of_range) return "value out of range";
  if (ec != std::errc() || ptr != d.data() + d.size()) return "invalid syntax";
  *out = v;
  return "";
}

bool ParseGoDuration(std::string_view s, int64_t* nanos) {
  bool negative = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    negative = s[0] == '-';
    s.remove_prefix(1);
  }
  if (s == "0") {
    *nanos = 0;
    return true;
  }
  if (s.empty()) return false;
  constexpr int64_t kMax = INT64_MAX;
  int64_t total = 0;
  while (!s.empty()) {
    // [digits][.digits] — at least one digit on either side of the dot.
    int64_t whole = 0;
    size_t i = 0;
    bool any = false;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, any = true) {
      if (whole > (kMax - (s[i] - '0')) / 10) return false;
      whole = whole * 10 + (s[i] - '0');
    }
    int64_t frac = 0, scale = 1;
    if (i < s.size() && s[i] == '.') {
      for (++i; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, any = true) {
        if (scale < 1'000'000'000'000'000LL) {  // digits past 1e-18 cannot matter
          frac = frac * 10 + (s[i] - '0');
          scale *= 10;
        }
      }
    }
    if (!any) return false;
    size_t u = i;
    while (u < s.size() && !(s[u] >= '0' && s[u] <= '9') && s[u] != '.') ++u;
    std::string_view unit = s.substr(i, u - i);
    int64_t unit_ns;
    if (unit == "ns") {
      unit_ns = 1;
    } else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") {
      unit_ns = 1'000;
    } else if (unit == "ms") {
      unit_ns = 1'000'000;
    } else if (unit == "s") {
      unit_ns = 1'000'000'000;
    } else if (unit == "m") {
      unit_ns = 60'000'000'000;
    } else if (unit == "h") {
      unit_ns = 3'600'000'000'000;
    } else {
      return false;  // missing or unknown unit
    }
    if (whole > kMax / unit_ns) return false;
    int64_t v = whole * unit_ns;
    // frac/scale of a unit, without overflowing: scale the unit down first.
    v += static_cast<int64_t>(static_cast<long double>(frac) * unit_ns / scale);
    if (v < 0 || total > kMax - v) return false;
    total += v;
    s.remove_prefix(u);
  }
  *nanos = negative ? -total : total;
  return true;
}

}  // namespace kubepp::api
