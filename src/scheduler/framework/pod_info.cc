#include "scheduler/framework/pod_info.h"

#include <nlohmann/json.hpp>

#include "api/labels_json.h"
#include "api/time.h"
#include "scheduler/framework/json_access.h"

namespace kubepp::scheduler {
namespace {

using internal::Find;
using internal::StringAt;
using nlohmann::json;

std::chrono::system_clock::time_point ParseTime(const json& obj, std::initializer_list<const char*> path) {
  std::string text = StringAt(obj, path);
  if (text.empty()) return {};
  auto t = api::Time::Parse(text);
  if (!t.ok()) return {};
  return std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::nanoseconds(t->UnixNanos())));
}

api::Labels ReadStringMap(const json* m) {
  api::Labels out;
  if (m == nullptr || !m->is_object()) return out;
  for (const auto& [k, v] : m->items()) {
    if (v.is_string()) out.emplace(k, v.get<std::string>());
  }
  return out;
}

std::vector<std::string> ReadStrings(const json* a) {
  std::vector<std::string> out;
  if (a == nullptr || !a->is_array()) return out;
  for (const auto& v : *a) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

// Records the first parse problem only; later ones are usually consequences.
void Note(Status* error, Status s) {
  if (error->ok() && !s.ok()) *error = std::move(s);
}

// metav1.LabelSelector JSON -> selector. A null/absent selector is Nothing
// (LabelSelectorAsSelector(nil)); malformed ones are Nothing too, noted.
api::LabelSelector ReadLabelSelector(const json* sel, const std::string& path, Status* error) {
  auto s = api::LabelSelectorFromJson(sel);
  if (!s.ok()) {
    Note(error, s.status().WithPrefix(path));
    return api::LabelSelector::Nothing();
  }
  return *std::move(s);
}

NodeSelectorTerm ReadNodeSelectorTerm(const json& t) {
  NodeSelectorTerm term;
  auto read = [&](const json* list, std::vector<api::LabelRequirement>* out, bool fields) {
    if (list == nullptr) return;
    if (!list->is_array()) {
      term.valid = false;
      return;
    }
    for (const auto& e : *list) {
      std::string key = StringAt(e, {"key"});
      std::vector<std::string> values = ReadStrings(Find(e, {"values"}));
      std::string op = StringAt(e, {"operator"});
      // matchFields: only metadata.name with In/NotIn and exactly one value.
      if (fields && (key != "metadata.name" || (op != "In" && op != "NotIn") || values.size() != 1)) {
        term.valid = false;
        continue;
      }
      auto r = api::LabelSelector::NodeSelectorRequirement(key, op, std::move(values));
      if (!r.ok()) {
        term.valid = false;
        continue;
      }
      out->push_back(*std::move(r));
    }
  };
  read(Find(t, {"matchExpressions"}), &term.match_expressions, false);
  read(Find(t, {"matchFields"}), &term.match_fields, true);
  return term;
}

void ReadAffinityTerm(const json& t, const PodInfo& pod, const std::string& path, AffinityTerm* out,
                      Status* error) {
  out->selector = ReadLabelSelector(Find(t, {"labelSelector"}), path + ".labelSelector", error);
  for (auto& ns : ReadStrings(Find(t, {"namespaces"}))) out->namespaces.insert(std::move(ns));
  if (const json* nss = Find(t, {"namespaceSelector"}); nss != nullptr) {
    out->namespace_selector = ReadLabelSelector(nss, path + ".namespaceSelector", error);
  }
  if (out->namespaces.empty() && !out->namespace_selector) out->namespaces.insert(pod.namespace_);
  out->topology_key = StringAt(t, {"topologyKey"});
  // matchLabelKeys / mismatchLabelKeys: the incoming pod's own values become
  // In / NotIn requirements (keys it does not carry are ignored).
  auto merge = [&](const char* field, std::string_view op) {
    for (const auto& key : ReadStrings(Find(t, {field}))) {
      auto it = pod.labels.find(key);
      if (it == pod.labels.end()) continue;
      auto r = api::LabelSelector::NodeSelectorRequirement(key, op, {it->second});
      if (r.ok()) out->selector = out->selector.Add(*std::move(r));
    }
  };
  merge("matchLabelKeys", "In");
  merge("mismatchLabelKeys", "NotIn");
}

void ReadAffinity(const json& spec, PodInfo* p) {
  const json* affinity = Find(spec, {"affinity"});
  if (affinity == nullptr) return;
  if (const json* na = Find(*affinity, {"nodeAffinity"}); na != nullptr) {
    if (const json* req = Find(*na, {"requiredDuringSchedulingIgnoredDuringExecution"}); req != nullptr) {
      NodeSelector sel;
      if (const json* terms = Find(*req, {"nodeSelectorTerms"}); terms != nullptr && terms->is_array()) {
        for (const auto& t : *terms) sel.terms.push_back(ReadNodeSelectorTerm(t));
      }
      p->required_node_affinity = std::move(sel);
    }
    if (const json* pref = Find(*na, {"preferredDuringSchedulingIgnoredDuringExecution"});
        pref != nullptr && pref->is_array()) {
      for (const auto& t : *pref) {
        PreferredSchedulingTerm term;
        if (const json* w = Find(t, {"weight"}); w != nullptr && w->is_number_integer()) {
          term.weight = w->get<int32_t>();
        }
        if (const json* pr = Find(t, {"preference"}); pr != nullptr) term.preference = ReadNodeSelectorTerm(*pr);
        p->preferred_node_affinity.push_back(std::move(term));
      }
    }
  }
  auto read_pod_affinity = [&](const char* field, std::vector<AffinityTerm>* required,
                               std::vector<WeightedAffinityTerm>* preferred) {
    const json* a = Find(*affinity, {field});
    if (a == nullptr) return;
    std::string base = std::string("spec.affinity.") + field;
    if (const json* req = Find(*a, {"requiredDuringSchedulingIgnoredDuringExecution"});
        req != nullptr && req->is_array()) {
      for (size_t i = 0; i < req->size(); ++i) {
        AffinityTerm term;
        ReadAffinityTerm((*req)[i], *p,
                         base + ".requiredDuringSchedulingIgnoredDuringExecution[" + std::to_string(i) + "]", &term,
                         &p->parse_error);
        required->push_back(std::move(term));
      }
    }
    if (const json* pref = Find(*a, {"preferredDuringSchedulingIgnoredDuringExecution"});
        pref != nullptr && pref->is_array()) {
      for (size_t i = 0; i < pref->size(); ++i) {
        const json& wt = (*pref)[i];
        WeightedAffinityTerm term;
        if (const json* w = Find(wt, {"weight"}); w != nullptr && w->is_number_integer()) {
          term.weight = w->get<int32_t>();
        }
        if (const json* t = Find(wt, {"podAffinityTerm"}); t != nullptr) {
          ReadAffinityTerm(*t, *p,
                           base + ".preferredDuringSchedulingIgnoredDuringExecution[" + std::to_string(i) +
                               "].podAffinityTerm",
                           &term.term, &p->parse_error);
        }
        preferred->push_back(std::move(term));
      }
    }
  };
  read_pod_affinity("podAffinity", &p->required_affinity, &p->preferred_affinity);
  read_pod_affinity("podAntiAffinity", &p->required_anti_affinity, &p->preferred_anti_affinity);
}

void ReadSpread(const json& spec, PodInfo* p) {
  const json* list = Find(spec, {"topologySpreadConstraints"});
  if (list == nullptr || !list->is_array()) return;
  for (size_t i = 0; i < list->size(); ++i) {
    const json& c = (*list)[i];
    TopologySpreadConstraint t;
    if (const json* v = Find(c, {"maxSkew"}); v != nullptr && v->is_number_integer()) t.max_skew = v->get<int32_t>();
    t.topology_key = StringAt(c, {"topologyKey"});
    t.when_unsatisfiable = StringAt(c, {"whenUnsatisfiable"});
    t.selector = ReadLabelSelector(Find(c, {"labelSelector"}),
                                   "spec.topologySpreadConstraints[" + std::to_string(i) + "].labelSelector",
                                   &p->parse_error);
    for (const auto& key : ReadStrings(Find(c, {"matchLabelKeys"}))) {
      auto it = p->labels.find(key);
      if (it == p->labels.end()) continue;
      auto r = api::LabelSelector::NodeSelectorRequirement(key, "In", {it->second});
      if (r.ok()) t.selector = t.selector.Add(*std::move(r));
    }
    if (const json* v = Find(c, {"minDomains"}); v != nullptr && v->is_number_integer()) {
      t.min_domains = v->get<int32_t>();
    }
    if (std::string v = StringAt(c, {"nodeAffinityPolicy"}); !v.empty()) t.node_affinity_policy = v;
    if (std::string v = StringAt(c, {"nodeTaintsPolicy"}); !v.empty()) t.node_taints_policy = v;
    p->topology_spread_constraints.push_back(std::move(t));
  }
}

void ReadContainers(const json& spec, PodInfo* p) {
  for (const char* field : {"containers", "initContainers"}) {
    const json* list = Find(spec, {field});
    if (list == nullptr || !list->is_array()) continue;
    for (const auto& c : *list) {
      if (std::string image = StringAt(c, {"image"}); !image.empty()) p->images.push_back(std::move(image));
      // Init containers' hostPorts count too (upstream GetContainerPorts).
      const json* ports = Find(c, {"ports"});
      if (ports == nullptr || !ports->is_array()) continue;
      for (const auto& port : *ports) {
        const json* hp = Find(port, {"hostPort"});
        if (hp == nullptr || !hp->is_number_integer() || hp->get<int64_t>() <= 0) continue;
        HostPort h;
        h.port = hp->get<int32_t>();
        h.host_ip = StringAt(port, {"hostIP"});
        h.protocol = StringAt(port, {"protocol"});
        if (h.host_ip.empty()) h.host_ip = "0.0.0.0";
        if (h.protocol.empty()) h.protocol = "TCP";
        p->host_ports.push_back(std::move(h));
      }
    }
  }
}

}  // namespace

bool ToleratesTaint(const Toleration& t, const Taint& taint) {
  if (!t.effect.empty() && t.effect != taint.effect) return false;
  if (!t.key.empty() && t.key != taint.key) return false;
  if (t.op == "Exists") return true;
  if (t.op.empty() || t.op == "Equal") return t.value == taint.value;
  return false;
}

bool TolerationsTolerateTaint(const std::vector<Toleration>& tolerations, const Taint& taint) {
  for (const auto& t : tolerations) {
    if (ToleratesTaint(t, taint)) return true;
  }
  return false;
}

bool NodeSelectorTermMatches(const NodeSelectorTerm& term, const api::Labels& labels, const std::string& name) {
  if (!term.valid || term.Empty()) return false;
  for (const auto& r : term.match_expressions) {
    if (!r.Matches(labels)) return false;
  }
  if (!term.match_fields.empty()) {
    api::Labels fields{{"metadata.name", name}};
    for (const auto& r : term.match_fields) {
      if (!r.Matches(fields)) return false;
    }
  }
  return true;
}

bool NodeSelectorMatches(const NodeSelector& selector, const api::Labels& labels, const std::string& name) {
  for (const auto& term : selector.terms) {
    if (NodeSelectorTermMatches(term, labels, name)) return true;
  }
  return false;
}

bool AffinityTerm::Matches(const PodInfo& pod, const api::Labels* namespace_labels) const {
  bool ns_ok = namespaces.count(pod.namespace_) > 0;
  if (!ns_ok && namespace_selector && namespace_labels != nullptr) {
    ns_ok = namespace_selector->Matches(*namespace_labels);
  }
  return ns_ok && selector.Matches(pod.labels);
}

PodInfoPtr ParsePodInfo(std::shared_ptr<const json> object) {
  auto p = std::make_shared<PodInfo>();
  const json& pod = *object;
  p->object = std::move(object);
  p->namespace_ = StringAt(pod, {"metadata", "namespace"});
  p->name = StringAt(pod, {"metadata", "name"});
  p->uid = StringAt(pod, {"metadata", "uid"});
  p->resource_version = StringAt(pod, {"metadata", "resourceVersion"});
  p->labels = ReadStringMap(Find(pod, {"metadata", "labels"}));
  p->creation_timestamp = ParseTime(pod, {"metadata", "creationTimestamp"});
  p->start_time = ParseTime(pod, {"status", "startTime"});
  if (p->start_time == std::chrono::system_clock::time_point{}) p->start_time = p->creation_timestamp;
  p->terminating = Find(pod, {"metadata", "deletionTimestamp"}) != nullptr;
  if (const json* owners = Find(pod, {"metadata", "ownerReferences"}); owners != nullptr && owners->is_array()) {
    for (const auto& o : *owners) p->owner_uids.push_back(StringAt(o, {"uid"}));
  }
  p->phase = StringAt(pod, {"status", "phase"});
  p->nominated_node_name = StringAt(pod, {"status", "nominatedNodeName"});

  static const json kNull;
  const json* spec_ptr = Find(pod, {"spec"});
  const json& spec = spec_ptr != nullptr ? *spec_ptr : kNull;
  p->node_name = StringAt(spec, {"nodeName"});
  p->scheduler_name = StringAt(spec, {"schedulerName"});
  if (p->scheduler_name.empty()) p->scheduler_name = "default-scheduler";
  if (const json* v = Find(spec, {"priority"}); v != nullptr && v->is_number_integer()) {
    p->priority = v->get<int32_t>();
  }
  if (std::string v = StringAt(spec, {"preemptionPolicy"}); !v.empty()) p->preemption_policy = v;
  p->node_selector = ReadStringMap(Find(spec, {"nodeSelector"}));
  if (const json* tols = Find(spec, {"tolerations"}); tols != nullptr && tols->is_array()) {
    for (const auto& t : *tols) {
      Toleration tol{StringAt(t, {"key"}), StringAt(t, {"operator"}), StringAt(t, {"value"}),
                     StringAt(t, {"effect"}), std::nullopt};
      if (const json* s = Find(t, {"tolerationSeconds"}); s != nullptr && s->is_number_integer()) {
        tol.toleration_seconds = s->get<int64_t>();
      }
      p->tolerations.push_back(std::move(tol));
    }
  }
  ReadAffinity(spec, p.get());
  ReadSpread(spec, p.get());
  ReadContainers(spec, p.get());
  if (const json* gates = Find(spec, {"schedulingGates"}); gates != nullptr && gates->is_array()) {
    for (const auto& g : *gates) p->scheduling_gates.push_back(StringAt(g, {"name"}));
  }
  if (const json* vols = Find(spec, {"volumes"}); vols != nullptr && vols->is_array()) {
    for (const auto& v : *vols) {
      if (std::string claim = StringAt(v, {"persistentVolumeClaim", "claimName"}); !claim.empty()) {
        p->pvc_names.push_back(std::move(claim));
      }
    }
  }

  auto req = ComputePodResourceRequest(pod);
  if (req.ok()) {
    p->requests = *std::move(req);
    auto nz = ComputePodResourceRequest(pod, /*non_zero_defaults=*/true);
    if (nz.ok()) p->non_zero_requests = *std::move(nz);
  } else {
    Note(&p->parse_error, req.status());
  }
  return p;
}

}  // namespace kubepp::scheduler
