#include "api/yaml/scalar.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace kubepp::api::yaml::internal {
namespace {

TEST(GoFormatFloatTest, MatchesGoShortestG) {
  EXPECT_EQ(GoFormatFloat(0.5, false), "0.5");
  EXPECT_EQ(GoFormatFloat(1e6, false), "1e+06");
  EXPECT_EQ(GoFormatFloat(123456.5, false), "123456.5");
  EXPECT_EQ(GoFormatFloat(1234567.5, false), "1.2345675e+06");
  EXPECT_EQ(GoFormatFloat(0.0001, false), "0.0001");
  EXPECT_EQ(GoFormatFloat(0.00001, false), "1e-05");
  EXPECT_EQ(GoFormatFloat(1e300, false), "1e+300");
  EXPECT_EQ(GoFormatFloat(-2.5, false), "-2.5");
  EXPECT_EQ(GoFormatFloat(3.14159265358979, true), "3.1415927");
  EXPECT_EQ(GoFormatFloat(1.0, true), "1");
}

TEST(IsTimestampTest, Forms) {
  EXPECT_TRUE(IsTimestamp("2001-12-14"));
  EXPECT_TRUE(IsTimestamp("2001-1-2"));
  EXPECT_TRUE(IsTimestamp("2024-01-01T00:00:00Z"));
  EXPECT_TRUE(IsTimestamp("2024-01-01t10:20:30.123+02:00"));
  EXPECT_TRUE(IsTimestamp("2001-12-14 21:59:43.10"));
  EXPECT_FALSE(IsTimestamp("2001-02-30"));
  EXPECT_FALSE(IsTimestamp("2001-12-14T21:59:43"));  // T form needs a zone
  EXPECT_FALSE(IsTimestamp("2001-13-01"));
  EXPECT_FALSE(IsTimestamp("20011-12-14"));
  EXPECT_FALSE(IsTimestamp("1.2.3"));
}

TEST(IsBase60FloatTest, Forms) {
  EXPECT_TRUE(IsBase60Float("1:20"));
  EXPECT_TRUE(IsBase60Float("190:20:30.15"));
  EXPECT_FALSE(IsBase60Float("1:60"));
  EXPECT_FALSE(IsBase60Float("a:20"));
  EXPECT_FALSE(IsBase60Float("120"));
}

TEST(Base64Test, RoundTripAndNewlines) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\x00\xff\x80", 3)}) {
    auto d = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(d.has_value());
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(Base64Decode("aGVs\nbG8=\n").value(), "hello");
  EXPECT_FALSE(Base64Decode("aGVsbG8").has_value());
  EXPECT_FALSE(Base64Decode("a=Vs").has_value());
}

TEST(Utf8Test, InvalidSequences) {
  EXPECT_FALSE(FindInvalidUtf8("héllo 日本 \xF0\x9F\x98\x80").has_value());
  EXPECT_EQ(FindInvalidUtf8("ab\xC3").value(), 2u);
  EXPECT_EQ(FindInvalidUtf8("\xC0\x80").value(), 0u);        // overlong
  EXPECT_EQ(FindInvalidUtf8("x\xED\xA0\x80").value(), 1u);   // surrogate
  EXPECT_EQ(SanitizeUtf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
}

TEST(NaturalKeyLessTest, GoYamlV2Order) {
  std::vector<std::string> keys = {"b", "a10", "a9", "B", "_x", "a", "2", "10", "a1b", "a01"};
  std::stable_sort(keys.begin(), keys.end(), [](const std::string& x, const std::string& y) { return NaturalKeyLess(x, y); });
  std::vector<std::string> want = {"_x", "2", "10", "B", "a", "a1b", "a01", "a9", "a10", "b"};
  EXPECT_EQ(keys, want);
}

TEST(ResolvePlainTest, EdgeNumbers) {
  using K = Scalar::Kind;
  EXPECT_EQ(ResolvePlain("0b101").kind, K::kInt);
  EXPECT_EQ(ResolvePlain("0b101").i, 5);
  EXPECT_EQ(ResolvePlain("-0b11").i, -3);
  EXPECT_EQ(ResolvePlain("1e400").kind, K::kString);  // overflow stays text
  EXPECT_EQ(ResolvePlain("1e-400").kind, K::kFloat);  // underflow is zero
  EXPECT_EQ(ResolvePlain("1e-400").d, 0.0);
  EXPECT_EQ(ResolvePlain("-9223372036854775808").i, INT64_MIN);
  EXPECT_EQ(ResolvePlain("18446744073709551615").kind, K::kUint);
  EXPECT_EQ(ResolvePlain("2001-12-14").kind, K::kTimestamp);
  EXPECT_EQ(ResolvePlain("2001-12-14", false).kind, K::kString);
}

}  // namespace
}  // namespace kubepp::api::yaml::internal
