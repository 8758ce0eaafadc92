// Small ASCII string helpers shared across components (header names, resource
// names, DNS names: all ASCII by protocol). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace kubepp {

inline char AsciiLower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

// A lower-cased copy; bytes outside A-Z are kept as they are.
inline std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = AsciiLower(c);
  return out;
}

// Case-insensitive ASCII comparison.
inline bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (AsciiLower(a[i]) != AsciiLower(b[i])) return false;
  }
  return true;
}

// `s` without leading and trailing spaces and tabs (HTTP's optional whitespace).
inline std::string_view TrimSpace(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The `sep`-separated items of `s`, each trimmed (TrimSpace); "" gives none,
// "a,,b" gives an empty middle item (callers report it).
inline std::vector<std::string_view> SplitTrimmed(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  s = TrimSpace(s);
  if (s.empty()) return out;
  for (size_t pos = 0;;) {
    size_t end = s.find(sep, pos);
    out.push_back(TrimSpace(s.substr(pos, end == std::string_view::npos ? s.npos : end - pos)));
    if (end == std::string_view::npos) return out;
    pos = end + 1;
  }
}

}  // namespace kubepp
