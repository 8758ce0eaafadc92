#include "runtime/fake/fake_runtime.h"

#include <gtest/gtest.h>

#include <atomic>

#include "common/testing/temp_dir.h"
#include "runtime/testing/conformance/runtime_conformance.h"

namespace kubepp::runtime::fake {
namespace {

class FakeHarness final : public testing::RuntimeHarness {
 public:
  FakeHarness() {
    Image img;
    img.repo_tags = {"test/busybox:1"};
    img.size = 1000;
    image_id_ = rt_.AddImage(img, {}, {"sh"});
  }
  Runtime& runtime() override { return rt_; }
  std::string image() override { return "test/busybox:1"; }
  std::string log_root() override { return dir_.path(); }
  bool real_processes() const override { return false; }

 private:
  TempDir dir_{"fake-runtime"};
  FakeRuntime rt_;
  std::string image_id_;
};

using testing::RuntimeConformanceTest;
INSTANTIATE_TEST_SUITE_P(Fake, RuntimeConformanceTest,
                         ::testing::Values(testing::RuntimeParam{
                             "fake", [] { return std::make_unique<FakeHarness>(); }}),
                         testing::RuntimeParamName);

PodSandboxConfig Sb() {
  PodSandboxConfig c;
  c.metadata = {"p", "uid1", "default", 0};
  return c;
}

ContainerConfig C(std::vector<std::string> cmd) {
  ContainerConfig c;
  c.metadata.name = "c";
  c.image = "busybox";
  c.command = std::move(cmd);
  return c;
}

TEST(FakeRuntimeTest, SleepFollowsTheInjectedClock) {
  std::atomic<int64_t> now{1'000'000'000};
  FakeRuntime rt([&] { return now.load(); });
  ASSERT_TRUE(rt.PullImage("busybox", {}).ok());
  auto sb = rt.RunPodSandbox(Sb());
  ASSERT_TRUE(sb.ok());
  auto c = rt.CreateContainer(*sb, C({"sh", "-c", "sleep 5; exit 2"}), Sb());
  ASSERT_TRUE(c.ok());
  ASSERT_TRUE(rt.StartContainer(*c).ok());
  now += 4'000'000'000;
  EXPECT_EQ(rt.ContainerStatus(*c)->state, ContainerState::kRunning);
  now += 2'000'000'000;
  auto st = rt.ContainerStatus(*c);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, ContainerState::kExited);
  EXPECT_EQ(st->exit_code, 2);
  EXPECT_EQ(st->finished_at, 6'000'000'000) << "finished when the sleep ended, not when observed";
}

TEST(FakeRuntimeTest, InjectedErrorsAndCalls) {
  FakeRuntime rt;
  rt.InjectError("RunPodSandbox", Status::Unavailable("cni down"));
  EXPECT_EQ(rt.RunPodSandbox(Sb()).status().code(), StatusCode::kUnavailable);
  EXPECT_TRUE(rt.RunPodSandbox(Sb()).ok()) << "an injected error fires once";
  rt.SetPullError("nginx", Status::NotFound("manifest unknown"));
  EXPECT_EQ(rt.PullImage("docker.io/library/nginx:latest", {}).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(rt.Calls(), (std::vector<std::string>{"RunPodSandbox", "RunPodSandbox", "PullImage"}));
}

TEST(FakeRuntimeTest, FinishContainerAndUnknownProgramsRunForever) {
  FakeRuntime rt;
  ASSERT_TRUE(rt.PullImage("nginx", {}).ok());
  auto sb = rt.RunPodSandbox(Sb());
  auto cfg = C({"nginx", "-g", "daemon off;"});
  cfg.image = "nginx:latest";
  auto c = rt.CreateContainer(*sb, cfg, Sb());
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  ASSERT_TRUE(rt.StartContainer(*c).ok());
  EXPECT_EQ(rt.ContainerStatus(*c)->state, ContainerState::kRunning);
  ASSERT_TRUE(rt.FinishContainer(*c, 0, "OOMKilled").ok());
  auto st = rt.ContainerStatus(*c);
  EXPECT_EQ(st->state, ContainerState::kExited);
  EXPECT_EQ(st->reason, "OOMKilled");
}


}  // namespace
}  // namespace kubepp::runtime::fake
