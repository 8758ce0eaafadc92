// The storage conformance suite: one set of tests every Store backend runs
// (memory, sqlite; etcd when it exists), holding each to etcd v3 semantics.
//
// A backend instantiates the suite with a harness that opens fresh, empty
// stores:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//       ::testing::Values(BackendParam{"sqlite", [] { return MakeMyHarness(); }}),
//       BackendParamName);
//
// The suite's source (testing/conformance.cc) must be compiled into the test
// binary itself (gtest registers TEST_P cases from static initializers, which
// a static library would drop).
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <ostream>
#include <memory>
#include <string>
#include <vector>

#include "storage/storage.h"
#include "storage/testing/fake_clock.h"

namespace kubepp::storage::testing {

// Opens stores for one test; owns whatever they need (a temp dir).
class StoreHarness {
 public:
  virtual ~StoreHarness() = default;
  // A fresh, empty store whose leases expire by `clock` (polled often: tests
  // wait for expiry on a condition with a deadline).
  virtual std::unique_ptr<Store> Open(Clock* clock) = 0;
};

struct BackendParam {
  std::string name;
  std::function<std::unique_ptr<StoreHarness>()> make;
};
std::string BackendParamName(const ::testing::TestParamInfo<BackendParam>& info);
// Prints the backend's name in test listings (instead of the param's bytes).
inline void PrintTo(const BackendParam& p, std::ostream* os) { *os << p.name; }

class StoreConformanceTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override;
  void TearDown() override;

  FakeClock clock_;
  std::unique_ptr<StoreHarness> harness_;
  std::unique_ptr<Store> store_;
};

// Reads events from `w` until `n` arrived, the watch ended, or `timeout`
// passed. Returns what arrived; *end receives the end status if it ended.
std::vector<Event> CollectEvents(Watch& w, size_t n, std::chrono::milliseconds timeout, Status* end = nullptr);

}  // namespace kubepp::storage::testing
