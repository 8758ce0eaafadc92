#include "api/quantity.h"

#include <gtest/gtest.h>

namespace kubepp::api {
namespace {

using F = Quantity::Format;

Quantity Q(std::string_view s) {
  auto q = Quantity::Parse(s);
  EXPECT_TRUE(q.ok()) << s << ": " << q.status().ToString();
  return q.ok() ? *q : Quantity();
}

struct ParseCase {
  const char* in;
  const char* canonical;
  int64_t milli;  // MilliValue()
  F format;
};

TEST(QuantityTest, ParseCanonicalMilliAndFormat) {
  const ParseCase cases[] = {
      {"0", "0", 0, F::kDecimalSI},
      {"0n", "0", 0, F::kDecimalSI},
      {"0m", "0", 0, F::kDecimalSI},
      {"0Ki", "0", 0, F::kBinarySI},
      {"0Mi", "0", 0, F::kBinarySI},
      {"0G", "0", 0, F::kDecimalSI},
      {"0e3", "0", 0, F::kDecimalExponent},
      {"1", "1", 1000, F::kDecimalSI},
      {"1Ki", "1Ki", 1024000, F::kBinarySI},
      {"8Ki", "8Ki", 8192000, F::kBinarySI},
      {"7Mi", "7Mi", 7 * 1048576000LL, F::kBinarySI},
      {"1024Mi", "1Gi", 1073741824000LL, F::kBinarySI},
      {"1536Mi", "1536Mi", 1610612736000LL, F::kBinarySI},
      {"1.5Gi", "1536Mi", 1610612736000LL, F::kBinarySI},
      {"0.5Mi", "512Ki", 524288000, F::kBinarySI},
      {"1025", "1025", 1025000, F::kDecimalSI},
      {"5n", "5n", 1, F::kDecimalSI},
      {"4u", "4u", 1, F::kDecimalSI},
      {"3m", "3m", 3, F::kDecimalSI},
      {"1000m", "1", 1000, F::kDecimalSI},
      {"1500m", "1500m", 1500, F::kDecimalSI},
      {"0.1", "100m", 100, F::kDecimalSI},
      {"0.001", "1m", 1, F::kDecimalSI},
      {".001", "1m", 1, F::kDecimalSI},
      {"1.", "1", 1000, F::kDecimalSI},
      {"1.G", "1G", 1000000000000LL, F::kDecimalSI},
      {"8k", "8k", 8000000, F::kDecimalSI},
      {"50k", "50k", 50000000, F::kDecimalSI},
      {"1000k", "1M", 1000000000, F::kDecimalSI},
      {"1000M", "1G", 1000000000000LL, F::kDecimalSI},
      {"100.035k", "100035", 100035000, F::kDecimalSI},
      {"10.035M", "10035k", 10035000000LL, F::kDecimalSI},
      {"1080m", "1080m", 1080, F::kDecimalSI},
      {"1.08", "1080m", 1080, F::kDecimalSI},
      {"1E", "1E", INT64_MAX, F::kDecimalSI},
      {"1000E", "1e21", INT64_MAX, F::kDecimalSI},
      {"1e3", "1e3", 1000000, F::kDecimalExponent},
      {"1E3", "1e3", 1000000, F::kDecimalExponent},
      {"1000e0", "1e3", 1000000, F::kDecimalExponent},
      {"1E-3", "1e-3", 1, F::kDecimalExponent},
      {"1.2e3", "1200", 1200000, F::kDecimalExponent},
      {"1.3E+6", "1300e3", 1300000000, F::kDecimalExponent},
      {"0.5e-1", "50e-3", 50, F::kDecimalExponent},
      {"80e-3", "80e-3", 80, F::kDecimalExponent},
      {"1e-9", "1e-9", 1, F::kDecimalExponent},
      // Below 1n rounds away from zero to 1n.
      {"3.001n", "4n", 1, F::kDecimalSI},
      {"0.0000000001", "1n", 1, F::kDecimalSI},
      {"0.9n", "1n", 1, F::kDecimalSI},
      {"0.00000012345", "124n", 1, F::kDecimalSI},
      {"1.1E-9", "2e-9", 1, F::kDecimalExponent},
      {"1e-30", "1e-9", 1, F::kDecimalExponent},
      // Binary below one unit turns decimal; fractional binary prints decimal.
      {".001Ki", "1024m", 1024, F::kBinarySI},
      {".000001Ki", "1024u", 2, F::kDecimalSI},
      {".000000000001Ki", "2n", 1, F::kDecimalSI},
      {"100.035Ki", "102435840m", 102435840, F::kBinarySI},
      // Binary is capped at 2^63-1.
      {"9Ei", "9223372036854775807", INT64_MAX, F::kBinarySI},
      {"8Ei", "9223372036854775807", INT64_MAX, F::kBinarySI},
      {"7Ei", "7Ei", INT64_MAX, F::kBinarySI},
      // Signs.
      {"-1", "-1", -1000, F::kDecimalSI},
      {"+1", "1", 1000, F::kDecimalSI},
      {"-100m", "-100m", -100, F::kDecimalSI},
      {"-1.5Gi", "-1536Mi", -1610612736000LL, F::kBinarySI},
      {"-3.001n", "-4n", -1, F::kDecimalSI},
      {"-0", "0", 0, F::kDecimalSI},
      // Degenerate but accepted upstream.
      {".", "0", 0, F::kDecimalSI},
      {"-.", "0", 0, F::kDecimalSI},
  };
  for (const auto& c : cases) {
    auto q = Quantity::Parse(c.in);
    ASSERT_TRUE(q.ok()) << c.in << ": " << q.status().ToString();
    EXPECT_EQ(q->String(), c.in);
    EXPECT_EQ(q->CanonicalString(), c.canonical) << c.in;
    EXPECT_EQ(q->MilliValue(), c.milli) << c.in;
    EXPECT_EQ(q->format(), c.format) << c.in;
    // The canonical form parses back to the same value and is a fixed point.
    Quantity back = Q(q->CanonicalString());
    EXPECT_EQ(back, *q) << c.in;
    EXPECT_EQ(back.CanonicalString(), c.canonical) << c.in;
  }
}

TEST(QuantityTest, InvalidInputs) {
  const std::string kFormat =
      "quantities must match the regular expression "
      "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
  const std::string kSuffix = "unable to parse quantity's suffix";
  const std::pair<const char*, std::string> cases[] = {
      {"", kFormat},       {" 1", kFormat},        {"1 ", kFormat},     {"1.1.M", kFormat},
      {"1+1.0M", kFormat}, {"aoeu", kFormat},      {"1Mb", kFormat},    {"1,000", kFormat},
      {"0.1mi", kSuffix},  {"0.1am", kFormat},     {".5i", kSuffix},    {"1i", kSuffix},
      {"-3.01i", kSuffix}, {"-3.01e-", kSuffix},   {"1K", kSuffix},     {"1KiB", kFormat},
      {"1e", kSuffix},     {"1mm", kSuffix},       {"1kk", kSuffix},    {"--1", kSuffix},
      {"1e3e", kFormat},   {"1Gi3", kSuffix},
  };
  for (const auto& [in, msg] : cases) {
    auto q = Quantity::Parse(in);
    ASSERT_FALSE(q.ok()) << '"' << in << '"';
    EXPECT_EQ(q.status().code(), StatusCode::kInvalid) << in;
    EXPECT_EQ(q.status().message(), msg) << in;
  }
}

TEST(QuantityTest, TooLargeIsAnErrorNotACrash) {
  for (const char* in : {"1e100", "1e30", "999999999999999999999999999999999999999999", "1e999999999999"}) {
    auto q = Quantity::Parse(in);
    ASSERT_FALSE(q.ok()) << in;
    EXPECT_EQ(q.status().message(), "quantity is too large");
  }
  EXPECT_TRUE(Quantity::Parse("1e20").ok());
  EXPECT_TRUE(Quantity::Parse("0e999999").ok());
}

TEST(QuantityTest, ValueRoundsAwayFromZero) {
  const std::tuple<const char*, int64_t, int64_t> cases[] = {
      {"1", 1, 1000},          {"1.1", 2, 1100},           {"1.9", 2, 1900},
      {"-1.1", -2, -1100},     {"100m", 1, 100},           {"1n", 1, 1},
      {"-1n", -1, -1},         {"0.5m", 1, 1},             {"1Ki", 1024, 1024000},
      {"1G", 1000000000, 1000000000000LL},
      {"9223372036854775807", INT64_MAX, INT64_MAX},  // milli saturates
      {"1e25", INT64_MAX, INT64_MAX},
      {"-1e25", INT64_MIN, INT64_MIN},
  };
  for (const auto& [in, value, milli] : cases) {
    Quantity q = Q(in);
    EXPECT_EQ(q.Value(), value) << in;
    EXPECT_EQ(q.MilliValue(), milli) << in;
  }
  EXPECT_EQ(Q("1").ScaledValue(-9), 1000000000);
  EXPECT_EQ(Q("1m").ScaledValue(-6), 1000);
  EXPECT_EQ(Q("1n").ScaledValue(-6), 1);
  EXPECT_EQ(Q("100").ScaledValue(2), 1);
  EXPECT_EQ(Q("101").ScaledValue(2), 2);
  int64_t v = 0;
  EXPECT_TRUE(Q("1Ki").AsInt64(&v));
  EXPECT_EQ(v, 1024);
  EXPECT_FALSE(Q("1.5").AsInt64(&v));
  EXPECT_FALSE(Q("1e20").AsInt64(&v));
}

TEST(QuantityTest, CompareAcrossFormats) {
  const std::tuple<const char*, const char*, int> cases[] = {
      {"0", "0", 0},         {"100m", "50m", 1},       {"50m", "100m", -1},
      {"10000T", "100Gi", 1}, {"1Ki", "1024", 0},      {"1k", "1000", 0},
      {"1e3", "1k", 0},      {"1Ki", "1k", 1},         {"1000m", "1", 0},
      {"0Mi", "0", 0},       {"-1", "0", -1},          {"-1Gi", "-1G", -1},
      {"1n", "0", 1},        {"0.1", "100m", 0},       {"1e21", "1000E", 0},
      {"1.5Gi", "1536Mi", 0}, {"999m", "1", -1},
  };
  for (const auto& [a, b, want] : cases) {
    EXPECT_EQ(Q(a).Compare(Q(b)), want) << a << " vs " << b;
    EXPECT_EQ(Q(b).Compare(Q(a)), -want) << b << " vs " << a;
    EXPECT_EQ(Q(a) == Q(b), want == 0) << a << " vs " << b;
  }
}

TEST(QuantityTest, Arithmetic) {
  struct Case {
    const char* a;
    const char* b;
    const char* sum;
    const char* diff;
  };
  const Case cases[] = {
      {"1", "1", "2", "0"},
      {"100m", "900m", "1", "-800m"},
      {"1Gi", "512Mi", "1536Mi", "512Mi"},
      {"1Gi", "1G", "2073741824", "73741824"},
      {"1k", "1Ki", "2024", "-24"},
      {"0", "100m", "100m", "-100m"},    // zero takes the other's format
      {"0", "1Gi", "1Gi", "-1Gi"},
      {"1Gi", "0", "1Gi", "1Gi"},
      {"10", "1", "11", "9"},
      {"1e3", "1e3", "2e3", "0"},
      {"1n", "1n", "2n", "0"},
  };
  for (const auto& c : cases) {
    Quantity sum = Q(c.a);
    sum.Add(Q(c.b));
    EXPECT_EQ(sum.String(), c.sum) << c.a << " + " << c.b;
    Quantity diff = Q(c.a);
    diff.Sub(Q(c.b));
    EXPECT_EQ(diff.String(), c.diff) << c.a << " - " << c.b;
  }
  Quantity n = Q("9010m");
  n.Neg();
  EXPECT_EQ(n.String(), "-9010m");
  EXPECT_EQ(n.Sign(), -1);
  // Saturation instead of wrap-around.
  Quantity big = Q("1e20");
  for (int i = 0; i < 40; ++i) big.Add(big);
  EXPECT_EQ(big.Sign(), 1);
  EXPECT_GT(big, Q("1e20"));
  Quantity small = Q("-1e20");
  for (int i = 0; i < 40; ++i) small.Add(small);
  EXPECT_EQ(small.Sign(), -1);
}

TEST(QuantityTest, Builders) {
  EXPECT_EQ(Quantity().String(), "0");
  EXPECT_TRUE(Quantity().IsZero());
  EXPECT_EQ(Quantity::FromInt(1).String(), "1");
  EXPECT_EQ(Quantity::FromInt(1000).String(), "1k");
  EXPECT_EQ(Quantity::FromInt(1234000).String(), "1234k");
  EXPECT_EQ(Quantity::FromInt(1024, F::kBinarySI).String(), "1Ki");
  EXPECT_EQ(Quantity::FromInt(1024 * 1024, F::kBinarySI).String(), "1Mi");
  EXPECT_EQ(Quantity::FromInt(1000000, F::kDecimalExponent).String(), "1e6");
  EXPECT_EQ(Quantity::FromMilli(1).String(), "1m");
  EXPECT_EQ(Quantity::FromMilli(1000).String(), "1");
  EXPECT_EQ(Quantity::FromMilli(1234000).String(), "1234");
  EXPECT_EQ(Quantity::FromScaled(1024, -3, F::kBinarySI).String(), "1024m");
  EXPECT_EQ(Quantity::FromScaled(1, -9).String(), "1n");
  EXPECT_EQ(Quantity::FromScaled(1000, -9).String(), "1u");
  EXPECT_EQ(Quantity::FromScaled(1, -12).String(), "1n");  // rounds up
  EXPECT_EQ(Quantity::FromScaled(5, 21).String(), "5e21");
}

}  // namespace
}  // namespace kubepp::api
