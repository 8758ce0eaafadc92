#include "runtime/image/layer.h"

#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/testing/temp_dir.h"
#include "runtime/image/digest.h"
#include "runtime/testing/test_image.h"

namespace kubepp::runtime::image {
namespace {

using testimage::BuildTar;
using testimage::Compress;
using testimage::TarEntry;
using T = TarEntry::Type;
namespace fs = std::filesystem;

std::string WriteBlob(const std::string& dir, const std::string& name, const std::string& data) {
  std::string p = dir + "/" + name;
  std::ofstream(p, std::ios::binary) << data;
  return p;
}

std::string Slurp(const std::string& p) {
  std::ifstream in(p);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

class LayerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(tmp_.ok());
    if (geteuid() != 0) GTEST_SKIP() << "needs root (chown, mknod, trusted xattrs)";
  }
  std::string NewDir(const std::string& name) {
    std::string d = tmp_.path() + "/" + name;
    fs::create_directories(d);
    return d;
  }
  TempDir tmp_{"kubepp-layer-test"};
};

TEST_F(LayerTest, UnpacksGzipAndZstdAndVerifiesDiffId) {
  auto tar = BuildTar({{"bin", T::kDir},
                       {"bin/tool", T::kFile, "#!/bin/sh\n", "", 0755, 1000, 1000},
                       {"bin/alias", T::kSymlink, "", "tool"},
                       {"bin/hard", T::kHardlink, "", "bin/tool"},
                       {"dev", T::kDir},
                       {"dev/null", T::kCharDevice, "", "", 0666, 0, 0, 1, 3}});
  ASSERT_TRUE(tar.ok()) << tar.status().ToString();
  for (const std::string comp : {"none", "gzip", "zstd"}) {
    auto blob = Compress(*tar, comp);
    ASSERT_TRUE(blob.ok()) << blob.status().ToString();
    std::string path = WriteBlob(tmp_.path(), "blob-" + comp, *blob);
    std::string dest = NewDir("out-" + comp);
    auto r = UnpackLayer(path, dest, DigestOf(*tar));
    ASSERT_TRUE(r.ok()) << comp << ": " << r.status().ToString();
    EXPECT_EQ(r->diff_id, DigestOf(*tar));
    EXPECT_EQ(r->uncompressed_size, tar->size());
    struct stat st;
    ASSERT_EQ(::lstat((dest + "/bin/tool").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 07777, 0755u);
    EXPECT_EQ(st.st_uid, 1000u);
    EXPECT_EQ(st.st_nlink, 2u);  // the hard link
    EXPECT_EQ(fs::read_symlink(dest + "/bin/alias"), "tool");
    ASSERT_EQ(::lstat((dest + "/dev/null").c_str(), &st), 0);
    EXPECT_TRUE(S_ISCHR(st.st_mode));
    EXPECT_EQ(major(st.st_rdev), 1u);
    EXPECT_EQ(minor(st.st_rdev), 3u);
  }
}

TEST_F(LayerTest, RejectsDiffIdMismatch) {
  auto tar = BuildTar({{"a", T::kFile, "x"}});
  ASSERT_TRUE(tar.ok());
  auto gz = Compress(*tar, "gzip");
  ASSERT_TRUE(gz.ok());
  std::string path = WriteBlob(tmp_.path(), "blob", *gz);
  auto r = UnpackLayer(path, NewDir("out"), DigestOf("something else"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalid);
  EXPECT_NE(r.status().message().find("diff id mismatch"), std::string::npos) << r.status().message();
}

TEST_F(LayerTest, RejectsGarbage) {
  std::string path = WriteBlob(tmp_.path(), "blob", std::string(1000, 'z'));
  auto r = UnpackLayer(path, NewDir("out"), "");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalid) << r.status().ToString();
}

TEST_F(LayerTest, RejectsPathTraversal) {
  std::string outside = NewDir("outside");
  struct Case {
    const char* name;
    std::vector<TarEntry> entries;
  };
  std::vector<Case> cases = {
      {"dotdot", {{"../outside/pwned", T::kFile, "x"}}},
      {"nested dotdot", {{"a", T::kDir}, {"a/../../outside/pwned", T::kFile, "x"}}},
      {"absolute symlink", {{"evil", T::kSymlink, "", outside}, {"evil/pwned", T::kFile, "x"}}},
      {"relative symlink", {{"evil", T::kSymlink, "", "../outside"}, {"evil/pwned", T::kFile, "x"}}},
      {"hardlink dotdot", {{"h", T::kHardlink, "", "../outside/target"}}},
  };
  std::ofstream(outside + "/target") << "t";
  for (const auto& c : cases) {
    auto tar = BuildTar(c.entries);
    ASSERT_TRUE(tar.ok()) << c.name;
    std::string path = WriteBlob(tmp_.path(), "blob", *tar);
    std::string dest = NewDir(std::string("dest-") + c.name);
    auto r = UnpackLayer(path, dest, "");
    EXPECT_FALSE(r.ok()) << c.name;
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kInvalid) << c.name << ": " << r.status().ToString();
    }
    EXPECT_FALSE(fs::exists(outside + "/pwned")) << c.name;
  }
}

TEST_F(LayerTest, WhiteoutsStackAsOverlayLowerDirs) {
  auto l1 = BuildTar({{"etc", T::kDir},
                      {"etc/motd", T::kFile, "one\n"},
                      {"etc/keep", T::kFile, "keep\n"},
                      {"data", T::kDir},
                      {"data/a", T::kFile, "a\n"},
                      {"data/sub", T::kDir},
                      {"data/sub/b", T::kFile, "b\n"}});
  auto l2 = BuildTar({{"etc", T::kDir},
                      {"etc/.wh.motd", T::kFile},
                      {"data", T::kDir},
                      {"data/.wh..wh..opq", T::kFile},
                      {"data/c", T::kFile, "c\n"}});
  ASSERT_TRUE(l1.ok() && l2.ok());
  std::string d1 = NewDir("l1"), d2 = NewDir("l2");
  ASSERT_TRUE(UnpackLayer(WriteBlob(tmp_.path(), "b1", *l1), d1, DigestOf(*l1)).ok());
  auto r2 = UnpackLayer(WriteBlob(tmp_.path(), "b2", *l2), d2, DigestOf(*l2));
  ASSERT_TRUE(r2.ok()) << r2.status().ToString();

  struct stat st;
  ASSERT_EQ(::lstat((d2 + "/etc/motd").c_str(), &st), 0);
  EXPECT_TRUE(S_ISCHR(st.st_mode));
  EXPECT_EQ(st.st_rdev, makedev(0, 0));
  EXPECT_FALSE(fs::exists(d2 + "/etc/.wh.motd"));
  EXPECT_FALSE(fs::exists(d2 + "/data/.wh..wh..opq"));
  char v[4] = {};
  ASSERT_EQ(::getxattr((d2 + "/data").c_str(), "trusted.overlay.opaque", v, sizeof(v)), 1);
  EXPECT_EQ(v[0], 'y');

  std::string merged = NewDir("merged");
  std::string opts = "lowerdir=" + d2 + ":" + d1;
  ASSERT_EQ(::mount("overlay", merged.c_str(), "overlay", MS_RDONLY, opts.c_str()), 0)
      << std::strerror(errno);
  EXPECT_FALSE(fs::exists(merged + "/etc/motd"));
  EXPECT_EQ(Slurp(merged + "/etc/keep"), "keep\n");
  EXPECT_FALSE(fs::exists(merged + "/data/a"));
  EXPECT_FALSE(fs::exists(merged + "/data/sub"));
  EXPECT_EQ(Slurp(merged + "/data/c"), "c\n");
  ASSERT_EQ(::umount2(merged.c_str(), MNT_DETACH), 0);
}

}  // namespace
}  // namespace kubepp::runtime::image
