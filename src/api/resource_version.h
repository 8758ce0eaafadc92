// resourceVersion as the API uses it: an opaque string to clients, a
// positive decimal int64 (the storage revision) to us.
//
// On list/watch the empty string and "0" are not versions but modes:
//   ""  -> kUnset: "most recent" (a consistent read from storage);
//   "0" -> kAny:   "any version" (the watch cache may serve, possibly stale);
//   "N" -> kExact: a specific revision (N > 0).
// On update/delete preconditions only kExact or kUnset make sense; callers
// decide.
//
// Thread-safety: a value type.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"

namespace kubepp::api {

class ResourceVersion {
 public:
  enum class Kind { kUnset, kAny, kExact };

  ResourceVersion() = default;  // kUnset
  static ResourceVersion Exact(int64_t revision);  // revision > 0

  // Returns Invalid naming the field, worded as upstream:
  // `resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing
  // "abc": invalid syntax` (also for "-1", "+1", spaces; "value out of
  // range" past int64). Leading zeros are accepted ("007" -> 7, "00" -> kAny).
  static StatusOr<ResourceVersion> Parse(std::string_view text,
                                         std::string_view field = "resourceVersion");

  Kind kind() const { return kind_; }
  bool is_exact() const { return kind_ == Kind::kExact; }
  // The revision; 0 unless kExact.
  int64_t revision() const { return revision_; }

  // "" / "0" / decimal revision.
  std::string String() const;

  // Orders kUnset < kAny < any exact, exact ones by revision.
  int Compare(const ResourceVersion& o) const;
  bool operator==(const ResourceVersion& o) const { return Compare(o) == 0; }
  bool operator<(const ResourceVersion& o) const { return Compare(o) < 0; }

 private:
  Kind kind_ = Kind::kUnset;
  int64_t revision_ = 0;
};

// Formats a storage revision for metadata.resourceVersion.
std::string FormatResourceVersion(int64_t revision);

}  // namespace kubepp::api
