#include "api/resource_version.h"

#include <gtest/gtest.h>

namespace kubepp::api {
namespace {

using K = ResourceVersion::Kind;

TEST(ResourceVersionTest, Parse) {
  const std::tuple<const char*, K, int64_t, const char*> cases[] = {
      {"", K::kUnset, 0, ""},
      {"0", K::kAny, 0, "0"},
      {"00", K::kAny, 0, "0"},
      {"1", K::kExact, 1, "1"},
      {"12345", K::kExact, 12345, "12345"},
      {"007", K::kExact, 7, "7"},
      {"9223372036854775807", K::kExact, INT64_MAX, "9223372036854775807"},
  };
  for (const auto& [in, kind, rev, str] : cases) {
    auto v = ResourceVersion::Parse(in);
    ASSERT_TRUE(v.ok()) << in << ": " << v.status().ToString();
    EXPECT_EQ(v->kind(), kind) << in;
    EXPECT_EQ(v->revision(), rev) << in;
    EXPECT_EQ(v->String(), str) << in;
  }
}

TEST(ResourceVersionTest, ParseErrorsNameTheField) {
  const std::pair<const char*, const char*> cases[] = {
      {"abc", "resourceVersion: Invalid value: \"abc\": strconv.ParseUint: parsing \"abc\": invalid syntax"},
      {"-1", "resourceVersion: Invalid value: \"-1\": strconv.ParseUint: parsing \"-1\": invalid syntax"},
      {"+1", "resourceVersion: Invalid value: \"+1\": strconv.ParseUint: parsing \"+1\": invalid syntax"},
      {" 1", "resourceVersion: Invalid value: \" 1\": strconv.ParseUint: parsing \" 1\": invalid syntax"},
      {"1.5", "resourceVersion: Invalid value: \"1.5\": strconv.ParseUint: parsing \"1.5\": invalid syntax"},
      {"9223372036854775808",
       "resourceVersion: Invalid value: \"9223372036854775808\": strconv.ParseUint: parsing "
       "\"9223372036854775808\": value out of range"},
      {"99999999999999999999x",
       "resourceVersion: Invalid value: \"99999999999999999999x\": strconv.ParseUint: parsing "
       "\"99999999999999999999x\": invalid syntax"},
  };
  for (const auto& [in, msg] : cases) {
    auto v = ResourceVersion::Parse(in);
    ASSERT_FALSE(v.ok()) << in;
    EXPECT_EQ(v.status().code(), StatusCode::kInvalid);
    EXPECT_EQ(v.status().message(), msg);
  }
  auto v = ResourceVersion::Parse("x", "metadata.resourceVersion");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().message().rfind("metadata.resourceVersion: Invalid value: \"x\"", 0), 0u);
}

TEST(ResourceVersionTest, Compare) {
  auto p = [](const char* s) { return *ResourceVersion::Parse(s); };
  EXPECT_LT(p(""), p("0"));
  EXPECT_LT(p("0"), p("1"));
  EXPECT_LT(p("2"), p("10"));  // numeric, not lexical
  EXPECT_EQ(p("07"), p("7"));
  EXPECT_EQ(ResourceVersion::Exact(5), p("5"));
  EXPECT_EQ(FormatResourceVersion(42), "42");
  EXPECT_EQ(p("10").Compare(p("2")), 1);
}

}  // namespace
}  // namespace kubepp::api
