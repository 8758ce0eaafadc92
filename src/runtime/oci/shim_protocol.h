// The contract between the oci runtime and its per-container shim (kubepp-shim): command
// line, files in the container directory, the ready message, and the attach socket frames.
//
// Files in the container directory (the bundle), written by the shim:
//   init.pid    the container's init pid (written by runc create --pid-file)
//   shim.pid    "<pid> <starttime>" of the shim (starttime from /proc/<pid>/stat field 22)
//   exit        "exit_code=N\nfinished_at=<ns>\noom_killed=0|1\n", written atomically once
//               the init process was reaped and its output drained
//   attach.sock unix stream socket for Attach (frames below), removed when the shim exits
//   runc.log    runc's own log (json lines)
// Ready message (on the fd named by --ready-fd): "ok <init pid>\n" once the container is
// created, or "error <message>\n"; then the fd is closed.
//
// Attach frames (both directions): 1 byte type, 4 bytes big-endian payload length, payload.
// Client -> shim: kStdin (data), kStdinClose, kResize (u16 width, u16 height, big-endian).
// Shim -> client: kStdout, kStderr (data), kExit (i32 exit code) just before it closes.
// Header-only; thread-safe (constants and pure helpers).
#pragma once

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <string>
#include <string_view>

namespace kubepp::runtime::oci::shim {

inline constexpr char kInitPidFile[] = "init.pid";
inline constexpr char kShimPidFile[] = "shim.pid";
inline constexpr char kExitFile[] = "exit";
inline constexpr char kAttachSocket[] = "attach.sock";
inline constexpr char kConsoleSocket[] = "console.sock";
inline constexpr char kRuncLog[] = "runc.log";

enum FrameType : uint8_t {
  kStdin = 0,
  kStdinClose = 1,
  kResize = 2,
  kStdout = 3,
  kStderr = 4,
  kExit = 5,
};

inline std::string Frame(FrameType type, std::string_view payload) {
  std::string f(5, '\0');
  f[0] = static_cast<char>(type);
  uint32_t n = static_cast<uint32_t>(payload.size());
  f[1] = static_cast<char>(n >> 24);
  f[2] = static_cast<char>(n >> 16);
  f[3] = static_cast<char>(n >> 8);
  f[4] = static_cast<char>(n);
  f.append(payload);
  return f;
}

// Pops one complete frame from the front of `buf`; false when incomplete.
inline bool PopFrame(std::string& buf, FrameType* type, std::string* payload) {
  if (buf.size() < 5) return false;
  uint32_t n = (static_cast<uint32_t>(static_cast<uint8_t>(buf[1])) << 24) |
               (static_cast<uint32_t>(static_cast<uint8_t>(buf[2])) << 16) |
               (static_cast<uint32_t>(static_cast<uint8_t>(buf[3])) << 8) | static_cast<uint8_t>(buf[4]);
  if (buf.size() < 5 + static_cast<size_t>(n)) return false;
  *type = static_cast<FrameType>(buf[0]);
  payload->assign(buf, 5, n);
  buf.erase(0, 5 + static_cast<size_t>(n));
  return true;
}

struct ExitInfo {
  int32_t exit_code = 0;
  int64_t finished_at = 0;
  bool oom_killed = false;
};

inline std::string FormatExit(const ExitInfo& e) {
  return "exit_code=" + std::to_string(e.exit_code) + "\nfinished_at=" + std::to_string(e.finished_at) +
         "\noom_killed=" + (e.oom_killed ? "1" : "0") + "\n";
}

// False when the text is not a complete exit record.
inline bool ParseExit(std::string_view text, ExitInfo* e) {
  int seen = 0;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return false;
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    auto eq = line.find('=');
    if (eq == std::string_view::npos) return false;
    std::string key(line.substr(0, eq)), val(line.substr(eq + 1));
    if (key == "exit_code") e->exit_code = static_cast<int32_t>(strtol(val.c_str(), nullptr, 10)), seen |= 1;
    if (key == "finished_at") e->finished_at = strtoll(val.c_str(), nullptr, 10), seen |= 2;
    if (key == "oom_killed") e->oom_killed = val == "1", seen |= 4;
  }
  return seen == 7;
}

// Receives one fd sent with SCM_RIGHTS (runc's --console-socket protocol); -1 on error.
inline int RecvFd(int sock) {
  char buf[256];
  iovec iov{buf, sizeof buf};
  alignas(cmsghdr) char cbuf[CMSG_SPACE(sizeof(int))];
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = cbuf;
  msg.msg_controllen = sizeof cbuf;
  if (recvmsg(sock, &msg, MSG_CMSG_CLOEXEC) < 0) return -1;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      int fd;
      memcpy(&fd, CMSG_DATA(c), sizeof fd);
      return fd;
    }
  }
  return -1;
}

}  // namespace kubepp::runtime::oci::shim
