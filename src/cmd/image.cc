// `kubepp image`: the node's image store from the command line (like
// `crictl images` / `ctr images import`): import, list, pull, rm.
// Flags and wiring only; the store is runtime/image/image_store.h.
//
// The store lives at DATA_DIR/agent/image-store (the agent opens the same
// one); DATA_DIR/agent/images/*.tar are the archives the agent imports at
// start (k3s's airgap folder).
#include <cstdio>
#include <string>
#include <vector>

#include "cmd/commands.h"
#include "common/flags.h"
#include "runtime/image/image_store.h"

namespace kubepp::cmd {

namespace {

constexpr const char* kImageUsage =
    "Usage: kubepp image <command> [flags]\n"
    "\n"
    "Commands:\n"
    "  import FILE...   import docker-save or OCI archives (.tar, .tar.gz, .tar.zst)\n"
    "  list             list images (IMAGE TAG IMAGE ID SIZE)\n"
    "  pull REF         pull an image from its registry (mirrors from --registries-config)\n"
    "  rm REF...        remove tags or images (by id)\n"
    "\n"
    "The store is DATA_DIR/agent/image-store. Run 'kubepp image <command> --help' for flags.\n";

// "1.2MB" as crictl prints sizes (decimal units).
std::string HumanSize(uint64_t bytes) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1000 && u < 4) {
    v /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f%s" : "%.3g%s", v, units[u]);
  return buf;
}

void PrintImages(const std::vector<runtime::image::Image>& images) {
  struct Row {
    std::string repo, tag, id, size;
  };
  std::vector<Row> rows;
  for (const auto& img : images) {
    std::string id = img.id.substr(img.id.find(':') + 1, 13);
    std::string size = HumanSize(img.size);
    if (img.repo_tags.empty()) {
      std::string repo = "<none>";
      if (!img.repo_digests.empty()) repo = img.repo_digests[0].substr(0, img.repo_digests[0].find('@'));
      rows.push_back({repo, "<none>", id, size});
    }
    for (const auto& t : img.repo_tags) {
      size_t colon = t.rfind(':');
      rows.push_back({t.substr(0, colon), t.substr(colon + 1), id, size});
    }
  }
  size_t w0 = 5, w1 = 3, w2 = 8;
  for (const auto& r : rows) {
    w0 = std::max(w0, r.repo.size());
    w1 = std::max(w1, r.tag.size());
    w2 = std::max(w2, r.id.size());
  }
  std::printf("%-*s   %-*s   %-*s   %s\n", static_cast<int>(w0), "IMAGE", static_cast<int>(w1), "TAG",
              static_cast<int>(w2), "IMAGE ID", "SIZE");
  for (const auto& r : rows) {
    std::printf("%-*s   %-*s   %-*s   %s\n", static_cast<int>(w0), r.repo.c_str(), static_cast<int>(w1),
                r.tag.c_str(), static_cast<int>(w2), r.id.c_str(), r.size.c_str());
  }
}

}  // namespace

int RunImage(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fputs(kImageUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  const std::string sub = args[0];
  if (sub != "import" && sub != "list" && sub != "ls" && sub != "pull" && sub != "rm") {
    std::fprintf(stderr, "kubepp image: unknown command \"%s\"\n\n%s", sub.c_str(), kImageUsage);
    return 2;
  }
  std::string data_dir = "/var/lib/kubepp";
  std::string registries_config;
  FlagSet flags("image " + sub);
  flags.String("data-dir", &data_dir, "kubepp data folder; the store is DATA_DIR/agent/image-store");
  flags.String("registries-config", &registries_config,
               "registries.yaml with mirrors and per-registry auth/TLS (k3s format)");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (Status s = flags.Parse(rest); !s.ok()) {
    std::fprintf(stderr, "kubepp image %s: %s\n", sub.c_str(), s.message().c_str());
    return 2;
  }
  if (flags.help_requested()) {
    std::fputs(flags.Usage().c_str(), stdout);
    return 0;
  }
  const auto& pos = flags.positional();
  if ((sub == "list" || sub == "ls") && !pos.empty()) {
    std::fprintf(stderr, "kubepp image list: unexpected argument \"%s\"\n", pos[0].c_str());
    return 2;
  }
  if (sub == "pull" && pos.size() != 1) {
    std::fprintf(stderr, "kubepp image pull: want exactly one image reference\n");
    return 2;
  }
  if ((sub == "import" || sub == "rm") && pos.empty()) {
    std::fprintf(stderr, "kubepp image %s: want at least one %s\n", sub.c_str(),
                 sub == "rm" ? "image" : "file");
    return 2;
  }
  runtime::image::StoreOptions options;
  auto registries = runtime::image::LoadRegistriesConfig(registries_config);
  if (!registries.ok()) {
    std::fprintf(stderr, "kubepp image %s: --registries-config: %s\n", sub.c_str(),
                 registries.status().message().c_str());
    return 2;
  }
  options.registries = std::move(*registries);
  auto store = runtime::image::ImageStore::Open(data_dir + "/agent/image-store", std::move(options));
  if (!store.ok()) {
    std::fprintf(stderr, "kubepp image %s: %s\n", sub.c_str(), store.status().ToString().c_str());
    return 1;
  }
  int rc = 0;
  if (sub == "list" || sub == "ls") {
    PrintImages((*store)->List());
  } else if (sub == "pull") {
    auto img = (*store)->Pull(pos[0]);
    if (!img.ok()) {
      std::fprintf(stderr, "kubepp image pull: %s\n", img.status().ToString().c_str());
      return 1;
    }
    std::printf("Image is up to date for %s\n", img->id.c_str());
  } else if (sub == "import") {
    for (const auto& file : pos) {
      auto imgs = (*store)->Import(file);
      if (!imgs.ok()) {
        std::fprintf(stderr, "kubepp image import: %s\n", imgs.status().ToString().c_str());
        rc = 1;
        continue;
      }
      for (const auto& img : *imgs) {
        std::string name = img.repo_tags.empty() ? std::string("<none>") : img.repo_tags[0];
        std::printf("imported %s (%s)\n", name.c_str(), img.id.c_str());
      }
    }
  } else if (sub == "rm") {
    for (const auto& ref : pos) {
      Status s = (*store)->Remove(ref);
      if (!s.ok()) {
        std::fprintf(stderr, "kubepp image rm: %s\n", s.ToString().c_str());
        rc = 1;
        continue;
      }
      std::printf("Deleted: %s\n", ref.c_str());
    }
  }
  return rc;
}

}  // namespace kubepp::cmd
