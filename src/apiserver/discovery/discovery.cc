#include "apiserver/discovery/discovery.h"
#include "common/strings.h"

#include <algorithm>
#include <cstdlib>
#include <map>
#include <vector>

#include <nlohmann/json.hpp>

namespace kubepp::apiserver {
namespace {

// Insertion-ordered, so bodies keep upstream's (Go struct) field order.
using Json = nlohmann::ordered_json;

constexpr std::string_view kContentTypeJson = "application/json";
constexpr std::string_view kContentTypeV2 =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
constexpr std::string_view kContentTypeV2Beta1 =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

std::string Dump(const Json& j) {
  // Replace rather than throw on invalid UTF-8: the data is ours, but a
  // crash here would take the server down.
  return j.dump(-1, ' ', false, Json::error_handler_t::replace);
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == std::string_view::npos ? std::string_view::npos
                                                                 : pos - start));
    if (pos == std::string_view::npos) break;
    start = pos + 1;
  }
  return out;
}

// One media range of an Accept header.
struct MediaRange {
  std::string type;     // lower case; "*" for a wildcard
  std::string subtype;  // lower case
  double q = 1.0;
  std::map<std::string, std::string> params;  // without q; keys lower case
};

std::vector<MediaRange> ParseAccept(std::string_view header) {
  std::vector<MediaRange> out;
  for (std::string_view part : Split(header, ',')) {
    std::vector<std::string_view> pieces = Split(part, ';');
    std::string_view range = TrimSpace(pieces[0]);
    MediaRange m;
    const size_t slash = range.find('/');
    if (slash == std::string_view::npos) {
      if (range != "*") continue;
      m.type = "*";
      m.subtype = "*";
    } else {
      m.type = AsciiLower(TrimSpace(range.substr(0, slash)));
      m.subtype = AsciiLower(TrimSpace(range.substr(slash + 1)));
      if (m.type.empty() || m.subtype.empty()) continue;
    }
    for (size_t i = 1; i < pieces.size(); ++i) {
      std::string_view p = TrimSpace(pieces[i]);
      if (p.empty()) continue;
      const size_t eq = p.find('=');
      std::string key = AsciiLower(TrimSpace(p.substr(0, eq)));
      std::string value =
          eq == std::string_view::npos ? std::string() : std::string(TrimSpace(p.substr(eq + 1)));
      if (key == "q") {
        char* end = nullptr;
        double q = std::strtod(value.c_str(), &end);
        m.q = (end != value.c_str() && q >= 0 && q <= 1) ? q : 0.0;
      } else {
        m.params[std::move(key)] = std::move(value);
      }
    }
    out.push_back(std::move(m));
  }
  // Highest q first; among equals, concrete types before wildcards; otherwise
  // the client's order.
  std::stable_sort(out.begin(), out.end(), [](const MediaRange& a, const MediaRange& b) {
    if (a.q != b.q) return a.q > b.q;
    const bool aw = a.type == "*", bw = b.type == "*";
    if (aw != bw) return !aw;
    const bool asw = a.subtype == "*", bsw = b.subtype == "*";
    if (asw != bsw) return !asw;
    return false;
  });
  return out;
}

// The media range as a choice, or false when the server cannot honour it.
bool Acceptable(const MediaRange& m, DiscoveryFormat* format) {
  const bool json = (m.type == "application" && (m.subtype == "json" || m.subtype == "*")) ||
                    (m.type == "*" && m.subtype == "*");
  if (!json) return false;
  auto param = [&](const char* key) -> const std::string* {
    auto it = m.params.find(key);
    return it == m.params.end() ? nullptr : &it->second;
  };
  if (const std::string* sv = param("sv"); sv != nullptr && !sv->empty()) return false;
  if (const std::string* st = param("stream"); st != nullptr && !st->empty() && *st != "watch") {
    return false;
  }
  const std::string* g = param("g");
  const std::string* v = param("v");
  const std::string* as = param("as");
  if (g == nullptr && v == nullptr && as == nullptr) {
    *format = DiscoveryFormat::kPlain;
    return true;
  }
  // A conversion: only to the aggregated discovery list.
  if (g == nullptr || v == nullptr || as == nullptr) return false;
  if (*g != "apidiscovery.k8s.io" || *as != "APIGroupDiscoveryList") return false;
  if (*v == "v2") {
    *format = DiscoveryFormat::kAggregatedV2;
    return true;
  }
  if (*v == "v2beta1") {
    *format = DiscoveryFormat::kAggregatedV2Beta1;
    return true;
  }
  return false;
}

Json GroupVersionJson(std::string_view group, std::string_view version) {
  Json j = Json::object();
  j["groupVersion"] = group.empty() ? std::string(version)
                                    : std::string(group) + "/" + std::string(version);
  j["version"] = std::string(version);
  return j;
}

Json GroupJson(const ResourceTable& table, const std::string& group) {
  Json versions = Json::array();
  const std::vector<std::string> vs = table.VersionsOf(group);
  for (const auto& v : vs) versions.push_back(GroupVersionJson(group, v));
  Json j = Json::object();
  j["name"] = group;
  j["versions"] = std::move(versions);
  j["preferredVersion"] = GroupVersionJson(group, vs.front());
  return j;
}

Json Strings(const std::vector<std::string>& v) {
  Json a = Json::array();
  for (const auto& s : v) a.push_back(s);
  return a;
}

Json ResponseKind(std::string_view group, std::string_view version, std::string_view kind) {
  Json j = Json::object();
  j["group"] = std::string(group);
  j["version"] = std::string(version);
  j["kind"] = std::string(kind);
  return j;
}

Json ResourceDiscoveryJson(const ResourceInfo& r) {
  Json j = Json::object();
  j["resource"] = r.resource;
  // Upstream leaves the group-version of the response kind empty when it is
  // the resource's own.
  j["responseKind"] = ResponseKind("", "", r.kind);
  j["scope"] = r.namespaced ? "Namespaced" : "Cluster";
  j["singularResource"] = r.singular;
  j["verbs"] = Strings(r.verbs);
  if (!r.short_names.empty()) j["shortNames"] = Strings(r.short_names);
  if (!r.categories.empty()) j["categories"] = Strings(r.categories);
  if (!r.subresources.empty()) {
    Json subs = Json::array();
    for (const auto& s : r.subresources) {
      const bool own = s.group == r.group && s.version == r.version;
      Json sj = Json::object();
      sj["subresource"] = s.name;
      sj["responseKind"] = own ? ResponseKind("", "", s.kind)
                               : ResponseKind(s.group, s.version, s.kind);
      sj["verbs"] = Strings(s.verbs);
      subs.push_back(std::move(sj));
    }
    j["subresources"] = std::move(subs);
  }
  return j;
}

Json GroupDiscoveryJson(const ResourceTable& table, const std::string& group) {
  Json versions = Json::array();
  for (const auto& v : table.VersionsOf(group)) {
    Json resources = Json::array();
    for (const ResourceInfo* r : table.ResourcesIn(group, v)) {
      resources.push_back(ResourceDiscoveryJson(*r));
    }
    Json vj = Json::object();
    vj["version"] = v;
    vj["resources"] = std::move(resources);
    vj["freshness"] = "Current";
    versions.push_back(std::move(vj));
  }
  Json meta = Json::object();
  if (!group.empty()) meta["name"] = group;  // Go omits the empty name
  meta["creationTimestamp"] = nullptr;
  Json j = Json::object();
  j["metadata"] = std::move(meta);
  j["versions"] = std::move(versions);
  return j;
}

}  // namespace

DiscoveryFormat NegotiateDiscoveryFormat(std::string_view accept) {
  if (TrimSpace(accept).empty()) return DiscoveryFormat::kPlain;
  DiscoveryFormat format = DiscoveryFormat::kPlain;
  for (const MediaRange& m : ParseAccept(accept)) {
    if (Acceptable(m, &format)) return format;
  }
  return DiscoveryFormat::kPlain;
}

std::string_view DiscoveryContentType(DiscoveryFormat format) {
  switch (format) {
    case DiscoveryFormat::kAggregatedV2:
      return kContentTypeV2;
    case DiscoveryFormat::kAggregatedV2Beta1:
      return kContentTypeV2Beta1;
    case DiscoveryFormat::kPlain:
      break;
  }
  return kContentTypeJson;
}

std::string ApiVersionsJson(std::string_view server_address) {
  Json cidr = Json::object();
  cidr["clientCIDR"] = "0.0.0.0/0";
  cidr["serverAddress"] = std::string(server_address);
  Json j = Json::object();
  j["kind"] = "APIVersions";
  j["versions"] = Json::array({"v1"});
  j["serverAddressByClientCIDRs"] = Json::array({std::move(cidr)});
  return Dump(j);
}

std::string ApiGroupListJson(const ResourceTable& table) {
  Json groups = Json::array();
  for (const auto& g : table.groups()) {
    if (g.empty()) continue;
    groups.push_back(GroupJson(table, g));
  }
  Json j = Json::object();
  j["kind"] = "APIGroupList";
  j["apiVersion"] = "v1";
  j["groups"] = std::move(groups);
  return Dump(j);
}

StatusOr<std::string> ApiGroupJson(const ResourceTable& table, std::string_view group) {
  if (group.empty() || table.VersionsOf(group).empty()) {
    return Status::NotFound("the server could not find the requested resource");
  }
  Json j = Json::object();
  j["kind"] = "APIGroup";
  j["apiVersion"] = "v1";
  const Json body = GroupJson(table, std::string(group));
  for (auto it = body.begin(); it != body.end(); ++it) j[it.key()] = it.value();
  return Dump(j);
}

StatusOr<std::string> ApiResourceListJson(const ResourceTable& table, std::string_view group,
                                          std::string_view version) {
  const std::vector<const ResourceInfo*> rs = table.ResourcesIn(group, version);
  if (rs.empty()) return Status::NotFound("the server could not find the requested resource");
  struct Entry {
    std::string name;
    Json json;
  };
  std::vector<Entry> entries;
  for (const ResourceInfo* r : rs) {
    Json j = Json::object();
    j["name"] = r->resource;
    j["singularName"] = r->singular;
    j["namespaced"] = r->namespaced;
    j["kind"] = r->kind;
    j["verbs"] = Strings(r->verbs);
    if (!r->short_names.empty()) j["shortNames"] = Strings(r->short_names);
    if (!r->categories.empty()) j["categories"] = Strings(r->categories);
    entries.push_back({r->resource, std::move(j)});
    for (const auto& s : r->subresources) {
      Json sj = Json::object();
      const std::string name = r->resource + "/" + s.name;
      sj["name"] = name;
      sj["singularName"] = "";
      sj["namespaced"] = r->namespaced;
      if (s.group != r->group || s.version != r->version) {
        sj["group"] = s.group;
        sj["version"] = s.version;
      }
      sj["kind"] = s.kind;
      sj["verbs"] = Strings(s.verbs);
      entries.push_back({name, std::move(sj)});
    }
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const Entry& a, const Entry& b) { return a.name < b.name; });
  Json resources = Json::array();
  for (auto& e : entries) resources.push_back(std::move(e.json));
  Json j = Json::object();
  j["kind"] = "APIResourceList";
  // Upstream's legacy /api/v1 list carries no apiVersion; group lists do.
  if (!group.empty()) j["apiVersion"] = "v1";
  j["groupVersion"] =
      group.empty() ? std::string(version) : std::string(group) + "/" + std::string(version);
  j["resources"] = std::move(resources);
  return Dump(j);
}

std::string AggregatedDiscoveryJson(const ResourceTable& table, DiscoveryRoot root,
                                    DiscoveryFormat format) {
  Json items = Json::array();
  for (const auto& g : table.groups()) {
    if (g.empty() != (root == DiscoveryRoot::kApi)) continue;
    items.push_back(GroupDiscoveryJson(table, g));
  }
  Json j = Json::object();
  j["kind"] = "APIGroupDiscoveryList";
  j["apiVersion"] = format == DiscoveryFormat::kAggregatedV2Beta1 ? "apidiscovery.k8s.io/v2beta1"
                                                                  : "apidiscovery.k8s.io/v2";
  j["metadata"] = Json::object();
  j["items"] = std::move(items);
  return Dump(j);
}

DiscoveryResponse RootDiscovery(const ResourceTable& table, DiscoveryRoot root,
                                std::string_view accept, std::string_view server_address) {
  const DiscoveryFormat format = NegotiateDiscoveryFormat(accept);
  DiscoveryResponse out;
  out.content_type = std::string(DiscoveryContentType(format));
  if (format != DiscoveryFormat::kPlain) {
    out.body = AggregatedDiscoveryJson(table, root, format);
  } else if (root == DiscoveryRoot::kApi) {
    out.body = ApiVersionsJson(server_address);
  } else {
    out.body = ApiGroupListJson(table);
  }
  return out;
}

}  // namespace kubepp::apiserver
