import type { DB } from '../metadata/db.ts';
import type { ContentStore } from '../store/content-store.ts';
import { chainIds, digestOf, isDigest } from '../store/digest.ts';
import { shortId } from '../../../shared/format.ts';
import type { Compression, ImageConfig } from './oci.ts';
import { unixSeconds } from './oci.ts';
import {
  familiarName, familiarString, formatReference, InvalidReferenceError, isFullHexId, parseReference,
  repositoryName, type Reference,
} from './reference.ts';
import type { LayerFile } from '../api.ts';
import { imageEvent, type EventLog, type NewEvent } from '../events/event-log.ts';
import { StrataError } from '../../../shared/errors.ts';
import { compressedForm, supersedePlainForms } from '../layer/layer-forms.ts';
import type { ImageUser, References } from '../references/references.ts';
import { ImageNotFoundError } from '../daemon-errors.ts';
export { ImageNotFoundError };

/** A layer as it enters an image: its stored blob and what the blob unpacks to. */
export interface LayerInput {
  blobDigest: string;
  blobSize: number;
  mediaType?: string;
  compression: Compression;
  diffId: string;
  /** Uncompressed tar bytes. */
  size: number;
  /** What the layer holds on disk as docker counts it (layer/file-index.ts `diffSize`). */
  diffSize: number;
  /** The layer's file index; omitted when the layer is already known. */
  files?: LayerFile[];
}

export interface NewImage {
  /** Raw config bytes, already committed to the content store. */
  configDigest: string;
  configSize: number;
  manifestDigest?: string;
  manifestSize?: number;
  manifestMediaType?: string;
  layers: LayerInput[];
  /** References to point at the image (any form; normalised here). */
  tags?: string[];
  repoDigests?: { repository: string; digest: string }[];
  parentId?: string;
  /**
   * What the caller announces in the same transaction (`load`, `import`, `pull`, a container's
   * `commit`); docker's verbs decide it, so the image service does not guess.
   */
  events?: NewEvent[];
  /** Whether pointing `tags` at the image is announced as `tag` (import, build, commit; not load or pull, as docker). */
  tagEvents?: boolean;
}

export interface ImageLayer {
  position: number;
  diffId: string;
  chainId: string;
  blobDigest: string;
  compression: Compression;
  mediaType: string;
  /** Uncompressed tar bytes. */
  size: number;
  /** docker's size of the layer (what it holds on disk). */
  diffSize: number;
  /** Bytes of the blob as stored in `blobs/` (possibly compressed). */
  blobSize: number;
}

export interface ImageRecord {
  id: string;
  manifestDigest: string | null;
  parentId: string;
  created: number;
  size: number;
  labels: Record<string, string>;
  /** Familiar `repo:tag` strings, newest first. */
  repoTags: string[];
  repoDigests: string[];
}

export interface ImageDeleteItem {
  untagged?: string;
  deleted?: string;
}

export class ConflictError extends StrataError {
  constructor(message: string) {
    super('conflict', message);
  }
}

interface ImageRow {
  id: string;
  manifest_digest: string | null;
  parent_id: string;
  created: number;
  size: number;
  labels: string;
}

/**
 * Image records: the images table and its references. It points at content (config, manifest,
 * layer blobs) that the content store holds; it never touches blob files itself.
 */
export class ImageService {
  private readonly db: DB;
  private readonly content: ContentStore;
  private readonly events: EventLog;
  /** Who else uses an image (containers), registered by those services. */
  private readonly references: References;

  constructor(db: DB, content: ContentStore, events: EventLog, references: References) {
    this.db = db;
    this.content = content;
    this.events = events;
    this.references = references;
  }

  usersOf(imageId: string): ImageUser[] {
    return this.references.imageUsers(imageId);
  }

  /**
   * Records an image whose blobs are already in the content store: every row in one transaction,
   * after checking that the config's diff IDs are exactly the layers given.
   */
  commit(img: NewImage): ImageRecord {
    const config = this.readConfig(img.configDigest);
    const diffIds = config.rootfs?.diff_ids ?? [];
    if (diffIds.length !== img.layers.length || diffIds.some((d, i) => d !== img.layers[i]!.diffId)) {
      throw new StrataError('invalid',
        `layers do not match the image config: config lists ${diffIds.length} diff IDs, ` +
          `got ${img.layers.length} layers (${img.layers.map((l) => shortId(l.diffId)).join(', ')})`,
      );
    }
    const tagRefs = (img.tags ?? []).map((t) => parseReference(t));
    const chains = chainIds(diffIds);
    const size = uniqueLayerSize(img.layers);
    const now = Date.now();
    const labels = JSON.stringify(config.config?.Labels ?? {});

    const insert = this.db.transaction(() => {
      // One copy per layer (layer/layer-forms.ts): a plain tar whose layer is already kept
      // compressed is recorded as that compressed form.
      const layers = img.layers.map((l) => this.keptForm(l));
      const manifestFits = img.manifestDigest !== undefined && this.manifestNames(img.manifestDigest, layers.map((l) => l.blobDigest));
      // Checked again under the write lock: gc unlinks unreferenced blob files under the same
      // lock, so content that exists here stays until the rows below name it.
      for (const d of [img.configDigest, ...(img.manifestDigest ? [img.manifestDigest] : []), ...layers.map((l) => l.blobDigest)]) {
        if (!this.content.has(d)) throw new StrataError('unavailable', `blob ${d} is missing from the store (removed by a concurrent gc); retry`);
      }
      const putBlob = this.db.prepare('INSERT INTO blobs(digest, size, media_type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING');
      putBlob.run(img.configDigest, img.configSize, '', now);
      if (img.manifestDigest) putBlob.run(img.manifestDigest, img.manifestSize ?? 0, img.manifestMediaType ?? '', now);
      const putLayer = this.db.prepare('INSERT INTO layers(diff_id, size, diff_size, file_count, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
      const putLayerBlob = this.db.prepare('INSERT INTO layer_blobs(blob_digest, diff_id, compression) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
      const putFile = this.db.prepare(
        'INSERT OR REPLACE INTO layer_files(diff_id, path, type, mode, uid, gid, size, link_target, mtime) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      );
      for (const l of layers) {
        putBlob.run(l.blobDigest, l.blobSize, l.mediaType ?? '', now);
        const added = putLayer.run(l.diffId, l.size, l.diffSize, l.files?.length ?? 0, now).changes > 0;
        if (added && l.files) {
          for (const f of l.files) putFile.run(l.diffId, f.path, f.type, f.mode, f.uid, f.gid, f.size, f.linkTarget, f.mtime);
        }
        putLayerBlob.run(l.blobDigest, l.diffId, l.compression);
      }
      const exists = this.db.prepare('SELECT 1 FROM images WHERE id = ?').get(img.configDigest);
      if (!exists) {
        this.db
          .prepare('INSERT INTO images(id, manifest_digest, parent_id, created, size, labels, added_at) VALUES (?, ?, ?, ?, ?, ?, ?)')
          .run(img.configDigest, manifestFits ? (img.manifestDigest ?? null) : null, img.parentId ?? '', unixSeconds(config.created), size, labels, now);
        const putImageLayer = this.db.prepare('INSERT INTO image_layers(image_id, position, diff_id, blob_digest, chain_id) VALUES (?, ?, ?, ?, ?)');
        layers.forEach((l, i) => putImageLayer.run(img.configDigest, i, l.diffId, l.blobDigest, chains[i]!));
      }
      this.superseded.push(...supersedePlainForms(this.db, this.content, layers.map((l) => l.diffId)));
      if (exists && img.manifestDigest) this.adoptManifest(img.configDigest, img.manifestDigest);
      // A manifest no image took is not kept (the caller removes its file with the superseded ones).
      if (img.manifestDigest) {
        const m = img.manifestDigest;
        this.db.prepare('DELETE FROM blobs WHERE digest = ? AND NOT EXISTS (SELECT 1 FROM images WHERE manifest_digest = ? OR id = ?) AND NOT EXISTS (SELECT 1 FROM layer_blobs WHERE blob_digest = ?)')
          .run(m, m, m, m);
      }

      for (const ref of tagRefs) {
        this.setTag(ref, img.configDigest, now);
        if (img.tagEvents) this.events.record(imageEvent('tag', img.configDigest, familiarString(ref), config.config?.Labels ?? {}));
      }
      const putDigest = this.db.prepare('INSERT OR REPLACE INTO repo_digests(repository, digest, image_id) VALUES (?, ?, ?)');
      for (const rd of img.repoDigests ?? []) putDigest.run(rd.repository, rd.digest, img.configDigest);
      for (const e of img.events ?? []) this.events.record(e);
    });
    insert.immediate();
    return this.get(img.configDigest)!;
  }

  /**
   * Plain-tar layer digests whose rows a commit dropped because the layer is kept compressed: the
   * operation that committed removes their files once its lease is released (`takeSuperseded`).
   */
  private readonly superseded: string[] = [];

  takeSuperseded(): string[] {
    return this.superseded.splice(0);
  }

  /**
   * Records a compressed form of a stored layer (push writes one): its blob row with its media type
   * and the form, in one transaction with dropping the layer's plain tar, which it replaces.
   */
  recordLayerForm(diffId: string, blob: { digest: string; size: number }, compression: Compression, mediaType: string): void {
    this.db.transaction(() => {
      if (!this.content.has(blob.digest)) throw new StrataError('unavailable', `blob ${blob.digest} is missing from the store (removed by a concurrent gc); retry`);
      this.db.prepare('INSERT INTO blobs(digest, size, media_type, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING').run(blob.digest, blob.size, mediaType, Date.now());
      this.db.prepare('INSERT INTO layer_blobs(blob_digest, diff_id, compression) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(blob.digest, diffId, compression);
      this.superseded.push(...supersedePlainForms(this.db, this.content, [diffId]));
    }).immediate();
  }

  /** The form a layer is recorded as: a plain tar gives way to a stored compressed form. */
  private keptForm(l: LayerInput): LayerInput {
    if (l.compression !== 'none') return l;
    const kept = compressedForm(this.db, this.content, l.diffId);
    return kept ? { ...l, blobDigest: kept.blobDigest, blobSize: kept.blobSize, compression: kept.compression, mediaType: kept.mediaType } : l;
  }

  /**
   * An existing image takes the manifest a pull or push brings when that manifest names exactly
   * the blobs its layers are stored as (after a plain tar gave way to the pulled or pushed gzip);
   * otherwise it keeps the one it has.
   */
  private adoptManifest(imageId: string, manifestDigest: string): void {
    const stored = this.db.prepare('SELECT blob_digest FROM image_layers WHERE image_id = ? ORDER BY position').all(imageId) as { blob_digest: string }[];
    const fits = this.manifestNames(manifestDigest, stored.map((r) => r.blob_digest));
    if (fits) this.db.prepare('UPDATE images SET manifest_digest = ? WHERE id = ?').run(manifestDigest, imageId);
  }

  /** Whether the stored manifest names exactly these layer blobs, in order. */
  private manifestNames(manifestDigest: string, blobs: readonly string[]): boolean {
    try {
      const m = JSON.parse(this.content.readBytes(manifestDigest).toString('utf8')) as { layers?: { digest?: string }[] };
      return Array.isArray(m.layers) && m.layers.length === blobs.length && m.layers.every((d, i) => d?.digest === blobs[i]);
    } catch {
      return false;
    }
  }

  /** Points `ref` at `imageId`; returns the image it named before, if any. Call inside a transaction. */
  private setTag(ref: Reference, imageId: string, now: number): string | undefined {
    if (ref.tag === undefined) throw new InvalidReferenceError('a tag is required');
    const key = formatReference({ domain: ref.domain, path: ref.path, tag: ref.tag });
    const prev = this.db.prepare('SELECT image_id FROM tags WHERE reference = ?').get(key) as { image_id: string } | undefined;
    this.db
      .prepare(
        `INSERT INTO tags(reference, repository, tag, image_id, created_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT(reference) DO UPDATE SET image_id = excluded.image_id, created_at = excluded.created_at`,
      )
      .run(key, repositoryName(ref), ref.tag, imageId, now);
    return prev?.image_id;
  }

  readConfig(imageId: string): ImageConfig {
    try {
      return JSON.parse(this.content.readBytes(imageId).toString('utf8')) as ImageConfig;
    } catch (err) {
      throw new StrataError('data-loss', `cannot read config of image ${shortId(imageId)}: ${(err as Error).message}`);
    }
  }

  readConfigBytes(imageId: string): Buffer {
    return this.content.readBytes(imageId);
  }

  get(id: string): ImageRecord | undefined {
    const row = this.db.prepare('SELECT * FROM images WHERE id = ?').get(id) as ImageRow | undefined;
    return row ? this.toRecord(row) : undefined;
  }

  layers(imageId: string): ImageLayer[] {
    return (
      this.db
        .prepare(
          `SELECT il.position, il.diff_id, il.chain_id, il.blob_digest, lb.compression, b.media_type, l.size, l.diff_size, b.size AS blob_size
           FROM image_layers il JOIN layers l ON l.diff_id = il.diff_id
           JOIN layer_blobs lb ON lb.blob_digest = il.blob_digest JOIN blobs b ON b.digest = il.blob_digest
           WHERE il.image_id = ? ORDER BY il.position`,
        )
        .all(imageId) as {
        position: number; diff_id: string; chain_id: string; blob_digest: string; compression: Compression;
        media_type: string; size: number; diff_size: number; blob_size: number;
      }[]
    ).map((r) => ({
      position: r.position, diffId: r.diff_id, chainId: r.chain_id, blobDigest: r.blob_digest,
      compression: r.compression, mediaType: r.media_type, size: r.size, diffSize: r.diff_size, blobSize: r.blob_size,
    }));
  }

  layerFiles(diffId: string): LayerFile[] {
    return (
      this.db.prepare('SELECT path, type, mode, uid, gid, size, link_target, mtime FROM layer_files WHERE diff_id = ? ORDER BY path').all(diffId) as {
        path: string; type: LayerFile['type']; mode: number; uid: number; gid: number; size: number; link_target: string; mtime: number;
      }[]
    ).map((r) => ({ path: r.path, type: r.type, mode: r.mode, uid: r.uid, gid: r.gid, size: r.size, linkTarget: r.link_target, mtime: r.mtime }));
  }

  /** Every image, newest first. */
  all(): ImageRecord[] {
    const rows = this.db.prepare('SELECT * FROM images ORDER BY created DESC, added_at DESC').all() as ImageRow[];
    const tags = this.tagMap();
    const digests = this.digestMap();
    return rows.map((r) => this.toRecord(r, tags.get(r.id) ?? [], digests.get(r.id) ?? []));
  }

  /** Images built on top of `id` (their parent is `id`). */
  children(id: string): string[] {
    return (this.db.prepare('SELECT id FROM images WHERE parent_id = ?').all(id) as { id: string }[]).map((r) => r.id);
  }

  /**
   * Resolves what a user typed to an image ID, in docker's order: a full `sha256:` ID, a name
   * (with `:latest` implied), a `name@digest`, then a unique ID prefix.
   */
  resolve(input: string): string {
    const id = this.tryResolve(input);
    if (!id) throw new ImageNotFoundError(input, daemonImageName(input));
    return id;
  }

  tryResolve(input: string): string | undefined {
    if (isDigest(input)) return this.get(input) ? input : undefined;
    let ref: Reference | undefined;
    try {
      if (!isFullHexId(input)) ref = parseReference(input);
    } catch {
      ref = undefined;
    }
    if (ref) {
      if (ref.digest) {
        const row = this.db
          .prepare('SELECT image_id FROM repo_digests WHERE repository = ? AND digest = ?')
          .get(repositoryName(ref), ref.digest) as { image_id: string } | undefined;
        if (row) return row.image_id;
        const byManifest = this.db.prepare('SELECT id FROM images WHERE manifest_digest = ?').get(ref.digest) as { id: string } | undefined;
        if (byManifest) return byManifest.id;
      } else {
        const row = this.db.prepare('SELECT image_id FROM tags WHERE reference = ?').get(formatReference(ref)) as { image_id: string } | undefined;
        if (row) return row.image_id;
      }
    }
    const hex = input.replace(/^sha256:/, '');
    if (/^[a-f0-9]{1,64}$/.test(hex)) {
      const rows = this.db.prepare("SELECT id FROM images WHERE id >= ? AND id < ? LIMIT 2").all(`sha256:${hex}`, `sha256:${hex}g`) as { id: string }[];
      if (rows.length === 1) return rows[0]!.id;
      if (rows.length > 1) throw new StrataError('invalid', `ambiguous image ID prefix ${hex}: matches more than one image`);
    }
    return undefined;
  }

  /** `tag SOURCE TARGET`. */
  tag(source: string, target: string): void {
    const id = this.resolve(source);
    const ref = parseReference(target);
    if (ref.digest) throw new InvalidReferenceError('refusing to create a tag with a digest reference');
    this.db.transaction(() => {
      this.setTag(ref, id, Date.now());
      this.events.record(imageEvent('tag', id, familiarString(ref), this.labelsOf(id)));
    }).immediate();
  }

  private labelsOf(id: string): Record<string, string> {
    const row = this.db.prepare('SELECT labels FROM images WHERE id = ?').get(id) as { labels: string } | undefined;
    return row ? (JSON.parse(row.labels) as Record<string, string>) : {};
  }

  /**
   * `rmi` with docker's rules: a name that is one of several tags is only untagged; the last
   * name (or the ID) deletes the image; an ID naming an image with several repositories, or an
   * image a container uses, needs force; an image with children, or one a running container uses,
   * is never deleted (by name, -f only untags it). Stopped containers keep their own layer stacks.
   * Returns the untagged/deleted items; layers are released by gc afterwards.
   */
  remove(input: string, options: { force?: boolean } = {}): ImageDeleteItem[] {
    const id = this.resolve(input);
    const force = options.force ?? false;
    const items: ImageDeleteItem[] = [];
    const tags = this.tagsOf(id);
    let byName: Reference | undefined;
    try {
      if (!isFullHexId(input) && !input.startsWith('sha256:')) {
        const r = parseReference(input);
        if (!r.digest && tags.includes(formatReference(r))) byName = r;
      }
    } catch {
      byName = undefined;
    }
    const users = this.usersOf(id);
    if (byName) {
      const key = formatReference(byName);
      // The last name of an image a child image holds (or, with -f, a running container): the name
      // goes and the image stays for them, as moby's quiet delete after an untag does.
      const held = (force && users.some((u) => u.running)) || this.children(id).length > 0;
      if (tags.length > 1 || (users.length > 0 && !force) || held) {
        if (!force && tags.length === 1 && users.length > 0) {
          throw new ConflictError(
            `conflict: unable to remove repository reference "${input}" (must force) - container ${shortId((users.find((u) => u.running) ?? users[0]!).id)} is using its referenced image ${shortId(id)}`,
          );
        }
        this.db.transaction(() => {
          this.db.prepare('DELETE FROM tags WHERE reference = ?').run(key);
          this.events.record(imageEvent('untag', id, id, this.labelsOf(id)));
        }).immediate();
        return [{ untagged: familiarString(byName) }];
      }
    } else if (!force) {
      if (tags.length > 1) {
        throw new ConflictError(`conflict: unable to delete ${shortId(id)} (must be forced) - image is referenced in multiple repositories`);
      }
      const running = users.find((u) => u.running);
      if (users.length > 0) {
        throw new ConflictError(
          `conflict: unable to delete ${shortId(id)} (${running ? 'cannot be forced' : 'must be forced'}) - image is being used by ${running ? 'running' : 'stopped'} container ${shortId((running ?? users[0]!).id)}`,
        );
      }
    }
    const running = users.find((u) => u.running);
    if (running) {
      throw new ConflictError(`conflict: unable to delete ${shortId(id)} (cannot be forced) - image is being used by running container ${shortId(running.id)}`);
    }
    if (this.children(id).length > 0) {
      throw new ConflictError(`conflict: unable to delete ${shortId(id)} (cannot be forced) - image has dependent child images`);
    }
    const digests = this.repoDigestsOf(id);
    const labels = this.labelsOf(id);
    const chains = (this.db.prepare('SELECT chain_id FROM image_layers WHERE image_id = ? ORDER BY position DESC').all(id) as { chain_id: string }[]).map((r) => r.chain_id);
    // Only stopped containers (with force) or none use it now: it goes, as moby deletes it. Each
    // container keeps its own layer stack (and the config), registered as a root, so it still
    // starts, diffs and commits; its chains are not reported deleted while it holds them.
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM tags WHERE image_id = ?').run(id);
      this.db.prepare('DELETE FROM repo_digests WHERE image_id = ?').run(id);
      // docker announces an untag per name (tags and digests), then the delete.
      for (let i = 0; i < tags.length + digests.length; i++) this.events.record(imageEvent('untag', id, id, labels));
      this.db.prepare('DELETE FROM images WHERE id = ?').run(id);
      this.events.record(imageEvent('delete', id, id));
    }).immediate();
    for (const t of tags) items.push({ untagged: familiarString(parseReference(t)) });
    for (const d of digests) items.push({ untagged: d });
    items.push({ deleted: id }, ...this.releasedChains(chains));
    return items;
  }

  /**
   * moby's delete answer names each layer the image held that no image (nor container) holds any
   * more, by chain ID, top first (`Deleted: sha256:…` after the image's own line).
   */
  private releasedChains(chains: readonly string[]): ImageDeleteItem[] {
    const held = this.references.chainsInUse();
    return chains.filter((c) => !held.has(c)).map((c) => ({ deleted: c }));
  }

  /** The tags of one repository (`docker.io/library/a`) in the store: `[tag, imageId]`, by tag. */
  tagsInRepository(repository: string): [string, string][] {
    const prefix = `${repository}:`;
    // A tag never holds '/' or ':', so the prefix alone picks this repository's references.
    const rows = this.db
      .prepare('SELECT reference, image_id FROM tags WHERE substr(reference, 1, ?) = ? ORDER BY reference')
      .all(prefix.length, prefix) as { reference: string; image_id: string }[];
    return rows.map((r) => [r.reference.slice(prefix.length), r.image_id]);
  }

  /** Normalised references (`docker.io/library/a:latest`) naming an image, sorted (moby's lexicalRefs). */
  tagsOf(id: string): string[] {
    return (this.db.prepare('SELECT reference FROM tags WHERE image_id = ? ORDER BY reference').all(id) as { reference: string }[]).map(
      (r) => r.reference,
    );
  }

  repoDigestsOf(id: string): string[] {
    return (this.db.prepare('SELECT repository, digest FROM repo_digests WHERE image_id = ? ORDER BY repository').all(id) as { repository: string; digest: string }[]).map(
      (r) => `${familiarName(r.repository)}@${r.digest}`,
    );
  }

  private tagMap(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const r of this.db.prepare('SELECT reference, image_id FROM tags ORDER BY reference').all() as { reference: string; image_id: string }[]) {
      const list = m.get(r.image_id) ?? [];
      list.push(familiarString(parseReference(r.reference)));
      m.set(r.image_id, list);
    }
    return m;
  }

  private digestMap(): Map<string, string[]> {
    const m = new Map<string, string[]>();
    for (const r of this.db.prepare('SELECT repository, digest, image_id FROM repo_digests ORDER BY repository').all() as { repository: string; digest: string; image_id: string }[]) {
      const list = m.get(r.image_id) ?? [];
      list.push(`${familiarName(r.repository)}@${r.digest}`);
      m.set(r.image_id, list);
    }
    return m;
  }

  private toRecord(row: ImageRow, repoTags?: string[], repoDigests?: string[]): ImageRecord {
    return {
      id: row.id,
      manifestDigest: row.manifest_digest,
      parentId: row.parent_id,
      created: row.created,
      size: row.size,
      labels: JSON.parse(row.labels) as Record<string, string>,
      repoTags: repoTags ?? this.tagsOf(row.id).map((t) => familiarString(parseReference(t))),
      repoDigests: repoDigests ?? this.repoDigestsOf(row.id),
    };
  }
}

/**
 * Logical size of an image as docker shows it: each distinct layer's diff size counted once (a
 * repeated layer is stored once).
 */
export function uniqueLayerSize(layers: readonly { diffId: string; diffSize: number }[]): number {
  const seen = new Set<string>();
  let total = 0;
  for (const l of layers) {
    if (seen.has(l.diffId)) continue;
    seen.add(l.diffId);
    total += l.diffSize;
  }
  return total;
}

export { digestOf };

/**
 * How moby's daemon names an image it does not have (ErrImageDoesNotExist): a name with
 * `:latest` implied, a bare 64-hex ID as `sha256:…`, anything else as typed.
 */
export function daemonImageName(input: string): string {
  if (isFullHexId(input)) return `sha256:${input}`;
  if (input.startsWith('sha256:')) return input;
  try {
    return familiarString(parseReference(input));
  } catch {
    return input;
  }
}
