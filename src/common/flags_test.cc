#include "common/flags.h"

#include <gtest/gtest.h>

namespace kubepp {
namespace {

struct Opts {
  std::string data_dir = "/var/lib/kubepp";
  int64_t port = 6443;
  bool disable_agent = false;
};

FlagSet Make(Opts* o) {
  FlagSet fs("server");
  fs.String("data-dir", &o->data_dir, "state folder");
  fs.Int("https-listen-port", &o->port, "port");
  fs.Bool("disable-agent", &o->disable_agent, "no agent");
  return fs;
}

TEST(FlagsTest, ParsesAllForms) {
  Opts o;
  FlagSet fs = Make(&o);
  ASSERT_TRUE(fs.Parse({"--data-dir=/tmp/x", "--https-listen-port", "7443", "--disable-agent", "pos"}).ok());
  EXPECT_EQ(o.data_dir, "/tmp/x");
  EXPECT_EQ(o.port, 7443);
  EXPECT_TRUE(o.disable_agent);
  EXPECT_EQ(fs.positional(), std::vector<std::string>{"pos"});
}

TEST(FlagsTest, DefaultsKeptWhenAbsent) {
  Opts o;
  FlagSet fs = Make(&o);
  ASSERT_TRUE(fs.Parse({}).ok());
  EXPECT_EQ(o.data_dir, "/var/lib/kubepp");
  EXPECT_EQ(o.port, 6443);
  EXPECT_NE(fs.Usage().find("--https-listen-port value"), std::string::npos);
}

TEST(FlagsTest, ErrorsNameTheFlag) {
  Opts o;
  {
    FlagSet fs = Make(&o);
    Status s = fs.Parse({"--https-listen-port=abc"});
    EXPECT_EQ(s.code(), StatusCode::kBadRequest);
    EXPECT_NE(s.message().find("--https-listen-port"), std::string::npos) << s.message();
  }
  {
    FlagSet fs = Make(&o);
    Status s = fs.Parse({"--data-dri=/x"});
    EXPECT_NE(s.message().find("unknown flag: --data-dri"), std::string::npos) << s.message();
  }
  {
    FlagSet fs = Make(&o);
    Status s = fs.Parse({"--data-dir"});
    EXPECT_NE(s.message().find("flag needs an argument: --data-dir"), std::string::npos);
  }
  {
    FlagSet fs = Make(&o);
    Status s = fs.Parse({"--disable-agent=maybe"});
    EXPECT_NE(s.message().find("--disable-agent"), std::string::npos);
  }
}

}  // namespace
}  // namespace kubepp
