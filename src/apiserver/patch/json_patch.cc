// RFC 6902 JSON Patch with the semantics and error texts of the library
// kube-apiserver uses (evanphx/json-patch v4). Its quirks are kept on
// purpose: clients see the same results and messages as against upstream.
#include <charconv>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/field_error.h"
#include "apiserver/patch/internal.h"
#include "apiserver/patch/patch.h"

namespace kubepp::apiserver::patch {
namespace {

using json = nlohmann::json;

// An operation failure: the library's message, reported as a 422.
struct OpError {
  std::string message;
};

// Go's strconv.Atoi: optional sign, decimal digits, no spaces. On failure
// returns false with Go's error text in *err.
bool Atoi(std::string_view key, int64_t* out, std::string* err) {
  std::string_view digits = key;
  bool negative = false;
  if (!digits.empty() && (digits[0] == '+' || digits[0] == '-')) {
    negative = digits[0] == '-';
    digits.remove_prefix(1);
  }
  bool syntax_ok = !digits.empty();
  for (char c : digits) syntax_ok = syntax_ok && c >= '0' && c <= '9';
  if (!syntax_ok) {
    *err = "strconv.Atoi: parsing " + api::GoQuote(key) + ": invalid syntax";
    return false;
  }
  uint64_t magnitude = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
  constexpr uint64_t kMaxPositive = static_cast<uint64_t>(INT64_MAX);
  if (ec != std::errc() || ptr != digits.data() + digits.size() ||
      magnitude > kMaxPositive + (negative ? 1 : 0)) {
    *err = "strconv.Atoi: parsing " + api::GoQuote(key) + ": value out of range";
    return false;
  }
  *out = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

std::string InvalidIndex(int64_t idx) {
  return "Unable to access invalid index: " + std::to_string(idx) + ": invalid index referenced";
}

// RFC 6901 token decoding as the library does it ("~1" then "~0", left to
// right, so "~01" is "~1"); unknown escapes stay as they are.
std::string DecodeToken(std::string_view token) {
  std::string out;
  out.reserve(token.size());
  for (size_t i = 0; i < token.size(); ++i) {
    if (token[i] == '~' && i + 1 < token.size() && (token[i + 1] == '0' || token[i + 1] == '1')) {
      out += token[i + 1] == '1' ? '/' : '~';
      ++i;
    } else {
      out += token[i];
    }
  }
  return out;
}

// --- container operations (the library's partialDoc / partialArray) -------

// The element at `key` of an array, with negative indices counting from the
// end. nullopt with *err set when the key is no index or is out of range.
std::optional<size_t> ArrayGetIndex(const json& array, std::string_view key, std::string* err) {
  int64_t idx = 0;
  if (!Atoi(key, &idx, err)) return std::nullopt;
  const auto len = static_cast<int64_t>(array.size());
  if (idx < 0) {
    if (idx < -len) {
      *err = InvalidIndex(idx);
      return std::nullopt;
    }
    idx += len;
  }
  if (idx >= len) {
    *err = InvalidIndex(idx);
    return std::nullopt;
  }
  return static_cast<size_t>(idx);
}

// Reads `key` of a container. A missing object member is not an error (the
// library returns nil): *value is then nullptr, as it is for a JSON null.
bool ContainerGet(json& container, const std::string& key, json** value, std::string* err) {
  *value = nullptr;
  if (container.is_object()) {
    auto it = container.find(key);
    if (it != container.end() && !it->is_null()) *value = &*it;
    return true;
  }
  std::optional<size_t> idx = ArrayGetIndex(container, key, err);
  if (!idx) return false;
  json& element = container[*idx];
  if (!element.is_null()) *value = &element;
  return true;
}

bool ContainerAdd(json& container, const std::string& key, json value, std::string* err) {
  if (container.is_object()) {
    container[key] = std::move(value);
    return true;
  }
  if (key == "-") {
    container.push_back(std::move(value));
    return true;
  }
  int64_t idx = 0;
  std::string atoi_err;
  if (!Atoi(key, &idx, &atoi_err)) {
    *err = "value was not a proper array index: '" + key + "': " + atoi_err;
    return false;
  }
  const auto size_after = static_cast<int64_t>(container.size()) + 1;
  if (idx >= size_after) {
    *err = InvalidIndex(idx);
    return false;
  }
  if (idx < 0) {
    if (idx < -size_after) {
      *err = InvalidIndex(idx);
      return false;
    }
    idx += size_after;
  }
  container.insert(container.begin() + idx, std::move(value));
  return true;
}

bool ContainerRemove(json& container, const std::string& key, std::string* err) {
  if (container.is_object()) {
    if (!container.contains(key)) {
      *err = "Unable to remove nonexistent key: " + key + ": missing value";
      return false;
    }
    container.erase(key);
    return true;
  }
  std::optional<size_t> idx = ArrayGetIndex(container, key, err);
  if (!idx) return false;
  container.erase(*idx);
  return true;
}

// The container holding the last token of `path` and that token, or a null
// container when the path has no "/" or an intermediate value is missing,
// null or a scalar (the library's findObject).
struct Location {
  json* container = nullptr;
  std::string key;
};

Location FindObject(json& root, const std::string& path) {
  // The library ignores whatever precedes the first "/" ("a/b" acts as
  // "/b"); a pointer must start with "/" here.
  if (path.empty() || path[0] != '/') return {};
  std::vector<std::string_view> tokens;
  std::string_view rest = std::string_view(path).substr(1);
  while (true) {
    size_t slash = rest.find('/');
    tokens.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest.remove_prefix(slash + 1);
  }
  json* current = &root;
  for (size_t i = 0; i + 1 < tokens.size(); ++i) {
    json* next = nullptr;
    std::string ignored;
    if (!ContainerGet(*current, DecodeToken(tokens[i]), &next, &ignored)) return {};
    if (next == nullptr || !(next->is_object() || next->is_array())) return {};
    current = next;
  }
  return {current, DecodeToken(tokens.back())};
}

// --- operation fields --------------------------------------------------------

std::string Kind(const json& op) {
  auto it = op.find("op");
  if (it == op.end() || !it->is_string()) return "unknown";
  return it->get<std::string>();
}

// Reads a string member ("path" or "from"). On failure *err is the
// library's text: `missing` when absent or null, a Go decoding error when
// not a string.
bool StringMember(const json& op, const char* name, const char* missing, std::string* out, std::string* err) {
  auto it = op.find(name);
  if (it == op.end() || it->is_null()) {
    *err = missing;
    return false;
  }
  if (!it->is_string()) {
    *err = "json: cannot unmarshal " + internal::GoJsonTypeName(*it) + " into Go value of type string";
    return false;
  }
  *out = it->get<std::string>();
  return true;
}

bool Path(const json& op, std::string* out, std::string* err) {
  return StringMember(op, "path", "operation missing path field: missing value", out, err);
}

bool From(const json& op, std::string* out, std::string* err) {
  return StringMember(op, "from", "operation, missing from field: missing value", out, err);
}

// The operation's value; an absent "value" reads as null (the library adds
// a nil node, which it writes as null).
json Value(const json& op) {
  auto it = op.find("value");
  return it == op.end() ? json(nullptr) : *it;
}

// --- operations --------------------------------------------------------------

std::optional<OpError> Add(json& doc, const json& op) {
  std::string path, err;
  if (!Path(op, &path, &err)) return OpError{"add operation failed to decode path: missing value"};
  Location loc = FindObject(doc, path);
  if (loc.container == nullptr) {
    return OpError{"add operation does not apply: doc is missing path: \"" + path + "\": missing value"};
  }
  if (!ContainerAdd(*loc.container, loc.key, Value(op), &err)) {
    return OpError{"error in add for path: '" + path + "': " + err};
  }
  return std::nullopt;
}

std::optional<OpError> Remove(json& doc, const json& op) {
  std::string path, err;
  if (!Path(op, &path, &err)) return OpError{"remove operation failed to decode path: missing value"};
  Location loc = FindObject(doc, path);
  if (loc.container == nullptr) {
    return OpError{"remove operation does not apply: doc is missing path: \"" + path + "\": missing value"};
  }
  if (!ContainerRemove(*loc.container, loc.key, &err)) {
    return OpError{"error in remove for path: '" + path + "': " + err};
  }
  return std::nullopt;
}

std::optional<OpError> Replace(json& doc, const json& op) {
  std::string path, err;
  if (!Path(op, &path, &err)) return OpError{"replace operation failed to decode path: " + err};
  if (path.empty()) {
    // The library silently keeps the document for a scalar value (and
    // crashes without one); both are refused here.
    json value = Value(op);
    if (!value.is_object() && !value.is_array()) {
      return OpError{"replace operation value must be object or array"};
    }
    doc = std::move(value);
    return std::nullopt;
  }
  Location loc = FindObject(doc, path);
  if (loc.container == nullptr) {
    return OpError{"replace operation does not apply: doc is missing path: " + path + ": missing value"};
  }
  // Like the library, a missing object member is set rather than refused.
  if (loc.container->is_object()) {
    (*loc.container)[loc.key] = Value(op);
    return std::nullopt;
  }
  std::optional<size_t> idx = ArrayGetIndex(*loc.container, loc.key, &err);
  if (!idx) {
    return OpError{"replace operation does not apply: doc is missing key: " + path + ": missing value"};
  }
  (*loc.container)[*idx] = Value(op);
  return std::nullopt;
}

std::optional<OpError> Move(json& doc, const json& op) {
  std::string from, path, err;
  if (!From(op, &from, &err)) return OpError{"move operation failed to decode from: " + err};
  Location src = FindObject(doc, from);
  if (src.container == nullptr) {
    return OpError{"move operation does not apply: doc is missing from path: " + from + ": missing value"};
  }
  json* found = nullptr;
  if (!ContainerGet(*src.container, src.key, &found, &err)) {
    return OpError{"error in move for path: '" + src.key + "': " + err};
  }
  json value = found != nullptr ? *found : json(nullptr);
  if (!ContainerRemove(*src.container, src.key, &err)) {
    return OpError{"error in move for path: '" + src.key + "': " + err};
  }
  if (!Path(op, &path, &err)) return OpError{"move operation failed to decode path: " + err};
  Location dst = FindObject(doc, path);
  if (dst.container == nullptr) {
    return OpError{"move operation does not apply: doc is missing destination path: " + path +
                   ": missing value"};
  }
  if (!ContainerAdd(*dst.container, dst.key, std::move(value), &err)) {
    return OpError{"error in move for path: '" + path + "': " + err};
  }
  return std::nullopt;
}

std::optional<OpError> Test(json& doc, const json& op) {
  std::string path, err;
  if (!Path(op, &path, &err)) return OpError{"test operation failed to decode path: " + err};
  const OpError failed{"testing value " + path + " failed: test failed"};
  auto value = op.find("value");
  if (path.empty()) {
    if (value != op.end() && doc == *value) return std::nullopt;
    return failed;
  }
  Location loc = FindObject(doc, path);
  if (loc.container == nullptr) {
    return OpError{"test operation does not apply: is missing path: " + path + ": missing value"};
  }
  json* current = nullptr;
  if (!ContainerGet(*loc.container, loc.key, &current, &err)) {
    return OpError{"error in test for path: '" + path + "': " + err};
  }
  // A missing member equals null (and an absent "value").
  if (current == nullptr) {
    if (value == op.end() || value->is_null()) return std::nullopt;
    return failed;
  }
  if (value == op.end() || *current != *value) return failed;
  return std::nullopt;
}

std::optional<OpError> Copy(json& doc, const json& op) {
  std::string from, path, err;
  if (!From(op, &from, &err)) return OpError{"copy operation failed to decode from: " + err};
  Location src = FindObject(doc, from);
  if (src.container == nullptr) {
    return OpError{"copy operation does not apply: doc is missing from path: " + from + ": missing value"};
  }
  json* found = nullptr;
  if (!ContainerGet(*src.container, src.key, &found, &err)) {
    return OpError{"error in copy for from: '" + from + "': " + err};
  }
  // The library copies a missing object member as null.
  json value = found != nullptr ? *found : json(nullptr);
  if (!Path(op, &path, &err)) return OpError{"copy operation failed to decode path: missing value"};
  Location dst = FindObject(doc, path);
  if (dst.container == nullptr) {
    return OpError{"copy operation does not apply: doc is missing destination path: " + path +
                   ": missing value"};
  }
  if (!ContainerAdd(*dst.container, dst.key, std::move(value), &err)) {
    return OpError{"error while adding value during copy: " + err};
  }
  return std::nullopt;
}

std::optional<OpError> ApplyOne(json& doc, const json& op) {
  if (!op.is_object()) return OpError{"Unexpected kind: unknown"};  // a null element
  const std::string kind = Kind(op);
  if (kind == "add") return Add(doc, op);
  if (kind == "remove") return Remove(doc, op);
  if (kind == "replace") return Replace(doc, op);
  if (kind == "move") return Move(doc, op);
  if (kind == "test") return Test(doc, op);
  if (kind == "copy") return Copy(doc, op);
  return OpError{"Unexpected kind: " + kind};
}

}  // namespace

StatusOr<nlohmann::json> ApplyJsonPatch(const nlohmann::json& doc, const nlohmann::json& patch) {
  if (patch.is_null()) return doc;  // decodes as an empty patch upstream
  if (!patch.is_array()) {
    return Status::BadRequest("json: cannot unmarshal " + internal::GoJsonTypeName(patch) +
                              " into Go value of type jsonpatch.Patch");
  }
  for (const json& op : patch) {
    if (!op.is_object() && !op.is_null()) {
      return Status::BadRequest("json: cannot unmarshal " + internal::GoJsonTypeName(op) +
                                " into Go value of type jsonpatch.Operation");
    }
  }
  if (patch.size() > static_cast<size_t>(kMaxJsonPatchOperations)) {
    return Status(StatusCode::kRequestEntityTooLarge, "The allowed maximum operations in a JSON patch is " +
                                                          std::to_string(kMaxJsonPatchOperations) + ", got " +
                                                          std::to_string(patch.size()));
  }
  try {
    json result = doc;
    for (const json& op : patch) {
      if (std::optional<OpError> err = ApplyOne(result, op)) return Status::Invalid(err->message);
    }
    return result;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("applying JSON patch: ") + e.what());
  }
}

}  // namespace kubepp::apiserver::patch
