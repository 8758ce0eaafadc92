// The project's API schema: every served kind, its definitions and fields.
//
// A Schema is an immutable, in-memory form of src/api/schema/schema.json
// (format: FORMAT.md), generated from upstream's reference data by
// tools/gen_schema.py. It answers: which definition is kind K of group/version
// G/V, which fields does a definition have (JSON name, type, protobuf field
// number, patch/merge metadata, pointer-ness), and which definitions are
// special (Quantity, IntOrString, Time, RawExtension, ...).
//
// Schema::Default() is the schema embedded in the library; it is parsed on
// first use (thread-safe) and lives for the whole process. All lookups are
// const and safe from any number of threads. Pointers returned by lookups
// stay valid as long as the Schema (forever for Default()).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kubepp::api {

struct Definition;

enum class TypeKind { kString, kInteger, kNumber, kBoolean, kRef, kArray, kMap, kAny };

// The JSON type of a field (recursive through `element`).
struct TypeRef {
  TypeKind kind = TypeKind::kAny;
  // "byte" (string: base64 in JSON, bytes in protobuf), "int32", "int64",
  // "double", or empty.
  std::string format;
  const Definition* ref = nullptr;            // kRef
  std::shared_ptr<const TypeRef> element;     // kArray items, kMap values

  bool IsBytes() const { return kind == TypeKind::kString && format == "byte"; }
  bool IsScalar() const {
    return kind == TypeKind::kString || kind == TypeKind::kInteger ||
           kind == TypeKind::kNumber || kind == TypeKind::kBoolean;
  }
};

// Definitions whose JSON and wire shapes are not plain structs.
enum class Special {
  kNone,
  kQuantity,      // JSON string; proto {string string = 1}
  kIntOrString,   // JSON int or string; proto {type = 1; intVal = 2; strVal = 3}
  kTime,          // RFC 3339 seconds; proto {seconds = 1; nanos = 2}
  kMicroTime,     // RFC 3339 microseconds; same proto as kTime
  kRawExtension,  // free-form JSON; proto {bytes raw = 1}
  kFieldsV1,      // free-form JSON; proto {bytes Raw = 1}
  kJson,          // free-form JSON
  kDuration,      // JSON string ("1m0s"); proto {int64 duration = 1}
};

struct Field {
  std::string name;        // JSON name
  TypeRef type;
  int proto = 0;           // protobuf field number; 0 = not on the wire
  std::vector<int> proto_via;  // enclosing sub-message numbers (inline structs)
  std::string patch_strategy;
  std::string patch_merge_key;
  std::string list_type;
  std::vector<std::string> list_map_keys;
  std::string map_type;
  bool pointer = false;    // Go pointer scalar: zero values are meaningful
  bool required = false;   // in the definition's required list
};

struct Definition {
  std::string name;        // e.g. io.k8s.api.apps.v1.Deployment
  Special special = Special::kNone;
  std::string proto;       // protobuf message name; empty when none
  std::string struct_type; // "atomic" / "granular" / ""
  std::vector<std::string> required;
  std::vector<Field> fields;  // in protobuf field-number order

  // The field with this JSON name, or nullptr.
  const Field* FindField(std::string_view json_name) const;
  // True for the definitions whose JSON is not checked field by field
  // (RawExtension, FieldsV1, JSON).
  bool IsFreeForm() const {
    return special == Special::kRawExtension || special == Special::kFieldsV1 ||
           special == Special::kJson;
  }
};

struct Kind {
  std::string group;       // "" for the core group
  std::string version;
  std::string kind;
  const Definition* definition = nullptr;
  const Definition* list = nullptr;  // nullptr when there is no List kind

  // "v1" or "apps/v1".
  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
};

class Schema {
 public:
  // The schema embedded in the library. Never fails (the embedded file is
  // checked by the tests); aborts the process if it were unparsable.
  static const Schema& Default();

  // Parses schema.json text. BadRequest naming the problem on malformed input.
  static StatusOr<std::unique_ptr<Schema>> Parse(std::string_view json_text);

  ~Schema();
  Schema(const Schema&) = delete;
  Schema& operator=(const Schema&) = delete;

  // The kind served as group/version/kind, or nullptr.
  const Kind* FindKind(std::string_view group, std::string_view version,
                       std::string_view kind) const;

  // Resolves an object's apiVersion ("v1", "apps/v1") and kind, which may
  // also be a List kind ("DeploymentList"). Sets *is_list accordingly when
  // non-null. Returns the Kind, or nullptr when not served.
  const Kind* ResolveKind(std::string_view api_version, std::string_view kind,
                          bool* is_list = nullptr) const;

  // The definition with this name (e.g. "io.k8s.api.core.v1.Pod"), or nullptr.
  const Definition* FindDefinition(std::string_view name) const;

  const std::vector<Kind>& kinds() const { return kinds_; }
  // All definitions, sorted by name.
  std::vector<const Definition*> definitions() const;

 private:
  Schema();
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::vector<Kind> kinds_;
};

// Splits "apps/v1" into group "apps" and version "v1" ("v1" -> "", "v1").
void SplitApiVersion(std::string_view api_version, std::string* group, std::string* version);

}  // namespace kubepp::api
