#include "api/fields.h"

#include <gtest/gtest.h>

namespace kubepp::api {
namespace {

TEST(FieldSelectorTest, ParseAndString) {
  const std::pair<const char*, const char*> cases[] = {
      {"", ""},
      {"a=b", "a=b"},
      {"a==b", "a=b"},
      {"a!=b", "a!=b"},
      {"b=2,a=1", "a=1,b=2"},  // sorted
      {"a=b,,c=d", "a=b,c=d"},  // empty terms skipped
      {"a=", "a="},
      {"metadata.name=web", "metadata.name=web"},
      {"a=b\\,c", "a=b\\,c"},
      {"a=b\\=c", "a=b\\=c"},
      {"a=b\\\\c", "a=b\\\\c"},
      {"a = b", "a = b"},  // nothing trimmed
  };
  for (const auto& [in, want] : cases) {
    auto s = FieldSelector::Parse(in);
    ASSERT_TRUE(s.ok()) << in << ": " << s.status().ToString();
    EXPECT_EQ(s->String(), want) << in;
    auto again = FieldSelector::Parse(s->String());
    ASSERT_TRUE(again.ok()) << want;
    EXPECT_EQ(again->requirements(), s->requirements()) << in;
  }
  auto s = FieldSelector::Parse("a=b\\,c,x!=y");
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->requirements().size(), 2u);
  EXPECT_EQ(s->requirements()[0], (FieldRequirement{"a", true, "b,c"}));
  EXPECT_EQ(s->requirements()[1], (FieldRequirement{"x", false, "y"}));
  auto sp = FieldSelector::Parse("a = b");
  ASSERT_TRUE(sp.ok());
  EXPECT_EQ(sp->requirements()[0], (FieldRequirement{"a ", true, " b"}));
}

TEST(FieldSelectorTest, ParseErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"a", "invalid selector: 'a'; can't understand 'a'"},
      {"a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"},
      {"a<b", "invalid selector: 'a<b'; can't understand 'a<b'"},
      {"a!==b", "invalid field selector: unescaped character in value: 61"},
      {"a=b=c", "invalid field selector: unescaped character in value: 61"},
      {"a=b\\x", "invalid field selector: invalid escape sequence: \\x"},
      {"a=b\\", "invalid field selector: invalid escape sequence: \\"},
  };
  for (const auto& [in, msg] : cases) {
    auto s = FieldSelector::Parse(in);
    ASSERT_FALSE(s.ok()) << in;
    EXPECT_EQ(s.status().code(), StatusCode::kBadRequest);
    EXPECT_EQ(s.status().message(), msg) << in;
  }
}

TEST(FieldSelectorTest, Matches) {
  const std::map<std::string, std::string> pod = {
      {"metadata.name", "web-1"}, {"metadata.namespace", "default"}, {"status.phase", "Running"},
      {"spec.nodeName", ""}};
  const std::pair<const char*, bool> cases[] = {
      {"", true},
      {"metadata.name=web-1", true},
      {"metadata.name==web-1", true},
      {"metadata.name=web-2", false},
      {"metadata.name!=web-2", true},
      {"metadata.name!=web-1", false},
      {"status.phase=Running,metadata.namespace=default", true},
      {"status.phase=Running,metadata.namespace=kube-system", false},
      {"spec.nodeName=", true},         // unscheduled pods
      {"spec.nodeName!=", false},
      {"missing.field=", true},         // a missing field reads as ""
      {"missing.field!=x", true},
      {"missing.field=x", false},
  };
  for (const auto& [sel, want] : cases) {
    auto s = FieldSelector::Parse(sel);
    ASSERT_TRUE(s.ok()) << sel;
    EXPECT_EQ(s->Matches(pod), want) << sel;
    int calls = 0;
    bool got = s->Matches([&](std::string_view f) -> std::optional<std::string> {
      ++calls;
      auto it = pod.find(std::string(f));
      if (it == pod.end()) return std::nullopt;
      return it->second;
    });
    EXPECT_EQ(got, want) << sel;
  }
}

TEST(FieldSelectorTest, SupportedFieldsAndExactMatch) {
  auto s = FieldSelector::Parse("metadata.name=a,spec.nodeName!=n1");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->CheckSupported({"metadata.name", "metadata.namespace", "spec.nodeName"}).ok());
  Status st = s->CheckSupported({"metadata.name", "metadata.namespace"});
  EXPECT_EQ(st.code(), StatusCode::kBadRequest);
  EXPECT_EQ(st.message(), "field label not supported: spec.nodeName");
  EXPECT_EQ(s->RequiresExactMatch("metadata.name"), "a");
  EXPECT_EQ(s->RequiresExactMatch("spec.nodeName"), std::nullopt);
  EXPECT_EQ(s->RequiresExactMatch("other"), std::nullopt);
  EXPECT_TRUE(FieldSelector().Empty());
  FieldSelector f = FieldSelector::FromSet({{"b", "x,y"}, {"a", "1"}});
  EXPECT_EQ(f.String(), "a=1,b=x\\,y");
  EXPECT_EQ(EscapeFieldSelectorValue("a\\b,c=d"), "a\\\\b\\,c\\=d");
  auto un = UnescapeFieldSelectorValue("a\\\\b\\,c\\=d");
  ASSERT_TRUE(un.ok());
  EXPECT_EQ(*un, "a\\b,c=d");
}

}  // namespace
}  // namespace kubepp::api
