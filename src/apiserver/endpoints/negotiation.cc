#include "apiserver/endpoints/negotiation.h"

#include <map>
#include <vector>

#include "common/strings.h"

namespace kubepp::apiserver::endpoints {
namespace {

struct MediaRange {
  std::string type;  // lower case "application/json"
  std::map<std::string, std::string> params;
};

MediaRange ParseMediaType(std::string_view text) {
  MediaRange m;
  size_t semi = text.find(';');
  m.type = AsciiLower(TrimSpace(text.substr(0, semi)));
  while (semi != std::string_view::npos) {
    text.remove_prefix(semi + 1);
    semi = text.find(';');
    std::string_view param = TrimSpace(text.substr(0, semi));
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string value(TrimSpace(param.substr(eq + 1)));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
    m.params[AsciiLower(TrimSpace(param.substr(0, eq)))] = value;
  }
  return m;
}

std::vector<MediaRange> ParseAccept(std::string_view accept) {
  std::vector<MediaRange> out;
  size_t start = 0;
  while (start <= accept.size()) {
    size_t comma = accept.find(',', start);
    std::string_view item = accept.substr(start, comma == std::string_view::npos ? accept.npos : comma - start);
    if (!TrimSpace(item).empty()) out.push_back(ParseMediaType(item));
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return out;
}

constexpr std::string_view kAcceptedBodies =
    "application/json, application/yaml, application/vnd.kubernetes.protobuf";

}  // namespace

StatusOr<BodyFormat> RequestBodyFormat(std::string_view content_type) {
  MediaRange m = ParseMediaType(content_type);
  if (m.type.empty() || m.type == "application/json") return BodyFormat::kJson;
  if (m.type == "application/yaml") return BodyFormat::kYaml;
  if (m.type == "application/vnd.kubernetes.protobuf") return BodyFormat::kProtobuf;
  return Status(StatusCode::kUnsupportedMediaType,
                "the body of the request was in an unknown format - accepted media types include: " +
                    std::string(kAcceptedBodies));
}

StatusOr<PatchType> RequestPatchType(std::string_view content_type) {
  MediaRange m = ParseMediaType(content_type);
  if (m.type == "application/json-patch+json") return PatchType::kJsonPatch;
  if (m.type == "application/merge-patch+json") return PatchType::kMergePatch;
  if (m.type == "application/strategic-merge-patch+json") return PatchType::kStrategicMergePatch;
  if (m.type == "application/apply-patch+yaml") return PatchType::kApplyYaml;
  return Status(StatusCode::kUnsupportedMediaType,
                "the body of the request was in an unknown format - accepted media types include: "
                "application/json-patch+json, application/merge-patch+json, "
                "application/apply-patch+yaml, application/strategic-merge-patch+json");
}

std::string ResponseFormat::ContentType() const {
  std::string base;
  switch (format) {
    case BodyFormat::kJson: base = "application/json"; break;
    case BodyFormat::kYaml: base = "application/yaml"; break;
    case BodyFormat::kProtobuf: base = "application/vnd.kubernetes.protobuf"; break;
  }
  switch (kind) {
    case ResponseKind::kObject: return base;
    case ResponseKind::kTable: return base + ";as=Table;v=" + table_version + ";g=meta.k8s.io";
    case ResponseKind::kPartialObjectMetadata:
      return base + ";as=PartialObjectMetadata;v=" + table_version + ";g=meta.k8s.io";
  }
  return base;
}

StatusOr<ResponseFormat> NegotiateResponse(std::string_view accept) {
  if (TrimSpace(accept).empty()) return ResponseFormat{};
  for (const MediaRange& m : ParseAccept(accept)) {
    ResponseFormat f;
    if (m.type == "application/json" || m.type == "*/*" || m.type == "application/*") {
      f.format = BodyFormat::kJson;
    } else if (m.type == "application/yaml") {
      f.format = BodyFormat::kYaml;
    } else if (m.type == "application/vnd.kubernetes.protobuf") {
      f.format = BodyFormat::kProtobuf;
    } else {
      continue;
    }
    auto as = m.params.find("as");
    if (as == m.params.end()) {
      if (m.params.count("g") || m.params.count("v")) continue;  // e.g. discovery formats
      return f;
    }
    auto g = m.params.find("g");
    auto v = m.params.find("v");
    if (g == m.params.end() || g->second != "meta.k8s.io") continue;
    std::string version = v == m.params.end() ? "v1" : v->second;
    if (version != "v1" && version != "v1beta1") continue;
    f.table_version = version;
    if (as->second == "Table") {
      if (f.format == BodyFormat::kProtobuf) continue;
      f.kind = ResponseKind::kTable;
      return f;
    }
    if (as->second == "PartialObjectMetadata" || as->second == "PartialObjectMetadataList") {
      if (f.format == BodyFormat::kProtobuf) continue;
      f.kind = ResponseKind::kPartialObjectMetadata;
      return f;
    }
  }
  return Status(StatusCode::kNotAcceptable,
                "only the following media types are accepted: application/json, application/yaml, "
                "application/vnd.kubernetes.protobuf, application/json;as=Table;v=v1;g=meta.k8s.io");
}

}  // namespace kubepp::apiserver::endpoints
