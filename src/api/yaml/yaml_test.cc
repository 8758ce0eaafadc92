#include "api/yaml/yaml.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

namespace kubepp::api::yaml {
namespace {

using nlohmann::json;

json MustParse(std::string_view text) {
  auto r = ParseYaml(text);
  EXPECT_TRUE(r.ok()) << r.status().ToString() << "\ninput:\n" << text;
  return r.ok() ? *r : json();
}

std::string ErrorOf(std::string_view text) {
  auto r = ParseYamlDocuments(text);
  EXPECT_FALSE(r.ok()) << "expected an error for:\n" << text;
  if (r.ok()) return "";
  EXPECT_EQ(r.status().code(), StatusCode::kBadRequest);
  return r.status().message();
}

// ---- scalar resolution -----------------------------------------------------

struct ScalarCase {
  const char* yaml;  // the value after "v: "
  json want;
};

TEST(YamlParseTest, PlainScalarResolution) {
  const ScalarCase cases[] = {
      {"true", true}, {"True", true}, {"TRUE", true}, {"yes", true}, {"Yes", true}, {"YES", true},
      {"on", true}, {"On", true}, {"ON", true}, {"y", true}, {"Y", true},
      {"false", false}, {"no", false}, {"No", false}, {"OFF", false}, {"n", false},
      {"tRUE", "tRUE"}, {"yEs", "yEs"}, {"nO", "nO"},
      {"~", nullptr}, {"null", nullptr}, {"Null", nullptr}, {"NULL", nullptr}, {"", nullptr},
      {"nULL", "nULL"},
      {"0", 0}, {"42", 42}, {"-17", -17}, {"+17", 17}, {"1_000", 1000},
      {"0x1f", 31}, {"0X1F", 31}, {"-0x10", -16}, {"0o17", 15}, {"017", 15}, {"0b101", 5},
      {"08", 8},  // not octal, so go-yaml reads it as the float 8
      {"9223372036854775807", INT64_MAX},
      {"-9223372036854775808", INT64_MIN},
      {"18446744073709551615", UINT64_MAX},
      {"1.5", 1.5}, {"-0.25", -0.25}, {".5", 0.5}, {"1e3", 1000}, {"1.0", 1}, {"6.02e+23", 6.02e23},
      {"1.", 1}, {"+1.5e-3", 0.0015},
      {"0x", "0x"}, {"1.2.3", "1.2.3"}, {"1e", "1e"}, {"_1", "_1"}, {"12:30", "12:30"},
      {"2001-12-14", "2001-12-14"}, {"2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"},
      {"<<", "<<"}, {"hello world", "hello world"}, {"a -", "a -"},
      {"'true'", "true"}, {"\"1\"", "1"}, {"'~'", "~"}, {"\"\"", ""}, {"''", ""},
      {"!!str 1", "1"}, {"!!str true", "true"}, {"!!int \"12\"", 12}, {"!!float 1", 1},
      {"!!bool \"yes\"", true}, {"!!null ''", nullptr}, {"!custom 12", "12"},
      {"!!binary aGVsbG8=", "hello"},
      {"|\n  a\n  b", "a\nb\n"}, {">-\n  a\n  b", "a b"},
  };
  for (const auto& c : cases) {
    std::string doc = std::string("v: ") + c.yaml + "\n";
    json got = MustParse(doc);
    ASSERT_TRUE(got.is_object()) << doc;
    EXPECT_EQ(got["v"], c.want) << "input: " << doc << " got " << got.dump();
    EXPECT_EQ(got["v"].type(), c.want.type()) << "input: " << doc << " got " << got.dump();
  }
}

TEST(YamlParseTest, LargeNumbers) {
  // Beyond uint64: a double, like upstream (and integral-looking output).
  json j = MustParse("a: 123456789012345678901234567890\nb: 18446744073709551616\n");
  EXPECT_TRUE(j["a"].is_number_float());
  EXPECT_DOUBLE_EQ(j["a"].get<double>(), 1.2345678901234568e29);
  EXPECT_TRUE(j["b"].is_number_float());
  // Past double range: the text, as go-yaml keeps it.
  std::string huge(400, '9');
  j = MustParse("a: " + huge + "\nb: 1e400\nc: -1e999\n");
  EXPECT_EQ(j["a"], huge);
  EXPECT_EQ(j["b"], "1e400");
  EXPECT_EQ(j["c"], "-1e999");
}

TEST(YamlParseTest, InfAndNanValuesAreErrors) {
  EXPECT_EQ(ErrorOf("a: 1\nb: .inf\n"), "yaml: document 1, line 2: json: unsupported value: +Inf");
  EXPECT_EQ(ErrorOf("b: -.Inf\n"), "yaml: document 1, line 1: json: unsupported value: -Inf");
  EXPECT_EQ(ErrorOf("- .NaN\n"), "yaml: document 1, line 1: json: unsupported value: NaN");
}

TEST(YamlParseTest, NonStringKeysBecomeStrings) {
  json j = MustParse("1: a\n0x10: b\nyes: c\nfalse: d\n1.5: e\n1e6: f\n3.14159265358979: g\n.inf: h\n");
  EXPECT_EQ(j, json({{"1", "a"}, {"16", "b"}, {"true", "c"}, {"false", "d"}, {"1.5", "e"},
                     {"1e+06", "f"}, {"3.1415927", "g"}, {".inf", "h"}}));
}

TEST(YamlParseTest, BadKeys) {
  EXPECT_EQ(ErrorOf("a: 1\n~: x\n"), "yaml: document 1, line 2: unsupported map key of type: <nil>, key: <nil>");
  EXPECT_EQ(ErrorOf("? [a, b]\n: c\n"), "yaml: document 1, line 1: invalid map key: a sequence");
  EXPECT_NE(ErrorOf("!!int abc: 1\n").find("cannot decode !!str `abc` as a !!int"), std::string::npos);
}

// ---- documents -------------------------------------------------------------

TEST(YamlParseTest, MultiDocumentSplitting) {
  struct Case {
    const char* text;
    std::vector<json> want;
  };
  const Case cases[] = {
      {"", {}},
      {"# only a comment\n", {}},
      {"a: 1\n", {json{{"a", 1}}}},
      {"---\na: 1\n", {json{{"a", 1}}}},
      {"a: 1\n---\nb: 2\n", {json{{"a", 1}}, json{{"b", 2}}}},
      {"---\n---\na: 1\n---\n\n---\n# c\n---\nb: 2\n---\n", {json{{"a", 1}}, json{{"b", 2}}}},
      {"a: 1\n...\n---\nb: 2\n...\n", {json{{"a", 1}}, json{{"b", 2}}}},
      {"null\n---\n~\n---\n- x\n", {json::array({"x"})}},
      {"--- text\n--- 3\n", {json("text"), json(3)}},
  };
  for (const auto& c : cases) {
    auto r = ParseYamlDocuments(c.text);
    ASSERT_TRUE(r.ok()) << c.text << ": " << r.status().ToString();
    EXPECT_EQ(*r, c.want) << c.text;
  }
}

TEST(YamlParseTest, ParseYamlWantsExactlyOneDocument) {
  EXPECT_FALSE(ParseYaml("").ok());
  EXPECT_FALSE(ParseYaml("# nothing\n").ok());
  EXPECT_FALSE(ParseYaml("a: 1\n---\nb: 2\n").ok());
  EXPECT_EQ(MustParse("---\na: 1\n---\n"), json({{"a", 1}}));
  EXPECT_EQ(MustParse("null\n"), json(nullptr));
}

TEST(YamlParseTest, ErrorsNameDocumentAndLine) {
  struct Case {
    const char* text;
    const char* want;
  };
  const Case cases[] = {
      {"a: b: c\n", "yaml: document 1, line 1: illegal map value"},
      {"a: 1\n---\nb: 2\n---\nc: 3\nd: [1, 2\n", "yaml: document 3, line "},
      {"a: 1\n---\nx:\n  z: 1\n  z: 2\n", "yaml: document 2, line 5: key \"z\" already set in map"},
      {"a: 1\n---\nb: 2\n\n\n\nc: d: e\n", "yaml: document 2, line 7: illegal map value"},
      {"a: *nope\n", "yaml: document 1, line 1: "},
      {"{a: 1\n", "yaml: document 1, line 2: end of map flow not found"},
      {"- a\nb: 1\n", "yaml: document 2, line 2: did not find expected <document start>"},
      {"a: [[[[[[1]]]]]]]\n", "yaml: document 1, line 1: illegal flow end"},
      {"a: 1\n---\nb: \xff\n", "yaml: document 2, line 3: invalid UTF-8 in input"},
  };
  for (const auto& c : cases) {
    std::string msg = ErrorOf(c.text);
    EXPECT_EQ(msg.rfind(c.want, 0), 0u) << "input:\n" << c.text << "\ngot: " << msg << "\nwant prefix: " << c.want;
  }
}

// ---- anchors, merges, duplicates ------------------------------------------

TEST(YamlParseTest, AnchorsAndMergeKeys) {
  const char* text = R"(
base: &base {a: 1, b: 2}
other: &other {b: 20, c: 30}
alias: *base
merged:
  <<: *base
  b: 3
multi:
  <<: [*base, *other]
  d: 4
inline:
  <<: {x: 1}
  w: 2
quoted:
  "<<": not a merge
seq: &s [1, 2]
again: *s
)";
  json j = MustParse(text);
  EXPECT_EQ(j["alias"], json({{"a", 1}, {"b", 2}}));
  EXPECT_EQ(j["merged"], json({{"a", 1}, {"b", 3}}));
  EXPECT_EQ(j["multi"], json({{"a", 1}, {"b", 2}, {"c", 30}, {"d", 4}}));
  EXPECT_EQ(j["inline"], json({{"x", 1}, {"w", 2}}));
  EXPECT_EQ(j["quoted"], json({{"<<", "not a merge"}}));
  EXPECT_EQ(j["again"], json::array({1, 2}));
}

TEST(YamlParseTest, MergeKeyErrors) {
  EXPECT_NE(ErrorOf("a: &x [1]\nb:\n  <<: *x\n").find("map merge requires map or sequence of maps"), std::string::npos);
  EXPECT_NE(ErrorOf("b:\n  <<: 3\n").find("map merge requires map"), std::string::npos);
}

TEST(YamlParseTest, DuplicateKeysAreErrors) {
  EXPECT_EQ(ErrorOf("a: 1\nb: 2\na: 3\n"), "yaml: document 1, line 3: key \"a\" already set in map");
  // Duplicates after key conversion count too.
  EXPECT_EQ(ErrorOf("1: a\n\"1\": b\n"), "yaml: document 1, line 2: key \"1\" already set in map");
  EXPECT_EQ(ErrorOf("yes: a\ntrue: b\n"), "yaml: document 1, line 2: key \"true\" already set in map");
  EXPECT_EQ(ErrorOf("x:\n- {k: 1, k: 2}\n"), "yaml: document 1, line 2: key \"k\" already set in map");
}

// ---- realistic inputs ------------------------------------------------------

TEST(YamlParseTest, Kubeconfig) {
  const char* text = R"(apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCg==
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    namespace: kube-system
    user: default
  name: default
current-context: default
preferences: {}
users:
- name: default
  user:
    client-certificate-data: Y2VydA==
    client-key-data: a2V5
)";
  json j = MustParse(text);
  EXPECT_EQ(j["kind"], "Config");
  EXPECT_EQ(j["clusters"][0]["cluster"]["server"], "https://127.0.0.1:6443");
  EXPECT_EQ(j["contexts"][0]["context"]["namespace"], "kube-system");
  EXPECT_EQ(j["current-context"], "default");
  EXPECT_EQ(j["preferences"], json::object());
  EXPECT_EQ(j["users"][0]["user"]["client-key-data"], "a2V5");
}

TEST(YamlParseTest, DeploymentAndServiceManifest) {
  const char* text = R"(# app.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 3
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
        - name: nginx
          image: "nginx:1.25"
          ports:
            - containerPort: 80
          env:
            - name: DEBUG
              value: "true"
            - name: LEVEL
              value: "3"
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  type: ClusterIP
  selector:
    app: web
  ports:
  - port: 80
    targetPort: 8080
    protocol: TCP
)";
  auto r = ParseYamlDocuments(text);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 2u);
  const json& d = (*r)[0];
  EXPECT_EQ(d["kind"], "Deployment");
  EXPECT_EQ(d["spec"]["replicas"], 3);
  EXPECT_TRUE(d["spec"]["replicas"].is_number_integer());
  const json& c = d["spec"]["template"]["spec"]["containers"][0];
  EXPECT_EQ(c["image"], "nginx:1.25");
  EXPECT_EQ(c["ports"][0]["containerPort"], 80);
  EXPECT_EQ(c["env"][0]["value"], "true");
  EXPECT_EQ(c["env"][1]["value"], "3");
  const json& s = (*r)[1];
  EXPECT_EQ(s["kind"], "Service");
  EXPECT_EQ(s["spec"]["ports"][0], json({{"port", 80}, {"targetPort", 8080}, {"protocol", "TCP"}}));
}

// ---- emitting --------------------------------------------------------------

TEST(ToYamlTest, PodLikeKubectl) {
  json pod = json::parse(R"({
    "apiVersion": "v1", "kind": "Pod",
    "metadata": {"name": "web-1", "namespace": "default", "labels": {"app": "web", "tier": "1"},
                 "annotations": {"enabled": "true", "note": "line one\nline two\n"},
                 "creationTimestamp": "2024-01-01T00:00:00Z"},
    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25", "args": ["--port=8080", "- x"],
                             "ports": [{"containerPort": 80, "protocol": "TCP"}], "resources": {}}],
             "restartPolicy": "Always", "nodeSelector": null, "tolerations": []},
    "status": {"phase": "Pending", "ratio": 0.5}
  })");
  const char* want = R"(apiVersion: v1
kind: Pod
metadata:
  annotations:
    enabled: "true"
    note: |
      line one
      line two
  creationTimestamp: "2024-01-01T00:00:00Z"
  labels:
    app: web
    tier: "1"
  name: web-1
  namespace: default
spec:
  containers:
  - args:
    - --port=8080
    - '- x'
    image: nginx:1.25
    name: nginx
    ports:
    - containerPort: 80
      protocol: TCP
    resources: {}
  nodeSelector: null
  restartPolicy: Always
  tolerations: []
status:
  phase: Pending
  ratio: 0.5
)";
  EXPECT_EQ(ToYaml(pod), want);
  EXPECT_EQ(MustParse(ToYaml(pod)), pod);
}

TEST(ToYamlTest, StringQuoting) {
  struct Case {
    std::string in;
    const char* want;  // the text after "k: "
  };
  const Case cases[] = {
      {"plain", "plain"}, {"true", "\"true\""}, {"yes", "\"yes\""}, {"1", "\"1\""}, {"", "\"\""},
      {"null", "\"null\""}, {"~", "\"~\""}, {"0x1f", "\"0x1f\""}, {"1e3", "\"1e3\""}, {"1:20", "\"1:20\""},
      {"2001-12-14", "\"2001-12-14\""}, {"<<", "\"<<\""},
      {"- a", "'- a'"}, {" lead", "' lead'"}, {"trail ", "'trail '"}, {"a: b", "'a: b'"}, {"a #b", "'a #b'"},
      {"#c", "'#c'"}, {"*x", "'*x'"}, {"it's", "it's"}, {"'q'", "'''q'''"}, {"@x", "'@x'"}, {"---", "'---'"},
      {"a:b", "a:b"}, {"a#b", "a#b"}, {"x-y", "x-y"}, {"http://h:1/p?q=1", "http://h:1/p?q=1"},
      {"tab\there", "\"tab\\there\""}, {"caf\xC3\xA9", "caf\xC3\xA9"}, {"\xF0\x9F\x98\x80", "\"\\U0001F600\""},
      {"a\nb", "|-\n  a\n  b"}, {"a\n", "|\n  a"}, {"a\n\n", "|+\n  a\n"}, {" a\nb", "|2-\n   a\n  b"},
      {"a \nb", "\"a \\nb\""}, {"bell\x07", "\"bell\\a\""},
  };
  for (const auto& c : cases) {
    std::string got = ToYaml(json{{"k", c.in}});
    std::string want = std::string("k: ") + c.want + "\n";
    EXPECT_EQ(got, want) << "for " << json(c.in).dump();
    EXPECT_EQ(MustParse(got), json({{"k", c.in}})) << got;
  }
}

TEST(ToYamlTest, NumbersAndScalars) {
  EXPECT_EQ(ToYaml(json::parse(R"({"a": 1, "b": -2, "c": 2.0, "d": 1.5, "e": 1e21, "f": 0.00001,
                                    "g": 18446744073709551615, "h": true, "i": null})")),
            "a: 1\nb: -2\nc: 2\nd: 1.5\ne: 1e+21\nf: 1e-05\ng: 18446744073709551615\nh: true\ni: null\n");
  EXPECT_EQ(ToYaml(json("x")), "x\n");
  EXPECT_EQ(ToYaml(json(nullptr)), "null\n");
  EXPECT_EQ(ToYaml(json::object()), "{}\n");
  EXPECT_EQ(ToYaml(json::array()), "[]\n");
  EXPECT_EQ(ToYaml(json("a\nb")), "|-\n  a\n  b\n");
}

TEST(ToYamlTest, NestingLayout) {
  json j = json::parse(R"({"top": [[1, 2], {"a": [3], "b": {"c": 4}}, [], {}], "m": {"n": [{"x": 1, "y": 2}]}})");
  // "n" and "y" are YAML 1.1 booleans, so go-yaml quotes them as keys too.
  const char* want = R"(m:
  "n":
  - x: 1
    "y": 2
top:
- - 1
  - 2
- a:
  - 3
  b:
    c: 4
- []
- {}
)";
  EXPECT_EQ(ToYaml(j), want);
  EXPECT_EQ(ToYaml(json::array({json::array({json::array({1})})})), "- - - 1\n");
  EXPECT_EQ(MustParse(ToYaml(j)), j);
}

TEST(ToYamlTest, KeyOrderAndLongKeys) {
  json j = {{"b", 1}, {"a10", 2}, {"a9", 3}, {"_z", 4}, {"A", 5}};
  EXPECT_EQ(ToYaml(j), "_z: 4\nA: 5\na9: 3\na10: 2\nb: 1\n");
  std::string long_key(130, 'k');
  std::string out = ToYaml(json{{long_key, json{{"x", 1}}}});
  EXPECT_EQ(out, "? " + long_key + "\n: x: 1\n");
  EXPECT_EQ(MustParse(out), json({{long_key, {{"x", 1}}}}));
  json ml = {{"two\nlines", "v"}};
  EXPECT_EQ(ToYaml(ml), "? |-\n  two\n  lines\n: v\n");
  EXPECT_EQ(MustParse(ToYaml(ml)), ml);
}

TEST(ToYamlTest, LongStringsFoldPastColumn80) {
  std::string words;
  for (int i = 0; i < 30; ++i) words += "word" + std::to_string(i) + " ";
  words += "end";
  std::string out = ToYaml(json{{"message", words}});
  EXPECT_NE(out.find("\n  word"), std::string::npos) << out;
  size_t first_break = out.find('\n');
  EXPECT_GT(first_break, 80u);
  EXPECT_LT(first_break, 90u);
  EXPECT_EQ(MustParse(out), json({{"message", words}}));
  // Quoted strings fold too, and keep runs of spaces.
  std::string q = "- " + words + "  x  y";
  out = ToYaml(json{{"message", q}});
  EXPECT_EQ(out.substr(0, 12), "message: '- ");
  EXPECT_EQ(MustParse(out), json({{"message", q}}));
  std::string d = "\t" + words + "   spaced";
  out = ToYaml(json{{"message", d}});
  EXPECT_EQ(MustParse(out), json({{"message", d}})) << out;
}

TEST(ToYamlTest, InvalidUtf8BecomesBinary) {
  std::string bad = "a\xFF" "b";
  std::string out = ToYaml(json{{"k", bad}});
  EXPECT_EQ(out, "k: !!binary Yf9i\n");
  // Reading back gives the bytes with U+FFFD, as a JSON encoder would.
  EXPECT_EQ(MustParse(out), json({{"k", "a\xEF\xBF\xBD" "b"}}));
}

TEST(ToYamlTest, Documents) {
  EXPECT_EQ(ToYamlDocuments({json{{"a", 1}}, json{{"b", 2}}}), "a: 1\n---\nb: 2\n");
  auto r = ParseYamlDocuments(ToYamlDocuments({json{{"a", "x\n"}}, json{{"b", 2}}}));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, (std::vector<json>{json{{"a", "x\n"}}, json{{"b", 2}}}));
}

// ---- round trip property ----------------------------------------------------

class RandomJson {
 public:
  explicit RandomJson(uint32_t seed) : rng_(seed) {}

  json Value(int depth) {
    int pick = Int(0, depth > 3 ? 5 : 7);
    switch (pick) {
      case 0: return nullptr;
      case 1: return Int(0, 1) == 1;
      case 2: {
        int64_t v = static_cast<int64_t>(rng_()) << 32 | rng_();
        return Int(0, 1) ? json(v) : json(v % 1000);
      }
      case 3: return Double();
      case 4:
      case 5: return String();
      case 6: {
        json a = json::array();
        int n = Int(0, 4);
        for (int i = 0; i < n; ++i) a.push_back(Value(depth + 1));
        return a;
      }
      default: {
        json o = json::object();
        int n = Int(0, 4);
        for (int i = 0; i < n; ++i) o[String()] = Value(depth + 1);
        return o;
      }
    }
  }

 private:
  int Int(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  json Double() {
    switch (Int(0, 3)) {
      case 0: return std::uniform_real_distribution<double>(-1e6, 1e6)(rng_);
      case 1: return std::ldexp(std::uniform_real_distribution<double>(-1, 1)(rng_), Int(-1000, 1000));
      case 2: return static_cast<double>(Int(-100, 100));
      default: return 18446744073709551615.0 * Int(0, 2);
    }
  }

  std::string String() {
    static const std::vector<std::string> kWords = {
        "true", "no", "null", "~", "", "1", "0x1f", "1e3", "-", "- ", ":", ": ", " ", "  ", "#", " #", "'", "\"",
        "\\", "\n", "\n\n", "\t", "a", "key", "value", "é", "日本", "\xF0\x9F\x98\x80", "{", "}", "[", "]", ",", "?",
        "&a", "*a", "!", "|", ">", "%", "@", "`", "<<", "---", "...", "2001-12-14", "1:20", ".inf", "0o7", "\r",
        "\x01", "\xC2\x85", "\xE2\x80\xA8", "\xEF\xBB\xBF", "x y z", "a long run of words to cross the eighty column limit"};
    std::string s;
    int n = Int(0, 6);
    for (int i = 0; i < n; ++i) s += kWords[static_cast<size_t>(Int(0, static_cast<int>(kWords.size()) - 1))];
    return s;
  }

  std::mt19937 rng_;
};

TEST(YamlRoundTripTest, RandomJsonSurvivesToYamlThenParse) {
  RandomJson gen(12345);
  for (int i = 0; i < 3000; ++i) {
    json j = gen.Value(0);
    std::string text = ToYaml(j);
    auto back = ParseYaml(text);
    ASSERT_TRUE(back.ok()) << back.status().ToString() << "\nvalue: " << j.dump() << "\nyaml:\n" << text;
    ASSERT_EQ(*back, j) << "yaml:\n" << text << "\ngot: " << back->dump();
  }
}

// ---- hostile input ------------------------------------------------------------

TEST(YamlHostileTest, DeepNestingFailsCleanly) {
  for (const std::string& open : {std::string("["), std::string("{a: "), std::string("- ")}) {
    std::string text;
    for (int i = 0; i < 100000; ++i) text += open;
    auto r = ParseYamlDocuments(text);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.status().message().rfind("yaml: document 1, line 1: ", 0), 0u) << r.status().message();
  }
  // Just under the limit parses.
  std::string ok(kMaxYamlDepth - 1, '[');
  ok += std::string(kMaxYamlDepth - 1, ']');
  EXPECT_TRUE(ParseYamlDocuments(ok).ok());
}

TEST(YamlHostileTest, BillionLaughsFailsFast) {
  std::string text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  char prev = 'a';
  for (char c = 'b'; c <= 'i'; ++c) {
    text += std::string(1, c) + ": &" + c + " [";
    for (int k = 0; k < 9; ++k) text += std::string(k ? "," : "") + "*" + prev;
    text += "]\n";
    prev = c;
  }
  auto start = std::chrono::steady_clock::now();
  auto r = ParseYamlDocuments(text);
  auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("excessive aliasing"), std::string::npos) << r.status().message();
  EXPECT_LT(elapsed, std::chrono::seconds(2));
}

TEST(YamlHostileTest, RecursiveAliasAndBadBinary) {
  EXPECT_NE(ErrorOf("a: &x [*x]\n").find("contains itself"), std::string::npos);
  EXPECT_NE(ErrorOf("a: &x {b: *x}\n").find("contains itself"), std::string::npos);
  EXPECT_NE(ErrorOf("a: !!binary '@@@'\n").find("invalid base64"), std::string::npos);
}

TEST(YamlHostileTest, AliasChainsCannotExceedDepth) {
  // Each anchor nests the previous one 300 levels deeper: the tree stays
  // under the parse limit but the expansion would not.
  std::string text = "a0: &a0 1\n";
  for (int k = 1; k <= 3; ++k) {
    text += "a" + std::to_string(k) + ": &a" + std::to_string(k) + " " + std::string(300, '[') + "*a" +
            std::to_string(k - 1) + std::string(300, ']') + "\n";
  }
  auto r = ParseYamlDocuments(text);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("exceeded max depth"), std::string::npos) << r.status().message();
}

TEST(YamlHostileTest, RandomBytesNeverCrash) {
  std::mt19937 rng(7);
  const std::string alphabet = "ab: -[]{}&*!|>'\"#%@`?,\n\n  \t~012.e+x<<---...\\\xC3\xA9";
  for (int i = 0; i < 3000; ++i) {
    std::string s;
    int n = std::uniform_int_distribution<int>(0, 60)(rng);
    for (int k = 0; k < n; ++k) s += alphabet[std::uniform_int_distribution<size_t>(0, alphabet.size() - 1)(rng)];
    auto r = ParseYamlDocuments(s);
    if (!r.ok()) {
      EXPECT_EQ(r.status().message().rfind("yaml: document ", 0), 0u) << r.status().message();
    }
  }
  std::string nul("a: b\0c\n", 7);
  (void)ParseYamlDocuments(nul);  // must not crash; either outcome is fine
}

}  // namespace
}  // namespace kubepp::api::yaml
