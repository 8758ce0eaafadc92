// The errors every Store backend returns, in one wording: callers (the
// apiserver's messages, the conformance suite) must not be able to tell the
// backends apart by them. For backend implementations.
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string_view>

#include "common/status.h"

namespace kubepp::storage {

// NotFound "key K not found".
Status KeyNotFound(std::string_view key);
// AlreadyExists "key K already exists".
Status KeyExists(std::string_view key);
// Conflict "key K has mod revision A, expected E".
Status ModRevisionMismatch(std::string_view key, int64_t expected, int64_t actual);
// NotFound "lease L not found".
Status LeaseNotFound(int64_t lease);
// Gone "revision R has been compacted (compact revision C)".
Status RevisionCompacted(int64_t revision, int64_t compact_revision);
// Timeout "[compact ]revision R is in the future (current C)".
Status RevisionInFuture(int64_t revision, int64_t current);
Status CompactRevisionInFuture(int64_t revision, int64_t current);
// Invalid "lease ttl must be at least 1 second".
Status LeaseTtlTooShort();

}  // namespace kubepp::storage
