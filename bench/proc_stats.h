// What the benchmarks read about a process they started: /proc/<pid>/status
// fields (VmRSS, VmHWM) and CPU time. Header-only; Linux only.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

namespace kubepp::bench {

// A "<field>: <n> kB" line of /proc/<pid>/status (field with its colon,
// e.g. "VmHWM:"), in kB; -1 when absent.
inline long ProcStatusKb(pid_t pid, const char* field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(field, 0) == 0) return std::strtol(line.c_str() + std::strlen(field), nullptr, 10);
  }
  return -1;
}

// user+system CPU seconds of `pid` (fields 14 and 15 of /proc/<pid>/stat); -1 on error.
inline double ProcCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  size_t paren = text.rfind(')');
  if (paren == std::string::npos) return -1;
  std::istringstream rest(text.substr(paren + 2));
  std::vector<std::string> f;
  std::string tok;
  while (rest >> tok) f.push_back(tok);
  if (f.size() < 13) return -1;  // f[0] is field 3 (state)
  double ticks = static_cast<double>(sysconf(_SC_CLK_TCK));
  return (std::strtod(f[11].c_str(), nullptr) + std::strtod(f[12].c_str(), nullptr)) / ticks;
}

}  // namespace kubepp::bench
