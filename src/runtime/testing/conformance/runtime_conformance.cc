#include "runtime/testing/conformance/runtime_conformance.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

namespace kubepp::runtime::testing {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

std::atomic<int> g_counter{0};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string ReadFd(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) s.append(buf, static_cast<size_t>(n));
  return s;
}

}  // namespace

std::string RuntimeParamName(const ::testing::TestParamInfo<RuntimeParam>& info) { return info.param.name; }

void RuntimeConformanceTest::SetUp() {
  harness_ = GetParam().make();
  ASSERT_NE(harness_, nullptr);
}

void RuntimeConformanceTest::TearDown() {
  if (!harness_) return;
  // Every test leaves nothing behind: remove what is left, then check.
  auto sandboxes = rt().ListPodSandbox({});
  if (sandboxes.ok()) {
    for (const auto& s : *sandboxes) EXPECT_TRUE(rt().RemovePodSandbox(s.id).ok());
  }
  auto left = rt().ListContainers({});
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
  harness_.reset();
}

PodSandboxConfig RuntimeConformanceTest::SandboxConfig(const std::string& name) {
  PodSandboxConfig c;
  int n = g_counter++;
  c.metadata.name = name;
  c.metadata.namespace_ = "default";
  c.metadata.uid = "uid-" + std::to_string(getpid()) + "-" + std::to_string(n);
  c.hostname = name;
  c.log_directory = harness_->log_root() + "/" + name + "-" + std::to_string(n);
  c.labels = {{"app", name}};
  return c;
}

ContainerConfig RuntimeConformanceTest::Ctr(const std::string& name, std::vector<std::string> command) {
  ContainerConfig c;
  c.metadata.name = name;
  c.image = harness_->image();
  c.command = std::move(command);
  c.log_path = name + "/0.log";
  c.labels = {{"container", name}};
  return c;
}

std::string RuntimeConformanceTest::RunSandbox(const PodSandboxConfig& config) {
  auto id = rt().RunPodSandbox(config);
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  return id.ok() ? *id : "";
}

std::string RuntimeConformanceTest::StartCtr(const std::string& sandbox, const ContainerConfig& config,
                                             const PodSandboxConfig& sandbox_config) {
  auto id = rt().CreateContainer(sandbox, config, sandbox_config);
  EXPECT_TRUE(id.ok()) << id.status().ToString();
  if (!id.ok()) return "";
  Status s = rt().StartContainer(*id);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return *id;
}

runtime::ContainerStatus RuntimeConformanceTest::WaitState(const std::string& id, ContainerState state) {
  auto deadline = Clock::now() + 10s;
  runtime::ContainerStatus last;
  while (Clock::now() < deadline) {
    auto st = rt().ContainerStatus(id);
    EXPECT_TRUE(st.ok()) << st.status().ToString();
    if (!st.ok()) return last;
    last = *st;
    if (last.state == state) return last;
    std::this_thread::sleep_for(10ms);
  }
  ADD_FAILURE() << "container " << id << " never reached " << ToString(state) << "; is "
                << ToString(last.state);
  return last;
}

TEST_P(RuntimeConformanceTest, VersionNamesTheRuntime) {
  auto v = rt().Version();
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_FALSE(v->runtime_name.empty());
  EXPECT_EQ(v->runtime_api_version, "v1");
}

TEST_P(RuntimeConformanceTest, SandboxLifecycle) {
  auto cfg = SandboxConfig("web");
  cfg.annotations = {{"a", "b"}};
  std::string id = RunSandbox(cfg);
  ASSERT_FALSE(id.empty());

  auto st = rt().PodSandboxStatus(id);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->id, id);
  EXPECT_EQ(st->state, PodSandboxState::kReady);
  EXPECT_EQ(st->metadata.name, "web");
  EXPECT_EQ(st->metadata.uid, cfg.metadata.uid);
  EXPECT_EQ(st->metadata.namespace_, "default");
  EXPECT_EQ(st->labels, cfg.labels);
  EXPECT_EQ(st->annotations, cfg.annotations);
  EXPECT_GT(st->created_at, 0);
  if (harness_->pod_network()) {
    EXPECT_FALSE(st->network.ip.empty()) << "a pod IP from the network plugin";
    EXPECT_FALSE(st->netns_path.empty());
  }

  EXPECT_EQ(rt().RunPodSandbox(cfg).status().code(), StatusCode::kAlreadyExists)
      << "name, namespace, uid and attempt identify a sandbox";

  auto list = rt().ListPodSandbox({});
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].id, id);
  EXPECT_EQ((*list)[0].state, PodSandboxState::kReady);

  ASSERT_TRUE(rt().StopPodSandbox(id).ok());
  st = rt().PodSandboxStatus(id);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, PodSandboxState::kNotReady);
  EXPECT_TRUE(rt().StopPodSandbox(id).ok()) << "stop is idempotent";

  ASSERT_TRUE(rt().RemovePodSandbox(id).ok());
  EXPECT_EQ(rt().PodSandboxStatus(id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(rt().RemovePodSandbox(id).ok()) << "remove is idempotent";
  list = rt().ListPodSandbox({});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->empty());
}

TEST_P(RuntimeConformanceTest, SandboxNeedsNameAndUid) {
  auto cfg = SandboxConfig("x");
  cfg.metadata.name = "";
  EXPECT_EQ(rt().RunPodSandbox(cfg).status().code(), StatusCode::kInvalid);
  cfg = SandboxConfig("x");
  cfg.metadata.uid = "";
  EXPECT_EQ(rt().RunPodSandbox(cfg).status().code(), StatusCode::kInvalid);
}

TEST_P(RuntimeConformanceTest, ContainerLifecycle) {
  auto sb_cfg = SandboxConfig("life");
  std::string sb = RunSandbox(sb_cfg);
  auto cfg = Ctr("main", {"sleep", "1000"});
  auto id = rt().CreateContainer(sb, cfg, sb_cfg);
  ASSERT_TRUE(id.ok()) << id.status().ToString();

  auto st = rt().ContainerStatus(*id);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->state, ContainerState::kCreated);
  EXPECT_EQ(st->metadata.name, "main");
  EXPECT_EQ(st->pod_sandbox_id, sb);
  EXPECT_EQ(st->image, cfg.image);
  EXPECT_FALSE(st->image_ref.empty());
  EXPECT_GT(st->created_at, 0);
  EXPECT_EQ(st->started_at, 0);
  EXPECT_EQ(st->labels, cfg.labels);
  EXPECT_EQ(st->log_path, sb_cfg.log_directory + "/main/0.log");

  // Same name and attempt in the same sandbox is refused.
  EXPECT_EQ(rt().CreateContainer(sb, cfg, sb_cfg).status().code(), StatusCode::kConflict);

  ASSERT_TRUE(rt().StartContainer(*id).ok());
  st = rt().ContainerStatus(*id);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, ContainerState::kRunning);
  EXPECT_GT(st->started_at, 0);
  EXPECT_EQ(rt().StartContainer(*id).code(), StatusCode::kConflict);

  ASSERT_TRUE(rt().StopContainer(*id, 0).ok());
  st = rt().ContainerStatus(*id);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, ContainerState::kExited);
  EXPECT_EQ(st->exit_code, 137);
  EXPECT_EQ(st->reason, "Error");
  EXPECT_GE(st->finished_at, st->started_at);
  EXPECT_TRUE(rt().StopContainer(*id, 0).ok()) << "stopping an exited container is OK";

  ASSERT_TRUE(rt().RemoveContainer(*id).ok());
  EXPECT_EQ(rt().ContainerStatus(*id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(rt().RemoveContainer(*id).ok()) << "remove is idempotent";
}

TEST_P(RuntimeConformanceTest, StoppingACreatedContainerLeavesItCreated) {
  auto sb_cfg = SandboxConfig("created");
  std::string sb = RunSandbox(sb_cfg);
  auto id = rt().CreateContainer(sb, Ctr("c", {"sleep", "1000"}), sb_cfg);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  EXPECT_TRUE(rt().StopContainer(*id, 10).ok());
  EXPECT_EQ(rt().ContainerStatus(*id)->state, ContainerState::kCreated);
  ASSERT_TRUE(rt().StartContainer(*id).ok()) << "still startable";
  EXPECT_EQ(rt().ContainerStatus(*id)->state, ContainerState::kRunning);
}

TEST_P(RuntimeConformanceTest, ExitCodesAndReasons) {
  auto sb_cfg = SandboxConfig("exits");
  std::string sb = RunSandbox(sb_cfg);
  std::string ok = StartCtr(sb, Ctr("ok", {"sh", "-c", "exit 0"}), sb_cfg);
  std::string bad = StartCtr(sb, Ctr("bad", {"sh", "-c", "echo failing; exit 3"}), sb_cfg);
  auto st_ok = WaitState(ok, ContainerState::kExited);
  EXPECT_EQ(st_ok.exit_code, 0);
  EXPECT_EQ(st_ok.reason, "Completed");
  auto st_bad = WaitState(bad, ContainerState::kExited);
  EXPECT_EQ(st_bad.exit_code, 3);
  EXPECT_EQ(st_bad.reason, "Error");
  EXPECT_GE(st_bad.finished_at, st_bad.started_at);
}

TEST_P(RuntimeConformanceTest, CommandAndArgsFromImageWhenUnset) {
  auto sb_cfg = SandboxConfig("args");
  std::string sb = RunSandbox(sb_cfg);
  // No command: args replace the image's Cmd (the image has no Entrypoint).
  auto cfg = Ctr("withargs", {});
  cfg.args = {"sh", "-c", "exit 7"};
  std::string id = StartCtr(sb, cfg, sb_cfg);
  EXPECT_EQ(WaitState(id, ContainerState::kExited).exit_code, 7);
  // Neither: the image's Cmd ["sh"] runs, reads an empty stdin and exits 0.
  std::string plain = StartCtr(sb, Ctr("imagecmd", {}), sb_cfg);
  auto st = WaitState(plain, ContainerState::kExited);
  EXPECT_EQ(st.exit_code, 0);
  EXPECT_EQ(st.reason, "Completed");
}

TEST_P(RuntimeConformanceTest, StopSendsTermThenKillsAfterGrace) {
  auto sb_cfg = SandboxConfig("stop");
  std::string sb = RunSandbox(sb_cfg);
  // sleep as PID 1 ignores SIGTERM: killed when the grace period ends.
  std::string stubborn = StartCtr(sb, Ctr("stubborn", {"sleep", "1000"}), sb_cfg);
  // A shell that exits 0 on SIGTERM.
  std::string polite =
      StartCtr(sb, Ctr("polite", {"sh", "-c", "trap 'exit 0' TERM; sleep 1000 & wait"}), sb_cfg);
  ASSERT_EQ(WaitState(polite, ContainerState::kRunning).state, ContainerState::kRunning);
  if (harness_->real_processes()) {
    // Give the shell time to install its trap (it runs asynchronously to StartContainer).
    auto deadline = Clock::now() + 5s;
    while (Clock::now() < deadline) {
      auto r = rt().ExecSync(polite, {"sh", "-c", "grep -q 'SigCgt:.*[4567cdef]...$' /proc/1/status"}, 5);
      if (r.ok() && r->exit_code == 0) break;
      std::this_thread::sleep_for(20ms);
    }
  }

  auto t0 = Clock::now();
  ASSERT_TRUE(rt().StopContainer(polite, 10).ok());
  auto polite_elapsed = Clock::now() - t0;
  auto st = rt().ContainerStatus(polite);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, ContainerState::kExited);
  EXPECT_EQ(st->exit_code, 0);
  EXPECT_EQ(st->reason, "Completed");
  EXPECT_LT(polite_elapsed, 5s) << "a process that handles SIGTERM is not waited for the whole grace";

  t0 = Clock::now();
  ASSERT_TRUE(rt().StopContainer(stubborn, 1).ok());
  auto elapsed = Clock::now() - t0;
  st = rt().ContainerStatus(stubborn);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, ContainerState::kExited);
  EXPECT_EQ(st->exit_code, 137);
  EXPECT_EQ(st->reason, "Error");
  if (harness_->real_processes()) {
    EXPECT_GE(elapsed, 900ms) << "the grace period is honoured";
    EXPECT_LT(elapsed, 5s);
  }
}

TEST_P(RuntimeConformanceTest, LogsInCriFormat) {
  auto sb_cfg = SandboxConfig("logs");
  std::string sb = RunSandbox(sb_cfg);
  std::string id =
      StartCtr(sb, Ctr("talker", {"sh", "-c", "echo hello world; echo oops >&2; echo -n partial"}), sb_cfg);
  WaitState(id, ContainerState::kExited);
  std::string path = sb_cfg.log_directory + "/talker/0.log";
  std::string text;
  auto deadline = Clock::now() + 5s;
  while (Clock::now() < deadline) {
    text = ReadFile(path);
    if (text.find("partial") != std::string::npos) break;
    std::this_thread::sleep_for(10ms);
  }
  std::regex out_line(R"((^|\n)\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+(Z|[+-]\d\d:\d\d) stdout F hello world\n)");
  std::regex err_line(R"((^|\n)\S+ stderr F oops\n)");
  std::regex partial_line(R"((^|\n)\S+ stdout P partial\n)");
  EXPECT_TRUE(std::regex_search(text, out_line)) << text;
  EXPECT_TRUE(std::regex_search(text, err_line)) << text;
  EXPECT_TRUE(std::regex_search(text, partial_line)) << text;
  auto st = rt().ContainerStatus(id);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->log_path, path);
}

TEST_P(RuntimeConformanceTest, ExecSync) {
  auto sb_cfg = SandboxConfig("exec");
  std::string sb = RunSandbox(sb_cfg);
  std::string id = StartCtr(sb, Ctr("main", {"sleep", "1000"}), sb_cfg);
  auto r = rt().ExecSync(id, {"sh", "-c", "echo out; echo err >&2; exit 5"}, 10);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->stdout_data, "out\n");
  EXPECT_EQ(r->stderr_data, "err\n");
  EXPECT_EQ(r->exit_code, 5);

  r = rt().ExecSync(id, {"true"}, 0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->exit_code, 0);

  auto t0 = Clock::now();
  r = rt().ExecSync(id, {"sleep", "30"}, 1);
  EXPECT_EQ(r.status().code(), StatusCode::kTimeout) << r.status().ToString();
  EXPECT_LT(Clock::now() - t0, 10s);

  EXPECT_EQ(rt().ExecSync("nope", {"true"}, 1).status().code(), StatusCode::kNotFound);
  ASSERT_TRUE(rt().StopContainer(id, 0).ok());
  EXPECT_EQ(rt().ExecSync(id, {"true"}, 1).status().code(), StatusCode::kConflict);
}

TEST_P(RuntimeConformanceTest, ExecStreamsStdinAndStdout) {
  auto sb_cfg = SandboxConfig("execstream");
  std::string sb = RunSandbox(sb_cfg);
  std::string id = StartCtr(sb, Ctr("main", {"sleep", "1000"}), sb_cfg);
  int in[2], out[2], err[2];
  ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(err, O_CLOEXEC), 0);
  ASSERT_EQ(write(in[1], "abc\n", 4), 4);
  close(in[1]);
  ExecRequest req;
  req.cmd = {"sh", "-c", "cat; echo done >&2; exit 4"};
  req.fds = {in[0], out[1], err[1]};
  auto session = rt().Exec(id, req);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  auto code = (*session)->Wait(10000);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, 4);
  session->reset();
  EXPECT_EQ(ReadFd(out[0]), "abc\n");
  EXPECT_EQ(ReadFd(err[0]), "done\n");
  close(out[0]);
  close(err[0]);
}

TEST_P(RuntimeConformanceTest, ListFilters) {
  auto a_cfg = SandboxConfig("a");
  auto b_cfg = SandboxConfig("b");
  std::string a = RunSandbox(a_cfg);
  std::string b = RunSandbox(b_cfg);
  std::string a1 = StartCtr(a, Ctr("one", {"sleep", "1000"}), a_cfg);
  auto created_cfg = Ctr("two", {"sleep", "1000"});
  auto a2 = rt().CreateContainer(a, created_cfg, a_cfg);
  ASSERT_TRUE(a2.ok());
  std::string b1 = StartCtr(b, Ctr("one", {"sh", "-c", "exit 1"}), b_cfg);
  WaitState(b1, ContainerState::kExited);
  ASSERT_TRUE(rt().StopPodSandbox(b).ok());

  auto sbs = rt().ListPodSandbox({.state = PodSandboxState::kReady});
  ASSERT_TRUE(sbs.ok());
  ASSERT_EQ(sbs->size(), 1u);
  EXPECT_EQ((*sbs)[0].id, a);
  sbs = rt().ListPodSandbox({.label_selector = {{"app", "b"}}});
  ASSERT_TRUE(sbs.ok());
  ASSERT_EQ(sbs->size(), 1u);
  EXPECT_EQ((*sbs)[0].id, b);
  sbs = rt().ListPodSandbox({.id = a.substr(0, 20)});
  ASSERT_TRUE(sbs.ok());
  ASSERT_EQ(sbs->size(), 1u);
  EXPECT_EQ((*sbs)[0].id, a);
  sbs = rt().ListPodSandbox({.id = "does-not-exist"});
  ASSERT_TRUE(sbs.ok());
  EXPECT_TRUE(sbs->empty());

  auto cs = rt().ListContainers({});
  ASSERT_TRUE(cs.ok());
  EXPECT_EQ(cs->size(), 3u);
  cs = rt().ListContainers({.pod_sandbox_id = a});
  ASSERT_TRUE(cs.ok());
  EXPECT_EQ(cs->size(), 2u);
  cs = rt().ListContainers({.state = ContainerState::kRunning});
  ASSERT_TRUE(cs.ok());
  ASSERT_EQ(cs->size(), 1u);
  EXPECT_EQ((*cs)[0].id, a1);
  EXPECT_EQ((*cs)[0].pod_sandbox_id, a);
  EXPECT_EQ((*cs)[0].metadata.name, "one");
  cs = rt().ListContainers({.state = ContainerState::kCreated});
  ASSERT_TRUE(cs.ok());
  ASSERT_EQ(cs->size(), 1u);
  EXPECT_EQ((*cs)[0].id, *a2);
  cs = rt().ListContainers({.state = ContainerState::kExited});
  ASSERT_TRUE(cs.ok());
  ASSERT_EQ(cs->size(), 1u);
  EXPECT_EQ((*cs)[0].id, b1);
  cs = rt().ListContainers({.label_selector = {{"container", "two"}}});
  ASSERT_TRUE(cs.ok());
  ASSERT_EQ(cs->size(), 1u);
  EXPECT_EQ((*cs)[0].id, *a2);
  cs = rt().ListContainers({.id = a1.substr(0, 16)});
  ASSERT_TRUE(cs.ok());
  ASSERT_EQ(cs->size(), 1u);
  EXPECT_EQ((*cs)[0].id, a1);
}

TEST_P(RuntimeConformanceTest, UnknownIdsAreNotFoundAndRemovesIdempotent) {
  const std::string id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
  EXPECT_EQ(rt().StopPodSandbox(id).code(), StatusCode::kNotFound);
  EXPECT_EQ(rt().PodSandboxStatus(id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(rt().RemovePodSandbox(id).ok());
  EXPECT_EQ(rt().StartContainer(id).code(), StatusCode::kNotFound);
  EXPECT_EQ(rt().StopContainer(id, 1).code(), StatusCode::kNotFound);
  EXPECT_EQ(rt().ContainerStatus(id).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(rt().ContainerStats(id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(rt().RemoveContainer(id).ok());
  EXPECT_EQ(rt().PortForward(id, 80).status().code(), StatusCode::kNotFound);
  auto sb_cfg = SandboxConfig("nf");
  EXPECT_EQ(rt().CreateContainer(id, Ctr("c", {"true"}), sb_cfg).status().code(), StatusCode::kNotFound);
  std::string sb = RunSandbox(sb_cfg);
  auto cfg = Ctr("c", {"true"});
  cfg.image = "example.invalid/no/such-image:1";
  EXPECT_EQ(rt().CreateContainer(sb, cfg, sb_cfg).status().code(), StatusCode::kNotFound);
}

TEST_P(RuntimeConformanceTest, CreateInStoppedSandboxIsConflict) {
  auto sb_cfg = SandboxConfig("stopped");
  std::string sb = RunSandbox(sb_cfg);
  ASSERT_TRUE(rt().StopPodSandbox(sb).ok());
  EXPECT_EQ(rt().CreateContainer(sb, Ctr("c", {"true"}), sb_cfg).status().code(), StatusCode::kConflict);
}

TEST_P(RuntimeConformanceTest, StopAndRemoveSandboxTakeContainersAlong) {
  auto sb_cfg = SandboxConfig("along");
  std::string sb = RunSandbox(sb_cfg);
  std::string c = StartCtr(sb, Ctr("main", {"sleep", "1000"}), sb_cfg);
  ASSERT_TRUE(rt().StopPodSandbox(sb).ok());
  auto st = rt().ContainerStatus(c);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, ContainerState::kExited);
  ASSERT_TRUE(rt().RemovePodSandbox(sb).ok());
  EXPECT_EQ(rt().ContainerStatus(c).status().code(), StatusCode::kNotFound);
  auto cs = rt().ListContainers({});
  ASSERT_TRUE(cs.ok());
  EXPECT_TRUE(cs->empty());
}

TEST_P(RuntimeConformanceTest, StatsOfRunningContainer) {
  auto sb_cfg = SandboxConfig("stats");
  std::string sb = RunSandbox(sb_cfg);
  std::string c = StartCtr(sb, Ctr("main", {"sleep", "1000"}), sb_cfg);
  auto s = rt().ContainerStats(c);
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->container_id, c);
  EXPECT_GT(s->timestamp, 0);
}

TEST_P(RuntimeConformanceTest, ConcurrentPodsDoNotInterfere) {
  // The kubelet's pod workers call the runtime from several threads at once.
  constexpr int kPods = 4;
  std::vector<PodSandboxConfig> cfgs;
  for (int i = 0; i < kPods; ++i) cfgs.push_back(SandboxConfig("conc" + std::to_string(i)));
  std::vector<std::thread> threads;
  std::atomic<int> done{0};
  for (int i = 0; i < kPods; ++i) {
    threads.emplace_back([&, i] {
      const auto& cfg = cfgs[i];
      auto sb = rt().RunPodSandbox(cfg);
      ASSERT_TRUE(sb.ok()) << sb.status().ToString();
      std::vector<std::string> ids;
      for (int j = 0; j < 2; ++j) {
        auto id = rt().CreateContainer(*sb, Ctr("c" + std::to_string(j), {"sleep", "1000"}), cfg);
        ASSERT_TRUE(id.ok()) << id.status().ToString();
        ASSERT_TRUE(rt().StartContainer(*id).ok());
        ids.push_back(*id);
      }
      auto r = rt().ExecSync(ids[0], {"sh", "-c", "echo " + std::to_string(i)}, 10);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
      EXPECT_EQ(r->stdout_data, std::to_string(i) + "\n");
      auto cs = rt().ListContainers({.pod_sandbox_id = *sb});
      ASSERT_TRUE(cs.ok());
      EXPECT_EQ(cs->size(), 2u);
      EXPECT_TRUE(rt().StopContainer(ids[1], 0).ok());
      EXPECT_TRUE(rt().StopPodSandbox(*sb).ok());
      EXPECT_TRUE(rt().RemovePodSandbox(*sb).ok());
      ++done;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(done.load(), kPods);
  auto left = rt().ListPodSandbox({});
  ASSERT_TRUE(left.ok());
  EXPECT_TRUE(left->empty());
}

TEST_P(RuntimeConformanceTest, Images) {
  auto img = rt().ImageStatus(harness_->image());
  ASSERT_TRUE(img.ok()) << img.status().ToString();
  EXPECT_EQ(img->id.rfind("sha256:", 0), 0u) << img->id;
  auto by_id = rt().ImageStatus(img->id);
  ASSERT_TRUE(by_id.ok());
  EXPECT_EQ(by_id->id, img->id);
  auto all = rt().ListImages();
  ASSERT_TRUE(all.ok());
  bool found = false;
  for (const auto& i : *all) found |= i.id == img->id;
  EXPECT_TRUE(found);
  EXPECT_EQ(rt().ImageStatus("example.invalid/no/such-image:1").status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(rt().RemoveImage("example.invalid/no/such-image:1").ok());
  auto fs = rt().ImageFsInfo();
  ASSERT_TRUE(fs.ok());
  ASSERT_FALSE(fs->empty());
  EXPECT_FALSE((*fs)[0].mountpoint.empty());
}

}  // namespace kubepp::runtime::testing
