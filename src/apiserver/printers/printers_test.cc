#include "apiserver/printers/printers.h"

#include <cstdio>
#include <fstream>
#include <set>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace kubepp::apiserver {
namespace {

using nlohmann::json;

// 2025-04-23T12:00:00Z
constexpr int64_t kNow = 1745409600;

json Table(std::string_view group, std::string_view kind, const std::vector<json>& objs,
           TableOptions opts = {}) {
  if (opts.now == 0) opts.now = kNow;
  std::vector<const json*> ptrs;
  for (const json& o : objs) ptrs.push_back(&o);
  auto t = PrintTable(group, kind, ptrs, opts);
  EXPECT_TRUE(t.ok()) << t.status().ToString();
  return t.ok() ? *t : json();
}

json Cells(std::string_view group, std::string_view kind, const json& obj) {
  json t = Table(group, kind, {obj});
  if (!t.contains("rows") || t["rows"].size() != 1) return json();
  return t["rows"][0]["cells"];
}

json CellsS(std::string_view group, std::string_view kind, std::string_view obj) {
  return Cells(group, kind, json::parse(obj));
}

std::string PodStatus(std::string_view pod) { return CellsS("", "Pod", pod)[2].get<std::string>(); }

// ---------------------------------------------------------------- HumanDuration

TEST(HumanDurationTest, Boundaries) {
  const std::vector<std::pair<int64_t, std::string>> cases = {
      {-3, "<invalid>"}, {-2, "<invalid>"}, {-1, "0s"},        {0, "0s"},
      {59, "59s"},       {119, "119s"},     {120, "2m"},       {125, "2m5s"},
      {599, "9m59s"},    {600, "10m"},      {10799, "179m"},   {10800, "3h"},
      {11070, "3h4m"},   {28740, "7h59m"},  {28800, "8h"},     {30600, "8h"},
      {172799, "47h"},   {172800, "2d"},    {183600, "2d3h"},  {687600, "7d23h"},
      {691200, "8d"},    {62985600, "729d"}, {63072000, "2y"}, {63936000, "2y10d"},
      {252288000, "8y"}, {473040000, "15y"},
  };
  for (const auto& [secs, want] : cases) EXPECT_EQ(HumanDuration(secs), want) << secs << "s";
}

// Every worked example in tools/data/resources.json.
TEST(HumanDurationTest, ResourcesJsonExamples) {
  std::ifstream in(KUBEPP_RESOURCES_JSON);
  ASSERT_TRUE(in.good());
  json data = json::parse(in);
  int checked = 0;
  for (auto& [text, want] : data["humanDuration"]["examples"].items()) {
    // Parse "<n><unit>..." sequences such as "179m59s", "0.5s", "-1s", "729d".
    double total = 0, num = 0, frac = 0;
    bool neg = false, in_frac = false;
    for (char c : text) {
      if (c == '-') {
        neg = true;
      } else if (c == '.') {
        in_frac = true;
        frac = 0.1;
      } else if (c >= '0' && c <= '9') {
        if (in_frac) {
          num += (c - '0') * frac;
          frac /= 10;
        } else {
          num = num * 10 + (c - '0');
        }
      } else {
        double unit = c == 's' ? 1 : c == 'm' ? 60 : c == 'h' ? 3600 : c == 'd' ? 86400 : 0;
        ASSERT_NE(unit, 0) << text;
        total += num * unit;
        num = 0;
        in_frac = false;
      }
    }
    int64_t secs = static_cast<int64_t>(neg ? -total : total);
    EXPECT_EQ(HumanDuration(secs), want.get<std::string>()) << text;
    ++checked;
  }
  EXPECT_GE(checked, 20);
}

// ------------------------------------------------------ columns vs the facts

// Columns (name, type, format, priority) of every printed kind match
// tools/data/resources.json; kinds with the default convertor get NAME /
// CREATED AT.
TEST(ColumnsTest, MatchResourcesJson) {
  std::ifstream in(KUBEPP_RESOURCES_JSON);
  ASSERT_TRUE(in.good());
  json data = json::parse(in);
  int kinds = 0;
  for (const json& r : data["resources"]) {
    std::string conv = r["tableConvertor"];
    if (conv == "none") continue;
    std::string group = r["group"], kind = r["kind"];
    EXPECT_EQ(HasPrinter(group, kind), conv == "printer") << group << "/" << kind;
    json t = Table(group, kind, {});
    const json& defs = t["columnDefinitions"];
    const json& want = r["tableColumns"];
    ASSERT_EQ(defs.size(), want.size()) << kind;
    for (size_t i = 0; i < want.size(); ++i) {
      SCOPED_TRACE(kind + " column " + std::to_string(i));
      EXPECT_EQ(defs[i]["name"], want[i]["name"]);
      EXPECT_EQ(defs[i]["type"], want[i]["type"]);
      EXPECT_EQ(defs[i]["format"], want[i].value("format", ""));
      EXPECT_EQ(defs[i]["priority"], want[i]["priority"]);
      EXPECT_FALSE(defs[i]["description"].get<std::string>().empty());
    }
    ++kinds;
  }
  EXPECT_GE(kinds, 35);
}

// Every cell of a sparse object has the JSON type the facts declare
// (cellJsonType where it differs from the column type).
TEST(ColumnsTest, CellJsonTypesOfSparseObjects) {
  std::ifstream in(KUBEPP_RESOURCES_JSON);
  json data = json::parse(in);
  json obj = {{"metadata", {{"name", "x"}, {"creationTimestamp", "2025-04-23T11:00:00Z"}}}};
  for (const json& r : data["resources"]) {
    if (r["tableConvertor"] == "none") continue;
    std::string kind = r["kind"];
    json cells = Cells(r["group"].get<std::string>(), kind, obj);
    ASSERT_EQ(cells.size(), r["tableColumns"].size()) << kind;
    for (size_t i = 0; i < cells.size(); ++i) {
      const json& col = r["tableColumns"][i];
      std::string want = col.value("cellJsonType", col["type"].get<std::string>());
      std::string got = cells[i].is_string()           ? "string"
                        : cells[i].is_number_integer() ? "integer"
                        : cells[i].is_boolean()        ? "boolean"
                                                       : cells[i].type_name();
      if (want == "date") want = "string";
      EXPECT_EQ(got, want) << kind << " column " << col["name"];
    }
  }
}

// ------------------------------------------------------------ Table envelope

TEST(TableTest, EnvelopeMetadataAndIncludeObject) {
  json pod = json::parse(R"j({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"web","namespace":"default","uid":"u1","resourceVersion":"7",
                "labels":{"app":"web"},"creationTimestamp":"2025-04-23T11:55:00Z"},
    "spec":{"containers":[{"name":"c","image":"nginx"}]},"status":{"phase":"Pending"}})j");
  TableOptions opts;
  opts.resource_version = "42";
  opts.continue_token = "tok";
  opts.remaining_item_count = 3;
  json t = Table("", "Pod", {pod}, opts);
  EXPECT_EQ(t["kind"], "Table");
  EXPECT_EQ(t["apiVersion"], "meta.k8s.io/v1");
  EXPECT_EQ(t["metadata"], json::parse(R"j({"resourceVersion":"42","continue":"tok","remainingItemCount":3})j"));
  ASSERT_EQ(t["columnDefinitions"].size(), 9u);
  EXPECT_EQ(t["columnDefinitions"][0],
            json({{"name", "Name"},
                  {"type", "string"},
                  {"format", "name"},
                  {"description", t["columnDefinitions"][0]["description"]},
                  {"priority", 0}}));
  ASSERT_EQ(t["rows"].size(), 1u);
  // Default: PartialObjectMetadata.
  EXPECT_EQ(t["rows"][0]["object"],
            json({{"kind", "PartialObjectMetadata"}, {"apiVersion", "meta.k8s.io/v1"}, {"metadata", pod["metadata"]}}));
  EXPECT_EQ(t["rows"][0]["cells"], json::parse(R"j(["web","0/1","Pending","0","5m","<none>","<none>","<none>","<none>"])j"));

  opts.include_object = IncludeObject::kObject;
  EXPECT_EQ(Table("", "Pod", {pod}, opts)["rows"][0]["object"], pod);
  opts.include_object = IncludeObject::kNone;
  json none_row = Table("", "Pod", {pod}, opts)["rows"][0];
  ASSERT_TRUE(none_row.contains("object"));
  EXPECT_TRUE(none_row["object"].is_null());

  opts.no_headers = true;
  json nh = Table("", "Pod", {pod}, opts);
  EXPECT_FALSE(nh.contains("columnDefinitions"));
  EXPECT_EQ(nh["rows"].size(), 1u);
}

TEST(TableTest, EmptyListAndNoListMetadata) {
  json t = Table("apps", "Deployment", {});
  EXPECT_EQ(t["rows"], json::array());
  EXPECT_EQ(t["metadata"], json::object());
}

TEST(TableTest, RejectsNonObjects) {
  json good = {{"metadata", {{"name", "a"}}}};
  json bad = json::array({1, 2});
  auto t = PrintTable("", "ConfigMap", {&good, &bad}, TableOptions{});
  ASSERT_FALSE(t.ok());
  EXPECT_EQ(t.status().code(), StatusCode::kBadRequest);
  EXPECT_NE(t.status().message().find("item 1"), std::string::npos);
  auto n = PrintTable("", "ConfigMap", {nullptr}, TableOptions{});
  EXPECT_FALSE(n.ok());
}

TEST(TableTest, WrongTypedFieldsPrintAsZeroValues) {
  json pod = json::parse(R"j({"metadata":{"name":7,"creationTimestamp":"garbage"},
    "spec":{"containers":"x","initContainers":[5]},
    "status":{"containerStatuses":[null,{"restartCount":"3","state":[]}],"conditions":{}}})j");
  json cells = Cells("", "Pod", pod);
  EXPECT_EQ(cells, json::parse(R"j(["","0/0","","0","<unknown>","<none>","<none>","<none>","<none>"])j"));
}

TEST(TableTest, DefaultTableForRolesAndUnknownKinds) {
  json role = json::parse(R"j({"metadata":{"name":"reader","creationTimestamp":"2025-04-23T10:00:00.5Z"}})j");
  EXPECT_EQ(Cells("rbac.authorization.k8s.io", "Role", role), json::parse(R"j(["reader","2025-04-23T10:00:00Z"])j"));
  EXPECT_EQ(Cells("", "LimitRange", role), json::parse(R"j(["reader","2025-04-23T10:00:00Z"])j"));
  EXPECT_EQ(Cells("example.com", "Widget", json::parse(R"j({"metadata":{"name":"w"}})j")),
            json::parse(R"j(["w",null])j"));
  json t = Table("example.com", "Widget", {});
  EXPECT_EQ(t["columnDefinitions"][1]["name"], "Created At");
  EXPECT_EQ(t["columnDefinitions"][1]["type"], "date");
}

// ---------------------------------------------------------------- Pod STATUS

TEST(PodStatusTest, RunningReadyWithRestarts) {
  json cells = CellsS("", "Pod", R"j({
    "metadata":{"name":"web-0","creationTimestamp":"2025-04-21T09:00:00Z"},
    "spec":{"nodeName":"n1","containers":[{"name":"a"},{"name":"b"}]},
    "status":{"phase":"Running","podIP":"10.42.0.5","podIPs":[{"ip":"10.42.0.5"},{"ip":"fd00::5"}],
      "conditions":[{"type":"Ready","status":"True"}],
      "containerStatuses":[
        {"name":"a","ready":true,"restartCount":2,"state":{"running":{}},
         "lastState":{"terminated":{"exitCode":1,"finishedAt":"2025-04-23T11:40:00Z"}}},
        {"name":"b","ready":true,"restartCount":1,"state":{"running":{}},
         "lastState":{"terminated":{"exitCode":1,"finishedAt":"2025-04-23T11:54:48Z"}}}]}})j");
  EXPECT_EQ(cells, json::parse(R"j(["web-0","2/2","Running","3 (5m12s ago)","2d3h","10.42.0.5","n1","<none>","<none>"])j"));
}

TEST(PodStatusTest, WaitingReasonsAndFirstContainerWins) {
  EXPECT_EQ(PodStatus(R"j({"spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":{"phase":"Running",
    "containerStatuses":[{"name":"a","state":{"waiting":{"reason":"CrashLoopBackOff"}}},
                         {"name":"b","state":{"waiting":{"reason":"ImagePullBackOff"}}}]}})j"),
            "CrashLoopBackOff");
  EXPECT_EQ(PodStatus(R"j({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending",
    "containerStatuses":[{"name":"a","state":{"waiting":{"reason":"ContainerCreating"}}}]}})j"),
            "ContainerCreating");
}

TEST(PodStatusTest, TerminatedReasonsSignalsAndExitCodes) {
  EXPECT_EQ(PodStatus(R"j({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Succeeded",
    "containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":0,"reason":"Completed"}}}]}})j"),
            "Completed");
  EXPECT_EQ(PodStatus(R"j({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed",
    "containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":137,"reason":"OOMKilled"}}}]}})j"),
            "OOMKilled");
  EXPECT_EQ(PodStatus(R"j({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed",
    "containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":143,"signal":15}}}]}})j"),
            "Signal:15");
  EXPECT_EQ(PodStatus(R"j({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed",
    "containerStatuses":[{"name":"a","state":{"terminated":{"exitCode":2}}}]}})j"),
            "ExitCode:2");
}

TEST(PodStatusTest, CompletedWithARunningContainer) {
  const char* kPod = R"j({"spec":{"containers":[{"name":"a"},{"name":"b"}]},"status":{"phase":"Running",
    "conditions":[{"type":"Ready","status":"%s"}],
    "containerStatuses":[{"name":"a","ready":false,"state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
                         {"name":"b","ready":true,"state":{"running":{}}}]}})j";
  char buf[1024];
  std::snprintf(buf, sizeof buf, kPod, "True");
  EXPECT_EQ(PodStatus(buf), "Running");
  std::snprintf(buf, sizeof buf, kPod, "False");
  json cells = CellsS("", "Pod", std::string_view(buf));
  EXPECT_EQ(cells[2], "NotReady");
  EXPECT_EQ(cells[1], "1/2");
}

TEST(PodStatusTest, InitContainers) {
  // Second of two init containers running.
  json cells = CellsS("", "Pod", R"j({"spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"a"}]},
    "status":{"phase":"Pending",
      "initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":0,"reason":"Completed"}}},
                               {"name":"i2","state":{"running":{}},"restartCount":0}],
      "containerStatuses":[{"name":"a","restartCount":0,"state":{"waiting":{"reason":"PodInitializing"}}}]}})j");
  EXPECT_EQ(cells[2], "Init:1/2");
  EXPECT_EQ(cells[1], "0/1");
  // Crash looping init container: its restarts count, with the last restart time.
  cells = CellsS("", "Pod", R"j({"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},
    "status":{"phase":"Pending",
      "initContainerStatuses":[{"name":"i1","restartCount":4,"state":{"waiting":{"reason":"CrashLoopBackOff"}},
         "lastState":{"terminated":{"exitCode":1,"finishedAt":"2025-04-23T11:59:30Z"}}}],
      "containerStatuses":[{"name":"a","restartCount":0,"state":{"waiting":{"reason":"PodInitializing"}}}]}})j");
  EXPECT_EQ(cells[2], "Init:CrashLoopBackOff");
  EXPECT_EQ(cells[3], "4 (30s ago)");
  EXPECT_EQ(PodStatus(R"j({"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},
    "status":{"phase":"Failed","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":1,"reason":"Error"}}}]}})j"),
            "Init:Error");
  EXPECT_EQ(PodStatus(R"j({"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},
    "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":3}}}]}})j"),
            "Init:ExitCode:3");
  EXPECT_EQ(PodStatus(R"j({"spec":{"initContainers":[{"name":"i1"}],"containers":[{"name":"a"}]},
    "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"terminated":{"exitCode":137,"signal":9}}}]}})j"),
            "Init:Signal:9");
  // PodInitializing waiting reason is not surfaced: falls to Init:i/n.
  EXPECT_EQ(PodStatus(R"j({"spec":{"initContainers":[{"name":"i1"},{"name":"i2"}],"containers":[{"name":"a"}]},
    "status":{"phase":"Pending","initContainerStatuses":[{"name":"i1","state":{"waiting":{"reason":"PodInitializing"}}}]}})j"),
            "Init:0/2");
}

TEST(PodStatusTest, SidecarsCountInReadyAndRestarts) {
  json cells = CellsS("", "Pod", R"j({"metadata":{"name":"s"},
    "spec":{"initContainers":[{"name":"proxy","restartPolicy":"Always"},{"name":"setup"}],"containers":[{"name":"app"}]},
    "status":{"phase":"Running","conditions":[{"type":"Initialized","status":"True"},{"type":"Ready","status":"True"}],
      "initContainerStatuses":[
        {"name":"proxy","started":true,"ready":true,"restartCount":2,"state":{"running":{}},
         "lastState":{"terminated":{"exitCode":1,"finishedAt":"2025-04-23T10:00:00Z"}}},
        {"name":"setup","restartCount":1,"state":{"terminated":{"exitCode":0,"reason":"Completed"}},
         "lastState":{"terminated":{"exitCode":1,"finishedAt":"2025-04-23T11:59:00Z"}}}],
      "containerStatuses":[{"name":"app","ready":true,"restartCount":1,"state":{"running":{}},
         "lastState":{"terminated":{"exitCode":1,"finishedAt":"2025-04-23T11:00:00Z"}}}]}})j");
  EXPECT_EQ(cells[1], "2/2");
  EXPECT_EQ(cells[2], "Running");
  // Sidecar (2) + app (1); the finished regular init container's restart is not counted.
  EXPECT_EQ(cells[3], "3 (60m ago)");
}

TEST(PodStatusTest, SchedulingGatedTerminatingAndNodeLost) {
  EXPECT_EQ(PodStatus(R"j({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Pending",
    "conditions":[{"type":"PodScheduled","status":"False","reason":"SchedulingGated"}]}})j"),
            "SchedulingGated");
  EXPECT_EQ(PodStatus(R"j({"metadata":{"deletionTimestamp":"2025-04-23T11:59:00Z"},"spec":{"containers":[{"name":"a"}]},
    "status":{"phase":"Running","containerStatuses":[{"name":"a","ready":true,"state":{"running":{}}}]}})j"),
            "Terminating");
  EXPECT_EQ(PodStatus(R"j({"metadata":{"deletionTimestamp":"2025-04-23T11:59:00Z"},"spec":{"containers":[{"name":"a"}]},
    "status":{"phase":"Running","reason":"NodeLost"}})j"),
            "Unknown");
  // A finished pod being deleted keeps its phase.
  EXPECT_EQ(PodStatus(R"j({"metadata":{"deletionTimestamp":"2025-04-23T11:59:00Z"},"spec":{"containers":[{"name":"a"}]},
    "status":{"phase":"Succeeded"}})j"),
            "Succeeded");
  EXPECT_EQ(PodStatus(R"j({"spec":{"containers":[{"name":"a"}]},"status":{"phase":"Failed","reason":"Evicted"}})j"),
            "Evicted");
}

TEST(PodStatusTest, ReadinessGatesNominatedNodeAndRowConditions) {
  json t = Table("", "Pod", {json::parse(R"j({"metadata":{"name":"g"},
    "spec":{"containers":[{"name":"a"}],"readinessGates":[{"conditionType":"x/one"},{"conditionType":"x/two"}]},
    "status":{"phase":"Succeeded","nominatedNodeName":"n2",
      "conditions":[{"type":"x/one","status":"True"},{"type":"x/two","status":"False"}]}})j")});
  json cells = t["rows"][0]["cells"];
  EXPECT_EQ(cells[7], "n2");
  EXPECT_EQ(cells[8], "1/2");
  EXPECT_EQ(t["rows"][0]["conditions"][0]["type"], "Completed");
  EXPECT_EQ(t["rows"][0]["conditions"][0]["reason"], "Succeeded");
}

// ---------------------------------------------------------------- other kinds

struct KindCase {
  const char* name;
  const char* group;
  const char* kind;
  const char* object;
  const char* want_cells;
};

class KindTest : public ::testing::TestWithParam<KindCase> {};

TEST_P(KindTest, Cells) {
  const KindCase& c = GetParam();
  json obj = json::parse(c.object);
  obj["metadata"]["creationTimestamp"] = "2025-04-23T09:00:00Z";  // AGE 3h
  EXPECT_EQ(Cells(c.group, c.kind, obj), json::parse(c.want_cells));
}

const KindCase kKindCases[] = {
    {"NamespaceActive", "", "Namespace", R"j({"metadata":{"name":"dev"},"status":{"phase":"Active"}})j",
     R"j(["dev","Active","3h"])j"},
    {"ServiceNodePort", "", "Service",
     R"j({"metadata":{"name":"web"},"spec":{"type":"NodePort","clusterIP":"10.43.0.20","clusterIPs":["10.43.0.20"],
        "selector":{"tier":"fe","app":"web"},
        "ports":[{"port":80,"nodePort":30080,"protocol":"TCP"},{"port":443,"protocol":"TCP"}]}})j",
     R"j(["web","NodePort","10.43.0.20","<none>","80:30080/TCP,443/TCP","3h","app=web,tier=fe"])j"},
    {"ServiceLoadBalancerPending", "", "Service",
     R"j({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIPs":["10.43.0.9"],
        "ports":[{"port":53,"nodePort":31000,"protocol":"UDP"}]}})j",
     R"j(["lb","LoadBalancer","10.43.0.9","<pending>","53:31000/UDP","3h","<none>"])j"},
    {"ServiceLoadBalancerIngress", "", "Service",
     R"j({"metadata":{"name":"lb"},"spec":{"type":"LoadBalancer","clusterIPs":["10.43.0.9"],"externalIPs":["1.2.3.4"],
        "ports":[{"port":80,"protocol":"TCP"}]},
        "status":{"loadBalancer":{"ingress":[{"ip":"5.6.7.8"},{"hostname":"lb.example.com"},{"ip":"5.6.7.8"}]}}})j",
     R"j(["lb","LoadBalancer","10.43.0.9","5.6.7.8,lb.example.com,1.2.3.4","80/TCP","3h","<none>"])j"},
    {"ServiceHeadless", "", "Service",
     R"j({"metadata":{"name":"db"},"spec":{"type":"ClusterIP","clusterIP":"None","clusterIPs":["None"],
        "externalIPs":["9.9.9.9","8.8.8.8"],"ports":[{"port":5432,"protocol":"TCP"}]}})j",
     R"j(["db","ClusterIP","None","9.9.9.9,8.8.8.8","5432/TCP","3h","<none>"])j"},
    {"ServiceExternalName", "", "Service",
     R"j({"metadata":{"name":"ext"},"spec":{"type":"ExternalName","externalName":"db.example.com"}})j",
     R"j(["ext","ExternalName","<none>","db.example.com","<none>","3h","<none>"])j"},
    {"EndpointsTruncated", "", "Endpoints",
     R"j({"metadata":{"name":"web"},"subsets":[
        {"addresses":[{"ip":"10.42.0.1"},{"ip":"10.42.0.2"}],"notReadyAddresses":[{"ip":"10.42.0.9"}],
         "ports":[{"name":"http","port":80},{"name":"https","port":443}]}]})j",
     R"j(["web","10.42.0.1:80,10.42.0.2:80,10.42.0.1:443 + 1 more...","3h"])j"},
    {"EndpointsIPv6NoPorts", "", "Endpoints",
     R"j({"metadata":{"name":"h"},"subsets":[{"addresses":[{"ip":"fd00::1"}]},
        {"addresses":[{"ip":"fd00::2"}],"ports":[{"port":8080}]}]})j",
     R"j(["h","fd00::1,[fd00::2]:8080","3h"])j"},
    {"EndpointsEmpty", "", "Endpoints", R"j({"metadata":{"name":"e"}})j", R"j(["e","<none>","3h"])j"},
    {"ConfigMap", "", "ConfigMap",
     R"j({"metadata":{"name":"cfg"},"data":{"a":"1","b":"2"},"binaryData":{"c":"AA=="}})j", R"j(["cfg",3,"3h"])j"},
    {"Secret", "", "Secret",
     R"j({"metadata":{"name":"tls"},"type":"kubernetes.io/tls","data":{"tls.crt":"","tls.key":""}})j",
     R"j(["tls","kubernetes.io/tls",2,"3h"])j"},
    {"ServiceAccount", "", "ServiceAccount", R"j({"metadata":{"name":"default"},"secrets":[{"name":"t"}]})j",
     R"j(["default",1,"3h"])j"},
    {"NodeReadyCordoned", "", "Node",
     R"j({"metadata":{"name":"n1","labels":{"node-role.kubernetes.io/control-plane":"","node-role.kubernetes.io/master":"x",
        "kubernetes.io/role":"worker","node-role.kubernetes.io/":"ignored"}},
        "spec":{"unschedulable":true},
        "status":{"conditions":[{"type":"MemoryPressure","status":"False"},{"type":"Ready","status":"True"}],
          "addresses":[{"type":"Hostname","address":"n1"},{"type":"InternalIP","address":"192.0.2.10"}],
          "nodeInfo":{"kubeletVersion":"v1.33.0","osImage":"Debian GNU/Linux 12 (bookworm)",
                      "kernelVersion":"6.1.0-18-amd64","containerRuntimeVersion":"kubepp://0.1.0"}}})j",
     R"j(["n1","Ready,SchedulingDisabled","control-plane,master,worker","3h","v1.33.0","192.0.2.10","<none>",
         "Debian GNU/Linux 12 (bookworm)","6.1.0-18-amd64","kubepp://0.1.0"])j"},
    {"NodeNotReady", "", "Node",
     R"j({"metadata":{"name":"n2"},"status":{"conditions":[{"type":"Ready","status":"Unknown"}]}})j",
     R"j(["n2","NotReady","<none>","3h","","<none>","<none>","<unknown>","<unknown>","<unknown>"])j"},
    {"NodeNoConditions", "", "Node", R"j({"metadata":{"name":"n3"}})j",
     R"j(["n3","Unknown","<none>","3h","","<none>","<none>","<unknown>","<unknown>","<unknown>"])j"},
    {"EventCore", "", "Event",
     R"j({"metadata":{"name":"web-0.17f"},"type":"Warning","reason":"BackOff","count":5,
        "involvedObject":{"kind":"Pod","name":"web-0","fieldPath":"spec.containers{app}"},
        "source":{"component":"kubelet","host":"n1"},"message":"  Back-off restarting failed container\n",
        "firstTimestamp":"2025-04-23T11:00:00Z","lastTimestamp":"2025-04-23T11:58:00Z"})j",
     R"j(["2m","Warning","BackOff","pod/web-0","spec.containers{app}","kubelet, n1",
         "Back-off restarting failed container","60m",5,"web-0.17f"])j"},
    {"EventCoreNewStyle", "", "Event",
     R"j({"metadata":{"name":"e2"},"type":"Normal","reason":"Scheduled","involvedObject":{"kind":"Node"},
        "reportingController":"default-scheduler","eventTime":"2025-04-23T11:59:30.123456Z","message":"ok"})j",
     R"j(["29s","Normal","Scheduled","node","","default-scheduler","ok","29s",1,"e2"])j"},
    {"EventsV1Series", "events.k8s.io", "Event",
     R"j({"metadata":{"name":"e3"},"type":"Normal","reason":"Pulled","note":"pulled",
        "regarding":{"kind":"Pod","name":"p"},"reportingController":"kubelet","reportingInstance":"n1",
        "eventTime":"2025-04-23T10:00:00.000000Z","series":{"count":7,"lastObservedTime":"2025-04-23T11:50:00.000000Z"}})j",
     R"j(["10m","Normal","Pulled","pod/p","","kubelet, n1","pulled","120m",7,"e3"])j"},
    {"PersistentVolume", "", "PersistentVolume",
     R"j({"metadata":{"name":"pv1","annotations":{"volume.beta.kubernetes.io/storage-class":"slow"}},
        "spec":{"capacity":{"storage":"5120Mi"},"accessModes":["ReadWriteMany","ReadWriteOnce","ReadWriteOnce"],
          "persistentVolumeReclaimPolicy":"Retain","storageClassName":"fast","volumeMode":"Filesystem",
          "claimRef":{"namespace":"default","name":"data"}},
        "status":{"phase":"Bound"}})j",
     R"j(["pv1","5Gi","RWO,RWX","Retain","Bound","default/data","slow","<unset>","","3h","Filesystem"])j"},
    {"PersistentVolumeClaimBound", "", "PersistentVolumeClaim",
     R"j({"metadata":{"name":"data"},"spec":{"volumeName":"pv1","storageClassName":"fast",
          "volumeAttributesClassName":"gold","resources":{"requests":{"storage":"1Gi"}}},
        "status":{"phase":"Bound","capacity":{"storage":"2Gi"},"accessModes":["ReadWriteOncePod"]}})j",
     R"j(["data","Bound","pv1","2Gi","RWOP","fast","gold","3h","<unset>"])j"},
    {"PersistentVolumeClaimPendingDeleting", "", "PersistentVolumeClaim",
     R"j({"metadata":{"name":"d2","deletionTimestamp":"2025-04-23T11:00:00Z"},
        "spec":{"resources":{"requests":{"storage":"1Gi"}},"volumeMode":"Block"},"status":{"phase":"Pending"}})j",
     R"j(["d2","Terminating","","","","","<unset>","3h","Block"])j"},
    {"ResourceQuota", "", "ResourceQuota",
     R"j({"metadata":{"name":"q"},"status":{
        "hard":{"pods":"10","requests.cpu":"2","limits.cpu":"4","limits.memory":"8Gi","requests.memory":"1024Mi"},
        "used":{"pods":"1","requests.cpu":"500m","requests.memory":"512Mi"}}})j",
     R"j(["q","pods: 1/10, requests.cpu: 500m/2, requests.memory: 512Mi/1Gi","limits.cpu: 0/4, limits.memory: 0/8Gi","3h"])j"},
    {"Deployment", "apps", "Deployment",
     R"j({"metadata":{"name":"web"},"spec":{"replicas":3,
          "selector":{"matchLabels":{"app":"web"},"matchExpressions":[{"key":"tier","operator":"In","values":["b","a"]}]},
          "template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.27"},{"name":"log","image":"busybox"}]}}},
        "status":{"replicas":3,"readyReplicas":2,"updatedReplicas":3,"availableReplicas":2}})j",
     R"j(["web","2/3",3,2,"3h","nginx,log","nginx:1.27,busybox","app=web,tier in (a,b)"])j"},
    {"DeploymentFresh", "apps", "Deployment", R"j({"metadata":{"name":"d"},"spec":{"replicas":0,"selector":{}}})j",
     R"j(["d","0/0",0,0,"3h","","",""])j"},
    {"ReplicaSet", "apps", "ReplicaSet",
     R"j({"metadata":{"name":"web-5d"},"spec":{"replicas":2,"selector":{"matchLabels":{"app":"web","pod-template-hash":"5d"}},
        "template":{"spec":{"containers":[{"name":"nginx","image":"nginx"}]}}},
        "status":{"replicas":2,"readyReplicas":1}})j",
     R"j(["web-5d",2,2,1,"3h","nginx","nginx","app=web,pod-template-hash=5d"])j"},
    {"StatefulSet", "apps", "StatefulSet",
     R"j({"metadata":{"name":"db"},"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"pg","image":"postgres:16"}]}}},
        "status":{"readyReplicas":1}})j",
     R"j(["db","1/3","3h","pg","postgres:16"])j"},
    {"DaemonSet", "apps", "DaemonSet",
     R"j({"metadata":{"name":"agent"},"spec":{"selector":{"matchExpressions":[{"key":"canary","operator":"DoesNotExist"},
          {"key":"app","operator":"Exists"}]},
        "template":{"spec":{"nodeSelector":{"kubernetes.io/os":"linux"},"containers":[{"name":"a","image":"agent:1"}]}}},
        "status":{"desiredNumberScheduled":3,"currentNumberScheduled":3,"numberReady":2,"updatedNumberScheduled":3,
          "numberAvailable":2}})j",
     R"j(["agent",3,3,2,3,2,"kubernetes.io/os=linux","3h","a","agent:1","app,!canary"])j"},
    {"ControllerRevision", "apps", "ControllerRevision",
     R"j({"metadata":{"name":"web-7c","ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"x"},
        {"apiVersion":"apps/v1","kind":"StatefulSet","name":"web","controller":true}]},"revision":4})j",
     R"j(["web-7c","statefulset.apps/web",4,"3h"])j"},
    {"ControllerRevisionOrphan", "apps", "ControllerRevision", R"j({"metadata":{"name":"r"},"revision":1})j",
     R"j(["r","<none>",1,"3h"])j"},
    {"JobRunningParallel", "batch", "Job",
     R"j({"metadata":{"name":"pi"},"spec":{"parallelism":3,"selector":{"matchLabels":{"batch.kubernetes.io/controller-uid":"u"}},
        "template":{"spec":{"containers":[{"name":"pi","image":"perl"}]}}},
        "status":{"startTime":"2025-04-23T11:58:20Z","succeeded":1}})j",
     R"j(["pi","Running","1/1 of 3","100s","3h","pi","perl","batch.kubernetes.io/controller-uid=u"])j"},
    {"JobComplete", "batch", "Job",
     R"j({"metadata":{"name":"once"},"spec":{"completions":2,"parallelism":1},
        "status":{"startTime":"2025-04-23T09:00:00Z","completionTime":"2025-04-23T09:02:05Z","succeeded":2,
          "conditions":[{"type":"SuccessCriteriaMet","status":"True"},{"type":"Complete","status":"True"}]}})j",
     R"j(["once","Complete","2/2","2m5s","3h","","","<none>"])j"},
    {"JobSuspendedNotStarted", "batch", "Job",
     R"j({"metadata":{"name":"s"},"spec":{"parallelism":1},"status":{"conditions":[{"type":"Suspended","status":"True"}]}})j",
     R"j(["s","Suspended","0/1","","3h","","","<none>"])j"},
    {"JobFailedWinsOverTerminating", "batch", "Job",
     R"j({"metadata":{"name":"f","deletionTimestamp":"2025-04-23T11:00:00Z"},
        "status":{"conditions":[{"type":"Failed","status":"True"}]}})j",
     R"j(["f","Failed","0/1","","3h","","","<none>"])j"},
    {"CronJob", "batch", "CronJob",
     R"j({"metadata":{"name":"backup"},"spec":{"schedule":"*/5 * * * *","timeZone":"Europe/Paris","suspend":false,
        "jobTemplate":{"spec":{"template":{"spec":{"containers":[{"name":"b","image":"backup:2"}]}}}}},
        "status":{"active":[{"name":"backup-1"}],"lastScheduleTime":"2025-04-23T11:55:00Z"}})j",
     R"j(["backup","*/5 * * * *","Europe/Paris","False",1,"5m","3h","b","backup:2","<none>"])j"},
    {"CronJobUnset", "batch", "CronJob", R"j({"metadata":{"name":"c"},"spec":{"schedule":"@daily"}})j",
     R"j(["c","@daily","<none>","<unset>",0,"<none>","3h","","","<none>"])j"},
    {"IngressManyHosts", "networking.k8s.io", "Ingress",
     R"j({"metadata":{"name":"ing"},"spec":{"ingressClassName":"nginx","tls":[{"hosts":["a.example.com"]}],
        "rules":[{"host":"a.example.com"},{},{"host":"b.example.com"},{"host":"c.example.com"},{"host":"d.example.com"}]},
        "status":{"loadBalancer":{"ingress":[{"ip":"192.0.2.2"},{"ip":"192.0.2.1"}]}}})j",
     R"j(["ing","nginx","a.example.com,b.example.com,c.example.com + 2 more...","192.0.2.1,192.0.2.2","80, 443","3h"])j"},
    {"IngressDefaultBackendOnly", "networking.k8s.io", "Ingress",
     R"j({"metadata":{"name":"i2"},"spec":{"defaultBackend":{"service":{"name":"s","port":{"number":80}}}}})j",
     R"j(["i2","<none>","*","","80","3h"])j"},
    {"IngressClass", "networking.k8s.io", "IngressClass",
     R"j({"metadata":{"name":"nginx"},"spec":{"controller":"k8s.io/ingress-nginx",
        "parameters":{"apiGroup":"k8s.example.com","kind":"IngressParameters","name":"p1"}}})j",
     R"j(["nginx","k8s.io/ingress-nginx","IngressParameters.k8s.example.com/p1","3h"])j"},
    {"IngressClassNoParams", "networking.k8s.io", "IngressClass",
     R"j({"metadata":{"name":"c"},"spec":{"controller":"x/y"}})j", R"j(["c","x/y","<none>","3h"])j"},
    {"NetworkPolicyAllPods", "networking.k8s.io", "NetworkPolicy",
     R"j({"metadata":{"name":"deny"},"spec":{"podSelector":{},"policyTypes":["Ingress"]}})j",
     R"j(["deny","<none>","3h"])j"},
    {"NetworkPolicySelector", "networking.k8s.io", "NetworkPolicy",
     R"j({"metadata":{"name":"web"},"spec":{"podSelector":{"matchLabels":{"app":"web"},
        "matchExpressions":[{"key":"env","operator":"NotIn","values":["dev"]}]}}})j",
     R"j(["web","app=web,env notin (dev)","3h"])j"},
    {"StorageClassDefault", "storage.k8s.io", "StorageClass",
     R"j({"metadata":{"name":"local","annotations":{"storageclass.kubernetes.io/is-default-class":"true"}},
        "provisioner":"rancher.io/local-path","volumeBindingMode":"WaitForFirstConsumer"})j",
     R"j(["local (default)","rancher.io/local-path","Delete","WaitForFirstConsumer",false,"3h"])j"},
    {"StorageClass", "storage.k8s.io", "StorageClass",
     R"j({"metadata":{"name":"ssd"},"provisioner":"p","reclaimPolicy":"Retain","allowVolumeExpansion":true})j",
     R"j(["ssd","p","Retain","Immediate",true,"3h"])j"},
    {"EndpointSlice", "discovery.k8s.io", "EndpointSlice",
     R"j({"metadata":{"name":"web-abc"},"addressType":"IPv4",
        "ports":[{"name":"http","port":80},{"name":"named"},{},{"port":9090}],
        "endpoints":[{"addresses":["10.42.0.1"],"conditions":{"ready":false}},{"addresses":["10.42.0.2","10.42.0.3"]},
          {"addresses":["10.42.0.4"]},{"addresses":["10.42.0.5"]}]})j",
     R"j(["web-abc","IPv4","80,named,* + 1 more...","10.42.0.1,10.42.0.2,10.42.0.3 + 2 more...","3h"])j"},
    {"EndpointSliceEmpty", "discovery.k8s.io", "EndpointSlice",
     R"j({"metadata":{"name":"e"},"addressType":"IPv6","ports":[],"endpoints":[]})j",
     R"j(["e","IPv6","<unset>","<unset>","3h"])j"},
    {"Lease", "coordination.k8s.io", "Lease",
     R"j({"metadata":{"name":"kube-scheduler"},"spec":{"holderIdentity":"n1_abc","leaseDurationSeconds":15}})j",
     R"j(["kube-scheduler","n1_abc","3h"])j"},
    {"LeaseFree", "coordination.k8s.io", "Lease", R"j({"metadata":{"name":"l"},"spec":{}})j", R"j(["l","","3h"])j"},
    {"RoleBinding", "rbac.authorization.k8s.io", "RoleBinding",
     R"j({"metadata":{"name":"rb"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"ClusterRole","name":"admin"},
        "subjects":[{"kind":"User","name":"alice"},{"kind":"User","name":"bob"},{"kind":"Group","name":"devs"},
          {"kind":"ServiceAccount","namespace":"ci","name":"builder"},{"kind":"ServiceAccount","name":"bare"}]})j",
     R"j(["rb","ClusterRole/admin","3h","alice, bob","devs","ci/builder, /bare"])j"},
    {"ClusterRoleBinding", "rbac.authorization.k8s.io", "ClusterRoleBinding",
     R"j({"metadata":{"name":"crb"},"roleRef":{"kind":"ClusterRole","name":"view"},
        "subjects":[{"kind":"Group","name":"system:authenticated"}]})j",
     R"j(["crb","ClusterRole/view","3h","","system:authenticated",""])j"},
    {"PodDisruptionBudget", "policy", "PodDisruptionBudget",
     R"j({"metadata":{"name":"pdb"},"spec":{"minAvailable":"50%"},"status":{"disruptionsAllowed":1}})j",
     R"j(["pdb","50%","N/A",1,"3h"])j"},
    {"PodDisruptionBudgetInt", "policy", "PodDisruptionBudget",
     R"j({"metadata":{"name":"pdb2"},"spec":{"maxUnavailable":2}})j", R"j(["pdb2","N/A","2",0,"3h"])j"},
    {"HpaV2", "autoscaling", "HorizontalPodAutoscaler",
     R"j({"metadata":{"name":"web"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":2,"maxReplicas":10,
        "metrics":[{"type":"Resource","resource":{"name":"cpu","target":{"type":"Utilization","averageUtilization":80}}},
          {"type":"Resource","resource":{"name":"memory","target":{"type":"AverageValue","averageValue":"500Mi"}}},
          {"type":"Pods","pods":{"metric":{"name":"qps"},"target":{"type":"AverageValue","averageValue":"1k"}}}]},
        "status":{"currentReplicas":3,"currentMetrics":[
          {"type":"Resource","resource":{"name":"cpu","current":{"averageUtilization":20,"averageValue":"100m"}}}]}})j",
     R"j(["web","Deployment/web","cpu: 20%/80%, memory: <unknown>/500Mi + 1 more...","2",10,3,"3h"])j"},
    {"HpaV2ObjectExternal", "autoscaling", "HorizontalPodAutoscaler",
     R"j({"metadata":{"name":"q"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"w"},"maxReplicas":5,
        "metrics":[{"type":"Object","object":{"target":{"type":"Value","value":"10"}}},
          {"type":"External","external":{"target":{"type":"AverageValue","averageValue":"30"}}}]},
        "status":{"currentReplicas":1,"currentMetrics":[
          {"type":"Object","object":{"current":{"value":"4"}}},
          {"type":"External","external":{"current":{"averageValue":"12"}}}]}})j",
     R"j(["q","Deployment/w","4/10, 12/30 (avg)","<unset>",5,1,"3h"])j"},
    {"HpaV1", "autoscaling", "HorizontalPodAutoscaler",
     R"j({"metadata":{"name":"v1"},"spec":{"scaleTargetRef":{"kind":"Deployment","name":"web"},"minReplicas":1,
        "maxReplicas":4,"targetCPUUtilizationPercentage":50},"status":{"currentReplicas":1}})j",
     R"j(["v1","Deployment/web","cpu: <unknown>/50%","1",4,1,"3h"])j"},
    {"HpaNoMetrics", "autoscaling", "HorizontalPodAutoscaler",
     R"j({"metadata":{"name":"n"},"spec":{"scaleTargetRef":{"kind":"StatefulSet","name":"db"},"maxReplicas":3}})j",
     R"j(["n","StatefulSet/db","<none>","<unset>",3,0,"3h"])j"},
    {"PriorityClass", "scheduling.k8s.io", "PriorityClass",
     R"j({"metadata":{"name":"high"},"value":1000000,"globalDefault":false,"preemptionPolicy":"PreemptLowerPriority"})j",
     R"j(["high",1000000,false,"3h","PreemptLowerPriority"])j"},
};

INSTANTIATE_TEST_SUITE_P(Kinds, KindTest, ::testing::ValuesIn(kKindCases),
                         [](const ::testing::TestParamInfo<KindCase>& i) { return std::string(i.param.name); });

TEST(AgeTest, UnknownFutureAndInvalid) {
  json cm = json::parse(R"j({"metadata":{"name":"a"}})j");
  EXPECT_EQ(Cells("", "ConfigMap", cm)[2], "<unknown>");
  cm["metadata"]["creationTimestamp"] = "2025-04-23T12:00:01Z";  // 1s of clock skew
  EXPECT_EQ(Cells("", "ConfigMap", cm)[2], "0s");
  cm["metadata"]["creationTimestamp"] = "2025-04-23T12:00:05Z";
  EXPECT_EQ(Cells("", "ConfigMap", cm)[2], "<invalid>");
  cm["metadata"]["creationTimestamp"] = "2024-04-23T12:00:00+02:00";
  EXPECT_EQ(Cells("", "ConfigMap", cm)[2], "365d");
}

}  // namespace
}  // namespace kubepp::apiserver
