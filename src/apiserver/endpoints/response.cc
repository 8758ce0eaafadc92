#include "apiserver/endpoints/response.h"

#include "api/codec/protobuf_codec.h"
#include "api/yaml/yaml.h"

namespace kubepp::apiserver::endpoints {

using nlohmann::json;

json StatusObject(const Status& status, const registry::ErrorDetails* details) {
  json s = {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()}};
  if (status.ok()) {
    s["status"] = "Success";
  } else {
    s["status"] = "Failure";
    s["message"] = status.message();
    s["reason"] = std::string(ReasonString(status.code()));
  }
  if (details != nullptr &&
      (!details->name.empty() || !details->kind.empty() || !details->causes.empty() || !details->uid.empty())) {
    json d = json::object();
    if (!details->name.empty()) d["name"] = details->name;
    if (!details->group.empty()) d["group"] = details->group;
    if (!details->kind.empty()) d["kind"] = details->kind;
    if (!details->uid.empty()) d["uid"] = details->uid;
    if (!details->causes.empty()) {
      json causes = json::array();
      for (const auto& c : details->causes) {
        json cj = json::object();
        if (!c.reason.empty()) cj["reason"] = c.reason;
        if (!c.message.empty()) cj["message"] = c.message;
        if (!c.field.empty()) cj["field"] = c.field;
        causes.push_back(std::move(cj));
      }
      d["causes"] = std::move(causes);
    }
    if (details->retry_after_seconds > 0) d["retryAfterSeconds"] = details->retry_after_seconds;
    s["details"] = std::move(d);
  }
  s["code"] = HttpCode(status.code());
  return s;
}

void AddWarnings(http::Headers& headers, const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) {
    std::string quoted = "299 - \"";
    for (char c : w) {
      if (c == '"' || c == '\\') quoted.push_back('\\');
      quoted.push_back(c);
    }
    quoted.push_back('"');
    headers.Add("Warning", std::move(quoted));
  }
}

void SendError(http::ResponseWriter& w, const Status& status, const registry::ErrorDetails* details,
               const std::vector<std::string>& warnings) {
  http::Headers headers{{"Content-Type", "application/json"}};
  AddWarnings(headers, warnings);
  if (details != nullptr && details->retry_after_seconds > 0) {
    headers.Set("Retry-After", std::to_string(details->retry_after_seconds));
  }
  w.Send(HttpCode(status.code()), std::move(headers), StatusObject(status, details).dump() + "\n");
}

std::string EncodeObject(const json& obj, const ResponseFormat& format, std::string* content_type) {
  if (format.format == BodyFormat::kProtobuf && format.kind == ResponseKind::kObject) {
    auto pb = api::EncodeProtobuf(obj);
    if (pb.ok()) {
      *content_type = std::string(api::kProtobufContentType);
      return std::move(*pb);
    }
  }
  // JSON, YAML, or JSON for what protobuf cannot carry (Tables, metadata,
  // kinds without a protobuf form).
  ResponseFormat f = format;
  if (f.format == BodyFormat::kProtobuf) f.format = BodyFormat::kJson;
  *content_type = f.ContentType();
  return f.format == BodyFormat::kYaml ? api::yaml::ToYaml(obj) : obj.dump() + "\n";
}

}  // namespace kubepp::apiserver::endpoints
