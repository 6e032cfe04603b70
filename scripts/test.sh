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
# Every failure, one line each, repeated just above the last line (CI keeps only the log's tail).
failures="$results/failures"; : >"$failures"
# Tests that failed once and passed on their retry (under CI; vitest.config.ts), listed the same way.
export STRATA_TEST_FLAKES="$results/flakes"; : >"$STRATA_TEST_FLAKES"

check() { # name, command…
  local name="$1"; shift
  echo "== $name"
  if "$@"; then passed=$((passed + 1)); echo "ok: $name"; else failed=$((failed + 1)); echo "FAILED: $name"; echo "$name" >>"$failures"; fi
}

# The bundled CLI first, so that every test running bin/strata runs it (made from this checkout's
# sources; readable by the rootless pass's user, who never writes to out/).
check "CLI bundle" node scripts/build-cli.ts
check "typecheck" npm run -s typecheck
check "lint" npm run -s lint
check "electron-vite build" npx electron-vite build --logLevel warn

# Adds a vitest JSON report's counts to the totals: report, vitest's exit status, name.
fold_vitest() {
  local report="$1" status="$2" name="$3" vp vf vs
  if [ -s "$report" ]; then
    read -r vp vf vs < <(node -e '
      const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
      const suitesFailed = r.testResults.filter((t) => t.status === "failed" && t.assertionResults.length === 0).length;
      // The failed tests with the first line of their error, and files that failed before any test
      // (written before the counts: the shell reads those and goes on).
      const fs = require("fs"), path = require("path"), lines = [];
      const first = (m) => String(m ?? "").replace(/\x1b\[[0-9;]*m/g, "").split("\n").find((l) => l.trim()) ?? "";
      for (const t of r.testResults) {
        const file = path.relative(process.cwd(), t.name);
        if (t.status === "failed" && t.assertionResults.length === 0) lines.push(`${process.argv[2]}: ${file}: ${first(t.message).slice(0, 300)}`);
        for (const a of t.assertionResults) if (a.status === "failed") lines.push(`${process.argv[2]}: ${file} > ${a.fullName}: ${first(a.failureMessages?.[0]).slice(0, 300)}`);
      }
      if (lines.length) fs.appendFileSync(process.argv[3], lines.join("\n") + "\n");
      console.log(r.numPassedTests, r.numFailedTests + suitesFailed, r.numPendingTests + r.numTodoTests);
    ' "$report" "$name" "$failures")
    passed=$((passed + vp)); failed=$((failed + vf)); skipped=$((skipped + vs))
    # A non-zero exit with no failed test: the skip policy (CI=true) or an error outside the tests.
    if [ "$status" -ne 0 ] && [ "$vf" -eq 0 ]; then echo "FAILED: $name exited with $status"; failed=$((failed + 1)); echo "$name exited with $status" >>"$failures"; fi
  else
    echo "$name produced no report"; failed=$((failed + 1)); echo "$name produced no report" >>"$failures"
  fi
}

echo "== vitest"
# The skip reporter lists every skipped test with its reason; under CI=true a skip fails the run.
npx vitest run --reporter=default --reporter=./scripts/skip-reporter.ts --reporter=json --outputFile.json="$results/vitest.json"
fold_vitest "$results/vitest.json" $? vitest

# The rootless path as people run it (issue 20): as root, the engine, builder, container and
# security files that exercise it run again as an ordinary user with a subordinate ID range
# (strata-ci, created once), with a private HOME and temp dir; root-only tests skip there (they
# ran above). STRATA_ROOTLESS_PASS=0 leaves the pass out.
ROOTLESS_FILES=(
  src/main/engine/snapshot src/main/engine/runtime src/main/engine/layer
  test/build/run.test.ts test/container/idmap.test.ts test/container/lab.test.ts test/container/cp-stream.test.ts
  test/container/run-fidelity.test.ts test/container/env-fidelity.test.ts
  test/security/sandbox.test.ts test/security/start-failure.test.ts
)
rootless_pass() {
  local user=strata-ci work checkout
  node --input-type=module -e "const m = await import('./test/fixtures/subuid-user.ts'); const why = m.ensureSubordinateUser(); if (why) { console.error(why); process.exit(1); }" || return 1
  work="$(mktemp -d /tmp/strata-rootless-XXXXXX)"; chmod 755 "$work"
  mkdir "$work/home" "$work/results"; chown "$user:" "$work/home" "$work/results"
  checkout="$PWD"
  # CI may check out where the user cannot read (a root home): then the user runs a copy.
  if ! setpriv --reuid="$user" --regid="$user" --clear-groups sh -c 'test -r package.json && test -x "$1" && test -r node_modules/vitest/package.json' sh "$(command -v node)"; then
    echo "the checkout is not readable by $user: running a copy in $work/checkout"
    cp -a . "$work/checkout" && checkout="$work/checkout"
  fi
  (cd "$checkout" && setpriv --reuid="$user" --regid="$user" --clear-groups \
    env -i PATH="$PATH" HOME="$work/home" TMPDIR="$work/home" LANG=C.UTF-8 CI="${CI:-}" STRATA_ROOTLESS_PASS=1 \
    STRATA_TEST_FLAKES="$work/results/flakes" \
    npx vitest run --configLoader runner "${ROOTLESS_FILES[@]}" --reporter=default --reporter=./scripts/skip-reporter.ts \
      --reporter=json --outputFile.json="$work/results/vitest.json")
  local status=$?
  cp "$work/results/vitest.json" "$results/rootless.json" 2>/dev/null
  [ -f "$work/results/flakes" ] && sed 's/^/rootless vitest: /' "$work/results/flakes" >>"$STRATA_TEST_FLAKES"
  # Stores the user made hold files of its subordinate IDs: root removes them all.
  rm -rf "$work"
  return $status
}
if [ "$(id -u)" -eq 0 ] && [ "${STRATA_ROOTLESS_PASS:-1}" != 0 ]; then
  echo "== vitest (rootless: an ordinary user with subordinate IDs)"
  rootless_pass
  fold_vitest "$results/rootless.json" $? "rootless vitest"
fi

if [ -f e2e/run.ts ]; then
  echo "== e2e"
  node e2e/run.ts 2>&1 | tee "$results/e2e.log"
  line="$(grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' "$results/e2e.log" | tail -1)"
  if [ -n "$line" ]; then
    ep="$(sed -E 's/^e2e: ([0-9]+) passed.*/\1/' <<<"$line")"; ef="$(sed -E 's/^e2e: [0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$line")"
    es="$(grep -oE '([0-9]+) skipped' <<<"$line" | grep -oE '[0-9]+' || echo 0)"
    passed=$((passed + ep)); failed=$((failed + ef)); skipped=$((skipped + es))
    grep -E '^FAILED: ' "$results/e2e.log" | cut -c1-300 | sed 's/^FAILED: /e2e: /' >>"$failures"
  else
    echo "e2e produced no summary"; failed=$((failed + 1)); echo "e2e produced no summary" >>"$failures"
  fi
fi

echo
if [ -s "$STRATA_TEST_FLAKES" ]; then echo "$(wc -l <"$STRATA_TEST_FLAKES") flaky (passed on a retry):"; sed 's/^/  /' "$STRATA_TEST_FLAKES"; fi
if [ -s "$failures" ]; then echo "$(wc -l <"$failures") failure(s):"; sed 's/^/  /' "$failures"; fi
rm -rf "$results"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
