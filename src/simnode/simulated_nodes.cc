#include "simnode/simulated_nodes.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <queue>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>

#include "api/names.h"
#include "api/quantity.h"
#include "api/strconv.h"
#include "api/time.h"
#include "client/client.h"
#include "client/indexer.h"
#include "client/workqueue.h"
#include "common/log.h"
#include "common/strings.h"

namespace kubepp::simnode {
namespace {

using client::Client;
using client::GroupVersionResource;
using nlohmann::json;

const GroupVersionResource kNodes{"", "v1", "nodes"};
const GroupVersionResource kPods{"", "v1", "pods"};
const GroupVersionResource kNamespaces{"", "v1", "namespaces"};
const GroupVersionResource kLeases{"coordination.k8s.io", "v1", "leases"};
constexpr char kLeaseNamespace[] = "kube-node-lease";
constexpr char kBoundPods[] = "spec.nodeName!=";
constexpr char kFieldManager[] = "kubepp-simnode";

std::optional<uint32_t> ParseIPv4(std::string_view s) {
  uint32_t out = 0;
  int parts = 0;
  size_t i = 0;
  while (parts < 4) {
    if (i >= s.size() || s[i] < '0' || s[i] > '9') return std::nullopt;
    uint32_t v = 0;
    size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9' && digits < 4) {
      v = v * 10 + static_cast<uint32_t>(s[i] - '0');
      ++i;
      ++digits;
    }
    if (v > 255 || digits > 3) return std::nullopt;
    out = (out << 8) | v;
    ++parts;
    if (parts < 4) {
      if (i >= s.size() || s[i] != '.') return std::nullopt;
      ++i;
    }
  }
  if (i != s.size()) return std::nullopt;
  return out;
}

std::string FormatIPv4(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
         std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

std::string NowSeconds() { return api::Time::Now().FormatSeconds(); }
std::string NowMicro() { return api::Time::Now().FormatMicro(); }

const std::string& StringAt(const json& j, std::initializer_list<const char*> path) {
  static const std::string kEmpty;
  const json* cur = &j;
  for (const char* p : path) {
    if (!cur->is_object()) return kEmpty;
    auto it = cur->find(p);
    if (it == cur->end()) return kEmpty;
    cur = &*it;
  }
  return cur->is_string() ? cur->get_ref<const std::string&>() : kEmpty;
}

const json* At(const json& j, std::initializer_list<const char*> path) {
  const json* cur = &j;
  for (const char* p : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(p);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string Hex(uint64_t v, int digits) {
  static const char* kDigits = "0123456789abcdef";
  std::string out(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0 && v; --i, v >>= 4) out[static_cast<size_t>(i)] = kDigits[v & 15];
  return out;
}

// A stable machine id for node `index` (32 hex digits) and the UUID form of it.
std::string MachineId(uint64_t seed, int64_t index) {
  return Hex(seed, 16) + Hex(static_cast<uint64_t>(index) * 0x9E3779B97F4A7C15ull, 16);
}
std::string UuidOf(const std::string& hex32) {
  return hex32.substr(0, 8) + "-" + hex32.substr(8, 4) + "-" + hex32.substr(12, 4) + "-" +
         hex32.substr(16, 4) + "-" + hex32.substr(20, 12);
}

bool IsExpired(const Status& s) { return s.code() == StatusCode::kExpired || s.code() == StatusCode::kGone; }

struct ContainerInfo {
  std::string name;
  std::string image;
  bool sidecar = false;  // an init container with restartPolicy Always
};

struct PodRecord {
  std::string uid;
  int64_t node = -1;
  bool deleting = false;
  bool running_reported = false;  // Running with an IP (by us or before we saw it), or ended
  bool host_network = false;
  std::string scheduled_time;  // PodScheduled's lastTransitionTime, kept in our patch
  std::vector<ContainerInfo> containers;
  std::vector<ContainerInfo> init_containers;
};

class SimulatedNodesImpl final : public SimulatedNodes {
 public:
  SimulatedNodesImpl(std::unique_ptr<Client> client, SimulatedNodesOptions options, uint32_t pod_base,
                     uint32_t block_size, uint32_t node_ip_base)
      : client_(std::move(client)),
        options_(std::move(options)),
        pod_base_(pod_base),
        block_size_(block_size),
        node_ip_base_(node_ip_base) {
    std::random_device rd;
    seed_ = (static_cast<uint64_t>(rd()) << 32) | rd();
    boot_id_ = UuidOf(Hex(seed_, 16) + Hex(seed_ * 31 + 7, 16));
    for (int64_t i = 0; i < options_.count; ++i) {
      names_.push_back(options_.name_prefix + std::to_string(i));
      node_index_.emplace(names_.back(), i);
    }
    nodes_.resize(static_cast<size_t>(options_.count));
    ips_.resize(static_cast<size_t>(options_.count));
    pod_queue_ = MakeQueue();
    node_queue_ = MakeQueue();
  }
  ~SimulatedNodesImpl() override { Stop(); }

  Status Register();
  void StartLoops();
  void Stop() override;
  const std::vector<std::string>& node_names() const override { return names_; }
  SimulatedNodesStats stats() const override {
    SimulatedNodesStats s;
    s.nodes_registered = registered_.load();
    s.leases_renewed = leases_renewed_.load();
    s.heartbeats = heartbeats_.load();
    s.pods_marked_running = pods_running_.load();
    s.pods_finalized = pods_finalized_.load();
    s.write_errors = write_errors_.load();
    return s;
  }
  bool PodWatchSynced() const override { return synced_.load(); }

 private:
  struct NodeState {
    std::string uid;
    std::string lease_rv;  // guarded by node_mu_
    std::string ready_since;
  };

  static std::unique_ptr<client::WorkQueue> MakeQueue() {
    client::WorkQueueOptions o;
    o.rate_limiter =
        client::NewItemExponentialRateLimiter(std::chrono::milliseconds(5), std::chrono::seconds(30));
    return std::make_unique<client::WorkQueue>(std::move(o));
  }

  std::string NodeIp(int64_t i) const { return FormatIPv4(node_ip_base_ + 1 + static_cast<uint32_t>(i)); }
  uint32_t PodBlock(int64_t i) const { return pod_base_ + static_cast<uint32_t>(i) * block_size_; }
  std::string PodCidr(int64_t i) const {
    int bits = 0;
    while ((1u << bits) < block_size_) ++bits;
    return FormatIPv4(PodBlock(i)) + "/" + std::to_string(32 - bits);
  }

  json Conditions(const std::string& heartbeat, const std::string& since) const;
  json NodeStatus(int64_t i, const std::string& now) const;
  json NodeObject(int64_t i, const std::string& now) const;
  json LeaseObject(int64_t i, const std::string& rv) const;
  Status RegisterNode(int64_t i);
  Status RenewLease(int64_t i);
  Status Heartbeat(int64_t i);

  void RunTimer();
  void RunNodeWorker();
  void RunPodWorker();
  void RunPodWatch();
  // One list then watches until a re-list is needed; OK for a re-list at
  // once (410), an error for a re-list after back-off.
  Status ListAndWatch();
  void HandlePod(const json& pod);
  void HandlePodDeleted(const json& pod);
  Status SyncPod(const std::string& key);
  json RunningStatusPatch(const std::string& uid, const PodRecord& rec, const std::string& host_ip,
                          const std::string& pod_ip) const;
  // Pod IPs, all guarded by pods_mu_.
  StatusOr<std::string> AllocateIpLocked(const std::string& uid, int64_t node);
  void AdoptIpLocked(const std::string& uid, int64_t node, const std::string& ip);
  void ReleaseIpLocked(const std::string& uid);
  bool WaitOrStop(std::chrono::milliseconds d);
  void CountError(const std::string& what, const Status& s);
  void DeleteNodes();

  // Constant after construction.
  std::unique_ptr<Client> client_;
  const SimulatedNodesOptions options_;
  const uint32_t pod_base_;
  const uint32_t block_size_;
  const uint32_t node_ip_base_;
  uint64_t seed_ = 0;
  std::string boot_id_;
  std::vector<std::string> names_;
  std::unordered_map<std::string, int64_t> node_index_;

  std::mutex node_mu_;
  std::vector<NodeState> nodes_;  // uid and ready_since set at registration; lease_rv guarded by node_mu_

  std::mutex pods_mu_;
  std::unordered_map<std::string, PodRecord> pods_;  // guarded by pods_mu_; key "ns/name"
  struct NodeIps {
    std::vector<bool> used;
    uint32_t next = 2;
  };
  std::vector<NodeIps> ips_;                                                 // guarded by pods_mu_
  std::unordered_map<std::string, std::pair<int64_t, uint32_t>> ip_by_uid_;  // guarded by pods_mu_

  std::unique_ptr<client::WorkQueue> pod_queue_;
  std::unique_ptr<client::WorkQueue> node_queue_;

  std::mutex mu_;
  std::condition_variable cv_;
  bool stopping_ = false;                        // guarded by mu_
  bool stopped_ = false;                         // guarded by mu_
  client::CancelToken* watch_cancel_ = nullptr;  // guarded by mu_
  std::atomic<bool> stop_flag_{false};
  std::atomic<bool> synced_{false};
  std::string pod_rv_;  // the pod watch thread's only

  std::atomic<int64_t> registered_{0}, leases_renewed_{0}, heartbeats_{0}, pods_running_{0},
      pods_finalized_{0}, write_errors_{0};

  std::thread timer_;
  std::thread watch_;
  std::vector<std::thread> workers_;
};

json SimulatedNodesImpl::Conditions(const std::string& heartbeat, const std::string& since) const {
  auto cond = [&](const char* type, const char* status, const char* reason, const char* message) {
    return json{{"type", type},
                {"status", status},
                {"lastHeartbeatTime", heartbeat},
                {"lastTransitionTime", since},
                {"reason", reason},
                {"message", message}};
  };
  return json::array(
      {cond("MemoryPressure", "False", "KubeletHasSufficientMemory",
            "kubelet has sufficient memory available"),
       cond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
       cond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
       cond("Ready", "True", "KubeletReady", "kubelet is posting ready status")});
}

json SimulatedNodesImpl::NodeStatus(int64_t i, const std::string& now) const {
  json resources = {{"cpu", options_.cpu},   {"memory", options_.memory},
                    {"pods", options_.pods}, {"ephemeral-storage", options_.ephemeral_storage},
                    {"hugepages-1Gi", "0"},  {"hugepages-2Mi", "0"}};
  std::string machine = MachineId(seed_, i);
  json status = {
      {"capacity", resources},
      {"allocatable", resources},
      {"conditions", Conditions(now, now)},
      {"addresses", json::array({{{"type", "InternalIP"}, {"address", NodeIp(i)}},
                                 {{"type", "Hostname"}, {"address", names_[static_cast<size_t>(i)]}}})},
      {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 10250}}}}},
      {"nodeInfo",
       {{"machineID", machine},
        {"systemUUID", UuidOf(machine)},
        {"bootID", boot_id_},
        {"kernelVersion", "6.1.0-kubepp-sim"},
        {"osImage", "kubepp simulated node"},
        {"containerRuntimeVersion", "sim://0.1.0"},
        {"kubeletVersion", options_.kubelet_version},
        {"kubeProxyVersion", ""},
        {"operatingSystem", "linux"},
        {"architecture", "amd64"}}},
  };
  if (!options_.images.empty()) {
    json images = json::array();
    for (const NodeImage& im : options_.images)
      images.push_back({{"names", im.names}, {"sizeBytes", im.size_bytes}});
    status["images"] = std::move(images);
  }
  return status;
}

json SimulatedNodesImpl::NodeObject(int64_t i, const std::string& now) const {
  const std::string& name = names_[static_cast<size_t>(i)];
  json labels = {{"beta.kubernetes.io/arch", "amd64"},
                 {"beta.kubernetes.io/os", "linux"},
                 {"kubernetes.io/arch", "amd64"},
                 {"kubernetes.io/hostname", name},
                 {"kubernetes.io/os", "linux"}};
  if (options_.zones > 0) {
    labels["topology.kubernetes.io/zone"] = "zone-" + std::to_string(i % options_.zones);
    labels["topology.kubernetes.io/region"] = "region-0";
  }
  for (const auto& [k, v] : options_.labels) labels[k] = v;
  std::string cidr = PodCidr(i);
  json spec = {{"podCIDR", cidr}, {"podCIDRs", json::array({cidr})}};
  if (!options_.taints.empty()) {
    json taints = json::array();
    for (const Taint& t : options_.taints) {
      json taint = {{"key", t.key}, {"effect", t.effect}};
      if (!t.value.empty()) taint["value"] = t.value;
      taints.push_back(std::move(taint));
    }
    spec["taints"] = std::move(taints);
  }
  return json{{"apiVersion", "v1"},
              {"kind", "Node"},
              {"metadata",
               {{"name", name},
                {"labels", std::move(labels)},
                {"annotations",
                 {{"node.alpha.kubernetes.io/ttl", "0"},
                  {"volumes.kubernetes.io/controller-managed-attach-detach", "true"},
                  {"kubepp.io/simulated-node", "true"}}}}},
              {"spec", std::move(spec)},
              {"status", NodeStatus(i, now)}};
}

json SimulatedNodesImpl::LeaseObject(int64_t i, const std::string& rv) const {
  const std::string& name = names_[static_cast<size_t>(i)];
  json meta = {{"name", name}, {"namespace", kLeaseNamespace}};
  const std::string& uid = nodes_[static_cast<size_t>(i)].uid;
  if (!uid.empty()) {
    meta["ownerReferences"] =
        json::array({{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", name}, {"uid", uid}}});
  }
  if (!rv.empty()) meta["resourceVersion"] = rv;
  return json{{"apiVersion", "coordination.k8s.io/v1"},
              {"kind", "Lease"},
              {"metadata", std::move(meta)},
              {"spec",
               {{"holderIdentity", name},
                {"leaseDurationSeconds", options_.lease_duration_seconds},
                {"renewTime", NowMicro()}}}};
}

Status SimulatedNodesImpl::RegisterNode(int64_t i) {
  const std::string& name = names_[static_cast<size_t>(i)];
  std::string now = NowSeconds();
  NodeState& node = nodes_[static_cast<size_t>(i)];
  node.ready_since = now;
  auto created = client_->Create(kNodes, "", NodeObject(i, now), {.field_manager = kFieldManager});
  if (created.ok()) {
    node.uid = StringAt(*created, {"metadata", "uid"});
  } else if (created.status().code() == StatusCode::kAlreadyExists) {
    // Adopt it, as a restarting kubelet does: report our status.
    json patch = {{"status", NodeStatus(i, now)}};
    auto patched = client_->Patch(kNodes, "", name, client::PatchType::kMerge, patch.dump(),
                                  {.subresource = "status", .field_manager = kFieldManager});
    if (!patched.ok()) return patched.status().WithPrefix("node " + name + ": adopt");
    node.uid = StringAt(*patched, {"metadata", "uid"});
  } else {
    return created.status().WithPrefix("node " + name + ": register");
  }
  auto lease =
      client_->Create(kLeases, kLeaseNamespace, LeaseObject(i, ""), {.field_manager = kFieldManager});
  std::string rv;
  if (lease.ok()) {
    rv = client::ObjectResourceVersion(*lease);
  } else if (lease.status().code() == StatusCode::kAlreadyExists) {
    auto got = client_->Get(kLeases, kLeaseNamespace, name);
    if (!got.ok()) return got.status().WithPrefix("lease " + name);
    auto updated =
        client_->Update(kLeases, kLeaseNamespace, LeaseObject(i, client::ObjectResourceVersion(*got)),
                        {.field_manager = kFieldManager});
    if (!updated.ok()) return updated.status().WithPrefix("lease " + name);
    rv = client::ObjectResourceVersion(*updated);
  } else {
    return lease.status().WithPrefix("lease " + name);
  }
  {
    std::lock_guard<std::mutex> lock(node_mu_);
    node.lease_rv = rv;
  }
  registered_++;
  return Status::Ok();
}

Status SimulatedNodesImpl::Register() {
  // kube-node-lease is a system namespace; make sure it is there.
  if (auto ns = client_->Get(kNamespaces, "", kLeaseNamespace); !ns.ok()) {
    if (ns.status().code() != StatusCode::kNotFound)
      return ns.status().WithPrefix("namespace kube-node-lease");
    auto c = client_->Create(kNamespaces, "", json{{"metadata", {{"name", kLeaseNamespace}}}});
    if (!c.ok() && c.status().code() != StatusCode::kAlreadyExists) {
      return c.status().WithPrefix("namespace kube-node-lease");
    }
  }
  std::atomic<int64_t> next{0};
  std::mutex err_mu;
  Status first_error;
  std::atomic<bool> failed{false};
  int threads = static_cast<int>(std::min<int64_t>(options_.count, std::max(1, options_.pod_workers)));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      while (!failed.load()) {
        int64_t i = next++;
        if (i >= options_.count) return;
        Status s = RegisterNode(i);
        if (!s.ok()) {
          std::lock_guard<std::mutex> lock(err_mu);
          if (first_error.ok()) first_error = s;
          failed = true;
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  return first_error;
}

Status SimulatedNodesImpl::RenewLease(int64_t i) {
  const std::string& name = names_[static_cast<size_t>(i)];
  std::string rv;
  {
    std::lock_guard<std::mutex> lock(node_mu_);
    rv = nodes_[static_cast<size_t>(i)].lease_rv;
  }
  auto updated =
      client_->Update(kLeases, kLeaseNamespace, LeaseObject(i, rv), {.field_manager = kFieldManager});
  if (!updated.ok()) {
    StatusCode code = updated.status().code();
    if (code == StatusCode::kConflict) {
      // Someone else wrote it: take its version and try again.
      auto got = client_->Get(kLeases, kLeaseNamespace, name);
      if (!got.ok()) return got.status();
      updated = client_->Update(kLeases, kLeaseNamespace, LeaseObject(i, client::ObjectResourceVersion(*got)),
                                {.field_manager = kFieldManager});
    } else if (code == StatusCode::kNotFound) {
      updated =
          client_->Create(kLeases, kLeaseNamespace, LeaseObject(i, ""), {.field_manager = kFieldManager});
    }
    if (!updated.ok()) return updated.status();
  }
  {
    std::lock_guard<std::mutex> lock(node_mu_);
    nodes_[static_cast<size_t>(i)].lease_rv = client::ObjectResourceVersion(*updated);
  }
  leases_renewed_++;
  return Status::Ok();
}

Status SimulatedNodesImpl::Heartbeat(int64_t i) {
  json patch = {
      {"status", {{"conditions", Conditions(NowSeconds(), nodes_[static_cast<size_t>(i)].ready_since)}}}};
  auto r = client_->Patch(kNodes, "", names_[static_cast<size_t>(i)], client::PatchType::kMerge, patch.dump(),
                          {.subresource = "status", .field_manager = kFieldManager});
  if (!r.ok()) return r.status();
  heartbeats_++;
  return Status::Ok();
}

void SimulatedNodesImpl::CountError(const std::string& what, const Status& s) {
  int64_t n = ++write_errors_;
  // Under overload every write may fail: log the first ones, then sparsely.
  if (n <= 20 || n % 1000 == 0) LogWarning("simnode: {}: {} ({} write errors so far)", what, s.ToString(), n);
}

bool SimulatedNodesImpl::WaitOrStop(std::chrono::milliseconds d) {
  std::unique_lock<std::mutex> lock(mu_);
  return !cv_.wait_for(lock, d, [&] { return stopping_; });
}

// Lease renewals and heartbeats, spread evenly over their interval across
// nodes; each due one is queued for the node workers (a key still queued is
// not queued twice).
void SimulatedNodesImpl::RunTimer() {
  using Clock = std::chrono::steady_clock;
  using Entry = std::pair<Clock::time_point, std::string>;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> due;
  const auto start = Clock::now();
  const int64_t n = options_.count;
  auto spread = [&](std::chrono::milliseconds interval, int64_t i) {
    return start + std::chrono::duration_cast<Clock::duration>(interval) * (i + 1) / n;
  };
  for (int64_t i = 0; i < n; ++i) {
    due.emplace(spread(options_.lease_renew_interval, i), "l" + std::to_string(i));
    due.emplace(spread(options_.heartbeat_interval, i), "h" + std::to_string(i));
  }
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    auto now = Clock::now();
    while (!due.empty() && due.top().first <= now) {
      Entry e = due.top();
      due.pop();
      node_queue_->Add(e.second);
      auto interval = e.second[0] == 'l' ? options_.lease_renew_interval : options_.heartbeat_interval;
      // Never fall behind by more than one interval (e.g. after a stall).
      e.first = std::max(e.first + interval, now);
      due.push(std::move(e));
    }
    cv_.wait_until(lock, due.top().first, [&] { return stopping_; });
  }
}

void SimulatedNodesImpl::RunNodeWorker() {
  while (auto key = node_queue_->Get()) {
    if (!stop_flag_.load()) {
      int64_t i = std::stoll(key->substr(1));
      Status s = (*key)[0] == 'l' ? RenewLease(i) : Heartbeat(i);
      if (s.ok()) {
        node_queue_->Forget(*key);
      } else {
        CountError(((*key)[0] == 'l' ? "lease " : "heartbeat ") + names_[static_cast<size_t>(i)], s);
        node_queue_->AddRateLimited(*key);
      }
    }
    node_queue_->Done(*key);
  }
}

void SimulatedNodesImpl::RunPodWorker() {
  while (auto key = pod_queue_->Get()) {
    if (!stop_flag_.load()) {
      Status s = SyncPod(*key);
      if (s.ok()) {
        pod_queue_->Forget(*key);
      } else {
        CountError("pod " + *key, s);
        pod_queue_->AddRateLimited(*key);
      }
    }
    pod_queue_->Done(*key);
  }
}

StatusOr<std::string> SimulatedNodesImpl::AllocateIpLocked(const std::string& uid, int64_t node) {
  uint32_t block = PodBlock(node);
  if (auto it = ip_by_uid_.find(uid); it != ip_by_uid_.end()) return FormatIPv4(block + it->second.second);
  NodeIps& ips = ips_[static_cast<size_t>(node)];
  if (ips.used.empty()) ips.used.assign(block_size_, false);
  // Usable: .2 .. block-2 (network, gateway and broadcast excluded).
  const uint32_t lo = 2, hi = block_size_ - 2;
  for (uint32_t n = 0; n <= hi - lo; ++n) {
    uint32_t off = ips.next;
    ips.next = ips.next >= hi ? lo : ips.next + 1;
    if (!ips.used[off]) {
      ips.used[off] = true;
      ip_by_uid_[uid] = {node, off};
      return FormatIPv4(block + off);
    }
  }
  return Status::Unavailable("no free pod IP left in " + PodCidr(node) + " on node " +
                             names_[static_cast<size_t>(node)]);
}

void SimulatedNodesImpl::AdoptIpLocked(const std::string& uid, int64_t node, const std::string& ip) {
  auto v = ParseIPv4(ip);
  uint32_t block = PodBlock(node);
  if (!v || *v < block || *v >= block + block_size_ || ip_by_uid_.count(uid)) return;
  NodeIps& ips = ips_[static_cast<size_t>(node)];
  if (ips.used.empty()) ips.used.assign(block_size_, false);
  ips.used[*v - block] = true;
  ip_by_uid_[uid] = {node, *v - block};
}

void SimulatedNodesImpl::ReleaseIpLocked(const std::string& uid) {
  auto it = ip_by_uid_.find(uid);
  if (it == ip_by_uid_.end()) return;
  ips_[static_cast<size_t>(it->second.first)].used[it->second.second] = false;
  ip_by_uid_.erase(it);
}

void SimulatedNodesImpl::HandlePod(const json& pod) {
  auto node = node_index_.find(StringAt(pod, {"spec", "nodeName"}));
  if (node == node_index_.end()) return;
  const std::string& ns = StringAt(pod, {"metadata", "namespace"});
  const std::string& name = StringAt(pod, {"metadata", "name"});
  const std::string& uid = StringAt(pod, {"metadata", "uid"});
  if (name.empty()) return;
  std::string key = ns + "/" + name;
  bool need = false;
  bool first_seen = false;
  {
    std::lock_guard<std::mutex> lock(pods_mu_);
    PodRecord& rec = pods_[key];
    if (rec.uid != uid) {
      if (!rec.uid.empty()) ReleaseIpLocked(rec.uid);
      rec = PodRecord{};
      rec.uid = uid;
      first_seen = true;
    }
    rec.node = node->second;
    const json* deletion = At(pod, {"metadata", "deletionTimestamp"});
    rec.deleting = deletion && !deletion->is_null();
    if (!rec.running_reported) {
      const std::string& phase = StringAt(pod, {"status", "phase"});
      const std::string& pod_ip = StringAt(pod, {"status", "podIP"});
      if (phase == "Succeeded" || phase == "Failed") {
        rec.running_reported = true;
      } else if (phase == "Running" && !pod_ip.empty()) {
        rec.running_reported = true;  // e.g. marked by a previous run of ours
        AdoptIpLocked(uid, rec.node, pod_ip);
      } else {
        const json* hn = At(pod, {"spec", "hostNetwork"});
        rec.host_network = hn && hn->is_boolean() && hn->get<bool>();
        rec.containers.clear();
        rec.init_containers.clear();
        if (const json* cs = At(pod, {"spec", "containers"}); cs && cs->is_array()) {
          for (const json& c : *cs)
            rec.containers.push_back({StringAt(c, {"name"}), StringAt(c, {"image"}), false});
        }
        if (const json* cs = At(pod, {"spec", "initContainers"}); cs && cs->is_array()) {
          for (const json& c : *cs) {
            rec.init_containers.push_back(
                {StringAt(c, {"name"}), StringAt(c, {"image"}), StringAt(c, {"restartPolicy"}) == "Always"});
          }
        }
        rec.scheduled_time.clear();
        if (const json* conds = At(pod, {"status", "conditions"}); conds && conds->is_array()) {
          for (const json& c : *conds) {
            if (StringAt(c, {"type"}) == "PodScheduled")
              rec.scheduled_time = StringAt(c, {"lastTransitionTime"});
          }
        }
      }
    }
    need = rec.deleting || (!rec.running_reported && options_.mark_pods_running);
  }
  if (first_seen && options_.on_pod_bound) options_.on_pod_bound(ns, name, node->first);
  if (need) pod_queue_->Add(key);
}

void SimulatedNodesImpl::HandlePodDeleted(const json& pod) {
  std::string key = StringAt(pod, {"metadata", "namespace"}) + "/" + StringAt(pod, {"metadata", "name"});
  std::lock_guard<std::mutex> lock(pods_mu_);
  auto it = pods_.find(key);
  if (it == pods_.end() || it->second.uid != StringAt(pod, {"metadata", "uid"})) return;
  ReleaseIpLocked(it->second.uid);
  pods_.erase(it);
}

json SimulatedNodesImpl::RunningStatusPatch(const std::string& uid, const PodRecord& rec,
                                            const std::string& host_ip, const std::string& pod_ip) const {
  std::string now = NowSeconds();
  auto cond = [&](const char* type, const std::string& since) {
    return json{
        {"type", type}, {"status", "True"}, {"lastProbeTime", nullptr}, {"lastTransitionTime", since}};
  };
  json conditions =
      json::array({cond("PodReadyToStartContainers", now), cond("Initialized", now), cond("Ready", now),
                   cond("ContainersReady", now),
                   cond("PodScheduled", rec.scheduled_time.empty() ? now : rec.scheduled_time)});
  auto status_of = [&](const ContainerInfo& c, bool running) {
    json state = running ? json{{"running", {{"startedAt", now}}}}
                         : json{{"terminated",
                                 {{"exitCode", 0},
                                  {"reason", "Completed"},
                                  {"startedAt", now},
                                  {"finishedAt", now},
                                  {"containerID", "sim://" + uid + "/" + c.name}}}};
    return json{{"name", c.name},
                {"state", std::move(state)},
                {"lastState", json::object()},
                {"ready", running},
                {"restartCount", 0},
                {"image", c.image},
                {"imageID", "sim://" + c.image},
                {"containerID", "sim://" + uid + "/" + c.name},
                {"started", running}};
  };
  json containers = json::array();
  for (const ContainerInfo& c : rec.containers) containers.push_back(status_of(c, true));
  json status = {{"phase", "Running"}, {"conditions", std::move(conditions)},
                 {"hostIP", host_ip},  {"hostIPs", json::array({{{"ip", host_ip}}})},
                 {"podIP", pod_ip},    {"podIPs", json::array({{{"ip", pod_ip}}})},
                 {"startTime", now},   {"containerStatuses", std::move(containers)}};
  if (!rec.init_containers.empty()) {
    json init = json::array();
    for (const ContainerInfo& c : rec.init_containers) init.push_back(status_of(c, c.sidecar));
    status["initContainerStatuses"] = std::move(init);
  }
  // The uid makes the patch fail rather than touch a pod recreated under the same name.
  return json{{"metadata", {{"uid", uid}}}, {"status", std::move(status)}};
}

Status SimulatedNodesImpl::SyncPod(const std::string& key) {
  PodRecord rec;
  std::string pod_ip;
  {
    std::lock_guard<std::mutex> lock(pods_mu_);
    auto it = pods_.find(key);
    if (it == pods_.end()) return Status::Ok();
    rec = it->second;
    if (!rec.deleting && (rec.running_reported || !options_.mark_pods_running)) return Status::Ok();
    if (!rec.deleting && !rec.host_network) {
      auto ip = AllocateIpLocked(rec.uid, rec.node);
      if (!ip.ok()) return ip.status();
      pod_ip = *ip;
    }
  }
  auto [ns, name] = client::SplitObjectKey(key);
  auto same_pod_gone = [&] {
    std::lock_guard<std::mutex> lock(pods_mu_);
    auto it = pods_.find(key);
    return it == pods_.end() || it->second.uid != rec.uid;
  };
  if (rec.deleting) {
    client::DeleteOptions o;
    o.grace_period_seconds = 0;
    o.precondition_uid = rec.uid;
    Status s = client_->Delete(kPods, ns, name, o);
    if (s.ok()) {
      pods_finalized_++;
      return s;
    }
    if (s.code() == StatusCode::kNotFound || same_pod_gone()) return Status::Ok();
    return s;
  }
  std::string host_ip = NodeIp(rec.node);
  if (rec.host_network) pod_ip = host_ip;
  json patch = RunningStatusPatch(rec.uid, rec, host_ip, pod_ip);
  auto r = client_->Patch(kPods, ns, name, client::PatchType::kMerge, patch.dump(),
                          {.subresource = "status", .field_manager = kFieldManager});
  if (!r.ok()) {
    if (r.status().code() == StatusCode::kNotFound || same_pod_gone()) return Status::Ok();
    return r.status();
  }
  {
    std::lock_guard<std::mutex> lock(pods_mu_);
    auto it = pods_.find(key);
    if (it != pods_.end() && it->second.uid == rec.uid) it->second.running_reported = true;
  }
  pods_running_++;
  return Status::Ok();
}

Status SimulatedNodesImpl::ListAndWatch() {
  // List (paged) and rebuild the records: pods gone meanwhile are dropped.
  client::ListOptions lo;
  lo.field_selector = kBoundPods;
  lo.limit = 500;
  std::unordered_map<std::string, std::string> listed;  // key -> uid
  while (true) {
    auto page = client_->List(kPods, "", lo);
    if (!page.ok()) {
      if (IsExpired(page.status()) && !lo.continue_token.empty()) {
        lo.continue_token.clear();
        lo.limit = 0;
        listed.clear();
        continue;
      }
      return page.status().WithPrefix("list pods");
    }
    if (const json* items = At(*page, {"items"}); items && items->is_array()) {
      for (const json& pod : *items) {
        listed[StringAt(pod, {"metadata", "namespace"}) + "/" + StringAt(pod, {"metadata", "name"})] =
            StringAt(pod, {"metadata", "uid"});
        HandlePod(pod);
      }
    }
    pod_rv_ = StringAt(*page, {"metadata", "resourceVersion"});
    const std::string& cont = StringAt(*page, {"metadata", "continue"});
    if (cont.empty()) break;
    lo.continue_token = cont;
  }
  {
    std::lock_guard<std::mutex> lock(pods_mu_);
    for (auto it = pods_.begin(); it != pods_.end();) {
      auto l = listed.find(it->first);
      if (l == listed.end() || l->second != it->second.uid) {
        ReleaseIpLocked(it->second.uid);
        it = pods_.erase(it);
      } else {
        ++it;
      }
    }
  }
  synced_ = true;

  std::mt19937 rng(static_cast<uint32_t>(seed_));
  std::chrono::milliseconds backoff{200};
  while (true) {
    client::ListOptions wo;
    wo.field_selector = kBoundPods;
    wo.resource_version = pod_rv_;
    wo.allow_watch_bookmarks = true;
    wo.timeout_seconds = 300 + static_cast<int64_t>(rng() % 300);
    client::CancelToken cancel;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return Status::Ok();
      watch_cancel_ = &cancel;
    }
    Status event_error;
    int events = 0;
    Status s = client_->WatchStream(kPods, "", wo, cancel, [&](client::WatchEvent ev) {
      ++events;
      if (ev.type == client::WatchEventType::kError) {
        event_error = ev.error;
        return false;
      }
      if (!ev.object) return true;
      const std::string& rv = StringAt(*ev.object, {"metadata", "resourceVersion"});
      if (!rv.empty()) pod_rv_ = rv;
      if (ev.type == client::WatchEventType::kDeleted) {
        HandlePodDeleted(*ev.object);
      } else if (ev.type != client::WatchEventType::kBookmark) {
        HandlePod(*ev.object);
      }
      return true;
    });
    {
      std::lock_guard<std::mutex> lock(mu_);
      watch_cancel_ = nullptr;
      if (stopping_) return Status::Ok();
    }
    if (!event_error.ok()) s = event_error;
    if (IsExpired(s)) return Status::Ok();  // re-list at once
    if (s.ok() && events > 0) {
      backoff = std::chrono::milliseconds(200);
      continue;
    }
    // A watch cut before its first event (e.g. the server dropping a watcher
    // whose replay from pod_rv_ overran its buffer) would fail the same way
    // again from the same version: re-list instead.
    if (!s.ok() && events == 0) return s.WithPrefix("pod watch");
    if (!s.ok()) LogWarning("simnode: pod watch: {}", s.ToString());
    if (!WaitOrStop(backoff)) return Status::Ok();
    backoff = std::min(backoff * 2, std::chrono::milliseconds(30'000));
  }
}

void SimulatedNodesImpl::RunPodWatch() {
  std::chrono::milliseconds backoff{200};
  while (true) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stopping_) return;
    }
    Status s = ListAndWatch();
    if (s.ok()) {
      backoff = std::chrono::milliseconds(200);
      continue;
    }
    LogWarning("simnode: {}; re-listing in {} ms", s.ToString(), backoff.count());
    if (!WaitOrStop(backoff)) return;
    backoff = std::min(backoff * 2, std::chrono::milliseconds(30'000));
  }
}

void SimulatedNodesImpl::StartLoops() {
  timer_ = std::thread([this] { RunTimer(); });
  watch_ = std::thread([this] { RunPodWatch(); });
  for (int i = 0; i < std::max(1, options_.node_workers); ++i)
    workers_.emplace_back([this] { RunNodeWorker(); });
  for (int i = 0; i < std::max(1, options_.pod_workers); ++i)
    workers_.emplace_back([this] { RunPodWorker(); });
}

void SimulatedNodesImpl::DeleteNodes() {
  std::atomic<int64_t> next{0}, failures{0};
  int threads = static_cast<int>(std::min<int64_t>(options_.count, std::max(1, options_.pod_workers)));
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int64_t i = next++; i < options_.count; i = next++) {
        const std::string& name = names_[static_cast<size_t>(i)];
        Status l = client_->Delete(kLeases, kLeaseNamespace, name);
        Status n = client_->Delete(kNodes, "", name);
        if ((!l.ok() && l.code() != StatusCode::kNotFound) ||
            (!n.ok() && n.code() != StatusCode::kNotFound)) {
          if (failures++ < 5) LogWarning("simnode: delete {}: {} / {}", name, l.ToString(), n.ToString());
        }
      }
    });
  }
  for (auto& t : pool) t.join();
  if (failures > 0) LogWarning("simnode: {} nodes could not be deleted", failures.load());
}

void SimulatedNodesImpl::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return;
    stopped_ = true;
    stopping_ = true;
    if (watch_cancel_) watch_cancel_->Cancel();
  }
  stop_flag_ = true;
  cv_.notify_all();
  if (watch_.joinable()) watch_.join();
  if (timer_.joinable()) timer_.join();
  pod_queue_->ShutDown();
  node_queue_->ShutDown();
  for (auto& t : workers_) t.join();
  workers_.clear();
  if (options_.delete_nodes_on_stop) DeleteNodes();
}

}  // namespace

StatusOr<std::unique_ptr<SimulatedNodes>> SimulatedNodes::Start(const client::RestConfig& config,
                                                                SimulatedNodesOptions options) {
  auto bad = [](const std::string& m) { return Status::BadRequest(m); };
  if (options.count < 1) return bad("count must be at least 1, got " + std::to_string(options.count));
  if (options.pod_workers < 1 || options.node_workers < 1) return bad("workers must be at least 1");
  if (options.zones < 0) return bad("zones must not be negative, got " + std::to_string(options.zones));
  if (options.lease_renew_interval.count() <= 0) return bad("lease renew interval must be positive");
  if (options.heartbeat_interval.count() <= 0) return bad("heartbeat interval must be positive");
  if (options.lease_duration_seconds < 1) return bad("lease duration must be at least 1 second");
  int64_t max_pods = 0;
  for (auto [flag, value] : {std::pair<const char*, const std::string*>{"cpu", &options.cpu},
                             {"memory", &options.memory},
                             {"pods", &options.pods},
                             {"ephemeral-storage", &options.ephemeral_storage}}) {
    auto q = api::Quantity::Parse(*value);
    if (!q.ok()) return bad(std::string(flag) + " \"" + *value + "\": " + q.status().message());
    if (q->Sign() < 0) return bad(std::string(flag) + " \"" + *value + "\": must not be negative");
    if (std::string_view(flag) == "pods") max_pods = q->Value();
  }
  std::string name_check = options.name_prefix + std::to_string(options.count - 1);
  if (auto errs = api::IsDNS1123Subdomain(name_check); !errs.empty()) {
    return bad("name prefix \"" + options.name_prefix + "\": node names like \"" + name_check +
               "\" are invalid: " + errs[0]);
  }
  for (const auto& [k, v] : options.labels) {
    if (auto e = api::IsQualifiedName(k); !e.empty()) return bad("label key \"" + k + "\": " + e[0]);
    if (auto e = api::IsValidLabelValue(v); !e.empty()) return bad("label value \"" + v + "\": " + e[0]);
  }
  for (const Taint& t : options.taints) {
    if (t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" && t.effect != "NoExecute") {
      return bad("taint \"" + t.key + "\": effect must be NoSchedule, PreferNoSchedule or NoExecute, got \"" +
                 t.effect + "\"");
    }
  }
  // Pod blocks: a power of two >= 256 holding pods + network, gateway, broadcast.
  uint32_t block = 256;
  while (static_cast<int64_t>(block) < max_pods + 3 && block < (1u << 24)) block <<= 1;
  auto pod_base = ParseIPv4(options.pod_cidr_base);
  if (!pod_base) return bad("pod CIDR base \"" + options.pod_cidr_base + "\" is not an IPv4 address");
  auto node_base = ParseIPv4(options.node_ip_base);
  if (!node_base) return bad("node IP base \"" + options.node_ip_base + "\" is not an IPv4 address");
  if (options.pod_cidr_prefix_bits < 1 || options.pod_cidr_prefix_bits > 32 ||
      options.node_ip_prefix_bits < 1 || options.node_ip_prefix_bits > 32) {
    return bad("CIDR prefix lengths must be between 1 and 32");
  }
  uint64_t pod_range = uint64_t{1} << (32 - options.pod_cidr_prefix_bits);
  *pod_base &= ~static_cast<uint32_t>(block - 1);
  if (static_cast<uint64_t>(options.count) * block > pod_range) {
    return bad(std::to_string(options.count) + " nodes with " + std::to_string(block) +
               " pod IPs each do not fit in " + options.pod_cidr_base + "/" +
               std::to_string(options.pod_cidr_prefix_bits));
  }
  uint64_t node_range = uint64_t{1} << (32 - options.node_ip_prefix_bits);
  if (static_cast<uint64_t>(options.count) + 2 > node_range) {
    return bad(std::to_string(options.count) + " node IPs do not fit in " + options.node_ip_base + "/" +
               std::to_string(options.node_ip_prefix_bits));
  }

  client::RestConfig c = config;
  // One idle connection per worker, so concurrent writes reuse their TLS sessions.
  c.max_idle_connections = std::max(c.max_idle_connections, options.pod_workers + options.node_workers + 4);
  if (c.user_agent == client::RestConfig{}.user_agent) c.user_agent = "kubepp-simnode";
  auto cl = Client::New(c);
  if (!cl.ok()) return cl.status();
  auto impl = std::make_unique<SimulatedNodesImpl>(std::move(cl).value(), std::move(options), *pod_base,
                                                   block, *node_base);
  if (Status s = impl->Register(); !s.ok()) {
    impl->Stop();  // deletes what was registered when asked to
    return s;
  }
  impl->StartLoops();
  return std::unique_ptr<SimulatedNodes>(std::move(impl));
}

StatusOr<std::map<std::string, std::string>> ParseLabels(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view item : SplitTrimmed(text, ',')) {
    size_t eq = item.find('=');
    if (eq == std::string_view::npos) {
      return Status::BadRequest("label \"" + std::string(item) + "\": want key=value");
    }
    std::string key(item.substr(0, eq)), value(item.substr(eq + 1));
    if (auto e = api::IsQualifiedName(key); !e.empty())
      return Status::BadRequest("label key \"" + key + "\": " + e[0]);
    if (auto e = api::IsValidLabelValue(value); !e.empty()) {
      return Status::BadRequest("label value \"" + value + "\": " + e[0]);
    }
    out[key] = value;
  }
  return out;
}

StatusOr<std::vector<Taint>> ParseTaints(std::string_view text) {
  std::vector<Taint> out;
  for (std::string_view item : SplitTrimmed(text, ',')) {
    size_t colon = item.rfind(':');
    if (colon == std::string_view::npos) {
      return Status::BadRequest("taint \"" + std::string(item) + "\": want key[=value]:effect");
    }
    Taint t;
    t.effect = std::string(item.substr(colon + 1));
    std::string_view kv = item.substr(0, colon);
    size_t eq = kv.find('=');
    t.key = std::string(kv.substr(0, eq));
    if (eq != std::string_view::npos) t.value = std::string(kv.substr(eq + 1));
    if (auto e = api::IsQualifiedName(t.key); !e.empty()) {
      return Status::BadRequest("taint \"" + std::string(item) + "\": key: " + e[0]);
    }
    if (auto e = api::IsValidLabelValue(t.value); !e.empty()) {
      return Status::BadRequest("taint \"" + std::string(item) + "\": value: " + e[0]);
    }
    if (t.effect != "NoSchedule" && t.effect != "PreferNoSchedule" && t.effect != "NoExecute") {
      return Status::BadRequest("taint \"" + std::string(item) +
                                "\": effect must be NoSchedule, PreferNoSchedule or NoExecute");
    }
    out.push_back(std::move(t));
  }
  return out;
}

StatusOr<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  int64_t nanos = 0;
  if (!api::ParseGoDuration(TrimSpace(text), &nanos) || nanos < 1'000'000) {
    return Status::BadRequest("invalid duration \"" + std::string(text) + "\" (want e.g. 10s, 500ms, 1m30s)");
  }
  return std::chrono::milliseconds(nanos / 1'000'000);
}

}  // namespace kubepp::simnode
