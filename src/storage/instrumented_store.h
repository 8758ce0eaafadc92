// A Store decorator that times every call of the wrapped store and reports
// it to an observer (the API server's /metrics: etcd_request_duration_seconds
// by operation, as upstream names it). Watches are timed at creation only.
//
// Ownership: borrows the inner store, which must outlive the decorator.
// Thread-safety: as the inner store; the observer is called concurrently.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string_view>

#include "storage/storage.h"

namespace kubepp::storage {

// operation: "get", "list", "create", "put", "update", "delete", "watch",
// "compact", "grant", "revoke", "keepalive".
using StoreObserver = std::function<void(std::string_view operation, std::chrono::nanoseconds latency)>;

std::unique_ptr<Store> NewInstrumentedStore(Store& inner, StoreObserver observer);

}  // namespace kubepp::storage
