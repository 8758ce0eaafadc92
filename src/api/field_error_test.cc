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

TEST(FieldErrorTest, InvalidObjectMessageAndCauses) {
  FieldErrors errs = {FieldError::Invalid("spec.replicas", "-1", "must be greater than or equal to 0"),
                      FieldError::Required("spec.selector", ""), FieldError::Required("spec.selector", "")};
  // Identical texts are listed once, as upstream's aggregate does.
  EXPECT_EQ(InvalidObjectMessage("apps", "Deployment", "bad", errs),
            "Deployment.apps \"bad\" is invalid: [spec.replicas: Invalid value: -1: must be greater than or "
            "equal to 0, spec.selector: Required value]");
  EXPECT_EQ(InvalidObjectMessage("", "Pod", "a\"b", {errs[1]}), "Pod \"a\\\"b\" is invalid: spec.selector: Required value");
  EXPECT_EQ(errs[0].Message(), "Invalid value: -1: must be greater than or equal to 0");
  EXPECT_EQ(errs[1].Message(), "Required value");
  EXPECT_EQ(CauseReason(FieldError::Type::kInvalid), "FieldValueInvalid");
  EXPECT_EQ(CauseReason(FieldError::Type::kRequired), "FieldValueRequired");
  EXPECT_EQ(CauseReason(FieldError::Type::kNotSupported), "FieldValueNotSupported");
  EXPECT_EQ(CauseReason(FieldError::Type::kDuplicate), "FieldValueDuplicate");
  EXPECT_EQ(CauseReason(FieldError::Type::kTooLong), "FieldValueTooLong");
  EXPECT_EQ(CauseReason(FieldError::Type::kForbidden), "FieldValueForbidden");
}

}  // namespace
}  // namespace kubepp::api
