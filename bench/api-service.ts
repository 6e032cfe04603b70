/**
 * The Engine API service against a real dockerd, through the same docker CLI (Debian's 20.10):
 * `docker images` on a store of N images, and a fully cached `docker build`. The same images are
 * in both (saved by Strata, loaded by docker). Medians of alternating runs and their ratio
 * (Strata's socket / dockerd). Goal: both ≤ 1.0×.
 *
 *   node bench/api-service.ts [--images 1000] [--runs 9]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../src/main/engine/engine.ts';
import { storeImage, writeBusyboxRootfs, writeTar, busyboxMissing } from '../test/fixtures/busybox.ts';
import { dockerdMissing, startDockerd, DOCKER } from '../test/fixtures/dockerd.ts';
import { startService, strataCli } from '../test/api/service.ts';
import { tempDir } from '../test/tmp.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const IMAGES = arg('images', 1000);
const RUNS = arg('runs', 9);

const why = busyboxMissing() ?? dockerdMissing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(0);
}

function timed(socket: string, args: string[], env: Record<string, string> = {}): number {
  const t = performance.now();
  const r = spawnSync(DOCKER, args, { env: { PATH: '/nonexistent', HOME: '/tmp', DOCKER_HOST: `unix://${socket}`, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.status !== 0) throw new Error(`docker ${args.join(' ')}: ${r.stderr.toString()}`);
  return performance.now() - t;
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A and B in turn, RUNS times each; their medians and the median of the pairwise ratios. */
function pair(a: () => number, b: () => number): { a: number; b: number; ratio: number } {
  a();
  b();
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const x = a();
    const y = b();
    as.push(x);
    bs.push(y);
    ratios.push(x / y);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

const dir = tempDir('strata-bench-api-');
const root = join(dir.path, 'store');
const dockerd = await startDockerd();
try {
  await writeBusyboxRootfs(join(dir.path, 'base.tar'));
  const engine = Engine.open({ root });
  await storeImage(engine, [join(dir.path, 'base.tar')], { tags: ['busybox:latest'] });
  for (let i = 0; i < IMAGES; i++) {
    const top = join(dir.path, 'top.tar');
    await writeTar(top, [{ type: 'file', name: `app${i}.txt`, content: `image ${i}\n` }]);
    await storeImage(engine, [join(dir.path, 'base.tar'), top], { tags: [`bench/app${i % 100}:v${Math.floor(i / 100)}`], createdBy: ['ADD base', `COPY app${i}.txt /`] });
  }
  engine.close();
  const archive = join(dir.path, 'all.tar');
  const names = (await strataCli(root, ['images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout.trim().split('\n');
  execFileSync(join(import.meta.dirname, '..', 'bin/strata'), ['--root', root, 'save', '-o', archive, ...names]);
  await dockerd.docker(['load', '-i', archive]);
  const service = await startService(root, join(dir.path, 'run'));
  try {
    const images = pair(() => timed(service.socket, ['images']), () => timed(dockerd.socket, ['images']));
    const ctx = join(dir.path, 'web-ping');
    mkdirSync(ctx);
    writeFileSync(join(ctx, 'Dockerfile'), 'FROM busybox\nENV TARGET=blog.sixeyed.com\nWORKDIR /web-ping\nCOPY app.js .\nRUN echo built > /built.txt\nCMD ["cat", "app.js"]\n');
    writeFileSync(join(ctx, 'app.js'), 'console.log("v1")\n');
    const build = pair(
      () => timed(service.socket, ['build', '-q', '-t', 'web-ping', ctx], { DOCKER_BUILDKIT: '0' }),
      () => timed(dockerd.socket, ['build', '-q', '--network', 'none', '-t', 'web-ping', ctx], { DOCKER_BUILDKIT: '1' }),
    );
    const row = (name: string, r: { a: number; b: number; ratio: number }): string =>
      `| ${name} | ${r.a.toFixed(0)} ms | ${r.b.toFixed(0)} ms | ${r.ratio.toFixed(2)}× |`;
    console.log(`docker CLI 20.10 against Strata's socket vs a private dockerd 20.10; ${IMAGES + 1} images; medians of ${RUNS} alternating runs`);
    console.log('| work | strata service | dockerd | ratio |');
    console.log('|---|---|---|---|');
    console.log(row(`docker images (${IMAGES + 1} images)`, images));
    console.log(row('docker build, fully cached (dockerd: BuildKit)', build));
  } finally {
    await service.stop();
  }
} finally {
  await dockerd.stop();
  dir.cleanup();
}
