/**
 * Stores and timings the benchmarks share: a store of N small images (10 shared base layers, one
 * unique top layer each) written through the engine, and paired timing of whole CLI processes.
 */
import { createReadStream } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/main/engine/engine.ts';
import { ingestLayer } from '../src/main/engine/layer/layer-ingest.ts';
import { writeImage } from '../src/main/engine/image/image-writer.ts';
import type { LayerInput } from '../src/main/engine/image/image-service.ts';
import { baseConfig, writeTar } from '../test/fixtures/busybox.ts';

export const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const STRATA = join(repo, 'bin', 'strata');

/** `--name N` from argv, else `dflt`. */
export function numberArg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
}

export function stringArg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function layerFrom(engine: Engine, dir: string, name: string, content: string): Promise<LayerInput> {
  const path = join(dir, `${name}.tar`);
  await writeTar(path, [{ type: 'file', name: `${name}.txt`, content }]);
  const l = await ingestLayer(engine.content, createReadStream(path));
  return { blobDigest: l.blob.digest, blobSize: l.blob.size, compression: l.compression, diffId: l.diffId, size: l.size, diffSize: l.diffSize, files: l.files };
}

/** Writes `images` images into `engine` (tars made in `scratch`), 100 repositories with tags v0, v1 … */
export async function populate(engine: Engine, scratch: string, images: number, bases = 10): Promise<void> {
  await engine.gc.withLease(async () => {
    const baseLayers: LayerInput[] = [];
    for (let b = 0; b < bases; b++) baseLayers.push(await layerFrom(engine, scratch, `base${b}`, `base ${b}\n`.repeat(2000 + b * 500)));
    for (let i = 0; i < images; i++) {
      const top = await layerFrom(engine, scratch, `top${i}`, `image ${i}\n`.repeat(1 + (i % 50)));
      const created = new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString();
      await writeImage(engine.content, engine.images, {
        config: baseConfig({ created, history: [{ created, created_by: 'ADD base' }, { created, created_by: `RUN echo ${i}` }] }),
        layers: [baseLayers[i % bases]!, top],
        tags: [`bench/app${i % 100}:v${Math.floor(i / 100)}`],
      });
    }
  });
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/** Wall milliseconds of one whole process; throws when it fails. */
export function timeProcess(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const t0 = performance.now();
  const r = spawnSync(argv[0]!, argv.slice(1), { stdio: ['ignore', 'ignore', 'pipe'], env, maxBuffer: 1 << 24 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr?.toString().slice(-2000)}`);
  return ms;
}

/**
 * CPU milliseconds (user + system, 10 ms resolution) of one whole process as /usr/bin/time
 * reports it: on a loaded machine, where wall time mostly measures waiting for a core, the
 * figure that still says what the process costs.
 */
export function cpuOfProcess(argv: string[], env: NodeJS.ProcessEnv = process.env): number {
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', ...argv], { stdio: ['ignore', 'ignore', 'pipe'], env, encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN;
}

export interface Paired {
  /** Best of the runs (the goals' "best of 3"), and the median. */
  best: number;
  median: number;
  other?: { best: number; median: number };
  /** Median of the per-pair ratios A/B: holds while the machine's speed drifts. */
  ratio?: number;
}

/**
 * Runs `a` (and `b`, in turn: A B A B …) `runs` times after one warm-up each. Pairing keeps the
 * comparison fair on a shared, noisy machine.
 */
export function paired(runs: number, a: () => number, b?: () => number): Paired {
  a();
  b?.();
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < runs; i++) {
    as.push(a());
    if (b) bs.push(b());
  }
  const out: Paired = { best: Math.min(...as), median: median(as) };
  if (b) {
    out.other = { best: Math.min(...bs), median: median(bs) };
    out.ratio = median(as.map((x, i) => x / bs[i]!));
  }
  return out;
}

export const ms = (x: number): string => `${x.toFixed(0)} ms`;
export const secs = (x: number): string => `${(x / 1000).toFixed(2)} s`;
