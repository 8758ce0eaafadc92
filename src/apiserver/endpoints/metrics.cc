#include "apiserver/endpoints/metrics.h"

#include <fmt/format.h>

namespace kubepp::apiserver::endpoints {

void Metrics::Observe(const std::string& verb, const std::string& group, const std::string& version,
                      const std::string& resource, const std::string& subresource, int code,
                      std::chrono::nanoseconds latency) {
  double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mu_);
  ++counts_[{verb, group, version, resource, subresource, code}];
  // Watches are long-running: their duration says nothing about latency.
  if (verb == "WATCH" || verb == "CONNECT") return;
  Histogram& h = latencies_[{verb, group, version, resource, subresource}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::ObserveStore(std::string_view operation, std::chrono::nanoseconds latency) {
  double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mu_);
  auto it = store_latencies_.find(operation);
  if (it == store_latencies_.end()) it = store_latencies_.emplace(std::string(operation), Histogram{}).first;
  Histogram& h = it->second;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.buckets[i];
  }
  ++h.count;
  h.sum += seconds;
}

std::string Metrics::Render() const {
  std::string out;
  out += "# HELP apiserver_request_total Counter of apiserver requests broken out for each verb, group, "
         "version, resource, subresource and HTTP response code.\n"
         "# TYPE apiserver_request_total counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [k, n] : counts_) {
    const auto& [verb, group, version, resource, sub, code] = k;
    out += fmt::format(
        "apiserver_request_total{{code=\"{}\",group=\"{}\",resource=\"{}\",subresource=\"{}\",verb=\"{}\","
        "version=\"{}\"}} {}\n",
        code, group, resource, sub, verb, version, n);
  }
  out += "# HELP apiserver_request_duration_seconds Response latency distribution in seconds for each "
         "verb, group, version, resource and subresource.\n"
         "# TYPE apiserver_request_duration_seconds histogram\n";
  for (const auto& [k, h] : latencies_) {
    const auto& [verb, group, version, resource, sub] = k;
    std::string labels = fmt::format("group=\"{}\",resource=\"{}\",subresource=\"{}\",verb=\"{}\",version=\"{}\"",
                                     group, resource, sub, verb, version);
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("apiserver_request_duration_seconds_bucket{{{},le=\"{}\"}} {}\n", labels, kBuckets[i],
                         h.buckets[i]);
    }
    out += fmt::format("apiserver_request_duration_seconds_bucket{{{},le=\"+Inf\"}} {}\n", labels, h.count);
    out += fmt::format("apiserver_request_duration_seconds_sum{{{}}} {}\n", labels, h.sum);
    out += fmt::format("apiserver_request_duration_seconds_count{{{}}} {}\n", labels, h.count);
  }
  out += "# HELP etcd_request_duration_seconds Store request latency in seconds for each operation.\n"
         "# TYPE etcd_request_duration_seconds histogram\n";
  for (const auto& [op, h] : store_latencies_) {
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out += fmt::format("etcd_request_duration_seconds_bucket{{operation=\"{}\",le=\"{}\"}} {}\n", op, kBuckets[i],
                         h.buckets[i]);
    }
    out += fmt::format("etcd_request_duration_seconds_bucket{{operation=\"{}\",le=\"+Inf\"}} {}\n", op, h.count);
    out += fmt::format("etcd_request_duration_seconds_sum{{operation=\"{}\"}} {}\n", op, h.sum);
    out += fmt::format("etcd_request_duration_seconds_count{{operation=\"{}\"}} {}\n", op, h.count);
  }
  if (gauges_) out += gauges_();
  return out;
}

}  // namespace kubepp::apiserver::endpoints
