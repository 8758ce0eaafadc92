#include "network/cni/cni.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>

#include "common/log.h"
#include "network/cni/exec.h"

namespace kubepp::network::cni {

using nlohmann::json;
namespace fs = std::filesystem;

namespace {

constexpr char kPathEnv[] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr char kCacheKind[] = "cniCacheV1";

std::string JsonType(const json& v) { return v.type_name(); }

// CNI network names and container ids: ^[a-zA-Z0-9][a-zA-Z0-9_.\-]*$
bool ValidIdent(std::string_view s) {
  if (s.empty() || !std::isalnum(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

// Interface names: 1..15 bytes, not "." / "..", no '/', ':' or whitespace.
bool ValidIfname(std::string_view s) {
  if (s.empty() || s.size() > 15 || s == "." || s == "..") return false;
  return std::none_of(s.begin(), s.end(), [](char c) {
    return c == '/' || c == ':' || std::isspace(static_cast<unsigned char>(c)) || c == '\0';
  });
}

std::tuple<int, int, int> ParseVersion(std::string_view v) {
  int parts[3] = {0, 0, 0};
  size_t i = 0;
  for (int p = 0; p < 3 && i < v.size(); ++p) {
    while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])))
      parts[p] = parts[p] * 10 + (v[i++] - '0');
    if (i < v.size() && v[i] == '.') ++i;
  }
  return {parts[0], parts[1], parts[2]};
}

bool ValidVersionString(std::string_view v) {
  int dots = 0;
  if (v.empty()) return false;
  for (char c : v) {
    if (c == '.') {
      ++dots;
    } else if (!std::isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return dots == 2;
}

// Line and column (1-based) of byte offset `pos` in `text`.
std::pair<size_t, size_t> LineCol(const std::string& text, size_t pos) {
  size_t line = 1, col = 1;
  for (size_t i = 0; i < pos && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      col = 1;
    } else {
      ++col;
    }
  }
  return {line, col};
}

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound(fmt::format("cannot read {}", path));
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) return Status::Internal(fmt::format("read {} failed", path));
  return ss.str();
}

Status WriteFileAtomic(const std::string& path, const std::string& data, fs::perms perms) {
  fs::path p(path);
  std::string tmp = (p.parent_path() / ("." + p.filename().string() + ".tmp")).string();
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return Status::Internal(fmt::format("cannot write {}", tmp));
    out << data;
    out.flush();
    if (!out) return Status::Internal(fmt::format("write {} failed", tmp));
  }
  std::error_code ec;
  fs::permissions(tmp, perms, ec);
  fs::rename(tmp, path, ec);
  if (ec) {
    fs::remove(tmp, ec);
    return Status::Internal(fmt::format("rename to {}: {}", path, ec.message()));
  }
  return Status::Ok();
}

// Splits one line of `iptables -S` output into arguments (double quotes with
// backslash escapes, as iptables prints comments).
std::vector<std::string> SplitIptablesLine(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && line[i] == ' ') ++i;
    if (i >= line.size()) break;
    std::string tok;
    if (line[i] == '"') {
      ++i;
      while (i < line.size() && line[i] != '"') {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        tok.push_back(line[i++]);
      }
      ++i;
    } else {
      while (i < line.size() && line[i] != ' ') tok.push_back(line[i++]);
    }
    out.push_back(std::move(tok));
  }
  return out;
}

std::optional<std::string> FindExecutable(const std::vector<std::string>& dirs, const std::string& name) {
  for (const auto& d : dirs) {
    std::string p = d + "/" + name;
    if (::access(p.c_str(), X_OK) == 0 && fs::is_regular_file(p)) return p;
  }
  return std::nullopt;
}

// Collects "a.b.c.d" addresses from a CNI result (any version), IPv4 first.
std::vector<std::string> ResultIps(const json& result) {
  std::vector<std::string> ips;
  auto add = [&](const json& v) {
    if (!v.is_string()) return;
    std::string s = v.get<std::string>();
    ips.push_back(s.substr(0, s.find('/')));
  };
  if (result.is_object()) {
    if (auto it = result.find("ips"); it != result.end() && it->is_array()) {
      for (const auto& ip : *it) {
        if (ip.is_object() && ip.contains("address")) add(ip["address"]);
      }
    }
    for (const char* key : {"ip4", "ip6"}) {  // CNI 0.1.0 / 0.2.0 results
      if (auto it = result.find(key); it != result.end() && it->is_object() && it->contains("ip"))
        add((*it)["ip"]);
    }
  }
  std::stable_partition(ips.begin(), ips.end(),
                        [](const std::string& s) { return s.find(':') == std::string::npos; });
  return ips;
}

}  // namespace

// ---------------------------------------------------------------------------
// Configuration

struct Network::State {
  std::string source;  // file path
  std::string name;
  std::string cni_version;
  bool disable_check = false;
  json raw;                   // the list as loaded (a .conf is wrapped)
  std::vector<json> plugins;  // each an object with a string "type"
};

namespace {

using State = Network::State;

// Parses a configuration list (or, with `single`, one plugin configuration)
// from `text`; `source` names it in errors.
StatusOr<std::unique_ptr<State>> ParseConfig(const std::string& text, const std::string& source,
                                             bool single) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    auto [line, col] = LineCol(text, e.byte > 0 ? e.byte - 1 : 0);
    return Status::Invalid(
        fmt::format("{}: invalid JSON at line {}, column {}: {}", source, line, col, e.what()));
  }
  if (!doc.is_object())
    return Status::Invalid(fmt::format("{}: expected a JSON object, got {}", source, JsonType(doc)));
  if (single) {
    if (doc.contains("plugins")) {
      return Status::Invalid(
          fmt::format("{}: \"plugins\" found in a single-plugin config (name it .conflist)", source));
    }
    json list = json::object();
    if (doc.contains("cniVersion")) list["cniVersion"] = doc["cniVersion"];
    if (doc.contains("name")) list["name"] = doc["name"];
    if (doc.contains("disableCheck")) list["disableCheck"] = doc["disableCheck"];
    list["plugins"] = json::array({doc});
    doc = std::move(list);
  }
  auto state = std::make_unique<State>();
  state->source = source;
  auto string_field = [&](const json& obj, const char* key, const std::string& where,
                          std::string& out) -> Status {
    auto it = obj.find(key);
    if (it == obj.end()) return Status::Invalid(fmt::format("{}: {}{}: required", source, where, key));
    if (!it->is_string()) {
      return Status::Invalid(
          fmt::format("{}: {}{}: must be a string, got {}", source, where, key, JsonType(*it)));
    }
    out = it->get<std::string>();
    return Status::Ok();
  };
  RETURN_IF_ERROR(string_field(doc, "cniVersion", "", state->cni_version));
  if (!ValidVersionString(state->cni_version)) {
    return Status::Invalid(
        fmt::format("{}: cniVersion: \"{}\" is not a version like \"1.0.0\"", source, state->cni_version));
  }
  RETURN_IF_ERROR(string_field(doc, "name", "", state->name));
  if (!ValidIdent(state->name)) {
    return Status::Invalid(fmt::format(
        "{}: name: \"{}\" must start with a letter or digit and hold only letters, digits, '_', '.', '-'",
        source, state->name));
  }
  if (auto it = doc.find("disableCheck"); it != doc.end()) {
    if (it->is_boolean()) {
      state->disable_check = it->get<bool>();
    } else if (it->is_string() && (*it == "true" || *it == "false")) {
      state->disable_check = *it == "true";
    } else {
      return Status::Invalid(
          fmt::format("{}: disableCheck: must be a boolean, got {}", source, JsonType(*it)));
    }
  }
  auto plugins = doc.find("plugins");
  if (plugins == doc.end()) return Status::Invalid(fmt::format("{}: plugins: required", source));
  if (!plugins->is_array()) {
    return Status::Invalid(fmt::format("{}: plugins: must be an array, got {}", source, JsonType(*plugins)));
  }
  if (plugins->empty()) return Status::Invalid(fmt::format("{}: plugins: must not be empty", source));
  for (size_t i = 0; i < plugins->size(); ++i) {
    const json& p = (*plugins)[i];
    // Field paths: "plugins[1].type" in a list, plain "type" in a .conf.
    std::string where = single ? "" : fmt::format("plugins[{}].", i);
    if (!p.is_object()) {
      return Status::Invalid(
          fmt::format("{}: plugins[{}]: must be an object, got {}", source, i, JsonType(p)));
    }
    std::string type;
    RETURN_IF_ERROR(string_field(p, "type", where, type));
    if (type.empty() || type.find('/') != std::string::npos || type == "." || type == "..") {
      return Status::Invalid(fmt::format("{}: {}type: \"{}\" is not a plugin name", source, where, type));
    }
    if (auto c = p.find("capabilities"); c != p.end() && !c->is_object()) {
      return Status::Invalid(
          fmt::format("{}: {}capabilities: must be an object, got {}", source, where, JsonType(*c)));
    }
    state->plugins.push_back(p);
  }
  state->raw = std::move(doc);
  return state;
}

StatusOr<std::unique_ptr<State>> ParseConfigFile(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  bool single = fs::path(path).extension() != ".conflist";
  return ParseConfig(text, path, single);
}

// What every plugin execution of one operation shares.
struct Invocation {
  std::string container_id;
  std::string netns;
  std::string ifname;
  std::vector<std::pair<std::string, std::string>> cni_args;
  json capability_args = json::object();  // e.g. {"portMappings": [...]}
};

std::string JoinCniArgs(const std::vector<std::pair<std::string, std::string>>& args) {
  std::string out;
  for (const auto& [k, v] : args) {
    if (!out.empty()) out += ';';
    out += k + "=" + v;
  }
  return out;
}

StatusOr<Invocation> MakeInvocation(const AttachRequest& req, bool need_netns) {
  if (!ValidIdent(req.container_id)) {
    return Status::Invalid(fmt::format(
        "container id \"{}\": must start with a letter or digit and hold only letters, digits, '_', '.', '-'",
        req.container_id));
  }
  if (!ValidIfname(req.ifname)) {
    return Status::Invalid(
        fmt::format("ifname \"{}\": must be 1 to 15 characters without '/', ':' or spaces", req.ifname));
  }
  if (need_netns && req.netns_path.empty()) return Status::Invalid("netns path: required");
  Invocation inv;
  inv.container_id = req.container_id;
  inv.netns = req.netns_path;
  inv.ifname = req.ifname;
  inv.cni_args.emplace_back("IgnoreUnknown", "1");
  auto arg = [&](const char* key, const std::string& value) -> Status {
    if (value.find_first_of(";=\n") != std::string::npos) {
      return Status::Invalid(fmt::format("{} \"{}\": must not contain ';' or '='", key, value));
    }
    if (!value.empty()) inv.cni_args.emplace_back(key, value);
    return Status::Ok();
  };
  RETURN_IF_ERROR(arg("K8S_POD_NAMESPACE", req.pod_namespace));
  RETURN_IF_ERROR(arg("K8S_POD_NAME", req.pod_name));
  RETURN_IF_ERROR(arg("K8S_POD_INFRA_CONTAINER_ID", req.container_id));
  RETURN_IF_ERROR(arg("K8S_POD_UID", req.pod_uid));
  json mappings = json::array();
  for (const auto& pm : req.port_mappings) {
    if (pm.host_port <= 0) continue;
    if (pm.host_port > 65535 || pm.container_port <= 0 || pm.container_port > 65535) {
      return Status::Invalid(
          fmt::format("port mapping {}->{}: ports must be in 1..65535", pm.host_port, pm.container_port));
    }
    std::string proto;
    for (char c : pm.protocol)
      proto.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    if (proto.empty()) proto = "tcp";
    if (proto != "tcp" && proto != "udp" && proto != "sctp") {
      return Status::Invalid(
          fmt::format("port mapping {}: protocol \"{}\" is not TCP, UDP or SCTP", pm.host_port, pm.protocol));
    }
    json m = {{"hostPort", pm.host_port}, {"containerPort", pm.container_port}, {"protocol", proto}};
    if (!pm.host_ip.empty()) m["hostIP"] = pm.host_ip;
    mappings.push_back(std::move(m));
  }
  if (!mappings.empty()) inv.capability_args["portMappings"] = std::move(mappings);
  return inv;
}

// Turns a plugin's CNI error code into a Status code.
StatusCode ErrorCodeToStatus(int code) {
  switch (code) {
    case 1:  // incompatible CNI version
    case 4:  // invalid necessary environment variables
    case 6:  // failed to decode content
    case 7:  // invalid network config
      return StatusCode::kInvalid;
    case 11:  // try again later
      return StatusCode::kUnavailable;
    default:
      return StatusCode::kInternal;
  }
}

std::string Tail(std::string s, size_t max) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  if (s.size() > max) s = "..." + s.substr(s.size() - max);
  return s;
}

}  // namespace

// ---------------------------------------------------------------------------
// Network

Network::Network(std::unique_ptr<State> state, std::vector<std::string> bin_dirs, std::string cache_dir,
                 NetworkOptions options)
    : state_(std::move(state)),
      bin_dirs_(std::move(bin_dirs)),
      cache_dir_(std::move(cache_dir)),
      options_(options) {}

Network::~Network() = default;

StatusOr<std::unique_ptr<Network>> Network::Load(const std::string& conf_dir,
                                                 std::vector<std::string> bin_dirs,
                                                 const std::string& cache_dir, NetworkOptions options) {
  std::error_code ec;
  std::vector<std::string> files;
  for (fs::directory_iterator it(conf_dir, ec), end; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    std::string ext = p.extension().string();
    if ((ext == ".conflist" || ext == ".conf" || ext == ".json") && p.filename().string()[0] != '.' &&
        it->is_regular_file(ec)) {
      files.push_back(p.string());
    }
  }
  if (ec && ec != std::errc::no_such_file_or_directory) {
    return Status::Internal(fmt::format("list CNI config dir {}: {}", conf_dir, ec.message()));
  }
  if (files.empty()) return Status::NotFound(fmt::format("no CNI network config found in {}", conf_dir));
  std::sort(files.begin(), files.end());
  return LoadFile(files.front(), std::move(bin_dirs), cache_dir, options);
}

StatusOr<std::unique_ptr<Network>> Network::LoadFile(const std::string& path,
                                                     std::vector<std::string> bin_dirs,
                                                     const std::string& cache_dir, NetworkOptions options) {
  if (cache_dir.empty()) return Status::Invalid("CNI cache dir: required");
  ASSIGN_OR_RETURN(std::unique_ptr<State> state, ParseConfigFile(path));
  return std::unique_ptr<Network>(new Network(std::move(state), std::move(bin_dirs), cache_dir, options));
}

const std::string& Network::name() const { return state_->name; }
const std::string& Network::cni_version() const { return state_->cni_version; }
const std::string& Network::config_path() const { return state_->source; }

std::vector<std::string> Network::plugin_types() const {
  std::vector<std::string> out;
  for (const auto& p : state_->plugins) out.push_back(p["type"].get<std::string>());
  return out;
}

std::mutex& Network::KeyLock(const std::string& container_id, const std::string& ifname) {
  return key_locks_[std::hash<std::string>{}(container_id + "/" + ifname) % key_locks_.size()];
}

namespace {

// Everything needed to run plugins; lives for one operation.
class Runner {
 public:
  Runner(const std::vector<std::string>& bin_dirs, const NetworkOptions& options)
      : bin_dirs_(bin_dirs), options_(options) {}

  std::vector<std::string> Env(const std::string& command, const Invocation* inv) const {
    std::string cni_path = "CNI_PATH=";
    for (size_t i = 0; i < bin_dirs_.size(); ++i) cni_path += (i ? ":" : "") + bin_dirs_[i];
    std::vector<std::string> env = {"CNI_COMMAND=" + command, cni_path, kPathEnv};
    if (inv) {
      env.push_back("CNI_CONTAINERID=" + inv->container_id);
      env.push_back("CNI_NETNS=" + inv->netns);
      env.push_back("CNI_IFNAME=" + inv->ifname);
      env.push_back("CNI_ARGS=" + JoinCniArgs(inv->cni_args));
    }
    return env;
  }

  StatusOr<std::string> Find(const std::string& type) const {
    auto p = FindExecutable(bin_dirs_, type);
    if (!p) {
      std::string dirs;
      for (const auto& d : bin_dirs_) dirs += (dirs.empty() ? "" : ":") + d;
      return Status::NotFound(fmt::format("failed to find CNI plugin \"{}\" in path [{}]", type, dirs));
    }
    return *p;
  }

  // Runs one plugin; returns its parsed stdout (null when empty).
  StatusOr<json> Exec(const std::string& command, const std::string& type, const std::string& stdin_data,
                      const Invocation* inv) const {
    ASSIGN_OR_RETURN(std::string path, Find(type));
    auto run = RunProcess(path, {path}, Env(command, inv), stdin_data, options_.plugin_timeout);
    std::string what = fmt::format("CNI plugin \"{}\" {}", type, command);
    if (!run.ok()) return run.status().WithPrefix(what);
    const ProcessResult& r = *run;
    if (r.timed_out) {
      return Status::Timeout(fmt::format("{}: timed out after {} ms", what, options_.plugin_timeout.count()));
    }
    json out;
    bool parsed = false;
    if (!r.out.empty()) {
      try {
        out = json::parse(r.out);
        parsed = true;
      } catch (const json::exception&) {
      }
    }
    if (r.exit_code != 0) {
      if (parsed && out.is_object() && out.contains("msg")) {
        int code = out.value("code", 0);
        std::string msg = out["msg"].is_string() ? out["msg"].get<std::string>() : out["msg"].dump();
        std::string details;
        if (auto d = out.find("details");
            d != out.end() && d->is_string() && !d->get<std::string>().empty()) {
          details = "; " + d->get<std::string>();
        }
        return Status(ErrorCodeToStatus(code),
                      fmt::format("{} failed: {}{} (CNI error code {})", what, msg, details, code));
      }
      std::string how = r.term_signal ? fmt::format("killed by signal {}", r.term_signal)
                                      : fmt::format("exit status {}", r.exit_code);
      std::string text = Tail(r.err.empty() ? r.out : r.err, 2048);
      return Status::Internal(fmt::format("{} failed: {}{}{}", what, how, text.empty() ? "" : ": ", text));
    }
    if (!r.out.empty() && !parsed) {
      return Status::Internal(fmt::format("{}: output is not JSON: {}", what, Tail(r.out, 512)));
    }
    return out;
  }

  // CNI_COMMAND=VERSION: checks the plugin supports `version`.
  Status CheckVersion(const std::string& type, const std::string& version) const {
    ASSIGN_OR_RETURN(json out, Exec("VERSION", type, json{{"cniVersion", version}}.dump(), nullptr));
    auto sv = out.is_object() ? out.find("supportedVersions") : out.end();
    if (!out.is_object() || sv == out.end() || !sv->is_array()) {
      return Status::Internal(
          fmt::format("CNI plugin \"{}\" VERSION: no supportedVersions in {}", type, Tail(out.dump(), 512)));
    }
    for (const auto& v : *sv) {
      if (v == version) return Status::Ok();
    }
    return Status::Invalid(fmt::format("CNI plugin \"{}\" does not support cniVersion \"{}\" (supports {})",
                                       type, version, sv->dump()));
  }

 private:
  const std::vector<std::string>& bin_dirs_;
  const NetworkOptions& options_;
};

// The stdin of one plugin: its configuration with the list's name and version,
// prevResult and the capability arguments it declares.
std::string PluginStdin(const State& list, const json& plugin, const json* prev_result,
                        const Invocation& inv) {
  json conf = plugin;
  conf["name"] = list.name;
  conf["cniVersion"] = list.cni_version;
  if (prev_result && !prev_result->is_null()) {
    conf["prevResult"] = *prev_result;
  } else {
    conf.erase("prevResult");
  }
  json runtime = json::object();
  if (auto caps = plugin.find("capabilities"); caps != plugin.end() && caps->is_object()) {
    for (const auto& [cap, enabled] : caps->items()) {
      if (enabled == true && inv.capability_args.contains(cap)) runtime[cap] = inv.capability_args[cap];
    }
  }
  if (!runtime.empty()) {
    conf["runtimeConfig"] = std::move(runtime);
  } else {
    conf.erase("runtimeConfig");
  }
  return conf.dump();
}

std::string PluginType(const json& plugin) { return plugin["type"].get<std::string>(); }

// Cache entry for one attachment.
struct CacheEntry {
  json config;  // the list used for the ADD
  json result;
  json capability_args = json::object();
  std::vector<std::pair<std::string, std::string>> cni_args;
};

std::string CachePath(const std::string& cache_dir, const std::string& network, const std::string& id,
                      const std::string& ifname) {
  return fmt::format("{}/{}-{}-{}", cache_dir, network, id, ifname);
}

// NotFound when there is no entry; Internal when it cannot be parsed.
StatusOr<CacheEntry> ReadCache(const std::string& path) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  try {
    json doc = json::parse(text);
    CacheEntry e;
    e.config = doc.value("config", json());
    e.result = doc.value("result", json());
    e.capability_args = doc.value("capabilityArgs", json::object());
    for (const auto& kv : doc.value("cniArgs", json::array())) {
      e.cni_args.emplace_back(kv.at(0).get<std::string>(), kv.at(1).get<std::string>());
    }
    return e;
  } catch (const json::exception& ex) {
    return Status::Internal(fmt::format("CNI cache entry {} is corrupt: {}", path, ex.what()));
  }
}

// Removes the NAT rules and chain that the bridge plugin's ipMasq added for
// `container_id` (comment `name: "<network>" id: "<id>"`), in case the
// bridge plugin could not (it finds the addresses to unmasquerade by looking
// into the namespace, so it leaks them when the namespace is already gone).
Status SweepIpMasq(const std::string& network, const std::string& container_id, bool v4, bool v6,
                   std::chrono::milliseconds timeout) {
  const std::vector<std::string> path_dirs = {"/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                              "/usr/bin",        "/sbin",          "/bin"};
  const std::string comment = fmt::format("name: \"{}\" id: \"{}\"", network, container_id);
  Status first_error;
  for (const auto& [bin, wanted] : {std::pair<const char*, bool>{"iptables", v4}, {"ip6tables", v6}}) {
    if (!wanted) continue;
    auto path = FindExecutable(path_dirs, bin);
    if (!path) continue;
    auto ipt = [&](std::vector<std::string> args) -> StatusOr<ProcessResult> {
      args.insert(args.begin(), {*path, "-w", "-t", "nat"});
      return RunProcess(*path, args, {kPathEnv}, "", timeout);
    };
    auto listed = ipt({"-S", "POSTROUTING"});
    if (!listed.ok() || listed->exit_code != 0) continue;  // no nat table for this family
    std::istringstream lines(listed->out);
    std::string line;
    std::set<std::string> chains;
    while (std::getline(lines, line)) {
      std::vector<std::string> args = SplitIptablesLine(line);
      if (args.size() < 2 || args[0] != "-A") continue;
      auto c = std::find(args.begin(), args.end(), "--comment");
      if (c == args.end() || c + 1 == args.end() || *(c + 1) != comment) continue;
      args[0] = "-D";
      auto del = ipt(args);
      if (!del.ok() || del->exit_code != 0) {
        if (first_error.ok()) {
          first_error = Status::Internal(fmt::format(
              "{} -D {}: {}", bin, line, del.ok() ? Tail(del->err, 512) : del.status().message()));
        }
      }
      auto j = std::find(args.begin(), args.end(), "-j");
      if (j != args.end() && j + 1 != args.end() && (j + 1)->rfind("CNI-", 0) == 0) {
        chains.insert(*(j + 1));
      }
    }
    for (const auto& chain : chains) {
      (void)ipt({"-F", chain});
      auto x = ipt({"-X", chain});
      if ((!x.ok() || x->exit_code != 0) && first_error.ok()) {
        first_error = Status::Internal(
            fmt::format("{} -X {}: {}", bin, chain, x.ok() ? Tail(x->err, 512) : x.status().message()));
      }
    }
  }
  return first_error;
}

bool UsesIpMasq(const json& list) {
  if (!list.is_object() || !list.contains("plugins") || !list["plugins"].is_array()) return false;
  for (const auto& p : list["plugins"]) {
    if (p.is_object() && p.value("type", "") == "bridge" && p.value("ipMasq", false) == true) return true;
  }
  return false;
}

AttachResult ToAttachResult(const json& result) { return AttachResult{ResultIps(result), result.dump()}; }

// Runs DEL through `list`'s plugins in reverse; returns the first error but
// runs every plugin.
Status DelAll(const Runner& runner, const State& list, const json& prev_result, const Invocation& inv) {
  Status first;
  for (auto it = list.plugins.rbegin(); it != list.plugins.rend(); ++it) {
    auto r = runner.Exec("DEL", PluginType(*it), PluginStdin(list, *it, &prev_result, inv), &inv);
    if (!r.ok() && first.ok()) first = r.status();
  }
  return first;
}

}  // namespace

StatusOr<AttachResult> Network::Add(const AttachRequest& req) {
  ASSIGN_OR_RETURN(Invocation inv, MakeInvocation(req, /*need_netns=*/true));
  std::lock_guard<std::mutex> lock(KeyLock(req.container_id, req.ifname));
  Runner runner(bin_dirs_, options_);
  {
    // Version negotiation: every plugin must accept the list's cniVersion.
    // Checked on every Add (a VERSION exec is a few ms; binaries may change).
    std::set<std::string> seen;
    for (const auto& p : state_->plugins) {
      std::string type = PluginType(p);
      if (!seen.insert(type).second) continue;
      RETURN_IF_ERROR(runner.CheckVersion(type, state_->cni_version));
    }
  }
  json prev;
  for (size_t i = 0; i < state_->plugins.size(); ++i) {
    const json& plugin = state_->plugins[i];
    auto r = runner.Exec("ADD", PluginType(plugin), PluginStdin(*state_, plugin, &prev, inv), &inv);
    if (r.ok() && !r->is_object()) {
      r = Status::Internal(fmt::format("CNI plugin \"{}\" ADD: returned no result", PluginType(plugin)));
    }
    if (!r.ok()) {
      Status del = DelAll(runner, *state_, prev, inv);
      if (UsesIpMasq(state_->raw))
        (void)SweepIpMasq(state_->name, inv.container_id, true, true, options_.plugin_timeout);
      if (!del.ok()) LogWarning("CNI cleanup after failed ADD of {}: {}", inv.container_id, del.ToString());
      return r.status().WithPrefix(fmt::format("network \"{}\"", state_->name));
    }
    prev = std::move(r).value();
  }
  json entry = {{"kind", kCacheKind},
                {"containerId", inv.container_id},
                {"ifName", inv.ifname},
                {"networkName", state_->name},
                {"config", state_->raw},
                {"cniArgs", json::array()},
                {"capabilityArgs", inv.capability_args},
                {"result", prev}};
  for (const auto& [k, v] : inv.cni_args) entry["cniArgs"].push_back({k, v});
  std::error_code ec;
  fs::create_directories(cache_dir_, ec);
  Status cached = ec ? Status::Internal(fmt::format("mkdir {}: {}", cache_dir_, ec.message()))
                     : WriteFileAtomic(CachePath(cache_dir_, state_->name, inv.container_id, inv.ifname),
                                       entry.dump(), fs::perms::owner_read | fs::perms::owner_write);
  if (!cached.ok()) {
    (void)DelAll(runner, *state_, prev, inv);
    return cached.WithPrefix(fmt::format("network \"{}\": caching the result", state_->name));
  }
  return ToAttachResult(prev);
}

Status Network::Del(const AttachRequest& req) {
  ASSIGN_OR_RETURN(Invocation inv, MakeInvocation(req, /*need_netns=*/false));
  std::lock_guard<std::mutex> lock(KeyLock(req.container_id, req.ifname));
  Runner runner(bin_dirs_, options_);
  const std::string cache_path = CachePath(cache_dir_, state_->name, inv.container_id, inv.ifname);
  const State* list = state_.get();
  std::unique_ptr<State> cached_list;
  json prev;
  auto entry = ReadCache(cache_path);
  if (entry.ok()) {
    prev = entry->result;
    if (!entry->capability_args.is_null()) inv.capability_args = entry->capability_args;
    // The configuration of the ADD is what must be undone (the file may have
    // changed since); fall back to the current one if it does not parse.
    auto parsed = ParseConfig(entry->config.dump(), cache_path, /*single=*/false);
    if (parsed.ok()) {
      cached_list = std::move(parsed).value();
      list = cached_list.get();
    } else {
      LogWarning("CNI: ignoring the cached config in {}: {}", cache_path, parsed.status().ToString());
    }
  } else if (entry.status().code() != StatusCode::kNotFound) {
    LogWarning("CNI: {}", entry.status().ToString());
  }
  Status status = DelAll(runner, *list, prev, inv);
  if (UsesIpMasq(list->raw)) {
    auto ips = ResultIps(prev);
    bool v4 =
        ips.empty() || std::any_of(ips.begin(), ips.end(), [](auto& s) { return s.find(':') == s.npos; });
    bool v6 =
        ips.empty() || std::any_of(ips.begin(), ips.end(), [](auto& s) { return s.find(':') != s.npos; });
    Status swept = SweepIpMasq(list->name, inv.container_id, v4, v6, options_.plugin_timeout);
    if (status.ok()) status = swept;
  }
  if (!status.ok()) return status.WithPrefix(fmt::format("network \"{}\"", list->name));
  std::error_code ec;
  fs::remove(cache_path, ec);
  if (ec) return Status::Internal(fmt::format("remove CNI cache entry {}: {}", cache_path, ec.message()));
  return Status::Ok();
}

Status Network::Check(const AttachRequest& req) {
  ASSIGN_OR_RETURN(Invocation inv, MakeInvocation(req, /*need_netns=*/true));
  std::lock_guard<std::mutex> lock(KeyLock(req.container_id, req.ifname));
  if (state_->disable_check) return Status::Ok();
  if (ParseVersion(state_->cni_version) < std::make_tuple(0, 4, 0)) {
    return Status::Invalid(
        fmt::format("network \"{}\": cniVersion {} does not support CHECK (needs 0.4.0 or later)",
                    state_->name, state_->cni_version));
  }
  const std::string cache_path = CachePath(cache_dir_, state_->name, inv.container_id, inv.ifname);
  auto entry = ReadCache(cache_path);
  if (!entry.ok()) {
    if (entry.status().code() == StatusCode::kNotFound) {
      return Status::NotFound(fmt::format("network \"{}\": no cached result for container {} interface {}",
                                          state_->name, inv.container_id, inv.ifname));
    }
    return entry.status();
  }
  if (!entry->capability_args.is_null()) inv.capability_args = entry->capability_args;
  Runner runner(bin_dirs_, options_);
  for (const auto& plugin : state_->plugins) {
    auto r =
        runner.Exec("CHECK", PluginType(plugin), PluginStdin(*state_, plugin, &entry->result, inv), &inv);
    if (!r.ok()) return r.status().WithPrefix(fmt::format("network \"{}\"", state_->name));
  }
  return Status::Ok();
}

StatusOr<AttachResult> Network::CachedResult(const std::string& container_id,
                                             const std::string& ifname) const {
  if (!ValidIdent(container_id) || !ValidIfname(ifname)) {
    return Status::Invalid(fmt::format("bad container id \"{}\" or ifname \"{}\"", container_id, ifname));
  }
  auto entry = ReadCache(CachePath(cache_dir_, state_->name, container_id, ifname));
  if (!entry.ok()) {
    if (entry.status().code() == StatusCode::kNotFound) {
      return Status::NotFound(fmt::format("network \"{}\": no cached result for container {} interface {}",
                                          state_->name, container_id, ifname));
    }
    return entry.status();
  }
  return ToAttachResult(entry->result);
}

std::vector<Network::Attachment> Network::ListCachedAttachments() const {
  std::vector<Attachment> out;
  std::error_code ec;
  const std::string prefix = state_->name + "-";
  for (fs::directory_iterator it(cache_dir_, ec), end; !ec && it != end; it.increment(ec)) {
    std::string file = it->path().filename().string();
    if (file.rfind(prefix, 0) != 0) continue;
    auto text = ReadFile(it->path().string());
    if (!text.ok()) continue;
    json doc = json::parse(*text, nullptr, /*allow_exceptions=*/false);
    if (!doc.is_object() || doc.value("networkName", "") != state_->name) continue;
    Attachment a{doc.value("containerId", ""), doc.value("ifName", "")};
    if (ValidIdent(a.container_id) && ValidIfname(a.ifname)) out.push_back(std::move(a));
  }
  std::sort(out.begin(), out.end(), [](const Attachment& a, const Attachment& b) {
    return std::tie(a.container_id, a.ifname) < std::tie(b.container_id, b.ifname);
  });
  return out;
}

// ---------------------------------------------------------------------------
// Default configuration

std::string DefaultConfigFileName(const std::string& network_name) {
  return fmt::format("10-{}.conflist", network_name);
}

StatusOr<std::string> WriteDefaultConfig(const DefaultConfigOptions& o) {
  if (o.conf_dir.empty()) return Status::Invalid("conf_dir: required");
  if (!ValidIdent(o.network_name)) {
    return Status::Invalid(
        fmt::format("network name \"{}\": must start with a letter or digit and hold only "
                    "letters, digits, '_', '.', '-'",
                    o.network_name));
  }
  if (!ValidIfname(o.bridge_name)) {
    return Status::Invalid(fmt::format(
        "bridge name \"{}\": must be 1 to 15 characters without '/', ':' or spaces", o.bridge_name));
  }
  if (o.ipam_data_dir.empty() || o.ipam_data_dir[0] != '/') {
    return Status::Invalid(fmt::format("ipam data dir \"{}\": must be an absolute path", o.ipam_data_dir));
  }
  if (!ValidVersionString(o.cni_version)) {
    return Status::Invalid(fmt::format("cniVersion \"{}\": not a version like \"1.0.0\"", o.cni_version));
  }
  // The pod CIDR: address/prefix, IPv4 or IPv6.
  bool v6 = o.pod_cidr.find(':') != std::string::npos;
  {
    size_t slash = o.pod_cidr.find('/');
    unsigned char buf[16];
    bool ok = slash != std::string::npos &&
              inet_pton(v6 ? AF_INET6 : AF_INET, o.pod_cidr.substr(0, slash).c_str(), buf) == 1;
    if (ok) {
      std::string prefix = o.pod_cidr.substr(slash + 1);
      ok = !prefix.empty() && prefix.size() <= 3 && std::all_of(prefix.begin(), prefix.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      });
      if (ok) {
        int bits = std::stoi(prefix);
        ok = bits >= 1 && bits <= (v6 ? 126 : 30);  // room for a gateway and at least one pod
      }
    }
    if (!ok)
      return Status::Invalid(
          fmt::format("pod CIDR \"{}\": not an address/prefix like 10.42.0.0/24", o.pod_cidr));
  }
  json bridge = {{"type", "bridge"},
                 {"bridge", o.bridge_name},
                 {"isGateway", true},
                 {"ipMasq", o.ip_masq},
                 {"hairpinMode", true},
                 {"ipam",
                  {{"type", "host-local"},
                   {"ranges", json::array({json::array({{{"subnet", o.pod_cidr}}})})},
                   {"routes", json::array({{{"dst", v6 ? "::/0" : "0.0.0.0/0"}}})},
                   {"dataDir", o.ipam_data_dir}}}};
  if (o.mtu > 0) bridge["mtu"] = o.mtu;
  json portmap = {{"type", "portmap"}, {"capabilities", {{"portMappings", true}}}, {"snat", true}};
  json list = {
      {"cniVersion", o.cni_version}, {"name", o.network_name}, {"plugins", json::array({bridge, portmap})}};
  std::error_code ec;
  fs::create_directories(o.conf_dir, ec);
  if (ec) return Status::Internal(fmt::format("mkdir {}: {}", o.conf_dir, ec.message()));
  std::string path = (fs::path(o.conf_dir) / DefaultConfigFileName(o.network_name)).string();
  RETURN_IF_ERROR(WriteFileAtomic(
      path, list.dump(2) + "\n",
      fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read));
  return path;
}

}  // namespace kubepp::network::cni
