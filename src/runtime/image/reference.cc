#include "runtime/image/reference.h"

#include "runtime/image/digest.h"

namespace kubepp::runtime::image {

namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

bool ValidPath(std::string_view path) {
  if (path.empty() || path.size() > 255) return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    std::string_view comp =
        path.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (comp.empty() || !IsLowerAlnum(comp.front()) || !IsLowerAlnum(comp.back())) return false;
    for (char c : comp) {
      if (!IsLowerAlnum(c) && c != '.' && c != '_' && c != '-') return false;
    }
    if (slash == std::string_view::npos) break;
    start = slash + 1;
  }
  return true;
}

bool ValidTag(std::string_view tag) {
  if (tag.empty() || tag.size() > 128) return false;
  auto word = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
  };
  if (!word(tag.front())) return false;
  for (char c : tag) {
    if (!word(c) && c != '.' && c != '-') return false;
  }
  return true;
}

bool ValidDomain(std::string_view d) {
  if (d.empty()) return false;
  for (char c : d) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
              c == '-' || c == ':' || c == '[' || c == ']';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::string Reference::String() const {
  std::string out = Repository();
  if (!tag.empty()) out += ":" + tag;
  if (!digest.empty()) out += "@" + digest;
  return out;
}

StatusOr<Reference> ParseReference(std::string_view input) {
  auto bad = [&](const std::string& why) {
    return Status::Invalid("invalid image reference \"" + std::string(input) + "\": " + why);
  };
  if (input.empty()) return bad("empty");
  Reference r;
  std::string_view rest = input;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    r.digest = std::string(rest.substr(at + 1));
    if (!DigestHex(r.digest).ok()) return bad("digest must be sha256:<64 hex digits>");
    rest = rest.substr(0, at);
  }
  size_t last_slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (last_slash == std::string_view::npos || colon > last_slash)) {
    r.tag = std::string(rest.substr(colon + 1));
    if (!ValidTag(r.tag)) return bad("invalid tag \"" + r.tag + "\"");
    rest = rest.substr(0, colon);
  }
  size_t slash = rest.find('/');
  std::string_view first = slash == std::string_view::npos ? std::string_view() : rest.substr(0, slash);
  bool has_domain = slash != std::string_view::npos &&
                    (first.find_first_of(".:") != std::string_view::npos || first == "localhost" ||
                     first.find_first_of("ABCDEFGHIJKLMNOPQRSTUVWXYZ") != std::string_view::npos);
  if (has_domain) {
    r.domain = std::string(first);
    r.path = std::string(rest.substr(slash + 1));
    if (!ValidDomain(r.domain)) return bad("invalid registry host \"" + r.domain + "\"");
  } else {
    r.domain = "docker.io";
    r.path = std::string(rest);
  }
  if (r.domain == "index.docker.io") r.domain = "docker.io";
  if (r.domain == "docker.io" && r.path.find('/') == std::string::npos) r.path = "library/" + r.path;
  if (!ValidPath(r.path)) {
    return bad("repository name \"" + r.path +
               "\" must be lowercase [a-z0-9._-] components separated by '/'");
  }
  if (r.tag.empty() && r.digest.empty()) r.tag = "latest";
  return r;
}

std::string NormalizeReference(std::string_view ref) {
  auto r = ParseReference(ref);
  return r.ok() ? r->String() : std::string(ref);
}

}  // namespace kubepp::runtime::image
