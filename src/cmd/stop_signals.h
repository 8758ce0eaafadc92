// SIGTERM/SIGINT handling shared by the long-running subcommands: block the
// signals before any thread starts (so only the waiting thread sees them),
// then wait for one — or for a component's own reason to end.
#pragma once

#include <signal.h>

#include <functional>

namespace kubepp::cmd {

class StopSignals {
 public:
  // Blocks SIGTERM and SIGINT in the calling thread; threads started
  // afterwards inherit the mask.
  StopSignals();
  // The signal received (SIGTERM or SIGINT), or 0 when `should_end` (checked
  // every 200 ms; may be null) returned true first.
  int Wait(const std::function<bool()>& should_end = nullptr);

 private:
  sigset_t set_;
};

// "SIGTERM" / "SIGINT".
const char* SignalName(int sig);

}  // namespace kubepp::cmd
