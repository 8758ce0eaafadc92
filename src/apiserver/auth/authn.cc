#include "apiserver/auth/authn.h"

#include <openssl/rand.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>

#include "apiserver/auth/files.h"
#include "apiserver/auth/pki.h"
#include "common/log.h"
#include "common/strings.h"

namespace kubepp::apiserver::auth {

bool UserInfo::InGroup(std::string_view group) const {
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

// ---- x509 ----

X509Authenticator::X509Authenticator(std::string ca_pem, NowFn now) : ca_pem_(std::move(ca_pem)), now_(now) {}

StatusOr<std::optional<UserInfo>> X509Authenticator::Authenticate(const Credentials& creds) const {
  if (creds.peer_certificate.empty()) return std::optional<UserInfo>();
  {
    std::lock_guard lock(mu_);
    auto it = cache_.find(creds.peer_certificate);
    if (it != cache_.end() && now_() < it->second.not_after) return std::optional<UserInfo>(it->second.user);
  }
  auto info = InspectCertificate(creds.peer_certificate);
  if (!info.ok()) return Status::Unauthorized("x509: " + info.status().message());
  RETURN_IF_ERROR(VerifyCertificate(creds.peer_certificate, ca_pem_, now_()).WithPrefix("x509"));
  // Upstream accepts a certificate with no extended key usage, or one that
  // includes clientAuth.
  if ((info->server_auth || info->client_auth) && !info->client_auth) {
    return Status::Unauthorized("x509: certificate specifies an incompatible key usage");
  }
  if (info->common_name.empty()) return Status::Unauthorized("x509: subject has no common name");
  UserInfo user;
  user.name = info->common_name;
  user.groups = info->organizations;
  {
    constexpr size_t kMaxCached = 4096;
    std::lock_guard lock(mu_);
    if (cache_.size() >= kMaxCached) cache_.clear();
    cache_[creds.peer_certificate] = Cached{user, info->not_after};
  }
  return std::optional<UserInfo>(std::move(user));
}

// ---- static token file ----

namespace {

// One CSV record in the encoding/csv sense (RFC 4180 quotes, "" escapes a
// quote, leading spaces of a field trimmed). `pos` advances past the record;
// `line` counts physical lines (quoted fields may span several).
StatusOr<std::vector<std::string>> ReadCsvRecord(std::string_view text, size_t& pos, int& line,
                                                 std::string_view origin) {
  std::vector<std::string> fields;
  int start_line = line;
  for (;;) {
    while (pos < text.size() && (text[pos] == ' ' || text[pos] == '\t')) ++pos;
    std::string field;
    if (pos < text.size() && text[pos] == '"') {
      ++pos;
      for (;;) {
        if (pos >= text.size()) {
          return Status::BadRequest(std::string(origin) + ":" + std::to_string(start_line) +
                                    ": extraneous or missing \" in quoted-field");
        }
        char c = text[pos++];
        if (c == '"') {
          if (pos < text.size() && text[pos] == '"') {
            field += '"';
            ++pos;
            continue;
          }
          break;
        }
        if (c == '\n') ++line;
        field += c;
      }
      if (pos < text.size() && text[pos] != ',' && text[pos] != '\n' && text[pos] != '\r') {
        return Status::BadRequest(std::string(origin) + ":" + std::to_string(line) +
                                  ": extraneous or missing \" in quoted-field");
      }
    } else {
      while (pos < text.size() && text[pos] != ',' && text[pos] != '\n') {
        if (text[pos] == '"') {
          return Status::BadRequest(std::string(origin) + ":" + std::to_string(line) +
                                    ": bare \" in non-quoted-field");
        }
        field += text[pos++];
      }
      if (!field.empty() && field.back() == '\r') field.pop_back();
    }
    fields.push_back(std::move(field));
    if (pos < text.size() && text[pos] == '\r') ++pos;
    if (pos >= text.size() || text[pos] == '\n') {
      if (pos < text.size()) ++pos;
      ++line;
      return fields;
    }
    ++pos;  // ','
  }
}

std::string FileStamp(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "missing";
  return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) +
         "." + std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace

StatusOr<std::vector<TokenEntry>> ParseTokenCsv(std::string_view text, std::string_view origin) {
  std::vector<TokenEntry> out;
  size_t pos = 0;
  int line = 1;
  while (pos < text.size()) {
    int record_line = line;
    // Blank lines (only whitespace) are skipped, as encoding/csv does.
    size_t eol = text.find('\n', pos);
    std::string_view raw = text.substr(pos, eol == std::string_view::npos ? std::string_view::npos : eol - pos);
    if (raw.find_first_not_of(" \t\r") == std::string_view::npos) {
      pos = eol == std::string_view::npos ? text.size() : eol + 1;
      ++line;
      continue;
    }
    ASSIGN_OR_RETURN(std::vector<std::string> rec, ReadCsvRecord(text, pos, line, origin));
    std::string where = std::string(origin) + ":" + std::to_string(record_line);
    if (rec.size() < 3) {
      return Status::BadRequest(where + ": must have at least 3 columns (token, user name, user uid), found " +
                                std::to_string(rec.size()));
    }
    if (rec[0].empty()) {
      LogWarning("token file {}: empty token skipped", where);
      continue;
    }
    if (rec[1].empty()) return Status::BadRequest(where + ": user name is empty");
    TokenEntry e;
    e.token = rec[0];
    e.user.name = rec[1];
    e.user.uid = rec[2];
    if (rec.size() >= 4) {
      std::string_view groups = rec[3];
      while (!groups.empty()) {
        size_t comma = groups.find(',');
        std::string_view g = groups.substr(0, comma);
        while (!g.empty() && std::isspace(static_cast<unsigned char>(g.front()))) g.remove_prefix(1);
        while (!g.empty() && std::isspace(static_cast<unsigned char>(g.back()))) g.remove_suffix(1);
        if (!g.empty()) e.user.groups.emplace_back(g);
        if (comma == std::string_view::npos) break;
        groups.remove_prefix(comma + 1);
      }
    }
    auto dup = std::find_if(out.begin(), out.end(), [&](const TokenEntry& x) { return x.token == e.token; });
    if (dup != out.end()) {
      LogWarning("token file {}: duplicate token, this line wins", where);
      out.erase(dup);
    }
    out.push_back(std::move(e));
  }
  return out;
}

TokenFileAuthenticator::TokenFileAuthenticator(std::string path, std::vector<TokenEntry> fixed)
    : path_(std::move(path)), fixed_(std::move(fixed)) {}

StatusOr<std::unique_ptr<TokenFileAuthenticator>> TokenFileAuthenticator::Create(std::string path,
                                                                                 std::vector<TokenEntry> fixed) {
  std::unique_ptr<TokenFileAuthenticator> a(new TokenFileAuthenticator(std::move(path), std::move(fixed)));
  std::lock_guard<std::mutex> lock(a->mu_);
  for (const auto& e : a->fixed_) a->tokens_[e.token] = e.user;
  if (!a->path_.empty()) RETURN_IF_ERROR(a->ReloadIfChanged());
  return a;
}

// Requires mu_ held.
Status TokenFileAuthenticator::ReloadIfChanged() const {
  std::string stamp = FileStamp(path_);
  if (stamp == file_stamp_) return Status::Ok();
  // Whatever happens, this version of the file is not tried (or logged) again.
  file_stamp_ = stamp;
  auto text = ReadFile(path_);
  if (!text.ok()) return text.status().WithPrefix("token file");
  ASSIGN_OR_RETURN(std::vector<TokenEntry> entries, ParseTokenCsv(*text, path_));
  std::map<std::string, UserInfo, std::less<>> tokens;
  for (auto& e : entries) tokens[e.token] = std::move(e.user);
  // Fixed entries (the node join token) cannot be shadowed by the file.
  for (const auto& e : fixed_) tokens[e.token] = e.user;
  tokens_ = std::move(tokens);
  return Status::Ok();
}

StatusOr<std::optional<UserInfo>> TokenFileAuthenticator::Authenticate(const Credentials& creds) const {
  std::string_view h = creds.authorization;
  while (!h.empty() && h.front() == ' ') h.remove_prefix(1);
  size_t sp = h.find(' ');
  if (sp == std::string_view::npos) return std::optional<UserInfo>();
  if (!EqualsIgnoreCase(h.substr(0, sp), "bearer")) return std::optional<UserInfo>();
  std::string_view token = h.substr(sp + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.find(' ') != std::string_view::npos) return std::optional<UserInfo>();

  std::lock_guard<std::mutex> lock(mu_);
  if (!path_.empty()) {
    Status s = ReloadIfChanged();
    if (!s.ok()) LogWarning("token file {}: keeping previous tokens: {}", path_, s.message());
  }
  auto it = tokens_.find(token);
  if (it == tokens_.end()) return Status::Unauthorized("invalid bearer token");
  return std::optional<UserInfo>(it->second);
}

// ---- union and entry point ----

StatusOr<std::optional<UserInfo>> UnionAuthenticator::Authenticate(const Credentials& creds) const {
  std::string errors;
  for (const auto& a : parts_) {
    auto r = a->Authenticate(creds);
    if (!r.ok()) {
      if (!errors.empty()) errors += ", ";
      errors += r.status().message();
      continue;
    }
    if (r->has_value()) return r;
  }
  if (!errors.empty()) return Status::Unauthorized("[" + errors + "]");
  return std::optional<UserInfo>();
}

StatusOr<UserInfo> AuthenticateRequest(const Authenticator& authn, const Credentials& creds,
                                       std::string* log_reason) {
  auto r = authn.Authenticate(creds);
  if (!r.ok() || !r->has_value()) {
    if (log_reason) *log_reason = r.ok() ? "no credentials provided" : r.status().message();
    return Status::Unauthorized("Unauthorized");
  }
  UserInfo user = std::move(**r);
  if (!user.InGroup(kAuthenticatedGroup)) user.groups.emplace_back(kAuthenticatedGroup);
  return user;
}

// ---- node join token ----

StatusOr<std::string> EnsureNodeToken(const std::string& data_dir) {
  std::string path = data_dir + "/token";
  auto existing = ReadFile(path);
  if (existing.ok()) {
    std::string t = *std::move(existing);
    while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.pop_back();
    if (t.empty()) return Status::BadRequest(path + ": empty token file");
    return t;
  }
  if (existing.status().code() != StatusCode::kNotFound) return existing.status();
  RETURN_IF_ERROR(MakeDirs(data_dir, 0700));
  unsigned char bytes[32];
  if (RAND_bytes(bytes, sizeof bytes) != 1) return Status::Internal("RAND_bytes failed");
  static constexpr char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  RETURN_IF_ERROR(WriteFileAtomic(path, token + "\n", 0600));
  return token;
}

TokenEntry NodeBootstrapTokenEntry(std::string token) {
  TokenEntry e;
  e.token = std::move(token);
  e.user.name = std::string(kNodeBootstrapUser);
  e.user.groups = {std::string(kBootstrappersGroup)};
  return e;
}

}  // namespace kubepp::apiserver::auth
