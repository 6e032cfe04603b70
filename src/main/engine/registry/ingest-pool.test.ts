import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createReadStream, createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import * as tar from 'tar-stream';
import { ContentStore, DigestMismatchError, SizeMismatchError } from '../store/content-store.ts';
import { digestOf } from '../store/digest.ts';
import { ingestLayer } from '../layer/layer-ingest.ts';
import { ingestOffThread, prewarmIngestWorkers, workerAvailable } from './ingest-pool.ts';
import { writeTar } from '../../../../test/fixtures/busybox.ts';
import { tempDir } from '../../../../test/tmp.ts';

describe('layer ingest on a worker thread', () => {
  let dir: { path: string; cleanup: () => void };
  let store: ContentStore;
  beforeEach(() => {
    dir = tempDir();
    store = new ContentStore(join(dir.path, 'blobs'));
  });
  afterEach(() => dir.cleanup());

  async function gzLayer(): Promise<string> {
    const t = join(dir.path, 'l.tar');
    await writeTar(t, [
      { type: 'dir', name: 'etc/' },
      { type: 'file', name: 'etc/big', content: randomBytes(3 * 1024 * 1024), mode: 0o600, uid: 5, gid: 6 },
      { type: 'symlink', name: 'etc/link', target: '/etc/big' },
      { type: 'file', name: 'etc/.wh.gone', content: '' },
    ]);
    await pipeline(createReadStream(t), createGzip({ level: 1 }), createWriteStream(`${t}.gz`));
    return `${t}.gz`;
  }

  it('gives the same blob, diff ID, size and file index as ingestLayer, and commits the blob', async () => {
    expect(workerAvailable).toBe(true); // the source tree runs the worker: these tests exercise it
    const gz = await gzLayer();
    prewarmIngestWorkers(2);
    const bytes = readFileSync(gz);
    const off = await ingestOffThread(store, createReadStream(gz, { highWaterMark: 1024 * 1024 }), { digest: digestOf(bytes), size: bytes.length });
    const other = new ContentStore(join(dir.path, 'other'));
    const here = await ingestLayer(other, createReadStream(gz));
    expect(off).toEqual(here);
    expect(off.diffId).toBe(digestOf(readFileSync(join(dir.path, 'l.tar'))));
    expect(await store.list()).toEqual([digestOf(bytes)]);
    expect(readFileSync(store.path(off.blob.digest)).equals(bytes)).toBe(true);
    expect(readdirSync(store.ingestDir)).toEqual([]);
  });

  it('takes chunks that are views into larger buffers (as socket reads after the headers are)', async () => {
    const gz = await gzLayer();
    const bytes = readFileSync(gz);
    async function* views(): AsyncGenerator<Uint8Array> {
      const padded = Buffer.concat([Buffer.from('HTTP headers'), bytes, Buffer.from('trailer')]);
      const body = padded.subarray(12, 12 + bytes.length);
      for (let off = 0; off < body.length; off += 100_000) yield body.subarray(off, off + 100_000);
    }
    const l = await ingestOffThread(store, views(), { digest: digestOf(bytes), size: bytes.length });
    expect(l.blob).toEqual({ digest: digestOf(bytes), size: bytes.length });
  });

  it('keeps the error kinds callers check: digest and size mismatches, and stores nothing', async () => {
    const gz = await gzLayer();
    const size = readFileSync(gz).length;
    await expect(ingestOffThread(store, createReadStream(gz), { digest: digestOf('nope') })).rejects.toBeInstanceOf(DigestMismatchError);
    await expect(ingestOffThread(store, createReadStream(gz), { size: size + 1 })).rejects.toBeInstanceOf(SizeMismatchError);
    expect(await store.list()).toEqual([]);
    expect(readdirSync(store.ingestDir)).toEqual([]);
  });

  it('refuses a hostile entry with ingestLayer\'s message', async () => {
    const t = join(dir.path, 'bad.tar');
    const pack = tar.pack();
    const done = pipeline(pack, createWriteStream(t));
    pack.entry({ name: '../evil', type: 'file', size: 1 }, 'x');
    pack.finalize();
    await done;
    await expect(ingestOffThread(store, createReadStream(t))).rejects.toThrow(/escapes the root: \.\.\/evil/);
    expect(await store.list()).toEqual([]);
  });

  it('removes the partial ingest when the source fails midway', async () => {
    const gz = await gzLayer();
    async function* broken(): AsyncGenerator<Buffer> {
      const bytes = readFileSync(gz);
      yield bytes.subarray(0, 1024 * 1024);
      throw new Error('connection reset by peer');
    }
    await expect(ingestOffThread(store, broken())).rejects.toThrow('connection reset by peer');
    expect(await store.list()).toEqual([]);
    expect(readdirSync(store.ingestDir)).toEqual([]);
    // The worker is still good for the next layer.
    const l = await ingestOffThread(store, createReadStream(gz));
    expect(l.files.map((f) => f.path)).toEqual(['etc', 'etc/big', 'etc/link', 'etc/gone']);
  });
});
