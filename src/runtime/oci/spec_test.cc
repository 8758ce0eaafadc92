#include "runtime/oci/spec.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "common/testing/temp_dir.h"

namespace kubepp::runtime::oci {
namespace {

using nlohmann::json;

class SpecTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::create_directories(dir_.path() + "/etc");
    std::ofstream(dir_.path() + "/etc/passwd") << "root:x:0:0:root:/root:/bin/sh\n"
                                                  "app:x:1000:1001:app:/home/app:/bin/sh\n";
    std::ofstream(dir_.path() + "/etc/group") << "root:x:0:\napp:x:1001:\nextra:x:2000:app,other\n";
    sandbox_.metadata = {"p", "u", "default", 0};
    sandbox_.hostname = "podhost";
    container_.metadata.name = "c";
    image_.cmd = {"sh"};
    image_.env = {"PATH=/bin", "A=image"};
  }
  json Build() {
    SpecInput in;
    in.container = &container_;
    in.sandbox = &sandbox_;
    in.image = image_;
    in.rootfs = dir_.path();
    in.netns_path = "/run/netns/x";
    in.ipc_ns_path = "/run/ipc/x";
    in.hosts_path = "/s/hosts";
    in.cgroups_path = "/kubepp/pod1/c1";
    auto s = BuildSpec(in);
    EXPECT_TRUE(s.ok()) << s.status().ToString();
    return s.ok() ? json::parse(*s) : json();
  }
  TempDir dir_{"spec-test"};
  PodSandboxConfig sandbox_;
  ContainerConfig container_;
  ImageSpecConfig image_;
};

TEST_F(SpecTest, CommandAndArgsFollowKubernetes) {
  ImageSpecConfig img;
  img.entrypoint = {"/ep"};
  img.cmd = {"default"};
  ContainerConfig c;
  EXPECT_EQ(*ResolveArgs(c, img), (std::vector<std::string>{"/ep", "default"}));
  c.args = {"x"};
  EXPECT_EQ(*ResolveArgs(c, img), (std::vector<std::string>{"/ep", "x"}));
  c.command = {"/cmd"};
  EXPECT_EQ(*ResolveArgs(c, img), (std::vector<std::string>{"/cmd", "x"}));
  c.args.clear();
  EXPECT_EQ(*ResolveArgs(c, img), (std::vector<std::string>{"/cmd"})) << "command drops the image's Cmd";
  EXPECT_EQ(ResolveArgs(ContainerConfig{}, ImageSpecConfig{}).status().code(), StatusCode::kInvalid);
}

TEST_F(SpecTest, EnvImageThenContainerLaterWins) {
  container_.envs = {{"A", "container"}, {"B", "b"}};
  auto spec = Build();
  std::vector<std::string> env = spec["process"]["env"];
  EXPECT_EQ(env, (std::vector<std::string>{"HOSTNAME=podhost", "PATH=/bin", "A=container", "B=b"}));
}

TEST_F(SpecTest, UserFromImageNameAndGroups) {
  image_.user = "app";
  auto spec = Build();
  EXPECT_EQ(spec["process"]["user"]["uid"], 1000);
  EXPECT_EQ(spec["process"]["user"]["gid"], 1001);
  EXPECT_EQ(spec["process"]["user"]["additionalGids"], json::array({2000}));
  container_.linux.security_context.run_as_user = 42;
  container_.linux.security_context.supplemental_groups = {7};
  spec = Build();
  EXPECT_EQ(spec["process"]["user"]["uid"], 42);
  EXPECT_EQ(spec["process"]["user"]["gid"], 0);
  EXPECT_EQ(spec["process"]["user"]["additionalGids"], json::array({7}));
  container_.linux.security_context.run_as_user.reset();
  container_.linux.security_context.run_as_username = "nosuch";
  SpecInput in;
  in.container = &container_;
  in.sandbox = &sandbox_;
  in.image = image_;
  in.rootfs = dir_.path();
  EXPECT_EQ(BuildSpec(in).status().code(), StatusCode::kInvalid);
}

TEST_F(SpecTest, CapabilitiesDefaultAddDropPrivileged) {
  container_.linux.security_context.capabilities.add_capabilities = {"NET_ADMIN"};
  container_.linux.security_context.capabilities.drop_capabilities = {"CAP_KILL"};
  auto spec = Build();
  std::vector<std::string> caps = spec["process"]["capabilities"]["bounding"];
  EXPECT_NE(std::find(caps.begin(), caps.end(), "CAP_NET_ADMIN"), caps.end());
  EXPECT_EQ(std::find(caps.begin(), caps.end(), "CAP_KILL"), caps.end());
  EXPECT_NE(std::find(caps.begin(), caps.end(), "CAP_CHOWN"), caps.end());
  EXPECT_EQ(std::find(caps.begin(), caps.end(), "CAP_SYS_ADMIN"), caps.end());
  container_.linux.security_context.capabilities.drop_capabilities = {"ALL"};
  container_.linux.security_context.capabilities.add_capabilities = {"chown"};
  spec = Build();
  EXPECT_EQ(spec["process"]["capabilities"]["effective"], json::array({"CAP_CHOWN"}));
  container_.linux.security_context.capabilities.add_capabilities = {"NOT_A_CAP"};
  SpecInput in;
  in.container = &container_;
  in.sandbox = &sandbox_;
  in.rootfs = dir_.path();
  in.image = image_;
  EXPECT_EQ(BuildSpec(in).status().code(), StatusCode::kInvalid);
  container_.linux.security_context.capabilities = {};
  container_.linux.security_context.privileged = true;
  spec = Build();
  EXPECT_GT(spec["process"]["capabilities"]["bounding"].size(), 35u);
  EXPECT_EQ(spec["linux"]["resources"]["devices"][0]["allow"], true);
  EXPECT_FALSE(spec["linux"].contains("maskedPaths"));
}

TEST_F(SpecTest, NamespacesMountsResources) {
  container_.linux.resources.cpu_shares = 512;
  container_.linux.resources.cpu_quota = 50000;
  container_.linux.resources.cpu_period = 100000;
  container_.linux.resources.memory_limit_in_bytes = 64 << 20;
  container_.linux.resources.oom_score_adj = 1000;
  container_.linux.security_context.readonly_rootfs = true;
  container_.linux.security_context.no_new_privs = true;
  container_.mounts = {{"/data/sub", "/host/b", true, MountPropagation::kPrivate},
                       {"/data", "/host/a", false, MountPropagation::kHostToContainer}};
  auto spec = Build();
  EXPECT_EQ(spec["linux"]["cgroupsPath"], "/kubepp/pod1/c1");
  EXPECT_EQ(spec["linux"]["resources"]["cpu"]["shares"], 512);
  EXPECT_EQ(spec["linux"]["resources"]["cpu"]["quota"], 50000);
  EXPECT_EQ(spec["linux"]["resources"]["memory"]["limit"], 64 << 20);
  EXPECT_EQ(spec["process"]["oomScoreAdj"], 1000);
  EXPECT_EQ(spec["process"]["noNewPrivileges"], true);
  EXPECT_EQ(spec["root"]["readonly"], true);
  EXPECT_EQ(spec["hostname"], "podhost");
  EXPECT_EQ(spec["linux"]["rootfsPropagation"], "rslave");
  bool net = false, ipc = false;
  for (const auto& n : spec["linux"]["namespaces"]) {
    if (n["type"] == "network") net = n["path"] == "/run/netns/x";
    if (n["type"] == "ipc") ipc = n["path"] == "/run/ipc/x";
  }
  EXPECT_TRUE(net);
  EXPECT_TRUE(ipc);
  // User mounts come after the defaults, parents before children.
  std::vector<std::string> dests;
  for (const auto& m : spec["mounts"]) dests.push_back(m["destination"]);
  auto a = std::find(dests.begin(), dests.end(), "/data");
  auto b = std::find(dests.begin(), dests.end(), "/data/sub");
  ASSERT_NE(a, dests.end());
  ASSERT_NE(b, dests.end());
  EXPECT_LT(a, b);
  EXPECT_NE(std::find(dests.begin(), dests.end(), "/etc/hosts"), dests.end());
}

TEST_F(SpecTest, HostnameDefaultsToThePodNameLikeEtcHostname) {
  sandbox_.hostname.clear();
  auto spec = Build();
  EXPECT_EQ(spec["hostname"], "p") << "the UTS hostname must not be the node's";
  std::vector<std::string> env = spec["process"]["env"];
  EXPECT_EQ(env.front(), "HOSTNAME=p");
}

TEST(ParseSignalTest, Names) {
  EXPECT_EQ(*ParseSignal(""), 15);
  EXPECT_EQ(*ParseSignal("SIGQUIT"), 3);
  EXPECT_EQ(*ParseSignal("int"), 2);
  EXPECT_EQ(*ParseSignal("9"), 9);
  EXPECT_EQ(*ParseSignal("SIGRTMIN+3"), 37);
  EXPECT_EQ(ParseSignal("SIGNOPE").status().code(), StatusCode::kInvalid);
}

}  // namespace
}  // namespace kubepp::runtime::oci
