// Named network namespaces, the way `ip netns` keeps them: a namespace is
// pinned by bind-mounting its nsfs handle onto a file (dir/name), so it
// outlives the thread that created it and can be entered by path.
//
// The container runtime creates one per pod sandbox (CreateNetns), hands the
// path to CNI (cni::Network) and to runc (the OCI spec's network namespace
// path), and removes it when the sandbox goes (DeleteNetns, after CNI DEL).
// `dir` is made a shared mount point bound onto itself the first time (as
// iproute2 does with /run/netns), so that unmounting a namespace propagates
// into mount namespaces created later (containers) and the namespace is freed.
//
// Thread-safe: every function may be called from any thread. The calling
// thread's own namespace is never changed; the work happens on a short-lived
// helper thread. Blind spots: requires CAP_SYS_ADMIN; a process that still has
// a socket or a process in a deleted namespace keeps it alive (as with
// `ip netns del`).
#pragma once

#include <functional>
#include <string>

#include "common/status.h"

namespace kubepp::network::cni {

// Creates a new, empty network namespace (only `lo`, down) pinned at
// dir/name and returns that path. `name` must be a plain file name.
// AlreadyExists if dir/name exists; Invalid for a bad name; Internal with the
// failing system call otherwise (nothing is left behind on failure).
StatusOr<std::string> CreateNetns(const std::string& dir, const std::string& name);

// Unmounts and removes the namespace file. Idempotent: OK when `path` does not
// exist or is not mounted. Internal when the unmount or unlink fails otherwise.
Status DeleteNetns(const std::string& path);

// Undoes the self bind mount CreateNetns made on `dir` (for tests and for a
// node that is being torn down; the namespaces under it should be deleted
// first). OK when `dir` is not a mount point or does not exist.
Status ReleaseNetnsDir(const std::string& dir);

// Runs `fn` on a fresh thread that has joined the namespace at `path`, and
// waits for it. Sockets `fn` creates stay in that namespace when used from
// other threads afterwards. NotFound when `path` does not exist; Internal when
// it is not a network namespace or setns fails (fn is then not run).
Status RunInNetns(const std::string& path, std::function<void()> fn);

// Sets `lo` up inside the namespace at `path` (what the loopback CNI plugin
// does; done with an ioctl so no plugin binary is needed). Idempotent.
Status BringUpLoopback(const std::string& netns_path);

}  // namespace kubepp::network::cni
