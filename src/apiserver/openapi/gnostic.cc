#include "apiserver/openapi/gnostic.h"

#include <cstdint>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>

#include "api/yaml/yaml.h"

// Field numbers below are those of gnostic's openapiv2/OpenAPIv2.proto
// (package openapi.v2); every message field there is proto3, so zero values
// (empty strings, false) are left out, while a present sub-message is always
// written, even when empty, because its presence is meaningful (a oneof arm,
// an `items: {}`).

namespace kubepp::apiserver::openapi::internal {
namespace {

using nlohmann::json;

// Appends protobuf wire-format fields to a byte string.
class Msg {
 public:
  void Str(int field, std::string_view s) {
    if (!s.empty()) Bytes(field, s);
  }
  // A repeated string element: written even when empty.
  void RepStr(int field, std::string_view s) { Bytes(field, s); }
  void Bool(int field, bool b) {
    if (!b) return;
    Tag(field, 0);
    Varint(1);
  }
  void Sub(int field, const Msg& m) { Bytes(field, m.out_); }
  const std::string& bytes() const { return out_; }

 private:
  void Tag(int field, int wire) { Varint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>((v & 0x7f) | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Bytes(int field, std::string_view s) {
    Tag(field, 2);
    Varint(s.size());
    out_.append(s);
  }

  std::string out_;
};

Status Bad(const std::string& path, std::string_view what) {
  return Status::BadRequest("openapi v2 protobuf: " + path + ": " + std::string(what));
}

bool IsExtension(std::string_view key) { return key.starts_with("x-"); }

// NamedAny{name = 1, value = 2: Any{yaml = 2}}.
void Extension(Msg* m, int field, const std::string& name, const json& value) {
  Msg any;
  any.Str(2, api::yaml::ToYaml(value));
  Msg named;
  named.Str(1, name);
  named.Sub(2, any);
  m->Sub(field, named);
}

Status StringField(Msg* m, int field, const json& v, const std::string& path) {
  if (!v.is_string()) return Bad(path, "want a string");
  m->Str(field, v.get_ref<const std::string&>());
  return Status::Ok();
}

Status BoolField(Msg* m, int field, const json& v, const std::string& path) {
  if (!v.is_boolean()) return Bad(path, "want a boolean");
  m->Bool(field, v.get<bool>());
  return Status::Ok();
}

Status StringList(Msg* m, int field, const json& v, const std::string& path) {
  if (!v.is_array()) return Bad(path, "want an array of strings");
  for (const json& s : v) {
    if (!s.is_string()) return Bad(path, "want an array of strings");
    m->RepStr(field, s.get_ref<const std::string&>());
  }
  return Status::Ok();
}

Status EncodeSchema(const json& j, const std::string& path, Msg* out);

// Schema
//   _ref = 1, format = 2, title = 3, description = 4, unique_items = 16,
//   required = 19, additional_properties = 21 (AdditionalPropertiesItem{schema = 1 | boolean = 2}),
//   type = 22 (TypeItem{value = 1}), items = 23 (ItemsItem{schema = 1}),
//   all_of = 24, properties = 25 (Properties{additional_properties = 1: NamedSchema{name = 1, value = 2}}),
//   read_only = 27, vendor_extension = 31.
Status EncodeSchema(const json& j, const std::string& path, Msg* out) {
  if (!j.is_object()) return Bad(path, "want a schema object");
  for (const auto& [k, v] : j.items()) {
    const std::string p = path + "." + k;
    if (k == "$ref") {
      RETURN_IF_ERROR(StringField(out, 1, v, p));
    } else if (k == "format") {
      RETURN_IF_ERROR(StringField(out, 2, v, p));
    } else if (k == "title") {
      RETURN_IF_ERROR(StringField(out, 3, v, p));
    } else if (k == "description") {
      RETURN_IF_ERROR(StringField(out, 4, v, p));
    } else if (k == "uniqueItems") {
      RETURN_IF_ERROR(BoolField(out, 16, v, p));
    } else if (k == "required") {
      RETURN_IF_ERROR(StringList(out, 19, v, p));
    } else if (k == "additionalProperties") {
      Msg item;
      if (v.is_boolean()) {
        // A false boolean is the proto3 default and would vanish; gnostic
        // writes it the same way, so readers treat absence and false alike.
        item.Bool(2, v.get<bool>());
      } else {
        Msg s;
        RETURN_IF_ERROR(EncodeSchema(v, p, &s));
        item.Sub(1, s);
      }
      out->Sub(21, item);
    } else if (k == "type") {
      Msg t;
      if (v.is_string()) {
        t.RepStr(1, v.get_ref<const std::string&>());
      } else {
        RETURN_IF_ERROR(StringList(&t, 1, v, p));
      }
      out->Sub(22, t);
    } else if (k == "items") {
      Msg items;
      if (v.is_array()) {
        for (size_t i = 0; i < v.size(); ++i) {
          Msg s;
          RETURN_IF_ERROR(EncodeSchema(v[i], p + "[" + std::to_string(i) + "]", &s));
          items.Sub(1, s);
        }
      } else {
        Msg s;
        RETURN_IF_ERROR(EncodeSchema(v, p, &s));
        items.Sub(1, s);
      }
      out->Sub(23, items);
    } else if (k == "allOf") {
      if (!v.is_array()) return Bad(p, "want an array of schemas");
      for (size_t i = 0; i < v.size(); ++i) {
        Msg s;
        RETURN_IF_ERROR(EncodeSchema(v[i], p + "[" + std::to_string(i) + "]", &s));
        out->Sub(24, s);
      }
    } else if (k == "properties") {
      if (!v.is_object()) return Bad(p, "want an object of schemas");
      Msg props;
      for (const auto& [name, sub] : v.items()) {
        Msg s;
        RETURN_IF_ERROR(EncodeSchema(sub, p + "." + name, &s));
        Msg named;
        named.Str(1, name);
        named.Sub(2, s);
        props.Sub(1, named);
      }
      out->Sub(25, props);
    } else if (k == "readOnly") {
      RETURN_IF_ERROR(BoolField(out, 27, v, p));
    } else if (IsExtension(k)) {
      Extension(out, 31, k, v);
    } else {
      return Bad(p, "unsupported schema member");
    }
  }
  return Status::Ok();
}

// Parameter: BodyParameter (Parameter.body_parameter = 1) or a
// NonBodyParameter (Parameter.non_body_parameter = 2) whose oneof arm is
// header = 1, form_data = 2, query = 3, path = 4.
Status EncodeParameter(const json& j, const std::string& path, Msg* out) {
  if (!j.is_object()) return Bad(path, "want a parameter object");
  auto in_it = j.find("in");
  if (in_it == j.end() || !in_it->is_string()) return Bad(path + ".in", "want a string");
  const std::string& in = in_it->get_ref<const std::string&>();
  if (in == "body") {
    // BodyParameter{description = 1, name = 2, in = 3, required = 4, schema = 5, vendor_extension = 6}
    Msg body;
    for (const auto& [k, v] : j.items()) {
      const std::string p = path + "." + k;
      if (k == "description") {
        RETURN_IF_ERROR(StringField(&body, 1, v, p));
      } else if (k == "name") {
        RETURN_IF_ERROR(StringField(&body, 2, v, p));
      } else if (k == "in") {
        RETURN_IF_ERROR(StringField(&body, 3, v, p));
      } else if (k == "required") {
        RETURN_IF_ERROR(BoolField(&body, 4, v, p));
      } else if (k == "schema") {
        Msg s;
        RETURN_IF_ERROR(EncodeSchema(v, p, &s));
        body.Sub(5, s);
      } else if (IsExtension(k)) {
        Extension(&body, 6, k, v);
      } else {
        return Bad(p, "unsupported body parameter member");
      }
    }
    out->Sub(1, body);
    return Status::Ok();
  }
  // The sub-schemas share required = 1, in = 2, description = 3, name = 4;
  // query and formData then have allow_empty_value = 5, type = 6, format = 7,
  // unique_items = 20, vendor_extension = 23; header and path have type = 5,
  // format = 6, unique_items = 19, vendor_extension = 22.
  int arm = 0;
  bool query_like = false;
  if (in == "header") {
    arm = 1;
  } else if (in == "formData") {
    arm = 2;
    query_like = true;
  } else if (in == "query") {
    arm = 3;
    query_like = true;
  } else if (in == "path") {
    arm = 4;
  } else {
    return Bad(path + ".in", "unsupported parameter location");
  }
  const int type_field = query_like ? 6 : 5;
  Msg sub;
  for (const auto& [k, v] : j.items()) {
    const std::string p = path + "." + k;
    if (k == "required") {
      RETURN_IF_ERROR(BoolField(&sub, 1, v, p));
    } else if (k == "in") {
      RETURN_IF_ERROR(StringField(&sub, 2, v, p));
    } else if (k == "description") {
      RETURN_IF_ERROR(StringField(&sub, 3, v, p));
    } else if (k == "name") {
      RETURN_IF_ERROR(StringField(&sub, 4, v, p));
    } else if (k == "allowEmptyValue" && query_like) {
      RETURN_IF_ERROR(BoolField(&sub, 5, v, p));
    } else if (k == "type") {
      RETURN_IF_ERROR(StringField(&sub, type_field, v, p));
    } else if (k == "format") {
      RETURN_IF_ERROR(StringField(&sub, type_field + 1, v, p));
    } else if (k == "uniqueItems") {
      RETURN_IF_ERROR(BoolField(&sub, query_like ? 20 : 19, v, p));
    } else if (IsExtension(k)) {
      Extension(&sub, query_like ? 23 : 22, k, v);
    } else {
      return Bad(p, "unsupported parameter member");
    }
  }
  Msg non_body;
  non_body.Sub(arm, sub);
  out->Sub(2, non_body);
  return Status::Ok();
}

// ParametersItem{parameter = 1 | json_reference = 2: JsonReference{_ref = 1, description = 2}}.
Status EncodeParameters(const json& v, int field, const std::string& path, Msg* out) {
  if (!v.is_array()) return Bad(path, "want an array of parameters");
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
    Msg item;
    if (v[i].is_object() && v[i].contains("$ref")) {
      Msg ref;
      RETURN_IF_ERROR(StringField(&ref, 1, v[i]["$ref"], p + ".$ref"));
      item.Sub(2, ref);
    } else {
      Msg param;
      RETURN_IF_ERROR(EncodeParameter(v[i], p, &param));
      item.Sub(1, param);
    }
    out->Sub(field, item);
  }
  return Status::Ok();
}

// Responses{response_code = 1: NamedResponseValue{name = 1, value = 2:
// ResponseValue{response = 1 | json_reference = 2}}, vendor_extension = 2};
// Response{description = 1, schema = 2: SchemaItem{schema = 1}, vendor_extension = 5}.
Status EncodeResponses(const json& j, const std::string& path, Msg* out) {
  if (!j.is_object()) return Bad(path, "want an object of responses");
  for (const auto& [code, r] : j.items()) {
    const std::string p = path + "." + code;
    if (IsExtension(code)) {
      Extension(out, 2, code, r);
      continue;
    }
    if (!r.is_object()) return Bad(p, "want a response object");
    Msg value;
    if (r.contains("$ref")) {
      Msg ref;
      RETURN_IF_ERROR(StringField(&ref, 1, r["$ref"], p + ".$ref"));
      value.Sub(2, ref);
    } else {
      Msg resp;
      for (const auto& [k, v] : r.items()) {
        const std::string q = p + "." + k;
        if (k == "description") {
          RETURN_IF_ERROR(StringField(&resp, 1, v, q));
        } else if (k == "schema") {
          Msg s;
          RETURN_IF_ERROR(EncodeSchema(v, q, &s));
          Msg item;
          item.Sub(1, s);
          resp.Sub(2, item);
        } else if (IsExtension(k)) {
          Extension(&resp, 5, k, v);
        } else {
          return Bad(q, "unsupported response member");
        }
      }
      value.Sub(1, resp);
    }
    Msg named;
    named.Str(1, code);
    named.Sub(2, value);
    out->Sub(1, named);
  }
  return Status::Ok();
}

// Operation{tags = 1, summary = 2, description = 3, operation_id = 5,
// produces = 6, consumes = 7, parameters = 8, responses = 9, schemes = 10,
// deprecated = 11, vendor_extension = 13}.
Status EncodeOperation(const json& j, const std::string& path, Msg* out) {
  if (!j.is_object()) return Bad(path, "want an operation object");
  for (const auto& [k, v] : j.items()) {
    const std::string p = path + "." + k;
    if (k == "tags") {
      RETURN_IF_ERROR(StringList(out, 1, v, p));
    } else if (k == "summary") {
      RETURN_IF_ERROR(StringField(out, 2, v, p));
    } else if (k == "description") {
      RETURN_IF_ERROR(StringField(out, 3, v, p));
    } else if (k == "operationId") {
      RETURN_IF_ERROR(StringField(out, 5, v, p));
    } else if (k == "produces") {
      RETURN_IF_ERROR(StringList(out, 6, v, p));
    } else if (k == "consumes") {
      RETURN_IF_ERROR(StringList(out, 7, v, p));
    } else if (k == "parameters") {
      RETURN_IF_ERROR(EncodeParameters(v, 8, p, out));
    } else if (k == "responses") {
      Msg r;
      RETURN_IF_ERROR(EncodeResponses(v, p, &r));
      out->Sub(9, r);
    } else if (k == "schemes") {
      RETURN_IF_ERROR(StringList(out, 10, v, p));
    } else if (k == "deprecated") {
      RETURN_IF_ERROR(BoolField(out, 11, v, p));
    } else if (IsExtension(k)) {
      Extension(out, 13, k, v);
    } else {
      return Bad(p, "unsupported operation member");
    }
  }
  return Status::Ok();
}

// PathItem{_ref = 1, get = 2, put = 3, post = 4, delete = 5, options = 6,
// head = 7, patch = 8, parameters = 9, vendor_extension = 10}.
Status EncodePathItem(const json& j, const std::string& path, Msg* out) {
  if (!j.is_object()) return Bad(path, "want a path item object");
  static const std::pair<std::string_view, int> kMethods[] = {
      {"get", 2}, {"put", 3}, {"post", 4}, {"delete", 5}, {"options", 6}, {"head", 7}, {"patch", 8}};
  for (const auto& [k, v] : j.items()) {
    const std::string p = path + "." + k;
    int field = 0;
    for (const auto& [m, f] : kMethods) {
      if (k == m) field = f;
    }
    if (field != 0) {
      Msg op;
      RETURN_IF_ERROR(EncodeOperation(v, p, &op));
      out->Sub(field, op);
    } else if (k == "$ref") {
      RETURN_IF_ERROR(StringField(out, 1, v, p));
    } else if (k == "parameters") {
      RETURN_IF_ERROR(EncodeParameters(v, 9, p, out));
    } else if (IsExtension(k)) {
      Extension(out, 10, k, v);
    } else {
      return Bad(p, "unsupported path item member");
    }
  }
  return Status::Ok();
}

// Info{title = 1, version = 2, description = 3, terms_of_service = 4, vendor_extension = 7}.
Status EncodeInfo(const json& j, const std::string& path, Msg* out) {
  if (!j.is_object()) return Bad(path, "want an info object");
  for (const auto& [k, v] : j.items()) {
    const std::string p = path + "." + k;
    if (k == "title") {
      RETURN_IF_ERROR(StringField(out, 1, v, p));
    } else if (k == "version") {
      RETURN_IF_ERROR(StringField(out, 2, v, p));
    } else if (k == "description") {
      RETURN_IF_ERROR(StringField(out, 3, v, p));
    } else if (k == "termsOfService") {
      RETURN_IF_ERROR(StringField(out, 4, v, p));
    } else if (IsExtension(k)) {
      Extension(out, 7, k, v);
    } else {
      return Bad(p, "unsupported info member");
    }
  }
  return Status::Ok();
}

// SecurityRequirement{additional_properties = 1: NamedStringArray{name = 1,
// value = 2: StringArray{value = 1}}}.
Status EncodeSecurity(const json& v, const std::string& path, Msg* out) {
  if (!v.is_array()) return Bad(path, "want an array of security requirements");
  for (size_t i = 0; i < v.size(); ++i) {
    const std::string p = path + "[" + std::to_string(i) + "]";
    if (!v[i].is_object()) return Bad(p, "want an object");
    Msg req;
    for (const auto& [name, scopes] : v[i].items()) {
      Msg arr;
      RETURN_IF_ERROR(StringList(&arr, 1, scopes, p + "." + name));
      Msg named;
      named.Str(1, name);
      named.Sub(2, arr);
      req.Sub(1, named);
    }
    out->Sub(12, req);
  }
  return Status::Ok();
}

// SecurityDefinitions{additional_properties = 1: NamedSecurityDefinitionsItem{
// name = 1, value = 2: SecurityDefinitionsItem{basic_authentication_security = 1
// {type = 1, description = 2} | api_key_security = 2 {type = 1, name = 2, in = 3,
// description = 4}}}}.
Status EncodeSecurityDefinitions(const json& v, const std::string& path, Msg* out) {
  if (!v.is_object()) return Bad(path, "want an object");
  Msg defs;
  for (const auto& [name, d] : v.items()) {
    const std::string p = path + "." + name;
    if (!d.is_object() || !d.contains("type") || !d["type"].is_string()) return Bad(p, "want a typed security scheme");
    const std::string& type = d["type"].get_ref<const std::string&>();
    Msg scheme;
    int arm = 0;
    if (type == "apiKey") {
      arm = 2;
      for (const auto& [k, f] : d.items()) {
        const int field = k == "type" ? 1 : k == "name" ? 2 : k == "in" ? 3 : k == "description" ? 4 : 0;
        if (field == 0) return Bad(p + "." + k, "unsupported apiKey member");
        RETURN_IF_ERROR(StringField(&scheme, field, f, p + "." + k));
      }
    } else if (type == "basic") {
      arm = 1;
      for (const auto& [k, f] : d.items()) {
        const int field = k == "type" ? 1 : k == "description" ? 2 : 0;
        if (field == 0) return Bad(p + "." + k, "unsupported basic member");
        RETURN_IF_ERROR(StringField(&scheme, field, f, p + "." + k));
      }
    } else {
      return Bad(p + ".type", "unsupported security scheme type");
    }
    Msg item;
    item.Sub(arm, scheme);
    Msg named;
    named.Str(1, name);
    named.Sub(2, item);
    defs.Sub(1, named);
  }
  out->Sub(13, defs);
  return Status::Ok();
}

}  // namespace

// Document{swagger = 1, info = 2, host = 3, base_path = 4, schemes = 5,
// consumes = 6, produces = 7, paths = 8, definitions = 9, security = 12,
// security_definitions = 13, vendor_extension = 16}; Paths{vendor_extension = 1,
// path = 2: NamedPathItem{name = 1, value = 2}}; Definitions{additional_properties = 1:
// NamedSchema{name = 1, value = 2}}.
StatusOr<std::string> EncodeGnosticV2(const json& swagger) {
  if (!swagger.is_object()) return Bad("$", "want a document object");
  Msg doc;
  for (const auto& [k, v] : swagger.items()) {
    const std::string p = "$." + k;
    if (k == "swagger") {
      RETURN_IF_ERROR(StringField(&doc, 1, v, p));
    } else if (k == "info") {
      Msg info;
      RETURN_IF_ERROR(EncodeInfo(v, p, &info));
      doc.Sub(2, info);
    } else if (k == "host") {
      RETURN_IF_ERROR(StringField(&doc, 3, v, p));
    } else if (k == "basePath") {
      RETURN_IF_ERROR(StringField(&doc, 4, v, p));
    } else if (k == "schemes") {
      RETURN_IF_ERROR(StringList(&doc, 5, v, p));
    } else if (k == "consumes") {
      RETURN_IF_ERROR(StringList(&doc, 6, v, p));
    } else if (k == "produces") {
      RETURN_IF_ERROR(StringList(&doc, 7, v, p));
    } else if (k == "paths") {
      if (!v.is_object()) return Bad(p, "want an object of path items");
      Msg paths;
      for (const auto& [name, item] : v.items()) {
        if (IsExtension(name)) {
          Extension(&paths, 1, name, item);
          continue;
        }
        Msg pi;
        RETURN_IF_ERROR(EncodePathItem(item, p + "[" + name + "]", &pi));
        Msg named;
        named.Str(1, name);
        named.Sub(2, pi);
        paths.Sub(2, named);
      }
      doc.Sub(8, paths);
    } else if (k == "definitions") {
      if (!v.is_object()) return Bad(p, "want an object of schemas");
      Msg defs;
      for (const auto& [name, schema] : v.items()) {
        Msg s;
        RETURN_IF_ERROR(EncodeSchema(schema, p + "[" + name + "]", &s));
        Msg named;
        named.Str(1, name);
        named.Sub(2, s);
        defs.Sub(1, named);
      }
      doc.Sub(9, defs);
    } else if (k == "security") {
      RETURN_IF_ERROR(EncodeSecurity(v, p, &doc));
    } else if (k == "securityDefinitions") {
      RETURN_IF_ERROR(EncodeSecurityDefinitions(v, p, &doc));
    } else if (IsExtension(k)) {
      Extension(&doc, 16, k, v);
    } else {
      return Bad(p, "unsupported document member");
    }
  }
  return doc.bytes();
}

}  // namespace kubepp::apiserver::openapi::internal
