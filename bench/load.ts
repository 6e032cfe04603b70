/**
 * `load` of a ≈200 MB docker-archive, side by side with `podman load` (vfs, fresh root) and with
 * `sha256sum` of the same file, in one run. Goals: strata ≤ 0.3× podman, ≤ 2× sha256sum.
 *
 *   node bench/load.ts [--mb 200] [--keep]
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar-stream';
import { pipeline } from 'node:stream/promises';
import { Engine } from '../src/main/engine/engine.ts';
import { loadImages } from '../src/main/engine/archive/load.ts';
import { BUSYBOX } from '../test/fixtures/busybox.ts';
import { randomData, tarEntry } from './fixtures.ts';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const args = process.argv.slice(2);
const totalMb = Number(args[args.indexOf('--mb') + 1] ?? 200) || 200;
const keep = args.includes('--keep');

interface LayerSpec {
  files: { name: string; size: number; source?: string }[];
}

/** Writes one layer tar to `path` and returns its diff ID (random data, streamed). */
async function writeLayer(path: string, spec: LayerSpec): Promise<string> {
  const pack = tar.pack();
  const hash = createHash('sha256');
  const done = pipeline(pack as unknown as Readable, async function* (src: AsyncIterable<Buffer>) {
    for await (const c of src) {
      hash.update(c);
      yield c;
    }
  }, createWriteStream(path));
  for (const f of spec.files) await tarEntry(pack, f.name, f.size, f.source ? createReadStream(f.source) : randomData(f.size));
  pack.finalize();
  await done;
  return `sha256:${hash.digest('hex')}`;
}

/** A legacy-layout docker-archive: busybox base plus random-data layers, ≈ totalMb. */
async function makeArchive(dir: string): Promise<string> {
  const layers: { path: string; diffId: string }[] = [];
  const base = join(dir, 'base.tar');
  layers.push({ path: base, diffId: await writeLayer(base, { files: BUSYBOX ? [{ name: 'bin/busybox', size: statSync(BUSYBOX).size, source: BUSYBOX }] : [] }) });
  const perLayer = Math.floor(totalMb / 4);
  for (let i = 0; i < 4; i++) {
    const p = join(dir, `layer${i}.tar`);
    const files = Array.from({ length: 8 }, (_, k) => ({ name: `data/${i}/file${k}.bin`, size: Math.floor((perLayer << 20) / 8) }));
    layers.push({ path: p, diffId: await writeLayer(p, { files }) });
  }
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z', config: { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
    history: layers.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `layer ${i}` })),
  }));
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const archive = join(dir, 'bench.tar');
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(archive));
  const layerNames: string[] = [];
  for (const l of layers) {
    const name = `${l.diffId.slice(7)}/layer.tar`;
    layerNames.push(name);
    await tarEntry(pack, name, statSync(l.path).size, createReadStream(l.path));
  }
  pack.entry({ name: configName, mtime: new Date(0) }, config);
  pack.entry({ name: 'manifest.json', mtime: new Date(0) }, JSON.stringify([{ Config: configName, RepoTags: ['bench/load:latest'], Layers: layerNames }]));
  pack.finalize();
  await done;
  for (const l of layers) rmSync(l.path);
  return archive;
}

function time<T>(fn: () => T): { ms: number; value: T } {
  const t = performance.now();
  const value = fn();
  return { ms: performance.now() - t, value };
}

async function timeAsync<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { ms: performance.now() - t, value };
}

function have(tool: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
}

const dir = mkdtempSync(join(process.env.STRATA_BENCH_DIR ?? tmpdir(), 'strata-bench-load-'));
try {
  console.log(`making a ≈${totalMb} MB docker-archive in ${dir} …`);
  const archive = await makeArchive(dir);
  const size = statSync(archive).size;
  console.log(`archive: ${(size / 1e6).toFixed(1)} MB`);

  spawnSync('cat', [archive], { stdio: ['ignore', 'ignore', 'ignore'] }); // warm the page cache for everyone
  const sha = time(() => spawnSync('sha256sum', [archive], { encoding: 'utf8' }));

  const inProcRoot = join(dir, 'strata-inproc');
  const engine = Engine.open({ root: inProcRoot });
  const inProc = await timeAsync(() => loadImages(engine, { path: archive }));
  engine.close();
  rmSync(inProcRoot, { recursive: true, force: true });

  const cliRoot = join(dir, 'strata-cli');
  const cli = time(() => spawnSync(join(repo, 'bin', 'strata'), ['--root', cliRoot, 'load', '-i', archive], { encoding: 'utf8' }));
  if (cli.value.status !== 0) throw new Error(`strata load failed: ${cli.value.stderr}`);
  rmSync(cliRoot, { recursive: true, force: true });
  // What every CLI command pays before any work: Node start plus importing the command modules.
  const startup = time(() => spawnSync(join(repo, 'bin', 'strata'), ['--version'], { encoding: 'utf8' }));

  let podmanMs: number | undefined;
  if (have('podman')) {
    const proot = join(dir, 'podman');
    const p = time(() => spawnSync('podman', ['--root', join(proot, 'root'), '--runroot', join(proot, 'run'), '--storage-driver', 'vfs', 'load', '-i', archive], { encoding: 'utf8' }));
    if (p.value.status !== 0) throw new Error(`podman load failed: ${p.value.stderr}`);
    podmanMs = p.ms;
    rmSync(proot, { recursive: true, force: true });
  }

  const fmt = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  console.log(`sha256sum               ${fmt(sha.ms)}  (${(size / 1e6 / (sha.ms / 1000)).toFixed(0)} MB/s)`);
  console.log(`strata load (in process) ${fmt(inProc.ms)}  (${(size / 1e6 / (inProc.ms / 1000)).toFixed(0)} MB/s)`);
  console.log(`strata load (CLI)        ${fmt(cli.ms)}  (of which CLI startup, \`strata --version\`: ${fmt(startup.ms)})`);
  if (podmanMs !== undefined) console.log(`podman load (vfs)        ${fmt(podmanMs)}`);
  console.log('');
  if (podmanMs !== undefined) {
    console.log(`strata/podman  ${(inProc.ms / podmanMs).toFixed(3)} (in process)  ${(cli.ms / podmanMs).toFixed(3)} (CLI)   goal ≤ 0.3`);
  } else console.log('strata/podman  skipped: podman is not installed');
  console.log(`strata/sha256  ${(inProc.ms / sha.ms).toFixed(2)} (in process)  ${(cli.ms / sha.ms).toFixed(2)} (CLI)   goal ≤ 2`);
} finally {
  if (!keep) rmSync(dir, { recursive: true, force: true });
  else console.log(`kept ${dir}`);
}
