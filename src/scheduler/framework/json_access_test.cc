#include "scheduler/framework/json_access.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace kubepp::scheduler::internal {
namespace {

using nlohmann::json;

TEST(JsonAccessTest, FindWalksObjectsOnly) {
  const json pod = json::parse(R"({"spec":{"nodeName":"n1","affinity":null,"containers":[{"name":"c"}]}})");
  ASSERT_NE(Find(pod, {"spec", "nodeName"}), nullptr);
  EXPECT_EQ(*Find(pod, {"spec", "nodeName"}), "n1");
  EXPECT_EQ(Find(pod, {}), &pod);
  EXPECT_EQ(Find(pod, {"spec", "missing"}), nullptr);
  EXPECT_EQ(Find(pod, {"spec", "affinity"}), nullptr);                  // null reads as absent
  EXPECT_EQ(Find(pod, {"spec", "affinity", "nodeAffinity"}), nullptr);  // through null
  EXPECT_EQ(Find(pod, {"spec", "containers", "name"}), nullptr);        // through an array
  EXPECT_EQ(Find(json("x"), {"spec"}), nullptr);
}

TEST(JsonAccessTest, StringAtIsEmptyUnlessAString) {
  const json obj = json::parse(R"({"a":"x","n":1,"z":null,"o":{"b":"y"}})");
  EXPECT_EQ(StringAt(obj, {"a"}), "x");
  EXPECT_EQ(StringAt(obj, {"o", "b"}), "y");
  EXPECT_EQ(StringAt(obj, {"n"}), "");
  EXPECT_EQ(StringAt(obj, {"z"}), "");
  EXPECT_EQ(StringAt(obj, {"o"}), "");
  EXPECT_EQ(StringAt(obj, {"missing"}), "");
}

}  // namespace
}  // namespace kubepp::scheduler::internal
