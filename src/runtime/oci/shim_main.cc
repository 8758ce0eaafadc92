// kubepp-shim: one per container, started by the oci runtime at CreateContainer. It runs
// `runc create`, becomes the container init's parent (child subreaper), holds its stdio
// (pipes, or the pty master received on a console socket for tty containers), writes the
// output to the CRI log file, serves attach clients on a unix socket, reaps the init and
// records its exit status in the `exit` file (see shim_protocol.h). It runs in its own session
// and depends on nothing of the runtime's process: the runtime may stop and restart while the
// container runs.
//
// Also `kubepp-shim exec-tty` (see ExecTty) and `kubepp-shim pause`: a PID-namespace holder for pods that
// share their PID namespace (prints the pid of the namespace's init on the ready fd; that init reaps orphans
// forever).
//
// Single-threaded; a poll loop.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "runtime/logs/cri_log.h"
#include "runtime/oci/cgroups.h"
#include "runtime/oci/shim_protocol.h"

namespace kubepp::runtime::oci::shim {
namespace {

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

int64_t MonoMs() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

void Log(const std::string& msg) {
  std::string line = "kubepp-shim[" + std::to_string(getpid()) + "]: " + msg + "\n";
  ssize_t n = write(2, line.data(), line.size());
  (void)n;
}

bool WriteAll(int fd, std::string_view data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

bool WriteFileAtomic(const std::string& path, const std::string& content) {
  std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = WriteAll(fd, content);  // atomic by rename; no fsync (see oci_runtime.cc)
  close(fd);
  return ok && rename(tmp.c_str(), path.c_str()) == 0;
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string StartTime(pid_t pid) {
  std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
  auto rp = stat.rfind(')');
  if (rp == std::string::npos) return "";
  std::istringstream in(stat.substr(rp + 2));
  std::string f;
  for (int i = 3; i <= 22 && (in >> f); ++i) {
    if (i == 22) return f;
  }
  return "";
}

// Last "msg" of runc's json log, for error messages.
std::string LastRuncError(const std::string& log_text) {
  std::string last;
  std::istringstream in(log_text);
  std::string line;
  while (std::getline(in, line)) {
    auto p = line.find("\"msg\":\"");
    if (p == std::string::npos) continue;
    auto e = line.find("\",\"", p + 7);
    std::string msg = line.substr(p + 7, e == std::string::npos ? std::string::npos : e - p - 7);
    if (line.find("\"level\":\"error\"") != std::string::npos ||
        line.find("\"level\":\"fatal\"") != std::string::npos)
      last = msg;
  }
  return last;
}

int ListenUnix(const std::string& path) {
  unlink(path.c_str());
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0) return -1;
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof addr.sun_path) return close(fd), -1;
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 16) != 0)
    return close(fd), -1;
  return fd;
}

struct Options {
  std::string id, bundle, runc = "/usr/sbin/runc", runc_root, log_path, cgroup;
  bool stdin = false, stdin_once = false, tty = false;
  int ready_fd = -1;
  int64_t log_max_size = logs::kDefaultMaxSize;
  int log_max_files = logs::kDefaultMaxFiles;
};

struct Client {
  int fd;
  std::string in;
  bool sent_stdin = false;
};

class Shim {
 public:
  explicit Shim(Options o) : o_(std::move(o)) {}

  int Run() {
    if (chdir(o_.bundle.c_str()) != 0) return Fail("chdir " + o_.bundle + ": " + strerror(errno));
    prctl(PR_SET_CHILD_SUBREAPER, 1);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    sigset_t mask;
    sigemptyset(&mask);
    sigaddset(&mask, SIGCHLD);
    sigprocmask(SIG_BLOCK, &mask, nullptr);
    sigfd_ = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
    WriteFileAtomic(kShimPidFile, std::to_string(getpid()) + " " + StartTime(getpid()) + "\n");

    if (!o_.log_path.empty()) {
      logs::WriterOptions wo;
      wo.max_size = o_.log_max_size;
      wo.max_files = o_.log_max_files;
      auto w = logs::LogWriter::Open(o_.log_path, wo);
      if (!w.ok()) return Fail("log file: " + w.status().message());
      log_ = std::move(*w);
    }

    int child_in = -1, child_out = -1, child_err = -1, console_listen = -1;
    if (o_.tty) {
      console_listen = ListenUnix(kConsoleSocket);
      if (console_listen < 0) return Fail(std::string("console socket: ") + strerror(errno));
    } else {
      int p[2];
      if (pipe2(p, O_CLOEXEC) != 0) return Fail("pipe");
      out_ = p[0], child_out = p[1];
      if (pipe2(p, O_CLOEXEC) != 0) return Fail("pipe");
      err_ = p[0], child_err = p[1];
      if (o_.stdin) {
        if (pipe2(p, O_CLOEXEC) != 0) return Fail("pipe");
        child_in = p[0], in_ = p[1];
      }
    }
    std::vector<std::string> argv = {o_.runc, "--root", o_.runc_root, "--log",   kRuncLog,     "--log-format",
                                     "json",  "create", "--bundle",   o_.bundle, "--pid-file", kInitPidFile};
    if (o_.tty) argv.insert(argv.end(), {"--console-socket", kConsoleSocket});
    argv.push_back(o_.id);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    pid_t runc = fork();
    if (runc < 0) return Fail("fork");
    if (runc == 0) {
      sigset_t none;
      sigemptyset(&none);
      sigprocmask(SIG_SETMASK, &none, nullptr);
      int devnull = open("/dev/null", O_RDWR);
      dup2(child_in >= 0 ? child_in : devnull, 0);
      dup2(child_out >= 0 ? child_out : devnull, 1);
      dup2(child_err >= 0 ? child_err : devnull, 2);
      execv(args[0], args.data());
      _exit(127);
    }
    for (int fd : {child_in, child_out, child_err})
      if (fd >= 0) close(fd);

    // Wait for runc create (and, for tty, the console fd it sends).
    int runc_status = -1;
    while (true) {
      pollfd p[2] = {{sigfd_, POLLIN, 0}, {console_listen, POLLIN, 0}};
      poll(p, console_listen >= 0 ? 2 : 1, 1000);
      if (console_listen >= 0 && (p[1].revents & POLLIN)) {
        int c = accept4(console_listen, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) {
          int flags = fcntl(c, F_GETFL);
          fcntl(c, F_SETFL, flags & ~O_NONBLOCK);
          master_ = RecvFd(c);
          close(c);
        }
      }
      signalfd_siginfo si;
      while (read(sigfd_, &si, sizeof si) > 0) {
      }
      int st;
      pid_t r = waitpid(runc, &st, WNOHANG);
      if (r == runc) {
        runc_status = st;
        break;
      }
    }
    if (console_listen >= 0) {
      close(console_listen);
      unlink(kConsoleSocket);
    }
    if (!WIFEXITED(runc_status) || WEXITSTATUS(runc_status) != 0) {
      std::string msg = LastRuncError(ReadFile(kRuncLog));
      return Fail("runc create: " +
                  (msg.empty() ? "exit status " + std::to_string(WEXITSTATUS(runc_status)) : msg));
    }
    init_ = atoi(ReadFile(kInitPidFile).c_str());
    if (init_ <= 0) return Fail("runc create wrote no init pid");
    if (o_.tty && master_ < 0) return Fail("runc create sent no console");
    if (master_ >= 0) {
      out_ = dup(master_);
      if (o_.stdin) in_ = dup(master_);
      fcntl(out_, F_SETFD, FD_CLOEXEC);
    }
    attach_listen_ = ListenUnix(kAttachSocket);
    if (attach_listen_ < 0) return Fail(std::string("attach socket: ") + strerror(errno));
    Ready("ok " + std::to_string(init_));
    return Loop();
  }

 private:
  int Fail(const std::string& msg) {
    Log(msg);
    Ready("error " + msg);
    return 1;
  }

  void Ready(const std::string& msg) {
    if (o_.ready_fd < 0) return;
    WriteAll(o_.ready_fd, msg + "\n");
    close(o_.ready_fd);
    o_.ready_fd = -1;
  }

  void Broadcast(FrameType t, std::string_view data) {
    std::string f = Frame(t, data);
    for (auto it = clients_.begin(); it != clients_.end();) {
      // Clients are blocking sockets: a client that stops reading slows the container's
      // output, as a CRI attach does.
      if (!WriteAll(it->fd, f)) {
        close(it->fd);
        it = clients_.erase(it);
      } else {
        ++it;
      }
    }
  }

  void CloseStdin() {
    if (in_ >= 0 && master_ < 0) close(in_), in_ = -1;
  }

  void HandleClient(Client& c, bool* drop) {
    char buf[16384];
    ssize_t n = read(c.fd, buf, sizeof buf);
    if (n <= 0) {
      *drop = true;
      if (o_.stdin_once && c.sent_stdin) CloseStdin();
      return;
    }
    c.in.append(buf, static_cast<size_t>(n));
    FrameType t;
    std::string payload;
    while (PopFrame(c.in, &t, &payload)) {
      if (t == kStdin && in_ >= 0) {
        c.sent_stdin = true;
        WriteAll(in_, payload);
      } else if (t == kStdinClose) {
        if (master_ >= 0 && in_ >= 0) {
          // A tty has no EOF of its own: send ^D.
          WriteAll(in_, "\x04");
        }
        if (o_.stdin_once || master_ < 0) CloseStdin();
      } else if (t == kResize && payload.size() == 4 && master_ >= 0) {
        winsize ws{};
        ws.ws_col =
            static_cast<uint16_t>((static_cast<uint8_t>(payload[0]) << 8) | static_cast<uint8_t>(payload[1]));
        ws.ws_row =
            static_cast<uint16_t>((static_cast<uint8_t>(payload[2]) << 8) | static_cast<uint8_t>(payload[3]));
        ioctl(master_, TIOCSWINSZ, &ws);
      }
    }
  }

  void Output(logs::Stream s, int& fd) {
    char buf[32768];
    ssize_t n = read(fd, buf, sizeof buf);
    if (n > 0) {
      std::string_view data(buf, static_cast<size_t>(n));
      if (log_) {
        Status st = log_->Write(s, data);
        if (!st.ok()) Log("log write: " + st.message());
      }
      Broadcast(s == logs::Stream::kStdout ? kStdout : kStderr, data);
      return;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) return;
    // EOF (or EIO on a pty whose slave side is gone).
    if (log_) (void)log_->Flush(s);
    close(fd);
    fd = -1;
  }

  int Loop() {
    int64_t drain_deadline = -1;
    while (true) {
      std::vector<pollfd> p;
      p.push_back({sigfd_, POLLIN, 0});
      p.push_back({attach_listen_, POLLIN, 0});
      p.push_back({out_, POLLIN, 0});
      p.push_back({err_, POLLIN, 0});
      for (auto& c : clients_) p.push_back({c.fd, POLLIN, 0});
      int timeout = -1;
      if (exited_) {
        if ((out_ < 0 && err_ < 0) || MonoMs() >= drain_deadline) break;
        timeout = static_cast<int>(drain_deadline - MonoMs());
      }
      int r = poll(p.data(), p.size(), timeout);
      if (r < 0 && errno != EINTR) break;
      if (r <= 0) continue;
      if (p[0].revents) Reap();
      if (exited_ && drain_deadline < 0) drain_deadline = MonoMs() + 2000;
      if (p[1].revents & POLLIN) {
        int c = accept4(attach_listen_, nullptr, nullptr, SOCK_CLOEXEC);
        if (c >= 0) clients_.push_back(Client{c});
      }
      if (p[2].revents) Output(logs::Stream::kStdout, out_);
      if (p[3].revents) Output(logs::Stream::kStderr, err_);
      // Clients: p[4..] map onto clients_ as they were when polled.
      std::vector<int> drop;
      size_t polled = p.size() - 4;
      for (size_t i = 0; i < polled && i < clients_.size(); ++i) {
        if (!p[4 + i].revents) continue;
        bool d = false;
        HandleClient(clients_[i], &d);
        if (d) drop.push_back(clients_[i].fd);
      }
      for (int fd : drop) {
        for (auto it = clients_.begin(); it != clients_.end(); ++it) {
          if (it->fd == fd) {
            close(fd);
            clients_.erase(it);
            break;
          }
        }
      }
    }
    if (log_) (void)log_->Close();
    ExitInfo e;
    e.exit_code = exit_code_;
    e.finished_at = finished_at_;
    e.oom_killed = !o_.cgroup.empty() && OomKillCount(o_.cgroup) > 0;
    if (!WriteFileAtomic(kExitFile, FormatExit(e))) Log(std::string("writing exit file: ") + strerror(errno));
    std::string code(4, '\0');
    for (int i = 0; i < 4; ++i)
      code[i] = static_cast<char>(static_cast<uint32_t>(exit_code_) >> (24 - 8 * i));
    Broadcast(kExit, code);
    for (auto& c : clients_) close(c.fd);
    unlink(kAttachSocket);
    return 0;
  }

  void Reap() {
    signalfd_siginfo si;
    while (read(sigfd_, &si, sizeof si) > 0) {
    }
    int st;
    pid_t r;
    while ((r = waitpid(-1, &st, WNOHANG)) > 0) {
      if (r == init_ && !exited_) {
        exited_ = true;
        finished_at_ = NowNs();
        exit_code_ = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
        // Nobody writes to the container's stdin any more.
        if (master_ < 0) CloseStdin();
      }
    }
  }

  Options o_;
  int sigfd_ = -1, out_ = -1, err_ = -1, in_ = -1, master_ = -1, attach_listen_ = -1;
  pid_t init_ = -1;
  bool exited_ = false;
  int32_t exit_code_ = 0;
  int64_t finished_at_ = 0;
  std::unique_ptr<logs::LogWriter> log_;
  std::vector<Client> clients_;
};

// `pause`: fork into a new PID namespace; the namespace's init reaps forever.
int Pause(int ready_fd) {
  signal(SIGHUP, SIG_IGN);
  if (unshare(CLONE_NEWPID) != 0) {
    std::string m = std::string("error unshare(CLONE_NEWPID): ") + strerror(errno) + "\n";
    WriteAll(ready_fd, m);
    return 1;
  }
  pid_t child = fork();
  if (child < 0) return 1;
  if (child == 0) {
    close(ready_fd);
    prctl(PR_SET_NAME, "kubepp-pause");
    sigset_t all;
    sigfillset(&all);
    sigdelset(&all, SIGCHLD);
    signal(SIGCHLD, [](int) {});
    // PID 1 of the namespace: only SIGKILL from outside ends it (TERM is ignored by design).
    while (true) {
      while (waitpid(-1, nullptr, WNOHANG) > 0) {
      }
      sigsuspend(&all);
    }
  }
  WriteAll(ready_fd, "ok " + std::to_string(child) + "\n");
  // _exit: nothing to flush, and this process may not clone any more (its
  // children would land in the new PID namespace), which exit-time hooks
  // such as LeakSanitizer's do; under ASan the process spun forever instead.
  _exit(0);
}

// `exec-tty PIDFILE -- RUNC-ARGV...`: runs `runc exec --tty --detach ...` (runc only hands
// out the pty master when it detaches), stays the subreaper of the detached process, and
// exits with its exit status, so that the runtime can wait for an exec with a tty.
int ExecTty(int argc, char** argv) {
  if (argc < 5 || std::string(argv[3]) != "--") {
    Log("usage: kubepp-shim exec-tty PIDFILE -- RUNC-ARGV...");
    return 255;
  }
  std::string pidfile = argv[2];
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  pid_t runc = fork();
  if (runc < 0) return 255;
  if (runc == 0) {
    execv(argv[4], argv + 4);
    _exit(255);
  }
  int st = 0;
  while (waitpid(runc, &st, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) return 255;
  pid_t target = atoi(ReadFile(pidfile).c_str());
  if (target <= 0) return 255;
  while (true) {
    pid_t r = waitpid(-1, &st, 0);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return 255;
    if (r == target) return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  }
}

int Main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "exec-tty") return ExecTty(argc, argv);
  if (argc >= 2 && std::string(argv[1]) == "pause") {
    int fd = argc >= 3 ? atoi(argv[2]) : -1;
    return Pause(fd);
  }
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--id")
      o.id = next();
    else if (a == "--bundle")
      o.bundle = next();
    else if (a == "--runc")
      o.runc = next();
    else if (a == "--runc-root")
      o.runc_root = next();
    else if (a == "--log-path")
      o.log_path = next();
    else if (a == "--cgroup")
      o.cgroup = next();
    else if (a == "--ready-fd")
      o.ready_fd = atoi(next().c_str());
    else if (a == "--log-max-size")
      o.log_max_size = atoll(next().c_str());
    else if (a == "--log-max-files")
      o.log_max_files = atoi(next().c_str());
    else if (a == "--stdin")
      o.stdin = true;
    else if (a == "--stdin-once")
      o.stdin_once = true;
    else if (a == "--tty")
      o.tty = true;
    else if (a == "run")
      continue;
    else {
      Log("unknown flag " + a);
      return 2;
    }
  }
  if (o.id.empty() || o.bundle.empty() || o.runc_root.empty()) {
    Log("usage: kubepp-shim run --id ID --bundle DIR --runc-root DIR [--runc PATH] [--log-path F] "
        "[--cgroup PATH] [--ready-fd N] [--stdin] [--stdin-once] [--tty]");
    return 2;
  }
  // Double fork: the runtime reaps our parent at once; we are reparented to init (or the
  // nearest subreaper) and never become the runtime's zombie.
  pid_t child = fork();
  if (child < 0) {
    Log(std::string("fork: ") + strerror(errno));
    return 1;
  }
  if (child > 0) _exit(0);
  return Shim(std::move(o)).Run();
}

}  // namespace
}  // namespace kubepp::runtime::oci::shim

int main(int argc, char** argv) { return kubepp::runtime::oci::shim::Main(argc, argv); }
