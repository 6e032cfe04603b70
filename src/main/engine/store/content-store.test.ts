import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { ContentStore } from './content-store.ts';
import { digestOf, chainIds } from './digest.ts';
import { tempDir } from '../../../../test/tmp.ts';

describe('content store', () => {
  let dir: { path: string; cleanup: () => void };
  let store: ContentStore;
  beforeEach(() => {
    dir = tempDir();
    store = new ContentStore(dir.path);
  });
  afterEach(() => dir.cleanup());

  it('stores by sha256 and dedupes identical content', async () => {
    const a = await store.put('hello');
    const b = await store.ingest(Readable.from([Buffer.from('hel'), Buffer.from('lo')]));
    expect(a).toEqual({ digest: digestOf('hello'), size: 5 });
    expect(b).toEqual(a);
    expect(await store.list()).toEqual([a.digest]);
    expect(readFileSync(store.path(a.digest), 'utf8')).toBe('hello');
    expect(readdirSync(store.ingestDir)).toEqual([]);
  });

  it('refuses a wrong digest or size and leaves nothing behind', async () => {
    await expect(store.put('hello', { digest: digestOf('other') })).rejects.toThrow(/digest mismatch: expected sha256:[0-9a-f]{64}, got sha256:/);
    await expect(store.ingest(Readable.from([Buffer.from('abc')]), { size: 4 })).rejects.toThrow('size mismatch: expected 4 bytes, got 3');
    expect(await store.list()).toEqual([]);
    expect(readdirSync(store.ingestDir)).toEqual([]);
  });

  it('stores several blobs at once, and none of a batch whose expected digest is wrong', async () => {
    const refs = await store.putAll([{ data: 'config', digest: digestOf('config') }, { data: Buffer.from('manifest') }, { data: 'config' }]);
    expect(refs).toEqual([{ digest: digestOf('config'), size: 6 }, { digest: digestOf('manifest'), size: 8 }, { digest: digestOf('config'), size: 6 }]);
    expect((await store.list()).sort()).toEqual([digestOf('config'), digestOf('manifest')].sort());
    expect(readFileSync(store.path(digestOf('manifest')), 'utf8')).toBe('manifest');
    await expect(store.putAll([{ data: 'a' }, { data: 'b', digest: digestOf('c') }])).rejects.toThrow(/digest mismatch/);
    expect(await store.list()).not.toContain(digestOf('b'));
    expect(readdirSync(store.ingestDir)).toEqual([]);
  });

  it('rejects malformed digests before touching the filesystem', () => {
    expect(() => store.path('sha256:../../etc/passwd')).toThrow('invalid digest');
    expect(() => store.path('md5:abc')).toThrow('invalid digest');
  });

  it('removes ingests abandoned by a crashed writer, never a live one', async () => {
    const w = await store.writer();
    await w.write(Buffer.from('partial'));
    expect(readdirSync(store.ingestDir)).toHaveLength(1);
    expect(await store.cleanIngest()).toBe(0); // this process is alive
    expect(readdirSync(store.ingestDir)).toHaveLength(1);
    expect(await store.cleanIngest({ alive: (pid) => pid !== process.pid })).toBe(1);
    expect(readdirSync(store.ingestDir)).toEqual([]);
    expect(await store.list()).toEqual([]);
  });

  it('computes OCI chain IDs', () => {
    const d1 = digestOf('a');
    const d2 = digestOf('b');
    expect(chainIds([d1, d2])).toEqual([d1, digestOf(`${d1} ${d2}`)]);
  });
});
