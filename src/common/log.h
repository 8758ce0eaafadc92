// Minimal leveled logging to stderr: `LogInfo("store at {}", path)`.
//
// One line per call, prefixed with a UTC timestamp and the level; lines from
// different threads never interleave (one write(2) per line). Thread-safe.
#pragma once

#include <fmt/format.h>

#include <string_view>

namespace kubepp {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

// Lines below this level are dropped. Default kInfo; KUBEPP_LOG_LEVEL=debug
// in the environment lowers it at start.
void SetLogLevel(LogLevel level);
bool LogEnabled(LogLevel level);
void LogLine(LogLevel level, std::string_view text);

template <typename... Args>
void LogInfo(fmt::format_string<Args...> f, Args&&... args) {
  if (LogEnabled(LogLevel::kInfo)) LogLine(LogLevel::kInfo, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void LogWarning(fmt::format_string<Args...> f, Args&&... args) {
  if (LogEnabled(LogLevel::kWarning)) LogLine(LogLevel::kWarning, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void LogError(fmt::format_string<Args...> f, Args&&... args) {
  if (LogEnabled(LogLevel::kError)) LogLine(LogLevel::kError, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void LogDebug(fmt::format_string<Args...> f, Args&&... args) {
  if (LogEnabled(LogLevel::kDebug)) LogLine(LogLevel::kDebug, fmt::format(f, std::forward<Args>(args)...));
}

}  // namespace kubepp
