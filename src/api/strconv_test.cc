#include "api/strconv.h"

#include <gtest/gtest.h>

#include <limits>

namespace kubepp::api {
namespace {

TEST(ParseGoInt64Test, AcceptsWhatGoAccepts) {
  struct Case {
    const char* in;
    int64_t want;
  } cases[] = {
      {"0", 0}, {"42", 42}, {"+42", 42}, {"-42", -42}, {"007", 7},
      {"9223372036854775807", std::numeric_limits<int64_t>::max()},
      {"-9223372036854775808", std::numeric_limits<int64_t>::min()},
  };
  for (const auto& c : cases) {
    int64_t got = -1;
    EXPECT_EQ(ParseGoInt64(c.in, &got), "") << c.in;
    EXPECT_EQ(got, c.want) << c.in;
  }
}

TEST(ParseGoInt64Test, ReasonsAreGos) {
  struct Case {
    const char* in;
    const char* reason;
  } cases[] = {
      {"", "invalid syntax"},          {"+", "invalid syntax"},
      {"-", "invalid syntax"},         {"+-1", "invalid syntax"},
      {"--1", "invalid syntax"},       {" 1", "invalid syntax"},
      {"1 ", "invalid syntax"},        {"1.5", "invalid syntax"},
      {"1_000", "invalid syntax"},     {"0x10", "invalid syntax"},
      {"9223372036854775808", "value out of range"},
      {"-9223372036854775809", "value out of range"},
      // Go reports the overflow before it sees the bad character.
      {"99999999999999999999x", "value out of range"},
  };
  for (const auto& c : cases) {
    int64_t got = 7;
    EXPECT_EQ(ParseGoInt64(c.in, &got), c.reason) << c.in;
    EXPECT_EQ(got, 7) << c.in;
  }
}

}  // namespace
TEST(ParseGoDurationTest, AcceptsWhatGoAccepts) {
  struct Case {
    const char* in;
    int64_t nanos;
  } cases[] = {
      {"0", 0},           {"10s", 10'000'000'000},  {"500ms", 500'000'000}, {"1m30s", 90'000'000'000},
      {"1.5s", 1'500'000'000}, {".5s", 500'000'000}, {"1.s", 1'000'000'000}, {"-2m", -120'000'000'000},
      {"+3h", 10'800'000'000'000}, {"2us", 2'000}, {"7ns", 7}, {"1h1m1s1ms", 3'661'001'000'000},
  };
  for (const auto& c : cases) {
    int64_t got = -1;
    EXPECT_TRUE(ParseGoDuration(c.in, &got)) << c.in;
    EXPECT_EQ(got, c.nanos) << c.in;
  }
}

TEST(ParseGoDurationTest, RejectsWhatGoRejects) {
  for (const char* in : {"", "10", "s", ".s", "1.2.3s", "10x", "5 s", "1e3s", "-", "9999999999999h"}) {
    int64_t got = 42;
    EXPECT_FALSE(ParseGoDuration(in, &got)) << in;
    EXPECT_EQ(got, 42) << in;
  }
}

}  // namespace kubepp::api
