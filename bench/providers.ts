/**
 * The Engine API provider against a private dockerd (Debian's 20.10), side by side with the docker
 * CLI on the same daemon:
 * - listing N images: `strata -H unix://SOCK images` vs `docker -H unix://SOCK images` (goal ≤ 1.5×);
 * - an image's file trees (a ~200 MB image): the first open reads the engine's export stream
 *   (`/images/{name}/get`) and indexes every layer, vs `docker save` of the same image to /dev/null
 *   to /dev/null (goal ≤ 1.5×); the second open (a fresh index over the same cache, as after a restart) reads
 *   only the cache (goal ≤ 50 ms).
 * Medians of alternating runs.
 *
 *   node bench/providers.ts [--images 1000] [--mb 200] [--runs 7]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../src/main/engine/engine.ts';
import { layerTreeOf } from '../src/main/engine/image/layers.ts';
import { EngineApiProvider } from '../src/main/providers/engine-api/provider.ts';
import { EngineLayerIndex } from '../src/main/providers/engine-api/layer-index.ts';
import { storeImage, writeBusyboxRootfs, writeTar, busyboxMissing } from '../test/fixtures/busybox.ts';
import { dockerdMissing, startDockerd, DOCKER } from '../test/fixtures/dockerd.ts';
import { tempDir } from '../test/tmp.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const IMAGES = arg('images', 1000);
const MB = arg('mb', 200);
const RUNS = arg('runs', 7);
const STRATA = join(import.meta.dirname, '..', 'bin/strata');

const why = busyboxMissing() ?? dockerdMissing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(0);
}

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function timedRun(cmd: string, args: string[]): number {
  const t = performance.now();
  // No docker config: no credential helper or context is looked up by either CLI.
  const r = spawnSync(cmd, args, { env: { PATH: process.env.PATH ?? '', HOME: '/tmp', DOCKER_CONFIG: '/nonexistent', STRATA_ROOT: join(dir.path, 'unused') }, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.toString()}`);
  return performance.now() - t;
}

async function pair(a: () => number | Promise<number>, b: () => number | Promise<number>): Promise<{ a: number; b: number; ratio: number }> {
  await a();
  await b();
  const as: number[] = [];
  const bs: number[] = [];
  const ratios: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const x = await a();
    const y = await b();
    as.push(x);
    bs.push(y);
    ratios.push(x / y);
  }
  return { a: median(as), b: median(bs), ratio: median(ratios) };
}

const dir = tempDir('strata-bench-providers-');
const source = join(dir.path, 'store');
const dockerd = await startDockerd();
try {
  const base = join(dir.path, 'base.tar');
  await writeBusyboxRootfs(base);
  const engine = Engine.open({ root: source });
  await storeImage(engine, [base], { tags: ['busybox:latest'] });
  for (let i = 0; i < IMAGES - 2; i++) {
    const top = join(dir.path, 'top.tar');
    await writeTar(top, [{ type: 'file', name: `app${i}.txt`, content: `image ${i}\n` }]);
    await storeImage(engine, [base, top], { tags: [`bench/app${i % 100}:v${Math.floor(i / 100)}`], createdBy: ['ADD base', `COPY app${i}.txt /`] });
  }
  // The big image: MB of incompressible files in 2 MB pieces over two layers.
  const big: string[] = [base];
  for (const half of [0, 1]) {
    const layer = join(dir.path, `big${half}.tar`);
    const files = Array.from({ length: Math.ceil(MB / 4) }, (_, i) => ({ type: 'file' as const, name: `data/${half}/f${i}.bin`, content: randomBytes(2 << 20).toString('latin1') }));
    await writeTar(layer, files);
    big.push(layer);
  }
  await storeImage(engine, big, { tags: ['big:1'] });
  engine.close();
  const archive = join(dir.path, 'all.tar');
  const names = execFileSync(STRATA, ['--root', source, 'images', '--format', '{{.Repository}}:{{.Tag}}'], { encoding: 'utf8' }).trim().split('\n');
  execFileSync(STRATA, ['--root', source, 'save', '-o', archive, ...names]);
  await dockerd.docker(['load', '-i', archive]);
  rmSync(archive);
  const host = `unix://${dockerd.socket}`;

  const list = await pair(() => timedRun(STRATA, ['-H', host, 'images']), () => timedRun(DOCKER, ['-H', host, 'images']));

  const provider = await EngineApiProvider.connect({ host });
  const inProcess: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    await provider.listImages({});
    inProcess.push(performance.now() - t);
  }

  const ins = (await provider.inspectImage('big:1')) as { Id: string; RootFS: { Layers: string[] } };
  const cache = join(dir.path, 'cache');
  const openTrees = async (): Promise<number> => {
    const t = performance.now();
    const index = new EngineLayerIndex(cache);
    const layers = await index.layers(provider, ins.Id, ins.RootFS.Layers);
    for (let p = 0; p < layers.length; p++) layerTreeOf(ins.Id, layers, layers.map((l) => l.files), p);
    return performance.now() - t;
  };
  const firstOpen = await pair(async () => {
    rmSync(cache, { recursive: true, force: true });
    return openTrees();
  }, () => timedRun(DOCKER, ['-H', host, 'save', 'big:1']));
  const second: number[] = [];
  for (let i = 0; i < RUNS; i++) second.push(await openTrees());

  const row = (name: string, r: { a: number; b: number; ratio: number }): string => `| ${name} | ${r.a.toFixed(0)} ms | ${r.b.toFixed(0)} ms | ${r.ratio.toFixed(2)}× |`;
  console.log(`Engine API provider vs the docker CLI 20.10 on one private dockerd 20.10; medians of ${RUNS} alternating runs`);
  console.log('| work | strata | docker | ratio |');
  console.log('|---|---|---|---|');
  console.log(row(`images (${IMAGES} images): strata -H vs docker -H`, list));
  console.log(row(`file trees of a ${MB} MB image, first open vs docker save > /dev/null`, firstOpen));
  console.log(`| file trees, second open (cache only) | ${median(second).toFixed(1)} ms | — | goal ≤ 50 ms |`);
  console.log(`| listImages in process (${IMAGES} images) | ${median(inProcess).toFixed(0)} ms | — | — |`);
} finally {
  await dockerd.stop();
  dir.cleanup();
}
