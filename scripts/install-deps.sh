#!/usr/bin/env bash
# Installs the Debian 12 packages kubepp needs to build, run and test.
# Idempotent: when everything is present it only runs dpkg-query and exits.
# Every package is listed once, with the reason it is needed.
set -euo pipefail

PACKAGES=(
  # --- build ---
  cmake                 # build system generator
  ninja-build           # build driver
  g++                   # C++20 compiler (g++ 12)
  ccache                # keeps rebuilds quick
  make                  # the two set-up commands
  pkg-config            # locating libraries
  python3               # tools/gen_schema.py (schema generator), test helpers
  # --- libraries ---
  nlohmann-json3-dev    # JSON codec and the generic object representation
  libyaml-cpp-dev       # YAML manifests and kubeconfigs
  libsqlite3-dev        # embedded datastore (default)
  libssl-dev            # TLS and certificates for the API server (OpenSSL 3)
  libboost-dev          # Boost.Asio + Boost.Beast: HTTP/1.1, WebSocket, TLS streams
  libfmt-dev            # formatting
  libarchive-dev        # image layers and archives (tar, gzip, zstd)
  libzstd-dev           # zstd-compressed image layers (libarchive's zstd filter)
  # --- tests and benchmarks ---
  libgtest-dev          # GoogleTest
  libgmock-dev          # GoogleMock
  libbenchmark-dev      # Google Benchmark
  etcd-server           # peer for the storage benchmark (and the HA datastore later)
  etcd-client           # etcdctl, used by the storage benchmark against etcd
  procps                # ps/pkill-free process inspection in tests (RSS figures)
  curl                  # e2e: requests without credentials (kubectl would prompt instead)
  # --- the node: containers and pod networking ---
  runc                  # OCI runtime that runs every container
  containernetworking-plugins  # CNI plugins: bridge, host-local, loopback, portmap
  iproute2              # ip netns / link inspection in tests and the leak check
  iptables              # hostPort (portmap) and, later, Service rules
  busybox-static        # the test images are built from it
  skopeo                # fills the test registry
  docker-registry       # a real OCI registry on loopback for pull tests
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

# The JavaScript client test (test/e2e/js) needs @kubernetes/client-node from
# npm, pinned by package-lock.json; installed once, next to the test. Node.js
# itself comes with the machine (Node 20; Debian 12's nodejs is too old for
# client-node 1.x).
install_js_deps() {
  local dir
  dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/test/e2e/js"
  if [[ -d "$dir/node_modules/@kubernetes/client-node" ]]; then
    return 0
  fi
  if ! command -v npm >/dev/null 2>&1; then
    echo "install-deps: npm not found: the @kubernetes/client-node test needs Node.js 20 and npm" >&2
    return 1
  fi
  echo "install-deps: installing the npm packages of test/e2e/js"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
}

if ((${#missing[@]} == 0)); then
  install_js_deps
  exit $?
fi

if [[ $(id -u) -ne 0 ]]; then
  echo "install-deps: missing packages: ${missing[*]}; run as root (or: sudo apt-get install ${missing[*]})" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Debian starts etcd as a system service on install; kubepp starts its own
# etcd when it needs one, so the packaged service stays off.
if [[ " ${missing[*]} " == *" etcd-server "* ]] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now etcd >/dev/null 2>&1 || true
fi
# Same for docker-registry: the pull tests start their own on loopback.
if [[ " ${missing[*]} " == *" docker-registry "* ]] && command -v systemctl >/dev/null 2>&1; then
  systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi

install_js_deps
