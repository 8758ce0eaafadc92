#include "runtime/oci/subprocess.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>

#include "common/strings.h"

namespace kubepp::runtime::oci {
namespace {

int DecodeWait(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

[[noreturn]] void ChildExec(char* const* args, int in, int out, int err, const std::vector<int>& extra,
                            bool new_session) {
  // Only async-signal-safe calls from here on.
  if (new_session) setsid();
  sigset_t all;
  sigemptyset(&all);
  sigprocmask(SIG_SETMASK, &all, nullptr);
  int devnull = open("/dev/null", O_RDWR);
  int fds[3] = {in < 0 ? devnull : in, out < 0 ? devnull : out, err < 0 ? devnull : err};
  // Move everything we need above the range we are about to fill, then dup2 into place.
  int high[64];
  int n = 0;
  for (int f : fds) high[n++] = fcntl(f, F_DUPFD_CLOEXEC, 100);
  for (int f : extra) {
    if (n < 64) high[n++] = fcntl(f, F_DUPFD_CLOEXEC, 100);
  }
  for (int i = 0; i < n; ++i) dup2(high[i], i);
  // Close everything else.
  syscall(SYS_close_range, n, ~0U, 0);
  execv(args[0], args);
  const char msg[] = "exec failed\n";
  ssize_t w = write(2, msg, sizeof msg - 1);
  (void)w;
  _exit(127);
}

}  // namespace

StatusOr<pid_t> SpawnProcess(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd, int stderr_fd,
                             const std::vector<int>& extra_fds, bool new_session) {
  if (argv.empty()) return Status::Invalid("empty command");
  if (access(argv[0].c_str(), X_OK) != 0)
    return Status::Internal("cannot execute " + argv[0] + ": " + strerror(errno));
  // Built before fork: the child of a multithreaded process must not allocate.
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return Status::Internal(std::string("fork: ") + strerror(errno));
  if (pid == 0) ChildExec(args.data(), stdin_fd, stdout_fd, stderr_fd, extra_fds, new_session);
  return pid;
}

StatusOr<CommandResult> RunCommand(const std::vector<std::string>& argv, const CommandOptions& options) {
  int in[2] = {-1, -1}, out[2] = {-1, -1}, err[2] = {-1, -1};
  auto close_all = [&] {
    for (int* p : {in, out, err})
      for (int i = 0; i < 2; ++i)
        if (p[i] >= 0) close(p[i]), p[i] = -1;
  };
  if ((options.stdin_fd < 0 && pipe2(in, O_CLOEXEC) != 0) ||
      (options.stdout_fd < 0 && pipe2(out, O_CLOEXEC) != 0) ||
      (options.stderr_fd < 0 && pipe2(err, O_CLOEXEC) != 0)) {
    close_all();
    return Status::Internal(std::string("pipe: ") + strerror(errno));
  }
  auto pid = SpawnProcess(argv, options.stdin_fd >= 0 ? options.stdin_fd : in[0],
                          options.stdout_fd >= 0 ? options.stdout_fd : out[1],
                          options.stderr_fd >= 0 ? options.stderr_fd : err[1], options.extra_fds,
                          options.new_session);
  if (in[0] >= 0) close(in[0]), in[0] = -1;
  if (out[1] >= 0) close(out[1]), out[1] = -1;
  if (err[1] >= 0) close(err[1]), err[1] = -1;
  if (!pid.ok()) {
    close_all();
    return pid.status();
  }
  CommandResult result;
  size_t in_off = 0;
  if (in[1] >= 0) {
    fcntl(in[1], F_SETFL, O_NONBLOCK);
    if (options.stdin_data.empty()) close(in[1]), in[1] = -1;
  }
  auto start = std::chrono::steady_clock::now();
  bool timed_out = false;
  while (out[0] >= 0 || err[0] >= 0 || in[1] >= 0) {
    pollfd pfds[3];
    int n = 0;
    if (out[0] >= 0) pfds[n++] = {out[0], POLLIN, 0};
    if (err[0] >= 0) pfds[n++] = {err[0], POLLIN, 0};
    if (in[1] >= 0) pfds[n++] = {in[1], POLLOUT, 0};
    int wait_ms = -1;
    if (options.timeout.count() >= 0) {
      auto left = options.timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::steady_clock::now() - start);
      if (left.count() <= 0) {
        timed_out = true;
        break;
      }
      wait_ms = static_cast<int>(left.count());
    }
    int r = poll(pfds, n, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) break;
    for (int i = 0; i < n; ++i) {
      if (pfds[i].revents == 0) continue;
      if (pfds[i].fd == in[1]) {
        ssize_t w = write(in[1], options.stdin_data.data() + in_off, options.stdin_data.size() - in_off);
        if (w > 0) in_off += static_cast<size_t>(w);
        if (w < 0 && errno != EAGAIN) in_off = options.stdin_data.size();
        if (in_off >= options.stdin_data.size()) close(in[1]), in[1] = -1;
        continue;
      }
      char buf[16384];
      ssize_t got = read(pfds[i].fd, buf, sizeof buf);
      if (got > 0) {
        std::string& dst = pfds[i].fd == out[0] ? result.out : result.err;
        size_t room = options.max_output > dst.size() ? options.max_output - dst.size() : 0;
        dst.append(buf, std::min(room, static_cast<size_t>(got)));
      } else if (got == 0 || errno != EINTR) {
        int& fd = pfds[i].fd == out[0] ? out[0] : err[0];
        close(fd);
        fd = -1;
      }
    }
  }
  if (timed_out) kill(*pid, SIGKILL);
  int status = 0;
  while (waitpid(*pid, &status, 0) < 0 && errno == EINTR) {
  }
  close_all();
  if (timed_out) return Status::Timeout(argv[0] + " timed out");
  result.exit_code = DecodeWait(status);
  return result;
}

std::string CommandError(const std::string& what, const CommandResult& r) {
  std::string text(TrimSpace(r.err.empty() ? r.out : r.err));
  if (text.empty()) text = "exit status " + std::to_string(r.exit_code);
  return what + ": " + text;
}

}  // namespace kubepp::runtime::oci
