/**
 * What a fully cached rebuild loads: no node:crypto (and no build loads node:perf_hooks). Loading it costs a fresh process ≈ 23 M
 * instructions (≈ 8 ms), more than everything such a build hashes (cache keys, COPY checksums,
 * the config's digest: small-hash.ts); a build that writes a layer still loads it for the
 * layer and the files it hashes.
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

describe('a fully cached build', () => {
  const tmp = tempDir('strata-cached-modules-');
  const root = join(tmp.path, 'root');
  const ctx = join(tmp.path, 'ctx');
  mkdirSync(join(ctx, 'src'), { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nENV APP_HOME=/app\nWORKDIR $APP_HOME\nCOPY src/ /app/src/\nLABEL version=1\nCMD ["/app/src/a.js"]\n');
  for (let i = 0; i < 5; i++) writeFileSync(join(ctx, 'src', `m${i}.js`), `export const v = ${i};\n`);
  const hook = join(tmp.path, 'hook.cjs');
  writeFileSync(hook, HOOK);
  afterAll(() => tmp.cleanup());

  /** Runs the sources' CLI; returns its stdout and whether it loaded node:crypto and node:perf_hooks. */
  const build = (args: string[]): { stdout: string; crypto: boolean; perfHooks: boolean } => {
    const record = join(tmp.path, 'builtins.txt');
    const r = spawnSync(process.execPath, ['--no-warnings', '--require', hook, join(repoRoot, 'src/main/cli/main.ts'), '--root', root, 'build', ...args, ctx], {
      encoding: 'utf8', env: { ...process.env, STRATA_CACHE_DIR: join(tmp.path, 'cache'), STRATA_TEST_BUILTINS: record },
    });
    expect(r.status, r.stderr).toBe(0);
    const builtins = readFileSync(record, 'utf8').split('\n');
    return { stdout: r.stdout, crypto: builtins.includes('crypto'), perfHooks: builtins.includes('perf_hooks') };
  };

  it('loads no node:crypto and no node:perf_hooks, with or without progress, and names the same image', () => {
    const first = build(['-q', '-t', 'app:1']);
    expect(first.crypto).toBe(true); // the COPY's layer and its files are hashed: the check sees a use
    const cached = build(['-q', '-t', 'app:1']);
    expect(cached.crypto).toBe(false);
    expect(cached.stdout).toBe(first.stdout);
    const progress = build(['-t', 'app:1']);
    expect(progress.crypto).toBe(false);
    // performance.now() loads node:perf_hooks on first use: step times come from process.hrtime.
    expect([first.perfHooks, cached.perfHooks, progress.perfHooks]).toEqual([false, false, false]);
  });
});
