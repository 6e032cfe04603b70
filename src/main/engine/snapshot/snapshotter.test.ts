import { describe, expect, it } from 'vitest';
import { lstatSync, readFileSync, readlinkSync, existsSync, mkdirSync, createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { idMapping, toContainerOwner } from './idmap.ts';
import { Snapshotter } from './snapshotter.ts';
import { RootfsView } from './rootfs.ts';
import { isWhiteout } from './whiteout.ts';
import { storeImage, writeTar } from '../../../../test/fixtures/busybox.ts';
import { useTempEngine } from '../../../../test/fixtures/engine.ts';

/** A tar with raw headers (for names the fixture writer would clean up). */
async function rawTar(path: string, entries: { name: string; type?: 'file' | 'symlink' | 'directory'; linkname?: string; content?: string; mode?: number; uid?: number; gid?: number }[]): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(path));
  for (const e of entries) {
    pack.entry({ name: e.name, type: e.type ?? 'file', mode: e.mode ?? 0o644, uid: e.uid ?? 0, gid: e.gid ?? 0, mtime: new Date('2024-01-01T00:00:00Z'), ...(e.linkname ? { linkname: e.linkname } : {}) }, e.content ?? '');
  }
  pack.finalize();
  await done;
}

describe('Snapshotter: layers unpacked once per chain ID, in overlayfs format', () => {
  const fx = useTempEngine();

  it('unpacks files, links, modes and owners; whiteouts and opaque directories hide lower entries', async () => {
    const l1 = join(fx.dir.path, 'l1.tar');
    const l2 = join(fx.dir.path, 'l2.tar');
    await writeTar(l1, [
      { type: 'dir', name: 'etc/' },
      { type: 'file', name: 'etc/a', content: 'a\n', mode: 0o604, uid: 12, gid: 34 },
      { type: 'file', name: 'etc/b', content: 'b\n' },
      { type: 'dir', name: 'opt/' },
      { type: 'file', name: 'opt/old1', content: '1' },
      { type: 'file', name: 'opt/old2', content: '2' },
      { type: 'symlink', name: 'etc/link', target: 'a' },
      { type: 'link', name: 'etc/hard', target: 'etc/b' },
      { type: 'file', name: 'bin/tool', content: '#!/bin/sh\n', mode: 0o4755 },
    ]);
    await rawTar(l2, [
      { name: 'etc/.wh.b' },
      { name: 'opt/', type: 'directory', mode: 0o755 },
      { name: 'opt/.wh..wh..opq' },
      { name: 'opt/new', content: 'n' },
    ]);
    const img = await storeImage(fx.engine, [l1, l2], { tags: ['two'] });
    const snapshots = new Snapshotter(fx.engine);
    const dirs = await snapshots.lowerDirs(img.id);
    expect(dirs).toHaveLength(2);
    expect(dirs[0]).toBe(snapshots.dirOf(fx.engine.images.layers(img.id)[0]!.chainId));
    const a = lstatSync(join(dirs[0]!, 'etc/a'));
    expect(a.mode & 0o7777).toBe(0o604);
    // Owners are kept as root and with subordinate IDs (there as subordinate host IDs); a single mapped ID owns all.
    if (idMapping().mode !== 'single') expect(toContainerOwner(a.uid, a.gid)).toEqual({ uid: 12, gid: 34 });
    expect(lstatSync(join(dirs[0]!, 'bin/tool')).mode & 0o7777).toBe(0o4755);
    expect(readlinkSync(join(dirs[0]!, 'etc/link'))).toBe('a');
    expect(lstatSync(join(dirs[0]!, 'etc/hard')).ino).toBe(lstatSync(join(dirs[0]!, 'etc/b')).ino);
    expect(lstatSync(join(dirs[0]!, 'etc/a')).mtime.toISOString()).toBe('2024-01-01T00:00:00.000Z');
    expect(isWhiteout(lstatSync(join(dirs[1]!, 'etc/b')))).toBe(true);
    // The opaque directory became a whiteout for each lower entry: no xattr needed.
    expect(isWhiteout(lstatSync(join(dirs[1]!, 'opt/old1')))).toBe(true);
    const upper = join(fx.dir.path, 'upper');
    mkdirSync(upper);
    const view = new RootfsView(dirs, upper);
    expect(view.list('/etc').map((e) => e.name)).toEqual(['a', 'hard', 'link']);
    expect(view.list('/opt').map((e) => e.name)).toEqual(['new']);
    expect(view.readText('/etc/link')).toBe('a\n');
    // Made once: a second image with the same base reuses the snapshot directory.
    const again = await storeImage(fx.engine, [l1], { tags: ['one'] });
    expect(await snapshots.lowerDirs(again.id)).toEqual([dirs[0]]);
  });

  it('refuses layers that would write outside the snapshot', async () => {
    const evil = join(fx.dir.path, 'evil.tar');
    await rawTar(evil, [
      { name: 'escape', type: 'symlink', linkname: '/tmp' },
      { name: 'escape/owned', content: 'x' },
    ]);
    // Ingest refuses it already; a snapshot of a stored layer is checked again on unpack.
    await expect(storeImage(fx.engine, [evil])).rejects.toThrow(/traverses a symlink/);
    const { unpackLayer } = await import('./unpack.ts');
    const { createReadStream } = await import('node:fs');
    const target = join(fx.dir.path, 'target');
    mkdirSync(target);
    await expect(unpackLayer(createReadStream(evil), target, [])).rejects.toThrow(/traverses a symlink/);
    expect(existsSync('/tmp/owned')).toBe(false);
    expect(readFileSync(join(fx.dir.path, 'evil.tar')).length).toBeGreaterThan(0);
  });

  it('never follows a lower layer\'s symlink on the host (hardlinks, listings, diff)', async () => {
    const l1 = join(fx.dir.path, 'sym.tar');
    const l2 = join(fx.dir.path, 'link.tar');
    await writeTar(l1, [{ type: 'symlink', name: 'hostetc', target: '/etc' }]);
    await rawTar(l2, [{ name: 'stolen', type: 'link' as 'file', linkname: 'hostetc/passwd' }]);
    const img = await storeImage(fx.engine, [l1, l2]).catch((err: Error) => err);
    if (img instanceof Error) {
      // Refused at ingest already: fine as well.
      expect(img.message).toMatch(/hardlink|symlink/);
      return;
    }
    await expect(new Snapshotter(fx.engine).lowerDirs(img.id)).rejects.toThrow(/hardlink target not found/);
    const base = await storeImage(fx.engine, [l1], { tags: ['sym'] });
    const dirs = await new Snapshotter(fx.engine).lowerDirs(base.id);
    const upper = join(fx.dir.path, 'upper2');
    mkdirSync(join(upper, 'hostetc'), { recursive: true });
    const view = new RootfsView(dirs, upper);
    // The container's /hostetc is its own directory now; the host's /etc never shows through.
    expect(view.list('/hostetc')).toEqual([]);
    expect(view.stat('/hostetc/passwd')).toBeUndefined();
  });

  it('prune removes snapshots no image uses, keeps those in use and young ones', async () => {
    const t1 = join(fx.dir.path, 'p1.tar');
    const t2 = join(fx.dir.path, 'p2.tar');
    await writeTar(t1, [{ type: 'file', name: 'one', content: '1' }]);
    await writeTar(t2, [{ type: 'dir', name: 'ro/', mode: 0o555 }, { type: 'file', name: 'ro/f', content: '2' }]);
    const keep = await storeImage(fx.engine, [t1], { tags: ['keep'] });
    const drop = await storeImage(fx.engine, [t2], { tags: ['drop'] });
    const snapshots = new Snapshotter(fx.engine);
    const [keepDir] = await snapshots.lowerDirs(keep.id);
    const [dropDir] = await snapshots.lowerDirs(drop.id);
    fx.engine.images.remove('drop');
    expect(snapshots.prune({ olderThanMs: 3_600_000 })).toBe(0);
    expect(snapshots.prune({ olderThanMs: -1000 })).toBe(1);
    expect(existsSync(dropDir!)).toBe(false);
    expect(existsSync(keepDir!)).toBe(true);
  });
});
