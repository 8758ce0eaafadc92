// Test helpers for auth/ (temporary directories: common/testing/temp_dir.h).
#pragma once

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "common/testing/temp_dir.h"

namespace kubepp::apiserver::auth::testing {

inline mode_t FileMode(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return 0;
  return st.st_mode & 07777;
}

}  // namespace kubepp::apiserver::auth::testing
