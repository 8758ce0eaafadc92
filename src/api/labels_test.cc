#include "api/labels.h"

#include <gtest/gtest.h>

namespace kubepp::api {
namespace {

LabelSelector P(std::string_view s) {
  auto r = LabelSelector::Parse(s);
  EXPECT_TRUE(r.ok()) << s << ": " << r.status().ToString();
  return r.ok() ? *r : LabelSelector::Nothing();
}

TEST(LabelSelectorTest, ParseAndString) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},
      {"x=a", "x=a"},
      {"x==a", "x==a"},
      {"x!=a", "x!=a"},
      {"x=", "x="},
      {"x", "x"},
      {"!x", "!x"},
      {"  x  =  a  ", "x=a"},
      {"x=a,y=b", "x=a,y=b"},
      {"y=b,x=a", "x=a,y=b"},  // sorted by key
      {"x in (b,a)", "x in (a,b)"},
      {"x in (a,a,b)", "x in (a,b)"},  // de-duplicated
      {"x notin (a)", "x notin (a)"},
      {"x in ()", "x in ()"},
      {"x in (,a)", "x in (,a)"},
      {"x in (a,)", "x in (,a)"},
      {"x in (a,,b)", "x in (,a,b)"},
      {"x in (in,notin)", "x in (in,notin)"},  // keywords are values here
      {"in in (in)", "in in (in)"},
      {"x>1", "x>1"},
      {"x<5", "x<5"},
      {"app.kubernetes.io/name=web,!canary,env notin (dev)", "app.kubernetes.io/name=web,!canary,env notin (dev)"},
  };
  for (const auto& [in, want] : cases) {
    LabelSelector s = P(in);
    EXPECT_EQ(s.String(), want) << in;
    EXPECT_EQ(P(s.String()).String(), want) << "round trip of " << in;
  }
  // Requirements sort by key: "!canary" < "app..." < "env".
  EXPECT_EQ(P("app.kubernetes.io/name=web,!canary,env notin (dev)").requirements()[0].key(), "app.kubernetes.io/name");
  EXPECT_TRUE(P("").Empty());
  EXPECT_FALSE(P("x").Empty());
}

TEST(LabelSelectorTest, ParseErrors) {
  const std::string kNamePart =
      "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
      "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
      "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  const std::string kValue =
      "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and "
      "must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', "
      "regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
  const std::pair<const char*, std::string> cases[] = {
      {",", "found ',', expected: !, identifier, or 'end of string'"},
      {"x=a,", "found '', expected: identifier after ','"},
      {"x=a,,y=b", "found ',', expected: identifier after ','"},
      {"x=a y=b", "found 'y', expected: ',' or 'end of string'"},
      {"x y", "unable to parse requirement: found 'y', expected: in, notin, =, ==, !=, gt, lt"},
      {"x in a", "unable to parse requirement: found 'a' expected: '('"},
      {"x in (a", "unable to parse requirement: found '', expected: ',' or ')'"},
      {"x in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"},
      {"x in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"},
      {"x in (a,=)", "unable to parse requirement: found '=', expected: ',', or identifier"},
      {"x==(a)", "unable to parse requirement: found '(', expected: identifier"},
      {"!", "unable to parse requirement: found '', expected: identifier"},
      {"!=a", "found '!=', expected: !, identifier, or 'end of string'"},
      {"!x=a", "found '=', expected: ',' or 'end of string'"},
      {"(x)", "found '(', expected: !, identifier, or 'end of string'"},
      {"x>a", "unable to parse requirement: values[0]: Invalid value: \"a\": for 'Gt', 'Lt' operators, the "
              "value must be an integer"},
      {"a b=c", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"},
      // Gt/Lt values are label values too, so negatives cannot be written.
      {"x<-5", "unable to parse requirement: values[0][x]: Invalid value: \"-5\": " + kValue},
      {"-x=a", "unable to parse requirement: <nil>: Invalid value: \"-x\": " + kNamePart},
      {"x=-a", "unable to parse requirement: values[0][x]: Invalid value: \"-a\": " + kValue},
  };
  for (const auto& [in, msg] : cases) {
    auto s = LabelSelector::Parse(in);
    ASSERT_FALSE(s.ok()) << in;
    EXPECT_EQ(s.status().code(), StatusCode::kBadRequest) << in;
    EXPECT_EQ(s.status().message(), msg) << in;
  }
}

TEST(LabelSelectorTest, Matches) {
  const Labels pod = {{"app", "web"}, {"env", "prod"}, {"tier", ""}, {"cpu", "8"}};
  const std::pair<const char*, bool> cases[] = {
      {"", true},
      {"app=web", true},
      {"app==web", true},
      {"app=db", false},
      {"app!=db", true},
      {"app!=web", false},
      {"missing!=x", true},  // != matches objects without the key
      {"missing=", false},
      {"tier=", true},
      {"tier", true},
      {"!tier", false},
      {"missing", false},
      {"!missing", true},
      {"env in (prod,staging)", true},
      {"env in (dev)", false},
      {"env notin (dev)", true},
      {"env notin (prod)", false},
      {"missing notin (x)", true},
      {"missing in (x)", false},
      {"tier in ()", true},  // "()" is the set {""}
      {"app=web,env=prod", true},
      {"app=web,env=dev", false},
      {"cpu>4", true},
      {"cpu>8", false},
      {"cpu<9", true},
      {"app>1", false},  // non-integer label value never matches Gt/Lt
      {"missing<100", false},
  };
  for (const auto& [sel, want] : cases) EXPECT_EQ(P(sel).Matches(pod), want) << sel;
  EXPECT_TRUE(LabelSelector::Everything().Matches({}));
  EXPECT_FALSE(LabelSelector::Nothing().Matches({}));
  EXPECT_FALSE(LabelSelector::Nothing().Matches(pod));
  EXPECT_FALSE(LabelSelector::Nothing().Empty());
  EXPECT_TRUE(LabelSelector::Nothing().IsNothing());
}

TEST(LabelSelectorTest, FromSpec) {
  auto nil = LabelSelector::FromSpec(nullptr);
  ASSERT_TRUE(nil.ok());
  EXPECT_TRUE(nil->IsNothing());
  LabelSelectorSpec empty;
  auto every = LabelSelector::FromSpec(&empty);
  ASSERT_TRUE(every.ok());
  EXPECT_TRUE(every->Empty());
  EXPECT_TRUE(every->Matches({{"a", "b"}}));

  LabelSelectorSpec spec;
  spec.match_labels = {{"app", "web"}};
  spec.match_expressions = {{"env", "In", {"prod", "staging"}}, {"canary", "DoesNotExist", {}},
                            {"tier", "Exists", {}}, {"zone", "NotIn", {"z1"}}};
  EXPECT_TRUE(ValidateLabelSelector(spec, "spec.selector").empty());
  auto s = LabelSelector::FromSpec(&spec);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->String(), "app=web,!canary,env in (prod,staging),tier,zone notin (z1)");
  EXPECT_TRUE(s->Matches({{"app", "web"}, {"env", "prod"}, {"tier", "x"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}, {"env", "prod"}, {"tier", "x"}, {"canary", "1"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}, {"env", "prod"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}, {"env", "prod"}, {"tier", "x"}, {"zone", "z1"}}));

  const std::pair<LabelSelectorRequirementSpec, std::string> bad[] = {
      {{"a", "In", {}}, "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty"},
      {{"a", "Exists", {"x"}},
       "values: Invalid value: []string{\"x\"}: values set must be empty for exists and does not exist"},
      {{"a", "Gt", {"1"}}, "\"Gt\" is not a valid label selector operator"},
      {{"a", "in", {"x"}}, "\"in\" is not a valid label selector operator"},
  };
  for (const auto& [req, msg] : bad) {
    LabelSelectorSpec b;
    b.match_expressions = {req};
    auto r = LabelSelector::FromSpec(&b);
    ASSERT_FALSE(r.ok()) << msg;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
    EXPECT_EQ(r.status().message(), msg);
  }
}

TEST(LabelSelectorTest, ValidateLabelSelector) {
  LabelSelectorSpec spec;
  spec.match_labels = {{"bad key", "v"}};
  spec.match_expressions = {{"a", "In", {}}, {"b", "DoesNotExist", {"x"}}, {"c", "Foo", {}}, {"d", "In", {"-x"}}};
  FieldErrors errs = ValidateLabelSelector(spec, "spec.selector");
  std::vector<std::string> got;
  for (const auto& e : errs) got.push_back(e.ToString());
  ASSERT_EQ(got.size(), 5u);
  EXPECT_EQ(got[0].rfind("spec.selector.matchLabels: Invalid value: \"bad key\": name part must consist", 0), 0u);
  EXPECT_EQ(got[1], "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
  EXPECT_EQ(got[2], "spec.selector.matchExpressions[1].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
  EXPECT_EQ(got[3], "spec.selector.matchExpressions[2].operator: Invalid value: \"Foo\": not a valid selector operator");
  EXPECT_EQ(got[4].rfind("spec.selector.matchExpressions[3].values[0]: Invalid value: \"-x\": a valid label", 0), 0u);
  EXPECT_EQ(FieldErrorsToStatus(errs).code(), StatusCode::kInvalid);
  EXPECT_EQ(FieldErrorsToStatus(errs).message().front(), '[');
}

TEST(LabelSelectorTest, RequirementsAndHelpers) {
  auto r = LabelRequirement::Create("a", SelectorOperator::kEquals, {"x", "y"});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "values: Invalid value: []string{\"x\", \"y\"}: exact-match compatibility requires one single value");
  auto two = LabelRequirement::Create("bad key", SelectorOperator::kGreaterThan, {"x"});
  ASSERT_FALSE(two.ok());
  EXPECT_EQ(two.status().message().front(), '[');  // several errors aggregate

  auto gt = LabelSelector::NodeSelectorRequirement("cpu", "Gt", {"4"});
  ASSERT_TRUE(gt.ok());
  EXPECT_TRUE(gt->Matches({{"cpu", "5"}}));
  EXPECT_FALSE(gt->Matches({{"cpu", "4"}}));
  EXPECT_FALSE(LabelSelector::NodeSelectorRequirement("cpu", "Gt", {"4", "5"}).ok());
  EXPECT_FALSE(LabelSelector::NodeSelectorRequirement("cpu", "Gte", {"4"}).ok());

  LabelSelector s = LabelSelector::FromSet({{"b", "2"}, {"a", "1"}});
  EXPECT_EQ(s.String(), "a=1,b=2");
  EXPECT_EQ(s.RequiresExactMatch("a"), "1");
  EXPECT_EQ(P("x in (a)").RequiresExactMatch("x"), "a");
  EXPECT_EQ(P("x in (a,b)").RequiresExactMatch("x"), std::nullopt);
  EXPECT_EQ(P("x!=a").RequiresExactMatch("x"), std::nullopt);
  LabelSelector added = s.Add(*LabelRequirement::Create("0", SelectorOperator::kExists, {}));
  EXPECT_EQ(added.String(), "0,a=1,b=2");
  EXPECT_EQ(s.String(), "a=1,b=2");  // Add copies
  EXPECT_TRUE(LabelSelector::Nothing().Add(*gt).IsNothing());
}

}  // namespace
}  // namespace kubepp::api
