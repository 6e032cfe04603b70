/**
 * A vitest reporter for the skip policy (scripts/skip-policy.ts): lists every skipped test with
 * its reason after the run, and under CI=true fails the run when a test was skipped.
 */
import { relative } from 'node:path';
import type { Reporter, TestModule } from 'vitest/node';
import { reportSkips, type Skip } from './skip-policy.ts';

export default class SkipReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const skips: Skip[] = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests('skipped')) {
        const result = test.result();
        const note = result.state === 'skipped' ? result.note : undefined;
        // Tests left unrun because a hook failed are the file's failure, reported as such.
        if (note === undefined && test.options.mode === 'run') continue;
        skips.push({ where: relative(process.cwd(), mod.moduleId), name: test.fullName, reason: note ?? `${test.options.mode === 'todo' ? 'todo' : 'skipped'} (no reason given)` });
      }
    }
    if (!reportSkips(skips)) process.exitCode = 1;
  }
}
