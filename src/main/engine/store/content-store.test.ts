import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ContentStore } from './content-store.ts';
import { digestOf, chainIds } from './digest.ts';
import { tempDir } from '../../../../test/tmp.ts';

// Installed and allowed to trace here (a container may forbid ptrace).
const straceMissing = spawnSync('strace', ['-qq', '-e', 'trace=none', 'true']).status === 0 ? undefined : 'strace is not installed or may not trace here (apt-get install strace)';

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

  it.skipIf(straceMissing !== undefined)('writes a big blob back to disk while it is written, then fsyncs it before the rename (strace)', () => {
    // 40 MiB in 1 MiB writes: write-backs start every 16 MiB, not awaited by the writes; commit's
    // fsync still comes last, before the blob is renamed into place.
    const script = join(dir.path, 'write.ts');
    writeFileSync(script, `import { ContentStore } from ${JSON.stringify(join(import.meta.dirname, 'content-store.ts'))};
const store = new ContentStore(process.argv[2]);
const w = await store.writer();
const piece = Buffer.alloc(1 << 20, 7);
for (let i = 0; i < 40; i++) await w.write(piece);
console.log((await w.commit()).digest);
`);
    const trace = join(dir.path, 'trace');
    const r = spawnSync('strace', ['-f', '-qq', '-e', 'trace=fdatasync,fsync,rename,renameat,renameat2', '-o', trace, process.execPath, script, join(dir.path, 'big')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(digestOf(Buffer.alloc(40 << 20, 7)));
    const calls = readFileSync(trace, 'utf8').split('\n').map((l) => /(fdatasync|fsync|rename\w*)\(/.exec(l)?.[1]).filter(Boolean);
    expect(calls.filter((c) => c === 'fdatasync').length).toBeGreaterThanOrEqual(2);
    const renamed = calls.findIndex((c) => c!.startsWith('rename'));
    expect(calls.lastIndexOf('fdatasync')).toBeLessThan(calls.lastIndexOf('fsync'));
    expect(calls.slice(0, renamed)).toContain('fsync');
  });

  it('aborts a big blob while its write-back runs: nothing left in the ingest directory', async () => {
    const w = await store.writer();
    const piece = randomBytes(1 << 20);
    for (let i = 0; i < 20; i++) await w.write(piece);
    await w.abort();
    expect(readdirSync(store.ingestDir)).toEqual([]);
    expect(await store.list()).toEqual([]);
  });
});
