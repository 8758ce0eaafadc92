#include "api/intstr.h"

#include <limits>

#include "api/strconv.h"

namespace kubepp::api {

IntOrString IntOrString::FromInt(int64_t value) {
  IntOrString v;
  v.is_int_ = true;
  v.int_ = value;
  return v;
}

IntOrString IntOrString::FromString(std::string value) {
  IntOrString v;
  v.is_int_ = false;
  v.str_ = std::move(value);
  return v;
}

std::string IntOrString::ToString() const { return is_int_ ? std::to_string(int_) : str_; }

namespace {

// floor(a / b) and ceil(a / b) for b > 0.
__int128 FloorDiv(__int128 a, __int128 b) {
  __int128 q = a / b;
  if (a % b != 0 && a < 0) --q;
  return q;
}
__int128 CeilDiv(__int128 a, __int128 b) {
  __int128 q = a / b;
  if (a % b != 0 && a > 0) ++q;
  return q;
}

}  // namespace

StatusOr<int64_t> IntOrString::ScaledValue(int64_t total, bool round_up) const {
  if (is_int_) return int_;
  if (str_.empty() || str_.back() != '%') {
    return Status::Invalid("invalid value for IntOrString: invalid type: string is not a percentage");
  }
  std::string_view number(str_.data(), str_.size() - 1);
  int64_t pct = 0;
  std::string_view reason = ParseGoInt64(number, &pct);
  if (!reason.empty()) {
    return Status::Invalid("invalid value for IntOrString: invalid value \"" + str_ +
                           "\": strconv.Atoi: parsing \"" + std::string(number) + "\": " + std::string(reason));
  }
  // Exact integer arithmetic; upstream uses float64, which agrees for every
  // value a real object carries.
  __int128 product = static_cast<__int128>(pct) * total;
  __int128 r = round_up ? CeilDiv(product, 100) : FloorDiv(product, 100);
  if (r > std::numeric_limits<int64_t>::max()) return std::numeric_limits<int64_t>::max();
  if (r < std::numeric_limits<int64_t>::min()) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(r);
}

}  // namespace kubepp::api
