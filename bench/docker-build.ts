/**
 * The daily loop beside a real Docker Engine (Debian docker.io 20.10, BuildKit, a private dockerd
 * as the tests start it): on the ≈250 MB Debian base (bench/debian-base.ts), as a user types it —
 * `load` of the base's docker-archive, the first build (its RUN unpacks the base), a fully cached
 * rebuild, and a rebuild after one source file changed. Each run starts both from an empty store
 * (dockerd: the images and the build cache removed); strata and docker in turn, A B A B ….
 * Goals: cached ≤ 1.0×, one file ≤ 0.5×, load + first build ≤ 1.0× docker's; load ≤ 0.3×.
 *
 *   node bench/docker-build.ts [--runs 3]
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/main/engine/engine.ts';
import { ingestLayer } from '../src/main/engine/layer/layer-ingest.ts';
import { writeImage } from '../src/main/engine/image/image-writer.ts';
import { saveImages, selectImages } from '../src/main/engine/archive/save.ts';
import { sandboxUnavailable } from '../src/main/engine/runtime/sandbox.ts';
import { DOCKER, dockerdMissing, startDockerd } from '../test/fixtures/dockerd.ts';
import { debianBaseTar } from './debian-base.ts';
import { STRATA, median, numberArg, secs, timeProcess } from './stores.ts';
import { makeBenchContext } from './fixtures.ts';

const runs = numberArg('runs', 3);
const BASE = 'bench/debian:base';

/** The base as a docker-archive, written through the engine (ingest, image, save). */
async function baseArchive(work: string, tarPath: string): Promise<string> {
  const engine = Engine.open({ root: join(work, 'seed') });
  const out = join(work, 'base.tar');
  try {
    await engine.gc.withLease(async () => {
      const l = await ingestLayer(engine.content, createReadStream(tarPath));
      await writeImage(engine.content, engine.images, {
        config: {
          created: '2024-01-01T00:00:00Z', architecture: 'amd64', os: 'linux',
          config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['bash'] },
          rootfs: { type: 'layers', diff_ids: [] },
          history: [{ created: '2024-01-01T00:00:00Z', created_by: 'the host\'s Debian packages' }],
        },
        layers: [{ blobDigest: l.blob.digest, blobSize: l.blob.size, compression: l.compression, diffId: l.diffId, size: l.size, diffSize: l.diffSize, files: l.files }],
        tags: [BASE],
      });
    });
    await saveImages(engine, selectImages(engine, [BASE]), createWriteStream(out));
  } finally {
    engine.close();
  }
  rmSync(join(work, 'seed'), { recursive: true, force: true });
  return out;
}

interface Loop {
  load: number;
  first: number;
  cached: number;
  oneFile: number;
}

/** One loop: load, first build, cached rebuild, one file changed. */
function loop(run: (args: string[]) => number, archive: string, ctx: string): Loop {
  const build = (): number => run(['build', '-q', '-t', 'bench-app', ctx]);
  const load = run(['load', '-q', '-i', archive]);
  const first = build();
  const cached = build();
  writeFileSync(join(ctx, 'src', 'mod7.js'), `export const v7 = ${Date.now()};\n`);
  const oneFile = build();
  return { load, first, cached, oneFile };
}

async function main(): Promise<void> {
  const why = sandboxUnavailable() ?? dockerdMissing();
  if (why) {
    console.log(`skipped: ${why}`);
    return;
  }
  const work = mkdtempSync(join(process.env.STRATA_BENCH_TMP ?? tmpdir(), 'strata-bench-docker-build-'));
  const dockerd = await startDockerd();
  try {
    const archive = await baseArchive(work, debianBaseTar());
    const env = { ...process.env, DOCKER_HOST: `unix://${dockerd.socket}`, DOCKER_BUILDKIT: '1' };
    const ours: Loop[] = [];
    const theirs: Loop[] = [];
    for (let i = 0; i < runs; i++) {
      const root = join(work, `strata-${i}`);
      const c1 = join(work, `ctx-strata-${i}`);
      const c2 = join(work, `ctx-docker-${i}`);
      makeBenchContext(c1, BASE);
      makeBenchContext(c2, BASE);
      ours.push(loop((args) => timeProcess([STRATA, '--root', root, ...args]), archive, c1));
      theirs.push(loop((args) => timeProcess([DOCKER, ...(args[0] === 'build' ? ['build', '--network', 'none', ...args.slice(1)] : args)], env), archive, c2));
      rmSync(root, { recursive: true, force: true });
      await dockerd.docker(['rmi', '-f', 'bench-app', BASE], { allowFailure: true });
      await dockerd.docker(['builder', 'prune', '-af'], { allowFailure: true });
      await dockerd.docker(['image', 'prune', '-af'], { allowFailure: true });
    }
    const rows: [string, (l: Loop) => number, number][] = [
      ['load', (l) => l.load, 0.3],
      ['first build (unpacks the base)', (l) => l.first, 1.0],
      ['cold: load + first build', (l) => l.load + l.first, 1.0],
      ['fully cached rebuild', (l) => l.cached, 1.0],
      ['one file changed', (l) => l.oneFile, 0.5],
    ];
    console.log(`base: ${BASE} (≈250 MB); ${runs} runs each, in turn; medians, ratio = median of the per-run ratios\n`);
    console.log(`${'scenario'.padEnd(32)}${'strata'.padStart(9)}${'docker'.padStart(9)}${'ratio'.padStart(8)}   goal`);
    for (const [label, pick, goal] of rows) {
      const a = median(ours.map(pick));
      const b = median(theirs.map(pick));
      const ratio = median(ours.map((l, k) => pick(l) / pick(theirs[k]!)));
      console.log(`${label.padEnd(32)}${secs(a).padStart(9)}${secs(b).padStart(9)}${`${ratio.toFixed(2)}×`.padStart(8)}   ≤ ${goal.toFixed(1)}× ${ratio <= goal ? 'met' : 'NOT met'}`);
    }
  } finally {
    await dockerd.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
