/**
 * `images` and `system df -v` on a store with 1,000 images (10 shared base layers, one unique top
 * layer each): in process (median of N runs) and as CLI invocations. Goal: df ≤ 50 ms in process.
 *
 *   node bench/df.ts [--images 1000] [--runs 20]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/main/engine/engine.ts';
import { listImages } from '../src/main/engine/image/list.ts';
import { diskUsage } from '../src/main/engine/usage/disk-usage.ts';
import { formatDiskUsage, formatImagesCommand } from '../src/main/cli/image-format.ts';
import { populate } from './stores.ts';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const IMAGES = arg('images', 1000);
const RUNS = arg('runs', 20);
const BASES = 10;

async function populateStore(engine: Engine, dir: string): Promise<void> {
  await populate(engine, dir, IMAGES, BASES);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function time(fn: () => void, runs: number): number {
  fn(); // warm-up: statement cache, JIT
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    fn();
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

function timeCli(root: string, args: string[], runs: number): number {
  const samples: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    execFileSync(join(repo, 'bin', 'strata'), ['--root', root, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    samples.push(performance.now() - t0);
  }
  return median(samples);
}

const dir = mkdtempSync(join(tmpdir(), 'strata-bench-df-'));
try {
  const root = join(dir, 'store');
  const engine = Engine.open({ root });
  const t0 = performance.now();
  await populateStore(engine, dir);
  const populateMs = performance.now() - t0;
  const now = Date.now();
  const imagesMs = time(() => void formatImagesCommand(listImages(engine), { now }), RUNS);
  const dfDataMs = time(() => void diskUsage(engine), RUNS);
  const dfMs = time(() => void formatDiskUsage(diskUsage(engine), { verbose: true, now }), RUNS);
  const dfSummaryMs = time(() => void formatDiskUsage(diskUsage(engine), { now }), RUNS);
  engine.close();
  const cliRuns = Math.max(3, Math.floor(RUNS / 4));
  const cliImagesMs = timeCli(root, ['images'], cliRuns);
  const cliDfMs = timeCli(root, ['system', 'df', '-v'], cliRuns);
  const cliNoopMs = timeCli(root, ['--version'], cliRuns);
  const f = (ms: number): string => `${ms.toFixed(1)} ms`;
  console.log(`store: ${IMAGES} images, ${BASES} shared base layers (populated in ${(populateMs / 1000).toFixed(1)} s)`);
  console.log(`in process (median of ${RUNS}):`);
  console.log(`  images (list + format)        ${f(imagesMs)}`);
  console.log(`  diskUsage() data only         ${f(dfDataMs)}`);
  console.log(`  system df (summary table)     ${f(dfSummaryMs)}`);
  console.log(`  system df -v (data + table)   ${f(dfMs)}   goal ≤ 50 ms: ${dfMs <= 50 ? 'met' : 'NOT met'}`);
  console.log(`CLI invocations (median of ${cliRuns}, includes Node start-up):`);
  console.log(`  strata --version (start-up)   ${f(cliNoopMs)}`);
  console.log(`  strata images                 ${f(cliImagesMs)}`);
  console.log(`  strata system df -v           ${f(cliDfMs)}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
