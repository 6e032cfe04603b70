import { describe, expect, it } from 'vitest';
import { createReadStream, createWriteStream, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { unpackLayer } from './unpack.ts';
import { isRoot } from './whiteout.ts';

type Entry = { name: string; type?: 'file' | 'directory' | 'symlink' | 'link' | 'fifo'; mode?: number; uid?: number; gid?: number; mtime?: number; linkname?: string; content?: Buffer | string };

async function writeLayer(path: string, entries: Entry[]): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(path));
  for (const e of entries) {
    const { content, mtime, ...rest } = e;
    const header = { type: 'file' as const, mode: 0o644, uid: 0, gid: 0, ...rest, mtime: new Date((mtime ?? 1_700_000_000) * 1000) };
    if (header.type === 'file') pack.entry(header, content ?? '');
    else pack.entry(header);
  }
  pack.finalize();
  await done;
}

/**
 * Every path under `root` with what a layer's extraction decides: type, mode, owner, mtime,
 * content or link. Directories the layer has no entry for are made when they are needed: their
 * time is the clock's.
 */
function describeTree(root: string, owners: boolean, implicit: ReadonlySet<string>): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(root, rel)).sort()) {
      const path = join(rel, name);
      const st = lstatSync(join(root, path));
      const kind = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? `link->${readlinkSync(join(root, path))}` : st.isFIFO() ? 'fifo'
        : `file ${createHash('sha256').update(readFileSync(join(root, path))).digest('hex').slice(0, 16)} nlink=${st.nlink}`;
      const mode = st.isSymbolicLink() ? '' : ` mode=${(st.mode & 0o7777).toString(8)}`;
      const mtime = implicit.has(path) ? '' : ` mtime=${Math.floor(st.mtimeMs / 1000)}`;
      out[path] = `${kind}${mode}${owners ? ` owner=${st.uid}:${st.gid}` : ''}${mtime}`;
      if (st.isDirectory()) walk(path);
    }
  };
  walk('');
  return out;
}

const gnuTar = spawnSync('tar', ['--version'], { encoding: 'utf8' }).stdout?.includes('GNU tar') ? undefined : 'GNU tar is not installed';

describe('unpackLayer', () => {
  it('extracts every entry as GNU tar does (modes, owners, times, links, replaced entries), however the bytes are split', async ({ skip }) => {
    if (gnuTar) skip(gnuTar);
    const dir = mkdtempSync(join(tmpdir(), 'strata-unpack-'));
    try {
      const big = Buffer.alloc(3 * 1024 * 1024 + 7, 'x');
      const layer = join(dir, 'layer.tar');
      await writeLayer(layer, [
        { name: 'etc/', type: 'directory', mode: 0o755, mtime: 1_600_000_000 },
        { name: 'etc/passwd', content: 'root:x:0:0\n', mode: 0o644 },
        { name: 'etc/shadow', content: 'secret', mode: 0o640, gid: 42 },
        { name: 'etc/world', content: 'w', mode: 0o666 },
        { name: 'etc/owner-only', content: 'n', mode: 0o400 },
        { name: 'etc/ro', content: 'r', mode: 0o444, uid: 1000, gid: 1000 },
        { name: 'bin/', type: 'directory', mode: 0o755 },
        { name: 'bin/su', content: 'elf', mode: 0o4755 },
        { name: 'bin/wall', content: 'elf', mode: 0o2755, gid: 5 },
        { name: 'bin/sticky', content: 'elf', mode: 0o1777 },
        { name: 'bin/all', content: 'elf', mode: 0o777, uid: 12, gid: 34, mtime: 1_500_000_000 },
        { name: 'bin/sh', type: 'symlink', linkname: 'busybox', uid: 7, gid: 8 },
        { name: 'bin/abs', type: 'symlink', linkname: '/etc/passwd' },
        { name: 'bin/busybox', content: big, mode: 0o755 },
        { name: 'bin/empty', content: '', mode: 0o755 },
        { name: 'bin/511', content: Buffer.alloc(511, 1) },
        { name: 'bin/512', content: Buffer.alloc(512, 2) },
        { name: 'bin/513', content: Buffer.alloc(513, 3) },
        { name: 'bin/hard', type: 'link', linkname: 'bin/busybox', mode: 0o755 },
        { name: 'tmp/', type: 'directory', mode: 0o1777 },
        { name: 'srv/', type: 'directory', mode: 0o2775, gid: 50 },
        { name: 'srv/data', content: 'd', uid: 33, gid: 33 },
        { name: 'root/', type: 'directory', mode: 0o700 },
        { name: 'root/.profile', content: 'p', mode: 0o600 },
        { name: 'ro/', type: 'directory', mode: 0o555 },
        { name: 'ro/inside', content: 'i' },
        { name: 'deep/er/still/file', content: 'no directory entries above me' },
        { name: `long/${'n'.repeat(120)}/${'m'.repeat(120)}`, content: 'pax path' },
        { name: 'long/link', type: 'symlink', linkname: 'x'.repeat(200) },
        { name: 'run/ctl', type: 'fifo', mode: 0o620 },
        // The same path again: the later entry wins, whatever was there.
        { name: 'dup/passwd', content: 'root:x:0:0\n', mode: 0o644 },
        { name: 'dup/passwd', content: 'root:x:0:0:later\n', mode: 0o600, mtime: 1_650_000_000 },
        { name: 'dup/motd', content: 'first' },
        { name: 'dup/motd', type: 'symlink', linkname: 'issue' },
        { name: 'dup/issue', type: 'symlink', linkname: 'motd' },
        { name: 'dup/issue', content: 'a file now', mode: 0o644 },
      ]);
      const reference = join(dir, 'tar');
      mkdirSync(reference);
      const res = spawnSync('tar', ['-xpf', layer, '-C', reference, ...(isRoot() ? ['--same-owner'] : [])], { encoding: 'utf8' });
      expect(res.stderr).toBe('');
      const implicit = new Set(['deep', 'deep/er', 'deep/er/still', 'long', `long/${'n'.repeat(120)}`, 'run', 'dup']);
      const expected = describeTree(reference, isRoot(), implicit);
      expect(Object.keys(expected).length).toBeGreaterThan(30);
      for (const highWaterMark of [1000, 64 * 1024, 1 << 20]) {
        const ours = join(dir, `ours-${highWaterMark}`);
        mkdirSync(ours);
        await unpackLayer(createReadStream(layer, { highWaterMark }), ours, []);
        expect(describeTree(ours, isRoot(), implicit), `read in pieces of ${highWaterMark} bytes`).toEqual(expected);
      }
    } finally {
      spawnSync('chmod', ['-R', 'u+w', dir]); // the read-only directories, for a user other than root
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails on a cut layer, and a file of the layer never replaces what a link points at', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'strata-unpack-'));
    try {
      const layer = join(dir, 'layer.tar');
      await writeLayer(layer, [{ name: 'big', content: Buffer.alloc(100_000, 9) }]);
      const cut = join(dir, 'cut.tar');
      writeFileSync(cut, readFileSync(layer).subarray(0, 50_000));
      mkdirSync(join(dir, 'a'));
      await expect(unpackLayer(createReadStream(cut), join(dir, 'a'), [])).rejects.toThrow(/unexpected end of data/i);
      // A symlink, then a file by the same name: the file replaces the link, the link's target is untouched.
      const outside = join(dir, 'outside');
      writeFileSync(outside, 'keep');
      const swap = join(dir, 'swap.tar');
      await writeLayer(swap, [{ name: 'x', type: 'symlink', linkname: outside }, { name: 'x', content: 'mine' }]);
      mkdirSync(join(dir, 'b'));
      await unpackLayer(createReadStream(swap), join(dir, 'b'), []);
      expect(readFileSync(outside, 'utf8')).toBe('keep');
      expect(readFileSync(join(dir, 'b', 'x'), 'utf8')).toBe('mine');
      expect(lstatSync(join(dir, 'b', 'x')).isFile()).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
