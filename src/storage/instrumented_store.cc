#include "storage/instrumented_store.h"

namespace kubepp::storage {
namespace {

// Runs f and reports how long it took.
template <typename F>
auto TimeCall(const StoreObserver& observer, std::string_view op, F&& f) {
  auto start = std::chrono::steady_clock::now();
  auto result = f();
  if (observer) observer(op, std::chrono::steady_clock::now() - start);
  return result;
}

class InstrumentedStore final : public Store {
 public:
  InstrumentedStore(Store& inner, StoreObserver observer) : inner_(inner), observer_(std::move(observer)) {}

  int64_t CurrentRevision() override { return inner_.CurrentRevision(); }
  int64_t CompactRevision() override { return inner_.CompactRevision(); }
  StatusOr<KeyValue> Get(std::string_view key, int64_t revision) override {
    return TimeCall(observer_, "get", [&] { return inner_.Get(key, revision); });
  }
  StatusOr<ListResult> List(const ListOptions& options) override {
    return TimeCall(observer_, "list", [&] { return inner_.List(options); });
  }
  WriteResult Create(std::string_view key, std::string_view value, int64_t lease) override {
    return TimeCall(observer_, "create", [&] { return inner_.Create(key, value, lease); });
  }
  WriteResult Put(std::string_view key, std::string_view value, int64_t lease) override {
    return TimeCall(observer_, "put", [&] { return inner_.Put(key, value, lease); });
  }
  WriteResult Update(std::string_view key, std::string_view value, int64_t expected, int64_t lease) override {
    return TimeCall(observer_, "update", [&] { return inner_.Update(key, value, expected, lease); });
  }
  WriteResult Delete(std::string_view key, int64_t expected) override {
    return TimeCall(observer_, "delete", [&] { return inner_.Delete(key, expected); });
  }
  StatusOr<WatchPtr> Watch(const WatchOptions& options) override {
    return TimeCall(observer_, "watch", [&] { return inner_.Watch(options); });
  }
  Status Compact(int64_t revision) override {
    return TimeCall(observer_, "compact", [&] { return inner_.Compact(revision); });
  }
  StatusOr<int64_t> Grant(std::chrono::seconds ttl) override {
    return TimeCall(observer_, "grant", [&] { return inner_.Grant(ttl); });
  }
  Status Revoke(int64_t lease) override {
    return TimeCall(observer_, "revoke", [&] { return inner_.Revoke(lease); });
  }
  StatusOr<std::chrono::seconds> KeepAlive(int64_t lease) override {
    return TimeCall(observer_, "keepalive", [&] { return inner_.KeepAlive(lease); });
  }

 private:
  Store& inner_;
  const StoreObserver observer_;
};

}  // namespace

std::unique_ptr<Store> NewInstrumentedStore(Store& inner, StoreObserver observer) {
  return std::make_unique<InstrumentedStore>(inner, std::move(observer));
}

}  // namespace kubepp::storage
