#include "runtime/oci/oci_runtime.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "common/testing/temp_dir.h"
#include "network/cni/cni.h"
#include "network/cni/netns.h"
#include "runtime/image/image_store.h"
#include "runtime/logs/cri_log.h"
#include "runtime/oci/cgroups.h"
#include "runtime/testing/conformance/runtime_conformance.h"
#include "runtime/testing/test_image.h"

namespace kubepp::runtime::oci {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

constexpr char kBusybox[] = "docker.io/library/busybox:latest";
constexpr char kEntrypointImage[] = "127.0.0.1:5000/test/ep:1";

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// One image store per test process, with busybox imported (unpacking is the slow part).
struct SharedImages {
  TempDir dir{"oci-images"};
  std::unique_ptr<image::ImageStore> store;
  Status status;
  SharedImages() {
    auto s = image::ImageStore::Open(dir.path() + "/store");
    if (!s.ok()) {
      status = s.status();
      return;
    }
    store = std::move(*s);
    auto id = testimage::WriteBusyboxOciArchive(dir.path() + "/bb.tar", kBusybox);
    if (!id.ok()) {
      status = id.status();
      return;
    }
    auto imported = store->Import(dir.path() + "/bb.tar");
    if (!imported.ok()) {
      status = imported.status();
      return;
    }
    testimage::TestImageOptions o;
    o.entrypoint = {"echo", "ep"};
    o.cmd = {"default"};
    o.env = {"PATH=/bin", "FROM_IMAGE=1", "OVERRIDE=image"};
    o.user = "nobody";
    o.working_dir = "/tmp";
    auto ep = testimage::WriteBusyboxOciArchive(dir.path() + "/ep.tar", kEntrypointImage, o);
    if (!ep.ok()) {
      status = ep.status();
      return;
    }
    imported = store->Import(dir.path() + "/ep.tar");
    if (!imported.ok()) status = imported.status();
  }
};

SharedImages& Images() {
  static SharedImages* images = new SharedImages();  // process lifetime; its dir is removed at exit
  return *images;
}

// A real CNI network (Debian's bridge + host-local + portmap) on a test-private bridge and pod
// CIDR, picked by a slot lock so that concurrent test processes do not collide. The bridge
// (which CNI DEL rightly keeps) is removed at the end of the process, after checking that no
// veth is still attached to it.
class CniEnv : public ::testing::Environment {
 public:
  void SetUp() override {
    for (int i = 0; i < 100 && lock_fd_ < 0; ++i) {
      int n = (getpid() + i) % 100;
      std::string path = "/tmp/kubepp-oci-test-slot-" + std::to_string(n) + ".lock";
      int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) continue;
      // The holder unlinks the file when done: a lock on an unlinked file is void.
      struct stat by_fd {};
      struct stat by_path {};
      if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &by_fd) == 0 && stat(path.c_str(), &by_path) == 0 &&
          by_fd.st_ino == by_path.st_ino) {
        lock_fd_ = fd;
        lock_path_ = path;
        slot_ = n;
      } else {
        close(fd);
      }
    }
    if (lock_fd_ < 0) {
      status = Status::Unavailable("no free CNI test slot");
      return;
    }
    bridge = "kprt-br" + std::to_string(slot_);
    (void)testimage::RunCommand({"/bin/sh", "-c", "ip link del " + bridge + " 2>/dev/null; true"});
    ip_forward_ = ReadFile("/proc/sys/net/ipv4/ip_forward");
    network::cni::DefaultConfigOptions o;
    o.conf_dir = dir_.path() + "/net.d";
    o.network_name = "kprt" + std::to_string(slot_);
    o.bridge_name = bridge;
    o.pod_cidr = "10.251." + std::to_string(slot_) + ".0/24";
    o.ipam_data_dir = dir_.path() + "/ipam";
    auto written = network::cni::WriteDefaultConfig(o);
    if (!written.ok()) {
      status = written.status();
      return;
    }
    auto net = network::cni::Network::Load(o.conf_dir, {"/usr/lib/cni"}, dir_.path() + "/cache");
    if (!net.ok()) {
      status = net.status();
      return;
    }
    network = std::move(*net);
    adapter = MakeCniSandboxNetwork(network.get());
  }
  void TearDown() override {
    if (lock_fd_ < 0) return;
    std::error_code ec;
    int attached = 0;
    for (const auto& e : fs::directory_iterator("/sys/class/net/" + bridge + "/brif", ec))
      ++attached, (void)e;
    EXPECT_EQ(attached, 0) << "veths left on " << bridge;
    (void)testimage::RunCommand({"/bin/sh", "-c", "ip link del " + bridge + " 2>/dev/null; true"});
    if (ip_forward_.rfind("0", 0) == 0) std::ofstream("/proc/sys/net/ipv4/ip_forward") << "0";
    unlink(lock_path_.c_str());
    close(lock_fd_);
  }

  Status status;
  std::string bridge;
  std::unique_ptr<network::cni::Network> network;
  std::unique_ptr<SandboxNetwork> adapter;

 private:
  TempDir dir_{"oci-cni"};
  int lock_fd_ = -1;
  std::string lock_path_;
  int slot_ = -1;
  std::string ip_forward_;
};

CniEnv* const g_cni = static_cast<CniEnv*>(::testing::AddGlobalTestEnvironment(new CniEnv));

std::atomic<int> g_harness{0};

// A runtime over private dirs (state, runc root, netns dir, cgroup parent), leak-checked when
// destroyed.
class OciHarness final : public testing::RuntimeHarness {
 public:
  explicit OciHarness(bool cni = false) : cni_(cni) {
    cgroup_parent_ = "/kubepp-test-" + std::to_string(getpid()) + "-" + std::to_string(g_harness++);
    Open();
  }
  ~OciHarness() override {
    rt_.reset();
    CheckNoLeaks();
  }

  void Open() {
    OciRuntimeOptions o;
    o.root = dir_.path() + "/root";
    o.runc_root = dir_.path() + "/runc";
    o.netns_dir = dir_.path() + "/netns";
    o.shim_path = KUBEPP_SHIM_PATH;
    o.cgroup_parent = cgroup_parent_;
    o.images = Images().store.get();
    if (log_max_size_ > 0) o.log_max_size = log_max_size_;
    if (cni_) {
      EXPECT_TRUE(g_cni->status.ok()) << g_cni->status.ToString();
      o.network = g_cni->adapter.get();
    }
    auto rt = OciRuntime::Open(o);
    EXPECT_TRUE(rt.ok()) << rt.status().ToString();
    if (rt.ok()) rt_ = std::move(*rt);
  }
  void Close() { rt_.reset(); }
  void set_log_max_size(int64_t n) { log_max_size_ = n; }

  Runtime& runtime() override { return *rt_; }
  OciRuntime& oci() { return *rt_; }
  std::string image() override { return kBusybox; }
  std::string log_root() override { return dir_.path() + "/logs"; }
  bool real_processes() const override { return true; }
  bool pod_network() const override { return cni_; }
  const std::string& dir() const { return dir_.path(); }
  const std::string& cgroup_parent() const { return cgroup_parent_; }

  // Everything the runtime made must be gone once its sandboxes were removed.
  void CheckNoLeaks() {
    // Shims: none still running for this state dir.
    for (const auto& e : fs::directory_iterator("/proc")) {
      std::string cmd = ReadFile(e.path().string() + "/cmdline");
      for (auto& ch : cmd)
        if (ch == '\0') ch = ' ';
      EXPECT_TRUE(cmd.find(dir_.path() + "/root") == std::string::npos) << "process left: " << cmd;
    }
    // runc containers.
    std::error_code ec;
    int runc_left = 0;
    for (const auto& e : fs::directory_iterator(dir_.path() + "/runc", ec)) ++runc_left, (void)e;
    EXPECT_EQ(runc_left, 0) << "runc containers left in " << dir_.path() << "/runc";
    // Network namespaces.
    int netns_left = 0;
    for (const auto& e : fs::directory_iterator(dir_.path() + "/netns", ec)) ++netns_left, (void)e;
    EXPECT_EQ(netns_left, 0);
    (void)network::cni::ReleaseNetnsDir(dir_.path() + "/netns");
    // Mounts under our dir.
    std::string mounts = ReadFile("/proc/self/mountinfo");
    EXPECT_EQ(mounts.find(dir_.path()), std::string::npos) << "mount left under " << dir_.path();
    // Cgroups: the parent may exist but must have no children.
    for (const auto& d : AllCgroupDirs(cgroup_parent_)) {
      for (const auto& e : fs::directory_iterator(d, ec))
        EXPECT_FALSE(e.is_directory()) << "cgroup left: " << e.path();
    }
    EXPECT_TRUE(RemoveCgroupTree(cgroup_parent_).ok());
    EXPECT_FALSE(CgroupExists(cgroup_parent_));
  }

 private:
  bool cni_ = false;
  int64_t log_max_size_ = 0;
  TempDir dir_{"oci-rt"};
  std::string cgroup_parent_;
  std::unique_ptr<OciRuntime> rt_;
};

using testing::RuntimeConformanceTest;
INSTANTIATE_TEST_SUITE_P(Runc, RuntimeConformanceTest,
                         ::testing::Values(testing::RuntimeParam{"runc",
                                                                 [] {
                                                                   EXPECT_TRUE(Images().status.ok())
                                                                       << Images().status.ToString();
                                                                   return std::make_unique<OciHarness>();
                                                                 }},
                                           testing::RuntimeParam{"runc_cni",
                                                                 [] {
                                                                   EXPECT_TRUE(Images().status.ok())
                                                                       << Images().status.ToString();
                                                                   return std::make_unique<OciHarness>(true);
                                                                 }}),
                         testing::RuntimeParamName);

// --- runc-specific tests --------------------------------------------------------------------

class OciRuntimeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Images().status.ok()) << Images().status.ToString();
    h_ = std::make_unique<OciHarness>();
  }
  void TearDown() override {
    if (h_ && h_->real_processes()) {
      auto sbs = rt().ListPodSandbox({});
      if (sbs.ok()) {
        for (const auto& s : *sbs) EXPECT_TRUE(rt().RemovePodSandbox(s.id).ok());
      }
    }
    h_.reset();
  }
  Runtime& rt() { return h_->runtime(); }

  PodSandboxConfig Sandbox(const std::string& name) {
    PodSandboxConfig c;
    c.metadata = {name, "uid-" + name, "default", 0};
    c.hostname = name + "-host";
    c.log_directory = h_->log_root() + "/" + name;
    return c;
  }
  ContainerConfig Ctr(const std::string& name, std::vector<std::string> cmd) {
    ContainerConfig c;
    c.metadata.name = name;
    c.image = kBusybox;
    c.command = std::move(cmd);
    c.log_path = name + ".log";
    return c;
  }
  std::string Start(const std::string& sb, const ContainerConfig& c, const PodSandboxConfig& sbc) {
    auto id = rt().CreateContainer(sb, c, sbc);
    EXPECT_TRUE(id.ok()) << id.status().ToString();
    if (!id.ok()) return "";
    Status s = rt().StartContainer(*id);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return *id;
  }
  runtime::ContainerStatus WaitExited(const std::string& id, std::chrono::seconds timeout = 20s) {
    auto deadline = Clock::now() + timeout;
    runtime::ContainerStatus st;
    while (Clock::now() < deadline) {
      auto s = rt().ContainerStatus(id);
      if (!s.ok()) break;
      st = *s;
      if (st.state == ContainerState::kExited) return st;
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "container " << id << " did not exit";
    return st;
  }
  std::string Exec(const std::string& id, const std::string& script) {
    auto r = rt().ExecSync(id, {"sh", "-c", script}, 10);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    if (!r.ok()) return "";
    EXPECT_EQ(r->exit_code, 0) << script << ": " << r->stderr_data;
    return r->stdout_data;
  }
  // The log's content lines, without timestamps and tags.
  std::string LogText(const std::string& path) {
    std::string out, line;
    std::istringstream in(ReadFile(path));
    while (std::getline(in, line)) {
      auto p = line.find(' ');
      p = line.find(' ', p + 1);
      p = line.find(' ', p + 1);
      if (p != std::string::npos) out += line.substr(p + 1) + "\n";
    }
    return out;
  }

  std::unique_ptr<OciHarness> h_;
  std::string plain_dev_probe_;
};

TEST_F(OciRuntimeTest, VersionIsRuncs) {
  auto v = rt().Version();
  ASSERT_TRUE(v.ok());
  EXPECT_FALSE(v->runtime_version.empty());
  EXPECT_NE(v->runtime_version.find('.'), std::string::npos) << v->runtime_version;
}

TEST_F(OciRuntimeTest, MissingRuncIsAClearError) {
  OciRuntimeOptions o;
  o.root = h_->dir() + "/other";
  o.runc_path = "/nonexistent/runc";
  o.shim_path = KUBEPP_SHIM_PATH;
  o.images = Images().store.get();
  auto r = OciRuntime::Open(o);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(r.status().message().find("runc"), std::string::npos) << r.status().message();
}

TEST_F(OciRuntimeTest, ImportsTheImagesFolderAtOpen) {
  // An air-gapped node: archives dropped in a folder are there at start,
  // and a bad one does not stop the runtime or the good ones.
  std::string images = h_->dir() + "/images";
  fs::create_directories(images);
  testimage::TestImageOptions io;
  io.labels = {{"airgap", "yes"}};
  ASSERT_TRUE(testimage::WriteBusyboxDockerArchive(images + "/a.tar", "example.com/airgap/app:1", io).ok());
  std::ofstream(images + "/broken.tar") << "not a tar";
  std::ofstream(images + "/notes.txt") << "ignored";
  OciRuntimeOptions o;
  o.root = h_->dir() + "/airgap-root";
  o.runc_root = h_->dir() + "/airgap-runc";
  o.netns_dir = h_->dir() + "/airgap-netns";
  o.shim_path = KUBEPP_SHIM_PATH;
  auto store = image::ImageStore::Open(h_->dir() + "/airgap-store");  // not the shared one
  ASSERT_TRUE(store.ok()) << store.status().ToString();
  o.images = store->get();
  o.images_import_dir = images;
  auto r = OciRuntime::Open(o);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto st = (*r)->ImageStatus("example.com/airgap/app:1");
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_FALSE(st->id.empty());
}

TEST_F(OciRuntimeTest, ResourcesReachTheCgroup) {
  auto sbc = Sandbox("res");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok()) << sb.status().ToString();
  auto c = Ctr("main", {"sleep", "1000"});
  c.linux.resources.cpu_shares = 512;
  c.linux.resources.cpu_quota = 50000;
  c.linux.resources.cpu_period = 100000;
  c.linux.resources.memory_limit_in_bytes = 64 << 20;
  c.linux.resources.oom_score_adj = 900;
  std::string id = Start(*sb, c, sbc);
  std::string cg = h_->cgroup_parent() + "/pod" + sb->substr(0, 32) + "/" + id;
  if (CgroupV2()) {
    EXPECT_EQ(ReadFile(CgroupDir("memory", cg) + "/memory.max"), "67108864\n");
    EXPECT_EQ(ReadFile(CgroupDir("cpu", cg) + "/cpu.max"), "50000 100000\n");
    EXPECT_EQ(Exec(id, "cat /sys/fs/cgroup/memory.max"), "67108864\n");
  } else {
    EXPECT_EQ(ReadFile(CgroupDir("memory", cg) + "/memory.limit_in_bytes"), "67108864\n");
    EXPECT_EQ(ReadFile(CgroupDir("cpu", cg) + "/cpu.shares"), "512\n");
    EXPECT_EQ(ReadFile(CgroupDir("cpu", cg) + "/cpu.cfs_quota_us"), "50000\n");
    EXPECT_EQ(ReadFile(CgroupDir("cpu", cg) + "/cpu.cfs_period_us"), "100000\n");
    // The container sees its own cgroup.
    EXPECT_EQ(Exec(id, "cat /sys/fs/cgroup/memory/memory.limit_in_bytes"), "67108864\n");
  }
  EXPECT_EQ(Exec(id, "cat /proc/1/oom_score_adj"), "900\n");
  auto stats = rt().ContainerStats(id);
  ASSERT_TRUE(stats.ok()) << stats.status().ToString();
  EXPECT_GT(stats->memory_usage_bytes, 0u);
  EXPECT_GT(stats->cpu_usage_core_nano_seconds, 0u);
}

TEST_F(OciRuntimeTest, OomKilledIsReported) {
  auto sbc = Sandbox("oom");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok()) << sb.status().ToString();
  auto c = Ctr("hog", {"sh", "-c", "head -c 200m /dev/zero | tail"});
  c.linux.resources.memory_limit_in_bytes = 16 << 20;
  std::string id = Start(*sb, c, sbc);
  auto st = WaitExited(id, 60s);
  EXPECT_EQ(st.reason, "OOMKilled");
  EXPECT_EQ(st.exit_code, 137);
}

TEST_F(OciRuntimeTest, ReadonlyRootfsUserAndNoNewPrivs) {
  auto sbc = Sandbox("sec");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok()) << sb.status().ToString();
  auto c = Ctr("ro", {"sleep", "1000"});
  c.linux.security_context.readonly_rootfs = true;
  c.linux.security_context.run_as_user = 65534;
  c.linux.security_context.run_as_group = 65534;
  c.linux.security_context.supplemental_groups = {1234};
  c.linux.security_context.no_new_privs = true;
  std::string id = Start(*sb, c, sbc);
  auto r = rt().ExecSync(id, {"sh", "-c", "echo x > /probe"}, 10);
  ASSERT_TRUE(r.ok());
  EXPECT_NE(r->exit_code, 0) << "the root filesystem is read-only";
  EXPECT_NE(r->stderr_data.find("Read-only file system"), std::string::npos) << r->stderr_data;
  EXPECT_EQ(Exec(id, "id -u; id -g; id -G"), "65534\n65534\n65534 1234\n");
  EXPECT_NE(Exec(id, "grep NoNewPrivs /proc/self/status").find("1"), std::string::npos);
  // /dev/shm stays writable.
  Exec(id, "echo ok > /dev/shm/probe");

  // run_as_username resolves in the image's /etc/passwd; the image USER applies otherwise.
  auto c2 = Ctr("named", {"sleep", "1000"});
  c2.linux.security_context.run_as_username = "nobody";
  std::string id2 = Start(*sb, c2, sbc);
  EXPECT_EQ(Exec(id2, "id -u"), "65534\n");
  auto c3 = Ctr("imageuser", {"sleep", "1000"});
  c3.image = kEntrypointImage;
  std::string id3 = Start(*sb, c3, sbc);
  EXPECT_EQ(Exec(id3, "id -un; pwd"), "nobody\n/tmp\n");
}

TEST_F(OciRuntimeTest, EntrypointCmdArgsAndEnvPrecedence) {
  auto sbc = Sandbox("args");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok()) << sb.status().ToString();
  auto run = [&](const std::string& name, std::vector<std::string> command, std::vector<std::string> args) {
    auto c = Ctr(name, std::move(command));
    c.image = kEntrypointImage;
    c.args = std::move(args);
    std::string id = Start(*sb, c, sbc);
    EXPECT_EQ(WaitExited(id).exit_code, 0);
    std::string path = sbc.log_directory + "/" + name + ".log";
    auto deadline = Clock::now() + 5s;
    while (LogText(path).empty() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
    return LogText(path);
  };
  EXPECT_EQ(run("both-default", {}, {}), "ep default\n");
  EXPECT_EQ(run("args-only", {}, {"x", "y"}), "ep x y\n");
  EXPECT_EQ(run("command-only", {"echo", "cmd"}, {}), "cmd\n");
  EXPECT_EQ(run("command-args", {"echo"}, {"a"}), "a\n");

  auto c = Ctr("env", {"sleep", "1000"});
  c.image = kEntrypointImage;
  c.envs = {{"OVERRIDE", "container"}, {"EXTRA", "e"}};
  std::string id = Start(*sb, c, sbc);
  EXPECT_EQ(Exec(id, "echo $FROM_IMAGE $OVERRIDE $EXTRA $HOSTNAME; hostname"),
            "1 container e args-host\nargs-host\n");
}

TEST_F(OciRuntimeTest, PodSharesNetworkIpcAndOptionallyPid) {
  auto sbc = Sandbox("share");
  sbc.linux.security_context.namespace_options.pid = NamespaceMode::kPod;
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok()) << sb.status().ToString();
  std::string a = Start(*sb, Ctr("a", {"sleep", "1001"}), sbc);
  std::string b = Start(*sb, Ctr("b", {"sleep", "1002"}), sbc);
  std::string ns = "for n in net ipc pid; do readlink /proc/self/ns/$n; done";
  EXPECT_EQ(Exec(a, ns), Exec(b, ns));
  EXPECT_NE(Exec(a, "readlink /proc/self/ns/mnt"), Exec(b, "readlink /proc/self/ns/mnt"));
  std::string ps = Exec(b, "ps");
  EXPECT_NE(ps.find("sleep 1001"), std::string::npos) << ps;
  // /dev/shm is the pod's.
  Exec(a, "echo shared > /dev/shm/x");
  EXPECT_EQ(Exec(b, "cat /dev/shm/x"), "shared\n");
  EXPECT_EQ(Exec(a, "cat /etc/hostname; hostname"), "share-host\nshare-host\n");
  EXPECT_NE(Exec(a, "cat /etc/hosts").find("localhost"), std::string::npos);

  // Without PID sharing, each container has its own.
  auto sbc2 = Sandbox("noshare");
  auto sb2 = rt().RunPodSandbox(sbc2);
  ASSERT_TRUE(sb2.ok());
  std::string c = Start(*sb2, Ctr("c", {"sleep", "1003"}), sbc2);
  std::string d = Start(*sb2, Ctr("d", {"sleep", "1004"}), sbc2);
  EXPECT_NE(Exec(c, "readlink /proc/self/ns/pid"), Exec(d, "readlink /proc/self/ns/pid"));
  EXPECT_EQ(Exec(c, "readlink /proc/self/ns/net"), Exec(d, "readlink /proc/self/ns/net"));
  EXPECT_NE(Exec(a, "readlink /proc/self/ns/net"), Exec(c, "readlink /proc/self/ns/net"));
}

TEST_F(OciRuntimeTest, AttachStdinAndOutput) {
  auto sbc = Sandbox("attach");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok());
  auto c = Ctr("cat", {"cat"});
  c.stdin = true;
  c.stdin_once = true;
  std::string id = Start(*sb, c, sbc);
  int in[2], out[2];
  ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  auto session = rt().Attach(id, {in[0], out[1], -1});
  close(in[0]);
  close(out[1]);
  ASSERT_TRUE(session.ok()) << session.status().ToString();
  ASSERT_EQ(write(in[1], "ping\n", 5), 5);
  char buf[16] = {};
  ASSERT_EQ(read(out[0], buf, 5), 5);
  EXPECT_EQ(std::string(buf, 5), "ping\n");
  close(in[1]);  // stdin_once: the container's stdin closes, cat exits 0
  auto code = (*session)->Wait(20000);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, 0);
  close(out[0]);
  auto st = WaitExited(id);
  EXPECT_EQ(st.exit_code, 0);
  EXPECT_EQ(LogText(sbc.log_directory + "/cat.log"), "ping\n");
}

// Reads from fd until `want` appears (or EOF / 10 s); returns what was read.
std::string ReadUntil(int fd, const std::string& want) {
  std::string got;
  auto deadline = Clock::now() + 10s;
  while (got.find(want) == std::string::npos && Clock::now() < deadline) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    char buf[4096];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    got.append(buf, static_cast<size_t>(n));
  }
  return got;
}

TEST_F(OciRuntimeTest, TtyExecAndAttachWithResize) {
  auto sbc = Sandbox("tty");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok());
  auto c = Ctr("term", {"sh", "-c", "read x; echo got $x; stty size; exit 3"});
  c.tty = true;
  c.stdin = true;
  std::string id = Start(*sb, c, sbc);

  // exec -t
  int in[2], out[2];
  ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  ExecRequest req;
  req.cmd = {"sh", "-c", "read line; tty; stty size; exit 5"};
  req.tty = true;
  req.fds = {in[0], out[1], -1};
  auto ex = rt().Exec(id, req);
  close(in[0]);
  close(out[1]);
  ASSERT_TRUE(ex.ok()) << ex.status().ToString();
  ASSERT_TRUE((*ex)->Resize(100, 40).ok());
  ASSERT_EQ(write(in[1], "go\n", 3), 3);
  std::string text = ReadUntil(out[0], "40 100");
  EXPECT_NE(text.find("/dev/pts/"), std::string::npos) << text;
  EXPECT_NE(text.find("40 100"), std::string::npos) << text;
  auto code = (*ex)->Wait(10000);
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(*code, 5);
  close(in[1]);
  close(out[0]);

  // attach to the tty container's main process
  ASSERT_EQ(pipe2(in, O_CLOEXEC), 0);
  ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
  auto at = rt().Attach(id, {in[0], out[1], -1});
  close(in[0]);
  close(out[1]);
  ASSERT_TRUE(at.ok()) << at.status().ToString();
  ASSERT_TRUE((*at)->Resize(80, 24).ok());
  // The resize frame is handled before the stdin frame that follows it on the same socket.
  ASSERT_EQ(write(in[1], "hello\n", 6), 6);
  text = ReadUntil(out[0], "24 80");
  EXPECT_NE(text.find("got hello"), std::string::npos) << text;
  EXPECT_NE(text.find("24 80"), std::string::npos) << text;
  auto ac = (*at)->Wait(10000);
  ASSERT_TRUE(ac.ok()) << ac.status().ToString();
  EXPECT_EQ(*ac, 3);
  close(in[1]);
  close(out[0]);
  EXPECT_EQ(WaitExited(id).exit_code, 3);
  // A tty container's output is logged as stdout.
  EXPECT_NE(ReadFile(sbc.log_directory + "/term.log").find(" stdout "), std::string::npos);
}

TEST_F(OciRuntimeTest, PortForwardReachesTheSandboxLoopback) {
  auto sbc = Sandbox("pf");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok());
  std::string id =
      Start(*sb, Ctr("srv", {"sh", "-c", "while true; do echo hello | nc -l -p 8080; done"}), sbc);
  std::string got;
  auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline && got.empty()) {
    auto fd = rt().PortForward(*sb, 8080);
    if (!fd.ok()) {
      EXPECT_EQ(fd.status().code(), StatusCode::kUnavailable) << fd.status().ToString();
      std::this_thread::sleep_for(20ms);
      continue;
    }
    char buf[64];
    ssize_t n = read(*fd, buf, sizeof buf);
    if (n > 0) got.assign(buf, static_cast<size_t>(n));
    close(*fd);
  }
  EXPECT_EQ(got, "hello\n");
  // Nothing listens on the host's 8080 for this: the socket was in the pod's namespace.
  EXPECT_EQ(rt().PortForward(*sb, 8081).status().code(), StatusCode::kUnavailable);
}

TEST_F(OciRuntimeTest, CniPodIpIsReachableAndReleased) {
  h_.reset();
  h_ = std::make_unique<OciHarness>(true);
  auto sbc = Sandbox("cni");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok()) << sb.status().ToString();
  auto st = rt().PodSandboxStatus(*sb);
  ASSERT_TRUE(st.ok());
  std::string ip = st->network.ip;
  ASSERT_EQ(ip.rfind("10.251.", 0), 0u) << ip;
  std::string id = Start(*sb, Ctr("srv", {"sh", "-c", "while true; do echo pod | nc -l -p 8080; done"}), sbc);
  EXPECT_NE(Exec(id, "ip addr show eth0").find(ip + "/24"), std::string::npos);
  EXPECT_NE(Exec(id, "cat /etc/hosts").find(ip + "\tcni-host"), std::string::npos);
  // From the host to pod_ip:8080 through the bridge.
  std::string got;
  auto deadline = Clock::now() + 10s;
  while (Clock::now() < deadline && got.empty()) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(8080);
    inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0) {
      char buf[16];
      ssize_t n = read(fd, buf, sizeof buf);
      if (n > 0) got.assign(buf, static_cast<size_t>(n));
    } else {
      std::this_thread::sleep_for(20ms);
    }
    close(fd);
  }
  EXPECT_EQ(got, "pod\n");
  // Stop releases the network: the veth leaves the bridge, the IP is not reported.
  ASSERT_TRUE(rt().StopPodSandbox(*sb).ok());
  EXPECT_EQ(rt().PodSandboxStatus(*sb)->network.ip, "");
  std::error_code ec;
  int attached = 0;
  for (const auto& e : fs::directory_iterator("/sys/class/net/" + g_cni->bridge + "/brif", ec))
    ++attached, (void)e;
  EXPECT_EQ(attached, 0);
}

TEST_F(OciRuntimeTest, RestartAdoptionKeepsExitCodes) {
  auto sbc = Sandbox("adopt");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok());
  std::string gate = h_->dir() + "/gate";
  fs::create_directories(gate);
  auto waiter = Ctr("waiter", {"sh", "-c", "while [ ! -e /gate/go ]; do sleep 0.05; done; echo bye; exit 7"});
  waiter.mounts = {{"/gate", gate, true, MountPropagation::kPrivate}};
  std::string w = Start(*sb, waiter, sbc);
  std::string runner = Start(*sb, Ctr("runner", {"sleep", "1000"}), sbc);

  auto lost_cfg = Sandbox("lost");
  auto lost = rt().RunPodSandbox(lost_cfg);
  ASSERT_TRUE(lost.ok());
  std::string lost_netns = rt().PodSandboxStatus(*lost)->netns_path;

  h_->Close();  // the runtime goes away; its containers do not
  std::ofstream(gate + "/go") << "";
  // As after a reboot, one sandbox's network namespace is gone.
  ASSERT_TRUE(network::cni::DeleteNetns(lost_netns).ok());
  std::string exit_file = h_->dir() + "/root/containers/" + w + "/exit";
  auto deadline = Clock::now() + 20s;
  while (!fs::exists(exit_file) && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(fs::exists(exit_file)) << "the shim records the exit while the runtime is down";

  h_->Open();
  auto sst = rt().PodSandboxStatus(*sb);
  ASSERT_TRUE(sst.ok()) << sst.status().ToString();
  EXPECT_EQ(sst->state, PodSandboxState::kReady);
  EXPECT_EQ(rt().PodSandboxStatus(*lost)->state, PodSandboxState::kNotReady);
  auto st = rt().ContainerStatus(w);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->state, ContainerState::kExited);
  EXPECT_EQ(st->exit_code, 7);
  EXPECT_EQ(st->reason, "Error");
  EXPECT_GT(st->finished_at, st->started_at);
  EXPECT_EQ(LogText(sbc.log_directory + "/waiter.log"), "bye\n");
  auto rst = rt().ContainerStatus(runner);
  ASSERT_TRUE(rst.ok());
  EXPECT_EQ(rst->state, ContainerState::kRunning);
  EXPECT_EQ(Exec(runner, "echo still here"), "still here\n");
  ASSERT_TRUE(rt().StopContainer(runner, 0).ok());
  EXPECT_EQ(rt().ContainerStatus(runner)->exit_code, 137);
}

TEST_F(OciRuntimeTest, HostNetworkSandbox) {
  auto sbc = Sandbox("hostnet");
  sbc.linux.security_context.namespace_options.network = NamespaceMode::kNode;
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok()) << sb.status().ToString();
  EXPECT_EQ(rt().PodSandboxStatus(*sb)->netns_path, "");
  std::string id = Start(*sb, Ctr("main", {"sleep", "1000"}), sbc);
  EXPECT_EQ(Exec(id, "readlink /proc/self/ns/net"), fs::read_symlink("/proc/self/ns/net").string() + "\n");
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  EXPECT_EQ(Exec(id, "hostname"), std::string(host) + "\n");
}

TEST_F(OciRuntimeTest, PullFromRegistryThenRun) {
  auto reg = testimage::TestRegistry::Start();
  ASSERT_TRUE(reg.ok()) << reg.status().ToString();
  testimage::TestImageOptions o;
  o.extra_files = {{"etc/pulled", "yes\n"}};
  std::string archive = h_->dir() + "/pulled.tar";
  ASSERT_TRUE(testimage::WriteBusyboxOciArchive(archive, "", o).ok());
  ASSERT_TRUE((*reg)->PushOciArchive(archive, "test/pulled:1").ok());
  std::string ref = (*reg)->host() + "/test/pulled:1";
  auto id = rt().PullImage(ref, {});
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  auto st = rt().ImageStatus(ref);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->id, *id);
  auto sbc = Sandbox("pulled");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok());
  auto c = Ctr("main", {"sleep", "1000"});
  c.image = ref;
  std::string cid = Start(*sb, c, sbc);
  EXPECT_EQ(Exec(cid, "cat /etc/pulled"), "yes\n");
  ASSERT_TRUE(rt().RemovePodSandbox(*sb).ok());
  EXPECT_TRUE(rt().RemoveImage(ref).ok());
  EXPECT_EQ(rt().ImageStatus(ref).status().code(), StatusCode::kNotFound);
}

TEST_F(OciRuntimeTest, LogsRotateBySize) {
  h_.reset();
  h_ = std::make_unique<OciHarness>();
  h_->Close();
  h_->set_log_max_size(4096);
  h_->Open();
  auto sbc = Sandbox("rotate");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok());
  std::string id = Start(*sb, Ctr("chatty", {"sh", "-c", "seq 1 3000"}), sbc);
  auto st = WaitExited(id);
  EXPECT_EQ(st.exit_code, 0) << st.reason << ": " << st.message
                             << "\nlog: " << ReadFile(sbc.log_directory + "/chatty.log").substr(0, 2000);
  std::string path = sbc.log_directory + "/chatty.log";
  auto rotated = logs::ListRotatedFiles(path);
  EXPECT_FALSE(rotated.empty());
  EXPECT_LE(rotated.size(), 4u) << "at most max_files (5) files in all";
  EXPECT_LE(fs::file_size(path), 4096u);
  EXPECT_NE(LogText(path).find("3000\n"), std::string::npos);
}

TEST_F(OciRuntimeTest, HalfCreatedContainerIsRemovedAtOpen) {
  auto sbc = Sandbox("half");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok());
  auto id = rt().CreateContainer(*sb, Ctr("c", {"sleep", "1000"}), sbc);
  ASSERT_TRUE(id.ok());
  h_->Close();
  // As if the runtime had died between the shim's report and recording the container.
  std::string dir = h_->dir() + "/root/containers/" + *id;
  fs::remove(dir + "/container.json");
  h_->Open();
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_EQ(rt().ContainerStatus(*id).status().code(), StatusCode::kNotFound);
  // The harness's leak check then finds no shim, mount or runc container left.
}

TEST_F(OciRuntimeTest, HalfCreatedSandboxIsUndoneAtOpenWithCniDel) {
  h_.reset();
  h_ = std::make_unique<OciHarness>(true);
  auto sbc = Sandbox("halfsb");
  sbc.linux.security_context.namespace_options.pid = NamespaceMode::kPod;  // a pause process
  sbc.linux.security_context.namespace_options.ipc = NamespaceMode::kPod;
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok()) << sb.status().ToString();
  std::string dir = h_->dir() + "/root/sandboxes/" + *sb;
  std::istringstream pause(ReadFile(dir + "/pause.pid"));
  int pause_pid = 0;
  pause >> pause_pid;
  ASSERT_GT(pause_pid, 0);
  auto cached = [&] {
    for (const auto& a : g_cni->network->ListCachedAttachments())
      if (a.container_id == *sb) return true;
    return false;
  };
  ASSERT_TRUE(cached());
  h_->Close();
  // As if the runtime had died in RunPodSandbox before recording the sandbox.
  fs::remove(dir + "/sandbox.json");
  h_->Open();
  EXPECT_FALSE(fs::exists(dir));
  EXPECT_TRUE(rt().ListPodSandbox({})->empty());
  EXPECT_FALSE(cached()) << "CNI DEL released the pod's IP";
  EXPECT_FALSE(fs::exists(h_->dir() + "/netns/" + *sb));
  auto deadline = Clock::now() + 5s;
  auto pause_gone = [&] {
    std::string stat = ReadFile("/proc/" + std::to_string(pause_pid) + "/stat");
    return stat.empty() || stat.find(") Z") != std::string::npos;
  };
  while (!pause_gone() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  EXPECT_TRUE(pause_gone()) << "the pause process is ended";
  // The harness's leak check then finds no netns or mount left, the CNI env no veth.
}

TEST_F(OciRuntimeTest, ExitWhileDownBeforeStartWasRecordedIsKept) {
  auto sbc = Sandbox("midstart");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok());
  std::string gate = h_->dir() + "/gate2";
  fs::create_directories(gate);
  auto c = Ctr("quick", {"sh", "-c", "while [ ! -e /gate/go ]; do sleep 0.05; done; exit 3"});
  c.mounts = {{"/gate", gate, true, MountPropagation::kPrivate}};
  std::string id = Start(*sb, c, sbc);
  h_->Close();
  // As if the runtime had died between `runc start` and recording the start.
  std::string rec = h_->dir() + "/root/containers/" + id + "/container.json";
  auto j = nlohmann::json::parse(ReadFile(rec));
  j["started_at"] = 0;
  std::ofstream(rec) << j.dump();
  std::ofstream(gate + "/go") << "";
  std::string exit_file = h_->dir() + "/root/containers/" + id + "/exit";
  auto deadline = Clock::now() + 20s;
  while (!fs::exists(exit_file) && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  ASSERT_TRUE(fs::exists(exit_file));
  // The shim removes its attach socket as it exits: adopt a container whose shim is gone.
  std::string sock = h_->dir() + "/root/containers/" + id + "/attach.sock";
  while (fs::exists(sock) && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
  h_->Open();
  auto st = rt().ContainerStatus(id);
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  EXPECT_EQ(st->state, ContainerState::kExited);
  EXPECT_EQ(st->exit_code, 3);
  EXPECT_GT(st->started_at, 0);
  EXPECT_LE(st->started_at, st->finished_at);
  EXPECT_EQ(rt().StartContainer(id).code(), StatusCode::kConflict) << "it must not run a second time";
}

TEST_F(OciRuntimeTest, ExecSyncTimeoutKillsTheProcess) {
  auto sbc = Sandbox("exectimeout");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok());
  std::string id = Start(*sb, Ctr("main", {"sleep", "1000"}), sbc);
  EXPECT_EQ(rt().ExecSync(id, {"sleep", "37"}, 1).status().code(), StatusCode::kTimeout);
  auto deadline = Clock::now() + 5s;
  std::string ps;
  do {
    ps = Exec(id, "ps -o args");
  } while (ps.find("sleep 37") != std::string::npos && Clock::now() < deadline);
  EXPECT_EQ(ps.find("sleep 37"), std::string::npos) << ps;
  EXPECT_NE(ps.find("sleep 1000"), std::string::npos) << ps;
}

TEST_F(OciRuntimeTest, PrivilegedSeesDevicesAndAllCaps) {
  auto sbc = Sandbox("priv");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok());
  plain_dev_probe_ = Start(*sb, Ctr("plain", {"sleep", "1000"}), sbc);
  auto c = Ctr("p", {"sleep", "1000"});
  c.linux.security_context.privileged = true;
  std::string id = Start(*sb, c, sbc);
  // Every capability the host can grant (this process's bounding set).
  std::string bnd;
  {
    std::istringstream in(ReadFile("/proc/self/status"));
    std::string line;
    while (std::getline(in, line))
      if (line.rfind("CapBnd:", 0) == 0) bnd = line.substr(8);
  }
  std::string caps = Exec(id, "grep CapEff /proc/self/status");
  EXPECT_EQ(caps, "CapEff:\t" + bnd + "\n");
  EXPECT_NE(Exec(id, "ls /dev"), Exec(plain_dev_probe_, "ls /dev")) << "privileged sees the host devices";
  EXPECT_EQ(Exec(plain_dev_probe_, "grep CapEff /proc/self/status"), "CapEff:\t00000000a80425fb\n");
}

TEST_F(OciRuntimeTest, BadConfigIsInvalidAndMissingExecutableIsStartError) {
  auto sbc = Sandbox("fail");
  auto sb = rt().RunPodSandbox(sbc);
  ASSERT_TRUE(sb.ok());
  auto c = Ctr("bad", {"sleep", "1"});
  c.working_dir = "relative";
  EXPECT_EQ(rt().CreateContainer(*sb, c, sbc).status().code(), StatusCode::kInvalid);
  std::error_code ec;
  int left = 0;
  for (const auto& e : fs::directory_iterator(h_->dir() + "/root/containers", ec)) ++left, (void)e;
  EXPECT_EQ(left, 0) << "a refused create leaves nothing";

  auto id = rt().CreateContainer(*sb, Ctr("missing", {"/no/such/binary"}), sbc);
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  Status start = rt().StartContainer(*id);
  EXPECT_EQ(start.code(), StatusCode::kInternal);
  EXPECT_NE(start.message().find("/no/such/binary"), std::string::npos) << start.message();
  auto st = rt().ContainerStatus(*id);
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->state, ContainerState::kExited);
  EXPECT_EQ(st->reason, "StartError");
  EXPECT_EQ(st->exit_code, 128);
  EXPECT_EQ(st->started_at, 0);
  EXPECT_GT(st->finished_at, 0);
  EXPECT_NE(st->message.find("/no/such/binary"), std::string::npos) << st->message;
  EXPECT_TRUE(rt().RemoveContainer(*id).ok());
}

}  // namespace
}  // namespace kubepp::runtime::oci
