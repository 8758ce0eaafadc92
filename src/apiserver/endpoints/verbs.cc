#include "apiserver/endpoints/verbs.h"

#include <random>

#include <nlohmann/json.hpp>

#include "api/codec/json_codec.h"
#include "api/codec/protobuf_codec.h"
#include "api/labels.h"
#include "api/labels_json.h"
#include "api/resource_version.h"
#include "api/schema/schema.h"
#include "api/time.h"
#include "api/yaml/yaml.h"
#include "apiserver/endpoints/negotiation.h"
#include "apiserver/endpoints/patching.h"
#include "apiserver/endpoints/response.h"
#include "apiserver/printers/printers.h"
#include "common/log.h"

namespace kubepp::apiserver::endpoints {

using nlohmann::json;
using registry::RequestContext;

namespace {

constexpr size_t kMaxFieldManagerLength = 128;

struct Call {
  registry::Registry& reg;
  WatchPump& pump;
  const HandlerOptions& options;
  const http::Request& req;
  const RequestInfo& info;
  const ResourceInfo& res;
  std::shared_ptr<http::ResponseWriter> w;
  RequestContext ctx;
  ResponseFormat format;
};

void Fail(Call& c, const Status& s) { SendError(*c.w, s, &c.ctx.error, c.ctx.warnings); }

std::string ListKindOf(const ResourceInfo& res) { return res.kind + "List"; }

json MetadataOnly(const json& obj, const std::string& version) {
  json m = {{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/" + version}};
  m["metadata"] = obj.contains("metadata") ? obj["metadata"] : json::object();
  return m;
}

IncludeObject IncludeObjectOf(const http::Request& req) {
  auto v = req.Query("includeObject");
  if (v && *v == "None") return IncludeObject::kNone;
  if (v && *v == "Object") return IncludeObject::kObject;
  return IncludeObject::kMetadata;
}

// Sends one object in the negotiated representation.
void Reply(Call& c, int code, const json& obj) {
  json body;
  const json* out = &obj;
  if (c.format.kind == ResponseKind::kTable && obj.value("kind", "") == c.res.kind) {
    TableOptions opts;
    opts.now = api::Time::Now().UnixSeconds();
    opts.include_object = IncludeObjectOf(c.req);
    auto table = PrintTable(c.res.group, c.res.kind, {&obj}, opts);
    if (table.ok()) {
      body = std::move(*table);
      if (c.format.table_version != "v1") body["apiVersion"] = "meta.k8s.io/" + c.format.table_version;
      out = &body;
    }
  } else if (c.format.kind == ResponseKind::kPartialObjectMetadata && obj.value("kind", "") == c.res.kind) {
    body = MetadataOnly(obj, c.format.table_version);
    out = &body;
  }
  std::string content_type;
  ResponseFormat f = c.format;
  if (out == &obj) f.kind = ResponseKind::kObject;
  std::string bytes = EncodeObject(*out, f, &content_type);
  http::Headers headers{{"Content-Type", content_type}};
  AddWarnings(headers, c.ctx.warnings);
  c.w->Send(code, std::move(headers), std::move(bytes));
}

void ReplyStatusSuccess(Call& c, int code, const json* deleted) {
  registry::ErrorDetails d;
  d.name = c.info.name;
  d.group = c.res.group;
  d.kind = c.res.resource;
  if (deleted && deleted->contains("metadata")) d.uid = (*deleted)["metadata"].value("uid", "");
  http::Headers headers{{"Content-Type", "application/json"}};
  AddWarnings(headers, c.ctx.warnings);
  c.w->Send(code, std::move(headers), StatusObject(Status::Ok(), &d).dump() + "\n");
}

// ---- request bodies ----

StatusOr<std::string> FieldValidation(const http::Request& req) {
  std::string v = req.Query("fieldValidation").value_or("");
  if (v.empty()) return std::string("Warn");
  if (v != "Strict" && v != "Warn" && v != "Ignore") {
    return Status::BadRequest("fieldValidation parameter unsupported: " + v +
                              ". Supported values: Ignore, Warn, Strict");
  }
  return v;
}

// Unknown (and duplicate) fields, per fieldValidation: Strict fails, Warn
// adds warnings, both drop them from the object.
Status CheckUnknownFields(Call& c, json& obj, const api::Kind& kind, const std::string& validation,
                          std::vector<std::string> errors) {
  if (validation == "Ignore") errors.clear();
  if (!errors.empty() && validation == "Strict") {
    std::string msg = kind.kind + " in version \"" + kind.version + "\" cannot be handled as a " + kind.kind +
                      ": " + api::StrictDecodingError(errors).message();
    return Status::BadRequest(msg);
  }
  for (auto& e : errors) c.ctx.warnings.push_back(std::move(e));
  api::PruneUnknownFields(&obj, *kind.definition);
  return Status::Ok();
}

// A request body in its Content-Type's format. BadRequest when unreadable,
// UnsupportedMediaType for other types.
StatusOr<json> DecodeRawBody(const http::Request& req, BodyFormat fmt) {
  switch (fmt) {
    case BodyFormat::kJson: return api::DecodeJson(req.body);
    case BodyFormat::kYaml: {
      auto parsed = api::yaml::ParseYaml(req.body);
      if (!parsed.ok()) return Status::BadRequest(parsed.status().message());
      return std::move(*parsed);
    }
    case BodyFormat::kProtobuf: {
      auto decoded = api::DecodeProtobuf(req.body);
      if (!decoded.ok()) return Status::BadRequest(decoded.status().message());
      return std::move(*decoded);
    }
  }
  return Status::BadRequest("unreadable body");
}

// Decodes a create/update body of `kind` and checks its apiVersion/kind.
StatusOr<json> DecodeBody(Call& c, const api::Kind& kind) {
  ASSIGN_OR_RETURN(std::string validation, FieldValidation(c.req));
  ASSIGN_OR_RETURN(BodyFormat fmt, RequestBodyFormat(c.req.headers.Get("Content-Type").value_or("")));
  ASSIGN_OR_RETURN(json obj, DecodeRawBody(c.req, fmt));
  if (!obj.is_object()) {
    return Status::BadRequest(kind.kind + " in version \"" + kind.version + "\" cannot be handled as a " +
                              kind.kind + ": the object must be a JSON object");
  }
  // Unknown fields: JSON is checked on its bytes (that also finds duplicate
  // fields); protobuf cannot carry unknown fields.
  std::vector<std::string> unknown;
  if (validation != "Ignore") {
    if (fmt == BodyFormat::kJson) unknown = api::StrictFieldErrors(c.req.body, *kind.definition);
    if (fmt == BodyFormat::kYaml) unknown = api::FindUnknownFields(obj, *kind.definition);
  }
  std::string want_api = kind.ApiVersion();
  if (obj.contains("apiVersion") && obj["apiVersion"].is_string() && obj["apiVersion"] != "" &&
      obj["apiVersion"] != want_api) {
    return Status::BadRequest("the API version in the data (" + obj["apiVersion"].get<std::string>() +
                              ") does not match the expected API version (" + want_api + ")");
  }
  if (obj.contains("kind") && obj["kind"].is_string() && obj["kind"] != "" && obj["kind"] != kind.kind) {
    return Status::BadRequest(obj["kind"].get<std::string>() + " in version \"" + kind.version +
                              "\" cannot be handled as a " + kind.kind + ": the kind in the data (" +
                              obj["kind"].get<std::string>() + ") does not match the expected kind (" +
                              kind.kind + ")");
  }
  obj["apiVersion"] = want_api;
  obj["kind"] = kind.kind;
  RETURN_IF_ERROR(CheckUnknownFields(c, obj, kind, validation, std::move(unknown)));
  return obj;
}

// A body that may be empty (DELETE's DeleteOptions).
StatusOr<json> DecodeOptionalBody(const http::Request& req) {
  ASSIGN_OR_RETURN(BodyFormat fmt, RequestBodyFormat(req.headers.Get("Content-Type").value_or("")));
  if (req.body.empty()) return json::object();
  return DecodeRawBody(req, fmt);
}

const api::Kind* KindOf(std::string_view group, std::string_view version, std::string_view kind) {
  return api::Schema::Default().FindKind(group, version, kind);
}

// Common query parameters of writes: dryRun and fieldManager.
Status ParseWriteParams(Call& c) {
  auto dry = c.req.query.equal_range("dryRun");
  for (auto it = dry.first; it != dry.second; ++it) {
    if (it->second != "All") {
      return Status::BadRequest("Invalid dryRun value: " + it->second + ". Valid values: All");
    }
    c.ctx.dry_run = true;
  }
  std::string manager = c.req.Query("fieldManager").value_or("");
  if (manager.size() > kMaxFieldManagerLength) {
    return Status::Invalid("fieldManager: Too long: may not be more than 128 bytes");
  }
  if (manager.empty()) {
    // Upstream names an unnamed manager after the client's User-Agent
    // program ("kubectl/v1.32 (linux/amd64) ..." -> "kubectl").
    std::string ua(c.req.headers.Get("User-Agent").value_or("unknown"));
    manager = ua.substr(0, ua.find('/'));
    if (manager.size() > kMaxFieldManagerLength) manager.resize(kMaxFieldManagerLength);
  }
  c.ctx.field_manager = manager;
  return Status::Ok();
}

// ---- list / get / watch ----

registry::ListOptions ListOptionsOf(const http::Request& req, Status* error) {
  registry::ListOptions o;
  o.label_selector = req.Query("labelSelector").value_or("");
  o.field_selector = req.Query("fieldSelector").value_or("");
  o.continue_token = req.Query("continue").value_or("");
  o.resource_version = req.Query("resourceVersion");
  o.resource_version_match = req.Query("resourceVersionMatch").value_or("");
  if (auto limit = req.Query("limit"); limit && !limit->empty()) {
    try {
      size_t used = 0;
      o.limit = std::stoll(*limit, &used);
      if (used != limit->size()) throw std::invalid_argument("trailing");
    } catch (const std::exception&) {
      *error = Status::BadRequest("limit: invalid value \"" + *limit + "\"");
    }
  }
  return o;
}

void ServeList(Call& c) {
  Status err;
  registry::ListOptions o = ListOptionsOf(c.req, &err);
  if (!err.ok()) return Fail(c, err);
  auto result = c.reg.List(c.ctx, c.res, c.info.namespace_, o);
  if (!result.ok()) return Fail(c, result.status());
  std::string rv = api::FormatResourceVersion(result->revision);
  if (c.format.kind == ResponseKind::kTable) {
    std::vector<const json*> objs;
    objs.reserve(result->items.size());
    for (const auto& it : result->items) objs.push_back(&it->object());
    TableOptions opts;
    opts.now = api::Time::Now().UnixSeconds();
    opts.include_object = IncludeObjectOf(c.req);
    opts.resource_version = rv;
    opts.continue_token = result->continue_token;
    opts.remaining_item_count = result->remaining_item_count;
    auto table = PrintTable(c.res.group, c.res.kind, objs, opts);
    if (!table.ok()) return Fail(c, table.status());
    if (c.format.table_version != "v1") (*table)["apiVersion"] = "meta.k8s.io/" + c.format.table_version;
    std::string ct;
    std::string body = EncodeObject(*table, c.format, &ct);
    return (void)c.w->Send(200, {{"Content-Type", ct}}, std::move(body));
  }
  json meta = {{"resourceVersion", rv}};
  if (!result->continue_token.empty()) meta["continue"] = result->continue_token;
  if (result->remaining_item_count) meta["remainingItemCount"] = *result->remaining_item_count;
  if (c.format.kind == ResponseKind::kPartialObjectMetadata) {
    json list = {{"kind", "PartialObjectMetadataList"},
                 {"apiVersion", "meta.k8s.io/" + c.format.table_version},
                 {"metadata", meta},
                 {"items", json::array()}};
    for (const auto& it : result->items) list["items"].push_back(MetadataOnly(it->object(), c.format.table_version));
    std::string ct;
    std::string body = EncodeObject(list, c.format, &ct);
    return (void)c.w->Send(200, {{"Content-Type", ct}}, std::move(body));
  }
  if (c.format.format == BodyFormat::kJson) {
    // Items keep their encoded bytes: a list is a concatenation.
    std::string body = "{\"kind\":\"" + ListKindOf(c.res) + "\",\"apiVersion\":\"" + c.res.ApiVersion() +
                       "\",\"metadata\":" + meta.dump() + ",\"items\":[";
    for (size_t i = 0; i < result->items.size(); ++i) {
      if (i > 0) body += ',';
      body += result->items[i]->Json();
    }
    body += "]}\n";
    return (void)c.w->Send(200, {{"Content-Type", "application/json"}}, std::move(body));
  }
  json list = {{"kind", ListKindOf(c.res)}, {"apiVersion", c.res.ApiVersion()}, {"metadata", meta},
               {"items", json::array()}};
  for (const auto& it : result->items) list["items"].push_back(it->object());
  std::string ct;
  std::string body = EncodeObject(list, c.format, &ct);
  c.w->Send(200, {{"Content-Type", ct}}, std::move(body));
}

std::string_view EventType(registry::CacheEvent::Type t) {
  switch (t) {
    case registry::CacheEvent::Type::kAdded: return "ADDED";
    case registry::CacheEvent::Type::kModified: return "MODIFIED";
    case registry::CacheEvent::Type::kDeleted: return "DELETED";
    case registry::CacheEvent::Type::kBookmark: return "BOOKMARK";
  }
  return "ERROR";
}

// Protobuf watch streams (Content-Type application/vnd.kubernetes.protobuf;
// stream=watch): each frame is a 4-byte big-endian length, then a
// metav1.WatchEvent {type = 1; object = 2 (RawExtension {raw = 1})} without
// envelope, whose raw object is the enveloped protobuf of the object, which
// is how client-go's watch decoder reads them.
void AppendVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7f) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
}

std::string ProtobufWatchFrame(std::string_view type, std::string_view object_pb) {
  std::string raw;
  raw.push_back(0x0a);  // RawExtension.raw, bytes
  AppendVarint(raw, object_pb.size());
  raw.append(object_pb);
  std::string ev;
  ev.push_back(0x0a);  // WatchEvent.type, string
  AppendVarint(ev, type.size());
  ev.append(type);
  ev.push_back(0x12);  // WatchEvent.object, message
  AppendVarint(ev, raw.size());
  ev.append(raw);
  uint32_t n = static_cast<uint32_t>(ev.size());
  std::string frame = {static_cast<char>(n >> 24), static_cast<char>(n >> 16), static_cast<char>(n >> 8),
                       static_cast<char>(n)};
  return frame + ev;
}

// An ADDED/MODIFIED/DELETED event of a cached object: its encoded bytes,
// made once per object, in a JSON line or a protobuf frame.
std::string ObjectEvent(std::string_view type, const registry::CachedObject& obj, bool protobuf) {
  if (protobuf) return ProtobufWatchFrame(type, obj.Protobuf());
  return "{\"type\":\"" + std::string(type) + "\",\"object\":" + obj.Json() + "}\n";
}

// A BOOKMARK: the watched kind with only a resourceVersion (and, ending the
// initial events of sendInitialEvents, the k8s.io/initial-events-end
// annotation).
std::string BookmarkEvent(const ResourceInfo& res, int64_t revision, bool initial_events_end, bool protobuf) {
  json obj = {{"kind", res.kind},
              {"apiVersion", res.ApiVersion()},
              {"metadata", {{"resourceVersion", api::FormatResourceVersion(revision)}}}};
  if (initial_events_end) obj["metadata"]["annotations"] = {{"k8s.io/initial-events-end", "true"}};
  if (protobuf) {
    auto pb = api::EncodeProtobuf(obj);
    return ProtobufWatchFrame("BOOKMARK", pb.ok() ? *pb : std::string());
  }
  return json{{"type", "BOOKMARK"}, {"object", obj}}.dump() + "\n";
}

constexpr char kProtobufWatchContentType[] = "application/vnd.kubernetes.protobuf;stream=watch";

// The ERROR event carrying `s` as a metav1.Status, in the stream's format.
std::string ErrorEvent(const Status& s, bool protobuf) {
  if (protobuf) {
    auto pb = api::EncodeProtobuf(StatusObject(s, nullptr));
    return ProtobufWatchFrame("ERROR", pb.ok() ? *pb : std::string());
  }
  json ev = {{"type", "ERROR"}, {"object", StatusObject(s, nullptr)}};
  return ev.dump() + "\n";
}

void ServeWatch(Call& c) {
  registry::WatchOptions o;
  o.label_selector = c.req.Query("labelSelector").value_or("");
  o.field_selector = c.req.Query("fieldSelector").value_or("");
  o.resource_version = c.req.Query("resourceVersion");
  bool send_initial = c.req.Query("sendInitialEvents").value_or("") == "true";
  bool bookmarks = c.req.Query("allowWatchBookmarks").value_or("") == "true";
  std::chrono::seconds timeout = c.options.default_watch_timeout;
  {
    static thread_local std::mt19937 rng{std::random_device{}()};
    long long base = timeout.count();
    timeout = std::chrono::seconds(base + (base > 0 ? static_cast<long long>(rng() % static_cast<uint32_t>(base + 1)) : 0));
  }
  if (auto t = c.req.Query("timeoutSeconds"); t && !t->empty()) {
    try {
      timeout = std::chrono::seconds(std::max<long long>(0, std::stoll(*t)));
    } catch (const std::exception&) {
      return Fail(c, Status::BadRequest("timeoutSeconds: invalid value \"" + *t + "\""));
    }
  }
  if (send_initial) {
    if (c.req.Query("resourceVersionMatch").value_or("") != "NotOlderThan") {
      return Fail(c, Status::Invalid("resourceVersionMatch: Forbidden: sendInitialEvents requires setting "
                                     "resourceVersionMatch to NotOlderThan"));
    }
    if (!bookmarks) {
      return Fail(c, Status::Invalid("allowWatchBookmarks: Forbidden: sendInitialEvents requires setting "
                                     "allowWatchBookmarks to true"));
    }
  }

  // Protobuf streams for clients that prefer them (kubectl's typed clients);
  // Table and metadata watches stay JSON, as upstream has no protobuf Table.
  bool protobuf_stream = c.format.format == BodyFormat::kProtobuf && c.format.kind == ResponseKind::kObject;
  // Initial events for sendInitialEvents: the cache's state, then a
  // bookmark marking their end, then changes after that state's revision.
  std::string initial;
  int64_t initial_revision = 0;
  if (send_initial) {
    registry::ListOptions lo;
    lo.label_selector = o.label_selector;
    lo.field_selector = o.field_selector;
    lo.resource_version = o.resource_version.value_or("").empty() ? std::nullopt : o.resource_version;
    if (lo.resource_version) lo.resource_version_match = "NotOlderThan";
    auto state = c.reg.List(c.ctx, c.res, c.info.namespace_, lo);
    if (!state.ok()) return Fail(c, state.status());
    for (const auto& it : state->items) initial += ObjectEvent("ADDED", *it, protobuf_stream);
    initial_revision = state->revision;
    initial += BookmarkEvent(c.res, initial_revision, /*initial_events_end=*/true, protobuf_stream);
    o.resource_version = api::FormatResourceVersion(initial_revision);
  }

  auto watcher = c.reg.Watch(c.ctx, c.res, c.info.namespace_, o);
  if (!watcher.ok()) {
    StatusCode code = watcher.status().code();
    if (code == StatusCode::kExpired || code == StatusCode::kGone) {
      // Upstream answers 200 and ends the stream with an ERROR event.
      c.w->StartStream(200, {{"Content-Type", protobuf_stream ? kProtobufWatchContentType : "application/json"}});
      c.w->Write(ErrorEvent(Status::Expired(watcher.status().message()), protobuf_stream));
      c.w->Finish();
      return;
    }
    return Fail(c, watcher.status());
  }

  auto stream = std::make_unique<WatchStream>();
  stream->watcher = std::move(*watcher);
  stream->writer = c.w;
  stream->deadline = std::chrono::steady_clock::now() + timeout;
  stream->bookmark_interval = c.options.bookmark_interval;
  const ResourceInfo& res = c.res;
  if (c.format.kind == ResponseKind::kTable) {
    auto first = std::make_shared<bool>(true);
    std::string version = c.format.table_version;
    auto include = IncludeObjectOf(c.req);
    std::string form = "table/" + version + "/" + std::to_string(static_cast<int>(include)) + "/";
    stream->encode = [&res, first, version, include, form](const registry::CacheEvent& ev) -> std::string {
      // One Table row per event and form, shared by every watcher asking
      // for it (AGE is as of the first encoding).
      bool headers = *first;
      *first = false;
      std::string type(EventType(ev.type));
      return ev.object->Memo(form + type + (headers ? "/h" : "/n"), [&]() -> std::string {
        TableOptions opts;
        opts.now = api::Time::Now().UnixSeconds();
        opts.include_object = include;
        opts.no_headers = !headers;
        auto table = PrintTable(res.group, res.kind, {&ev.object->object()}, opts);
        if (!table.ok()) return "";
        if (version != "v1") (*table)["apiVersion"] = "meta.k8s.io/" + version;
        return "{\"type\":\"" + type + "\",\"object\":" + table->dump() + "}\n";
      });
    };
  } else if (c.format.kind == ResponseKind::kPartialObjectMetadata) {
    std::string version = c.format.table_version;
    stream->encode = [version](const registry::CacheEvent& ev) -> std::string {
      std::string type(EventType(ev.type));
      return ev.object->Memo("meta/" + version + "/" + type, [&] {
        return "{\"type\":\"" + type + "\",\"object\":" + MetadataOnly(ev.object->object(), version).dump() + "}\n";
      });
    };
  } else {
    stream->encode = [protobuf_stream](const registry::CacheEvent& ev) -> std::string {
      return ObjectEvent(EventType(ev.type), *ev.object, protobuf_stream);
    };
  }
  if (bookmarks && c.format.kind == ResponseKind::kObject) {
    stream->bookmark = [&res, protobuf_stream](int64_t rev) {
      return BookmarkEvent(res, rev, /*initial_events_end=*/false, protobuf_stream);
    };
  }
  stream->error = [protobuf_stream](const Status& s) -> std::string {
    // A watcher cut off for being slow, or a cache reload: the stream just
    // ends and the client re-watches (as upstream). Anything else is told.
    if (s.code() == StatusCode::kUnavailable) return "";
    return ErrorEvent(s, protobuf_stream);
  };
  std::string ct = c.format.kind == ResponseKind::kTable ? c.format.ContentType() : "application/json";
  if (c.format.kind == ResponseKind::kPartialObjectMetadata) ct = c.format.ContentType();
  if (protobuf_stream) ct = kProtobufWatchContentType;
  if (!c.w->StartStream(200, {{"Content-Type", ct}})) return;
  if (!initial.empty()) c.w->Write(initial);
  c.pump.Add(std::move(stream));
}

// ---- scale ----

// A LabelSelector rendered as upstream's selector string ("app=web,tier in
// (a,b)", requirements sorted by key), "" when absent or malformed.
std::string SelectorString(const json& selector) {
  auto s = api::LabelSelectorFromJson(&selector);
  return s.ok() ? s->String() : "";
}

json ToScale(const json& obj) {
  const json& meta = obj["metadata"];
  json scale = {{"kind", "Scale"}, {"apiVersion", "autoscaling/v1"}};
  json m = json::object();
  for (const char* f : {"name", "namespace", "uid", "resourceVersion", "creationTimestamp"}) {
    if (meta.contains(f)) m[f] = meta[f];
  }
  scale["metadata"] = m;
  int64_t replicas = 0;
  if (obj.contains("spec") && obj["spec"].contains("replicas") && obj["spec"]["replicas"].is_number_integer()) {
    replicas = obj["spec"]["replicas"].get<int64_t>();
  }
  scale["spec"] = {{"replicas", replicas}};
  json status = {{"replicas", 0}};
  if (obj.contains("status") && obj["status"].contains("replicas")) status["replicas"] = obj["status"]["replicas"];
  if (obj.contains("spec") && obj["spec"].contains("selector") && obj["spec"]["selector"].is_object()) {
    status["selector"] = SelectorString(obj["spec"]["selector"]);
  }
  scale["status"] = status;
  return scale;
}

StatusOr<int64_t> ScaleReplicas(Call& c, const json& scale) {
  const json* spec = scale.contains("spec") ? &scale["spec"] : nullptr;
  int64_t replicas = 0;
  if (spec && spec->contains("replicas")) {
    if (!(*spec)["replicas"].is_number_integer()) return Status::BadRequest("spec.replicas must be an integer");
    replicas = (*spec)["replicas"].get<int64_t>();
  }
  if (replicas < 0) {
    c.ctx.error.name = c.info.name;
    c.ctx.error.group = "autoscaling";
    c.ctx.error.kind = "Scale";
    c.ctx.error.causes = {{"FieldValueInvalid",
                           "Invalid value: " + std::to_string(replicas) + ": must be greater than or equal to 0",
                           "spec.replicas"}};
    return Status::Invalid("Scale.autoscaling \"" + c.info.name + "\" is invalid: spec.replicas: Invalid value: " +
                           std::to_string(replicas) + ": must be greater than or equal to 0");
  }
  return replicas;
}

void ServeScale(Call& c) {
  const api::Kind* scale_kind = KindOf("autoscaling", "v1", "Scale");
  if (c.info.verb == "get") {
    auto obj = c.reg.Get(c.ctx, c.res, c.info.namespace_, c.info.name);
    if (!obj.ok()) return Fail(c, obj.status());
    c.format.kind = ResponseKind::kObject;
    return Reply(c, 200, ToScale(**obj));
  }
  if (Status s = ParseWriteParams(c); !s.ok()) return Fail(c, s);
  registry::MutateFn mutate;
  json body;
  PatchType ptype = PatchType::kNone;
  if (c.info.verb == "update") {
    auto decoded = DecodeBody(c, *scale_kind);
    if (!decoded.ok()) return Fail(c, decoded.status());
    body = std::move(*decoded);
  } else {
    auto pt = RequestPatchType(c.req.headers.Get("Content-Type").value_or(""));
    if (!pt.ok()) return Fail(c, pt.status());
    ptype = *pt;
    auto parsed = ParsePatchBody(c.req.body, ptype);
    if (!parsed.ok()) return Fail(c, parsed.status());
    body = std::move(*parsed);
  }
  mutate = [&](const json* current) -> StatusOr<json> {
    json scale = ToScale(*current);
    json next_scale;
    if (ptype == PatchType::kNone) {
      next_scale = body;
      std::string rv = next_scale.contains("metadata") ? next_scale["metadata"].value("resourceVersion", "") : "";
      if (!rv.empty() && rv != (*current)["metadata"].value("resourceVersion", "")) {
        return Status::Conflict("Operation cannot be fulfilled on " + registry::QualifiedResource(c.res) + " \"" +
                                c.info.name +
                                "\": the object has been modified; please apply your changes to the latest "
                                "version and try again");
      }
    } else {
      ASSIGN_OR_RETURN(next_scale, ApplyPatch(ptype, scale, body, *scale_kind, c.ctx, false));
    }
    ASSIGN_OR_RETURN(int64_t replicas, ScaleReplicas(c, next_scale));
    json obj = *current;
    obj["spec"]["replicas"] = replicas;
    return obj;
  };
  auto r = c.reg.GuaranteedUpdate(c.ctx, c.res, c.info.namespace_, c.info.name, "scale", mutate);
  if (!r.ok()) return Fail(c, r.status());
  c.format.kind = ResponseKind::kObject;
  Reply(c, 200, ToScale(*r->object));
}

// ---- pods/binding, pods/eviction, namespaces/finalize ----

void ServeBinding(Call& c, const std::string& pod_name) {
  if (Status s = ParseWriteParams(c); !s.ok()) return Fail(c, s);
  auto body = DecodeBody(c, *KindOf("", "v1", "Binding"));
  if (!body.ok()) return Fail(c, body.status());
  std::string node = (*body)["target"].value("name", "");
  if (node.empty()) {
    c.ctx.error.causes = {{"FieldValueRequired", "Required value", "target.name"}};
    return Fail(c, Status::Invalid("Binding \"" + pod_name + "\" is invalid: target.name: Required value"));
  }
  const ResourceInfo* pods = c.reg.resources().Find("", "v1", "pods");
  auto r = c.reg.GuaranteedUpdate(c.ctx, *pods, c.info.namespace_, pod_name, "binding",
                                  [&](const json* cur) -> StatusOr<json> {
                                    json pod = *cur;
                                    std::string assigned = pod["spec"].value("nodeName", "");
                                    if (pod["metadata"].contains("deletionTimestamp")) {
                                      return Status::Conflict("pod " + pod_name +
                                                              " is being deleted, cannot be assigned to a host");
                                    }
                                    if (!assigned.empty()) {
                                      return Status::Conflict("pod " + pod_name + " is already assigned to node \"" +
                                                              assigned + "\"");
                                    }
                                    pod["spec"]["nodeName"] = node;
                                    json& conds = pod["status"]["conditions"];
                                    if (!conds.is_array()) conds = json::array();
                                    json cond = {{"type", "PodScheduled"},
                                                 {"status", "True"},
                                                 {"lastProbeTime", nullptr},
                                                 {"lastTransitionTime", api::Time::Now().FormatSeconds()}};
                                    bool replaced = false;
                                    for (auto& x : conds) {
                                      if (x.value("type", "") == "PodScheduled") {
                                        x = cond;
                                        replaced = true;
                                      }
                                    }
                                    if (!replaced) conds.push_back(cond);
                                    if ((*body)["metadata"].contains("annotations") &&
                                        (*body)["metadata"]["annotations"].is_object()) {
                                      for (auto it = (*body)["metadata"]["annotations"].begin();
                                           it != (*body)["metadata"]["annotations"].end(); ++it) {
                                        pod["metadata"]["annotations"][it.key()] = it.value();
                                      }
                                    }
                                    return pod;
                                  });
  if (!r.ok()) return Fail(c, r.status());
  ReplyStatusSuccess(c, 201, nullptr);
}

// A PDB's selector: null selects no pod (policy/v1), {} selects every pod.
StatusOr<api::LabelSelector> SelectorOf(const json& sel) { return api::LabelSelectorFromJson(&sel); }

registry::DeleteOptions DeleteOptionsOf(const json& body, const http::Request& req, Status* error);

void ServeEviction(Call& c, const std::string& pod_name) {
  if (Status s = ParseWriteParams(c); !s.ok()) return Fail(c, s);
  auto body = DecodeBody(c, *KindOf("policy", "v1", "Eviction"));
  if (!body.ok()) return Fail(c, body.status());
  const ResourceInfo* pods = c.reg.resources().Find("", "v1", "pods");
  auto pod = c.reg.Get(c.ctx, *pods, c.info.namespace_, pod_name);
  if (!pod.ok()) return Fail(c, pod.status());
  // PodDisruptionBudgets selecting the pod must allow a disruption.
  if (const ResourceInfo* pdbs = c.reg.resources().Find("policy", "v1", "poddisruptionbudgets")) {
    RequestContext ctx;
    auto list = c.reg.List(ctx, *pdbs, c.info.namespace_, {});
    api::Labels labels;
    if ((**pod)["metadata"].contains("labels")) {
      for (auto it = (**pod)["metadata"]["labels"].begin(); it != (**pod)["metadata"]["labels"].end(); ++it) {
        labels[it.key()] = it.value().get<std::string>();
      }
    }
    std::string phase = (**pod).contains("status") ? (**pod)["status"].value("phase", "") : "";
    bool terminal = phase == "Succeeded" || phase == "Failed";
    if (list.ok() && !terminal) {
      for (const auto& p : list->items) {
        const json& pdb = p->object();
        if (!pdb.contains("spec") || !pdb["spec"].contains("selector")) continue;
        auto sel = SelectorOf(pdb["spec"]["selector"]);
        if (!sel.ok() || !sel->Matches(labels)) continue;
        int64_t allowed = pdb.contains("status") ? pdb["status"].value("disruptionsAllowed", int64_t{0}) : 0;
        if (allowed <= 0) {
          c.ctx.error.causes = {{"DisruptionBudget",
                                 "The disruption budget " + pdb["metadata"].value("name", "") +
                                     " needs " +
                                     std::to_string(pdb.contains("status") ? pdb["status"].value("desiredHealthy", 0) : 0) +
                                     " healthy pods and has " +
                                     std::to_string(pdb.contains("status") ? pdb["status"].value("currentHealthy", 0) : 0) +
                                     " currently",
                                 ""}};
          c.ctx.error.retry_after_seconds = 10;
          return Fail(c, Status::TooManyRequests("Cannot evict pod as it would violate the pod's disruption budget."));
        }
      }
    }
  }
  Status err;
  json opts = body->contains("deleteOptions") ? (*body)["deleteOptions"] : json::object();
  registry::DeleteOptions d = DeleteOptionsOf(opts, c.req, &err);
  if (!err.ok()) return Fail(c, err);
  auto r = c.reg.Delete(c.ctx, *pods, c.info.namespace_, pod_name, d);
  if (!r.ok()) return Fail(c, r.status());
  ReplyStatusSuccess(c, 201, nullptr);
}

// ---- delete ----

registry::DeleteOptions DeleteOptionsOf(const json& body, const http::Request& req, Status* error) {
  registry::DeleteOptions o;
  if (body.is_object()) {
    if (body.contains("preconditions") && body["preconditions"].is_object()) {
      const json& p = body["preconditions"];
      if (p.contains("uid") && p["uid"].is_string()) o.precondition_uid = p["uid"].get<std::string>();
      if (p.contains("resourceVersion") && p["resourceVersion"].is_string()) {
        o.precondition_resource_version = p["resourceVersion"].get<std::string>();
      }
    }
    if (body.contains("gracePeriodSeconds") && body["gracePeriodSeconds"].is_number_integer()) {
      o.grace_period_seconds = body["gracePeriodSeconds"].get<int64_t>();
    }
    if (body.contains("propagationPolicy") && body["propagationPolicy"].is_string()) {
      o.propagation_policy = body["propagationPolicy"].get<std::string>();
    }
    if (body.contains("orphanDependents") && body["orphanDependents"].is_boolean()) {
      o.orphan_dependents = body["orphanDependents"].get<bool>();
    }
  }
  if (auto g = req.Query("gracePeriodSeconds"); g && !g->empty()) {
    try {
      o.grace_period_seconds = std::stoll(*g);
    } catch (const std::exception&) {
      *error = Status::BadRequest("gracePeriodSeconds: invalid value \"" + *g + "\"");
    }
  }
  if (auto p = req.Query("propagationPolicy"); p && !p->empty()) o.propagation_policy = *p;
  if (auto p = req.Query("orphanDependents"); p && !p->empty()) o.orphan_dependents = *p == "true";
  if (!o.propagation_policy.empty() && o.propagation_policy != "Orphan" && o.propagation_policy != "Background" &&
      o.propagation_policy != "Foreground") {
    *error = Status::Invalid("propagationPolicy: Unsupported value: \"" + o.propagation_policy +
                             "\": supported values: \"Foreground\", \"Background\", \"Orphan\"");
  }
  if (o.orphan_dependents && !o.propagation_policy.empty()) {
    *error = Status::Invalid("propagationPolicy: Invalid value: \"" + o.propagation_policy +
                             "\": orphanDependents and deletionPropagation cannot be both set");
  }
  return o;
}

void ServeDelete(Call& c) {
  if (Status s = ParseWriteParams(c); !s.ok()) return Fail(c, s);
  auto body = DecodeOptionalBody(c.req);
  if (!body.ok()) return Fail(c, body.status());
  Status err;
  registry::DeleteOptions o = DeleteOptionsOf(*body, c.req, &err);
  if (!err.ok()) return Fail(c, err);
  if (c.info.verb == "deletecollection") {
    Status lerr;
    registry::ListOptions lo = ListOptionsOf(c.req, &lerr);
    if (!lerr.ok()) return Fail(c, lerr);
    auto r = c.reg.DeleteCollection(c.ctx, c.res, c.info.namespace_, lo, o);
    if (!r.ok()) return Fail(c, r.status());
    json list = {{"kind", ListKindOf(c.res)}, {"apiVersion", c.res.ApiVersion()},
                 {"metadata", json::object()}, {"items", json::array()}};
    for (const auto& d : *r) list["items"].push_back(*d.object);
    c.format.kind = ResponseKind::kObject;
    return Reply(c, 200, list);
  }
  auto r = c.reg.Delete(c.ctx, c.res, c.info.namespace_, c.info.name, o);
  if (!r.ok()) return Fail(c, r.status());
  c.format.kind = ResponseKind::kObject;
  // Deleted now: the object for the kinds whose REST storage returns it, a
  // Status for the others. Still being deleted (finalizers, graceful): the
  // object.
  if (r->deleted && !c.res.delete_returns_object) return ReplyStatusSuccess(c, 200, r->object.get());
  int code = !r->deleted && o.orphan_dependents && !*o.orphan_dependents ? 202 : 200;
  Reply(c, code, *r->object);
}

// ---- create / update / patch ----

void ServeCreate(Call& c) {
  if (Status s = ParseWriteParams(c); !s.ok()) return Fail(c, s);
  const api::Kind* kind = KindOf(c.res.group, c.res.version, c.res.kind);
  if (!kind) return Fail(c, Status::Internal("no schema for " + c.res.kind));
  auto obj = DecodeBody(c, *kind);
  if (!obj.ok()) return Fail(c, obj.status());
  auto r = c.reg.Create(c.ctx, c.res, c.info.namespace_, std::move(*obj));
  if (!r.ok()) return Fail(c, r.status());
  Reply(c, 201, *r->object);
}

void ServeUpdate(Call& c) {
  if (Status s = ParseWriteParams(c); !s.ok()) return Fail(c, s);
  const api::Kind* kind = KindOf(c.res.group, c.res.version, c.res.kind);
  if (!kind) return Fail(c, Status::Internal("no schema for " + c.res.kind));
  auto obj = DecodeBody(c, *kind);
  if (!obj.ok()) return Fail(c, obj.status());
  std::string sub = c.info.subresource;
  if (sub == "finalize") {
    json body = std::move(*obj);
    auto r = c.reg.GuaranteedUpdate(c.ctx, c.res, "", c.info.name, "finalize",
                                    [&](const json* cur) -> StatusOr<json> {
                                      json next = *cur;
                                      if (body.contains("spec") && body["spec"].contains("finalizers")) {
                                        next["spec"]["finalizers"] = body["spec"]["finalizers"];
                                      } else if (next.contains("spec")) {
                                        next["spec"].erase("finalizers");
                                      }
                                      return next;
                                    });
    if (!r.ok()) return Fail(c, r.status());
    return Reply(c, 200, *r->object);
  }
  auto r = c.reg.Update(c.ctx, c.res, c.info.namespace_, c.info.name, sub, std::move(*obj));
  if (!r.ok()) return Fail(c, r.status());
  Reply(c, r->created ? 201 : 200, *r->object);
}

void ServePatch(Call& c) {
  if (Status s = ParseWriteParams(c); !s.ok()) return Fail(c, s);
  auto validation = FieldValidation(c.req);
  if (!validation.ok()) return Fail(c, validation.status());
  auto ptype = RequestPatchType(c.req.headers.Get("Content-Type").value_or(""));
  if (!ptype.ok()) return Fail(c, ptype.status());
  const api::Kind* kind = KindOf(c.res.group, c.res.version, c.res.kind);
  if (!kind) return Fail(c, Status::Internal("no schema for " + c.res.kind));
  auto body = ParsePatchBody(c.req.body, *ptype);
  if (!body.ok()) return Fail(c, body.status());
  bool apply = *ptype == PatchType::kApplyYaml;
  bool force = c.req.Query("force").value_or("") == "true";
  if (!apply && c.req.Query("force")) {
    return Fail(c, Status::BadRequest("force is only allowed for apply patches"));
  }
  if (apply) {
    if (!c.req.Query("fieldManager") || c.req.Query("fieldManager")->empty()) {
      return Fail(c, Status::BadRequest(
                         "PATCH requests with apply content type must have a fieldManager parameter"));
    }
    c.ctx.fields_tracked = true;
  }
  bool created_by_apply = false;
  auto mutate = [&](const json* current) -> StatusOr<json> {
    created_by_apply = current == nullptr;
    json base = current ? *current : json::object();
    json result;
    if (apply) {
      ASSIGN_OR_RETURN(result, ApplyServerSide(current, *body, *kind, c.ctx, force, c.res, c.info.name));
    } else {
      ASSIGN_OR_RETURN(result, ApplyPatch(*ptype, base, *body, *kind, c.ctx, true));
    }
    if (!result.is_object()) return Status::BadRequest("the patched object is not a JSON object");
    std::vector<std::string> unknown;
    if (*validation != "Ignore") unknown = api::FindUnknownFields(result, *kind->definition);
    RETURN_IF_ERROR(CheckUnknownFields(c, result, *kind, *validation, std::move(unknown)));
    if (!result.contains("apiVersion") || result["apiVersion"] != kind->ApiVersion()) {
      result["apiVersion"] = kind->ApiVersion();
    }
    result["kind"] = kind->kind;
    return result;
  };
  auto r = c.reg.GuaranteedUpdate(c.ctx, c.res, c.info.namespace_, c.info.name, c.info.subresource, mutate,
                                  apply && c.info.subresource.empty());
  if (!r.ok()) return Fail(c, r.status());
  Reply(c, r->created || created_by_apply ? 201 : 200, *r->object);
}

void ServeGet(Call& c) {
  std::string rv = c.req.Query("resourceVersion").value_or("");
  auto obj = c.reg.Get(c.ctx, c.res, c.info.namespace_, c.info.name, rv);
  if (!obj.ok()) return Fail(c, obj.status());
  Reply(c, 200, **obj);
}

json UserInfoJson(const auth::UserInfo& u) {
  json j = {{"username", u.name}, {"groups", u.groups}};
  if (!u.uid.empty()) j["uid"] = u.uid;
  if (!u.extra.empty()) j["extra"] = u.extra;
  return j;
}

auth::Attributes ReviewAttributes(const json& spec) {
  auth::Attributes a;
  if (spec.contains("resourceAttributes") && spec["resourceAttributes"].is_object()) {
    const json& r = spec["resourceAttributes"];
    a.resource_request = true;
    a.verb = r.value("verb", "");
    a.api_group = r.value("group", "");
    a.api_version = r.value("version", "");
    a.resource = r.value("resource", "");
    a.subresource = r.value("subresource", "");
    a.namespace_ = r.value("namespace", "");
    a.name = r.value("name", "");
  } else if (spec.contains("nonResourceAttributes") && spec["nonResourceAttributes"].is_object()) {
    a.resource_request = false;
    a.verb = spec["nonResourceAttributes"].value("verb", "");
    a.path = spec["nonResourceAttributes"].value("path", "");
  }
  return a;
}

// The review kinds: computed from the request, answered, never stored.
void ServeReview(Call& c, const AuthPair& auth, const auth::UserInfo& user) {
  if (Status s = ParseWriteParams(c); !s.ok()) return Fail(c, s);
  const api::Kind* kind = KindOf(c.res.group, c.res.version, c.res.kind);
  if (!kind) return Fail(c, Status::Internal("no schema for " + c.res.kind));
  auto body = DecodeBody(c, *kind);
  if (!body.ok()) return Fail(c, body.status());
  json obj = std::move(*body);
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) obj["metadata"] = json::object();
  obj["metadata"]["creationTimestamp"] = nullptr;
  const json spec = obj.contains("spec") ? obj["spec"] : json::object();
  const std::string& r = c.res.resource;
  if (r == "selfsubjectreviews") {
    obj["status"] = {{"userInfo", UserInfoJson(user)}};
  } else if (r == "tokenreviews") {
    auth::Credentials creds;
    creds.authorization = "Bearer " + spec.value("token", "");
    auto who = auth::AuthenticateRequest(auth.authenticator, creds);
    if (who.ok()) {
      obj["status"] = {{"authenticated", true}, {"user", UserInfoJson(*who)}};
    } else {
      obj["status"] = {{"authenticated", false}, {"user", json::object()}, {"error", who.status().message()}};
    }
  } else if (r == "selfsubjectrulesreviews") {
    auth::Attributes probe;
    probe.user = user;
    probe.verb = "*";
    probe.api_group = "*";
    probe.resource = "*";
    probe.namespace_ = spec.value("namespace", "");
    bool all = auth.authorizer.Authorize(probe).decision == auth::Decision::kAllow;
    json rules = json::array(), non_resource = json::array();
    if (all) {
      rules.push_back({{"verbs", {"*"}}, {"apiGroups", {"*"}}, {"resources", {"*"}}});
      non_resource.push_back({{"verbs", {"*"}}, {"nonResourceURLs", {"*"}}});
    }
    obj["status"] = {{"resourceRules", rules}, {"nonResourceRules", non_resource}, {"incomplete", !all}};
  } else {
    auth::Attributes a = ReviewAttributes(spec);
    if (r == "selfsubjectaccessreviews") {
      a.user = user;
    } else {
      a.user.name = spec.value("user", "");
      a.user.uid = spec.value("uid", "");
      if (spec.contains("groups") && spec["groups"].is_array()) {
        for (const auto& g : spec["groups"]) a.user.groups.push_back(g.get<std::string>());
      }
    }
    if (r == "localsubjectaccessreviews") a.namespace_ = c.info.namespace_;
    auto decision = auth.authorizer.Authorize(a);
    obj["status"] = {{"allowed", decision.decision == auth::Decision::kAllow}};
    if (decision.decision == auth::Decision::kDeny) obj["status"]["denied"] = true;
    if (!decision.reason.empty()) obj["status"]["reason"] = decision.reason;
  }
  Reply(c, 201, obj);
}

bool VerbAllowed(const ResourceInfo& res, const RequestInfo& info) {
  if (info.subresource.empty()) return res.HasVerb(info.verb);
  const SubresourceInfo* sub = res.FindSubresource(info.subresource);
  if (!sub) return false;
  return std::find(sub->verbs.begin(), sub->verbs.end(), info.verb) != sub->verbs.end();
}

}  // namespace

void ServeResource(registry::Registry& reg, WatchPump& pump, const HandlerOptions& options,
                   const AuthPair& auth, const http::Request& req, const RequestInfo& info,
                   const auth::UserInfo& user, const std::shared_ptr<http::ResponseWriter>& w) {
  const ResourceInfo* res = reg.resources().Find(info.group, info.version, info.resource);
  // POST namespaces/{ns}/bindings is the older form of pods/{name}/binding.
  bool bindings = info.group.empty() && info.resource == "bindings" && info.verb == "create";
  if (bindings) res = reg.resources().Find("", "v1", "pods");
  if (res == nullptr) {
    SendError(*w, Status::NotFound("the server could not find the requested resource"));
    return;
  }
  if (res->namespaced != !info.namespace_.empty() && !(info.verb == "list" || info.verb == "watch") &&
      !(res->group.empty() && res->resource == "namespaces")) {
    SendError(*w, Status::NotFound("the server could not find the requested resource"));
    return;
  }
  if (!res->namespaced && !info.namespace_.empty() && !(res->group.empty() && res->resource == "namespaces")) {
    SendError(*w, Status::NotFound("the server could not find the requested resource"));
    return;
  }
  Call c{reg, pump, options, req, info, *res, w, {}, {}};
  c.ctx.user = user.name;
  c.ctx.groups = user.groups;
  auto format = NegotiateResponse(req.headers.Get("Accept").value_or(""));
  if (!format.ok()) return Fail(c, format.status());
  c.format = *format;
  if (bindings) {
    auto body = api::DecodeJson(req.body);
    std::string name = body.ok() && body->is_object() && (*body)["metadata"].is_object()
                           ? (*body)["metadata"].value("name", "")
                           : "";
    return ServeBinding(c, name);
  }
  if (!VerbAllowed(*res, info)) {
    if (!info.subresource.empty() && res->FindSubresource(info.subresource) == nullptr) {
      return Fail(c, Status::NotFound("the server could not find the requested resource"));
    }
    return Fail(c, Status(StatusCode::kMethodNotAllowed,
                          "the server does not allow this method on the requested resource"));
  }
  if (res->resource.size() > 7 && res->resource.compare(res->resource.size() - 7, 7, "reviews") == 0 &&
      info.verb == "create") {
    return ServeReview(c, auth, user);
  }
  const std::string& sub = info.subresource;
  if (sub == "scale") return ServeScale(c);
  if (sub == "binding") return ServeBinding(c, info.name);
  if (sub == "eviction") return ServeEviction(c, info.name);
  if (!sub.empty() && sub != "status" && sub != "finalize") {
    // log, exec, attach, portforward, proxy: served by the kubelet, which
    // this server does not run yet.
    return Fail(c, Status::BadRequest(res->resource + "/" + sub + " is not available: no kubelet serves " +
                                      "this node yet"));
  }
  if (info.verb == "get") return ServeGet(c);
  if (info.verb == "list") return ServeList(c);
  if (info.verb == "watch") return ServeWatch(c);
  if (info.verb == "create") return ServeCreate(c);
  if (info.verb == "update") return ServeUpdate(c);
  if (info.verb == "patch") return ServePatch(c);
  if (info.verb == "delete" || info.verb == "deletecollection") return ServeDelete(c);
  Fail(c, Status(StatusCode::kMethodNotAllowed, "the server does not allow this method on the requested resource"));
}

}  // namespace kubepp::apiserver::endpoints
