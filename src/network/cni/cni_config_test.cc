// Loading and writing CNI configuration files (no plugins run).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "common/testing/temp_dir.h"
#include "network/cni/cni.h"

namespace kubepp::network::cni {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

void Write(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

StatusOr<std::unique_ptr<Network>> LoadDir(const TempDir& dir) {
  return Network::Load(dir.path(), {"/usr/lib/cni"}, dir.path() + "/cache");
}

TEST(CniConfigTest, LoadsTheLexicallyFirstConfigFile) {
  TempDir dir("cni-conf");
  ASSERT_TRUE(dir.ok());
  Write(dir.path() + "/20-b.conflist",
        R"({"cniVersion":"1.0.0","name":"b","plugins":[{"type":"bridge"},{"type":"portmap"}]})");
  Write(dir.path() + "/10-a.conflist",
        R"({"cniVersion":"0.4.0","name":"a","plugins":[{"type":"ptp"},{"type":"portmap"}]})");
  Write(dir.path() + "/00-ignored.txt", "not json");
  Write(dir.path() + "/.05-hidden.conflist", "not json");
  auto net = LoadDir(dir);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  EXPECT_EQ((*net)->name(), "a");
  EXPECT_EQ((*net)->cni_version(), "0.4.0");
  EXPECT_EQ((*net)->config_path(), dir.path() + "/10-a.conflist");
  EXPECT_THAT((*net)->plugin_types(), ElementsAre("ptp", "portmap"));
}

TEST(CniConfigTest, SinglePluginConfIsWrappedIntoAList) {
  TempDir dir("cni-conf");
  Write(dir.path() + "/10-one.conf", R"({"cniVersion":"0.3.1","name":"one","type":"bridge","bridge":"x0"})");
  auto net = LoadDir(dir);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  EXPECT_EQ((*net)->name(), "one");
  EXPECT_EQ((*net)->cni_version(), "0.3.1");
  EXPECT_THAT((*net)->plugin_types(), ElementsAre("bridge"));
}

TEST(CniConfigTest, SinglePluginConfErrorsNameTheTopLevelField) {
  TempDir dir("cni-conf");
  Write(dir.path() + "/10-one.conf", R"({"cniVersion":"1.0.0","name":"one","bridge":"x0"})");
  auto net = LoadDir(dir);
  ASSERT_EQ(net.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(net.status().message(), HasSubstr(dir.path() + "/10-one.conf: type: required"));
}

TEST(CniConfigTest, EmptyOrMissingDirIsNotFound) {
  TempDir dir("cni-conf");
  auto net = LoadDir(dir);
  EXPECT_EQ(net.status().code(), StatusCode::kNotFound);
  EXPECT_THAT(net.status().message(), HasSubstr(dir.path()));
  auto missing = Network::Load(dir.path() + "/nope", {}, dir.path() + "/cache");
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
}

TEST(CniConfigTest, JsonSyntaxErrorNamesFileLineAndColumn) {
  TempDir dir("cni-conf");
  Write(dir.path() + "/10-bad.conflist", "{\n  \"cniVersion\": \"1.0.0\",\n  \"name\": oops\n}\n");
  auto net = LoadDir(dir);
  ASSERT_EQ(net.status().code(), StatusCode::kInvalid);
  EXPECT_THAT(net.status().message(), HasSubstr(dir.path() + "/10-bad.conflist"));
  EXPECT_THAT(net.status().message(), HasSubstr("line 3"));
}

struct BadCase {
  std::string text;
  std::string field;
};

TEST(CniConfigTest, InvalidFieldsAreNamed) {
  const BadCase cases[] = {
      {R"({"name":"n","plugins":[{"type":"bridge"}]})", "cniVersion: required"},
      {R"({"cniVersion":"one","name":"n","plugins":[{"type":"bridge"}]})", "cniVersion: \"one\""},
      {R"({"cniVersion":"1.0.0","plugins":[{"type":"bridge"}]})", "name: required"},
      {R"({"cniVersion":"1.0.0","name":"bad name","plugins":[{"type":"bridge"}]})", "name: \"bad name\""},
      {R"({"cniVersion":"1.0.0","name":"n"})", "plugins: required"},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":{}})", "plugins: must be an array"},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":[]})", "plugins: must not be empty"},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":"bridge"},{"bridge":"x"}]})",
       "plugins[1].type: required"},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":7}]})", "plugins[0].type: must be a string"},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":"../sh"}]})", "plugins[0].type: \"../sh\""},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":"x","capabilities":true}]})",
       "plugins[0].capabilities: must be an object"},
      {R"({"cniVersion":1,"name":"n","plugins":[{"type":"bridge"}]})", "cniVersion: must be a string"},
      {R"([1,2])", "expected a JSON object"},
      {R"({"cniVersion":"1.0.0","name":"n","plugins":[{"type":"a"},"b"]})", "plugins[1]: must be an object"},
  };
  for (const auto& c : cases) {
    TempDir dir("cni-conf");
    Write(dir.path() + "/10-x.conflist", c.text);
    auto net = LoadDir(dir);
    ASSERT_EQ(net.status().code(), StatusCode::kInvalid) << c.text;
    EXPECT_THAT(net.status().message(), HasSubstr(dir.path() + "/10-x.conflist: ")) << c.text;
    EXPECT_THAT(net.status().message(), HasSubstr(c.field)) << c.text;
  }
}

TEST(CniConfigTest, WriteDefaultConfigIsLoadableAndCarriesTheOptions) {
  TempDir dir("cni-conf");
  DefaultConfigOptions o;
  o.conf_dir = dir.path() + "/net.d";
  o.pod_cidr = "10.42.3.0/24";
  o.ipam_data_dir = dir.path() + "/ipam";
  o.bridge_name = "kubepp9";
  auto path = WriteDefaultConfig(o);
  ASSERT_TRUE(path.ok()) << path.status().ToString();
  EXPECT_EQ(*path, o.conf_dir + "/10-kubepp.conflist");
  auto net = Network::Load(o.conf_dir, {"/usr/lib/cni"}, dir.path() + "/cache");
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  EXPECT_EQ((*net)->name(), "kubepp");
  EXPECT_EQ((*net)->cni_version(), "1.0.0");
  EXPECT_THAT((*net)->plugin_types(), ElementsAre("bridge", "portmap"));

  std::ifstream in(*path);
  auto doc = nlohmann::json::parse(in);
  const auto& bridge = doc["plugins"][0];
  EXPECT_EQ(bridge["bridge"], "kubepp9");
  EXPECT_EQ(bridge["isGateway"], true);
  EXPECT_EQ(bridge["ipMasq"], true);
  EXPECT_EQ(bridge["hairpinMode"], true);
  EXPECT_EQ(bridge["ipam"]["type"], "host-local");
  EXPECT_EQ(bridge["ipam"]["ranges"][0][0]["subnet"], "10.42.3.0/24");
  EXPECT_EQ(bridge["ipam"]["dataDir"], o.ipam_data_dir);
  EXPECT_EQ(bridge["ipam"]["routes"][0]["dst"], "0.0.0.0/0");
  EXPECT_EQ(doc["plugins"][1]["capabilities"]["portMappings"], true);
}

TEST(CniConfigTest, WriteDefaultConfigRejectsBadOptions) {
  TempDir dir("cni-conf");
  DefaultConfigOptions good;
  good.conf_dir = dir.path();
  good.pod_cidr = "10.42.0.0/24";
  good.ipam_data_dir = dir.path() + "/ipam";
  struct Case {
    std::function<void(DefaultConfigOptions&)> mutate;
    std::string message;
  };
  const Case cases[] = {
      {[](auto& o) { o.pod_cidr = "10.42.0.0"; }, "pod CIDR \"10.42.0.0\""},
      {[](auto& o) { o.pod_cidr = "10.42.0.300/24"; }, "pod CIDR"},
      {[](auto& o) { o.pod_cidr = "10.42.0.0/33"; }, "pod CIDR"},
      {[](auto& o) { o.bridge_name = "a-very-long-bridge-name"; }, "bridge name"},
      {[](auto& o) { o.network_name = "bad/name"; }, "network name"},
      {[](auto& o) { o.ipam_data_dir = "relative"; }, "ipam data dir"},
  };
  for (const auto& c : cases) {
    DefaultConfigOptions o = good;
    c.mutate(o);
    auto r = WriteDefaultConfig(o);
    ASSERT_EQ(r.status().code(), StatusCode::kInvalid) << c.message;
    EXPECT_THAT(r.status().message(), HasSubstr(c.message));
  }
  EXPECT_TRUE(WriteDefaultConfig(good).ok());
}

}  // namespace
}  // namespace kubepp::network::cni
