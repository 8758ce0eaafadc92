#include "api/intstr.h"

#include <gtest/gtest.h>

namespace kubepp::api {
namespace {

TEST(IntOrStringTest, Accessors) {
  IntOrString zero;
  EXPECT_TRUE(zero.is_int());
  EXPECT_EQ(zero.int_value(), 0);
  IntOrString i = IntOrString::FromInt(8080);
  EXPECT_TRUE(i.is_int());
  EXPECT_EQ(i.int_value(), 8080);
  EXPECT_EQ(i.ToString(), "8080");
  IntOrString s = IntOrString::FromString("http");
  EXPECT_TRUE(s.is_string());
  EXPECT_EQ(s.str_value(), "http");
  EXPECT_EQ(s.ToString(), "http");
  EXPECT_FALSE(IntOrString::FromString("1") == IntOrString::FromInt(1));
  EXPECT_TRUE(IntOrString::FromString("1") == IntOrString::FromString("1"));
}

TEST(IntOrStringTest, ScaledValue) {
  struct Case {
    IntOrString v;
    int64_t total;
    bool round_up;
    int64_t want;
  };
  const Case cases[] = {
      {IntOrString::FromInt(3), 10, true, 3},
      {IntOrString::FromInt(3), 10, false, 3},
      {IntOrString::FromInt(-1), 10, true, -1},
      {IntOrString::FromString("25%"), 10, true, 3},
      {IntOrString::FromString("25%"), 10, false, 2},
      {IntOrString::FromString("25%"), 4, true, 1},
      {IntOrString::FromString("25%"), 4, false, 1},
      {IntOrString::FromString("0%"), 100, true, 0},
      {IntOrString::FromString("100%"), 7, false, 7},
      {IntOrString::FromString("150%"), 10, true, 15},
      {IntOrString::FromString("1%"), 1, true, 1},
      {IntOrString::FromString("1%"), 1, false, 0},
      {IntOrString::FromString("33%"), 0, true, 0},
      {IntOrString::FromString("-10%"), 15, true, -1},
      {IntOrString::FromString("-10%"), 15, false, -2},
      {IntOrString::FromString("+50%"), 3, true, 2},
  };
  for (const auto& c : cases) {
    auto got = c.v.ScaledValue(c.total, c.round_up);
    ASSERT_TRUE(got.ok()) << c.v.ToString() << ": " << got.status().ToString();
    EXPECT_EQ(*got, c.want) << c.v.ToString() << " of " << c.total << " up=" << c.round_up;
  }
}

TEST(IntOrStringTest, ScaledValueErrors) {
  const std::pair<const char*, const char*> cases[] = {
      {"25", "invalid value for IntOrString: invalid type: string is not a percentage"},
      {"", "invalid value for IntOrString: invalid type: string is not a percentage"},
      {"%", "invalid value for IntOrString: invalid value \"%\": strconv.Atoi: parsing \"\": invalid syntax"},
      {"a%", "invalid value for IntOrString: invalid value \"a%\": strconv.Atoi: parsing \"a\": invalid syntax"},
      {"1.5%", "invalid value for IntOrString: invalid value \"1.5%\": strconv.Atoi: parsing \"1.5\": invalid syntax"},
      {" 5%", "invalid value for IntOrString: invalid value \" 5%\": strconv.Atoi: parsing \" 5\": invalid syntax"},
      {"99999999999999999999%",
       "invalid value for IntOrString: invalid value \"99999999999999999999%\": strconv.Atoi: parsing "
       "\"99999999999999999999\": value out of range"},
  };
  for (const auto& [in, msg] : cases) {
    auto got = IntOrString::FromString(in).ScaledValue(10, true);
    ASSERT_FALSE(got.ok()) << in;
    EXPECT_EQ(got.status().code(), StatusCode::kInvalid);
    EXPECT_EQ(got.status().message(), msg);
  }
}

}  // namespace
}  // namespace kubepp::api
