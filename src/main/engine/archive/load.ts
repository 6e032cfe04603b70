import { createReadStream, statSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Stores } from '../stores.ts';
import type { ProgressSink } from '../api.ts';
import { DigestMismatchError, SizeMismatchError, processAlive } from '../store/content-store.ts';
import { digestOf, isDigest } from '../store/digest.ts';
import { shortId } from '../../../shared/format.ts';
import { detectCompression, ingestLayer, isTarHeader, type IngestedLayer } from '../layer/layer-ingest.ts';
import { HostileArchiveError } from '../layer/tar-safety.ts';
import type { LayerInput } from '../image/image-service.ts';
import {
  hostPlatform, isIndexMediaType, isManifestMediaType, layerMediaType, MediaType,
  type Descriptor, type ImageConfig, type Index, type Manifest,
} from '../image/oci.ts';
import { familiarString, parseReference } from '../image/reference.ts';
import { imageEvent } from '../events/event-log.ts';
import { archiveError, directoryEntries, peek, tarEntries, TruncatedArchiveError, type ArchiveEntry } from './entries.ts';
import { StrataError, errorCode } from '../../../shared/errors.ts';

/** Entries up to this size are kept in memory (configs, manifests, indexes, tiny layers). */
const SMALL_ENTRY = 1 << 20;
/** …as long as all kept entries together stay under this; the rest spill to the content store. */
const SMALL_TOTAL = 64 << 20;

export interface LoadOptions {
  onProgress?: ProgressSink;
  signal?: AbortSignal;
}

export interface LoadedImage {
  id: string;
  /** Familiar names (`busybox:latest`) the archive gave the image. */
  repoTags: string[];
}

export interface LoadResult {
  images: LoadedImage[];
  /** docker's notes, e.g. "The image a:latest already exists, renaming the old one with ID … to empty string". */
  notes: string[];
}

export type LoadSource = { path: string } | { stream: AsyncIterable<Uint8Array> };

export class InvalidArchiveError extends StrataError {
  constructor(message: string) {
    super('invalid', message);
  }
}

/** What one archive member became during the pass. */
type Member =
  | { kind: 'bytes'; data: Buffer }
  | { kind: 'blob'; digest: string; size: number }
  | { kind: 'layer'; layer: IngestedLayer };

/** An image found in the archive, ready to commit. */
interface PlannedImage {
  configBytes: Buffer;
  manifest?: { bytes: Buffer; mediaType: string };
  layers: LayerInput[];
  tags: string[];
}

/**
 * `docker load`: reads a `docker save` archive (legacy per-layer folders or the Docker 25+
 * OCI-based layout) or an OCI image layout (tar or directory) in one streaming pass. Since
 * manifest.json often comes last, every large member is ingested as it streams by (as a layer
 * when it looks like a tar, else as a plain blob), small ones are kept; the manifests are resolved
 * at the end. Everything happens under a gc lease; content nobody ends up referencing is removed
 * again, and a refused archive leaves no rows and no blobs behind.
 */
export async function loadImages(engine: Stores, source: LoadSource, options: LoadOptions = {}): Promise<LoadResult> {
  return engine.gc.withLease(async () => {
    const pass = new ArchivePass(engine, options);
    try {
      await pass.read(await openSource(source));
      const planned = await pass.plan();
      options.signal?.throwIfAborted();
      return await pass.commit(planned);
    } finally {
      pass.removeUnreferenced();
    }
  });
}

async function openSource(source: LoadSource): Promise<AsyncIterable<ArchiveEntry>> {
  if ('stream' in source) return tarEntries(source.stream);
  let isDir: boolean;
  try {
    isDir = statSync(source.path).isDirectory();
  } catch (err) {
    throw new StrataError(errorCode(err), `open ${source.path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (err as Error).message}`, { cause: err });
  }
  if (isDir) return directoryEntries(source.path);
  return tarEntries(createReadStream(source.path, { highWaterMark: 1 << 20 }));
}

class ArchivePass {
  private readonly engine: Stores;
  private readonly options: LoadOptions;
  private readonly members = new Map<string, Member>();
  private readonly aliases = new Map<string, string>();
  /** Blob digests this load committed to the content store (candidates for removal). */
  private readonly written = new Set<string>();
  private kept = 0;

  constructor(engine: Stores, options: LoadOptions) {
    this.engine = engine;
    this.options = options;
  }

  async read(entries: AsyncIterable<ArchiveEntry>): Promise<void> {
    try {
      for await (const e of entries) {
        this.options.signal?.throwIfAborted();
        if (e.kind === 'alias') this.aliases.set(e.name, e.target);
        else if (e.kind === 'file') this.members.set(e.name, await this.readCounted(e.name, e.size, e.body));
      }
    } catch (err) {
      throw archiveError(err);
    }
  }

  /** Reads one member; a body that stops short of its header's size means the archive was cut. */
  private async readCounted(name: string, size: number, body: AsyncIterable<Uint8Array>): Promise<Member> {
    let seen = 0;
    const counted = (async function* () {
      for await (const chunk of body) {
        seen += chunk.length;
        yield chunk;
      }
    })();
    try {
      return await this.readFile(name, size, counted);
    } catch (err) {
      if (err instanceof HostileArchiveError || seen >= size) throw err;
      if (/end of data|end of file|premature close|truncated/i.test((err as Error).message)) {
        throw new TruncatedArchiveError(`${name} ends after ${seen} of ${size} bytes`);
      }
      throw err;
    }
  }

  private async readFile(name: string, size: number, body: AsyncIterable<Uint8Array>): Promise<Member> {
    const expected = blobDigestOf(name);
    if (size <= SMALL_ENTRY && this.kept + size <= SMALL_TOTAL) {
      const data = await readAll(body, size, name);
      if (expected && digestOf(data) !== expected) throw mismatch(name, expected, digestOf(data));
      this.kept += data.length;
      return { kind: 'bytes', data };
    }
    const { head, stream } = await peek(body, 512);
    const progress = this.progressFor(name, size, stream);
    try {
      if (detectCompression(head) !== 'none' || isTarHeader(head)) {
        const layer = await ingestLayer(this.engine.content, progress, { ...(expected ? { digest: expected } : {}), size });
        this.written.add(layer.blob.digest);
        this.options.onProgress?.({ id: progressId(name), status: 'Loading layer', current: size, total: size });
        return { kind: 'layer', layer };
      }
      const blob = await this.engine.content.ingest(progress, { ...(expected ? { digest: expected } : {}), size });
      this.written.add(blob.digest);
      return { kind: 'blob', digest: blob.digest, size: blob.size };
    } catch (err) {
      if (err instanceof DigestMismatchError) throw mismatch(name, err.expected, err.actual);
      if (err instanceof SizeMismatchError) throw new InvalidArchiveError(`truncated archive: ${name} ended early`);
      throw err;
    }
  }

  private progressFor(name: string, total: number, stream: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    const sink = this.options.onProgress;
    if (!sink) return stream;
    const id = progressId(name);
    return (async function* () {
      let current = 0;
      let reported = 0;
      for await (const chunk of stream) {
        current += chunk.length;
        if (current - reported >= 1 << 20) {
          reported = current;
          sink({ id, status: 'Loading layer', current, total });
        }
        yield chunk;
      }
    })();
  }

  /** Follows `docker save`'s symlinks to the member they name. */
  private resolve(path: string): string {
    let p = path;
    for (let hops = 0; hops < 16 && this.aliases.has(p); hops++) p = this.aliases.get(p)!;
    if (this.aliases.has(p)) throw new HostileArchiveError(`refusing link loop in archive at ${path}`);
    return p;
  }

  private member(path: string, what: string): Member {
    const m = this.members.get(this.resolve(path));
    if (!m) throw new InvalidArchiveError(`${what} references ${path}, which is not in the archive`);
    return m;
  }

  private has(path: string): boolean {
    return this.members.has(this.resolve(path));
  }

  private bytes(path: string, what: string): Buffer {
    const m = this.member(path, what);
    if (m.kind === 'bytes') return m.data;
    if (m.kind === 'blob') return this.engine.content.readBytes(m.digest);
    throw new InvalidArchiveError(`${path} is a layer tar, but ${what} uses it as JSON`);
  }

  private json<T>(path: string, what: string): T {
    const data = this.bytes(path, what);
    try {
      return JSON.parse(data.toString('utf8')) as T;
    } catch (err) {
      throw new InvalidArchiveError(`invalid JSON in ${path}: ${(err as Error).message}`);
    }
  }

  /** The layer stored from a member, ingesting it now if it was kept in memory or as a plain blob. */
  private async layer(path: string, what: string): Promise<IngestedLayer> {
    const real = this.resolve(path);
    const m = this.member(real, what);
    if (m.kind === 'layer') return m.layer;
    const source = m.kind === 'bytes' ? Readable.from([m.data]) : this.engine.content.read(m.digest);
    try {
      const layer = await ingestLayer(this.engine.content, source);
      this.written.add(layer.blob.digest);
      this.members.set(real, { kind: 'layer', layer });
      return layer;
    } catch (err) {
      throw new InvalidArchiveError(`${real}: ${(err as Error).message}`);
    }
  }

  /** Resolves the archive's manifests into images, checking every layer against its config. */
  async plan(): Promise<PlannedImage[]> {
    const hasDockerManifest = this.has('manifest.json');
    const hasIndex = this.has('index.json');
    if (!hasDockerManifest && !hasIndex) {
      throw new InvalidArchiveError('invalid archive: no manifest.json (docker save) or index.json (OCI layout) found');
    }
    if (hasDockerManifest) {
      // manifest.json rules; the OCI parts beside it (Docker 25+) only lend their manifests.
      let oci: OciFound[] = [];
      try {
        oci = hasIndex ? this.ociManifests() : [];
      } catch {
        oci = [];
      }
      return this.planDockerArchive(oci);
    }
    const oci = this.ociManifests();
    if (oci.length === 0) throw new InvalidArchiveError('invalid archive: index.json lists no image manifests');
    const planned: PlannedImage[] = [];
    for (const m of oci) planned.push(await this.planOci(m));
    return mergeByConfig(planned);
  }

  private async planDockerArchive(oci: OciFound[]): Promise<PlannedImage[]> {
    const entries = this.json<unknown>('manifest.json', 'the archive');
    if (!Array.isArray(entries)) throw new InvalidArchiveError('invalid manifest.json: expected a JSON array');
    const planned: PlannedImage[] = [];
    for (const raw of entries as DockerArchiveEntry[]) {
      if (typeof raw?.Config !== 'string' || !Array.isArray(raw.Layers) || raw.Layers.some((l) => typeof l !== 'string')) {
        throw new InvalidArchiveError('invalid manifest.json: each entry needs a Config path and a Layers list');
      }
      const configBytes = this.bytes(raw.Config, 'manifest.json');
      const configDigest = digestOf(configBytes);
      const named = /^([a-f0-9]{64})\.json$/.exec(raw.Config.split('/').pop() ?? '');
      if (named && `sha256:${named[1]}` !== configDigest) throw mismatch(raw.Config, `sha256:${named[1]}`, configDigest);
      const config = parseConfig(configBytes, raw.Config);
      const match = oci.find((m) => m.manifest.config.digest === configDigest);
      const layers: LayerInput[] = [];
      for (const [i, path] of raw.Layers.entries()) {
        const l = await this.layer(path, 'manifest.json');
        const desc = match?.manifest.layers[i];
        layers.push(toLayerInput(l, desc?.digest === l.blob.digest ? desc.mediaType : layerMediaType(l.compression, match ? 'oci' : 'docker')));
      }
      checkDiffIds(config, layers, raw.Config);
      planned.push({
        configBytes,
        ...(match && sameBlobs(match.manifest, layers) ? { manifest: { bytes: match.bytes, mediaType: match.mediaType } } : {}),
        layers,
        tags: validTags(raw.RepoTags ?? []),
      });
    }
    return mergeByConfig(planned);
  }

  private async planOci(found: OciFound): Promise<PlannedImage> {
    const { manifest } = found;
    const configPath = blobPath(manifest.config.digest, 'manifest');
    const configBytes = this.bytes(configPath, `manifest ${shortId(found.digest)}`);
    if (configBytes.length !== manifest.config.size) {
      throw new InvalidArchiveError(`size mismatch for ${configPath}: manifest says ${manifest.config.size} bytes, archive has ${configBytes.length}`);
    }
    const config = parseConfig(configBytes, configPath);
    const layers: LayerInput[] = [];
    for (const desc of manifest.layers) {
      const path = blobPath(desc.digest, 'manifest layer');
      const l = await this.layer(path, `manifest ${shortId(found.digest)}`);
      if (l.blob.size !== desc.size) {
        throw new InvalidArchiveError(`size mismatch for ${path}: manifest says ${desc.size} bytes, archive has ${l.blob.size}`);
      }
      layers.push(toLayerInput(l, desc.mediaType));
    }
    checkDiffIds(config, layers, configPath);
    return { configBytes, manifest: { bytes: found.bytes, mediaType: found.mediaType }, layers, tags: found.tags };
  }

  /** Every image manifest index.json leads to (through nested indexes), with the tags annotated on the way. */
  private ociManifests(): OciFound[] {
    const index = this.json<Index>('index.json', 'the archive');
    if (!index || !Array.isArray(index.manifests)) throw new InvalidArchiveError('invalid index.json: no manifests list');
    const found: OciFound[] = [];
    const visit = (descs: Descriptor[], tags: string[], depth: number): void => {
      if (depth > 4) throw new InvalidArchiveError('invalid index.json: indexes nested too deeply');
      for (const desc of pickPlatform(descs, (d) => this.has(blobPath(d.digest, 'index')))) {
        const own = [...tags, ...tagsFromAnnotations(desc.annotations)];
        const path = blobPath(desc.digest, 'index');
        const bytes = this.bytes(path, 'index.json');
        let doc: Manifest & Index;
        try {
          doc = JSON.parse(bytes.toString('utf8')) as Manifest & Index;
        } catch (err) {
          throw new InvalidArchiveError(`invalid JSON in ${path}: ${(err as Error).message}`);
        }
        const mediaType = desc.mediaType ?? doc.mediaType;
        if (isIndexMediaType(mediaType) || (!doc.config && Array.isArray(doc.manifests))) {
          visit(doc.manifests ?? [], own, depth + 1);
        } else if (isManifestMediaType(mediaType) || doc.config) {
          if (!doc.config || !Array.isArray(doc.layers)) throw new InvalidArchiveError(`invalid image manifest ${path}: config or layers missing`);
          found.push({ digest: desc.digest, bytes, mediaType: mediaType ?? MediaType.OciManifest, manifest: doc, tags: own });
        }
      }
    };
    visit(index.manifests, [], 0);
    return found;
  }

  /** Records every planned image (each in one transaction) and reports docker's notes. */
  async commit(planned: PlannedImage[]): Promise<LoadResult> {
    const { content, images } = this.engine;
    const result: LoadResult = { images: [], notes: [] };
    for (const p of planned) {
      const config = await content.put(p.configBytes);
      this.written.add(config.digest);
      let manifest: { digest: string; size: number } | undefined;
      if (p.manifest) {
        manifest = await content.put(p.manifest.bytes);
        this.written.add(manifest.digest);
      }
      for (const t of p.tags) {
        const prev = images.tryResolve(t);
        if (prev && prev !== config.digest && isTagged(images.tagsOf(prev), t)) {
          result.notes.push(`The image ${t} already exists, renaming the old one with ID ${prev} to empty string`);
        }
      }
      // An image already stored from other blobs (say, gzip where this archive has plain tars) keeps
      // its layers; the manifest of this archive would then name blobs the image does not use.
      const existing = images.get(config.digest) ? images.layers(config.digest) : undefined;
      if (existing && existing.some((l, i) => l.blobDigest !== p.layers[i]?.blobDigest)) manifest = undefined;
      images.commit({
        configDigest: config.digest,
        configSize: config.size,
        ...(manifest && p.manifest ? { manifestDigest: manifest.digest, manifestSize: manifest.size, manifestMediaType: p.manifest.mediaType } : {}),
        layers: p.layers,
        tags: p.tags,
        events: [imageEvent('load', config.digest, config.digest, (JSON.parse(p.configBytes.toString('utf8')) as ImageConfig).config?.Labels ?? {})],
      });
      result.images.push({ id: config.digest, repoTags: p.tags });
    }
    return result;
  }

  /**
   * Deletes blob files this load wrote that no row names (speculative ingests nothing used, or
   * everything after a refusal). Only when no other operation holds a lease: a concurrent ingest
   * might be about to record the same content, and gc will sweep later anyway.
   */
  removeUnreferenced(): void {
    const db = this.engine.db;
    db.transaction(() => {
      // Leases of crashed processes protect nothing (gc reaps them); count only live ones.
      const pids = (db.prepare('SELECT pid FROM leases').all() as { pid: number }[]).map((r) => r.pid);
      if (pids.filter(processAlive).length > 1) return;
      const known = db.prepare('SELECT 1 FROM blobs WHERE digest = ?');
      for (const d of this.written) if (!known.get(d)) this.engine.content.delete(d);
    }).immediate();
  }
}

interface DockerArchiveEntry {
  Config: string;
  RepoTags?: string[] | null;
  Layers: string[];
}

interface OciFound {
  digest: string;
  bytes: Buffer;
  mediaType: string;
  manifest: Manifest;
  tags: string[];
}

/** `blobs/sha256/<hex>` → the digest the name promises. */
function blobDigestOf(name: string): string | undefined {
  const m = /^blobs\/sha256\/([a-f0-9]{64})$/.exec(name);
  return m ? `sha256:${m[1]}` : undefined;
}

function blobPath(digest: unknown, what: string): string {
  if (!isDigest(digest)) throw new InvalidArchiveError(`invalid ${what} descriptor: digest ${JSON.stringify(digest)} is not sha256:<64 hex digits>`);
  return `blobs/sha256/${(digest as string).slice(7)}`;
}

function mismatch(name: string, expected: string, actual: string): Error {
  return new InvalidArchiveError(`digest mismatch for ${name}: expected ${expected}, content hashes to ${actual}`);
}

function progressId(name: string): string {
  const hex = /([a-f0-9]{64})/.exec(name);
  return hex ? hex[1]!.slice(0, 12) : name;
}

async function readAll(body: AsyncIterable<Uint8Array>, size: number, name: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of body) {
    chunks.push(Buffer.from(c.buffer, c.byteOffset, c.byteLength));
    n += c.byteLength;
  }
  if (n !== size) throw new InvalidArchiveError(`truncated archive: ${name} has ${n} of ${size} bytes`);
  return Buffer.concat(chunks, n);
}

function parseConfig(bytes: Buffer, path: string): ImageConfig {
  let config: ImageConfig;
  try {
    config = JSON.parse(bytes.toString('utf8')) as ImageConfig;
  } catch (err) {
    throw new InvalidArchiveError(`invalid image config ${path}: ${(err as Error).message}`);
  }
  if (!config || typeof config !== 'object' || !config.rootfs || !Array.isArray(config.rootfs.diff_ids)) {
    throw new InvalidArchiveError(`invalid image config ${path}: rootfs.diff_ids missing`);
  }
  return config;
}

function checkDiffIds(config: ImageConfig, layers: LayerInput[], path: string): void {
  const diffIds = config.rootfs.diff_ids;
  if (diffIds.length !== layers.length) {
    throw new InvalidArchiveError(`layers do not match the image config ${path}: the manifest lists ${layers.length} layers, the config has ${diffIds.length} diff IDs`);
  }
  layers.forEach((l, i) => {
    if (l.diffId !== diffIds[i]) {
      throw new InvalidArchiveError(`layers do not match the image config ${path}: layer ${i} has diff ID ${l.diffId}, the config expects ${diffIds[i]}`);
    }
  });
}

function toLayerInput(l: IngestedLayer, mediaType: string): LayerInput {
  return { blobDigest: l.blob.digest, blobSize: l.blob.size, mediaType, compression: l.compression, diffId: l.diffId, size: l.size, diffSize: l.diffSize, files: l.files };
}

function sameBlobs(manifest: Manifest, layers: LayerInput[]): boolean {
  return manifest.layers.length === layers.length && manifest.layers.every((d, i) => d.digest === layers[i]!.blobDigest);
}

/** Familiar names from RepoTags, refusing ones docker would not accept. */
function validTags(tags: unknown[]): string[] {
  return tags.map((t) => {
    if (typeof t !== 'string') throw new InvalidArchiveError(`invalid RepoTags entry ${JSON.stringify(t)} in manifest.json`);
    try {
      const ref = parseReference(t);
      if (ref.digest) throw new Error('digest');
      return familiarString(ref);
    } catch {
      throw new InvalidArchiveError(`invalid RepoTags entry ${JSON.stringify(t)} in manifest.json: invalid reference format`);
    }
  });
}

/**
 * Tags from OCI annotations: containerd's full `io.containerd.image.name`, else
 * `org.opencontainers.image.ref.name` when it is a whole reference (`busybox:latest`,
 * `localhost/a:1`). A bare tag (`latest`) names no repository, so the image loads untagged.
 */
function tagsFromAnnotations(annotations: Record<string, string> | undefined): string[] {
  const full = annotations?.['io.containerd.image.name'];
  const refName = annotations?.['org.opencontainers.image.ref.name'];
  for (const candidate of [full, refName && /[:/@]/.test(refName) ? refName : undefined]) {
    if (!candidate) continue;
    try {
      const ref = parseReference(candidate);
      if (!ref.digest) return [familiarString(ref)];
    } catch {
      /* not a reference: ignore the annotation */
    }
  }
  return [];
}

/** From a list of platform manifests, the ones to load: all of them unless several platforms exist, then the host's. */
function pickPlatform(descs: Descriptor[], present: (d: Descriptor) => boolean): Descriptor[] {
  const available = descs.filter((d) => isDigest(d?.digest) && present(d));
  const withPlatform = available.filter((d) => d.platform);
  if (withPlatform.length <= 1) {
    const missing = descs.find((d) => !available.includes(d));
    if (available.length === 0 && missing) throw new InvalidArchiveError(`index.json references ${blobPath(missing.digest, 'index')}, which is not in the archive`);
    return available;
  }
  const host = hostPlatform();
  const match = withPlatform.find((d) => d.platform!.os === host.os && d.platform!.architecture === host.architecture);
  return [match ?? withPlatform[0]!, ...available.filter((d) => !d.platform)];
}

/** One image per config, with the tags of every entry that named it. */
function mergeByConfig(planned: PlannedImage[]): PlannedImage[] {
  const byId = new Map<string, PlannedImage>();
  for (const p of planned) {
    const id = digestOf(p.configBytes);
    const prev = byId.get(id);
    if (!prev) byId.set(id, { ...p, tags: [...new Set(p.tags)] });
    else {
      prev.tags = [...new Set([...prev.tags, ...p.tags])];
      prev.manifest ??= p.manifest;
    }
  }
  return [...byId.values()];
}

function isTagged(refs: string[], familiar: string): boolean {
  return refs.some((r) => familiarString(parseReference(r)) === familiar);
}

