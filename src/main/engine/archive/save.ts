import type { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Stores } from '../stores.ts';
import type { ProgressSink } from '../api.ts';
import { digestOf, isDigest } from '../store/digest.ts';
import { shortId } from '../../../shared/format.ts';
import { decompressor } from '../layer/layer-ingest.ts';
import type { ImageLayer } from '../image/image-service.ts';
import { layerMediaType, MediaType, type Compression, type Descriptor, type Index, type Manifest } from '../image/oci.ts';
import { familiarString, formatReference, isFullHexId, parseReference, type Reference } from '../image/reference.ts';
import { DirectorySink, TarSink, type ArchiveSink } from './sink.ts';
import { imageEvent } from '../events/event-log.ts';
import { DaemonError, ImageNotFoundError } from '../daemon-errors.ts';
import { StrataError } from '../../../shared/errors.ts';

/**
 * `docker-archive`: the Docker 25+ layout — `manifest.json` for every docker-archive reader
 * (docker, podman, skopeo) plus `index.json`/`oci-layout` over the same `blobs/sha256/` files —
 * with uncompressed layers named by diff ID, as `docker save` writes them.
 * `oci`: an OCI image layout with the layer blobs as stored and the original manifest kept.
 */
export type SaveFormat = 'docker-archive' | 'oci';

export interface SaveOptions {
  format?: SaveFormat;
  onProgress?: ProgressSink;
  signal?: AbortSignal;
  /** End `out` when done (default true; false for process.stdout). */
  end?: boolean;
}

/** An image to save and the familiar names (`busybox:latest`) to save it under. */
export interface SaveSelection {
  id: string;
  tags: string[];
}

/**
 * Which images and names `save` writes, like docker: `repo:tag` saves that tag, a bare `repo`
 * every tag of the repository, an ID the image without names.
 */
export function selectImages(engine: Pick<Stores, 'content' | 'db' | 'events' | 'images'>, names: string[]): SaveSelection[] {
  const byId = new Map<string, SaveSelection>();
  const add = (id: string, tags: string[]): void => {
    const sel = byId.get(id) ?? { id, tags: [] };
    for (const t of tags) if (!sel.tags.includes(t)) sel.tags.push(t);
    byId.set(id, sel);
  };
  for (const name of names) {
    const ref = referenceOf(name);
    if (ref && ref.tag !== undefined) {
      const row = engine.db.prepare('SELECT image_id FROM tags WHERE reference = ?').get(formatReference(ref)) as { image_id: string } | undefined;
      if (row) {
        add(row.image_id, [familiarString(ref)]);
        continue;
      }
    } else if (ref && ref.digest === undefined) {
      const rows = engine.db
        .prepare('SELECT reference, image_id FROM tags WHERE repository = ? ORDER BY reference')
        .all(`${ref.domain}/${ref.path}`) as { reference: string; image_id: string }[];
      if (rows.length > 0) {
        for (const r of rows) add(r.image_id, [familiarString(parseReference(r.reference))]);
        continue;
      }
    }
    const id = engine.images.tryResolve(name);
    // moby's export names what it could not find as typed; a tag or digest it looked up failed as a reference.
    if (!id) throw ref && (ref.tag !== undefined || ref.digest !== undefined) ? new DaemonError(new StrataError('not-found', 'reference does not exist')) : new ImageNotFoundError(name);
    add(id, []);
  }
  return [...byId.values()];
}

function referenceOf(name: string): Reference | undefined {
  if (isFullHexId(name) || isDigest(name)) return undefined;
  try {
    return parseReference(name, { defaultTag: false });
  } catch {
    return undefined;
  }
}

/** Writes the selected images as a tar (docker-archive or OCI layout) to `out`. */
export async function saveImages(engine: Pick<Stores, 'content' | 'db' | 'events' | 'images'>, selection: SaveSelection[], out: Writable, options: SaveOptions = {}): Promise<void> {
  const sink = new TarSink(out, options.end ?? true);
  try {
    await writeArchive(engine, selection, sink, options);
    await sink.finish();
    announceSaved(engine, selection);
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

/** Writes the selected images as an OCI layout directory (which must be empty or absent). */
export async function saveOciDirectory(engine: Pick<Stores, 'content' | 'db' | 'events' | 'images'>, selection: SaveSelection[], dir: string, options: Omit<SaveOptions, 'format'> = {}): Promise<void> {
  const sink = await DirectorySink.open(dir);
  try {
    await writeArchive(engine, selection, sink, { ...options, format: 'oci' });
    await sink.finish();
    announceSaved(engine, selection);
  } catch (err) {
    await sink.abort();
    throw err;
  }
}

/** docker announces each image it exported, under its ID. */
function announceSaved(engine: Pick<Stores, 'content' | 'db' | 'events' | 'images'>, selection: SaveSelection[]): void {
  engine.events.announce(...selection.map((s) => imageEvent('save', s.id, s.id, engine.images.get(s.id)?.labels ?? {})));
}

interface PlannedManifest {
  selection: SaveSelection;
  configDigest: string;
  bytes: Buffer;
  mediaType: string;
  layers: { digest: string; size: number; layer: ImageLayer; decompress: boolean }[];
}

async function writeArchive(engine: Pick<Stores, 'content' | 'db' | 'events' | 'images'>, selection: SaveSelection[], sink: ArchiveSink, options: SaveOptions): Promise<void> {
  const format = options.format ?? 'docker-archive';
  const planned = selection.map((s) => (format === 'oci' ? ociManifest(engine, s) : dockerManifest(engine, s)));
  const written = new Set<string>();
  await sink.dir('blobs');
  await sink.dir('blobs/sha256');
  const blob = async (digest: string, write: () => Promise<void>): Promise<void> => {
    if (written.has(digest)) return;
    written.add(digest);
    options.signal?.throwIfAborted();
    await write();
  };
  for (const p of planned) {
    for (const l of p.layers) {
      await blob(l.digest, async () => {
        options.onProgress?.({ id: shortId(l.digest), status: 'Saving layer', current: 0, total: l.size });
        const stored = engine.content.read(l.layer.blobDigest);
        const source = l.decompress && l.layer.compression !== 'none' ? decompressed(stored, l.layer.compression) : stored;
        await sink.stream(blobName(l.digest), l.size, source);
        options.onProgress?.({ id: shortId(l.digest), status: 'Saved layer', current: l.size, total: l.size });
      });
    }
    await blob(p.configDigest, () => sink.bytes(blobName(p.configDigest), engine.images.readConfigBytes(p.selection.id)));
    const manifestDigest = digestOf(p.bytes);
    await blob(manifestDigest, () => sink.bytes(blobName(manifestDigest), p.bytes));
  }
  const index: Index = { schemaVersion: 2, mediaType: MediaType.OciIndex, manifests: planned.flatMap(indexEntries) };
  // Both formats carry docker's manifest.json beside the OCI layout, as Docker 25+ writes its
  // archives: older engines (docker 20.10 loads nothing else) and every docker-archive reader
  // take it; OCI tools read index.json and ignore it. In the OCI form its layers are the stored
  // (possibly gzip) blobs, which docker's loader decompresses.
  const manifestJson = planned.map((p) => ({
    Config: blobName(p.configDigest),
    RepoTags: p.selection.tags.length > 0 ? p.selection.tags : null,
    Layers: p.layers.map((l) => blobName(l.digest)),
  }));
  await sink.bytes('manifest.json', Buffer.from(JSON.stringify(manifestJson)));
  await sink.bytes('oci-layout', Buffer.from(JSON.stringify({ imageLayoutVersion: '1.0.0' })));
  await sink.bytes('index.json', Buffer.from(JSON.stringify(index)));
}

async function* decompressed(source: Readable, compression: Compression): AsyncGenerator<Uint8Array> {
  const unpack = decompressor(compression);
  const done = pipeline(source, unpack);
  done.catch(() => {});
  for await (const chunk of unpack) yield chunk as Uint8Array;
  await done;
}

function blobName(digest: string): string {
  return `blobs/sha256/${digest.slice('sha256:'.length)}`;
}

/** docker-archive layers are the uncompressed tars, named by diff ID (what every loader expects). */
function dockerManifest(engine: Pick<Stores, 'content' | 'db' | 'events' | 'images'>, selection: SaveSelection): PlannedManifest {
  const configDigest = selection.id;
  const layers = engine.images.layers(selection.id).map((layer) => ({ digest: layer.diffId, size: layer.size, layer, decompress: true }));
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: configDigest, size: engine.content.size(configDigest) ?? 0 },
    layers: layers.map((l) => ({ mediaType: MediaType.OciLayer, digest: l.digest, size: l.size })),
  };
  return { selection, configDigest, bytes: Buffer.from(JSON.stringify(manifest)), mediaType: MediaType.OciManifest, layers };
}

/** OCI layout: the stored blobs as they are, under the image's own OCI manifest when it has one. */
function ociManifest(engine: Pick<Stores, 'content' | 'db' | 'events' | 'images'>, selection: SaveSelection): PlannedManifest {
  const configDigest = selection.id;
  const stored = engine.images.layers(selection.id);
  const layers = stored.map((layer) => ({ digest: layer.blobDigest, size: layer.blobSize, layer, decompress: false }));
  const record = engine.images.get(selection.id);
  const original = record?.manifestDigest ? readOciManifest(engine, record.manifestDigest) : undefined;
  if (original && original.manifest.config.digest === configDigest && original.manifest.layers.length === layers.length &&
      original.manifest.layers.every((d, i) => d.digest === layers[i]!.digest)) {
    return { selection, configDigest, bytes: original.bytes, mediaType: MediaType.OciManifest, layers };
  }
  const manifest: Manifest = {
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    config: { mediaType: MediaType.OciConfig, digest: configDigest, size: engine.content.size(configDigest) ?? 0 },
    layers: stored.map((l) => ({ mediaType: layerMediaType(l.compression, 'oci'), digest: l.blobDigest, size: l.blobSize })),
  };
  return { selection, configDigest, bytes: Buffer.from(JSON.stringify(manifest)), mediaType: MediaType.OciManifest, layers };
}

function readOciManifest(engine: Pick<Stores, 'content' | 'db' | 'events' | 'images'>, digest: string): { bytes: Buffer; manifest: Manifest } | undefined {
  if (!engine.content.has(digest)) return undefined;
  const bytes = engine.content.readBytes(digest);
  try {
    const manifest = JSON.parse(bytes.toString('utf8')) as Manifest;
    const ociTypes = manifest.mediaType === MediaType.OciManifest && manifest.config?.mediaType === MediaType.OciConfig &&
      manifest.layers.every((l) => l.mediaType.startsWith('application/vnd.oci.image.layer.'));
    return ociTypes ? { bytes, manifest } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * index.json names each tag as containerd and Docker 25 do: the full name in
 * `io.containerd.image.name`, the tag in `org.opencontainers.image.ref.name` (what
 * `skopeo … oci:DIR:TAG` and `umoci … DIR:TAG` look up).
 */
function indexEntries(p: PlannedManifest): Descriptor[] {
  const base: Descriptor = { mediaType: p.mediaType, digest: digestOf(p.bytes), size: p.bytes.length };
  if (p.selection.tags.length === 0) return [base];
  return p.selection.tags.map((t) => {
    const ref = parseReference(t);
    return { ...base, annotations: { 'io.containerd.image.name': formatReference(ref), 'org.opencontainers.image.ref.name': ref.tag ?? 'latest' } };
  });
}
