// Status and StatusOr<T>: recoverable errors as values.
//
// Codes map one-to-one onto Kubernetes API reasons (metav1.StatusReason), so
// an error raised deep in storage or validation reaches the client with the
// reason and HTTP code a Kubernetes user expects. The mapping to HTTP codes
// and reason strings lives here, in one place (HttpCode, ReasonString).
//
// Thread-safety: values; a const Status may be read from many threads.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace kubepp {

enum class StatusCode {
  kOk = 0,
  kNotFound,               // 404 NotFound
  kAlreadyExists,          // 409 AlreadyExists
  kConflict,               // 409 Conflict (stale resourceVersion, CAS failure)
  kInvalid,                // 422 Invalid (validation; field errors in message)
  kBadRequest,             // 400 BadRequest (malformed input)
  kForbidden,              // 403 Forbidden
  kUnauthorized,           // 401 Unauthorized
  kGone,                   // 410 Gone (compacted revision)
  kExpired,                // 410 Expired (continue token / watch too old)
  kTooManyRequests,        // 429 TooManyRequests
  kUnavailable,            // 503 ServiceUnavailable
  kMethodNotAllowed,       // 405 MethodNotAllowed
  kNotAcceptable,          // 406 NotAcceptable
  kUnsupportedMediaType,   // 415 UnsupportedMediaType
  kRequestEntityTooLarge,  // 413 RequestEntityTooLarge
  kTimeout,                // 504 Timeout
  kInternal,               // 500 InternalError
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status Conflict(std::string m) { return {StatusCode::kConflict, std::move(m)}; }
  static Status Invalid(std::string m) { return {StatusCode::kInvalid, std::move(m)}; }
  static Status BadRequest(std::string m) { return {StatusCode::kBadRequest, std::move(m)}; }
  static Status Forbidden(std::string m) { return {StatusCode::kForbidden, std::move(m)}; }
  static Status Unauthorized(std::string m) { return {StatusCode::kUnauthorized, std::move(m)}; }
  static Status Gone(std::string m) { return {StatusCode::kGone, std::move(m)}; }
  static Status Expired(std::string m) { return {StatusCode::kExpired, std::move(m)}; }
  static Status TooManyRequests(std::string m) { return {StatusCode::kTooManyRequests, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Timeout(std::string m) { return {StatusCode::kTimeout, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // "NotFound: message"; "OK" when ok().
  std::string ToString() const;

  // Returns a copy whose message is "prefix: message" (context on the way up).
  Status WithPrefix(std::string_view prefix) const;

  bool operator==(const Status& o) const { return code_ == o.code_ && message_ == o.message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// HTTP status code for a Status code (200 for OK).
int HttpCode(StatusCode code);
// Kubernetes metav1.StatusReason string ("NotFound", "Conflict", ...; "" for OK).
std::string_view ReasonString(StatusCode code);

// Holds either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const T& value) : v_(value) {}               // NOLINT(implicit)
  StatusOr(T&& value) : v_(std::move(value)) {}         // NOLINT(implicit)
  StatusOr(Status status) : v_(std::move(status)) {     // NOLINT(implicit)
    if (std::get<Status>(v_).ok()) v_ = Status::Internal("StatusOr built from an OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<Status, T> v_;
};

}  // namespace kubepp

#define KUBEPP_CONCAT_INNER_(a, b) a##b
#define KUBEPP_CONCAT_(a, b) KUBEPP_CONCAT_INNER_(a, b)

// RETURN_IF_ERROR(expr): returns the Status of expr from the enclosing
// function when it is not OK.
#define RETURN_IF_ERROR(expr)                 \
  do {                                        \
    ::kubepp::Status _kubepp_s = (expr);      \
    if (!_kubepp_s.ok()) return _kubepp_s;    \
  } while (0)

// ASSIGN_OR_RETURN(lhs, expr): lhs = value of a StatusOr, or return its Status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL_(KUBEPP_CONCAT_(_kubepp_or_, __LINE__), lhs, expr)
#define ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                           \
  if (!tmp.ok()) return tmp.status();          \
  lhs = std::move(tmp).value()
