#include "client/testing/fake_apiserver.h"

#include <map>
#include <mutex>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/labels.h"
#include "apiserver/http/server.h"

namespace kubepp::client {
namespace {

using nlohmann::json;
namespace http = apiserver::http;

struct ParsedPath {
  std::string group_version;  // "v1", "coordination.k8s.io/v1"
  std::string ns;
  std::string resource;
  std::string name;
  std::string subresource;
};

std::vector<std::string> Split(const std::string& path) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < path.size()) {
    size_t j = path.find('/', i);
    if (j == std::string::npos) j = path.size();
    if (j > i) out.push_back(path.substr(i, j - i));
    i = j + 1;
  }
  return out;
}

std::optional<ParsedPath> ParsePath(const std::string& path) {
  auto seg = Split(path);
  ParsedPath p;
  size_t i;
  if (seg.size() >= 3 && seg[0] == "api") {
    p.group_version = seg[1];
    i = 2;
  } else if (seg.size() >= 4 && seg[0] == "apis") {
    p.group_version = seg[1] + "/" + seg[2];
    i = 3;
  } else {
    return std::nullopt;
  }
  if (seg.size() - i >= 3 && seg[i] == "namespaces") {
    p.ns = seg[i + 1];
    i += 2;
  }
  p.resource = seg[i++];
  if (i < seg.size()) p.name = seg[i++];
  if (i < seg.size()) p.subresource = seg[i++];
  if (i < seg.size()) return std::nullopt;
  return p;
}

std::string KindOf(const std::string& resource) {
  static const std::map<std::string, std::string> kKinds = {
      {"configmaps", "ConfigMap"}, {"leases", "Lease"}, {"pods", "Pod"}, {"secrets", "Secret"}, {"nodes", "Node"}};
  auto it = kKinds.find(resource);
  return it != kKinds.end() ? it->second : resource;
}

json StatusBody(int code, const std::string& reason, const std::string& message) {
  return {{"kind", "Status"}, {"apiVersion", "v1"}, {"metadata", json::object()}, {"status", "Failure"},
          {"message", message}, {"reason", reason},  {"code", code}};
}

struct Event {
  int64_t rv;
  std::string type;
  std::string group_version, resource, ns;
  json object;
};

struct WatchStreamState {
  std::string group_version, resource, ns;
  api::LabelSelector selector;
  bool bookmarks = false;
  std::shared_ptr<http::ResponseWriter> writer;
};

struct Injected {
  std::string method;
  int code;
  std::string reason, message;
  int count;
};

class FakeApiServerImpl final : public FakeApiServer {
 public:
  explicit FakeApiServerImpl(Options options) : options_(std::move(options)) {}
  ~FakeApiServerImpl() override {
    CloseWatches();
    if (server_) server_->Stop();
  }

  Status Start() {
    http::ServerOptions so;
    so.plain_http = options_.cert_pem.empty();
    so.tls_cert_chain_pem = options_.cert_pem;
    so.tls_key_pem = options_.key_pem;
    so.client_ca_pem = options_.client_ca_pem;
    so.io_threads = 1;
    so.handler_threads = 2;
    ASSIGN_OR_RETURN(server_, http::Server::Start(so, [this](http::Request req, std::shared_ptr<http::ResponseWriter> w) {
                       Handle(std::move(req), std::move(w));
                     }));
    return Status::Ok();
  }

  std::string url() const override {
    return std::string(options_.cert_pem.empty() ? "http" : "https") + "://127.0.0.1:" +
           std::to_string(server_->port());
  }

  int64_t resource_version() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return rv_;
  }

  void CloseWatches() override {
    std::vector<WatchStreamState> watches;
    {
      std::lock_guard<std::mutex> lock(mu_);
      watches.swap(watches_);
    }
    for (auto& w : watches) w.writer->Finish();
  }

  void Compact() override {
    std::lock_guard<std::mutex> lock(mu_);
    compacted_ = rv_;
    history_.clear();
  }

  void SetDeliverEvents(bool deliver) override {
    std::lock_guard<std::mutex> lock(mu_);
    deliver_ = deliver;
  }

  void SendBookmarks() override {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& w : watches_) {
      if (!w.bookmarks) continue;
      json ev = {{"type", "BOOKMARK"},
                 {"object",
                  {{"kind", KindOf(w.resource)},
                   {"apiVersion", w.group_version},
                   {"metadata", {{"resourceVersion", std::to_string(rv_)}}}}}};
      w.writer->Write(ev.dump() + "\n");
    }
  }

  void FailNext(std::string method, int code, std::string reason, std::string message, int count) override {
    std::lock_guard<std::mutex> lock(mu_);
    injected_.push_back({std::move(method), code, std::move(reason), std::move(message), count});
  }

  int list_count() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return lists_;
  }
  int watch_count() const override {
    std::lock_guard<std::mutex> lock(mu_);
    return watch_requests_;
  }
  int open_watches() const override {
    std::lock_guard<std::mutex> lock(mu_);
    int n = 0;
    for (const auto& w : watches_) n += w.writer->closed() ? 0 : 1;
    return n;
  }

  std::shared_ptr<const json> Peek(const std::string& group_version, const std::string& resource,
                                   const std::string& ns, const std::string& name) const override {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(Key(group_version, resource, ns, name));
    if (it == objects_.end()) return nullptr;
    return std::make_shared<const json>(it->second);
  }

 private:
  static std::string Key(const std::string& gv, const std::string& resource, const std::string& ns,
                         const std::string& name) {
    return gv + "|" + resource + "|" + ns + "|" + name;
  }
  static std::string CollectionPrefix(const ParsedPath& p) { return Key(p.group_version, p.resource, p.ns, ""); }

  static void Reply(const std::shared_ptr<http::ResponseWriter>& w, int code, const json& body) {
    w->Send(code, http::Headers{{"Content-Type", "application/json"}}, body.dump());
  }
  static void Fail(const std::shared_ptr<http::ResponseWriter>& w, int code, const std::string& reason,
                   const std::string& message) {
    Reply(w, code, StatusBody(code, reason, message));
  }

  bool Authorized(const http::Request& req) const {
    if (!options_.require_auth) return true;
    if (!req.client_cert_chain_pem.empty()) return true;
    auto auth = req.headers.Get("Authorization");
    return auth && !options_.token.empty() && *auth == "Bearer " + options_.token;
  }

  void Handle(http::Request req, std::shared_ptr<http::ResponseWriter> w) {
    if (!Authorized(req)) return Fail(w, 401, "Unauthorized", "Unauthorized");
    {
      std::lock_guard<std::mutex> lock(mu_);
      for (auto it = injected_.begin(); it != injected_.end(); ++it) {
        if (!it->method.empty() && it->method != req.method) continue;
        Injected inj = *it;
        if (--it->count <= 0) injected_.erase(it);
        return Fail(w, inj.code, inj.reason, inj.message);
      }
    }
    auto parsed = ParsePath(req.path);
    if (!parsed) return Fail(w, 404, "NotFound", "the server could not find the requested resource");
    const ParsedPath& p = *parsed;
    json body;
    if (!req.body.empty()) {
      try {
        body = json::parse(req.body);
      } catch (const json::exception& e) {
        return Fail(w, 400, "BadRequest", std::string("invalid JSON: ") + e.what());
      }
    }
    if (req.method == "GET" && p.name.empty()) {
      auto watch = req.Query("watch");
      if (watch && (*watch == "true" || *watch == "1")) return Watch(req, p, w);
      return List(req, p, w);
    }
    if (req.method == "GET") return Get(p, w);
    if (req.method == "POST" && p.name.empty()) return Create(p, std::move(body), w);
    if (req.method == "PUT" && !p.name.empty()) return Update(p, std::move(body), w);
    if (req.method == "PATCH" && !p.name.empty()) {
      auto ct = req.headers.Get("Content-Type");
      if (!ct || *ct != "application/merge-patch+json") {
        return Fail(w, 415, "UnsupportedMediaType", "the fake serves merge patches only");
      }
      return Patch(p, body, w);
    }
    if (req.method == "DELETE" && !p.name.empty()) return Delete(p, body, w);
    return Fail(w, 405, "MethodNotAllowed", "the server does not allow this method on the requested resource");
  }

  std::string NotFoundMessage(const ParsedPath& p) const {
    std::string gr = p.resource;
    auto slash = p.group_version.find('/');
    if (slash != std::string::npos) gr += "." + p.group_version.substr(0, slash);
    return gr + " \"" + p.name + "\" not found";
  }
  std::string GroupResource(const ParsedPath& p) const {
    auto slash = p.group_version.find('/');
    return slash == std::string::npos ? p.resource : p.resource + "." + p.group_version.substr(0, slash);
  }

  static api::Labels LabelsOf(const json& obj) {
    api::Labels out;
    auto meta = obj.find("metadata");
    if (meta == obj.end()) return out;
    auto labels = meta->find("labels");
    if (labels == meta->end() || !labels->is_object()) return out;
    for (auto& [k, v] : labels->items()) {
      if (v.is_string()) out[k] = v.get<std::string>();
    }
    return out;
  }

  bool Matches(const std::string& key, const ParsedPath& p) const {
    // Key: gv|resource|ns|name; an empty p.ns matches every namespace.
    std::string want = p.group_version + "|" + p.resource + "|";
    if (key.compare(0, want.size(), want) != 0) return false;
    if (p.ns.empty()) return true;
    return key.compare(want.size(), p.ns.size() + 1, p.ns + "|") == 0;
  }

  void List(const http::Request& req, const ParsedPath& p, const std::shared_ptr<http::ResponseWriter>& w) {
    auto selector = api::LabelSelector::Parse(req.Query("labelSelector").value_or(""));
    if (!selector.ok()) return Fail(w, 400, "BadRequest", selector.status().message());
    int64_t limit = 0;
    if (auto l = req.Query("limit")) limit = std::atoll(l->c_str());
    std::string cont = req.Query("continue").value_or("");
    std::lock_guard<std::mutex> lock(mu_);
    ++lists_;
    json items = json::array();
    std::string next;
    std::string last_key;
    for (auto it = cont.empty() ? objects_.begin() : objects_.upper_bound(cont); it != objects_.end(); ++it) {
      if (!Matches(it->first, p) || !selector->Matches(LabelsOf(it->second))) continue;
      if (limit > 0 && static_cast<int64_t>(items.size()) == limit) {
        next = last_key;
        break;
      }
      items.push_back(it->second);
      last_key = it->first;
    }
    json meta = {{"resourceVersion", std::to_string(rv_)}};
    if (!next.empty()) meta["continue"] = next;
    Reply(w, 200,
          {{"kind", KindOf(p.resource) + "List"}, {"apiVersion", p.group_version}, {"metadata", meta},
           {"items", items}});
  }

  void Watch(const http::Request& req, const ParsedPath& p, const std::shared_ptr<http::ResponseWriter>& w) {
    auto selector = api::LabelSelector::Parse(req.Query("labelSelector").value_or(""));
    if (!selector.ok()) return Fail(w, 400, "BadRequest", selector.status().message());
    std::string rv_text = req.Query("resourceVersion").value_or("");
    std::lock_guard<std::mutex> lock(mu_);
    ++watch_requests_;
    w->StartStream(200, http::Headers{{"Content-Type", "application/json"}});
    auto send = [&](const std::string& type, const json& obj) {
      w->Write(json{{"type", type}, {"object", obj}}.dump() + "\n");
    };
    if (rv_text.empty() || rv_text == "0") {
      for (const auto& [key, obj] : objects_) {
        if (Matches(key, p) && selector->Matches(LabelsOf(obj))) send("ADDED", obj);
      }
    } else {
      int64_t from = std::atoll(rv_text.c_str());
      if (from < compacted_) {
        send("ERROR", StatusBody(410, "Expired",
                                 "too old resource version: " + rv_text + " (" + std::to_string(compacted_) + ")"));
        w->Finish();
        return;
      }
      for (const auto& ev : history_) {
        if (ev.rv <= from || ev.group_version != p.group_version || ev.resource != p.resource) continue;
        if (!p.ns.empty() && ev.ns != p.ns) continue;
        if (selector->Matches(LabelsOf(ev.object))) send(ev.type, ev.object);
      }
    }
    WatchStreamState state;
    state.group_version = p.group_version;
    state.resource = p.resource;
    state.ns = p.ns;
    state.selector = *selector;
    state.bookmarks = req.Query("allowWatchBookmarks").value_or("") == "true";
    state.writer = w;
    watches_.push_back(std::move(state));
  }

  void Get(const ParsedPath& p, const std::shared_ptr<http::ResponseWriter>& w) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = objects_.find(Key(p.group_version, p.resource, p.ns, p.name));
    if (it == objects_.end()) return Fail(w, 404, "NotFound", NotFoundMessage(p));
    Reply(w, 200, it->second);
  }

  // Records and fans out an event; mu_ held.
  void Emit(const std::string& type, const ParsedPath& p, const json& obj) {
    history_.push_back({rv_, type, p.group_version, p.resource, p.ns, obj});
    if (!deliver_) return;
    std::string line = json{{"type", type}, {"object", obj}}.dump() + "\n";
    std::erase_if(watches_, [](const WatchStreamState& s) { return s.writer->closed(); });
    for (auto& s : watches_) {
      if (s.group_version != p.group_version || s.resource != p.resource) continue;
      if (!s.ns.empty() && s.ns != p.ns) continue;
      if (!s.selector.Matches(LabelsOf(obj))) continue;
      s.writer->Write(line);
    }
  }

  void Create(ParsedPath p, json obj, const std::shared_ptr<http::ResponseWriter>& w) {
    if (!obj.is_object()) return Fail(w, 400, "BadRequest", "body must be an object");
    json& meta = obj["metadata"];
    if (!meta.is_object()) meta = json::object();
    std::lock_guard<std::mutex> lock(mu_);
    std::string name = meta.value("name", "");
    if (name.empty()) {
      std::string gen = meta.value("generateName", "");
      if (gen.empty()) return Fail(w, 422, "Invalid", KindOf(p.resource) + " \"\" is invalid: metadata.name: Required value: name or generateName is required");
      name = gen + std::to_string(rv_ + 1);
      meta["name"] = name;
    }
    p.name = name;
    std::string key = Key(p.group_version, p.resource, p.ns, name);
    if (objects_.count(key)) {
      return Fail(w, 409, "AlreadyExists", GroupResource(p) + " \"" + name + "\" already exists");
    }
    ++rv_;
    if (!p.ns.empty()) meta["namespace"] = p.ns;
    meta["resourceVersion"] = std::to_string(rv_);
    meta["uid"] = "uid-" + std::to_string(rv_);
    meta["creationTimestamp"] = "2024-01-01T00:00:00Z";
    objects_[key] = obj;
    Emit("ADDED", p, obj);
    Reply(w, 201, obj);
  }

  // Shared tail of PUT and PATCH: stores `obj` as the new version; mu_ held.
  void Store(const ParsedPath& p, const std::string& key, json obj, const std::shared_ptr<http::ResponseWriter>& w) {
    const json& old = objects_[key];
    ++rv_;
    obj["metadata"]["resourceVersion"] = std::to_string(rv_);
    obj["metadata"]["uid"] = old["metadata"]["uid"];
    obj["metadata"]["creationTimestamp"] = old["metadata"]["creationTimestamp"];
    if (!p.ns.empty()) obj["metadata"]["namespace"] = p.ns;
    objects_[key] = obj;
    Emit("MODIFIED", p, obj);
    Reply(w, 200, obj);
  }

  std::string ConflictMessage(const ParsedPath& p) const {
    return "Operation cannot be fulfilled on " + GroupResource(p) + " \"" + p.name +
           "\": the object has been modified; please apply your changes to the latest version and try again";
  }

  void Update(const ParsedPath& p, json obj, const std::shared_ptr<http::ResponseWriter>& w) {
    if (!obj.is_object() || !obj["metadata"].is_object()) return Fail(w, 400, "BadRequest", "body must be an object");
    std::lock_guard<std::mutex> lock(mu_);
    std::string key = Key(p.group_version, p.resource, p.ns, p.name);
    auto it = objects_.find(key);
    if (it == objects_.end()) return Fail(w, 404, "NotFound", NotFoundMessage(p));
    std::string rv = obj["metadata"].value("resourceVersion", "");
    if (!rv.empty() && rv != it->second["metadata"].value("resourceVersion", "")) {
      return Fail(w, 409, "Conflict", ConflictMessage(p));
    }
    if (p.subresource == "status") {
      json merged = it->second;
      if (obj.contains("status")) {
        merged["status"] = obj["status"];
      } else {
        merged.erase("status");
      }
      obj = std::move(merged);
    } else if (!p.subresource.empty()) {
      return Fail(w, 404, "NotFound", "the server could not find the requested resource");
    }
    Store(p, key, std::move(obj), w);
  }

  void Patch(const ParsedPath& p, const json& patch, const std::shared_ptr<http::ResponseWriter>& w) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string key = Key(p.group_version, p.resource, p.ns, p.name);
    auto it = objects_.find(key);
    if (it == objects_.end()) return Fail(w, 404, "NotFound", NotFoundMessage(p));
    json obj = it->second;
    obj.merge_patch(patch);
    std::string rv = patch.contains("metadata") && patch["metadata"].is_object()
                         ? patch["metadata"].value("resourceVersion", "")
                         : "";
    if (!rv.empty() && rv != it->second["metadata"].value("resourceVersion", "")) {
      return Fail(w, 409, "Conflict", ConflictMessage(p));
    }
    Store(p, key, std::move(obj), w);
  }

  void Delete(const ParsedPath& p, const json& options, const std::shared_ptr<http::ResponseWriter>& w) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string key = Key(p.group_version, p.resource, p.ns, p.name);
    auto it = objects_.find(key);
    if (it == objects_.end()) return Fail(w, 404, "NotFound", NotFoundMessage(p));
    if (options.is_object() && options.contains("preconditions")) {
      const json& pre = options["preconditions"];
      const json& meta = it->second["metadata"];
      if (pre.contains("resourceVersion") && pre["resourceVersion"] != meta["resourceVersion"]) {
        return Fail(w, 409, "Conflict",
                    "Operation cannot be fulfilled on " + GroupResource(p) + " \"" + p.name +
                        "\": Precondition failed: ResourceVersion in precondition: " +
                        pre["resourceVersion"].get<std::string>() +
                        ", ResourceVersion in object meta: " + meta["resourceVersion"].get<std::string>());
      }
      if (pre.contains("uid") && pre["uid"] != meta["uid"]) {
        return Fail(w, 409, "Conflict",
                    "Operation cannot be fulfilled on " + GroupResource(p) + " \"" + p.name +
                        "\": Precondition failed: UID in precondition: " + pre["uid"].get<std::string>() +
                        ", UID in object meta: " + meta["uid"].get<std::string>());
      }
    }
    json obj = it->second;
    objects_.erase(it);
    ++rv_;
    obj["metadata"]["resourceVersion"] = std::to_string(rv_);
    Emit("DELETED", p, obj);
    Reply(w, 200, obj);
  }

  const Options options_;
  std::unique_ptr<http::Server> server_;

  mutable std::mutex mu_;
  int64_t rv_ = 1;                        // guarded by mu_
  int64_t compacted_ = 0;                 // guarded by mu_
  bool deliver_ = true;                   // guarded by mu_
  std::map<std::string, json> objects_;  // guarded by mu_
  std::vector<Event> history_;            // guarded by mu_
  std::vector<WatchStreamState> watches_; // guarded by mu_
  std::vector<Injected> injected_;        // guarded by mu_
  int lists_ = 0;                         // guarded by mu_
  int watch_requests_ = 0;                // guarded by mu_
};

}  // namespace

StatusOr<std::unique_ptr<FakeApiServer>> FakeApiServer::Start(Options options) {
  auto server = std::make_unique<FakeApiServerImpl>(std::move(options));
  RETURN_IF_ERROR(server->Start());
  return std::unique_ptr<FakeApiServer>(std::move(server));
}

}  // namespace kubepp::client
