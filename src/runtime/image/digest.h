// SHA-256 digests as OCI writes them ("sha256:<64 lowercase hex>"), computed
// incrementally (layers are hashed while they stream to disk).
//
// Sha256 is a value owned by one thread at a time; the free functions are pure
// and thread-safe. Only sha256 is supported: a "sha512:" digest is rejected as
// Invalid by ParseDigest (registries and archives in the wild use sha256).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace kubepp::runtime::image {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;

  void Update(const void* data, size_t size);
  void Update(std::string_view data) { Update(data.data(), data.size()); }
  // "sha256:<hex>"; the object must not be updated afterwards.
  std::string Finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// "sha256:<hex>" of `data`.
std::string DigestOf(std::string_view data);
// "sha256:<hex>" of a file's content; NotFound / Internal on I/O errors.
StatusOr<std::string> DigestOfFile(const std::string& path);

// Returns the 64-char hex of a "sha256:<hex>" digest, or Invalid naming the
// digest when it is malformed or of another algorithm.
StatusOr<std::string> DigestHex(std::string_view digest);

}  // namespace kubepp::runtime::image
