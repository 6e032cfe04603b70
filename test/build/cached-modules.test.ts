/**
 * What a fully cached rebuild loads: no node:crypto. Loading it costs a fresh process ≈ 23 M
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

/** Records at exit whether the process loaded node:crypto (as a builtin, however it was asked for). */
const HOOK = `process.on('exit', () => require('node:fs').writeFileSync(process.env.STRATA_TEST_CRYPTO,
  String(process.moduleLoadList.includes('NativeModule crypto'))));
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

  /** Runs the sources' CLI; returns its stdout and whether it loaded node:crypto. */
  const build = (args: string[]): { stdout: string; crypto: boolean } => {
    const record = join(tmp.path, 'crypto.txt');
    const r = spawnSync(process.execPath, ['--no-warnings', '--require', hook, join(repoRoot, 'src/main/cli/main.ts'), '--root', root, 'build', ...args, ctx], {
      encoding: 'utf8', env: { ...process.env, STRATA_CACHE_DIR: join(tmp.path, 'cache'), STRATA_TEST_CRYPTO: record },
    });
    expect(r.status, r.stderr).toBe(0);
    return { stdout: r.stdout, crypto: readFileSync(record, 'utf8') === 'true' };
  };

  it('loads no node:crypto, with or without progress, and names the same image', () => {
    const first = build(['-q', '-t', 'app:1']);
    expect(first.crypto).toBe(true); // the COPY's layer and its files are hashed: the check sees a use
    const cached = build(['-q', '-t', 'app:1']);
    expect(cached.crypto).toBe(false);
    expect(cached.stdout).toBe(first.stdout);
    expect(build(['-t', 'app:1']).crypto).toBe(false);
  });
});
