// IntOrString: the intstr.IntOrString value (ports, maxSurge, maxUnavailable,
// PodDisruptionBudget minAvailable): holds either an int or a string, and
// knows upstream's percent arithmetic ("25%" of 10 -> 3 rounded up).
//
// Thread-safety: a value type.
#pragma once

#include <cstdint>
#include <string>

#include "common/status.h"

namespace kubepp::api {

class IntOrString {
 public:
  IntOrString() = default;  // int 0, as upstream's zero value
  static IntOrString FromInt(int64_t value);
  static IntOrString FromString(std::string value);

  bool is_int() const { return is_int_; }
  bool is_string() const { return !is_int_; }
  int64_t int_value() const { return int_; }
  const std::string& str_value() const { return str_; }

  // "3" for an int, the string itself otherwise.
  std::string ToString() const;

  // upstream GetScaledValueFromIntOrPercent: an int is returned as is; a
  // string must be "<integer>%" and yields ceil/floor(total * pct / 100)
  // depending on round_up. Returns Invalid "invalid value for IntOrString:
  // invalid value \"x\": ..." for any other string.
  StatusOr<int64_t> ScaledValue(int64_t total, bool round_up) const;

  bool operator==(const IntOrString& o) const {
    return is_int_ == o.is_int_ && (is_int_ ? int_ == o.int_ : str_ == o.str_);
  }

 private:
  bool is_int_ = true;
  int64_t int_ = 0;
  std::string str_;
};

}  // namespace kubepp::api
