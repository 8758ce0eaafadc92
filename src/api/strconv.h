// Go's decimal integer parsing (strconv.ParseInt(s, 10, 64), which is also
// strconv.Atoi on 64-bit platforms), for the value types whose upstream
// validation and error text go through it (IntOrString percentages,
// Gt/Lt selector values), and Go's duration syntax.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

namespace kubepp::api {

// Accepts an optional sign and decimal digits, nothing else (no spaces, no
// underscores). Returns "" and sets *out on success; otherwise Go's reason,
// "invalid syntax" or "value out of range" (the latter as soon as the digits
// overflow int64, as Go reports it), and leaves *out alone.
std::string_view ParseGoInt64(std::string_view s, int64_t* out);

// Go's time.ParseDuration ("1h30m", "500ms", "1.5s", "-2m", "0"; units ns,
// us, µs, ms, s, m, h), as metav1.Duration fields (KubeSchedulerConfiguration's
// leaseDuration) and duration flags are written. Returns true and sets *out
// (nanoseconds) on success; false on any other text or on overflow.
bool ParseGoDuration(std::string_view s, int64_t* nanos);

}  // namespace kubepp::api
