import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createReadStream, existsSync, linkSync, mkdirSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../../../../test/fixtures/busybox.ts';
import { useTempEngine } from '../../../../test/fixtures/engine.ts';
import { storeDiskUsage } from './store-disk.ts';
import { Snapshotter } from '../snapshot/snapshotter.ts';
import { compressLayer } from '../layer/layer-compress.ts';
import { ingestLayer } from '../layer/layer-ingest.ts';
import { BuildCache, recordLayer } from '../build/cache.ts';
import { layerMediaType } from '../image/oci.ts';
import { chainIds } from '../store/digest.ts';

/** The real `du`: allocated bytes, each inode once over all the paths, one filesystem (-x). */
function du(...paths: string[]): number {
  const out = execFileSync('du', ['-scxB1', ...paths], { encoding: 'utf8' }).trim().split('\n');
  return Number(out.at(-1)!.split('\t')[0]);
}

describe('what the store occupies on disk', () => {
  const fx = useTempEngine();

  it('gives each figure as du counts it, and system gc frees exactly what it says', async ({ skip }) => {
    const reason = busyboxMissing();
    if (reason) skip(reason);
    const { engine } = fx;
    const base = join(fx.dir.path, 'base.tar');
    await writeBusyboxRootfs(base);
    const tar = async (name: string, bytes: number): Promise<string> => {
      const p = join(fx.dir.path, `${name}.tar`);
      await writeTar(p, [{ type: 'file', name, content: randomBytes(bytes) }]);
      return p;
    };
    const kept = await storeImage(engine, [base, await tar('kept', 40_000)], { tags: ['kept:1'] });
    const gone = await storeImage(engine, [base, await tar('gone', 90_000)], { tags: ['gone:1'] });
    const snapshots = new Snapshotter(engine);
    await snapshots.lowerDirs(kept.id);
    await snapshots.lowerDirs(gone.id);

    // A layer kept as gzip and as zstd: the zstd is a second form.
    const top = engine.images.layers(kept.id)[1]!;
    for (const c of ['gzip', 'zstd'] as const) {
      const blob = await compressLayer(engine, top, c);
      engine.images.recordLayerForm(top.diffId, blob, c, layerMediaType(c, 'oci'));
    }
    const zstd = engine.db.prepare("SELECT blob_digest AS d FROM layer_blobs WHERE diff_id = ? AND compression = 'zstd'").get(top.diffId) as { d: string };

    // A layer only the build cache holds, and a build's scratch folder.
    const cached = await engine.gc.withLease(async () => {
      const l = await ingestLayer(engine.content, createReadStream(await tar('cached', 30_000)));
      recordLayer(engine.db, { blobDigest: l.blob.digest, blobSize: l.blob.size, compression: l.compression, diffId: l.diffId, size: l.size, diffSize: l.diffSize, files: l.files });
      new BuildCache(engine.db, engine.events).put({
        key: 'k1', parentKey: '', kind: 'run', description: 'RUN x', diffId: l.diffId, historyCreated: '', inputs: { instruction: 'RUN x', source: 'RUN x', args: {} }, size: l.diffSize, durationMs: 1,
      });
      return l.blob.digest;
    });
    const scratch = engine.dir('build-tmp');
    mkdirSync(join(scratch, 'b1'));
    writeFileSync(join(scratch, 'b1', 'ctx'), randomBytes(12_345));
    // A container's writable layer.
    mkdirSync(join(engine.dir('containers'), 'c1', 'upper'), { recursive: true });
    writeFileSync(join(engine.root, 'containers', 'c1', 'upper', 'written'), randomBytes(20_000));

    // What gc would free: the removed image's own layer and its (old) snapshot, a stray blob file.
    engine.images.remove('gone:1');
    const goneSnapshot = join(snapshots.dirOf(chainIds(engine.images.readConfig(gone.id).rootfs.diff_ids)[1]!), '..');
    const old = new Date(Date.now() - 2 * 3_600_000);
    utimesSync(goneSnapshot, old, old);
    const stray = await engine.content.put(randomBytes(7_000));
    utimesSync(engine.content.path(stray.digest), old, old);

    const disk = await storeDiskUsage(engine);
    const root = engine.root;
    expect(disk.total).toBe(du(root));
    expect(disk.blobs).toBe(du(join(root, 'blobs')));
    expect(disk.snapshots).toBe(du(join(root, 'snapshots')));
    expect(disk.containers).toBe(du(join(root, 'containers')));
    expect(disk.buildCache).toBe(du(engine.content.path(cached), scratch));
    expect(disk.secondForms).toBe(du(engine.content.path(zstd.d)));
    const others = ['strata.db', 'strata.db-wal', 'strata.db-shm', 'strata.db.reserve'].map((f) => join(root, f)).filter((p) => existsSync(p));
    expect(readdirSync(root).sort()).toEqual(['blobs', 'build-tmp', 'containers', 'snapshots', ...others.map((p) => p.slice(root.length + 1))].sort());
    expect(disk.metadata).toBe(du(...others));
    expect(disk.gcReclaimable).toBeGreaterThan(90_000);

    const before = du(join(root, 'blobs'), join(root, 'snapshots'));
    await engine.gc.collect();
    snapshots.prune();
    expect(before - du(join(root, 'blobs'), join(root, 'snapshots'))).toBe(disk.gcReclaimable);
    expect((await storeDiskUsage(engine)).gcReclaimable).toBe(0);
  });

  it('counts what else lies in the blob directory as du does: a directory, a hard link, a symlink', async () => {
    const { engine } = fx;
    const blob = await engine.content.put(randomBytes(30_000));
    const blobDir = join(engine.root, 'blobs', 'sha256');
    mkdirSync(join(blobDir, 'stray', 'deeper'), { recursive: true });
    writeFileSync(join(blobDir, 'stray', 'deeper', 'file'), randomBytes(50_000));
    linkSync(engine.content.path(blob.digest), join(blobDir, 'stray', 'link'));
    linkSync(engine.content.path(blob.digest), join(blobDir, 'f'.repeat(64)));
    symlinkSync('/etc', join(blobDir, 'to-etc'));

    const disk = await storeDiskUsage(engine);
    expect(disk.blobs).toBe(du(join(engine.root, 'blobs')));
    expect(disk.total).toBe(du(engine.root));
    // No row names either blob file (one inode under two names); the directory and the symlink are not blobs.
    const orphans = [blob.digest, `sha256:${'f'.repeat(64)}`].sort();
    expect(await engine.gc.orphanFiles()).toEqual(orphans);
    expect(disk.gcReclaimable).toBe(du(...orphans.map((d) => engine.content.path(d))));
  });
});
