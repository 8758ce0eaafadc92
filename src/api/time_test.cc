#include "api/time.h"

#include <gtest/gtest.h>

namespace kubepp::api {
namespace {

TEST(TimeTest, ParseValid) {
  const std::tuple<const char*, int64_t, const char*, const char*> cases[] = {
      {"1970-01-01T00:00:00Z", 0, "1970-01-01T00:00:00Z", "1970-01-01T00:00:00.000000Z"},
      {"2006-01-02T15:04:05Z", 1136214245LL * 1000000000, "2006-01-02T15:04:05Z",
       "2006-01-02T15:04:05.000000Z"},
      {"2006-01-02T15:04:05.123456Z", 1136214245123456000LL, "2006-01-02T15:04:05Z",
       "2006-01-02T15:04:05.123456Z"},
      {"2006-01-02T15:04:05.123456789Z", 1136214245123456789LL, "2006-01-02T15:04:05Z",
       "2006-01-02T15:04:05.123456Z"},
      {"2006-01-02T15:04:05.5Z", 1136214245500000000LL, "2006-01-02T15:04:05Z",
       "2006-01-02T15:04:05.500000Z"},
      {"2006-01-02T08:04:05-07:00", 1136214245LL * 1000000000, "2006-01-02T15:04:05Z",
       "2006-01-02T15:04:05.000000Z"},
      {"2006-01-03T00:34:05+09:30", 1136214245LL * 1000000000, "2006-01-02T15:04:05Z",
       "2006-01-02T15:04:05.000000Z"},
      {"2000-02-29T23:59:59Z", 951868799LL * 1000000000, "2000-02-29T23:59:59Z",
       "2000-02-29T23:59:59.000000Z"},
      {"1969-12-31T23:59:59.5Z", -500000000, "1969-12-31T23:59:59Z", "1969-12-31T23:59:59.500000Z"},
      {"2038-01-19T03:14:08Z", 2147483648LL * 1000000000, "2038-01-19T03:14:08Z",
       "2038-01-19T03:14:08.000000Z"},
      {"2024-12-31T23:59:59Z", 1735689599LL * 1000000000, "2024-12-31T23:59:59Z",
       "2024-12-31T23:59:59.000000Z"},
  };
  for (const auto& [in, nanos, secs, micro] : cases) {
    auto t = Time::Parse(in);
    ASSERT_TRUE(t.ok()) << in << ": " << t.status().ToString();
    EXPECT_EQ(t->UnixNanos(), nanos) << in;
    EXPECT_EQ(t->String(), in);
    EXPECT_EQ(t->FormatSeconds(), secs) << in;
    EXPECT_EQ(t->FormatMicro(), micro) << in;
    EXPECT_EQ(Time::FromUnixNanos(nanos).String(), secs) << in;
    auto back = Time::Parse(t->FormatMicro());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, t->TruncateToMicros());
  }
}

TEST(TimeTest, ParseInvalid) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "parsing time \"\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"2006\""},
      {"yesterday",
       "parsing time \"yesterday\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"yesterday\" as \"2006\""},
      {"2006-01-02", "parsing time \"2006-01-02\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"T\""},
      {"2006-01-02 15:04:05Z",
       "parsing time \"2006-01-02 15:04:05Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \" 15:04:05Z\" as \"T\""},
      {"2006-01-02T15:04:05",
       "parsing time \"2006-01-02T15:04:05\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"\" as \"Z07:00\""},
      {"2006-1-02T15:04:05Z",
       "parsing time \"2006-1-02T15:04:05Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"1-02T15:04:05Z\" as \"01\""},
      {"2006-13-02T15:04:05Z", "parsing time \"2006-13-02T15:04:05Z\": month out of range"},
      {"2006-02-29T15:04:05Z", "parsing time \"2006-02-29T15:04:05Z\": day out of range"},
      {"2006-01-02T24:04:05Z", "parsing time \"2006-01-02T24:04:05Z\": hour out of range"},
      {"2006-01-02T15:60:05Z", "parsing time \"2006-01-02T15:60:05Z\": minute out of range"},
      {"2006-01-02T15:04:60Z", "parsing time \"2006-01-02T15:04:60Z\": second out of range"},
      {"2006-01-02T15:04:05+0700",
       "parsing time \"2006-01-02T15:04:05+0700\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \"+0700\" as \"Z07:00\""},
      {"2006-01-02T15:04:05+24:00", "parsing time \"2006-01-02T15:04:05+24:00\": time zone offset out of range"},
      {"2006-01-02T15:04:05Zjunk", "parsing time \"2006-01-02T15:04:05Zjunk\": extra text: \"junk\""},
      {"2006-01-02T15:04:05.Z",
       "parsing time \"2006-01-02T15:04:05.Z\" as \"2006-01-02T15:04:05Z07:00\": cannot parse \".Z\" as \"Z07:00\""},
  };
  for (const auto& [in, msg] : cases) {
    auto t = Time::Parse(in);
    ASSERT_FALSE(t.ok()) << in;
    EXPECT_EQ(t.status().code(), StatusCode::kInvalid);
    EXPECT_EQ(t.status().message(), msg);
  }
}

TEST(TimeTest, OrderingIsByInstant) {
  auto a = Time::Parse("2006-01-02T15:04:05Z");
  auto b = Time::Parse("2006-01-02T08:04:05-07:00");
  auto c = Time::Parse("2006-01-02T15:04:05.000001Z");
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_NE(a->String(), b->String());
  EXPECT_LT(*a, *c);
  EXPECT_GT(*c, *b);
  EXPECT_EQ(c->TruncateToSeconds(), *a);
  EXPECT_EQ(Time::FromUnixSeconds(5).UnixNanos(), 5000000000LL);
  EXPECT_EQ(Time::FromUnixNanos(-1).UnixSeconds(), -1);
  EXPECT_TRUE(Time().IsZero());
  // Now() is after this test was written and before the year 2200.
  EXPECT_GT(Time::Now(), *Time::Parse("2024-01-01T00:00:00Z"));
  EXPECT_LT(Time::Now(), *Time::Parse("2200-01-01T00:00:00Z"));
  // Outside int64 nanoseconds: an error, not overflow.
  EXPECT_FALSE(Time::Parse("9999-12-31T23:59:59Z").ok());
  EXPECT_FALSE(Time::Parse("1000-01-01T00:00:00Z").ok());
  EXPECT_EQ(Time::FromUnixSeconds(INT64_MAX).UnixNanos(), INT64_MAX);
}

TEST(TimeTest, FormatRfc3339UtcCoversYearsZeroTo9999) {
  EXPECT_EQ(FormatRfc3339Utc(0, 0, 0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Utc(-1, 999999999, 6), "1969-12-31T23:59:59.999999Z");
  EXPECT_EQ(FormatRfc3339Utc(1704164645, 123456789, 9), "2024-01-02T03:04:05.123456789Z");
  EXPECT_EQ(FormatRfc3339Utc(1704164645, 123456789, 3), "2024-01-02T03:04:05.123Z");
  // Beyond what Time holds, as protobuf Timestamps may be.
  EXPECT_EQ(FormatRfc3339Utc(-62167219200LL, 0, 0), "0000-01-01T00:00:00Z");
  EXPECT_EQ(FormatRfc3339Utc(253402300799LL, 0, 6), "9999-12-31T23:59:59.000000Z");
  EXPECT_EQ(FormatRfc3339Utc(-62167219201LL, 0, 0), std::nullopt);
  EXPECT_EQ(FormatRfc3339Utc(253402300800LL, 0, 0), std::nullopt);
  EXPECT_EQ(FormatRfc3339Utc(0, -1, 0), std::nullopt);
  EXPECT_EQ(FormatRfc3339Utc(0, 1000000000, 0), std::nullopt);
  EXPECT_EQ(FormatRfc3339Utc(0, 0, 10), std::nullopt);
}

}  // namespace
}  // namespace kubepp::api
