#include "apiserver/server/apiserver.h"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <nlohmann/json.hpp>

#include "api/schema/schema.h"
#include "apiserver/admission/plugins.h"
#include "apiserver/auth/authn.h"
#include "apiserver/auth/authz.h"
#include "apiserver/auth/kubeconfig.h"
#include "apiserver/auth/pki.h"
#include "apiserver/endpoints/handler.h"
#include "apiserver/http/server.h"
#include "apiserver/registry/registry.h"
#include "apiserver/server/hooks.h"
#include "common/log.h"
#include "storage/instrumented_store.h"

#include "apiserver/openapi/openapi.h"

namespace kubepp::apiserver {
namespace {

using nlohmann::json;

class ApiServerImpl final : public ApiServer {
 public:
  ApiServerImpl(const ApiServerOptions& options, storage::Store& store) : options_(options), store_(store) {}
  ~ApiServerImpl() override { Stop(); }

  Status Init();
  uint16_t port() const override { return http_ ? http_->port() : 0; }
  const std::string& kubeconfig_path() const override { return kubeconfig_path_; }
  registry::Registry& registry() override { return *registry_; }
  void Stop() override;

 private:
  Status Bootstrap();
  void AddOpenApiRoutes();
  void FinalizeNamespaces();
  bool FinalizeNamespace(const std::string& ns);

  const ApiServerOptions options_;
  storage::Store& store_;
  // The store as the registry sees it: timed for /metrics.
  std::unique_ptr<storage::Store> instrumented_;
  std::atomic<endpoints::ApiHandler*> metrics_sink_{nullptr};
  auth::Pki pki_;
  std::unique_ptr<auth::Authenticator> authn_;
  std::unique_ptr<auth::Authorizer> authz_;
  std::unique_ptr<registry::Registry> registry_;
  std::unique_ptr<endpoints::ApiHandler> handler_;
  std::unique_ptr<openapi::OpenApi> openapi_;
  std::unique_ptr<http::Server> http_;
  std::string kubeconfig_path_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;  // guarded by mu_
  std::thread finalizer_;
};

Status ApiServerImpl::Init() {
  auth::PkiOptions pki_options;
  pki_options.data_dir = options_.data_dir;
  pki_options.service_cidr = options_.service_cidr;
  pki_options.extra_sans = options_.extra_sans;
  ASSIGN_OR_RETURN(pki_, auth::EnsurePki(pki_options));

  std::vector<auth::AuthenticatorPtr> authenticators;
  authenticators.push_back(std::make_unique<auth::X509Authenticator>(pki_.ca.cert_pem));
  ASSIGN_OR_RETURN(std::string node_token, auth::EnsureNodeToken(options_.data_dir));
  ASSIGN_OR_RETURN(auto tokens, auth::TokenFileAuthenticator::Create(
                                    options_.token_auth_file, {auth::NodeBootstrapTokenEntry(node_token)}));
  authenticators.push_back(std::move(tokens));
  authn_ = std::make_unique<auth::UnionAuthenticator>(std::move(authenticators));
  authz_ = auth::DefaultAuthorizer();

  // Admission plugins read through the registry (created just below; the
  // lambdas only run once requests flow).
  admission::PluginOptions plugin_options;
  plugin_options.service_cidr = options_.service_cidr;
  plugin_options.lookup = [this](std::string_view group, std::string_view resource, std::string_view ns,
                                 std::string_view name) -> std::shared_ptr<const json> {
    // The plugins read v1 resources (namespaces, services, ...).
    const ResourceInfo* info = registry_->resources().Find(group, "v1", resource);
    if (info == nullptr) return nullptr;
    registry::RequestContext ctx;
    auto obj = registry_->Get(ctx, *info, ns, name);
    return obj.ok() ? *obj : nullptr;
  };
  plugin_options.lister = [this](std::string_view group, std::string_view resource) {
    std::vector<std::shared_ptr<const json>> out;
    const ResourceInfo* info = registry_->resources().Find(group, "v1", resource);
    if (info == nullptr) return out;
    for (const auto& o : registry_->cache().List(registry::Registry::KeyPrefix(*info)).objects) {
      out.push_back(o->shared_object());
    }
    return out;
  };
  registry::RegistryOptions ropts;
  ropts.cache.history_capacity = options_.watch_cache_size;
  instrumented_ = storage::NewInstrumentedStore(store_, [this](std::string_view op, std::chrono::nanoseconds d) {
    if (auto* h = metrics_sink_.load()) h->ObserveStore(op, d);
  });
  registry_ = std::make_unique<registry::Registry>(*instrumented_, ResourceTable::Default(), NewStrategyHooks(),
                                                   admission::DefaultPlugins(plugin_options), ropts);
  RETURN_IF_ERROR(registry_->Start());
  RETURN_IF_ERROR(Bootstrap());

  endpoints::HandlerOptions hopts;
  hopts.server_address = options_.bind_address + ":" + std::to_string(options_.port);
  hopts.default_watch_timeout = options_.min_request_timeout;
  handler_ = std::make_unique<endpoints::ApiHandler>(*registry_, *authn_, *authz_, hopts);
  metrics_sink_ = handler_.get();
  ASSIGN_OR_RETURN(openapi_, openapi::OpenApi::Build(api::Schema::Default(), ResourceTable::Default()));
  AddOpenApiRoutes();

  http::ServerOptions sopts;
  sopts.bind_address = options_.bind_address;
  sopts.port = options_.port;
  sopts.tls_cert_chain_pem = pki_.serving.cert_pem;
  sopts.tls_key_pem = pki_.serving.key_pem;
  sopts.client_ca_pem = pki_.ca.cert_pem;
  sopts.io_threads = options_.io_threads;
  sopts.handler_threads = options_.handler_threads;
  endpoints::ApiHandler* handler = handler_.get();
  ASSIGN_OR_RETURN(http_, http::Server::Start(sopts, [handler](http::Request req,
                                                               std::shared_ptr<http::ResponseWriter> w) {
                     handler->Serve(std::move(req), std::move(w));
                   }));
  handler_->SetReady(true);
  ASSIGN_OR_RETURN(kubeconfig_path_, auth::WriteAdminKubeconfig(options_.data_dir, http_->port(), pki_));
  finalizer_ = std::thread([this] { FinalizeNamespaces(); });
  return Status::Ok();
}

Status ApiServerImpl::Bootstrap() {
  const ResourceTable& table = registry_->resources();
  const ResourceInfo* namespaces = table.Find("", "v1", "namespaces");
  for (const auto& name : admission::SystemNamespaces()) {
    registry::RequestContext ctx;
    ctx.field_manager = "kubepp";
    auto r = registry_->Create(ctx, *namespaces, "", json{{"apiVersion", "v1"}, {"kind", "Namespace"},
                                                          {"metadata", {{"name", name}}}});
    if (!r.ok() && r.status().code() != StatusCode::kAlreadyExists) {
      return r.status().WithPrefix("creating namespace " + name);
    }
  }
  const ResourceInfo* priority_classes = table.Find("scheduling.k8s.io", "v1", "priorityclasses");
  for (const auto& [name, value] : admission::SystemPriorityClasses()) {
    registry::RequestContext pctx;
    pctx.field_manager = "kubepp";
    json pc = {{"apiVersion", "scheduling.k8s.io/v1"},
               {"kind", "PriorityClass"},
               {"metadata", {{"name", name}}},
               {"value", value},
               {"description", "Used for system critical pods that must not be moved from their current node."}};
    if (name == "system-cluster-critical") {
      pc["description"] = "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.";
    }
    auto r = registry_->Create(pctx, *priority_classes, "", pc);
    if (!r.ok() && r.status().code() != StatusCode::kAlreadyExists) {
      return r.status().WithPrefix("creating PriorityClass " + name);
    }
  }
  const ResourceInfo* services = table.Find("", "v1", "services");
  registry::RequestContext ctx;
  ctx.field_manager = "kubepp";
  json svc = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata",
               {{"name", "kubernetes"},
                {"namespace", "default"},
                {"labels", {{"component", "apiserver"}, {"provider", "kubernetes"}}}}},
              {"spec",
               {{"type", "ClusterIP"},
                {"sessionAffinity", "None"},
                {"ports", {{{"name", "https"}, {"port", 443}, {"protocol", "TCP"}, {"targetPort", options_.port}}}}}}};
  auto r = registry_->Create(ctx, *services, "default", svc);
  if (!r.ok() && r.status().code() != StatusCode::kAlreadyExists) {
    return r.status().WithPrefix("creating the kubernetes Service");
  }
  return Status::Ok();
}

void ApiServerImpl::AddOpenApiRoutes() {
  const openapi::OpenApi* doc = openapi_.get();
  handler_->AddRoute("/openapi/v2", false, [doc](const http::Request& req, http::ResponseWriter& w) {
    std::string accept(req.headers.Get("Accept").value_or(""));
    http::Headers h{{"ETag", "\"" + doc->V2Hash() + "\""}, {"Vary", "Accept"}};
    if (accept.find("protobuf") != std::string::npos) {
      // The '.' spelling: kubectl 1.27/1.28 cannot parse the '@' one.
      h.Add("Content-Type", std::string(openapi::kV2ProtobufContentType));
      w.Send(200, std::move(h), doc->V2Protobuf());
    } else {
      h.Add("Content-Type", "application/json");
      w.Send(200, std::move(h), doc->V2Json());
    }
  });
  handler_->AddRoute("/openapi/v3", true, [doc](const http::Request& req, http::ResponseWriter& w) {
    std::string_view path = req.path;
    if (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
    if (path == "/openapi/v3") {
      w.Send(200, {{"Content-Type", "application/json"}}, doc->V3Index());
      return;
    }
    const auto* d = doc->V3(path.substr(std::string_view("/openapi/v3/").size()));
    if (d == nullptr) {
      w.Send(404, {{"Content-Type", "text/plain"}}, "404 page not found\n");
      return;
    }
    http::Headers h{{"Content-Type", "application/json"}, {"ETag", "\"" + d->hash + "\""}};
    if (req.Query("hash").value_or("") == d->hash) {
      h.Add("Cache-Control", "public, immutable");
    } else {
      h.Add("Cache-Control", "no-cache, private");
    }
    w.Send(200, std::move(h), d->json);
  });
}

// Deletes the content of terminating namespaces, then releases them (the
// namespace controller's job until the controller manager exists).
void ApiServerImpl::FinalizeNamespaces() {
  const ResourceInfo* namespaces = registry_->resources().Find("", "v1", "namespaces");
  while (true) {
    {
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stopping_; });
      if (stopping_) return;
    }
    for (const auto& obj : registry_->cache().List(registry::Registry::KeyPrefix(*namespaces)).objects) {
      const json& ns = obj->object();
      if (!ns["metadata"].contains("deletionTimestamp")) continue;
      if (!ns.contains("spec") || !ns["spec"].contains("finalizers") || ns["spec"]["finalizers"].empty()) continue;
      FinalizeNamespace(ns["metadata"].value("name", ""));
    }
  }
}

bool ApiServerImpl::FinalizeNamespace(const std::string& ns) {
  bool empty = true;
  for (const auto& info : registry_->resources().resources()) {
    if (!info.namespaced || !info.HasVerb("delete")) continue;
    registry::RequestContext ctx;
    registry::DeleteOptions d;
    d.propagation_policy = "Background";
    auto deleted = registry_->DeleteCollection(ctx, info, ns, {}, d);
    if (!deleted.ok()) {
      LogWarning("namespace {}: deleting {}: {}", ns, info.resource, deleted.status().ToString());
      empty = false;
      continue;
    }
    for (const auto& r : *deleted) empty = empty && r.deleted;
  }
  if (!empty) return false;
  const ResourceInfo* namespaces = registry_->resources().Find("", "v1", "namespaces");
  registry::RequestContext ctx;
  ctx.field_manager = "kubepp-namespace-controller";
  auto r = registry_->GuaranteedUpdate(ctx, *namespaces, "", ns, "finalize", [](const json* cur) -> StatusOr<json> {
    json next = *cur;
    json kept = json::array();
    for (const auto& f : next["spec"]["finalizers"]) {
      if (f != "kubernetes") kept.push_back(f);
    }
    next["spec"]["finalizers"] = kept;
    return next;
  });
  if (!r.ok() && r.status().code() != StatusCode::kNotFound) {
    LogWarning("namespace {}: finalizing: {}", ns, r.status().ToString());
    return false;
  }
  return true;
}

void ApiServerImpl::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (finalizer_.joinable()) finalizer_.join();
  metrics_sink_ = nullptr;
  if (handler_) handler_->Shutdown();
  if (http_) http_->Stop();
  if (registry_) registry_->Stop();
}

}  // namespace

StatusOr<std::unique_ptr<ApiServer>> ApiServer::Start(const ApiServerOptions& options, storage::Store& store) {
  auto server = std::make_unique<ApiServerImpl>(options, store);
  RETURN_IF_ERROR(server->Init());
  return std::unique_ptr<ApiServer>(std::move(server));
}

}  // namespace kubepp::apiserver
