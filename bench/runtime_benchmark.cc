// runtime_benchmark: pod start time of the runc runtime against its floor.
//
// Ours: RunPodSandbox (netns + IPC namespace + shm + CNI ADD + /etc files) + CreateContainer
// (overlay mount + spec + kubepp-shim + `runc create`) + StartContainer (`runc start`) until
// ContainerStatus says RUNNING, for a busybox `sleep` container.
// Floor, in the same run: what any runtime must do for the same pod: create a netns, the
// same CNI ADD (same conflist, real plugins), mount the same overlay rootfs and `runc run -d`
// the same bundle (the config.json our runtime generated, with paths adjusted; no shim, no
// log, no IPC namespace, no shm mount).
// Teardown is not timed on either side. Prints median and mean of both and the ratio.
//
// Needs root, runc, /usr/lib/cni and /bin/busybox. Usage: runtime_benchmark [--iterations N]
// [--no-cni]
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "common/testing/temp_dir.h"
#include "network/cni/cni.h"
#include "network/cni/netns.h"
#include "runtime/image/image_store.h"
#include "runtime/oci/cgroups.h"
#include "runtime/oci/oci_runtime.h"
#include "runtime/testing/test_image.h"

namespace kubepp::bench {
namespace {

namespace fs = std::filesystem;
using Clk = std::chrono::steady_clock;
using nlohmann::json;

double Millis(Clk::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

struct Stats {
  double median = 0, mean = 0, min = 0, max = 0;
};
Stats Summarize(std::vector<double> v) {
  Stats s;
  if (v.empty()) return s;
  std::sort(v.begin(), v.end());
  s.median = v[v.size() / 2];
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  s.min = v.front();
  s.max = v.back();
  return s;
}

int Fail(const std::string& what, const Status& s) {
  fprintf(stderr, "runtime_benchmark: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

void Sh(const std::string& cmd) { (void)runtime::testimage::RunCommand({"/bin/sh", "-c", cmd}); }

int Main(int argc, char** argv) {
  int iterations = 20;
  bool use_cni = true;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--iterations" && i + 1 < argc) {
      iterations = atoi(argv[++i]);
    } else if (a == "--no-cni") {
      use_cni = false;
    } else {
      fprintf(stderr, "usage: runtime_benchmark [--iterations N] [--no-cni]\n");
      return 2;
    }
  }
  if (iterations < 1) iterations = 1;
  if (geteuid() != 0) {
    fprintf(stderr, "runtime_benchmark: needs root (namespaces, mounts, cgroups)\n");
    return 1;
  }
  TempDir dir("runtime-bench");
  const std::string image_ref = "docker.io/library/busybox:latest";
  auto store = runtime::image::ImageStore::Open(dir.path() + "/images");
  if (!store.ok()) return Fail("image store", store.status());
  auto archive = runtime::testimage::WriteBusyboxOciArchive(dir.path() + "/bb.tar", image_ref);
  if (!archive.ok()) return Fail("test image", archive.status());
  auto imported = (*store)->Import(dir.path() + "/bb.tar");
  if (!imported.ok()) return Fail("import", imported.status());
  auto img = (*store)->Get(image_ref);
  if (!img.ok()) return Fail("image", img.status());

  // The network both sides use.
  const std::string bridge = "kpbench0";
  std::unique_ptr<network::cni::Network> net;
  std::unique_ptr<runtime::oci::SandboxNetwork> adapter;
  std::string ip_forward = ReadFile("/proc/sys/net/ipv4/ip_forward");
  if (use_cni) {
    network::cni::DefaultConfigOptions o;
    o.conf_dir = dir.path() + "/net.d";
    o.network_name = "kpbench";
    o.bridge_name = bridge;
    o.pod_cidr = "10.252.0.0/24";
    o.ipam_data_dir = dir.path() + "/ipam";
    auto w = network::cni::WriteDefaultConfig(o);
    if (!w.ok()) return Fail("cni config", w.status());
    auto n = network::cni::Network::Load(o.conf_dir, {"/usr/lib/cni"}, dir.path() + "/cni-cache");
    if (!n.ok()) return Fail("cni load", n.status());
    net = std::move(*n);
    adapter = runtime::oci::MakeCniSandboxNetwork(net.get());
  }

  runtime::oci::OciRuntimeOptions ro;
  ro.root = dir.path() + "/runtime";
  ro.runc_root = dir.path() + "/runc";
  ro.netns_dir = dir.path() + "/netns";
  ro.shim_path = KUBEPP_SHIM_PATH;
  ro.cgroup_parent = "/kubepp-bench-" + std::to_string(getpid());
  ro.images = store->get();
  ro.network = adapter.get();  // nullptr: loopback only
  auto rt = runtime::oci::OciRuntime::Open(ro);
  if (!rt.ok()) return Fail("runtime", rt.status());
  auto& r = **rt;

  auto sandbox_config = [&](int i) {
    runtime::PodSandboxConfig c;
    c.metadata = {"bench-" + std::to_string(i), "uid-bench-" + std::to_string(i), "default", 0};
    c.hostname = c.metadata.name;
    c.log_directory = dir.path() + "/logs/" + c.metadata.name;
    return c;
  };
  runtime::ContainerConfig cc;
  cc.metadata.name = "main";
  cc.image = image_ref;
  cc.command = {"sleep", "100000"};
  cc.log_path = "main/0.log";

  // --- ours -----------------------------------------------------------------------------------
  std::string template_spec;
  auto run_ours = [&](int i) -> StatusOr<double> {
    auto sbc = sandbox_config(i + 1000);
    auto t0 = Clk::now();
    auto sb = r.RunPodSandbox(sbc);
    if (!sb.ok()) return sb.status().WithPrefix("RunPodSandbox");
    auto id = r.CreateContainer(*sb, cc, sbc);
    if (!id.ok()) return id.status().WithPrefix("CreateContainer");
    Status st = r.StartContainer(*id);
    if (!st.ok()) return st.WithPrefix("StartContainer");
    while (true) {
      auto s = r.ContainerStatus(*id);
      if (!s.ok()) return s.status();
      if (s->state == runtime::ContainerState::kRunning) break;
      if (s->state == runtime::ContainerState::kExited) return Status::Internal("container exited");
    }
    double ms = Millis(Clk::now() - t0);
    if (template_spec.empty()) template_spec = ReadFile(ro.root + "/containers/" + *id + "/config.json");
    st = r.RemovePodSandbox(*sb);
    if (!st.ok()) return st.WithPrefix("RemovePodSandbox");
    return ms;
  };
  auto first = run_ours(-3);  // warm-up, and the config.json the floor reuses
  if (!first.ok()) return Fail("ours", first.status());

  // --- floor: netns + CNI ADD + overlay + runc run -d of the same bundle ------------------------
  json spec = json::parse(template_spec, nullptr, false);
  if (spec.is_discarded()) return Fail("template spec", Status::Internal("unparsable"));
  // The per-pod files our runtime bind-mounts: give the floor static copies.
  std::string etc = dir.path() + "/floor-etc";
  fs::create_directories(etc);
  std::ofstream(etc + "/hosts") << "127.0.0.1\tlocalhost\n";
  std::ofstream(etc + "/hostname") << "floor\n";
  std::ofstream(etc + "/resolv.conf") << "";
  json mounts = json::array();
  for (auto m : spec["mounts"]) {
    std::string d = m["destination"];
    if (d == "/etc/hosts" || d == "/etc/hostname" || d == "/etc/resolv.conf") m["source"] = etc + d.substr(4);
    if (d == "/dev/shm")
      m = {{"destination", "/dev/shm"},
           {"type", "tmpfs"},
           {"source", "shm"},
           {"options", {"nosuid", "noexec", "nodev", "mode=1777", "size=65536k"}}};
    mounts.push_back(m);
  }
  spec["mounts"] = mounts;
  std::string lower;
  for (auto it = img->layer_dirs.rbegin(); it != img->layer_dirs.rend(); ++it)
    lower += (lower.empty() ? "" : ":") + *it;
  const std::string runc = "/usr/sbin/runc";
  std::string floor_root = dir.path() + "/floor-runc";
  std::string floor_netns = dir.path() + "/floor-netns";
  fs::create_directories(floor_root);
  fs::create_directories(floor_netns);
  auto run_floor = [&](int i) -> StatusOr<double> {
    std::string id = "floor" + std::to_string(i + 1000);
    std::string bundle = dir.path() + "/floor/" + id;
    network::cni::AttachRequest req;
    req.container_id = id;
    req.pod_name = "floor-" + std::to_string(i);
    req.pod_namespace = "default";
    req.pod_uid = "uid-floor-" + std::to_string(i);
    auto t0 = Clk::now();
    auto ns = network::cni::CreateNetns(floor_netns, id);
    if (!ns.ok()) return ns.status().WithPrefix("netns");
    req.netns_path = *ns;
    if (net) {
      auto added = net->Add(req);
      if (!added.ok()) return added.status().WithPrefix("CNI ADD");
    } else {
      (void)network::cni::BringUpLoopback(*ns);
    }
    fs::create_directories(bundle + "/rootfs");
    fs::create_directories(bundle + "/upper");
    fs::create_directories(bundle + "/work");
    std::string opts = "lowerdir=" + lower + ",upperdir=" + bundle + "/upper,workdir=" + bundle + "/work";
    if (mount("overlay", (bundle + "/rootfs").c_str(), "overlay", 0, opts.c_str()) != 0)
      return Status::Internal(std::string("overlay: ") + strerror(errno));
    json s = spec;
    s["root"]["path"] = bundle + "/rootfs";
    json nss = json::array();
    for (auto n : s["linux"]["namespaces"]) {
      if (n["type"] == "network") n["path"] = *ns;
      if (n["type"] == "ipc") n.erase("path");
      nss.push_back(n);
    }
    s["linux"]["namespaces"] = nss;
    s["linux"]["cgroupsPath"] = ro.cgroup_parent + "/floor/" + id;
    std::ofstream(bundle + "/config.json") << s.dump();
    auto run =
        runtime::testimage::RunCommand({runc, "--root", floor_root, "run", "-d", "--bundle", bundle, id});
    if (!run.ok()) return run.status().WithPrefix("runc run -d");
    double ms = Millis(Clk::now() - t0);
    // Teardown (not timed).
    (void)runtime::testimage::RunCommand({runc, "--root", floor_root, "delete", "--force", id});
    umount2((bundle + "/rootfs").c_str(), MNT_DETACH);
    if (net) (void)net->Del(req);
    (void)network::cni::DeleteNetns(*ns);
    std::error_code ec;
    fs::remove_all(bundle, ec);
    return ms;
  };

  // Interleaved, so that load from elsewhere on the machine hits both sides alike.
  std::vector<double> ours, floor;
  for (int i = -2; i < iterations; ++i) {  // two warm-up rounds
    auto a = run_ours(i);
    if (!a.ok()) return Fail("ours", a.status());
    auto b = run_floor(i);
    if (!b.ok()) return Fail("floor", b.status());
    if (i >= 0) ours.push_back(*a), floor.push_back(*b);
  }
  (void)runtime::oci::RemoveCgroupTree(ro.cgroup_parent);
  (void)network::cni::ReleaseNetnsDir(floor_netns);
  (void)network::cni::ReleaseNetnsDir(ro.netns_dir);
  rt->reset();
  if (use_cni) {
    Sh("ip link del " + bridge + " 2>/dev/null");
    if (ip_forward.rfind("0", 0) == 0) std::ofstream("/proc/sys/net/ipv4/ip_forward") << "0";
  }

  Stats a = Summarize(ours), b = Summarize(floor);
  printf("pod start (sandbox + container until RUNNING), %d iterations, %s\n", iterations,
         use_cni ? "CNI bridge+host-local+portmap on both sides" : "no CNI (loopback only) on both sides");
  printf("  kubepp runc runtime : median %7.1f ms  mean %7.1f ms  min %7.1f  max %7.1f\n", a.median, a.mean,
         a.min, a.max);
  printf(
      "  floor (netns + CNI ADD + overlay + runc run -d): median %7.1f ms  mean %7.1f ms  min %7.1f  max "
      "%7.1f\n",
      b.median, b.mean, b.min, b.max);
  printf("  ratio (median): %.2fx\n", b.median > 0 ? a.median / b.median : 0.0);
  std::string load = ReadFile("/proc/loadavg");
  printf("  (load average during the run: %s)\n", load.substr(0, load.find(' ')).c_str());
  return 0;
}

}  // namespace
}  // namespace kubepp::bench

int main(int argc, char** argv) { return kubepp::bench::Main(argc, argv); }
