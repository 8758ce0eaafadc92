// Content negotiation for the API endpoints: which format a request body is
// in (Content-Type) and which format the client wants back (Accept), with
// the media types kubectl and client libraries send (kubectl-contract.md).
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "common/status.h"

namespace kubepp::apiserver::endpoints {

enum class BodyFormat { kJson, kYaml, kProtobuf };

enum class PatchType { kNone, kJsonPatch, kMergePatch, kStrategicMergePatch, kApplyYaml };

// The format of a create/update body. UnsupportedMediaType (415) naming the
// accepted types otherwise. An empty Content-Type is JSON.
StatusOr<BodyFormat> RequestBodyFormat(std::string_view content_type);
// The patch type of a PATCH body. UnsupportedMediaType (415) otherwise.
StatusOr<PatchType> RequestPatchType(std::string_view content_type);

enum class ResponseKind {
  kObject,                 // the object/list itself
  kTable,                  // meta.k8s.io Table
  kPartialObjectMetadata,  // PartialObjectMetadata(List)
};

struct ResponseFormat {
  BodyFormat format = BodyFormat::kJson;
  ResponseKind kind = ResponseKind::kObject;
  std::string table_version = "v1";  // v1 or v1beta1 (Table / PartialObjectMetadata)
  // The Content-Type to send.
  std::string ContentType() const;
};

// Picks the first acceptable media range of an Accept header (clients list
// their preference first). Empty, "*/*" and "application/*" give JSON. A
// protobuf Table is not offered (there is none upstream either), so
// "application/vnd.kubernetes.protobuf;as=Table" falls through to the next
// range. NotAcceptable (406) when nothing matches.
StatusOr<ResponseFormat> NegotiateResponse(std::string_view accept);

}  // namespace kubepp::apiserver::endpoints
