// kubepp: one binary, one subcommand per role (ARCHITECTURE.md §1).
// Flags and wiring only; the logic lives in the component libraries.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "cmd/commands.h"

namespace {

constexpr const char* kUsage =
    "Usage: kubepp <command> [flags]\n"
    "\n"
    "Commands:\n"
    "  server    run the control plane (today: the datastore only)\n"
    "  version   print the version\n"
    "\n"
    "Run 'kubepp <command> --help' for a command's flags.\n";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "--help" || command == "-h" || command == "help") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "version" || command == "--version") {
    // The Kubernetes minor whose API kubepp serves (ARCHITECTURE.md §1).
    std::printf("kubepp v0.1.0 (Kubernetes API v1.33)\n");
    return 0;
  }
  if (command == "server") return kubepp::cmd::RunServer(args);
  std::fprintf(stderr, "kubepp: unknown command \"%s\"\n\n%s", command.c_str(), kUsage);
  return 2;
}
