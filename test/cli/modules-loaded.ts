/**
 * What a real `strata ARGS` process loads when run from the sources (src/main/cli/main.ts): the
 * file: URLs of project modules and packages and the `node:` builtins imported as modules,
 * recorded by a module hook. The bundled CLI's counterpart is `strataIn` in bundled-checkout.ts.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { repoRoot } from '../paths.ts';

const HOOK = `const { registerHooks } = require('node:module');
const seen = [];
registerHooks({ load(url, ctx, next) { seen.push(url); return next(url, ctx); } });
process.on('exit', () => require('node:fs').writeFileSync(process.env.STRATA_TEST_MODULES, seen.join('\\n')));
`;

let runs = 0;

/** Runs the sources' CLI on `root` with its command table cached in `dir`/cache; asserts exit 0. */
export function modulesLoaded(dir: string, root: string, args: string[]): { stdout: string; modules: string[] } {
  const record = join(dir, `modules-${process.pid}-${++runs}.txt`);
  const hook = join(dir, 'modules-hook.cjs');
  writeFileSync(hook, HOOK);
  const r = spawnSync(process.execPath, ['--no-warnings', '--require', hook, join(repoRoot, 'src/main/cli/main.ts'), '--root', root, ...args], {
    encoding: 'utf8', env: { ...process.env, STRATA_CACHE_DIR: join(dir, 'cache'), STRATA_TEST_MODULES: record },
  });
  expect(r.status, r.stderr).toBe(0);
  return { stdout: r.stdout, modules: readFileSync(record, 'utf8').split('\n') };
}
