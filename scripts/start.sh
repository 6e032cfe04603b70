#!/usr/bin/env bash
# `npm start`: builds the app and runs the desktop app on the default store. Without an Electron
# binary it first tries to download one (the electron package's own installer, which npm ci skips
# here); where that fails (no network, headless boxes) it says so and starts the browser host.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
npx electron-vite build --logLevel warn
# Find the binary without require('electron'), which would try to download one.
electron_bin="$(node scripts/electron-binary.ts 2>/dev/null || true)"
if [ -z "$electron_bin" ]; then
  echo "No Electron binary is installed; trying to download it (node node_modules/electron/install.js)…" >&2
  if timeout "${STRATA_ELECTRON_INSTALL_TIMEOUT:-30}" env -u ELECTRON_SKIP_BINARY_DOWNLOAD \
      node node_modules/electron/install.js >/dev/null 2>&1; then
    electron_bin="$(node scripts/electron-binary.ts 2>/dev/null || true)"
  fi
fi
if [ -n "$electron_bin" ]; then
  exec npx electron-vite preview
fi
cat >&2 <<'MSG'
The Electron binary could not be downloaded (no network access to its release server?).
To retry later: npm start, or node node_modules/electron/install.js
The same UI runs in a browser: `./bin/strata ui [--port N] [--root DIR] [--no-open]`.
Starting the browser host now…
MSG
exec ./bin/strata ui "$@"
