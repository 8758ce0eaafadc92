// End-to-end checks of the real `kubepp` binary: flags, start, stop.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "common/testing/temp_dir.h"

namespace {

namespace fs = std::filesystem;

// A spawned kubepp. On scope exit (also when an assertion returns early) a
// child still running is SIGKILLed and reaped, and its output pipe closed.
struct Child {
  pid_t pid = -1;   // -1 once reaped
  int err_fd = -1;  // the child's stdout + stderr

  Child() = default;
  Child(pid_t p, int fd) : pid(p), err_fd(fd) {}
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid > 0) {
      kill(pid, SIGKILL);
      waitpid(pid, nullptr, 0);
    }
    if (err_fd >= 0) close(err_fd);
  }
};

std::unique_ptr<Child> Spawn(const std::vector<std::string>& args) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return std::make_unique<Child>();
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], STDERR_FILENO);
    dup2(p[1], STDOUT_FILENO);
    std::vector<char*> argv;
    std::string bin = KUBEPP_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(p[1]);
  return std::make_unique<Child>(pid, p[0]);
}

// Reads the child's output until `needle` appears or the deadline passes.
bool WaitForOutput(int fd, const std::string& needle, std::string* seen,
                   std::chrono::seconds timeout = std::chrono::seconds(20)) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  while (seen->find(needle) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    pollfd pfd{fd, POLLIN, 0};
    if (poll(&pfd, 1, static_cast<int>(left.count())) <= 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) return seen->find(needle) != std::string::npos;
    seen->append(buf, static_cast<size_t>(n));
  }
  return true;
}

// Waits for the child to exit (pidfd readable), SIGKILLing it past 20 s.
int WaitExit(Child& child) {
  const pid_t pid = child.pid;
  int status = 0;
  int pidfd = static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
  pollfd pfd{pidfd, POLLIN, 0};
  if (pidfd < 0 || poll(&pfd, 1, 20000) <= 0) kill(pid, SIGKILL);
  if (pidfd >= 0) close(pidfd);
  waitpid(pid, &status, 0);
  child.pid = -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

TEST(ServerCliTest, StartsTheApiServerAndStopsOnSigterm) {
  kubepp::TempDir tmp("kubepp-cli");  // removed even when an assertion fails
  ASSERT_TRUE(tmp.ok());
  const fs::path dir = tmp.path();
  auto c = Spawn({"server", "--data-dir", dir.string(), "--https-listen-port", "0", "--cluster-cidr",
                  "10.99.0.0/16"});
  ASSERT_GT(c->pid, 0);
  std::string out;
  ASSERT_TRUE(WaitForOutput(c->err_fd, "API server ready at https://127.0.0.1:", &out)) << out;
  EXPECT_NE(out.find("datastore sqlite at " + (dir / "db" / "state.db").string()), std::string::npos) << out;
  EXPECT_TRUE(fs::exists(dir / "db" / "state.db"));
  // The admin kubeconfig is written once the API answers, with the CA and
  // admin certificate beside it in the data dir.
  EXPECT_TRUE(fs::exists(dir / "kubeconfig.yaml"));
  EXPECT_TRUE(fs::exists(dir / "tls" / "ca.crt") || fs::exists(dir / "tls"));
  // Flags of components not built yet are reported, not silently accepted.
  EXPECT_TRUE(WaitForOutput(c->err_fd, "--cluster-cidr: no effect in this build", &out)) << out;
  kill(c->pid, SIGTERM);
  EXPECT_EQ(WaitExit(*c), 0);
  WaitForOutput(c->err_fd, "datastore closed", &out, std::chrono::seconds(2));
  EXPECT_NE(out.find("datastore closed"), std::string::npos) << out;

  // A second start reopens the same datastore.
  auto again = Spawn({"server", "--data-dir", dir.string(), "--https-listen-port", "0"});
  std::string out2;
  ASSERT_TRUE(WaitForOutput(again->err_fd, "API server ready at", &out2)) << out2;
  // The CA is reused, not recreated.
  EXPECT_EQ(out2.find("created cluster CA"), std::string::npos) << out2;
  kill(again->pid, SIGINT);
  EXPECT_EQ(WaitExit(*again), 0);
}

TEST(ServerCliTest, BadFlagsNameTheFlagAndExit2) {
  struct Case {
    std::vector<std::string> args;
    std::string expect;
  } cases[] = {
      {{"server", "--https-listen-port=abc"}, "--https-listen-port"},
      {{"server", "--https-listen-port=70000"}, "--https-listen-port must be between 0 (any free port) and 65535"},
      {{"server", "--no-such-flag"}, "unknown flag: --no-such-flag"},
      {{"server", "--min-request-timeout=0"}, "--min-request-timeout must be at least 1"},
      {{"server", "--datastore-endpoint=etcd://127.0.0.1:2379"}, "--datastore-endpoint"},
      {{"nonsense"}, "unknown command \"nonsense\""},
  };
  for (const Case& tc : cases) {
    auto c = Spawn(tc.args);
    std::string out;
    WaitForOutput(c->err_fd, tc.expect, &out, std::chrono::seconds(5));
    EXPECT_EQ(WaitExit(*c), 2) << tc.args.back();
    EXPECT_NE(out.find(tc.expect), std::string::npos) << out;
    }
}

}  // namespace
