// The resource table: every resource the API server serves, as discovery
// describes it (group, version, kind, plural, singular, scope, verbs, short
// names, categories, subresources, field selectors).
//
// The facts come from tools/data/resources.json (upstream Kubernetes 1.33),
// embedded in the library at build time. ResourceTable::Default() parses it on
// first use (thread-safe) and lives for the whole process; it is immutable, so
// every lookup is const and safe from any number of threads. Pointers returned
// by lookups stay valid as long as the table (forever for Default()).
//
// Group-versions are ordered the way upstream's kube-apiserver lists them in
// /apis (core v1 first, then apps, events.k8s.io, authentication.k8s.io, ...;
// within a group the preferred version first: GA > beta > alpha, newer first).
// Name resolution mirrors kubectl's RESTMapper closely enough for `kubectl get
// po|pods|pod|Pod|deploy.apps|hpa.v1.autoscaling`; ambiguous names resolve to
// the first match in that group order (so `ev` is core v1 events).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kubepp::api {
class Schema;
}

namespace kubepp::apiserver {

struct GroupVersion {
  std::string group;  // "" for the core group
  std::string version;

  // "v1" or "apps/v1".
  std::string ToString() const { return group.empty() ? version : group + "/" + version; }
  bool operator==(const GroupVersion&) const = default;
};

struct SubresourceInfo {
  std::string name;  // "eviction", "scale", "status" (without the parent)
  // The response kind. group/version equal the parent's unless the kind lives
  // elsewhere (pods/eviction -> policy/v1 Eviction, */scale -> autoscaling/v1).
  std::string group;
  std::string version;
  std::string kind;
  std::vector<std::string> verbs;  // sorted, as discovery lists them
};

struct ResourceInfo {
  std::string group;
  std::string version;
  std::string kind;
  std::string resource;  // plural, lower case: "deployments"
  std::string singular;  // "deployment"
  bool namespaced = false;
  // DELETE answers with the deleted object rather than a Status (upstream's
  // ReturnDeletedObject: pods, services, PVs, PVCs, ...).
  bool delete_returns_object = false;
  std::vector<std::string> verbs;  // sorted, as discovery lists them
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<SubresourceInfo> subresources;  // sorted by name
  // Field selectors beyond metadata.name / metadata.namespace.
  std::vector<std::string> field_selectors;
  // The schema definition ("io.k8s.api.apps.v1.Deployment"); empty when the
  // schema given at load has no such kind (ResourceTable::Validate reports it).
  std::string definition;

  std::string ApiVersion() const { return group.empty() ? version : group + "/" + version; }
  bool HasVerb(std::string_view verb) const;
  // The subresource named `name` ("scale"), or nullptr.
  const SubresourceInfo* FindSubresource(std::string_view name) const;
  // True when the field selector is supported (metadata.name and, for
  // namespaced resources, metadata.namespace always are).
  bool SupportsFieldSelector(std::string_view field) const;
};

class ResourceTable {
 public:
  // The table embedded in the library, with definition names taken from
  // api::Schema::Default(). Aborts the process if the embedded file were
  // unparsable (the tests check it is not).
  static const ResourceTable& Default();

  // Parses resources.json text. `schema` (may be null) fills in the
  // definition names. BadRequest naming the entry on malformed input.
  static StatusOr<std::unique_ptr<ResourceTable>> Parse(std::string_view json_text,
                                                        const api::Schema* schema);

  ~ResourceTable();
  ResourceTable(const ResourceTable&) = delete;
  ResourceTable& operator=(const ResourceTable&) = delete;

  // By (group, version, plural resource), exact match; nullptr when absent.
  const ResourceInfo* Find(std::string_view group, std::string_view version,
                           std::string_view resource) const;
  // By (group, version, kind), exact match; nullptr when absent.
  const ResourceInfo* FindByKind(std::string_view group, std::string_view version,
                                 std::string_view kind) const;
  // Resolves what a user types after `kubectl get`: a plural, singular, short
  // name or kind, case-insensitive, optionally qualified as "name.group" or
  // "name.version.group". Returns the preferred version's entry, or nullptr.
  const ResourceInfo* Resolve(std::string_view name) const;

  // Every served group-version in upstream's preferred order.
  const std::vector<GroupVersion>& group_versions() const { return group_versions_; }
  // Served groups in order ("" first), each once.
  std::vector<std::string> groups() const;
  // The group's versions, most preferred first; empty when not served.
  std::vector<std::string> VersionsOf(std::string_view group) const;
  // The resources of one group-version, sorted by plural name.
  std::vector<const ResourceInfo*> ResourcesIn(std::string_view group,
                                               std::string_view version) const;
  // All entries, in group-version order then by plural name.
  const std::vector<ResourceInfo>& resources() const { return resources_; }

  // Checks every kind (and every subresource response kind that is an object,
  // i.e. not a connect "...Options" kind) exists in `schema`. Invalid listing
  // each missing group/version/kind; OK otherwise.
  Status Validate(const api::Schema& schema) const;

 private:
  ResourceTable() = default;

  std::vector<ResourceInfo> resources_;
  std::vector<GroupVersion> group_versions_;
};

// Orders two versions of one group as Kubernetes does: GA before beta before
// alpha, higher numbers first, unparsable versions last (alphabetical).
// Negative when a is preferred over b, positive when b is, 0 when equal.
int CompareVersionPriority(std::string_view a, std::string_view b);

}  // namespace kubepp::apiserver
