// YAML -> JSON. yaml-cpp's event parser builds a small node tree per document
// (aliases point at their anchored node, nothing is copied), then Converter
// walks it with go-yaml v2's typing rules and sigs.k8s.io/yaml's key
// stringification, expanding aliases under a budget.
#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <cmath>
#include <exception>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <unordered_set>
#include <vector>

#include "api/yaml/scalar.h"
#include "api/yaml/yaml.h"

namespace kubepp::api::yaml {
namespace {

using internal::Scalar;
using nlohmann::json;

constexpr std::string_view kTagPrefix = "tag:yaml.org,2002:";

// Thrown inside this file only, caught in ParseAll.
struct Failure {
  int line;  // 1-based; 0 when unknown
  std::string message;
};

struct Node {
  enum class Kind { kNull, kScalar, kSeq, kMap, kAlias };
  Kind kind;
  int line;         // 1-based
  std::string tag;  // yaml-cpp's: "?" plain, "!" quoted/block, else resolved
  std::string value;
  std::vector<int> children;  // map: key, value, key, value...
  int target = -1;            // alias: the anchored node
};

// yaml-cpp decodes the escapes \N and \_ to the single bytes 0x85 and 0xA0
// rather than to UTF-8. The input was valid UTF-8, so any invalid byte in a
// scalar comes from those escapes: read such bytes as Latin-1 code points.
std::string FixEscapedBytes(const std::string& s) {
  if (!internal::FindInvalidUtf8(s)) return s;
  std::string out;
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    int w;
    if (internal::DecodeUtf8(s, i, &cp, &w)) {
      out.append(s, i, static_cast<size_t>(w));
      i += static_cast<size_t>(w);
    } else {
      unsigned char b = static_cast<unsigned char>(s[i++]);
      out.push_back(static_cast<char>(0xC0 | (b >> 6)));
      out.push_back(static_cast<char>(0x80 | (b & 0x3F)));
    }
  }
  return out;
}

class TreeBuilder final : public YAML::EventHandler {
 public:
  void Reset() {
    nodes_.clear();
    stack_.clear();
    anchors_.clear();
    root_ = -1;
    start_line_ = -1;
    start_pos_ = -1;
  }
  int start_line() const { return start_line_; }
  int start_pos() const { return start_pos_; }
  const std::vector<Node>& nodes() const { return nodes_; }
  int root() const { return root_; }

  void OnDocumentStart(const YAML::Mark& mark) override {
    start_line_ = mark.line;
    start_pos_ = mark.pos;
  }
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Add(Node{Node::Kind::kNull, Line(mark), "", "", {}}, anchor);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Node n{Node::Kind::kAlias, Line(mark), "", "", {}};
    if (anchor >= anchors_.size() || anchors_[anchor] < 0) {
      throw Failure{Line(mark), "unknown anchor referenced"};
    }
    n.target = anchors_[anchor];
    Add(std::move(n), 0);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    Add(Node{Node::Kind::kScalar, Line(mark), tag, FixEscapedBytes(value), {}}, anchor);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Push(Add(Node{Node::Kind::kSeq, Line(mark), tag, "", {}}, anchor), mark);
  }
  void OnSequenceEnd() override { stack_.pop_back(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Push(Add(Node{Node::Kind::kMap, Line(mark), tag, "", {}}, anchor), mark);
  }
  void OnMapEnd() override { stack_.pop_back(); }

 private:
  static int Line(const YAML::Mark& m) { return m.line >= 0 ? m.line + 1 : 0; }

  int Add(Node n, YAML::anchor_t anchor) {
    int id = static_cast<int>(nodes_.size());
    nodes_.push_back(std::move(n));
    if (anchor != 0) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1, -1);
      anchors_[anchor] = id;
    }
    if (stack_.empty()) {
      root_ = id;
    } else {
      nodes_[static_cast<size_t>(stack_.back())].children.push_back(id);
    }
    return id;
  }

  void Push(int id, const YAML::Mark& mark) {
    if (stack_.size() >= static_cast<size_t>(kMaxYamlDepth)) {
      throw Failure{Line(mark), "exceeded max depth of " + std::to_string(kMaxYamlDepth)};
    }
    stack_.push_back(id);
  }

  std::vector<Node> nodes_;
  std::vector<int> stack_;
  std::vector<int> anchors_;  // yaml-cpp anchor id -> node
  int root_ = -1;
  int start_line_ = -1;  // 0-based, as yaml-cpp counts
  int start_pos_ = -1;
};



std::string ShortTag(std::string_view tag) {
  if (tag.substr(0, kTagPrefix.size()) == kTagPrefix) return "!!" + std::string(tag.substr(kTagPrefix.size()));
  return std::string(tag);
}

std::string KindTag(Scalar::Kind k) {
  switch (k) {
    case Scalar::Kind::kNull: return "!!null";
    case Scalar::Kind::kBool: return "!!bool";
    case Scalar::Kind::kInt:
    case Scalar::Kind::kUint: return "!!int";
    case Scalar::Kind::kFloat: return "!!float";
    case Scalar::Kind::kTimestamp: return "!!timestamp";
    case Scalar::Kind::kMerge: return "!!merge";
    case Scalar::Kind::kString: return "!!str";
  }
  return "!!str";
}

// A typed scalar as go-yaml hands it to sigs.k8s.io/yaml.
struct Value {
  Scalar s;
  std::string text;  // for strings
};

class Converter {
 public:
  explicit Converter(const std::vector<Node>& nodes) : nodes_(nodes), alias_active_(nodes.size(), 0) {}

  json Convert(int id, int depth) {
    const Node& n = nodes_[static_cast<size_t>(id)];
    Count(n.line);
    if (depth > kMaxYamlDepth) {
      throw Failure{n.line, "exceeded max depth of " + std::to_string(kMaxYamlDepth)};
    }
    switch (n.kind) {
      case Node::Kind::kNull: return nullptr;
      case Node::Kind::kAlias: {
        if (alias_active_[static_cast<size_t>(id)]) throw Failure{n.line, "anchor value contains itself"};
        alias_active_[static_cast<size_t>(id)] = 1;
        ++alias_depth_;
        json out = Convert(n.target, depth);
        --alias_depth_;
        alias_active_[static_cast<size_t>(id)] = 0;
        return out;
      }
      case Node::Kind::kScalar: return ToJson(Resolve(n), n.line);
      case Node::Kind::kSeq: {
        json out = json::array();
        for (int c : n.children) out.push_back(Convert(c, depth + 1));
        return out;
      }
      case Node::Kind::kMap: return ConvertMap(n, depth);
    }
    return nullptr;
  }

 private:
  // go-yaml v2's guard against alias bombs: once a document has decoded more
  // than 1000 values, at most 99% (small documents) down to 10% (4M values)
  // of them may come from alias expansion.
  void Count(int line) {
    ++decode_count_;
    if (alias_depth_ > 0) ++alias_count_;
    if (alias_count_ > 100 && decode_count_ > 1000) {
      double ratio = static_cast<double>(alias_count_) / static_cast<double>(decode_count_);
      double allowed;
      if (decode_count_ <= 400000) {
        allowed = 0.99;
      } else if (decode_count_ >= 4000000) {
        allowed = 0.10;
      } else {
        allowed = 0.99 - 0.89 * (static_cast<double>(decode_count_ - 400000) / 3600000.0);
      }
      if (ratio > allowed) throw Failure{line, "document contains excessive aliasing"};
    }
  }

  const Node& Deref(int id) const {
    const Node* n = &nodes_[static_cast<size_t>(id)];
    // Anchors are registered before their node's content, so a chain of
    // aliases always ends; the bound is belt and braces.
    for (int hops = 0; n->kind == Node::Kind::kAlias && hops < 1000; ++hops) {
      n = &nodes_[static_cast<size_t>(n->target)];
    }
    return *n;
  }

  Value Resolve(const Node& n) {
    Value v;
    const std::string& tag = n.tag;
    if (tag == "?") {
      v.s = internal::ResolvePlain(n.value);
      if (v.s.kind == Scalar::Kind::kString || v.s.kind == Scalar::Kind::kTimestamp ||
          v.s.kind == Scalar::Kind::kMerge) {
        v.s.kind = Scalar::Kind::kString;
        v.text = n.value;
      }
      return v;
    }
    std::string t = ShortTag(tag);
    if (t == "!!binary") {
      auto decoded = internal::Base64Decode(n.value);
      if (!decoded) throw Failure{n.line, "!!binary value contains invalid base64 data"};
      v.s.kind = Scalar::Kind::kString;
      v.text = internal::SanitizeUtf8(*decoded);
      return v;
    }
    if (t == "!!null" || t == "!!bool" || t == "!!int" || t == "!!float" || t == "!!timestamp") {
      Scalar r = internal::ResolvePlain(n.value, t == "!!timestamp");
      std::string rtag = KindTag(r.kind);
      if (rtag == t) {
        // ok
      } else if (t == "!!float" && r.kind == Scalar::Kind::kInt) {
        r.kind = Scalar::Kind::kFloat;
        r.d = static_cast<double>(r.i);
      } else if (t == "!!float" && r.kind == Scalar::Kind::kUint) {
        r.kind = Scalar::Kind::kFloat;
        r.d = static_cast<double>(r.u);
      } else {
        throw Failure{n.line, "cannot decode " + rtag + " `" + n.value + "` as a " + t};
      }
      v.s = r;
      if (r.kind == Scalar::Kind::kTimestamp) {
        v.s.kind = Scalar::Kind::kString;
        v.text = n.value;
      }
      return v;
    }
    // "!" (quoted or block scalars), !!str and any other tag: the text.
    v.s.kind = Scalar::Kind::kString;
    v.text = n.value;
    return v;
  }

  static json ToJson(const Value& v, int line) {
    switch (v.s.kind) {
      case Scalar::Kind::kNull: return nullptr;
      case Scalar::Kind::kBool: return v.s.b;
      case Scalar::Kind::kInt: return v.s.i;
      case Scalar::Kind::kUint: return v.s.u;
      case Scalar::Kind::kFloat: {
        double d = v.s.d;
        if (std::isnan(d)) throw Failure{line, "json: unsupported value: NaN"};
        if (std::isinf(d)) throw Failure{line, d > 0 ? "json: unsupported value: +Inf" : "json: unsupported value: -Inf"};
        // Upstream prints integral doubles without a fraction, so a JSON
        // reader sees an integer whenever it fits one.
        if (d == std::trunc(d)) {
          if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) return static_cast<int64_t>(d);
          if (d >= 0 && d < 18446744073709551616.0) return static_cast<uint64_t>(d);
        }
        return d;
      }
      default: return v.text;
    }
  }

  // sigs.k8s.io/yaml's stringification of non-string keys.
  static std::string KeyString(const Value& v, int line) {
    switch (v.s.kind) {
      case Scalar::Kind::kString: return v.text;
      case Scalar::Kind::kInt: return std::to_string(v.s.i);
      case Scalar::Kind::kBool: return v.s.b ? "true" : "false";
      case Scalar::Kind::kFloat: {
        std::string s = internal::GoFormatFloat(v.s.d, /*single_precision=*/true);
        if (s == "+Inf") return ".inf";
        if (s == "-Inf") return "-.inf";
        if (s == "NaN") return ".nan";
        return s;
      }
      case Scalar::Kind::kUint:
        throw Failure{line, "unsupported map key of type: uint64, key: " + std::to_string(v.s.u)};
      default: throw Failure{line, "unsupported map key of type: <nil>, key: <nil>"};
    }
  }

  static bool IsMergeKey(const Node& k) {
    return k.kind == Node::Kind::kScalar && k.value == "<<" && (k.tag == "?" || k.tag == "tag:yaml.org,2002:merge");
  }

  json ConvertMap(const Node& n, int depth) {
    json out = json::object();
    std::vector<int> merges;
    for (size_t i = 0; i + 1 < n.children.size(); i += 2) {
      const Node& key_node = nodes_[static_cast<size_t>(n.children[i])];
      if (IsMergeKey(key_node)) {
        merges.push_back(n.children[i + 1]);
        continue;
      }
      Count(key_node.line);
      const Node& k = Deref(n.children[i]);
      if (k.kind == Node::Kind::kSeq || k.kind == Node::Kind::kMap) {
        throw Failure{key_node.line, "invalid map key: a " + std::string(k.kind == Node::Kind::kSeq ? "sequence" : "mapping")};
      }
      Value kv;
      if (k.kind == Node::Kind::kNull) {
        kv.s.kind = Scalar::Kind::kNull;
      } else {
        kv = Resolve(k);
      }
      std::string key = KeyString(kv, key_node.line);
      if (out.contains(key)) {
        throw Failure{key_node.line, "key " + json(key).dump(-1, ' ', false, json::error_handler_t::replace) +
                                         " already set in map"};
      }
      out[key] = Convert(n.children[i + 1], depth + 1);
    }
    for (int m : merges) {
      const Node& mv = nodes_[static_cast<size_t>(m)];
      const Node& target = Deref(m);
      std::vector<int> sources;
      if (target.kind == Node::Kind::kMap) {
        sources.push_back(m);
      } else if (mv.kind == Node::Kind::kSeq) {
        for (int c : mv.children) {
          if (Deref(c).kind != Node::Kind::kMap) {
            throw Failure{mv.line, "map merge requires map or sequence of maps as the value"};
          }
          sources.push_back(c);
        }
      } else {
        throw Failure{mv.line, "map merge requires map or sequence of maps as the value"};
      }
      for (int src : sources) {
        json merged = Convert(src, depth);
        for (auto& [k, v] : merged.items()) {
          if (!out.contains(k)) out[k] = std::move(v);
        }
      }
    }
    return out;
  }

  const std::vector<Node>& nodes_;
  std::vector<char> alias_active_;
  long long decode_count_ = 0;
  long long alias_count_ = 0;
  int alias_depth_ = 0;
};

// 1-based line of byte `offset`, and a guess at the 1-based document it falls
// in (counting "---" lines), for errors found before yaml-cpp runs.
std::pair<int, int> LocateOffset(std::string_view text, size_t offset) {
  int line = 1, doc = 1;
  bool content = false;
  size_t start = 0;
  while (start < offset && start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos || end >= offset) break;
    std::string_view l = text.substr(start, end - start);
    if (l.substr(0, 3) == "---" && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r')) {
      if (content) ++doc;
      content = true;  // a "---" starts the next document
    } else if (!l.empty() && l[0] != '#' && l.find_first_not_of(" \t\r") != std::string_view::npos) {
      content = true;
    }
    ++line;
    start = end + 1;
  }
  return {doc, line};
}

// yaml-cpp starts a new document when a second root node follows the first
// ("- a\nb: 1"); YAML requires a "---" (or a "..." before it) there.
bool HasDocumentMarker(const std::vector<std::string_view>& lines, int start_line) {
  if (start_line < 0 || static_cast<size_t>(start_line) >= lines.size()) return true;
  auto starts = [](std::string_view l, std::string_view marker) {
    return l.substr(0, 3) == marker && (l.size() == 3 || l[3] == ' ' || l[3] == '\t' || l[3] == '\r');
  };
  if (starts(lines[static_cast<size_t>(start_line)], "---")) return true;
  for (int i = start_line - 1; i >= 0; --i) {
    std::string_view l = lines[static_cast<size_t>(i)];
    size_t first = l.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || l[first] == '#') continue;
    return starts(l, "...") || starts(l, "---");
  }
  return true;
}

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) {
      lines.push_back(text.substr(start));
      break;
    }
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

Status Error(int doc, int line, std::string_view message) {
  std::string m = "yaml: document " + std::to_string(doc);
  if (line > 0) m += ", line " + std::to_string(line);
  m += ": ";
  m += message;
  return Status::BadRequest(std::move(m));
}

// Every document, empty ones included (as null).
StatusOr<std::vector<json>> ParseAll(std::string_view text) {
  if (auto bad = internal::FindInvalidUtf8(text)) {
    auto [doc, line] = LocateOffset(text, *bad);
    return Error(doc, line, "invalid UTF-8 in input");
  }
  std::vector<std::string_view> lines = SplitLines(text);
  std::vector<json> docs;
  int last_start_pos = -1;
  int at = 1;  // 1-based number of the document being read or converted
  try {
    std::istringstream in{std::string(text)};
    YAML::Parser parser(in);
    TreeBuilder builder;
    while (true) {
      at = static_cast<int>(docs.size()) + 1;
      builder.Reset();
      if (!parser.HandleNextDocument(builder)) break;
      // yaml-cpp can return empty documents forever on a stray token (a
      // leading ',' for one) without consuming it.
      if (builder.start_pos() <= last_start_pos) {
        return Error(at, builder.start_line() + 1, "did not find expected node content");
      }
      last_start_pos = builder.start_pos();
      if (!docs.empty() && !HasDocumentMarker(lines, builder.start_line())) {
        return Error(at, builder.start_line() + 1, "did not find expected <document start>");
      }
      if (builder.root() < 0) {
        docs.emplace_back(nullptr);
        continue;
      }
      Converter conv(builder.nodes());
      docs.push_back(conv.Convert(builder.root(), 0));
    }
  } catch (const Failure& f) {
    return Error(at, f.line, f.message);
  } catch (const YAML::DeepRecursion& e) {
    return Error(at, e.mark.line >= 0 ? e.mark.line + 1 : 0, "exceeded max depth of " + std::to_string(kMaxYamlDepth));
  } catch (const YAML::Exception& e) {
    return Error(at, e.mark.line >= 0 ? e.mark.line + 1 : 0, e.msg);
  } catch (const std::bad_alloc&) {
    return Status(StatusCode::kRequestEntityTooLarge, "yaml: document " + std::to_string(at) + ": out of memory");
  } catch (const std::exception& e) {
    return Error(at, 0, e.what());
  }
  return docs;
}

}  // namespace

StatusOr<std::vector<json>> ParseYamlDocuments(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<json> all, ParseAll(text));
  std::vector<json> out;
  for (json& d : all) {
    if (!d.is_null()) out.push_back(std::move(d));
  }
  return out;
}

StatusOr<json> ParseYaml(std::string_view text) {
  ASSIGN_OR_RETURN(std::vector<json> all, ParseAll(text));
  if (all.empty()) return Status::BadRequest("yaml: expected one document, found none");
  json result;
  int non_null = 0;
  for (json& d : all) {
    if (d.is_null()) continue;
    if (++non_null > 1) return Status::BadRequest("yaml: expected one document, found several");
    result = std::move(d);
  }
  return result;
}

}  // namespace kubepp::api::yaml
