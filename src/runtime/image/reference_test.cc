#include "runtime/image/reference.h"

#include <gtest/gtest.h>

namespace kubepp::runtime::image {
namespace {

TEST(ReferenceTest, NormalizesDockerHubNames) {
  EXPECT_EQ(NormalizeReference("busybox"), "docker.io/library/busybox:latest");
  EXPECT_EQ(NormalizeReference("busybox:1.36"), "docker.io/library/busybox:1.36");
  EXPECT_EQ(NormalizeReference("foo/bar"), "docker.io/foo/bar:latest");
  EXPECT_EQ(NormalizeReference("index.docker.io/library/busybox:1"), "docker.io/library/busybox:1");
  EXPECT_EQ(NormalizeReference("docker.io/busybox"), "docker.io/library/busybox:latest");
}

TEST(ReferenceTest, KeepsRegistryHostsAndDigests) {
  EXPECT_EQ(NormalizeReference("127.0.0.1:5000/test/busybox:1"), "127.0.0.1:5000/test/busybox:1");
  EXPECT_EQ(NormalizeReference("localhost/x"), "localhost/x:latest");
  std::string d = "sha256:" + std::string(64, 'a');
  EXPECT_EQ(NormalizeReference("busybox@" + d), "docker.io/library/busybox@" + d);
  EXPECT_EQ(NormalizeReference("quay.io/a/b:2@" + d), "quay.io/a/b:2@" + d);
  auto r = ParseReference("127.0.0.1:5000/test/busybox:1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->domain, "127.0.0.1:5000");
  EXPECT_EQ(r->path, "test/busybox");
  EXPECT_EQ(r->tag, "1");
}

TEST(ReferenceTest, RejectsBadReferences) {
  for (const char* bad : {"", "Busybox", "busybox:", "busybox@sha256:abc", "a//b", "busybox:-x", "-a/b"}) {
    auto r = ParseReference(bad);
    EXPECT_FALSE(r.ok()) << bad;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalid) << bad;
    }
  }
}

}  // namespace
}  // namespace kubepp::runtime::image
