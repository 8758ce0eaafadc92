// kubepp: one binary, one subcommand per role (ARCHITECTURE.md §1).
// Flags and wiring only; the logic lives in the component libraries.
#include <cstdio>
#include <cstring>
#include <string>

int main(int argc, char** argv) {
  if (argc < 2 || std::strcmp(argv[1], "--help") == 0) {
    std::fprintf(stderr, "usage: kubepp <server|version> [flags]\n");
    return argc < 2 ? 2 : 0;
  }
  std::fprintf(stderr, "kubepp: unknown command \"%s\"\n", argv[1]);
  return 2;
}
