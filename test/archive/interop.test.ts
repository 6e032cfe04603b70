import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createWriteStream, readFileSync, writeFileSync, statSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { Engine } from '../../src/main/engine/engine.ts';
import { loadImages } from '../../src/main/engine/archive/load.ts';
import { saveImages, saveOciDirectory, selectImages } from '../../src/main/engine/archive/save.ts';
import { importImage } from '../../src/main/engine/archive/import.ts';
import type { ImageConfig } from '../../src/main/engine/image/oci.ts';
import { busyboxMissing, writeBusyboxRootfs, BUSYBOX } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { expectCleanStore, sha256 } from './archive-fixtures.ts';

/**
 * Archives exchanged with the real peers: podman, skopeo, buildah and umoci, each on a private
 * vfs storage so tests share no state. The busybox base is made at test time.
 */
function missingTool(): string | undefined {
  const busybox = busyboxMissing();
  if (busybox) return busybox;
  for (const tool of ['podman', 'skopeo', 'buildah', 'umoci']) {
    if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) return `${tool} is not installed`;
  }
  return undefined;
}

/** A private containers-storage (vfs) for podman, buildah and skopeo. */
class PeerStorage {
  readonly root: string;
  readonly runroot: string;
  constructor(dir: string) {
    this.root = join(dir, 'root');
    this.runroot = join(dir, 'runroot');
  }
  private flags(): string[] {
    return ['--root', this.root, '--runroot', this.runroot, '--storage-driver', 'vfs'];
  }
  podman(...args: string[]): string {
    return execFileSync('podman', [...this.flags(), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
  buildah(...args: string[]): string {
    return execFileSync('buildah', [...this.flags(), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }
  /** skopeo's name for an image in this storage. */
  ref(name: string): string {
    return `containers-storage:[vfs@${this.root}+${this.runroot}]${name}`;
  }
  inspect(name: string): { Id: string; RootFS: { Layers: string[] }; Config: { Cmd: string[]; Labels: Record<string, string> } } {
    return (JSON.parse(this.podman('image', 'inspect', name)) as never[])[0]!;
  }
  /** The image's files as a tar, via a created (never started) container. */
  exportFiles(name: string, out: string): void {
    const id = this.podman('create', name).trim();
    this.podman('export', '-o', out, id);
    this.podman('rm', id);
  }
}

function skopeoJson<T>(...args: string[]): T {
  return JSON.parse(execFileSync('skopeo', args, { encoding: 'utf8' })) as T;
}

function tarList(path: string): string[] {
  return execFileSync('tar', ['tf', path], { encoding: 'utf8' }).trim().split('\n').map((n) => n.replace(/^\.\//, '').replace(/\/$/, '')).filter((n) => n !== '' && n !== '.').sort();
}

const unavailable = missingTool();

describe('archives exchanged with podman, skopeo and umoci', () => {
  let dir: { path: string; cleanup: () => void };
  let peer: PeerStorage;
  let engine: Engine;
  const file = (name: string): string => join(dir.path, name);

  beforeAll(async () => {
    if (unavailable) return;
    dir = tempDir('strata-interop-');
    peer = new PeerStorage(file('peer'));
    engine = Engine.open({ root: file('store') });
    // A two-layer busybox image made by the peers themselves: podman import, then buildah adds a file.
    await writeBusyboxRootfs(file('rootfs.tar'));
    peer.podman('import', '-c', 'CMD ["sh"]', file('rootfs.tar'), 'localhost/bb:base');
    const ctr = peer.buildah('from', 'localhost/bb:base').trim().split('\n').pop()!;
    writeFileSync(file('hello.txt'), 'hello from the peer\n');
    peer.buildah('copy', ctr, file('hello.txt'), '/etc/hello');
    peer.buildah('config', '--cmd', '["cat","/etc/hello"]', '--label', 'made.by=buildah', ctr);
    peer.buildah('commit', ctr, 'localhost/bb:two');
    peer.buildah('rm', ctr);
  });
  afterAll(() => {
    if (unavailable) return;
    engine.close();
    dir.cleanup();
  });

  /** The archive's config, as skopeo reads it. */
  function expectSameImage(id: string, peerConfig: ImageConfig, peerLayers: string[]): void {
    const ours = engine.images.readConfig(id);
    expect(ours).toEqual(peerConfig);
    expect(engine.images.layers(id).map((l) => l.diffId)).toEqual(peerLayers);
    expect(ours.history!.map((h) => h.created_by ?? '')).toEqual(peerConfig.history!.map((h) => h.created_by ?? ''));
    expect(id).toBe(sha256(engine.images.readConfigBytes(id)));
  }

  it('loads `podman save` (docker-archive) with the same layers, config and history', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    peer.podman('save', '-o', file('podman.tar'), 'localhost/bb:two');
    const result = await loadImages(engine, { path: file('podman.tar') });
    expect(result.images[0]!.repoTags).toEqual(['localhost/bb:two']);
    const config = skopeoJson<ImageConfig>('inspect', '--config', `docker-archive:${file('podman.tar')}`);
    const manifest = JSON.parse(execFileSync('tar', ['xOf', file('podman.tar'), 'manifest.json'], { encoding: 'utf8' })) as { Config: string }[];
    const configBytes = execFileSync('tar', ['xOf', file('podman.tar'), manifest[0]!.Config]);
    expect(result.images[0]!.id).toBe(sha256(configBytes));
    expectSameImage(result.images[0]!.id, config, peer.inspect('localhost/bb:two').RootFS.Layers);
    expect(engine.images.readConfig(result.images[0]!.id).history!.at(-2)!.comment).toBe('imported from tarball');
    await expectCleanStore(engine);
  });

  it('loads `podman save --format oci-archive` keeping its manifest', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    peer.podman('save', '--format', 'oci-archive', '-o', file('podman-oci.tar'), 'localhost/bb:two');
    // A fresh store: in one that holds the image from plain tars already, the image keeps those blobs.
    const other = Engine.open({ root: file('store-oci') });
    try {
      const result = await loadImages(other, { path: file('podman-oci.tar') });
      const { id } = result.images[0]!;
      const raw = execFileSync('skopeo', ['inspect', '--raw', `oci-archive:${file('podman-oci.tar')}`]);
      const config = skopeoJson<ImageConfig>('inspect', '--config', `oci-archive:${file('podman-oci.tar')}`);
      expect(other.images.readConfig(id)).toEqual(config);
      expect(other.images.layers(id).map((l) => l.diffId)).toEqual(peer.inspect('localhost/bb:two').RootFS.Layers);
      expect(other.images.get(id)!.manifestDigest).toBe(sha256(raw));
      expect(other.images.readConfig(id).config!.Labels).toMatchObject({ 'made.by': 'buildah' });
      await expectCleanStore(other);
    } finally {
      other.close();
    }
  });

  it('loads what `skopeo copy` writes: an OCI layout directory and a docker-archive', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    execFileSync('skopeo', ['copy', '-q', peer.ref('localhost/bb:two'), `oci:${file('skopeo-oci')}:bb:two`]);
    execFileSync('skopeo', ['copy', '-q', peer.ref('localhost/bb:two'), `docker-archive:${file('skopeo.tar')}:skopeo/bb:two`]);
    const fromDir = await loadImages(engine, { path: file('skopeo-oci') });
    expect(fromDir.images[0]!.repoTags).toEqual(['bb:two']);
    const fromTar = await loadImages(engine, { path: file('skopeo.tar') });
    expect(fromTar.images[0]!.repoTags).toEqual(['skopeo/bb:two']);
    const layers = peer.inspect('localhost/bb:two').RootFS.Layers;
    expectSameImage(fromDir.images[0]!.id, skopeoJson<ImageConfig>('inspect', '--config', `oci:${file('skopeo-oci')}:bb:two`), layers);
    expectSameImage(fromTar.images[0]!.id, skopeoJson<ImageConfig>('inspect', '--config', `docker-archive:${file('skopeo.tar')}`), layers);
    await expectCleanStore(engine);
  });

  it('saves a docker-archive that skopeo inspects and podman loads with the same ID, layers and files', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    if (!engine.images.tryResolve('localhost/bb:two')) await loadImages(engine, { path: file('podman.tar') });
    const id = engine.images.resolve('localhost/bb:two');
    await saveImages(engine, selectImages(engine, ['localhost/bb:two']), createWriteStream(file('strata.tar')));
    const inspected = skopeoJson<{ Layers: string[]; Labels: Record<string, string> }>('inspect', `docker-archive:${file('strata.tar')}`);
    const diffIds = engine.images.layers(id).map((l) => l.diffId);
    expect(inspected.Layers).toEqual(diffIds);
    expect(inspected.Labels).toMatchObject({ 'made.by': 'buildah' });

    const fresh = new PeerStorage(file('peer-fresh'));
    expect(fresh.podman('load', '-i', file('strata.tar'))).toContain('Loaded image: localhost/bb:two');
    const podmanView = fresh.inspect('localhost/bb:two');
    expect(`sha256:${podmanView.Id}`).toBe(id);
    expect(podmanView.RootFS.Layers).toEqual(diffIds);
    expect(podmanView.Config.Cmd).toEqual(['cat', '/etc/hello']);
    fresh.exportFiles('localhost/bb:two', file('exported.tar'));
    peer.exportFiles('localhost/bb:two', file('exported-orig.tar'));
    expect(tarList(file('exported.tar'))).toEqual(tarList(file('exported-orig.tar')));
    expect(execFileSync('tar', ['xOf', file('exported.tar'), 'etc/hello'], { encoding: 'utf8' })).toBe('hello from the peer\n');
    expect(execFileSync('tar', ['xOf', file('exported.tar'), 'bin/busybox'], { maxBuffer: 64 << 20 }).equals(readFileSync(BUSYBOX!))).toBe(true);
  });

  it('saves an OCI layout that skopeo reads and umoci unpacks', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    if (!engine.images.tryResolve('localhost/bb:two')) await loadImages(engine, { path: file('podman.tar') });
    const id = engine.images.resolve('localhost/bb:two');
    const layout = file('strata-oci');
    await saveOciDirectory(engine, selectImages(engine, ['localhost/bb:two']), layout);
    const config = skopeoJson<ImageConfig>('inspect', '--config', `oci:${layout}:two`);
    expect(config).toEqual(engine.images.readConfig(id));
    expect(config.rootfs.diff_ids).toEqual(engine.images.layers(id).map((l) => l.diffId));
    execFileSync('umoci', ['unpack', '--rootless', '--image', `${layout}:two`, file('bundle')], { stdio: 'pipe' });
    expect(readFileSync(join(file('bundle'), 'rootfs', 'etc', 'hello'), 'utf8')).toBe('hello from the peer\n');
    expect(statSync(join(file('bundle'), 'rootfs', 'bin', 'busybox')).size).toBe(statSync(BUSYBOX!).size);
    // and through skopeo into podman
    const fresh = new PeerStorage(file('peer-oci'));
    execFileSync('skopeo', ['copy', '-q', `oci:${layout}:two`, fresh.ref('localhost/from-oci:1')]);
    expect(`sha256:${fresh.inspect('localhost/from-oci:1').Id}`).toBe(id);
  });

  it('an image imported by strata loads into podman with docker\'s import history', async ({ skip }) => {
    if (unavailable) skip(unavailable);
    const img = await importImage(engine, { path: file('rootfs.tar') }, { reference: 'strata/imported:1', changes: ['CMD ["sh"]'] });
    await saveImages(engine, selectImages(engine, ['strata/imported:1']), createWriteStream(file('imported.tar')));
    const fresh = new PeerStorage(file('peer-import'));
    fresh.podman('load', '-i', file('imported.tar'));
    expect(`sha256:${fresh.inspect('strata/imported:1').Id}`).toBe(img.id);
    const history = JSON.parse(fresh.podman('history', '--format', 'json', 'strata/imported:1')) as { comment: string; createdBy?: string }[];
    expect(history.map((h) => [h.createdBy ?? '', h.comment])).toEqual([['', 'Imported from -']]);
  });
});
