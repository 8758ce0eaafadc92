// Kubernetes strategic merge patch, applied as kube-apiserver applies it
// (apimachinery strategicpatch: mergeMap with MergeParallelList and
// IgnoreUnmatchedNulls), with the patch metadata taken from the project
// schema instead of Go struct tags.
//
// List order follows upstream exactly, because kubectl's three-way apply
// and users' manifests depend on it: a merged list is split into the items
// the patch names and the server-only items, each keeps its own relative
// order, and the two are interleaved using the live list's order; new patch
// items go before server-only items they cannot be placed against.
// $setElementOrder then imposes the client's order on the patch items.
// Upstream computes that last step against the live list as its Go slice
// looks after the merge, which (slices sharing storage) holds the survivors
// of deletions followed by as many newly added items as were deleted;
// MergeList's `server_order` output reproduces that, so results match
// upstream's item for item.
#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/schema/schema.h"
#include "apiserver/patch/internal.h"
#include "apiserver/patch/patch.h"

namespace kubepp::apiserver::patch {
namespace {

using json = nlohmann::json;
using api::TypeKind;
using api::TypeRef;

constexpr std::string_view kDirectiveMarker = "$patch";
constexpr std::string_view kDeleteDirective = "delete";
constexpr std::string_view kReplaceDirective = "replace";
constexpr std::string_view kMergeDirective = "merge";
constexpr std::string_view kRetainKeysDirective = "$retainKeys";
constexpr std::string_view kDeleteFromPrimitiveListPrefix = "$deleteFromPrimitiveList";
constexpr std::string_view kSetElementOrderPrefix = "$setElementOrder";

// mergepatch's error texts.
constexpr const char kBadPrimitiveList[] = "invalid patch format of primitive list";
constexpr const char kBadRetainKeys[] = "invalid patch format of retainKeys";
constexpr const char kBadSetElementOrder[] = "invalid patch format of setElementOrder list";

bool IsDirective(const json& value, std::string_view directive) {
  return value.is_string() && value.get_ref<const std::string&>() == directive;
}

// --- schema lookups ----------------------------------------------------------

// What the schema says about one member of an object: the type of its value
// (nullptr for unknown members and free-form values, which merge as plain
// JSON), its patch strategy without "retainKeys" ("", "merge", "replace")
// and its merge key.
struct FieldMeta {
  const TypeRef* type = nullptr;
  std::string_view strategy;
  std::string_view merge_key;
};

std::string_view StrategyWithoutRetainKeys(std::string_view strategies) {
  while (!strategies.empty()) {
    size_t comma = strategies.find(',');
    std::string_view one = strategies.substr(0, comma);
    if (one != "retainKeys") return one;
    if (comma == std::string_view::npos) break;
    strategies.remove_prefix(comma + 1);
  }
  return {};
}

FieldMeta LookupField(const TypeRef* parent, std::string_view name) {
  if (parent == nullptr) return {};
  if (parent->kind == TypeKind::kMap) return {parent->element.get(), {}, {}};
  if (parent->kind != TypeKind::kRef || parent->ref == nullptr) return {};
  // Special definitions are either scalars in JSON or free-form.
  if (parent->ref->special != api::Special::kNone) return {};
  const api::Field* field = parent->ref->FindField(name);
  if (field == nullptr) return {};
  return {&field->type, StrategyWithoutRetainKeys(field->patch_strategy), field->patch_merge_key};
}

const TypeRef* ElementType(const TypeRef* list) {
  return list != nullptr && list->kind == TypeKind::kArray ? list->element.get() : nullptr;
}

// --- errors ------------------------------------------------------------------

Status NoMergeKey(const json& element, std::string_view merge_key) {
  return Status::BadRequest("map: " + element.dump() +
                            " does not contain declared merge key: " + std::string(merge_key));
}

Status NotAMap(const json& element, std::string_view merge_key) {
  return Status::BadRequest("expected a map in a list merged on " + std::string(merge_key) +
                            ", but received " + element.dump());
}

Status BadPatchType(const json& directive, const json& map) {
  std::string name = directive.is_string() ? directive.get<std::string>() : directive.dump();
  return Status::BadRequest("unknown patch type: " + name + " in map: " + map.dump());
}

StatusOr<std::string> ExtractKey(std::string_view key, std::string_view prefix) {
  size_t slash = key.find('/');
  if (slash == std::string_view::npos || key.substr(0, slash) != prefix) {
    return Status::BadRequest(prefix == kDeleteFromPrimitiveListPrefix ? kBadPrimitiveList
                                                                       : kBadSetElementOrder);
  }
  return std::string(key.substr(slash + 1));
}

// --- list helpers ------------------------------------------------------------

enum class ElementKind { kNone, kObject, kScalar };

// The common kind of the elements of the given lists (Go's
// sliceElementType): all objects or all of one scalar type; lists of lists
// are refused as upstream refuses them (422).
StatusOr<ElementKind> ListElementKind(const json& a, const json& b) {
  std::optional<json::value_t> first;
  for (const json* list : {&a, &b}) {
    for (const json& element : *list) {
      json::value_t t = element.type();
      if (t == json::value_t::number_unsigned || t == json::value_t::number_float) {
        t = json::value_t::number_integer;  // one JSON number type
      }
      if (!first) {
        if (t == json::value_t::array) return Status::Invalid("lists of lists are not supported");
        first = t;
      } else if (*first != t) {
        return Status::BadRequest("list element types are not identical: " + a.dump() + ", " + b.dump());
      }
    }
  }
  if (!first) return ElementKind::kNone;
  return *first == json::value_t::object ? ElementKind::kObject : ElementKind::kScalar;
}

// The value a list element is identified by, as text: its merge key's value
// for objects (nullopt when absent), itself for scalars. Text keeps lookups
// hashable, so long lists merge in linear time; it also tells 1 from 1.0,
// as Go's comparison of decoded values does.
std::optional<std::string> Identity(const json& element, std::string_view merge_key) {
  if (merge_key.empty()) return element.dump();
  if (!element.is_object()) return std::nullopt;
  auto it = element.find(merge_key);
  if (it == element.end()) return std::nullopt;
  return it->dump();
}

bool SameIdentity(const json& a, const json& b, std::string_view merge_key) {
  return Identity(a, merge_key) == Identity(b, merge_key);
}

// Position of the first element of a list with each identity.
class IdentityIndex {
 public:
  IdentityIndex(const std::vector<json>& list, std::string_view merge_key) : merge_key_(merge_key) {
    for (size_t i = 0; i < list.size(); ++i) {
      if (std::optional<std::string> id = Identity(list[i], merge_key)) {
        first_.emplace(std::move(*id), static_cast<long>(i));
      }
    }
  }
  // Index of the first element identified like `item`, or -1.
  long Find(const json& item) const {
    std::optional<std::string> id = Identity(item, merge_key_);
    if (!id) return -1;
    auto it = first_.find(*id);
    return it == first_.end() ? -1 : it->second;
  }

 private:
  std::string_view merge_key_;
  std::unordered_map<std::string, long> first_;
};

Status RequireMergeKey(const std::vector<json>& list, std::string_view merge_key) {
  for (const json& element : list) {
    if (!element.is_object()) {
      return NotAMap(element, merge_key);
    }
    if (!element.contains(merge_key)) return NoMergeKey(element, merge_key);
  }
  return Status::Ok();
}

std::vector<json> ToVector(const json& list) {
  return list.is_array() ? std::vector<json>(list.begin(), list.end()) : std::vector<json>();
}

// Sorts `items` stably by their position in `order` (upstream's
// normalizeSliceOrder); items `order` does not name keep their place at the
// end.
std::vector<json> SortByOrder(std::vector<json> items, const std::vector<json>& order,
                              std::string_view merge_key) {
  const IdentityIndex index(order, merge_key);
  std::vector<std::pair<long, size_t>> keys;
  keys.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    long idx = index.Find(items[i]);
    keys.emplace_back(idx < 0 ? static_cast<long>(order.size()) : idx, i);
  }
  std::stable_sort(keys.begin(), keys.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<json> sorted;
  sorted.reserve(items.size());
  for (const auto& [unused, i] : keys) sorted.push_back(std::move(items[i]));
  return sorted;
}

// Interleaves the server-only items and the patch items (each already in
// its order): a server-only item goes first only when the live list puts it
// before the patch item it is compared with (upstream's mergeSortedSlice).
std::vector<json> MergeSorted(std::vector<json> server_only, std::vector<json> patch_items,
                              const std::vector<json>& server_order, std::string_view merge_key) {
  const IdentityIndex index(server_order, merge_key);
  std::vector<json> out;
  out.reserve(server_only.size() + patch_items.size());
  size_t i = 0, j = 0;
  while (i < server_only.size() || j < patch_items.size()) {
    if (i >= server_only.size()) {
      out.push_back(std::move(patch_items[j++]));
    } else if (j >= patch_items.size()) {
      out.push_back(std::move(server_only[i++]));
    } else {
      long li = index.Find(server_only[i]);
      long ri = index.Find(patch_items[j]);
      if (li >= 0 && ri >= 0 && li < ri) {
        out.push_back(std::move(server_only[i++]));
      } else {
        out.push_back(std::move(patch_items[j++]));
      }
    }
  }
  return out;
}

// Splits `merged` into the items `by` names and the others, keeping order.
Status Partition(const std::vector<json>& merged, const std::vector<json>& by, std::string_view merge_key,
                 std::vector<json>* named, std::vector<json>* others) {
  if (!merge_key.empty()) RETURN_IF_ERROR(RequireMergeKey(merged, merge_key));
  const IdentityIndex index(by, merge_key);
  for (const json& item : merged) {
    (index.Find(item) >= 0 ? named : others)->push_back(item);
  }
  return Status::Ok();
}

StatusOr<json> NormalizeElementOrder(std::vector<json> patch_items, std::vector<json> server_only,
                                     const std::vector<json>& patch_order,
                                     const std::vector<json>& server_order, std::string_view merge_key) {
  if (!merge_key.empty()) {
    RETURN_IF_ERROR(RequireMergeKey(patch_items, merge_key));
    RETURN_IF_ERROR(RequireMergeKey(patch_order, merge_key));
    RETURN_IF_ERROR(RequireMergeKey(server_only, merge_key));
    RETURN_IF_ERROR(RequireMergeKey(server_order, merge_key));
  }
  patch_items = SortByOrder(std::move(patch_items), patch_order, merge_key);
  server_only = SortByOrder(std::move(server_only), server_order, merge_key);
  json out = json::array();
  for (json& item : MergeSorted(std::move(server_only), std::move(patch_items), server_order, merge_key)) {
    out.push_back(std::move(item));
  }
  return out;
}

// --- the merge ---------------------------------------------------------------

class Merger {
 public:
  // Merges `patch` (an object) into `original` (an object or null).
  StatusOr<json> MergeMap(json original, json patch, const TypeRef* type);

 private:
  // Bounds the recursion (one level per nested object or list) so a
  // pathologically deep body fails cleanly instead of exhausting the stack.
  class Nesting {
   public:
    explicit Nesting(int* depth) : depth_(depth) { ++*depth_; }
    ~Nesting() { --*depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
    bool TooDeep() const { return *depth_ > internal::kMaxPatchDepth; }

   private:
    int* depth_;
  };

  // The value to store for a patch value the original has no counterpart
  // for (missing member, or a member of another JSON type): the patch
  // applied to nothing, so nulls vanish and directives are honoured and
  // removed. nullopt: the value is a `$patch: delete` object and the member
  // must be left out.
  StatusOr<std::optional<json>> NewValue(json value, const TypeRef* type);
  StatusOr<json> NewList(const json& list, const TypeRef* element_type);

  Status ApplyRetainKeys(json& original, json& patch);
  Status MergeSetElementOrder(json& original, json& patch, const TypeRef* type);

  // Merges two lists of a member with the given metadata. `server_order`
  // receives the live list as upstream's final ordering step sees it.
  StatusOr<json> MergeListMember(json original, json patch, const FieldMeta& meta, bool delete_list,
                                 std::vector<json>* server_order);
  StatusOr<json> MergeList(json original, json patch, const TypeRef* element_type, std::string_view merge_key,
                           bool delete_list, std::vector<json>* server_order);

  int depth_ = 0;
};

StatusOr<std::optional<json>> Merger::NewValue(json value, const TypeRef* type) {
  if (value.is_object()) {
    auto directive = value.find(kDirectiveMarker);
    if (directive != value.end()) {
      if (IsDirective(*directive, kDeleteDirective)) return std::optional<json>();
      // Upstream drops a new object carrying any $patch; for "replace" its
      // content is kept here, which is what the directive asks for.
      if (!IsDirective(*directive, kReplaceDirective)) return BadPatchType(*directive, value);
      value.erase(directive);
    }
    ASSIGN_OR_RETURN(json merged, MergeMap(json::object(), std::move(value), type));
    return std::optional<json>(std::move(merged));
  }
  if (value.is_array()) {
    ASSIGN_OR_RETURN(json list, NewList(value, ElementType(type)));
    return std::optional<json>(std::move(list));
  }
  return std::optional<json>(std::move(value));
}

StatusOr<json> Merger::NewList(const json& list, const TypeRef* element_type) {
  Nesting nesting(&depth_);
  if (nesting.TooDeep()) return internal::TooDeep();
  json out = json::array();
  for (const json& element : list) {
    if (element.is_object()) {
      auto directive = element.find(kDirectiveMarker);
      if (directive != element.end()) {
        // Directive elements (delete by key, replace the list) have nothing
        // to act on in a new list; upstream drops them too.
        if (!IsDirective(*directive, kDeleteDirective) && !IsDirective(*directive, kReplaceDirective)) {
          if (IsDirective(*directive, kMergeDirective)) {
            return Status::BadRequest("merging lists cannot yet be specified in the patch");
          }
          return BadPatchType(*directive, element);
        }
        continue;
      }
    }
    ASSIGN_OR_RETURN(std::optional<json> value, NewValue(element, element_type));
    if (value) out.push_back(std::move(*value));
  }
  return out;
}

Status Merger::ApplyRetainKeys(json& original, json& patch) {
  auto it = patch.find(kRetainKeysDirective);
  if (it == patch.end()) return Status::Ok();
  json retain = std::move(*it);
  patch.erase(it);
  if (!retain.is_array()) return Status::BadRequest(kBadRetainKeys);
  std::unordered_set<std::string> kept;
  for (const json& k : retain) {
    if (k.is_string()) kept.insert(k.get<std::string>());
  }
  auto retained = [&kept](const std::string& key) { return kept.count(key) > 0; };
  // Every field the patch sets must be one the directive keeps.
  for (auto p = patch.begin(); p != patch.end(); ++p) {
    if (p->is_null() || p.key().starts_with(kDeleteFromPrimitiveListPrefix) ||
        p.key().starts_with(kSetElementOrderPrefix)) {
      continue;
    }
    if (!retained(p.key())) return Status::BadRequest(kBadRetainKeys);
  }
  for (auto o = original.begin(); o != original.end();) {
    if (retained(o.key())) {
      ++o;
    } else {
      o = original.erase(o);
    }
  }
  return Status::Ok();
}

// Upstream's validatePatchWithSetOrderList: the patch list's items (bar
// deletions and directives) must appear in the order list, in that order.
Status ValidateAgainstOrder(const json& patch_list, const json& order, std::string_view merge_key) {
  if (order.empty() || patch_list.empty()) return Status::Ok();
  std::vector<const json*> items;
  for (const json& item : patch_list) {
    if (!merge_key.empty()) {
      if (!item.is_object()) {
        return NotAMap(item, merge_key);
      }
      auto directive = item.find(kDirectiveMarker);
      if (directive != item.end() && IsDirective(*directive, kDeleteDirective)) continue;
    }
    items.push_back(&item);
  }
  size_t pi = 0, si = 0;
  while (pi < items.size() && si < order.size()) {
    const json& item = *items[pi];
    if (item.is_object() && item.contains(kDirectiveMarker)) {
      ++pi;
      continue;
    }
    if (!merge_key.empty()) {
      for (const json* side : {&item, &order[si]}) {
        if (!side->is_object()) return Status::BadRequest(kBadSetElementOrder);
        if (!side->contains(merge_key)) return NoMergeKey(*side, merge_key);
      }
    }
    if (SameIdentity(item, order[si], merge_key)) ++pi;
    ++si;
  }
  if (pi < items.size() && si >= order.size()) {
    return Status::BadRequest("the order in patch list:\n" + patch_list.dump() + "\n doesn't match " +
                              std::string(kSetElementOrderPrefix) + " list:\n" + order.dump());
  }
  return Status::Ok();
}

Status Merger::MergeSetElementOrder(json& original, json& patch, const TypeRef* type) {
  std::vector<std::string> keys;
  for (auto it = patch.begin(); it != patch.end(); ++it) {
    if (it.key().starts_with(kSetElementOrderPrefix)) keys.push_back(it.key());
  }
  for (const std::string& key : keys) {
    json order = std::move(patch[key]);
    patch.erase(key);
    if (!order.is_array()) return Status::BadRequest(kBadSetElementOrder);
    ASSIGN_OR_RETURN(std::string field, ExtractKey(key, kSetElementOrderPrefix));
    FieldMeta meta = LookupField(type, field);

    auto oit = original.find(field);
    auto pit = patch.find(field);
    const bool found_original = oit != original.end() && !oit->is_null();
    const bool found_patch = pit != patch.end();
    if (found_original && !oit->is_array()) {
      return Status::BadRequest(key + ": " + field + " is not a list");
    }
    if (found_patch && !pit->is_array()) {
      return Status::BadRequest(key + ": the patch's " + field + " is not a list");
    }
    const json empty = json::array();
    const json& original_list = found_original ? *oit : empty;
    const json& patch_list = found_patch ? *pit : empty;
    RETURN_IF_ERROR(ValidateAgainstOrder(patch_list, order, meta.merge_key));
    ASSIGN_OR_RETURN(ElementKind kind, ListElementKind(original_list, patch_list));

    json merged;
    std::vector<json> server_order = ToVector(original_list);
    if (found_original && !found_patch) {
      merged = original_list;
    } else if (!found_original && found_patch) {
      ASSIGN_OR_RETURN(merged, NewList(patch_list, ElementType(meta.type)));
    } else if (found_original && found_patch) {
      ASSIGN_OR_RETURN(merged, MergeListMember(original_list, patch_list, meta, false, &server_order));
    } else {
      continue;
    }
    patch.erase(field);
    if (kind == ElementKind::kNone) {
      original[field] = std::move(merged);
      continue;
    }
    std::string_view merge_key = meta.merge_key;
    if (merge_key.empty() && kind == ElementKind::kObject) {
      // Upstream crashes on this (it keys a Go map by the objects).
      return Status::BadRequest(key + ": cannot order a list of objects that has no merge key");
    }
    const std::vector<json> order_items = ToVector(order);
    std::vector<json> named, others;
    RETURN_IF_ERROR(Partition(ToVector(merged), order_items, merge_key, &named, &others));
    ASSIGN_OR_RETURN(original[field], NormalizeElementOrder(std::move(named), std::move(others), order_items,
                                                            server_order, merge_key));
  }
  return Status::Ok();
}

StatusOr<json> Merger::MergeListMember(json original, json patch, const FieldMeta& meta, bool delete_list,
                                       std::vector<json>* server_order) {
  // $deleteFromPrimitiveList deletes whatever the field's strategy.
  if (meta.strategy == kMergeDirective || delete_list) {
    return MergeList(std::move(original), std::move(patch), ElementType(meta.type), meta.merge_key,
                     delete_list, server_order);
  }
  return NewList(patch, ElementType(meta.type));
}

StatusOr<json> Merger::MergeList(json original, json patch, const TypeRef* element_type,
                                 std::string_view merge_key, bool delete_list,
                                 std::vector<json>* server_order) {
  if (original.empty() && patch.empty()) return original;
  ASSIGN_OR_RETURN(ElementKind kind, ListElementKind(original, patch));

  if (kind != ElementKind::kObject) {
    if (delete_list) {
      std::unordered_set<std::string> doomed;
      for (const json& element : patch) doomed.insert(element.dump());
      json kept = json::array();
      for (json& element : original) {
        if (doomed.count(element.dump()) == 0) kept.push_back(std::move(element));
      }
      return kept;
    }
    std::vector<json> merged;
    std::unordered_set<std::string> seen;
    for (const json* list : {&original, &patch}) {
      for (const json& element : *list) {
        if (seen.insert(element.dump()).second) merged.push_back(element);
      }
    }
    const std::vector<json> patch_items = ToVector(patch);
    const std::vector<json> original_items = ToVector(original);
    std::vector<json> named, others;
    RETURN_IF_ERROR(Partition(merged, patch_items, {}, &named, &others));
    return NormalizeElementOrder(std::move(named), std::move(others), patch_items, original_items, {});
  }

  if (delete_list) return Status::BadRequest(kBadPrimitiveList);
  if (merge_key.empty()) return Status::BadRequest("cannot merge lists without merge key");

  // Directive elements first: deletions by key, and $patch: replace, which
  // makes the patch's other elements the whole list.
  std::vector<json> patch_items;
  std::unordered_set<std::string> doomed;
  bool replace = false;
  for (const json& element : patch) {
    auto directive = element.find(kDirectiveMarker);
    if (directive == element.end()) {
      patch_items.push_back(element);
    } else if (IsDirective(*directive, kDeleteDirective)) {
      std::optional<std::string> id = Identity(element, merge_key);
      if (!id) return NoMergeKey(element, merge_key);
      doomed.insert(std::move(*id));
    } else if (IsDirective(*directive, kReplaceDirective)) {
      replace = true;
    } else if (IsDirective(*directive, kMergeDirective)) {
      return Status::BadRequest("merging lists cannot yet be specified in the patch");
    } else {
      return BadPatchType(*directive, element);
    }
  }
  // Every element with a deleted key goes, duplicates included.
  std::vector<json> survivors;
  size_t deleted = 0;
  for (json& element : original) {
    std::optional<std::string> id = Identity(element, merge_key);
    if (id && doomed.count(*id) > 0) {
      ++deleted;
    } else {
      survivors.push_back(std::move(element));
    }
  }
  if (replace) {
    json replacement = json::array();
    for (json& element : patch_items) replacement.push_back(std::move(element));
    ASSIGN_OR_RETURN(json list, NewList(replacement, element_type));
    survivors = ToVector(list);
    patch_items.clear();
    deleted = 0;
  }

  // Merge each patch element into the first element with its key, or
  // append it (a later element with the same key then merges into it).
  std::vector<json> merged = survivors;
  std::unordered_map<std::string, size_t> position;
  for (size_t i = 0; i < merged.size(); ++i) {
    if (std::optional<std::string> id = Identity(merged[i], merge_key)) position.emplace(std::move(*id), i);
  }
  std::vector<json> appended;
  for (const json& element : patch_items) {
    std::optional<std::string> id = Identity(element, merge_key);
    if (!id) return NoMergeKey(element, merge_key);
    auto target = position.find(*id);
    if (target != position.end()) {
      ASSIGN_OR_RETURN(merged[target->second],
                       MergeMap(std::move(merged[target->second]), element, element_type));
    } else {
      ASSIGN_OR_RETURN(std::optional<json> value, NewValue(element, element_type));
      if (value) {
        if (std::optional<std::string> new_id = Identity(*value, merge_key)) {
          position.emplace(std::move(*new_id), merged.size());
        }
        merged.push_back(*value);
        appended.push_back(std::move(*value));
      }
    }
  }
  if (server_order != nullptr) {
    *server_order = survivors;
    for (size_t i = 0; i < std::min(deleted, appended.size()); ++i) server_order->push_back(appended[i]);
  }
  std::vector<json> named, others;
  RETURN_IF_ERROR(Partition(merged, patch_items, merge_key, &named, &others));
  return NormalizeElementOrder(std::move(named), std::move(others), patch_items, survivors, merge_key);
}

StatusOr<json> Merger::MergeMap(json original, json patch, const TypeRef* type) {
  Nesting nesting(&depth_);
  if (nesting.TooDeep()) return internal::TooDeep();
  auto directive = patch.find(kDirectiveMarker);
  if (directive != patch.end()) {
    if (IsDirective(*directive, kDeleteDirective)) return json::object();
    if (!IsDirective(*directive, kReplaceDirective)) return BadPatchType(*directive, patch);
    patch.erase(directive);
    return MergeMap(json::object(), std::move(patch), type);
  }
  if (!original.is_object()) original = json::object();

  RETURN_IF_ERROR(ApplyRetainKeys(original, patch));
  RETURN_IF_ERROR(MergeSetElementOrder(original, patch, type));

  for (auto it = patch.begin(); it != patch.end(); ++it) {
    std::string key = it.key();
    bool delete_list = false;
    if (key.starts_with(kDeleteFromPrimitiveListPrefix)) {
      ASSIGN_OR_RETURN(key, ExtractKey(key, kDeleteFromPrimitiveListPrefix));
      delete_list = true;
    }
    json& value = *it;
    if (value.is_null()) {
      original.erase(key);
      continue;
    }
    const FieldMeta meta = LookupField(type, key);
    auto current = original.find(key);
    const bool both_objects = current != original.end() && current->is_object() && value.is_object();
    const bool both_lists = current != original.end() && current->is_array() && value.is_array();

    if (delete_list) {
      if (!value.is_array()) return Status::BadRequest(kBadPrimitiveList);
      // Deleting from a list the object does not have changes nothing.
      if (both_lists) {
        ASSIGN_OR_RETURN(*current,
                         MergeListMember(std::move(*current), std::move(value), meta, true, nullptr));
      }
      continue;
    }
    if (both_objects && meta.strategy != kReplaceDirective) {
      ASSIGN_OR_RETURN(*current, MergeMap(std::move(*current), std::move(value), meta.type));
    } else if (both_lists) {
      ASSIGN_OR_RETURN(*current,
                       MergeListMember(std::move(*current), std::move(value), meta, false, nullptr));
    } else {
      ASSIGN_OR_RETURN(std::optional<json> replacement, NewValue(std::move(value), meta.type));
      if (replacement) {
        original[key] = std::move(*replacement);
      } else {
        original.erase(key);
      }
    }
  }
  return original;
}

}  // namespace

// `schema` is not consulted: the definitions a TypeRef names are linked
// directly, so `def` leads to everything the merge needs.
StatusOr<nlohmann::json> ApplyStrategicMergePatch(const nlohmann::json& doc, const nlohmann::json& patch,
                                                  const api::Definition& def) {
  if (patch.is_null()) return doc;
  if (!patch.is_object()) {
    return Status::BadRequest("json: cannot unmarshal " + internal::GoJsonTypeName(patch) +
                              " into Go value of type map[string]interface {}");
  }
  TypeRef root;
  root.kind = TypeKind::kRef;
  root.ref = &def;
  try {
    Merger merger;
    return merger.MergeMap(doc, patch, &root);
  } catch (const std::exception& e) {
    return Status::Internal(std::string("applying strategic merge patch: ") + e.what());
  }
}

}  // namespace kubepp::apiserver::patch
