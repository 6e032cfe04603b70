/**
 * Push and pull of a ≈200 MB image (busybox base + random-data gzip layers) to a local CNCF
 * distribution registry, side by side with `skopeo copy` in one run: OCI layout dir → registry,
 * registry → OCI layout dir, and registry → containers-storage (what `podman pull` does: overlay
 * driver, vfs where overlay cannot mount). Each side pushes to its own fresh repository (no
 * mounts, nothing already there) and pulls into a fresh store / directory. Median of N runs, printed as ratios. Goal: strata ≤ 1.0× skopeo.
 *
 *   node bench/registry.ts [--mb 200] [--layers 4] [--runs 3] [--verbose]
 */
import { spawnSync } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createHash, randomBytes } from 'node:crypto';
import { createGunzip, createGzip } from 'node:zlib';
import { Engine } from '../src/main/engine/engine.ts';
import { MediaType, type Manifest } from '../src/main/engine/image/oci.ts';
import { hexOf } from '../src/main/engine/store/digest.ts';
import { pull } from '../src/main/engine/registry/pull.ts';
import { push } from '../src/main/engine/registry/push.ts';
import { DockerConfigCredentialStore } from '../src/main/engine/registry/credentials.ts';
import { ensureRegistrySchema } from '../src/main/engine/registry/sources.ts';
import { storeImage, writeBusyboxRootfs, busyboxMissing } from '../test/fixtures/busybox.ts';
import { registryMissing, skopeoMissing, startRegistry } from '../test/registry/registry-server.ts';

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const MB = arg('mb', 200);
const LAYERS = arg('layers', 4);
const RUNS = arg('runs', 3);

const missing = registryMissing() ?? skopeoMissing() ?? busyboxMissing();
if (missing) {
  console.log(`skipped: ${missing}`);
  process.exit(0);
}

/** A layer tar of one file of random bytes, streamed (never held in memory), then gzipped. */
async function randomLayer(dir: string, name: string, bytes: number): Promise<string> {
  const tarPath = join(dir, `${name}.tar.gz`);
  const header = Buffer.alloc(512);
  const put = (s: string, off: number): void => void header.write(s, off, 'latin1');
  put(`${name}.bin`, 0);
  put('0000644\0', 100);
  put('0000000\0', 108);
  put('0000000\0', 116);
  put(`${bytes.toString(8).padStart(11, '0')}\0`, 124);
  put(`${Math.floor(Date.UTC(2024, 0, 1) / 1000).toString(8).padStart(11, '0')}\0`, 136);
  put('0', 156);
  put('ustar\0', 257);
  put('00', 263);
  header.fill(' ', 148, 156);
  let sum = 0;
  for (const b of header) sum += b;
  put(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  async function* tar(): AsyncGenerator<Buffer> {
    yield header;
    let left = bytes;
    while (left > 0) {
      const n = Math.min(left, 1 << 20);
      yield randomBytes(n);
      left -= n;
    }
    const pad = (512 - (bytes % 512)) % 512;
    yield Buffer.alloc(pad + 1024);
  }
  await pipeline(tar(), createGzip({ level: 1 }), createWriteStream(tarPath));
  return tarPath;
}

/** The stored image as an OCI layout directory (blobs hard-linked from the store). */
function writeLayout(engine: Engine, imageId: string, dir: string): void {
  const record = engine.images.get(imageId)!;
  const manifestBytes = engine.content.readBytes(record.manifestDigest!);
  const manifest = JSON.parse(manifestBytes.toString()) as Manifest;
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const d of [record.manifestDigest!, manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
    linkSync(engine.content.path(d), join(dir, 'blobs', 'sha256', hexOf(d)));
  }
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: MediaType.OciManifest, digest: record.manifestDigest, size: manifestBytes.length, annotations: { 'org.opencontainers.image.ref.name': 'v1' } }],
  }));
}

interface Sample {
  wall: number;
  /** CPU seconds (user + system, all threads) of the client: the registry's own CPU is not counted. */
  cpu: number;
}

/** Runs strata in process: wall time and this process's CPU time. */
async function strata(fn: () => Promise<unknown>): Promise<Sample> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await fn();
  const c = process.cpuUsage(c0);
  return { wall: (performance.now() - t0) / 1000, cpu: (c.user + c.system) / 1e6 };
}

const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

/** Runs `skopeo ARGS`: wall time and, via /usr/bin/time, its CPU time. */
function skopeo(args: string[]): Sample {
  const t0 = performance.now();
  const res = TIME
    ? spawnSync(TIME, ['-f', 'cpu %U %S', 'skopeo', ...args], { encoding: 'utf8' })
    : spawnSync('skopeo', args, { encoding: 'utf8' });
  const wall = (performance.now() - t0) / 1000;
  if (res.status !== 0) throw new Error(`skopeo ${args.join(' ')} failed: ${res.stderr}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(res.stderr ?? '');
  return { wall, cpu: m ? Number(m[1]) + Number(m[2]) : NaN };
}

/**
 * CPU seconds (one core, files in the page cache) of the hashing and decompression a copy of these
 * layers needs: every copy hashes the blobs; a pull also gunzips them and hashes the tars.
 */
async function perByteWork(blobs: string[]): Promise<{ blobHash: number; gunzip: number; tarHash: number }> {
  const cpu = async (fn: () => Promise<unknown>): Promise<number> => {
    const c0 = process.cpuUsage();
    await fn();
    const c = process.cpuUsage(c0);
    return (c.user + c.system) / 1e6;
  };
  const read = (path: string): ReturnType<typeof createReadStream> => createReadStream(path, { highWaterMark: 1 << 20 });
  const sink = (onChunk: (b: Buffer) => void): Writable => new Writable({ write(chunk: Buffer, _enc, cb) { onChunk(chunk); cb(); } });
  // Each figure is a difference of passes over the same file, so reading it is not counted.
  let blobHash = 0;
  let gunzip = 0;
  let tarHash = 0;
  for (const path of blobs) {
    const reading = await cpu(() => pipeline(read(path), sink(() => {})));
    const blob = createHash('sha256');
    blobHash += (await cpu(() => pipeline(read(path), sink((b) => blob.update(b))))) - reading;
    // An uncompressed layer's diff ID is its blob digest: nothing more to do for it.
    if (!isGzip(path)) continue;
    const unzipping = await cpu(() => pipeline(read(path), createGunzip({ chunkSize: 256 * 1024 }), sink(() => {})));
    const tar = createHash('sha256');
    const hashing = await cpu(() => pipeline(read(path), createGunzip({ chunkSize: 256 * 1024 }), sink((b) => tar.update(b))));
    gunzip += unzipping - reading;
    tarHash += hashing - unzipping;
  }
  return { blobHash: Math.max(0, blobHash), gunzip: Math.max(0, gunzip), tarHash: Math.max(0, tarHash) };
}

function isGzip(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const head = Buffer.alloc(2);
    readSync(fd, head, 0, 2, 0);
    return head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** containers-storage driver for the podman-pull comparison: podman's default, overlay, unless it fails here. */
let storageDriver = 'overlay';

/** Removes a containers-storage directory, unmounting what its overlay driver mounted. */
function releaseStorage(dir: string): void {
  spawnSync('umount', ['-R', join(dir, 'root', 'overlay')], { stdio: 'ignore' });
  rmSync(dir, { recursive: true, force: true });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

const work = mkdtempSync(join(tmpdir(), 'strata-bench-registry-'));
const credentials = new DockerConfigCredentialStore(join(work, 'docker-config'));
try {
  const src = Engine.open({ root: join(work, 'src') });
  const base = join(work, 'base.tar');
  await writeBusyboxRootfs(base);
  const layers = [base];
  for (let i = 0; i < LAYERS; i++) layers.push(await randomLayer(work, `data${i}`, Math.floor((MB * 1e6) / LAYERS)));
  const img = await storeImage(src, layers, { tags: ['bench/big:v1'] });
  const total = src.images.layers(img.id).reduce((n, l) => n + l.blobSize, 0);
  const layout = join(work, 'layout');
  writeLayout(src, img.id, layout);
  console.log(`image: ${LAYERS + 1} layers, ${(total / 1e6).toFixed(1)} MB compressed; ${RUNS} runs each, a fresh registry per run\n`);

  const times = { strataPush: [] as Sample[], skopeoPush: [] as Sample[], strataPull: [] as Sample[], skopeoPull: [] as Sample[], skopeoStorage: [] as Sample[] };
  for (let run = 0; run < RUNS; run++) {
    // A fresh registry (new port) per run: skopeo's blob-info cache and strata's blob sources
    // then know nothing, so both really upload every blob.
    const registry = await startRegistry(join(work, `registry${run}`));
    // Fresh repositories each run; forget where blobs were seen so strata uploads instead of mounting.
    const strataRepo = `${registry.host}/bench/strata${run}:v1`;
    const skopeoRepo = `${registry.host}/bench/skopeo${run}:v1`;
    ensureRegistrySchema(src.db);
    src.db.prepare('DELETE FROM registry_blob_sources').run();
    src.images.commit({ configDigest: img.id, configSize: src.content.size(img.id)!, layers: src.images.layers(img.id).map((l) => ({ ...l })), tags: [strataRepo] });
    // Who goes first alternates, so neither side always meets a warmer registry.
    const skopeoPush = async (): Promise<void> => {
      times.skopeoPush.push(skopeo(['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${skopeoRepo}`]));
    };
    const strataPush = async (): Promise<void> => {
      times.strataPush.push(await strata(() => push(src, strataRepo, { credentials })));
    };
    const out = join(work, `out${run}`);
    const skopeoPull = async (): Promise<void> => {
      times.skopeoPull.push(skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${skopeoRepo}`, `oci:${out}:v1`]));
    };
    const dst = Engine.open({ root: join(work, `dst${run}`) });
    const strataPull = async (): Promise<void> => {
      times.strataPull.push(await strata(() => pull(dst, strataRepo, { credentials })));
    };
    // What `podman pull` does: copy into containers-storage, which decompresses every layer,
    // checks its diff ID and unpacks it — the same kind of work strata's pull does (diff IDs, file
    // index), plus writing the files out. The overlay driver (podman's default) where the kernel
    // allows it, else vfs.
    const storage = join(work, `storage${run}`);
    const skopeoStorage = async (): Promise<void> => {
      const copy = (driver: string): Sample =>
        skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${skopeoRepo}`, `containers-storage:[${driver}@${storage}/root+${storage}/run]bench/big:v1`]);
      try {
        times.skopeoStorage.push(copy(storageDriver));
      } catch (err) {
        if (storageDriver !== 'overlay') throw err;
        console.log(`(overlay storage failed here, using vfs: ${(err as Error).message.split('\n')[0]})`);
        releaseStorage(storage);
        storageDriver = 'vfs';
        times.skopeoStorage.push(copy(storageDriver));
      }
    };
    const order = run % 2 === 0 ? [skopeoPush, strataPush, skopeoPull, strataPull, skopeoStorage] : [strataPush, skopeoPush, strataPull, skopeoPull, skopeoStorage];
    for (const step of order) await step();
    dst.close();
    releaseStorage(storage);
    rmSync(out, { recursive: true, force: true });
    rmSync(join(work, `dst${run}`), { recursive: true, force: true });
    await registry.stop();
    rmSync(join(work, `registry${run}`), { recursive: true, force: true });
    if (process.argv.includes('--verbose')) {
      console.log(`run ${run}: ${Object.entries(times).map(([k, v]) => `${k} ${v.at(-1)!.wall.toFixed(2)}s (cpu ${v.at(-1)!.cpu.toFixed(2)}s)`).join(', ')}`);
    }
  }
  const floor = await perByteWork(src.images.layers(img.id).map((l) => src.content.path(l.blobDigest)));
  src.close();

  const row = (op: string, ours: Sample[], theirs: Sample[]): string => {
    const a = median(ours.map((x) => x.wall));
    const b = median(theirs.map((x) => x.wall));
    const ac = median(ours.map((x) => x.cpu));
    const bc = median(theirs.map((x) => x.cpu));
    return `${op.padEnd(47)} strata ${a.toFixed(2).padStart(5)} s (${(total / 1e6 / a).toFixed(0).padStart(4)} MB/s, cpu ${ac.toFixed(2)} s)   ` +
      `skopeo ${b.toFixed(2).padStart(5)} s (${(total / 1e6 / b).toFixed(0).padStart(4)} MB/s, cpu ${bc.toFixed(2)} s)   ratio ${(a / b).toFixed(2)}× (cpu ${(ac / bc).toFixed(2)}×)`;
  };
  console.log(row('push  (oci dir → registry)', times.strataPush, times.skopeoPush));
  console.log(row('pull  (registry → oci dir)', times.strataPull, times.skopeoPull));
  console.log(row(`pull  (registry → containers-storage, ${storageDriver})`, times.strataPull, times.skopeoStorage));
  console.log('\n(ratio = strata wall time / skopeo wall time, median; goal ≤ 1.00×. cpu = client CPU seconds.');
  console.log(' Like for like, a pull is the containers-storage row: both sides decompress every layer and check its diff ID');
  console.log(' before the image is usable (podman pull does exactly this copy). The OCI dir row is a blob copy that never');
  console.log(' decompresses: strata\'s pull does that copy\'s work plus a gunzip, a second sha256 and a tar parse per layer.)');
  console.log(`\nper-byte work on these layers, one core: sha256 of the blobs ${floor.blobHash.toFixed(2)} s (every copy does it);`);
  console.log(`gunzip ${floor.gunzip.toFixed(2)} s + sha256 of the tars ${floor.tarHash.toFixed(2)} s (what a pull adds to a blob copy: the diff IDs)`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
