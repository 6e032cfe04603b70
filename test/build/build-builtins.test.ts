/**
 * What a build loads that it has no use for: node:perf_hooks. `performance.now()` loads it on
 * first use (≈ 4 M instructions of a fresh process, a few percent of a fully cached build); step
 * and progress times come from `process.hrtime` (engine/build/clock.ts), there from Node's start.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';

/** Records at exit the builtins the process loaded (however they were asked for). */
const HOOK = `process.on('exit', () => require('node:fs').writeFileSync(process.env.STRATA_TEST_BUILTINS,
  process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)).join('\\n')));
`;

describe('the builtins a build loads', () => {
  const tmp = tempDir('strata-build-builtins-');
  const root = join(tmp.path, 'root');
  const ctx = join(tmp.path, 'ctx');
  mkdirSync(join(ctx, 'src'), { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nENV APP_HOME=/app\nWORKDIR $APP_HOME\nCOPY src/ /app/src/\nLABEL version=1\nCMD ["/app/src/a.js"]\n');
  for (let i = 0; i < 5; i++) writeFileSync(join(ctx, 'src', `m${i}.js`), `export const v = ${i};\n`);
  const hook = join(tmp.path, 'hook.cjs');
  writeFileSync(hook, HOOK);
  afterAll(() => tmp.cleanup());

  /** Runs the sources' CLI; returns its stdout and the builtins it loaded. */
  const build = (args: string[]): { stdout: string; builtins: string[] } => {
    const record = join(tmp.path, 'builtins.txt');
    const r = spawnSync(process.execPath, ['--no-warnings', '--require', hook, join(repoRoot, 'src/main/cli/main.ts'), '--root', root, 'build', ...args, ctx], {
      encoding: 'utf8', env: { ...process.env, STRATA_CACHE_DIR: join(tmp.path, 'cache'), STRATA_TEST_BUILTINS: record },
    });
    expect(r.status, r.stderr).toBe(0);
    return { stdout: r.stdout, builtins: readFileSync(record, 'utf8').split('\n') };
  };

  it('no node:perf_hooks, building, cached, with or without progress', () => {
    const first = build(['-q', '-t', 'app:1']);
    expect(first.builtins).toContain('fs'); // the record is made: the check sees what was loaded
    const cached = build(['-q', '-t', 'app:1']);
    expect(cached.stdout).toBe(first.stdout);
    const progress = build(['--progress', 'plain', '-t', 'app:1']);
    expect([first, cached, progress].map((r) => r.builtins.includes('perf_hooks'))).toEqual([false, false, false]);
  });
});
