// RFC 7386 JSON Merge Patch as kube-apiserver applies it (evanphx/json-patch
// v4 MergePatch): values added where the document has nothing (or null) lose
// their nulls, recursively and inside arrays.
#include <string>

#include <nlohmann/json.hpp>

#include "apiserver/patch/internal.h"
#include "apiserver/patch/patch.h"

namespace kubepp::apiserver::patch {
namespace {

using json = nlohmann::json;

// Drops null object members (and null array elements) all the way down.
// False when the value nests deeper than kMaxPatchDepth.
bool PruneNulls(json& value, int depth = 0) {
  if (depth > internal::kMaxPatchDepth) return false;
  if (value.is_object()) {
    for (auto it = value.begin(); it != value.end();) {
      if (it->is_null()) {
        it = value.erase(it);
      } else {
        if (!PruneNulls(*it, depth + 1)) return false;
        ++it;
      }
    }
  } else if (value.is_array()) {
    json kept = json::array();
    for (json& element : value) {
      if (element.is_null()) continue;
      if (!PruneNulls(element, depth + 1)) return false;
      kept.push_back(std::move(element));
    }
    value = std::move(kept);
  }
  return true;
}

// Merges `patch` into the object `doc`. False when too deep.
bool MergeObjects(json& doc, const json& patch, int depth) {
  if (depth > internal::kMaxPatchDepth) return false;
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it->is_null()) {
      doc.erase(it.key());
      continue;
    }
    auto cur = doc.find(it.key());
    if (cur == doc.end() || cur->is_null() || !cur->is_object()) {
      // New members lose their nulls, as does a value replacing a
      // non-object.
      json added = *it;
      if (!PruneNulls(added, depth + 1)) return false;
      doc[it.key()] = std::move(added);
    } else if (!it->is_object()) {
      // An object replaced by a non-object: the library keeps the patch
      // value as sent.
      *cur = *it;
    } else if (!MergeObjects(*cur, *it, depth + 1)) {
      return false;
    }
  }
  return true;
}

}  // namespace

StatusOr<nlohmann::json> ApplyMergePatch(const nlohmann::json& doc, const nlohmann::json& patch) {
  try {
    if (!patch.is_object() && !patch.is_array()) return Status::BadRequest("Invalid JSON Patch");
    if (patch.is_array() || !doc.is_object()) {
      // Not an object to merge into: the (pruned) patch is the result.
      json result = patch;
      if (!PruneNulls(result)) return internal::TooDeep();
      return result;
    }
    json result = doc;
    if (!MergeObjects(result, patch, 0)) return internal::TooDeep();
    return result;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("applying merge patch: ") + e.what());
  }
}

}  // namespace kubepp::apiserver::patch
