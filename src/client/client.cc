#include "client/client.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/codec/json_codec.h"
#include "client/http_transport.h"

namespace kubepp::client {
namespace {

using nlohmann::json;

constexpr size_t kMaxErrorBody = 1 << 20;

bool Is2xx(int status) { return status >= 200 && status < 300; }

// The non-OK codes run from 1 to kInternal, the last: the look-ups below
// invert status.h's HttpCode and ReasonString rather than repeat them.
constexpr int kLastCode = static_cast<int>(StatusCode::kInternal);

// The code of a metav1.Status reason; nullopt for one kubepp has no code for.
std::optional<StatusCode> CodeForReason(std::string_view reason) {
  if (reason == "ServerTimeout") return StatusCode::kTimeout;  // upstream's other timeout reason
  for (int i = 1; i <= kLastCode; ++i) {
    auto code = static_cast<StatusCode>(i);
    if (ReasonString(code) == reason) return code;
  }
  return std::nullopt;
}

// The code of a bare HTTP status, as upstream's client reads it: 409 is
// Conflict and 410 Gone (AlreadyExists and Expired need a Status body);
// a status with no code of its own is Internal.
StatusCode CodeForHttp(int http_code) {
  if (http_code == 409) return StatusCode::kConflict;
  if (http_code == 410) return StatusCode::kGone;
  for (int i = 1; i <= kLastCode; ++i) {
    auto code = static_cast<StatusCode>(i);
    if (HttpCode(code) == http_code) return code;
  }
  return StatusCode::kInternal;
}

// Upstream's wording for an error response without a usable Status body.
std::string GenericMessage(int http_code, std::string_view body) {
  switch (http_code) {
    case 400: return "the server rejected our request for an unknown reason";
    case 401: return "the server has asked for the client to provide credentials";
    case 403: return "the server does not allow access to the requested resource";
    case 404: return "the server could not find the requested resource";
    case 405: return "the server does not allow this method on the requested resource";
    case 406: return "the server was unable to respond with a content type that the client supports";
    case 409: return "the server reported a conflict";
    case 410: return "the server has expired the requested resource";
    case 415: return "the server was unable to handle the media type sent by the client";
    case 422: return "the server rejected our request due to an error in our request";
    case 429: return "the server has received too many requests and has asked us to try again later";
    case 503: return "the server is currently unable to handle the request";
    case 504: return "the server was unable to return a response in the time allotted, but may still be processing the request";
    default: break;
  }
  std::string text(body.substr(0, 1024));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  if (text.empty()) text = "unknown";
  return "an error on the server (\"" + text + "\") has prevented the request from succeeding";
}

void AddParam(std::string* target, std::string_view key, std::string_view value) {
  target->push_back(target->find('?') == std::string::npos ? '?' : '&');
  target->append(key);
  target->push_back('=');
  target->append(QueryEscape(value));
}

// Percent-encodes every byte but letters, digits, "-_.~" and `also_safe`;
// a space becomes '+' when `plus_for_space` (query) and "%20" otherwise.
std::string PercentEscape(std::string_view s, std::string_view also_safe, bool plus_for_space) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' ||
        also_safe.find(static_cast<char>(c)) != std::string_view::npos) {
      out.push_back(static_cast<char>(c));
    } else if (c == ' ' && plus_for_space) {
      out.push_back('+');
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

std::string PathEscape(std::string_view s) { return PercentEscape(s, ":@", /*plus_for_space=*/false); }

void AddListParams(std::string* target, const ListOptions& o) {
  if (!o.label_selector.empty()) AddParam(target, "labelSelector", o.label_selector);
  if (!o.field_selector.empty()) AddParam(target, "fieldSelector", o.field_selector);
  if (!o.resource_version.empty()) AddParam(target, "resourceVersion", o.resource_version);
  if (!o.resource_version_match.empty()) AddParam(target, "resourceVersionMatch", o.resource_version_match);
  if (o.limit > 0) AddParam(target, "limit", std::to_string(o.limit));
  if (!o.continue_token.empty()) AddParam(target, "continue", o.continue_token);
  if (o.timeout_seconds) AddParam(target, "timeoutSeconds", std::to_string(*o.timeout_seconds));
  if (o.allow_watch_bookmarks) AddParam(target, "allowWatchBookmarks", "true");
  if (o.send_initial_events) AddParam(target, "sendInitialEvents", *o.send_initial_events ? "true" : "false");
}

// The query parameters of Create-, Update- and PatchOptions.
template <typename WriteOptions>
void AddWriteParams(std::string* target, const WriteOptions& o) {
  if (o.dry_run) AddParam(target, "dryRun", "All");
  if (!o.field_manager.empty()) AddParam(target, "fieldManager", o.field_manager);
  if (!o.field_validation.empty()) AddParam(target, "fieldValidation", o.field_validation);
}

void SetBody(HttpRequest* req, std::string_view content_type, std::string body) {
  req->headers.emplace_back("Content-Type", std::string(content_type));
  req->body = std::move(body);
}

StatusOr<std::string> ObjectName(const json& object) {
  auto meta = object.find("metadata");
  if (meta != object.end() && meta->is_object()) {
    auto name = meta->find("name");
    if (name != meta->end() && name->is_string() && !name->get<std::string>().empty()) {
      return name->get<std::string>();
    }
  }
  return Status::BadRequest("the object has no metadata.name");
}

StatusOr<WatchEvent> ParseWatchEvent(std::string_view line) {
  auto decoded = api::DecodeJson(line);
  if (!decoded.ok()) return decoded.status().WithPrefix("watch event");
  json& j = *decoded;
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) {
    return Status::BadRequest("watch event: missing \"type\"");
  }
  const std::string type = j["type"].get<std::string>();
  WatchEvent ev;
  if (type == "ADDED") {
    ev.type = WatchEventType::kAdded;
  } else if (type == "MODIFIED") {
    ev.type = WatchEventType::kModified;
  } else if (type == "DELETED") {
    ev.type = WatchEventType::kDeleted;
  } else if (type == "BOOKMARK") {
    ev.type = WatchEventType::kBookmark;
  } else if (type == "ERROR") {
    ev.type = WatchEventType::kError;
  } else {
    return Status::BadRequest("watch event: unknown type \"" + type + "\"");
  }
  auto obj = j.find("object");
  if (obj == j.end() || !obj->is_object()) return Status::BadRequest("watch event: missing \"object\"");
  if (ev.type == WatchEventType::kError) ev.error = StatusFromStatusObject(*obj);
  ev.object = std::make_shared<const json>(std::move(*obj));
  return ev;
}

class WatcherImpl final : public Watcher {
 public:
  ~WatcherImpl() override { Stop(); }

  // Starts the reader thread; waits until the server accepted the watch.
  Status Start(Client* client, GroupVersionResource r, std::string ns, ListOptions options) {
    thread_ = std::thread([this, client, r = std::move(r), ns = std::move(ns), options = std::move(options)] {
      Status s = client->WatchStream(
          r, ns, options, cancel_,
          [this](WatchEvent ev) {
            std::lock_guard<std::mutex> lock(mu_);
            events_.push_back(std::move(ev));
            cv_.notify_all();
            return true;
          },
          [this] {
            std::lock_guard<std::mutex> lock(mu_);
            started_ = true;
            cv_.notify_all();
          });
      std::lock_guard<std::mutex> lock(mu_);
      ended_ = true;
      status_ = s;
      cv_.notify_all();
    });
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait(lock, [this] { return started_ || ended_; });
    if (!started_) {
      Status s = status_.ok() ? Status::Unavailable("watch ended before it started") : status_;
      lock.unlock();
      Stop();
      return s;
    }
    return Status::Ok();
  }

  std::optional<WatchEvent> Next(std::chrono::milliseconds timeout) override {
    std::unique_lock<std::mutex> lock(mu_);
    auto ready = [this] { return !events_.empty() || ended_; };
    if (timeout == std::chrono::milliseconds::max()) {
      cv_.wait(lock, ready);
    } else if (!cv_.wait_for(lock, timeout, ready)) {
      return std::nullopt;
    }
    if (events_.empty()) return std::nullopt;
    WatchEvent ev = std::move(events_.front());
    events_.pop_front();
    return ev;
  }

  bool done() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return ended_ && events_.empty();
  }

  Status status() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

  void Stop() override {
    cancel_.Cancel();
    std::lock_guard<std::mutex> lock(join_mu_);
    if (thread_.joinable()) thread_.join();
  }

 private:
  CancelToken cancel_;
  std::mutex join_mu_;
  std::thread thread_;  // guarded by join_mu_ after Start

  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<WatchEvent> events_;  // guarded by mu_
  bool started_ = false;           // guarded by mu_
  bool ended_ = false;             // guarded by mu_
  Status status_;                  // guarded by mu_
};

}  // namespace

std::string_view WatchEventTypeName(WatchEventType type) {
  switch (type) {
    case WatchEventType::kAdded: return "ADDED";
    case WatchEventType::kModified: return "MODIFIED";
    case WatchEventType::kDeleted: return "DELETED";
    case WatchEventType::kBookmark: return "BOOKMARK";
    case WatchEventType::kError: return "ERROR";
  }
  return "ERROR";
}

std::string GroupVersionResource::GroupResource() const {
  return group.empty() ? resource : resource + "." + group;
}

std::string QueryEscape(std::string_view s) { return PercentEscape(s, "", /*plus_for_space=*/true); }

Status StatusFromStatusObject(const json& status, int http_code) {
  std::string reason;
  std::string message;
  int code = http_code;
  if (status.is_object()) {
    if (auto it = status.find("reason"); it != status.end() && it->is_string()) reason = it->get<std::string>();
    if (auto it = status.find("message"); it != status.end() && it->is_string()) message = it->get<std::string>();
    if (auto it = status.find("code"); it != status.end() && it->is_number_integer()) code = it->get<int>();
  }
  StatusCode sc;
  if (auto by_reason = CodeForReason(reason)) {
    sc = *by_reason;
  } else {
    sc = CodeForHttp(code);
  }
  if (message.empty()) message = GenericMessage(code, "");
  return Status(sc, std::move(message));
}

Status StatusFromResponse(int http_code, std::string_view body) {
  auto decoded = api::DecodeJson(body);
  if (decoded.ok() && decoded->is_object() && decoded->value("kind", json()) == "Status") {
    return StatusFromStatusObject(*decoded, http_code);
  }
  return Status(CodeForHttp(http_code), GenericMessage(http_code, body));
}

Client::Client(std::shared_ptr<Transport> transport, const RestConfig& config)
    : transport_(std::move(transport)),
      default_namespace_(config.namespace_.empty() ? "default" : config.namespace_) {
  if (config.qps > 0) {
    int burst = config.burst > 0 ? config.burst : std::max(1, static_cast<int>(config.qps));
    throttle_ = std::make_unique<TokenBucket>(config.qps, burst);
  }
}

StatusOr<std::unique_ptr<Client>> Client::New(const RestConfig& config) {
  ASSIGN_OR_RETURN(std::unique_ptr<Transport> transport, NewHttpTransport(config));
  return std::make_unique<Client>(std::shared_ptr<Transport>(std::move(transport)), config);
}

std::string Client::ResourcePath(const GroupVersionResource& r, std::string_view ns, std::string_view name,
                                 std::string_view subresource) {
  std::string path = r.group.empty() ? "/api/" + r.version : "/apis/" + r.group + "/" + r.version;
  if (!ns.empty()) {
    path += "/namespaces/";
    path += PathEscape(ns);
  }
  path += "/";
  path += r.resource;
  if (!name.empty()) {
    path += "/";
    path += PathEscape(name);
    if (!subresource.empty()) {
      path += "/";
      path += subresource;
    }
  }
  return path;
}

void Client::Throttle() {
  if (!throttle_) return;
  auto wait = throttle_->Reserve();
  if (wait > Clock::Duration::zero()) std::this_thread::sleep_for(wait);  // rate limiting, not synchronization
}

StatusOr<HttpResponse> Client::Do(const HttpRequest& request) {
  Throttle();
  return transport_->RoundTrip(request);
}

StatusOr<json> Client::DoJson(HttpRequest request) {
  request.headers.emplace_back("Accept", "application/json");
  ASSIGN_OR_RETURN(HttpResponse response, Do(request));
  if (!Is2xx(response.status)) return StatusFromResponse(response.status, response.body);
  if (response.body.empty()) return json::object();
  auto decoded = api::DecodeJson(response.body);
  if (!decoded.ok()) return decoded.status().WithPrefix("decoding the response of " + request.method + " " + request.target);
  return std::move(decoded).value();
}

StatusOr<json> Client::Get(const GroupVersionResource& r, std::string_view ns, std::string_view name,
                           const GetOptions& options) {
  HttpRequest req;
  req.method = "GET";
  req.target = ResourcePath(r, ns, name, options.subresource);
  if (!options.resource_version.empty()) AddParam(&req.target, "resourceVersion", options.resource_version);
  return DoJson(std::move(req));
}

StatusOr<json> Client::List(const GroupVersionResource& r, std::string_view ns, const ListOptions& options) {
  HttpRequest req;
  req.method = "GET";
  req.target = ResourcePath(r, ns);
  AddListParams(&req.target, options);
  return DoJson(std::move(req));
}

StatusOr<json> Client::Create(const GroupVersionResource& r, std::string_view ns, const json& object,
                              const CreateOptions& options) {
  HttpRequest req;
  req.method = "POST";
  if (options.subresource.empty()) {
    req.target = ResourcePath(r, ns);
  } else {
    ASSIGN_OR_RETURN(std::string name, ObjectName(object));
    req.target = ResourcePath(r, ns, name, options.subresource);
  }
  AddWriteParams(&req.target, options);
  SetBody(&req, "application/json", object.dump());
  return DoJson(std::move(req));
}

StatusOr<json> Client::Update(const GroupVersionResource& r, std::string_view ns, const json& object,
                              const UpdateOptions& options) {
  ASSIGN_OR_RETURN(std::string name, ObjectName(object));
  HttpRequest req;
  req.method = "PUT";
  req.target = ResourcePath(r, ns, name, options.subresource);
  AddWriteParams(&req.target, options);
  SetBody(&req, "application/json", object.dump());
  return DoJson(std::move(req));
}

StatusOr<json> Client::UpdateStatus(const GroupVersionResource& r, std::string_view ns, const json& object,
                                    UpdateOptions options) {
  options.subresource = "status";
  return Update(r, ns, object, options);
}

StatusOr<json> Client::Patch(const GroupVersionResource& r, std::string_view ns, std::string_view name,
                             PatchType type, std::string_view patch, const PatchOptions& options) {
  HttpRequest req;
  req.method = "PATCH";
  req.target = ResourcePath(r, ns, name, options.subresource);
  AddWriteParams(&req.target, options);
  if (options.force) AddParam(&req.target, "force", *options.force ? "true" : "false");
  const char* content_type = "application/merge-patch+json";
  switch (type) {
    case PatchType::kJson: content_type = "application/json-patch+json"; break;
    case PatchType::kMerge: content_type = "application/merge-patch+json"; break;
    case PatchType::kStrategicMerge: content_type = "application/strategic-merge-patch+json"; break;
    case PatchType::kApply: content_type = "application/apply-patch+yaml"; break;
  }
  SetBody(&req, content_type, std::string(patch));
  return DoJson(std::move(req));
}

namespace {

std::string DeleteBody(const DeleteOptions& options) {
  json body = {{"kind", "DeleteOptions"}, {"apiVersion", "v1"}};
  if (options.grace_period_seconds) body["gracePeriodSeconds"] = *options.grace_period_seconds;
  if (options.precondition_uid || options.precondition_resource_version) {
    json pre = json::object();
    if (options.precondition_uid) pre["uid"] = *options.precondition_uid;
    if (options.precondition_resource_version) pre["resourceVersion"] = *options.precondition_resource_version;
    body["preconditions"] = std::move(pre);
  }
  if (!options.propagation_policy.empty()) body["propagationPolicy"] = options.propagation_policy;
  if (options.dry_run) body["dryRun"] = json::array({"All"});
  return body.dump();
}

}  // namespace

Status Client::Delete(const GroupVersionResource& r, std::string_view ns, std::string_view name,
                      const DeleteOptions& options) {
  HttpRequest req;
  req.method = "DELETE";
  req.target = ResourcePath(r, ns, name);
  SetBody(&req, "application/json", DeleteBody(options));
  return DoJson(std::move(req)).status();
}

Status Client::DeleteCollection(const GroupVersionResource& r, std::string_view ns, const DeleteOptions& options,
                                const ListOptions& list_options) {
  HttpRequest req;
  req.method = "DELETE";
  req.target = ResourcePath(r, ns);
  AddListParams(&req.target, list_options);
  SetBody(&req, "application/json", DeleteBody(options));
  return DoJson(std::move(req)).status();
}

Status Client::WatchStream(const GroupVersionResource& r, std::string_view ns, const ListOptions& options,
                           CancelToken& cancel, const std::function<bool(WatchEvent)>& on_event,
                           const std::function<void()>& on_started) {
  HttpRequest req;
  req.method = "GET";
  req.target = ResourcePath(r, ns);
  AddParam(&req.target, "watch", "true");
  AddListParams(&req.target, options);
  req.headers.emplace_back("Accept", "application/json");

  int status = 0;
  std::string error_body;
  std::string pending;
  Status parse_error;
  auto deliver_lines = [&](bool flush) {
    size_t start = 0;
    while (true) {
      size_t nl = pending.find('\n', start);
      if (nl == std::string::npos && !(flush && start < pending.size())) break;
      size_t end = nl == std::string::npos ? pending.size() : nl;
      std::string_view line(pending.data() + start, end - start);
      start = nl == std::string::npos ? pending.size() : nl + 1;
      while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.remove_suffix(1);
      if (line.empty()) continue;
      auto ev = ParseWatchEvent(line);
      if (!ev.ok()) {
        parse_error = ev.status();
        return false;
      }
      if (!on_event(std::move(ev).value())) return false;
    }
    pending.erase(0, start);
    return true;
  };
  StreamCallbacks callbacks;
  callbacks.on_head = [&](int s, const HeaderList&) {
    status = s;
    if (Is2xx(s) && on_started) on_started();
  };
  callbacks.on_data = [&](std::string_view data) {
    if (!Is2xx(status)) {
      error_body.append(data);
      return error_body.size() < kMaxErrorBody;
    }
    pending.append(data);
    return deliver_lines(false);
  };
  Throttle();
  Status s = transport_->Stream(req, cancel, callbacks);
  if (!s.ok()) return s;
  if (status == 0) return Status::Ok();  // cancelled before the head arrived
  if (!Is2xx(status)) return StatusFromResponse(status, error_body);
  if (!parse_error.ok()) return parse_error;
  if (!cancel.cancelled() && !pending.empty()) {
    deliver_lines(true);  // a last event without its newline
    if (!parse_error.ok()) return parse_error;
  }
  return Status::Ok();
}

StatusOr<std::unique_ptr<Watcher>> Client::Watch(const GroupVersionResource& r, std::string_view ns,
                                                 const ListOptions& options) {
  auto watcher = std::make_unique<WatcherImpl>();
  RETURN_IF_ERROR(watcher->Start(this, r, std::string(ns), options));
  return std::unique_ptr<Watcher>(std::move(watcher));
}

}  // namespace kubepp::client
