// The OpenAPI documents the API server serves: /openapi/v3 (index),
// /openapi/v3/<group-version path> (one OpenAPI 3.0 document per served
// group-version) and /openapi/v2 (one Swagger 2.0 document for everything, as
// JSON and as the gnostic openapi_v2.Document protobuf kubectl downloads).
//
// Everything is derived from two facts tables: api::Schema (definitions,
// fields, patch/list metadata, which kinds exist) and ResourceTable (which
// resources each group-version serves, their scope, verbs and subresources).
// Paths, operations, parameters and definition names follow upstream
// kube-apiserver (1.33): what kubectl reads from them is
//  - `x-kubernetes-group-version-kind` on PATCH operations listing a
//    `fieldValidation` query parameter (kubectl then validates server-side),
//  - the PATCH request body content types (strategic merge supported?),
//  - components.schemas / definitions with `x-kubernetes-group-version-kind`
//    and the x-kubernetes-patch-* / list-* / map-type extensions (explain,
//    client-side apply patch computation),
//  - every `$ref` resolvable (kubectl's v2 parser rejects the whole document
//    on one dangling reference).
// The schema has no prose, so descriptions are absent and `default` values
// are not published. Known blind spots are listed in openapi.cc.
//
// An OpenApi is built once at server start and is immutable afterwards: every
// accessor is const and safe from any number of threads; returned references
// and pointers live as long as the OpenApi.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "common/status.h"

namespace kubepp::api {
class Schema;
}

namespace kubepp::apiserver {
class ResourceTable;
}

namespace kubepp::apiserver::openapi {

// Media types of /openapi/v2. kubectl asks for the protobuf form with
// kV2ProtobufAccept; upstream answers with kV2ProtobufContentType (a '.'
// where the request has '@'). Answering with the '@' spelling breaks kubectl
// 1.27/1.28 `explain` ("mime: unexpected content after media subtype": Go's
// media type parser rejects '@'), so serve the '.' one. Upstream accepts both
// spellings in Accept.
inline constexpr std::string_view kV2ProtobufAccept =
    "application/com.github.proto-openapi.spec.v2@v1.0+protobuf";
inline constexpr std::string_view kV2ProtobufContentType =
    "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

// One served document and its content hash.
struct Document {
  std::string json;  // the body (compact JSON, keys sorted as upstream)
  // SHA-512 of `json`, uppercase hex, as upstream: the `hash` query value in
  // the v3 index and the ETag (quoted: "\"" + hash + "\"").
  std::string hash;
};

class OpenApi {
 public:
  // Builds every document. Invalid (naming the entries) when `table` lists a
  // resource or subresource kind that `schema` lacks, or when a definition
  // refers to a definition missing from `schema`: a dangling $ref would make
  // kubectl reject the whole document, so it is an error here rather than a
  // served defect. Takes some tens of milliseconds for the default tables.
  static StatusOr<std::unique_ptr<OpenApi>> Build(const api::Schema& schema,
                                                   const ResourceTable& table);

  OpenApi(const OpenApi&) = delete;
  OpenApi& operator=(const OpenApi&) = delete;

  // GET /openapi/v3:
  // {"paths":{"api/v1":{"serverRelativeURL":"/openapi/v3/api/v1?hash=<HASH>"},
  //           "apis/apps/v1":{...},...}}
  // Content-Type application/json; upstream sends ETag "\"<V3IndexHash()>\"".
  const std::string& V3Index() const { return v3_index_.json; }
  const std::string& V3IndexHash() const { return v3_index_.hash; }

  // GET /openapi/v3/<gv_path>, gv_path as in the index ("api/v1",
  // "apis/apps/v1"; no leading slash, no query), Content-Type
  // application/json. nullptr when no such group-version is served (the
  // caller answers 404). The HTTP policy is the caller's; upstream's
  // (kube-openapi handler3, from its source): ETag "\"<hash>\"" always; with
  // ?hash= equal to the hash also `Cache-Control: public, immutable`,
  // `Vary: Accept` and a one-year Expires; with a stale ?hash= a 301 to the
  // index's current URL. Upstream also serves a protobuf form of these
  // documents (Accept application/com.github.proto-openapi.spec.v3.v1.0+protobuf);
  // it is not built here (no kubectl version asks for it), so such a request
  // without a JSON alternative in its Accept gets 406, as upstream answers
  // any Accept it cannot satisfy.
  const Document* V3(std::string_view gv_path) const;

  // GET /openapi/v2. Upstream (kube-openapi handler) walks the Accept media
  // ranges by q and serves the first match among application/json (also for
  // */* and application/*) and the two protobuf spellings above; nothing
  // acceptable gets 406. ETag "\"<V2Hash()>\"" on both forms.
  //
  // The protobuf form (kubectl's Accept is kV2ProtobufAccept alone): the
  // gnostic openapi_v2.Document encoding of V2Json(); Content-Type
  // kV2ProtobufContentType.
  const std::string& V2Protobuf() const { return v2_protobuf_; }
  // The JSON form; Content-Type application/json.
  const std::string& V2Json() const { return v2_.json; }
  // SHA-512 (uppercase hex) of V2Json().
  const std::string& V2Hash() const { return v2_.hash; }

  // Every v3 group-version path, sorted ("api/v1", "apis/apps/v1", ...).
  const std::map<std::string, Document, std::less<>>& V3Documents() const { return v3_; }

 private:
  OpenApi() = default;

  Document v3_index_;
  std::map<std::string, Document, std::less<>> v3_;
  Document v2_;
  std::string v2_protobuf_;
};

}  // namespace kubepp::apiserver::openapi
