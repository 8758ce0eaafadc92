#include "api/codec/protobuf_codec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/codec/json_codec.h"
#include "api/codec/wire.h"
#include "api/field_error.h"

namespace kubepp::api {
namespace {

using nlohmann::json;
using wire::Reader;
using wire::WireType;

constexpr std::string_view kPrefix("k8s\0", 4);
constexpr int kMaxDepth = 100;
constexpr std::string_view kWatchEvent = "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent";

// A full body: the prefix and a runtime.Unknown around the kind's message.
std::string Envelope(std::string_view api_version, std::string_view kind, std::string_view raw) {
  std::string type_meta;
  wire::AppendLen(&type_meta, 1, api_version);
  wire::AppendLen(&type_meta, 2, kind);
  std::string out(kPrefix);
  wire::AppendLen(&out, 1, type_meta);
  wire::AppendLen(&out, 2, raw);
  wire::AppendLen(&out, 3, "");  // contentEncoding
  wire::AppendLen(&out, 4, "");  // contentType
  return out;
}

bool IsMetaKind(const Definition& def) {
  return def.name.rfind("io.k8s.apimachinery.pkg.apis.meta.v1.", 0) == 0;
}

// Looks up apiVersion/kind, falling back to meta.k8s.io/v1 for the meta kinds
// (DeleteOptions and Status are accepted in every group version).
const Kind* ResolveServedKind(const Schema& schema, std::string_view api_version,
                              std::string_view kind, bool* is_list) {
  const Kind* k = schema.ResolveKind(api_version, kind, is_list);
  if (k == nullptr) {
    const Kind* meta = schema.ResolveKind("meta.k8s.io/v1", kind, is_list);
    if (meta != nullptr && IsMetaKind(*meta->definition)) k = meta;
  }
  return k;
}

// ------------------------------------------------------------------ encode

class Encoder {
 public:
  explicit Encoder(const Schema& schema) : schema_(schema) {}

  Status Message(const Definition& def, const json& obj, const std::string& path, int depth,
                 std::string* out) {
    if (depth > kMaxDepth) return Status::BadRequest(path + ": nesting too deep");
    if (def.special != Special::kNone) return SpecialBody(def, obj, path, out);
    if (def.proto.empty()) {
      return Status::BadRequest("kind " + def.name + " has no protobuf encoding");
    }
    if (obj.is_null()) return Status::Ok();
    if (!obj.is_object()) return Status::BadRequest(path + ": expected an object");
    return Group(def, obj, path, depth, {}, out);
  }

 private:
  // Encodes the fields whose protoVia equals `via` and, as sub-messages, the
  // inline groups below it. Output is in field-number order.
  Status Group(const Definition& def, const json& obj, const std::string& path, int depth,
               const std::vector<int>& via, std::string* out) {
    std::vector<std::pair<int, std::string>> parts;
    std::vector<int> sub_groups;
    for (const Field& f : def.fields) {
      if (f.proto == 0) continue;
      if (f.proto_via.size() > via.size() &&
          std::equal(via.begin(), via.end(), f.proto_via.begin())) {
        const int n = f.proto_via[via.size()];
        if (std::find(sub_groups.begin(), sub_groups.end(), n) == sub_groups.end()) {
          sub_groups.push_back(n);
        }
        continue;
      }
      if (f.proto_via != via) continue;
      auto it = obj.find(f.name);
      if (it == obj.end() || it->is_null()) continue;
      std::string bytes;
      if (def.name == kWatchEvent && f.name == "object") {
        // Watch streams in protobuf carry the object itself in protobuf (with
        // its own prefix and envelope) when it is a served kind.
        std::string embedded;
        if (EmbeddedObject(*it, depth, &embedded)) {
          std::string raw;
          wire::AppendLen(&raw, 1, embedded);
          wire::AppendLen(&bytes, f.proto, raw);
          parts.emplace_back(f.proto, std::move(bytes));
          continue;
        }
      }
      RETURN_IF_ERROR(FieldValue(f, *it, JoinFieldPath(path, f.name), depth, &bytes));
      parts.emplace_back(f.proto, std::move(bytes));
    }
    for (int n : sub_groups) {
      std::vector<int> inner = via;
      inner.push_back(n);
      std::string body;
      RETURN_IF_ERROR(Group(def, obj, path, depth + 1, inner, &body));
      std::string bytes;
      wire::AppendLen(&bytes, n, body);
      parts.emplace_back(n, std::move(bytes));
    }
    std::stable_sort(parts.begin(), parts.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& p : parts) out->append(p.second);
    return Status::Ok();
  }

  Status FieldValue(const Field& f, const json& v, const std::string& path, int depth,
                    std::string* out) {
    const TypeRef& t = f.type;
    if (t.kind == TypeKind::kArray) {
      if (!v.is_array()) return Status::BadRequest(path + ": expected an array");
      for (size_t i = 0; i < v.size(); ++i) {
        const std::string p = path + "[" + std::to_string(i) + "]";
        if (v[i].is_null()) {
          if (t.element->IsScalar()) return Status::BadRequest(p + ": null in a list");
          // Go decodes null list items of structs as zero structs.
          if (t.element->kind == TypeKind::kRef && t.element->ref->special == Special::kNone) {
            wire::AppendLen(out, f.proto, "");
            continue;
          }
        }
        RETURN_IF_ERROR(Single(*t.element, f.proto, v[i], p, depth, out));
      }
      return Status::Ok();
    }
    if (t.kind == TypeKind::kMap) {
      if (!v.is_object()) return Status::BadRequest(path + ": expected an object");
      for (auto it = v.begin(); it != v.end(); ++it) {  // sorted, like Go's marshaler
        const std::string p = path + "[" + it.key() + "]";
        std::string entry;
        wire::AppendLen(&entry, 1, it.key());
        const TypeRef& vt = *t.element;
        if (vt.kind == TypeKind::kArray) {
          // map[string][]T travels as map<string, {repeated T items = 1}>.
          if (!it.value().is_array() && !it.value().is_null()) {
            return Status::BadRequest(p + ": expected an array");
          }
          std::string wrapper;
          if (it.value().is_array()) {
            for (size_t i = 0; i < it.value().size(); ++i) {
              RETURN_IF_ERROR(Single(*vt.element, 1, it.value()[i],
                                     p + "[" + std::to_string(i) + "]", depth, &wrapper));
            }
          }
          wire::AppendLen(&entry, 2, wrapper);
        } else if (it.value().is_null()) {
          if (vt.IsScalar()) {
            RETURN_IF_ERROR(Single(vt, 2, ZeroOf(vt), p, depth, &entry));
          } else {
            wire::AppendLen(&entry, 2, "");
          }
        } else {
          RETURN_IF_ERROR(Single(vt, 2, it.value(), p, depth, &entry));
        }
        wire::AppendLen(out, f.proto, entry);
      }
      return Status::Ok();
    }
    return Single(t, f.proto, v, path, depth, out);
  }

  bool EmbeddedObject(const json& obj, int depth, std::string* out);

  static json ZeroOf(const TypeRef& t) {
    switch (t.kind) {
      case TypeKind::kString: return "";
      case TypeKind::kInteger: return 0;
      case TypeKind::kNumber: return 0.0;
      case TypeKind::kBoolean: return false;
      default: return nullptr;
    }
  }

  // One value of a non-collection type as field `number`.
  Status Single(const TypeRef& t, int number, const json& v, const std::string& path, int depth,
                std::string* out) {
    switch (t.kind) {
      case TypeKind::kString: {
        if (!v.is_string()) return Status::BadRequest(path + ": expected a string");
        const std::string& s = v.get_ref<const std::string&>();
        if (t.IsBytes()) {
          auto decoded = wire::Base64Decode(s);
          if (!decoded) return Status::BadRequest(path + ": illegal base64 data");
          wire::AppendLen(out, number, *decoded);
        } else {
          wire::AppendLen(out, number, s);
        }
        return Status::Ok();
      }
      case TypeKind::kInteger: {
        int64_t n;
        if (v.is_number_integer()) {
          if (v.is_number_unsigned() &&
              v.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
            return Status::BadRequest(path + ": integer out of range");
          }
          n = v.get<int64_t>();
        } else if (v.is_number_float() && std::isfinite(v.get<double>()) &&
                   std::floor(v.get<double>()) == v.get<double>() &&
                   std::fabs(v.get<double>()) < 9.2e18) {
          n = static_cast<int64_t>(v.get<double>());  // e.g. 1e3 from YAML
        } else {
          return Status::BadRequest(path + ": expected an integer");
        }
        if (t.format == "int32" &&
            (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max())) {
          return Status::BadRequest(path + ": value out of range for int32");
        }
        wire::AppendTag(out, number, wire::kVarint);
        wire::AppendVarint(out, static_cast<uint64_t>(n));
        return Status::Ok();
      }
      case TypeKind::kNumber: {
        if (!v.is_number()) return Status::BadRequest(path + ": expected a number");
        const double d = v.get<double>();
        uint64_t bits;
        std::memcpy(&bits, &d, sizeof bits);
        wire::AppendTag(out, number, wire::kFixed64);
        for (int i = 0; i < 8; ++i) out->push_back(static_cast<char>((bits >> (8 * i)) & 0xff));
        return Status::Ok();
      }
      case TypeKind::kBoolean:
        if (!v.is_boolean()) return Status::BadRequest(path + ": expected a boolean");
        wire::AppendTag(out, number, wire::kVarint);
        wire::AppendVarint(out, v.get<bool>() ? 1 : 0);
        return Status::Ok();
      case TypeKind::kRef: {
        std::string body;
        RETURN_IF_ERROR(Message(*t.ref, v, path, depth + 1, &body));
        wire::AppendLen(out, number, body);
        return Status::Ok();
      }
      case TypeKind::kAny:
      case TypeKind::kArray:
      case TypeKind::kMap:
        break;
    }
    return Status::BadRequest(path + ": value has no protobuf form");
  }

  Status SpecialBody(const Definition& def, const json& v, const std::string& path,
                     std::string* out) {
    switch (def.special) {
      case Special::kQuantity:
        if (v.is_string()) {
          wire::AppendLen(out, 1, v.get_ref<const std::string&>());
        } else if (v.is_number()) {
          wire::AppendLen(out, 1, v.dump());
        } else {
          return Status::BadRequest(path + ": quantities must match the regular expression");
        }
        return Status::Ok();
      case Special::kIntOrString:
        // gogo writes all three fields: type = 1, intVal = 2, strVal = 3.
        if (v.is_number_integer()) {
          const int64_t n = v.get<int64_t>();
          if (n < std::numeric_limits<int32_t>::min() || n > std::numeric_limits<int32_t>::max()) {
            return Status::BadRequest(path + ": value out of range for int32");
          }
          wire::AppendTag(out, 1, wire::kVarint);
          wire::AppendVarint(out, 0);
          wire::AppendTag(out, 2, wire::kVarint);
          wire::AppendVarint(out, static_cast<uint64_t>(n));
          wire::AppendLen(out, 3, "");
        } else if (v.is_string()) {
          wire::AppendTag(out, 1, wire::kVarint);
          wire::AppendVarint(out, 1);
          wire::AppendTag(out, 2, wire::kVarint);
          wire::AppendVarint(out, 0);
          wire::AppendLen(out, 3, v.get_ref<const std::string&>());
        } else {
          return Status::BadRequest(path + ": expected an integer or a string");
        }
        return Status::Ok();
      case Special::kTime:
      case Special::kMicroTime: {
        if (v.is_null()) return Status::Ok();  // zero time: empty message
        if (!v.is_string()) return Status::BadRequest(path + ": expected an RFC 3339 time");
        int64_t secs;
        int32_t nanos;
        if (!wire::ParseRfc3339(v.get_ref<const std::string&>(), &secs, &nanos)) {
          return Status::BadRequest(path + ": invalid RFC 3339 time \"" +
                                    v.get_ref<const std::string&>() + "\"");
        }
        // metav1.Time drops sub-second precision on its JSON decode; MicroTime
        // keeps microseconds.
        nanos = def.special == Special::kTime ? 0 : nanos / 1000 * 1000;
        wire::AppendTag(out, 1, wire::kVarint);
        wire::AppendVarint(out, static_cast<uint64_t>(secs));
        wire::AppendTag(out, 2, wire::kVarint);
        wire::AppendVarint(out, static_cast<uint64_t>(static_cast<int64_t>(nanos)));
        return Status::Ok();
      }
      case Special::kRawExtension:
      case Special::kFieldsV1:
      case Special::kJson:
        wire::AppendLen(out, 1, v.dump());
        return Status::Ok();
      case Special::kDuration:
      case Special::kNone:
        break;
    }
    return Status::BadRequest(path + ": " + def.name + " is not supported in protobuf");
  }

  const Schema& schema_;
};

// Encodes a full body (prefix + envelope) for an object of a served kind;
// false when the object is not one (it then travels as JSON bytes).
bool Encoder::EmbeddedObject(const json& obj, int depth, std::string* out) {
  if (!obj.is_object()) return false;
  auto av = obj.find("apiVersion");
  auto kd = obj.find("kind");
  if (av == obj.end() || kd == obj.end() || !av->is_string() || !kd->is_string()) return false;
  bool is_list = false;
  const Kind* k = ResolveServedKind(schema_, av->get_ref<const std::string&>(),
                                    kd->get_ref<const std::string&>(), &is_list);
  if (k == nullptr) return false;
  const Definition& def = is_list ? *k->list : *k->definition;
  if (def.proto.empty()) return false;
  std::string raw;
  if (!Message(def, obj, "object", depth + 1, &raw).ok()) return false;
  *out = Envelope(av->get_ref<const std::string&>(), kd->get_ref<const std::string&>(), raw);
  return true;
}

// ------------------------------------------------------------------ decode

std::string Truncated(const std::string& path) {
  return (path.empty() ? std::string("object") : path) + ": truncated or malformed protobuf data";
}

class Decoder {
 public:
  explicit Decoder(const Schema& schema) : schema_(schema) {}

  // Decodes a message body of `def` into *out (an object for plain structs).
  Status Message(const Definition& def, std::string_view bytes, const std::string& path, int depth,
                 json* out) {
    if (depth > kMaxDepth) return Status::BadRequest(path + ": nesting too deep");
    if (def.special != Special::kNone) return SpecialValue(def, bytes, path, depth, out);
    if (!out->is_object()) *out = json::object();
    return Group(def, bytes, path, depth, {}, out);
  }

 private:
  Status Group(const Definition& def, std::string_view bytes, const std::string& path, int depth,
               const std::vector<int>& via, json* out) {
    Reader r(bytes);
    while (!r.done()) {
      int number;
      WireType wt;
      if (!r.ReadTag(&number, &wt)) return Status::BadRequest(Truncated(path));
      const Field* field = nullptr;
      bool group = false;
      for (const Field& f : def.fields) {
        if (f.proto == 0) continue;
        if (f.proto == number && f.proto_via == via) {
          field = &f;
          break;
        }
        if (f.proto_via.size() > via.size() && f.proto_via[via.size()] == number &&
            std::equal(via.begin(), via.end(), f.proto_via.begin())) {
          group = true;
          break;
        }
      }
      if (group) {
        std::string_view sub;
        if (wt != wire::kLen || !r.ReadLen(&sub)) return Status::BadRequest(Truncated(path));
        std::vector<int> inner = via;
        inner.push_back(number);
        RETURN_IF_ERROR(Group(def, sub, path, depth + 1, inner, out));
        continue;
      }
      if (field == nullptr) {  // unknown field: skip
        if (!r.Skip(wt)) return Status::BadRequest(Truncated(path));
        continue;
      }
      RETURN_IF_ERROR(FieldValue(*field, wt, &r, JoinFieldPath(path, field->name), depth, out));
    }
    return Status::Ok();
  }

  Status FieldValue(const Field& f, WireType wt, Reader* r, const std::string& path, int depth,
                    json* obj) {
    const TypeRef& t = f.type;
    if (t.kind == TypeKind::kArray) {
      json& arr = (*obj)[f.name];
      if (!arr.is_array()) arr = json::array();
      const TypeRef& et = *t.element;
      const std::string p = path + "[" + std::to_string(arr.size()) + "]";
      if (wt == wire::kLen && (et.kind == TypeKind::kInteger || et.kind == TypeKind::kBoolean ||
                               et.kind == TypeKind::kNumber)) {
        // Packed repeated scalars (not written by Go's gogo code, but legal).
        std::string_view packed;
        if (!r->ReadLen(&packed)) return Status::BadRequest(Truncated(p));
        Reader pr(packed);
        while (!pr.done()) {
          json v;
          RETURN_IF_ERROR(Scalar(et, et.kind == TypeKind::kNumber ? wire::kFixed64 : wire::kVarint,
                                 &pr, p, &v));
          arr.push_back(std::move(v));
        }
        return Status::Ok();
      }
      json v;
      RETURN_IF_ERROR(Single(et, wt, r, p, depth, &v));
      arr.push_back(std::move(v));
      return Status::Ok();
    }
    if (t.kind == TypeKind::kMap) {
      std::string_view entry;
      if (wt != wire::kLen || !r->ReadLen(&entry)) return Status::BadRequest(Truncated(path));
      std::string key;
      json value;
      bool have_value = false;
      const TypeRef& vt = *t.element;
      Reader er(entry);
      while (!er.done()) {
        int n;
        WireType ewt;
        if (!er.ReadTag(&n, &ewt)) return Status::BadRequest(Truncated(path));
        if (n == 1) {
          std::string_view k;
          if (ewt != wire::kLen || !er.ReadLen(&k)) return Status::BadRequest(Truncated(path));
          key = wire::SanitizeUtf8(k);
        } else if (n == 2) {
          const std::string p = path + "[" + key + "]";
          if (vt.kind == TypeKind::kArray) {
            std::string_view wrapper;
            if (ewt != wire::kLen || !er.ReadLen(&wrapper)) return Status::BadRequest(Truncated(p));
            value = json::array();
            Reader wr(wrapper);
            while (!wr.done()) {
              int wn;
              WireType wwt;
              if (!wr.ReadTag(&wn, &wwt)) return Status::BadRequest(Truncated(p));
              if (wn != 1) {
                if (!wr.Skip(wwt)) return Status::BadRequest(Truncated(p));
                continue;
              }
              json item;
              RETURN_IF_ERROR(Single(*vt.element, wwt, &wr, p, depth, &item));
              value.push_back(std::move(item));
            }
          } else {
            value = json();
            RETURN_IF_ERROR(Single(vt, ewt, &er, p, depth, &value));
          }
          have_value = true;
        } else if (!er.Skip(ewt)) {
          return Status::BadRequest(Truncated(path));
        }
      }
      if (!have_value) {
        // A missing value is the zero value of its type.
        if (vt.kind == TypeKind::kArray) value = json::array();
        else if (vt.kind == TypeKind::kString) value = "";
        else if (vt.kind == TypeKind::kInteger) value = 0;
        else if (vt.kind == TypeKind::kBoolean) value = false;
        else if (vt.kind == TypeKind::kNumber) value = 0.0;
        else if (vt.kind == TypeKind::kRef) {
          RETURN_IF_ERROR(Message(*vt.ref, "", path + "[" + key + "]", depth + 1, &value));
        }
      }
      json& m = (*obj)[f.name];
      if (!m.is_object()) m = json::object();
      m[key] = std::move(value);
      return Status::Ok();
    }
    json v;
    if (t.kind == TypeKind::kRef) {
      // A repeated occurrence of a message field merges into the earlier one.
      auto it = obj->find(f.name);
      if (it != obj->end() && it->is_object() && t.ref->special == Special::kNone) {
        v = std::move(*it);
      }
    }
    RETURN_IF_ERROR(Single(t, wt, r, path, depth, &v));
    if (v.is_null()) {
      obj->erase(f.name);  // e.g. a zero Time
      return Status::Ok();
    }
    if (t.IsScalar() && !f.pointer && !f.required && IsZero(v)) {
      obj->erase(f.name);  // omitempty
      return Status::Ok();
    }
    (*obj)[f.name] = std::move(v);
    return Status::Ok();
  }

  static bool IsZero(const json& v) {
    if (v.is_string()) return v.get_ref<const std::string&>().empty();
    if (v.is_boolean()) return !v.get<bool>();
    if (v.is_number_integer()) return v.get<int64_t>() == 0;
    if (v.is_number_float()) return v.get<double>() == 0.0;
    return false;
  }

  Status Scalar(const TypeRef& t, WireType wt, Reader* r, const std::string& path, json* out) {
    switch (t.kind) {
      case TypeKind::kInteger: {
        uint64_t u;
        if (wt != wire::kVarint) return Status::BadRequest(path + ": wrong wire type");
        if (!r->ReadVarint(&u)) return Status::BadRequest(Truncated(path));
        if (t.format == "int32") {
          *out = static_cast<int32_t>(static_cast<uint32_t>(u));
        } else {
          *out = static_cast<int64_t>(u);
        }
        return Status::Ok();
      }
      case TypeKind::kBoolean: {
        uint64_t u;
        if (wt != wire::kVarint) return Status::BadRequest(path + ": wrong wire type");
        if (!r->ReadVarint(&u)) return Status::BadRequest(Truncated(path));
        *out = u != 0;
        return Status::Ok();
      }
      case TypeKind::kNumber: {
        uint64_t bits;
        if (wt != wire::kFixed64) return Status::BadRequest(path + ": wrong wire type");
        if (!r->ReadFixed64(&bits)) return Status::BadRequest(Truncated(path));
        double d;
        std::memcpy(&d, &bits, sizeof d);
        if (!std::isfinite(d)) return Status::BadRequest(path + ": number is not finite");
        *out = d;
        return Status::Ok();
      }
      default:
        return Status::BadRequest(path + ": not a scalar");
    }
  }

  Status Single(const TypeRef& t, WireType wt, Reader* r, const std::string& path, int depth,
                json* out) {
    if (t.kind == TypeKind::kInteger || t.kind == TypeKind::kBoolean ||
        t.kind == TypeKind::kNumber) {
      return Scalar(t, wt, r, path, out);
    }
    std::string_view bytes;
    if (wt != wire::kLen) return Status::BadRequest(path + ": wrong wire type");
    if (!r->ReadLen(&bytes)) return Status::BadRequest(Truncated(path));
    switch (t.kind) {
      case TypeKind::kString:
        *out = t.IsBytes() ? wire::Base64Encode(bytes) : wire::SanitizeUtf8(bytes);
        return Status::Ok();
      case TypeKind::kRef:
        return Message(*t.ref, bytes, path, depth + 1, out);
      default:
        return Status::BadRequest(path + ": value has no protobuf form");
    }
  }

  // Reads the fields of a small fixed message: numbers 1..3 as varints or
  // bytes. Returns false on malformed data.
  struct Small {
    uint64_t v[4] = {0, 0, 0, 0};
    std::string_view s[4];
    bool seen[4] = {false, false, false, false};
  };
  static bool ReadSmall(std::string_view bytes, Small* out) {
    Reader r(bytes);
    while (!r.done()) {
      int n;
      WireType wt;
      if (!r.ReadTag(&n, &wt)) return false;
      if (n >= 1 && n <= 3 && wt == wire::kVarint) {
        if (!r.ReadVarint(&out->v[n])) return false;
      } else if (n >= 1 && n <= 3 && wt == wire::kLen) {
        if (!r.ReadLen(&out->s[n])) return false;
      } else if (!r.Skip(wt)) {
        return false;
      }
      if (n >= 1 && n <= 3) out->seen[n] = true;
    }
    return true;
  }

  Status SpecialValue(const Definition& def, std::string_view bytes, const std::string& path,
                      int depth, json* out) {
    Small s;
    if (!ReadSmall(bytes, &s)) return Status::BadRequest(Truncated(path));
    switch (def.special) {
      case Special::kQuantity:
        *out = s.seen[1] ? wire::SanitizeUtf8(s.s[1]) : std::string("0");
        if (out->get_ref<const std::string&>().empty()) *out = "0";
        return Status::Ok();
      case Special::kIntOrString:
        if (s.v[1] == 0) {
          *out = static_cast<int32_t>(static_cast<uint32_t>(s.v[2]));
        } else if (s.v[1] == 1) {
          *out = wire::SanitizeUtf8(s.s[3]);
        } else {
          return Status::BadRequest(path + ": impossible IntOrString.Type");
        }
        return Status::Ok();
      case Special::kTime:
      case Special::kMicroTime: {
        if (bytes.empty()) {  // the zero time
          *out = nullptr;
          return Status::Ok();
        }
        auto text = wire::FormatRfc3339(static_cast<int64_t>(s.v[1]),
                                        static_cast<int32_t>(static_cast<uint32_t>(s.v[2])),
                                        def.special == Special::kMicroTime);
        if (!text) return Status::BadRequest(path + ": time out of range");
        *out = *text;
        return Status::Ok();
      }
      case Special::kRawExtension:
      case Special::kFieldsV1:
      case Special::kJson: {
        const std::string_view raw = s.s[1];
        if (raw.empty()) {
          *out = nullptr;
          return Status::Ok();
        }
        if (raw.size() >= kPrefix.size() && raw.substr(0, kPrefix.size()) == kPrefix) {
          // An embedded object in protobuf (watch events over protobuf).
          if (depth > kMaxDepth) return Status::BadRequest(path + ": nesting too deep");
          auto inner = DecodeBody(raw, path, depth + 1);
          if (!inner.ok()) return inner.status();
          *out = std::move(inner).value();
          return Status::Ok();
        }
        // DecodeJson bounds the nesting, like every other way in.
        auto parsed = DecodeJson(raw);
        if (!parsed.ok()) return Status::BadRequest(path + ": embedded object is not valid JSON: " +
                                                    parsed.status().message());
        *out = std::move(parsed).value();
        return Status::Ok();
      }
      case Special::kDuration:
      case Special::kNone:
        break;
    }
    return Status::BadRequest(path + ": " + def.name + " is not supported in protobuf");
  }

 public:
  StatusOr<json> DecodeBody(std::string_view body, const std::string& path, int depth) {
    if (body.size() < kPrefix.size() || body.substr(0, kPrefix.size()) != kPrefix) {
      return Status::BadRequest(
          "provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]");
    }
    Reader r(body.substr(kPrefix.size()));
    std::string_view type_meta, raw, content_encoding;
    while (!r.done()) {
      int n;
      WireType wt;
      if (!r.ReadTag(&n, &wt)) return Status::BadRequest("envelope: truncated or malformed");
      if ((n >= 1 && n <= 4) && wt != wire::kLen) {
        return Status::BadRequest("envelope: wrong wire type");
      }
      std::string_view v;
      if (n >= 1 && n <= 4) {
        if (!r.ReadLen(&v)) return Status::BadRequest("envelope: truncated or malformed");
        if (n == 1) type_meta = v;
        if (n == 2) raw = v;
        if (n == 3) content_encoding = v;
      } else if (!r.Skip(wt)) {
        return Status::BadRequest("envelope: truncated or malformed");
      }
    }
    if (!content_encoding.empty()) {
      return Status::BadRequest("envelope: unsupported contentEncoding \"" +
                                wire::SanitizeUtf8(content_encoding) + "\"");
    }
    Small tm;
    if (!ReadSmall(type_meta, &tm)) return Status::BadRequest("envelope: malformed typeMeta");
    const std::string api_version = wire::SanitizeUtf8(tm.s[1]);
    const std::string kind = wire::SanitizeUtf8(tm.s[2]);
    if (kind.empty()) return Status::BadRequest("Object 'Kind' is missing in protobuf envelope");
    bool is_list = false;
    const Kind* k = ResolveServedKind(schema_, api_version, kind, &is_list);
    if (k == nullptr) {
      return Status::NotFound("no kind \"" + kind + "\" is registered for version \"" +
                              api_version + "\"");
    }
    const Definition& def = is_list ? *k->list : *k->definition;
    json out = json::object();
    RETURN_IF_ERROR(Message(def, raw, path, depth, &out));
    out["apiVersion"] = api_version;
    out["kind"] = kind;
    return out;
  }

 private:
  const Schema& schema_;
};

}  // namespace

StatusOr<std::string> EncodeProtobuf(const json& object, const Schema& schema) {
  if (!object.is_object()) return Status::BadRequest("object: expected a JSON object");
  auto av = object.find("apiVersion");
  auto kd = object.find("kind");
  if (av == object.end() || !av->is_string() || av->get_ref<const std::string&>().empty()) {
    return Status::BadRequest("Object 'apiVersion' is missing");
  }
  if (kd == object.end() || !kd->is_string() || kd->get_ref<const std::string&>().empty()) {
    return Status::BadRequest("Object 'Kind' is missing");
  }
  const std::string& api_version = av->get_ref<const std::string&>();
  const std::string& kind = kd->get_ref<const std::string&>();
  bool is_list = false;
  const Kind* k = ResolveServedKind(schema, api_version, kind, &is_list);
  if (k == nullptr) {
    return Status::NotFound("no kind \"" + kind + "\" is registered for version \"" +
                            api_version + "\"");
  }
  const Definition& def = is_list ? *k->list : *k->definition;
  std::string raw;
  try {
    RETURN_IF_ERROR(Encoder(schema).Message(def, object, "", 0, &raw));
  } catch (const std::exception& e) {
    return Status::BadRequest(std::string("protobuf encode: ") + e.what());
  }
  return Envelope(api_version, kind, raw);
}

StatusOr<json> DecodeProtobuf(std::string_view body, const Schema& schema) {
  try {
    return Decoder(schema).DecodeBody(body, "", 0);
  } catch (const std::exception& e) {
    return Status::BadRequest(std::string("protobuf decode: ") + e.what());
  }
}

}  // namespace kubepp::api
