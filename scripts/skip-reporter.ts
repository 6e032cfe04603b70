/**
 * A vitest reporter for the skip policy (scripts/skip-policy.ts): lists every skipped test with
 * its reason after the run, and under CI=true fails the run when a test was skipped. It also
 * lists every test that failed and then passed on its retry (vitest.config.ts retries once under
 * CI), with the error it failed with first, so a flaky test is named in the log instead of
 * hidden; with STRATA_TEST_FLAKES set, those lines are appended to that file too (scripts/test.sh
 * repeats them above the counts).
 */
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';
import type { Reporter, TestCase, TestModule } from 'vitest/node';
import { reportSkips, type Skip } from './skip-policy.ts';

export default class SkipReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skips: Skip[] = [];
    const flakes: string[] = [];
    for (const mod of testModules) {
      const where = relative(process.cwd(), mod.moduleId);
      for (const test of mod.children.allTests('skipped')) {
        const result = test.result();
        const note = result.state === 'skipped' ? result.note : undefined;
        // Tests left unrun because a hook failed are the file's failure, reported as such.
        if (note === undefined && test.options.mode === 'run') continue;
        skips.push({ where, name: test.fullName, reason: note ?? `${test.options.mode === 'todo' ? 'todo' : 'skipped'} (no reason given)` });
      }
      for (const test of mod.children.allTests('passed')) {
        if (test.diagnostic()?.flaky) flakes.push(flakeLine(where, test));
      }
    }
    if (flakes.length > 0) {
      console.log(`${flakes.length} flaky (failed, then passed on a retry):`);
      for (const line of flakes) console.log(`  ${line}`);
      const file = process.env.STRATA_TEST_FLAKES;
      if (file) appendFileSync(file, flakes.map((l) => `${l}\n`).join(''));
    }
    if (!reportSkips(skips)) process.exitCode = 1;
  }
}

/** `file > test: the first line of the error its failed attempt ended with`. */
function flakeLine(where: string, test: TestCase): string {
  const errors = test.result().errors ?? [];
  const first = (errors[0]?.message ?? '').split('\n').find((l) => l.trim()) ?? '';
  return `${where} > ${test.fullName}: ${first.slice(0, 300)}`;
}
