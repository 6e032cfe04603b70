import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createReadStream, createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../../src/main/engine/engine.ts';
import { MediaType, type Manifest } from '../../src/main/engine/image/oci.ts';
import { push } from '../../src/main/engine/registry/push.ts';
import { pull } from '../../src/main/engine/registry/pull.ts';
import { loadImages } from '../../src/main/engine/archive/load.ts';
import { saveImages, selectImages } from '../../src/main/engine/archive/save.ts';
import { DockerConfigCredentialStore } from '../../src/main/engine/registry/credentials.ts';
import { shortId } from '../../src/shared/format.ts';
import { baseConfig, busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';
import { ingestLayer } from '../../src/main/engine/layer/layer-ingest.ts';
import { writeImage } from '../../src/main/engine/image/image-writer.ts';
import { recordLayer } from '../../src/main/engine/build/cache.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { tempDir } from '../tmp.ts';
import { registryMissing, startRegistry, type RunningRegistry } from './registry-server.ts';
import { ociSchemasMissing, ociValidators } from './oci-schema.ts';

const missing = registryMissing() ?? busyboxMissing();

/** Text that compresses like real files do (neither random nor one repeated byte). */
function prose(lines: number): string {
  const words = ['layer', 'image', 'registry', 'blob', 'digest', 'manifest', 'tar', 'gzip', 'store', 'push', 'pull', 'config'];
  let out = '';
  for (let i = 0; i < lines; i++) out += `${i}: ${words[i % 12]} ${words[(i * 7) % 12]} ${words[(i * 5 + 3) % 12]} ${(i * 2654435761) % 100003}\n`;
  return out;
}

/** What the registry holds for `repo:tag`: the manifest, as served. */
async function registryManifest(host: string, repo: string, tag: string): Promise<{ manifest: Manifest; mediaType: string }> {
  const res = await fetch(`http://${host}/v2/${repo}/manifests/${tag}`, { headers: { accept: [MediaType.OciManifest, MediaType.DockerManifest].join(', ') } });
  expect(res.status).toBe(200);
  return { manifest: (await res.json()) as Manifest, mediaType: res.headers.get('content-type') ?? '' };
}

/** A blob as the registry stored it on disk (distribution's filesystem driver). */
function registryBlob(registry: RunningRegistry, digest: string): Buffer {
  const hex = digest.slice('sha256:'.length);
  return readFileSync(join(registry.dir, 'data', 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data'));
}

const isGzip = (b: Buffer): boolean => b[0] === 0x1f && b[1] === 0x8b;
const isZstd = (b: Buffer): boolean => b.readUInt32LE(0) === 0xfd2fb528;

describe('push compresses layers as docker does, and keeps what it compressed', () => {
  let dir: { path: string; cleanup: () => void };
  let registry: RunningRegistry;
  let credentials: DockerConfigCredentialStore;
  let layerTars: string[];

  beforeAll(async () => {
    dir = tempDir();
    if (missing) return;
    registry = await startRegistry(join(dir.path, 'registry'));
    credentials = new DockerConfigCredentialStore(join(dir.path, 'docker-config'));
    const base = join(dir.path, 'base.tar');
    await writeBusyboxRootfs(base);
    const docs = join(dir.path, 'docs.tar');
    await writeTar(docs, [{ type: 'dir', name: 'docs/' }, { type: 'file', name: 'docs/notes.txt', content: prose(20_000) }]);
    layerTars = [base, docs];
  });
  afterAll(async () => {
    await registry?.stop();
    dir?.cleanup();
  });

  const open = (name: string): Engine => Engine.open({ root: join(dir.path, name) });

  it('sends gzip by default, with media types the OCI schemas accept, and reuses the kept gzip on the next push', async ({ skip }) => {
    if (missing) skip(missing);
    const engine = open('gzip');
    try {
      const img = await storeImage(engine, layerTars, { tags: [`${registry.host}/gz/app:1`] });
      const before = engine.images.layers(img.id);
      expect(before.map((l) => l.compression)).toEqual(['none', 'none']);
      const first = await push(engine, `${registry.host}/gz/app:1`, { credentials });
      const { manifest, mediaType } = await registryManifest(registry.host, 'gz/app', '1');
      expect(mediaType).toBe(MediaType.OciManifest);
      expect(manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.OciLayerGzip, MediaType.OciLayerGzip]);
      for (const l of manifest.layers) {
        const blob = registryBlob(registry, l.digest);
        expect(isGzip(blob)).toBe(true);
        expect(blob.length).toBe(l.size);
      }
      // Kept in the store as the layers' one copy: the same digests, no plain tar beside them.
      const kept = engine.images.layers(img.id);
      expect(kept.map((l) => l.blobDigest)).toEqual(manifest.layers.map((l) => l.digest));
      expect(kept.map((l) => engine.content.has(l.diffId))).toEqual([false, false]);
      if (!ociSchemasMissing()) {
        const schema = ociValidators();
        expect(schema.manifest(manifest), JSON.stringify(schema.manifest.errors)).toBe(true);
        expect(schema.config(JSON.parse(registryBlob(registry, manifest.config.digest).toString()))).toBe(true);
      }

      // Again, to another repository and the same one: nothing is compressed again.
      const files = (await engine.content.list()).sort();
      const mtimes = kept.map((l) => statSync(engine.content.path(l.blobDigest)).mtimeMs);
      const second = await push(engine, `${registry.host}/gz/app:1`, { credentials });
      expect(second).toMatchObject({ digest: first.digest, existed: 2, pushed: 0 });
      engine.images.tag(img.id, `${registry.host}/gz/copy:1`);
      const statuses: string[] = [];
      const third = await push(engine, `${registry.host}/gz/copy:1`, { credentials, onProgress: (e) => { if (e.id === shortId(kept[1]!.diffId)) statuses.push(e.status); } });
      expect(third).toMatchObject({ digest: first.digest, mounted: 2 });
      expect(statuses).toEqual(['Preparing', 'Mounted from gz/app']);
      expect((await engine.content.list()).sort()).toEqual(files);
      expect(kept.map((l) => statSync(engine.content.path(l.blobDigest)).mtimeMs)).toEqual(mtimes);
      expect((await engine.fsck()).problems).toEqual([]);
    } finally {
      engine.close();
    }
  });

  it('gives every pushed layer a media type, even one recorded without (a build\'s cached layer)', async ({ skip }) => {
    if (missing) skip(missing);
    const engine = open('media-type');
    try {
      const img = await engine.gc.withLease(async () => {
        const l = await ingestLayer(engine.content, createReadStream(layerTars[1]!));
        const layer = { blobDigest: l.blob.digest, blobSize: l.blob.size, compression: l.compression, diffId: l.diffId, size: l.size, diffSize: l.diffSize, files: l.files };
        recordLayer(engine.db, layer);
        return writeImage(engine.content, engine.images, { config: baseConfig({ history: [{ created_by: 'RUN x' }] }), layers: [{ ...layer, mediaType: '' }], tags: [`${registry.host}/mt/app:1`] });
      });
      const stored = JSON.parse(engine.content.readBytes(img.manifestDigest!).toString()) as Manifest;
      expect(stored.layers.map((l) => l.mediaType)).toEqual([MediaType.OciLayer]);
      await push(engine, `${registry.host}/mt/app:1`, { credentials });
      const { manifest } = await registryManifest(registry.host, 'mt/app', '1');
      expect(manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.OciLayerGzip]);
      if (!ociSchemasMissing()) expect(ociValidators().manifest(manifest)).toBe(true);
    } finally {
      engine.close();
    }
  });

  it('sends zstd when asked, in an OCI manifest, and a fresh store pulls it back to the same image', async ({ skip }) => {
    if (missing) skip(missing);
    const engine = open('zstd');
    const fresh = open('zstd-pulled');
    try {
      const img = await storeImage(engine, layerTars, { tags: [`${registry.host}/zs/app:1`] });
      const res = await push(engine, `${registry.host}/zs/app:1`, { credentials, compression: 'zstd' });
      const { manifest, mediaType } = await registryManifest(registry.host, 'zs/app', '1');
      expect(mediaType).toBe(MediaType.OciManifest);
      expect(manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.OciLayerZstd, MediaType.OciLayerZstd]);
      for (const l of manifest.layers) expect(isZstd(registryBlob(registry, l.digest))).toBe(true);
      if (!ociSchemasMissing()) expect(ociValidators().manifest(manifest)).toBe(true);
      const got = await pull(fresh, `${registry.host}/zs/app:1`, { credentials });
      expect(got.image.id).toBe(img.id);
      expect(got.digest).toBe(res.digest);
      expect(fresh.images.layers(img.id).map((l) => l.compression)).toEqual(['zstd', 'zstd']);
      // A layer kept as zstd goes out as that zstd unless recompression is forced.
      engine.images.tag(img.id, `${registry.host}/zs/again:1`);
      expect((await push(engine, `${registry.host}/zs/again:1`, { credentials })).digest).toBe(res.digest);
      engine.images.tag(img.id, `${registry.host}/zs/forced:1`);
      await push(engine, `${registry.host}/zs/forced:1`, { credentials, forceCompression: true });
      const forced = await registryManifest(registry.host, 'zs/forced', '1');
      expect(forced.manifest.layers.map((l) => l.mediaType)).toEqual([MediaType.OciLayerGzip, MediaType.OciLayerGzip]);
      expect((await engine.fsck()).problems).toEqual([]);
    } finally {
      engine.close();
      fresh.close();
    }
  });

  it('a store that loaded an image and then pulls it compressed keeps one copy of each layer', async ({ skip }) => {
    if (missing) skip(missing);
    const source = open('dedupe-source');
    const store = open('dedupe');
    try {
      const img = await storeImage(source, layerTars, { tags: [`${registry.host}/dd/app:1`] });
      const extra = join(dir.path, 'extra.tar');
      await writeTar(extra, [{ type: 'file', name: 'docs/extra.txt', content: prose(100) }]);
      const next = await storeImage(source, [...layerTars, extra], { tags: [`${registry.host}/dd/app:2`] });
      const archive = join(dir.path, 'dd.tar');
      await saveImages(source, selectImages(source, [`${registry.host}/dd/app:1`]), createWriteStream(archive));
      await push(source, `${registry.host}/dd/app:1`, { credentials });
      await push(source, `${registry.host}/dd/app:2`, { credentials });

      await loadImages(store, { path: archive });
      const plain = store.images.layers(img.id);
      expect(plain.map((l) => l.compression)).toEqual(['none', 'none']);
      const loadedFiles = await store.content.list();
      // The same image: nothing to download, nothing stored twice.
      expect((await pull(store, `${registry.host}/dd/app:1`, { credentials })).layersDownloaded).toBe(0);
      expect(await store.content.list()).toEqual(loadedFiles);

      // An image on the same layers: they arrive as gzip, and the loaded tars give way to them.
      const got = await pull(store, `${registry.host}/dd/app:2`, { credentials });
      expect(got.image.id).toBe(next.id);
      expect(got.layersDownloaded).toBe(3);
      const layers = store.images.layers(img.id);
      expect(layers.map((l) => l.compression)).toEqual(['gzip', 'gzip']);
      expect(layers.map((l) => l.blobDigest)).toEqual(store.images.layers(next.id).slice(0, 2).map((l) => l.blobDigest));
      const files = await store.content.list();
      for (const l of plain) expect(files).not.toContain(l.blobDigest);
      const rows = store.db.prepare('SELECT diff_id, count(*) AS forms FROM layer_blobs GROUP BY diff_id').all() as { forms: number }[];
      expect(rows.map((r) => r.forms)).toEqual([1, 1, 1]);
      expect(readdirSync(store.content.ingestDir)).toEqual([]);
      expect(await store.gc.orphanFiles()).toEqual([]);
      expect((await store.fsck()).problems).toEqual([]);

      // Loading the archive again records its tars as the gzip already kept: still one copy.
      await loadImages(store, { path: archive });
      expect(await store.content.list()).toEqual(files);
      // save writes the plain tars back out of the gzip, and they load to the same image.
      const again = join(dir.path, 'dd-again.tar');
      await saveImages(store, selectImages(store, [`${registry.host}/dd/app:1`]), createWriteStream(again));
      const reloaded = open('dedupe-reloaded');
      try {
        const res = await loadImages(reloaded, { path: again });
        expect(res.images.map((i) => i.id)).toEqual([img.id]);
        expect((await reloaded.fsck()).problems).toEqual([]);
      } finally {
        reloaded.close();
      }
    } finally {
      source.close();
      store.close();
    }
  });
});

const dockerMissing = missing ?? dockerdMissing();

describe.skipIf(dockerMissing)(`push: the same image pushed by docker and by Strata${dockerMissing ? ` (skipped: ${dockerMissing})` : ''}`, () => {
  let dir: { path: string; cleanup: () => void };
  let registry: RunningRegistry;
  let d: Dockerd;
  let engine: Engine;

  beforeAll(async () => {
    dir = tempDir();
    [registry, d] = await Promise.all([startRegistry(join(dir.path, 'registry')), startDockerd()]);
    engine = Engine.open({ root: join(dir.path, 'store') });
  }, 120_000);
  afterAll(async () => {
    engine?.close();
    await d?.stop();
    await registry?.stop();
    dir?.cleanup();
  });

  it('sends gzip layers of docker\'s size (±5%) that docker pulls back to the same image', async () => {
    const base = join(dir.path, 'base.tar');
    await writeBusyboxRootfs(base);
    const docs = join(dir.path, 'docs.tar');
    await writeTar(docs, [{ type: 'dir', name: 'docs/' }, { type: 'file', name: 'docs/notes.txt', content: prose(40_000) }]);
    const img = await storeImage(engine, [base, docs], { tags: ['cmp:1'] });
    const archive = join(dir.path, 'cmp.tar');
    await saveImages(engine, selectImages(engine, ['cmp:1']), createWriteStream(archive));

    await d.docker(['load', '-i', archive]);
    await d.docker(['tag', 'cmp:1', `${registry.host}/docker/cmp:1`]);
    await d.docker(['push', `${registry.host}/docker/cmp:1`]);
    engine.images.tag(img.id, `${registry.host}/strata/cmp:1`);
    await push(engine, `${registry.host}/strata/cmp:1`, { credentials: new DockerConfigCredentialStore(join(dir.path, 'cfg')) });

    const theirs = (await registryManifest(registry.host, 'docker/cmp', '1')).manifest;
    const ours = (await registryManifest(registry.host, 'strata/cmp', '1')).manifest;
    expect(ours.config.digest).toBe(theirs.config.digest);
    expect(ours.layers).toHaveLength(theirs.layers.length);
    ours.layers.forEach((l, i) => {
      const blob = registryBlob(registry, l.digest);
      expect(isGzip(blob)).toBe(true);
      expect(isGzip(registryBlob(registry, theirs.layers[i]!.digest))).toBe(true);
      const ratio = l.size / theirs.layers[i]!.size;
      console.log(`layer ${i}: strata gzip ${l.size} bytes, docker gzip ${theirs.layers[i]!.size} bytes (${ratio.toFixed(3)}×)`);
      expect(ratio, `layer ${i}: strata ${l.size} bytes, docker ${theirs.layers[i]!.size}`).toBeGreaterThan(0.95);
      expect(ratio, `layer ${i}: strata ${l.size} bytes, docker ${theirs.layers[i]!.size}`).toBeLessThan(1.05);
    });

    // docker pulls Strata's push (checking every layer against the config's diff IDs).
    await d.docker(['rmi', 'cmp:1', `${registry.host}/docker/cmp:1`]);
    await d.docker(['pull', `${registry.host}/strata/cmp:1`]);
    const id = (await d.docker(['image', 'inspect', '--format', '{{.Id}}', `${registry.host}/strata/cmp:1`])).stdout.trim();
    expect(id).toBe(img.id);
    const run = await d.docker(['run', '--rm', '--network', 'none', `${registry.host}/strata/cmp:1`, 'head', '-c', '20', '/docs/notes.txt']);
    expect(run.stdout).toBe(prose(2).slice(0, 20));
  }, 180_000);
});
