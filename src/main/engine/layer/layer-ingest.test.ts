import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReadStream, createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip, createZstdCompress, gzipSync, zstdCompressSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { ContentStore } from '../store/content-store.ts';
import { digestOf } from '../store/digest.ts';
import { adjacentRun, ingestLayer } from './layer-ingest.ts';
import { writeTar } from '../../../../test/fixtures/busybox.ts';
import { tempDir } from '../../../../test/tmp.ts';

type EntryHeader = Partial<tar.Header> & { name: string };

async function rawTar(path: string, entries: EntryHeader[]): Promise<void> {
  const pack = tar.pack();
  const done = pipeline(pack, createWriteStream(path));
  for (const h of entries) {
    if (h.type === 'file') pack.entry({ ...h, size: 1 }, 'x');
    else pack.entry(h);
  }
  pack.finalize();
  await done;
}

async function packed(entries: EntryHeader[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const h of entries) {
    if (h.type === 'file') pack.entry({ ...h, size: 1 }, 'x');
    else pack.entry(h);
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** One ustar header block with any type flag and magic, its checksum right. */
function rawHeader(name: string, typeflag: string, magic = 'ustar\x0000'): Buffer {
  const b = Buffer.alloc(512);
  b.write(name, 0, 'utf8');
  b.write('0000644\0', 100, 'latin1');
  b.write('00000000000\0', 124, 'latin1');
  b.write(typeflag, 156, 'latin1');
  b.write(magic, 257, 'latin1');
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const x of b) sum += x;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return b;
}

/** What tar-stream (the snapshot unpacker's reader) lists of a tar. */
async function unpackerNames(bytes: Buffer): Promise<string[]> {
  const extract = tar.extract();
  const names: string[] = [];
  const done = pipeline(Readable.from([bytes]), extract);
  done.catch(() => {}); // the same error ends the loop below
  for await (const entry of extract) {
    names.push(entry.header.name);
    entry.resume();
  }
  await done;
  return names;
}

describe('layer ingest', () => {
  let dir: { path: string; cleanup: () => void };
  let store: ContentStore;
  beforeEach(() => {
    dir = tempDir();
    store = new ContentStore(join(dir.path, 'blobs'));
  });
  afterEach(() => dir.cleanup());

  it("computes docker's size: regular files and symlink targets, each inode once, dirs and whiteouts 0", async () => {
    const t = join(dir.path, 'd.tar');
    const pack = tar.pack();
    const done = pipeline(pack, createWriteStream(t));
    const add = (h: EntryHeader, body = ''): Promise<void> =>
      new Promise((resolve, reject) => { pack.entry({ size: Buffer.byteLength(body), ...h } as tar.Header, body, (err) => (err ? reject(err) : resolve())); });
    await add({ name: 'd/', type: 'directory', mode: 0o755 });
    await add({ name: 'd/data', type: 'file', mode: 0o644 }, 'x'.repeat(51));
    await add({ name: 'd/hard', type: 'link', linkname: 'd/data' }); // the same inode: not again
    await add({ name: 'd/ln', type: 'symlink', linkname: 'données' }); // 8 bytes of UTF-8
    await add({ name: 'd/.wh.old', type: 'file', mode: 0o644 }, 'ignored'); // a whiteout holds nothing
    await add({ name: 'd/twice', type: 'file', mode: 0o644 }, 'first version');
    await add({ name: 'd/twice', type: 'file', mode: 0o644 }, 'second'); // replaces the first on disk
    await add({ name: 'dev/null', type: 'character-device', mode: 0o666, devmajor: 1, devminor: 3 });
    pack.finalize();
    await done;
    const l = await ingestLayer(store, createReadStream(t));
    expect(l.diffSize).toBe(51 + 8 + 6);
    expect(l.size).toBe(readFileSync(t).length); // the tar's own bytes stay a separate figure
  });

  it('computes the diff ID, size and file index for plain, gzip and zstd layers', async () => {
    const t = join(dir.path, 'l.tar');
    await writeTar(t, [
      { type: 'dir', name: 'etc/' },
      { type: 'file', name: 'etc/hosts', content: '127.0.0.1 localhost\n', mode: 0o644, uid: 1, gid: 2 },
      { type: 'symlink', name: 'etc/link', target: '/etc/hosts' },
      { type: 'file', name: 'etc/.wh.gone', content: '' },
      { type: 'file', name: 'var/.wh..wh..opq', content: '' },
    ]);
    const diffId = digestOf(readFileSync(t));
    await pipeline(createReadStream(t), createGzip(), createWriteStream(`${t}.gz`));
    await pipeline(createReadStream(t), createZstdCompress(), createWriteStream(`${t}.zst`));
    for (const [file, compression] of [[t, 'none'], [`${t}.gz`, 'gzip'], [`${t}.zst`, 'zstd']] as const) {
      const l = await ingestLayer(store, createReadStream(file));
      expect(l.compression).toBe(compression);
      expect(l.diffId).toBe(diffId);
      expect(l.size).toBe(readFileSync(t).length);
      expect(l.blob.digest).toBe(digestOf(readFileSync(file)));
      expect(l.files.map((f) => [f.path, f.type])).toEqual([
        ['etc', 'dir'], ['etc/hosts', 'file'], ['etc/link', 'symlink'], ['etc/gone', 'whiteout'], ['var', 'opaque'],
      ]);
      expect(l.files[1]).toMatchObject({ mode: 0o644, uid: 1, gid: 2, size: 20 });
      expect(l.files[2]!.linkTarget).toBe('/etc/hosts');
    }
  });

  const hostile: [string, EntryHeader[], RegExp][] = [
    ['a .. path', [{ name: '../evil', type: 'file', size: 1 }], /escapes the root: \.\.\/evil/],
    ['an absolute path', [{ name: '/etc/passwd', type: 'file', size: 1 }], /absolute path in archive: \/etc\/passwd/],
    ['a write through a symlink', [{ name: 'lnk', type: 'symlink', linkname: '/' }, { name: 'lnk/etc/passwd', type: 'file', size: 1 }], /traverses a symlink: lnk\/etc\/passwd/],
    ['a hardlink escape', [{ name: 'h', type: 'link', linkname: '../../etc/shadow' }], /hardlink that escapes the root/],
    ['an absolute hardlink', [{ name: 'h', type: 'link', linkname: '/etc/shadow' }], /hardlink that escapes the root/],
  ];
  for (const [what, entries, error] of hostile) {
    it(`refuses ${what} and stores nothing`, async () => {
      const t = join(dir.path, 'bad.tar');
      await rawTar(t, entries);
      await expect(ingestLayer(store, createReadStream(t))).rejects.toThrow(error);
      expect(await store.list()).toEqual([]);
    });
  }

  it('allows device nodes, under /dev and elsewhere (docker keeps them; snapshots create only /dev ones)', async () => {
    const t = join(dir.path, 'dev.tar');
    await rawTar(t, [{ name: 'dev/null', type: 'character-device', devmajor: 1, devminor: 3 }, { name: 'sda', type: 'block-device', devmajor: 8, devminor: 0 }]);
    const l = await ingestLayer(store, createReadStream(t));
    expect(l.files.map((f) => [f.path, f.type])).toEqual([['dev/null', 'char'], ['sda', 'block']]);
  });

  it('refuses a truncated layer', async () => {
    const t = join(dir.path, 'l.tar');
    await writeTar(t, [{ type: 'file', name: 'big', content: Buffer.alloc(10_000, 7) }]);
    await pipeline(createReadStream(t), createGzip(), createWriteStream(`${t}.gz`));
    const gz = readFileSync(`${t}.gz`);
    writeFileSync(`${t}.cut`, gz.subarray(0, gz.length - 20));
    await expect(ingestLayer(store, createReadStream(`${t}.cut`))).rejects.toThrow(/truncated layer|unexpected end/i);
    expect(await store.list()).toEqual([]);
  });

  it('reads entries after an end-of-archive block as the unpacker does: indexed and checked', async () => {
    // Two tars one after the other: the second's entries come after the first's end blocks.
    const bytes = Buffer.concat([await packed([{ name: 'a', type: 'file' }]), await packed([{ name: 'b', type: 'file' }])]);
    expect(await unpackerNames(bytes)).toEqual(['a', 'b']);
    const l = await ingestLayer(store, Readable.from([bytes]));
    expect(l.files.map((f) => f.path)).toEqual(['a', 'b']);

    const hidden = Buffer.concat([await packed([{ name: 'a', type: 'file' }]), await packed([{ name: '../evil', type: 'file' }])]);
    await expect(ingestLayer(store, Readable.from([gzipSync(hidden)]))).rejects.toThrow(/escapes the root: \.\.\/evil/);
    expect(readdirSync(store.ingestDir)).toEqual([]);
  });

  it('refuses an entry type it does not know and a header of no known tar format, as the unpacker does', async () => {
    const end = Buffer.alloc(1024);
    await expect(ingestLayer(store, Readable.from([Buffer.concat([rawHeader('sparse', 'S'), end])]))).rejects.toThrow(/unsupported tar entry type null: sparse/);
    const v7 = Buffer.concat([rawHeader('old', '0', '\0\0\0\0\0\0\0\0'), end]);
    await expect(unpackerNames(v7)).rejects.toThrow(/unknown format/);
    await expect(ingestLayer(store, Readable.from([v7]))).rejects.toThrow(/layer is not a valid tar archive: .*unknown format/);
    expect(await store.list()).toEqual([]);
  });

  it('stores a layer that arrives in many small pieces whole, its writes in flight together', async () => {
    const t = join(dir.path, 'big.tar');
    await writeTar(t, [{ type: 'file', name: 'data', content: randomBytes(3 << 20) }]);
    const gz = gzipSync(readFileSync(t));
    async function* pieces(): AsyncGenerator<Buffer> {
      for (let i = 0; i < gz.length; i += 16_384) yield gz.subarray(i, i + 16_384);
    }
    const l = await ingestLayer(store, pieces(), { digest: digestOf(gz), size: gz.length });
    expect(readFileSync(store.path(l.blob.digest)).equals(gz)).toBe(true);
    expect(l.diffId).toBe(digestOf(readFileSync(t)));
    expect(l.size).toBe(readFileSync(t).length);
  });

  it('decompresses pieces of any size, queued while zlib works, into the exact tar and index', async () => {
    // Small pieces are joined for zlib in a buffer the layer reuses; one larger than that buffer
    // goes alone. Were a piece overwritten before zlib had read it, the diff ID would differ.
    const t = join(dir.path, 'mixed.tar');
    const entries = Array.from({ length: 200 }, (_, i) => ({
      type: 'file' as const, name: `d${i % 7}/f${i}`,
      content: i % 2 === 0 ? randomBytes(1 + ((i * 7919) % 60_000)) : `line ${i}\n`.repeat(1 + ((i * 104_729) % 9_000)),
    }));
    entries.push({ type: 'file', name: 'big', content: randomBytes(3 << 20) });
    await writeTar(t, entries);
    const tarBytes = readFileSync(t);
    const gz = gzipSync(tarBytes);
    const sizes = [1, 511, 4096, 70_000, 1_500_000, 300_000, 65_536, 12_345];
    async function* pieces(): AsyncGenerator<Buffer> {
      for (let i = 0, k = 0; i < gz.length; k++) {
        const n = sizes[k % sizes.length]!;
        yield gz.subarray(i, i + n);
        i += n;
      }
    }
    const l = await ingestLayer(store, pieces(), { digest: digestOf(gz), size: gz.length });
    expect(readFileSync(store.path(l.blob.digest)).equals(gz)).toBe(true);
    expect(l.diffId).toBe(digestOf(tarBytes));
    expect(l.size).toBe(tarBytes.length);
    expect(l.files.filter((f) => f.type === 'file').map((f) => f.path).sort()).toEqual(entries.map((e) => e.name).sort());
  });

  it('refuses a gzip layer corrupt in the middle at once (the decompressor fails while it works on a piece)', async () => {
    const t = join(dir.path, 'corrupt.tar');
    await writeTar(t, [{ type: 'file', name: 'data', content: randomBytes(4 << 20) }]);
    const gz = gzipSync(readFileSync(t), { level: 1 });
    for (const at of [1 << 20, 3 << 20]) {
      const bad = Buffer.from(gz).fill(0xaa, at, at + 70_000);
      async function* pieces(): AsyncGenerator<Buffer> {
        for (let i = 0, k = 0; i < bad.length; k++) {
          const n = [2, 65_536, 1_000_000, 777][k % 4]!;
          yield bad.subarray(i, i + n);
          i += n;
        }
      }
      await expect(ingestLayer(store, pieces())).rejects.toThrow(/^corrupt layer: invalid /);
    }
    expect(await store.list()).toEqual([]);
    expect(readdirSync(store.ingestDir)).toEqual([]);
  }, 20_000);

  it('says which bytes it is done with only once they are written and decompressed (a lending source reuses them)', async () => {
    // Each piece is a copy that is spoiled the moment the ingest says it is done with it, as a
    // reused read buffer would be read into again: any byte given back too early spoils the digests.
    const t = join(dir.path, 'lent.tar');
    await writeTar(t, [{ type: 'file', name: 'data', content: randomBytes(6 << 20) }, { type: 'file', name: 'text', content: 'lent\n'.repeat(100_000) }]);
    const tarBytes = readFileSync(t);
    for (const bytes of [gzipSync(tarBytes, { level: 1 }), tarBytes]) {
      const lent: { piece: Buffer; end: number }[] = [];
      let given = 0;
      let consumedAll = 0;
      async function* pieces(): AsyncGenerator<Buffer> {
        for (let i = 0, k = 0; i < bytes.length; k++) {
          const piece = Buffer.from(bytes.subarray(i, i + [2, 65_536, 1_000_000, 777][k % 4]!));
          i += piece.length;
          given = i;
          lent.push({ piece, end: i });
          yield piece;
        }
      }
      const onConsumed = (n: number): void => {
        expect(n).toBeLessThanOrEqual(given);
        consumedAll = n;
        while (lent.length > 0 && lent[0]!.end <= n) lent.shift()!.piece.fill(0xaa);
      };
      const l = await ingestLayer(store, pieces(), { digest: digestOf(bytes), size: bytes.length }, { onConsumed });
      expect([l.diffId, l.size]).toEqual([digestOf(tarBytes), tarBytes.length]);
      expect(readFileSync(store.path(l.blob.digest)).equals(bytes)).toBe(true);
      expect(consumedAll).toBe(bytes.length);
    }
  });

  it('hands neighbouring views of one read buffer to the decompressor as one, and gives none back before it is done', async () => {
    // A download's socket reads lie end to end in its ring: queued reads go to zlib as one view
    // of it (no copy). Room given back is spoiled at once, as a ring read into again would be.
    const t = join(dir.path, 'ring.tar');
    await writeTar(t, [{ type: 'file', name: 'data', content: randomBytes(5 << 20) }, { type: 'file', name: 'text', content: 'ring\n'.repeat(200_000) }]);
    const tarBytes = readFileSync(t);
    const gz = gzipSync(tarBytes, { level: 1 });
    const ring = Buffer.from(gz);
    let given = 0;
    let spoiled = 0;
    async function* reads(): AsyncGenerator<Buffer> {
      for (let k = 0; given < ring.length; k++) {
        const piece = ring.subarray(given, given + [65_536, 3, 40_000][k % 3]!);
        given += piece.length;
        yield piece;
      }
    }
    const onConsumed = (n: number): void => {
      expect(n).toBeLessThanOrEqual(given);
      ring.fill(0xaa, spoiled, n);
      spoiled = n;
    };
    const l = await ingestLayer(store, reads(), { digest: digestOf(gz), size: gz.length }, { onConsumed });
    expect([l.compression, l.diffId, l.size]).toEqual(['gzip', digestOf(tarBytes), tarBytes.length]);
    expect(spoiled).toBe(gz.length);
  });

  it('joins queued views only where they are neighbours in one buffer, up to a bound', () => {
    const a = Buffer.alloc(100);
    const b = Buffer.alloc(100);
    const run = adjacentRun([a.subarray(0, 10), a.subarray(10, 30), a.subarray(30, 40), b.subarray(40, 50)], 1000)!;
    expect([run.count, run.view.byteOffset - a.byteOffset, run.view.length, run.view.buffer === a.buffer]).toEqual([3, 0, 40, true]);
    expect(adjacentRun([a.subarray(0, 10), a.subarray(20, 30)], 1000)).toBeUndefined(); // a gap
    expect(adjacentRun([a.subarray(0, 10), b.subarray(10, 20)], 1000)).toBeUndefined(); // another buffer
    expect(adjacentRun([a.subarray(0, 10), a.subarray(10, 30), a.subarray(30, 60)], 35)!.count).toBe(2); // the bound
  });

  it('tells gzip and zstd apart from a plain tar however their first bytes are split', async () => {
    const t = join(dir.path, 'small.tar');
    await writeTar(t, [{ type: 'file', name: 'etc/motd', content: 'hello\n' }]);
    const tarBytes = readFileSync(t);
    for (const [compression, bytes] of [['gzip', gzipSync(tarBytes)], ['zstd', zstdCompressSync(tarBytes)]] as const) {
      const pieces = [bytes.subarray(0, 1), bytes.subarray(1, 2), bytes.subarray(2, 3), bytes.subarray(3)];
      const l = await ingestLayer(store, Readable.from(pieces));
      expect([l.compression, l.diffId]).toEqual([compression, digestOf(tarBytes)]);
    }
    // Fewer bytes than any magic number: not a tar, refused, nothing stored.
    const before = await store.list();
    await expect(ingestLayer(store, Readable.from([Buffer.from('a'), Buffer.from('bc')]))).rejects.toThrow('invalid tar archive');
    expect(await store.list()).toEqual(before);
  });

  it('verifies the expected blob digest', async () => {
    const t = join(dir.path, 'l.tar');
    await writeTar(t, [{ type: 'file', name: 'a', content: 'a' }]);
    await expect(ingestLayer(store, createReadStream(t), { digest: digestOf('nope') })).rejects.toThrow('digest mismatch');
    expect(await store.list()).toEqual([]);
  });
});
