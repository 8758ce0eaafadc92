// Discovery documents: the JSON bodies of /api, /apis, /apis/<group>,
// /api/v1, /apis/<group>/<version>, and the aggregated discovery documents
// (APIGroupDiscoveryList, apidiscovery.k8s.io v2 and v2beta1) that kubectl
// asks for on /api and /apis. Also the Accept negotiation that picks between
// the aggregated and the plain form, and each form's response Content-Type.
//
// Pure functions of a ResourceTable: no I/O, no state, safe from any thread.
// Bodies follow upstream's shapes and field order (Go struct order), so a
// byte-for-byte comparison with a real kube-apiserver differs only where noted
// (storageVersionHash is omitted; no ETag). The documents never change while
// the process runs, so the HTTP layer may build them once and cache them.
#pragma once

#include <string>
#include <string_view>

#include "apiserver/discovery/resources.h"
#include "common/status.h"

namespace kubepp::apiserver {

// Which representation a discovery request gets on /api and /apis.
enum class DiscoveryFormat {
  kPlain,               // APIVersions / APIGroupList, Content-Type application/json
  kAggregatedV2,        // APIGroupDiscoveryList, apidiscovery.k8s.io/v2
  kAggregatedV2Beta1,   // APIGroupDiscoveryList, apidiscovery.k8s.io/v2beta1
};

// Picks the format for an Accept header the way upstream does: media ranges
// ordered by q (stable), then the first one that is either an aggregated
// discovery request (g=apidiscovery.k8s.io, v=v2|v2beta1,
// as=APIGroupDiscoveryList, in any order) or a JSON range without a
// conversion (application/json, application/*, */*). A range asking for any
// other conversion (as=Table, v=v3, ...) or another media type is skipped.
// An empty header, or one with nothing acceptable, gets kPlain.
DiscoveryFormat NegotiateDiscoveryFormat(std::string_view accept);

// The exact Content-Type of a response in this format:
// "application/json", or
// "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList" (v2beta1 alike).
std::string_view DiscoveryContentType(DiscoveryFormat format);

// GET /api, plain: {"kind":"APIVersions","versions":["v1"],
// "serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0","serverAddress":...}]}.
// `server_address` is "host:port" as clients reach the server.
std::string ApiVersionsJson(std::string_view server_address);

// GET /apis, plain: APIGroupList of every non-core group with its versions
// (preferred first) and preferredVersion.
std::string ApiGroupListJson(const ResourceTable& table);

// GET /apis/<group>: APIGroup. NotFound when the group is not served (or is
// the core group, which has no /apis/ path).
StatusOr<std::string> ApiGroupJson(const ResourceTable& table, std::string_view group);

// GET /api/v1 (group "") and /apis/<group>/<version>: APIResourceList with an
// entry per resource and per "<resource>/<sub>", sorted by name; cross
// group-version subresources (pods/eviction, deployments/scale) carry group
// and version. NotFound when the group-version is not served.
StatusOr<std::string> ApiResourceListJson(const ResourceTable& table, std::string_view group,
                                          std::string_view version);

// Which aggregated document: /api holds only the core group, /apis every other.
enum class DiscoveryRoot { kApi, kApis };

// GET /api or /apis with an aggregated Accept: APIGroupDiscoveryList in the
// given format's apiVersion. `format` must be an aggregated one; kPlain is
// treated as kAggregatedV2.
std::string AggregatedDiscoveryJson(const ResourceTable& table, DiscoveryRoot root,
                                    DiscoveryFormat format);

// A response body with its Content-Type.
struct DiscoveryResponse {
  std::string content_type;
  std::string body;
};

// GET /api or /apis as a whole: negotiates `accept` and returns the matching
// document (aggregated, or APIVersions / APIGroupList).
DiscoveryResponse RootDiscovery(const ResourceTable& table, DiscoveryRoot root,
                                std::string_view accept, std::string_view server_address);

}  // namespace kubepp::apiserver
