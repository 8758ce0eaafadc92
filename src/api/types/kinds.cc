#include "api/types/kinds.h"

namespace kubepp::api {
namespace types_internal {
std::span<const KindInfo> GeneratedKinds();  // kinds_table.cc (generated)
}  // namespace types_internal

std::span<const KindInfo> AllKinds() { return types_internal::GeneratedKinds(); }

const KindInfo* FindKind(std::string_view api_version, std::string_view kind) {
  for (const KindInfo& k : AllKinds()) {
    if (k.api_version == api_version && k.kind == kind) return &k;
  }
  return nullptr;
}

}  // namespace kubepp::api
