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
