#include "client/transport.h"

#include "common/strings.h"

namespace kubepp::client {

std::optional<std::string_view> FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [k, v] : headers) {
    if (EqualsIgnoreCase(k, name)) return std::string_view(v);
  }
  return std::nullopt;
}

void CancelToken::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return;
  cancelled_ = true;
  if (action_) {
    auto action = std::move(action_);
    action_ = nullptr;
    action();
  }
}

bool CancelToken::cancelled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cancelled_;
}

bool CancelToken::SetAction(std::function<void()> action) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cancelled_) return false;
  action_ = std::move(action);
  return true;
}

void CancelToken::ClearAction() {
  std::lock_guard<std::mutex> lock(mu_);
  action_ = nullptr;
}

}  // namespace kubepp::client
