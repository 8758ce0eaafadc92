#include "apiserver/fieldmanager/fieldset.h"

#include <nlohmann/json.hpp>

#include "api/field_error.h"

namespace kubepp::apiserver::fieldmanager {
namespace {

using json = nlohmann::json;
using Node = FieldSet::Node;

bool NodesEqual(const Node& a, const Node& b) {
  if (a.member != b.member || a.children.size() != b.children.size()) return false;
  auto ia = a.children.begin();
  auto ib = b.children.begin();
  for (; ia != a.children.end(); ++ia, ++ib) {
    if (ia->first != ib->first || !NodesEqual(ia->second, ib->second)) return false;
  }
  return true;
}

Node UnionNodes(const Node& a, const Node& b) {
  Node out = a;
  out.member = a.member || b.member;
  for (const auto& [k, bc] : b.children) {
    auto it = out.children.find(k);
    if (it == out.children.end()) {
      out.children.emplace(k, bc);
    } else {
      it->second = UnionNodes(it->second, bc);
    }
  }
  return out;
}

// Members of `a` that are not members of `b`; `recursive`: nor below one.
Node DifferenceNodes(const Node& a, const Node& b, bool recursive) {
  Node out;
  out.member = a.member && !b.member;
  for (const auto& [k, ac] : a.children) {
    auto it = b.children.find(k);
    if (it == b.children.end()) {
      out.children.emplace(k, ac);
      continue;
    }
    if (recursive && it->second.member) continue;  // the whole subtree goes
    Node d = DifferenceNodes(ac, it->second, recursive);
    if (!d.Empty()) out.children.emplace(k, std::move(d));
  }
  return out;
}

Node IntersectNodes(const Node& a, const Node& b) {
  Node out;
  out.member = a.member && b.member;
  for (const auto& [k, ac] : a.children) {
    auto it = b.children.find(k);
    if (it == b.children.end()) continue;
    Node i = IntersectNodes(ac, it->second);
    if (!i.Empty()) out.children.emplace(k, std::move(i));
  }
  return out;
}

void CollectPaths(const Node& n, FieldSet::Path& prefix, std::vector<FieldSet::Path>& out) {
  for (const auto& [k, c] : n.children) {
    if (!c.member) continue;
    prefix.push_back(k);
    out.push_back(prefix);
    prefix.pop_back();
  }
  for (const auto& [k, c] : n.children) {
    if (c.children.empty()) continue;
    prefix.push_back(k);
    CollectPaths(c, prefix, out);
    prefix.pop_back();
  }
}

json NodeToFields(const Node& n) {
  json out = json::object();
  if (n.member && !n.children.empty()) out["."] = json::object();
  for (const auto& [k, c] : n.children) out[k] = NodeToFields(c);
  return out;
}

// True when JSON text nests deeper than `limit` (checked before parsing
// text that arrived inside a string, which no body-level limit covered).
bool TooDeep(std::string_view text, int limit) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (++depth > limit) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

// Re-spells one FieldsV1 key canonically; BadRequest when it is not one.
StatusOr<std::string> CanonicalElement(const std::string& key) {
  auto bad = [&](std::string_view why) {
    return Status::BadRequest("invalid FieldsV1 key \"" + key + "\": " + std::string(why));
  };
  if (key.size() < 2 || key[1] != ':') return bad("expected a prefix f:, k:, v: or i:");
  std::string_view rest = std::string_view(key).substr(2);
  switch (key[0]) {
    case 'f':
      return key;
    case 'k':
    case 'v': {
      if (TooDeep(rest, 32)) return bad("nested too deeply");
      json v = json::parse(rest.begin(), rest.end(), nullptr, /*allow_exceptions=*/false);
      if (v.is_discarded()) return bad("not valid JSON");
      if (key[0] == 'k' && !v.is_object()) return bad("a key must be a JSON object");
      return std::string(1, key[0]) + ":" + v.dump();
    }
    case 'i': {
      if (rest.empty()) return bad("not an index");
      size_t i = 0;
      if (rest[0] == '-') i = 1;
      if (i == rest.size()) return bad("not an index");
      for (; i < rest.size(); ++i) {
        if (rest[i] < '0' || rest[i] > '9') return bad("not an index");
      }
      return key;
    }
    default:
      return bad("expected a prefix f:, k:, v: or i:");
  }
}

// Fills `n` (the node of the path whose value is `fields`).
Status FieldsToNode(const json& fields, Node& n, int depth) {
  if (depth > 200) return Status::BadRequest("FieldsV1 nested too deeply");
  if (!fields.is_object()) return Status::BadRequest("FieldsV1 values must be objects");
  if (fields.empty()) {
    n.member = true;
    return Status::Ok();
  }
  for (const auto& [k, v] : fields.items()) {
    if (k == ".") {
      n.member = true;
      continue;
    }
    ASSIGN_OR_RETURN(std::string elem, CanonicalElement(k));
    Node child;
    RETURN_IF_ERROR(FieldsToNode(v, child, depth + 1));
    Node& slot = n.children[elem];
    slot = UnionNodes(slot, child);
  }
  return Status::Ok();
}

// How upstream prints a value inside a path element: strings Go-quoted,
// everything else as JSON.
std::string ValueString(const json& v) {
  if (v.is_string()) return api::GoQuote(v.get<std::string>());
  return v.dump();
}

}  // namespace

const Node* FieldSet::Node::Child(std::string_view element) const {
  auto it = children.find(std::string(element));
  return it == children.end() ? nullptr : &it->second;
}

StatusOr<FieldSet> FieldSet::FromFieldsV1(const json& fields) {
  if (!fields.is_object()) return Status::BadRequest("FieldsV1 must be a JSON object");
  FieldSet s;
  RETURN_IF_ERROR(FieldsToNode(fields, s.root_, 0));
  s.root_.member = false;  // the object itself ("." or {}): never tracked
  return s;
}

json FieldSet::ToFieldsV1() const {
  json out = json::object();
  for (const auto& [k, c] : root_.children) out[k] = NodeToFields(c);
  return out;
}

void FieldSet::Insert(const Path& path) {
  if (path.empty()) return;
  Node* n = &root_;
  for (const auto& e : path) n = &n->children[e];
  n->member = true;
}

bool FieldSet::Has(const Path& path) const {
  if (path.empty()) return false;
  const Node* n = &root_;
  for (const auto& e : path) {
    n = n->Child(e);
    if (!n) return false;
  }
  return n->member;
}

FieldSet FieldSet::Union(const FieldSet& other) const {
  FieldSet s;
  s.root_ = UnionNodes(root_, other.root_);
  return s;
}

FieldSet FieldSet::Difference(const FieldSet& other) const {
  FieldSet s;
  s.root_ = DifferenceNodes(root_, other.root_, /*recursive=*/false);
  return s;
}

FieldSet FieldSet::Intersection(const FieldSet& other) const {
  FieldSet s;
  s.root_ = IntersectNodes(root_, other.root_);
  return s;
}

FieldSet FieldSet::RecursiveDifference(const FieldSet& other) const {
  FieldSet s;
  s.root_ = DifferenceNodes(root_, other.root_, /*recursive=*/true);
  return s;
}

std::vector<FieldSet::Path> FieldSet::Paths() const {
  std::vector<Path> out;
  Path prefix;
  CollectPaths(root_, prefix, out);
  return out;
}

bool FieldSet::operator==(const FieldSet& o) const { return NodesEqual(root_, o.root_); }

std::string FieldElement(std::string_view name) { return "f:" + std::string(name); }

std::string PathString(const FieldSet::Path& path) {
  std::string out;
  for (const auto& e : path) {
    if (e.size() < 2) {
      out += e;
      continue;
    }
    std::string_view rest = std::string_view(e).substr(2);
    switch (e[0]) {
      case 'f':
        out += ".";
        out += rest;
        break;
      case 'k': {
        json key = json::parse(rest.begin(), rest.end(), nullptr, false);
        out += "[";
        bool first = true;
        if (key.is_object()) {
          for (const auto& [name, v] : key.items()) {
            if (!first) out += ",";
            first = false;
            out += name + "=" + ValueString(v);
          }
        }
        out += "]";
        break;
      }
      case 'v': {
        json v = json::parse(rest.begin(), rest.end(), nullptr, false);
        out += "[=" + (v.is_discarded() ? std::string(rest) : ValueString(v)) + "]";
        break;
      }
      case 'i':
        out += "[" + std::string(rest) + "]";
        break;
      default:
        out += e;
    }
  }
  return out;
}

}  // namespace kubepp::apiserver::fieldmanager
