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
    "  image     import, list, pull and remove images of the node's image store\n"
    "  scheduler run the scheduler alone against an API server (--kubeconfig)\n"
    "  server    run the control plane: API server, datastore and scheduler\n"
    "  simnodes  run N simulated nodes (scale tests)\n"
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
  if (command == "image") return kubepp::cmd::RunImage(args);
  if (command == "scheduler") return kubepp::cmd::RunScheduler(args);
  if (command == "simnodes") return kubepp::cmd::RunSimnodes(args);
  std::fprintf(stderr, "kubepp: unknown command \"%s\"\n\n%s", command.c_str(), kUsage);
  return 2;
}
