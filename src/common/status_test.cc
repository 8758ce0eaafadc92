#include "common/status.h"

#include <gtest/gtest.h>

namespace kubepp {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2) return Status::Invalid("odd");
  return x / 2;
}

Status Quarter(int x, int* out) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(*out, Half(h));
  return Status::Ok();
}

TEST(StatusTest, CodesMapToKubernetesReasonsAndHttp) {
  EXPECT_EQ(HttpCode(StatusCode::kNotFound), 404);
  EXPECT_EQ(HttpCode(StatusCode::kConflict), 409);
  EXPECT_EQ(HttpCode(StatusCode::kAlreadyExists), 409);
  EXPECT_EQ(HttpCode(StatusCode::kInvalid), 422);
  EXPECT_EQ(HttpCode(StatusCode::kGone), 410);
  EXPECT_EQ(HttpCode(StatusCode::kTooManyRequests), 429);
  EXPECT_EQ(HttpCode(StatusCode::kUnavailable), 503);
  EXPECT_EQ(ReasonString(StatusCode::kUnavailable), "ServiceUnavailable");
  EXPECT_EQ(ReasonString(StatusCode::kInternal), "InternalError");
  EXPECT_EQ(Status::NotFound("x").ToString(), "NotFound: x");
  EXPECT_EQ(Status().ToString(), "OK");
}

TEST(StatusTest, StatusOrPropagates) {
  int out = 0;
  EXPECT_TRUE(Quarter(8, &out).ok());
  EXPECT_EQ(out, 2);
  Status s = Quarter(6, &out);
  EXPECT_EQ(s.code(), StatusCode::kInvalid);
  EXPECT_EQ(Status::NotFound("a").WithPrefix("get").message(), "get: a");
}

TEST(StatusTest, StatusOrFromOkStatusIsAnError) {
  StatusOr<int> v(Status::Ok());
  EXPECT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInternal);
}

}  // namespace
}  // namespace kubepp
