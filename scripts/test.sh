#!/usr/bin/env bash
# Runs every test: type checks, lint, the renderer build, the unit/integration suite (vitest),
# and the end-to-end suite (Playwright + Chromium against the browser host). Ends with one line
# `N passed, N failed[, N skipped]` summing all of them.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/env.sh
results="$(mktemp -d)"
passed=0; failed=0; skipped=0

check() { # name, command…
  local name="$1"; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); echo "ok: $name"; else failed=$((failed + 1)); echo "FAILED: $name"; fi
}

check "typecheck" npm run -s typecheck
check "lint" npm run -s lint
check "electron-vite build" npx electron-vite build --logLevel warn

echo "== vitest"
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json"
if [ -s "$results/vitest.json" ]; then
  read -r vp vf vs < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const suitesFailed = r.testResults.filter((t) => t.status === "failed" && t.assertionResults.length === 0).length;
    console.log(r.numPassedTests, r.numFailedTests + suitesFailed, r.numPendingTests + r.numTodoTests);
  ' "$results/vitest.json")
  passed=$((passed + vp)); failed=$((failed + vf)); skipped=$((skipped + vs))
else
  echo "vitest produced no report"; failed=$((failed + 1))
fi

if [ -f e2e/run.ts ]; then
  echo "== e2e"
  node e2e/run.ts 2>&1 | tee "$results/e2e.log"
  line="$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' "$results/e2e.log" | tail -1)"
  if [ -n "$line" ]; then
    ep="$(sed -E 's/^e2e: ([0-9]+) passed.*/\1/' <<<"$line")"; ef="$(sed -E 's/^e2e: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")"
    es="$(grep -oE '([0-9]+) skipped' <<<"$line" | grep -oE '[0-9]+' || echo 0)"
    passed=$((passed + ep)); failed=$((failed + ef)); skipped=$((skipped + es))
  else
    echo "e2e produced no summary"; failed=$((failed + 1))
  fi
fi

rm -rf "$results"
echo
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
