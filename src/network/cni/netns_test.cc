// Named network namespaces (root only).
#include "network/cni/netns.h"

#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "common/testing/temp_dir.h"

namespace kubepp::network::cni {
namespace {

using ::testing::ElementsAre;

ino_t NetnsInode(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return 0;
  return st.st_ino;
}

bool MountedUnder(const std::string& prefix) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.find(prefix) != std::string::npos) return true;
  }
  return false;
}

std::vector<std::string> InterfaceNames() {
  std::vector<std::string> out;
  struct if_nameindex* idx = if_nameindex();
  if (idx != nullptr) {
    for (auto* p = idx; p->if_index != 0; ++p) out.push_back(p->if_name);
    if_freenameindex(idx);
  }
  return out;
}

class NetnsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      GTEST_SKIP() << "needs root";
    }
    ASSERT_TRUE(dir_.ok());
    std::filesystem::create_directories(dir_.path() + "/ns");
  }
  void TearDown() override {
    if (geteuid() != 0) return;
    for (const auto& e : std::filesystem::directory_iterator(dir_.path() + "/ns")) {
      EXPECT_TRUE(DeleteNetns(e.path().string()).ok());
    }
    EXPECT_TRUE(ReleaseNetnsDir(dir_.path() + "/ns").ok());
    EXPECT_FALSE(MountedUnder(dir_.path())) << "mounts left under " << dir_.path();
  }
  TempDir dir_{"kubepp-netns-test"};
};

TEST_F(NetnsTest, CreateRunDelete) {
  std::string ns_dir = dir_.path() + "/ns";
  auto path = CreateNetns(ns_dir, "pod1");
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, ns_dir + "/pod1");
  ino_t host = NetnsInode("/proc/self/ns/net");
  EXPECT_NE(NetnsInode(*path), host);
  EXPECT_NE(NetnsInode(*path), 0u);

  // Inside: a fresh namespace with only lo, and the caller's thread stays put.
  std::vector<std::string> names;
  ino_t inside = 0;
  ASSERT_TRUE(RunInNetns(*path, [&] {
                names = InterfaceNames();
                inside = NetnsInode("/proc/thread-self/ns/net");
              }).ok());
  EXPECT_THAT(names, ElementsAre("lo"));
  EXPECT_EQ(inside, NetnsInode(*path));
  EXPECT_EQ(NetnsInode("/proc/thread-self/ns/net"), host);

  EXPECT_EQ(CreateNetns(ns_dir, "pod1").status().code(), StatusCode::kAlreadyExists);
  auto other = CreateNetns(ns_dir, "pod2");
  ASSERT_TRUE(other.ok());
  EXPECT_NE(NetnsInode(*other), NetnsInode(*path));

  ASSERT_TRUE(DeleteNetns(*path).ok());
  EXPECT_FALSE(std::filesystem::exists(*path));
  EXPECT_TRUE(DeleteNetns(*path).ok()) << "idempotent";
  EXPECT_EQ(RunInNetns(*path, [] {}).code(), StatusCode::kNotFound);
  ASSERT_TRUE(DeleteNetns(*other).ok());
}

TEST_F(NetnsTest, LoopbackComesUp) {
  auto path = CreateNetns(dir_.path() + "/ns", "lo-test");
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  auto lo_up = [&] {
    bool up = false;
    // Not /sys/class/net: sysfs shows the namespace it was mounted from.
    EXPECT_TRUE(RunInNetns(*path, [&] {
                  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
                  ifreq req{};
                  strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
                  up = ioctl(s, SIOCGIFFLAGS, &req) == 0 && (req.ifr_flags & IFF_UP);
                  close(s);
                }).ok());
    return up;
  };
  EXPECT_FALSE(lo_up());
  ASSERT_TRUE(BringUpLoopback(*path).ok());
  EXPECT_TRUE(lo_up());
  EXPECT_TRUE(BringUpLoopback(*path).ok());
}

TEST_F(NetnsTest, BadInputs) {
  EXPECT_EQ(CreateNetns(dir_.path() + "/ns", "a/b").status().code(), StatusCode::kInvalid);
  EXPECT_EQ(CreateNetns(dir_.path() + "/ns", "..").status().code(), StatusCode::kInvalid);
  std::string plain = dir_.path() + "/plain";
  std::ofstream(plain) << "x";
  bool ran = false;
  Status s = RunInNetns(plain, [&] { ran = true; });
  EXPECT_FALSE(s.ok());
  EXPECT_FALSE(ran);
  EXPECT_EQ(BringUpLoopback(dir_.path() + "/missing").code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace kubepp::network::cni
