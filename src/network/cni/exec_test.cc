#include "network/cni/exec.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>

namespace kubepp::network::cni {
namespace {

using std::chrono::milliseconds;

TEST(RunProcessTest, PassesStdinAndCollectsStdoutStderrAndExitCode) {
  auto r =
      RunProcess("/bin/sh", {"sh", "-c", "cat; echo oops >&2; exit 3"}, {}, "hello", milliseconds(10000));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, "hello");
  EXPECT_EQ(r->err, "oops\n");
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(r->timed_out);
}

TEST(RunProcessTest, EnvironmentIsExactlyTheGivenOne) {
  setenv("KUBEPP_EXEC_TEST_LEAK", "1", 1);
  auto r = RunProcess("/usr/bin/env", {"env"}, {"A=1", "B=two"}, "", milliseconds(10000));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out, "A=1\nB=two\n");
}

TEST(RunProcessTest, LargeInputAndOutputDoNotDeadlock) {
  std::string big(3 << 20, 'x');
  auto r = RunProcess("/bin/cat", {"cat"}, {}, big, milliseconds(20000));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->out.size(), big.size());
  EXPECT_EQ(r->exit_code, 0);
}

TEST(RunProcessTest, ChildThatIgnoresStdinDoesNotRaiseSigpipe) {
  std::string big(3 << 20, 'x');
  auto r = RunProcess("/bin/sh", {"sh", "-c", "exec 0<&-; echo done"}, {}, big, milliseconds(10000));
  ASSERT_TRUE(r.ok()) << r.status().ToString();  // reaching here means no SIGPIPE killed us
  EXPECT_EQ(r->out, "done\n");
}

TEST(RunProcessTest, TimeoutKillsTheProcessGroup) {
  auto start = std::chrono::steady_clock::now();
  // The shell's child `sleep` keeps stdout open; it must be killed too.
  auto r = RunProcess("/bin/sh", {"sh", "-c", "sleep 30; echo late"}, {}, "", milliseconds(300));
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_TRUE(r->timed_out);
  EXPECT_EQ(r->out, "");
  EXPECT_EQ(r->term_signal, SIGKILL);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST(RunProcessTest, MissingBinaryIsAnError) {
  auto r = RunProcess("/nonexistent/plugin", {"plugin"}, {}, "", milliseconds(1000));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nonexistent/plugin"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace kubepp::network::cni
