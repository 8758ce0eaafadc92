#include "apiserver/patch/internal.h"

#include <string>

#include <nlohmann/json.hpp>

namespace kubepp::apiserver::patch::internal {

std::string GoJsonTypeName(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      return "object";
    case nlohmann::json::value_t::array:
      return "array";
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::boolean:
      return "bool";
    case nlohmann::json::value_t::null:
      return "null";
    default:
      return "number";
  }
}

Status TooDeep() {
  return Status::BadRequest("the patch nests objects and lists more than " + std::to_string(kMaxPatchDepth) +
                            " levels deep");
}

}  // namespace kubepp::apiserver::patch::internal
