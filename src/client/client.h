// Client: the generic REST client of the Kubernetes API (client-go's dynamic
// client). Objects are JSON documents (nlohmann::json); resources are named
// by group, version and plural resource; namespace "" means cluster-scoped
// (or all namespaces, for List and Watch). Typed access is up to the caller:
// api::Decode<T>(obj.dump()) with the generated structs of src/api/types.
//
// Every call maps a non-2xx answer onto a Status whose code comes from the
// metav1.Status body's `reason` (or, lacking one, the HTTP code) and whose
// message is the server's: 404 NotFound `configmaps "x" not found`, 409
// AlreadyExists / Conflict, 422 Invalid, 410 Gone / Expired, 403 Forbidden,
// 401 Unauthorized, 429 TooManyRequests, 503 Unavailable, 504 Timeout.
// Transport failures come back as the transport's Unavailable / Timeout.
//
// Ownership: a Client owns (shares) its Transport. A Watcher returned by
// Watch() must be destroyed before the Client.
// Thread-safety: all Client methods may be called concurrently. A Watcher
// is used by one consumer thread (Stop may be called from any thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include <nlohmann/json_fwd.hpp>

#include "client/rest_config.h"
#include "client/token_bucket.h"
#include "client/transport.h"
#include "common/status.h"

namespace kubepp::client {

// Objects handed around by informers and watches: immutable, shared.
using ObjectPtr = std::shared_ptr<const nlohmann::json>;

struct GroupVersionResource {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string resource;  // plural, lower case: "configmaps"

  // "configmaps" for the core group, "leases.coordination.k8s.io" otherwise
  // (the resource as it appears in API error messages).
  std::string GroupResource() const;
  bool operator==(const GroupVersionResource& o) const = default;
  bool operator<(const GroupVersionResource& o) const {
    return std::tie(group, version, resource) < std::tie(o.group, o.version, o.resource);
  }
};

struct GetOptions {
  std::string resource_version;  // "" most recent; "0" any (cache)
  std::string subresource;       // e.g. "status", "scale"
};

struct ListOptions {
  std::string label_selector;  // "app=web,tier!=db"
  std::string field_selector;  // "spec.nodeName=n1"
  std::string resource_version;
  std::string resource_version_match;  // "NotOlderThan" / "Exact"
  int64_t limit = 0;                   // 0: no limit
  std::string continue_token;
  std::optional<int64_t> timeout_seconds;  // watch: the server ends the stream after this
  bool allow_watch_bookmarks = false;
  std::optional<bool> send_initial_events;
};

struct CreateOptions {
  // With a subresource ("binding", "eviction") the object's metadata.name
  // names the parent: POST .../pods/<metadata.name>/binding.
  std::string subresource;
  std::string field_manager;
  std::string field_validation;  // "Strict", "Warn", "Ignore"; "" server default
  bool dry_run = false;
};

struct UpdateOptions {
  std::string subresource;  // "status" for UpdateStatus
  std::string field_manager;
  std::string field_validation;
  bool dry_run = false;
};

enum class PatchType {
  kJson,            // application/json-patch+json (RFC 6902)
  kMerge,           // application/merge-patch+json (RFC 7386)
  kStrategicMerge,  // application/strategic-merge-patch+json
  kApply,           // application/apply-patch+yaml (server-side apply)
};

struct PatchOptions {
  std::string subresource;
  std::string field_manager;   // required by the server for kApply
  std::optional<bool> force;   // kApply only: take over conflicting fields
  std::string field_validation;
  bool dry_run = false;
};

struct DeleteOptions {
  std::optional<int64_t> grace_period_seconds;
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  std::string propagation_policy;  // "Orphan", "Background", "Foreground"; "" default
  bool dry_run = false;
};

enum class WatchEventType { kAdded, kModified, kDeleted, kBookmark, kError };

// "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR".
std::string_view WatchEventTypeName(WatchEventType type);

struct WatchEvent {
  WatchEventType type = WatchEventType::kAdded;
  // The object; for kBookmark only its metadata.resourceVersion matters;
  // for kError the metav1.Status the server sent.
  ObjectPtr object;
  // kError: the Status mapped like an HTTP error (410 -> Expired or Gone).
  Status error;
};

// A running watch, consumed by pulling events. The stream is read on a
// background thread and events are queued (unbounded) until Next() takes
// them.
class Watcher {
 public:
  virtual ~Watcher() = default;  // implementations Stop()

  // The next event. Blocks until one is queued, the stream ended, or
  // `timeout` passed. Returns nullopt when the stream ended and every event
  // was taken (done() is then true; status() says why) or on timeout.
  virtual std::optional<WatchEvent> Next(std::chrono::milliseconds timeout = std::chrono::milliseconds::max()) = 0;
  // True once the stream ended and the queue is empty.
  virtual bool done() const = 0;
  // OK while running and after the server ended the stream or Stop();
  // otherwise why the stream failed (Unavailable: connection lost; BadRequest:
  // an undecodable event line).
  virtual Status status() const = 0;
  // Cancels the stream and joins the reader thread. Idempotent.
  virtual void Stop() = 0;
};

class Client {
 public:
  // `config` supplies qps/burst and the default namespace; its server and
  // credentials are the transport's business.
  explicit Client(std::shared_ptr<Transport> transport, const RestConfig& config = {});

  // A Client over NewHttpTransport(config). Errors: those of NewHttpTransport.
  static StatusOr<std::unique_ptr<Client>> New(const RestConfig& config);

  // "/api/v1/namespaces/ns/pods/name/status", "/apis/apps/v1/deployments".
  // Empty ns, name or subresource are left out.
  static std::string ResourcePath(const GroupVersionResource& r, std::string_view ns, std::string_view name = {},
                                  std::string_view subresource = {});

  // Errors (for all verbs): the mapped server error, or the transport's.
  StatusOr<nlohmann::json> Get(const GroupVersionResource& r, std::string_view ns, std::string_view name,
                               const GetOptions& options = {});
  // The List object as returned ({"kind":"ConfigMapList","metadata":
  // {"resourceVersion":..,"continue":..},"items":[...]}); one page when
  // options.limit is set.
  StatusOr<nlohmann::json> List(const GroupVersionResource& r, std::string_view ns, const ListOptions& options = {});
  // The created object. The name comes from the object (or generateName).
  StatusOr<nlohmann::json> Create(const GroupVersionResource& r, std::string_view ns, const nlohmann::json& object,
                                  const CreateOptions& options = {});
  // PUT to the object's metadata.name; metadata.resourceVersion, when set,
  // makes it a compare-and-swap (Conflict when stale). Errors also:
  // BadRequest when the object has no metadata.name.
  StatusOr<nlohmann::json> Update(const GroupVersionResource& r, std::string_view ns, const nlohmann::json& object,
                                  const UpdateOptions& options = {});
  // Update of the "status" subresource.
  StatusOr<nlohmann::json> UpdateStatus(const GroupVersionResource& r, std::string_view ns,
                                        const nlohmann::json& object, UpdateOptions options = {});
  // `patch` is the body as text (JSON; for kApply JSON or YAML).
  StatusOr<nlohmann::json> Patch(const GroupVersionResource& r, std::string_view ns, std::string_view name,
                                 PatchType type, std::string_view patch, const PatchOptions& options = {});
  // OK once the server accepted the deletion (it may complete later, e.g.
  // finalizers or graceful pod deletion).
  Status Delete(const GroupVersionResource& r, std::string_view ns, std::string_view name,
                const DeleteOptions& options = {});
  Status DeleteCollection(const GroupVersionResource& r, std::string_view ns, const DeleteOptions& options = {},
                          const ListOptions& list_options = {});

  // Starts a watch (GET ...?watch=true) and returns once the server accepted
  // it. Errors: the mapped server error of the initial response (e.g.
  // Forbidden), or the transport's.
  StatusOr<std::unique_ptr<Watcher>> Watch(const GroupVersionResource& r, std::string_view ns,
                                           const ListOptions& options = {});
  // The blocking form, for callers that own a thread (informers): delivers
  // each event to `on_event` on the calling thread until the server ends the
  // stream (OK), on_event returns false (OK), `cancel` is cancelled (OK), or
  // the stream fails. `on_started` (optional) runs once the server accepted
  // the watch. Errors: as Watch, plus BadRequest for an undecodable event.
  Status WatchStream(const GroupVersionResource& r, std::string_view ns, const ListOptions& options,
                     CancelToken& cancel, const std::function<bool(WatchEvent)>& on_event,
                     const std::function<void()>& on_started = nullptr);

  // Any request, throttled like the others; the response is returned as is
  // (no error mapping), e.g. for /version or /readyz.
  StatusOr<HttpResponse> Do(const HttpRequest& request);

  // The context namespace of the config ("default" when it had none).
  const std::string& default_namespace() const { return default_namespace_; }
  Transport& transport() { return *transport_; }

 private:
  // Waits for the client-side rate limit (qps/burst), if any.
  void Throttle();
  StatusOr<nlohmann::json> DoJson(HttpRequest request);

  std::shared_ptr<Transport> transport_;
  std::unique_ptr<TokenBucket> throttle_;  // null: unlimited
  std::string default_namespace_;
};

// Maps an error response onto a Status: the metav1.Status body's `reason`
// decides the code (falling back on `code`, then on `http_code`), and its
// `message` is kept. A body that is not a Status gets upstream's generic
// wording (`the server could not find the requested resource`, `an error on
// the server ("...") has prevented the request from succeeding`).
Status StatusFromResponse(int http_code, std::string_view body);
// The same for an already-decoded metav1.Status (a watch ERROR event).
Status StatusFromStatusObject(const nlohmann::json& status, int http_code = 0);

// Query escaping as Go's url.QueryEscape ("a b/c" -> "a+b%2Fc").
std::string QueryEscape(std::string_view s);

}  // namespace kubepp::client
