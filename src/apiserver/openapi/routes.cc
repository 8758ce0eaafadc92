#include "apiserver/openapi/routes.h"

#include <algorithm>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include "api/schema/schema.h"

namespace kubepp::apiserver::openapi::internal {
namespace {

using Params = std::vector<Parameter>;

Parameter Query(std::string name, std::string type) { return {std::move(name), "query", std::move(type), false}; }
Parameter PathParam(std::string name) { return {std::move(name), "path", "string", true}; }

const Params& ListParams() {
  static const Params p = {
      Query("allowWatchBookmarks", "boolean"), Query("continue", "string"),
      Query("fieldSelector", "string"),        Query("labelSelector", "string"),
      Query("limit", "integer"),               Query("resourceVersion", "string"),
      Query("resourceVersionMatch", "string"), Query("sendInitialEvents", "boolean"),
      Query("timeoutSeconds", "integer"),      Query("watch", "boolean"),
  };
  return p;
}

const Params& DeleteCollectionParams() {
  static const Params p = {
      Query("continue", "string"),
      Query("dryRun", "string"),
      Query("fieldSelector", "string"),
      Query("gracePeriodSeconds", "integer"),
      Query("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean"),
      Query("labelSelector", "string"),
      Query("limit", "integer"),
      Query("orphanDependents", "boolean"),
      Query("propagationPolicy", "string"),
      Query("resourceVersion", "string"),
      Query("resourceVersionMatch", "string"),
      Query("sendInitialEvents", "boolean"),
      Query("timeoutSeconds", "integer"),
  };
  return p;
}

const Params& DeleteParams() {
  static const Params p = {
      Query("dryRun", "string"),
      Query("gracePeriodSeconds", "integer"),
      Query("ignoreStoreReadErrorWithClusterBreakingPotential", "boolean"),
      Query("orphanDependents", "boolean"),
      Query("propagationPolicy", "string"),
  };
  return p;
}

const Params& WriteParams() {
  static const Params p = {Query("dryRun", "string"), Query("fieldManager", "string"),
                           Query("fieldValidation", "string")};
  return p;
}

const Params& PatchParams() {
  static const Params p = {Query("dryRun", "string"), Query("fieldManager", "string"),
                           Query("fieldValidation", "string"), Query("force", "boolean")};
  return p;
}

const Params& LogParams() {
  static const Params p = {
      Query("container", "string"),     Query("follow", "boolean"),
      Query("insecureSkipTLSVerifyBackend", "boolean"),
      Query("limitBytes", "integer"),   Query("previous", "boolean"),
      Query("sinceSeconds", "integer"), Query("stream", "string"),
      Query("tailLines", "integer"),    Query("timestamps", "boolean"),
  };
  return p;
}

// The query parameters of the connect subresources, by options kind (the
// fields of upstream's *Options types that travel in the query string).
Params ConnectParams(std::string_view options_kind) {
  if (options_kind == "PodExecOptions") {
    return {Query("command", "string"), Query("container", "string"), Query("stderr", "boolean"),
            Query("stdin", "boolean"),  Query("stdout", "boolean"),   Query("tty", "boolean")};
  }
  if (options_kind == "PodAttachOptions") {
    return {Query("container", "string"), Query("stderr", "boolean"), Query("stdin", "boolean"),
            Query("stdout", "boolean"), Query("tty", "boolean")};
  }
  if (options_kind == "PodPortForwardOptions") return {Query("ports", "integer")};
  // PodProxyOptions, ServiceProxyOptions, NodeProxyOptions.
  return {Query("path", "string")};
}

const std::vector<std::string>& ObjectProduces() {
  static const std::vector<std::string> p = {"application/json", "application/yaml",
                                             "application/vnd.kubernetes.protobuf"};
  return p;
}

const std::vector<std::string>& WatchProduces() {
  static const std::vector<std::string> p = {
      "application/json", "application/yaml", "application/vnd.kubernetes.protobuf",
      "application/json;stream=watch", "application/vnd.kubernetes.protobuf;stream=watch"};
  return p;
}

const std::vector<std::string>& LogProduces() {
  static const std::vector<std::string> p = {"text/plain", "application/json", "application/yaml",
                                             "application/vnd.kubernetes.protobuf"};
  return p;
}

const std::vector<std::string>& AnyMedia() {
  static const std::vector<std::string> p = {"*/*"};
  return p;
}

std::string UpperFirst(std::string_view s) {
  std::string out(s);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
  return out;
}

// The media types a PATCH accepts (upstream 1.33 without CBOR).
const std::vector<std::string>& PatchMediaTypes() {
  static const std::vector<std::string> p = {
      "application/json-patch+json", "application/merge-patch+json",
      "application/strategic-merge-patch+json", "application/apply-patch+yaml"};
  return p;
}

// Upstream's names for a group in operation ids and tags:
// "" -> "Core"/"core", "rbac.authorization.k8s.io" -> "RbacAuthorization"/"rbacAuthorization".
std::string GroupIdentifier(const std::string& group, bool upper_first) {
  std::string out;
  if (group.empty()) {
    out = "core";
  } else {
    std::string_view g = group;
    if (g.ends_with(".k8s.io")) g.remove_suffix(7);
    bool up = false;
    for (char c : g) {
      if (c == '.' || c == '-') {
        up = true;
        continue;
      }
      out.push_back(up && c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
      up = false;
    }
  }
  return upper_first ? UpperFirst(out) : out;
}

constexpr std::string_view kStatusDef = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
constexpr std::string_view kDeleteOptionsDef = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
constexpr std::string_view kWatchEventDef = "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent";

std::vector<Response> Responses(std::vector<int> codes, std::string_view def, bool string_body = false) {
  std::vector<Response> out;
  for (int c : codes) out.push_back({c, std::string(def), string_body});
  out.push_back({401, "", false});
  return out;
}

int MethodOrder(std::string_view m) {
  static const std::vector<std::string_view> order = {"get", "put", "post", "delete", "options", "head", "patch"};
  auto it = std::find(order.begin(), order.end(), m);
  return static_cast<int>(it - order.begin());
}

// Collects operations by path; Finish() hoists the shared parameters.
class RouteSet {
 public:
  // Adds `op` under `path`; `path_params` are the path's own parameters
  // (namespace, name, path, and pretty where upstream has it), which every
  // operation of the path carries before hoisting.
  void Add(const std::string& path, Operation op, const Params& path_params) {
    op.parameters.insert(op.parameters.begin(), path_params.begin(), path_params.end());
    ops_[path].push_back(std::move(op));
  }

  std::vector<PathItem> Finish() {
    std::vector<PathItem> out;
    for (auto& [path, ops] : ops_) {
      PathItem item;
      item.path = path;
      // Upstream moves a parameter every operation of the path has to the
      // path item; the rest stay on their operations.
      for (const Parameter& p : ops.front().parameters) {
        bool everywhere = std::all_of(ops.begin(), ops.end(), [&](const Operation& o) {
          return std::find(o.parameters.begin(), o.parameters.end(), p) != o.parameters.end();
        });
        if (everywhere) item.parameters.push_back(p);
      }
      for (Operation& o : ops) {
        std::erase_if(o.parameters, [&](const Parameter& p) {
          return std::find(item.parameters.begin(), item.parameters.end(), p) != item.parameters.end();
        });
        SortParams(o.parameters);
      }
      SortParams(item.parameters);
      std::stable_sort(ops.begin(), ops.end(), [](const Operation& a, const Operation& b) {
        return MethodOrder(a.method) < MethodOrder(b.method);
      });
      item.operations = std::move(ops);
      out.push_back(std::move(item));
    }
    return out;
  }

 private:
  static void SortParams(Params& p) {
    std::sort(p.begin(), p.end(), [](const Parameter& a, const Parameter& b) {
      return std::tie(a.name, a.in) < std::tie(b.name, b.in);
    });
  }

  std::map<std::string, std::vector<Operation>> ops_;  // sorted by path
};

struct Builder {
  const api::Schema& schema;
  std::string prefix;   // "/api/v1" or "/apis/apps/v1"
  std::string id_gv;    // "CoreV1", "AppsV1"
  std::string tag;      // "core_v1"
  RouteSet routes;

  Operation NewOp(std::string method, std::string id, std::string action, std::optional<Gvk> gvk) {
    Operation op;
    op.method = std::move(method);
    op.operation_id = std::move(id);
    op.tag = tag;
    op.action = std::move(action);
    op.gvk = std::move(gvk);
    op.consumes = AnyMedia();
    op.produces = ObjectProduces();
    return op;
  }

  std::string DefinitionOf(std::string_view group, std::string_view version, std::string_view kind,
                           bool list = false) const {
    const api::Kind* k = schema.FindKind(group, version, kind);
    if (k == nullptr) return "";
    const api::Definition* d = list ? k->list : k->definition;
    return d == nullptr ? "" : d->name;
  }

  // get / put / patch / post (create) on an object path whose body and
  // response are `def`.
  void AddObjectVerb(const std::string& path, const Params& path_params, std::string_view verb,
                     const std::string& id_suffix, const Gvk& gvk, const std::string& def) {
    if (verb == "get") {
      Operation op = NewOp("get", "read" + id_gv + id_suffix, "get", gvk);
      op.responses = Responses({200}, def);
      routes.Add(path, std::move(op), path_params);
    } else if (verb == "update") {
      Operation op = NewOp("put", "replace" + id_gv + id_suffix, "put", gvk);
      op.parameters = WriteParams();
      op.body = def;
      op.body_required = true;
      op.responses = Responses({200, 201}, def);
      routes.Add(path, std::move(op), path_params);
    } else if (verb == "patch") {
      Operation op = NewOp("patch", "patch" + id_gv + id_suffix, "patch", gvk);
      op.parameters = PatchParams();
      op.body = "io.k8s.apimachinery.pkg.apis.meta.v1.Patch";
      op.body_required = true;
      op.patch_body = true;
      op.consumes = PatchMediaTypes();
      op.responses = Responses({200, 201}, def);
      routes.Add(path, std::move(op), path_params);
    } else if (verb == "create") {
      Operation op = NewOp("post", "create" + id_gv + id_suffix, "post", gvk);
      op.parameters = WriteParams();
      op.body = def;
      op.body_required = true;
      op.responses = Responses({200, 201, 202}, def);
      routes.Add(path, std::move(op), path_params);
    }
  }

  void AddWatch(const std::string& path, const Params& path_params, std::string id, bool list,
                const Gvk& gvk) {
    Operation op = NewOp("get", std::move(id), list ? "watchlist" : "watch", gvk);
    op.parameters = ListParams();
    op.produces = WatchProduces();
    op.responses = Responses({200}, kWatchEventDef);
    routes.Add(path, std::move(op), path_params);
  }

  void AddResource(const ResourceInfo& r) {
    const bool ns = r.namespaced;
    const std::string scope = ns ? "Namespaced" : "";
    const Gvk gvk{r.group, r.version, r.kind};
    const std::string def = r.definition.empty() ? DefinitionOf(r.group, r.version, r.kind) : r.definition;
    const std::string list_def = DefinitionOf(r.group, r.version, r.kind, /*list=*/true);
    const Parameter pretty = Query("pretty", "string");

    const std::string coll = ns ? prefix + "/namespaces/{namespace}/" + r.resource : prefix + "/" + r.resource;
    const std::string item = coll + "/{name}";
    Params coll_params = ns ? Params{PathParam("namespace"), pretty} : Params{pretty};
    Params item_params = ns ? Params{PathParam("name"), PathParam("namespace"), pretty}
                            : Params{PathParam("name"), pretty};
    Params connect_params = ns ? Params{PathParam("name"), PathParam("namespace")} : Params{PathParam("name")};

    if (r.HasVerb("list")) {
      Operation op = NewOp("get", "list" + id_gv + scope + r.kind, "list", gvk);
      op.parameters = ListParams();
      op.produces = WatchProduces();
      op.responses = Responses({200}, list_def);
      routes.Add(coll, op, coll_params);
      if (ns) {
        op.operation_id = "list" + id_gv + r.kind + "ForAllNamespaces";
        routes.Add(prefix + "/" + r.resource, std::move(op), {pretty});
      }
    }
    if (r.HasVerb("create")) AddObjectVerb(coll, coll_params, "create", scope + r.kind, gvk, def);
    if (r.HasVerb("deletecollection")) {
      Operation op = NewOp("delete", "delete" + id_gv + "Collection" + scope + r.kind, "deletecollection", gvk);
      op.parameters = DeleteCollectionParams();
      op.body = kDeleteOptionsDef;
      op.responses = Responses({200}, kStatusDef);
      routes.Add(coll, std::move(op), coll_params);
    }
    for (std::string_view verb : {"get", "update", "patch"}) {
      if (r.HasVerb(verb)) AddObjectVerb(item, item_params, verb, scope + r.kind, gvk, def);
    }
    if (r.HasVerb("delete")) {
      Operation op = NewOp("delete", "delete" + id_gv + scope + r.kind, "delete", gvk);
      op.parameters = DeleteParams();
      op.body = kDeleteOptionsDef;
      op.responses = Responses({200, 202}, r.delete_returns_object ? def : std::string(kStatusDef));
      routes.Add(item, std::move(op), item_params);
    }
    if (r.HasVerb("watch")) {
      const std::string watch = prefix + "/watch/";
      if (ns) {
        AddWatch(watch + "namespaces/{namespace}/" + r.resource, coll_params,
                 "watch" + id_gv + "Namespaced" + r.kind + "List", true, gvk);
        AddWatch(watch + "namespaces/{namespace}/" + r.resource + "/{name}", item_params,
                 "watch" + id_gv + "Namespaced" + r.kind, false, gvk);
        AddWatch(watch + r.resource, {pretty}, "watch" + id_gv + r.kind + "ListForAllNamespaces", true, gvk);
      } else {
        AddWatch(watch + r.resource, coll_params, "watch" + id_gv + r.kind + "List", true, gvk);
        AddWatch(watch + r.resource + "/{name}", item_params, "watch" + id_gv + r.kind, false, gvk);
      }
    }

    for (const SubresourceInfo& s : r.subresources) {
      const std::string path = item + "/" + s.name;
      const std::string suffix = scope + r.kind + UpperFirst(s.name);
      const Gvk sub_gvk{s.group, s.version, s.kind};
      if (s.kind.ends_with("Options")) {  // a connect subresource (exec, attach, proxy, ...)
        AddConnect(path, connect_params, s, suffix, sub_gvk, "");
        if (s.name == "proxy") {
          Params with_path = connect_params;
          with_path.push_back(PathParam("path"));
          AddConnect(path + "/{path}", with_path, s, suffix, sub_gvk, "WithPath");
        }
        continue;
      }
      if (s.name == "log") {
        Operation op = NewOp("get", "read" + id_gv + suffix, "get", sub_gvk);
        op.parameters = LogParams();
        op.produces = LogProduces();
        op.responses = Responses({200}, "", /*string_body=*/true);
        routes.Add(path, std::move(op), item_params);
        continue;
      }
      const std::string sub_def = DefinitionOf(s.group, s.version, s.kind);
      for (const std::string& verb : s.verbs) {
        AddObjectVerb(path, item_params, verb, suffix, sub_gvk, sub_def);
      }
    }
  }

  void AddConnect(const std::string& path, const Params& path_params, const SubresourceInfo& s,
                  const std::string& suffix, const Gvk& gvk, const std::string& id_tail) {
    std::vector<std::string> methods;
    for (const std::string& verb : s.verbs) {
      if (verb == "get") methods.push_back("get");
      else if (verb == "create") methods.push_back("post");
      else if (verb == "update") methods.push_back("put");
      else if (verb == "delete") methods.push_back("delete");
      else if (verb == "patch") methods.push_back("patch");
    }
    // The proxy subresources also answer HEAD and OPTIONS (not discovery verbs).
    if (s.name == "proxy") {
      methods.push_back("head");
      methods.push_back("options");
    }
    Params all = path_params;
    for (const Parameter& p : ConnectParams(s.kind)) all.push_back(p);
    for (const std::string& m : methods) {
      Operation op = NewOp(m, "connect" + id_gv + UpperFirst(m) + suffix + id_tail, "connect", gvk);
      op.produces = AnyMedia();
      op.responses = Responses({200}, "", /*string_body=*/true);
      routes.Add(path, std::move(op), all);
    }
  }
};

}  // namespace

std::vector<PathItem> BuildRoutes(const ResourceTable& table, const api::Schema& schema,
                                  const GroupVersion& gv) {
  Builder b{schema, {}, {}, {}, {}};
  b.prefix = gv.group.empty() ? "/api/" + gv.version : "/apis/" + gv.group + "/" + gv.version;
  b.id_gv = GroupIdentifier(gv.group, true) + UpperFirst(gv.version);
  b.tag = GroupIdentifier(gv.group, false) + "_" + gv.version;
  for (const ResourceInfo* r : table.ResourcesIn(gv.group, gv.version)) b.AddResource(*r);
  return b.routes.Finish();
}

}  // namespace kubepp::apiserver::openapi::internal
