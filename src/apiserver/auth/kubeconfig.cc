#include "apiserver/auth/kubeconfig.h"

#include <nlohmann/json.hpp>

#include "api/yaml/yaml.h"
#include "apiserver/auth/files.h"
#include "common/encoding.h"

namespace kubepp::apiserver::auth {

using nlohmann::json;

std::string RenderKubeconfig(std::string_view server, std::string_view ca_pem, std::string_view client_cert_pem,
                             std::string_view client_key_pem) {
  json doc = {
      {"apiVersion", "v1"},
      {"kind", "Config"},
      {"clusters",
       json::array({{{"name", "default"},
                     {"cluster",
                      {{"server", std::string(server)}, {"certificate-authority-data", Base64Encode(ca_pem)}}}}})},
      {"users", json::array({{{"name", "default"},
                              {"user",
                               {{"client-certificate-data", Base64Encode(client_cert_pem)},
                                {"client-key-data", Base64Encode(client_key_pem)}}}}})},
      {"contexts", json::array({{{"name", "default"}, {"context", {{"cluster", "default"}, {"user", "default"}}}}})},
      {"current-context", "default"},
      {"preferences", json::object()},
  };
  return api::yaml::ToYaml(doc);
}

Status WriteKubeconfig(const std::string& path, std::string_view server, std::string_view ca_pem,
                       std::string_view client_cert_pem, std::string_view client_key_pem) {
  return WriteFileAtomic(path, RenderKubeconfig(server, ca_pem, client_cert_pem, client_key_pem), 0600);
}

StatusOr<std::string> WriteAdminKubeconfig(const std::string& data_dir, int port, const Pki& pki) {
  if (port <= 0 || port > 65535) return Status::Invalid("kubeconfig: port " + std::to_string(port) + " out of range");
  std::string path = data_dir + "/kubeconfig.yaml";
  RETURN_IF_ERROR(WriteKubeconfig(path, "https://127.0.0.1:" + std::to_string(port), pki.ca.cert_pem,
                                  pki.admin_client.cert_pem, pki.admin_client.key_pem));
  return path;
}

namespace {

class Parser {
 public:
  Parser(std::string base_dir, std::string origin) : base_dir_(std::move(base_dir)), origin_(std::move(origin)) {}

  Status Err(const std::string& field, const std::string& why, StatusCode code = StatusCode::kBadRequest) const {
    return Status(code, "kubeconfig " + origin_ + ": " + field + ": " + why);
  }

  // Optional string field of `obj` at path `field`.
  StatusOr<std::string> Str(const json& obj, const std::string& key, const std::string& field) const {
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return std::string();
    if (!it->is_string()) return Err(field, "must be a string");
    return it->get<std::string>();
  }

  // The entry of a named list ("clusters", "users", "contexts") named `name`;
  // returns its inner object (key `inner`) and sets `field` to its path.
  StatusOr<const json*> Find(const json& doc, const std::string& list, const std::string& inner,
                             const std::string& name, std::string* field) const {
    auto it = doc.find(list);
    if (it == doc.end() || it->is_null()) return Err(list, "no entry named \"" + name + "\"", StatusCode::kNotFound);
    if (!it->is_array()) return Err(list, "must be a list");
    for (size_t i = 0; i < it->size(); ++i) {
      const json& e = (*it)[i];
      std::string at = list + "[" + std::to_string(i) + "]";
      if (!e.is_object()) return Err(at, "must be an object");
      ASSIGN_OR_RETURN(std::string n, Str(e, "name", at + ".name"));
      if (n != name) continue;
      auto in = e.find(inner);
      *field = at + "." + inner;
      if (in == e.end() || in->is_null()) {
        static const json kEmpty = json::object();
        return &kEmpty;
      }
      if (!in->is_object()) return Err(*field, "must be an object");
      return &*in;
    }
    return Err(list, "no entry named \"" + name + "\"", StatusCode::kNotFound);
  }

  // `data_key` (base64) wins over `file_key` (a path); "" when both unset.
  StatusOr<std::string> DataOrFile(const json& obj, const std::string& at, const std::string& data_key,
                                   const std::string& file_key) const {
    ASSIGN_OR_RETURN(std::string data, Str(obj, data_key, at + "." + data_key));
    if (!data.empty()) {
      std::optional<std::string> decoded = Base64Decode(data);
      if (!decoded) return Err(at + "." + data_key, "illegal base64 data");
      return *std::move(decoded);
    }
    ASSIGN_OR_RETURN(std::string file, Str(obj, file_key, at + "." + file_key));
    if (file.empty()) return std::string();
    return ReadRef(file, at + "." + file_key);
  }

  StatusOr<std::string> ReadRef(const std::string& file, const std::string& field) const {
    std::string path = (file[0] == '/' || base_dir_.empty()) ? file : base_dir_ + "/" + file;
    auto content = ReadFile(path);
    if (!content.ok()) return Err(field, content.status().message(), content.status().code());
    return *std::move(content);
  }

 private:
  std::string base_dir_;
  std::string origin_;
};

}  // namespace

StatusOr<KubeconfigContext> ParseKubeconfig(std::string_view text, const std::string& base_dir,
                                            const std::string& origin, std::string_view context) {
  Parser p(base_dir, origin);
  auto parsed = api::yaml::ParseYaml(text);
  if (!parsed.ok()) return Status::BadRequest("kubeconfig " + origin + ": " + parsed.status().message());
  const json& doc = *parsed;
  if (!doc.is_object()) return p.Err("(document)", "must be a mapping");

  KubeconfigContext out;
  if (context.empty()) {
    ASSIGN_OR_RETURN(out.context_name, p.Str(doc, "current-context", "current-context"));
    if (out.context_name.empty()) return p.Err("current-context", "not set and no context named");
  } else {
    out.context_name = std::string(context);
  }
  std::string at;
  ASSIGN_OR_RETURN(const json* ctx, p.Find(doc, "contexts", "context", out.context_name, &at));
  ASSIGN_OR_RETURN(out.cluster_name, p.Str(*ctx, "cluster", at + ".cluster"));
  ASSIGN_OR_RETURN(out.user_name, p.Str(*ctx, "user", at + ".user"));
  ASSIGN_OR_RETURN(out.namespace_, p.Str(*ctx, "namespace", at + ".namespace"));
  if (out.cluster_name.empty()) return p.Err(at + ".cluster", "must be set");

  ASSIGN_OR_RETURN(const json* cluster, p.Find(doc, "clusters", "cluster", out.cluster_name, &at));
  ASSIGN_OR_RETURN(out.server, p.Str(*cluster, "server", at + ".server"));
  if (out.server.empty()) return p.Err(at + ".server", "must be set");
  ASSIGN_OR_RETURN(out.ca_pem, p.DataOrFile(*cluster, at, "certificate-authority-data", "certificate-authority"));
  ASSIGN_OR_RETURN(out.tls_server_name, p.Str(*cluster, "tls-server-name", at + ".tls-server-name"));
  if (auto it = cluster->find("insecure-skip-tls-verify"); it != cluster->end() && !it->is_null()) {
    if (!it->is_boolean()) return p.Err(at + ".insecure-skip-tls-verify", "must be a boolean");
    out.insecure_skip_tls_verify = it->get<bool>();
  }

  if (!out.user_name.empty()) {
    ASSIGN_OR_RETURN(const json* user, p.Find(doc, "users", "user", out.user_name, &at));
    ASSIGN_OR_RETURN(out.client_cert_pem, p.DataOrFile(*user, at, "client-certificate-data", "client-certificate"));
    ASSIGN_OR_RETURN(out.client_key_pem, p.DataOrFile(*user, at, "client-key-data", "client-key"));
    if (out.client_cert_pem.empty() != out.client_key_pem.empty()) {
      return p.Err(at, out.client_cert_pem.empty() ? "client-key set without client-certificate"
                                                   : "client-certificate set without client-key");
    }
    ASSIGN_OR_RETURN(out.token, p.Str(*user, "token", at + ".token"));
    if (out.token.empty()) {
      ASSIGN_OR_RETURN(std::string token_file, p.Str(*user, "tokenFile", at + ".tokenFile"));
      if (!token_file.empty()) {
        ASSIGN_OR_RETURN(out.token, p.ReadRef(token_file, at + ".tokenFile"));
        while (!out.token.empty() && std::isspace(static_cast<unsigned char>(out.token.back()))) out.token.pop_back();
        size_t lead = 0;
        while (lead < out.token.size() && std::isspace(static_cast<unsigned char>(out.token[lead]))) ++lead;
        out.token.erase(0, lead);
      }
    }
  }
  return out;
}

StatusOr<KubeconfigContext> LoadKubeconfig(const std::string& path, std::string_view context) {
  ASSIGN_OR_RETURN(std::string text, ReadFile(path));
  auto slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : (slash == 0 ? "/" : path.substr(0, slash));
  return ParseKubeconfig(text, dir, path, context);
}

}  // namespace kubepp::apiserver::auth
