#!/usr/bin/env bash
# `npm start`: builds the app and runs the desktop app on the default store. Without an Electron
# binary (ELECTRON_SKIP_BINARY_DOWNLOAD, headless boxes) it says so and starts the browser host.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
npx electron-vite build --logLevel warn
# Find the binary without require('electron'), which would try to download one.
electron_bin="$(node scripts/electron-binary.ts 2>/dev/null || true)"
if [ -n "$electron_bin" ]; then
  exec npx electron-vite preview
fi
cat >&2 <<'MSG'
No Electron binary is installed here (the electron package was installed without its download).
To get the desktop app: unset ELECTRON_SKIP_BINARY_DOWNLOAD and run `node node_modules/electron/install.js`.
The same UI runs in a browser: `./bin/strata ui [--port N] [--root DIR]` prints a URL to open.
Starting the browser host now on the default store…
MSG
exec ./bin/strata ui "$@"
