/**
 * COPY and ADD: which files land where (BuildKit's rules: globs, directory contents, destination
 * rules, ownership, modes, local tar auto-extraction), and the deterministic layer tar they become.
 *
 * Times, as BuildKit writes them: copied files, links and devices keep their source's mtime; every
 * directory the copy creates or adds to is dated at build time (an existing parent gets a new
 * entry, so its mtime changes); parents further up keep their metadata from the image. With
 * `SOURCE_DATE_EPOCH` the build time is that epoch and later source times are clamped to it, so
 * identical inputs give identical layer digests on any machine. Entries are listed in path order
 * with directories first and carry no user/group names. The cache key never includes mtimes.
 */
import { createWriteStream, mkdirSync, statSync, chmodSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Stores } from '../stores.ts';
import {
  followSource, hostPath, matchSources, sourceChecksum, statSource, walkSource,
  type DigestCache, type SourceMeta, type SourceTree, type WalkEntry,
} from './context.ts';
import { comparePaths, stripSlashes, type ImageView } from './image-view.ts';
import { StrataError } from '../../../shared/errors.ts';

export type { LayerEntry, WrittenLayer } from './layer-write.ts';
import type { LayerEntry, WrittenLayer } from './layer-write.ts';

export interface Owner {
  uid: number;
  gid: number;
}

export interface CopySpec {
  isAdd: boolean;
  /** Source paths after variable expansion. */
  sources: string[];
  /** Destination after expansion (relative to `workdir` unless absolute). */
  dest: string;
  workdir: string;
  tree: SourceTree;
  /** Where extracted archives and downloads go while planning. */
  scratchDir: string;
  view: ImageView;
  chown?: Owner | undefined;
  chmod?: number | undefined;
  /** Build time in seconds: the mtime of the directories the copy writes. */
  now: number;
  /** `SOURCE_DATE_EPOCH`: source times later than it are clamped to it. */
  clamp?: number | undefined;
  signal?: AbortSignal | undefined;
  digests?: DigestCache | undefined;
}

export interface CopyPlan {
  entries: LayerEntry[];
  /** Checksum of everything read (content + metadata, never mtimes). */
  checksum: string;
  /** Per source file content digests, for cache-miss explanations. */
  files: Record<string, string>;
}

/** BuildKit's pathRelativeToWorkingDir: absolute or joined to WORKDIR; a trailing slash is kept. */
export function resolveDest(dest: string, workdir: string): string {
  const p = dest === '.' || dest === '' ? './' : dest;
  const joined = p.startsWith('/') ? p : posix.join(workdir || '/', p);
  const norm = posix.normalize(joined);
  const keepSlash = p.endsWith('/') || p.endsWith('/.') || p === '.';
  return keepSlash && !norm.endsWith('/') ? `${norm}/` : norm;
}

export function isUrl(src: string): boolean {
  return /^https?:\/\//.test(src);
}

/** What a COPY/ADD reads, each source matched, walked and checksummed: all its cache key needs. */
export interface CopySources {
  matches: { tree: SourceTree; rel: string; url?: string; followed: string; meta: SourceMeta; walk: WalkEntry[] }[];
  /** Checksum of everything read (content + metadata, never mtimes). */
  checksum: string;
  /** Per source file content digests, for cache-miss explanations. */
  files: Record<string, string>;
}

/**
 * Reads a COPY/ADD's sources without looking at the image: the checksum that keys the cache. The
 * image's view (which destination paths exist) is only needed to plan the layer, on a miss.
 */
export async function readCopySources(spec: Omit<CopySpec, 'view'>): Promise<CopySources> {
  const checksumParts: string[] = [];
  const files: Record<string, string> = {};
  const found: { tree: SourceTree; rel: string; url?: string }[] = [];
  for (const src of spec.sources) {
    if (isUrl(src)) {
      if (!spec.isAdd) throw new StrataError('invalid', 'source can\'t be a URL for COPY');
      const tree = await download(src, spec.scratchDir, spec.signal);
      found.push({ tree, rel: tree.label, url: src });
      continue;
    }
    for (const rel of matchSources(spec.tree, src)) found.push({ tree: spec.tree, rel });
  }
  const matches: CopySources['matches'] = [];
  for (const m of found) {
    if (spec.signal?.aborted) throw new StrataError('canceled', 'build cancelled');
    const followed = followSource(m.tree, m.rel);
    const meta = statSource(m.tree, followed)!;
    const walk = walkSource(m.tree, followed);
    const sum = await sourceChecksum(m.tree, walk, spec.digests);
    checksumParts.push(`${m.url ?? m.rel}\0${sum.digest}`);
    for (const [k, v] of Object.entries(sum.files)) files[m.url ? m.url : k] = v;
    matches.push({ ...m, followed, meta, walk });
  }
  return { matches, checksum: `sha256:${createDigest(checksumParts.join('\n'))}`, files };
}

/** BuildKit's refusal of several sources into a destination that is not a directory. */
export function checkCopyDest(spec: Pick<CopySpec, 'isAdd' | 'sources' | 'dest' | 'workdir' | 'view'>): void {
  const dest = resolveDest(spec.dest, spec.workdir);
  if (spec.sources.length > 1 && !dest.endsWith('/') && !spec.view.isDir(dest)) {
    throw new StrataError('invalid', `When using ${spec.isAdd ? 'ADD' : 'COPY'} with more than one source file, the destination must be a directory and end with a /`);
  }
}

/** Whether checkCopyDest needs the image's view to decide. */
export function destNeedsView(spec: Pick<CopySpec, 'sources' | 'dest' | 'workdir'>): boolean {
  return spec.sources.length > 1 && !resolveDest(spec.dest, spec.workdir).endsWith('/');
}

/** Plans a COPY/ADD: the entries of its layer and the checksum of what it read. */
export async function planCopy(spec: CopySpec, read?: CopySources): Promise<CopyPlan> {
  const sources = read ?? await readCopySources(spec);
  checkCopyDest(spec);
  const dest = resolveDest(spec.dest, spec.workdir);
  const planned = new Map<string, LayerEntry>();
  const destIsDir = dest.endsWith('/') || spec.view.isDir(dest) || sources.matches.length > 1;
  const destDir = stripSlashes(spec.view.resolve(dest));
  // Archive extraction (zlib, tar, xz) is ADD's alone.
  const archives = spec.isAdd ? await import('./add-archive.ts') : undefined;
  let archiveCount = 0;
  for (const m of sources.matches) {
    if (spec.signal?.aborted) throw new StrataError('canceled', 'build cancelled');
    const { followed, meta, walk } = m;
    if (meta.type === 'dir') {
      addTree(planned, spec, m.tree, walk, destDir, true);
    } else if (archives && !m.url && meta.type === 'file' && archives.archiveKind(hostPath(m.tree, followed)) !== undefined) {
      const out = join(spec.scratchDir, `archive-${archiveCount++}`);
      const tree = await archives.extractArchive(hostPath(m.tree, followed), out, m.rel);
      addTree(planned, spec, tree, walkSource(tree, '.'), destDir, false);
    } else {
      const base = m.rel.slice(m.rel.lastIndexOf('/') + 1);
      const target = destIsDir ? posix.join(destDir, base) : stripSlashes(spec.view.resolve(dest, false));
      addEntry(planned, spec, target, meta, hostPath(m.tree, followed), true);
    }
  }
  addParents(planned, spec);
  return {
    entries: [...planned.values()].sort((a, b) => comparePaths(a.path, b.path)),
    checksum: sources.checksum,
    files: sources.files,
  };
}

function createDigest(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}

/** Copies a directory's contents (or an extracted archive) into `destDir`. */
function addTree(planned: Map<string, LayerEntry>, spec: CopySpec, tree: SourceTree, walk: WalkEntry[], destDir: string, includeRoot: boolean): void {
  for (const e of walk) {
    const target = e.rel === '' ? destDir : destDir === '' ? e.rel : `${destDir}/${e.rel}`;
    if (e.rel === '') {
      // The destination directory itself: created with the source directory's metadata, or kept.
      if (!includeRoot || target === '' || spec.view.get(target)?.type === 'dir') continue;
    }
    addEntry(planned, spec, target, e.meta, hostPath(tree, e.treePath), e.rel !== '' || includeRoot);
  }
}

function addEntry(planned: Map<string, LayerEntry>, spec: CopySpec, target: string, meta: SourceMeta, host: string, applyChmod: boolean): void {
  if (target === '') return;
  const owner = spec.chown ?? { uid: meta.uid, gid: meta.gid };
  const mode = applyChmod && spec.chmod !== undefined && meta.type !== 'symlink' ? spec.chmod : meta.mode;
  planned.set(target, {
    path: target,
    type: meta.type,
    mode: meta.type === 'symlink' ? 0o777 : mode,
    uid: owner.uid,
    gid: owner.gid,
    mtime: meta.type === 'dir' || meta.mtime === undefined ? spec.now : spec.clamp !== undefined ? Math.min(meta.mtime, spec.clamp) : meta.mtime,
    linkTarget: meta.linkTarget,
    ...(meta.type === 'file' ? { source: host } : {}),
    ...(meta.devmajor !== undefined ? { devmajor: meta.devmajor, devminor: meta.devminor ?? 0 } : {}),
  });
}

/**
 * Every parent directory of a copied entry appears in the layer (as containerd's diff writes
 * them): existing ones with their metadata from the image — dated at build time when an entry is
 * added right inside them — new ones 0755 owned by the chown user.
 */
function addParents(planned: Map<string, LayerEntry>, spec: CopySpec): void {
  const copied = [...planned.values()];
  for (const e of copied) {
    let p = dirname(e.path);
    while (p !== '.' && p !== '/' && p !== '' && !planned.has(p)) {
      const existing = spec.view.get(p);
      if (existing?.type === 'dir') {
        planned.set(p, { path: p, type: 'dir', mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid, mtime: existing.mtime, linkTarget: '' });
      } else {
        planned.set(p, { path: p, type: 'dir', mode: 0o755, uid: spec.chown?.uid ?? 0, gid: spec.chown?.gid ?? 0, mtime: spec.now, linkTarget: '' });
      }
      p = dirname(p);
    }
  }
  for (const e of copied) {
    const parent = planned.get(dirname(e.path));
    if (parent) parent.mtime = spec.now;
  }
}

/** ADD <url>: fetched to a file named after the URL's last path segment (mode 0600, never unpacked). */
async function download(url: string, scratchDir: string, signal?: AbortSignal): Promise<SourceTree> {
  let name = '__unnamed__';
  try {
    const base = posix.basename(new URL(url).pathname);
    if (base && base !== '/' && base !== '.') name = base;
  } catch {
    throw new StrataError('invalid', `ADD ${url}: invalid URL`);
  }
  const dir = join(scratchDir, `download-${Date.now()}`);
  mkdirSync(dir, { recursive: true });
  const timeout = AbortSignal.timeout(30_000);
  let res: Response;
  try {
    res = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: 'follow' });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new StrataError('unavailable', `ADD ${url}: cannot download the URL (offline or unreachable): ${cause?.code ?? cause?.message ?? (err as Error).message}`);
  }
  if (!res.ok || !res.body) throw new StrataError('unavailable', `ADD ${url}: invalid response status ${res.status}`);
  await pipeline(Readable.fromWeb(res.body as never), createWriteStream(join(dir, name), { mode: 0o600 }));
  chmodSync(join(dir, name), 0o600);
  const meta = new Map<string, SourceMeta>([[name, { type: 'file', mode: 0o600, uid: 0, gid: 0, size: statSync(join(dir, name)).size, linkTarget: '' }]]);
  return { root: dir, meta, label: name };
}


/**
 * Writes entries (already sorted) as a layer tar straight into the content store. The tar writer
 * (and the layer ingest behind it) loads on first use: a fully cached build writes no layer.
 */
export async function writeLayer(engine: Stores, entries: readonly LayerEntry[]): Promise<WrittenLayer> {
  return (await import('./layer-write.ts')).writeLayer(engine, entries);
}
