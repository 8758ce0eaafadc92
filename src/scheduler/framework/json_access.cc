#include "scheduler/framework/json_access.h"

#include <nlohmann/json.hpp>

namespace kubepp::scheduler::internal {

const nlohmann::json *Find(const nlohmann::json &obj, std::initializer_list<const char *> path) {
  const nlohmann::json *cur = &obj;
  for (const char *key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end() || it->is_null()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string StringAt(const nlohmann::json &obj, std::initializer_list<const char *> path) {
  const nlohmann::json *value = Find(obj, path);
  return value != nullptr && value->is_string() ? value->get<std::string>() : "";
}

}  // namespace kubepp::scheduler::internal
