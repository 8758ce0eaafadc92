#include "storage/memory/memory_store.h"

#include "storage/testing/conformance.h"

namespace kubepp::storage::testing {
namespace {

class MemoryHarness final : public StoreHarness {
 public:
  std::unique_ptr<Store> Open(Clock* clock) override {
    MemoryOptions o;
    o.clock = clock;
    o.lease_check_interval = std::chrono::milliseconds(5);
    return NewMemoryStore(o);
  }
};

INSTANTIATE_TEST_SUITE_P(Memory, StoreConformanceTest,
                         ::testing::Values(BackendParam{"memory", [] { return std::make_unique<MemoryHarness>(); }}),
                         BackendParamName);

}  // namespace
}  // namespace kubepp::storage::testing
