// FakeRuntime: an in-memory runtime::Runtime for unit tests of the kubelet. No processes,
// no mounts: sandboxes and containers are records in a state machine.
//
// A container's "process" is a tiny shell simulator, so tests can script behaviour with the
// same commands they would give busybox: `sh -c "<stmt>; <stmt>..."` (";", "&" and "&&" all
// run in sequence), a bare `sh` (empty stdin: exits 0), or a plain argv whose first word is a
// statement. Statements: `echo [-n] WORDS [>&2]` (stdout / stderr, written to the CRI log
// file when the container has a log_path), `exit N`, `true`, `false`, `:`, `wait` (no-op),
// `sleep SECONDS|infinity` (the script resumes when the injected clock passes), `trap 'exit N'
// TERM` (StopContainer then exits with N at once), `cat` (stdin to stdout, for Exec). Any other
// first word runs "forever" as a main process (a server) and fails with 127 "not found" inside
// a script or exec. A running main process without a TERM trap behaves as PID 1 does: stopping
// kills it, exit code 137 (the fake does not wait for the grace period; finished_at is the
// time of the StopContainer call). Stopping a CREATED container leaves it CREATED.
//
// Images: AddImage() preloads; PullImage of an unknown reference "pulls" it (a synthetic id)
// unless SetPullError() says otherwise. Errors can be injected per method (InjectError: the
// next call of that method returns the Status). Every call is recorded (Calls()).
//
// Thread-safe (one mutex). Blind spots: Exec is synchronous (stdin is read to EOF first, when
// the script uses `cat`); Attach delivers no output; PortForward answers Unavailable; a
// command never fails to start (no StartError). Image references are normalized as the real
// store does (runtime/image/reference.h).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "runtime/runtime.h"

namespace kubepp::runtime::fake {

class FakeRuntime final : public Runtime {
 public:
  // `clock` returns ns since epoch; defaults to the system clock.
  explicit FakeRuntime(std::function<int64_t()> clock = nullptr);
  ~FakeRuntime() override;

  // --- test controls ---------------------------------------------------------------------
  // Makes `image` present with the given config (entrypoint/cmd used when the container
  // config has no command/args). Returns its id ("sha256:..." derived from the first tag if
  // image.id is empty).
  std::string AddImage(Image image, std::vector<std::string> entrypoint = {},
                       std::vector<std::string> cmd = {});
  // The next call of `method` (e.g. "StartContainer") fails with `status`.
  void InjectError(const std::string& method, Status status);
  // PullImage of `image` fails with `status` until cleared with an OK status.
  void SetPullError(const std::string& image, Status status);
  // Makes a running container exit now with `exit_code` and `reason` ("" = derived).
  Status FinishContainer(const std::string& container_id, int32_t exit_code, const std::string& reason = "");
  // Sets what ContainerStats reports for a container.
  void SetStats(const std::string& container_id, const runtime::ContainerStats& stats);
  // Method names in call order ("RunPodSandbox", ...).
  std::vector<std::string> Calls() const;

  // --- Runtime -----------------------------------------------------------------------------
  StatusOr<VersionInfo> Version() override;
  StatusOr<std::string> RunPodSandbox(const PodSandboxConfig& config) override;
  Status StopPodSandbox(const std::string& sandbox_id) override;
  Status RemovePodSandbox(const std::string& sandbox_id) override;
  StatusOr<runtime::PodSandboxStatus> PodSandboxStatus(const std::string& sandbox_id) override;
  StatusOr<std::vector<PodSandbox>> ListPodSandbox(const PodSandboxFilter& filter) override;
  StatusOr<std::string> CreateContainer(const std::string& sandbox_id, const ContainerConfig& config,
                                        const PodSandboxConfig& sandbox_config) override;
  Status StartContainer(const std::string& container_id) override;
  Status StopContainer(const std::string& container_id, int64_t timeout_seconds) override;
  Status RemoveContainer(const std::string& container_id) override;
  StatusOr<std::vector<Container>> ListContainers(const ContainerFilter& filter) override;
  StatusOr<runtime::ContainerStatus> ContainerStatus(const std::string& container_id) override;
  StatusOr<runtime::ContainerStats> ContainerStats(const std::string& container_id) override;
  StatusOr<ExecSyncResult> ExecSync(const std::string& container_id, const std::vector<std::string>& cmd,
                                    int64_t timeout_seconds) override;
  StatusOr<StreamSessionPtr> Exec(const std::string& container_id, const ExecRequest& request) override;
  StatusOr<StreamSessionPtr> Attach(const std::string& container_id, const StreamFds& fds) override;
  StatusOr<int> PortForward(const std::string& sandbox_id, int32_t port) override;
  StatusOr<std::string> PullImage(const std::string& image, const AuthConfig& auth) override;
  StatusOr<std::vector<Image>> ListImages(const std::string& image) override;
  StatusOr<runtime::Image> ImageStatus(const std::string& image) override;
  Status RemoveImage(const std::string& image) override;
  StatusOr<std::vector<FilesystemUsage>> ImageFsInfo() override;

 private:
  struct Sandbox;
  struct Ctr;
  struct ImageRec;

  Status Record(const std::string& method);  // returns an injected error, if any
  void Advance(Ctr& c);                      // runs the simulated script up to now
  std::string ResolveId(const std::string& id_or_prefix, bool sandbox) const;
  ImageRec* FindImage(const std::string& ref);

  std::function<int64_t()> clock_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Sandbox>> sandboxes_;
  std::map<std::string, std::unique_ptr<Ctr>> containers_;
  std::vector<ImageRec> images_;
  std::map<std::string, Status> injected_;
  std::map<std::string, Status> pull_errors_;
  std::map<std::string, runtime::ContainerStats> stats_;
  std::vector<std::string> calls_;
  uint64_t next_id_ = 1;
};

}  // namespace kubepp::runtime::fake
