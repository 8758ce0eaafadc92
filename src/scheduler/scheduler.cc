#include "scheduler/scheduler.h"

#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>
#include <unordered_map>

#include "api/time.h"
#include "client/client.h"
#include "client/informer.h"
#include "common/log.h"
#include "scheduler/cache/cache.h"
#include "scheduler/framework/fit_error.h"
#include "scheduler/framework/framework.h"
#include "scheduler/framework/json_access.h"
#include "scheduler/queue/scheduling_queue.h"

namespace kubepp::scheduler {
namespace {

using nlohmann::json;

const client::GroupVersionResource kPods{"", "v1", "pods"};
const client::GroupVersionResource kNodes{"", "v1", "nodes"};
const client::GroupVersionResource kEvents{"", "v1", "events"};
const std::map<std::string, client::GroupVersionResource, std::less<>> kOtherResources = {
    {"namespaces", {"", "v1", "namespaces"}},
    {"poddisruptionbudgets", {"policy", "v1", "poddisruptionbudgets"}},
    {"services", {"", "v1", "services"}},
    {"replicasets", {"apps", "v1", "replicasets"}},
    {"statefulsets", {"apps", "v1", "statefulsets"}},
    // replicationcontrollers: not served by kubepp, so none to spread by.
};

std::string NowRfc3339() { return api::Time::Now().FormatSeconds(); }

// Go's time.Duration String() for whole milliseconds: "300ms", "1.5s", "30s".
std::string GoDuration(std::chrono::milliseconds d) {
  int64_t ms = d.count();
  if (ms < 1000) return std::to_string(ms) + "ms";
  std::string out = std::to_string(ms / 1000);
  if (int64_t frac = ms % 1000; frac != 0) {
    char buf[8];
    std::snprintf(buf, sizeof(buf), ".%03lld", static_cast<long long>(frac));
    std::string f = buf;
    while (f.back() == '0') f.pop_back();
    out += f;
  }
  return out + "s";
}

bool IsTerminal(const PodInfo& p) { return p.phase == "Succeeded" || p.phase == "Failed"; }

// A fixed pool of threads running queued tasks (bindings, status writes).
class WorkerPool {
 public:
  explicit WorkerPool(int n) {
    for (int i = 0; i < n; ++i) threads_.emplace_back([this] { Run(); });
  }
  ~WorkerPool() { Stop(); }
  void Submit(std::function<void()> task) {
    {
      std::lock_guard lock(mu_);
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }
  // Runs every queued task, then joins.
  void Stop() {
    {
      std::lock_guard lock(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : threads_) {
      if (t.joinable()) t.join();
    }
    threads_.clear();
  }

 private:
  void Run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      task();
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

// core/v1 Events with upstream's correlation reduced to its visible effect:
// the same reason and message for the same pod within 10 minutes bumps
// `count` and lastTimestamp instead of creating a new Event. The queue is
// bounded (upstream's broadcaster drops too when it falls behind).
class EventRecorder {
 public:
  EventRecorder(client::Client& client, std::string instance)
      : client_(client), instance_(std::move(instance)), pool_(2) {}
  ~EventRecorder() { pool_.Stop(); }

  void Record(const PodInfo& pod, std::string_view type, std::string_view reason, std::string_view action,
              std::string message) {
    if (pending_.fetch_add(1) >= kMaxPending) {
      pending_.fetch_sub(1);
      return;
    }
    json involved = {{"kind", "Pod"},         {"namespace", pod.namespace_}, {"name", pod.name},
                     {"uid", pod.uid},        {"apiVersion", "v1"},         {"resourceVersion", pod.resource_version}};
    // The reporting component is the profile's scheduler name, as upstream.
    pool_.Submit([this, involved = std::move(involved), type = std::string(type), reason = std::string(reason),
                  action = std::string(action), message = std::move(message),
                  component = pod.scheduler_name]() mutable {
      Post(std::move(involved), component, type, reason, action, message);
      pending_.fetch_sub(1);
    });
  }

 private:
  static constexpr int kMaxPending = 1000;
  struct Seen {
    std::string name;
    int64_t count = 0;
    std::chrono::steady_clock::time_point last;
  };

  void Post(json involved, const std::string& component, const std::string& type, const std::string& reason,
            const std::string& action, const std::string& message) {
    std::string ns = involved["namespace"];
    std::string key = involved["uid"].get<std::string>() + "\n" + reason + "\n" + message;
    std::string now = NowRfc3339();
    std::optional<Seen> seen;
    {
      std::lock_guard lock(mu_);
      auto it = seen_.find(key);
      if (it != seen_.end() && std::chrono::steady_clock::now() - it->second.last < std::chrono::minutes(10)) {
        it->second.count++;
        it->second.last = std::chrono::steady_clock::now();
        seen = it->second;
      }
    }
    if (seen) {
      json patch = {{"count", seen->count}, {"lastTimestamp", now}};
      auto r = client_.Patch(kEvents, ns, seen->name, client::PatchType::kMerge, patch.dump());
      if (r.ok()) return;
    }
    auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(
                     std::chrono::system_clock::now().time_since_epoch())
                     .count();
    char suffix[32];
    std::snprintf(suffix, sizeof(suffix), ".%llx", static_cast<unsigned long long>(nanos));
    json ev = {{"apiVersion", "v1"},
               {"kind", "Event"},
               {"metadata", {{"name", involved["name"].get<std::string>() + suffix}, {"namespace", ns}}},
               {"involvedObject", involved},
               {"reason", reason},
               {"message", message},
               {"type", type},
               {"action", action},
               {"source", {{"component", component}}},
               {"reportingComponent", component},
               {"reportingInstance", instance_},
               {"firstTimestamp", now},
               {"lastTimestamp", now},
               {"count", 1}};
    std::string name = ev["metadata"]["name"];
    auto r = client_.Create(kEvents, ns, ev);
    if (!r.ok()) {
      LogDebug("scheduler: event {} not recorded: {}", name, r.status().ToString());
      return;
    }
    std::lock_guard lock(mu_);
    if (seen_.size() > 10000) seen_.clear();
    seen_[key] = Seen{name, 1, std::chrono::steady_clock::now()};
  }

  client::Client& client_;
  const std::string instance_;
  std::atomic<int> pending_{0};
  std::mutex mu_;
  std::unordered_map<std::string, Seen> seen_;
  WorkerPool pool_;
};

class SchedulerImpl;

// One Handle per profile: framework() differs.
class ProfileHandle final : public Handle {
 public:
  ProfileHandle(SchedulerImpl& s) : s_(s) {}
  const Snapshot& snapshot() const override;
  const api::Labels* NamespaceLabels(const std::string& ns) const override;
  client::Client& client() override;
  std::vector<std::shared_ptr<const json>> Objects(std::string_view resource) const override;
  Framework& framework() override { return *framework_; }
  std::vector<PodInfoPtr> NominatedPodsForNode(const std::string& node_name) const override;
  void RecordEvent(const PodInfo& pod, std::string_view type, std::string_view reason, std::string_view action,
                   std::string message) override;
  bool AllowWaitingPod(const std::string& uid, std::string_view plugin) override;
  bool RejectWaitingPod(const std::string& uid, std::string_view plugin, std::string message) override;

  Framework* framework_ = nullptr;

 private:
  SchedulerImpl& s_;
};

class SchedulerImpl final : public Scheduler {
 public:
  SchedulerImpl(client::Client& client, SchedulerOptions options)
      : client_(client), options_(std::move(options)), informers_(client, InformerDefaults(options_)) {}
  ~SchedulerImpl() override { Stop(); }

  Status Init(const PluginRegistry& registry) {
    if (options_.identity.empty()) {
      char host[256] = {};
      gethostname(host, sizeof(host) - 1);
      options_.identity = host;
    }
    for (const auto& profile : options_.config.profiles) {
      auto handle = std::make_unique<ProfileHandle>(*this);
      auto fw = Framework::Create(profile, registry, *handle);
      if (!fw.ok()) return fw.status();
      handle->framework_ = fw->get();
      frameworks_[profile.scheduler_name] = *std::move(fw);
      handles_.push_back(std::move(handle));
    }
    recorder_ = std::make_unique<EventRecorder>(client_, options_.identity);
    QueueOptions q;
    q.initial_backoff = std::chrono::seconds(options_.config.pod_initial_backoff_seconds);
    q.max_backoff = std::chrono::seconds(options_.config.pod_max_backoff_seconds);
    q.pre_enqueue = [this](const PodInfo& pod) {
      Framework* fw = FrameworkFor(pod);
      return fw == nullptr ? PluginStatus::Success() : fw->RunPreEnqueuePlugins(pod);
    };
    q.events_for = [this](const PodInfo& pod, std::string_view plugin) -> const std::vector<ClusterEvent>& {
      Framework* fw = FrameworkFor(pod);
      return fw == nullptr ? AllClusterEvents() : fw->EventsFor(plugin);
    };
    queue_ = std::make_unique<SchedulingQueue>(std::move(q));
    return Status::Ok();
  }

  Status Start(std::chrono::milliseconds sync_timeout) override {
    RETURN_IF_ERROR(SyncCaches(sync_timeout));
    binders_ = std::make_unique<WorkerPool>(options_.bind_workers);
    cycle_thread_ = std::thread([this] { RunCycles(); });
    return Status::Ok();
  }

  Status SyncCaches(std::chrono::milliseconds sync_timeout) override {
    if (caches_synced_) return Status::Ok();
    auto& pods = informers_.For(kPods);
    pods.AddEventHandler({[this](const client::ObjectPtr& o) { OnPodAdd(o); },
                          [this](const client::ObjectPtr& o, const client::ObjectPtr& n) { OnPodUpdate(o, n); },
                          [this](const client::ObjectPtr& o, bool) { OnPodDelete(o); }});
    auto& nodes = informers_.For(kNodes);
    nodes.AddEventHandler({[this](const client::ObjectPtr& o) { OnNodeAdd(o); },
                           [this](const client::ObjectPtr& o, const client::ObjectPtr& n) { OnNodeUpdate(o, n); },
                           [this](const client::ObjectPtr& o, bool) { OnNodeDelete(o); }});
    for (const auto& [name, gvr] : kOtherResources) {
      auto& inf = informers_.For(gvr);
      if (name == "namespaces") {
        inf.AddEventHandler({[this](const client::ObjectPtr& o) { OnNamespace(o, kAdd); },
                             [this](const client::ObjectPtr&, const client::ObjectPtr& n) { OnNamespace(n, kUpdate); },
                             [this](const client::ObjectPtr& o, bool) { OnNamespace(o, kDelete); }});
      } else if (name == "poddisruptionbudgets") {
        inf.AddEventHandler({[this](const client::ObjectPtr&) { Move({EventResource::kPodDisruptionBudget, kAdd}); },
                             [this](const client::ObjectPtr&, const client::ObjectPtr&) {
                               Move({EventResource::kPodDisruptionBudget, kUpdate});
                             },
                             [this](const client::ObjectPtr&, bool) {
                               Move({EventResource::kPodDisruptionBudget, kDelete});
                             }});
      }
    }
    informers_.Start();
    if (!informers_.WaitForCacheSync(sync_timeout)) {
      informers_.Stop();
      return Status::Unavailable("scheduler: informer caches did not sync within " +
                                 std::to_string(sync_timeout.count()) + " ms");
    }
    caches_synced_ = true;
    return Status::Ok();
  }

  void Stop() override {
    if (stopped_.exchange(true)) return;
    if (queue_) queue_->Close();
    if (cycle_thread_.joinable()) cycle_thread_.join();
    // Pods held at Permit would keep their binding thread (and so Stop)
    // waiting up to their timeout: reject them now.
    std::vector<std::string> held;
    {
      std::lock_guard lock(waiting_mu_);
      for (const auto& [uid, w] : waiting_) held.push_back(uid);
    }
    for (const auto& uid : held) ResolveWaiting(uid, "", true, "scheduler stopped");
    if (binders_) binders_->Stop();
    informers_.Stop();
    recorder_.reset();
  }

  SchedulerStats stats() const override {
    std::lock_guard lock(stats_mu_);
    return stats_;
  }

  // --- used by ProfileHandle ---
  const CacheSnapshot& snapshot() const { return snapshot_; }
  client::Client& client() { return client_; }
  // The namespace informer replaces entries at any time: a cycle gets the
  // labels as of its first lookup, kept alive until the next cycle starts.
  const api::Labels* NamespaceLabels(const std::string& ns) const {
    std::lock_guard lock(ns_mu_);
    if (auto p = pinned_labels_.find(ns); p != pinned_labels_.end()) return p->second.get();
    auto it = namespace_labels_.find(ns);
    std::shared_ptr<const api::Labels> labels = it == namespace_labels_.end() ? nullptr : it->second;
    pinned_labels_.emplace(ns, labels);
    return labels.get();
  }
  std::vector<std::shared_ptr<const json>> Objects(std::string_view resource) const {
    auto it = kOtherResources.find(resource);
    if (it == kOtherResources.end()) return {};
    return const_cast<client::Informers&>(informers_).For(it->second).indexer().List();
  }
  std::vector<PodInfoPtr> NominatedPodsForNode(const std::string& node) const {
    return queue_->NominatedPodsForNode(node);
  }
  // A pod held at Permit until its waiting plugins allow it.
  struct WaitingPod {
    std::mutex mu;
    std::condition_variable cv;
    std::set<std::string, std::less<>> pending;  // plugins that have not allowed it yet
    bool rejected = false;
    std::string message;
  };

  bool ResolveWaiting(const std::string& uid, std::string_view plugin, bool reject, std::string message) {
    std::shared_ptr<WaitingPod> w;
    {
      std::lock_guard lock(waiting_mu_);
      auto it = waiting_.find(uid);
      if (it == waiting_.end()) return false;
      w = it->second;
    }
    {
      std::lock_guard lock(w->mu);
      if (reject) {
        w->rejected = true;
        w->message = std::move(message);
      } else {
        auto p = w->pending.find(plugin);
        if (p != w->pending.end()) w->pending.erase(p);
      }
    }
    w->cv.notify_all();
    return true;
  }

  void RecordEvent(const PodInfo& pod, std::string_view type, std::string_view reason, std::string_view action,
                   std::string message) {
    if (recorder_) recorder_->Record(pod, type, reason, action, std::move(message));
  }

 private:
  static client::InformerOptions InformerDefaults(const SchedulerOptions& o) {
    client::InformerOptions i;
    i.min_watch_timeout = o.min_watch_timeout;
    return i;
  }

  Framework* FrameworkFor(const PodInfo& pod) {
    auto it = frameworks_.find(pod.scheduler_name);
    return it == frameworks_.end() ? nullptr : it->second.get();
  }

  void Move(const ClusterEvent& e) {
    if (queue_) queue_->MoveAllToActiveOrBackoff(e);
  }

  // --- informer handlers ---
  void OnPodAdd(const client::ObjectPtr& obj) {
    PodInfoPtr pod = ParsePodInfo(obj);
    if (!pod->node_name.empty()) {
      queue_->Delete(pod->uid);
      if (IsTerminal(*pod)) return;
      cache_.AddPod(pod);
      Move({EventResource::kAssignedPod, kAdd});
      return;
    }
    if (IsTerminal(*pod) || FrameworkFor(*pod) == nullptr) return;
    if (!pod->nominated_node_name.empty()) queue_->AddNominated(pod, pod->nominated_node_name);
    queue_->Add(pod);
  }

  // True when something other than status and bookkeeping changed (upstream
  // isPodUpdated): the scheduler's own status writes must not requeue.
  // Compares in place: this runs for every update of every pending pod.
  static bool SpecOrMetaChanged(const json& a, const json& b) {
    if (!JsonEqualAt(a, b, {"spec"})) return true;
    const json* ma = internal::Find(a, {"metadata"});
    const json* mb = internal::Find(b, {"metadata"});
    if (ma == nullptr || mb == nullptr || !ma->is_object() || !mb->is_object()) return !JsonEqualAt(a, b, {"metadata"});
    auto bookkeeping = [](const std::string& k) {
      return k == "resourceVersion" || k == "generation" || k == "managedFields";
    };
    size_t counted = 0;
    for (auto it = ma->begin(); it != ma->end(); ++it) {
      if (bookkeeping(it.key())) continue;
      ++counted;
      auto other = mb->find(it.key());
      if (other == mb->end() || *other != *it) return true;
    }
    for (auto it = mb->begin(); it != mb->end(); ++it) counted -= bookkeeping(it.key()) ? 0 : 1;
    return counted != 0;
  }

  // True when both objects have equal values at `path` (both absent counts).
  static bool JsonEqualAt(const json& a, const json& b, std::initializer_list<const char*> path) {
    const json* x = internal::Find(a, path);
    const json* y = internal::Find(b, path);
    if (x == nullptr || y == nullptr) return x == y;
    return *x == *y;
  }

  void OnPodUpdate(const client::ObjectPtr& old_obj, const client::ObjectPtr& new_obj) {
    PodInfoPtr pod = ParsePodInfo(new_obj);
    const std::string old_node = old_obj->value("/spec/nodeName"_json_pointer, std::string());
    if (!pod->node_name.empty()) {
      if (old_node.empty()) {
        // Just bound (by us or someone else): it leaves the queue.
        queue_->Delete(pod->uid);
      }
      if (IsTerminal(*pod)) {
        cache_.RemovePod(pod->uid);
        Move({EventResource::kAssignedPod, kDelete});
        return;
      }
      // The cache holds the pod as last seen (parsed once): no second parse.
      PodInfoPtr old_pod = old_node.empty() ? nullptr : cache_.GetPod(pod->uid);
      cache_.UpdatePod(pod);
      uint32_t actions = old_pod == nullptr ? static_cast<uint32_t>(kAdd) : 0u;
      if (old_pod != nullptr) {
        if (old_pod->labels != pod->labels) actions |= kUpdatePodLabel;
        if (pod->requests.milli_cpu < old_pod->requests.milli_cpu || pod->requests.memory < old_pod->requests.memory) {
          actions |= kUpdatePodScaleDown;
        }
      }
      if (actions != 0) Move({EventResource::kAssignedPod, actions});
      return;
    }
    if (FrameworkFor(*pod) == nullptr) return;
    if (IsTerminal(*pod)) {
      queue_->Delete(pod->uid);
      return;
    }
    // An assumed pod (binding in flight) left the nominator at Assume.
    const bool assumed = cache_.IsAssumed(pod->uid);
    if (!assumed) {
      if (pod->nominated_node_name.empty()) {
        queue_->DeleteNominated(pod->uid);
      } else {
        queue_->AddNominated(pod, pod->nominated_node_name);
      }
    }
    if (SpecOrMetaChanged(*old_obj, *new_obj)) {
      queue_->Update(pod);
    } else if (!assumed) {
      // Status only (often our own PodScheduled/nominatedNodeName patch): the
      // queued copy is refreshed in place, so the next cycle sees the
      // nomination and the condition, but the pod does not move.
      queue_->Add(pod);
    }
  }

  void OnPodDelete(const client::ObjectPtr& obj) {
    PodInfoPtr pod = ParsePodInfo(obj);
    queue_->Delete(pod->uid);
    ResolveWaiting(pod->uid, "", true, "removed");
    if (!pod->node_name.empty() || cache_.GetPod(pod->uid) != nullptr) {
      cache_.RemovePod(pod->uid);
      Move({EventResource::kAssignedPod, kDelete});
    }
  }

  void OnNodeAdd(const client::ObjectPtr& obj) {
    cache_.AddNode(obj);
    Move({EventResource::kNode, kAdd});
  }

  void OnNodeUpdate(const client::ObjectPtr& old_obj, const client::ObjectPtr& new_obj) {
    cache_.UpdateNode(new_obj);
    // Heartbeats (conditions' timestamps) change nothing a plugin reads.
    uint32_t actions = 0;
    auto differs = [&](std::initializer_list<const char*> path) { return !JsonEqualAt(*old_obj, *new_obj, path); };
    if (differs({"metadata", "labels"})) actions |= kUpdateNodeLabel;
    if (differs({"spec", "taints"}) || differs({"spec", "unschedulable"})) actions |= kUpdateNodeTaint;
    if (differs({"status", "allocatable"})) actions |= kUpdateNodeAllocatable;
    if (differs({"status", "images"})) actions |= kUpdateOther;
    if (actions != 0) Move({EventResource::kNode, actions});
  }

  void OnNodeDelete(const client::ObjectPtr& obj) {
    cache_.RemoveNode(obj->value("/metadata/name"_json_pointer, std::string()));
  }

  void OnNamespace(const client::ObjectPtr& obj, uint32_t action) {
    std::string name = obj->value("/metadata/name"_json_pointer, std::string());
    {
      std::lock_guard lock(ns_mu_);
      if (action == kDelete) {
        namespace_labels_.erase(name);
      } else {
        api::Labels labels;
        if (auto l = obj->find("metadata"); l != obj->end() && l->contains("labels") && (*l)["labels"].is_object()) {
          for (const auto& [k, v] : (*l)["labels"].items()) {
            if (v.is_string()) labels[k] = v.get<std::string>();
          }
        }
        namespace_labels_[name] = std::make_shared<const api::Labels>(std::move(labels));
      }
    }
    if (action != kDelete) Move({EventResource::kNamespace, action});
  }

  // --- the cycle ---
  void RunCycles() {
    while (auto qp = queue_->Pop()) ScheduleOne(std::move(*qp));
  }

  static int NumFeasibleNodesToFind(int32_t percentage, int num_all) {
    constexpr int kMinFeasible = 100;
    constexpr int kMinPercentage = 5;
    if (num_all < kMinFeasible) return num_all;
    int adaptive = percentage;
    if (adaptive <= 0) {
      adaptive = 50 - num_all / 125;
      if (adaptive < kMinPercentage) adaptive = kMinPercentage;
    }
    int n = static_cast<int>(static_cast<int64_t>(num_all) * adaptive / 100);
    return std::max(n, kMinFeasible);
  }

  void ScheduleOne(QueuedPod qp) {
    const PodInfoPtr pod = qp.pod;
    Framework* fw = FrameworkFor(*pod);
    if (fw == nullptr || pod->terminating || cache_.GetPod(pod->uid) != nullptr) {
      queue_->Done(pod->uid);
      return;
    }
    int64_t cycle = queue_->scheduling_cycle();
    Count(&SchedulerStats::attempts);
    {
      std::lock_guard lock(ns_mu_);
      pinned_labels_.clear();
    }
    if (!pod->parse_error.ok()) {
      Fail(*fw, std::move(qp), cycle, PluginStatus::Error(pod->parse_error.message()));
      return;
    }
    cache_.UpdateSnapshot(snapshot_);
    const auto& nodes = snapshot_.nodes();
    const int num_all = static_cast<int>(nodes.size());
    auto state = std::make_unique<CycleState>();

    if (num_all == 0) {
      // upstream ErrNoNodesAvailable.
      Count(&SchedulerStats::unschedulable);
      Report(*fw, std::move(qp), cycle, false, "no nodes available to schedule pods", {}, "");
      return;
    }

    PreFilterResult pre;
    std::vector<std::string> narrowing;
    PluginStatus s = fw->RunPreFilterPlugins(*state, *pod, nodes, &pre, &narrowing);
    NodeToStatusMap failed;
    std::set<std::string, std::less<>> rejectors;
    std::vector<NodeInfoPtr> feasible;
    if (!s.IsSuccess()) {
      if (s.code() == Code::kError) {
        Fail(*fw, std::move(qp), cycle, s);
        return;
      }
      rejectors.insert(s.plugin());
      for (const auto& n : nodes) {
        failed.emplace(n->name(), PluginStatus(Code::kUnschedulableAndUnresolvable, s.reasons()));
      }
      FailUnschedulable(*fw, std::move(qp), cycle, *state, s.Message(), {}, rejectors, failed, num_all);
      return;
    }

    // A nominated node (from an earlier preemption) is tried first.
    if (!pod->nominated_node_name.empty()) {
      if (const NodeInfo* n = snapshot_.Get(pod->nominated_node_name); n != nullptr) {
        if (fw->RunFilterPluginsWithNominatedPods(*state, *pod, *n).IsSuccess()) {
          for (const auto& ptr : nodes) {
            if (ptr.get() == n) feasible.push_back(ptr);
          }
        }
      }
    }
    if (feasible.empty()) {
      const int32_t pct = fw->percentage_of_nodes_to_score().value_or(options_.config.percentage_of_nodes_to_score);
      const int to_find = NumFeasibleNodesToFind(pct, num_all);
      int processed = 0;
      const size_t start = next_start_ % nodes.size();
      // upstream's status for the nodes a PreFilterResult left out.
      std::string left_out = "node(s) didn't satisfy plugin(s) [";
      for (size_t i = 0; i < narrowing.size(); ++i) left_out += (i == 0 ? "" : " ") + narrowing[i];
      left_out += "]";
      for (size_t i = 0; i < nodes.size() && static_cast<int>(feasible.size()) < to_find; ++i) {
        const NodeInfoPtr& n = nodes[(start + i) % nodes.size()];
        // The filter loop is bound by memory latency (one NodeInfo per node,
        // scattered): fetch a few nodes ahead.
        if (const NodeInfo* ahead = nodes[(start + i + 4) % nodes.size()].get(); ahead != nullptr) {
          const char* p = reinterpret_cast<const char*>(ahead);
          __builtin_prefetch(p);
          __builtin_prefetch(p + 64);
          __builtin_prefetch(p + 128);
          __builtin_prefetch(p + 192);
        }
        ++processed;
        if (pre.node_names && pre.node_names->count(n->name()) == 0) {
          failed.emplace(n->name(), PluginStatus::Unresolvable(left_out));
          continue;
        }
        PluginStatus fs = fw->RunFilterPluginsWithNominatedPods(*state, *pod, *n);
        if (fs.IsSuccess()) {
          feasible.push_back(n);
          continue;
        }
        if (fs.code() == Code::kError) {
          Fail(*fw, std::move(qp), cycle, fs);
          return;
        }
        rejectors.insert(fs.plugin());
        failed.emplace(n->name(), std::move(fs));
      }
      next_start_ = (start + processed) % nodes.size();
    }

    if (feasible.empty()) {
      // The plugins that narrowed the nodes rejected the rest (upstream's
      // UnschedulablePlugins): their events may requeue the pod too.
      if (pre.node_names) rejectors.insert(narrowing.begin(), narrowing.end());
      FailUnschedulable(*fw, std::move(qp), cycle, *state, "", CountNodeReasons(failed, num_all), rejectors, failed,
                        num_all);
      return;
    }

    std::string host;
    if (feasible.size() == 1) {
      host = feasible[0]->name();
    } else {
      PluginStatus ps = fw->RunPreScorePlugins(*state, *pod, feasible);
      if (!ps.IsSuccess()) {
        Fail(*fw, std::move(qp), cycle, ps);
        return;
      }
      auto scores = fw->RunScorePlugins(*state, *pod, feasible);
      if (!scores.ok()) {
        Fail(*fw, std::move(qp), cycle, PluginStatus::Error(scores.status().message()));
        return;
      }
      // Highest total; ties broken uniformly at random (reservoir sampling).
      int64_t best = -1;
      int ties = 0;
      for (const auto& ns : *scores) {
        if (ns.score > best) {
          best = ns.score;
          host = ns.name;
          ties = 1;
        } else if (ns.score == best) {
          ++ties;
          if (std::uniform_int_distribution<int>(0, ties - 1)(rng_) == 0) host = ns.name;
        }
      }
    }

    // Assume, Reserve, Permit on this thread; bind on a binding thread.
    auto assumed = std::make_shared<PodInfo>(*pod);
    assumed->node_name = host;
    Status as = cache_.AssumePod(assumed);
    if (!as.ok()) {
      Fail(*fw, std::move(qp), cycle, PluginStatus::Error(as.message()));
      return;
    }
    // Counted on `host` now; as a nominated pod too it would count twice.
    queue_->DeleteNominated(pod->uid);
    PluginStatus rs = fw->RunReservePluginsReserve(*state, *pod, host);
    if (!rs.IsSuccess()) {
      fw->RunReservePluginsUnreserve(*state, *pod, host);
      cache_.ForgetPod(pod->uid);
      FailOrReject(*fw, std::move(qp), cycle, rs);
      return;
    }
    std::chrono::milliseconds permit_timeout{0};
    std::vector<std::string> waiting_plugins;
    PluginStatus perm = fw->RunPermitPlugins(*state, *pod, host, &permit_timeout, &waiting_plugins);
    if (perm.IsWait()) {
      auto w = std::make_shared<WaitingPod>();
      w->pending.insert(waiting_plugins.begin(), waiting_plugins.end());
      std::lock_guard lock(waiting_mu_);
      waiting_[pod->uid] = std::move(w);
    }
    if (!perm.IsSuccess() && !perm.IsWait()) {
      fw->RunReservePluginsUnreserve(*state, *pod, host);
      cache_.ForgetPod(pod->uid);
      FailOrReject(*fw, std::move(qp), cycle, perm);
      return;
    }
    std::shared_ptr<CycleState> shared_state(std::move(state));
    auto shared_qp = std::make_shared<QueuedPod>(std::move(qp));
    binders_->Submit([this, fw, shared_state, shared_qp, host, cycle, wait = perm.IsWait(), permit_timeout] {
      Bind(*fw, *shared_state, std::move(*shared_qp), host, cycle, wait, permit_timeout);
    });
  }

  void Bind(Framework& fw, CycleState& state, QueuedPod qp, const std::string& host, int64_t cycle, bool wait,
            std::chrono::milliseconds permit_timeout) {
    const PodInfoPtr pod = qp.pod;
    auto undo = [&](const PluginStatus& s) {
      fw.RunReservePluginsUnreserve(state, *pod, host);
      cache_.ForgetPod(pod->uid);
      // Its place is free again: pods it kept out may fit (upstream treats
      // this as an assigned pod's deletion). A rejected pod itself stays
      // unschedulable, so the move comes after it is requeued and spares it.
      if (s.code() == Code::kError) {
        Move({EventResource::kAssignedPod, kDelete});
        FailOrReject(fw, std::move(qp), cycle, s);
      } else {
        std::string uid = pod->uid;
        FailOrReject(fw, std::move(qp), cycle, s);
        if (queue_) queue_->MoveAllToActiveOrBackoff({EventResource::kAssignedPod, kDelete}, uid);
      }
    };
    if (wait) {
      std::shared_ptr<WaitingPod> w;
      {
        std::lock_guard lock(waiting_mu_);
        w = waiting_[pod->uid];
      }
      std::unique_lock lock(w->mu);
      bool done = w->cv.wait_for(lock, permit_timeout, [&] { return w->rejected || w->pending.empty(); });
      PluginStatus verdict;
      if (w->rejected) {
        verdict = PluginStatus::Unschedulable(w->message);
      } else if (!done) {
        verdict = PluginStatus::Unschedulable("rejected due to timeout after waiting " +
                                              GoDuration(permit_timeout) + " at plugin " + *w->pending.begin());
      }
      lock.unlock();
      {
        std::lock_guard wl(waiting_mu_);
        waiting_.erase(pod->uid);
      }
      if (!verdict.IsSuccess()) {
        undo(verdict);
        return;
      }
    }
    PluginStatus s = fw.RunPreBindPlugins(state, *pod, host);
    if (!s.IsSuccess()) {
      undo(s);
      return;
    }
    s = fw.RunBindPlugins(state, *pod, host);
    if (!s.IsSuccess()) {
      undo(s.code() == Code::kError ? s : PluginStatus::Error(s.Message()));
      return;
    }
    cache_.FinishBinding(pod->uid);
    queue_->Done(pod->uid);
    Count(&SchedulerStats::scheduled);
    fw.RunPostBindPlugins(state, *pod, host);
    RecordEvent(*pod, "Normal", "Scheduled", "Binding",
                "Successfully assigned " + pod->namespace_ + "/" + pod->name + " to " + host);
  }

  void FailOrReject(Framework& fw, QueuedPod qp, int64_t cycle, const PluginStatus& s) {
    if (s.code() == Code::kError) {
      Fail(fw, std::move(qp), cycle, s);
      return;
    }
    std::set<std::string, std::less<>> rejectors{s.plugin()};
    Report(fw, std::move(qp), cycle, false, s.Message(), rejectors, "");
  }

  // An error: back-off, FailedScheduling with the error, reason SchedulerError.
  void Fail(Framework& fw, QueuedPod qp, int64_t cycle, const PluginStatus& s) {
    Count(&SchedulerStats::errors);
    Report(fw, std::move(qp), cycle, true, s.Message(), {}, "");
  }

  // No node fits: run PostFilter (preemption), then report.
  void FailUnschedulable(Framework& fw, QueuedPod qp, int64_t cycle, CycleState& state,
                         const std::string& pre_filter_msg, const std::map<std::string, int, std::less<>>& counts,
                         const std::set<std::string, std::less<>>& rejectors, const NodeToStatusMap& failed,
                         int num_all) {
    Count(&SchedulerStats::unschedulable);
    std::string nominated;
    std::string post_filter_msg;
    // Without PostFilter upstream clears the nomination (clearNominatedNode);
    // with it, PostFilter's result decides.
    bool clear_nomination = true;
    if (fw.HasPostFilterPlugins()) {
      PostFilterResult result;
      PluginStatus ps = fw.RunPostFilterPlugins(state, *qp.pod, failed, num_all, &result);
      clear_nomination = result.clear_nomination;
      if (ps.IsSuccess() && !result.nominated_node_name.empty()) {
        nominated = result.nominated_node_name;
        Count(&SchedulerStats::preemptions);
      } else {
        post_filter_msg = ps.Message();
      }
    }
    Report(fw, std::move(qp), cycle, false, FitErrorMessage(num_all, pre_filter_msg, counts, post_filter_msg),
           rejectors, nominated, clear_nomination);
  }

  // Requeues the pod and reports the failure. Every failure but a PostFilter
  // verdict clears a stale nomination, as upstream's clearNominatedNode.
  void Report(Framework&, QueuedPod qp, int64_t cycle, bool error, const std::string& msg,
              const std::set<std::string, std::less<>>& rejectors, const std::string& nominated,
              bool clear_nomination = true) {
    PodInfoPtr pod = qp.pod;
    qp.unschedulable_plugins = rejectors;
    if (!nominated.empty()) queue_->AddNominated(pod, nominated);
    // Preemption found no node at all: the old nomination no longer holds.
    clear_nomination = clear_nomination && nominated.empty() && !pod->nominated_node_name.empty();
    if (clear_nomination) queue_->DeleteNominated(pod->uid);
    queue_->AddUnschedulable(std::move(qp), cycle, error);
    RecordEvent(*pod, "Warning", "FailedScheduling", "Scheduling", msg);
    // PodScheduled=False (+ nominatedNodeName), written off the cycle thread
    // and only when it changes what the pod already says.
    const json* conditions = nullptr;
    if (auto st = pod->object->find("status"); st != pod->object->end() && st->is_object()) {
      if (auto c = st->find("conditions"); c != st->end() && c->is_array()) conditions = &*c;
    }
    const std::string reason = error ? "SchedulerError" : "Unschedulable";
    if (conditions != nullptr && nominated.empty() && !clear_nomination) {
      for (const auto& c : *conditions) {
        if (c.value("type", "") == "PodScheduled" && c.value("status", "") == "False" &&
            c.value("reason", "") == reason && c.value("message", "") == msg) {
          return;
        }
      }
    }
    json status = {{"conditions", json::array({{{"type", "PodScheduled"},
                                                {"status", "False"},
                                                {"reason", reason},
                                                {"message", msg},
                                                {"lastProbeTime", nullptr},
                                                {"lastTransitionTime", NowRfc3339()}}})}};
    if (!nominated.empty()) status["nominatedNodeName"] = nominated;
    if (clear_nomination) status["nominatedNodeName"] = nullptr;
    json patch = {{"status", std::move(status)}};
    std::string ns = pod->namespace_, name = pod->name;
    binders_->Submit([this, ns, name, body = patch.dump()] {
      client::PatchOptions o;
      o.subresource = "status";
      auto r = client_.Patch(kPods, ns, name, client::PatchType::kStrategicMerge, body, o);
      if (!r.ok() && r.status().code() != StatusCode::kNotFound) {
        LogWarning("scheduler: status of pod {}/{} not updated: {}", ns, name, r.status().ToString());
      }
    });
  }

  void Count(int64_t SchedulerStats::*field) {
    std::lock_guard lock(stats_mu_);
    ++(stats_.*field);
  }

  client::Client& client_;
  SchedulerOptions options_;
  client::Informers informers_;
  Cache cache_;
  CacheSnapshot snapshot_;  // touched by the cycle thread only
  std::unique_ptr<SchedulingQueue> queue_;
  std::map<std::string, std::unique_ptr<Framework>, std::less<>> frameworks_;
  std::vector<std::unique_ptr<ProfileHandle>> handles_;
  std::unique_ptr<EventRecorder> recorder_;
  std::unique_ptr<WorkerPool> binders_;
  std::thread cycle_thread_;
  std::atomic<bool> stopped_{false};
  bool caches_synced_ = false;  // Start/SyncCaches run on one thread
  size_t next_start_ = 0;
  std::mt19937_64 rng_{std::random_device{}()};

  std::mutex waiting_mu_;
  std::unordered_map<std::string, std::shared_ptr<WaitingPod>> waiting_;  // guarded by waiting_mu_

  mutable std::mutex ns_mu_;
  std::unordered_map<std::string, std::shared_ptr<const api::Labels>> namespace_labels_;  // guarded by ns_mu_
  // What the running cycle was given (NamespaceLabels); cleared per cycle.
  mutable std::unordered_map<std::string, std::shared_ptr<const api::Labels>> pinned_labels_;

  mutable std::mutex stats_mu_;
  SchedulerStats stats_;
};

const Snapshot& ProfileHandle::snapshot() const { return s_.snapshot(); }
const api::Labels* ProfileHandle::NamespaceLabels(const std::string& ns) const { return s_.NamespaceLabels(ns); }
client::Client& ProfileHandle::client() { return s_.client(); }
std::vector<std::shared_ptr<const json>> ProfileHandle::Objects(std::string_view resource) const {
  return s_.Objects(resource);
}
std::vector<PodInfoPtr> ProfileHandle::NominatedPodsForNode(const std::string& node_name) const {
  return s_.NominatedPodsForNode(node_name);
}
bool ProfileHandle::AllowWaitingPod(const std::string& uid, std::string_view plugin) {
  return s_.ResolveWaiting(uid, plugin, false, "");
}
bool ProfileHandle::RejectWaitingPod(const std::string& uid, std::string_view plugin, std::string message) {
  return s_.ResolveWaiting(uid, plugin, true, std::move(message));
}
void ProfileHandle::RecordEvent(const PodInfo& pod, std::string_view type, std::string_view reason,
                                std::string_view action, std::string message) {
  s_.RecordEvent(pod, type, reason, action, std::move(message));
}

}  // namespace

StatusOr<std::unique_ptr<Scheduler>> Scheduler::Create(client::Client& client, SchedulerOptions options,
                                                       const PluginRegistry& registry) {
  auto s = std::make_unique<SchedulerImpl>(client, std::move(options));
  RETURN_IF_ERROR(s->Init(registry));
  return std::unique_ptr<Scheduler>(std::move(s));
}

}  // namespace kubepp::scheduler
