// Private helpers over OpenSSL for this folder: owning pointers, PEM
// conversion and error text. Not part of the public API (public headers of
// auth/ carry PEM strings, never OpenSSL types).
//
// Thread-safety: stateless functions; OpenSSL 3 is thread-safe for these uses.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace kubepp::apiserver::auth::internal {

struct X509Free {
  void operator()(X509* p) const { X509_free(p); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;

// A read-only memory BIO over `data` (which must outlive it); null on failure.
BioPtr MemBio(std::string_view data);
// The bytes written to a memory BIO. Errors: Internal.
StatusOr<std::string> DrainBio(BIO* bio);

// The OpenSSL error queue as text (and cleared), for messages.
std::string OpenSslErrors();

// Parses the first certificate of a PEM text. Errors: BadRequest naming `what`.
StatusOr<X509Ptr> ParseCertPem(std::string_view pem, std::string_view what);
// Parses a DER certificate. Errors: BadRequest naming `what`.
StatusOr<X509Ptr> ParseCertDer(std::string_view der, std::string_view what);
// PEM or DER, told apart by the "-----BEGIN" marker.
StatusOr<X509Ptr> ParseCertPemOrDer(std::string_view data, std::string_view what);
// Parses a private key (PKCS#8, SEC1 or PKCS#1 PEM). Errors: BadRequest.
StatusOr<PkeyPtr> ParseKeyPem(std::string_view pem, std::string_view what);

StatusOr<std::string> CertToPem(X509* cert);
StatusOr<std::string> KeyToPem(EVP_PKEY* key);

// A new EC P-256 key.
StatusOr<PkeyPtr> GenerateKey();

// Seconds since the epoch of an ASN1_TIME, clamped to the clock's range
// (time_point::max() for RFC 5280's "no expiry" 99991231235959Z).
StatusOr<std::chrono::system_clock::time_point> Asn1ToTime(const ASN1_TIME* t);

}  // namespace kubepp::apiserver::auth::internal
