// Pod and PodSpec validation (upstream pkg/apis/core/validation: the
// container, volume, env, probe, resource and scheduling-field checks that
// Pods and every pod template share, plus Pod create/update/status rules).
#include <algorithm>
#include <climits>
#include <functional>

#include "api/names.h"
#include "apiserver/strategy/internal.h"
#include "common/strings.h"

namespace kubepp::apiserver::strategy::internal {
namespace {

constexpr std::string_view kFileModeMsg = "must be a number between 0 and 0777 (octal), both inclusive";
const std::vector<std::string> kPortProtocols = {"SCTP", "TCP", "UDP"};

// ---- paths inside volumes

void ValidatePathNoBacksteps(const std::string& path, std::string_view target, FieldErrors& errs) {
  size_t start = 0;
  while (true) {
    size_t slash = target.find('/', start);
    std::string_view part =
        target.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (part == "..") {
      errs.push_back(InvalidStr(path, target, "must not contain '..'"));
      return;
    }
    if (slash == std::string_view::npos) return;
    start = slash + 1;
  }
}

void ValidateLocalDescendingPath(const std::string& path, std::string_view target, FieldErrors& errs) {
  if (!target.empty() && target.front() == '/')
    errs.push_back(InvalidStr(path, target, "must be a relative path"));
  ValidatePathNoBacksteps(path, target, errs);
}

void ValidateLocalNonReservedPath(const std::string& path, std::string_view target, FieldErrors& errs) {
  size_t before = errs.size();
  ValidateLocalDescendingPath(path, target, errs);
  if (target.substr(0, 2) == ".." && errs.size() == before) {
    errs.push_back(InvalidStr(path, target, "must not start with '..'"));
  }
}

void ValidateFileMode(const json& o, std::string_view key, const std::string& path, FieldErrors& errs) {
  if (auto m = Int(o, key); m && (*m > 0777 || *m < 0))
    errs.push_back(InvalidInt(path, *m, std::string(kFileModeMsg)));
}

void ValidateKeyToPath(const json& kp, const std::string& path, FieldErrors& errs) {
  if (Str(kp, "key").empty()) errs.push_back(Required(Child(path, "key")));
  if (Str(kp, "path").empty()) errs.push_back(Required(Child(path, "path")));
  ValidateLocalNonReservedPath(Child(path, "path"), Str(kp, "path"), errs);
  ValidateFileMode(kp, "mode", Child(path, "mode"), errs);
}

// ---- volumes

struct VolumeKind {
  std::string_view key;        // JSON member
  std::string_view forbidden;  // the path upstream's "more than 1" error names
};
// Upstream's order of checks (it decides which source the error blames).
constexpr VolumeKind kVolumeKinds[] = {
    {"emptyDir", "emptyDir"},
    {"hostPath", "hostPath"},
    {"gitRepo", "gitRepo"},
    {"gcePersistentDisk", "gcePersistentDisk"},
    {"awsElasticBlockStore", "awsElasticBlockStore"},
    {"secret", "secret"},
    {"nfs", "nfs"},
    {"iscsi", "iscsi"},
    {"glusterfs", "glusterfs"},
    {"flocker", "flocker"},
    {"persistentVolumeClaim", "persistentVolumeClaim"},
    {"rbd", "rbd"},
    {"cinder", "cinder"},
    {"cephfs", "cephFS"},
    {"quobyte", "quobyte"},
    {"downwardAPI", "downwarAPI"},  // sic: upstream's path
    {"fc", "fc"},
    {"flexVolume", "flexVolume"},
    {"configMap", "configMap"},
    {"azureFile", "azureFile"},
    {"vsphereVolume", "vsphereVolume"},
    {"photonPersistentDisk", "photonPersistentDisk"},
    {"portworxVolume", "portworxVolume"},
    {"azureDisk", "azureDisk"},
    {"storageos", "storageos"},
    {"projected", "projected"},
    {"scaleIO", "scaleIO"},
    {"csi", "csi"},
    {"ephemeral", "ephemeral"},
    {"image", "image"},
};

const std::set<std::string> kVolumeDownwardFieldPaths = {
    "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"};
const std::set<std::string> kEnvDownwardFieldPaths = {
    "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName",
    "status.hostIP", "status.hostIPs",     "status.podIP", "status.podIPs"};
const std::set<std::string> kDownwardConvertible = {
    "metadata.annotations", "metadata.labels", "metadata.name",      "metadata.namespace",
    "metadata.uid",         "spec.nodeName",   "spec.restartPolicy", "spec.serviceAccountName",
    "spec.schedulerName",   "status.phase",    "status.hostIP",      "status.hostIPs",
    "status.podIP",         "status.podIPs"};
const std::set<std::string> kResourceFieldPaths = {
    "limits.cpu",   "limits.memory",   "limits.ephemeral-storage",
    "requests.cpu", "requests.memory", "requests.ephemeral-storage"};

std::vector<std::string> Sorted(const std::set<std::string>& s) { return {s.begin(), s.end()}; }

void ValidateObjectFieldSelector(const json& fs, const std::set<std::string>& allowed,
                                 const std::string& path, FieldErrors& errs) {
  if (Str(fs, "apiVersion").empty()) {
    errs.push_back(Required(Child(path, "apiVersion")));
    return;
  }
  std::string fp = Str(fs, "fieldPath");
  if (fp.empty()) {
    errs.push_back(Required(Child(path, "fieldPath")));
    return;
  }
  // metadata.labels['key'] / metadata.annotations['key']
  size_t bracket = fp.find('[');
  if (bracket != std::string::npos && fp.size() > bracket + 3 && fp.back() == ']' &&
      (fp[bracket + 1] == '\'' || fp[bracket + 1] == '"') && fp[fp.size() - 2] == fp[bracket + 1]) {
    std::string base = fp.substr(0, bracket);
    std::string sub = fp.substr(bracket + 2, fp.size() - bracket - 4);
    if (base == "metadata.annotations") {
      std::string lower = AsciiLower(sub);
      ValidateQualifiedName(path, lower, errs);
    } else if (base == "metadata.labels") {
      ValidateQualifiedName(path, sub, errs);
    } else if (kDownwardConvertible.count(base)) {
      errs.push_back(InvalidStr(path, base, "does not support subscript"));
    } else {
      errs.push_back(InvalidStr(Child(path, "fieldPath"), fp,
                                "error converting fieldPath: field label not supported: " + fp));
    }
    return;
  }
  if (!kDownwardConvertible.count(fp)) {
    errs.push_back(InvalidStr(Child(path, "fieldPath"), fp,
                              "error converting fieldPath: field label not supported: " + fp));
    return;
  }
  if (!allowed.count(fp)) errs.push_back(NotSupportedStr(Child(path, "fieldPath"), fp, Sorted(allowed)));
}

void ValidateResourceFieldSelector(const json& fs, const std::string& path, bool volume, FieldErrors& errs) {
  std::string res = Str(fs, "resource");
  if (volume && Str(fs, "containerName").empty()) {
    errs.push_back(Required(Child(path, "containerName")));
  } else if (res.empty()) {
    errs.push_back(Required(Child(path, "resource")));
  } else if (!kResourceFieldPaths.count(res) && res.rfind("requests.hugepages-", 0) != 0 &&
             res.rfind("limits.hugepages-", 0) != 0) {
    errs.push_back(NotSupportedStr(Child(path, "resource"), res, Sorted(kResourceFieldPaths)));
  }
}

void ValidateDownwardAPIFile(const json& file, const std::string& path, FieldErrors& errs) {
  if (Str(file, "path").empty()) errs.push_back(Required(Child(path, "path")));
  ValidateLocalNonReservedPath(Child(path, "path"), Str(file, "path"), errs);
  const json* fr = Get(file, "fieldRef");
  const json* rfr = Get(file, "resourceFieldRef");
  if (IsObj(fr)) {
    ValidateObjectFieldSelector(*fr, kVolumeDownwardFieldPaths, Child(path, "fieldRef"), errs);
    if (rfr != nullptr) {
      errs.push_back(Invalid(path, Quote("resource"),
                             "fieldRef and resourceFieldRef can not be specified simultaneously"));
    }
  } else if (IsObj(rfr)) {
    ValidateResourceFieldSelector(*rfr, Child(path, "resourceFieldRef"), true, errs);
  } else {
    errs.push_back(Required(path, "one of fieldRef and resourceFieldRef is required"));
  }
  ValidateFileMode(file, "mode", Child(path, "mode"), errs);
}

void ValidateProjected(const json& proj, const std::string& path, FieldErrors& errs) {
  ValidateFileMode(proj, "defaultMode", Child(path, "defaultMode"), errs);
  std::set<std::string> all_paths;
  const std::vector<json>& sources = Arr(proj, "sources");
  for (size_t i = 0; i < sources.size(); ++i) {
    const json& src = sources[i];
    std::string sp = Index(Child(path, "sources"), i);
    int num = 0;
    for (std::string_view kind : {"secret", "configMap"}) {
      const json* s = Get(src, kind);
      if (!IsObj(s)) continue;
      ++num;
      std::string pp = Child(sp, kind);
      if (Str(*s, "name").empty()) errs.push_back(Required(Child(pp, "name")));
      const std::vector<json>& items = Arr(*s, "items");
      for (size_t j = 0; j < items.size(); ++j) {
        ValidateKeyToPath(items[j], Index(Child(pp, "items"), j), errs);
        std::string p = Str(items[j], "path");
        if (!p.empty() && !all_paths.insert(p).second) {
          errs.push_back(InvalidStr(path, Str(*s, "name"), "conflicting duplicate paths"));
        }
      }
    }
    if (const json* d = Get(src, "downwardAPI"); IsObj(d)) {
      ++num;
      const std::vector<json>& items = Arr(*d, "items");
      for (size_t j = 0; j < items.size(); ++j) {
        ValidateDownwardAPIFile(items[j], Child(Child(sp, "downwardAPI"), "items"), errs);
        std::string p = Str(items[j], "path");
        if (!p.empty() && !all_paths.insert(p).second) {
          errs.push_back(InvalidStr(path, p, "conflicting duplicate paths"));
        }
      }
    }
    if (const json* t = Get(src, "serviceAccountToken"); IsObj(t)) {
      ++num;
      std::string tp = Child(sp, "serviceAccountToken");
      if (auto e = Int(*t, "expirationSeconds")) {
        if (*e < 10 * 60) {
          errs.push_back(InvalidInt(Child(tp, "expirationSeconds"), *e,
                                    "may not specify a duration less than 10 minutes"));
        } else if (*e > (int64_t{1} << 32)) {
          errs.push_back(InvalidInt(Child(tp, "expirationSeconds"), *e,
                                    "may not specify a duration larger than 2^32 seconds"));
        }
      }
      if (Str(*t, "path").empty()) errs.push_back(Required(Child(tp, "path")));
    }
    if (Has(src, "clusterTrustBundle")) ++num;
    if (Has(src, "podCertificate")) ++num;
    if (num > 1) errs.push_back(Forbidden(sp, "may not specify more than 1 volume type per source"));
  }
}

// `pod_name` is set for a Pod (not a template): an ephemeral volume's PVC
// will be named <pod>-<volume>, which must be a valid PVC name.
void ValidateVolumeSource(const json& vol, const std::string& path, std::string_view vol_name,
                          std::string_view pod_name, FieldErrors& errs) {
  int num = 0;
  for (const VolumeKind& k : kVolumeKinds) {
    const json* src = Get(vol, k.key);
    if (src == nullptr) continue;
    if (num > 0) {
      errs.push_back(Forbidden(Child(path, k.forbidden), "may not specify more than 1 volume type"));
      continue;
    }
    ++num;
    std::string sp = Child(path, k.key);
    const json& s = ObjOrEmpty(src);
    if (k.key == "emptyDir") {
      if (const json* limit = Get(s, "sizeLimit"); limit != nullptr && QuantityNegative(*limit)) {
        errs.push_back(
            Forbidden(Child(sp, "sizeLimit"), "SizeLimit field must be a valid resource quantity"));
      }
    } else if (k.key == "hostPath") {
      std::string p = Str(s, "path");
      if (p.empty()) {
        errs.push_back(Required(Child(sp, "path")));
        continue;
      }
      ValidatePathNoBacksteps(Child(sp, "path"), p, errs);
      if (const json* t = Get(s, "type")) {
        static const std::vector<std::string> kTypes = {
            "",     "BlockDevice",  "CharDevice", "Directory", "DirectoryOrCreate",
            "File", "FileOrCreate", "Socket"};
        std::string ts = Str(t);
        if (std::find(kTypes.begin(), kTypes.end(), ts) == kTypes.end()) {
          errs.push_back(NotSupportedStr(Child(sp, "type"), ts, kTypes));
        }
      }
    } else if (k.key == "secret" || k.key == "configMap") {
      std::string name_key = k.key == "secret" ? "secretName" : "name";
      if (Str(s, name_key).empty()) errs.push_back(Required(Child(sp, name_key)));
      ValidateFileMode(s, "defaultMode", Child(sp, "defaultMode"), errs);
      const std::vector<json>& items = Arr(s, "items");
      for (size_t i = 0; i < items.size(); ++i)
        ValidateKeyToPath(items[i], Index(Child(sp, "items"), i), errs);
    } else if (k.key == "persistentVolumeClaim") {
      if (Str(s, "claimName").empty()) errs.push_back(Required(Child(sp, "claimName")));
    } else if (k.key == "nfs") {
      if (Str(s, "server").empty()) errs.push_back(Required(Child(sp, "server")));
      std::string p = Str(s, "path");
      if (p.empty()) errs.push_back(Required(Child(sp, "path")));
      if (p.empty() || p.front() != '/')
        errs.push_back(InvalidStr(Child(sp, "path"), p, "must be an absolute path"));
    } else if (k.key == "downwardAPI") {
      ValidateFileMode(s, "defaultMode", Child(sp, "defaultMode"), errs);
      for (const json& f : Arr(s, "items")) ValidateDownwardAPIFile(f, sp, errs);
    } else if (k.key == "projected") {
      ValidateProjected(s, sp, errs);
    } else if (k.key == "csi") {
      if (Str(s, "driver").empty()) errs.push_back(Required(Child(sp, "driver")));
    } else if (k.key == "gitRepo") {
      if (Str(s, "repository").empty()) errs.push_back(Required(Child(sp, "repository")));
      ValidateLocalDescendingPath(Child(sp, "directory"), Str(s, "directory"), errs);
    } else if (k.key == "image") {
      if (Str(s, "reference").empty()) errs.push_back(Required(Child(sp, "reference")));
    } else if (k.key == "ephemeral") {
      if (!IsObj(Get(s, "volumeClaimTemplate"))) errs.push_back(Required(Child(sp, "volumeClaimTemplate")));
      if (!pod_name.empty() && !vol_name.empty()) {
        std::string pvc = std::string(pod_name) + "-" + std::string(vol_name);
        for (auto& m : api::IsDNS1123Subdomain(pvc))
          errs.push_back(InvalidStr(Child(path, "name"), vol_name, "PVC name " + Quote(pvc) + ": " + m));
      }
    }
  }
  if (num == 0) errs.push_back(Required(path, "must specify a volume type"));
}

// Returns the volumes by name (those that validated).
std::map<std::string, const json*> ValidateVolumes(const json* volumes, const std::string& path,
                                                   std::string_view pod_name, FieldErrors& errs) {
  std::map<std::string, const json*> out;
  const std::vector<json>& vols = Arr(volumes);
  for (size_t i = 0; i < vols.size(); ++i) {
    const json& vol = vols[i];
    std::string ip = Index(path, i);
    FieldErrors el;
    std::string name = Str(vol, "name");
    ValidateVolumeSource(vol, ip, name, pod_name, el);
    if (name.empty()) {
      el.push_back(Required(Child(ip, "name")));
    } else {
      ValidateDNS1123Label(Child(ip, "name"), name, el);
    }
    if (out.count(name)) el.push_back(Duplicate(Child(ip, "name"), Quote(name)));
    if (el.empty()) {
      out[name] = &vol;
    } else {
      AppendAll(errs, std::move(el));
    }
  }
  return out;
}

// ---- resources

bool IsHugePages(std::string_view name) { return name.rfind("hugepages-", 0) == 0; }
bool IsNativeResource(std::string_view name) {
  return name.find('/') == std::string_view::npos || name.find("kubernetes.io/") != std::string_view::npos;
}
bool OvercommitAllowed(std::string_view name) { return IsNativeResource(name) && !IsHugePages(name); }

const std::set<std::string> kStandardResources = {
    "cpu",
    "memory",
    "ephemeral-storage",
    "requests.cpu",
    "requests.memory",
    "requests.ephemeral-storage",
    "limits.cpu",
    "limits.memory",
    "limits.ephemeral-storage",
    "pods",
    "services",
    "replicationcontrollers",
    "resourcequotas",
    "secrets",
    "persistentvolumeclaims",
    "configmaps",
    "services.nodeports",
    "services.loadbalancers",
    "requests.storage",
    "storage",
};

bool IsStandardResourceName(std::string_view name) {
  return kStandardResources.count(std::string(name)) > 0 || IsHugePages(name) ||
         name.rfind("requests.hugepages-", 0) == 0;
}

void ValidateContainerResourceName(std::string_view name, const std::string& path, FieldErrors& errs) {
  size_t before = errs.size();
  ValidateQualifiedName(path, name, errs);
  if (errs.size() != before) return;
  if (name.find('/') == std::string_view::npos) {
    if (!IsStandardResourceName(name)) {
      errs.push_back(InvalidStr(path, name, "must be a standard resource type or fully qualified"));
    }
    if (name != "cpu" && name != "memory" && name != "ephemeral-storage" && !IsHugePages(name)) {
      errs.push_back(InvalidStr(path, name, "must be a standard resource for containers"));
    }
  } else if (!IsNativeResource(name)) {
    // Extended resources: a domain-prefixed name not in *kubernetes.io/ and
    // without the "requests." prefix.
    if (name.rfind("requests.", 0) == 0) {
      errs.push_back(InvalidStr(path, name, "doesn't follow extended resource name standard"));
    }
  }
}

void ValidateQuantityValue(std::string_view name, const json& q, const std::string& path, FieldErrors& errs) {
  std::string text = q.is_string() ? q.get<std::string>() : q.dump();
  if (QuantityNegative(q)) errs.push_back(InvalidStr(path, text, std::string(kNegativeMsg)));
  bool integer_resource = !IsNativeResource(name) || name == "pods" || name == "services" ||
                          name == "replicationcontrollers" || name == "resourcequotas" || name == "secrets" ||
                          name == "configmaps" || name == "persistentvolumeclaims" ||
                          name == "services.nodeports" || name == "services.loadbalancers";
  if (integer_resource && !QuantityIsInteger(q)) errs.push_back(InvalidStr(path, text, "must be an integer"));
}

std::string QText(const json& q) {
  if (auto c = CanonicalQuantity(q)) return *c;
  return q.is_string() ? q.get<std::string>() : q.dump();
}

// ---- containers

void ValidateContainerPorts(const json* ports, const std::string& path, FieldErrors& errs) {
  std::set<std::string> names;
  const std::vector<json>& list = Arr(ports);
  for (size_t i = 0; i < list.size(); ++i) {
    const json& p = list[i];
    std::string ip = Index(path, i);
    std::string name = Str(p, "name");
    if (!name.empty()) {
      auto msgs = IsValidPortName(name);
      if (!msgs.empty()) {
        for (auto& m : msgs) errs.push_back(InvalidStr(Child(ip, "name"), name, m));
      } else if (!names.insert(name).second) {
        errs.push_back(Duplicate(Child(ip, "name"), Quote(name)));
      }
    }
    int64_t cp = Int(p, "containerPort").value_or(0);
    if (cp == 0) {
      errs.push_back(Required(Child(ip, "containerPort")));
    } else {
      for (auto& m : IsValidPortNum(cp)) errs.push_back(InvalidInt(Child(ip, "containerPort"), cp, m));
    }
    int64_t hp = Int(p, "hostPort").value_or(0);
    if (hp != 0) {
      for (auto& m : IsValidPortNum(hp)) errs.push_back(InvalidInt(Child(ip, "hostPort"), hp, m));
    }
    std::string proto = Str(p, "protocol");
    if (proto.empty()) {
      errs.push_back(Required(Child(ip, "protocol")));
    } else if (std::find(kPortProtocols.begin(), kPortProtocols.end(), proto) == kPortProtocols.end()) {
      errs.push_back(NotSupportedStr(Child(ip, "protocol"), proto, kPortProtocols));
    }
  }
}

void ValidateEnv(const json* env, const std::string& path, FieldErrors& errs) {
  const std::vector<json>& list = Arr(env);
  for (size_t i = 0; i < list.size(); ++i) {
    const json& ev = list[i];
    std::string ip = Index(path, i);
    std::string name = Str(ev, "name");
    if (name.empty()) {
      errs.push_back(Required(Child(ip, "name")));
    } else {
      for (auto& m : IsRelaxedEnvVarName(name)) errs.push_back(InvalidStr(Child(ip, "name"), name, m));
    }
    const json* vf = Get(ev, "valueFrom");
    if (!IsObj(vf)) continue;
    std::string vp = Child(ip, "valueFrom");
    int num = 0;
    if (const json* fr = Get(*vf, "fieldRef"); IsObj(fr)) {
      ++num;
      ValidateObjectFieldSelector(*fr, kEnvDownwardFieldPaths, Child(vp, "fieldRef"), errs);
    }
    if (const json* rfr = Get(*vf, "resourceFieldRef"); IsObj(rfr)) {
      ++num;
      ValidateResourceFieldSelector(*rfr, Child(vp, "resourceFieldRef"), false, errs);
    }
    for (std::string_view kind : {"configMapKeyRef", "secretKeyRef"}) {
      const json* ref = Get(*vf, kind);
      if (!IsObj(ref)) continue;
      ++num;
      std::string rp = Child(vp, kind);
      std::string rname = Str(*ref, "name");
      for (auto& m : api::IsDNS1123Subdomain(rname)) errs.push_back(InvalidStr(Child(rp, "name"), rname, m));
      std::string key = Str(*ref, "key");
      if (key.empty()) {
        errs.push_back(Required(Child(rp, "key")));
      } else {
        for (auto& m : IsConfigMapKey(key)) errs.push_back(InvalidStr(Child(rp, "key"), key, m));
      }
    }
    if (num == 0) {
      errs.push_back(Invalid(
          vp, "\"\"",
          "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`"));
    } else if (!Str(ev, "value").empty()) {
      errs.push_back(Invalid(vp, "\"\"", "may not be specified when `value` is not empty"));
    } else if (num > 1) {
      errs.push_back(Invalid(vp, "\"\"", "may not have more than one field specified at a time"));
    }
  }
}

void ValidateEnvFrom(const json* env_from, const std::string& path, FieldErrors& errs) {
  const std::vector<json>& list = Arr(env_from);
  for (size_t i = 0; i < list.size(); ++i) {
    const json& ev = list[i];
    std::string ip = Index(path, i);
    std::string prefix = Str(ev, "prefix");
    for (auto& m : IsRelaxedEnvVarName(prefix)) errs.push_back(InvalidStr(Child(ip, "prefix"), prefix, m));
    int num = 0;
    for (std::string_view kind : {"configMapRef", "secretRef"}) {
      const json* ref = Get(ev, kind);
      if (!IsObj(ref)) continue;
      ++num;
      std::string rp = Child(ip, kind);
      std::string name = Str(*ref, "name");
      if (name.empty()) {
        errs.push_back(Required(Child(rp, "name")));
      } else {
        for (auto& m : ValidateName(NameRule::kDNS1123Subdomain, name, true)) {
          errs.push_back(InvalidStr(Child(rp, "name"), name, m));
        }
      }
    }
    if (num == 0) {
      errs.push_back(Invalid(path, "\"\"", "must specify one of: `configMapRef` or `secretRef`"));
    } else if (num > 1) {
      errs.push_back(Invalid(path, "\"\"", "may not have more than one field specified at a time"));
    }
  }
}

void ValidateVolumeMounts(const json& ctr, const std::map<std::string, const json*>& volumes,
                          const std::string& path, FieldErrors& errs) {
  std::set<std::string> mountpoints;
  std::map<std::string, std::string> devices;
  for (const json& d : Arr(ctr, "volumeDevices")) devices[Str(d, "name")] = Str(d, "devicePath");
  const std::vector<json>& mounts = Arr(ctr, "volumeMounts");
  for (size_t i = 0; i < mounts.size(); ++i) {
    const json& m = mounts[i];
    std::string ip = Index(path, i);
    std::string name = Str(m, "name");
    std::string mp = Str(m, "mountPath");
    if (name.empty()) errs.push_back(Required(Child(ip, "name")));
    if (!volumes.count(name)) errs.push_back(NotFound(Child(ip, "name"), Quote(name)));
    if (mp.empty()) errs.push_back(Required(Child(ip, "mountPath")));
    if (!mountpoints.insert(mp).second)
      errs.push_back(InvalidStr(Child(ip, "mountPath"), mp, "must be unique"));
    if (devices.count(name))
      errs.push_back(InvalidStr(Child(ip, "name"), name, "must not already exist in volumeDevices"));
    for (const auto& [dn, dp] : devices) {
      if (dp == mp) {
        errs.push_back(
            InvalidStr(Child(ip, "mountPath"), mp, "must not already exist as a path in volumeDevices"));
        break;
      }
    }
    std::string sub = Str(m, "subPath");
    std::string sub_expr = Str(m, "subPathExpr");
    if (!sub.empty()) ValidateLocalDescendingPath(Child(path, "subPath"), sub, errs);
    if (!sub_expr.empty()) {
      if (!sub.empty()) {
        errs.push_back(
            InvalidStr(Child(ip, "subPathExpr"), sub_expr, "subPathExpr and subPath are mutually exclusive"));
      }
      ValidateLocalDescendingPath(Child(path, "subPathExpr"), sub_expr, errs);
    }
    if (const json* prop = Get(m, "mountPropagation")) {
      static const std::vector<std::string> kModes = {"Bidirectional", "HostToContainer", "None"};
      std::string mode = Str(prop);
      if (std::find(kModes.begin(), kModes.end(), mode) == kModes.end()) {
        errs.push_back(NotSupportedStr(Child(path, "mountPropagation"), mode, kModes));
      } else if (mode == "Bidirectional" &&
                 !Bool(GetPath(ctr, {"securityContext", "privileged"})).value_or(false)) {
        errs.push_back(
            Forbidden(Child(path, "mountPropagation"),
                      "Bidirectional mount propagation is available only to privileged containers"));
      }
    }
  }
}

void ValidateHandler(const json& h, bool probe, const std::string& path, std::optional<int64_t> grace,
                     FieldErrors& errs) {
  int num = 0;
  auto one = [&](std::string_view key) -> const json* {
    const json* v = Get(h, key);
    if (v == nullptr) return nullptr;
    if (num > 0) {
      errs.push_back(Forbidden(Child(path, key), "may not specify more than 1 handler type"));
      return nullptr;
    }
    ++num;
    return v;
  };
  if (const json* e = one("exec")) {
    if (Arr(*e, "command").empty()) errs.push_back(Required(Child(Child(path, "exec"), "command")));
  }
  auto validate_port = [&](const json* port, const std::string& pp) {
    if (port != nullptr && port->is_string()) {
      std::string s = port->get<std::string>();
      for (auto& m : IsValidPortName(s)) errs.push_back(InvalidStr(pp, s, m));
    } else {
      int64_t n = Int(port).value_or(0);
      for (auto& m : IsValidPortNum(n)) errs.push_back(InvalidInt(pp, n, m));
    }
  };
  if (const json* g = one("httpGet")) {
    const json& hg = ObjOrEmpty(g);
    std::string hp = Child(path, "httpGet");
    if (Str(hg, "path").empty()) errs.push_back(Required(Child(hp, "path")));
    validate_port(Get(hg, "port"), Child(hp, "port"));
    std::string scheme = Str(hg, "scheme");
    if (scheme != "HTTP" && scheme != "HTTPS") {
      errs.push_back(NotSupportedStr(Child(hp, "scheme"), scheme, {"HTTP", "HTTPS"}));
    }
  }
  if (const json* t = one("tcpSocket")) {
    validate_port(t->is_object() ? Get(*t, "port") : nullptr, Child(Child(path, "tcpSocket"), "port"));
  }
  if (probe) {
    if (const json* g = one("grpc"))
      validate_port(g->is_object() ? Get(*g, "port") : nullptr, Child(Child(path, "grpc"), "port"));
  } else if (const json* s = one("sleep")) {
    int64_t secs = s->is_object() ? Int(*s, "seconds").value_or(0) : 0;
    if (grace && (secs < 0 || secs > *grace)) {
      errs.push_back(InvalidInt(Child(path, "sleep"), secs,
                                "must be non-negative and less than terminationGracePeriodSeconds (" +
                                    std::to_string(*grace) + ")"));
    }
  }
  if (num == 0) errs.push_back(Required(path, "must specify a handler type"));
}

void ValidateProbe(const json* probe, const std::string& path, std::string_view which,
                   std::optional<int64_t> grace, FieldErrors& errs) {
  if (!IsObj(probe)) return;
  ValidateHandler(*probe, true, path, grace, errs);
  for (std::string_view f :
       {"initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"}) {
    NonNegative(*probe, f, Child(path, f), errs);
  }
  if (auto t = Int(*probe, "terminationGracePeriodSeconds")) {
    if (which == "readiness") {
      errs.push_back(InvalidInt(Child(path, "terminationGracePeriodSeconds"), *t,
                                "must not be set for readinessProbes"));
    } else if (*t <= 0) {
      errs.push_back(InvalidInt(Child(path, "terminationGracePeriodSeconds"), *t, "must be greater than 0"));
    }
  }
  if (which != "readiness") {
    int64_t st = Int(*probe, "successThreshold").value_or(0);
    if (st != 1) errs.push_back(InvalidInt(Child(path, "successThreshold"), st, "must be 1"));
  }
}

void ValidateLifecycle(const json& ctr, const std::string& path, std::optional<int64_t> grace,
                       FieldErrors& errs) {
  const json* lc = Get(ctr, "lifecycle");
  if (!IsObj(lc)) return;
  for (std::string_view hook : {"postStart", "preStop"}) {
    if (const json* h = Get(*lc, hook); IsObj(h)) ValidateHandler(*h, false, Child(path, hook), grace, errs);
  }
}

void ValidateSecurityContext(const json* sc, const std::string& path, FieldErrors& errs) {
  if (!IsObj(sc)) return;
  for (std::string_view id : {"runAsUser", "runAsGroup"}) {
    if (auto v = Int(*sc, id); v && (*v < 0 || *v > INT32_MAX)) {
      errs.push_back(InvalidInt(Child(path, id), *v, InclusiveRangeError(0, INT32_MAX)));
    }
  }
  if (const json* pm = Get(*sc, "procMount")) {
    std::string s = Str(pm);
    if (s != "Default" && s != "Unmasked")
      errs.push_back(NotSupportedStr(Child(path, "procMount"), s, {"Default", "Unmasked"}));
  }
  if (Bool(*sc, "allowPrivilegeEscalation") == false) {
    if (Bool(*sc, "privileged").value_or(false)) {
      errs.push_back(Invalid(path, sc->dump(),
                             "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"));
    }
    for (const json& cap : Arr(GetPath(*sc, {"capabilities", "add"}))) {
      if (Str(&cap) == "CAP_SYS_ADMIN") {
        errs.push_back(
            Invalid(path, sc->dump(),
                    "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"));
      }
    }
  }
  if (const json* sp = Get(*sc, "seccompProfile"); IsObj(sp)) {
    std::string t = Str(*sp, "type");
    if (t.empty()) {
      errs.push_back(Required(Child(Child(path, "seccompProfile"), "type")));
    } else if (t != "Localhost" && t != "RuntimeDefault" && t != "Unconfined") {
      errs.push_back(NotSupportedStr(Child(Child(path, "seccompProfile"), "type"), t,
                                     {"Localhost", "RuntimeDefault", "Unconfined"}));
    }
    if (t == "Localhost" && !Has(*sp, "localhostProfile")) {
      errs.push_back(Required(Child(Child(path, "seccompProfile"), "localhostProfile"),
                              "must be set when seccomp type is Localhost"));
    }
  }
}

void ValidateContainerCommon(const json& ctr, const std::map<std::string, const json*>& volumes,
                             const std::string& path, FieldErrors& errs) {
  std::string name = Str(ctr, "name");
  if (name.empty()) {
    errs.push_back(Required(Child(path, "name")));
  } else {
    ValidateDNS1123Label(Child(path, "name"), name, errs);
  }
  if (Str(ctr, "image").empty()) errs.push_back(Required(Child(path, "image")));
  std::string tmp = Str(ctr, "terminationMessagePolicy");
  if (tmp.empty()) {
    errs.push_back(Required(Child(path, "terminationMessagePolicy")));
  } else if (tmp != "File" && tmp != "FallbackToLogsOnError") {
    errs.push_back(
        NotSupportedStr(Child(path, "terminationMessagePolicy"), tmp, {"File", "FallbackToLogsOnError"}));
  }
  ValidateContainerPorts(Get(ctr, "ports"), Child(path, "ports"), errs);
  ValidateEnv(Get(ctr, "env"), Child(path, "env"), errs);
  ValidateEnvFrom(Get(ctr, "envFrom"), Child(path, "envFrom"), errs);
  ValidateVolumeMounts(ctr, volumes, Child(path, "volumeMounts"), errs);
  std::string ipp = Str(ctr, "imagePullPolicy");
  if (ipp.empty()) {
    errs.push_back(Required(Child(path, "imagePullPolicy")));
  } else if (ipp != "Always" && ipp != "IfNotPresent" && ipp != "Never") {
    errs.push_back(NotSupportedStr(Child(path, "imagePullPolicy"), ipp, {"Always", "IfNotPresent", "Never"}));
  }
  ValidateResourceRequirements(Get(ctr, "resources"), Child(path, "resources"), true, errs);
  ValidateSecurityContext(Get(ctr, "securityContext"), Child(path, "securityContext"), errs);
}

void CheckHostPortConflicts(const std::vector<const json*>& ctrs, const std::string& path,
                            const std::vector<size_t>& indexes, FieldErrors& errs) {
  std::set<std::string> seen;
  for (size_t c = 0; c < ctrs.size(); ++c) {
    const std::vector<json>& ports = Arr(*ctrs[c], "ports");
    for (size_t p = 0; p < ports.size(); ++p) {
      int64_t hp = Int(ports[p], "hostPort").value_or(0);
      if (hp == 0) continue;
      std::string key = Str(ports[p], "protocol") + "/" + Str(ports[p], "hostIP") + "/" + std::to_string(hp);
      if (!seen.insert(key).second) {
        errs.push_back(
            Duplicate(Child(Index(Child(Index(path, indexes[c]), "ports"), p), "hostPort"), Quote(key)));
      }
    }
  }
}

void ValidateContainers(const json& spec, const std::map<std::string, const json*>& volumes,
                        const std::string& path, std::optional<int64_t> grace, FieldErrors& errs) {
  const std::vector<json>& ctrs = Arr(spec, "containers");
  if (ctrs.empty()) {
    errs.push_back(Required(path));
    return;
  }
  std::set<std::string> names;
  std::vector<const json*> all;
  std::vector<size_t> idx;
  for (size_t i = 0; i < ctrs.size(); ++i) {
    const json& c = ctrs[i];
    std::string cp = Index(path, i);
    ValidateContainerCommon(c, volumes, cp, errs);
    std::string name = Str(c, "name");
    if (!names.insert(name).second) errs.push_back(Duplicate(Child(cp, "name"), Quote(name)));
    ValidateLifecycle(c, Child(cp, "lifecycle"), grace, errs);
    ValidateProbe(Get(c, "livenessProbe"), Child(cp, "livenessProbe"), "liveness", grace, errs);
    ValidateProbe(Get(c, "readinessProbe"), Child(cp, "readinessProbe"), "readiness", grace, errs);
    ValidateProbe(Get(c, "startupProbe"), Child(cp, "startupProbe"), "startup", grace, errs);
    if (Has(c, "restartPolicy"))
      errs.push_back(Forbidden(Child(cp, "restartPolicy"), "may not be set for non-init containers"));
    all.push_back(&c);
    idx.push_back(i);
  }
  CheckHostPortConflicts(all, path, idx, errs);
}

void ValidateInitContainers(const json& spec, const std::map<std::string, const json*>& volumes,
                            const std::string& path, std::optional<int64_t> grace, FieldErrors& errs) {
  std::set<std::string> names;
  for (const json& c : Arr(spec, "containers")) names.insert(Str(c, "name"));
  const std::vector<json>& ctrs = Arr(spec, "initContainers");
  for (size_t i = 0; i < ctrs.size(); ++i) {
    const json& c = ctrs[i];
    std::string cp = Index(path, i);
    ValidateContainerCommon(c, volumes, cp, errs);
    bool restart_always = false;
    if (const json* rp = Get(c, "restartPolicy")) {
      std::string s = Str(rp);
      if (s != "Always") errs.push_back(NotSupportedStr(Child(cp, "restartPolicy"), s, {"Always"}));
      restart_always = s == "Always";
    }
    std::string name = Str(c, "name");
    if (names.count(name)) {
      errs.push_back(Duplicate(Child(cp, "name"), Quote(name)));
    } else if (!name.empty()) {
      names.insert(name);
    }
    CheckHostPortConflicts({&c}, path, {i}, errs);
    if (restart_always) {
      ValidateLifecycle(c, Child(cp, "lifecycle"), grace, errs);
      ValidateProbe(Get(c, "livenessProbe"), Child(cp, "livenessProbe"), "liveness", grace, errs);
      ValidateProbe(Get(c, "readinessProbe"), Child(cp, "readinessProbe"), "readiness", grace, errs);
      ValidateProbe(Get(c, "startupProbe"), Child(cp, "startupProbe"), "startup", grace, errs);
    } else {
      for (std::string_view f : {"lifecycle", "livenessProbe", "readinessProbe", "startupProbe"}) {
        if (Has(c, f))
          errs.push_back(
              Forbidden(Child(cp, f), "may not be set for init containers without restartPolicy=Always"));
      }
    }
  }
}

void ValidateEphemeralContainers(const json& spec, const std::map<std::string, const json*>& volumes,
                                 const std::string& path, FieldErrors& errs) {
  std::set<std::string> others;
  for (std::string_view k : {"containers", "initContainers"}) {
    for (const json& c : Arr(spec, k)) others.insert(Str(c, "name"));
  }
  std::set<std::string> all = others;
  const std::vector<json>& ctrs = Arr(spec, "ephemeralContainers");
  for (size_t i = 0; i < ctrs.size(); ++i) {
    const json& c = ctrs[i];
    std::string cp = Index(path, i);
    ValidateContainerCommon(c, volumes, cp, errs);
    std::string name = Str(c, "name");
    if (!all.insert(name).second) errs.push_back(Duplicate(Child(cp, "name"), Quote(name)));
    std::string target = Str(c, "targetContainerName");
    if (!target.empty() && !others.count(target))
      errs.push_back(NotFound(Child(cp, "targetContainerName"), Quote(target)));
    for (std::string_view f : {"ports", "livenessProbe", "readinessProbe", "startupProbe", "lifecycle",
                               "resizePolicy", "restartPolicy"}) {
      if (Has(c, f)) errs.push_back(Forbidden(Child(cp, f), "cannot be set for an Ephemeral Container"));
    }
    if (const json* r = Get(c, "resources"); IsObj(r) && !r->empty()) {
      errs.push_back(Forbidden(Child(cp, "resources"), "cannot be set for an Ephemeral Container"));
    }
  }
}

void ValidateNodeSelectorTerm(const json& term, const std::string& path, bool allow_invalid_values,
                              FieldErrors& errs) {
  const std::vector<json>& exprs = Arr(term, "matchExpressions");
  for (size_t j = 0; j < exprs.size(); ++j) {
    const json& rq = exprs[j];
    std::string rp = Index(Child(path, "matchExpressions"), j);
    std::string op = Str(rq, "operator");
    size_t nvals = Arr(rq, "values").size();
    if (op == "In" || op == "NotIn") {
      if (nvals == 0)
        errs.push_back(Required(Child(rp, "values"), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (nvals > 0) {
        errs.push_back(Forbidden(Child(rp, "values"),
                                 "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
      }
    } else if (op == "Gt" || op == "Lt") {
      if (nvals != 1)
        errs.push_back(
            Required(Child(rp, "values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"));
    } else {
      errs.push_back(InvalidStr(Child(rp, "operator"), op, "not a valid selector operator"));
    }
    ValidateQualifiedName(Child(rp, "key"), Str(rq, "key"), errs);
    if (!allow_invalid_values) {
      const std::vector<json>& vals = Arr(rq, "values");
      for (size_t k = 0; k < vals.size(); ++k) {
        for (auto& m : api::IsValidLabelValue(Str(&vals[k])))
          errs.push_back(InvalidStr(Index(Child(rp, "values"), k), Str(&vals[k]), m));
      }
    }
  }
  const std::vector<json>& fields = Arr(term, "matchFields");
  for (size_t j = 0; j < fields.size(); ++j) {
    const json& rq = fields[j];
    std::string rp = Index(Child(path, "matchFields"), j);
    std::string op = Str(rq, "operator");
    if (op == "In" || op == "NotIn") {
      if (Arr(rq, "values").size() != 1) {
        errs.push_back(
            Required(Child(rp, "values"),
                     "must be only one value when `operator` is 'In' or 'NotIn' for node field selector"));
      }
    } else {
      errs.push_back(InvalidStr(Child(rp, "operator"), op, "not a valid selector operator"));
    }
    if (Str(rq, "key") != "metadata.name") {
      errs.push_back(InvalidStr(Child(rp, "key"), Str(rq, "key"), "not a valid field selector key"));
    } else {
      const std::vector<json>& vals = Arr(rq, "values");
      for (size_t k = 0; k < vals.size(); ++k) {
        for (auto& m : api::IsDNS1123Subdomain(Str(&vals[k])))
          errs.push_back(InvalidStr(Index(Child(rp, "values"), k), Str(&vals[k]), m));
      }
    }
  }
}

void ValidatePodAffinityTerm(const json& term, const std::string& path, FieldErrors& errs) {
  ValidateSelectorAt(Get(term, "labelSelector"), Child(path, "labelSelector"), errs);
  ValidateSelectorAt(Get(term, "namespaceSelector"), Child(path, "namespaceSelector"), errs);
  for (const json& ns : Arr(term, "namespaces")) {
    for (auto& m : api::IsDNS1123Label(Str(&ns)))
      errs.push_back(InvalidStr(Child(path, "namespace"), Str(&ns), m));
  }
  std::string tk = Str(term, "topologyKey");
  if (tk.empty()) errs.push_back(Required(Child(path, "topologyKey"), "can not be empty"));
  ValidateQualifiedName(Child(path, "topologyKey"), tk, errs);
}

void ValidateAffinity(const json* aff, const std::string& path, FieldErrors& errs) {
  if (!IsObj(aff)) return;
  if (const json* na = Get(*aff, "nodeAffinity"); IsObj(na)) {
    std::string np = Child(path, "nodeAffinity");
    if (const json* req = Get(*na, "requiredDuringSchedulingIgnoredDuringExecution"); IsObj(req)) {
      std::string tp =
          Child(Child(np, "requiredDuringSchedulingIgnoredDuringExecution"), "nodeSelectorTerms");
      const std::vector<json>& terms = Arr(*req, "nodeSelectorTerms");
      if (terms.empty()) errs.push_back(Required(tp, "must have at least one node selector term"));
      for (size_t i = 0; i < terms.size(); ++i) ValidateNodeSelectorTerm(terms[i], Index(tp, i), false, errs);
    }
    const std::vector<json>& pref = Arr(*na, "preferredDuringSchedulingIgnoredDuringExecution");
    std::string pp = Child(np, "preferredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < pref.size(); ++i) {
      int64_t w = Int(pref[i], "weight").value_or(0);
      if (w <= 0 || w > 100)
        errs.push_back(InvalidInt(Child(Index(pp, i), "weight"), w, "must be in the range 1-100"));
      const json* p = Get(pref[i], "preference");
      ValidateNodeSelectorTerm(ObjOrEmpty(p), Child(Index(pp, i), "preference"), true, errs);
    }
  }
  for (std::string_view kind : {"podAffinity", "podAntiAffinity"}) {
    const json* pa = Get(*aff, kind);
    if (!IsObj(pa)) continue;
    std::string kp = Child(path, kind);
    const std::vector<json>& req = Arr(*pa, "requiredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < req.size(); ++i) {
      ValidatePodAffinityTerm(req[i], Index(Child(kp, "requiredDuringSchedulingIgnoredDuringExecution"), i),
                              errs);
    }
    const std::vector<json>& pref = Arr(*pa, "preferredDuringSchedulingIgnoredDuringExecution");
    for (size_t i = 0; i < pref.size(); ++i) {
      std::string ip = Index(Child(kp, "preferredDuringSchedulingIgnoredDuringExecution"), i);
      int64_t w = Int(pref[i], "weight").value_or(0);
      if (w <= 0 || w > 100) errs.push_back(InvalidInt(Child(ip, "weight"), w, "must be in the range 1-100"));
      const json* t = Get(pref[i], "podAffinityTerm");
      ValidatePodAffinityTerm(ObjOrEmpty(t), Child(ip, "podAffinityTerm"), errs);
    }
  }
}

void ValidateTopologySpread(const json* tsc, const std::string& path, FieldErrors& errs) {
  const std::vector<json>& list = Arr(tsc);
  std::set<std::pair<std::string, std::string>> seen;
  for (size_t i = 0; i < list.size(); ++i) {
    const json& c = list[i];
    std::string ip = Index(path, i);
    int64_t skew = Int(c, "maxSkew").value_or(0);
    if (skew <= 0) errs.push_back(InvalidInt(Child(ip, "maxSkew"), skew, "must be greater than zero"));
    std::string key = Str(c, "topologyKey");
    if (key.empty()) {
      errs.push_back(Required(Child(ip, "topologyKey"), "can not be empty"));
    } else {
      ValidateQualifiedName(Child(ip, "topologyKey"), key, errs);
    }
    std::string wu = Str(c, "whenUnsatisfiable");
    if (wu != "DoNotSchedule" && wu != "ScheduleAnyway") {
      errs.push_back(
          NotSupportedStr(Child(ip, "whenUnsatisfiable"), wu, {"DoNotSchedule", "ScheduleAnyway"}));
    } else if (!seen.insert({key, wu}).second) {
      errs.push_back(Duplicate(Child(ip, "{topologyKey, whenUnsatisfiable}"), Quote(key + ", " + wu)));
    }
    if (auto md = Int(c, "minDomains")) {
      if (*md <= 0) {
        errs.push_back(InvalidInt(Child(ip, "minDomains"), *md, "must be greater than 0"));
      } else if (wu != "DoNotSchedule") {
        errs.push_back(InvalidInt(Child(ip, "minDomains"), *md,
                                  "can only use minDomains if whenUnsatisfiable=DoNotSchedule, not " + wu));
      }
    }
    ValidateSelectorAt(Get(c, "labelSelector"), Child(ip, "labelSelector"), errs);
  }
}

void ValidateDNSConfig(const json& spec, const std::string& path, FieldErrors& errs) {
  const json* cfg = Get(spec, "dnsConfig");
  if (Str(spec, "dnsPolicy") == "None") {
    if (!IsObj(cfg)) {
      errs.push_back(Required(path, "must provide `dnsConfig` when `dnsPolicy` is None"));
      return;
    }
    if (Arr(*cfg, "nameservers").empty()) {
      errs.push_back(Required(Child(path, "nameservers"),
                              "must provide at least one DNS nameserver when `dnsPolicy` is None"));
      return;
    }
  }
  if (!IsObj(cfg)) return;
  const std::vector<json>& ns = Arr(*cfg, "nameservers");
  if (ns.size() > 3) {
    errs.push_back(Invalid(Child(path, "nameservers"), RenderStringSlice(Get(*cfg, "nameservers")),
                           "must not have more than 3 nameservers"));
  }
  for (size_t i = 0; i < ns.size(); ++i) ValidateIP(Index(Child(path, "nameservers"), i), Str(&ns[i]), errs);
  const std::vector<json>& searches = Arr(*cfg, "searches");
  if (searches.size() > 32) {
    errs.push_back(Invalid(Child(path, "searches"), RenderStringSlice(Get(*cfg, "searches")),
                           "must not have more than 32 search paths"));
  }
  size_t total = 0;
  for (size_t i = 0; i < searches.size(); ++i) {
    std::string s = Str(&searches[i]);
    total += s.size() + (i > 0 ? 1 : 0);
    if (s == ".") continue;
    if (!s.empty() && s.back() == '.') s.pop_back();
    std::string relaxed = s;
    std::replace(relaxed.begin(), relaxed.end(), '_', 'a');
    for (auto& m : api::IsDNS1123Subdomain(relaxed)) {
      (void)m;
      errs.push_back(InvalidStr(
          Index(Child(path, "searches"), i), s,
          "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-', '_' "
          "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
          "used for validation is "
          "'[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?(\\.[a-z0-9_]([-a-z0-9_]*[a-z0-9_])?)*')"));
      break;
    }
  }
  if (total > 2048) {
    errs.push_back(Invalid(Child(path, "searches"), RenderStringSlice(Get(*cfg, "searches")),
                           "must not have more than 2048 characters (including spaces) in the search list"));
  }
  const std::vector<json>& opts = Arr(*cfg, "options");
  for (size_t i = 0; i < opts.size(); ++i) {
    if (Str(opts[i], "name").empty())
      errs.push_back(Required(Index(Child(path, "options"), i), "must not be empty"));
  }
}

void ValidatePodSecurityContext(const json& spec, const std::string& path, FieldErrors& errs) {
  const json* sc = Get(spec, "securityContext");
  if (!IsObj(sc)) return;
  for (std::string_view id : {"runAsUser", "runAsGroup", "fsGroup"}) {
    if (auto v = Int(*sc, id); v && (*v < 0 || *v > INT32_MAX)) {
      errs.push_back(InvalidInt(Child(path, id), *v, InclusiveRangeError(0, INT32_MAX)));
    }
  }
  const std::vector<json>& groups = Arr(*sc, "supplementalGroups");
  for (size_t i = 0; i < groups.size(); ++i) {
    if (auto v = Int(&groups[i]); v && (*v < 0 || *v > INT32_MAX)) {
      errs.push_back(
          InvalidInt(Index(Child(path, "supplementalGroups"), i), *v, InclusiveRangeError(0, INT32_MAX)));
    }
  }
  if (const json* p = Get(*sc, "fsGroupChangePolicy")) {
    std::string s = Str(p);
    if (s != "OnRootMismatch" && s != "Always") {
      errs.push_back(NotSupportedStr(Child(path, "fsGroupChangePolicy"), s, {"Always", "OnRootMismatch"}));
    }
  }
  const std::vector<json>& sysctls = Arr(*sc, "sysctls");
  std::set<std::string> names;
  for (size_t i = 0; i < sysctls.size(); ++i) {
    std::string n = Str(sysctls[i], "name");
    std::string ip = Index(Child(path, "sysctls"), i);
    if (n.empty()) {
      errs.push_back(Required(Child(ip, "name")));
    } else if (!names.insert(n).second) {
      errs.push_back(Duplicate(Child(ip, "name"), Quote(n)));
    }
  }
}

}  // namespace

void ValidateResourceRequirements(const json* res, const std::string& path, bool container,
                                  FieldErrors& errs) {
  if (!IsObj(res)) return;
  std::string lim_path = Child(path, "limits");
  std::string req_path = Child(path, "requests");
  const json* limits = Get(*res, "limits");
  const json* requests = Get(*res, "requests");
  bool lim_cpu_mem = false, req_cpu_mem = false, lim_huge = false, req_huge = false;
  std::map<std::string, const json*> lim_map, req_map;
  if (IsObj(limits)) {
    for (auto it = limits->begin(); it != limits->end(); ++it) lim_map[it.key()] = &*it;
  }
  if (IsObj(requests)) {
    for (auto it = requests->begin(); it != requests->end(); ++it) req_map[it.key()] = &*it;
  }
  for (const auto& [name, q] : lim_map) {
    std::string fp = Key(lim_path, name);
    if (container) ValidateContainerResourceName(name, fp, errs);
    ValidateQuantityValue(name, *q, fp, errs);
    if (IsHugePages(name)) lim_huge = true;
    if (name == "cpu" || name == "memory") lim_cpu_mem = true;
  }
  for (const auto& [name, q] : req_map) {
    std::string fp = Key(req_path, name);
    if (container) ValidateContainerResourceName(name, fp, errs);
    ValidateQuantityValue(name, *q, fp, errs);
    auto lim = lim_map.find(name);
    if (lim != lim_map.end()) {
      int cmp = CompareQuantity(*q, *lim->second);
      if (cmp != 0 && !OvercommitAllowed(name)) {
        errs.push_back(
            InvalidStr(req_path, QText(*q), "must be equal to " + name + " limit of " + QText(*lim->second)));
      } else if (cmp > 0) {
        errs.push_back(
            InvalidStr(req_path, QText(*q),
                       "must be less than or equal to " + name + " limit of " + QText(*lim->second)));
      }
    } else if (!OvercommitAllowed(name)) {
      errs.push_back(Required(lim_path, "Limit must be set for non overcommitable resources"));
    }
    if (IsHugePages(name)) req_huge = true;
    if (name == "cpu" || name == "memory") req_cpu_mem = true;
  }
  if (!lim_cpu_mem && !req_cpu_mem && (lim_huge || req_huge)) {
    errs.push_back(Forbidden(path, "HugePages require cpu or memory"));
  }
}

void ValidateTolerations(const json* tolerations, const std::string& path, FieldErrors& errs) {
  const std::vector<json>& list = Arr(tolerations);
  for (size_t i = 0; i < list.size(); ++i) {
    const json& t = list[i];
    std::string ip = Index(path, i);
    std::string key = Str(t, "key");
    std::string op = Str(t, "operator");
    std::string effect = Str(t, "effect");
    if (!key.empty()) ValidateQualifiedName(Child(ip, "key"), key, errs);
    if (key.empty() && op != "Exists") {
      errs.push_back(InvalidStr(
          Child(ip, "operator"), op,
          "operator must be Exists when `key` is empty, which means \"match all values and all keys\""));
    }
    if (Has(t, "tolerationSeconds") && effect != "NoExecute") {
      errs.push_back(InvalidStr(Child(ip, "effect"), effect,
                                "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    std::string value = Str(t, "value");
    if (op == "Equal" || op.empty()) {
      auto msgs = api::IsValidLabelValue(value);
      if (!msgs.empty()) {
        std::string joined;
        for (size_t m = 0; m < msgs.size(); ++m) joined += (m ? ";" : "") + msgs[m];
        errs.push_back(InvalidStr(Child(ip, "operator"), value, joined));
      }
    } else if (op == "Exists") {
      if (!value.empty())
        errs.push_back(
            InvalidStr(Child(ip, "operator"), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push_back(NotSupportedStr(Child(ip, "operator"), op, {"Equal", "Exists"}));
    }
    if (!effect.empty() && effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute") {
      errs.push_back(
          NotSupportedStr(Child(ip, "effect"), effect, {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    }
  }
}

void ValidatePodSpec(const json& spec, const std::string& path, const PodOpts& opts, FieldErrors& errs) {
  std::optional<int64_t> grace = Int(spec, "terminationGracePeriodSeconds");
  if (!grace) errs.push_back(Required(Child(path, "terminationGracePeriodSeconds")));
  auto volumes = ValidateVolumes(Get(spec, "volumes"), Child(path, "volumes"), opts.pod_name, errs);
  ValidateContainers(spec, volumes, Child(path, "containers"), grace, errs);
  ValidateInitContainers(spec, volumes, Child(path, "initContainers"), grace, errs);
  ValidateEphemeralContainers(spec, volumes, Child(path, "ephemeralContainers"), errs);
  // hostNetwork: host ports must equal container ports.
  if (Bool(spec, "hostNetwork").value_or(false)) {
    const std::vector<json>& ctrs = Arr(spec, "containers");
    for (size_t i = 0; i < ctrs.size(); ++i) {
      const std::vector<json>& ports = Arr(ctrs[i], "ports");
      for (size_t p = 0; p < ports.size(); ++p) {
        int64_t hp = Int(ports[p], "hostPort").value_or(0);
        int64_t cp = Int(ports[p], "containerPort").value_or(0);
        if ((opts.resource_is_pod || hp != 0) && hp != cp) {
          errs.push_back(
              InvalidInt(Child(Index(Child(Index(Child(path, "containers"), i), "ports"), p), "hostPort"), hp,
                         "must match `containerPort` when `hostNetwork` is true"));
        }
      }
    }
  }
  std::string rp = Str(spec, "restartPolicy");
  if (rp.empty()) {
    errs.push_back(Required(Child(path, "restartPolicy")));
  } else if (rp != "Always" && rp != "OnFailure" && rp != "Never") {
    errs.push_back(NotSupportedStr(Child(path, "restartPolicy"), rp, {"Always", "OnFailure", "Never"}));
  }
  std::string dp = Str(spec, "dnsPolicy");
  if (dp.empty()) {
    errs.push_back(Required(Child(path, "dnsPolicy")));
  } else if (dp != "ClusterFirstWithHostNet" && dp != "ClusterFirst" && dp != "Default" && dp != "None") {
    errs.push_back(NotSupportedStr(Child(path, "dnsPolicy"), dp,
                                   {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}));
  }
  ValidateLabelsAt(Get(spec, "nodeSelector"), Child(path, "nodeSelector"), errs);
  ValidatePodSecurityContext(spec, Child(path, "securityContext"), errs);
  const std::vector<json>& pull = Arr(spec, "imagePullSecrets");
  for (size_t i = 0; i < pull.size(); ++i) {
    if (pull[i].is_object() && (pull[i].size() > 1 || (pull[i].size() == 1 && !pull[i].contains("name")))) {
      errs.push_back(
          Invalid(Index(Child(path, "imagePullSecrets"), i), pull[i].dump(), "only name may be set"));
    }
  }
  ValidateAffinity(Get(spec, "affinity"), Child(path, "affinity"), errs);
  ValidateDNSConfig(spec, Child(path, "dnsConfig"), errs);
  const std::vector<json>& gates = Arr(spec, "readinessGates");
  for (size_t i = 0; i < gates.size(); ++i) {
    ValidateQualifiedName(Child(Index(Child(path, "readinessGates"), i), "conditionType"),
                          Str(gates[i], "conditionType"), errs);
  }
  std::set<std::string> sgates;
  const std::vector<json>& sg = Arr(spec, "schedulingGates");
  for (size_t i = 0; i < sg.size(); ++i) {
    std::string n = Str(sg[i], "name");
    ValidateQualifiedName(Index(Child(path, "schedulingGates"), i), n, errs);
    if (!sgates.insert(n).second)
      errs.push_back(Duplicate(Index(Child(path, "schedulingGates"), i), Quote(n)));
  }
  ValidateTopologySpread(Get(spec, "topologySpreadConstraints"), Child(path, "topologySpreadConstraints"),
                         errs);
  if (std::string sa = Str(spec, "serviceAccountName"); !sa.empty()) {
    for (auto& m : api::IsDNS1123Subdomain(sa))
      errs.push_back(InvalidStr(Child(path, "serviceAccountName"), sa, m));
  }
  if (std::string node = Str(spec, "nodeName"); !node.empty()) {
    for (auto& m : api::IsDNS1123Subdomain(node))
      errs.push_back(InvalidStr(Child(path, "nodeName"), node, m));
  }
  if (auto ads = Int(spec, "activeDeadlineSeconds"); ads && (*ads < 1 || *ads > INT32_MAX)) {
    errs.push_back(InvalidInt(Child(path, "activeDeadlineSeconds"), *ads, InclusiveRangeError(1, INT32_MAX)));
  }
  if (std::string h = Str(spec, "hostname"); !h.empty())
    ValidateDNS1123Label(Child(path, "hostname"), h, errs);
  if (std::string s = Str(spec, "subdomain"); !s.empty())
    ValidateDNS1123Label(Child(path, "subdomain"), s, errs);
  ValidateTolerations(Get(spec, "tolerations"), Child(path, "tolerations"), errs);
  const std::vector<json>& aliases = Arr(spec, "hostAliases");
  for (size_t i = 0; i < aliases.size(); ++i) {
    std::string ap = Index(Child(path, "hostAliases"), i);
    ValidateIP(Child(ap, "ip"), Str(aliases[i], "ip"), errs);
    const std::vector<json>& hosts = Arr(aliases[i], "hostnames");
    for (size_t j = 0; j < hosts.size(); ++j)
      ValidateDNS1123Subdomain(Index(Child(ap, "hostnames"), j), Str(&hosts[j]), errs);
  }
  if (std::string pc = Str(spec, "priorityClassName"); !pc.empty()) {
    for (auto& m : api::IsDNS1123Subdomain(pc))
      errs.push_back(InvalidStr(Child(path, "priorityClassName"), pc, m));
  }
  if (const json* rc = Get(spec, "runtimeClassName")) {
    for (auto& m : api::IsDNS1123Subdomain(Str(rc)))
      errs.push_back(InvalidStr(Child(path, "runtimeClassName"), Str(rc), m));
  }
  if (const json* pp = Get(spec, "preemptionPolicy")) {
    std::string s = Str(pp);
    if (s.empty()) {
      errs.push_back(Required(Child(path, "preemptionPolicy")));
    } else if (s != "PreemptLowerPriority" && s != "Never") {
      errs.push_back(NotSupportedStr(Child(path, "preemptionPolicy"), s, {"PreemptLowerPriority", "Never"}));
    }
  }
  if (const json* os = Get(spec, "os"); IsObj(os)) {
    std::string n = Str(*os, "name");
    if (n.empty()) {
      errs.push_back(Required(Child(Child(path, "os"), "name"), "cannot be empty"));
    } else if (n != "linux" && n != "windows") {
      errs.push_back(NotSupportedStr(Child(path, "os"), n, {"linux", "windows"}));
    }
  }
}

void ValidatePodTemplateSpec(const json* tmpl, const std::string& path, FieldErrors& errs) {
  const json& t = ObjOrEmpty(tmpl);
  const json* meta = Get(t, "metadata");
  if (IsObj(meta)) {
    ValidateLabelsAt(Get(*meta, "labels"), Child(path, "labels"), errs);
    ValidateAnnotationsAt(Get(*meta, "annotations"), Child(path, "annotations"), errs);
  }
  const json* spec = Get(t, "spec");
  ValidatePodSpec(ObjOrEmpty(spec), Child(path, "spec"), PodOpts{}, errs);
  if (IsObj(spec) && !Arr(*spec, "ephemeralContainers").empty()) {
    errs.push_back(Forbidden(Child(Child(path, "spec"), "ephemeralContainers"),
                             "ephemeral containers not allowed in pod template"));
  }
}

namespace {

void ValidatePodMetadataAndSpec(const json& pod, FieldErrors& errs) {
  ValidateObjectMeta(pod, true, NameRule::kDNS1123Subdomain, errs);
  const json& spec = SpecOf(pod);
  const json* ann = GetPath(pod, {"metadata", "annotations"});
  if (IsObj(ann)) {
    if (const json* mirror = Get(*ann, "kubernetes.io/config.mirror");
        mirror && Str(spec, "nodeName").empty()) {
      errs.push_back(InvalidStr("metadata.annotations[kubernetes.io/config.mirror]", Str(mirror),
                                "must set spec.nodeName if mirror pod annotation is set"));
    }
    if (const json* cost = Get(*ann, "controller.kubernetes.io/pod-deletion-cost")) {
      std::string s = Str(cost);
      char* end = nullptr;
      long long v = s.empty() ? 0 : std::strtoll(s.c_str(), &end, 10);
      if (s.empty() || end == nullptr || *end != '\0' || v < INT32_MIN || v > INT32_MAX) {
        errs.push_back(InvalidStr("metadata.annotations[controller.kubernetes.io/pod-deletion-cost]", s,
                                  "must be a 32bit integer"));
      }
    }
  }
  PodOpts opts;
  opts.resource_is_pod = true;
  opts.pod_name = Str(GetPath(pod, {"metadata", "name"}));
  ValidatePodSpec(spec, "spec", opts, errs);
  if (Str(spec, "serviceAccountName").empty()) {
    const std::vector<json>& vols = Arr(spec, "volumes");
    for (size_t v = 0; v < vols.size(); ++v) {
      const std::vector<json>& srcs = Arr(GetPath(vols[v], {"projected", "sources"}));
      for (size_t s = 0; s < srcs.size(); ++s) {
        if (Has(srcs[s], "serviceAccountToken")) {
          errs.push_back(
              Forbidden(Child(Index(Child(Child(Index("spec.volumes", v), "projected"), "sources"), s),
                              "serviceAccountToken"),
                        "must not be specified when serviceAccountName is not set"));
        }
      }
    }
  }
  for (std::string_view k : {"containers", "initContainers"}) {
    const std::vector<json>& ctrs = Arr(spec, k);
    for (size_t i = 0; i < ctrs.size(); ++i) {
      std::string img = Str(ctrs[i], "image");
      size_t b = img.find_first_not_of(" \t\n\r\v\f");
      size_t e = img.find_last_not_of(" \t\n\r\v\f");
      if (!img.empty() && (b != 0 || e != img.size() - 1)) {
        errs.push_back(InvalidStr(Child(Index(Child("spec", k), i), "image"), img,
                                  "must not have leading or trailing whitespace"));
      }
    }
  }
}

void ValidatePodIPs(const json& pod, FieldErrors& errs) {
  const std::vector<json>& ips = Arr(GetPath(pod, {"status", "podIPs"}));
  std::set<std::string> seen;
  int v4 = 0, v6 = 0;
  for (size_t i = 0; i < ips.size(); ++i) {
    std::string ip = Str(ips[i], "ip");
    bool is_v6 = false;
    if (!IsValidIP(ip, &is_v6)) {
      ValidateIP(Index("status.podIPs", i), ip, errs);
    } else {
      (is_v6 ? v6 : v4)++;
    }
    if (ips.size() > 1 && !seen.insert(ip).second)
      errs.push_back(Duplicate(Index("status.podIPs", i), ips[i].dump()));
  }
  if (ips.size() > 1 && (ips.size() > 2 || v4 != 1 || v6 != 1)) {
    errs.push_back(Invalid("status.podIPs", GetPath(pod, {"status", "podIPs"})->dump(),
                           "may specify no more than one IP for each IP family"));
  }
}

json Normalized(const json& v) {
  if (v.is_object()) {
    json out = json::object();
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (it->is_null()) continue;
      if (it->is_array() && it->empty()) continue;
      out[it.key()] = Normalized(*it);
    }
    return out;
  }
  if (v.is_array()) {
    json out = json::array();
    for (const json& e : v) out.push_back(Normalized(e));
    return out;
  }
  return v;
}

void DiffLines(const json& a, const json& b, const std::string& path, std::vector<std::string>& out) {
  if (out.size() > 40) return;
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (auto it = a.begin(); it != a.end(); ++it) keys.insert(it.key());
    for (auto it = b.begin(); it != b.end(); ++it) keys.insert(it.key());
    for (const auto& k : keys) {
      static const json kNull;
      const json& av = a.contains(k) ? a[k] : kNull;
      const json& bv = b.contains(k) ? b[k] : kNull;
      if (av != bv) DiffLines(av, bv, path.empty() ? k : path + "." + k, out);
    }
    return;
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (a[i] != b[i]) DiffLines(a[i], b[i], path + "[" + std::to_string(i) + "]", out);
    }
    return;
  }
  if (!a.is_null()) out.push_back("- \t" + path + ": " + a.dump());
  if (!b.is_null()) out.push_back("+ \t" + path + ": " + b.dump());
}

}  // namespace

std::string DiffSummary(const json& before, const json& after, std::string_view type_name) {
  std::vector<std::string> lines;
  DiffLines(Normalized(before), Normalized(after), "", lines);
  std::string out = "  " + std::string(type_name) + "{\n";
  for (const auto& l : lines) out += l + "\n";
  return out + "  }\n";
}

FieldErrors ValidatePod(const json& pod) {
  FieldErrors errs;
  ValidatePodMetadataAndSpec(pod, errs);
  const json& spec = SpecOf(pod);
  if (!Arr(spec, "ephemeralContainers").empty()) {
    errs.push_back(Forbidden("spec.ephemeralContainers", "cannot be set on create"));
  }
  if (!Str(spec, "nodeName").empty() && !Arr(spec, "schedulingGates").empty()) {
    errs.push_back(Forbidden("spec.nodeName", "cannot be set until all schedulingGates have been cleared"));
  }
  ValidatePodIPs(pod, errs);
  return errs;
}

FieldErrors ValidatePodUpdate(const json& pod, const json& old) {
  FieldErrors errs;
  ValidateObjectMetaUpdate(pod, old, errs);
  ValidatePodMetadataAndSpec(pod, errs);
  const json& spec = SpecOf(pod);
  const json& old_spec = SpecOf(old);
  // Annotations that may not be added, changed or removed.
  auto mirror = [](const json& o) {
    return GetPath(o, {"metadata", "annotations", "kubernetes.io/config.mirror"});
  };
  const json* nm = mirror(pod);
  const json* om = mirror(old);
  if (om != nullptr && (nm == nullptr || *nm != *om)) {
    errs.push_back(Forbidden("metadata.annotations[kubernetes.io/config.mirror]",
                             "may not remove or update mirror pod annotation"));
  } else if (om == nullptr && nm != nullptr) {
    errs.push_back(
        Forbidden("metadata.annotations[kubernetes.io/config.mirror]", "may not add mirror pod annotation"));
  }
  for (std::string_view k : {"containers", "initContainers"}) {
    const std::vector<json>& nc = Arr(spec, k);
    const std::vector<json>& oc = Arr(old_spec, k);
    std::string kp = Child("spec", k);
    if (nc.size() != oc.size()) {
      errs.push_back(Forbidden(kp, "pod updates may not add or remove containers"));
      return errs;
    }
    for (size_t i = 0; i < nc.size(); ++i) {
      if (Str(nc[i], "image").empty()) errs.push_back(Required(Child(Index(kp, i), "image")));
    }
  }
  if (auto nd = Int(spec, "activeDeadlineSeconds")) {
    if (*nd < 0 || *nd > INT32_MAX) {
      errs.push_back(InvalidInt("spec.activeDeadlineSeconds", *nd, InclusiveRangeError(0, INT32_MAX)));
      return errs;
    }
    if (auto od = Int(old_spec, "activeDeadlineSeconds"); od && *od < *nd) {
      errs.push_back(
          InvalidInt("spec.activeDeadlineSeconds", *nd, "must be less than or equal to previous value"));
      return errs;
    }
  } else if (Has(old_spec, "activeDeadlineSeconds")) {
    errs.push_back(Invalid("spec.activeDeadlineSeconds", "null",
                           "must not update from a positive integer to nil value"));
  }
  // Tolerations: existing ones may only change tolerationSeconds.
  const std::vector<json>& new_tol = Arr(spec, "tolerations");
  for (const json& ot : Arr(old_spec, "tolerations")) {
    bool found = false;
    for (const json& nt : new_tol) {
      json a = Normalized(ot);
      json b = Normalized(nt);
      if (a.is_object()) a.erase("tolerationSeconds");
      if (b.is_object()) b.erase("tolerationSeconds");
      if (a == b) {
        found = true;
        break;
      }
    }
    if (!found) {
      errs.push_back(Forbidden("spec.tolerations",
                               "existing toleration can not be modified except its tolerationSeconds"));
      break;
    }
  }
  // Scheduling gates: only deletions.
  std::set<std::string> old_gates;
  for (const json& g : Arr(old_spec, "schedulingGates")) old_gates.insert(Str(g, "name"));
  const std::vector<json>& new_gates = Arr(spec, "schedulingGates");
  for (size_t i = 0; i < new_gates.size(); ++i) {
    std::string n = Str(new_gates[i], "name");
    if (!old_gates.count(n)) {
      errs.push_back(Forbidden(Child(Index("spec.schedulingGates", i), "name"),
                               "only deletion is allowed, but found new scheduling gate '" + n + "'"));
    }
  }
  json a = Normalized(old_spec);
  json b = Normalized(spec);
  if (a == b) return errs;
  json munged = b;
  for (std::string_view k : {"containers", "initContainers"}) {
    if (!munged.contains(k) || !munged[k].is_array()) continue;
    const std::vector<json>& oc = Arr(old_spec, k);
    for (size_t i = 0; i < munged[k].size() && i < oc.size(); ++i) {
      if (!munged[k][i].is_object()) continue;
      if (const json* img = Get(oc[i], "image")) {
        munged[k][i]["image"] = *img;
      } else {
        munged[k][i].erase("image");
      }
    }
  }
  for (std::string_view k : {"activeDeadlineSeconds", "schedulingGates", "tolerations"}) {
    if (a.contains(k)) {
      munged[std::string(k)] = a[std::string(k)];
    } else {
      munged.erase(std::string(k));
    }
  }
  if (auto og = Int(old_spec, "terminationGracePeriodSeconds");
      og && *og < 0 && Int(spec, "terminationGracePeriodSeconds") == 1) {
    munged["terminationGracePeriodSeconds"] = *og;
  }
  if (!Arr(old_spec, "schedulingGates").empty()) {
    // Gated pods may gain node selector labels and node affinity terms.
    for (std::string_view k : {"nodeSelector"}) {
      if (a.contains(k)) {
        munged[std::string(k)] = a[std::string(k)];
      } else {
        munged.erase(std::string(k));
      }
    }
  }
  if (munged != a) {
    errs.push_back(Forbidden(
        "spec",
        "pod updates may not change fields other than "
        "`spec.containers[*].image`,`spec.initContainers[*].image`,"
        "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),"
        "`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n" +
            DiffSummary(a, munged, "core.PodSpec")));
  }
  return errs;
}

FieldErrors ValidatePodStatusUpdate(const json& pod, const json& old) {
  FieldErrors errs;
  ValidateObjectMetaUpdate(pod, old, errs);
  const std::vector<json>& conds = Arr(GetPath(pod, {"status", "conditions"}));
  for (size_t i = 0; i < conds.size(); ++i) {
    std::string t = Str(conds[i], "type");
    if (t == "PodScheduled" || t == "Ready" || t == "Initialized") continue;
    ValidateQualifiedName(Child(Index("metadata.conditions", i), "Type"), t, errs);
  }
  if (Str(GetPath(pod, {"spec", "nodeName"})) != Str(GetPath(old, {"spec", "nodeName"}))) {
    errs.push_back(Forbidden("status.nodeName", "may not be changed directly"));
  }
  std::string nominated = Str(GetPath(pod, {"status", "nominatedNodeName"}));
  if (!nominated.empty() && nominated != Str(GetPath(old, {"status", "nominatedNodeName"}))) {
    for (auto& m : api::IsDNS1123Subdomain(nominated))
      errs.push_back(InvalidStr("status.nominatedNodeName", nominated, m));
  }
  std::string qos = Str(GetPath(pod, {"status", "qosClass"}));
  std::string old_qos = Str(GetPath(old, {"status", "qosClass"}));
  if (qos != old_qos) errs.push_back(InvalidStr("status.qosClass", qos, std::string(kImmutableMsg)));
  // Terminated containers may not come back unless the pod restarts them.
  std::string policy = Str(GetPath(old, {"spec", "restartPolicy"}));
  auto transitions = [&](std::string_view key, const std::string& restart) {
    if (restart == "Always") return;
    const std::vector<json>& olds = Arr(GetPath(old, {"status", key}));
    const std::vector<json>& news = Arr(GetPath(pod, {"status", key}));
    for (size_t i = 0; i < olds.size(); ++i) {
      const json* term = GetPath(olds[i], {"state", "terminated"});
      if (term == nullptr) continue;
      if (Int(*term, "exitCode").value_or(0) != 0 && restart == "OnFailure") continue;
      for (const json& n : news) {
        if (Str(n, "name") == Str(olds[i], "name") && GetPath(n, {"state", "terminated"}) == nullptr) {
          errs.push_back(Forbidden(Child(Index(Child("status", key), i), "state"),
                                   "may not be transitioned to non-terminated state"));
        }
      }
    }
  };
  transitions("containerStatuses", policy);
  transitions("ephemeralContainerStatuses", "Never");
  ValidatePodIPs(pod, errs);
  const std::vector<json>& hips = Arr(GetPath(pod, {"status", "hostIPs"}));
  if (!hips.empty()) {
    if (Str(GetPath(pod, {"status", "hostIP"})) != Str(hips[0], "ip")) {
      errs.push_back(InvalidStr("status.hostIPs[0].ip", Str(hips[0], "ip"), "must be equal to `hostIP`"));
    }
    for (size_t i = 0; i < hips.size(); ++i) ValidateIP(Index("status.hostIPs", i), Str(hips[i], "ip"), errs);
  }
  return errs;
}

}  // namespace kubepp::apiserver::strategy::internal
