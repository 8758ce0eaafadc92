#include "process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>

extern char** environ;

namespace kubepp::e2e {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> MergedEnv(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> all;
  for (char** e = environ; *e != nullptr; ++e) {
    std::string kv = *e;
    size_t eq = kv.find('=');
    if (eq != std::string::npos) all[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) all[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : all) out.push_back(k + "=" + v);
  return out;
}

[[noreturn]] void Exec(const std::vector<std::string>& argv, const std::vector<std::string>& env) {
  std::vector<char*> a, e;
  for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
  a.push_back(nullptr);
  for (const auto& s : env) e.push_back(const_cast<char*>(s.c_str()));
  e.push_back(nullptr);
  execve(a[0], a.data(), e.data());
  _exit(127);
}

int ExitCode(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status); }

}  // namespace

RunResult Run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
              const std::string& stdin_data, std::chrono::milliseconds timeout) {
  RunResult r;
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) return r;
  auto merged = MergedEnv(env);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    Exec(argv, merged);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  // Small inputs fit the pipe buffer; larger ones are written as we go.
  size_t written = 0;
  int in_fd = in[1];
  if (stdin_data.empty()) {
    close(in_fd);
    in_fd = -1;
  } else {
    fcntl(in_fd, F_SETFL, O_NONBLOCK);
  }
  auto deadline = std::chrono::steady_clock::now() + timeout;
  bool out_open = true, err_open = true;
  char buf[8192];
  while (out_open || err_open) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    pollfd fds[3];
    int n = 0;
    if (out_open) fds[n++] = {out[0], POLLIN, 0};
    if (err_open) fds[n++] = {err[0], POLLIN, 0};
    if (in_fd >= 0) fds[n++] = {in_fd, POLLOUT, 0};
    if (poll(fds, n, static_cast<int>(std::min<long>(left.count(), 1000))) <= 0) continue;
    for (int i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (fds[i].fd == in_fd) {
        ssize_t w = write(in_fd, stdin_data.data() + written, stdin_data.size() - written);
        if (w > 0) written += static_cast<size_t>(w);
        if (w < 0 || written == stdin_data.size()) {
          close(in_fd);
          in_fd = -1;
        }
        continue;
      }
      ssize_t got = read(fds[i].fd, buf, sizeof buf);
      if (got <= 0) {
        if (fds[i].fd == out[0]) out_open = false;
        if (fds[i].fd == err[0]) err_open = false;
      } else {
        (fds[i].fd == out[0] ? r.out : r.err).append(buf, static_cast<size_t>(got));
      }
    }
  }
  if (in_fd >= 0) close(in_fd);
  close(out[0]);
  close(err[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  r.rc = ExitCode(status);
  return r;
}

std::unique_ptr<Background> Background::Start(const std::vector<std::string>& argv,
                                              const std::map<std::string, std::string>& env) {
  int p[2];
  if (pipe2(p, O_CLOEXEC) != 0) return nullptr;
  auto merged = MergedEnv(env);
  pid_t pid = fork();
  if (pid == 0) {
    dup2(p[1], 1);
    dup2(p[1], 2);
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) dup2(devnull, 0);
    Exec(argv, merged);
  }
  close(p[1]);
  return std::unique_ptr<Background>(new Background(pid, p[0]));
}

Background::~Background() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (fd_ >= 0) close(fd_);
}

void Background::ReadAvailable(int timeout_ms) {
  pollfd pfd{fd_, POLLIN, 0};
  if (poll(&pfd, 1, timeout_ms) <= 0) return;
  char buf[8192];
  ssize_t n = read(fd_, buf, sizeof buf);
  if (n > 0) output_.append(buf, static_cast<size_t>(n));
}

bool Background::WaitFor(const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (output_.find(needle) == std::string::npos) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return false;
    ReadAvailable(static_cast<int>(std::min<long>(left.count(), 200)));
  }
  return true;
}

int Background::Stop(int sig) {
  if (pid_ <= 0) return -1;
  kill(pid_, sig);
  return Wait(std::chrono::seconds(20));
}

int Background::Wait(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (true) {
    ReadAvailable(50);
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) break;
    if (std::chrono::steady_clock::now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
  }
  pid_ = -1;
  ReadAvailable(0);
  return ExitCode(status);
}

std::unique_ptr<TestServer> TestServer::Start(const std::string& binary, std::string* log,
                                              const std::vector<std::string>& extra_flags) {
  auto s = std::unique_ptr<TestServer>(new TestServer());
  char tmpl[] = "/tmp/kubepp-e2e-XXXXXX";
  if (mkdtemp(tmpl) == nullptr) {
    *log = "mkdtemp failed";
    return nullptr;
  }
  s->data_dir_ = std::string(tmpl) + "/data";
  s->home_ = std::string(tmpl) + "/home";
  fs::create_directories(s->home_);
  std::vector<std::string> argv = {binary, "server", "--disable-agent", "--data-dir", s->data_dir_,
                                   "--https-listen-port", "0"};
  argv.insert(argv.end(), extra_flags.begin(), extra_flags.end());
  s->process_ = Background::Start(argv);
  if (!s->process_ || !s->process_->WaitFor("API server ready at", std::chrono::seconds(30))) {
    *log = s->process_ ? s->process_->output() : "could not start " + binary;
    return nullptr;
  }
  s->kubeconfig_ = s->data_dir_ + "/kubeconfig.yaml";
  return s;
}

TestServer::~TestServer() {
  if (process_) process_->Stop(SIGTERM);
  process_.reset();
  if (!data_dir_.empty()) {
    std::error_code ec;
    fs::remove_all(fs::path(data_dir_).parent_path(), ec);
  }
}

}  // namespace kubepp::e2e
