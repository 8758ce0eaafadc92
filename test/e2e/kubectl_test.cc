// The real kubectl against a fresh `kubepp server --disable-agent`: the
// commands of the API server issue's acceptance list, with /usr/bin/kubectl
// (gcloud's dispatcher, which picks kubectl.1.33 from our /version) and
// kubectl 1.27 (JSON bodies, OpenAPI v2 only, aggregated discovery v2beta1).
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "process.h"

namespace kubepp::e2e {
namespace {

namespace fs = std::filesystem;

const char* const kKubectls[] = {"/usr/bin/kubectl", "/usr/lib/google-cloud-sdk/bin/kubectl.1.27"};

class KubectlTest : public ::testing::TestWithParam<const char*> {
 protected:
  void SetUp() override {
    if (!fs::exists(GetParam())) GTEST_SKIP() << GetParam() << " is not installed";
    std::string log;
    server_ = TestServer::Start(KUBEPP_BINARY, &log);
    ASSERT_TRUE(server_) << log;
  }
  void TearDown() override {
    if (HasFailure() && server_) {
      server_->process().WaitFor("\x01", std::chrono::milliseconds(100));
      std::cerr << "---- server log ----\n" << server_->process().output() << "\n";
    }
    server_.reset();
  }

  std::map<std::string, std::string> Env() const {
    return {{"HOME", server_->home()}, {"KUBECONFIG", server_->kubeconfig()}};
  }
  RunResult K(std::vector<std::string> args, const std::string& stdin_data = "",
              std::map<std::string, std::string> extra_env = {}) {
    std::vector<std::string> argv = {GetParam()};
    argv.insert(argv.end(), args.begin(), args.end());
    auto env = Env();
    for (auto& [k, v] : extra_env) env[k] = v;
    return ::kubepp::e2e::Run(argv, env, stdin_data);
  }
  // Runs kubectl and expects success; returns stdout.
  std::string Ok(std::vector<std::string> args, const std::string& stdin_data = "") {
    RunResult r = K(args, stdin_data);
    std::string cmd;
    for (auto& a : args) cmd += a + " ";
    EXPECT_EQ(r.rc, 0) << "kubectl " << cmd << "\nstdout: " << r.out << "\nstderr: " << r.err;
    return r.out;
  }
  std::string WriteFile(const std::string& name, const std::string& text) {
    std::string path = server_->home() + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  std::unique_ptr<TestServer> server_;
};

constexpr char kApp[] = R"(apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  labels: {app: web}
data:
  mode: fast
  level: "3"
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        env:
        - {name: A, value: "1"}
        - {name: B, value: "2"}
        ports:
        - containerPort: 80
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
  - {name: http, port: 80, targetPort: 80}
)";

TEST_P(KubectlTest, ApplyCreatesThenReappliesChanges) {
  std::string out = Ok({"apply", "-f", WriteFile("app.yaml", kApp)});
  EXPECT_NE(out.find("configmap/settings created"), std::string::npos) << out;
  EXPECT_NE(out.find("deployment.apps/web created"), std::string::npos) << out;
  EXPECT_NE(out.find("service/web created"), std::string::npos) << out;

  // Change: drop data key `level`, add one; env B removed, C added; a port added; image bumped.
  std::string changed = std::regex_replace(std::string(kApp), std::regex("  level: \"3\"\n"), "  color: blue\n");
  changed = std::regex_replace(changed, std::regex(R"(        - \{name: B, value: "2"\}\n)"),
                               "        - {name: C, value: \"3\"}\n");
  changed = std::regex_replace(changed, std::regex("        - containerPort: 80\n"),
                               "        - containerPort: 80\n        - containerPort: 443\n");
  changed = std::regex_replace(changed, std::regex("nginx:1.25"), "nginx:1.26");
  out = Ok({"apply", "-f", WriteFile("app2.yaml", changed)});
  EXPECT_NE(out.find("configmap/settings configured"), std::string::npos) << out;
  EXPECT_NE(out.find("deployment.apps/web configured"), std::string::npos) << out;
  EXPECT_NE(out.find("service/web unchanged"), std::string::npos) << out;

  EXPECT_EQ(Ok({"get", "cm", "settings", "-o", "jsonpath={.data}"}), R"({"color":"blue","mode":"fast"})");
  EXPECT_EQ(Ok({"get", "deploy", "web", "-o",
                "jsonpath={.spec.template.spec.containers[0].env[*].name} "
                "{.spec.template.spec.containers[0].ports[*].containerPort} "
                "{.spec.template.spec.containers[0].image} {.metadata.generation}"}),
            "A C 80 443 nginx:1.26 2");
  // Defaults were filled by the server.
  EXPECT_EQ(Ok({"get", "deploy", "web", "-o",
                "jsonpath={.spec.strategy.type} {.spec.template.spec.restartPolicy} "
                "{.spec.template.spec.containers[0].terminationMessagePath}"}),
            "RollingUpdate Always /dev/termination-log");
  // The Service got a ClusterIP from the service CIDR.
  EXPECT_TRUE(std::regex_match(Ok({"get", "svc", "web", "-o", "jsonpath={.spec.clusterIP}"}),
                               std::regex(R"(10\.43\.\d+\.\d+)")));
}

TEST_P(KubectlTest, ServerSideApplyAndConflicts) {
  std::string file = WriteFile("d.yaml", R"(apiVersion: apps/v1
kind: Deployment
metadata: {name: ssa}
spec:
  replicas: 2
  selector: {matchLabels: {app: ssa}}
  template:
    metadata: {labels: {app: ssa}}
    spec:
      containers: [{name: c, image: busybox}]
)");
  std::string out = Ok({"apply", "--server-side", "-f", file});
  EXPECT_NE(out.find("deployment.apps/ssa serverside-applied"), std::string::npos) << out;
  Ok({"scale", "deploy", "ssa", "--replicas=5"});
  // kubectl scale (through the scale subresource) now owns replicas, so
  // re-applying replicas: 2 conflicts until forced.
  RunResult r = K({"apply", "--server-side", "-f", file});
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("conflict"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(".spec.replicas"), std::string::npos) << r.err;
  Ok({"apply", "--server-side", "--force-conflicts", "-f", file});
  EXPECT_EQ(Ok({"get", "deploy", "ssa", "-o", "jsonpath={.spec.replicas}"}), "2");
  std::string managers = Ok({"get", "deploy", "ssa", "--show-managed-fields", "-o",
                             "jsonpath={.metadata.managedFields[*].manager}"});
  EXPECT_NE(managers.find("kubectl"), std::string::npos) << managers;
}

TEST_P(KubectlTest, GetInEveryFormat) {
  Ok({"create", "configmap", "a", "--from-literal=k=v"});
  Ok({"create", "configmap", "b", "--from-literal=k=v", "--from-literal=k2=v2"});
  Ok({"label", "cm", "b", "tier=db"});
  std::string table = Ok({"get", "cm"});
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(NAME\s+DATA\s+AGE)"))) << table;
  EXPECT_TRUE(std::regex_search(table, std::regex(R"(\nb\s+2\s+\d+s)"))) << table;
  EXPECT_EQ(Ok({"get", "cm", "-l", "tier=db", "-o", "name"}), "configmap/b\n");
  EXPECT_EQ(Ok({"get", "cm", "--field-selector", "metadata.name=a", "-o", "name"}), "configmap/a\n");
  EXPECT_NE(Ok({"get", "cm", "a", "-o", "yaml"}).find("  k: v\n"), std::string::npos);
  EXPECT_NE(Ok({"get", "cm", "a", "-o", "json"}).find("\"k\": \"v\""), std::string::npos);
  std::string all = Ok({"get", "cm", "-A"});
  EXPECT_TRUE(std::regex_search(all, std::regex(R"(NAMESPACE\s+NAME)"))) << all;
  EXPECT_NE(all.find("default"), std::string::npos);
  std::string sorted = Ok({"get", "cm", "--sort-by=.metadata.name", "-o", "name"});
  EXPECT_LT(sorted.find("configmap/a"), sorted.find("configmap/b")) << sorted;
  std::string wide = Ok({"get", "svc", "kubernetes", "-o", "wide"});
  EXPECT_TRUE(std::regex_search(wide, std::regex(R"(SELECTOR)"))) << wide;
  std::string empty = K({"get", "pods"}).err;
  EXPECT_NE(empty.find("No resources found in default namespace."), std::string::npos) << empty;
  std::string ns_table = Ok({"get", "ns"});
  EXPECT_TRUE(std::regex_search(ns_table, std::regex(R"(kube-system\s+Active)"))) << ns_table;
}

TEST_P(KubectlTest, GetWatchStreamsChanges) {
  auto env = Env();
  // The server's own components (the scheduler's informers) watch too: wait
  // for one watcher more than before (the /metrics gauge).
  auto watchers = [&] {
    std::string m = K({"get", "--raw", "/metrics"}).out;
    size_t at = m.find("\napiserver_registered_watchers ");
    return at == std::string::npos ? -1 : std::atoi(m.c_str() + at + 31);
  };
  const int baseline = watchers();
  ASSERT_GE(baseline, 0);
  auto watch = Background::Start({GetParam(), "get", "cm", "-w"}, env);
  ASSERT_TRUE(watch);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (watchers() != baseline + 1) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << watch->output();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Ok({"create", "configmap", "watched", "--from-literal=x=y"});
  EXPECT_TRUE(watch->WaitFor("watched", std::chrono::seconds(15))) << watch->output();
  watch->Stop(SIGTERM);

  // `kubectl events -w` watches through the typed client, which asks for
  // protobuf: the stream is length-delimited protobuf WatchEvents.
  auto events = Background::Start({GetParam(), "events", "-w"}, Env());
  ASSERT_TRUE(events);
  deadline = std::chrono::steady_clock::now() + std::chrono::seconds(15);
  while (watchers() != baseline + 1) {
    ASSERT_LT(std::chrono::steady_clock::now(), deadline) << events->output();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  Ok({"create", "-f", "-"}, R"({"apiVersion":"v1","kind":"Event","metadata":{"name":"e1"},
      "involvedObject":{"kind":"Pod","name":"p","namespace":"default"},
      "reason":"Testing","message":"hello from the test","type":"Normal"})");
  EXPECT_TRUE(events->WaitFor("hello from the test", std::chrono::seconds(15))) << events->output();
  events->Stop(SIGTERM);
}

TEST_P(KubectlTest, CreateCommands) {
  EXPECT_NE(Ok({"create", "secret", "generic", "s", "--from-literal=password=hunter2"}).find("secret/s created"),
            std::string::npos);
  EXPECT_EQ(Ok({"get", "secret", "s", "-o", "jsonpath={.type} {.data.password}"}), "Opaque aHVudGVyMg==");
  Ok({"create", "namespace", "team"});
  Ok({"create", "deployment", "d", "--image=busybox", "--replicas=2", "-n", "team"});
  EXPECT_EQ(Ok({"get", "deploy", "d", "-n", "team", "-o", "jsonpath={.spec.replicas}"}), "2");
  Ok({"create", "job", "j", "--image=busybox", "--", "true"});
  EXPECT_EQ(Ok({"get", "job", "j", "-o", "jsonpath={.spec.template.spec.restartPolicy}"}), "Never");
  std::string desc = Ok({"describe", "deploy", "d", "-n", "team"});
  EXPECT_NE(desc.find("Replicas:"), std::string::npos) << desc;
  EXPECT_TRUE(std::regex_search(desc, std::regex(R"(StrategyType:\s+RollingUpdate)"))) << desc;
}

TEST_P(KubectlTest, EditPatchLabelAnnotateScale) {
  Ok({"create", "deployment", "e", "--image=busybox"});
  // EDITOR is a script that rewrites the image.
  std::string editor = WriteFile("editor.sh", "#!/bin/sh\nsed -i 's/image: busybox/image: busybox:1.36/' \"$1\"\n");
  fs::permissions(editor, fs::perms::owner_all);
  RunResult r = K({"edit", "deploy", "e"}, "", {{"EDITOR", editor}, {"KUBE_EDITOR", editor}});
  EXPECT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Ok({"get", "deploy", "e", "-o", "jsonpath={.spec.template.spec.containers[0].image}"}), "busybox:1.36");

  Ok({"patch", "deploy", "e", "-p", R"({"spec":{"template":{"spec":{"containers":[{"name":"busybox","env":[{"name":"X","value":"1"}]}]}}}})"});
  Ok({"patch", "deploy", "e", "--type=merge", "-p", R"({"metadata":{"labels":{"m":"yes"}}})"});
  Ok({"patch", "deploy", "e", "--type=json", "-p", R"([{"op":"replace","path":"/spec/replicas","value":3}])"});
  EXPECT_EQ(Ok({"get", "deploy", "e", "-o",
                "jsonpath={.spec.template.spec.containers[0].env[0].name} {.metadata.labels.m} {.spec.replicas}"}),
            "X yes 3");
  Ok({"label", "deploy", "e", "team=a"});
  Ok({"annotate", "deploy", "e", "note=hello"});
  Ok({"label", "deploy", "e", "team-"});
  EXPECT_EQ(Ok({"get", "deploy", "e", "-o", "jsonpath={.metadata.labels.team}|{.metadata.annotations.note}"}),
            "|hello");
  Ok({"scale", "deploy", "e", "--replicas=4"});
  EXPECT_EQ(Ok({"get", "deploy", "e", "-o", "jsonpath={.spec.replicas}"}), "4");
  RunResult bad = K({"scale", "deploy", "e", "--replicas=4", "--current-replicas=2"});
  EXPECT_NE(bad.rc, 0);
}

TEST_P(KubectlTest, DeleteAndWait) {
  Ok({"create", "configmap", "one", "--from-literal=a=b"});
  Ok({"create", "configmap", "two", "--from-literal=a=b"});
  Ok({"create", "configmap", "three", "--from-literal=a=b"});
  Ok({"label", "cm", "two", "three", "group=x"});
  EXPECT_NE(Ok({"delete", "cm", "one"}).find("configmap \"one\" deleted"), std::string::npos);
  std::string out = Ok({"delete", "cm", "-l", "group=x"});
  EXPECT_NE(out.find("\"two\" deleted"), std::string::npos) << out;
  EXPECT_NE(out.find("\"three\" deleted"), std::string::npos) << out;

  // Foreground deletion with a finalizer: the object stays until the
  // finalizer is removed; `wait --for=delete` then returns.
  Ok({"create", "configmap", "held", "--from-literal=a=b"});
  Ok({"patch", "cm", "held", "--type=merge", "-p", R"({"metadata":{"finalizers":["example.com/hold"]}})"});
  Ok({"delete", "cm", "held", "--cascade=foreground", "--wait=false"});
  EXPECT_NE(Ok({"get", "cm", "held", "-o", "jsonpath={.metadata.deletionTimestamp}"}), "");
  EXPECT_NE(Ok({"get", "cm", "held", "-o", "jsonpath={.metadata.finalizers}"}).find("foregroundDeletion"),
            std::string::npos);
  auto waiter = Background::Start({GetParam(), "wait", "--for=delete", "cm/held", "--timeout=30s"}, Env());
  Ok({"patch", "cm", "held", "--type=json", "-p", R"([{"op":"remove","path":"/metadata/finalizers"}])"});
  // kubectl wait exits 0 once it saw the object go.
  EXPECT_EQ(waiter->Wait(std::chrono::seconds(30)), 0) << waiter->output();
  RunResult gone = K({"get", "cm", "held"});
  EXPECT_NE(gone.err.find("configmaps \"held\" not found"), std::string::npos) << gone.err;

  // wait --for=condition and --for=jsonpath on a status written through the
  // status subresource.
  Ok({"create", "deployment", "w", "--image=busybox"});
  auto cond = Background::Start({GetParam(), "wait", "--for=condition=Available", "deploy/w", "--timeout=30s"}, Env());
  Ok({"patch", "deploy", "w", "--subresource=status", "--type=merge", "-p",
      R"({"status":{"conditions":[{"type":"Available","status":"True","reason":"MinimumReplicasAvailable"}]}})"});
  EXPECT_EQ(cond->Wait(std::chrono::seconds(30)), 0) << cond->output();
  EXPECT_NE(cond->output().find("condition met"), std::string::npos) << cond->output();
  std::string j = Ok({"wait", "--for=jsonpath={.spec.replicas}=1", "deploy/w", "--timeout=10s"});
  EXPECT_NE(j.find("condition met"), std::string::npos) << j;
}

TEST_P(KubectlTest, DiscoveryExplainDiffAndWhoami) {
  std::string res = Ok({"api-resources"});
  EXPECT_TRUE(std::regex_search(res, std::regex(R"(deployments\s+deploy\s+apps/v1\s+true\s+Deployment)"))) << res;
  std::string versions = Ok({"api-versions"});
  EXPECT_NE(versions.find("apps/v1\n"), std::string::npos);
  EXPECT_NE(versions.find("\nv1\n"), std::string::npos);
  std::string explain = Ok({"explain", "deployment.spec.replicas"});
  EXPECT_NE(explain.find("replicas"), std::string::npos) << explain;
  Ok({"create", "configmap", "d", "--from-literal=a=b"});
  std::string file = WriteFile("d.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: d}\ndata: {a: c}\n");
  RunResult diff = K({"diff", "-f", file});
  EXPECT_EQ(diff.rc, 1) << diff.err;  // 1: differences found
  EXPECT_NE(diff.out.find("+  a: c"), std::string::npos) << diff.out;
  if (std::string(GetParam()).find("1.27") != std::string::npos) {
    // kubectl 1.27 only knows SelfSubjectReview v1alpha1/v1beta1; a 1.33
    // server (upstream too) serves v1, so 1.27 reports the API missing.
    EXPECT_NE(K({"auth", "whoami"}).err.find("selfsubjectreviews API is not enabled"), std::string::npos);
  } else {
    std::string who = Ok({"auth", "whoami"});
    EXPECT_NE(who.find("system:admin"), std::string::npos) << who;
    EXPECT_NE(who.find("system:masters"), std::string::npos) << who;
  }
  EXPECT_EQ(Ok({"auth", "can-i", "create", "deployments"}), "yes\n");
  EXPECT_EQ(Ok({"get", "--raw", "/readyz"}), "ok");
  std::string metrics = Ok({"get", "--raw", "/metrics"});
  EXPECT_TRUE(std::regex_search(metrics, std::regex(R"(apiserver_request_total\{code="201",group="",resource="configmaps",subresource="",verb="POST",version="v1"\} 1)")))
      << metrics;
  EXPECT_NE(metrics.find("etcd_request_duration_seconds_count{operation=\"create\"}"), std::string::npos);
  EXPECT_NE(metrics.find("apiserver_registered_watchers"), std::string::npos);
}

TEST_P(KubectlTest, BadInputGetsUpstreamErrors) {
  std::string unknown = WriteFile("u.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: u}\nbogus: 1\n");
  RunResult r = K({"apply", "-f", unknown});
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("unknown field \"bogus\""), std::string::npos) << r.err;

  std::string bad_name = WriteFile("n.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: Bad_Name}\n");
  r = K({"create", "-f", bad_name});
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("is invalid: metadata.name: Invalid value: \"Bad_Name\""), std::string::npos) << r.err;

  Ok({"create", "configmap", "dup", "--from-literal=a=b"});
  r = K({"create", "configmap", "dup", "--from-literal=a=b"});
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("configmaps \"dup\" already exists"), std::string::npos)
      << r.err;

  r = K({"get", "cm", "missing"});
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("Error from server (NotFound): configmaps \"missing\" not found"), std::string::npos) << r.err;

  // A stale resourceVersion: replace with the old object.
  std::string old = Ok({"get", "cm", "dup", "-o", "yaml"});
  Ok({"label", "cm", "dup", "changed=yes"});
  r = K({"replace", "-f", "-"}, old);
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("Operation cannot be fulfilled on configmaps \"dup\": the object has been modified"),
            std::string::npos)
      << r.err;

  r = K({"create", "configmap", "x", "--from-literal=a=b", "-n", "nowhere"});
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("namespaces \"nowhere\" not found"), std::string::npos) << r.err;
  r = K({"delete", "namespace", "kube-system"});
  EXPECT_NE(r.rc, 0);
  EXPECT_NE(r.err.find("forbidden"), std::string::npos) << r.err;
}

TEST_P(KubectlTest, NamespaceDeletionRemovesItsContent) {
  Ok({"create", "namespace", "gone"});
  Ok({"create", "configmap", "inside", "--from-literal=a=b", "-n", "gone"});
  Ok({"delete", "namespace", "gone", "--timeout=30s"});
  EXPECT_NE(K({"get", "namespace", "gone"}).rc, 0);
  EXPECT_EQ(Ok({"get", "cm", "-A", "--field-selector", "metadata.namespace=gone", "-o", "name"}), "");
}

TEST_P(KubectlTest, WatchProtocolDetails) {
  // A server that keeps only 5 events of watch history.
  server_.reset();
  std::string log;
  server_ = TestServer::Start(KUBEPP_BINARY, &log, {"--watch-cache-size=5"});
  ASSERT_TRUE(server_) << log;
  for (int i = 0; i < 8; ++i) Ok({"create", "configmap", "filler" + std::to_string(i)});
  Ok({"create", "configmap", "before", "--from-literal=a=b"});
  // sendInitialEvents: the current state as ADDED, then a bookmark marking
  // its end; timeoutSeconds ends the stream.
  std::string out = Ok({"get", "--raw",
                        "/api/v1/namespaces/default/configmaps?watch=true&sendInitialEvents=true"
                        "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&timeoutSeconds=1"});
  EXPECT_NE(out.find(R"({"type":"ADDED","object":{)"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("name":"before")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("k8s.io/initial-events-end":"true")"), std::string::npos) << out;
  // A resourceVersion older than the watch history: 200, then an ERROR
  // event carrying 410 Expired.
  out = Ok({"get", "--raw", "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=1&timeoutSeconds=1"});
  EXPECT_NE(out.find(R"("type":"ERROR")"), std::string::npos) << out;
  EXPECT_NE(out.find(R"("code":410)"), std::string::npos) << out;
}

TEST_P(KubectlTest, PodBindingAndEviction) {
  Ok({"run", "p", "--image=busybox", "--restart=Never"});
  EXPECT_EQ(Ok({"get", "pod", "p", "-o", "jsonpath={.status.phase} {.spec.nodeName}"}), "Pending ");
  std::string binding = WriteFile(
      "binding.json",
      R"({"apiVersion":"v1","kind":"Binding","metadata":{"name":"p"},"target":{"kind":"Node","name":"node1"}})");
  Ok({"create", "--raw", "/api/v1/namespaces/default/pods/p/binding", "-f", binding});
  EXPECT_EQ(Ok({"get", "pod", "p", "-o",
                R"(jsonpath={.spec.nodeName} {.status.conditions[?(@.type=="PodScheduled")].status})"}),
            "node1 True");
  RunResult again = K({"create", "--raw", "/api/v1/namespaces/default/pods/p/binding", "-f", binding});
  EXPECT_NE(again.rc, 0);
  EXPECT_NE(again.err.find("is already assigned to node"), std::string::npos) << again.err;

  // A PodDisruptionBudget that allows no disruption blocks the eviction (429).
  Ok({"create", "poddisruptionbudget", "pdb", "--selector=run=p", "--min-available=1"});
  std::string eviction = WriteFile(
      "eviction.json",
      R"({"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"p"},"deleteOptions":{"gracePeriodSeconds":0}})");
  RunResult blocked = K({"create", "--raw", "/api/v1/namespaces/default/pods/p/eviction", "-f", eviction});
  EXPECT_NE(blocked.rc, 0);
  EXPECT_NE(blocked.err.find("Cannot evict pod as it would violate the pod's disruption budget"), std::string::npos)
      << blocked.err;
  Ok({"delete", "pdb", "pdb"});
  Ok({"create", "--raw", "/api/v1/namespaces/default/pods/p/eviction", "-f", eviction});
  EXPECT_NE(K({"get", "pod", "p"}).rc, 0);
}

TEST_P(KubectlTest, BearerTokensAndAnonymousRequests) {
  // A server with a token file: a listed token authenticates, others get 401.
  server_.reset();
  char dir[] = "/tmp/kubepp-tokens-XXXXXX";
  ASSERT_NE(mkdtemp(dir), nullptr);
  std::string tokens = std::string(dir) + "/tokens.csv";
  std::ofstream(tokens) << "s3cret-token,alice,1001,\"devs,system:masters\"\n";
  std::string log;
  server_ = TestServer::Start(KUBEPP_BINARY, &log, {"--token-auth-file=" + tokens});
  ASSERT_TRUE(server_) << log;
  std::string server_url = Ok({"config", "view", "-o", "jsonpath={.clusters[0].cluster.server}"});
  std::string ca = server_->data_dir() + "/tls/ca.crt";
  ASSERT_TRUE(fs::exists(ca)) << ca;
  auto as = [&](const std::string& token, std::vector<std::string> args) {
    std::vector<std::string> argv = {GetParam(), "--kubeconfig=/dev/null", "--server=" + server_url,
                                     "--certificate-authority=" + ca};
    if (!token.empty()) argv.push_back("--token=" + token);
    argv.insert(argv.end(), args.begin(), args.end());
    return ::kubepp::e2e::Run(argv, {{"HOME", server_->home()}});
  };
  RunResult ok = as("s3cret-token", {"get", "ns", "default", "-o", "name"});
  EXPECT_EQ(ok.rc, 0) << ok.err;
  EXPECT_EQ(ok.out, "namespace/default\n");
  RunResult bad = as("wrong", {"get", "ns"});
  EXPECT_NE(bad.rc, 0);
  EXPECT_NE(bad.err.find("Unauthorized"), std::string::npos) << bad.err;
  // No credentials at all (kubectl would prompt for a password instead, so
  // this one is curl): 401 with a Status body; /version stays public.
  {
    ASSERT_TRUE(fs::exists("/usr/bin/curl")) << "scripts/install-deps.sh installs curl";
    RunResult anonymous = ::kubepp::e2e::Run({"/usr/bin/curl", "-sS", "--cacert", ca, server_url + "/api/v1/namespaces"});
    EXPECT_NE(anonymous.out.find(R"("reason":"Unauthorized")"), std::string::npos) << anonymous.out << anonymous.err;
    EXPECT_NE(anonymous.out.find(R"("code":401)"), std::string::npos) << anonymous.out;
    RunResult version = ::kubepp::e2e::Run({"/usr/bin/curl", "-sS", "--cacert", ca, server_url + "/version"});
    EXPECT_NE(version.out.find(R"("minor": "33")"), std::string::npos) << version.out;
    // A YAML request body, answered in YAML.
    RunResult yaml = ::kubepp::e2e::Run(
        {"/usr/bin/curl", "-sS", "--cacert", ca, "-H", "Authorization: Bearer s3cret-token", "-H",
         "Content-Type: application/yaml", "-H", "Accept: application/yaml", "--data-binary", "@-",
         server_url + "/api/v1/namespaces/default/configmaps"},
        {}, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  answer: \"42\"\n");
    EXPECT_NE(yaml.out.find("name: from-yaml"), std::string::npos) << yaml.out << yaml.err;
    EXPECT_EQ(Ok({"get", "cm", "from-yaml", "-o", "jsonpath={.data.answer}"}), "42");
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

INSTANTIATE_TEST_SUITE_P(Versions, KubectlTest, ::testing::ValuesIn(kKubectls),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           return name.find("1.27") != std::string::npos ? std::string("kubectl127")
                                                                         : std::string("kubectl");
                         });

}  // namespace
}  // namespace kubepp::e2e
