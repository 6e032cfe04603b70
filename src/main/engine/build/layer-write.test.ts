import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import * as tar from 'tar-stream';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../engine.ts';
import { tempDir } from '../../../../test/tmp.ts';
import { writeLayer, type LayerEntry } from './layer-write.ts';
import { layerTarHeader, type LayerTarHeader } from './layer-tar.ts';
import { END_OF_ARCHIVE, paddingSize } from '../archive/tar-blocks.ts';

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Every entry of a stored tar: name, type, size and a digest of its content. */
async function readTar(engine: Engine, digest: string): Promise<{ name: string; type: string; size: number; content: string }[]> {
  const out: { name: string; type: string; size: number; content: string }[] = [];
  const extract = tar.extract();
  const reading = pipeline(engine.content.read(digest), extract);
  for await (const entry of extract) {
    const h = createHash('sha256');
    await pipeline(entry, new Writable({ write: (c: Buffer, _e, cb) => (h.update(c), cb()) }));
    out.push({ name: entry.header.name, type: entry.header.type ?? '', size: entry.header.size ?? 0, content: h.digest('hex') });
  }
  await reading;
  return out;
}

describe('a build layer written to the store', () => {
  const tmp = tempDir('strata-layer-write-');
  const engine = Engine.open({ root: join(tmp.path, 'root') });
  afterAll(() => {
    engine.close();
    tmp.cleanup();
  });

  it('holds every entry whole when its pieces are joined into larger writes (a file across several)', async () => {
    const src = join(tmp.path, 'src');
    mkdirSync(src);
    const big = randomBytes(2.5 * (1 << 20) + 17);
    const small = Array.from({ length: 40 }, (_, i) => Buffer.from(`export const v${i} = ${i};\n`.repeat(i + 1)));
    writeFileSync(join(src, 'big.bin'), big);
    small.forEach((b, i) => writeFileSync(join(src, `m${i}.js`), b));
    const entry = (path: string, type: LayerEntry['type'], source?: string): LayerEntry => ({
      path, type, mode: type === 'dir' ? 0o755 : 0o644, uid: 0, gid: 0, mtime: 1_700_000_000, linkTarget: type === 'symlink' ? 'big.bin' : '',
      ...(source ? { source } : {}),
    });
    const entries: LayerEntry[] = [
      entry('app', 'dir'),
      entry('app/big.bin', 'file', join(src, 'big.bin')),
      entry('app/link', 'symlink'),
      ...small.map((_, i) => entry(`app/m${i}.js`, 'file', join(src, `m${i}.js`))),
    ];
    const layer = await writeLayer(engine, entries);
    // A build layer is stored as a plain tar: its blob is its diff ID.
    expect(layer.compression).toBe('none');
    expect(layer.blobDigest).toBe(layer.diffId);
    expect(layer.files.map((f) => f.path)).toEqual(entries.map((e) => e.path));
    const stored = await readTar(engine, layer.blobDigest);
    expect(stored).toEqual([
      { name: 'app/', type: 'directory', size: 0, content: sha(Buffer.alloc(0)) },
      { name: 'app/big.bin', type: 'file', size: big.length, content: sha(big) },
      { name: 'app/link', type: 'symlink', size: 0, content: sha(Buffer.alloc(0)) },
      ...small.map((b, i) => ({ name: `app/m${i}.js`, type: 'file', size: b.length, content: sha(b) })),
    ]);
  });
});

/** The bytes tar-stream's pack writes for `headers` with `content` (the writer the layers were made with before). */
async function tarStreamBytes(headers: LayerTarHeader[], content: (h: LayerTarHeader) => Buffer): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const reading = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  const TYPES = { file: 'file', dir: 'directory', symlink: 'symlink', fifo: 'fifo', char: 'character-device', block: 'block-device' } as const;
  for (const h of headers) {
    const header = {
      name: h.type === 'dir' ? `${h.name}/` : h.name, mode: h.mode, uid: h.uid, gid: h.gid, uname: '', gname: '',
      mtime: new Date(h.mtime * 1000), type: TYPES[h.type], devmajor: h.devmajor ?? 0, devminor: h.devminor ?? 0,
      ...(h.type === 'symlink' ? { linkname: h.linkname } : {}),
    };
    if (h.type === 'file') pack.entry({ ...header, size: h.size }, content(h));
    else pack.entry(header);
  }
  pack.finalize();
  await reading;
  return Buffer.concat(chunks);
}

describe('layer tar headers', () => {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(Math.random() * xs.length)]!;
  const segment = (): string => pick(['a', 'bin', 'node_modules', 'x'.repeat(40), 'y'.repeat(99), 'z'.repeat(120), 'é', '日本', 'a b', 'dots.v1.2']);
  const randomHeader = (): LayerTarHeader => {
    const type = pick(['file', 'file', 'dir', 'symlink', 'fifo', 'char', 'block'] as const);
    const name = Array.from({ length: 1 + Math.floor(Math.random() * 6) }, segment).join('/');
    return {
      name, type,
      // tar-stream replaced a mode of 0 by its defaults; the layer keeps what the source had.
      mode: 1 + Math.floor(Math.random() * 0o7777),
      uid: pick([0, 1000, 65534, 0o7777777, 0o10000000]), gid: pick([0, 50, 2 ** 21 - 1, 2 ** 30]),
      size: type === 'file' ? pick([0, 1, 511, 512, 513, 4000]) : 0,
      mtime: pick([0, 1, 1_700_000_000, 2 ** 31 - 1]),
      linkname: type === 'symlink' ? pick(['target', '../up/there', 'l'.repeat(100), 'l'.repeat(101), 'ü'.repeat(30), 'ü'.repeat(60)]) : '',
      ...(type === 'char' || type === 'block' ? { devmajor: pick([0, 1, 259, 4095]), devminor: pick([0, 3, 1048575]) } : {}),
    };
  };

  it('are byte for byte what tar-stream wrote, ustar, prefix-split and PAX alike (500 random entries)', async () => {
    const headers = Array.from({ length: 500 }, randomHeader);
    const content = (h: LayerTarHeader): Buffer => Buffer.alloc(h.size, h.name);
    const ours = Buffer.concat([
      ...headers.flatMap((h) => [layerTarHeader(h), content(h), Buffer.alloc(paddingSize(h.size))]),
      END_OF_ARCHIVE,
    ]);
    const theirs = await tarStreamBytes(headers, content);
    // On a difference, the block where it starts, both ways (a readable failure).
    let at = 0;
    while (at < ours.length && ours[at] === theirs[at]) at++;
    const block = (b: Buffer): string => b.subarray(at - (at % 512), at - (at % 512) + 512).toString('latin1');
    expect({ length: ours.length, at, block: block(ours) }).toEqual({ length: theirs.length, at: theirs.length, block: block(theirs) });
    // The random names reached every form: a plain ustar name, a prefix split, a PAX record.
    expect(headers.some((h) => h.name.length > 100 && /^[\x00-\x7f]*$/.test(h.name) && h.name.length < 200)).toBe(true);
    expect(headers.some((h) => /[^\x00-\x7f]/.test(h.name))).toBe(true);
  });
});
