/**
 * A read-only view of an image's merged filesystem, computed from the layers' file indexes (no
 * unpacking): what exists at a path, following symlinks inside the image, and extraction of a
 * few files (for `/etc/passwd` lookups and `COPY --from`) by streaming only the layers that hold them.
 */
import { constants, createWriteStream, mkdirSync, copyFileSync, openSync, rmSync, symlinkSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Stores } from '../stores.ts';
import type { LayerFile } from '../api.ts';
import { cleanEntryPath, LayerPathTracker } from '../layer/tar-safety.ts';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from '../layer/file-index.ts';
import type { SourceMeta } from './context.ts';
import { NEW_FILE } from './context-file.ts';
import { LayerStack } from './layer-stack.ts';
import { StrataError } from '../../../shared/errors.ts';

export interface ViewEntry extends LayerFile {
  /** The layer (diff ID) whose copy of the path is visible. */
  diffId: string;
}

export class ImageView {
  private readonly entries = new Map<string, ViewEntry>();
  /** Until something needs every entry, paths are looked up one at a time (see `lazy`). */
  private stack: LayerStack | undefined;
  private engine: Pick<Stores, 'db' | 'images'> | undefined;

  private constructor() {}

  /**
   * A view that reads the layers' file indexes only at the paths asked for (and their parents):
   * what a COPY or WORKDIR needs. Listing a subtree or extracting makes the whole view first.
   */
  static lazy(engine: Pick<Stores, 'db' | 'images'>): ImageView {
    const view = new ImageView();
    view.stack = new LayerStack(engine);
    view.engine = engine;
    return view;
  }

  /** Builds the merged view of `diffIds` (bottom first), applying whiteouts and opaque directories. */
  static of(engine: Pick<Stores, 'content' | 'db' | 'images'>, diffIds: readonly string[]): ImageView {
    const view = new ImageView();
    view.engine = engine;
    for (const diffId of diffIds) view.apply(diffId, engine.images.layerFiles(diffId));
    return view;
  }

  /**
   * Adds one more layer on top: its index as the builder wrote it, or (a lazy view only) none,
   * to be read from the store.
   */
  apply(diffId: string, files?: readonly LayerFile[]): void {
    if (this.stack) {
      this.stack.push(diffId, files);
      return;
    }
    files ??= this.engine!.images.layerFiles(diffId);
    for (const f of files) {
      if (f.type === 'opaque') this.removeBelow(f.path, false);
      else if (f.type === 'whiteout') this.removeBelow(f.path, true);
    }
    for (const f of files) {
      if (f.type === 'opaque' || f.type === 'whiteout') continue;
      // A path that stops being a directory hides what lower layers held below it (as overlayfs
      // does): a symlink over a directory must never keep children reachable "through" it.
      if (f.type !== 'dir' && this.entries.get(f.path)?.type === 'dir') this.removeBelow(f.path, false);
      this.entries.set(f.path, { ...f, diffId });
    }
  }

  private removeBelow(path: string, self: boolean): void {
    if (self) this.entries.delete(path);
    const prefix = path === '' ? '' : `${path}/`;
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix) && k !== path) this.entries.delete(k);
  }

  get(path: string): ViewEntry | undefined {
    return this.at(stripSlashes(path));
  }

  private at(path: string): ViewEntry | undefined {
    return this.stack ? this.stack.get(path) : this.entries.get(path);
  }

  /** Turns a lazy view into the whole merged view. */
  private materialize(): void {
    const stack = this.stack;
    if (!stack) return;
    this.stack = undefined;
    for (const l of stack.files((diffId) => this.engine!.images.layerFiles(diffId))) this.apply(l.diffId, l.files);
  }

  /**
   * Resolves symlinks in every component of an absolute image path, scoped to the image root
   * (`..` never leaves it). The last component is followed only when `followLast`.
   */
  resolve(path: string, followLast = true): string {
    let parts = stripSlashes(posix.normalize(`/${path}`)).split('/').filter(Boolean);
    let out: string[] = [];
    let hops = 0;
    for (let i = 0; i < parts.length; i++) {
      const cur = [...out, parts[i]!].join('/');
      const e = this.at(cur);
      const last = i === parts.length - 1;
      if (e?.type === 'symlink' && (!last || followLast)) {
        if (++hops > 40) throw new StrataError('invalid', `too many levels of symbolic links: ${path}`);
        const target = e.linkTarget.startsWith('/') ? e.linkTarget : `/${[...out, e.linkTarget].join('/')}`;
        parts = [...stripSlashes(posix.normalize(target)).split('/').filter(Boolean), ...parts.slice(i + 1)];
        out = [];
        i = -1;
        continue;
      }
      out.push(parts[i]!);
    }
    return `/${out.join('/')}`;
  }

  isDir(path: string): boolean {
    const p = stripSlashes(this.resolve(path));
    return p === '' || this.at(p)?.type === 'dir';
  }

  /** Entries at and below `path` (image-relative, no leading slash), sorted. */
  subtree(path: string): ViewEntry[] {
    this.materialize();
    const p = stripSlashes(path);
    const prefix = p === '' ? '' : `${p}/`;
    const out: ViewEntry[] = [];
    for (const [k, e] of this.entries) if (k === p || k.startsWith(prefix)) out.push(e);
    return out.sort((a, b) => comparePaths(a.path, b.path));
  }

  /**
   * Extracts the given entries into `destDir` (files keep their content and mode; ownership is
   * reported through the returned metadata, since a rootless process cannot chown).
   */
  async extract(engine: Pick<Stores, 'content' | 'db' | 'images'>, wanted: readonly ViewEntry[], destDir: string): Promise<Map<string, SourceMeta>> {
    const meta = new Map<string, SourceMeta>();
    const byLayer = new Map<string, Set<string>>();
    const want = (e: ViewEntry): void => {
      const set = byLayer.get(e.diffId) ?? new Set<string>();
      set.add(e.path);
      byLayer.set(e.diffId, set);
    };
    const hardlinks: ViewEntry[] = [];
    const tracker = new LayerPathTracker();
    for (const e of wanted) {
      if (e.type === 'hardlink') {
        hardlinks.push(e);
        continue;
      }
      const type = SOURCE_TYPES[e.type];
      if (!type) continue;
      meta.set(e.path, { type, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, size: e.size, linkTarget: e.type === 'symlink' ? e.linkTarget : '', mtime: e.mtime });
      tracker.checkParents(e.path, e.path);
      tracker.record(e.path, e.type === 'symlink');
      const abs = join(destDir, e.path);
      if (e.type === 'dir') mkdirSync(abs, { recursive: true });
      else if (e.type === 'symlink') {
        mkdirSync(dirname(abs), { recursive: true });
        symlinkSync(e.linkTarget, abs);
      } else want(e);
    }
    // Hardlink targets not copied themselves are still read (their metadata kept aside).
    const targets = new Map<string, SourceMeta>();
    const links = hardlinks.map((h) => ({ h, target: this.at(stripSlashes(h.linkTarget)) }));
    for (const { target } of links) {
      const type = target && SOURCE_TYPES[target.type];
      if (!target || !type || type === 'dir' || type === 'symlink' || meta.has(target.path)) continue;
      targets.set(target.path, { type, mode: target.mode & 0o7777, uid: target.uid, gid: target.gid, size: target.size, linkTarget: '' });
      want(target);
    }
    const metaOf = (p: string): SourceMeta | undefined => meta.get(p) ?? targets.get(p);
    for (const [diffId, paths] of byLayer) await extractFromLayer(engine, diffId, paths, destDir, metaOf, tracker);
    for (const { h, target } of links) this.copyHardlink(h, target, destDir, metaOf, meta, tracker);
    return meta;
  }

  /** A hardlink becomes a copy of what it links to: a file's content, a symlink's target. */
  private copyHardlink(
    h: ViewEntry, target: ViewEntry | undefined, destDir: string, metaOf: (p: string) => SourceMeta | undefined, meta: Map<string, SourceMeta>, tracker: LayerPathTracker,
  ): void {
    if (!target || target.type === 'dir') throw new StrataError('invalid', `hardlink target not found: ${h.path} -> ${h.linkTarget}`);
    tracker.checkParents(h.path, h.path);
    const abs = join(destDir, h.path);
    mkdirSync(dirname(abs), { recursive: true });
    const own = { mode: h.mode & 0o7777, uid: h.uid, gid: h.gid };
    if (target.type === 'symlink') {
      symlinkSync(target.linkTarget, abs);
      tracker.record(h.path, true);
      meta.set(h.path, { ...own, type: 'symlink', size: 0, linkTarget: target.linkTarget });
      return;
    }
    const from = metaOf(target.path);
    if (!from) throw new StrataError('invalid', `hardlink target not found: ${h.path} -> ${h.linkTarget}`);
    // The target was just written by extractFromLayer as a regular file: never a link.
    if (from.type === 'file') copyFileSync(join(destDir, target.path), abs, constants.COPYFILE_EXCL);
    meta.set(h.path, { ...from, ...own });
  }
}

const SOURCE_TYPES: Partial<Record<ViewEntry['type'], SourceMeta['type']>> = {
  file: 'file', dir: 'dir', symlink: 'symlink', fifo: 'fifo', char: 'char', block: 'block',
};

export function stripSlashes(p: string): string {
  return p.replace(/^\/+/, '').replace(/\/+$/, '');
}

/** Orders paths so that a directory comes right before its contents (component-wise). */
export function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] !== pb[i]) return pa[i]! < pb[i]! ? -1 : 1;
  }
  return pa.length - pb.length;
}

/**
 * Streams one layer's tar and writes out the entries named in `paths`: regular files (created
 * new, never through a link) and the device numbers of device nodes (kept in `meta` only).
 */
async function extractFromLayer(
  engine: Pick<Stores, 'content' | 'db' | 'images'>, diffId: string, paths: Set<string>, destDir: string, metaOf: (p: string) => SourceMeta | undefined, tracker: LayerPathTracker,
): Promise<void> {
  const row = engine.db.prepare('SELECT blob_digest, compression FROM layer_blobs WHERE diff_id = ? LIMIT 1').get(diffId) as
    | { blob_digest: string; compression: 'none' | 'gzip' | 'zstd' }
    | undefined;
  if (!row) throw new StrataError('data-loss', `layer ${diffId} is missing from the store`);
  // The tar reader loads when a file is extracted (USER lookups, COPY --from), not with the view.
  const [tar, { decompressor }] = await Promise.all([import('tar-stream'), import('../layer/layer-ingest.ts')]);
  const extract = tar.extract();
  const feeding = pipeline(engine.content.read(row.blob_digest), decompressor(row.compression), extract);
  feeding.catch(() => {});
  for await (const entry of extract) {
    const header = entry.header;
    const name = cleanEntryPath(header.name);
    const base = name.slice(name.lastIndexOf('/') + 1);
    if (!paths.has(name) || base.startsWith(WHITEOUT_PREFIX) || base === OPAQUE_WHITEOUT) {
      entry.resume();
      continue;
    }
    if (header.type === 'character-device' || header.type === 'block-device') {
      const m = metaOf(name);
      if (m) Object.assign(m, { devmajor: header.devmajor ?? 0, devminor: header.devminor ?? 0 });
      entry.resume();
      continue;
    }
    if (header.type !== 'file' && header.type !== 'contiguous-file') {
      entry.resume();
      continue;
    }
    tracker.checkParents(name, header.name);
    const abs = join(destDir, name);
    mkdirSync(dirname(abs), { recursive: true });
    rmSync(abs, { force: true });
    await pipeline(entry, createWriteStream('', { fd: openSync(abs, NEW_FILE, 0o600) }));
  }
  await feeding;
}
