// FakeApiServerTest: the GoogleTest fixture of the client library's tests
// that run against a plain-HTTP FakeApiServer: each test gets a fresh
// server_ and a client_ for it. Eventually() is the polling wait for state a
// test can observe only from outside (the fake server's counters).
//
// Header-only, for tests (which link GoogleTest). Thread-safety: as gtest
// fixtures; server_ and client_ themselves are thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <thread>

#include <gtest/gtest.h>

#include "client/client.h"
#include "client/testing/fake_apiserver.h"

namespace kubepp::client {

class FakeApiServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = FakeApiServer::Start();
    ASSERT_TRUE(server.ok()) << server.status().ToString();
    server_ = std::move(server).value();
    RestConfig config;
    config.server = server_->url();
    auto client = Client::New(config);
    ASSERT_TRUE(client.ok()) << client.status().ToString();
    client_ = std::move(client).value();
  }

  std::unique_ptr<FakeApiServer> server_;
  std::unique_ptr<Client> client_;
};

// Polls `cond` until it is true (returns true) or 10 s passed (false).
template <typename Cond>
bool Eventually(Cond cond) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!cond()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

}  // namespace kubepp::client
