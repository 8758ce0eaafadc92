#include "common/encoding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace kubepp {
namespace {

TEST(Base64Test, RoundTripAndGoRules) {
  for (const std::string& s : std::vector<std::string>{"", "h", "he", "hel", "hell", "hello", std::string("\0\xff\x10", 3)}) {
    auto d = Base64Decode(Base64Encode(s));
    ASSERT_TRUE(d.has_value()) << s;
    EXPECT_EQ(*d, s);
  }
  EXPECT_EQ(Base64Encode("hello"), "aGVsbG8=");
  EXPECT_EQ(Base64Decode("aGVs\nbG8=\n").value(), "hello");  // newlines skipped
  EXPECT_FALSE(Base64Decode("aGVsbG8").has_value());           // bad length
  EXPECT_FALSE(Base64Decode("a*==").has_value());              // outside the alphabet
  EXPECT_FALSE(Base64Decode("aG=a").has_value());              // data after padding
  EXPECT_FALSE(Base64Decode("a=Vs").has_value());
}

TEST(Utf8Test, FindsAndRepairsInvalidSequences) {
  EXPECT_FALSE(FindInvalidUtf8("h\xC3\xA9llo \xE6\x97\xA5 \xF0\x9F\x98\x80").has_value());
  EXPECT_EQ(FindInvalidUtf8("ab\xC3").value(), 2u);          // truncated
  EXPECT_EQ(FindInvalidUtf8("\xC0\x80").value(), 0u);        // overlong
  EXPECT_EQ(FindInvalidUtf8("x\xED\xA0\x80").value(), 1u);   // surrogate
  EXPECT_EQ(FindInvalidUtf8("\xF4\x90\x80\x80").value(), 0u); // past U+10FFFF
  EXPECT_EQ(SanitizeUtf8("a\xFF" "b"), "a\xEF\xBF\xBD" "b");
  EXPECT_EQ(SanitizeUtf8("ok"), "ok");
}

}  // namespace
}  // namespace kubepp
