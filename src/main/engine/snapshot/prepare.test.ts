import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
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

const STRATA = join(repoRoot, 'bin', 'strata');

async function oneLayerImage(engine: Engine, dir: string): Promise<{ id: string; chainId: string }> {
  const layer = join(dir, 'layer.tar');
  await writeTar(layer, [{ type: 'dir', name: 'etc/' }, { type: 'file', name: 'etc/os-release', content: 'ID=test\n' }]);
  const img = await storeImage(engine, [layer], { tags: ['prepared:latest'] });
  return { id: img.id, chainId: engine.images.layers(img.id)[0]!.chainId };
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

describe('Snapshots prepared across processes', () => {
  const fx = useTempEngine();

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
    const { id, chainId } = await oneLayerImage(fx.engine, fx.dir.path);
    const archive = join(fx.dir.path, 'image.tar');
    await saveImages(fx.engine, selectImages(fx.engine, ['prepared:latest']), createWriteStream(archive));
    const root = join(fx.dir.path, 'other');
    const r = spawnSync(STRATA, ['--root', root, 'load', '-i', archive], { encoding: 'utf8', env: { ...process.env, STRATA_PREPARE_SNAPSHOTS: '1' } });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('Loaded image: prepared:latest\n');
    const other = Engine.open({ root });
    try {
      const target = new Snapshotter(other).dirOf(chainId);
      // Published whole by a rename, so once it exists its files are there.
      await until(() => existsSync(target), 60_000);
      expect(readFileSync(join(target, 'etc/os-release'), 'utf8')).toBe('ID=test\n');
      await until(() => scratchOf(target).length === 0, 60_000);
      expect(new Snapshotter(other).isPrepared(id)).toBe(true);
    } finally {
      other.close();
    }
  });
});
