// Entry points of kubepp's subcommands; each parses its own flags.
// Returns the process exit code (0 ok, 1 runtime failure, 2 usage error).
#pragma once

#include <string>
#include <vector>

namespace kubepp::cmd {

int RunServer(const std::vector<std::string>& args);
// `kubepp image import|list|pull|rm` (image.cc).
int RunImage(const std::vector<std::string>& args);
int RunScheduler(const std::vector<std::string>& args);
int RunSimnodes(const std::vector<std::string>& args);

}  // namespace kubepp::cmd
