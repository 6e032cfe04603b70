import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { createWriteStream, mkdirSync, readFileSync, writeFileSync, symlinkSync, linkSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { gzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { Engine } from '../../src/main/engine/engine.ts';
import { loadImages } from '../../src/main/engine/archive/load.ts';
import { saveImages, saveOciDirectory, selectImages } from '../../src/main/engine/archive/save.ts';
import { importImage } from '../../src/main/engine/archive/import.ts';
import type { ProgressEvent } from '../../src/main/engine/api.ts';
import { progressBar } from '../../src/main/cli/commands/archive.ts';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';
import {
  compress, configFor, expectCleanStore, hex, legacyArchive, ociLayout, sha256, tarBytes, writeRawTar, type RawEntry,
} from './archive-fixtures.ts';

const STRATA = join(repoRoot, 'bin', 'strata');

describe('archive formats', () => {
  let dir: { path: string; cleanup: () => void };
  let engine: Engine;
  let base: Buffer;
  let top: Buffer;

  beforeEach(async () => {
    dir = tempDir();
    engine = Engine.open({ root: join(dir.path, 'store') });
    base = await tarBytes([{ name: 'bin/', type: 'directory' }, { name: 'bin/tool', content: 'tool\n', mode: 0o755 }, { name: 'etc/', type: 'directory' }]);
    top = await tarBytes([{ name: 'etc/motd', content: 'welcome\n' }, { name: 'etc/.wh.old', content: '' }]);
  });
  afterEach(() => {
    engine.close();
    dir.cleanup();
  });

  const file = (name: string): string => join(dir.path, name);

  async function saved(names: string[], format: 'docker-archive' | 'oci' = 'docker-archive'): Promise<string> {
    const out = file(`saved-${Math.random().toString(16).slice(2)}.tar`);
    await saveImages(engine, selectImages(engine, names), createWriteStream(out), { format });
    return out;
  }

  it('loads a legacy docker save archive (manifest.json last, repeated layer as a symlink)', async () => {
    await writeRawTar(file('a.tar'), legacyArchive([base, top, base], { tags: ['example/app:1.0', 'app'] }));
    const result = await loadImages(engine, { path: file('a.tar') });
    const config = configFor([sha256(base), sha256(top), sha256(base)]);
    expect(result.images).toEqual([{ id: sha256(config), repoTags: ['example/app:1.0', 'app:latest'] }]);
    const layers = engine.images.layers(sha256(config));
    expect(layers.map((l) => l.diffId)).toEqual([sha256(base), sha256(top), sha256(base)]);
    expect(layers[0]!.mediaType).toBe('application/vnd.docker.image.rootfs.diff.tar');
    expect(engine.images.readConfigBytes(sha256(config)).equals(config)).toBe(true);
    expect(engine.images.layerFiles(sha256(top)).map((f) => [f.path, f.type])).toEqual([['etc/motd', 'file'], ['etc/old', 'whiteout']]);
    expect(engine.images.resolve('example/app:1.0')).toBe(sha256(config));
    await expectCleanStore(engine);
  });

  it('loads the Docker 25+ layout it saves, keeping ID, tags, layers and manifest', async () => {
    await writeRawTar(file('a.tar'), legacyArchive([base, top], { tags: ['app:1'] }));
    const { id } = (await loadImages(engine, { path: file('a.tar') })).images[0]!;
    const out = await saved(['app:1']);
    const listing = execFileSync('tar', ['tf', out], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).toEqual(expect.arrayContaining(['manifest.json', 'index.json', 'oci-layout', `blobs/sha256/${hex(sha256(base))}`]));
    const other = Engine.open({ root: file('store2') });
    try {
      const result = await loadImages(other, { path: out });
      expect(result.images).toEqual([{ id, repoTags: ['app:1'] }]);
      expect(other.images.layers(id).map((l) => l.diffId)).toEqual([sha256(base), sha256(top)]);
      const index = JSON.parse(execFileSync('tar', ['xOf', out, 'index.json'], { encoding: 'utf8' })) as { manifests: { digest: string }[] };
      expect(other.images.get(id)!.manifestDigest).toBe(index.manifests[0]!.digest);
      await expectCleanStore(other);
    } finally {
      other.close();
    }
  });

  it('writes the same bytes for the same images (deterministic headers)', async () => {
    await writeRawTar(file('a.tar'), legacyArchive([base, top], { tags: ['app:1'] }));
    await loadImages(engine, { path: file('a.tar') });
    const one = readFileSync(await saved(['app:1']));
    const two = readFileSync(await saved(['app:1']));
    expect(one.equals(two)).toBe(true);
    const oci1 = readFileSync(await saved(['app:1'], 'oci'));
    expect(oci1.equals(readFileSync(await saved(['app:1'], 'oci')))).toBe(true);
  });

  for (const compression of ['gzip', 'zstd'] as const) {
    it(`loads an OCI layout tar with ${compression} layers, keeps the blobs and the manifest, and saves them back unchanged`, async () => {
      const entries = ociLayout([base, top], { compression, refName: 'registry.example:5000/team/app:v2' });
      await writeRawTar(file('oci.tar'), entries);
      const result = await loadImages(engine, { path: file('oci.tar') });
      const id = sha256(configFor([sha256(base), sha256(top)]));
      expect(result.images).toEqual([{ id, repoTags: ['registry.example:5000/team/app:v2'] }]);
      const layers = engine.images.layers(id);
      expect(layers.map((l) => l.compression)).toEqual([compression, compression]);
      expect(layers.map((l) => l.blobDigest)).toEqual([sha256(compress(base, compression)), sha256(compress(top, compression))]);
      expect(layers.map((l) => l.size)).toEqual([base.length, top.length]);
      const index = JSON.parse(String(entries.find((e) => e.name === 'index.json')!.content)) as { manifests: { digest: string }[] };
      expect(engine.images.get(id)!.manifestDigest).toBe(index.manifests[0]!.digest);
      // OCI save keeps the original manifest (and so the manifest digest)
      const layout = file('layout');
      await saveOciDirectory(engine, selectImages(engine, ['registry.example:5000/team/app:v2']), layout);
      const savedIndex = JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; annotations: Record<string, string> }[] };
      expect(savedIndex.manifests).toEqual([expect.objectContaining({
        digest: index.manifests[0]!.digest,
        annotations: { 'io.containerd.image.name': 'registry.example:5000/team/app:v2', 'org.opencontainers.image.ref.name': 'v2' },
      })]);
      // and that layout loads back as the same image with the same manifest
      const again = Engine.open({ root: file(`store-${compression}`) });
      try {
        expect((await loadImages(again, { path: layout })).images).toEqual([{ id, repoTags: ['registry.example:5000/team/app:v2'] }]);
        expect(again.images.get(id)!.manifestDigest).toBe(index.manifests[0]!.digest);
      } finally {
        again.close();
      }
      // docker-archive save decompresses to the diff IDs
      const out = await saved([id]);
      const manifest = JSON.parse(execFileSync('tar', ['xOf', out, 'manifest.json'], { encoding: 'utf8' })) as { Layers: string[]; RepoTags: null }[];
      expect(manifest[0]!.Layers).toEqual([`blobs/sha256/${hex(sha256(base))}`, `blobs/sha256/${hex(sha256(top))}`]);
      expect(manifest[0]!.RepoTags).toBeNull();
      expect(execFileSync('tar', ['xOf', out, manifest[0]!.Layers[1]!]).equals(top)).toBe(true);
      await expectCleanStore(engine);
    });
  }

  it('loads an OCI layout directory; a bare ref.name tag loads the image untagged', async () => {
    const layout = file('layout');
    mkdirSync(layout);
    for (const e of ociLayout([base], { refName: 'latest' })) {
      const p = join(layout, e.name);
      if (e.type === 'directory') mkdirSync(p, { recursive: true });
      else writeFileSync(p, e.content!);
    }
    const result = await loadImages(engine, { path: layout });
    expect(result.images).toEqual([{ id: sha256(configFor([sha256(base)])), repoTags: [] }]);
  });

  it('loads a gzip-compressed archive from a stream (docker save | gzip | docker load)', async () => {
    const whole = gzipSync(await tarBytes(legacyArchive([base, top], { tags: ['zipped:1'] })));
    const result = await loadImages(engine, { stream: (async function* () { yield whole.subarray(0, 100); yield whole.subarray(100); })() });
    expect(result.images[0]!.repoTags).toEqual(['zipped:1']);
  });

  it('removes content the archive carried but no image uses, and reports progress', async () => {
    const big = await tarBytes([{ name: 'big.bin', content: randomBytes(3 << 20) }]);
    const unused = await tarBytes([{ name: 'unused.bin', content: randomBytes(2 << 20) }]);
    const entries: RawEntry[] = [...ociLayout([big, top], { refName: 'a/b:c' })];
    entries.splice(3, 0, { name: `blobs/sha256/${hex(sha256(unused))}`, content: unused });
    await writeRawTar(file('extra.tar'), entries);
    const events: ProgressEvent[] = [];
    await loadImages(engine, { path: file('extra.tar') }, { onProgress: (e) => events.push(e) });
    expect(engine.content.has(sha256(unused))).toBe(false);
    expect(engine.content.has(sha256(big))).toBe(true);
    expect(events.some((e) => e.status === 'Loading layer' && e.id === hex(sha256(big)).slice(0, 12) && e.current === e.total)).toBe(true);
    await expectCleanStore(engine);
  });

  it('notes a tag taken from an older image, like docker', async () => {
    await writeRawTar(file('one.tar'), legacyArchive([base], { tags: ['app:1'] }));
    await writeRawTar(file('two.tar'), legacyArchive([base, top], { tags: ['app:1'] }));
    const first = await loadImages(engine, { path: file('one.tar') });
    const second = await loadImages(engine, { path: file('two.tar') });
    expect(second.notes).toEqual([`The image app:1 already exists, renaming the old one with ID ${first.images[0]!.id} to empty string`]);
  });

  it('save selects like docker: repo:tag, every tag of a bare repo, or an ID without names', async () => {
    await writeRawTar(file('a.tar'), legacyArchive([base], { tags: ['app:1', 'app:2', 'other:1'] }));
    const { id } = (await loadImages(engine, { path: file('a.tar') })).images[0]!;
    expect(selectImages(engine, ['app:2'])).toEqual([{ id, tags: ['app:2'] }]);
    expect(selectImages(engine, ['app'])).toEqual([{ id, tags: ['app:1', 'app:2'] }]);
    expect(selectImages(engine, [id.slice(7, 19)])).toEqual([{ id, tags: [] }]);
    expect(() => selectImages(engine, ['nope:1'])).toThrow('reference does not exist');
  });

  it('imports a compressed rootfs tarball with changes and docker\'s history entry', async () => {
    writeFileSync(file('rootfs.tar.zst'), compress(base, 'zstd'));
    const img = await importImage(engine, { path: file('rootfs.tar.zst') }, {
      reference: 'imported:1',
      changes: ['CMD ["/bin/tool", "-v"]', 'ENV A=1 B="two words"', 'EXPOSE 80 53/udp', 'LABEL maintainer="me" x=y', 'USER 1000:1000',
        'VOLUME /data', 'WORKDIR /srv', 'WORKDIR app', 'ONBUILD run echo hi'],
    });
    const config = engine.images.readConfig(img.id);
    expect(config.config).toEqual({
      Cmd: ['/bin/tool', '-v'], Env: ['A=1', 'B=two words'], ExposedPorts: { '80/tcp': {}, '53/udp': {} }, Labels: { maintainer: 'me', x: 'y' },
      // moby stores the trigger text as written (BuildFromConfig → parseOnBuild), keyword case included.
      User: '1000:1000', Volumes: { '/data': {} }, WorkingDir: '/srv/app', OnBuild: ['run echo hi'],
    });
    expect(config.history).toEqual([{ created: config.created, comment: 'Imported from -' }]);
    expect(config.comment).toBe('Imported from -');
    expect(config.rootfs.diff_ids).toEqual([sha256(base)]);
    const [layer] = engine.images.layers(img.id);
    expect(layer!.compression).toBe('zstd');
    expect(img.repoTags).toEqual(['imported:1']);
    await expectCleanStore(engine);
  });

  it('imports a directory deterministically (hardlinks linked, symlinks kept) with a message', async () => {
    const root = file('rootfs');
    mkdirSync(join(root, 'usr/bin'), { recursive: true });
    writeFileSync(join(root, 'usr/bin/a'), 'same inode\n');
    linkSync(join(root, 'usr/bin/a'), join(root, 'usr/bin/b'));
    symlinkSync('a', join(root, 'usr/bin/c'));
    const one = await importImage(engine, { path: root }, { message: 'from a dir', platform: 'linux/arm64/v8' });
    const two = await importImage(engine, { path: root }, { changes: ['ENTRYPOINT /usr/bin/a'] });
    const [l1] = engine.images.layers(one.id);
    const [l2] = engine.images.layers(two.id);
    expect(l1!.diffId).toBe(l2!.diffId);
    expect(engine.images.layerFiles(l1!.diffId).map((f) => [f.path, f.type, f.linkTarget])).toEqual([
      ['usr', 'dir', ''], ['usr/bin', 'dir', ''], ['usr/bin/a', 'file', ''], ['usr/bin/b', 'hardlink', 'usr/bin/a'], ['usr/bin/c', 'symlink', 'a'],
    ]);
    expect(engine.images.readConfig(one.id).history![0]!.comment).toBe('from a dir');
    expect(engine.images.readConfig(one.id)).toMatchObject({ os: 'linux', architecture: 'arm64', variant: 'v8' });
    expect(engine.images.readConfig(two.id).config).toEqual({ Entrypoint: ['/bin/sh', '-c', '/usr/bin/a'], Cmd: null });
  });

  it('saves and loads several images in one archive, storing a shared layer once', async () => {
    await writeRawTar(file('a.tar'), legacyArchive([base], { tags: ['one:1'] }));
    await writeRawTar(file('b.tar'), legacyArchive([base, top], { tags: ['two:1'] }));
    const one = (await loadImages(engine, { path: file('a.tar') })).images[0]!.id;
    const two = (await loadImages(engine, { path: file('b.tar') })).images[0]!.id;
    const out = await saved(['one:1', 'two:1']);
    const listing = execFileSync('tar', ['tf', out], { encoding: 'utf8' }).trim().split('\n');
    expect(listing.filter((n) => n === `blobs/sha256/${hex(sha256(base))}`)).toHaveLength(1);
    const other = Engine.open({ root: file('store-multi') });
    try {
      const result = await loadImages(other, { path: out });
      expect(result.images).toEqual([{ id: one, repoTags: ['one:1'] }, { id: two, repoTags: ['two:1'] }]);
      await expectCleanStore(other);
    } finally {
      other.close();
    }
  });

  it('loads the host platform from a multi-platform OCI index', async () => {
    const entries = ociLayout([base]);
    const manifestEntry = entries.find((e) => e.name === 'index.json')!;
    const inner = JSON.parse(String(manifestEntry.content)) as { manifests: Record<string, unknown>[] };
    const armConfig = configFor([sha256(top)], { architecture: 'arm64' });
    const armManifest = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(armConfig), size: armConfig.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar', digest: sha256(top), size: top.length }],
    }));
    const { hostPlatform } = await import('../../src/main/engine/image/oci.ts');
    const host = hostPlatform();
    const imageIndex = Buffer.from(JSON.stringify({
      schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(armManifest), size: armManifest.length, platform: { os: 'linux', architecture: host.architecture === 'arm64' ? 'amd64' : 'arm64' } },
        { ...inner.manifests[0], platform: { os: host.os, architecture: host.architecture } },
      ],
    }));
    manifestEntry.content = JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', digest: sha256(imageIndex), size: imageIndex.length, annotations: { 'io.containerd.image.name': 'docker.io/library/multi:1' } }],
    });
    entries.splice(3, 0, ...[armConfig, armManifest, imageIndex, top].map((b) => ({ name: `blobs/sha256/${hex(sha256(b))}`, content: b })));
    await writeRawTar(file('multi.tar'), entries);
    const result = await loadImages(engine, { path: file('multi.tar') });
    expect(result.images).toEqual([{ id: sha256(configFor([sha256(base)])), repoTags: ['multi:1'] }]);
    await expectCleanStore(engine);
  });

  it('renders docker\'s progress bar', () => {
    expect(progressBar(0, 5_120_000)).toBe(`[>${' '.repeat(50)}]${' '.repeat(7)}0B/5.12MB`);
    expect(progressBar(2_560_000, 5_120_000)).toBe(`[${'='.repeat(25)}>${' '.repeat(25)}]   2.56MB/5.12MB`);
    expect(progressBar(5_120_000, 5_120_000)).toBe(`[${'='.repeat(50)}>]   5.12MB/5.12MB`);
  });

  it('CLI: load prints docker\'s lines, save streams to a pipe, import prints the ID', async () => {
    const root = file('cli-store');
    await writeRawTar(file('a.tar'), legacyArchive([base, top], { tags: ['cli/app:1'] }));
    await writeRawTar(file('untagged.tar'), legacyArchive([top]));
    const run = (args: string[], input?: Buffer) => spawnSync(STRATA, ['--root', root, ...args], { encoding: 'buffer', ...(input ? { input } : {}) });
    const loaded = run(['load', '-i', file('a.tar')]);
    expect(loaded.stderr.toString()).toBe('');
    expect(loaded.stdout.toString()).toBe('Loaded image: cli/app:1\n');
    const fromStdin = run(['image', 'load'], readFileSync(file('untagged.tar')));
    expect(fromStdin.stdout.toString()).toBe(`Loaded image ID: ${sha256(configFor([sha256(top)]))}\n`);
    const save = run(['save', 'cli/app:1']);
    expect(save.status).toBe(0);
    writeFileSync(file('piped.tar'), save.stdout);
    expect(JSON.parse(execFileSync('tar', ['xOf', file('piped.tar'), 'manifest.json'], { encoding: 'utf8' }))[0].RepoTags).toEqual(['cli/app:1']);
    const imported = run(['import', '-c', 'CMD ["sh"]', '-', 'cli/imported'], base);
    expect(imported.stdout.toString()).toMatch(/^sha256:[a-f0-9]{64}\n$/);
    const bad = run(['import', '-c', 'RUN x', '-'], base);
    expect(bad.status).toBe(1);
    expect(bad.stderr.toString()).toBe('Error: run is not a valid change command\n');
    const missing = run(['load', '-i', file('nope.tar')]);
    expect(missing.stderr.toString()).toBe(`Error: open ${file('nope.tar')}: no such file or directory\n`);
    const ociOut = run(['save', '--format', 'oci', '-o', `${file('oci-out')}/`, 'cli/app:1']);
    expect(ociOut.status).toBe(0);
    expect(JSON.parse(readFileSync(join(file('oci-out'), 'oci-layout'), 'utf8'))).toEqual({ imageLayoutVersion: '1.0.0' });
  });
});
