// Every served kind, filled with every field (schema samples) or mangled,
// goes through the whole strategy without throwing; defaulting is idempotent.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "api/schema/sample.h"
#include "api/schema/schema.h"
#include "apiserver/strategy/strategy.h"

namespace kubepp::apiserver::strategy {
namespace {

using nlohmann::json;

// Replaces every scalar with a value of another type, and every object
// member at even depth with a string, to reach the type-mismatch paths.
json Mangle(const json& v, int depth) {
  if (v.is_object()) {
    json out = json::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      out[it.key()] = depth % 3 == 2 && it.key() != "apiVersion" && it.key() != "kind"
                          ? json("x")
                          : Mangle(*it, depth + 1);
    }
    return out;
  }
  if (v.is_array()) {
    json out = json::array();
    for (const json& e : v) out.push_back(Mangle(e, depth + 1));
    out.push_back(nullptr);
    return out;
  }
  if (v.is_string()) return 7;
  if (v.is_number()) return "-1";
  return json::array();
}

TEST(RobustnessTest, EveryKindSampleAndMangled) {
  const api::Schema& schema = api::Schema::Default();
  int kinds = 0;
  for (const api::Kind& k : schema.kinds()) {
    if (k.definition == nullptr) continue;
    ++kinds;
    for (int seed = 0; seed < 2; ++seed) {
      json obj = api::SampleObject(schema, k.definition->name, seed);
      for (const json& variant : {obj, Mangle(obj, 0)}) {
        json o = variant;
        SCOPED_TRACE(k.ApiVersion() + " " + k.kind + " seed " + std::to_string(seed));
        ASSERT_NO_THROW({
          PrepareForCreate(k.group, k.kind, o);
          ApplyDefaults(k.group, k.kind, o);
          json once = o;
          ApplyDefaults(k.group, k.kind, o);
          EXPECT_EQ(o, once);
          ValidateCreate(k.group, k.kind, o);
          json upd = o;
          PrepareForUpdate(k.group, k.kind, upd, variant);
          ValidateUpdate(k.group, k.kind, upd, variant);
          ValidateUpdate(k.group, k.kind, variant, o);
          PrepareForStatusUpdate(k.group, k.kind, upd, o);
          ValidateStatusUpdate(k.group, k.kind, upd, o);
          api::InvalidObjectMessage(k.group, k.kind, "n", ValidateCreate(k.group, k.kind, variant));
        });
      }
    }
  }
  EXPECT_GT(kinds, 40);
}

}  // namespace
}  // namespace kubepp::apiserver::strategy
