#include "runtime/runtime.h"

#include <chrono>

namespace kubepp::runtime {

const char* ToString(PodSandboxState state) {
  return state == PodSandboxState::kReady ? "SANDBOX_READY" : "SANDBOX_NOTREADY";
}

const char* ToString(ContainerState state) {
  switch (state) {
    case ContainerState::kCreated:
      return "CONTAINER_CREATED";
    case ContainerState::kRunning:
      return "CONTAINER_RUNNING";
    case ContainerState::kExited:
      return "CONTAINER_EXITED";
    case ContainerState::kUnknown:
      break;
  }
  return "CONTAINER_UNKNOWN";
}

bool MatchLabels(const std::map<std::string, std::string>& selector,
                 const std::map<std::string, std::string>& labels) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

int64_t NowNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace kubepp::runtime
