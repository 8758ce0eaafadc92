#include "common/status.h"

namespace kubepp {

int HttpCode(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return 200;
    case StatusCode::kNotFound: return 404;
    case StatusCode::kAlreadyExists: return 409;
    case StatusCode::kConflict: return 409;
    case StatusCode::kInvalid: return 422;
    case StatusCode::kBadRequest: return 400;
    case StatusCode::kForbidden: return 403;
    case StatusCode::kUnauthorized: return 401;
    case StatusCode::kGone: return 410;
    case StatusCode::kExpired: return 410;
    case StatusCode::kTooManyRequests: return 429;
    case StatusCode::kUnavailable: return 503;
    case StatusCode::kMethodNotAllowed: return 405;
    case StatusCode::kNotAcceptable: return 406;
    case StatusCode::kUnsupportedMediaType: return 415;
    case StatusCode::kRequestEntityTooLarge: return 413;
    case StatusCode::kTimeout: return 504;
    case StatusCode::kInternal: return 500;
  }
  return 500;
}

std::string_view ReasonString(StatusCode code) {
  switch (code) {
    case StatusCode::kOk: return "";
    case StatusCode::kNotFound: return "NotFound";
    case StatusCode::kAlreadyExists: return "AlreadyExists";
    case StatusCode::kConflict: return "Conflict";
    case StatusCode::kInvalid: return "Invalid";
    case StatusCode::kBadRequest: return "BadRequest";
    case StatusCode::kForbidden: return "Forbidden";
    case StatusCode::kUnauthorized: return "Unauthorized";
    case StatusCode::kGone: return "Gone";
    case StatusCode::kExpired: return "Expired";
    case StatusCode::kTooManyRequests: return "TooManyRequests";
    case StatusCode::kUnavailable: return "ServiceUnavailable";
    case StatusCode::kMethodNotAllowed: return "MethodNotAllowed";
    case StatusCode::kNotAcceptable: return "NotAcceptable";
    case StatusCode::kUnsupportedMediaType: return "UnsupportedMediaType";
    case StatusCode::kRequestEntityTooLarge: return "RequestEntityTooLarge";
    case StatusCode::kTimeout: return "Timeout";
    case StatusCode::kInternal: return "InternalError";
  }
  return "InternalError";
}

std::string Status::ToString() const {
  if (ok()) return "OK";
  std::string out(ReasonString(code_));
  out += ": ";
  out += message_;
  return out;
}

Status Status::WithPrefix(std::string_view prefix) const {
  if (ok()) return *this;
  return Status(code_, std::string(prefix) + ": " + message_);
}

}  // namespace kubepp
