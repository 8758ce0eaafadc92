// The CNI protocol as plugins see it, checked with recording shell-script
// plugins (no root needed): env, stdin, prevResult chaining, runtimeConfig,
// DEL order and cache, error reporting, timeouts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "common/testing/temp_dir.h"
#include "network/cni/cni.h"

namespace kubepp::network::cni {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

constexpr char kVersionOut[] = R"({"cniVersion":"1.0.0","supportedVersions":["0.3.1","0.4.0","1.0.0"]})";

struct Call {
  std::string type;
  std::string command;
  json stdin_json;  // null for VERSION's stdin when not JSON
  std::map<std::string, std::string> env;
};

class FakePluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(root_.ok());
    fs::create_directories(bin_);
    fs::create_directories(conf_);
    fs::create_directories(rec_);
  }

  // A plugin that records every call in rec_ and answers VERSION with
  // `version_out` and ADD with `add_out` (exiting with `add_exit`).
  // `add_shell` runs before the ADD answer.
  void MakePlugin(const std::string& type, const std::string& add_out, int add_exit = 0,
                  const std::string& version_out = kVersionOut, const std::string& add_shell = "",
                  int del_exit = 0, const std::string& del_out = "") {
    std::string path = bin_ + "/" + type;
    std::ofstream out(path);
    out << "#!/bin/sh\n"
        << "d='" << rec_ << "'\n"
        << "n=$(cat \"$d/seq\" 2>/dev/null || echo 0); n=$((n+1)); echo $n > \"$d/seq\"\n"
        << "p=$(printf '%s/%03d-%s-%s' \"$d\" \"$n\" '" << type << "' \"$CNI_COMMAND\")\n"
        << "cat > \"$p.stdin\"\n"
        << "env > \"$p.env\"\n"
        << "case \"$CNI_COMMAND\" in\n"
        << "  VERSION) printf '%s' '" << version_out << "' ;;\n"
        << "  ADD) " << add_shell << "\n printf '%s' '" << add_out << "'; exit " << add_exit << " ;;\n"
        << "  DEL) printf '%s' '" << del_out << "'; exit " << del_exit << " ;;\n"
        << "esac\n"
        << "exit 0\n";
    out.close();
    chmod(path.c_str(), 0755);
  }

  void WriteConf(const std::string& file, const json& doc) {
    std::ofstream out(conf_ + "/" + file);
    out << doc.dump();
  }

  StatusOr<std::unique_ptr<Network>> Load(NetworkOptions options = {}) {
    return Network::Load(conf_, {root_.path() + "/empty-bin", bin_}, cache_, options);
  }

  std::vector<Call> Calls() {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(rec_)) {
      std::string f = e.path().filename().string();
      if (f.size() > 6 && f.substr(f.size() - 6) == ".stdin") names.push_back(f.substr(0, f.size() - 6));
    }
    std::sort(names.begin(), names.end());
    std::vector<Call> calls;
    for (const auto& n : names) {
      Call c;
      size_t a = n.find('-'), b = n.rfind('-');
      c.type = n.substr(a + 1, b - a - 1);
      c.command = n.substr(b + 1);
      std::ifstream in(rec_ + "/" + n + ".stdin");
      std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      c.stdin_json = json::parse(text, nullptr, false);
      std::ifstream env(rec_ + "/" + n + ".env");
      std::string line;
      while (std::getline(env, line)) {
        size_t eq = line.find('=');
        if (eq != std::string::npos) c.env[line.substr(0, eq)] = line.substr(eq + 1);
      }
      calls.push_back(std::move(c));
    }
    return calls;
  }

  std::vector<std::string> CallNames(const std::vector<Call>& calls) {
    std::vector<std::string> out;
    for (const auto& c : calls) out.push_back(c.type + " " + c.command);
    return out;
  }

  void ClearCalls() {
    for (const auto& e : fs::directory_iterator(rec_)) fs::remove(e.path());
  }

  AttachRequest Request() {
    AttachRequest req;
    req.container_id = "c1";
    req.netns_path = "/var/run/netns/fake";
    req.ifname = "eth0";
    req.pod_namespace = "ns";
    req.pod_name = "pod";
    req.pod_uid = "uid-1";
    req.port_mappings = {{8080, 80, "TCP", ""}, {0, 81, "TCP", ""}, {5353, 53, "udp", "127.0.0.1"}};
    return req;
  }

  TempDir root_{"cni-fake"};
  std::string bin_ = root_.path() + "/bin";
  std::string conf_ = root_.path() + "/conf";
  std::string cache_ = root_.path() + "/cache";
  std::string rec_ = root_.path() + "/rec";
};

const json kResultA = json::parse(
    R"({"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/fake"}],
        "ips":[{"address":"10.9.0.5/24","gateway":"10.9.0.1","interface":0}]})");
const json kResultB = json::parse(
    R"({"cniVersion":"1.0.0","interfaces":[{"name":"eth0","sandbox":"/var/run/netns/fake"}],
        "ips":[{"address":"fd00::5/64","interface":0},{"address":"10.9.0.5/24","interface":0}]})");

json TwoPluginList() {
  return {{"cniVersion", "1.0.0"},
          {"name", "fakenet"},
          {"plugins",
           {{{"type", "rec-a"}, {"custom", {{"k", "v"}}}},
            {{"type", "rec-b"}, {"capabilities", {{"portMappings", true}, {"bandwidth", true}}}}}}};
}

TEST_F(FakePluginTest, AddChainsPrevResultAndPassesTheCniEnvironment) {
  MakePlugin("rec-a", kResultA.dump());
  MakePlugin("rec-b", kResultB.dump());
  WriteConf("10-fake.conflist", TwoPluginList());
  setenv("KUBEPP_CNI_TEST_LEAK", "1", 1);
  auto net = Load();
  ASSERT_TRUE(net.ok()) << net.status().ToString();

  auto res = (*net)->Add(Request());
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  EXPECT_THAT(res->ips, ElementsAre("10.9.0.5", "fd00::5"));
  EXPECT_EQ(json::parse(res->result_json), kResultB);

  auto calls = Calls();
  ASSERT_THAT(CallNames(calls), ElementsAre("rec-a VERSION", "rec-b VERSION", "rec-a ADD", "rec-b ADD"));
  EXPECT_EQ(calls[0].stdin_json["cniVersion"], "1.0.0");

  Call a = calls[2];
  EXPECT_EQ(a.env["CNI_COMMAND"], "ADD");
  EXPECT_EQ(a.env["CNI_CONTAINERID"], "c1");
  EXPECT_EQ(a.env["CNI_NETNS"], "/var/run/netns/fake");
  EXPECT_EQ(a.env["CNI_IFNAME"], "eth0");
  EXPECT_EQ(a.env["CNI_ARGS"],
            "IgnoreUnknown=1;K8S_POD_NAMESPACE=ns;K8S_POD_NAME=pod;K8S_POD_INFRA_CONTAINER_ID=c1;K8S_POD_UID="
            "uid-1");
  EXPECT_EQ(a.env["CNI_PATH"], root_.path() + "/empty-bin:" + bin_);
  EXPECT_EQ(a.env.count("KUBEPP_CNI_TEST_LEAK"), 0u) << "the plugin environment must be clean";
  EXPECT_EQ(a.env.count("HOME"), 0u);
  EXPECT_EQ(a.stdin_json["name"], "fakenet");
  EXPECT_EQ(a.stdin_json["cniVersion"], "1.0.0");
  EXPECT_EQ(a.stdin_json["custom"]["k"], "v");
  EXPECT_FALSE(a.stdin_json.contains("prevResult"));
  EXPECT_FALSE(a.stdin_json.contains("runtimeConfig")) << "rec-a declares no capabilities";

  Call b = calls[3];
  EXPECT_EQ(b.stdin_json["prevResult"], kResultA);
  json want_pm = json::parse(R"([{"hostPort":8080,"containerPort":80,"protocol":"tcp"},
      {"hostPort":5353,"containerPort":53,"protocol":"udp","hostIP":"127.0.0.1"}])");
  EXPECT_EQ(b.stdin_json["runtimeConfig"], json({{"portMappings", want_pm}}));

  // The cache entry is where the brief says, and holds the final result.
  std::string cache_file = cache_ + "/fakenet-c1-eth0";
  ASSERT_TRUE(fs::exists(cache_file));
  auto cached = (*net)->CachedResult("c1");
  ASSERT_TRUE(cached.ok()) << cached.status().ToString();
  EXPECT_EQ(json::parse(cached->result_json), kResultB);
  auto listed = (*net)->ListCachedAttachments();
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].container_id, "c1");
  EXPECT_EQ(listed[0].ifname, "eth0");

  // CHECK: in order, with the cached result as prevResult.
  ClearCalls();
  ASSERT_TRUE((*net)->Check(Request()).ok());
  calls = Calls();
  ASSERT_THAT(CallNames(calls), ElementsAre("rec-a CHECK", "rec-b CHECK"));
  EXPECT_EQ(calls[0].stdin_json["prevResult"], kResultB);
  EXPECT_EQ(calls[1].stdin_json["prevResult"], kResultB);
}

TEST_F(FakePluginTest, DelRunsInReverseFromTheCacheAfterARestart) {
  MakePlugin("rec-a", kResultA.dump());
  MakePlugin("rec-b", kResultB.dump());
  WriteConf("10-fake.conflist", TwoPluginList());
  {
    auto net = Load();
    ASSERT_TRUE(net.ok()) << net.status().ToString();
    ASSERT_TRUE((*net)->Add(Request()).ok());
  }
  // "Restart" with a changed configuration and no port mappings in the
  // request: DEL must still undo what the ADD did, with the ADD's arguments.
  WriteConf("10-fake.conflist",
            json{{"cniVersion", "1.0.0"}, {"name", "fakenet"}, {"plugins", {{{"type", "rec-a"}}}}});
  ClearCalls();
  auto net = Load();
  ASSERT_TRUE(net.ok());
  AttachRequest req = Request();
  req.port_mappings.clear();
  ASSERT_TRUE((*net)->Del(req).ok());
  auto calls = Calls();
  ASSERT_THAT(CallNames(calls), ElementsAre("rec-b DEL", "rec-a DEL"));
  EXPECT_EQ(calls[0].stdin_json["prevResult"], kResultB);
  EXPECT_EQ(calls[1].stdin_json["prevResult"], kResultB);
  EXPECT_EQ(calls[0].stdin_json["runtimeConfig"]["portMappings"][0]["hostPort"], 8080);
  EXPECT_EQ(calls[0].env["CNI_COMMAND"], "DEL");
  EXPECT_FALSE(fs::exists(cache_ + "/fakenet-c1-eth0"));
  EXPECT_EQ((*net)->CachedResult("c1").status().code(), StatusCode::kNotFound);

  // A second DEL is fine: the current list, without prevResult.
  ClearCalls();
  ASSERT_TRUE((*net)->Del(req).ok());
  calls = Calls();
  ASSERT_THAT(CallNames(calls), ElementsAre("rec-a DEL"));
  EXPECT_FALSE(calls[0].stdin_json.contains("prevResult"));

  // CHECK without an ADD: NotFound.
  EXPECT_EQ((*net)->Check(req).code(), StatusCode::kNotFound);
}

TEST_F(FakePluginTest, PluginErrorResultIsSurfacedAndTheAddIsRolledBack) {
  MakePlugin("rec-a", kResultA.dump());
  MakePlugin("failing", R"({"cniVersion":"1.0.0","code":7,"msg":"bad bridge","details":"x0 is a veth"})", 1);
  WriteConf("10-fake.conflist", json{{"cniVersion", "1.0.0"},
                                     {"name", "fakenet"},
                                     {"plugins", {{{"type", "rec-a"}}, {{"type", "failing"}}}}});
  auto net = Load();
  ASSERT_TRUE(net.ok());
  auto res = (*net)->Add(Request());
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(res.status().message(), HasSubstr("network \"fakenet\""));
  EXPECT_THAT(res.status().message(),
              HasSubstr("CNI plugin \"failing\" ADD failed: bad bridge; x0 is a veth"));
  EXPECT_THAT(res.status().message(), HasSubstr("code 7"));
  auto calls = Calls();
  EXPECT_THAT(CallNames(calls), ElementsAre("rec-a VERSION", "failing VERSION", "rec-a ADD", "failing ADD",
                                            "failing DEL", "rec-a DEL"));
  EXPECT_EQ(calls[4].stdin_json["prevResult"], kResultA);
  EXPECT_TRUE((*net)->ListCachedAttachments().empty());
}

TEST_F(FakePluginTest, TryAgainLaterIsUnavailable) {
  MakePlugin("busy", R"({"code":11,"msg":"busy"})", 1);
  WriteConf("10-fake.conf", json{{"cniVersion", "1.0.0"}, {"name", "fakenet"}, {"type", "busy"}});
  auto net = Load();
  ASSERT_TRUE(net.ok());
  EXPECT_EQ((*net)->Add(Request()).status().code(), StatusCode::kUnavailable);
}

TEST_F(FakePluginTest, CrashingPluginReportsExitStatusAndStderr) {
  MakePlugin("crashy", "", 0, kVersionOut, "echo 'kaput: no bridge' >&2; exit 3");
  WriteConf("10-fake.conflist",
            json{{"cniVersion", "1.0.0"}, {"name", "fakenet"}, {"plugins", {{{"type", "crashy"}}}}});
  auto net = Load();
  ASSERT_TRUE(net.ok());
  auto res = (*net)->Add(Request());
  ASSERT_FALSE(res.ok());
  EXPECT_THAT(res.status().message(),
              HasSubstr("CNI plugin \"crashy\" ADD failed: exit status 3: kaput: no bridge"));
}

TEST_F(FakePluginTest, DelErrorKeepsTheCacheForARetry) {
  MakePlugin("flaky", kResultA.dump(), 0, kVersionOut, "", 1, R"({"code":5,"msg":"io error"})");
  WriteConf("10-fake.conflist",
            json{{"cniVersion", "1.0.0"}, {"name", "fakenet"}, {"plugins", {{{"type", "flaky"}}}}});
  auto net = Load();
  ASSERT_TRUE(net.ok());
  ASSERT_TRUE((*net)->Add(Request()).ok());
  Status del = (*net)->Del(Request());
  ASSERT_FALSE(del.ok());
  EXPECT_THAT(del.message(), HasSubstr("CNI plugin \"flaky\" DEL failed: io error"));
  EXPECT_TRUE((*net)->CachedResult("c1").ok());
}

TEST_F(FakePluginTest, MissingPluginIsNotFound) {
  WriteConf("10-fake.conflist",
            json{{"cniVersion", "1.0.0"}, {"name", "fakenet"}, {"plugins", {{{"type", "nope"}}}}});
  auto net = Load();
  ASSERT_TRUE(net.ok());
  auto res = (*net)->Add(Request());
  EXPECT_EQ(res.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(res.status().message(), HasSubstr("\"nope\""));
}

TEST_F(FakePluginTest, UnsupportedVersionIsRejectedBeforeAdd) {
  MakePlugin("old", kResultA.dump(), 0, R"({"cniVersion":"0.3.1","supportedVersions":["0.1.0","0.3.1"]})");
  WriteConf("10-fake.conflist",
            json{{"cniVersion", "1.0.0"}, {"name", "fakenet"}, {"plugins", {{{"type", "old"}}}}});
  auto net = Load();
  ASSERT_TRUE(net.ok());
  auto res = (*net)->Add(Request());
  ASSERT_EQ(res.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(res.status().message(), HasSubstr("\"old\" does not support cniVersion \"1.0.0\""));
  EXPECT_THAT(CallNames(Calls()), ElementsAre("old VERSION"));
}

TEST_F(FakePluginTest, HangingPluginTimesOut) {
  MakePlugin("hang", kResultA.dump(), 0, kVersionOut, "sleep 30");
  WriteConf("10-fake.conflist",
            json{{"cniVersion", "1.0.0"}, {"name", "fakenet"}, {"plugins", {{{"type", "hang"}}}}});
  NetworkOptions options;
  options.plugin_timeout = std::chrono::milliseconds(500);
  auto net = Load(options);
  ASSERT_TRUE(net.ok());
  auto start = std::chrono::steady_clock::now();
  auto res = (*net)->Add(Request());
  EXPECT_EQ(res.status().code(), StatusCode::kTimeout);
  EXPECT_THAT(res.status().message(), HasSubstr("\"hang\" ADD: timed out"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

TEST_F(FakePluginTest, CheckHonoursDisableCheckAndOldVersions) {
  MakePlugin("rec-a", kResultA.dump());
  WriteConf("10-fake.conflist", json{{"cniVersion", "1.0.0"},
                                     {"name", "fakenet"},
                                     {"disableCheck", true},
                                     {"plugins", {{{"type", "rec-a"}}}}});
  auto net = Load();
  ASSERT_TRUE(net.ok());
  EXPECT_TRUE((*net)->Check(Request()).ok());  // not even a cache entry needed
  WriteConf("10-fake.conflist",
            json{{"cniVersion", "0.3.1"}, {"name", "fakenet"}, {"plugins", {{{"type", "rec-a"}}}}});
  net = Load();
  ASSERT_TRUE(net.ok());
  EXPECT_EQ((*net)->Check(Request()).code(), StatusCode::kInvalid);
}

TEST_F(FakePluginTest, BadRequestsAreInvalid) {
  MakePlugin("rec-a", kResultA.dump());
  WriteConf("10-fake.conflist",
            json{{"cniVersion", "1.0.0"}, {"name", "fakenet"}, {"plugins", {{{"type", "rec-a"}}}}});
  auto net = Load();
  ASSERT_TRUE(net.ok());
  auto bad = [&](std::function<void(AttachRequest&)> mutate, const std::string& what) {
    AttachRequest req = Request();
    mutate(req);
    auto res = (*net)->Add(req);
    EXPECT_EQ(res.status().code(), StatusCode::kInvalid) << what;
    EXPECT_THAT(res.status().message(), HasSubstr(what));
  };
  bad([](auto& r) { r.container_id = "../etc"; }, "container id");
  bad([](auto& r) { r.container_id = ""; }, "container id");
  bad([](auto& r) { r.ifname = "a-name-longer-than-15"; }, "ifname");
  bad([](auto& r) { r.netns_path = ""; }, "netns path");
  bad([](auto& r) { r.pod_name = "a;b"; }, "K8S_POD_NAME");
  bad([](auto& r) { r.port_mappings = {{70000, 80, "TCP", ""}}; }, "port mapping");
  bad([](auto& r) { r.port_mappings = {{80, 80, "ICMP", ""}}; }, "protocol \"ICMP\"");
  EXPECT_TRUE(Calls().empty());
}

}  // namespace
}  // namespace kubepp::network::cni
