import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Snapshotter } from './snapshotter.ts';
import { saveImages, selectImages } from '../archive/save.ts';
import { sandboxUnavailable } from '../runtime/sandbox.ts';
import { processStamp } from '../build/owner.ts';
import { Engine } from '../engine.ts';
import { storeImage, writeTar } from '../../../../test/fixtures/busybox.ts';
import { useTempEngine } from '../../../../test/fixtures/engine.ts';
import { repoRoot } from '../../../../test/paths.ts';
import { api, startService } from '../../../../test/api/service.ts';

const STRATA = join(repoRoot, 'bin', 'strata');

async function oneLayerImage(engine: Engine, dir: string): Promise<{ id: string; chainId: string }> {
  const layer = join(dir, 'layer.tar');
  await writeTar(layer, [{ type: 'dir', name: 'etc/' }, { type: 'file', name: 'etc/os-release', content: 'ID=test\n' }]);
  const img = await storeImage(engine, [layer], { tags: ['prepared:latest'] });
  return { id: img.id, chainId: engine.images.layers(img.id)[0]!.chainId };
}

/** The one-layer image saved as a docker-archive in `dir`, for another store to load. */
async function savedImage(engine: Engine, dir: string): Promise<{ id: string; chainId: string; archive: string }> {
  const image = await oneLayerImage(engine, dir);
  const archive = join(dir, 'image.tar');
  await saveImages(engine, selectImages(engine, ['prepared:latest']), createWriteStream(archive));
  return { ...image, archive };
}

/** Entries of a snapshot's folder other than the published `fs`: scratch unpacks and markers. */
function scratchOf(snapshotDir: string): string[] {
  return readdirSync(dirname(snapshotDir)).filter((n) => n !== 'fs');
}

/** Resolves once `check` holds, looking again every 50 ms for at most `ms`. */
async function until(check: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Pids of snapshot preparers working on the store at `root` (their command line names it). */
function preparersOf(root: string): number[] {
  const pids: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // exited meanwhile
    }
    if (argv.some((a) => a.includes('prepare-main')) && argv.includes(root)) pids.push(Number(name));
  }
  return pids;
}

/** `strata load` reading the archive from a pipe this test feeds, with snapshots prepared ahead. */
function loadFromPipe(root: string): { child: ChildProcess; exited: Promise<{ code: number | null; stderr: string }> } {
  const child = spawn(STRATA, ['--root', root, 'load'], { stdio: ['pipe', 'ignore', 'pipe'], env: { ...process.env, STRATA_PREPARE_SNAPSHOTS: '1' } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr })));
  return { child, exited };
}

/** Waits until the image's snapshots in the store at `root` are published whole (no marker or scratch beside them). */
async function preparedIn(root: string, id: string, chainId: string): Promise<string> {
  const other = Engine.open({ root });
  try {
    const target = new Snapshotter(other).dirOf(chainId);
    // Published whole by a rename, so once it exists its files are there.
    await until(() => existsSync(target), 60_000);
    await until(() => scratchOf(target).length === 0, 60_000);
    expect(new Snapshotter(other).isPrepared(id)).toBe(true);
    return target;
  } finally {
    other.close();
  }
}

describe('Snapshots prepared across processes', () => {
  const fx = useTempEngine();
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('waits for a snapshot another live process is making instead of making it twice', async () => {
    const { id, chainId } = await oneLayerImage(fx.engine, fx.dir.path);
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      let waiting!: () => void;
      const waited = new Promise<void>((r) => (waiting = r));
      const snapshots = new Snapshotter(fx.engine, { onWait: () => waiting() });
      const target = snapshots.dirOf(chainId);
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(join(dirname(target), 'preparing'), processStamp(holder.pid!));
      const made = snapshots.lowerDirs(id);
      await waited;
      // Waiting, not unpacking: no scratch directory of its own beside the marker.
      expect(scratchOf(target)).toEqual(['preparing']);
      // The holder publishes its snapshot (its own content, which this process must take as is).
      mkdirSync(join(dirname(target), 'tmp-other'));
      writeFileSync(join(dirname(target), 'tmp-other', 'made-by-the-holder'), '');
      spawnSync('mv', [join(dirname(target), 'tmp-other'), target]);
      expect(await made).toEqual([target]);
      expect(readdirSync(target)).toEqual(['made-by-the-holder']);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('takes over the marker of a process that died and makes the snapshot whole', async () => {
    const { id, chainId } = await oneLayerImage(fx.engine, fx.dir.path);
    const dead = spawnSync('true');
    const snapshots = new Snapshotter(fx.engine);
    const target = snapshots.dirOf(chainId);
    mkdirSync(join(dirname(target), 'tmp-12345-deadbeef'), { recursive: true }); // its half unpack
    writeFileSync(join(dirname(target), 'preparing'), processStamp(dead.pid));
    expect(await snapshots.lowerDirs(id)).toEqual([target]);
    expect(readFileSync(join(target, 'etc/os-release'), 'utf8')).toBe('ID=test\n');
    // Its marker is gone; the dead one's half unpack stays hidden until prune removes it.
    expect(scratchOf(target)).toEqual(['tmp-12345-deadbeef']);
  });

  it.skipIf(sandboxUnavailable())(`load unpacks the image's layers in the background${sandboxUnavailable() ? ` [skipped: ${sandboxUnavailable()}]` : ''}`, async () => {
    const { id, chainId, archive } = await savedImage(fx.engine, fx.dir.path);
    const root = join(fx.dir.path, 'other');
    const r = spawnSync(STRATA, ['--root', root, 'load', '-i', archive], { encoding: 'utf8', env: { ...process.env, STRATA_PREPARE_SNAPSHOTS: '1' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Loaded image: prepared:latest\n');
    const target = await preparedIn(root, id, chainId);
    expect(readFileSync(join(target, 'etc/os-release'), 'utf8')).toBe('ID=test\n');
  });

  it.skipIf(sandboxUnavailable())(`load starts its preparer before the archive is read; it unpacks once the image is stored${sandboxUnavailable() ? ` [skipped: ${sandboxUnavailable()}]` : ''}`, async () => {
    const { id, chainId, archive } = await savedImage(fx.engine, fx.dir.path);
    const bytes = readFileSync(archive);
    const root = join(fx.dir.path, 'early');
    const { child, exited } = loadFromPipe(root);
    child.stdin!.write(bytes.subarray(0, bytes.length >> 1));
    // Half the archive read: the preparer runs already, and has nothing to unpack yet.
    await until(() => preparersOf(root).length === 1, 30_000);
    expect(existsSync(join(root, 'snapshots', chainId.slice(7)))).toBe(false);
    child.stdin!.end(bytes.subarray(bytes.length >> 1));
    expect(await exited).toEqual({ code: 0, stderr: '' });
    expect(readFileSync(join(await preparedIn(root, id, chainId), 'etc/os-release'), 'utf8')).toBe('ID=test\n');
    await until(() => preparersOf(root).length === 0, 30_000);
  });

  it.skipIf(sandboxUnavailable())(`a load that fails leaves its preparer nothing: it exits and no snapshot is made${sandboxUnavailable() ? ` [skipped: ${sandboxUnavailable()}]` : ''}`, async () => {
    const { archive } = await savedImage(fx.engine, fx.dir.path);
    const bytes = readFileSync(archive);
    const root = join(fx.dir.path, 'cut');
    const { child, exited } = loadFromPipe(root);
    child.stdin!.write(bytes.subarray(0, bytes.length >> 1));
    await until(() => preparersOf(root).length === 1, 30_000);
    child.stdin!.end(); // the archive is cut here
    const { code, stderr } = await exited;
    expect(code).toBe(1);
    expect(stderr).toMatch(/^Error/);
    await until(() => preparersOf(root).length === 0, 30_000);
    expect(existsSync(join(root, 'snapshots')) ? readdirSync(join(root, 'snapshots')) : []).toEqual([]);
  });

  it.skipIf(sandboxUnavailable())(`import unpacks the new image's layer in the background${sandboxUnavailable() ? ` [skipped: ${sandboxUnavailable()}]` : ''}`, async () => {
    const tarball = join(fx.dir.path, 'imported.tar');
    await writeTar(tarball, [{ type: 'dir', name: 'etc/' }, { type: 'file', name: 'etc/imported', content: 'yes\n' }]);
    const root = join(fx.dir.path, 'imports');
    const r = spawnSync(STRATA, ['--root', root, 'import', tarball, 'imported:1'], { encoding: 'utf8', env: { ...process.env, STRATA_PREPARE_SNAPSHOTS: '1' } });
    expect(r.stderr).toBe('');
    const id = r.stdout.trim();
    const other = Engine.open({ root });
    const chainId = other.images.layers(id)[0]!.chainId;
    other.close();
    expect(readFileSync(join(await preparedIn(root, id, chainId), 'etc/imported'), 'utf8')).toBe('yes\n');
  });

  it.skipIf(sandboxUnavailable())(`a load through the Engine API service unpacks in the background${sandboxUnavailable() ? ` [skipped: ${sandboxUnavailable()}]` : ''}`, async () => {
    const { id, chainId } = await oneLayerImage(fx.engine, fx.dir.path);
    const archive = join(fx.dir.path, 'served.tar');
    await saveImages(fx.engine, selectImages(fx.engine, ['prepared:latest']), createWriteStream(archive));
    const root = join(fx.dir.path, 'served');
    vi.stubEnv('STRATA_PREPARE_SNAPSHOTS', '1'); // the service inherits this process's environment
    const service = await startService(root, join(fx.dir.path, 'run'));
    try {
      const res = await api(service.socket, 'POST', '/images/load', readFileSync(archive), { 'Content-Type': 'application/x-tar' });
      expect(res.body).toContain('Loaded image: prepared:latest');
    } finally {
      await service.stop();
    }
    expect(readFileSync(join(await preparedIn(root, id, chainId), 'etc/os-release'), 'utf8')).toBe('ID=test\n');
  });
});
