// Server-side printing: turns stored objects into a meta.k8s.io/v1 Table,
// the response `kubectl get` asks for with
// Accept: application/json;as=Table;v=v1;g=meta.k8s.io.
//
// Columns and cells follow upstream Kubernetes 1.33's printers (see
// tools/data/resources.json): a kind with an upstream printer gets its
// columns (wide, priority-1 cells always rendered, as the upstream server
// does); any other kind gets the default NAME / CREATED AT table. Objects are
// read generically (nlohmann::json); a missing or wrongly-typed field prints
// as upstream prints a zero value, it never fails the request.
//
// Time is injected (TableOptions::now), so every AGE cell is deterministic.
//
// Thread-safety: pure functions over their arguments; safe to call from any
// number of threads at once.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "common/status.h"

namespace kubepp::apiserver {

// ?includeObject= of a Table request: what each row's `object` carries.
enum class IncludeObject {
  kNone,      // rows carry "object": null
  kMetadata,  // PartialObjectMetadata (meta.k8s.io/v1): upstream's default
  kObject,    // the whole object as stored
};

struct TableOptions {
  // The instant the request is served, in seconds since the Unix epoch.
  // AGE and every other duration cell is measured against it.
  int64_t now = 0;
  IncludeObject include_object = IncludeObject::kMetadata;
  // Leave columnDefinitions out of the Table (the Table request's noHeaders
  // option).
  bool no_headers = false;
  // The list's metadata, copied into the Table's metadata (empty/absent ones
  // are left out, as upstream's omitempty does).
  std::string resource_version;
  std::string continue_token;
  std::optional<int64_t> remaining_item_count;
};

// Renders `objects` (each a JSON object of kind `kind` in API group `group`,
// "" for core) as a complete Table document.
// Returns BadRequest naming the index when an entry is null or not a JSON
// object; Internal if rendering hits an unexpected JSON error. Kinds without
// an upstream printer (including unknown ones) use the default table.
StatusOr<nlohmann::json> PrintTable(std::string_view group, std::string_view kind,
                                    const std::vector<const nlohmann::json*>& objects,
                                    const TableOptions& opts);

// True when `group`/`kind` has a kind-specific printer (not the default table).
bool HasPrinter(std::string_view group, std::string_view kind);

// Upstream's human-readable duration (AGE): "0s".."119s", "2m5s", "10m",
// "3h5m", "8h", "2d3h", "8d", "2y10d", "8y"; "<invalid>" below -1s.
std::string HumanDuration(int64_t seconds);

}  // namespace kubepp::apiserver
