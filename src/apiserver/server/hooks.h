// The registry hooks of the real server: kind strategies (defaults,
// validation) from apiserver/strategy and managedFields tracking from
// apiserver/fieldmanager. Thread-safe (stateless).
#pragma once

#include <memory>

#include "apiserver/registry/registry.h"

namespace kubepp::apiserver {

std::unique_ptr<registry::Hooks> NewStrategyHooks();

}  // namespace kubepp::apiserver
