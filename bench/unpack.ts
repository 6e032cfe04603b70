/**
 * Unpacking a layer: the engine's snapshot of the ≈250 MB Debian base layer (bench/debian-base.ts)
 * beside `tar -xf` of the same layer tar into a directory on the same disk, in turn, each run into
 * a fresh directory (the page cache warm for both). Goal: ≤ 1.2× tar.
 *
 *   node bench/unpack.ts [--runs 3]
 */
import { createReadStream, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/main/engine/engine.ts';
import { ingestLayer } from '../src/main/engine/layer/layer-ingest.ts';
import { writeImage } from '../src/main/engine/image/image-writer.ts';
import { Snapshotter } from '../src/main/engine/snapshot/snapshotter.ts';
import { baseConfig } from '../test/fixtures/busybox.ts';
import { debianBaseTar } from './debian-base.ts';
import { median, numberArg, secs, timeProcess } from './stores.ts';

const runs = numberArg('runs', 3);

/** A store holding the base as an image, not unpacked yet. */
async function storeWithBase(root: string, tarPath: string): Promise<string> {
  const engine = Engine.open({ root });
  try {
    return await engine.gc.withLease(async () => {
      const l = await ingestLayer(engine.content, createReadStream(tarPath));
      const written = await writeImage(engine.content, engine.images, {
        config: baseConfig(),
        layers: [{ blobDigest: l.blob.digest, blobSize: l.blob.size, compression: l.compression, diffId: l.diffId, size: l.size, diffSize: l.diffSize, files: l.files }],
        tags: ['bench/base:latest'],
      });
      return written.id;
    });
  } finally {
    engine.close();
  }
}

async function timeUnpack(root: string, imageId: string): Promise<number> {
  const engine = Engine.open({ root });
  try {
    const t0 = performance.now();
    await new Snapshotter(engine).lowerDirs(imageId);
    return performance.now() - t0;
  } finally {
    engine.close();
  }
}

const work = mkdtempSync(join(process.env.STRATA_BENCH_TMP ?? tmpdir(), 'strata-bench-unpack-'));
try {
  const tarPath = debianBaseTar();
  timeProcess(['cat', tarPath]); // the page cache warm for both
  const ours: number[] = [];
  const tars: number[] = [];
  for (let i = 0; i < runs; i++) {
    const root = join(work, `store${i}`);
    const imageId = await storeWithBase(root, tarPath);
    ours.push(await timeUnpack(root, imageId));
    rmSync(root, { recursive: true, force: true });
    const dir = join(work, `tar${i}`);
    mkdirSync(dir);
    tars.push(timeProcess(['tar', '-xf', tarPath, '-C', dir]));
    rmSync(dir, { recursive: true, force: true });
  }
  const a = median(ours);
  const b = median(tars);
  const ratio = median(ours.map((x, i) => x / tars[i]!));
  console.log(`layer: ${tarPath}; ${runs} runs each, in turn; medians (best)`);
  console.log(`strata unpack (snapshot)  ${secs(a)} (${secs(Math.min(...ours))})`);
  console.log(`tar -xf                   ${secs(b)} (${secs(Math.min(...tars))})`);
  console.log(`ratio ${ratio.toFixed(2)}×   goal ≤ 1.2×: ${ratio <= 1.2 ? 'met' : 'NOT met'}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
