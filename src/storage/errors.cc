#include "storage/errors.h"

#include <string>

namespace kubepp::storage {

Status KeyNotFound(std::string_view key) { return Status::NotFound("key " + std::string(key) + " not found"); }

Status KeyExists(std::string_view key) {
  return Status::AlreadyExists("key " + std::string(key) + " already exists");
}

Status ModRevisionMismatch(std::string_view key, int64_t expected, int64_t actual) {
  return Status::Conflict("key " + std::string(key) + " has mod revision " + std::to_string(actual) +
                          ", expected " + std::to_string(expected));
}

Status LeaseNotFound(int64_t lease) { return Status::NotFound("lease " + std::to_string(lease) + " not found"); }

Status RevisionCompacted(int64_t revision, int64_t compact_revision) {
  return Status::Gone("revision " + std::to_string(revision) + " has been compacted (compact revision " +
                      std::to_string(compact_revision) + ")");
}

Status RevisionInFuture(int64_t revision, int64_t current) {
  return Status::Timeout("revision " + std::to_string(revision) + " is in the future (current " +
                         std::to_string(current) + ")");
}

Status CompactRevisionInFuture(int64_t revision, int64_t current) {
  return Status::Timeout("compact " + RevisionInFuture(revision, current).message());
}

Status LeaseTtlTooShort() { return Status::Invalid("lease ttl must be at least 1 second"); }

}  // namespace kubepp::storage
