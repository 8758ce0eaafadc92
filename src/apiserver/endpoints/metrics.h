// Request metrics of the API server in Prometheus text format, with the
// metric names kube-apiserver uses (apiserver_request_total,
// apiserver_request_duration_seconds, apiserver_registered_watchers,
// etcd_request_duration_seconds) so existing dashboards read them.
//
// Thread-safety: all methods are thread-safe; Observe takes one short lock.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <tuple>

namespace kubepp::apiserver::endpoints {

class Metrics {
 public:
  // Seconds; the last bucket is +Inf.
  static constexpr std::array<double, 12> kBuckets = {0.005, 0.01, 0.025, 0.05, 0.1, 0.2,
                                                      0.4,   0.6,  1.0,   2.0,  5.0, 10.0};
  // One finished request. `verb` is upstream's (GET/LIST/WATCH/POST/PUT/PATCH/DELETE...).
  void Observe(const std::string& verb, const std::string& group, const std::string& version,
               const std::string& resource, const std::string& subresource, int code,
               std::chrono::nanoseconds latency);
  // One call of the store (etcd_request_duration_seconds{operation}).
  void ObserveStore(std::string_view operation, std::chrono::nanoseconds latency);
  // Extra gauges rendered with the request metrics (e.g. open watches).
  void SetGaugeSource(std::function<std::string()> source) { gauges_ = std::move(source); }
  std::string Render() const;

 private:
  using Key = std::tuple<std::string, std::string, std::string, std::string, std::string>;
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> buckets{};
    uint64_t count = 0;
    double sum = 0;
    void Observe(double seconds);
    // The _bucket/_sum/_count lines of `name` with `labels` ("a=\"b\",...").
    void Render(std::string& out, std::string_view name, const std::string& labels) const;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, std::string, std::string, std::string, int>, uint64_t>
      counts_;                          // guarded by mu_
  std::map<Key, Histogram> latencies_;  // guarded by mu_
  std::map<std::string, Histogram, std::less<>> store_latencies_;  // guarded by mu_
  std::function<std::string()> gauges_;
};

}  // namespace kubepp::apiserver::endpoints
