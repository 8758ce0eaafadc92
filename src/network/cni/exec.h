// RunProcess: runs one executable with a given argv, a clean environment and
// stdin bytes, and collects its stdout, stderr and exit status, killing it
// (and its process group) after a timeout.
//
// Used to invoke CNI plugins (and iptables for the ipMasq sweep); internal to
// network/cni. The child is started with posix_spawn in its own process group,
// with every signal disposition reset to default, an empty signal mask and
// every descriptor above 2 closed. SIGPIPE from a child that stops reading its
// stdin early is blocked and consumed on the calling thread, so the caller's
// process never sees it.
//
// Thread-safe: independent calls may run concurrently. Blind spot: output is
// capped (kMaxOutputBytes per stream); bytes past the cap are dropped.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "common/status.h"

namespace kubepp::network::cni {

struct ProcessResult {
  int exit_code = -1;   // exit status when the child exited normally, else -1
  int term_signal = 0;  // signal that killed the child, else 0
  bool timed_out = false;
  std::string out;  // stdout
  std::string err;  // stderr
};

inline constexpr size_t kMaxOutputBytes = 16 << 20;

// Returns Internal when the process cannot be started (with errno text, e.g.
// "No such file or directory"). A non-zero exit, a signal or a timeout are not
// errors here: they are reported in ProcessResult.
StatusOr<ProcessResult> RunProcess(const std::string& path, const std::vector<std::string>& argv,
                                   const std::vector<std::string>& env, const std::string& stdin_data,
                                   std::chrono::milliseconds timeout);

}  // namespace kubepp::network::cni
