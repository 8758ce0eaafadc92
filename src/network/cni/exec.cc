#include "network/cni/exec.h"

#include <errno.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

namespace kubepp::network::cni {
namespace {

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Close(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

Status ErrnoStatus(std::string_view what, int err) {
  return Status::Internal(fmt::format("{}: {}", what, strerror(err)));
}

// Blocks SIGPIPE on this thread for its lifetime and swallows any SIGPIPE raised
// on this thread meanwhile (a write to a pipe whose reader has gone).
class ScopedSigpipeBlock {
 public:
  ScopedSigpipeBlock() {
    sigset_t pipe_set;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    sigset_t pending;
    sigpending(&pending);
    was_pending_ = sigismember(&pending, SIGPIPE) == 1;
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old_);
  }
  ~ScopedSigpipeBlock() {
    if (!was_pending_) {
      sigset_t pipe_set;
      sigemptyset(&pipe_set);
      sigaddset(&pipe_set, SIGPIPE);
      timespec zero{0, 0};
      while (sigtimedwait(&pipe_set, nullptr, &zero) > 0) {
      }
    }
    pthread_sigmask(SIG_SETMASK, &old_, nullptr);
  }

 private:
  sigset_t old_;
  bool was_pending_ = false;
};

int PidfdOpen(pid_t pid) {
#ifdef SYS_pidfd_open
  return static_cast<int>(syscall(SYS_pidfd_open, pid, 0));
#else
  errno = ENOSYS;
  return -1;
#endif
}

void Drain(int fd, std::string& out, bool& eof) {
  char buf[16384];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      size_t room = out.size() < kMaxOutputBytes ? kMaxOutputBytes - out.size() : 0;
      out.append(buf, std::min(static_cast<size_t>(n), room));
      continue;
    }
    if (n == 0) eof = true;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno != EAGAIN) eof = true;
    return;
  }
}

}  // namespace

StatusOr<ProcessResult> RunProcess(const std::string& path, const std::vector<std::string>& argv,
                                   const std::vector<std::string>& env, const std::string& stdin_data,
                                   std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int p_in[2], p_out[2], p_err[2];
  if (pipe2(p_in, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  Fd in_r(p_in[0]), in_w(p_in[1]);
  if (pipe2(p_out, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  Fd out_r(p_out[0]), out_w(p_out[1]);
  if (pipe2(p_err, O_CLOEXEC) != 0) return ErrnoStatus("pipe", errno);
  Fd err_r(p_err[0]), err_w(p_err[1]);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in_r.get(), 0);
  posix_spawn_file_actions_adddup2(&actions, out_w.get(), 1);
  posix_spawn_file_actions_adddup2(&actions, err_w.get(), 2);
  posix_spawn_file_actions_addclosefrom_np(&actions, 3);

  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t empty, all;
  sigemptyset(&empty);
  sigfillset(&all);
  posix_spawnattr_setsigmask(&attr, &empty);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);

  std::vector<char*> c_argv, c_env;
  for (const auto& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  for (const auto& e : env) c_env.push_back(const_cast<char*>(e.c_str()));
  c_env.push_back(nullptr);

  pid_t pid = -1;
  int rc = posix_spawn(&pid, path.c_str(), &actions, &attr, c_argv.data(), c_env.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return ErrnoStatus(fmt::format("exec {}", path), rc);
  in_r.Close();
  out_w.Close();
  err_w.Close();

  Fd pidfd(PidfdOpen(pid));
  fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
  fcntl(out_r.get(), F_SETFL, O_NONBLOCK);
  fcntl(err_r.get(), F_SETFL, O_NONBLOCK);

  ScopedSigpipeBlock no_sigpipe;
  ProcessResult result;
  size_t written = 0;
  if (stdin_data.empty()) in_w.Close();
  bool out_eof = false, err_eof = false, exited = false;
  int wstatus = 0;
  while (!(out_eof && err_eof && exited)) {
    auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd fds[4];
    int n = 0;
    int i_in = -1, i_out = -1, i_err = -1, i_pid = -1;
    if (in_w.get() >= 0) fds[i_in = n++] = {in_w.get(), POLLOUT, 0};
    if (!out_eof) fds[i_out = n++] = {out_r.get(), POLLIN, 0};
    if (!err_eof) fds[i_err = n++] = {err_r.get(), POLLIN, 0};
    if (!exited && pidfd.get() >= 0) fds[i_pid = n++] = {pidfd.get(), POLLIN, 0};
    auto remaining = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1;
    // Without a pidfd the exit is noticed by polling waitpid every 20 ms.
    int wait_ms =
        static_cast<int>(pidfd.get() < 0 && !exited ? std::min<long long>(remaining, 20) : remaining);
    int pr = ::poll(fds, n, wait_ms);
    if (pr < 0 && errno != EINTR) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      waitpid(pid, &wstatus, 0);
      return ErrnoStatus("poll", errno);
    }
    if (i_in >= 0 && fds[i_in].revents) {
      ssize_t w = ::write(in_w.get(), stdin_data.data() + written, stdin_data.size() - written);
      if (w > 0) written += static_cast<size_t>(w);
      if ((w < 0 && errno != EAGAIN && errno != EINTR) || written == stdin_data.size()) in_w.Close();
    }
    if (i_out >= 0 && fds[i_out].revents) Drain(out_r.get(), result.out, out_eof);
    if (i_err >= 0 && fds[i_err].revents) Drain(err_r.get(), result.err, err_eof);
    if (!exited && (i_pid < 0 || fds[i_pid].revents)) {
      pid_t w = waitpid(pid, &wstatus, WNOHANG);
      if (w == pid) {
        exited = true;
        // Grandchildren may still hold the pipes open; do not wait for them.
        Drain(out_r.get(), result.out, out_eof);
        Drain(err_r.get(), result.err, err_eof);
        out_eof = err_eof = true;
      }
    }
  }
  if (!exited) waitpid(pid, &wstatus, 0);
  if (WIFEXITED(wstatus)) result.exit_code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) result.term_signal = WTERMSIG(wstatus);
  return result;
}

}  // namespace kubepp::network::cni
