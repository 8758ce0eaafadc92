#include "api/types/json_support.h"

#include <cmath>
#include <limits>

#include "api/json_depth.h"

namespace kubepp::api::types_internal {
namespace {

// Path segments join with "." before a field name, directly before "[" or ":".
Status Prepend(const Status& s, std::string segment) {
  const std::string& m = s.message();
  if (!m.empty() && m[0] != ':' && m[0] != '[') segment += '.';
  return Status(s.code(), segment + m);
}

std::string Got(const Json& j) { return ", got " + std::string(TypeName(j)); }

}  // namespace

std::string_view TypeName(const Json& j) {
  switch (j.type()) {
    case Json::value_t::null: return "null";
    case Json::value_t::boolean: return "boolean";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned: return "integer";
    case Json::value_t::number_float: return "number";
    case Json::value_t::string: return "string";
    case Json::value_t::array: return "array";
    case Json::value_t::object: return "object";
    default: return "invalid value";
  }
}

Status Leaf(std::string_view problem) { return Status::Invalid(": " + std::string(problem)); }

Status NotAnObject(const Json& j) { return Status::Invalid("expected object" + Got(j)); }

Status PrefixField(const Status& s, std::string_view field) { return Prepend(s, std::string(field)); }

Status PrefixIndex(const Status& s, size_t index) {
  return Prepend(s, "[" + std::to_string(index) + "]");
}

Status PrefixKey(const Status& s, std::string_view key) {
  return Prepend(s, "[" + std::string(key) + "]");
}

const Json* FindField(const Json& obj, const char* name) {
  auto it = obj.find(name);
  if (it == obj.end() || it->is_null()) return nullptr;
  return &*it;
}

void PutField(Json& obj, const char* name, Json value) { obj.emplace(name, std::move(value)); }

std::string Dump(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

Status ParseJson(std::string_view text, Json* out) {
  if (JsonDepthExceededAt(text) != std::string_view::npos) {
    return Status::BadRequest("invalid JSON: nesting deeper than " + std::to_string(kMaxJsonDepth) +
                              " levels");
  }
  try {
    *out = Json::parse(text.begin(), text.end());
  } catch (const Json::exception& e) {
    return Status::BadRequest(std::string("invalid JSON: ") + e.what());
  }
  return Status::Ok();
}

Status Read(const Json& j, std::string* out) {
  if (!j.is_string()) return Leaf("expected string" + Got(j));
  *out = j.get_ref<const std::string&>();
  return Status::Ok();
}

Status Read(const Json& j, int64_t* out) {
  if (j.is_number_unsigned()) {
    uint64_t u = j.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return Leaf("value " + std::to_string(u) + " out of range for int64");
    }
    *out = static_cast<int64_t>(u);
    return Status::Ok();
  }
  if (!j.is_number_integer()) return Leaf("expected integer" + Got(j));
  *out = j.get<int64_t>();
  return Status::Ok();
}

Status Read(const Json& j, int32_t* out) {
  int64_t v = 0;
  RETURN_IF_ERROR(Read(j, &v));
  if (v < std::numeric_limits<int32_t>::min() || v > std::numeric_limits<int32_t>::max()) {
    return Leaf("value " + std::to_string(v) + " out of range for int32");
  }
  *out = static_cast<int32_t>(v);
  return Status::Ok();
}

Status Read(const Json& j, double* out) {
  if (!j.is_number()) return Leaf("expected number" + Got(j));
  *out = j.get<double>();
  return Status::Ok();
}

Status Read(const Json& j, bool* out) {
  if (!j.is_boolean()) return Leaf("expected boolean" + Got(j));
  *out = j.get<bool>();
  return Status::Ok();
}

Status Read(const Json& j, Quantity* out) {
  // Upstream also accepts a bare JSON number ("cpu: 2" in YAML); it comes back
  // as the string "2" on output, as upstream writes it.
  std::string text;
  if (j.is_string()) {
    text = j.get_ref<const std::string&>();
  } else if (j.is_number()) {
    text = j.dump();
  } else {
    return Leaf("expected quantity string" + Got(j));
  }
  StatusOr<Quantity> q = Quantity::Parse(text);
  if (!q.ok()) return Leaf(q.status().message());
  *out = std::move(q).value();
  return Status::Ok();
}

Status Read(const Json& j, IntOrString* out) {
  if (j.is_string()) {
    *out = IntOrString::FromString(j.get<std::string>());
    return Status::Ok();
  }
  if (j.is_number_integer()) {
    int32_t v = 0;  // upstream's intVal is an int32
    RETURN_IF_ERROR(Read(j, &v));
    *out = IntOrString::FromInt(v);
    return Status::Ok();
  }
  return Leaf("expected integer or string" + Got(j));
}

Status Read(const Json& j, Time* out) {
  if (!j.is_string()) return Leaf("expected time string" + Got(j));
  StatusOr<Time> t = Time::Parse(j.get_ref<const std::string&>());
  if (!t.ok()) return Leaf(t.status().message());
  *out = std::move(t).value();
  return Status::Ok();
}

Status Read(const Json& j, RawJson* out) {
  *out = RawJson::FromSerialized(Dump(j));
  return Status::Ok();
}

Status Read(const Json& j, std::vector<bool>* out) {
  if (!j.is_array()) return Leaf("expected array" + Got(j));
  out->clear();
  for (size_t i = 0; i < j.size(); ++i) {
    bool b = false;
    Status s = Read(j[i], &b);
    if (!s.ok()) return PrefixIndex(s, i);
    out->push_back(b);
  }
  return Status::Ok();
}

Json Write(const std::string& v) { return Json(v); }
Json Write(int32_t v) { return Json(static_cast<int64_t>(v)); }
Json Write(int64_t v) { return Json(v); }
Json Write(bool v) { return Json(v); }

Json Write(double v) {
  // Go writes integral floats without a fraction ("1", not "1.0").
  if (std::isfinite(v) && v == std::trunc(v) && std::fabs(v) < 9007199254740992.0) {
    return Json(static_cast<int64_t>(v));
  }
  return Json(v);
}

Json Write(const Quantity& v) { return Json(v.String()); }

Json Write(const IntOrString& v) {
  if (v.is_int()) return Json(v.int_value());
  return Json(v.str_value());
}

Json Write(const Time& v) { return Json(v.String()); }

Json Write(const RawJson& v) {
  Json j = Json::parse(v.text(), nullptr, /*allow_exceptions=*/false);
  // RawJson only holds serializer output or text Parse validated.
  if (j.is_discarded()) return Json();
  return j;
}

}  // namespace kubepp::api::types_internal
