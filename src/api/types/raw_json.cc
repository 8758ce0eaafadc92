#include "api/types/raw_json.h"

#include "api/types/json_support.h"

namespace kubepp::api {

StatusOr<RawJson> RawJson::Parse(std::string_view text) {
  types_internal::Json j;
  RETURN_IF_ERROR(types_internal::ParseJson(text, &j));
  return FromSerialized(types_internal::Dump(j));
}

}  // namespace kubepp::api
