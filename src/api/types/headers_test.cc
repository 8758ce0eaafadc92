// The generated struct headers stay light: no nlohmann/json (only its _fwd
// in the _json.h headers), so any component may include them freely. This
// translation unit fails to compile if that regresses.
#include "api/types/apps_v1.h"
#include "api/types/batch_v1.h"
#include "api/types/core_v1.h"
#include "api/types/meta_v1.h"
#include "api/types/networking_v1.h"

#if defined(INCLUDE_NLOHMANN_JSON_HPP_) || defined(INCLUDE_NLOHMANN_JSON_FWD_HPP_)
#error "generated struct headers must not include nlohmann/json"
#endif

#include "api/types/core_v1_json.h"

#if defined(INCLUDE_NLOHMANN_JSON_HPP_)
#error "generated _json.h headers must only include nlohmann/json_fwd.hpp"
#endif

#include <gtest/gtest.h>

namespace kubepp::api {
namespace {

// Structs are aggregates: designated initializers work, unset members are absent.
TEST(Headers, StructsAreAggregates) {
  core::v1::Container c{.name = "web", .image = "nginx"};
  EXPECT_EQ(c.name, std::optional<std::string>("web"));
  EXPECT_FALSE(c.ports.has_value());
  core::v1::PodSpec spec{.containers = std::vector<core::v1::Container>{c}};
  EXPECT_EQ(spec.containers->size(), 1u);
  EXPECT_EQ(spec.containers->front(), c);
  core::v1::PodSpec other = spec;
  other.containers->front().image = "busybox";
  EXPECT_NE(other, spec);
}

}  // namespace
}  // namespace kubepp::api
