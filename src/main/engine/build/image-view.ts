/**
 * A read-only view of an image's merged filesystem, computed from the layers' file indexes (no
 * unpacking): what exists at a path, following symlinks inside the image, and extraction of a
 * few files (for `/etc/passwd` lookups and `COPY --from`) by streaming only the layers that hold them.
 */
import { createWriteStream, mkdirSync, copyFileSync, symlinkSync, chmodSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import type { Engine } from '../engine.ts';
import type { LayerFile } from '../api.ts';
import { decompressor } from '../layer/layer-ingest.ts';
import { cleanEntryPath } from '../layer/tar-safety.ts';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from '../layer/file-index.ts';
import type { SourceMeta } from './context.ts';
import { StrataError } from '../../../shared/errors.ts';

export interface ViewEntry extends LayerFile {
  /** The layer (diff ID) whose copy of the path is visible. */
  diffId: string;
}

export class ImageView {
  private readonly entries = new Map<string, ViewEntry>();

  private constructor() {}

  /** Builds the merged view of `diffIds` (bottom first), applying whiteouts and opaque directories. */
  static of(engine: Engine, diffIds: readonly string[]): ImageView {
    const view = new ImageView();
    for (const diffId of diffIds) view.apply(diffId, engine.images.layerFiles(diffId));
    return view;
  }

  /** Adds one more layer on top (its index as the builder wrote it). */
  apply(diffId: string, files: readonly LayerFile[]): void {
    for (const f of files) {
      if (f.type === 'opaque') this.removeBelow(f.path, false);
      else if (f.type === 'whiteout') this.removeBelow(f.path, true);
    }
    for (const f of files) {
      if (f.type === 'opaque' || f.type === 'whiteout') continue;
      this.entries.set(f.path, { ...f, diffId });
    }
  }

  private removeBelow(path: string, self: boolean): void {
    if (self) this.entries.delete(path);
    const prefix = path === '' ? '' : `${path}/`;
    for (const k of [...this.entries.keys()]) if (k.startsWith(prefix) && k !== path) this.entries.delete(k);
  }

  get(path: string): ViewEntry | undefined {
    return this.entries.get(stripSlashes(path));
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
      const e = this.entries.get(cur);
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
    return p === '' || this.entries.get(p)?.type === 'dir';
  }

  /** Entries at and below `path` (image-relative, no leading slash), sorted. */
  subtree(path: string): ViewEntry[] {
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
  async extract(engine: Engine, wanted: readonly ViewEntry[], destDir: string): Promise<Map<string, SourceMeta>> {
    const meta = new Map<string, SourceMeta>();
    const byLayer = new Map<string, Set<string>>();
    const hardlinks: ViewEntry[] = [];
    for (const e of wanted) {
      const type = e.type === 'dir' ? 'dir' : e.type === 'symlink' ? 'symlink' : 'file';
      meta.set(e.path, { type, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, size: e.size, linkTarget: e.type === 'symlink' ? e.linkTarget : '' });
      const abs = join(destDir, e.path);
      if (e.type === 'dir') mkdirSync(abs, { recursive: true });
      else if (e.type === 'symlink') {
        mkdirSync(dirname(abs), { recursive: true });
        symlinkSync(e.linkTarget, abs);
      } else if (e.type === 'hardlink') hardlinks.push(e);
      else if (e.type === 'file') {
        const set = byLayer.get(e.diffId) ?? new Set<string>();
        set.add(e.path);
        byLayer.set(e.diffId, set);
      }
    }
    for (const h of hardlinks) {
      const target = this.entries.get(stripSlashes(h.linkTarget));
      if (target?.type === 'file') {
        const set = byLayer.get(target.diffId) ?? new Set<string>();
        set.add(target.path);
        byLayer.set(target.diffId, set);
      }
    }
    for (const [diffId, paths] of byLayer) await extractFromLayer(engine, diffId, paths, destDir);
    for (const h of hardlinks) {
      const target = stripSlashes(h.linkTarget);
      mkdirSync(dirname(join(destDir, h.path)), { recursive: true });
      copyFileSync(join(destDir, target), join(destDir, h.path));
      const m = meta.get(h.path)!;
      m.size = this.entries.get(target)?.size ?? 0;
    }
    return meta;
  }
}

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

/** Streams one layer's tar and writes out the entries named in `paths`. */
async function extractFromLayer(engine: Engine, diffId: string, paths: Set<string>, destDir: string): Promise<void> {
  const row = engine.db.prepare('SELECT blob_digest, compression FROM layer_blobs WHERE diff_id = ? LIMIT 1').get(diffId) as
    | { blob_digest: string; compression: 'none' | 'gzip' | 'zstd' }
    | undefined;
  if (!row) throw new StrataError('data-loss', `layer ${diffId} is missing from the store`);
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (header, stream, next) => {
      let name: string;
      try {
        name = cleanEntryPath(header.name);
      } catch (err) {
        stream.resume();
        next(err as Error);
        return;
      }
      const base = name.slice(name.lastIndexOf('/') + 1);
      if (header.type !== 'file' || !paths.has(name) || base.startsWith(WHITEOUT_PREFIX) || base === OPAQUE_WHITEOUT) {
        stream.on('end', () => next());
        stream.resume();
        return;
      }
      const abs = join(destDir, name);
      mkdirSync(dirname(abs), { recursive: true });
      pipeline(stream, createWriteStream(abs, { mode: 0o600 }))
        .then(() => {
          // Readable by the builder whatever the stored mode; the real mode travels in the metadata.
          chmodSync(abs, ((header.mode ?? 0o644) & 0o777) | 0o600);
          next();
        })
        .catch((err: Error) => next(err));
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  await pipeline(engine.content.read(row.blob_digest), decompressor(row.compression), extract);
  await done;
}
