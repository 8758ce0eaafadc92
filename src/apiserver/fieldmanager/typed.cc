#include "apiserver/fieldmanager/typed.h"

#include <map>
#include <set>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <nlohmann/json.hpp>

#include "api/schema/schema.h"

namespace kubepp::apiserver::fieldmanager::internal {
namespace {

using json = nlohmann::json;
using api::Definition;
using api::Field;
using api::Special;
using api::TypeKind;
using api::TypeRef;
using Path = FieldSet::Path;
using Node = FieldSet::Node;

// Deeper than any object the codecs accept; guards the recursion.
constexpr int kMaxDepth = 256;

enum class Shape { kLeaf, kStruct, kMap, kList };

// How one value is merged and tracked (structured-merge-diff's atom).
struct Type {
  Shape shape = Shape::kLeaf;
  // kStruct/kMap: replaced whole; kList: not associative.
  bool atomic = false;
  const TypeRef* scalar = nullptr;       // kLeaf scalars, for strict checks
  const Definition* def = nullptr;       // kStruct
  const TypeRef* element = nullptr;      // kMap values, kList items
  std::vector<std::string> keys;         // kList keyed by fields; empty: a set
  bool Associative() const { return shape == Shape::kList && !atomic; }
};

Type Resolve(const TypeRef& t, const Field* f) {
  Type out;
  switch (t.kind) {
    case TypeKind::kString:
    case TypeKind::kInteger:
    case TypeKind::kNumber:
    case TypeKind::kBoolean:
      out.scalar = &t;
      return out;
    case TypeKind::kAny:
      return out;
    case TypeKind::kRef: {
      const Definition* d = t.ref;
      if (!d) return out;
      switch (d->special) {
        case Special::kNone:
          break;
        case Special::kQuantity:
        case Special::kIntOrString:
        case Special::kTime:
        case Special::kMicroTime:
        case Special::kDuration:
          out.scalar = &t;
          return out;
        default:  // free-form JSON: one leaf
          return out;
      }
      out.shape = Shape::kStruct;
      out.def = d;
      out.atomic = (f && !f->map_type.empty()) ? f->map_type == "atomic" : d->struct_type == "atomic";
      return out;
    }
    case TypeKind::kArray: {
      if (!t.element) return out;
      out.shape = Shape::kList;
      out.element = t.element.get();
      std::string_view lt = f ? std::string_view(f->list_type) : std::string_view();
      if (lt == "map") {
        out.keys = f->list_map_keys;
      } else if (lt == "set") {
        // a set: no keys
      } else if (lt == "atomic" || !f ||
                 f->patch_strategy.find("merge") == std::string::npos) {
        out.atomic = true;
      } else if (!f->patch_merge_key.empty()) {
        out.keys = {f->patch_merge_key};
      }
      return out;
    }
    case TypeKind::kMap:
      if (!t.element) return out;
      out.shape = Shape::kMap;
      out.element = t.element.get();
      out.atomic = f && f->map_type == "atomic";
      return out;
  }
  return out;
}

Type RootType(const Definition& def) {
  Type t;
  t.shape = Shape::kStruct;
  t.def = &def;
  t.atomic = def.struct_type == "atomic";
  return t;
}

// The type of member `key` of an object of type `t` (kStruct or kMap).
// Undeclared struct fields are leaves; *declared is false for them.
Type ChildType(const Type& t, const std::string& key, bool* declared = nullptr) {
  if (declared) *declared = true;
  if (t.shape == Shape::kMap) return Resolve(*t.element, nullptr);
  const Field* f = t.def ? t.def->FindField(key) : nullptr;
  if (!f) {
    if (declared) *declared = false;
    return Type{};
  }
  return Resolve(f->type, f);
}

bool IsNamedField(const Type& t, const std::string& key) {
  return t.shape == Shape::kStruct && t.def && t.def->FindField(key) != nullptr;
}

// Upstream's schema defaults for list key fields (the only ones the
// built-in API has): an item without them is keyed as if it had them.
const json* KeyDefault(const TypeRef* element, const std::string& key) {
  static const json kTcp = "TCP";
  if (!element || element->kind != TypeKind::kRef || !element->ref) return nullptr;
  const std::string& name = element->ref->name;
  if (key == "protocol" &&
      (name == "io.k8s.api.core.v1.ContainerPort" || name == "io.k8s.api.core.v1.ServicePort")) {
    return &kTcp;
  }
  return nullptr;
}

std::string JsonTypeName(const json& v) {
  switch (v.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "map";
    case json::value_t::array:
      return "list";
    case json::value_t::string:
      return "string";
    case json::value_t::boolean:
      return "boolean";
    default:
      return "number";
  }
}

// The FieldsV1 element of a list item; an upstream-worded error otherwise.
StatusOr<std::string> ItemElement(const json& item, const Type& list) {
  if (!list.keys.empty()) {
    if (item.is_null()) {
      return Status::BadRequest("associative list with keys may not have a null element");
    }
    if (!item.is_object()) {
      return Status::BadRequest("associative list with keys may not have non-map elements");
    }
    json key = json::object();
    for (const auto& k : list.keys) {
      auto it = item.find(k);
      if (it != item.end() && !it->is_null()) {
        key[k] = *it;
      } else if (const json* d = KeyDefault(list.element, k)) {
        key[k] = *d;
      } else {
        return Status::BadRequest("associative list with keys has an element that omits key field \"" + k +
                                  "\" (and doesn't have default value)");
      }
    }
    return "k:" + key.dump();
  }
  if (item.is_object()) {
    return Status::BadRequest("associative list without keys has an element that's a map type");
  }
  if (item.is_array()) {
    return Status::BadRequest("associative list without keys has an element that's a list type");
  }
  return "v:" + item.dump();
}

// ---------------------------------------------------------------- ToFieldSet

class SetBuilder {
 public:
  explicit SetBuilder(bool strict) : strict_(strict) {}

  void Walk(const json& v, const Type& t, int depth) {
    if (depth > kMaxDepth) {
      Error("nested too deeply");
      return;
    }
    switch (t.shape) {
      case Shape::kLeaf:
        if (strict_ && t.scalar) CheckScalar(v, *t.scalar);
        Insert();
        return;
      case Shape::kStruct:
      case Shape::kMap:
        WalkObject(v, t, depth);
        return;
      case Shape::kList:
        WalkList(v, t, depth);
        return;
    }
  }

  FieldSet& set() { return set_; }
  const std::vector<std::string>& errors() const { return errors_; }

 private:
  void Insert() {
    if (!path_.empty() && !validate_only_) set_.Insert(path_);
  }

  void Error(const std::string& msg) {
    std::string where = PathString(path_);
    errors_.push_back(where.empty() ? msg : where + ": " + msg);
  }

  void CheckScalar(const json& v, const TypeRef& t) {
    if (v.is_null()) return;
    Special sp = (t.kind == TypeKind::kRef && t.ref) ? t.ref->special : Special::kNone;
    bool ok = true;
    std::string expected;
    if (sp == Special::kIntOrString || sp == Special::kQuantity) {
      // Quantity takes numbers too: kubectl users write `cpu: 1`.
      ok = v.is_string() || v.is_number();
      expected = "any scalar";
    } else if (sp != Special::kNone || t.kind == TypeKind::kString) {
      ok = v.is_string();
      expected = "string";
    } else if (t.kind == TypeKind::kInteger || t.kind == TypeKind::kNumber) {
      ok = v.is_number();
      expected = "numeric (int or float)";
    } else if (t.kind == TypeKind::kBoolean) {
      ok = v.is_boolean();
      expected = "boolean";
    }
    if (!ok) Error("expected " + expected + ", got " + JsonTypeName(v) + " " + v.dump());
  }

  void WalkObject(const json& v, const Type& t, int depth) {
    if (v.is_null()) return;  // the parent decides whether null is owned
    if (!v.is_object()) {
      if (strict_) {
        Error("expected map, got " + JsonTypeName(v) + " " + v.dump());
      } else {
        Insert();
      }
      return;
    }
    if (t.atomic) {
      Insert();
      if (strict_) ValidateInside(v, t, depth);
      return;
    }
    for (auto it = v.begin(); it != v.end(); ++it) {
      bool declared = true;
      Type ct = ChildType(t, it.key(), &declared);
      path_.push_back(FieldElement(it.key()));
      if (!declared) {
        if (strict_) {
          Error("field not declared in schema");
        } else {
          Insert();
        }
      } else {
        Walk(*it, ct, depth + 1);
        // Map entries are always members; struct fields when they hold
        // null or {} (nothing below them would say they are set).
        if (t.shape == Shape::kMap || it->is_null() || (it->is_object() && it->empty())) Insert();
      }
      path_.pop_back();
    }
  }

  void WalkList(const json& v, const Type& t, int depth) {
    if (t.atomic) {
      Insert();
      if (strict_ && v.is_array()) ValidateInside(v, t, depth);
      if (strict_ && !v.is_array() && !v.is_null()) {
        Error("expected list, got " + JsonTypeName(v) + " " + v.dump());
      }
      return;
    }
    if (v.is_null()) return;
    if (!v.is_array()) {
      if (strict_) {
        Error("expected list, got " + JsonTypeName(v) + " " + v.dump());
      } else {
        Insert();
      }
      return;
    }
    Type et = Resolve(*t.element, nullptr);
    std::vector<std::string> elems(v.size());
    std::map<std::string, int> count;
    std::vector<bool> bad(v.size(), false);
    for (size_t i = 0; i < v.size(); ++i) {
      auto pe = ItemElement(v[i], t);
      if (!pe.ok()) {
        Error("element " + std::to_string(i) + ": " + pe.status().message());
        bad[i] = true;
        continue;
      }
      elems[i] = *pe;
      ++count[elems[i]];
    }
    std::set<std::string> reported;
    for (size_t i = 0; i < v.size(); ++i) {
      if (bad[i]) continue;
      bool dup = count[elems[i]] > 1;
      if (dup && strict_) {
        if (reported.insert(elems[i]).second) {
          Error("duplicate entries for key " + PathString({elems[i]}));
        }
        continue;
      }
      path_.push_back(elems[i]);
      // A duplicated item of a stored object is owned as a whole only.
      if (!dup) Walk(v[i], et, depth + 1);
      Insert();
      path_.pop_back();
    }
  }

  // Checks what an atomic value holds without adding paths for it.
  void ValidateInside(const json& v, const Type& t, int depth) {
    bool saved = validate_only_;
    validate_only_ = true;
    Type granular = t;
    granular.atomic = false;
    if (t.shape == Shape::kList) {
      Type et = Resolve(*t.element, nullptr);
      for (size_t i = 0; i < v.size(); ++i) {
        path_.push_back("i:" + std::to_string(i));
        Walk(v[i], et, depth + 1);
        path_.pop_back();
      }
    } else {
      WalkObject(v, granular, depth);
    }
    validate_only_ = saved;
  }

  bool strict_;
  bool validate_only_ = false;
  Path path_;
  FieldSet set_;
  std::vector<std::string> errors_;
};

// ------------------------------------------------------------------- Compare

struct Indexed {
  std::vector<std::pair<std::string, const json*>> order;  // first occurrences
  std::unordered_map<std::string, const json*> by_elem;
};

Indexed IndexItems(const json* list, const Type& t) {
  Indexed out;
  if (!list || !list->is_array()) return out;
  for (const auto& item : *list) {
    auto pe = ItemElement(item, t);
    if (!pe.ok()) continue;
    if (out.by_elem.emplace(*pe, &item).second) out.order.emplace_back(*pe, &item);
  }
  return out;
}

class Comparer {
 public:
  explicit Comparer(Comparison& c) : c_(c) {}

  void Walk(const json* l, const json* r, const Type& t, int depth) {
    if (depth > kMaxDepth) return;
    switch (t.shape) {
      case Shape::kLeaf:
        Leaf(l, r);
        return;
      case Shape::kStruct:
      case Shape::kMap:
        WalkObject(l, r, t, depth);
        return;
      case Shape::kList:
        WalkList(l, r, t, depth);
        return;
    }
  }

 private:
  void Leaf(const json* l, const json* r) {
    if (!l) {
      c_.added.Insert(path_);
    } else if (!r) {
      c_.removed.Insert(path_);
    } else if (*l != *r) {
      c_.modified.Insert(path_);
    }
  }

  // A granular value that appears or disappears as a whole is itself
  // added or removed (besides everything below it).
  void Whole(const json* l, const json* r) {
    if (!l) {
      c_.added.Insert(path_);
    } else if (!r) {
      c_.removed.Insert(path_);
    }
  }

  static bool Mismatch(const json* v, bool want_object) {
    return v && !v->is_null() && (want_object ? !v->is_object() : !v->is_array());
  }

  void WalkObject(const json* l, const json* r, const Type& t, int depth) {
    if (t.atomic || Mismatch(l, true) || Mismatch(r, true)) {
      Leaf(l, r);
      return;
    }
    const json* lm = (l && l->is_object()) ? l : nullptr;
    const json* rm = (r && r->is_object()) ? r : nullptr;
    if ((!lm || lm->empty()) && (!rm || rm->empty())) {
      Leaf(l, r);
      return;
    }
    std::set<std::string> keys;
    if (lm) {
      for (auto it = lm->begin(); it != lm->end(); ++it) keys.insert(it.key());
    }
    if (rm) {
      for (auto it = rm->begin(); it != rm->end(); ++it) keys.insert(it.key());
    }
    for (const auto& k : keys) {
      const json* lc = nullptr;
      const json* rc = nullptr;
      if (lm) {
        if (auto it = lm->find(k); it != lm->end()) lc = &*it;
      }
      if (rm) {
        if (auto it = rm->find(k); it != rm->end()) rc = &*it;
      }
      path_.push_back(FieldElement(k));
      Walk(lc, rc, ChildType(t, k), depth + 1);
      path_.pop_back();
    }
    Whole(l, r);
  }

  void WalkList(const json* l, const json* r, const Type& t, int depth) {
    if (t.atomic || Mismatch(l, false) || Mismatch(r, false)) {
      Leaf(l, r);
      return;
    }
    const json* la = (l && l->is_array()) ? l : nullptr;
    const json* ra = (r && r->is_array()) ? r : nullptr;
    if ((!la || la->empty()) && (!ra || ra->empty())) {
      Leaf(l, r);
      return;
    }
    Type et = Resolve(*t.element, nullptr);
    Indexed li = IndexItems(la, t);
    Indexed ri = IndexItems(ra, t);
    for (const auto& [pe, rv] : ri.order) {
      auto it = li.by_elem.find(pe);
      path_.push_back(pe);
      Walk(it == li.by_elem.end() ? nullptr : it->second, rv, et, depth + 1);
      path_.pop_back();
    }
    for (const auto& [pe, lv] : li.order) {
      if (ri.by_elem.count(pe)) continue;
      path_.push_back(pe);
      Walk(lv, nullptr, et, depth + 1);
      path_.pop_back();
    }
    Whole(l, r);
  }

  Comparison& c_;
  Path path_;
};

// --------------------------------------------------------------------- Merge

json MergeValues(const json* l, const json* r, const Type& t, int depth);

json MergeObjects(const json& l, const json& r, const Type& t, int depth) {
  json out = json::object();
  for (auto it = l.begin(); it != l.end(); ++it) {
    auto rit = r.find(it.key());
    const json* rc = rit == r.end() ? nullptr : &*rit;
    out[it.key()] = MergeValues(&*it, rc, ChildType(t, it.key()), depth + 1);
  }
  for (auto it = r.begin(); it != r.end(); ++it) {
    if (l.contains(it.key())) continue;
    out[it.key()] = *it;
  }
  return out;
}

json MergeLists(const json& l, const json& r, const Type& t, int depth) {
  Type et = Resolve(*t.element, nullptr);
  // The applied side was validated: every item has an element, no repeats.
  std::vector<std::pair<std::string, const json*>> rorder;
  std::unordered_map<std::string, const json*> rby;
  for (const auto& item : r) {
    auto pe = ItemElement(item, t);
    if (!pe.ok() || rby.count(*pe)) continue;
    rby.emplace(*pe, &item);
    rorder.emplace_back(*pe, &item);
  }
  // Live items: the first occurrence of an element is its match; items
  // without a valid element stay where they are.
  std::vector<std::string> lelem(l.size());
  std::unordered_map<std::string, const json*> lby;
  for (size_t i = 0; i < l.size(); ++i) {
    auto pe = ItemElement(l[i], t);
    if (!pe.ok()) continue;
    lelem[i] = *pe;
    lby.emplace(*pe, &l[i]);
  }
  std::vector<std::string> shared;
  for (const auto& [pe, v] : rorder) {
    if (lby.count(pe)) shared.push_back(pe);
  }

  json out = json::array();
  std::set<std::string> emitted;
  size_t next_r = 0;
  size_t next_shared = 0;
  auto emit_applied_through = [&](const std::string* stop) {
    while (next_r < rorder.size()) {
      const auto& [pe, rv] = rorder[next_r++];
      auto lit = lby.find(pe);
      const json* lv = lit == lby.end() ? nullptr : lit->second;
      out.push_back(MergeValues(lv, rv, et, depth + 1));
      emitted.insert(pe);
      if (lv) ++next_shared;
      if (stop && pe == *stop) return;
    }
  };
  for (size_t i = 0; i < l.size(); ++i) {
    const std::string& pe = lelem[i];
    if (pe.empty() || !rby.count(pe)) {
      out.push_back(l[i]);  // only live has it: it keeps its place
      continue;
    }
    if (emitted.count(pe)) continue;  // merged already (or a repeat)
    // A shared item waits until the applied order reaches it.
    if (next_shared < shared.size() && shared[next_shared] == pe) emit_applied_through(&pe);
  }
  emit_applied_through(nullptr);
  return out;
}

json MergeValues(const json* l, const json* r, const Type& t, int depth) {
  if (!r) return *l;
  if (!l || depth > kMaxDepth) return *r;
  switch (t.shape) {
    case Shape::kLeaf:
      return *r;
    case Shape::kStruct:
    case Shape::kMap:
      if (t.atomic) return *r;
      if (r->is_null()) return (l->is_object() && !l->empty()) ? *l : *r;
      if (!r->is_object() || !l->is_object()) return *r;
      if (l->empty() && r->empty()) return *r;
      return MergeObjects(*l, *r, t, depth);
    case Shape::kList:
      if (t.atomic) return *r;
      if (r->is_null()) return (l->is_array() && !l->empty()) ? *l : *r;
      if (!r->is_array() || !l->is_array()) return *r;
      if (l->empty() && r->empty()) return *r;
      return MergeLists(*l, *r, t, depth);
  }
  return *r;
}

// --------------------------------------------------------------------- Prune

bool Covers(const Node* n, bool named) {
  return n && (n->member || (named && !n->children.empty()));
}

// Returns whether anything below `v` was removed.
bool PruneValue(json& v, const Node& last, const Node* owned, const Type& t, int depth) {
  if (depth > kMaxDepth) return false;
  bool removed = false;
  auto visit = [&](json& child, const Type& ct, const Node* lc, const Node* oc, bool named) {
    // true: drop `child`
    if (Covers(lc, named) && !Covers(oc, named)) return true;
    if (lc && !lc->children.empty() && PruneValue(child, *lc, oc, ct, depth + 1)) {
      removed = true;
      // Emptied by the removal: upstream leaves null, which decodes away.
      if ((child.is_object() || child.is_array()) && child.empty()) child = nullptr;
    }
    return false;
  };
  if ((t.shape == Shape::kStruct || t.shape == Shape::kMap) && !t.atomic && v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      std::string pe = FieldElement(it.key());
      const Node* lc = last.Child(pe);
      if (!lc) {
        ++it;
        continue;
      }
      const Node* oc = owned ? owned->Child(pe) : nullptr;
      if (visit(*it, ChildType(t, it.key()), lc, oc, IsNamedField(t, it.key()))) {
        it = v.erase(it);
        removed = true;
      } else {
        ++it;
      }
    }
  } else if (t.Associative() && v.is_array()) {
    Type et = Resolve(*t.element, nullptr);
    json kept = json::array();
    for (auto& item : v) {
      auto pe = ItemElement(item, t);
      const Node* lc = pe.ok() ? last.Child(*pe) : nullptr;
      if (!lc) {
        kept.push_back(std::move(item));
        continue;
      }
      const Node* oc = owned ? owned->Child(*pe) : nullptr;
      if (visit(item, et, lc, oc, false)) {
        removed = true;
      } else {
        kept.push_back(std::move(item));
      }
    }
    v = std::move(kept);
  }
  return removed;
}

// ------------------------------------------------------------------ FillZero

// Fields whose Go type is a value (not a pointer): a struct shown as {}
// ('s'), a metav1.Time/MicroTime shown as null ('t'). Top-level metadata,
// spec and status of every kind are values too (handled by rule).
const std::unordered_map<std::string_view, std::vector<std::pair<std::string_view, char>>>& ValueFields() {
  static const auto* table = new std::unordered_map<std::string_view, std::vector<std::pair<std::string_view, char>>>{
      {"io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", {{"creationTimestamp", 't'}}},
      {"io.k8s.apimachinery.pkg.apis.meta.v1.Condition", {{"lastTransitionTime", 't'}}},
      {"io.k8s.api.core.v1.PodTemplateSpec", {{"metadata", 's'}, {"spec", 's'}}},
      {"io.k8s.api.batch.v1.JobTemplateSpec", {{"metadata", 's'}, {"spec", 's'}}},
      {"io.k8s.api.core.v1.PersistentVolumeClaimTemplate", {{"metadata", 's'}, {"spec", 's'}}},
      {"io.k8s.api.apps.v1.DeploymentSpec", {{"template", 's'}, {"strategy", 's'}}},
      {"io.k8s.api.apps.v1.DaemonSetSpec", {{"template", 's'}, {"updateStrategy", 's'}}},
      {"io.k8s.api.apps.v1.StatefulSetSpec", {{"template", 's'}, {"updateStrategy", 's'}}},
      {"io.k8s.api.apps.v1.ReplicaSetSpec", {{"template", 's'}}},
      {"io.k8s.api.apps.v1.DeploymentCondition", {{"lastUpdateTime", 't'}, {"lastTransitionTime", 't'}}},
      {"io.k8s.api.apps.v1.ReplicaSetCondition", {{"lastTransitionTime", 't'}}},
      {"io.k8s.api.apps.v1.StatefulSetCondition", {{"lastTransitionTime", 't'}}},
      {"io.k8s.api.apps.v1.DaemonSetCondition", {{"lastTransitionTime", 't'}}},
      {"io.k8s.api.batch.v1.JobSpec", {{"template", 's'}}},
      {"io.k8s.api.batch.v1.CronJobSpec", {{"jobTemplate", 's'}}},
      {"io.k8s.api.batch.v1.JobCondition", {{"lastProbeTime", 't'}, {"lastTransitionTime", 't'}}},
      {"io.k8s.api.core.v1.Container", {{"resources", 's'}}},
      {"io.k8s.api.core.v1.EphemeralContainer", {{"resources", 's'}}},
      {"io.k8s.api.core.v1.ContainerStatus", {{"state", 's'}, {"lastState", 's'}}},
      {"io.k8s.api.core.v1.ContainerStateRunning", {{"startedAt", 't'}}},
      {"io.k8s.api.core.v1.ContainerStateTerminated", {{"startedAt", 't'}, {"finishedAt", 't'}}},
      {"io.k8s.api.core.v1.PodCondition", {{"lastProbeTime", 't'}, {"lastTransitionTime", 't'}}},
      {"io.k8s.api.core.v1.NodeCondition", {{"lastHeartbeatTime", 't'}, {"lastTransitionTime", 't'}}},
      {"io.k8s.api.core.v1.NamespaceCondition", {{"lastTransitionTime", 't'}}},
      {"io.k8s.api.core.v1.PersistentVolumeClaimCondition",
       {{"lastProbeTime", 't'}, {"lastTransitionTime", 't'}}},
      {"io.k8s.api.core.v1.NodeStatus", {{"daemonEndpoints", 's'}, {"nodeInfo", 's'}}},
      {"io.k8s.api.core.v1.NodeDaemonEndpoints", {{"kubeletEndpoint", 's'}}},
      {"io.k8s.api.core.v1.PersistentVolumeClaimSpec", {{"resources", 's'}}},
      {"io.k8s.api.core.v1.ServiceStatus", {{"loadBalancer", 's'}}},
      {"io.k8s.api.core.v1.Binding", {{"target", 's'}}},
      {"io.k8s.api.core.v1.Event",
       {{"involvedObject", 's'}, {"source", 's'}, {"firstTimestamp", 't'}, {"lastTimestamp", 't'},
        {"eventTime", 't'}}},
      {"io.k8s.api.core.v1.EventSeries", {{"lastObservedTime", 't'}}},
      {"io.k8s.api.events.v1.Event",
       {{"regarding", 's'}, {"deprecatedSource", 's'}, {"eventTime", 't'},
        {"deprecatedFirstTimestamp", 't'}, {"deprecatedLastTimestamp", 't'}}},
      {"io.k8s.api.events.v1.EventSeries", {{"lastObservedTime", 't'}}},
      {"io.k8s.api.networking.v1.IngressStatus", {{"loadBalancer", 's'}}},
      {"io.k8s.api.networking.v1.HTTPIngressPath", {{"backend", 's'}}},
      {"io.k8s.api.networking.v1.IngressServiceBackend", {{"port", 's'}}},
      {"io.k8s.api.networking.v1.NetworkPolicySpec", {{"podSelector", 's'}}},
      {"io.k8s.api.rbac.v1.RoleBinding", {{"roleRef", 's'}}},
      {"io.k8s.api.rbac.v1.ClusterRoleBinding", {{"roleRef", 's'}}},
      {"io.k8s.api.discovery.v1.Endpoint", {{"conditions", 's'}}},
      {"io.k8s.api.autoscaling.v1.HorizontalPodAutoscalerSpec", {{"scaleTargetRef", 's'}}},
      {"io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec", {{"scaleTargetRef", 's'}}},
      {"io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerCondition", {{"lastTransitionTime", 't'}}},
      {"io.k8s.api.autoscaling.v2.ObjectMetricSource",
       {{"describedObject", 's'}, {"target", 's'}, {"metric", 's'}}},
      {"io.k8s.api.autoscaling.v2.PodsMetricSource", {{"metric", 's'}, {"target", 's'}}},
      {"io.k8s.api.autoscaling.v2.ResourceMetricSource", {{"target", 's'}}},
      {"io.k8s.api.autoscaling.v2.ContainerResourceMetricSource", {{"target", 's'}}},
      {"io.k8s.api.autoscaling.v2.ExternalMetricSource", {{"metric", 's'}, {"target", 's'}}},
      {"io.k8s.api.autoscaling.v2.ObjectMetricStatus",
       {{"metric", 's'}, {"current", 's'}, {"describedObject", 's'}}},
      {"io.k8s.api.autoscaling.v2.PodsMetricStatus", {{"metric", 's'}, {"current", 's'}}},
      {"io.k8s.api.autoscaling.v2.ResourceMetricStatus", {{"current", 's'}}},
      {"io.k8s.api.autoscaling.v2.ContainerResourceMetricStatus", {{"current", 's'}}},
      {"io.k8s.api.autoscaling.v2.ExternalMetricStatus", {{"metric", 's'}, {"current", 's'}}},
      {"io.k8s.api.authentication.v1.TokenReviewStatus", {{"user", 's'}}},
      {"io.k8s.api.authentication.v1.SelfSubjectReviewStatus", {{"userInfo", 's'}}},
      {"io.k8s.api.authentication.v1.TokenRequestStatus", {{"expirationTimestamp", 't'}}},
  };
  return *table;
}

bool IsKindDefinition(const Definition& d) {
  return d.FindField("apiVersion") && d.FindField("kind") && d.FindField("metadata");
}

void FillZeroValue(json& v, const Type& t, int depth);

void FillZeroStruct(json& obj, const Definition& def, int depth) {
  const auto& table = ValueFields();
  auto vit = table.find(def.name);
  bool kind = IsKindDefinition(def);
  for (const Field& f : def.fields) {
    if (obj.contains(f.name)) continue;
    char zero = 0;
    if (kind && (f.name == "metadata" || f.name == "spec" || f.name == "status") &&
        f.type.kind == TypeKind::kRef && f.type.ref && f.type.ref->special == Special::kNone) {
      zero = 's';
    } else if (vit != table.end()) {
      for (const auto& [name, z] : vit->second) {
        if (name == f.name) zero = z;
      }
    }
    if (!zero && f.required) {
      // Fields without omitempty: Go writes nil slices, maps and pointers
      // as null. Scalars would show their zero value; they are left out
      // (a valid object has them anyway).
      bool special = f.type.kind == TypeKind::kRef && f.type.ref && f.type.ref->special != Special::kNone;
      if (f.type.kind == TypeKind::kArray || f.type.kind == TypeKind::kMap ||
          (f.type.kind == TypeKind::kRef && !special)) {
        zero = 'n';
      }
    }
    if (zero == 's') {
      obj[f.name] = json::object();
    } else if (zero == 't' || zero == 'n') {
      obj[f.name] = nullptr;
    }
  }
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const Field* f = def.FindField(it.key());
    if (f) FillZeroValue(*it, Resolve(f->type, f), depth + 1);
  }
}

void FillZeroValue(json& v, const Type& t, int depth) {
  if (depth > kMaxDepth) return;
  switch (t.shape) {
    case Shape::kLeaf:
      return;
    case Shape::kStruct:
      if (v.is_object() && !t.atomic && t.def) FillZeroStruct(v, *t.def, depth);
      return;
    case Shape::kMap:
      if (v.is_object() && !t.atomic) {
        Type et = Resolve(*t.element, nullptr);
        for (auto& e : v) FillZeroValue(e, et, depth + 1);
      }
      return;
    case Shape::kList:
      if (v.is_array()) {
        Type et = Resolve(*t.element, nullptr);
        if (et.shape == Shape::kLeaf) return;
        for (auto& e : v) FillZeroValue(e, et, depth + 1);
      }
      return;
  }
}

void StripNullsImpl(json& v, int depth) {
  if (depth > kMaxDepth) return;
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (it->is_null()) {
        it = v.erase(it);
      } else {
        StripNullsImpl(*it, depth + 1);
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (auto& e : v) StripNullsImpl(e, depth + 1);
  }
}

}  // namespace

void Comparison::Exclude(const FieldSet& fields) {
  if (fields.Empty()) return;
  added = added.RecursiveDifference(fields);
  removed = removed.RecursiveDifference(fields);
  modified = modified.RecursiveDifference(fields);
}

StatusOr<FieldSet> ToFieldSet(const json& value, const Definition& root, bool strict) {
  SetBuilder b(strict);
  b.Walk(value, RootType(root), 0);
  const auto& errs = b.errors();
  if (!errs.empty()) {
    if (errs.size() == 1) return Status::BadRequest(errs[0]);
    std::string msg = "errors:";
    for (const auto& e : errs) msg += "\n  " + e;
    return Status::BadRequest(msg);
  }
  return std::move(b.set());
}

Comparison Compare(const json& lhs, const json& rhs, const Definition& root) {
  Comparison c;
  Comparer w(c);
  w.Walk(&lhs, &rhs, RootType(root), 0);
  return c;
}

json Merge(const json& live, const json& applied, const Definition& root) {
  return MergeValues(&live, &applied, RootType(root), 0);
}

void Prune(json& merged, const FieldSet& last, const FieldSet& owned, const Definition& root) {
  PruneValue(merged, last.root(), &owned.root(), RootType(root), 0);
}

void FillZero(json& obj, const Definition& root) { FillZeroValue(obj, RootType(root), 0); }

void StripNulls(json& value) { StripNullsImpl(value, 0); }

}  // namespace kubepp::apiserver::fieldmanager::internal
