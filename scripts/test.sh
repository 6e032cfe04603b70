#!/usr/bin/env bash
# Runs every test: type checks, lint, the renderer build, the unit/integration suite (vitest),
# and the end-to-end suite (Playwright + Chromium against the browser host). Ends with one line
# `N passed, N failed, N skipped` summing all of them. A test that cannot run here (a tool missing,
# no conformance data) is skipped with its reason and listed; under CI=true any skip but the
# Electron launch test fails the run (scripts/skip-policy.ts).
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
# The skip reporter lists every skipped test with its reason; under CI=true a skip fails the run.
npx vitest run --reporter=default --reporter=./scripts/skip-reporter.ts --reporter=json --outputFile.json="$results/vitest.json"
vitest_status=$?
if [ -s "$results/vitest.json" ]; then
  read -r vp vf vs < <(node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const suitesFailed = r.testResults.filter((t) => t.status === "failed" && t.assertionResults.length === 0).length;
    console.log(r.numPassedTests, r.numFailedTests + suitesFailed, r.numPendingTests + r.numTodoTests);
  ' "$results/vitest.json")
  passed=$((passed + vp)); failed=$((failed + vf)); skipped=$((skipped + vs))
  # A non-zero exit with no failed test: the skip policy (CI=true) or an error outside the tests.
  if [ "$vitest_status" -ne 0 ] && [ "$vf" -eq 0 ]; then echo "FAILED: vitest exited with $vitest_status"; failed=$((failed + 1)); fi
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
