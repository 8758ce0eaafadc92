#!/usr/bin/env python3
"""Generates typed C++ structs and their JSON conversions from schema.json.

Input: the project's schema (src/api/schema/FORMAT.md). Output, under
OUT_DIR/<include-prefix>/ (default api/types/):

  <group>_<version>.h          structs, one per plain definition; no nlohmann
  <group>_<version>_json.h     FromJson/ToJson (+ DecodeJson/EncodeJson for kinds)
  <group>_<version>_json.cc    their definitions (split into _json_<n>.cc
                               chunks for big groups, to keep compile units small)
  kinds_table.cc               the table behind api/types/kinds.h

Every member is std::optional<...> so that an absent field and a present
empty/zero one stay distinct; the generated code round-trips any valid object
generic JSON -> typed -> generic JSON unchanged.

Usage:
  gen_types.py --schema schema.json --out-dir DIR [--namespace kubepp::api]
               [--include-prefix api/types] [--chunk 40] [--list-outputs]

--list-outputs prints the generated file names (relative to OUT_DIR), one per
line, without writing anything (CMake uses it at configure time). Files whose
content did not change are not rewritten, so an edit that changes nothing in
the output recompiles nothing.

Standard library only.
"""

import argparse
import json
import os
import re
import sys

# Definitions with a hand-written C++ value type.
SPECIAL_CXX = {
    "quantity": "::kubepp::api::Quantity",
    "intorstring": "::kubepp::api::IntOrString",
    "time": "::kubepp::api::Time",
    "microtime": "::kubepp::api::Time",
    "rawextension": "::kubepp::api::RawJson",
    "fieldsv1": "::kubepp::api::RawJson",
    "json": "::kubepp::api::RawJson",
    "duration": "std::string",
}

CXX_KEYWORDS = set("""
alignas alignof and and_eq asm atomic_cancel atomic_commit atomic_noexcept auto
bitand bitor bool break case catch char char8_t char16_t char32_t class compl
concept const consteval constexpr constinit const_cast continue co_await
co_return co_yield decltype default delete do double dynamic_cast else enum
explicit export extern false float for friend goto if inline int long mutable
namespace new noexcept not not_eq nullptr operator or or_eq private protected
public reflexpr register reinterpret_cast requires return short signed sizeof
static static_assert static_cast struct switch synchronized template this
thread_local throw true try typedef typeid typename union unsigned using
virtual void volatile wchar_t while xor xor_eq
final override import module
errno assert NULL EOF major minor
""".split())

VERSION_RE = re.compile(r"^v\d+((alpha|beta)\d+)?$")


class GenError(Exception):
    pass


def snake_case(name):
    """JSON name -> C++ member name: nodeName -> node_name, podIPs -> pod_ips."""
    s = re.sub(r"[^A-Za-z0-9]+", "_", name.lstrip("$"))
    out = []
    for i, c in enumerate(s):
        prev = s[i - 1] if i else ""
        nxt = s[i + 1] if i + 1 < len(s) else ""
        after = s[i + 2] if i + 2 < len(s) else ""
        if c.isupper() and prev:
            if prev.islower() or prev.isdigit():
                out.append("_")
            elif prev.isupper() and nxt.islower():
                # CPUUtilization -> cpu_utilization, but podIPs -> pod_ips.
                plural = nxt == "s" and not after.islower()
                if not plural:
                    out.append("_")
        out.append(c.lower())
    s = re.sub(r"_+", "_", "".join(out)).strip("_")
    if not s:
        s = "field"
    if s[0].isdigit():
        s = "f_" + s
    if s in CXX_KEYWORDS:
        s += "_"
    return s


def ident(s):
    s = re.sub(r"[^A-Za-z0-9_]", "_", s)
    if s[0].isdigit():
        s = "_" + s
    if s in CXX_KEYWORDS:
        s += "_"
    return s


def c_string(s):
    return json.dumps(s)  # JSON string escapes are valid C++ for our names


class Package:
    def __init__(self, group, version):
        self.group = group
        self.version = version
        self.base = ident(group) + ("_" + ident(version) if version else "")
        self.ns_tail = ident(group) + ("::" + ident(version) if version else "")
        self.defs = []  # definition names in emission order


class Generator:
    def __init__(self, schema, namespace, include_prefix, chunk):
        self.schema = schema
        self.defs = schema.get("definitions", {})
        self.kinds = schema.get("kinds", [])
        self.root_ns = namespace
        self.prefix = include_prefix.rstrip("/")
        self.chunk = chunk
        self.packages = {}  # base -> Package
        self.def_pkg = {}   # definition name -> Package (plain structs only)
        self._classify()
        self._order()
        self._kind_constants()

    # ---- analysis ---------------------------------------------------------

    def is_struct(self, name):
        d = self.defs.get(name)
        if d is None:
            raise GenError("reference to unknown definition %s" % name)
        return "special" not in d

    def _classify(self):
        for name, d in self.defs.items():
            sp = d.get("special")
            if sp is not None:
                if sp not in SPECIAL_CXX:
                    raise GenError("%s: unknown special %r" % (name, sp))
                continue
            parts = name.split(".")
            if len(parts) < 3:
                raise GenError("%s: cannot derive group/version" % name)
            if VERSION_RE.match(parts[-2]):
                group, version = parts[-3], parts[-2]
            else:
                group, version = parts[-2], ""
            pkg = Package(group, version)
            existing = self.packages.get(pkg.base)
            if existing is None:
                self.packages[pkg.base] = pkg
                existing = pkg
                existing.prefix_key = ".".join(parts[:-1])
            elif existing.prefix_key != ".".join(parts[:-1]):
                raise GenError("definitions %s and %s map to the same C++ namespace %s" %
                               (existing.prefix_key, ".".join(parts[:-1]), pkg.ns_tail))
            self.def_pkg[name] = existing
        # Struct names must be unique within a package.
        seen = {}
        for name, pkg in self.def_pkg.items():
            key = (pkg.base, self.short(name))
            if key in seen:
                raise GenError("%s and %s have the same C++ name" % (seen[key], name))
            seen[key] = name

    @staticmethod
    def short(name):
        return ident(name.split(".")[-1])

    def refs(self, t, direct_only=False):
        k = t["kind"]
        if k == "ref":
            if self.is_struct(t["ref"]):
                yield t["ref"]
        elif k == "array" and not direct_only:
            yield from self.refs(t["items"])
        elif k == "map" and not direct_only:
            yield from self.refs(t["values"])

    def _order(self):
        names = sorted(self.def_pkg)
        edges = {n: sorted({r for f in self.defs[n].get("fields", []) for r in self.refs(f["type"])})
                 for n in names}
        # Tarjan's SCC (iterative) so that mutual recursion gets indirection.
        index, low, on, stack, sccs = {}, {}, set(), [], []
        counter = [0]

        def strong(v0):
            work = [(v0, iter(edges[v0]))]
            index[v0] = low[v0] = counter[0]; counter[0] += 1
            stack.append(v0); on.add(v0)
            while work:
                v, it = work[-1]
                advanced = False
                for w in it:
                    if w not in index:
                        index[w] = low[w] = counter[0]; counter[0] += 1
                        stack.append(w); on.add(w)
                        work.append((w, iter(edges[w])))
                        advanced = True
                        break
                    elif w in on:
                        low[v] = min(low[v], index[w])
                if advanced:
                    continue
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop(); on.discard(w); comp.append(w)
                        if w == v:
                            break
                    sccs.append(sorted(comp))

        for n in names:
            if n not in index:
                strong(n)
        # Tarjan emits SCCs in reverse topological order: dependencies first.
        self.scc_of = {}
        for i, comp in enumerate(sccs):
            for n in comp:
                self.scc_of[n] = i
        order = [n for comp in sccs for n in comp]
        for n in order:
            self.def_pkg[n].defs.append(n)
        # Package include graph must be acyclic.
        self.pkg_deps = {b: set() for b in self.packages}
        for n in names:
            for r in edges[n]:
                a, b = self.def_pkg[n].base, self.def_pkg[r].base
                if a != b:
                    self.pkg_deps[a].add(b)
        state = {}

        def visit(p, path):
            if state.get(p) == 1:
                raise GenError("packages include each other: %s" % " -> ".join(path + [p]))
            if state.get(p) == 2:
                return
            state[p] = 1
            for q in sorted(self.pkg_deps[p]):
                visit(q, path + [p])
            state[p] = 2

        for p in sorted(self.packages):
            visit(p, [])

    def boxed(self, owner, target):
        return self.scc_of[owner] == self.scc_of[target]

    def _kind_constants(self):
        self.constants = {}  # definition -> (apiVersion, kind)
        self.kind_entries = []  # (apiVersion, kind, definition)
        for k in self.kinds:
            api_version = k["version"] if not k.get("group") else "%s/%s" % (k["group"], k["version"])
            for d, kind in ((k.get("definition"), k["kind"]), (k.get("list"), k["kind"] + "List")):
                if not d:
                    continue
                if d not in self.def_pkg:
                    raise GenError("kind %s %s: definition %s is not a plain struct" % (api_version, kind, d))
                self.kind_entries.append((api_version, kind, d))
                # A definition served under several groups (meta/v1 Status,
                # DeleteOptions, WatchEvent) takes the core-group apiVersion,
                # the one clients put on it.
                if d not in self.constants or not k.get("group"):
                    self.constants[d] = (api_version, kind)

    # ---- C++ types --------------------------------------------------------

    def qualified(self, name, from_pkg):
        pkg = self.def_pkg[name]
        if pkg is from_pkg:
            return self.short(name)
        return "::%s::%s::%s" % (self.root_ns, pkg.ns_tail, self.short(name))

    def cxx_type(self, t, owner, pkg, top=True):
        k = t["kind"]
        if k == "string":
            return "std::string"
        if k == "integer":
            return "int32_t" if t.get("format") == "int32" else "int64_t"
        if k == "number":
            return "double"
        if k == "boolean":
            return "bool"
        if k == "any":
            return "::kubepp::api::RawJson"
        if k == "array":
            return "std::vector<%s>" % self.cxx_type(t["items"], owner, pkg, False)
        if k == "map":
            return "std::map<std::string, %s>" % self.cxx_type(t["values"], owner, pkg, False)
        if k == "ref":
            d = self.defs[t["ref"]]
            if "special" in d:
                return SPECIAL_CXX[d["special"]]
            q = self.qualified(t["ref"], pkg)
            if top and self.boxed(owner, t["ref"]):
                return "::kubepp::api::Box<%s>" % q
            return q
        raise GenError("%s: unknown type kind %r" % (owner, k))

    def members(self, name):
        out, used = [], set()
        for f in self.defs[name].get("fields", []):
            m = snake_case(f["name"])
            while m in used:
                m += "_"
            used.add(m)
            out.append((f, m))
        return out

    def uses_specials(self, pkg):
        found = set()

        def walk(t):
            k = t["kind"]
            if k == "any":
                found.add("json")
            elif k == "array":
                walk(t["items"])
            elif k == "map":
                walk(t["values"])
            elif k == "ref" and "special" in self.defs[t["ref"]]:
                found.add(self.defs[t["ref"]]["special"])

        for n in pkg.defs:
            for f in self.defs[n].get("fields", []):
                walk(f["type"])
        return found

    def has_box(self, pkg):
        for n in pkg.defs:
            for f in self.defs[n].get("fields", []):
                t = f["type"]
                if t["kind"] == "ref" and self.is_struct(t["ref"]) and self.boxed(n, t["ref"]):
                    return True
        return False

    # ---- file names -------------------------------------------------------

    def chunks(self, pkg):
        defs = pkg.defs
        if len(defs) <= self.chunk:
            return [defs]
        n = (len(defs) + self.chunk - 1) // self.chunk
        size = (len(defs) + n - 1) // n
        return [defs[i:i + size] for i in range(0, len(defs), size)]

    def cc_names(self, pkg):
        ch = self.chunks(pkg)
        if len(ch) == 1:
            return ["%s_json.cc" % pkg.base]
        return ["%s_json_%d.cc" % (pkg.base, i) for i in range(len(ch))]

    def outputs(self):
        files = []
        for base in sorted(self.packages):
            pkg = self.packages[base]
            files += ["%s.h" % base, "%s_json.h" % base] + self.cc_names(pkg)
        files.append("kinds_table.cc")
        return [self.prefix + "/" + f for f in files]

    # ---- emission ---------------------------------------------------------

    def header_guard_banner(self, what):
        return ("// Generated by tools/gen_types.py from the project schema. DO NOT EDIT.\n"
                "//\n" + what + "\n#pragma once\n\n")

    def ns_open(self, pkg):
        return "namespace %s::%s {\n\n" % (self.root_ns, pkg.ns_tail)

    def ns_close(self, pkg):
        return "}  // namespace %s::%s\n" % (self.root_ns, pkg.ns_tail)

    def emit_types_header(self, pkg):
        o = [self.header_guard_banner(
            "// Typed structs of %s/%s. Every member is std::optional: nullopt means the\n"
            "// field is absent from the JSON object, an engaged empty/zero value means it\n"
            "// is present. Members are the snake_case of the JSON names. Plain values:\n"
            "// thread-compatible. JSON conversions: %s_json.h." %
            (pkg.group, pkg.version or "-", pkg.base))]
        o.append("#include <cstdint>\n#include <map>\n#include <optional>\n#include <string>\n"
                 "#include <string_view>\n#include <vector>\n\n")
        sp = self.uses_specials(pkg)
        inc = []
        if "quantity" in sp:
            inc.append("api/quantity.h")
        if "intorstring" in sp:
            inc.append("api/intstr.h")
        if sp & {"time", "microtime"}:
            inc.append("api/time.h")
        if sp & {"rawextension", "fieldsv1", "json"}:
            inc.append("api/types/raw_json.h")
        if self.has_box(pkg):
            inc.append("api/types/box.h")
        for dep in sorted(self.pkg_deps[pkg.base]):
            inc.append("%s/%s.h" % (self.prefix, dep))
        for i in inc:
            o.append('#include "%s"\n' % i)
        o.append("\n" + self.ns_open(pkg))
        for n in sorted(pkg.defs, key=self.short):
            o.append("struct %s;\n" % self.short(n))
        o.append("\n")
        for n in pkg.defs:
            d = self.defs[n]
            o.append("// %s\n" % n)
            o.append("struct %s {\n" % self.short(n))
            if n in self.constants:
                av, kd = self.constants[n]
                o.append("  static constexpr std::string_view kApiVersion = %s;\n" % c_string(av))
                o.append("  static constexpr std::string_view kKind = %s;\n\n" % c_string(kd))
            req = set(d.get("required", []))
            for f, m in self.members(n):
                t = self.cxx_type(f["type"], n, pkg)
                notes = []
                if m != f["name"]:
                    notes.append(c_string(f["name"])[1:-1])
                if f["name"] in req:
                    notes.append("(required)")
                comment = "  // " + " ".join(notes) if notes else ""
                o.append("  std::optional<%s> %s;%s\n" % (t, m, comment))
            o.append("\n  bool operator==(const %s&) const = default;\n" % self.short(n))
            o.append("};\n\n")
        o.append(self.ns_close(pkg))
        return "".join(o)

    def emit_json_header(self, pkg):
        o = [self.header_guard_banner(
            "// JSON conversions of the %s structs.\n"
            "//  FromJson: Invalid \"<field path>: <problem>\" on a type mismatch, e.g.\n"
            "//    \"spec.containers[0].ports[1].containerPort: expected integer, got string\";\n"
            "//    unknown fields are ignored and null means absent; on error *out is\n"
            "//    partly filled. Never throws.\n"
            "//  ToJson: emits exactly the engaged members.\n"
            "//  DecodeJson/EncodeJson (kinds only): from/to JSON text; DecodeJson returns\n"
            "//    BadRequest on malformed JSON. See api/types/codec.h for Decode<T>/Encode.\n"
            "// Thread-safe (pure functions)." % pkg.base)]
        o.append('#include <string>\n#include <string_view>\n\n#include <nlohmann/json_fwd.hpp>\n\n'
                 '#include "common/status.h"\n#include "%s/%s.h"\n' % (self.prefix, pkg.base))
        for dep in sorted(self.pkg_deps[pkg.base]):
            o.append('#include "%s/%s_json.h"\n' % (self.prefix, dep))
        o.append("\n" + self.ns_open(pkg))
        for n in pkg.defs:
            s = self.short(n)
            o.append("::kubepp::Status FromJson(const nlohmann::json& j, %s* out);\n" % s)
            o.append("nlohmann::json ToJson(const %s& v);\n" % s)
            if n in self.constants:
                o.append("::kubepp::Status DecodeJson(std::string_view text, %s* out);\n" % s)
                o.append("std::string EncodeJson(const %s& v);\n" % s)
        o.append("\n" + self.ns_close(pkg))
        return "".join(o)

    def emit_json_cc(self, pkg, defs):
        o = ["// Generated by tools/gen_types.py from the project schema. DO NOT EDIT.\n\n"]
        o.append('#include "%s/%s_json.h"\n\n#include <nlohmann/json.hpp>\n\n'
                 '#include "api/types/json_support.h"\n\n' % (self.prefix, pkg.base))
        o.append(self.ns_open(pkg))
        o.append("using ::kubepp::api::types_internal::ReadField;\n"
                 "using ::kubepp::api::types_internal::WriteField;\n\n")
        for n in defs:
            s = self.short(n)
            mem = self.members(n)
            o.append("::kubepp::Status FromJson(const nlohmann::json& j, %s* out) {\n" % s)
            o.append("  if (!j.is_object()) return ::kubepp::api::types_internal::NotAnObject(j);\n")
            for f, m in mem:
                o.append("  RETURN_IF_ERROR(ReadField(j, %s, &out->%s));\n" % (c_string(f["name"]), m))
            o.append("  return ::kubepp::Status::Ok();\n}\n\n")
            o.append("nlohmann::json ToJson(const %s& v) {\n" % s)
            o.append("  nlohmann::json j = nlohmann::json::object();\n")
            for f, m in mem:
                o.append("  WriteField(j, %s, v.%s);\n" % (c_string(f["name"]), m))
            o.append("  return j;\n}\n\n")
            if n in self.constants:
                o.append("::kubepp::Status DecodeJson(std::string_view text, %s* out) {\n"
                         "  return ::kubepp::api::types_internal::DecodeText(text, out);\n}\n\n" % s)
                o.append("std::string EncodeJson(const %s& v) {\n"
                         "  return ::kubepp::api::types_internal::Dump(ToJson(v));\n}\n\n" % s)
        o.append(self.ns_close(pkg))
        return "".join(o)

    def emit_kinds_table(self):
        o = ["// Generated by tools/gen_types.py from the project schema. DO NOT EDIT.\n\n"
             '#include "api/types/kinds.h"\n\n#include <nlohmann/json.hpp>\n\n'
             '#include "api/types/json_support.h"\n']
        for base in sorted(self.packages):
            o.append('#include "%s/%s_json.h"\n' % (self.prefix, base))
        o.append("\nnamespace kubepp::api::types_internal {\nnamespace {\n\n")
        o.append("// Generated kind table for namespace %s.\n" % self.root_ns)
        o.append("const KindInfo kKinds[] = {\n")
        for av, kd, d in self.kind_entries:
            q = self.qualified(d, None)
            o.append("    {%s, %s, %s,\n     &RoundTripText<%s>, &RoundTripJson<%s>},\n" %
                     (c_string(av), c_string(kd), c_string(d), q, q))
        o.append("};\n\n}  // namespace\n\n")
        fn = "GeneratedKinds" if self.root_ns == "kubepp::api" else \
            "GeneratedKinds_" + ident(self.root_ns.replace("::", "_"))
        o.append("std::span<const KindInfo> %s() { return kKinds; }\n\n" % fn)
        o.append("}  // namespace kubepp::api::types_internal\n")
        return "".join(o)

    def files(self):
        out = {}
        for base in sorted(self.packages):
            pkg = self.packages[base]
            out["%s/%s.h" % (self.prefix, base)] = self.emit_types_header(pkg)
            out["%s/%s_json.h" % (self.prefix, base)] = self.emit_json_header(pkg)
            for cc, defs in zip(self.cc_names(pkg), self.chunks(pkg)):
                out["%s/%s" % (self.prefix, cc)] = self.emit_json_cc(pkg, defs)
        out[self.prefix + "/kinds_table.cc"] = self.emit_kinds_table()
        return out


def write_if_changed(path, text):
    try:
        with open(path, encoding="utf-8") as f:
            if f.read() == text:
                return False
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, path)
    return True


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--schema", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--namespace", default="kubepp::api")
    ap.add_argument("--include-prefix", default="api/types")
    ap.add_argument("--chunk", type=int, default=60, help="structs per generated .cc")
    ap.add_argument("--list-outputs", action="store_true")
    args = ap.parse_args(argv)
    try:
        with open(args.schema, encoding="utf-8") as f:
            schema = json.load(f)
        gen = Generator(schema, args.namespace, args.include_prefix, args.chunk)
        if args.list_outputs:
            print("\n".join(gen.outputs()))
            return 0
        files = gen.files()
        assert sorted(files) == sorted(gen.outputs())
        for rel, text in files.items():
            write_if_changed(os.path.join(args.out_dir, rel), text)
    except (GenError, KeyError, ValueError, OSError) as e:
        print("gen_types.py: %s: %s" % (args.schema, e), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
