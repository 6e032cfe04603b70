import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Engine } from '../../src/main/engine/engine.ts';
import type { ProgressEvent } from '../../src/main/engine/api.ts';
import type { ImageRecord } from '../../src/main/engine/image/image-service.ts';
import { MediaType, hostPlatform, type Index } from '../../src/main/engine/image/oci.ts';
import { pull } from '../../src/main/engine/registry/pull.ts';
import { push } from '../../src/main/engine/registry/push.ts';
import { login, logout } from '../../src/main/engine/registry/login.ts';
import { openClient } from '../../src/main/engine/registry/session.ts';
import { repositoryScope } from '../../src/main/engine/registry/auth.ts';
import { DockerConfigCredentialStore } from '../../src/main/engine/registry/credentials.ts';
import { shortId } from '../../src/shared/format.ts';
import { baseConfig, storeImage, writeBusyboxRootfs, writeTar, busyboxMissing } from '../fixtures/busybox.ts';
import { ingestLayer } from '../../src/main/engine/layer/layer-ingest.ts';
import { tempDir } from '../tmp.ts';
import { htpasswdMissing, registryMissing, startRegistry, type RunningRegistry } from './registry-server.ts';
import { startTokenProxy, type TokenProxy } from './token-proxy.ts';
import { startFlakyProxy } from './flaky-proxy.ts';

const missing = registryMissing() ?? busyboxMissing();

/** Progress events of one operation, with helpers to ask about them. */
function recorder(): { events: ProgressEvent[]; sink: (e: ProgressEvent) => void; statusOf: (digest: string) => string[] } {
  const events: ProgressEvent[] = [];
  return {
    events,
    sink: (e) => events.push(e),
    statusOf: (digest) => events.filter((e) => e.id === shortId(digest)).map((e) => e.status),
  };
}

/** A store holds nothing: no images, no blob files, no ingest leftovers, fsck clean. */
async function expectEmptyStore(engine: Engine): Promise<void> {
  expect(engine.images.all()).toEqual([]);
  expect(await engine.content.list()).toEqual([]);
  expect(readdirSync(engine.content.ingestDir)).toEqual([]);
  expect((await engine.fsck()).problems).toEqual([]);
}

describe('registry: push and pull against CNCF distribution', () => {
  let dir: { path: string; cleanup: () => void };
  let registry: RunningRegistry;
  let src: Engine;
  let base: string;
  const tops: string[] = [];
  let app: ImageRecord;
  let credentials: DockerConfigCredentialStore;

  beforeAll(async () => {
    dir = tempDir();
    if (missing) return;
    registry = await startRegistry(join(dir.path, 'registry'));
    src = Engine.open({ root: join(dir.path, 'src') });
    credentials = new DockerConfigCredentialStore(join(dir.path, 'docker-config'));
    base = join(dir.path, 'base.tar');
    await writeBusyboxRootfs(base);
    for (const [i, content] of ['hello from strata\n', 'second app\n', 'third\n'].entries()) {
      const t = join(dir.path, `top${i}.tar`);
      await writeTar(t, [{ type: 'dir', name: 'app/' }, { type: 'file', name: `app/file${i}.txt`, content }]);
      tops.push(t);
    }
    app = await storeImage(src, [base, tops[0]!], { tags: [`${registry.host}/app:v1`] });
  });
  afterAll(async () => {
    src?.close();
    await registry?.stop();
    dir.cleanup();
  });

  function freshEngine(name: string): Engine {
    return Engine.open({ root: join(dir.path, name) });
  }

  it('pushes an image and pulls it into a fresh store with the same ID, layers and digest', async ({ skip }) => {
    if (missing) skip(missing);
    const pushed = recorder();
    const res = await push(src, `${registry.host}/app:v1`, { credentials, onProgress: pushed.sink });
    // The plain tars went out as gzip, and the store now keeps each layer as that gzip only.
    const layers = src.images.layers(app.id);
    expect(layers.map((l) => l.compression)).toEqual(['gzip', 'gzip']);
    expect(layers.map((l) => src.content.has(l.diffId))).toEqual([false, false]);
    expect(res.pushed).toBe(2);
    // docker names a pushed layer by its diff ID.
    for (const l of layers) expect(pushed.statusOf(l.diffId)).toEqual(expect.arrayContaining(['Preparing', 'Pushed']));
    expect(pushed.events.at(0)).toEqual({ id: '', status: `The push refers to repository [${registry.host}/app]` });
    expect(pushed.events.at(-1)).toEqual({ id: '', status: `v1: digest: ${res.digest} size: ${res.size}` });
    expect(res.digest).not.toBe(app.manifestDigest);
    expect(src.images.get(app.id)!.manifestDigest).toBe(res.digest);
    expect((await src.fsck()).problems).toEqual([]);
    expect(src.images.get(app.id)!.repoDigests).toEqual([`${registry.host}/app@${res.digest}`]);

    const dst = freshEngine('fresh');
    try {
      const pulled = recorder();
      const got = await pull(dst, `${registry.host}/app:v1`, { credentials, onProgress: pulled.sink });
      expect(got.image.id).toBe(app.id);
      expect(got.image.repoTags).toEqual([`${registry.host}/app:v1`]);
      expect(got.image.repoDigests).toEqual([`${registry.host}/app@${res.digest}`]);
      expect(got.image.manifestDigest).toBe(res.digest);
      expect(dst.images.layers(got.image.id).map((l) => [l.blobDigest, l.diffId])).toEqual(layers.map((l) => [l.blobDigest, l.diffId]));
      expect(dst.images.layerFiles(layers[1]!.diffId).map((f) => f.path)).toContain('app/file0.txt');
      for (const l of layers) {
        expect(pulled.statusOf(l.blobDigest)).toEqual(['Pulling fs layer', ...pulled.statusOf(l.blobDigest).slice(1, -3), 'Verifying Checksum', 'Download complete', 'Pull complete']);
      }
      expect(pulled.events.map((e) => e.status)).toEqual(expect.arrayContaining([`Digest: ${res.digest}`, `Status: Downloaded newer image for ${registry.host}/app:v1`]));
      expect(readFileSync(dst.content.path(res.digest)).equals(readFileSync(src.content.path(res.digest)))).toBe(true);
      expect((await dst.fsck()).problems).toEqual([]);

      // Again: nothing is downloaded and the status says so.
      const again = recorder();
      const second = await pull(dst, `${registry.host}/app:v1`, { credentials, onProgress: again.sink });
      expect(second.updated).toBe(false);
      expect(second.layersDownloaded).toBe(0);
      expect(again.events.map((e) => e.status)).toEqual([
        'v1: Pulling from app', `Digest: ${res.digest}`, `Status: Image is up to date for ${registry.host}/app:v1`,
      ]);
    } finally {
      dst.close();
    }
  });

  it('skips layers already present: "Already exists" on pull, "Layer already exists" on push', async ({ skip }) => {
    if (missing) skip(missing);
    await push(src, `${registry.host}/app:v1`, { credentials });
    const second = await storeImage(src, [base, tops[1]!], { tags: [`${registry.host}/app:v2`] });
    // The base layer, stored again from its tar, is recorded as the gzip the first push kept.
    const [baseLayer, topLayer] = src.images.layers(second.id);
    expect(baseLayer!.compression).toBe('gzip');
    expect(topLayer!.compression).toBe('none');
    const pushed = recorder();
    const res = await push(src, `${registry.host}/app:v2`, { credentials, onProgress: pushed.sink });
    expect(pushed.statusOf(baseLayer!.diffId)).toEqual(['Preparing', 'Layer already exists']);
    expect(pushed.statusOf(topLayer!.diffId)).toContain('Pushed');
    expect(res).toMatchObject({ pushed: 1, existed: 1, mounted: 0 });
    const baseBlob = baseLayer!.blobDigest;
    const topBlob = src.images.layers(second.id)[1]!.blobDigest;

    const dst = freshEngine('shared');
    try {
      await pull(dst, `${registry.host}/app:v1`, { credentials });
      const pulled = recorder();
      const got = await pull(dst, `${registry.host}/app:v2`, { credentials, onProgress: pulled.sink });
      expect(got.image.id).toBe(second.id);
      expect(got.layersDownloaded).toBe(1);
      expect(pulled.statusOf(baseBlob)).toEqual(['Already exists']);
      expect(pulled.statusOf(topBlob).at(-1)).toBe('Pull complete');
      expect((await dst.fsck()).problems).toEqual([]);
    } finally {
      dst.close();
    }
  });

  it('mounts blobs from another repository of the same registry instead of uploading them', async ({ skip }) => {
    if (missing) skip(missing);
    await storeImage(src, [base, tops[2]!], { tags: [`${registry.host}/team/one:latest`, `${registry.host}/team/two:latest`] });
    const first = await push(src, `${registry.host}/team/one:latest`, { credentials });
    // The base layer is already known to be in `app`: it is mounted from there.
    expect(first.pushed + first.mounted).toBe(2);
    const mounted = recorder();
    const second = await push(src, `${registry.host}/team/two:latest`, { credentials, onProgress: mounted.sink });
    expect(second.mounted).toBe(2);
    expect(mounted.events.filter((e) => e.status === 'Mounted from team/one')).toHaveLength(2);
    expect(second.digest).toBe(first.digest);
    // The registry really has them in the new repository now.
    const dst = freshEngine('mounted');
    try {
      const got = await pull(dst, `${registry.host}/team/two:latest`, { credentials });
      expect(got.digest).toBe(first.digest);
    } finally {
      dst.close();
    }
  });

  it('uploads large blobs in PATCH chunks with Content-Range and pulls them back intact', async ({ skip }) => {
    if (missing) skip(missing);
    const big = join(dir.path, 'big.tar');
    await writeTar(big, [{ type: 'file', name: 'random.bin', content: randomBytes(700 * 1024) }]);
    const img = await storeImage(src, [big], { tags: [`${registry.host}/chunked:latest`] });
    const res = await push(src, `${registry.host}/chunked:latest`, { credentials, chunkSize: 256 * 1024 });
    expect(res.pushed).toBe(1);
    const dst = freshEngine('chunked');
    try {
      const got = await pull(dst, `${registry.host}/chunked:latest`, { credentials });
      expect(got.image.id).toBe(img.id);
      expect((await dst.fsck()).problems).toEqual([]);
    } finally {
      dst.close();
    }
  });

  it('starts a broken upload over, monolithic or chunked, and the registry ends up with the right blob', async ({ skip }) => {
    if (missing) skip(missing);
    const big = join(dir.path, 'flaky.tar');
    await writeTar(big, [{ type: 'file', name: 'flaky.bin', content: randomBytes(600 * 1024) }]);
    for (const mode of ['monolithic', 'chunked'] as const) {
      const proxy = await startFlakyProxy(registry.host, (req) => req.method === (mode === 'monolithic' ? 'PUT' : 'PATCH') && req.url!.includes('/blobs/uploads/'));
      try {
        const img = await storeImage(src, [big], { tags: [`${proxy.host}/flaky/${mode}:1`] });
        const res = await push(src, `${proxy.host}/flaky/${mode}:1`, { credentials, backoffMs: 10, ...(mode === 'chunked' ? { chunkSize: 256 * 1024 } : {}) });
        expect(proxy.cut).toHaveLength(1);
        expect(res.pushed).toBe(1);
        const dst = freshEngine(`flaky-${mode}`);
        try {
          expect((await pull(dst, `${registry.host}/flaky/${mode}:1`, { credentials })).image.id).toBe(img.id);
        } finally {
          dst.close();
        }
      } finally {
        await proxy.stop();
      }
    }
  });

  it('picks the requested platform from a multi-platform index and errors like docker when none matches', async ({ skip }) => {
    if (missing) skip(missing);
    const amd = await storeImage(src, [base, tops[0]!], { tags: [`${registry.host}/multi:amd64`], config: { architecture: 'amd64' } });
    const arm = await storeImage(src, [base, tops[1]!], { tags: [`${registry.host}/multi:arm64`], config: { architecture: 'arm64', variant: 'v8' } });
    const a = await push(src, `${registry.host}/multi:amd64`, { credentials });
    const b = await push(src, `${registry.host}/multi:arm64`, { credentials });
    const index: Index = {
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: [
        { mediaType: MediaType.OciManifest, digest: a.digest, size: a.size, platform: { os: 'linux', architecture: 'amd64' } },
        { mediaType: MediaType.OciManifest, digest: b.digest, size: b.size, platform: { os: 'linux', architecture: 'arm64', variant: 'v8' } },
      ],
    };
    const { client } = await openClient(src, registry.host, { credentials });
    const indexDigest = await client.putManifest('multi', 'latest', Buffer.from(JSON.stringify(index)), MediaType.OciIndex, [repositoryScope('multi', 'push,pull')]);

    const dst = freshEngine('multi');
    try {
      const got = await pull(dst, `${registry.host}/multi:latest`, { credentials, platform: 'linux/arm64' });
      expect(got.image.id).toBe(arm.id);
      expect(got.digest).toBe(indexDigest);
      expect(got.image.repoDigests).toEqual([`${registry.host}/multi@${indexDigest}`]);
      expect(got.image.manifestDigest).toBe(b.digest);
      const host = await pull(dst, `${registry.host}/multi:latest`, { credentials });
      expect(host.image.id).toBe(hostPlatform().architecture === 'arm64' ? arm.id : amd.id);
      await expect(pull(dst, `${registry.host}/multi:arm64`, { credentials, platform: 'linux/amd64' })).rejects.toThrow(
        `image with reference ${registry.host}/multi:arm64 was found but does not match the specified platform: wanted linux/amd64, actual: linux/arm64/v8`,
      );
      await expect(pull(dst, `${registry.host}/multi:latest`, { credentials, platform: 'linux/s390x' })).rejects.toThrow(
        'no matching manifest for linux/s390x in the manifest list entries',
      );
      expect((await dst.fsck()).problems).toEqual([]);
    } finally {
      dst.close();
    }
  });

  it('pulls by digest: no tag, the repo digest recorded, docker\'s status line', async ({ skip }) => {
    if (missing) skip(missing);
    const res = await push(src, `${registry.host}/app:v1`, { credentials });
    const dst = freshEngine('by-digest');
    try {
      const events = recorder();
      const got = await pull(dst, `${registry.host}/app@${res.digest}`, { credentials, onProgress: events.sink });
      expect(got.image.id).toBe(app.id);
      expect(got.image.repoTags).toEqual([]);
      expect(got.image.repoDigests).toEqual([`${registry.host}/app@${res.digest}`]);
      expect(got.reference).toBe(`${registry.host}/app@${res.digest}`);
      expect(events.events.at(0)!.status).toBe(`${res.digest}: Pulling from app`);
      expect(events.events.at(-1)!.status).toBe(`Status: Downloaded newer image for ${registry.host}/app@${res.digest}`);
    } finally {
      dst.close();
    }
  });

  it('writes and remembers a manifest when pushing an image stored without one', async ({ skip }) => {
    if (missing) skip(missing);
    const legacy = await src.gc.withLease(async () => {
      const layer = await ingestLayer(src.content, createReadStream(tops[2]!));
      const config = baseConfig({ rootfs: { type: 'layers', diff_ids: [layer.diffId] }, history: [{ created_by: 'legacy' }] });
      const configBlob = await src.content.put(JSON.stringify(config));
      return src.images.commit({
        configDigest: configBlob.digest, configSize: configBlob.size, tags: [`${registry.host}/legacy:1`],
        layers: [{ blobDigest: layer.blob.digest, blobSize: layer.blob.size, compression: layer.compression, diffId: layer.diffId, size: layer.size, diffSize: layer.diffSize, files: layer.files }],
      });
    });
    expect(legacy.manifestDigest).toBeNull();
    const res = await push(src, `${registry.host}/legacy:1`, { credentials });
    const stored = src.images.get(legacy.id)!;
    expect(stored.manifestDigest).toBe(res.digest);
    const manifest = JSON.parse(src.content.readBytes(res.digest).toString()) as { mediaType: string; config: { digest: string } };
    expect(manifest.mediaType).toBe(MediaType.OciManifest);
    expect(manifest.config.digest).toBe(legacy.id);
    expect((await push(src, `${registry.host}/legacy:1`, { credentials })).digest).toBe(res.digest);
    const dst = freshEngine('legacy');
    try {
      expect((await pull(dst, `${registry.host}/legacy:1`, { credentials })).image.id).toBe(legacy.id);
    } finally {
      dst.close();
    }
    expect((await src.fsck()).problems).toEqual([]);
  });

  it('names what is missing: an unknown tag, an unknown local image', async ({ skip }) => {
    if (missing) skip(missing);
    const dst = freshEngine('missing');
    try {
      await expect(pull(dst, `${registry.host}/app:nope`, { credentials })).rejects.toThrow(
        `manifest for ${registry.host}/app:nope not found: manifest unknown: manifest unknown`,
      );
      await expect(push(dst, `${registry.host}/absent:v1`, { credentials })).rejects.toThrow(
        `An image does not exist locally with the tag: ${registry.host}/absent`,
      );
      await expectEmptyStore(dst);
    } finally {
      dst.close();
    }
  });

  it('lists a repository\'s tags', async ({ skip }) => {
    if (missing) skip(missing);
    for (const tag of ['a', 'b', 'c']) src.images.tag(app.id, `${registry.host}/paged:${tag}`);
    for (const tag of ['a', 'b', 'c']) await push(src, `${registry.host}/paged:${tag}`, { credentials });
    const { client } = await openClient(src, registry.host, { credentials });
    const scopes = [repositoryScope('paged', 'pull')];
    expect((await client.listTags('paged', scopes, 1)).sort()).toEqual(['a', 'b', 'c']);
    expect((await client.listTags('paged', scopes)).sort()).toEqual(['a', 'b', 'c']);
  });

  it('cancelling a pull leaves nothing behind', async ({ skip }) => {
    if (missing) skip(missing);
    await push(src, `${registry.host}/app:v1`, { credentials });
    const dst = freshEngine('cancelled');
    try {
      const abort = new AbortController();
      const reason = new Error('interrupted');
      const done = pull(dst, `${registry.host}/app:v1`, {
        credentials,
        signal: abort.signal,
        onProgress: (e) => { if (e.status === 'Downloading') abort.abort(reason); },
      });
      await expect(done).rejects.toBe(reason);
      await expectEmptyStore(dst);
    } finally {
      dst.close();
    }
  });
});

describe('registry: htpasswd basic auth and docker config.json credentials', () => {
  const unavailable = missing ?? htpasswdMissing();
  let dir: { path: string; cleanup: () => void };
  let registry: RunningRegistry;
  let engine: Engine;

  beforeAll(async () => {
    dir = tempDir();
    if (unavailable) return;
    registry = await startRegistry(join(dir.path, 'registry'), { auth: { user: 'alice', password: 's3cret!' } });
    engine = Engine.open({ root: join(dir.path, 'store') });
  });
  afterAll(async () => {
    engine?.close();
    await registry?.stop();
    dir.cleanup();
  });

  it('refuses without credentials, logs in, pushes and pulls, logs out', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const store = new DockerConfigCredentialStore(join(dir.path, 'docker-config'));
    const t = join(dir.path, 'l.tar');
    await writeTar(t, [{ type: 'file', name: 'secret.txt', content: 'auth me\n' }]);
    const img = await storeImage(engine, [t], { tags: [`${registry.host}/private:1`] });

    await expect(push(engine, `${registry.host}/private:1`, { credentials: store })).rejects.toThrow('no basic auth credentials');
    await expect(login(engine, registry.host, { username: 'alice', password: 'wrong' }, { credentials: store })).rejects.toThrow(
      `login attempt to http://${registry.host}/v2/ failed with status: 401 Unauthorized`,
    );
    expect(existsSync(store.file)).toBe(false);

    await login(engine, registry.host, { username: 'alice', password: 's3cret!' }, { credentials: store });
    const config = JSON.parse(readFileSync(store.file, 'utf8')) as { auths: Record<string, { auth: string }> };
    expect(Buffer.from(config.auths[registry.host]!.auth, 'base64').toString()).toBe('alice:s3cret!');

    await push(engine, `${registry.host}/private:1`, { credentials: store });
    const dst = Engine.open({ root: join(dir.path, 'dst') });
    try {
      const got = await pull(dst, `${registry.host}/private:1`, { credentials: store });
      expect(got.image.id).toBe(img.id);
    } finally {
      dst.close();
    }

    expect(await logout(engine, registry.host, store)).toBe(true);
    expect(await logout(engine, registry.host, store)).toBe(false);
    const empty = Engine.open({ root: join(dir.path, 'dst2') });
    try {
      await expect(pull(empty, `${registry.host}/private:1`, { credentials: store })).rejects.toThrow('no basic auth credentials');
      await expectEmptyStore(empty);
    } finally {
      empty.close();
    }
  });
});

describe('registry: credential helpers', () => {
  it('explains a refusal by the missing helper, and still allows anonymous access', async ({ skip }) => {
    const unavailable = missing ?? htpasswdMissing();
    if (unavailable) skip(unavailable);
    const dir = tempDir();
    const locked = await startRegistry(join(dir.path, 'locked'), { auth: { user: 'u', password: 'p' } });
    const open = await startRegistry(join(dir.path, 'open'));
    const engine = Engine.open({ root: join(dir.path, 'store') });
    try {
      const configDir = join(dir.path, 'docker-config');
      mkdirSync(configDir);
      writeFileSync(join(configDir, 'config.json'), JSON.stringify({ credsStore: 'strata-test-absent' }));
      const store = new DockerConfigCredentialStore(configDir);
      const t = join(dir.path, 'l.tar');
      await writeTar(t, [{ type: 'file', name: 'x', content: 'x' }]);
      await storeImage(engine, [t], { tags: [`${locked.host}/a:1`, `${open.host}/a:1`] });
      await expect(push(engine, `${locked.host}/a:1`, { credentials: store })).rejects.toThrow(
        'error getting credentials - err: exec: "docker-credential-strata-test-absent": executable file not found in $PATH, out: ``',
      );
      expect((await push(engine, `${open.host}/a:1`, { credentials: store })).pushed).toBe(1);
      // Logging in checks the password with the registry, then cannot keep it: docker's message.
      await expect(login(engine, locked.host, { username: 'u', password: 'p' }, { credentials: store })).rejects.toThrow(
        'Error saving credentials: error storing credentials - err: exec: "docker-credential-strata-test-absent": executable file not found in $PATH',
      );
    } finally {
      engine.close();
      await locked.stop();
      await open.stop();
      dir.cleanup();
    }
  });
});

/**
 * A real registry behind the token proxy, and an engine, for one describe block. The values are
 * read through getters: they exist once beforeAll has run.
 */
function useTokenProxy(user: string, password: string, options: { refreshTokens?: boolean } = {}): {
  readonly dir: { path: string; cleanup: () => void };
  readonly proxy: TokenProxy;
  readonly engine: Engine;
} {
  let dir: { path: string; cleanup: () => void } | undefined;
  let registry: RunningRegistry | undefined;
  let proxy: TokenProxy | undefined;
  let engine: Engine | undefined;
  beforeAll(async () => {
    dir = tempDir();
    if (missing) return;
    registry = await startRegistry(join(dir.path, 'registry'));
    proxy = await startTokenProxy(registry.host, user, password, options);
    engine = Engine.open({ root: join(dir.path, 'store') });
  });
  afterAll(async () => {
    engine?.close();
    await proxy?.stop();
    await registry?.stop();
    dir?.cleanup();
  });
  return {
    get dir() { return dir!; },
    get proxy() { return proxy!; },
    get engine() { return engine!; },
  };
}

describe('registry: bearer token auth (token server and checking proxy in front of the registry)', () => {
  const tp = useTokenProxy('bob', 'hunter2');

  it('gets scoped tokens, caches them, pulls anonymously and needs the account to push', async ({ skip }) => {
    if (missing) skip(missing);
    const authed = new DockerConfigCredentialStore(join(tp.dir.path, 'authed'));
    const anonymous = new DockerConfigCredentialStore(join(tp.dir.path, 'anonymous'));
    const base = join(tp.dir.path, 'base.tar');
    await writeBusyboxRootfs(base);
    const t = join(tp.dir.path, 'l.tar');
    await writeTar(t, [{ type: 'file', name: 'token.txt', content: 'bearer\n' }]);
    const img = await storeImage(tp.engine, [base, t], { tags: [`${tp.proxy.host}/org/app:1`, `${tp.proxy.host}/org/copy:1`] });

    await expect(push(tp.engine, `${tp.proxy.host}/org/app:1`, { credentials: anonymous })).rejects.toThrow('unauthorized: authentication required');
    await login(tp.engine, tp.proxy.host, { username: 'bob', password: 'hunter2' }, { credentials: authed });
    await expect(login(tp.engine, tp.proxy.host, { username: 'bob', password: 'nope' }, { credentials: anonymous })).rejects.toThrow('incorrect username or password');

    tp.proxy.issued.length = 0;
    await push(tp.engine, `${tp.proxy.host}/org/app:1`, { credentials: authed });
    // One token for the push scope served every blob check, upload and the manifest.
    expect(tp.proxy.issued).toEqual([['org/app:push', 'org/app:pull']]);

    const mounted = recorder();
    const copy = await push(tp.engine, `${tp.proxy.host}/org/copy:1`, { credentials: authed, onProgress: mounted.sink });
    expect(copy.mounted).toBe(2);
    expect(mounted.events.filter((e) => e.status === 'Mounted from org/app')).toHaveLength(2);

    const dst = Engine.open({ root: join(tp.dir.path, 'dst') });
    try {
      tp.proxy.issued.length = 0;
      const got = await pull(dst, `${tp.proxy.host}/org/app:1`, { credentials: anonymous });
      expect(got.image.id).toBe(img.id);
      expect(tp.proxy.issued).toEqual([['org/app:pull']]);
    } finally {
      dst.close();
    }
  });
});

describe('registry: identity tokens (a token server that hands out OAuth2 refresh tokens)', () => {
  const tp = useTokenProxy('ann', 's3cret-pw', { refreshTokens: true });

  it('login stores the refresh token instead of the password, and push and pull trade it for access tokens', async ({ skip }) => {
    if (missing) skip(missing);
    const configDir = join(tp.dir.path, 'docker');
    const store = new DockerConfigCredentialStore(configDir);
    await login(tp.engine, tp.proxy.host, { username: 'ann', password: 's3cret-pw' }, { credentials: store });
    const file = readFileSync(join(configDir, 'config.json'), 'utf8');
    expect(file).not.toContain('s3cret-pw');
    const entry = (JSON.parse(file) as { auths: Record<string, { auth: string; identitytoken: string }> }).auths[tp.proxy.host]!;
    expect(Buffer.from(entry.auth, 'base64').toString()).toBe('ann:');
    expect(entry.identitytoken).toMatch(/^[0-9a-f]{32}$/);

    const t = join(tp.dir.path, 'l.tar');
    await writeTar(t, [{ type: 'file', name: 'id.txt', content: 'identity\n' }]);
    const img = await storeImage(tp.engine, [t], { tags: [`${tp.proxy.host}/team/app:1`] });
    const withPassword = tp.proxy.tokenRequestsWithCredentials;
    await push(tp.engine, `${tp.proxy.host}/team/app:1`, { credentials: store });
    // The push was authorised by the refresh token alone: the password was not sent again.
    expect(tp.proxy.refreshGrants).toBeGreaterThan(0);
    expect(tp.proxy.tokenRequestsWithCredentials).toBe(withPassword);

    const dst = Engine.open({ root: join(tp.dir.path, 'dst') });
    try {
      const got = await pull(dst, `${tp.proxy.host}/team/app:1`, { credentials: store });
      expect(got.image.id).toBe(img.id);
    } finally {
      dst.close();
    }

    // A refresh token the server does not know is refused like a wrong password.
    writeFileSync(join(configDir, 'config.json'), JSON.stringify({ auths: { [tp.proxy.host]: { auth: Buffer.from('ann:').toString('base64'), identitytoken: 'f'.repeat(32) } } }));
    await expect(push(tp.engine, `${tp.proxy.host}/team/app:1`, { credentials: store })).rejects.toThrow('invalid refresh token');
  });
});
