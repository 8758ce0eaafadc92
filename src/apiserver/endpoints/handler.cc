#include "apiserver/endpoints/handler.h"

#include <nlohmann/json.hpp>

#include "api/codec/json_codec.h"
#include "api/codec/protobuf_codec.h"
#include "api/schema/schema.h"
#include "api/time.h"
#include "api/yaml/yaml.h"
#include "apiserver/discovery/discovery.h"
#include "apiserver/endpoints/metrics.h"
#include "apiserver/endpoints/negotiation.h"
#include "apiserver/endpoints/response.h"
#include "apiserver/endpoints/verbs.h"
#include "apiserver/endpoints/watch_pump.h"
#include "common/log.h"
#include "common/strings.h"

namespace kubepp::apiserver::endpoints {

using nlohmann::json;

namespace {

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i < path.size()) {
    while (i < path.size() && path[i] == '/') ++i;
    size_t j = path.find('/', i);
    if (j == std::string_view::npos) j = path.size();
    if (j > i) parts.push_back(path.substr(i, j - i));
    i = j;
  }
  return parts;
}

bool IsTrue(const std::optional<std::string>& v) { return v && (*v == "true" || *v == "1"); }

}  // namespace

StatusOr<RequestInfo> ParseRequestInfo(const http::Request& req) {
  RequestInfo info;
  auto parts = SplitPath(req.path);
  info.path = req.path;
  std::string method = req.method;
  auto lower_verb = [&]() -> std::string {
    if (method == "POST") return "create";
    if (method == "GET" || method == "HEAD") return "get";
    if (method == "PUT") return "update";
    if (method == "PATCH") return "patch";
    if (method == "DELETE") return "delete";
    return AsciiLower(method);
  };
  info.verb = lower_verb();
  if (parts.empty() || (parts[0] != "api" && parts[0] != "apis")) return info;
  size_t i = 1;
  if (parts[0] == "api") {
    if (parts.size() < 2) return info;
    info.version = std::string(parts[1]);
    i = 2;
  } else {
    if (parts.size() < 3) return info;
    info.group = std::string(parts[1]);
    info.version = std::string(parts[2]);
    i = 3;
  }
  if (i >= parts.size()) return info;  // discovery of a group version
  info.is_resource = true;
  std::vector<std::string_view> rest(parts.begin() + static_cast<long>(i), parts.end());
  bool legacy_watch = false;
  if (!rest.empty() && rest[0] == "watch") {
    legacy_watch = true;
    rest.erase(rest.begin());
  }
  if (!rest.empty() && rest[0] == "namespaces") {
    if (rest.size() > 1) {
      info.namespace_ = std::string(rest[1]);
      if (rest.size() > 2 && rest[2] != "status" && rest[2] != "finalize") {
        rest.erase(rest.begin(), rest.begin() + 2);
      }
    }
  }
  if (rest.empty()) return Status::NotFound("the server could not find the requested resource");
  info.resource = std::string(rest[0]);
  if (rest.size() > 1) info.name = std::string(rest[1]);
  if (rest.size() > 2) info.subresource = std::string(rest[2]);
  if (rest.size() > 3) return Status::NotFound("the server could not find the requested resource");
  if (info.resource == "namespaces" && !info.name.empty()) info.namespace_.clear();

  if (legacy_watch || (info.verb == "get" && IsTrue(req.Query("watch")))) {
    info.verb = "watch";
  } else if (info.verb == "get" && info.name.empty()) {
    info.verb = "list";
  } else if (info.verb == "delete" && info.name.empty()) {
    info.verb = "deletecollection";
  }
  return info;
}

ApiHandler::ApiHandler(registry::Registry& registry, const auth::Authenticator& authenticator,
                       const auth::Authorizer& authorizer, HandlerOptions options)
    : registry_(registry),
      authenticator_(authenticator),
      authorizer_(authorizer),
      options_(std::move(options)),
      metrics_(std::make_unique<Metrics>()),
      pump_(std::make_unique<WatchPump>(options_.watch_threads)) {
  const ResourceTable& table = registry_.resources();
  for (auto root : {DiscoveryRoot::kApi, DiscoveryRoot::kApis}) {
    for (auto format : {DiscoveryFormat::kPlain, DiscoveryFormat::kAggregatedV2, DiscoveryFormat::kAggregatedV2Beta1}) {
      std::string body = format != DiscoveryFormat::kPlain ? AggregatedDiscoveryJson(table, root, format)
                         : root == DiscoveryRoot::kApi     ? ApiVersionsJson(options_.server_address)
                                                           : ApiGroupListJson(table);
      root_discovery_[{static_cast<int>(root), static_cast<int>(format)}] = {
          std::string(DiscoveryContentType(format)), std::move(body)};
    }
  }
  for (const auto& gv : table.group_versions()) {
    auto body = ApiResourceListJson(table, gv.group, gv.version);
    if (!body.ok()) continue;
    std::string path = gv.group.empty() ? "api/" + gv.version : "apis/" + gv.group + "/" + gv.version;
    group_version_discovery_[path] = std::move(*body);
    if (!gv.group.empty() && !group_discovery_.count("apis/" + gv.group)) {
      if (auto g = ApiGroupJson(table, gv.group); g.ok()) group_discovery_["apis/" + gv.group] = std::move(*g);
    }
  }
  metrics_->SetGaugeSource([this] {
    return "# HELP apiserver_registered_watchers Number of currently registered watchers.\n"
           "# TYPE apiserver_registered_watchers gauge\n"
           "apiserver_registered_watchers " +
           std::to_string(pump_->size()) + "\n";
  });
}

ApiHandler::~ApiHandler() { Shutdown(); }

void ApiHandler::AddRoute(std::string path, bool prefix, RouteFn fn) {
  routes_.push_back({std::move(path), prefix, std::move(fn)});
}

void ApiHandler::Shutdown() { pump_->Shutdown(); }

std::string ApiHandler::MetricsText() const { return metrics_->Render(); }
void ApiHandler::ObserveStore(std::string_view operation, std::chrono::nanoseconds latency) {
  metrics_->ObserveStore(operation, latency);
}
size_t ApiHandler::open_watches() const { return pump_->size(); }

namespace {

// Wraps the writer so the handler learns the response code for metrics.
class RecordingWriter final : public http::ResponseWriter {
 public:
  explicit RecordingWriter(std::shared_ptr<http::ResponseWriter> inner) : inner_(std::move(inner)) {}
  bool Send(int status, http::Headers headers, std::string body) override {
    code_ = status;
    return inner_->Send(status, std::move(headers), std::move(body));
  }
  bool StartStream(int status, http::Headers headers) override {
    code_ = status;
    return inner_->StartStream(status, std::move(headers));
  }
  bool Write(std::string_view chunk) override { return inner_->Write(chunk); }
  void Finish() override { inner_->Finish(); }
  bool closed() const override { return inner_->closed(); }
  void OnClose(std::function<void()> cb) override { inner_->OnClose(std::move(cb)); }
  int code() const { return code_; }

 private:
  std::shared_ptr<http::ResponseWriter> inner_;
  std::atomic<int> code_{0};
};

std::string MetricVerb(const RequestInfo& info, const http::Request& req) {
  if (info.verb == "list") return "LIST";
  if (info.verb == "watch") return "WATCH";
  if (req.method == "GET" && info.subresource == "log") return "CONNECT";
  return req.method == "HEAD" ? "GET" : req.method;
}

}  // namespace

void ApiHandler::Serve(http::Request request, std::shared_ptr<http::ResponseWriter> raw_writer) {
  auto start = std::chrono::steady_clock::now();
  auto writer = std::make_shared<RecordingWriter>(std::move(raw_writer));
  auto parsed = ParseRequestInfo(request);
  RequestInfo info = parsed.ok() ? *parsed : RequestInfo{};

  // Health and version are public, as upstream's system:public-info-viewer.
  const std::string& path = request.path;
  bool public_path = path == "/version" || path == "/healthz" || path == "/livez" || path == "/readyz" ||
                     path.rfind("/healthz/", 0) == 0 || path.rfind("/livez/", 0) == 0 ||
                     path.rfind("/readyz/", 0) == 0;
  auth::UserInfo user;
  if (!public_path) {
    auth::Credentials creds;
    if (!request.client_cert_chain_pem.empty()) creds.peer_certificate = request.client_cert_chain_pem.front();
    creds.authorization = std::string(request.headers.Get("Authorization").value_or(""));
    std::string reason;
    auto authn = auth::AuthenticateRequest(authenticator_, creds, &reason);
    if (!authn.ok()) {
      if (!reason.empty()) LogDebug("authentication failed for {}: {}", request.remote_address, reason);
      SendError(*writer, authn.status());
      return;
    }
    user = std::move(*authn);
    auth::Attributes attrs;
    attrs.user = user;
    attrs.verb = info.verb;
    attrs.resource_request = info.is_resource;
    attrs.api_group = info.group;
    attrs.api_version = info.version;
    attrs.resource = info.resource;
    attrs.subresource = info.subresource;
    attrs.namespace_ = info.namespace_;
    attrs.name = info.name;
    attrs.path = path;
    auto decision = authorizer_.Authorize(attrs);
    if (decision.decision != auth::Decision::kAllow) {
      registry::ErrorDetails d;
      d.name = info.name;
      d.group = info.group;
      d.kind = info.resource;
      SendError(*writer, Status::Forbidden(auth::ForbiddenMessage(attrs, decision.reason)), &d);
      return;
    }
  }
  if (!parsed.ok()) {
    SendError(*writer, parsed.status());
  } else if (info.is_resource) {
    ServeResource(registry_, *pump_, options_, AuthPair{authenticator_, authorizer_}, request, info, user, writer);
  } else {
    ServeNonResource(request, writer);
  }
  if (info.is_resource) {
    metrics_->Observe(MetricVerb(info, request), info.group, info.version, info.resource, info.subresource,
                      writer->code(), std::chrono::steady_clock::now() - start);
  }
}

void ApiHandler::ServeNonResource(const http::Request& req, const std::shared_ptr<http::ResponseWriter>& w) {
  const std::string& path = req.path;
  std::string trimmed = path.size() > 1 && path.back() == '/' ? path.substr(0, path.size() - 1) : path;
  auto json_reply = [&](int code, const std::string& body) {
    w->Send(code, {{"Content-Type", "application/json"}}, body);
  };
  if (req.method != "GET" && req.method != "HEAD") {
    SendError(*w, Status(StatusCode::kMethodNotAllowed, "the server does not allow this method on the requested resource"));
    return;
  }
  if (trimmed == "/version") {
    json v = {{"major", "1"},
              {"minor", "33"},
              {"gitVersion", "v1.33.0+kubepp-0.1.0"},
              {"gitCommit", "kubepp"},
              {"gitTreeState", "clean"},
              {"buildDate", "2026-11-25T00:00:00Z"},
              {"goVersion", "c++20"},
              {"compiler", "gc"},
              {"platform", "linux/amd64"}};
    json_reply(200, v.dump(2) + "\n");
    return;
  }
  if (trimmed == "/healthz" || trimmed == "/livez" || trimmed.rfind("/healthz/", 0) == 0 ||
      trimmed.rfind("/livez/", 0) == 0) {
    w->Send(200, {{"Content-Type", "text/plain; charset=utf-8"}}, "ok");
    return;
  }
  if (trimmed == "/readyz" || trimmed.rfind("/readyz/", 0) == 0) {
    if (ready_) {
      w->Send(200, {{"Content-Type", "text/plain; charset=utf-8"}}, "ok");
    } else {
      w->Send(503, {{"Content-Type", "text/plain; charset=utf-8"}}, "readyz check failed: starting\n");
    }
    return;
  }
  if (trimmed == "/metrics") {
    w->Send(200, {{"Content-Type", "text/plain; version=0.0.4"}}, MetricsText());
    return;
  }
  for (const auto& r : routes_) {
    if (trimmed == r.path || (r.prefix && trimmed.rfind(r.path + "/", 0) == 0)) {
      r.fn(req, *w);
      return;
    }
  }
  if (trimmed == "/api" || trimmed == "/apis") {
    auto format = NegotiateDiscoveryFormat(req.headers.Get("Accept").value_or(""));
    const auto& [type, body] =
        root_discovery_.at({static_cast<int>(trimmed == "/api" ? DiscoveryRoot::kApi : DiscoveryRoot::kApis),
                            static_cast<int>(format)});
    w->Send(200, {{"Content-Type", type}}, body);
    return;
  }
  std::string_view relative = trimmed.size() > 1 ? std::string_view(trimmed).substr(1) : std::string_view();
  if (auto it = group_version_discovery_.find(relative); it != group_version_discovery_.end()) {
    return json_reply(200, it->second);
  }
  if (auto it = group_discovery_.find(relative); it != group_discovery_.end()) {
    return json_reply(200, it->second);
  }
  if (trimmed == "/" || trimmed.empty()) {
    json paths = {{"paths", {"/api", "/api/v1", "/apis", "/healthz", "/livez", "/metrics", "/openapi/v2",
                             "/openapi/v3", "/readyz", "/version"}}};
    return json_reply(200, paths.dump(2));
  }
  SendError(*w, Status::NotFound("the server could not find the requested resource"));
}

}  // namespace kubepp::apiserver::endpoints
