#include "api/field_error.h"

#include <gtest/gtest.h>

namespace kubepp::api {
namespace {

TEST(FieldErrorTest, JoinFieldPath) {
  EXPECT_EQ(JoinFieldPath("", "spec"), "spec");
  EXPECT_EQ(JoinFieldPath("spec", "replicas"), "spec.replicas");
  EXPECT_EQ(JoinFieldPath("spec.containers[0]", "image"), "spec.containers[0].image");
}

TEST(FieldErrorTest, PrintsLikeUpstream) {
  EXPECT_EQ(FieldError::Required("metadata.name", "name or generateName is required").ToString(),
            "metadata.name: Required value: name or generateName is required");
  EXPECT_EQ(FieldError::InvalidString("metadata.name", "A", "must be lower case").ToString(),
            "metadata.name: Invalid value: \"A\": must be lower case");
}

}  // namespace
}  // namespace kubepp::api
