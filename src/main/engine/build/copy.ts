/**
 * COPY and ADD: which files land where (BuildKit's rules: globs, directory contents, destination
 * rules, ownership, modes, local tar auto-extraction), and the deterministic layer tar they become.
 *
 * Determinism: every layer the builder writes itself lists its entries in path order with
 * directories first, carries no user/group names, and stamps every copied or created entry with
 * the same mtime — `SOURCE_DATE_EPOCH` when set, else 0 (1970-01-01). Parent directories that
 * already exist keep their metadata from the image. Identical inputs therefore give identical
 * layer digests on any machine and in any store.
 */
import { createReadStream, createWriteStream, existsSync, mkdirSync, openSync, readSync, closeSync, statSync, symlinkSync, chmodSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { dirname, join, posix } from 'node:path';
import { PassThrough, Readable, type Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as zlib from 'node:zlib';
import * as tar from 'tar-stream';
import type { Engine } from '../engine.ts';
import type { LayerFile } from '../api.ts';
import type { LayerInput } from '../image/image-service.ts';
import { ingestLayer } from '../layer/layer-ingest.ts';
import { cleanEntryPath } from '../layer/tar-safety.ts';
import {
  followSource, hostPath, matchSources, sourceChecksum, statSource, walkSource,
  type DigestCache, type SourceMeta, type SourceTree, type WalkEntry,
} from './context.ts';
import { comparePaths, stripSlashes, type ImageView } from './image-view.ts';
import { StrataError } from '../../../shared/errors.ts';

export interface LayerEntry {
  /** Image path without the leading slash. */
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  linkTarget: string;
  /** Host file holding the content (files only). */
  source?: string;
}

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
  epoch: number;
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

/** Plans a COPY/ADD: the entries of its layer and the checksum of what it read. */
export async function planCopy(spec: CopySpec): Promise<CopyPlan> {
  const dest = resolveDest(spec.dest, spec.workdir);
  const planned = new Map<string, LayerEntry>();
  const checksumParts: string[] = [];
  const files: Record<string, string> = {};
  const matches: { tree: SourceTree; rel: string; url?: string }[] = [];
  for (const src of spec.sources) {
    if (isUrl(src)) {
      if (!spec.isAdd) throw new StrataError('invalid', 'source can\'t be a URL for COPY');
      const tree = await download(src, spec.scratchDir, spec.signal);
      matches.push({ tree, rel: tree.label, url: src });
      continue;
    }
    for (const rel of matchSources(spec.tree, src)) matches.push({ tree: spec.tree, rel });
  }
  const destIsDir = dest.endsWith('/') || spec.view.isDir(dest) || matches.length > 1;
  if (spec.sources.length > 1 && !dest.endsWith('/') && !spec.view.isDir(dest)) {
    throw new StrataError('invalid', `When using ${spec.isAdd ? 'ADD' : 'COPY'} with more than one source file, the destination must be a directory and end with a /`);
  }
  const destDir = stripSlashes(spec.view.resolve(dest));
  let archiveCount = 0;
  for (const m of matches) {
    if (spec.signal?.aborted) throw new StrataError('canceled', 'build cancelled');
    const followed = followSource(m.tree, m.rel);
    const meta = statSource(m.tree, followed)!;
    const walk = walkSource(m.tree, followed);
    const sum = await sourceChecksum(m.tree, walk, spec.digests);
    checksumParts.push(`${m.url ?? m.rel}\0${sum.digest}`);
    for (const [k, v] of Object.entries(sum.files)) files[m.url ? m.url : k] = v;
    if (meta.type === 'dir') {
      addTree(planned, spec, m.tree, walk, destDir, true);
    } else if (spec.isAdd && !m.url && (await archiveKind(hostPath(m.tree, followed))) !== undefined) {
      const out = join(spec.scratchDir, `archive-${archiveCount++}`);
      const tree = await extractArchive(hostPath(m.tree, followed), out);
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
    checksum: `sha256:${createDigest(checksumParts.join('\n'))}`,
    files,
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
    mtime: spec.epoch,
    linkTarget: meta.linkTarget,
    ...(meta.type === 'file' ? { source: host } : {}),
  });
}

/**
 * Every parent directory of a copied entry appears in the layer (as containerd's diff writes
 * them): existing ones with their metadata from the image, new ones 0755 owned by the chown user.
 */
function addParents(planned: Map<string, LayerEntry>, spec: CopySpec): void {
  for (const e of [...planned.values()]) {
    let p = dirname(e.path);
    while (p !== '.' && p !== '/' && p !== '' && !planned.has(p)) {
      const existing = spec.view.get(p);
      if (existing?.type === 'dir') {
        planned.set(p, { path: p, type: 'dir', mode: existing.mode & 0o7777, uid: existing.uid, gid: existing.gid, mtime: existing.mtime, linkTarget: '' });
      } else {
        planned.set(p, { path: p, type: 'dir', mode: 0o755, uid: spec.chown?.uid ?? 0, gid: spec.chown?.gid ?? 0, mtime: spec.epoch, linkTarget: '' });
      }
      p = dirname(p);
    }
  }
}

type ArchiveKind = 'tar' | 'gzip' | 'bzip2' | 'xz' | 'zstd';

/** Recognises a local archive ADD unpacks, by its first bytes. */
export async function archiveKind(path: string): Promise<ArchiveKind | undefined> {
  const head = Buffer.alloc(512);
  let n = 0;
  try {
    const fd = openSync(path, 'r');
    try {
      n = readSync(fd, head, 0, 512, 0);
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined;
  }
  const h = head.subarray(0, n);
  if (h.length >= 3 && h[0] === 0x1f && h[1] === 0x8b) return 'gzip';
  if (h.length >= 3 && h.toString('latin1', 0, 3) === 'BZh') return 'bzip2';
  if (h.length >= 6 && h[0] === 0xfd && h.toString('latin1', 1, 5) === '7zXZ') return 'xz';
  if (h.length >= 4 && h.readUInt32LE(0) === 0xfd2fb528) return 'zstd';
  if (h.length >= 262 && h.toString('latin1', 257, 262) === 'ustar') return 'tar';
  return undefined;
}

/** The decompressed tar stream of an archive (bzip2 and xz through the host tools). */
function tarStream(file: string, kind: ArchiveKind): { stream: Readable; done: Promise<void> } {
  if (kind === 'bzip2' || kind === 'xz') {
    const tool = kind === 'bzip2' ? 'bzip2' : 'xz';
    const child = spawn(tool, ['-dc', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const done = new Promise<void>((resolve, reject) => {
      child.on('error', (err) => reject(new StrataError('unavailable', `cannot unpack ${kind} archive: ${tool} is not available (${err.message})`)));
      child.on('close', (code) => (code === 0 ? resolve() : reject(new StrataError('invalid', `cannot unpack ${kind} archive: ${stderr.trim() || `${tool} exit ${code}`}`))));
    });
    return { stream: child.stdout, done };
  }
  const dec: Transform = kind === 'gzip' ? zlib.createGunzip() : kind === 'zstd' ? zlib.createZstdDecompress() : new PassThrough();
  return { stream: dec, done: pipeline(createReadStream(file), dec) };
}

/**
 * Unpacks an archive ADD found in the sources (a compressed tar is only unpacked when the
 * decompressed stream is a tar, otherwise the file is copied as is — checked by the caller via
 * archiveKind). Hostile entries (absolute, `..`) are refused.
 */
async function extractArchive(file: string, out: string): Promise<SourceTree> {
  const kind = (await archiveKind(file))!;
  mkdirSync(out, { recursive: true });
  const meta = new Map<string, SourceMeta>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const fail = (err: Error): void => {
      stream.resume();
      next(err);
    };
    let name: string;
    try {
      name = cleanEntryPath(header.name);
    } catch (err) {
      fail(err as Error);
      return;
    }
    if (name === '') {
      stream.on('end', () => next());
      stream.resume();
      return;
    }
    const abs = join(out, name);
    const base = { mode: (header.mode ?? 0o644) & 0o7777, uid: header.uid ?? 0, gid: header.gid ?? 0, size: 0, linkTarget: '' };
    for (let p = dirname(name); p !== '.' && !meta.has(p); p = dirname(p)) {
      meta.set(p, { type: 'dir', mode: 0o755, uid: 0, gid: 0, size: 0, linkTarget: '' });
      mkdirSync(join(out, p), { recursive: true });
    }
    if (header.type === 'directory') {
      mkdirSync(abs, { recursive: true });
      meta.set(name, { ...base, type: 'dir' });
      stream.on('end', () => next());
      stream.resume();
    } else if (header.type === 'symlink') {
      mkdirSync(dirname(abs), { recursive: true });
      if (!existsSync(abs)) symlinkSync(header.linkname ?? '', abs);
      meta.set(name, { ...base, type: 'symlink', linkTarget: header.linkname ?? '' });
      stream.on('end', () => next());
      stream.resume();
    } else if (header.type === 'file' || header.type === 'contiguous-file' || header.type === 'link') {
      mkdirSync(dirname(abs), { recursive: true });
      if (header.type === 'link') {
        let target: string;
        try {
          target = cleanEntryPath(header.linkname ?? '');
        } catch (err) {
          fail(err as Error);
          return;
        }
        const src = meta.get(target);
        stream.on('end', () => {
          pipeline(createReadStream(join(out, target)), createWriteStream(abs)).then(() => {
            meta.set(name, { ...(src ?? base), type: 'file' });
            next();
          }, (err: Error) => next(err));
        });
        stream.resume();
        return;
      }
      pipeline(stream, createWriteStream(abs, { mode: 0o600 })).then(() => {
        chmodSync(abs, (base.mode & 0o777) | 0o600);
        meta.set(name, { ...base, type: 'file', size: header.size ?? 0 });
        next();
      }, (err: Error) => next(err));
    } else {
      // Devices and fifos cannot be created rootless; BuildKit would; skip them here.
      stream.on('end', () => next());
      stream.resume();
    }
  });
  const done = new Promise<void>((resolve, reject) => {
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  const source = tarStream(file, kind);
  await Promise.all([source.done, pipeline(source.stream, extract), done]);
  return { root: out, meta, label: 'archive' };
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

export interface WrittenLayer extends LayerInput {
  files: LayerFile[];
}

/** Writes entries (already sorted) as a layer tar straight into the content store. */
export async function writeLayer(engine: Engine, entries: readonly LayerEntry[]): Promise<WrittenLayer> {
  const pack = tar.pack();
  const producing = (async () => {
    for (const e of entries) {
      const header = {
        name: e.type === 'dir' ? `${e.path}/` : e.path,
        mode: e.mode,
        uid: e.uid,
        gid: e.gid,
        uname: '',
        gname: '',
        mtime: new Date(e.mtime * 1000),
      };
      if (e.type === 'dir') pack.entry({ ...header, type: 'directory' });
      else if (e.type === 'symlink') pack.entry({ ...header, type: 'symlink', linkname: e.linkTarget });
      else {
        const size = statSync(e.source!).size;
        await new Promise<void>((resolve, reject) => {
          const w = pack.entry({ ...header, type: 'file', size }, (err) => (err ? reject(err) : resolve()));
          pipeline(createReadStream(e.source!), w).catch(reject);
        });
      }
    }
    pack.finalize();
  })();
  producing.catch((err: Error) => pack.destroy(err));
  const layer = await ingestLayer(engine.content, pack as unknown as Readable);
  await producing;
  return { blobDigest: layer.blob.digest, blobSize: layer.blob.size, compression: layer.compression, diffId: layer.diffId, size: layer.size, diffSize: layer.diffSize, files: layer.files };
}
