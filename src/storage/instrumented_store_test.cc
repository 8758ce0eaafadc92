#include "storage/instrumented_store.h"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <string>

#include "storage/memory/memory_store.h"

namespace kubepp::storage {
namespace {

TEST(InstrumentedStoreTest, PassesResultsThroughAndTimesEveryCall) {
  auto inner = NewMemoryStore();
  std::mutex mu;
  std::map<std::string, int> calls;
  auto store = NewInstrumentedStore(*inner, [&](std::string_view op, std::chrono::nanoseconds d) {
    EXPECT_GE(d.count(), 0);
    std::lock_guard lock(mu);
    ++calls[std::string(op)];
  });
  ASSERT_TRUE(store->Create("/a", "1").ok());
  EXPECT_EQ(store->Create("/a", "2").status.code(), StatusCode::kAlreadyExists);
  auto got = store->Get("/a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->value, "1");
  EXPECT_EQ(store->Get("/missing").status().code(), StatusCode::kNotFound);
  ListOptions lo;
  lo.range = KeyRange::Prefix("/");
  EXPECT_EQ(store->List(lo)->kvs.size(), 1u);
  EXPECT_TRUE(store->Update("/a", "3", got->mod_revision).ok());
  EXPECT_TRUE(store->Delete("/a").ok());
  EXPECT_EQ(store->CurrentRevision(), inner->CurrentRevision());
  EXPECT_EQ(calls["create"], 2);
  EXPECT_EQ(calls["get"], 2);
  EXPECT_EQ(calls["list"], 1);
  EXPECT_EQ(calls["update"], 1);
  EXPECT_EQ(calls["delete"], 1);
}

}  // namespace
}  // namespace kubepp::storage
