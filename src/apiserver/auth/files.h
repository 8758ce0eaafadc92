// Small file helpers for the auth folder: atomic writes with a given mode
// (temp file in the same directory, fsync, rename, fsync of the directory),
// whole-file reads and directory creation.
//
// Thread-safety: stateless; concurrent WriteFileAtomic calls on one path
// leave one complete version (each uses its own temp file).
#pragma once

#include <string>
#include <string_view>
#include <sys/types.h>

#include "common/status.h"

namespace kubepp::apiserver::auth {

// Writes `data` to `path` so that a reader sees either the old or the new
// whole file, with permission bits `mode` (not subject to umask).
// Errors: Internal with the path and errno text.
Status WriteFileAtomic(const std::string& path, std::string_view data, mode_t mode);

// The whole file. Errors: NotFound when it does not exist, Internal otherwise.
StatusOr<std::string> ReadFile(const std::string& path);

// Creates `dir` (and its parents) when missing; sets `mode` on the last one
// when this call created it. Errors: Internal.
Status MakeDirs(const std::string& dir, mode_t mode);

}  // namespace kubepp::apiserver::auth
