#include "api/labels_json.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kubepp::api {
namespace {

using nlohmann::json;

TEST(LabelSelectorFromJsonTest, NullIsNothingEmptyIsEverything) {
  auto nothing = LabelSelectorFromJson(nullptr);
  ASSERT_TRUE(nothing.ok());
  EXPECT_TRUE(nothing->IsNothing());
  json null_value;
  EXPECT_TRUE(LabelSelectorFromJson(&null_value)->IsNothing());
  json empty = json::object();
  auto all = LabelSelectorFromJson(&empty);
  ASSERT_TRUE(all.ok());
  EXPECT_TRUE(all->Empty());
  EXPECT_TRUE(all->Matches({{"any", "thing"}}));
}

TEST(LabelSelectorFromJsonTest, LabelsAndExpressions) {
  json sel = {{"matchLabels", {{"app", "web"}, {"bad", 3}}},
              {"matchExpressions",
               {{{"key", "tier"}, {"operator", "In"}, {"values", {"fe", "be"}}},
                {{"key", "canary"}, {"operator", "DoesNotExist"}}}}};
  LabelSelectorSpec spec = LabelSelectorSpecFromJson(sel);
  EXPECT_EQ(spec.match_labels.size(), 1u);  // the non-string value is skipped
  ASSERT_EQ(spec.match_expressions.size(), 2u);
  EXPECT_EQ(spec.match_expressions[0].values, (std::vector<std::string>{"fe", "be"}));
  auto s = LabelSelectorFromJson(&sel);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_TRUE(s->Matches({{"app", "web"}, {"tier", "fe"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}, {"tier", "fe"}, {"canary", "1"}}));
  EXPECT_FALSE(s->Matches({{"app", "web"}, {"tier", "db"}}));
}

TEST(LabelSelectorFromJsonTest, MalformedIsInvalid) {
  json not_object = json::array();
  EXPECT_EQ(LabelSelectorFromJson(&not_object).status().code(), StatusCode::kInvalid);
  json bad_op = {{"matchExpressions", {{{"key", "a"}, {"operator", "Bogus"}}}}};
  EXPECT_EQ(LabelSelectorFromJson(&bad_op).status().code(), StatusCode::kInvalid);
  json no_values = {{"matchExpressions", {{{"key", "a"}, {"operator", "In"}}}}};
  EXPECT_FALSE(LabelSelectorFromJson(&no_values).ok());
}

}  // namespace
}  // namespace kubepp::api
