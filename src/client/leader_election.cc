#include "client/leader_election.h"

#include <random>

#include <nlohmann/json.hpp>

#include "api/time.h"
#include "common/log.h"

namespace kubepp::client {
namespace {

using nlohmann::json;

constexpr double kJitterFactor = 1.2;

std::string MicroTime(Clock::WallTime t) {
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  return api::Time::FromUnixNanos(nanos).FormatMicro();
}

std::string StringField(const json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t CeilSeconds(std::chrono::milliseconds d) { return (d.count() + 999) / 1000; }

}  // namespace

StatusOr<std::unique_ptr<LeaderElector>> LeaderElector::New(Client& client, LeaderElectionConfig config) {
  if (config.lease_duration <= config.renew_deadline) {
    return Status::Invalid("leaseDuration must be greater than renewDeadline");
  }
  if (config.renew_deadline.count() <= kJitterFactor * static_cast<double>(config.retry_period.count())) {
    return Status::Invalid("renewDeadline must be greater than retryPeriod*JitterFactor");
  }
  if (config.lease_duration.count() < 1) return Status::Invalid("leaseDuration must be greater than zero");
  if (config.renew_deadline.count() < 1) return Status::Invalid("renewDeadline must be greater than zero");
  if (config.retry_period.count() < 1) return Status::Invalid("retryPeriod must be greater than zero");
  if (config.identity.empty()) return Status::Invalid("Lock identity is empty");
  if (config.lease_name.empty()) return Status::Invalid("Lease name is empty");
  return std::unique_ptr<LeaderElector>(new LeaderElector(client, std::move(config)));
}

LeaderElector::LeaderElector(Client& client, LeaderElectionConfig config)
    : client_(client),
      config_(std::move(config)),
      clock_(config_.clock ? *config_.clock : RealClock()),
      wakeup_(clock_, mu_, cv_) {}

LeaderElector::~LeaderElector() { Stop(); }

void LeaderElector::Start() {
  std::lock_guard<std::mutex> join_lock(join_mu_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (started_ || stopping_) return;
    started_ = true;
  }
  thread_ = std::thread([this] { Run(); });
}

void LeaderElector::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    cv_.notify_all();
  }
  std::lock_guard<std::mutex> join_lock(join_mu_);
  if (thread_.joinable()) thread_.join();
  std::lock_guard<std::mutex> lock(mu_);
  finished_ = true;
}

bool LeaderElector::IsLeader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leading_;
}

std::string LeaderElector::GetLeader() const {
  std::lock_guard<std::mutex> lock(mu_);
  return leader_;
}

bool LeaderElector::finished() const {
  std::lock_guard<std::mutex> lock(mu_);
  return finished_;
}

bool LeaderElector::Wait(Clock::Duration d) {
  std::unique_lock<std::mutex> lock(mu_);
  const Clock::TimePoint deadline = clock_.Now() + d;
  while (!stopping_ && clock_.Now() < deadline) clock_.WaitUntil(cv_, lock, deadline);
  return !stopping_;
}

void LeaderElector::ReportLeader(const std::string& holder) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    leader_ = holder;
  }
  if (holder.empty() || holder == reported_leader_) return;
  reported_leader_ = holder;
  if (config_.on_new_leader) config_.on_new_leader(holder);
}

bool LeaderElector::TryAcquireOrRenew() {
  const Clock::TimePoint now = clock_.Now();
  const std::string now_text = MicroTime(clock_.WallNow());
  const int64_t duration_seconds = CeilSeconds(config_.lease_duration);

  auto got = client_.Get(kLeasesResource, config_.lease_namespace, config_.lease_name);
  if (!got.ok() && got.status().code() != StatusCode::kNotFound) {
    LogWarning("leader election: error retrieving lease {}/{}: {}", config_.lease_namespace, config_.lease_name,
               got.status().ToString());
    return false;
  }
  if (!got.ok()) {
    json lease = {{"apiVersion", "coordination.k8s.io/v1"},
                  {"kind", "Lease"},
                  {"metadata", {{"name", config_.lease_name}, {"namespace", config_.lease_namespace}}},
                  {"spec",
                   {{"holderIdentity", config_.identity},
                    {"leaseDurationSeconds", duration_seconds},
                    {"acquireTime", now_text},
                    {"renewTime", now_text},
                    {"leaseTransitions", 0}}}};
    auto created = client_.Create(kLeasesResource, config_.lease_namespace, lease);
    if (!created.ok()) {
      if (created.status().code() != StatusCode::kAlreadyExists) {
        LogWarning("leader election: error creating lease {}/{}: {}", config_.lease_namespace,
                   config_.lease_name, created.status().ToString());
      }
      return false;
    }
    lease_ = std::make_shared<const json>(std::move(created).value());
    observed_spec_ = (*lease_)["spec"].dump();
    observed_time_ = now;
    ReportLeader(config_.identity);
    return true;
  }

  json lease = std::move(got).value();
  if (!lease.contains("spec") || !lease["spec"].is_object()) lease["spec"] = json::object();
  const json& spec = lease["spec"];
  const std::string spec_text = spec.dump();
  if (spec_text != observed_spec_) {
    observed_spec_ = spec_text;
    observed_time_ = now;
  }
  const std::string holder = StringField(spec, "holderIdentity");
  ReportLeader(holder);
  std::chrono::milliseconds held_for = config_.lease_duration;
  if (auto it = spec.find("leaseDurationSeconds"); it != spec.end() && it->is_number_integer()) {
    held_for = std::chrono::seconds(it->get<int64_t>());
  }
  if (!holder.empty() && holder != config_.identity && observed_time_ + held_for > now) {
    return false;  // someone else holds a lease that has not expired on our clock
  }

  int64_t transitions = 0;
  if (auto it = spec.find("leaseTransitions"); it != spec.end() && it->is_number_integer()) {
    transitions = it->get<int64_t>();
  }
  json new_spec = spec;
  new_spec["holderIdentity"] = config_.identity;
  new_spec["leaseDurationSeconds"] = duration_seconds;
  new_spec["renewTime"] = now_text;
  if (holder != config_.identity) {
    new_spec["acquireTime"] = now_text;
    new_spec["leaseTransitions"] = transitions + 1;
  } else {
    if (!new_spec.contains("acquireTime")) new_spec["acquireTime"] = now_text;
    new_spec["leaseTransitions"] = transitions;
  }
  lease["spec"] = std::move(new_spec);
  auto updated = client_.Update(kLeasesResource, config_.lease_namespace, lease);
  if (!updated.ok()) {
    if (updated.status().code() != StatusCode::kConflict) {
      LogWarning("leader election: error updating lease {}/{}: {}", config_.lease_namespace, config_.lease_name,
                 updated.status().ToString());
    }
    return false;  // a conflict: another candidate wrote first; next round
  }
  lease_ = std::make_shared<const json>(std::move(updated).value());
  observed_spec_ = (*lease_)["spec"].dump();
  observed_time_ = now;
  ReportLeader(config_.identity);
  return true;
}

void LeaderElector::Release() {
  if (!lease_) return;
  json lease = *lease_;
  const json& spec = lease["spec"];
  if (StringField(spec, "holderIdentity") != config_.identity) return;
  const std::string now_text = MicroTime(clock_.WallNow());
  json new_spec = spec;
  new_spec["holderIdentity"] = "";
  new_spec["leaseDurationSeconds"] = 1;
  new_spec["acquireTime"] = now_text;
  new_spec["renewTime"] = now_text;
  lease["spec"] = std::move(new_spec);
  // Compare-and-swap on the version we last wrote: if someone else has
  // written since, the lease is no longer ours to release.
  auto updated = client_.Update(kLeasesResource, config_.lease_namespace, lease);
  if (!updated.ok()) {
    LogWarning("leader election: failed to release lease {}/{}: {}", config_.lease_namespace, config_.lease_name,
               updated.status().ToString());
  }
}

void LeaderElector::Run() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  std::uniform_real_distribution<double> jitter(1.0, kJitterFactor);
  const Clock::Duration retry = config_.retry_period;

  // Campaign.
  bool acquired = false;
  while (!acquired) {
    acquired = TryAcquireOrRenew();
    if (acquired) break;
    auto wait = std::chrono::duration_cast<Clock::Duration>(retry * jitter(rng));
    if (!Wait(wait)) break;
  }
  if (!acquired) return;
  LogInfo("leader election: {} acquired lease {}/{}", config_.identity, config_.lease_namespace, config_.lease_name);
  {
    std::lock_guard<std::mutex> lock(mu_);
    leading_ = true;
  }
  if (config_.on_started_leading) config_.on_started_leading();

  // Renew until stopped or a renewal deadline passes without success.
  Clock::TimePoint last_renew = clock_.Now();
  bool lost = false;
  while (Wait(retry)) {
    if (TryAcquireOrRenew()) {
      last_renew = clock_.Now();
    } else if (clock_.Now() - last_renew >= config_.renew_deadline) {
      lost = true;
      break;
    }
  }
  if (lost) {
    LogWarning("leader election: {} lost lease {}/{}: no renewal for {} ms", config_.identity,
               config_.lease_namespace, config_.lease_name, config_.renew_deadline.count());
  } else if (config_.release_on_cancel) {
    Release();
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    leading_ = false;
  }
  if (config_.on_stopped_leading) config_.on_stopped_leading();
  std::lock_guard<std::mutex> lock(mu_);
  finished_ = true;  // after the callback: finished() means nothing more will run
}

}  // namespace kubepp::client
