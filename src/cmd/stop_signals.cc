#include "cmd/stop_signals.h"

#include <pthread.h>

#include <ctime>

namespace kubepp::cmd {

StopSignals::StopSignals() {
  sigemptyset(&set_);
  sigaddset(&set_, SIGTERM);
  sigaddset(&set_, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set_, nullptr);
}

int StopSignals::Wait(const std::function<bool()>& should_end) {
  if (!should_end) {
    int sig = 0;
    sigwait(&set_, &sig);
    return sig;
  }
  timespec tick{0, 200'000'000};
  for (;;) {
    int sig = sigtimedwait(&set_, nullptr, &tick);
    if (sig == SIGTERM || sig == SIGINT) return sig;
    if (should_end()) return 0;
  }
}

const char* SignalName(int sig) { return sig == SIGTERM ? "SIGTERM" : "SIGINT"; }

}  // namespace kubepp::cmd
