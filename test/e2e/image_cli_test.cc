// `kubepp image import|list|rm` through the real binary, on archives the
// test builds from /bin/busybox (docker-save and OCI), in a fresh data dir.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "common/testing/temp_dir.h"
#include "process.h"
#include "runtime/testing/test_image.h"

namespace kubepp::e2e {
namespace {

RunResult Image(const std::string& data_dir, std::vector<std::string> args) {
  std::vector<std::string> argv = {KUBEPP_BINARY, "image"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back("--data-dir");
  argv.push_back(data_dir);
  return Run(argv);
}

TEST(ImageCliTest, ImportListRemove) {
  TempDir dir("kubepp-image-cli");
  const std::string data = dir.path() + "/data";
  const std::string docker = dir.path() + "/app.tar";
  const std::string oci = dir.path() + "/tool.tar";
  ASSERT_TRUE(runtime::testimage::WriteBusyboxDockerArchive(docker, "example.com/team/app:1.0").ok());
  ASSERT_TRUE(runtime::testimage::WriteBusyboxOciArchive(oci, "example.com/team/tool:2").ok());

  RunResult imp = Image(data, {"import", docker, oci});
  ASSERT_EQ(imp.rc, 0) << imp.out << imp.err;

  RunResult list = Image(data, {"list"});
  ASSERT_EQ(list.rc, 0) << list.err;
  EXPECT_NE(list.out.find("IMAGE"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("example.com/team/app"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("1.0"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("example.com/team/tool"), std::string::npos) << list.out;

  RunResult rm = Image(data, {"rm", "example.com/team/app:1.0"});
  ASSERT_EQ(rm.rc, 0) << rm.out << rm.err;
  list = Image(data, {"list"});
  EXPECT_EQ(list.out.find("example.com/team/app"), std::string::npos) << list.out;
  EXPECT_NE(list.out.find("example.com/team/tool"), std::string::npos) << list.out;

  // Errors name what is wrong and exit non-zero; nothing half-imported.
  std::ofstream(dir.path() + "/junk.tar") << "not an archive";
  RunResult bad = Image(data, {"import", dir.path() + "/junk.tar"});
  EXPECT_NE(bad.rc, 0);
  EXPECT_NE(bad.err.find("junk.tar"), std::string::npos) << bad.err;
  RunResult missing = Image(data, {"rm", "example.com/none:1"});
  EXPECT_NE(missing.rc, 0);
  EXPECT_NE(missing.err.find("example.com/none:1"), std::string::npos) << missing.err;
  list = Image(data, {"list"});
  EXPECT_NE(list.out.find("example.com/team/tool"), std::string::npos) << list.out;
}

}  // namespace
}  // namespace kubepp::e2e
