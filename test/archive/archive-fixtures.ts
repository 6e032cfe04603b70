import { createWriteStream, readFileSync } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import { gzipSync, zstdCompressSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import * as tar from 'tar-stream';
import { expect } from 'vitest';
import type { Engine } from '../../src/main/engine/engine.ts';

/** One raw tar member: anything tar can say, hostile or not. */
export interface RawEntry {
  name: string;
  type?: 'file' | 'directory' | 'symlink' | 'link' | 'character-device' | 'block-device' | 'fifo';
  content?: Buffer | string;
  linkname?: string;
  mode?: number;
}

const MTIME = new Date('2024-01-01T00:00:00Z');

/** A tar in memory (small fixtures only). */
export async function tarBytes(entries: RawEntry[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of pack) chunks.push(c as Buffer);
  })();
  for (const e of entries) {
    const type = e.type ?? 'file';
    const content = type === 'file' ? Buffer.from(e.content ?? '') : Buffer.alloc(0);
    await new Promise<void>((resolve, reject) => {
      pack.entry(
        { name: e.name, type, mode: e.mode ?? (type === 'directory' ? 0o755 : 0o644), mtime: MTIME, uid: 0, gid: 0, size: content.length,
          ...(e.linkname !== undefined ? { linkname: e.linkname } : {}), ...(type.endsWith('device') ? { devmajor: 1, devminor: 3 } : {}) },
        content,
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

export async function writeRawTar(path: string, entries: RawEntry[]): Promise<void> {
  const bytes = await tarBytes(entries);
  await pipeline([bytes], createWriteStream(path));
}

export function sha256(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

export function hex(digest: string): string {
  return digest.slice('sha256:'.length);
}

export function compress(data: Buffer, how: 'none' | 'gzip' | 'zstd'): Buffer {
  return how === 'gzip' ? gzipSync(data) : how === 'zstd' ? zstdCompressSync(data) : data;
}

export function configFor(diffIds: string[], extra: Record<string, unknown> = {}): Buffer {
  return Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z',
    config: { Env: ['PATH=/bin'], Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: diffIds },
    history: diffIds.map((_, i) => ({ created: '2024-01-01T00:00:00Z', created_by: `step ${i}` })),
    ...extra,
  }));
}

/**
 * A legacy `docker save` archive: `<id>/layer.tar`, `<config hex>.json`, manifest.json and
 * repositories, manifest.json last (as docker writes it). A repeated layer is a symlink to the
 * first copy, as docker writes it.
 */
export function legacyArchive(layers: Buffer[], options: { tags?: string[]; config?: Buffer; manifestFirst?: boolean } = {}): RawEntry[] {
  const config = options.config ?? configFor(layers.map((l) => sha256(l)));
  const configName = `${hex(sha256(config))}.json`;
  const entries: RawEntry[] = [];
  const layerPaths: string[] = [];
  const firstPath = new Map<string, string>();
  layers.forEach((l, i) => {
    const id = hex(sha256(`v1 layer ${i} ${sha256(l)}`));
    const path = `${id}/layer.tar`;
    layerPaths.push(path);
    entries.push({ name: `${id}/`, type: 'directory' }, { name: `${id}/VERSION`, content: '1.0' }, { name: `${id}/json`, content: JSON.stringify({ id }) });
    const seen = firstPath.get(sha256(l));
    if (seen) entries.push({ name: path, type: 'symlink', linkname: `../${seen}` });
    else {
      entries.push({ name: path, content: l });
      firstPath.set(sha256(l), path);
    }
  });
  entries.push({ name: configName, content: config });
  const manifest = { name: 'manifest.json', content: JSON.stringify([{ Config: configName, RepoTags: options.tags ?? null, Layers: layerPaths }]) };
  const repositories = { name: 'repositories', content: '{}' };
  return options.manifestFirst ? [manifest, ...entries, repositories] : [...entries, manifest, repositories];
}

/** An OCI image layout as tar entries (blobs possibly compressed), tagged through annotations. */
export function ociLayout(layers: Buffer[], options: { compression?: 'none' | 'gzip' | 'zstd'; refName?: string; config?: Buffer } = {}): RawEntry[] {
  const how = options.compression ?? 'none';
  const blobs = layers.map((l) => compress(l, how));
  const config = options.config ?? configFor(layers.map((l) => sha256(l)));
  const suffix = how === 'none' ? '' : how === 'gzip' ? '+gzip' : '+zstd';
  const manifest = Buffer.from(JSON.stringify({
    schemaVersion: 2, mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: sha256(config), size: config.length },
    layers: blobs.map((b) => ({ mediaType: `application/vnd.oci.image.layer.v1.tar${suffix}`, digest: sha256(b), size: b.length })),
  }));
  const index = {
    schemaVersion: 2,
    manifests: [{
      mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: sha256(manifest), size: manifest.length,
      ...(options.refName ? { annotations: { 'org.opencontainers.image.ref.name': options.refName } } : {}),
    }],
  };
  return [
    { name: 'oci-layout', content: '{"imageLayoutVersion":"1.0.0"}' },
    { name: 'blobs/', type: 'directory' },
    { name: 'blobs/sha256/', type: 'directory' },
    ...[...new Map([...blobs, config, manifest].map((b) => [sha256(b), b])).values()].map((b) => ({ name: `blobs/sha256/${hex(sha256(b))}`, content: b })),
    { name: 'index.json', content: JSON.stringify(index) },
  ];
}

/** What a store holds, to compare before and after a refused operation. */
export async function storeState(engine: Engine): Promise<{ images: string[]; blobs: string[]; ingest: string[] }> {
  const { readdirSync } = await import('node:fs');
  return {
    images: engine.images.all().map((i) => i.id).sort(),
    blobs: (await engine.content.list()).sort(),
    ingest: readdirSync(engine.content.ingestDir),
  };
}

/** fsck finds nothing wrong and no stray blob files. */
export async function expectCleanStore(engine: Engine): Promise<void> {
  const report = await engine.fsck();
  expect(report.problems).toEqual([]);
  expect(report.unreferencedFiles).toEqual([]);
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}
