#include "apiserver/registry/registry.h"

#include <openssl/rand.h>

#include <algorithm>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "api/fields.h"
#include "api/labels.h"
#include "api/names.h"
#include "api/resource_version.h"
#include "api/time.h"
#include "common/encoding.h"
#include "common/log.h"

namespace kubepp::apiserver::registry {

using nlohmann::json;

// ---- Hooks / AdmissionPlugin defaults ----

void Hooks::Default(const ResourceInfo&, json&) const {}
void Hooks::PrepareForCreate(const ResourceInfo&, json&) const {}
void Hooks::PrepareForUpdate(const ResourceInfo&, json&, const json&) const {}
void Hooks::PrepareForStatusUpdate(const ResourceInfo&, json&, const json&) const {}
api::FieldErrors Hooks::ValidateCreate(const ResourceInfo&, const json&) const { return {}; }
api::FieldErrors Hooks::ValidateUpdate(const ResourceInfo&, const json&, const json&) const { return {}; }
api::FieldErrors Hooks::ValidateStatusUpdate(const ResourceInfo&, const json&, const json&) const {
  return {};
}
Status Hooks::TrackFields(const ResourceInfo&, std::string_view, const json*, json&, std::string_view,
                          std::string_view) const {
  return Status::Ok();
}
Status AdmissionPlugin::Admit(AdmissionRequest&) const { return Status::Ok(); }
Status AdmissionPlugin::Validate(const AdmissionRequest&) const { return Status::Ok(); }

namespace {

constexpr int kMaxUpdateRetries = 16;
constexpr int kMaxGenerateNameAttempts = 8;

// Kinds whose metadata.generation counts spec changes (upstream sets it in
// their strategies' PrepareForCreate/PrepareForUpdate).
bool TracksGeneration(const ResourceInfo& info) {
  static const std::set<std::pair<std::string, std::string>, std::less<>> kKinds = {
      {"apps", "Deployment"},       {"apps", "ReplicaSet"},
      {"apps", "StatefulSet"},      {"apps", "DaemonSet"},
      {"batch", "Job"},             {"batch", "CronJob"},
      {"autoscaling", "HorizontalPodAutoscaler"},
      {"policy", "PodDisruptionBudget"},
      {"networking.k8s.io", "NetworkPolicy"},
      {"networking.k8s.io", "Ingress"},
      {"scheduling.k8s.io", "PriorityClass"},
      {"", "ReplicationController"},
  };
  return kKinds.count({info.group, info.kind}) > 0;
}

// Kinds upstream lets PUT create (AllowCreateOnUpdate).
bool AllowsCreateOnUpdate(const ResourceInfo& info) {
  static const std::set<std::pair<std::string, std::string>, std::less<>> kKinds = {
      {"", "Endpoints"}, {"", "Event"}, {"events.k8s.io", "Event"}, {"coordination.k8s.io", "Lease"},
      {"", "LimitRange"}, {"discovery.k8s.io", "EndpointSlice"},
  };
  return kKinds.count({info.group, info.kind}) > 0;
}

bool HasStatus(const ResourceInfo& info) { return info.FindSubresource("status") != nullptr; }

std::string NowSeconds() { return api::Time::Now().FormatSeconds(); }

const json* Member(const json& obj, std::string_view name) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(name);
  return it == obj.end() ? nullptr : &*it;
}

std::string StringAt(const json& obj, std::string_view a, std::string_view b) {
  const json* x = Member(obj, a);
  const json* y = x ? Member(*x, b) : nullptr;
  return y && y->is_string() ? y->get<std::string>() : std::string();
}

json& Meta(json& obj) {
  json& m = obj["metadata"];
  if (!m.is_object()) m = json::object();
  return m;
}

std::string StoredValue(json obj) {
  if (auto it = obj.find("metadata"); it != obj.end() && it->is_object()) it->erase("resourceVersion");
  return obj.dump();
}

std::shared_ptr<const json> Stamped(json obj, int64_t revision) {
  Meta(obj)["resourceVersion"] = api::FormatResourceVersion(revision);
  return std::make_shared<const json>(std::move(obj));
}

StatusOr<json> DecodeStored(std::string_view key, std::string_view value) {
  try {
    return json::parse(value);
  } catch (const json::exception& e) {
    return Status::Internal("stored object " + std::string(key) + " is not JSON: " + e.what());
  }
}

Status NotFoundError(RequestContext& ctx, const ResourceInfo& info, std::string_view name) {
  ctx.error.name = std::string(name);
  ctx.error.group = info.group;
  ctx.error.kind = info.resource;
  return Status::NotFound(QualifiedResource(info) + " \"" + std::string(name) + "\" not found");
}

Status ConflictError(RequestContext& ctx, const ResourceInfo& info, std::string_view name) {
  ctx.error.name = std::string(name);
  ctx.error.group = info.group;
  ctx.error.kind = info.resource;
  return Status::Conflict("Operation cannot be fulfilled on " + QualifiedResource(info) + " \"" +
                          std::string(name) +
                          "\": the object has been modified; please apply your changes to the latest "
                          "version and try again");
}

// 422 in upstream's shape: message `Kind.group "name" is invalid: <errors>`,
// details.kind = Kind, one cause per field error.
Status InvalidError(RequestContext& ctx, const ResourceInfo& info, std::string_view name,
                    const api::FieldErrors& errors) {
  ctx.error.name = std::string(name);
  ctx.error.group = info.group;
  ctx.error.kind = info.kind;
  ctx.error.causes.clear();
  for (const auto& e : errors) {
    ctx.error.causes.push_back({std::string(api::CauseReason(e.type)), e.Message(), e.field});
  }
  return Status::Invalid(api::InvalidObjectMessage(info.group, info.kind, name, errors));
}

// Field values for field selectors: metadata.name/namespace everywhere, the
// resource's own selectable fields by JSON path (bools and numbers as text).
std::optional<std::string> FieldValue(const json& obj, std::string_view field) {
  const json* cur = &obj;
  size_t start = 0;
  while (start <= field.size()) {
    size_t dot = field.find('.', start);
    std::string_view part = field.substr(start, dot == std::string_view::npos ? field.npos : dot - start);
    cur = Member(*cur, part);
    if (cur == nullptr) return std::string();
    if (dot == std::string_view::npos) break;
    start = dot + 1;
  }
  if (cur->is_string()) return cur->get<std::string>();
  if (cur->is_boolean()) return cur->get<bool>() ? "true" : "false";
  if (cur->is_number()) return cur->dump();
  if (cur->is_null()) return std::string();
  return cur->dump();
}

api::Labels LabelsOf(const json& obj) {
  api::Labels out;
  const json* meta = Member(obj, "metadata");
  const json* labels = meta ? Member(*meta, "labels") : nullptr;
  if (labels && labels->is_object()) {
    for (auto it = labels->begin(); it != labels->end(); ++it) {
      if (it.value().is_string()) out.emplace(it.key(), it.value().get<std::string>());
    }
  }
  return out;
}

struct ContinueToken {
  int64_t revision = 0;
  std::string start_after;  // full key
};

std::string EncodeContinue(int64_t revision, std::string_view key) {
  json t = {{"v", "meta.k8s.io/v1"}, {"rv", revision}, {"start", std::string(key)}};
  return Base64Encode(t.dump());
}

StatusOr<ContinueToken> DecodeContinue(std::string_view token, std::string_view prefix) {
  auto raw = Base64Decode(token);
  if (!raw) return Status::BadRequest("continue key is not valid: not base64");
  try {
    json t = json::parse(*raw);
    if (!t.is_object() || t.value("v", "") != "meta.k8s.io/v1" || !t["rv"].is_number_integer() ||
        !t["start"].is_string()) {
      return Status::BadRequest("continue key is not valid: incorrect encoded start resourceVersion");
    }
    ContinueToken c{t["rv"].get<int64_t>(), t["start"].get<std::string>()};
    if (c.revision <= 0) return Status::BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)");
    if (c.start_after.rfind(prefix, 0) != 0) return Status::BadRequest("continue key is not valid: key does not match the requested range");
    return c;
  } catch (const json::exception&) {
    return Status::BadRequest("continue key is not valid: not JSON");
  }
}

bool MetadataOnlyDiffers(const json& a, const json& b) {
  json x = a, y = b;
  x.erase("metadata");
  y.erase("metadata");
  x.erase("status");
  y.erase("status");
  return x == y;
}

// Object equality for no-op detection: managedFields timestamps and the
// resourceVersion do not count.
bool SameForNoop(const json& a, const json& b) {
  auto strip = [](json o) {
    if (auto it = o.find("metadata"); it != o.end() && it->is_object()) {
      it->erase("resourceVersion");
      if (auto mf = it->find("managedFields"); mf != it->end() && mf->is_array()) {
        for (auto& e : *mf) {
          if (e.is_object()) e.erase("time");
        }
      }
    }
    return o;
  };
  return strip(a) == strip(b);
}

bool HasFinalizers(const json& obj) {
  const json* meta = Member(obj, "metadata");
  const json* f = meta ? Member(*meta, "finalizers") : nullptr;
  return f && f->is_array() && !f->empty();
}

bool BeingDeleted(const json& obj) {
  const json* meta = Member(obj, "metadata");
  const json* ts = meta ? Member(*meta, "deletionTimestamp") : nullptr;
  return ts && ts->is_string();
}

// Namespaces finalize through spec.finalizers (the namespace controller).
bool HasSpecFinalizers(const ResourceInfo& info, const json& obj) {
  if (!(info.group.empty() && info.kind == "Namespace")) return false;
  const json* spec = Member(obj, "spec");
  const json* f = spec ? Member(*spec, "finalizers") : nullptr;
  return f && f->is_array() && !f->empty();
}

void AddFinalizer(json& obj, std::string_view name) {
  json& f = Meta(obj)["finalizers"];
  if (!f.is_array()) f = json::array();
  for (const auto& x : f) {
    if (x == name) return;
  }
  f.push_back(std::string(name));
}

}  // namespace

std::string QualifiedResource(const ResourceInfo& info) {
  return info.group.empty() ? info.resource : info.resource + "." + info.group;
}

std::string NewUid() {
  unsigned char b[16];
  if (RAND_bytes(b, sizeof b) != 1) {
    // RAND_bytes does not fail on Linux with a seeded kernel RNG; fall back
    // to std::random_device rather than abort.
    std::random_device rd;
    for (auto& x : b) x = static_cast<unsigned char>(rd());
  }
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    out.push_back(kHex[b[i] >> 4]);
    out.push_back(kHex[b[i] & 15]);
  }
  return out;
}

StatusOr<ObjectFilter> MakeFilter(const ResourceInfo& info, std::string_view label_selector,
                                  std::string_view field_selector) {
  auto labels = api::LabelSelector::Parse(label_selector);
  if (!labels.ok()) return Status::BadRequest(labels.status().message());
  auto fields = api::FieldSelector::Parse(field_selector);
  if (!fields.ok()) return Status::BadRequest(fields.status().message());
  for (const auto& req : fields->requirements()) {
    if (req.field != "metadata.name" && req.field != "metadata.namespace" &&
        !info.SupportsFieldSelector(req.field)) {
      return Status::BadRequest("field label not supported: " + req.field);
    }
  }
  bool no_labels = label_selector.empty();
  bool no_fields = fields->Empty();
  if (no_labels && no_fields) return ObjectFilter();
  auto ls = std::make_shared<api::LabelSelector>(std::move(*labels));
  auto fs = std::make_shared<api::FieldSelector>(std::move(*fields));
  return ObjectFilter([ls, fs, no_labels, no_fields](const json& obj) {
    if (!no_labels && !ls->Matches(LabelsOf(obj))) return false;
    if (!no_fields && !fs->Matches([&](std::string_view f) { return FieldValue(obj, f); })) return false;
    return true;
  });
}

Registry::Registry(storage::Store& store, const ResourceTable& resources, std::unique_ptr<Hooks> hooks,
                   std::vector<AdmissionPluginPtr> admission, RegistryOptions options)
    : store_(store),
      resources_(resources),
      hooks_(hooks ? std::move(hooks) : std::make_unique<Hooks>()),
      admission_(std::move(admission)),
      options_(options),
      cache_(std::make_unique<WatchCache>(store, "/registry/", &DecodeStored, options.cache)) {}

Registry::~Registry() { Stop(); }

Status Registry::Start() { return cache_->Start(); }
void Registry::Stop() { cache_->Stop(); }

std::string Registry::KeyPrefix(const ResourceInfo& info, std::string_view ns) {
  std::string p = "/registry/";
  p += info.group.empty() ? "core" : info.group;
  p += '/';
  p += info.resource;
  p += '/';
  if (info.namespaced && !ns.empty()) {
    p += ns;
    p += '/';
  }
  return p;
}

std::string Registry::Key(const ResourceInfo& info, std::string_view ns, std::string_view name) {
  return KeyPrefix(info, ns) + std::string(name);
}

Status Registry::RunAdmission(AdmissionRequest& request, bool mutating) const {
  for (const auto& plugin : admission_) {
    Status s = mutating ? plugin->Admit(request) : plugin->Validate(request);
    if (!s.ok()) return s;
  }
  return Status::Ok();
}

int64_t Registry::LeaseFor(const ResourceInfo& info) {
  bool ttl = (info.resource == "events" && (info.group.empty() || info.group == "events.k8s.io")) ||
             (info.resource == "leases" && info.group == "coordination.k8s.io");
  if (!ttl) return 0;
  constexpr auto kReuse = std::chrono::seconds(60);
  std::lock_guard lock(lease_mu_);
  auto now = std::chrono::steady_clock::now();
  if (lease_id_ != 0 && now - lease_granted_ < kReuse) return lease_id_;
  auto granted = store_.Grant(options_.ttl + kReuse);
  if (!granted.ok()) {
    LogWarning("registry: granting a store lease: {}", granted.status().ToString());
    return 0;  // better stored for ever than not stored
  }
  lease_id_ = *granted;
  lease_granted_ = now;
  return lease_id_;
}

StatusOr<int64_t> Registry::ConsistentRevision() {
  int64_t rev = store_.CurrentRevision();
  RETURN_IF_ERROR(cache_->WaitUntil(rev, options_.consistent_read_timeout));
  return rev;
}

// ---- create ----

StatusOr<WriteResult> Registry::Create(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                                       json obj) {
  return CreateLocked(ctx, info, ns, std::move(obj), /*from_update=*/false);
}

StatusOr<WriteResult> Registry::CreateLocked(RequestContext& ctx, const ResourceInfo& info,
                                             std::string_view ns, json obj, bool from_update) {
  if (!obj.is_object()) return Status::BadRequest("the request body must be a JSON object");
  json& meta = Meta(obj);
  if (info.namespaced) {
    std::string obj_ns = meta.value("namespace", "");
    if (!obj_ns.empty() && obj_ns != ns) {
      return Status::BadRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
    meta["namespace"] = std::string(ns);
  } else {
    meta.erase("namespace");
  }
  if (!from_update && meta.contains("resourceVersion") && !meta["resourceVersion"].is_null() &&
      meta["resourceVersion"] != "") {
    return Status::BadRequest("resourceVersion should not be set on objects to be created");
  }
  meta.erase("resourceVersion");
  std::string now = NowSeconds();
  meta["uid"] = NewUid();
  meta["creationTimestamp"] = now;
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  meta.erase("selfLink");
  if (TracksGeneration(info)) {
    meta["generation"] = 1;
  } else {
    meta.erase("generation");
  }
  bool generated = false;
  std::string generate_name;
  if (meta.value("name", "").empty() && meta.contains("generateName") && meta["generateName"].is_string() &&
      !meta["generateName"].get<std::string>().empty()) {
    generate_name = meta["generateName"].get<std::string>();
    meta["name"] = api::GenerateName(generate_name);
    generated = true;
  }
  std::string name = meta.value("name", "");

  hooks_->PrepareForCreate(info, obj);
  hooks_->Default(info, obj);
  AdmissionRequest areq{&info, "", Operation::kCreate, std::string(ns), name, &obj, nullptr, &ctx};
  RETURN_IF_ERROR(RunAdmission(areq, /*mutating=*/true));
  api::FieldErrors errors = hooks_->ValidateCreate(info, obj);
  if (!errors.empty()) return InvalidError(ctx, info, name, errors);
  RETURN_IF_ERROR(RunAdmission(areq, /*mutating=*/false));
  if (!ctx.fields_tracked) RETURN_IF_ERROR(hooks_->TrackFields(info, "", nullptr, obj, ctx.field_manager, now));
  name = Meta(obj).value("name", "");

  if (ctx.dry_run) {
    // Upstream leaves resourceVersion empty on a dry-run create.
    return WriteResult{std::make_shared<const json>(std::move(obj)), true};
  }
  for (int attempt = 0;; ++attempt) {
    std::string key = Key(info, ns, name);
    storage::WriteResult wr = store_.Create(key, StoredValue(obj), LeaseFor(info));
    if (wr.ok()) return WriteResult{Stamped(std::move(obj), wr.revision), true};
    if (wr.status.code() == StatusCode::kAlreadyExists) {
      if (generated && attempt + 1 < kMaxGenerateNameAttempts) {
        name = api::GenerateName(generate_name);
        Meta(obj)["name"] = name;
        continue;
      }
      ctx.error.name = name;
      ctx.error.group = info.group;
      ctx.error.kind = info.resource;
      if (generated) {
        ctx.error.retry_after_seconds = 1;
        return Status::AlreadyExists(QualifiedResource(info) + " \"" + name +
                                     "\" already exists, the server was not able to generate a unique "
                                     "name for the object");
      }
      return Status::AlreadyExists(QualifiedResource(info) + " \"" + name + "\" already exists");
    }
    return wr.status;
  }
}

// ---- get / list ----

StatusOr<std::shared_ptr<const json>> Registry::Get(RequestContext& ctx, const ResourceInfo& info,
                                                    std::string_view ns, std::string_view name,
                                                    std::string_view resource_version) {
  std::string key = Key(info, ns, name);
  if (resource_version == "0") {
    ObjectPtr cached = cache_->Get(key);
    if (!cached) return NotFoundError(ctx, info, name);
    return cached->shared_object();
  }
  int64_t at = 0;
  if (!resource_version.empty()) {
    auto rv = api::ResourceVersion::Parse(resource_version);
    if (!rv.ok()) return Status::BadRequest(rv.status().message());
    // Get with resourceVersion=N means "not older than N": serve the latest
    // once the store has reached it.
    if (rv->is_exact() && rv->revision() > store_.CurrentRevision()) {
      return Status::Timeout("Too large resource version: " + std::string(resource_version) +
                             ", current: " + std::to_string(store_.CurrentRevision()));
    }
  }
  auto kv = store_.Get(key, at);
  if (!kv.ok()) {
    if (kv.status().code() == StatusCode::kNotFound) return NotFoundError(ctx, info, name);
    return kv.status();
  }
  ASSIGN_OR_RETURN(json obj, DecodeStored(key, kv->value));
  return Stamped(std::move(obj), kv->mod_revision);
}

StatusOr<ListResult> Registry::List(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                                    const ListOptions& options) {
  (void)ctx;
  ASSIGN_OR_RETURN(ObjectFilter filter, MakeFilter(info, options.label_selector, options.field_selector));
  std::string prefix = KeyPrefix(info, ns);
  if (options.limit < 0) return Status::BadRequest("limit must be non-negative");

  std::optional<api::ResourceVersion> rv;
  if (options.resource_version && !options.resource_version->empty()) {
    auto parsed = api::ResourceVersion::Parse(*options.resource_version);
    if (!parsed.ok()) return Status::BadRequest(parsed.status().message());
    rv = *parsed;
  }
  const std::string& match = options.resource_version_match;
  if (!match.empty() && match != "NotOlderThan" && match != "Exact") {
    return Status::BadRequest("resourceVersionMatch: Unsupported value: \"" + match +
                              "\": supported values: \"Exact\", \"NotOlderThan\"");
  }
  if (!match.empty() && !rv) {
    return Status::BadRequest(
        "resourceVersionMatch is forbidden unless resourceVersion is provided");
  }
  if (!options.continue_token.empty() && rv) {
    return Status::BadRequest("specifying resource version is not allowed when using continue");
  }
  if (match == "Exact" && rv && rv->kind() == api::ResourceVersion::Kind::kAny) {
    return Status::BadRequest("resourceVersionMatch \"Exact\" is forbidden for resourceVersion \"0\"");
  }

  bool exact = match == "Exact";
  bool paginate = options.limit > 0 || !options.continue_token.empty();
  bool from_cache = !exact && !(paginate && (!rv || rv->is_exact()));
  ListResult out;
  if (from_cache) {
    if (rv && rv->is_exact()) {
      RETURN_IF_ERROR(cache_->WaitUntil(rv->revision(), options_.consistent_read_timeout));
    } else if (!rv) {
      ASSIGN_OR_RETURN(int64_t ignored, ConsistentRevision());
      (void)ignored;
    }
    WatchCache::Snapshot snap = cache_->List(prefix);
    out.revision = snap.revision;
    for (auto& o : snap.objects) {
      if (!filter || filter(o->object())) out.items.push_back(std::move(o));
    }
    return out;
  }

  // From the store, at one revision across pages.
  storage::ListOptions lo;
  lo.range = storage::KeyRange::Prefix(prefix);
  if (!options.continue_token.empty()) {
    ASSIGN_OR_RETURN(ContinueToken c, DecodeContinue(options.continue_token, prefix));
    lo.revision = c.revision;
    lo.start_after = c.start_after;
  } else if (rv && rv->is_exact()) {
    lo.revision = rv->revision();
  }
  int64_t want = options.limit;
  lo.limit = want > 0 ? want : 0;
  while (true) {
    auto page = store_.List(lo);
    if (!page.ok()) {
      if (page.status().code() == StatusCode::kGone) {
        if (!options.continue_token.empty()) {
          return Status::Expired(
              "The provided continue parameter is too old to display a consistent list result. You can "
              "start a new list without the continue parameter.");
        }
        return Status::Expired("resourceVersion " + std::to_string(lo.revision) +
                               " is too old (compacted)");
      }
      return page.status();
    }
    lo.revision = page->revision;
    out.revision = page->revision;
    for (auto& kv : page->kvs) {
      ASSIGN_OR_RETURN(json obj, DecodeStored(kv.key, kv.value));
      Meta(obj)["resourceVersion"] = api::FormatResourceVersion(kv.mod_revision);
      if (filter && !filter(obj)) {
        lo.start_after = kv.key;
        continue;
      }
      out.items.push_back(std::make_shared<CachedObject>(kv.key, kv.mod_revision,
                                                         std::make_shared<const json>(std::move(obj))));
      lo.start_after = kv.key;
      if (want > 0 && static_cast<int64_t>(out.items.size()) >= want) break;
    }
    bool full = want > 0 && static_cast<int64_t>(out.items.size()) >= want;
    if (full) {
      // More keys exist past this one (in this page, or the store said so).
      bool more_in_page = !page->kvs.empty() && page->kvs.back().key != lo.start_after;
      if (more_in_page || page->more) {
        out.continue_token = EncodeContinue(out.revision, lo.start_after);
        if (!filter) {
          int64_t rest = page->remaining;
          if (more_in_page) {
            auto it = std::find_if(page->kvs.begin(), page->kvs.end(),
                                   [&](const storage::KeyValue& kv) { return kv.key == lo.start_after; });
            rest += static_cast<int64_t>(page->kvs.end() - it) - 1;
          }
          out.remaining_item_count = rest;
        }
      }
      return out;
    }
    if (!page->more) return out;
    if (want > 0) lo.limit = std::max<int64_t>(want - static_cast<int64_t>(out.items.size()), 64);
  }
}

// ---- update ----

StatusOr<WriteResult> Registry::Update(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                                       std::string_view name, std::string_view subresource, json obj) {
  if (!obj.is_object()) return Status::BadRequest("the request body must be a JSON object");
  json& meta = Meta(obj);
  std::string obj_name = meta.value("name", "");
  if (obj_name != name) {
    return Status::BadRequest("the name of the object (" + obj_name +
                              ") does not match the name on the URL (" + std::string(name) + ")");
  }
  if (info.namespaced) {
    std::string obj_ns = meta.value("namespace", "");
    if (!obj_ns.empty() && obj_ns != ns) {
      return Status::BadRequest(
          "the namespace of the provided object does not match the namespace sent on the request");
    }
  }
  std::string want_rv;
  if (meta.contains("resourceVersion") && meta["resourceVersion"].is_string()) {
    want_rv = meta["resourceVersion"].get<std::string>();
  }
  std::string key = Key(info, ns, name);
  for (int attempt = 0; attempt < kMaxUpdateRetries; ++attempt) {
    auto kv = store_.Get(key);
    if (!kv.ok()) {
      if (kv.status().code() != StatusCode::kNotFound) return kv.status();
      if (!subresource.empty() || !AllowsCreateOnUpdate(info)) return NotFoundError(ctx, info, name);
      auto created = CreateLocked(ctx, info, ns, obj, /*from_update=*/true);
      if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) continue;
      return created;
    }
    if (!want_rv.empty() && want_rv != api::FormatResourceVersion(kv->mod_revision)) {
      return ConflictError(ctx, info, name);
    }
    ASSIGN_OR_RETURN(json current, DecodeStored(key, kv->value));
    auto result = CommitUpdate(ctx, info, ns, name, subresource, *kv, current, obj);
    if (!result.ok() && result.status().code() == StatusCode::kConflict && want_rv.empty() &&
        ctx.error.causes.empty()) {
      continue;  // someone wrote in between: an unconditional update retries
    }
    return result;
  }
  return ConflictError(ctx, info, name);
}

StatusOr<WriteResult> Registry::GuaranteedUpdate(RequestContext& ctx, const ResourceInfo& info,
                                                 std::string_view ns, std::string_view name,
                                                 std::string_view subresource, const MutateFn& mutate,
                                                 bool create_if_missing) {
  std::string key = Key(info, ns, name);
  for (int attempt = 0; attempt < kMaxUpdateRetries; ++attempt) {
    auto kv = store_.Get(key);
    if (!kv.ok()) {
      if (kv.status().code() != StatusCode::kNotFound) return kv.status();
      if (!create_if_missing) return NotFoundError(ctx, info, name);
      ASSIGN_OR_RETURN(json obj, mutate(nullptr));
      auto created = CreateLocked(ctx, info, ns, std::move(obj), /*from_update=*/true);
      if (!created.ok() && created.status().code() == StatusCode::kAlreadyExists) continue;
      return created;
    }
    ASSIGN_OR_RETURN(json current, DecodeStored(key, kv->value));
    Meta(current)["resourceVersion"] = api::FormatResourceVersion(kv->mod_revision);
    ASSIGN_OR_RETURN(json obj, mutate(&current));
    if (!obj.is_object()) return Status::BadRequest("the patched object must be a JSON object");
    // A resourceVersion the client put into its patch is a precondition.
    std::string patched_rv = obj.contains("metadata") && obj["metadata"].is_object()
                                 ? obj["metadata"].value("resourceVersion", "")
                                 : "";
    bool precondition = !patched_rv.empty() && patched_rv != api::FormatResourceVersion(kv->mod_revision);
    if (precondition) return ConflictError(ctx, info, name);
    std::string obj_name = Meta(obj).value("name", "");
    if (obj_name != name) {
      return InvalidError(ctx, info, name,
                          {api::FieldError::Invalid("metadata.name", api::GoQuote(obj_name),
                                                    "field is immutable")});
    }
    auto result = CommitUpdate(ctx, info, ns, name, subresource, *kv, current, std::move(obj));
    if (!result.ok() && result.status().code() == StatusCode::kConflict && ctx.error.causes.empty()) {
      continue;
    }
    return result;
  }
  return ConflictError(ctx, info, name);
}

StatusOr<WriteResult> Registry::CommitUpdate(RequestContext& ctx, const ResourceInfo& info,
                                             std::string_view ns, std::string_view name,
                                             std::string_view subresource, const storage::KeyValue& current_kv,
                                             const json& current_in, json obj) {
  json current = current_in;
  Meta(current)["resourceVersion"] = api::FormatResourceVersion(current_kv.mod_revision);
  json& meta = Meta(obj);
  const json& old_meta = current["metadata"];
  bool status_update = subresource == "status";
  if (status_update) {
    // A status update changes status only (upstream's status strategies).
    json next = current;
    if (obj.contains("status")) {
      next["status"] = obj["status"];
    } else {
      next.erase("status");
    }
    obj = std::move(next);
  } else {
    // Fields a client cannot change through the main resource.
    for (const char* f : {"uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds",
                          "generation", "namespace", "selfLink"}) {
      if (old_meta.contains(f)) {
        meta[f] = old_meta[f];
      } else {
        meta.erase(f);
      }
    }
    if (!info.namespaced) meta.erase("namespace");
    if (HasStatus(info) && subresource.empty()) {
      if (current.contains("status")) {
        obj["status"] = current["status"];
      } else {
        obj.erase("status");
      }
    }
    // A deleting object may lose finalizers but not gain new ones (upstream
    // allows removal only; adding is forbidden once deletion started).
  }
  Meta(obj)["resourceVersion"] = api::FormatResourceVersion(current_kv.mod_revision);
  std::string now = NowSeconds();
  if (status_update) {
    hooks_->PrepareForStatusUpdate(info, obj, current);
  } else if (subresource.empty()) {
    hooks_->PrepareForUpdate(info, obj, current);
  }
  hooks_->Default(info, obj);
  if (!status_update && TracksGeneration(info) && !MetadataOnlyDiffers(obj, current)) {
    Meta(obj)["generation"] = current["metadata"].value("generation", int64_t{0}) + 1;
  }
  AdmissionRequest areq{&info, std::string(subresource), Operation::kUpdate, std::string(ns),
                        std::string(name), &obj, &current, &ctx};
  RETURN_IF_ERROR(RunAdmission(areq, /*mutating=*/true));
  // Other subresources (scale, binding, finalize) are validated by their
  // endpoints, which change only what the subresource owns.
  api::FieldErrors errors;
  if (status_update) {
    errors = hooks_->ValidateStatusUpdate(info, obj, current);
  } else if (subresource.empty()) {
    errors = hooks_->ValidateUpdate(info, obj, current);
  }
  if (!errors.empty()) return InvalidError(ctx, info, name, errors);
  RETURN_IF_ERROR(RunAdmission(areq, /*mutating=*/false));
  if (!ctx.fields_tracked) RETURN_IF_ERROR(hooks_->TrackFields(info, subresource, &current, obj, ctx.field_manager, now));

  bool finalize = BeingDeleted(obj) && !HasFinalizers(obj) && !HasSpecFinalizers(info, obj) &&
                  Meta(obj).value("deletionGracePeriodSeconds", int64_t{0}) == 0;
  if (!finalize && SameForNoop(obj, current)) {
    return WriteResult{std::make_shared<const json>(std::move(current)), false};
  }
  if (ctx.dry_run) return WriteResult{std::make_shared<const json>(std::move(obj)), false};
  std::string key = Key(info, ns, name);
  if (finalize) {
    // The last finalizer is gone: the object goes away now.
    storage::WriteResult wr = store_.Delete(key, current_kv.mod_revision);
    if (!wr.ok()) {
      if (wr.status.code() == StatusCode::kConflict) return ConflictError(ctx, info, name);
      if (wr.status.code() == StatusCode::kNotFound) return NotFoundError(ctx, info, name);
      return wr.status;
    }
    return WriteResult{Stamped(std::move(obj), wr.revision), false};
  }
  int64_t lease = LeaseFor(info);
  storage::WriteResult wr = store_.Update(key, StoredValue(obj), current_kv.mod_revision,
                                          lease != 0 ? lease : current_kv.lease);
  if (!wr.ok()) {
    if (wr.status.code() == StatusCode::kConflict) return ConflictError(ctx, info, name);
    if (wr.status.code() == StatusCode::kNotFound) return NotFoundError(ctx, info, name);
    return wr.status;
  }
  return WriteResult{Stamped(std::move(obj), wr.revision), false};
}

// ---- delete ----

StatusOr<DeleteResult> Registry::Delete(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                                        std::string_view name, const DeleteOptions& options) {
  std::string key = Key(info, ns, name);
  for (int attempt = 0; attempt < kMaxUpdateRetries; ++attempt) {
    auto kv = store_.Get(key);
    if (!kv.ok()) {
      if (kv.status().code() == StatusCode::kNotFound) return NotFoundError(ctx, info, name);
      return kv.status();
    }
    ASSIGN_OR_RETURN(json current, DecodeStored(key, kv->value));
    Meta(current)["resourceVersion"] = api::FormatResourceVersion(kv->mod_revision);
    const json& meta = current["metadata"];
    if (options.precondition_uid && *options.precondition_uid != meta.value("uid", "")) {
      ctx.error.name = std::string(name);
      ctx.error.group = info.group;
      ctx.error.kind = info.resource;
      return Status::Conflict("Operation cannot be fulfilled on " + QualifiedResource(info) + " \"" +
                              std::string(name) + "\": Precondition failed: UID in precondition: " +
                              *options.precondition_uid + ", UID in object meta: " + meta.value("uid", ""));
    }
    if (options.precondition_resource_version &&
        *options.precondition_resource_version != meta.value("resourceVersion", "")) {
      ctx.error.name = std::string(name);
      ctx.error.group = info.group;
      ctx.error.kind = info.resource;
      return Status::Conflict("Operation cannot be fulfilled on " + QualifiedResource(info) + " \"" +
                              std::string(name) +
                              "\": Precondition failed: ResourceVersion in precondition: " +
                              *options.precondition_resource_version +
                              ", ResourceVersion in object meta: " + meta.value("resourceVersion", ""));
    }
    if (options.grace_period_seconds && *options.grace_period_seconds < 0) {
      return InvalidError(ctx, info, name,
                          {api::FieldError::Invalid("gracePeriodSeconds",
                                                    std::to_string(*options.grace_period_seconds),
                                                    "must be greater than or equal to 0")});
    }
    AdmissionRequest areq{&info, "", Operation::kDelete, std::string(ns), std::string(name), nullptr,
                          &current, &ctx};
    RETURN_IF_ERROR(RunAdmission(areq, /*mutating=*/true));
    RETURN_IF_ERROR(RunAdmission(areq, /*mutating=*/false));

    json next = current;
    bool changed = false;
    std::string policy = options.propagation_policy;
    if (policy.empty() && options.orphan_dependents) policy = *options.orphan_dependents ? "Orphan" : "Background";
    if (policy == "Foreground" || policy == "Orphan") {
      std::string fin = policy == "Foreground" ? "foregroundDeletion" : "orphan";
      if (!HasFinalizers(next) || std::find(next["metadata"]["finalizers"].begin(),
                                            next["metadata"]["finalizers"].end(), fin) ==
                                      next["metadata"]["finalizers"].end()) {
        if (!BeingDeleted(next) || HasFinalizers(next)) {
          AddFinalizer(next, fin);
          changed = true;
        }
      }
    }
    // Pods on a node stop gracefully: the kubelet deletes them (grace 0).
    int64_t grace = 0;
    bool graceful_pod = info.group.empty() && info.kind == "Pod" && !StringAt(current, "spec", "nodeName").empty();
    if (graceful_pod) {
      int64_t spec_grace = 30;
      if (current["spec"].contains("terminationGracePeriodSeconds") &&
          current["spec"]["terminationGracePeriodSeconds"].is_number_integer()) {
        spec_grace = current["spec"]["terminationGracePeriodSeconds"].get<int64_t>();
      }
      grace = options.grace_period_seconds.value_or(spec_grace);
      // A pod that never started (no status phase beyond Pending) or already
      // ended is removed at once, as upstream does.
      std::string phase = StringAt(current, "status", "phase");
      if (phase == "Succeeded" || phase == "Failed" || phase.empty()) grace = 0;
    }
    bool keep = HasFinalizers(next) || HasSpecFinalizers(info, next) || grace > 0;
    if (!keep) {
      if (ctx.dry_run) return DeleteResult{std::make_shared<const json>(std::move(current)), true};
      storage::WriteResult wr = store_.Delete(key, kv->mod_revision);
      if (!wr.ok()) {
        if (wr.status.code() == StatusCode::kConflict) continue;
        if (wr.status.code() == StatusCode::kNotFound) return NotFoundError(ctx, info, name);
        return wr.status;
      }
      return DeleteResult{Stamped(std::move(current), wr.revision), true};
    }
    if (!BeingDeleted(next)) {
      std::string ts = grace > 0 ? api::Time::FromUnixSeconds(api::Time::Now().UnixSeconds() + grace).FormatSeconds()
                                 : NowSeconds();
      Meta(next)["deletionTimestamp"] = ts;
      Meta(next)["deletionGracePeriodSeconds"] = grace;
      if (info.group.empty() && info.kind == "Namespace") next["status"]["phase"] = "Terminating";
      changed = true;
    } else if (graceful_pod && grace < Meta(next).value("deletionGracePeriodSeconds", int64_t{0})) {
      // A shorter grace period shortens a graceful deletion in progress.
      Meta(next)["deletionTimestamp"] =
          api::Time::FromUnixSeconds(api::Time::Now().UnixSeconds() + grace).FormatSeconds();
      Meta(next)["deletionGracePeriodSeconds"] = grace;
      changed = true;
    }
    if (!changed) return DeleteResult{std::make_shared<const json>(std::move(current)), false};
    if (ctx.dry_run) return DeleteResult{std::make_shared<const json>(std::move(next)), false};
    if (graceful_pod && grace == 0 && !HasFinalizers(next)) {
      storage::WriteResult wr = store_.Delete(key, kv->mod_revision);
      if (!wr.ok()) {
        if (wr.status.code() == StatusCode::kConflict) continue;
        return wr.status;
      }
      return DeleteResult{Stamped(std::move(current), wr.revision), true};
    }
    storage::WriteResult wr = store_.Update(key, StoredValue(next), kv->mod_revision, kv->lease);
    if (!wr.ok()) {
      if (wr.status.code() == StatusCode::kConflict) continue;
      if (wr.status.code() == StatusCode::kNotFound) return NotFoundError(ctx, info, name);
      return wr.status;
    }
    return DeleteResult{Stamped(std::move(next), wr.revision), false};
  }
  return ConflictError(ctx, info, name);
}

StatusOr<std::vector<DeleteResult>> Registry::DeleteCollection(RequestContext& ctx, const ResourceInfo& info,
                                                               std::string_view ns, const ListOptions& list,
                                                               const DeleteOptions& options) {
  ListOptions lo = list;
  lo.limit = 0;
  lo.continue_token.clear();
  ASSIGN_OR_RETURN(ListResult items, List(ctx, info, ns, lo));
  std::vector<DeleteResult> out;
  for (const auto& item : items.items) {
    const json& meta = item->object()["metadata"];
    auto r = Delete(ctx, info, meta.value("namespace", ""), meta.value("name", ""), options);
    if (!r.ok()) {
      if (r.status().code() == StatusCode::kNotFound) continue;
      return r.status();
    }
    out.push_back(std::move(*r));
  }
  return out;
}

// ---- watch ----

StatusOr<CacheWatcherPtr> Registry::Watch(RequestContext& ctx, const ResourceInfo& info, std::string_view ns,
                                          const WatchOptions& options) {
  (void)ctx;
  ASSIGN_OR_RETURN(ObjectFilter filter, MakeFilter(info, options.label_selector, options.field_selector));
  int64_t after = 0;
  bool send_initial = options.send_initial_events;
  if (options.resource_version && !options.resource_version->empty()) {
    auto rv = api::ResourceVersion::Parse(*options.resource_version);
    if (!rv.ok()) return Status::BadRequest(rv.status().message());
    if (rv->is_exact()) {
      after = rv->revision();
    } else {
      // resourceVersion "0": start with the current state (any revision).
      send_initial = true;
    }
  } else {
    // Unset: the current state, consistently, then changes (upstream sends
    // synthetic ADDED events for everything first).
    ASSIGN_OR_RETURN(int64_t ignored, ConsistentRevision());
    (void)ignored;
    send_initial = true;
  }
  return cache_->Watch(KeyPrefix(info, ns), after, std::move(filter), send_initial);
}

}  // namespace kubepp::apiserver::registry
