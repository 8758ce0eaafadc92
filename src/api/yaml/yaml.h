// YAML codec: Kubernetes YAML (manifests, request bodies, kubeconfigs) to
// JSON values and back, with the semantics kubectl and the API server give it
// (sigs.k8s.io/yaml over go-yaml v2, i.e. YAML 1.1 scalar resolution).
//
// Parsing:
//  - plain scalars resolve as YAML 1.1 does: true/false/yes/no/on/off/y/n (in
//    their lower, Title and UPPER spellings) are booleans; "", ~, null are
//    null; decimal, 0x, 0o, 0b and leading-0 octal integers (underscores
//    ignored) are numbers; floats include .inf/.nan; anything quoted, block
//    scalars and !!str are strings; timestamps stay strings.
//  - numbers come out as nlohmann::json::parse would read upstream's JSON:
//    integral values that fit int64/uint64 are integers, others doubles;
//    .inf/.nan values are an error (JSON cannot hold them).
//  - anchors, aliases and `<<` merge keys (explicit keys win over merged ones;
//    among merged maps the earlier wins); non-string keys become strings
//    (1 -> "1", yes -> "true", 1.5 -> "1.5"); null or collection keys and
//    duplicate keys are errors.
//  - documents are separated by `---`; documents that are empty or null are
//    skipped, as kubectl does.
//  - errors are Status BadRequest with a message
//    "yaml: document D, line L: <parser message>" (D and L are 1-based).
//    Nesting deeper than kMaxYamlDepth and alias expansion out of proportion
//    to the document ("billion laughs") fail cleanly; nothing throws.
//
// Emitting: ToYaml prints block YAML the way `kubectl get -o yaml` does (keys
// in go-yaml's order, two-space indent, sequences in a mapping at the key's
// indent, strings quoted only when they would not read back as strings,
// multi-line strings as literal blocks, lines folded past 80 columns).
// ParseYaml(ToYaml(v)) == v for every JSON value with finite numbers and
// valid UTF-8 strings.
//
// Thread-safety: stateless functions, safe to call from any thread.
#pragma once

#include <nlohmann/json_fwd.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace kubepp::api::yaml {

// Deepest nesting of collections a parsed document may have.
// (yaml-cpp itself gives up a little below 500.)
inline constexpr int kMaxYamlDepth = 400;

// All non-empty documents of a YAML stream, in order. An empty stream gives
// an empty vector. Errors: BadRequest naming the document and line.
StatusOr<std::vector<nlohmann::json>> ParseYamlDocuments(std::string_view text);

// Exactly one document. A stream whose only documents are empty or null gives
// null. Errors: BadRequest for a syntax error, for an empty stream and for a
// stream with more than one non-empty document.
StatusOr<nlohmann::json> ParseYaml(std::string_view text);

// Block-style YAML for `value`, ending in a newline.
std::string ToYaml(const nlohmann::json& value);

// The documents joined by "---\n" lines.
std::string ToYamlDocuments(const std::vector<nlohmann::json>& docs);

}  // namespace kubepp::api::yaml
