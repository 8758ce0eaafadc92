// @kubernetes/client-node (the official JavaScript client, 1.x) against a
// real `kubepp server`: an informer sees create/update/delete in order across
// a watch timeout and a 410 (test/e2e/js/informer_test.mjs).
#include <gtest/gtest.h>

#include <filesystem>

#include "process.h"

namespace kubepp::e2e {
namespace {

namespace fs = std::filesystem;

TEST(JsClientTest, InformerSeesEventsInOrderAcrossTimeoutAnd410) {
  const fs::path js = fs::path(KUBEPP_SOURCE_DIR) / "test/e2e/js";
  ASSERT_TRUE(fs::exists(js / "node_modules/@kubernetes/client-node"))
      << "run scripts/install-deps.sh (it installs the npm packages of test/e2e/js)";
  std::string log;
  auto server = TestServer::Start(KUBEPP_BINARY, &log,
                                  {"--min-request-timeout=1", "--watch-cache-size=20"});
  ASSERT_TRUE(server) << log;
  RunResult r = ::kubepp::e2e::Run({"/usr/bin/node", (js / "informer_test.mjs").string()},
                    {{"KUBECONFIG", server->kubeconfig()}, {"HOME", server->home()}}, "",
                    std::chrono::seconds(90));
  EXPECT_EQ(r.rc, 0) << "stdout: " << r.out << "\nstderr: " << r.err << "\nserver: " << server->process().output();
  EXPECT_NE(r.out.find("ok:"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace kubepp::e2e
