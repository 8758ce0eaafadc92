// LeaderElector against the FakeApiServer with short real durations (lease
// 1 s, renew deadline 500 ms, retry 100 ms): acquisition, the Lease's shape,
// renewal, hand-over on release, takeover after expiry, conflicts and loss.
#include "client/leader_election.h"

#include <atomic>
#include <chrono>
#include <regex>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "client/testing/fake_apiserver_test.h"

namespace kubepp::client {
namespace {

using nlohmann::json;
using namespace std::chrono_literals;

struct Observed {
  std::atomic<int> started{0};
  std::atomic<int> stopped{0};
  std::mutex mu;
  std::vector<std::string> leaders;
  std::vector<std::string> Leaders() {
    std::lock_guard<std::mutex> lock(mu);
    return leaders;
  }
};

class LeaderElectionTest : public FakeApiServerTest {
 protected:
  LeaderElectionConfig Config(const std::string& identity, Observed* observed) {
    LeaderElectionConfig c;
    c.lease_namespace = "kube-system";
    c.lease_name = "kube-scheduler";
    c.identity = identity;
    c.lease_duration = 1000ms;
    c.renew_deadline = 500ms;
    c.retry_period = 100ms;
    c.on_started_leading = [observed] { ++observed->started; };
    c.on_stopped_leading = [observed] { ++observed->stopped; };
    c.on_new_leader = [observed](const std::string& id) {
      std::lock_guard<std::mutex> lock(observed->mu);
      observed->leaders.push_back(id);
    };
    return c;
  }

  std::unique_ptr<LeaderElector> MustNew(LeaderElectionConfig c) {
    auto e = LeaderElector::New(*client_, std::move(c));
    EXPECT_TRUE(e.ok()) << e.status().ToString();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  std::shared_ptr<const json> Lease() { return server_->Peek("coordination.k8s.io/v1", "leases", "kube-system", "kube-scheduler"); }
  std::string Holder() {
    auto l = Lease();
    return l ? (*l)["spec"].value("holderIdentity", "") : "<none>";
  }
};

TEST_F(LeaderElectionTest, RejectsBadConfigs) {
  Observed o;
  struct Case {
    std::function<void(LeaderElectionConfig&)> mutate;
    std::string message;
  } cases[] = {
      {[](auto& c) { c.lease_duration = c.renew_deadline; }, "leaseDuration must be greater than renewDeadline"},
      {[](auto& c) { c.retry_period = 450ms; }, "renewDeadline must be greater than retryPeriod*JitterFactor"},
      {[](auto& c) { c.identity.clear(); }, "Lock identity is empty"},
      {[](auto& c) { c.lease_name.clear(); }, "Lease name is empty"},
  };
  for (auto& c : cases) {
    LeaderElectionConfig config = Config("a", &o);
    c.mutate(config);
    auto e = LeaderElector::New(*client_, config);
    EXPECT_EQ(e.status().code(), StatusCode::kInvalid);
    EXPECT_EQ(e.status().message(), c.message);
  }
}

TEST_F(LeaderElectionTest, AcquiresCreatesLeaseAndRenews) {
  Observed o;
  auto a = MustNew(Config("a", &o));
  a->Start();
  ASSERT_TRUE(Eventually([&] { return a->IsLeader(); }));
  ASSERT_TRUE(Eventually([&] { return o.started.load() == 1; }));  // runs right after IsLeader turns true
  EXPECT_EQ(a->GetLeader(), "a");
  EXPECT_EQ(o.Leaders(), (std::vector<std::string>{"a"}));

  auto lease = Lease();
  ASSERT_NE(lease, nullptr);
  const json& spec = (*lease)["spec"];
  EXPECT_EQ(spec["holderIdentity"], "a");
  EXPECT_EQ(spec["leaseDurationSeconds"], 1);
  EXPECT_EQ(spec["leaseTransitions"], 0);
  const std::regex micro(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z)");
  EXPECT_TRUE(std::regex_match(spec["acquireTime"].get<std::string>(), micro)) << spec.dump();
  EXPECT_TRUE(std::regex_match(spec["renewTime"].get<std::string>(), micro)) << spec.dump();

  const std::string first_renew = spec["renewTime"];
  ASSERT_TRUE(Eventually([&] { return (*Lease())["spec"]["renewTime"] != first_renew; }));
  EXPECT_EQ((*Lease())["spec"]["acquireTime"], spec["acquireTime"]);  // renewing keeps the acquire time
  EXPECT_EQ((*Lease())["spec"]["leaseTransitions"], 0);
  EXPECT_TRUE(a->IsLeader());
  a->Stop();
  EXPECT_EQ(o.stopped.load(), 1);
  EXPECT_TRUE(a->finished());
}

TEST_F(LeaderElectionTest, ReleaseOnStopHandsOverAtOnce) {
  Observed oa, ob;
  auto a = MustNew(Config("a", &oa));
  a->Start();
  ASSERT_TRUE(Eventually([&] { return a->IsLeader(); }));
  auto b = MustNew(Config("b", &ob));
  b->Start();
  ASSERT_TRUE(Eventually([&] { return b->GetLeader() == "a"; }));
  EXPECT_FALSE(b->IsLeader());

  a->Stop();  // releases: holderIdentity cleared
  EXPECT_FALSE(a->IsLeader());
  EXPECT_EQ(oa.stopped.load(), 1);
  // Well before the 1 s lease would have expired on b's clock.
  auto released = std::chrono::steady_clock::now();
  ASSERT_TRUE(Eventually([&] { return b->IsLeader(); }));
  EXPECT_LT(std::chrono::steady_clock::now() - released, 900ms);
  EXPECT_EQ(Holder(), "b");
  EXPECT_EQ((*Lease())["spec"]["leaseTransitions"], 1);
  EXPECT_EQ(ob.Leaders(), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(Eventually([&] { return ob.started.load() == 1; }));
}

TEST_F(LeaderElectionTest, TakesOverAnExpiredLeaseWithoutRelease) {
  Observed oa, ob;
  LeaderElectionConfig ca = Config("a", &oa);
  ca.release_on_cancel = false;  // a crashed leader leaves its lease behind
  auto a = MustNew(ca);
  a->Start();
  ASSERT_TRUE(Eventually([&] { return a->IsLeader(); }));
  auto b = MustNew(Config("b", &ob));
  b->Start();
  ASSERT_TRUE(Eventually([&] { return b->GetLeader() == "a"; }));
  a->Stop();
  auto stopped = std::chrono::steady_clock::now();
  EXPECT_EQ(Holder(), "a");  // not released
  ASSERT_TRUE(Eventually([&] { return b->IsLeader(); }));
  // b waits until the lease has not changed for its duration on b's clock.
  EXPECT_GE(std::chrono::steady_clock::now() - stopped, 700ms);
  EXPECT_EQ(Holder(), "b");
  EXPECT_EQ((*Lease())["spec"]["leaseTransitions"], 1);
}

TEST_F(LeaderElectionTest, ConflictingRenewalIsRetried) {
  Observed o;
  auto a = MustNew(Config("a", &o));
  a->Start();
  ASSERT_TRUE(Eventually([&] { return a->IsLeader(); }));
  server_->FailNext("PUT", 409, "Conflict", "Operation cannot be fulfilled on leases.coordination.k8s.io", 2);
  const std::string renew = (*Lease())["spec"]["renewTime"];
  ASSERT_TRUE(Eventually([&] { return (*Lease())["spec"]["renewTime"] != renew; }));
  EXPECT_TRUE(a->IsLeader());
  EXPECT_EQ(o.stopped.load(), 0);
}

TEST_F(LeaderElectionTest, LosesLeadershipWhenRenewalsFailPastTheDeadline) {
  Observed o;
  auto a = MustNew(Config("a", &o));
  a->Start();
  ASSERT_TRUE(Eventually([&] { return a->IsLeader(); }));
  server_->FailNext("", 503, "ServiceUnavailable", "storage is down", 1000);
  ASSERT_TRUE(Eventually([&] { return a->finished(); }));
  EXPECT_FALSE(a->IsLeader());
  EXPECT_EQ(o.stopped.load(), 1);
}

TEST_F(LeaderElectionTest, OnlyOneOfManyCandidatesLeads) {
  std::vector<std::unique_ptr<Observed>> observed;
  std::vector<std::unique_ptr<LeaderElector>> electors;
  for (int i = 0; i < 4; ++i) {
    observed.push_back(std::make_unique<Observed>());
    electors.push_back(MustNew(Config("c" + std::to_string(i), observed.back().get())));
  }
  for (auto& e : electors) e->Start();
  auto leaders = [&] {
    int n = 0;
    for (auto& e : electors) n += e->IsLeader() ? 1 : 0;
    return n;
  };
  ASSERT_TRUE(Eventually([&] { return leaders() == 1; }));
  // Several retry periods later there is still exactly one.
  const std::string renew = (*Lease())["spec"]["renewTime"];
  ASSERT_TRUE(Eventually([&] { return (*Lease())["spec"]["renewTime"] != renew; }));
  EXPECT_EQ(leaders(), 1);
  int started = 0;
  for (auto& o : observed) started += o->started.load();
  EXPECT_EQ(started, 1);
  for (auto& e : electors) e->Stop();
}

}  // namespace
}  // namespace kubepp::client
