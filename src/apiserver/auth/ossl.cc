#include "apiserver/auth/ossl.h"

#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <cstring>

namespace kubepp::apiserver::auth::internal {
BioPtr MemBio(std::string_view data) {
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

StatusOr<std::string> DrainBio(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  if (n < 0 || data == nullptr) return Status::Internal("empty BIO");
  return std::string(data, static_cast<size_t>(n));
}

std::string OpenSslErrors() {
  std::string out;
  unsigned long e;
  while ((e = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out.empty() ? "unknown OpenSSL error" : out;
}

StatusOr<X509Ptr> ParseCertPem(std::string_view pem, std::string_view what) {
  if (pem.size() > (1 << 24)) return Status::BadRequest(std::string(what) + ": certificate too large");
  BioPtr bio = MemBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (!cert) return Status::BadRequest(std::string(what) + ": not a PEM certificate (" + OpenSslErrors() + ")");
  return cert;
}

StatusOr<X509Ptr> ParseCertDer(std::string_view der, std::string_view what) {
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  if (der.size() > (1 << 24)) return Status::BadRequest(std::string(what) + ": certificate too large");
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) return Status::BadRequest(std::string(what) + ": not a DER certificate (" + OpenSslErrors() + ")");
  return cert;
}

StatusOr<X509Ptr> ParseCertPemOrDer(std::string_view data, std::string_view what) {
  if (data.find("-----BEGIN") != std::string_view::npos) return ParseCertPem(data, what);
  return ParseCertDer(data, what);
}

StatusOr<PkeyPtr> ParseKeyPem(std::string_view pem, std::string_view what) {
  if (pem.size() > (1 << 24)) return Status::BadRequest(std::string(what) + ": key too large");
  BioPtr bio = MemBio(pem);
  // A null password callback with "" user data keeps OpenSSL from prompting
  // on a terminal for an encrypted key.
  char empty[1] = {0};
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, empty));
  if (!key) return Status::BadRequest(std::string(what) + ": not a PEM private key (" + OpenSslErrors() + ")");
  return key;
}

StatusOr<std::string> CertToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return Status::Internal("PEM_write_bio_X509: " + OpenSslErrors());
  return DrainBio(bio.get());
}

StatusOr<std::string> KeyToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Status::Internal("PEM_write_bio_PrivateKey: " + OpenSslErrors());
  }
  return DrainBio(bio.get());
}

StatusOr<PkeyPtr> GenerateKey() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (!key) return Status::Internal("EC key generation: " + OpenSslErrors());
  return key;
}

StatusOr<std::chrono::system_clock::time_point> Asn1ToTime(const ASN1_TIME* t) {
  struct tm tm;
  std::memset(&tm, 0, sizeof tm);
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return Status::BadRequest("certificate: bad time field");
  time_t secs = timegm(&tm);
  // system_clock counts nanoseconds in int64 (years 1677..2262); RFC 5280's
  // "no expiry" 99991231235959Z would overflow it, so clamp.
  using Clock = std::chrono::system_clock;
  constexpr auto kLimit = std::chrono::duration_cast<std::chrono::seconds>(Clock::duration::max()).count();
  if (secs >= kLimit) return Clock::time_point::max();
  if (secs <= -kLimit) return Clock::time_point::min();
  return Clock::from_time_t(secs);
}

}  // namespace kubepp::apiserver::auth::internal
