#include "apiserver/auth/pki.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "apiserver/auth/files.h"
#include "apiserver/auth/ossl.h"
#include "common/log.h"
#include "common/strings.h"

namespace kubepp::apiserver::auth {

using internal::X509Ptr;
using internal::PkeyPtr;

namespace {

constexpr std::string_view kServingCommonName = "kube-apiserver";

struct ExtFree {
  void operator()(X509_EXTENSION* e) const { X509_EXTENSION_free(e); }
};

bool IsIp(std::string_view s, unsigned char* out16 = nullptr, int* family = nullptr) {
  std::string str(s);
  unsigned char buf[16];
  if (inet_pton(AF_INET, str.c_str(), buf) == 1) {
    if (out16) std::memcpy(out16, buf, 4);
    if (family) *family = AF_INET;
    return true;
  }
  if (inet_pton(AF_INET6, str.c_str(), buf) == 1) {
    if (out16) std::memcpy(out16, buf, 16);
    if (family) *family = AF_INET6;
    return true;
  }
  return false;
}

// RFC 1123 names, with an optional leading "*." wildcard label.
bool IsDnsName(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  if (s.substr(0, 2) == "*.") s.remove_prefix(2);
  size_t label = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '.') {
      if (label == 0 || s[i - 1] == '-') return false;
      label = 0;
      continue;
    }
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (!alnum && !(c == '-' && label > 0)) return false;
    if (++label > 63) return false;
  }
  return label > 0 && s.back() != '-';
}


// Canonical form for comparing SANs: IPs as inet_ntop text, names lowercased.
std::string CanonicalSan(std::string_view s) {
  unsigned char buf[16];
  int family = 0;
  if (IsIp(s, buf, &family)) {
    char text[INET6_ADDRSTRLEN];
    inet_ntop(family, buf, text, sizeof text);
    return text;
  }
  return AsciiLower(s);
}

Status AddExt(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtFree> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext) return Status::Internal("certificate extension " + value + ": " + internal::OpenSslErrors());
  if (X509_add_ext(cert, ext.get(), -1) != 1) return Status::Internal("X509_add_ext: " + internal::OpenSslErrors());
  return Status::Ok();
}

Status AddNameEntry(X509_NAME* name, const char* field, std::string_view value) {
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(value.data()),
                                 static_cast<int>(value.size()), -1, 0) != 1) {
    return Status::Invalid(std::string("certificate subject ") + field + "=" + std::string(value) + ": " +
                           internal::OpenSslErrors());
  }
  return Status::Ok();
}

Status SetRandomSerial(X509* cert) {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return Status::Internal("RAND_bytes: " + internal::OpenSslErrors());
  bytes[0] &= 0x7f;  // positive
  bytes[0] |= 0x01;  // and never zero-length
  std::unique_ptr<BIGNUM, decltype(&BN_free)> bn(BN_bin2bn(bytes, sizeof bytes, nullptr), &BN_free);
  if (!bn || BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(cert)) == nullptr) {
    return Status::Internal("serial number: " + internal::OpenSslErrors());
  }
  return Status::Ok();
}

struct Spec {
  std::string common_name;
  std::vector<std::string> organizations;
  bool is_ca = false;
  std::string key_usage;
  std::string ext_key_usage;  // empty: none
  std::vector<std::string> sans;
  Clock::time_point now;
  std::chrono::seconds validity{0};
};

// Builds and signs a certificate for `key`. `issuer`/`issuer_key` null:
// self-signed.
StatusOr<X509Ptr> BuildCert(const Spec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  if (!cert) return Status::Internal("X509_new");
  if (X509_set_version(cert.get(), 2) != 1) return Status::Internal("X509_set_version");
  RETURN_IF_ERROR(SetRandomSerial(cert.get()));
  time_t now = Clock::to_time_t(spec.now);
  // A little slack before `now` for peers whose clocks run behind.
  if (X509_time_adj_ex(X509_getm_notBefore(cert.get()), 0, -300, &now) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), 0, static_cast<long>(spec.validity.count()), &now) ==
          nullptr) {
    return Status::Internal("certificate validity: " + internal::OpenSslErrors());
  }
  X509_NAME* name = X509_get_subject_name(cert.get());
  for (const auto& org : spec.organizations) RETURN_IF_ERROR(AddNameEntry(name, "O", org));
  RETURN_IF_ERROR(AddNameEntry(name, "CN", spec.common_name));
  if (X509_set_pubkey(cert.get(), key) != 1) return Status::Internal("X509_set_pubkey");
  X509* iss = issuer ? issuer : cert.get();
  if (X509_set_issuer_name(cert.get(), X509_get_subject_name(iss)) != 1) return Status::Internal("issuer name");

  RETURN_IF_ERROR(AddExt(cert.get(), iss, NID_basic_constraints, spec.is_ca ? "critical,CA:TRUE" : "critical,CA:FALSE"));
  RETURN_IF_ERROR(AddExt(cert.get(), iss, NID_key_usage, "critical," + spec.key_usage));
  if (!spec.ext_key_usage.empty()) RETURN_IF_ERROR(AddExt(cert.get(), iss, NID_ext_key_usage, spec.ext_key_usage));
  RETURN_IF_ERROR(AddExt(cert.get(), iss, NID_subject_key_identifier, "hash"));
  if (issuer) RETURN_IF_ERROR(AddExt(cert.get(), iss, NID_authority_key_identifier, "keyid:always"));
  if (!spec.sans.empty()) {
    std::string value;
    for (const auto& san : spec.sans) {
      if (!value.empty()) value += ',';
      if (IsIp(san)) {
        value += "IP:" + san;
      } else if (IsDnsName(san)) {
        value += "DNS:" + san;
      } else {
        return Status::Invalid("subject alternative name \"" + san + "\": neither an IP address nor a DNS name");
      }
    }
    RETURN_IF_ERROR(AddExt(cert.get(), iss, NID_subject_alt_name, value));
  }
  if (X509_sign(cert.get(), issuer_key ? issuer_key : key, EVP_sha256()) <= 0) {
    return Status::Internal("X509_sign: " + internal::OpenSslErrors());
  }
  return cert;
}

StatusOr<PkeyPtr> KeyOrNew(std::string_view key_pem) {
  if (key_pem.empty()) return internal::GenerateKey();
  return internal::ParseKeyPem(key_pem, "key");
}

StatusOr<CertKeyPair> IssueLeaf(const CertKeyPair& ca, const Spec& spec, std::string_view key_pem) {
  ASSIGN_OR_RETURN(X509Ptr ca_cert, internal::ParseCertPem(ca.cert_pem, "CA certificate"));
  ASSIGN_OR_RETURN(PkeyPtr ca_key, internal::ParseKeyPem(ca.key_pem, "CA key"));
  ASSIGN_OR_RETURN(PkeyPtr key, KeyOrNew(key_pem));
  ASSIGN_OR_RETURN(X509Ptr cert, BuildCert(spec, key.get(), ca_cert.get(), ca_key.get()));
  CertKeyPair out;
  ASSIGN_OR_RETURN(out.cert_pem, internal::CertToPem(cert.get()));
  ASSIGN_OR_RETURN(out.key_pem, internal::KeyToPem(key.get()));
  return out;
}

Status WritePair(CertKeyPair& pair) {
  // Key first: a crash between the two writes leaves a key that does not
  // match the old certificate, which the next start detects and re-issues.
  RETURN_IF_ERROR(WriteFileAtomic(pair.key_file, pair.key_pem, 0600));
  return WriteFileAtomic(pair.cert_file, pair.cert_pem, 0644);
}

// Reads a pair from disk; NotFound when either file is missing.
StatusOr<CertKeyPair> ReadPair(const std::string& dir, const std::string& base) {
  CertKeyPair p;
  p.cert_file = dir + "/" + base + ".crt";
  p.key_file = dir + "/" + base + ".key";
  ASSIGN_OR_RETURN(p.cert_pem, ReadFile(p.cert_file));
  ASSIGN_OR_RETURN(p.key_pem, ReadFile(p.key_file));
  return p;
}

// Why an existing leaf must be re-issued, or "" when it is fine.
std::string LeafProblem(const CertKeyPair& leaf, const CertKeyPair& ca, const Spec& want, Clock::time_point now,
                        std::chrono::seconds renew_before) {
  auto info = InspectCertificate(leaf.cert_pem);
  if (!info.ok()) return info.status().message();
  Status s = CheckKeyMatches(leaf.cert_pem, leaf.key_pem);
  if (!s.ok()) return s.message();
  s = VerifyCertificate(leaf.cert_pem, ca.cert_pem, info->not_before + std::chrono::seconds(1));
  if (!s.ok()) return "not signed by the cluster CA (" + s.message() + ")";
  if (info->common_name != want.common_name) return "common name is " + info->common_name;
  auto orgs = info->organizations, want_orgs = want.organizations;
  std::sort(orgs.begin(), orgs.end());
  std::sort(want_orgs.begin(), want_orgs.end());
  if (orgs != want_orgs) return "organizations differ";
  if (now + renew_before >= info->not_after) return "expires within the renewal window";
  if (!want.sans.empty()) {
    std::vector<std::string> have;
    for (const auto& d : info->dns_names) have.push_back(CanonicalSan(d));
    for (const auto& ip : info->ip_addresses) have.push_back(CanonicalSan(ip));
    for (const auto& need : want.sans) {
      if (std::find(have.begin(), have.end(), CanonicalSan(need)) == have.end()) return "SANs lack " + need;
    }
  }
  return "";
}

// Reuses, or (re-)issues and writes, one leaf.
StatusOr<CertKeyPair> EnsureLeaf(const std::string& dir, const std::string& base, const CertKeyPair& ca,
                                 const Spec& spec, const PkiOptions& options) {
  auto existing = ReadPair(dir, base);
  std::string reuse_key;
  if (existing.ok()) {
    std::string problem = LeafProblem(*existing, ca, spec, spec.now, options.renew_before);
    if (problem.empty()) return *std::move(existing);
    LogInfo("tls: re-issuing {}.crt: {}", base, problem);
    if (internal::ParseKeyPem(existing->key_pem, "key").ok()) reuse_key = existing->key_pem;
  } else if (existing.status().code() != StatusCode::kNotFound) {
    return existing.status();
  }
  ASSIGN_OR_RETURN(CertKeyPair pair, IssueLeaf(ca, spec, reuse_key));
  pair.cert_file = dir + "/" + base + ".crt";
  pair.key_file = dir + "/" + base + ".key";
  RETURN_IF_ERROR(WritePair(pair));
  return pair;
}

StatusOr<CertKeyPair> EnsureCa(const std::string& dir, Clock::time_point now) {
  CertKeyPair ca;
  ca.cert_file = dir + "/ca.crt";
  ca.key_file = dir + "/ca.key";
  auto cert = ReadFile(ca.cert_file);
  auto key = ReadFile(ca.key_file);
  bool cert_missing = !cert.ok() && cert.status().code() == StatusCode::kNotFound;
  bool key_missing = !key.ok() && key.status().code() == StatusCode::kNotFound;
  if (cert_missing && key_missing) {
    ASSIGN_OR_RETURN(PkeyPtr k, internal::GenerateKey());
    Spec spec;
    spec.common_name = "kubepp-ca@" + std::to_string(Clock::to_time_t(now));
    spec.is_ca = true;
    spec.key_usage = "digitalSignature,keyEncipherment,keyCertSign,cRLSign";
    spec.now = now;
    spec.validity = kCaValidity;
    ASSIGN_OR_RETURN(X509Ptr c, BuildCert(spec, k.get(), nullptr, nullptr));
    ASSIGN_OR_RETURN(ca.cert_pem, internal::CertToPem(c.get()));
    ASSIGN_OR_RETURN(ca.key_pem, internal::KeyToPem(k.get()));
    RETURN_IF_ERROR(WritePair(ca));
    LogInfo("tls: created cluster CA in {}", dir);
    return ca;
  }
  if (!cert.ok()) return cert.status().WithPrefix("cluster CA (key present, certificate unreadable)");
  if (!key.ok()) return key.status().WithPrefix("cluster CA (certificate present, key unreadable)");
  ca.cert_pem = *std::move(cert);
  ca.key_pem = *std::move(key);
  auto info = InspectCertificate(ca.cert_pem);
  if (!info.ok() || !info->is_ca) {
    return Status::Internal(ca.cert_file + ": not a CA certificate; refusing to replace the cluster CA");
  }
  Status s = CheckKeyMatches(ca.cert_pem, ca.key_pem);
  if (!s.ok()) return Status::Internal(ca.key_file + ": does not match ca.crt (" + s.message() + ")");
  if (now + kDefaultRenewBefore >= info->not_after) {
    LogWarning("tls: cluster CA {} expires soon; it is not rotated automatically", ca.cert_file);
  }
  return ca;
}

}  // namespace

std::vector<std::string> HostSans() {
  std::vector<std::string> out;
  char host[256] = {0};
  if (gethostname(host, sizeof host - 1) == 0 && IsDnsName(host)) out.push_back(AsciiLower(host));
  struct ifaddrs* ifs = nullptr;
  if (getifaddrs(&ifs) != 0) return out;
  for (struct ifaddrs* i = ifs; i != nullptr; i = i->ifa_next) {
    if (i->ifa_addr == nullptr || (i->ifa_flags & IFF_LOOPBACK)) continue;
    char text[INET6_ADDRSTRLEN] = {0};
    if (i->ifa_addr->sa_family == AF_INET) {
      auto* a = reinterpret_cast<struct sockaddr_in*>(i->ifa_addr);
      if ((ntohl(a->sin_addr.s_addr) >> 24) == 127) continue;
      inet_ntop(AF_INET, &a->sin_addr, text, sizeof text);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      auto* a = reinterpret_cast<struct sockaddr_in6*>(i->ifa_addr);
      if (IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr) || IN6_IS_ADDR_LOOPBACK(&a->sin6_addr)) continue;
      inet_ntop(AF_INET6, &a->sin6_addr, text, sizeof text);
    } else {
      continue;
    }
    if (std::find(out.begin(), out.end(), text) == out.end()) out.emplace_back(text);
  }
  freeifaddrs(ifs);
  return out;
}

StatusOr<std::string> FirstServiceIp(std::string_view cidr) {
  auto bad = [&](std::string why) { return Status::Invalid("service CIDR \"" + std::string(cidr) + "\": " + why); };
  auto slash = cidr.find('/');
  if (slash == std::string_view::npos) return bad("missing /prefix");
  std::string addr(cidr.substr(0, slash));
  std::string bits_text(cidr.substr(slash + 1));
  if (bits_text.empty() || bits_text.size() > 3 ||
      !std::all_of(bits_text.begin(), bits_text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return bad("bad prefix length");
  }
  int bits = std::stoi(bits_text);
  unsigned char buf[16] = {0};
  int family = 0;
  if (!IsIp(addr, buf, &family)) return bad("bad address");
  int total = family == AF_INET ? 32 : 128;
  if (bits > total || bits > total - 2 + (family == AF_INET6 ? 1 : 0)) return bad("prefix leaves no host addresses");
  int len = total / 8;
  // Zero the host bits, then add one.
  for (int i = 0; i < len; ++i) {
    int keep = std::clamp(bits - i * 8, 0, 8);
    buf[i] &= static_cast<unsigned char>(keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff);
  }
  for (int i = len - 1; i >= 0; --i) {
    if (++buf[i] != 0) break;
  }
  char text[INET6_ADDRSTRLEN];
  inet_ntop(family, buf, text, sizeof text);
  return std::string(text);
}

StatusOr<std::vector<std::string>> RequiredServingSans(const PkiOptions& options) {
  std::vector<std::string> raw = {"127.0.0.1", "localhost"};
  std::vector<std::string> host = options.host_sans ? *options.host_sans : HostSans();
  raw.insert(raw.end(), host.begin(), host.end());
  for (const char* n : {"kubernetes", "kubernetes.default", "kubernetes.default.svc",
                        "kubernetes.default.svc.cluster.local"}) {
    raw.emplace_back(n);
  }
  ASSIGN_OR_RETURN(std::string svc, FirstServiceIp(options.service_cidr));
  raw.push_back(svc);
  raw.insert(raw.end(), options.extra_sans.begin(), options.extra_sans.end());
  std::vector<std::string> out, seen;
  for (const auto& s : raw) {
    if (!IsIp(s) && !IsDnsName(s)) {
      return Status::Invalid("subject alternative name \"" + s + "\": neither an IP address nor a DNS name");
    }
    std::string c = CanonicalSan(s);
    if (std::find(seen.begin(), seen.end(), c) != seen.end()) continue;
    seen.push_back(c);
    out.push_back(c);
  }
  return out;
}

StatusOr<CertKeyPair> IssueClientCert(const CertKeyPair& ca, std::string_view user,
                                      const std::vector<std::string>& groups, Clock::time_point now,
                                      std::chrono::seconds validity, std::string_view key_pem) {
  if (user.empty()) return Status::Invalid("client certificate: user name is empty");
  Spec spec;
  spec.common_name = std::string(user);
  spec.organizations = groups;
  spec.key_usage = "digitalSignature,keyEncipherment";
  spec.ext_key_usage = "clientAuth";
  spec.now = now;
  spec.validity = validity;
  return IssueLeaf(ca, spec, key_pem);
}

StatusOr<std::string> SignCsr(const CertKeyPair& ca, std::string_view csr_pem, std::string_view user,
                              const std::vector<std::string>& groups, Clock::time_point now,
                              std::chrono::seconds validity, bool server_auth, const std::vector<std::string>& sans) {
  if (user.empty()) return Status::Invalid("certificate request: user name is empty");
  if (csr_pem.size() > (1 << 20)) return Status::BadRequest("certificate request: too large");
  internal::BioPtr bio = internal::MemBio(csr_pem);
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr),
                                                         &X509_REQ_free);
  if (!req) return Status::BadRequest("certificate request: not a PEM CSR (" + internal::OpenSslErrors() + ")");
  PkeyPtr pub(X509_REQ_get_pubkey(req.get()));
  if (!pub || X509_REQ_verify(req.get(), pub.get()) != 1) {
    ERR_clear_error();
    return Status::BadRequest("certificate request: signature does not verify");
  }
  ASSIGN_OR_RETURN(X509Ptr ca_cert, internal::ParseCertPem(ca.cert_pem, "CA certificate"));
  ASSIGN_OR_RETURN(PkeyPtr ca_key, internal::ParseKeyPem(ca.key_pem, "CA key"));
  Spec spec;
  spec.common_name = std::string(user);
  spec.organizations = groups;
  spec.key_usage = "digitalSignature,keyEncipherment";
  spec.ext_key_usage = server_auth ? "serverAuth,clientAuth" : "clientAuth";
  spec.sans = sans;
  spec.now = now;
  spec.validity = validity;
  ASSIGN_OR_RETURN(X509Ptr cert, BuildCert(spec, pub.get(), ca_cert.get(), ca_key.get()));
  return internal::CertToPem(cert.get());
}

StatusOr<CertKeyPair> MakeCsr(std::string_view user, const std::vector<std::string>& groups) {
  ASSIGN_OR_RETURN(PkeyPtr key, internal::GenerateKey());
  std::unique_ptr<X509_REQ, decltype(&X509_REQ_free)> req(X509_REQ_new(), &X509_REQ_free);
  if (!req) return Status::Internal("X509_REQ_new");
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  for (const auto& g : groups) RETURN_IF_ERROR(AddNameEntry(name, "O", g));
  RETURN_IF_ERROR(AddNameEntry(name, "CN", user));
  if (X509_REQ_set_pubkey(req.get(), key.get()) != 1 || X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) {
    return Status::Internal("CSR: " + internal::OpenSslErrors());
  }
  internal::BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_REQ(bio.get(), req.get()) != 1) return Status::Internal("CSR PEM");
  CertKeyPair out;
  ASSIGN_OR_RETURN(out.cert_pem, internal::DrainBio(bio.get()));
  ASSIGN_OR_RETURN(out.key_pem, internal::KeyToPem(key.get()));
  return out;
}

StatusOr<Pki> EnsurePki(const PkiOptions& options) {
  if (options.data_dir.empty()) return Status::Invalid("pki: data dir is empty");
  Clock::time_point now = options.now ? *options.now : Clock::now();
  ASSIGN_OR_RETURN(std::vector<std::string> sans, RequiredServingSans(options));
  Pki pki;
  pki.dir = options.data_dir + "/tls";
  RETURN_IF_ERROR(MakeDirs(pki.dir, 0700));
  ASSIGN_OR_RETURN(pki.ca, EnsureCa(pki.dir, now));

  Spec serving;
  serving.common_name = std::string(kServingCommonName);
  serving.key_usage = "digitalSignature,keyEncipherment";
  serving.ext_key_usage = "serverAuth";
  serving.sans = sans;
  serving.now = now;
  serving.validity = options.leaf_validity;
  ASSIGN_OR_RETURN(pki.serving, EnsureLeaf(pki.dir, "serving-kube-apiserver", pki.ca, serving, options));

  Spec client;
  client.key_usage = "digitalSignature,keyEncipherment";
  client.ext_key_usage = "clientAuth";
  client.now = now;
  client.validity = options.leaf_validity;
  client.common_name = std::string(kAdminUser);
  client.organizations = {std::string(kMastersGroup)};
  ASSIGN_OR_RETURN(pki.admin_client, EnsureLeaf(pki.dir, "client-admin", pki.ca, client, options));
  client.common_name = std::string(kKubeletClientUser);
  client.organizations = {std::string(kKubeletClientGroup)};
  ASSIGN_OR_RETURN(pki.kubelet_client, EnsureLeaf(pki.dir, "client-kube-apiserver", pki.ca, client, options));
  return pki;
}

StatusOr<CertificateInfo> InspectCertificate(std::string_view pem_or_der) {
  ASSIGN_OR_RETURN(X509Ptr cert, internal::ParseCertPemOrDer(pem_or_der, "certificate"));
  CertificateInfo info;
  auto entries = [](X509_NAME* name, int nid) {
    std::vector<std::string> out;
    int idx = -1;
    while ((idx = X509_NAME_get_index_by_NID(name, nid, idx)) >= 0) {
      ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, idx));
      unsigned char* utf8 = nullptr;
      int n = ASN1_STRING_to_UTF8(&utf8, data);
      if (n >= 0) out.emplace_back(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
      OPENSSL_free(utf8);
    }
    return out;
  };
  auto cns = entries(X509_get_subject_name(cert.get()), NID_commonName);
  if (!cns.empty()) info.common_name = cns.back();
  info.organizations = entries(X509_get_subject_name(cert.get()), NID_organizationName);
  auto issuer_cns = entries(X509_get_issuer_name(cert.get()), NID_commonName);
  if (!issuer_cns.empty()) info.issuer_common_name = issuer_cns.back();
  ASSIGN_OR_RETURN(info.not_before, internal::Asn1ToTime(X509_get0_notBefore(cert.get())));
  ASSIGN_OR_RETURN(info.not_after, internal::Asn1ToTime(X509_get0_notAfter(cert.get())));
  info.is_ca = X509_check_ca(cert.get()) > 0;
  uint32_t xku = X509_get_extended_key_usage(cert.get());
  if (xku != UINT32_MAX) {
    info.server_auth = (xku & XKU_SSL_SERVER) != 0;
    info.client_auth = (xku & XKU_SSL_CLIENT) != 0;
  }
  auto* names = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr));
  if (names != nullptr) {
    for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
      const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names, i);
      if (gn->type == GEN_DNS) {
        const ASN1_STRING* s = gn->d.dNSName;
        info.dns_names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                    static_cast<size_t>(ASN1_STRING_length(s)));
      } else if (gn->type == GEN_IPADD) {
        const ASN1_STRING* s = gn->d.iPAddress;
        char text[INET6_ADDRSTRLEN] = {0};
        int len = ASN1_STRING_length(s);
        if (len == 4 || len == 16) {
          inet_ntop(len == 4 ? AF_INET : AF_INET6, ASN1_STRING_get0_data(s), text, sizeof text);
          info.ip_addresses.emplace_back(text);
        }
      }
    }
    GENERAL_NAMES_free(names);
  }
  ERR_clear_error();
  return info;
}

Status VerifyCertificate(std::string_view cert, std::string_view ca_pem, Clock::time_point now) {
  auto leaf = internal::ParseCertPemOrDer(cert, "certificate");
  if (!leaf.ok()) return Status::Unauthorized(leaf.status().message());
  auto ca = internal::ParseCertPem(ca_pem, "CA certificate");
  if (!ca.ok()) return Status::Unauthorized(ca.status().message());
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), &X509_STORE_free);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> ctx(X509_STORE_CTX_new(), &X509_STORE_CTX_free);
  if (!store || !ctx || X509_STORE_add_cert(store.get(), ca->get()) != 1 ||
      X509_STORE_CTX_init(ctx.get(), store.get(), leaf->get(), nullptr) != 1) {
    return Status::Internal("X509 store: " + internal::OpenSslErrors());
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, Clock::to_time_t(now));
  int rc = X509_verify_cert(ctx.get());
  ERR_clear_error();
  if (rc != 1) {
    return Status::Unauthorized(X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx.get())));
  }
  return Status::Ok();
}

Status CheckKeyMatches(std::string_view cert_pem, std::string_view key_pem) {
  ASSIGN_OR_RETURN(X509Ptr cert, internal::ParseCertPem(cert_pem, "certificate"));
  ASSIGN_OR_RETURN(PkeyPtr key, internal::ParseKeyPem(key_pem, "key"));
  int rc = X509_check_private_key(cert.get(), key.get());
  ERR_clear_error();
  if (rc != 1) return Status::BadRequest("private key does not match the certificate");
  return Status::Ok();
}

}  // namespace kubepp::apiserver::auth
