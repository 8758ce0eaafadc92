// Name and label validation with upstream's rules and messages
// (k8s.io/apimachinery/pkg/util/validation and api/validation/path):
// RFC 1123 labels and subdomains, RFC 1035 labels, qualified names (label
// and annotation keys), label values, path-segment names, and generateName.
//
// Each Is* function returns the list of upstream messages ("must be no more
// than 63 characters", "a lowercase RFC 1123 label must consist of ...");
// empty means valid. Callers wrap them into FieldErrors with their path.
//
// Thread-safety: pure functions, except GenerateName, which draws from a
// thread-local random engine.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "api/field_error.h"

namespace kubepp::api {

inline constexpr size_t kDNS1123LabelMaxLength = 63;
inline constexpr size_t kDNS1123SubdomainMaxLength = 253;
inline constexpr size_t kDNS1035LabelMaxLength = 63;
inline constexpr size_t kQualifiedNameMaxLength = 63;
inline constexpr size_t kLabelValueMaxLength = 63;
// generateName: random suffix length and the longest prefix kept.
inline constexpr size_t kGenerateNameRandomLength = 5;
inline constexpr size_t kMaxGeneratedNamePrefixLength = 63 - kGenerateNameRandomLength;
// Total size of all annotation keys and values on one object.
inline constexpr size_t kTotalAnnotationSizeLimit = 256 * 1024;

std::vector<std::string> IsDNS1123Label(std::string_view value);
std::vector<std::string> IsDNS1123Subdomain(std::string_view value);
std::vector<std::string> IsDNS1035Label(std::string_view value);
// "[prefix/]name": prefix a DNS-1123 subdomain, name <= 63 chars of
// [A-Za-z0-9_.-] starting and ending alphanumeric.
std::vector<std::string> IsQualifiedName(std::string_view value);
// "" or a name part as above.
std::vector<std::string> IsValidLabelValue(std::string_view value);
// Names used as a path segment may not be "." or "..", nor contain "/" or "%".
std::vector<std::string> IsValidPathSegmentName(std::string_view name);

// metadata.labels: keys qualified names, values label values.
FieldErrors ValidateLabels(const std::map<std::string, std::string>& labels, const std::string& path);
// metadata.annotations: keys qualified names (checked lower-cased, as
// upstream does), total size <= 256 KiB.
FieldErrors ValidateAnnotations(const std::map<std::string, std::string>& annotations,
                                const std::string& path);

// The characters upstream's generateName draws from (no vowels, no 0/1/3).
inline constexpr std::string_view kGenerateNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";
// prefix (truncated to 58 bytes) + 5 random characters from the alphabet.
std::string GenerateName(std::string_view prefix);

}  // namespace kubepp::api
