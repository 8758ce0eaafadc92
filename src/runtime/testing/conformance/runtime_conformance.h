// The runtime conformance suite: one set of tests every runtime::Runtime implementation runs
// (fake/, oci/), holding each to the CRI behaviour the kubelet relies on: sandbox and
// container state machines, exit codes and reasons, stop with grace then kill, CRI logs,
// ExecSync and Exec, list filters, NotFound/idempotent-remove errors.
//
// An implementation instantiates the suite with a harness that makes a fresh runtime with
// a busybox-like image present:
//
//   INSTANTIATE_TEST_SUITE_P(Fake, RuntimeConformanceTest,
//       ::testing::Values(RuntimeParam{"fake", [] { return MakeFakeHarness(); }}), RuntimeParamName);
//
// The suite's source (runtime_conformance.cc) must be compiled into the test binary itself
// (gtest registers TEST_P cases from static initializers, which a static library would drop).
// The commands used are the subset the fake simulates (sh -c with echo/exit/sleep/trap/cat).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "runtime/runtime.h"

namespace kubepp::runtime::testing {

class RuntimeHarness {
 public:
  virtual ~RuntimeHarness() = default;
  virtual Runtime& runtime() = 0;
  // A reference to an image present in the runtime whose /bin has busybox applets
  // (sh, echo, sleep, cat, ...). Its config has no entrypoint and cmd ["sh"].
  virtual std::string image() = 0;
  // A fresh directory for pod log directories.
  virtual std::string log_root() = 0;
  // True when processes and time are real (grace periods are then measured).
  virtual bool real_processes() const = 0;
  // True when sandboxes get a pod IP from a network plugin.
  virtual bool pod_network() const { return false; }
};

struct RuntimeParam {
  std::string name;
  std::function<std::unique_ptr<RuntimeHarness>()> make;
};
std::string RuntimeParamName(const ::testing::TestParamInfo<RuntimeParam>& info);
inline void PrintTo(const RuntimeParam& p, std::ostream* os) { *os << p.name; }

class RuntimeConformanceTest : public ::testing::TestWithParam<RuntimeParam> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Runtime& rt() { return harness_->runtime(); }
  // A sandbox config with a unique uid; logs under log_root()/<name>.
  PodSandboxConfig SandboxConfig(const std::string& name);
  ContainerConfig Ctr(const std::string& name, std::vector<std::string> command);
  // Runs a sandbox, failing the test on error.
  std::string RunSandbox(const PodSandboxConfig& config);
  // Creates and starts a container, failing the test on error.
  std::string StartCtr(const std::string& sandbox, const ContainerConfig& config,
                       const PodSandboxConfig& sandbox_config);
  // Polls ContainerStatus until `state` (10 s deadline).
  runtime::ContainerStatus WaitState(const std::string& id, ContainerState state);

  std::unique_ptr<RuntimeHarness> harness_;
};

}  // namespace kubepp::runtime::testing
