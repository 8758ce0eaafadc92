#include "storage/testing/conformance.h"

namespace kubepp::storage::testing {

using std::chrono::milliseconds;

std::vector<Event> CollectEvents(Watch& w, size_t n, milliseconds timeout, Status* end) {
  std::vector<Event> out;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out.size() < n && std::chrono::steady_clock::now() < deadline) {
    auto got = w.Next(milliseconds(50));
    if (!got.ok()) {
      if (end) *end = got.status();
      break;
    }
    for (Event& e : *got) out.push_back(std::move(e));
  }
  return out;
}

}  // namespace kubepp::storage::testing
