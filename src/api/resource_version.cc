#include "api/resource_version.h"

#include <limits>

#include "api/field_error.h"

namespace kubepp::api {

ResourceVersion ResourceVersion::Exact(int64_t revision) {
  ResourceVersion v;
  v.kind_ = Kind::kExact;
  v.revision_ = revision;
  return v;
}

StatusOr<ResourceVersion> ResourceVersion::Parse(std::string_view text, std::string_view field) {
  if (text.empty()) return ResourceVersion();
  if (text == "0") {
    ResourceVersion v;
    v.kind_ = Kind::kAny;
    return v;
  }
  // Same acceptance and wording as upstream's strconv.ParseUint use, but
  // bounded to int64 (storage revisions are int64).
  int64_t value = 0;
  const char* reason = nullptr;
  for (char c : text) {
    if (c < '0' || c > '9') {
      reason = "invalid syntax";
      break;
    }
    if (value > (std::numeric_limits<int64_t>::max() - (c - '0')) / 10) {
      reason = "value out of range";
      // keep scanning: a later non-digit makes it a syntax error, as in Go
      value = std::numeric_limits<int64_t>::max();
      for (char d : text) {
        if (d < '0' || d > '9') {
          reason = "invalid syntax";
          break;
        }
      }
      break;
    }
    value = value * 10 + (c - '0');
  }
  if (reason != nullptr) {
    return Status::Invalid(FieldError::InvalidString(std::string(field), text,
                                                     "strconv.ParseUint: parsing " + GoQuote(text) + ": " +
                                                         reason)
                               .ToString());
  }
  if (value == 0) {  // "00" reads as 0, i.e. "any", as upstream
    ResourceVersion v;
    v.kind_ = Kind::kAny;
    return v;
  }
  return Exact(value);
}

std::string ResourceVersion::String() const {
  switch (kind_) {
    case Kind::kUnset: return "";
    case Kind::kAny: return "0";
    case Kind::kExact: return std::to_string(revision_);
  }
  return "";
}

int ResourceVersion::Compare(const ResourceVersion& o) const {
  auto rank = [](const ResourceVersion& v) { return static_cast<int>(v.kind_); };
  if (rank(*this) != rank(o)) return rank(*this) < rank(o) ? -1 : 1;
  if (revision_ != o.revision_) return revision_ < o.revision_ ? -1 : 1;
  return 0;
}

std::string FormatResourceVersion(int64_t revision) { return std::to_string(revision); }

}  // namespace kubepp::api
