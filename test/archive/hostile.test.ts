import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync, symlinkSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { Engine } from '../../src/main/engine/engine.ts';
import { loadImages } from '../../src/main/engine/archive/load.ts';
import { importImage } from '../../src/main/engine/archive/import.ts';
import { tempDir } from '../tmp.ts';
import {
  configFor, expectCleanStore, hex, legacyArchive, ociLayout, sha256, storeState, tarBytes, writeRawTar, type RawEntry,
} from './archive-fixtures.ts';

/**
 * Hostile and broken input: each case is refused with a clear error and leaves the store exactly
 * as it was (no rows, no blob files, no ingest files, fsck clean) and nothing outside it.
 */
describe('load and import refuse hostile input', () => {
  let dir: { path: string; cleanup: () => void };
  let engine: Engine;
  let good: Buffer;

  beforeEach(async () => {
    dir = tempDir();
    engine = Engine.open({ root: join(dir.path, 'store') });
    good = await tarBytes([{ name: 'etc/', type: 'directory' }, { name: 'etc/hello', content: 'hello\n' }]);
    // A tagged image already in the store must survive every refusal untouched.
    const archive = join(dir.path, 'good.tar');
    await writeRawTar(archive, legacyArchive([good], { tags: ['good:1'] }));
    await loadImages(engine, { path: archive });
  });
  afterEach(() => {
    engine.close();
    dir.cleanup();
  });

  async function expectRefused(entries: RawEntry[], message: RegExp, bytes?: Buffer): Promise<void> {
    const before = await storeState(engine);
    const path = join(dir.path, 'hostile.tar');
    if (bytes) writeFileSync(path, bytes);
    else await writeRawTar(path, entries);
    await expect(loadImages(engine, { path })).rejects.toThrow(message);
    expect(await storeState(engine)).toEqual(before);
    await expectCleanStore(engine);
    expect(engine.images.resolve('good:1')).toBe(before.images[0]);
  }

  it('refuses a layer entry with ..', async () => {
    const layer = await tarBytes([{ name: '../../escape', content: 'x' }]);
    await expectRefused(legacyArchive([layer]), /refusing path that escapes the root: \.\.\/\.\.\/escape/);
  });

  it('refuses a layer entry with an absolute path', async () => {
    const layer = await tarBytes([{ name: '/etc/passwd', content: 'x' }]);
    await expectRefused(legacyArchive([layer]), /refusing absolute path in archive: \/etc\/passwd/);
  });

  it('refuses a layer that writes through a symlink', async () => {
    const layer = await tarBytes([{ name: 'evil', type: 'symlink', linkname: '/etc' }, { name: 'evil/passwd', content: 'x' }]);
    await expectRefused(legacyArchive([layer]), /refusing entry that traverses a symlink: evil\/passwd/);
  });

  it('refuses a hardlink that escapes the layer', async () => {
    const layer = await tarBytes([{ name: 'shadow', type: 'link', linkname: '../../etc/shadow' }]);
    await expectRefused(legacyArchive([layer]), /refusing hardlink that escapes the root: shadow -> \.\.\/\.\.\/etc\/shadow/);
  });

  it('keeps a device node outside /dev in the image, as docker does (snapshots never create it)', async () => {
    const layer = await tarBytes([{ name: 'tmp/mem', type: 'character-device' }]);
    const path = join(dir.path, 'device.tar');
    await writeRawTar(path, legacyArchive([layer], { tags: ['device:1'] }));
    await loadImages(engine, { path });
    expect(engine.images.resolve('device:1')).toMatch(/^sha256:/);
  });

  it('refuses an archive member with .. in its name', async () => {
    await expectRefused([{ name: '../outside.json', content: '{}' }, ...legacyArchive([good])], /refusing path that escapes the root: \.\.\/outside\.json/);
  });

  it('refuses an archive symlink that points out of the archive', async () => {
    const entries = legacyArchive([good]);
    const layerTar = entries.find((e) => e.name.endsWith('/layer.tar'))!;
    layerTar.type = 'symlink';
    layerTar.linkname = '../../../etc/passwd';
    delete layerTar.content;
    await expectRefused(entries, /refusing link that escapes the archive: .*layer\.tar -> \.\.\/\.\.\/\.\.\/etc\/passwd/);
  });

  it('refuses a symlink in an OCI layout directory that points out of it', async () => {
    const before = await storeState(engine);
    const layout = join(dir.path, 'layout');
    mkdirSync(layout);
    for (const e of ociLayout([good])) {
      const p = join(layout, e.name);
      if (e.type === 'directory') mkdirSync(p, { recursive: true });
      else writeFileSync(p, e.content!);
    }
    const { rmSync } = await import('node:fs');
    const layerPath = join(layout, 'blobs', 'sha256', hex(sha256(good)));
    rmSync(layerPath);
    symlinkSync('/etc/passwd', layerPath);
    await expect(loadImages(engine, { path: layout })).rejects.toThrow(`refusing link that escapes the archive: blobs/sha256/${hex(sha256(good))} -> /etc/passwd`);
    expect(await storeState(engine)).toEqual(before);
    await expectCleanStore(engine);
  });

  it('refuses an index that names a manifest missing from the layout', async () => {
    const entries = ociLayout([good]);
    const index = JSON.parse(String(entries.find((e) => e.name === 'index.json')!.content)) as { manifests: { digest: string }[] };
    const manifestName = `blobs/sha256/${hex(index.manifests[0]!.digest)}`;
    await expectRefused(entries.filter((e) => e.name !== manifestName), new RegExp(`index\\.json references ${manifestName}, which is not in the archive`));
  });

  it('refuses a small blob whose content does not match its name', async () => {
    const entries = ociLayout([good]);
    const blob = entries.find((e) => e.name.startsWith('blobs/sha256/') && e.type !== 'directory' && Buffer.from(e.content!).equals(good))!;
    blob.content = Buffer.concat([good.subarray(0, good.length - 1), Buffer.from([1])]);
    await expectRefused(entries, new RegExp(`digest mismatch for blobs/sha256/${hex(sha256(good))}: expected sha256:${hex(sha256(good))}, content hashes to sha256:`));
  });

  it('refuses a large (streamed) layer blob whose content does not match its name', async () => {
    const big = await tarBytes([{ name: 'data.bin', content: randomBytes(3 << 20) }]);
    const entries = ociLayout([big]);
    const blob = entries.find((e) => e.name === `blobs/sha256/${hex(sha256(big))}`)!;
    const tampered = Buffer.from(big);
    tampered[1000] = tampered[1000]! ^ 0xff;
    blob.content = tampered;
    await expectRefused(entries, /digest mismatch for blobs\/sha256\/[a-f0-9]{64}: expected sha256:[a-f0-9]{64}, content hashes to/);
  });

  it('refuses a config whose name does not match its content', async () => {
    const entries = legacyArchive([good]);
    const config = entries.find((e) => e.name.endsWith('.json') && !e.name.includes('/') && e.name !== 'manifest.json')!;
    config.content = configFor([sha256(good)], { author: 'mallory' });
    await expectRefused(entries, /digest mismatch for [a-f0-9]{64}\.json/);
  });

  it('refuses a truncated archive', async () => {
    const big = await tarBytes([{ name: 'data.bin', content: randomBytes(2 << 20) }]);
    const whole = await tarBytes(legacyArchive([good, big], { manifestFirst: true }));
    await expectRefused([], /truncated archive/, whole.subarray(0, 1_500_000));
  });

  it('refuses a truncated gzip-compressed archive', async () => {
    const { gzipSync } = await import('node:zlib');
    const whole = gzipSync(await tarBytes(legacyArchive([good])));
    await expectRefused([], /truncated archive/, whole.subarray(0, whole.length - 20));
  });

  it('refuses a manifest that references a missing blob', async () => {
    const entries = ociLayout([good]).filter((e) => e.name !== `blobs/sha256/${hex(sha256(good))}`);
    await expectRefused(entries, new RegExp(`references blobs/sha256/${hex(sha256(good))}, which is not in the archive`));
  });

  it('refuses a docker manifest.json that references a missing layer', async () => {
    const entries = legacyArchive([good]).filter((e) => !e.name.endsWith('/layer.tar'));
    await expectRefused(entries, /manifest\.json references [a-f0-9]{64}\/layer\.tar, which is not in the archive/);
  });

  it("refuses layers that don't match the config's diff_ids", async () => {
    const other = await tarBytes([{ name: 'other', content: 'other' }]);
    await expectRefused(legacyArchive([good], { config: configFor([sha256(other)]) }), /layers do not match the image config .*: layer 0 has diff ID sha256:[a-f0-9]{64}, the config expects sha256:/);
  });

  it('refuses a layer count that differs from the config', async () => {
    await expectRefused(legacyArchive([good], { config: configFor([sha256(good), sha256(good)]) }), /the manifest lists 1 layers, the config has 2 diff IDs/);
  });

  it('refuses bad JSON in manifest.json', async () => {
    const entries = legacyArchive([good]);
    entries.find((e) => e.name === 'manifest.json')!.content = '[{"Config": ';
    await expectRefused(entries, /invalid JSON in manifest\.json/);
  });

  it('refuses bad JSON in an image config', async () => {
    const bad = Buffer.from('{"rootfs": ');
    const entries = legacyArchive([good], { config: bad });
    await expectRefused(entries, /invalid image config [a-f0-9]{64}\.json/);
  });

  it('refuses an archive with neither manifest.json nor index.json', async () => {
    await expectRefused([{ name: 'hello.txt', content: 'hi' }], /no manifest\.json \(docker save\) or index\.json \(OCI layout\) found/);
  });

  it('refuses an import tarball with ..', async () => {
    const before = await storeState(engine);
    const path = join(dir.path, 'rootfs.tar');
    await writeRawTar(path, [{ name: 'ok', content: 'ok' }, { name: '../../etc/cron.d/x', content: 'x' }]);
    await expect(importImage(engine, { path }, { reference: 'evil:1' })).rejects.toThrow(/refusing path that escapes the root: \.\.\/\.\.\/etc\/cron\.d\/x/);
    expect(await storeState(engine)).toEqual(before);
    await expectCleanStore(engine);
  });

  it('refuses an invalid --change before reading anything', async () => {
    const before = await storeState(engine);
    const path = join(dir.path, 'rootfs.tar');
    await writeRawTar(path, [{ name: 'ok', content: 'ok' }]);
    await expect(importImage(engine, { path }, { changes: ['RUN rm -rf /'] })).rejects.toThrow('run is not a valid change command');
    await expect(importImage(engine, { path }, { changes: ['FOO bar'] })).rejects.toThrow('unknown instruction: FOO');
    expect(await storeState(engine)).toEqual(before);
  });

  it('imports a directory without following a symlink out of it', async () => {
    const root = join(dir.path, 'rootfs');
    mkdirSync(join(root, 'etc'), { recursive: true });
    writeFileSync(join(root, 'etc', 'hostname'), 'box\n');
    const secret = join(dir.path, 'secret.txt');
    writeFileSync(secret, 'do not copy\n');
    symlinkSync(secret, join(root, 'etc', 'leak'));
    const img = await importImage(engine, { path: root }, { reference: 'dir:1' });
    const files = engine.images.layerFiles(engine.images.layers(img.id)[0]!.diffId);
    const leak = files.find((f) => f.path === 'etc/leak')!;
    expect(leak).toMatchObject({ type: 'symlink', linkTarget: secret, size: 0 });
    // The layer's bytes never contain the file outside the root.
    const blob = readFileSync(engine.content.path(engine.images.layers(img.id)[0]!.blobDigest));
    expect(blob.includes(Buffer.from('do not copy'))).toBe(false);
    expect(existsSync(secret)).toBe(true);
    await expectCleanStore(engine);
  });
});
