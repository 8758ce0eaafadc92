#include "network/cni/netns.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <net/if.h>
#include <sched.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

namespace kubepp::network::cni {
namespace {

Status ErrnoStatus(std::string_view what, int err) {
  return Status::Internal(fmt::format("{}: {}", what, strerror(err)));
}

// Serializes the one-time set-up of a namespace directory within this process.
std::mutex& DirMutex() {
  static std::mutex mu;
  return mu;
}

// Decodes the octal escapes (\040 for a space...) mountinfo uses in paths.
std::string UnescapeMountinfo(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size()) {
      int v = 0;
      bool ok = true;
      for (size_t j = 1; j <= 3; ++j) {
        char c = s[i + j];
        if (c < '0' || c > '7') ok = false;
        v = v * 8 + (c - '0');
      }
      if (ok) {
        out.push_back(static_cast<char>(v));
        i += 3;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

// Number of mounts whose mount point is exactly `path` (absolute, canonical)
// and whose root is not the root of its filesystem (i.e. bind mounts of a
// directory, as made by MakeSharedDir).
int CountBindMountsAt(const std::string& path) {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  int count = 0;
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, devno, root, mount_point;
    if (!(fields >> id >> parent >> devno >> root >> mount_point)) continue;
    if (UnescapeMountinfo(mount_point) == path && root != "/") ++count;
  }
  return count;
}

// Makes `dir` a shared mount point, binding it onto itself when it is not a
// mount point yet (what `ip netns add` does for /run/netns).
Status MakeSharedDir(const std::string& dir) {
  std::lock_guard<std::mutex> lock(DirMutex());
  bool bound = false;
  for (;;) {
    if (mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) == 0) return Status::Ok();
    if (errno != EINVAL || bound) return ErrnoStatus(fmt::format("mount --make-rshared {}", dir), errno);
    if (mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0) {
      return ErrnoStatus(fmt::format("mount --rbind {} {}", dir, dir), errno);
    }
    bound = true;
  }
}

bool ValidName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos && name.size() <= 255;
}

}  // namespace

StatusOr<std::string> CreateNetns(const std::string& dir, const std::string& name) {
  if (!ValidName(name))
    return Status::Invalid(fmt::format("netns name \"{}\" is not a plain file name", name));
  if (dir.empty()) return Status::Invalid("netns dir is empty");
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Internal(fmt::format("mkdir {}: {}", dir, ec.message()));
  std::string abs_dir = std::filesystem::canonical(dir, ec).string();
  if (ec) return Status::Internal(fmt::format("resolve {}: {}", dir, ec.message()));
  RETURN_IF_ERROR(MakeSharedDir(abs_dir));

  std::string path = abs_dir + "/" + name;
  int fd = ::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0);
  if (fd < 0) {
    if (errno == EEXIST) return Status::AlreadyExists(fmt::format("netns {} already exists", path));
    return ErrnoStatus(fmt::format("create {}", path), errno);
  }
  ::close(fd);

  // unshare(CLONE_NEWNET) moves only the calling thread, so a throwaway thread
  // creates the namespace and pins it before exiting.
  Status status;
  std::thread worker([&] {
    if (unshare(CLONE_NEWNET) != 0) {
      status = ErrnoStatus("unshare(CLONE_NEWNET)", errno);
      return;
    }
    if (mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
      status = ErrnoStatus(fmt::format("bind mount netns onto {}", path), errno);
    }
  });
  worker.join();
  if (!status.ok()) {
    ::unlink(path.c_str());
    return status;
  }
  return path;
}

Status DeleteNetns(const std::string& path) {
  if (umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
    return ErrnoStatus(fmt::format("umount {}", path), errno);
  }
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    return ErrnoStatus(fmt::format("remove {}", path), errno);
  }
  return Status::Ok();
}

Status ReleaseNetnsDir(const std::string& dir) {
  std::error_code ec;
  std::string abs_dir = std::filesystem::canonical(dir, ec).string();
  if (ec) return Status::Ok();  // gone: nothing mounted there
  std::lock_guard<std::mutex> lock(DirMutex());
  for (int n = CountBindMountsAt(abs_dir); n > 0; --n) {
    if (umount2(abs_dir.c_str(), MNT_DETACH) != 0 && errno != EINVAL) {
      return ErrnoStatus(fmt::format("umount {}", abs_dir), errno);
    }
  }
  return Status::Ok();
}

Status RunInNetns(const std::string& path, std::function<void()> fn) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return Status::NotFound(fmt::format("netns {} does not exist", path));
    return ErrnoStatus(fmt::format("open netns {}", path), errno);
  }
  Status status;
  std::thread worker([&] {
    if (setns(fd, CLONE_NEWNET) != 0) {
      status = ErrnoStatus(fmt::format("setns {} (not a network namespace?)", path), errno);
      return;
    }
    try {
      fn();
    } catch (const std::exception& e) {
      status = Status::Internal(fmt::format("in netns {}: {}", path, e.what()));
    } catch (...) {
      status = Status::Internal(fmt::format("in netns {}: unknown exception", path));
    }
  });
  worker.join();
  ::close(fd);
  return status;
}

Status BringUpLoopback(const std::string& netns_path) {
  Status inner;
  Status outer = RunInNetns(netns_path, [&] {
    int s = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (s < 0) {
      inner = ErrnoStatus("socket", errno);
      return;
    }
    ifreq req{};
    strncpy(req.ifr_name, "lo", IFNAMSIZ - 1);
    if (ioctl(s, SIOCGIFFLAGS, &req) != 0) {
      inner = ErrnoStatus("get flags of lo", errno);
    } else if (!(req.ifr_flags & IFF_UP)) {
      req.ifr_flags = static_cast<short>(req.ifr_flags | IFF_UP);
      if (ioctl(s, SIOCSIFFLAGS, &req) != 0) inner = ErrnoStatus("set lo up", errno);
    }
    ::close(s);
  });
  if (!outer.ok()) return outer;
  if (!inner.ok()) return inner.WithPrefix(fmt::format("netns {}", netns_path));
  return Status::Ok();
}

}  // namespace kubepp::network::cni
