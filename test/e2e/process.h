// Process helpers for the end-to-end tests: run a command with stdin and
// capture stdout/stderr with a deadline, and keep a spawned `kubepp server`
// that is killed and reaped on every exit path.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace kubepp::e2e {

struct RunResult {
  int rc = -1;  // exit code, 128+signal, or -1 if it could not start
  std::string out;
  std::string err;
};

// Runs argv[0] (a path) with `env` added to this process's environment.
// The command is SIGKILLed after `timeout`.
RunResult Run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env = {},
              const std::string& stdin_data = "",
              std::chrono::milliseconds timeout = std::chrono::seconds(60));

// A process running in the background with its output captured. On
// destruction a process still running is SIGKILLed and reaped.
class Background {
 public:
  static std::unique_ptr<Background> Start(const std::vector<std::string>& argv,
                                           const std::map<std::string, std::string>& env = {});
  ~Background();
  pid_t pid() const { return pid_; }
  // Reads output until `needle` appears in it (true) or the deadline passes.
  bool WaitFor(const std::string& needle, std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // Everything read so far (stdout and stderr interleaved).
  const std::string& output() const { return output_; }
  // Sends `sig` and waits up to 20 s for the exit (then SIGKILL); the exit code.
  int Stop(int sig);
  // Waits up to `timeout` for the process to exit by itself (then SIGKILLs
  // it); the exit code (128+9 when it had to be killed).
  int Wait(std::chrono::milliseconds timeout);

 private:
  Background(pid_t pid, int fd) : pid_(pid), fd_(fd) {}
  void ReadAvailable(int timeout_ms);
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string output_;
};

// A `kubepp server --disable-agent` on a free port with its own data dir.
class TestServer {
 public:
  // Empty when the server did not become ready; `log` then says why.
  static std::unique_ptr<TestServer> Start(const std::string& binary, std::string* log,
                                           const std::vector<std::string>& extra_flags = {});
  ~TestServer();
  const std::string& kubeconfig() const { return kubeconfig_; }
  const std::string& data_dir() const { return data_dir_; }
  const std::string& home() const { return home_; }  // a HOME for kubectl (discovery cache)
  Background& process() { return *process_; }

 private:
  std::string data_dir_;
  std::string home_;
  std::string kubeconfig_;
  std::unique_ptr<Background> process_;
};

}  // namespace kubepp::e2e
