#include "storage/storage.h"

namespace kubepp::storage {
namespace {
class SteadyClock final : public Clock {
 public:
  TimePoint Now() const override { return std::chrono::steady_clock::now(); }
};
}  // namespace

Clock* RealClock() {
  static SteadyClock clock;
  return &clock;
}

KeyRange KeyRange::Prefix(std::string_view prefix) {
  KeyRange r;
  r.begin = std::string(prefix);
  // The smallest string greater than every string with this prefix: drop
  // trailing 0xff bytes, then increment the last byte.
  std::string end(prefix);
  while (!end.empty() && static_cast<unsigned char>(end.back()) == 0xff) end.pop_back();
  if (end.empty()) {
    r.end = std::string(kUnbounded);
  } else {
    end.back() = static_cast<char>(static_cast<unsigned char>(end.back()) + 1);
    r.end = std::move(end);
  }
  return r;
}

bool KeyRange::Contains(std::string_view key) const {
  if (end.empty()) return key == begin;
  if (key < std::string_view(begin)) return false;
  if (end == kUnbounded) return true;
  return key < std::string_view(end);
}

}  // namespace kubepp::storage
