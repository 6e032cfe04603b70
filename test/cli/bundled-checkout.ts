/**
 * A copy of the checkout's CLI (sources, launcher, build script) in a temp dir, with its bundle
 * built there: tests may edit its files and move its out/cli/ without touching the real
 * checkout, and see which entry a `bin/strata` process ran through a module hook.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../paths.ts';

const COPIED = ['src/main', 'src/shared', 'bin', 'scripts/build-cli.ts', 'package.json', 'tsconfig.node.json'];

/** Copies the CLI into `dir`/checkout (node_modules and the toolchain linked) and bundles it. */
export function bundledCheckout(dir: string): string {
  const checkout = join(dir, 'checkout');
  for (const p of COPIED) cpSync(join(repoRoot, p), join(checkout, p), { recursive: true });
  for (const link of ['node_modules', '.toolchain']) {
    if (existsSync(join(repoRoot, link))) symlinkSync(realpathSync(join(repoRoot, link)), join(checkout, link));
  }
  buildBundle(checkout);
  writeFileSync(join(dir, 'hook.cjs'), HOOK);
  return checkout;
}

export function buildBundle(checkout: string): void {
  const r = spawnSync(process.execPath, ['scripts/build-cli.ts'], { cwd: checkout, encoding: 'utf8', timeout: 120_000 });
  if (r.status !== 0) throw new Error(`build-cli failed (${r.status}): ${r.stderr}`);
}

// Records the modules one process loads, and the builtins (the bundle takes them with
// process.getBuiltinModule, which no hook sees); the variable is dropped so its children record nothing.
const HOOK = `const { registerHooks } = require('node:module');
const record = process.env.STRATA_TEST_MODULES;
delete process.env.STRATA_TEST_MODULES;
const seen = [];
if (record) {
  registerHooks({ load(url, ctx, next) { seen.push(url); return next(url, ctx); } });
  process.on('exit', () => {
    const builtins = process.moduleLoadList.filter((m) => /^NativeModule [^/]+$/.test(m) && !m.includes('internal')).map((m) => 'node:' + m.slice(13));
    require('node:fs').writeFileSync(record, [...seen, ...builtins].join('\\n'));
  });
}
`;

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  /** The file: URLs the process loaded, and `node:` builtins. */
  modules: string[];
  /** Which entry ran: the bundle's main chunk, or main.ts. */
  ran: 'bundle' | 'sources' | 'both' | 'neither';
}

let runs = 0;

/** `checkout/bin/strata ARGS` as a user runs it, with what it loaded. */
export function strataIn(checkout: string, args: string[], env: NodeJS.ProcessEnv = {}): Run {
  const record = join(checkout, '..', `modules-${process.pid}-${++runs}.txt`);
  const hook = join(checkout, '..', 'hook.cjs');
  const r = spawnSync(join(checkout, 'bin', 'strata'), args, {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, ...env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${hook}`.trim(), STRATA_TEST_MODULES: record },
  });
  const modules = existsSync(record) ? readFileSync(record, 'utf8').split('\n') : [];
  const bundle = modules.includes(`file://${checkout}/out/cli/main.js`);
  const sources = modules.includes(`file://${checkout}/src/main/cli/main.ts`);
  const ran = bundle && sources ? 'both' : bundle ? 'bundle' : sources ? 'sources' : 'neither';
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, modules, ran };
}

/** The source modules the bundle's chunks a process loaded were made from (the chunks name them). */
export function sourcesOfChunks(modules: string[]): string[] {
  return modules
    .filter((u) => /\/out\/cli\/[^/]+\.js$/.test(u))
    .flatMap((u) => [...readFileSync(new URL(u), 'utf8').matchAll(/^\/\/ (src\/\S+)$/gm)].map((m) => m[1]!));
}
