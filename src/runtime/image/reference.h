// Image references in Docker's normalized form: "busybox" is
// "docker.io/library/busybox:latest", "quay.io/a/b@sha256:..." keeps its
// digest, "127.0.0.1:5000/test/busybox:1" names a registry by host:port.
//
// Pure functions; thread-safe. Blind spot: path components are checked with
// a simplified grammar (lowercase [a-z0-9._-] separated by '/'), slightly
// more permissive than distribution/reference about separator runs.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace kubepp::runtime::image {

struct Reference {
  std::string domain;  // "docker.io", "127.0.0.1:5000"
  std::string path;    // "library/busybox"
  std::string tag;     // "latest"; empty when the reference is by digest only
  std::string digest;  // "sha256:<hex>" or empty

  // "docker.io/library/busybox"
  std::string Repository() const { return domain + "/" + path; }
  // "docker.io/library/busybox:latest", "repo@sha256:..", "repo:tag@sha256:.."
  std::string String() const;
};

// Parses and normalizes a reference; a reference with neither tag nor digest
// gets the tag "latest". Invalid naming the reference on bad syntax.
StatusOr<Reference> ParseReference(std::string_view ref);

// The normalized string of `ref`, or `ref` unchanged when it does not parse.
std::string NormalizeReference(std::string_view ref);

}  // namespace kubepp::runtime::image
