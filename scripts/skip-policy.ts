/**
 * The skip policy shared by vitest (scripts/skip-reporter.ts) and the end-to-end runner: a test
 * that cannot run here is reported as skipped with its reason, and under CI=true every skip but
 * the allowed ones fails the run, so CI can never silently lose coverage (docs/DEVELOPING.md).
 */

export interface Skip {
  /** Where the test lives (a file, or `e2e`). */
  where: string;
  /** The test's full name (describe blocks joined with ` > `). */
  name: string;
  /** Why it was skipped. */
  reason: string;
}

/**
 * Skips CI accepts, by test name: the Electron launch test needs an Electron binary, which the
 * package's download cannot fetch on CI machines (ELECTRON_SKIP_BINARY_DOWNLOAD, no network).
 * The Electron main process itself is tested without one (test/electron/main.test.ts).
 */
export const ALLOWED_CI_SKIPS: readonly RegExp[] = [/^Electron: /];

export function ciForbidsSkips(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.CI === '1';
}

/**
 * The rootless pass (scripts/test.sh sets STRATA_ROOTLESS_PASS=1) runs files again as an ordinary
 * user after the root pass ran them whole: there, a test that says it needs root ("not root: …")
 * already ran as root, so its skip loses nothing.
 */
function rootOnlyInRootlessPass(s: Skip, env: NodeJS.ProcessEnv): boolean {
  return env.STRATA_ROOTLESS_PASS === '1' && /^not root\b/.test(s.reason);
}

export function disallowedSkips(skips: readonly Skip[], env: NodeJS.ProcessEnv = process.env): Skip[] {
  return skips.filter((s) => !ALLOWED_CI_SKIPS.some((re) => re.test(s.name)) && !rootOnlyInRootlessPass(s, env));
}

/**
 * Prints every skip with its reason and, under CI=true, what breaks the policy. Returns false
 * when the run must fail.
 */
export function reportSkips(skips: readonly Skip[], log: (line: string) => void = console.log): boolean {
  if (skips.length > 0) {
    log(`${skips.length} skipped:`);
    for (const s of skips) log(`  skipped: ${s.where} > ${s.name}: ${s.reason}`);
  }
  if (!ciForbidsSkips()) return true;
  const bad = disallowedSkips(skips);
  if (bad.length === 0) return true;
  log(`FAILED: CI=true and ${bad.length} test(s) skipped; CI must run every test but ${ALLOWED_CI_SKIPS.map(String).join(', ')}:`);
  for (const s of bad) log(`  ${s.where} > ${s.name}: ${s.reason}`);
  return false;
}
