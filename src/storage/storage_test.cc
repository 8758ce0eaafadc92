#include "storage/storage.h"

#include <gtest/gtest.h>

namespace kubepp::storage {
namespace {

TEST(KeyRangeTest, PrefixCoversExactlyTheKeysWithThePrefix) {
  KeyRange r = KeyRange::Prefix("/pods/");
  EXPECT_EQ(r.end, "/pods0");
  EXPECT_TRUE(r.Contains("/pods/"));
  EXPECT_TRUE(r.Contains("/pods/a/b"));
  EXPECT_FALSE(r.Contains("/pods0"));
  EXPECT_FALSE(r.Contains("/pods"));
  EXPECT_FALSE(r.Contains("/pod"));
}

TEST(KeyRangeTest, PrefixEndingInFFCarries) {
  KeyRange r = KeyRange::Prefix(std::string("a\xff\xff", 3));
  EXPECT_EQ(r.end, "b");
  EXPECT_TRUE(r.Contains(std::string("a\xff\xff\x01", 4)));
  EXPECT_FALSE(r.Contains("b"));
}

TEST(KeyRangeTest, EmptyPrefixIsEverything) {
  KeyRange r = KeyRange::Prefix("");
  EXPECT_EQ(r.end, KeyRange::kUnbounded);
  EXPECT_TRUE(r.Contains(""));
  EXPECT_TRUE(r.Contains(std::string("\xff\xff", 2)));
}

TEST(KeyRangeTest, SingleKey) {
  KeyRange r = KeyRange::Single("/a");
  EXPECT_TRUE(r.Contains("/a"));
  EXPECT_FALSE(r.Contains("/a/"));
  EXPECT_FALSE(r.Contains("/"));
}

}  // namespace
}  // namespace kubepp::storage
