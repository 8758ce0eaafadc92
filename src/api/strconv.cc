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

}  // namespace kubepp::api
