// The real CNI plugins (/usr/lib/cni: bridge, host-local, portmap) driven by
// cni::Network with kubepp's default configuration. Root only.
//
// Each test process claims a slot N (an flock'ed file) and uses names and
// addresses no other concurrently running process uses: bridge "kpt-br<N>",
// network "kpt<N>", pod CIDR 10.250.<N>.0/24, everything else under a temp
// dir. At exit the environment checks that the tests leaked nothing (netns
// mounts, host veths, iptables rules and chains of the network, IPAM
// allocations), then removes the bridge (which Del rightly leaves in place).
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <openssl/sha.h>
#include <poll.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "common/testing/temp_dir.h"
#include "network/cni/cni.h"
#include "network/cni/netns.h"

namespace kubepp::network::cni {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace fs = std::filesystem;

// Runs a shell command; returns its stdout (tests only).
std::string Sh(const std::string& cmd, int* status = nullptr) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return out;
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int st = pclose(p);
  if (status) *status = st;
  return out;
}

std::string Sha512Hex(const std::string& s) {
  unsigned char md[SHA512_DIGEST_LENGTH];
  SHA512(reinterpret_cast<const unsigned char*>(s.data()), s.size(), md);
  std::string hex;
  for (unsigned char c : md) hex += fmt::format("{:02x}", c);
  return hex;
}

// The chains the bridge (ipMasq) and portmap plugins name after a container.
std::vector<std::string> ContainerChains(const std::string& network, const std::string& id) {
  std::string h = Sha512Hex(network + id);
  return {("CNI-" + h).substr(0, 28), ("CNI-DN-" + h).substr(0, 28)};
}

class CniTestEnv : public ::testing::Environment {
 public:
  void SetUp() override {
    if (geteuid() != 0) return;
    for (int i = 0; i < 200 && lock_fd_ < 0; ++i) {
      int n = (getpid() + i) % 200;
      std::string path = fmt::format("/tmp/kubepp-cni-test-slot-{}.lock", n);
      int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
      if (fd < 0) continue;
      struct stat by_fd {
      }, by_path{};
      // The holder unlinks the file when done: a lock on an unlinked file is void.
      if (flock(fd, LOCK_EX | LOCK_NB) == 0 && fstat(fd, &by_fd) == 0 && stat(path.c_str(), &by_path) == 0 &&
          by_fd.st_ino == by_path.st_ino) {
        lock_fd_ = fd;
        lock_path_ = path;
        slot = n;
      } else {
        close(fd);
      }
    }
    ASSERT_GE(lock_fd_, 0) << "no free test slot";
    bridge = fmt::format("kpt-br{}", slot);
    network = fmt::format("kpt{}", slot);
    pod_cidr = fmt::format("10.250.{}.0/24", slot);
    gateway = fmt::format("10.250.{}.1", slot);
    ASSERT_TRUE(root_.ok());
    conf_dir = root_.path() + "/net.d";
    cache_dir = root_.path() + "/cache";
    ipam_dir = root_.path() + "/ipam";
    netns_dir = root_.path() + "/netns";
    fs::create_directories(netns_dir);
    // Anything named after this slot is left over from a crashed run.
    RemoveBridge();
    SweepSlot();
    ip_forward_ = Sh("cat /proc/sys/net/ipv4/ip_forward");
    hostport_chain_existed_ = Sh("iptables -w -t nat -S CNI-HOSTPORT-DNAT 2>/dev/null").size() > 0;
  }

  void TearDown() override {
    if (geteuid() != 0 || lock_fd_ < 0) return;
    // Leak check: per-pod state must be gone after the tests' Dels.
    std::set<std::string> left;
    for (const auto& e : fs::directory_iterator(netns_dir)) left.insert(e.path().string());
    EXPECT_TRUE(left.empty()) << "netns files left: " << ::testing::PrintToString(left);
    EXPECT_THAT(Sh("cat /proc/self/mountinfo"), ::testing::Not(HasSubstr(netns_dir + "/")));
    for (const auto& veth : host_veths) {
      EXPECT_EQ(if_nametoindex(veth.c_str()), 0u) << "host veth " << veth << " left";
    }
    for (const char* table : {"nat", "filter"}) {
      std::string rules = Sh(fmt::format("iptables-save -t {}", table));
      EXPECT_THAT(rules, ::testing::Not(HasSubstr("\\\"" + network + "\\\"")))
          << table << " rules of the network left";
      for (const auto& id : container_ids) {
        for (const auto& chain : ContainerChains(network, id)) {
          EXPECT_THAT(rules, ::testing::Not(HasSubstr(chain)))
              << "chain " << chain << " of " << id << " left";
        }
      }
    }
    std::error_code ec;
    for (const auto& e : fs::recursive_directory_iterator(ipam_dir, ec)) {
      std::string f = e.path().filename().string();
      if (e.is_regular_file() && f != "lock" && f.rfind("last_reserved_ip", 0) != 0) {
        ADD_FAILURE() << "IPAM allocation left: " << e.path();
      }
    }
    SweepSlot();  // so that a failed run leaves nothing either
    // Node-level state Del rightly keeps: the bridge, the shared portmap
    // chains (when this process created them and no pod uses them), ip_forward.
    RemoveBridge();
    EXPECT_EQ(if_nametoindex(bridge.c_str()), 0u);
    if (!hostport_chain_existed_ &&
        Sh("iptables -w -t nat -S CNI-HOSTPORT-DNAT 2>/dev/null").find("-A CNI-HOSTPORT-DNAT") ==
            std::string::npos) {
      Sh("iptables -w -t nat -S | grep -E '^-A (PREROUTING|OUTPUT|POSTROUTING) .*-j CNI-HOSTPORT-' | "
         "sed 's/^-A/-D/' | while read -r rule; do eval iptables -w -t nat $rule; done; "
         "for c in CNI-HOSTPORT-DNAT CNI-HOSTPORT-SETMARK CNI-HOSTPORT-MASQ; do "
         "iptables -w -t nat -F $c 2>/dev/null; iptables -w -t nat -X $c 2>/dev/null; done");
    }
    if (ip_forward_.rfind("0", 0) == 0) Sh("echo 0 > /proc/sys/net/ipv4/ip_forward");
    EXPECT_TRUE(ReleaseNetnsDir(netns_dir).ok());
    unlink(lock_path_.c_str());
    close(lock_fd_);
  }

  void RemoveBridge() { Sh(fmt::format("ip link del {} 2>/dev/null", bridge)); }

  // Removes the NAT rules (and the chains they jump to) whose comment names
  // this slot's network: leftovers of a crashed or failed run.
  void SweepSlot() {
    Sh(
        fmt::format("rules=$(iptables -w -t nat -S | grep -F 'name: \\\"{}\\\"'); "
                    "chains=$(echo \"$rules\" | grep -oE -- '-j CNI-[A-Za-z0-9-]+' | awk '{{print $2}}' | "
                    "grep -v HOSTPORT | sort -u); "
                    "echo \"$rules\" | grep -E '^-A (POSTROUTING|PREROUTING|OUTPUT|CNI-HOSTPORT-[A-Z]+) ' | "
                    "sed 's/^-A/-D/' | "
                    "while read -r r; do eval iptables -w -t nat $r; done; "
                    "for c in $chains; do iptables -w -t nat -F $c; iptables -w -t nat -X $c; done",
                    network));
  }

  int slot = -1;
  std::string bridge, network, pod_cidr, gateway;
  std::string conf_dir, cache_dir, ipam_dir, netns_dir;
  std::set<std::string> host_veths;     // from ADD results
  std::set<std::string> container_ids;  // every id the tests attached

 private:
  TempDir root_{"kubepp-cni-test"};
  int lock_fd_ = -1;
  std::string lock_path_;
  std::string ip_forward_;
  bool hostport_chain_existed_ = false;
};

CniTestEnv* const g_env = static_cast<CniTestEnv*>(::testing::AddGlobalTestEnvironment(new CniTestEnv));

// --- sockets ---------------------------------------------------------------

std::string Ipv4Of(const std::string& ifname) {
  int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  ifreq req{};
  strncpy(req.ifr_name, ifname.c_str(), IFNAMSIZ - 1);
  std::string out;
  if (ioctl(s, SIOCGIFADDR, &req) == 0) {
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&req.ifr_addr)->sin_addr, buf, sizeof buf);
    out = buf;
  }
  close(s);
  return out;
}

// A TCP listener on 0.0.0.0:`port` (0: any) in `netns` ("" = the host).
int Listen(const std::string& netns, uint16_t port, uint16_t* bound) {
  int fd = -1;
  auto body = [&] {
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(fd, 8) != 0) {
      close(fd);
      fd = -1;
      return;
    }
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    if (bound) *bound = ntohs(a.sin_port);
  };
  if (netns.empty()) {
    body();
  } else {
    EXPECT_TRUE(RunInNetns(netns, body).ok());
  }
  return fd;
}

// Connects from `netns` ("" = the host) to ip:port, then checks the bytes
// arrive at `listener` (so the connection really reached that listener).
bool ConnectAndSend(const std::string& netns, const std::string& ip, uint16_t port, int listener) {
  int fd = -1;
  auto make = [&] { fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0); };
  if (netns.empty()) {
    make();
  } else if (!RunInNetns(netns, make).ok()) {
    return false;
  }
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
  bool ok = false;
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 || errno == EINPROGRESS) {
    pollfd p{fd, POLLOUT, 0};
    int err = 0;
    socklen_t len = sizeof err;
    if (poll(&p, 1, 5000) == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0 &&
        send(fd, "ping", 4, MSG_NOSIGNAL) == 4) {
      pollfd l{listener, POLLIN, 0};
      if (poll(&l, 1, 5000) == 1) {
        int c = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
        char buf[4] = {};
        pollfd r{c, POLLIN, 0};
        ok = c >= 0 && poll(&r, 1, 5000) == 1 && recv(c, buf, 4, 0) == 4 && std::string(buf, 4) == "ping";
        if (c >= 0) close(c);
      }
    }
  }
  close(fd);
  return ok;
}

bool InCidr(const std::string& ip, const std::string& cidr_prefix) { return ip.rfind(cidr_prefix, 0) == 0; }

// --- fixture -----------------------------------------------------------------

struct Sandbox {
  std::string id;
  std::string netns;
  bool detached = false;
};

class CniPluginsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) {
      GTEST_SKIP() << "needs root and /usr/lib/cni";
    }
    ASSERT_GE(g_env->slot, 0);
    DefaultConfigOptions o;
    o.conf_dir = g_env->conf_dir;
    o.network_name = g_env->network;
    o.bridge_name = g_env->bridge;
    o.pod_cidr = g_env->pod_cidr;
    o.ipam_data_dir = g_env->ipam_dir;
    auto written = WriteDefaultConfig(o);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    net_ = LoadNetwork();
    ASSERT_NE(net_, nullptr);
  }

  void TearDown() override {
    // Cleanup even when a test failed half-way; a test that passes has
    // detached everything itself, so this hides no leak from the env check.
    for (auto& sb : sandboxes_) {
      if (!sb.detached && net_) (void)net_->Del(Request(sb));
      (void)DeleteNetns(sb.netns);
    }
  }

  std::unique_ptr<Network> LoadNetwork() {
    auto net = Network::Load(g_env->conf_dir, {"/usr/lib/cni"}, g_env->cache_dir);
    EXPECT_TRUE(net.ok()) << net.status().ToString();
    return net.ok() ? std::move(net).value() : nullptr;
  }

  Sandbox& NewSandbox() {
    Sandbox sb;
    sb.id = fmt::format("kpt{}-{}-{}", g_env->slot, getpid(), next_id_++);
    auto ns = CreateNetns(g_env->netns_dir, sb.id);
    EXPECT_TRUE(ns.ok()) << ns.status().ToString();
    sb.netns = ns.ok() ? *ns : "";
    if (ns.ok()) {
      EXPECT_TRUE(BringUpLoopback(sb.netns).ok());
    }
    g_env->container_ids.insert(sb.id);
    sandboxes_.push_back(sb);
    return sandboxes_.back();
  }

  AttachRequest Request(const Sandbox& sb) {
    AttachRequest req;
    req.container_id = sb.id;
    req.netns_path = sb.netns;
    req.pod_namespace = "default";
    req.pod_name = "pod-" + sb.id;
    req.pod_uid = "uid-" + sb.id;
    return req;
  }

  // ADD, recording the host veth for the leak check.
  StatusOr<AttachResult> Add(const AttachRequest& req) {
    auto res = net_->Add(req);
    if (res.ok()) {
      for (const auto& itf : json::parse(res->result_json)["interfaces"]) {
        if (!itf.contains("sandbox") && itf["name"] != g_env->bridge) g_env->host_veths.insert(itf["name"]);
      }
    }
    return res;
  }

  Status Del(Sandbox& sb, Network* net = nullptr) {
    Status s = (net ? net : net_.get())->Del(Request(sb));
    if (s.ok()) sb.detached = true;
    return s;
  }

  std::string IpIn(const Sandbox& sb) {
    std::string ip;
    EXPECT_TRUE(RunInNetns(sb.netns, [&] { ip = Ipv4Of("eth0"); }).ok());
    return ip;
  }

  bool IpamHolds(const std::string& ip) {
    return fs::exists(g_env->ipam_dir + "/" + g_env->network + "/" + ip);
  }

  std::string CidrPrefix() { return fmt::format("10.250.{}.", g_env->slot); }

  std::string NatRulesOf(const std::string& id) {
    std::string out;
    std::istringstream in(Sh("iptables-save -t nat"));
    std::string line;
    while (std::getline(in, line)) {
      if (line.find("id: \\\"" + id + "\\\"") != std::string::npos) out += line + "\n";
    }
    return out;
  }

  std::unique_ptr<Network> net_;
  std::deque<Sandbox> sandboxes_;
  int next_id_ = 0;
};

TEST_F(CniPluginsTest, AddAssignsAPodAddressOnEth0ThenCheckAndDelReleaseIt) {
  Sandbox& sb = NewSandbox();
  auto res = Add(Request(sb));
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_EQ(res->ips.size(), 1u) << res->result_json;
  const std::string ip = res->ips[0];
  EXPECT_TRUE(InCidr(ip, CidrPrefix())) << ip;
  EXPECT_NE(ip, g_env->gateway);
  EXPECT_EQ(IpIn(sb), ip);
  EXPECT_EQ(Ipv4Of(g_env->bridge), g_env->gateway) << "isGateway puts the gateway on the bridge";
  EXPECT_TRUE(IpamHolds(ip));
  EXPECT_THAT(NatRulesOf(sb.id), HasSubstr("MASQUERADE"));
  EXPECT_EQ(json::parse(res->result_json)["cniVersion"], "1.0.0");

  ASSERT_TRUE(net_->Check(Request(sb)).ok());

  ASSERT_TRUE(Del(sb).ok());
  EXPECT_EQ(IpIn(sb), "") << "eth0 is gone from the namespace";
  EXPECT_FALSE(IpamHolds(ip));
  EXPECT_EQ(NatRulesOf(sb.id), "");
  EXPECT_TRUE(net_->Del(Request(sb)).ok()) << "DEL twice is fine";
  EXPECT_EQ(net_->Check(Request(sb)).code(), StatusCode::kNotFound);
}

TEST_F(CniPluginsTest, TwoSandboxesGetDifferentAddressesAndReachEachOther) {
  Sandbox& a = NewSandbox();
  Sandbox& b = NewSandbox();
  auto ra = Add(Request(a));
  auto rb = Add(Request(b));
  ASSERT_TRUE(ra.ok()) << ra.status().ToString();
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  ASSERT_FALSE(ra->ips.empty());
  ASSERT_FALSE(rb->ips.empty());
  EXPECT_NE(ra->ips[0], rb->ips[0]);

  uint16_t port = 0;
  int listener = Listen(a.netns, 0, &port);
  ASSERT_GE(listener, 0);
  EXPECT_TRUE(ConnectAndSend(b.netns, ra->ips[0], port, listener)) << "pod b -> pod a";
  EXPECT_TRUE(ConnectAndSend("", ra->ips[0], port, listener)) << "host -> pod a";
  EXPECT_TRUE(ConnectAndSend(a.netns, "127.0.0.1", port, listener)) << "pod a -> its own loopback";
  close(listener);

  ASSERT_TRUE(Del(a).ok());
  ASSERT_TRUE(Del(b).ok());
}

TEST_F(CniPluginsTest, DelAfterARestartWorksFromTheCache) {
  Sandbox& sb = NewSandbox();
  auto res = Add(Request(sb));
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  net_.reset();  // the "restart"
  auto fresh = LoadNetwork();
  ASSERT_NE(fresh, nullptr);
  auto cached = fresh->CachedResult(sb.id);
  ASSERT_TRUE(cached.ok());
  EXPECT_EQ(cached->ips, res->ips);
  ASSERT_TRUE(Del(sb, fresh.get()).ok());
  EXPECT_FALSE(IpamHolds(res->ips[0]));
  EXPECT_EQ(NatRulesOf(sb.id), "");
  net_ = std::move(fresh);
}

TEST_F(CniPluginsTest, DelAfterTheNetnsIsGoneStillReleasesEverything) {
  Sandbox& sb = NewSandbox();
  auto res = Add(Request(sb));
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  ASSERT_THAT(NatRulesOf(sb.id), HasSubstr("MASQUERADE"));
  ASSERT_TRUE(DeleteNetns(sb.netns).ok());
  auto fresh = LoadNetwork();
  ASSERT_NE(fresh, nullptr);
  ASSERT_TRUE(Del(sb, fresh.get()).ok());
  EXPECT_FALSE(IpamHolds(res->ips[0]));
  EXPECT_EQ(NatRulesOf(sb.id), "") << "the bridge plugin's ipMasq rules are swept";
  EXPECT_TRUE(fresh->ListCachedAttachments().empty());
}

TEST_F(CniPluginsTest, HostPortReachesTheSandbox) {
  Sandbox& sb = NewSandbox();
  uint16_t host_port = 0;
  int probe = Listen("", 0, &host_port);  // a port nothing else uses right now
  ASSERT_GE(probe, 0);
  close(probe);
  AttachRequest req = Request(sb);
  req.port_mappings = {{host_port, 8080, "TCP", ""}};
  auto res = Add(req);
  ASSERT_TRUE(res.ok()) << res.status().ToString();
  int listener = Listen(sb.netns, 8080, nullptr);
  ASSERT_GE(listener, 0);
  EXPECT_THAT(NatRulesOf(sb.id), HasSubstr(fmt::format("--dports {}", host_port)));
  // From the host to a host address: the bridge's (the node address of a
  // real node works the same way) and 127.0.0.1 (portmap's snat sets
  // route_localnet on the bridge for that).
  EXPECT_TRUE(ConnectAndSend("", g_env->gateway, host_port, listener)) << "host -> bridge ip:hostPort";
  EXPECT_TRUE(ConnectAndSend("", "127.0.0.1", host_port, listener)) << "host -> 127.0.0.1:hostPort";
  close(listener);
  ASSERT_TRUE(Del(sb).ok());
  EXPECT_EQ(NatRulesOf(sb.id), "");
}

TEST_F(CniPluginsTest, RealPluginErrorIsSurfacedAndRolledBack) {
  std::string conf_dir = g_env->conf_dir + "-broken";
  fs::create_directories(conf_dir);
  json list = {{"cniVersion", "1.0.0"},
               {"name", g_env->network},
               {"plugins",
                {{{"type", "bridge"},
                  {"bridge", g_env->bridge},
                  {"isGateway", true},
                  {"ipMasq", true},
                  {"ipam",
                   {{"type", "host-local"},
                    {"ranges", {{{{"subnet", "10.250.999.0/24"}}}}},
                    {"dataDir", g_env->ipam_dir}}}}}}};
  std::ofstream(conf_dir + "/10-broken.conflist") << list.dump();
  auto net = Network::Load(conf_dir, {"/usr/lib/cni"}, g_env->cache_dir);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  Sandbox& sb = NewSandbox();
  auto res = (*net)->Add(Request(sb));
  ASSERT_FALSE(res.ok());
  EXPECT_THAT(res.status().message(), HasSubstr("CNI plugin \"bridge\" ADD failed"));
  EXPECT_THAT(res.status().message(), HasSubstr("10.250.999.0/24"));
  sb.detached = true;  // the failed ADD must have cleaned up: the env's leak check verifies it
  bool has_eth0 = true;
  ASSERT_TRUE(RunInNetns(sb.netns, [&] { has_eth0 = if_nametoindex("eth0") != 0; }).ok());
  EXPECT_FALSE(has_eth0);
  fs::remove_all(conf_dir);
}

}  // namespace
}  // namespace kubepp::network::cni
