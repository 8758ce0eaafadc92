// Rendering cost of a Table: `kubectl get pods` over a large namespace.
// Run by hand: build-*/src/apiserver/printers/apiserver_printers_benchmark
#include <benchmark/benchmark.h>
#include <nlohmann/json.hpp>

#include "apiserver/printers/printers.h"

namespace kubepp::apiserver {
namespace {

nlohmann::json MakePod(int i) {
  return nlohmann::json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"web-)" + std::to_string(i) + R"(","namespace":"default","uid":"u",
      "labels":{"app":"web"},"creationTimestamp":"2025-04-23T09:00:00Z"},
    "spec":{"nodeName":"n1","initContainers":[{"name":"proxy","restartPolicy":"Always"}],
      "containers":[{"name":"app","image":"nginx"},{"name":"log","image":"busybox"}]},
    "status":{"phase":"Running","podIPs":[{"ip":"10.42.0.5"}],
      "conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
      "initContainerStatuses":[{"name":"proxy","started":true,"ready":true,"restartCount":0,"state":{"running":{}}}],
      "containerStatuses":[
        {"name":"app","ready":true,"restartCount":2,"state":{"running":{}},
         "lastState":{"terminated":{"exitCode":1,"finishedAt":"2025-04-23T11:40:00Z"}}},
        {"name":"log","ready":true,"restartCount":0,"state":{"running":{}}}]}})");
}

void BM_PodTable(benchmark::State& state) {
  std::vector<nlohmann::json> pods;
  for (int i = 0; i < state.range(0); ++i) pods.push_back(MakePod(i));
  std::vector<const nlohmann::json*> ptrs;
  for (const auto& p : pods) ptrs.push_back(&p);
  TableOptions opts;
  opts.now = 1745409600;
  for (auto _ : state) {
    auto t = PrintTable("", "Pod", ptrs, opts);
    benchmark::DoNotOptimize(t);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_PodTable)->Arg(1000);

}  // namespace
}  // namespace kubepp::apiserver
BENCHMARK_MAIN();
