#include "api/json_depth.h"

#include <gtest/gtest.h>

#include <string>

namespace kubepp::api {
namespace {

std::string Nested(int levels) { return std::string(levels, '[') + std::string(levels, ']'); }

TEST(JsonDepthTest, RefusesOnlyPastTheLimit) {
  EXPECT_EQ(JsonDepthExceededAt(Nested(kMaxJsonDepth)), std::string_view::npos);
  EXPECT_EQ(JsonDepthExceededAt(Nested(kMaxJsonDepth + 1)), static_cast<size_t>(kMaxJsonDepth));
  // Siblings do not add up; only nesting counts.
  std::string wide;
  for (int i = 0; i < 3 * kMaxJsonDepth; ++i) wide += "{}";
  EXPECT_EQ(JsonDepthExceededAt("[" + wide + "]"), std::string_view::npos);
}

TEST(JsonDepthTest, BracketsInStringsDoNotCount) {
  std::string quoted = "\"" + std::string(kMaxJsonDepth + 1, '[') + "\\\"" + std::string(5, '{') + "\"";
  EXPECT_EQ(JsonDepthExceededAt("{\"a\":" + quoted + "}"), std::string_view::npos);
  // An escaped quote does not end the string.
  std::string tail = "{\"a\":\"\\\"" + Nested(kMaxJsonDepth + 1) + "\"}";
  EXPECT_EQ(JsonDepthExceededAt(tail), std::string_view::npos);
  // Unterminated input is scanned as far as it goes.
  EXPECT_EQ(JsonDepthExceededAt(std::string(kMaxJsonDepth + 5, '{')), static_cast<size_t>(kMaxJsonDepth));
}

}  // namespace
}  // namespace kubepp::api
