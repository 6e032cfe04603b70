import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Engine } from '../../src/main/engine/engine.ts';
import type { ImageRecord } from '../../src/main/engine/image/image-service.ts';
import { pull, pullAllTags } from '../../src/main/engine/registry/pull.ts';
import { openClient } from '../../src/main/engine/registry/session.ts';
import { DockerConfigCredentialStore } from '../../src/main/engine/registry/credentials.ts';
import { baseConfig, storeImage, writeTar } from '../fixtures/busybox.ts';
import { writeImage } from '../../src/main/engine/image/image-writer.ts';
import { digestOf } from '../../src/main/engine/store/digest.ts';
import { tempDir } from '../tmp.ts';
import { startBrokenRegistry, TAGS, type BrokenRegistry, type Fault } from './broken-registry.ts';
import { freePort } from './registry-server.ts';

/**
 * A registry that misbehaves: the pull fails with a clear error and the store is left exactly as
 * it was (no image, no blob file, no ingest leftovers, fsck clean) — or, for a connection cut
 * once, the download resumes with a Range request and the result is verified whole.
 */
describe('registry: pulling from a broken registry', () => {
  let dir: { path: string; cleanup: () => void };
  let source: Engine;
  let image: ImageRecord;
  let target: Engine;
  let server: BrokenRegistry | undefined;
  let credentials: DockerConfigCredentialStore;

  beforeAll(async () => {
    dir = tempDir();
    source = Engine.open({ root: join(dir.path, 'source') });
    const small = join(dir.path, 'small.tar');
    const big = join(dir.path, 'big.tar');
    await writeTar(small, [{ type: 'file', name: 'etc/motd', content: 'broken registry test\n' }]);
    await writeTar(big, [{ type: 'file', name: 'data.bin', content: randomBytes(512 * 1024) }]);
    image = await storeImage(source, [small, big]);
    credentials = new DockerConfigCredentialStore(join(dir.path, 'docker-config'));
  });
  afterAll(() => {
    source.close();
    dir.cleanup();
  });
  beforeEach(() => {
    target = Engine.open({ root: join(dir.path, `target-${randomBytes(4).toString('hex')}`) });
  });
  afterEach(async () => {
    target.close();
    await server?.stop();
    server = undefined;
  });

  async function pullFrom(fault: Fault, signal?: AbortSignal): Promise<Awaited<ReturnType<typeof pull>>> {
    server = await startBrokenRegistry(source, image.id, fault);
    return pull(target, `${server.host}/broken:latest`, { credentials, retries: 2, backoffMs: 10, ...(signal ? { signal } : {}) });
  }

  async function expectUntouched(): Promise<void> {
    expect(target.images.all()).toEqual([]);
    expect(await target.content.list()).toEqual([]);
    expect(readdirSync(target.content.ingestDir)).toEqual([]);
    expect((await target.fsck()).problems).toEqual([]);
  }

  it('lists tags across the spec\'s pages (n, last, Link: rel="next") and pulls every one with --all-tags', async () => {
    server = await startBrokenRegistry(source, image.id, 'none');
    const { client } = await openClient(target, server.host, { credentials });
    expect(await client.listTags('paged', ['repository:paged:pull'], 2)).toEqual(TAGS);
    expect(server.requests.filter((r) => r.startsWith('GET /v2/paged/tags/list'))).toHaveLength(2);

    const statuses: string[] = [];
    const all = await pullAllTags(target, `${server.host}/paged`, { credentials, onProgress: (e) => { if (e.id === '') statuses.push(e.status); } });
    expect(all.tags.map((t) => [t.tag, t.result.image.id])).toEqual(TAGS.map((t) => [t, image.id]));
    expect(all.tags.map((t) => t.result.layersDownloaded)).toEqual([2, 0, 0]);
    expect(statuses.filter((s) => s.startsWith('Status: '))).toEqual([`Status: Downloaded newer image for ${server.host}/paged`]);
    expect(target.images.tagsOf(image.id).sort()).toEqual(TAGS.map((t) => `${server!.host}/paged:${t}`));
    await expect(pullAllTags(target, `${server.host}/paged:v1`, { credentials })).rejects.toThrow("tag can't be used with --all-tags/-a");
  });

  it('refuses a blob whose bytes do not match its digest', async () => {
    const big = source.images.layers(image.id)[1]!.blobDigest;
    await expect(pullFrom('wrong-digest')).rejects.toThrow(`filesystem layer verification failed for digest ${big}`);
    await expectUntouched();
  });

  it('pulls a gzip layer whose first byte arrives alone (too few bytes to tell its compression by)', async () => {
    const tarPath = join(dir.path, 'gz.tar');
    await writeTar(tarPath, [{ type: 'file', name: 'data.txt', content: 'compressible line\n'.repeat(50_000) }]);
    writeFileSync(`${tarPath}.gz`, gzipSync(readFileSync(tarPath)));
    const gzImage = await storeImage(source, [`${tarPath}.gz`]);
    server = await startBrokenRegistry(source, gzImage.id, 'first-byte-alone');
    const got = await pull(target, `${server.host}/broken:latest`, { credentials });
    expect(got.image.id).toBe(gzImage.id);
    expect(target.images.layers(gzImage.id).map((l) => l.compression)).toEqual(['gzip']);
    expect((await target.fsck()).problems).toEqual([]);
  });

  it('pulls a blob sent with chunked transfer coding in pieces of odd sizes, and one whose headers come a byte at a time', async () => {
    for (const fault of ['chunked', 'trickled-head'] as const) {
      const got = await pullFrom(fault);
      expect(got.image.id).toBe(image.id);
      expect((await target.fsck()).problems).toEqual([]);
      await server!.stop();
      server = undefined;
      target.close();
      target = Engine.open({ root: join(dir.path, `target-${randomBytes(4).toString('hex')}`) });
    }
  });

  it('pulls a gzip layer several times the size of the buffer its body is read into, slower to unpack than to receive', async () => {
    const tarPath = join(dir.path, 'large.tar');
    await writeTar(tarPath, [{ type: 'file', name: 'large.bin', content: randomBytes(20 << 20) }]);
    writeFileSync(`${tarPath}.gz`, gzipSync(readFileSync(tarPath), { level: 1 }));
    const large = await storeImage(source, [`${tarPath}.gz`]);
    server = await startBrokenRegistry(source, large.id, 'none');
    const got = await pull(target, `${server.host}/broken:latest`, { credentials });
    expect(got.image.id).toBe(large.id);
    expect(target.images.layers(large.id).map((l) => [l.blobDigest, l.diffId])).toEqual(source.images.layers(large.id).map((l) => [l.blobDigest, l.diffId]));
    expect((await target.fsck()).problems).toEqual([]);
  });

  it('refuses a blob response with more headers than 16 KiB, with a clear error, and keeps nothing', async () => {
    await expect(pullFrom('huge-headers')).rejects.toThrow(/^malformed HTTP response from 127\.0\.0\.1:\d+: response headers exceed 16384 bytes$/);
    await expectUntouched();
  });

  it('refuses a layer that unpacks to another diff ID than its config says, the other fetched beside it, and keeps nothing', async () => {
    const liar = Engine.open({ root: join(dir.path, `liar-${randomBytes(4).toString('hex')}`) });
    try {
      const honest = await storeImage(liar, [join(dir.path, 'small.tar'), join(dir.path, 'big.tar')]);
      const [small, big] = liar.images.layers(honest.id);
      const claimed = digestOf('some other tar');
      const lying = await writeImage(liar.content, liar.images, { config: baseConfig(), layers: [{ ...small! }, { ...big!, diffId: claimed }] });
      server = await startBrokenRegistry(liar, lying.id, 'none');
      await expect(pull(target, `${server.host}/broken:latest`, { credentials })).rejects.toThrow(
        `layer ${big!.blobDigest} unpacks to ${big!.diffId}, but the image config says ${claimed}`,
      );
      await expectUntouched();
    } finally {
      liar.close();
    }
  });

  it('gives up on a blob that is cut short every time, with a clear error', async () => {
    await expect(pullFrom('truncate')).rejects.toThrow(/unexpected EOF downloading sha256:[0-9a-f]{64}: got \d+ of \d+ bytes after 3 attempts/);
    await expectUntouched();
  });

  it('resumes a download cut once with a Range request and verifies the whole blob', async () => {
    const got = await pullFrom('truncate-once');
    expect(got.image.id).toBe(image.id);
    const big = source.images.layers(image.id)[1]!;
    expect(server!.requests).toContainEqual(expect.stringMatching(new RegExp(`^GET /v2/broken/blobs/${big.blobDigest} bytes=\\d+-$`)));
    expect((await target.fsck()).problems).toEqual([]);
  });

  it('follows a redirect to another host for blobs without sending it the credentials', async () => {
    server = await startBrokenRegistry(source, image.id, 'redirect');
    const store = new DockerConfigCredentialStore(join(dir.path, 'redirect-config'));
    await store.store(server.host, { username: 'u', password: 'p' });
    const got = await pull(target, `${server.host}/broken:latest`, { credentials: store });
    expect(got.image.id).toBe(image.id);
    expect(server.requests.filter((r) => r.startsWith('GET /cdn/'))).toHaveLength(3); // config and two layers
    expect(server.cdnAuthorization).toEqual([]);
  });

  it('reports 401 as missing credentials', async () => {
    await expect(pullFrom('unauthorized')).rejects.toThrow('no basic auth credentials');
    await expectUntouched();
  });

  it('reports an unknown manifest like docker', async () => {
    const err = await pullFrom('manifest-unknown').catch((e: Error) => e);
    expect((err as Error).message).toBe(`manifest for ${server!.host}/broken:latest not found: manifest unknown: manifest unknown`);
    await expectUntouched();
  });

  it('retries a 500 and then reports it', async () => {
    await expect(pullFrom('server-error')).rejects.toThrow('received unexpected HTTP status: 500 Internal Server Error');
    expect(server!.requests.filter((r) => r === 'GET /v2/')).toHaveLength(3); // the first try and 2 retries
    await expectUntouched();
  });

  it('reports a registry that is not there like docker, at once', async () => {
    const port = await freePort();
    await expect(pull(target, `127.0.0.1:${port}/gone:latest`, { credentials, backoffMs: 10 })).rejects.toThrow(
      `Get "http://127.0.0.1:${port}/v2/": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
    await expectUntouched();
  });

  it('cancelled in the middle of a slow download, stores nothing', async () => {
    const abort = new AbortController();
    const reason = new Error('interrupted');
    server = await startBrokenRegistry(source, image.id, 'slow');
    const done = pull(target, `${server.host}/broken:latest`, {
      credentials,
      signal: abort.signal,
      onProgress: (e) => { if (e.status === 'Downloading' && (e.current ?? 0) > 64 * 1024) abort.abort(reason); },
    });
    await expect(done).rejects.toBe(reason);
    await expectUntouched();
  });
});
