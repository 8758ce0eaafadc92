// Running helper programs (runc, the shim) from the runtime: fork/exec with pipes, output
// captured, optional deadline. Internal to the oci runtime.
//
// Thread-safe (no shared state). The child gets only the fds named here (everything else
// is O_CLOEXEC in this code base, and the child closes fds >= 3 not listed before exec).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace kubepp::runtime::oci {

struct CommandResult {
  int exit_code = -1;  // 128+signal when killed by a signal
  std::string out;
  std::string err;
};

struct CommandOptions {
  std::string stdin_data;
  // -1: no deadline. On expiry the child is SIGKILLed and Timeout returned.
  std::chrono::milliseconds timeout{-1};
  // Extra fds the child keeps, dup2'ed to 3, 4, ... in this order.
  std::vector<int> extra_fds;
  // stdio of the child: -1 = pipes captured into the result; otherwise the given fds.
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
  bool new_session = false;
  // Bytes kept per captured stream; the rest is read and dropped (the child never blocks).
  size_t max_output = 64u << 20;
};

// Runs argv[0] (a path) to completion. Internal when it cannot be started.
StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv, const CommandOptions& options = {});

// Starts argv with the given stdio fds (-1 = /dev/null) and extra fds; returns the pid
// (the caller waits for it). Internal when fork/exec fails.
StatusOr<pid_t> SpawnProcess(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd, int stderr_fd,
                             const std::vector<int>& extra_fds = {}, bool new_session = false);

// "runc: <stderr text>" trimmed, for error messages.
std::string CommandError(const std::string& what, const CommandResult& r);

}  // namespace kubepp::runtime::oci
