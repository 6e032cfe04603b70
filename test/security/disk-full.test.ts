import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statfsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeTar } from '../fixtures/busybox.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { suiteName } from '../fixtures/skip.ts';

/**
 * A store whose disk is 100% full: reading works (images, inspect, history, system df, fsck),
 * writing fails with docker's "no space left on device" and loses nothing, and rmi still frees
 * space. On a small tmpfs filled with dd, as root.
 */
const notRoot = process.getuid?.() === 0 ? undefined : 'mounting a tmpfs needs root';

function free(dir: string): number {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
}

describe.skipIf(notRoot)(suiteName('security: a full disk', notRoot), () => {
  const tmp = tempDir();
  const mnt = join(tmp.path, 'mnt');
  const root = join(mnt, 'store');
  let mounted = false;
  let archive: string;

  beforeAll(async () => {
    mkdirSync(mnt);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', mnt]);
    mounted = true;
    const layer = join(tmp.path, 'layer.tar');
    await writeTar(layer, [{ type: 'file', name: 'data.bin', content: randomBytes(1024 * 1024) }]);
    expect((await strata(root, ['import', layer, 'app:1'])).code).toBe(0);
    // Another image, as an archive to load later (made in a store off the tmpfs).
    const other = join(tmp.path, 'other-store');
    const small = join(tmp.path, 'small.tar');
    await writeTar(small, [{ type: 'file', name: 'etc/motd', content: 'other\n' }]);
    expect((await strata(other, ['import', small, 'other:1'])).code).toBe(0);
    archive = join(tmp.path, 'other.tar');
    expect((await strata(other, ['save', '-o', archive, 'other:1'])).code).toBe(0);
    spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'fill')}`, 'bs=1M'], { stdio: 'ignore' });
    spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'fill2')}`, 'bs=4k'], { stdio: 'ignore' });
    expect(free(mnt)).toBe(0);
  });
  afterAll(() => {
    // Lazily: a store a failed command left open must not keep the tmpfs mounted.
    if (mounted) execFileSync('umount', ['-l', mnt]);
    tmp.cleanup();
  });

  it('reads: images, inspect, history, system df and fsck work', async () => {
    const images = await strata(root, ['images']);
    expect(images.stderr).toBe('');
    expect(images.stdout).toMatch(/^app\s+1\s+/m);
    expect((await strata(root, ['inspect', '--format', '{{.RepoTags}}', 'app:1'])).stdout).toBe('[app:1]\n');
    expect((await strata(root, ['history', 'app:1'])).code).toBe(0);
    const df = await strata(root, ['system', 'df']);
    expect(df.code).toBe(0);
    expect(df.stdout).toMatch(/^Images\s+1\s/m);
    const fsck = await strata(root, ['fsck']);
    expect(fsck.code).toBe(0);
    expect(fsck.stdout).toContain('no problems');
  });

  it('writes: tag and load fail with the disk-full message and lose nothing', async () => {
    const message = `Error: no space left on device: the disk holding ${root} is full; free space there (strata rmi, strata image prune, strata system gc remove images and unused data) and try again\n`;
    const tag = await strata(root, ['tag', 'app:1', 'app:2']);
    expect(tag.code).toBe(1);
    expect(tag.stderr).toBe(message);
    const load = await strata(root, ['load', '-i', archive]);
    expect(load.code).toBe(1);
    expect(load.stderr).toBe(message);
    const images = await strata(root, ['images', '--format', '{{.Repository}}:{{.Tag}}']);
    expect(images.stdout).toBe('app:1\n');
    expect(readdirSync(join(root, 'blobs', 'ingest'))).toEqual([]);
    expect((await strata(root, ['fsck'])).stdout).toContain('no problems');
  });

  it('rmi still works on the full disk and frees the space', async () => {
    expect(free(mnt)).toBe(0);
    const rmi = await strata(root, ['rmi', 'app:1']);
    expect(rmi.stderr).toBe('');
    expect(rmi.code).toBe(0);
    expect(rmi.stdout).toMatch(/^Untagged: app:1$/m);
    expect((await strata(root, ['images', '-q'])).stdout).toBe('');
    expect(readdirSync(join(root, 'blobs', 'sha256'))).toEqual([]);
    expect(free(mnt)).toBeGreaterThan(1024 * 1024);
    // With room again, the store writes as before.
    rmSync(join(mnt, 'fill'));
    expect((await strata(root, ['load', '-i', archive])).code).toBe(0);
    expect(existsSync(join(root, 'strata.db.reserve'))).toBe(true);
  });
});
