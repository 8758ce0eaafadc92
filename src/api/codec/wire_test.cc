#include "api/codec/wire.h"

#include <gtest/gtest.h>

namespace kubepp::api::wire {
namespace {

TEST(WireTest, VarintRoundTripAndLimits) {
  for (uint64_t v : {0ull, 1ull, 127ull, 128ull, 300ull, 1ull << 35, ~0ull}) {
    std::string buf;
    AppendVarint(&buf, v);
    Reader r(buf);
    uint64_t got = 0;
    ASSERT_TRUE(r.ReadVarint(&got));
    EXPECT_EQ(got, v);
    EXPECT_TRUE(r.done());
  }
  std::string eleven(11, '\x80');
  Reader r(eleven);
  uint64_t v;
  EXPECT_FALSE(r.ReadVarint(&v));
  Reader truncated(std::string_view("\x80", 1));
  EXPECT_FALSE(truncated.ReadVarint(&v));
}

TEST(WireTest, LenPastEndFails) {
  Reader r(std::string_view("\x05" "ab", 3));
  std::string_view b;
  EXPECT_FALSE(r.ReadLen(&b));
}

TEST(WireTest, Base64) {
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_EQ(*Base64Decode("aGVsbG8="), "hello");
  EXPECT_EQ(*Base64Decode(""), "");
  EXPECT_FALSE(Base64Decode("aGVsbG8").has_value());
  EXPECT_FALSE(Base64Decode("a*==").has_value());
  EXPECT_FALSE(Base64Decode("aG=a").has_value());
}

TEST(WireTest, Rfc3339) {
  int64_t s;
  int32_t n;
  ASSERT_TRUE(ParseRfc3339("2024-01-02T03:04:05Z", &s, &n));
  EXPECT_EQ(s, 1704164645);
  EXPECT_EQ(n, 0);
  EXPECT_EQ(*FormatRfc3339(s, 0, false), "2024-01-02T03:04:05Z");
  ASSERT_TRUE(ParseRfc3339("2024-01-02T05:04:05.5+02:00", &s, &n));
  EXPECT_EQ(s, 1704164645);
  EXPECT_EQ(n, 500000000);
  EXPECT_EQ(*FormatRfc3339(s, n, true), "2024-01-02T03:04:05.500000Z");
  ASSERT_TRUE(ParseRfc3339("1969-12-31T23:59:59Z", &s, &n));
  EXPECT_EQ(s, -1);
  EXPECT_EQ(*FormatRfc3339(-1, 0, false), "1969-12-31T23:59:59Z");
  EXPECT_FALSE(ParseRfc3339("2024-13-02T03:04:05Z", &s, &n));
  EXPECT_FALSE(ParseRfc3339("2023-02-30T00:00:00Z", &s, &n));  // no Feb 30
  EXPECT_FALSE(ParseRfc3339("2024-01-02 03:04:05", &s, &n));
  EXPECT_FALSE(ParseRfc3339("2024-01-02T03:04:05Zjunk", &s, &n));
  EXPECT_FALSE(FormatRfc3339(INT64_MAX, 0, false).has_value());
}

TEST(WireTest, SanitizeUtf8) {
  EXPECT_EQ(SanitizeUtf8("plain é"), "plain é");
  EXPECT_EQ(SanitizeUtf8(std::string_view("a\xff" "b", 3)), "a\xef\xbf\xbd" "b");
  EXPECT_EQ(SanitizeUtf8(std::string_view("\xc0\x80", 2)), "\xef\xbf\xbd\xef\xbf\xbd");
}

}  // namespace
}  // namespace kubepp::api::wire
