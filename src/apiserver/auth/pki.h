// The cluster's public key infrastructure on disk (DATA/tls/): a cluster CA,
// the API server's serving certificate, the admin client certificate and the
// client certificate the API server presents to kubelets.
//
// EnsurePki is called on every start. The first call creates everything; later
// calls reuse what is valid, byte for byte, and re-issue only a leaf that is
// missing, unreadable, not signed by the CA, not matching its key, for the
// wrong subject, within `renew_before` of expiry, or (serving certificate)
// whose SANs no longer cover the required names. Re-issued leaves keep their
// private key when it is still readable. The CA itself is never replaced once
// it exists: a damaged CA is an error, since agents and kubeconfigs trust it.
//
// Keys are EC P-256; certificates are signed with SHA-256. Files are written
// atomically (temp + rename); keys are 0600, certificates 0644, tls/ 0700.
//
// Blind spot: a CA near its 10-year end is only logged, not rotated.
//
// Thread-safety: free functions; EnsurePki for one data dir must not run
// concurrently in two processes (the server calls it once at start).
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kubepp::apiserver::auth {

using Clock = std::chrono::system_clock;

inline constexpr std::chrono::hours kDefaultRenewBefore{24 * 90};
inline constexpr std::chrono::hours kDefaultLeafValidity{24 * 365};
inline constexpr std::chrono::hours kCaValidity{24 * 3650};

// PEM texts and the files they live in (files empty for in-memory pairs).
// MakeCsr puts a CSR in cert_pem.
struct CertKeyPair {
  std::string cert_pem;
  std::string key_pem;
  std::string cert_file;
  std::string key_file;
};

struct PkiOptions {
  std::string data_dir;                       // certificates go to data_dir/tls
  std::string service_cidr = "10.43.0.0/16";  // its first IP is a serving SAN
  std::vector<std::string> extra_sans;        // DNS names or IP addresses
  // The host's own names and addresses; unset means HostSans() (tests set it).
  std::optional<std::vector<std::string>> host_sans;
  std::chrono::seconds renew_before = kDefaultRenewBefore;
  std::chrono::seconds leaf_validity = kDefaultLeafValidity;
  std::optional<Clock::time_point> now;  // unset: the system clock
};

struct Pki {
  std::string dir;  // data_dir/tls
  CertKeyPair ca;
  CertKeyPair serving;         // CN=kube-apiserver, serverAuth
  CertKeyPair admin_client;    // CN=system:admin, O=system:masters
  CertKeyPair kubelet_client;  // CN=kube-apiserver-kubelet-client, O=kubepp:apiserver
};

inline constexpr std::string_view kAdminUser = "system:admin";
inline constexpr std::string_view kMastersGroup = "system:masters";
inline constexpr std::string_view kKubeletClientUser = "kube-apiserver-kubelet-client";
inline constexpr std::string_view kKubeletClientGroup = "kubepp:apiserver";

// Creates or refreshes the PKI as described above. Errors: Invalid for a bad
// option (service CIDR, SAN), Internal for I/O or a damaged CA.
StatusOr<Pki> EnsurePki(const PkiOptions& options);

// The SANs a serving certificate must carry for `options`, deduplicated:
// 127.0.0.1, localhost, host names/addresses, the kubernetes.default.* names,
// the first service IP and the extra SANs.
StatusOr<std::vector<std::string>> RequiredServingSans(const PkiOptions& options);

// The host's non-loopback interface addresses (IPv4 and IPv6, link-local
// IPv6 left out) and its hostname.
std::vector<std::string> HostSans();

// The first usable address of a CIDR ("10.43.0.0/16" -> "10.43.0.1").
// Errors: Invalid naming the CIDR.
StatusOr<std::string> FirstServiceIp(std::string_view cidr);

// A client certificate (clientAuth) for `user` with `groups` as O entries,
// signed by `ca`, valid from `now` for `validity`. A fresh key unless
// `key_pem` is given. Errors: BadRequest for a bad CA, Invalid for an empty user.
StatusOr<CertKeyPair> IssueClientCert(const CertKeyPair& ca, std::string_view user,
                                      const std::vector<std::string>& groups, Clock::time_point now,
                                      std::chrono::seconds validity = kDefaultLeafValidity,
                                      std::string_view key_pem = {});

// Signs a PEM certificate signing request (PKCS#10) from an agent that keeps
// its own key: the CSR's signature must verify; its subject is ignored and the
// certificate names `user` and `groups` (the server decides who the agent
// is). `server_auth` adds serverAuth and `sans` (a kubelet's serving cert).
// Errors: BadRequest for an unparsable or badly signed CSR.
StatusOr<std::string> SignCsr(const CertKeyPair& ca, std::string_view csr_pem, std::string_view user,
                              const std::vector<std::string>& groups, Clock::time_point now,
                              std::chrono::seconds validity = kDefaultLeafValidity, bool server_auth = false,
                              const std::vector<std::string>& sans = {});

// A new EC P-256 private key and a CSR for it (CN=user, O=groups), as an
// agent would make before asking to be signed. Errors: Internal.
StatusOr<CertKeyPair> MakeCsr(std::string_view user, const std::vector<std::string>& groups);

// What a certificate says, for checks and for authentication.
struct CertificateInfo {
  std::string common_name;
  std::vector<std::string> organizations;
  std::string issuer_common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // canonical text (inet_ntop)
  Clock::time_point not_before;
  Clock::time_point not_after;
  bool is_ca = false;
  bool server_auth = false;  // extendedKeyUsage includes serverAuth
  bool client_auth = false;  // extendedKeyUsage includes clientAuth
};

// Parses a PEM or DER certificate. Errors: BadRequest.
StatusOr<CertificateInfo> InspectCertificate(std::string_view pem_or_der);

// OK when `cert` (PEM or DER) chains to `ca_pem` and is valid at `now`.
// Errors: Unauthorized with OpenSSL's reason ("certificate has expired", ...).
Status VerifyCertificate(std::string_view cert, std::string_view ca_pem, Clock::time_point now);

// OK when `key_pem` is the private key of `cert_pem`. Errors: BadRequest.
Status CheckKeyMatches(std::string_view cert_pem, std::string_view key_pem);

}  // namespace kubepp::apiserver::auth
