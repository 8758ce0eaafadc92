#include "apiserver/endpoints/metrics.h"

#include <fmt/format.h>

namespace kubepp::apiserver::endpoints {

void Metrics::Histogram::Observe(double seconds) {
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++buckets[i];
  }
  ++count;
  sum += seconds;
}

void Metrics::Histogram::Render(std::string& out, std::string_view name, const std::string& labels) const {
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    out += fmt::format("{}_bucket{{{},le=\"{}\"}} {}\n", name, labels, kBuckets[i], buckets[i]);
  }
  out += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n", name, labels, count);
  out += fmt::format("{}_sum{{{}}} {}\n", name, labels, sum);
  out += fmt::format("{}_count{{{}}} {}\n", name, labels, count);
}

void Metrics::Observe(const std::string& verb, const std::string& group, const std::string& version,
                      const std::string& resource, const std::string& subresource, int code,
                      std::chrono::nanoseconds latency) {
  double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mu_);
  ++counts_[{verb, group, version, resource, subresource, code}];
  // Watches are long-running: their duration says nothing about latency.
  if (verb == "WATCH" || verb == "CONNECT") return;
  latencies_[{verb, group, version, resource, subresource}].Observe(seconds);
}

void Metrics::ObserveStore(std::string_view operation, std::chrono::nanoseconds latency) {
  double seconds = std::chrono::duration<double>(latency).count();
  std::lock_guard lock(mu_);
  auto it = store_latencies_.find(operation);
  if (it == store_latencies_.end()) it = store_latencies_.emplace(std::string(operation), Histogram{}).first;
  it->second.Observe(seconds);
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
    h.Render(out, "apiserver_request_duration_seconds", labels);
  }
  out += "# HELP etcd_request_duration_seconds Store request latency in seconds for each operation.\n"
         "# TYPE etcd_request_duration_seconds histogram\n";
  for (const auto& [op, h] : store_latencies_) {
    h.Render(out, "etcd_request_duration_seconds", fmt::format("operation=\"{}\"", op));
  }
  if (gauges_) out += gauges_();
  return out;
}

}  // namespace kubepp::apiserver::endpoints
