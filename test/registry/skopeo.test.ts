import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { copyFileSync, createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { Engine } from '../../src/main/engine/engine.ts';
import type { Manifest, Index } from '../../src/main/engine/image/oci.ts';
import { MediaType } from '../../src/main/engine/image/oci.ts';
import { digestOf, hexOf } from '../../src/main/engine/store/digest.ts';
import { pull } from '../../src/main/engine/registry/pull.ts';
import { push } from '../../src/main/engine/registry/push.ts';
import { DockerConfigCredentialStore } from '../../src/main/engine/registry/credentials.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeTar } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { registryMissing, skopeoMissing, startRegistry, type RunningRegistry } from './registry-server.ts';

const run = promisify(execFile);
const missing = registryMissing() ?? skopeoMissing() ?? busyboxMissing();

/** Writes one stored image as an OCI image layout directory (what `skopeo copy oci:DIR:TAG` reads). */
function writeOciLayout(engine: Engine, imageId: string, dir: string, tag: string): void {
  const record = engine.images.get(imageId)!;
  const manifestBytes = engine.content.readBytes(record.manifestDigest!);
  const manifest = JSON.parse(manifestBytes.toString()) as Manifest;
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  for (const d of [record.manifestDigest!, manifest.config.digest, ...manifest.layers.map((l) => l.digest)]) {
    copyFileSync(engine.content.path(d), join(dir, 'blobs', 'sha256', hexOf(d)));
  }
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  const index: Index = {
    schemaVersion: 2,
    manifests: [{
      mediaType: MediaType.OciManifest, digest: record.manifestDigest!, size: manifestBytes.length,
      annotations: { 'org.opencontainers.image.ref.name': tag },
    }],
  };
  writeFileSync(join(dir, 'index.json'), JSON.stringify(index));
}

async function gzipFile(from: string, to: string): Promise<void> {
  await pipeline(createReadStream(from), createGzip(), createWriteStream(to));
}

describe('registry: interop with skopeo', () => {
  let dir: { path: string; cleanup: () => void };
  let registry: RunningRegistry;
  let src: Engine;
  let credentials: DockerConfigCredentialStore;

  beforeAll(async () => {
    dir = tempDir();
    if (missing) return;
    registry = await startRegistry(join(dir.path, 'registry'));
    src = Engine.open({ root: join(dir.path, 'src') });
    credentials = new DockerConfigCredentialStore(join(dir.path, 'docker-config'));
  });
  afterAll(async () => {
    src?.close();
    await registry?.stop();
    dir.cleanup();
  });

  it('pulls an image pushed by skopeo with the same digests, and its files', async ({ skip }) => {
    if (missing) skip(missing);
    const base = join(dir.path, 'base.tar');
    const top = join(dir.path, 'top.tar');
    await writeBusyboxRootfs(base);
    await writeTar(top, [{ type: 'file', name: 'etc/skopeo.txt', content: 'pushed by skopeo\n' }]);
    await gzipFile(base, `${base}.gz`);
    await gzipFile(top, `${top}.gz`);
    const img = await storeImage(src, [`${base}.gz`, `${top}.gz`]);
    const layout = join(dir.path, 'layout-in');
    writeOciLayout(src, img.id, layout, 'v1');
    await run('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', `oci:${layout}:v1`, `docker://${registry.host}/skopeo/in:v1`]);
    const { stdout: raw } = await run('skopeo', ['inspect', '--raw', '--tls-verify=false', `docker://${registry.host}/skopeo/in:v1`]);
    const manifest = JSON.parse(raw) as Manifest;

    const dst = Engine.open({ root: join(dir.path, 'dst-in') });
    try {
      const got = await pull(dst, `${registry.host}/skopeo/in:v1`, { credentials });
      expect(got.digest).toBe(digestOf(raw));
      expect(got.image.id).toBe(manifest.config.digest);
      expect(got.image.id).toBe(img.id);
      const layers = dst.images.layers(got.image.id);
      expect(layers.map((l) => l.blobDigest)).toEqual(manifest.layers.map((l) => l.digest));
      expect(layers.every((l) => l.compression === 'gzip')).toBe(true);
      expect(dst.images.layerFiles(layers[0]!.diffId).map((f) => f.path)).toContain('bin/busybox');
      expect(dst.images.layerFiles(layers[1]!.diffId).map((f) => f.path)).toContain('etc/skopeo.txt');
      expect(readFileSync(dst.content.path(got.image.manifestDigest!), 'utf8')).toBe(raw);
      expect((await dst.fsck()).problems).toEqual([]);
    } finally {
      dst.close();
    }
  });

  it('pushes an image that skopeo inspects and copies back out unchanged', async ({ skip }) => {
    if (missing) skip(missing);
    const t = join(dir.path, 'out.tar');
    await writeTar(t, [{ type: 'dir', name: 'srv/' }, { type: 'file', name: 'srv/index.html', content: '<h1>strata</h1>\n' }]);
    const img = await storeImage(src, [t], { tags: [`${registry.host}/skopeo/out:v2`], config: { architecture: 'amd64', os: 'linux' } });
    const res = await push(src, `${registry.host}/skopeo/out:v2`, { credentials });

    const { stdout } = await run('skopeo', ['inspect', '--tls-verify=false', `docker://${registry.host}/skopeo/out:v2`]);
    const info = JSON.parse(stdout) as { Digest: string; Layers: string[]; Architecture: string; Os: string };
    expect(info.Digest).toBe(res.digest);
    expect(info.Layers).toEqual(src.images.layers(img.id).map((l) => l.blobDigest));
    expect([info.Os, info.Architecture]).toEqual(['linux', 'amd64']);

    const out = join(dir.path, 'layout-out');
    await run('skopeo', ['copy', '--quiet', '--preserve-digests', '--src-tls-verify=false', `docker://${registry.host}/skopeo/out:v2`, `oci:${out}:v2`]);
    const index = JSON.parse(readFileSync(join(out, 'index.json'), 'utf8')) as Index;
    expect(index.manifests[0]!.digest).toBe(res.digest);
    for (const d of [img.id, ...src.images.layers(img.id).map((l) => l.blobDigest)]) {
      const file = join(out, 'blobs', 'sha256', hexOf(d));
      expect(existsSync(file)).toBe(true);
      expect(digestOf(readFileSync(file))).toBe(d);
    }
  });
});
