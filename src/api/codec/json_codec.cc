#include "api/codec/json_codec.h"

#include <set>

#include <nlohmann/json.hpp>

#include "api/field_error.h"
#include "api/json_depth.h"

namespace kubepp::api {
namespace {

using nlohmann::json;

std::string Unknown(const std::string& path) { return "unknown field \"" + path + "\""; }
std::string Duplicate(const std::string& path) { return "duplicate field \"" + path + "\""; }

// ---------------------------------------------------------------- raw scan

// A minimal JSON scanner over text already accepted by the parser; every
// step is bounds-checked so that bad text merely stops the scan.
class Scanner {
 public:
  explicit Scanner(std::string_view s) : s_(s) {}

  bool Scan(const Definition& def, std::vector<std::string>* out) {
    out_ = out;
    SkipWs();
    return StructValue(def, "", 0);
  }

 private:
  void SkipWs() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  bool Peek(char c) {
    SkipWs();
    return pos_ < s_.size() && s_[pos_] == c;
  }
  bool Expect(char c) {
    if (!Peek(c)) return false;
    ++pos_;
    return true;
  }

  // Reads a string literal and decodes its escapes (enough for key
  // comparison: \uXXXX incl. surrogate pairs).
  bool String(std::string* out) {
    if (!Expect('"')) return false;
    out->clear();
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c != '\\') {
        out->push_back(c);
        continue;
      }
      if (pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      switch (e) {
        case 'b': out->push_back('\b'); break;
        case 'f': out->push_back('\f'); break;
        case 'n': out->push_back('\n'); break;
        case 'r': out->push_back('\r'); break;
        case 't': out->push_back('\t'); break;
        case 'u': {
          unsigned cp;
          if (!Hex4(&cp)) return false;
          if (cp >= 0xd800 && cp < 0xdc00 && pos_ + 1 < s_.size() && s_[pos_] == '\\' &&
              s_[pos_ + 1] == 'u') {
            pos_ += 2;
            unsigned lo;
            if (!Hex4(&lo)) return false;
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
          }
          AppendUtf8(cp, out);
          break;
        }
        default: out->push_back(e); break;
      }
    }
    return false;
  }
  bool Hex4(unsigned* cp) {
    if (pos_ + 4 > s_.size()) return false;
    *cp = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      *cp <<= 4;
      if (c >= '0' && c <= '9') *cp |= c - '0';
      else if (c >= 'a' && c <= 'f') *cp |= c - 'a' + 10;
      else if (c >= 'A' && c <= 'F') *cp |= c - 'A' + 10;
      else return false;
    }
    return true;
  }
  static void AppendUtf8(unsigned cp, std::string* out) {
    if (cp < 0x80) {
      out->push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else if (cp < 0x10000) {
      out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    } else {
      out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
      out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
    }
  }

  // Skips any value without inspecting it.
  bool SkipValue(int depth) {
    if (depth > kMaxJsonDepth) return false;
    SkipWs();
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    if (c == '"') {
      std::string ignored;
      return String(&ignored);
    }
    if (c == '{' || c == '[') {
      const char close = c == '{' ? '}' : ']';
      ++pos_;
      if (Expect(close)) return true;
      do {
        if (c == '{') {
          std::string key;
          if (!String(&key) || !Expect(':')) return false;
        }
        if (!SkipValue(depth + 1)) return false;
      } while (Expect(','));
      return Expect(close);
    }
    while (pos_ < s_.size() && s_[pos_] != ',' && s_[pos_] != '}' && s_[pos_] != ']' &&
           s_[pos_] != ' ' && s_[pos_] != '\n' && s_[pos_] != '\t' && s_[pos_] != '\r') {
      ++pos_;
    }
    return true;
  }

  bool TypedValue(const TypeRef& t, const std::string& path, int depth) {
    if (depth > kMaxJsonDepth) return false;
    switch (t.kind) {
      case TypeKind::kRef:
        return StructValue(*t.ref, path, depth);
      case TypeKind::kArray: {
        if (!Peek('[')) return SkipValue(depth);
        ++pos_;
        if (Expect(']')) return true;
        size_t i = 0;
        do {
          if (!TypedValue(*t.element, path + "[" + std::to_string(i++) + "]", depth + 1)) {
            return false;
          }
        } while (Expect(','));
        return Expect(']');
      }
      case TypeKind::kMap: {
        if (!Peek('{')) return SkipValue(depth);
        ++pos_;
        if (Expect('}')) return true;
        std::set<std::string> seen;
        do {
          std::string key;
          if (!String(&key) || !Expect(':')) return false;
          if (!seen.insert(key).second) out_->push_back(Duplicate(JoinFieldPath(path, key)));
          if (!TypedValue(*t.element, path, depth + 1)) return false;
        } while (Expect(','));
        return Expect('}');
      }
      default:
        return SkipValue(depth);
    }
  }

  bool StructValue(const Definition& def, const std::string& path, int depth) {
    if (def.special != Special::kNone || !Peek('{')) return SkipValue(depth);
    ++pos_;
    if (Expect('}')) return true;
    std::set<std::string> seen;
    do {
      std::string key;
      if (!String(&key) || !Expect(':')) return false;
      const std::string field_path = JoinFieldPath(path, key);
      const Field* f = def.FindField(key);
      const bool first = seen.insert(key).second;
      if (f == nullptr) {
        if (first) out_->push_back(Unknown(field_path));
        if (!SkipValue(depth + 1)) return false;
        continue;
      }
      if (!first) out_->push_back(Duplicate(field_path));
      if (!TypedValue(f->type, field_path, depth + 1)) return false;
    } while (Expect(','));
    return Expect('}');
  }

  std::string_view s_;
  size_t pos_ = 0;
  std::vector<std::string>* out_ = nullptr;
};

// ---------------------------------------------------------------- tree walk

void Walk(const TypeRef& t, json* v, const std::string& path, bool prune, int depth,
          std::vector<std::string>* out);

void WalkStruct(const Definition& def, json* v, const std::string& path, bool prune, int depth,
                std::vector<std::string>* out) {
  if (depth > kMaxJsonDepth || def.special != Special::kNone || !v->is_object()) return;
  for (auto it = v->begin(); it != v->end();) {
    const std::string field_path = JoinFieldPath(path, it.key());
    const Field* f = def.FindField(it.key());
    if (f == nullptr) {
      out->push_back(Unknown(field_path));
      if (prune) {
        it = v->erase(it);
        continue;
      }
    } else {
      Walk(f->type, &it.value(), field_path, prune, depth + 1, out);
    }
    ++it;
  }
}

void Walk(const TypeRef& t, json* v, const std::string& path, bool prune, int depth,
          std::vector<std::string>* out) {
  if (depth > kMaxJsonDepth) return;
  switch (t.kind) {
    case TypeKind::kRef:
      WalkStruct(*t.ref, v, path, prune, depth, out);
      return;
    case TypeKind::kArray:
      if (!v->is_array()) return;
      for (size_t i = 0; i < v->size(); ++i) {
        Walk(*t.element, &(*v)[i], path + "[" + std::to_string(i) + "]", prune, depth + 1, out);
      }
      return;
    case TypeKind::kMap:
      if (!v->is_object()) return;
      for (auto it = v->begin(); it != v->end(); ++it) {
        Walk(*t.element, &it.value(), path, prune, depth + 1, out);
      }
      return;
    default:
      return;
  }
}

}  // namespace

StatusOr<json> DecodeJson(std::string_view bytes) {
  if (size_t offset = JsonDepthExceededAt(bytes); offset != std::string_view::npos) {
    return Status::BadRequest("json: nesting deeper than " + std::to_string(kMaxJsonDepth) +
                              " levels at offset " + std::to_string(offset));
  }
  try {
    return json::parse(bytes);
  } catch (const json::parse_error& e) {
    // e.byte is 1-based and points just past the offending character.
    const size_t offset = e.byte > 0 ? std::min<size_t>(e.byte - 1, bytes.size()) : 0;
    size_t line = 1, column = 1;
    for (size_t i = 0; i < offset; ++i) {
      if (bytes[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    std::string what = e.what();
    // Drop nlohmann's "[json.exception.parse_error.101] parse error at ...: " prefix.
    if (auto p = what.find("syntax error"); p != std::string::npos) what = what.substr(p);
    else if (auto q = what.rfind(": "); q != std::string::npos) what = what.substr(q + 2);
    return Status::BadRequest("json: " + what + " at line " + std::to_string(line) + ", column " +
                              std::to_string(column) + " (offset " + std::to_string(offset) + ")");
  } catch (const std::exception& e) {
    return Status::BadRequest(std::string("json: ") + e.what());
  }
}

std::vector<std::string> StrictFieldErrors(std::string_view bytes, const Definition& def) {
  std::vector<std::string> out;
  Scanner(bytes).Scan(def, &out);
  return out;
}

std::vector<std::string> FindUnknownFields(const json& object, const Definition& def) {
  std::vector<std::string> out;
  // The walk does not modify when prune is false; it needs a mutable pointer
  // only for the pruning variant.
  WalkStruct(def, const_cast<json*>(&object), "", /*prune=*/false, 0, &out);
  return out;
}

std::vector<std::string> PruneUnknownFields(json* object, const Definition& def) {
  std::vector<std::string> out;
  WalkStruct(def, object, "", /*prune=*/true, 0, &out);
  return out;
}

Status StrictDecodingError(const std::vector<std::string>& errors) {
  if (errors.empty()) return Status::Ok();
  std::string msg = "strict decoding error: ";
  for (size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) msg += ", ";
    msg += errors[i];
  }
  return Status::BadRequest(std::move(msg));
}

}  // namespace kubepp::api
