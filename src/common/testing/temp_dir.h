// TempDir: a fresh directory under $TMPDIR (or /tmp), removed with its
// contents when the TempDir is destroyed. For tests and benchmarks.
//
// Named kubepp::TempDir, not kubepp::testing::..., so that it never shadows
// GoogleTest's ::testing inside namespace kubepp. Not thread-safe; one owner.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>
#include <string_view>

namespace kubepp {

class TempDir {
 public:
  // The directory is named "<prefix>-XXXXXX". path() is empty if it could
  // not be created (tests should ASSERT on ok()).
  explicit TempDir(std::string_view prefix = "kubepp") {
    const char* base = getenv("TMPDIR");
    std::string tmpl = std::string(base && *base ? base : "/tmp") + "/" + std::string(prefix) + "-XXXXXX";
    if (mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  bool ok() const { return !path_.empty(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace kubepp
