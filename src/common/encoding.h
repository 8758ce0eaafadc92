// Byte-level text encodings shared by the codecs and the API server:
// base64 (standard alphabet, padded, as Go's encoding/json writes []byte)
// and UTF-8 checking and repair (as Go's json.Marshal repairs strings).
//
// Pure functions; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace kubepp {

std::string Base64Encode(std::string_view data);
// Standard alphabet with padding; '\r' and '\n' are skipped (as Go does).
// nullopt on any other character outside the alphabet, a bad length or
// misplaced padding.
std::optional<std::string> Base64Decode(std::string_view text);

// Decodes one UTF-8 sequence at s[i]; false on an invalid or truncated one
// (overlong forms, surrogates and values past U+10FFFF are invalid).
bool DecodeUtf8(std::string_view s, size_t i, char32_t* cp, int* width);
// Byte offset of the first invalid UTF-8 sequence, or nullopt.
std::optional<size_t> FindInvalidUtf8(std::string_view s);
// Replaces each invalid byte by U+FFFD, as Go's json.Marshal does.
std::string SanitizeUtf8(std::string_view s);

}  // namespace kubepp
