/**
 * The daily loop beside a real Docker Engine (Debian docker.io 20.10, BuildKit, a private dockerd
 * as the tests start it): on the ≈250 MB Debian base (bench/debian-base.ts), as a user types it —
 * `load` of the base's docker-archive, the first build (its RUN unpacks the base), a fully cached
 * rebuild, and a rebuild after one source file changed. Each run starts both from an empty store
 * (dockerd: the images and the build cache removed); strata and docker in turn, A B A B ….
 * Goals: cached ≤ 1.0×, one file ≤ 0.5×, load + first build ≤ 1.0× docker's; load ≤ 0.3×.
 * With `--before CHECKOUT`, that checkout's `bin/strata` runs the same loop in turn (B), so a
 * change is measured against what it changed in one run. `load` prepares the base's snapshot in
 * the background (snapshot/prepare.ts): the first build's RUN waits for it if it is not made yet.
 *
 *   node bench/docker-build.ts [--runs 3] [--before /path/to/other/checkout]
 */
import { spawnSync } from 'node:child_process';
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
import { STRATA, median, numberArg, secs, stringArg } from './stores.ts';
import { makeBenchContext } from './fixtures.ts';

const runs = numberArg('runs', 3);
const before = stringArg('before');
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

interface Timed {
  wall: number;
  /** User + system time of the process (/usr/bin/time, 10 ms steps): docker's is its CLI's only. */
  cpu: number;
}

/**
 * Wall and CPU milliseconds of one whole process; throws when it fails. On a loaded machine the
 * wall time mostly measures waiting for a core: the CPU time still says what a run costs.
 */
function timed(argv: string[], env: NodeJS.ProcessEnv = process.env): Timed {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', ...argv], { stdio: ['ignore', 'ignore', 'pipe'], env, encoding: 'utf8', maxBuffer: 1 << 24 });
  const wall = performance.now() - t0;
  if (r.status !== 0) throw new Error(`${argv.join(' ')} failed (${r.status}): ${r.stderr.slice(-2000)}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN };
}

/** One loop: load, first build, cached rebuild, one file changed; wall times, and CPU times beside. */
function loop(run: (args: string[]) => Timed, archive: string, ctx: string): { wall: Loop; cpu: Loop } {
  const build = (): Timed => run(['build', '-q', '-t', 'bench-app', ctx]);
  const load = run(['load', '-q', '-i', archive]);
  const first = build();
  const cached = build();
  writeFileSync(join(ctx, 'src', 'mod7.js'), `export const v7 = ${Date.now()};\n`);
  const oneFile = build();
  return {
    wall: { load: load.wall, first: first.wall, cached: cached.wall, oneFile: oneFile.wall },
    cpu: { load: load.cpu, first: first.cpu, cached: cached.cpu, oneFile: oneFile.cpu },
  };
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
    const olds: Loop[] = [];
    const oursCpu: Loop[] = [];
    const oldsCpu: Loop[] = [];
    for (let i = 0; i < runs; i++) {
      const root = join(work, `strata-${i}`);
      const c1 = join(work, `ctx-strata-${i}`);
      const c2 = join(work, `ctx-docker-${i}`);
      makeBenchContext(c1, BASE);
      makeBenchContext(c2, BASE);
      const a = loop((args) => timed([STRATA, '--root', root, ...args]), archive, c1);
      ours.push(a.wall);
      oursCpu.push(a.cpu);
      rmSync(root, { recursive: true, force: true });
      if (before) {
        const c3 = join(work, `ctx-before-${i}`);
        makeBenchContext(c3, BASE);
        const b = loop((args) => timed([join(before, 'bin', 'strata'), '--root', root, ...args]), archive, c3);
        olds.push(b.wall);
        oldsCpu.push(b.cpu);
        rmSync(root, { recursive: true, force: true });
      }
      theirs.push(loop((args) => timed([DOCKER, ...(args[0] === 'build' ? ['build', '--network', 'none', ...args.slice(1)] : args)], env), archive, c2).wall);
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
    console.log(`base: ${BASE} (≈250 MB); ${runs} runs each, in turn${before ? `; B = ${before}` : ''}`);
    console.log('best of the runs (median); ratio = best / docker\'s best (median of the per-run ratios)\n');
    const cell = (xs: number[]): string => `${secs(Math.min(...xs))} (${secs(median(xs))})`.padStart(19);
    const ratios = (xs: Loop[], pick: (l: Loop) => number): string => {
      const best = Math.min(...xs.map(pick)) / Math.min(...theirs.map(pick));
      return `${best.toFixed(2)}× (${median(xs.map((l, k) => pick(l) / pick(theirs[k]!))).toFixed(2)}×)`.padStart(16);
    };
    console.log(`${'scenario'.padEnd(32)}${'strata'.padStart(19)}${'docker'.padStart(19)}${'ratio'.padStart(16)}${before ? `${'B'.padStart(19)}${'B ratio'.padStart(16)}` : ''}   goal`);
    for (const [label, pick, goal] of rows) {
      const best = Math.min(...ours.map(pick)) / Math.min(...theirs.map(pick));
      const b = before ? `${cell(olds.map(pick))}${ratios(olds, pick)}` : '';
      console.log(`${label.padEnd(32)}${cell(ours.map(pick))}${cell(theirs.map(pick))}${ratios(ours, pick)}${b}   ≤ ${goal.toFixed(1)}× ${best <= goal ? 'met' : 'NOT met'}`);
    }
    console.log('\nCPU (user + system) of the strata process, best (median); the load row excludes the snapshot preparer it starts');
    console.log(`${'scenario'.padEnd(32)}${'strata'.padStart(19)}${before ? 'B'.padStart(19) : ''}`);
    for (const [label, pick] of rows.slice(0, 2).concat(rows.slice(3))) {
      console.log(`${label.padEnd(32)}${cell(oursCpu.map(pick))}${before ? cell(oldsCpu.map(pick)) : ''}`);
    }
  } finally {
    await dockerd.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
