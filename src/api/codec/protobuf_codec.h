// The Kubernetes protobuf encoding (application/vnd.kubernetes.protobuf),
// driven by the schema: converts between the generic JSON representation of
// an object and its wire bytes.
//
// A body is the 4 bytes "k8s\0" followed by a runtime.Unknown message whose
// typeMeta carries apiVersion/kind and whose raw field holds the kind's own
// message (see src/api/schema/FORMAT.md). Decoding produces the JSON shape
// upstream's Go JSON encoder would produce for the same object: zero values
// of non-pointer scalars dropped (omitempty), pointer scalars kept, nested
// messages kept (as {} when empty), a zero Time omitted, bytes in base64.
//
// RawExtension/FieldsV1 carry JSON bytes; a WatchEvent's object of a served
// kind is embedded as a full protobuf body (prefix + envelope), as protobuf
// watch streams do, and such embedded bodies are decoded back to JSON.
// Encoding writes only the fields present in the JSON (gogo also writes the
// zero values of non-pointer fields; a Go decoder builds the same object).
//
// Malformed bytes never crash: every failure is a BadRequest naming the field
// path. Thread-safe: pure functions over the immutable schema.
#pragma once

#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "api/schema/schema.h"
#include "common/status.h"

namespace kubepp::api {

inline constexpr std::string_view kProtobufContentType = "application/vnd.kubernetes.protobuf";

// Encodes an object (or List) whose apiVersion/kind name a served kind.
// BadRequest when apiVersion/kind are missing or a field has the wrong JSON
// type; NotAcceptable-like BadRequest when the kind has no protobuf form
// (meta/v1 Table); NotFound when the kind is not served.
StatusOr<std::string> EncodeProtobuf(const nlohmann::json& object,
                                     const Schema& schema = Schema::Default());

// Decodes a full body (prefix + envelope). BadRequest on a wrong prefix,
// truncated or malformed bytes (message names the field path); NotFound when
// apiVersion/kind are not served.
StatusOr<nlohmann::json> DecodeProtobuf(std::string_view body,
                                        const Schema& schema = Schema::Default());

}  // namespace kubepp::api
