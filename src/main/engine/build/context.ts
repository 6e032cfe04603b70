/**
 * The build context: a host directory, its `.dockerignore`, and the content checksums that key
 * the cache of COPY/ADD steps. Nothing outside the context directory can be reached: source paths
 * are cleaned against `/` before they are joined to it, and symlinks are resolved inside it.
 */
import { closeSync, existsSync, fstatSync, lstatSync, readdirSync, readlinkSync, realpathSync, statSync, type BigIntStats, type Stats } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { PatternMatcher, readIgnoreFile } from './dockerignore/index.ts';
import { LinearRegExp } from './dockerignore/linear-regexp.ts';
import { sha256Hasher } from '../store/digest.ts';
import { errorCode } from '../../../shared/errors.ts';
import { fileTypeOf, openRegularFile, readRegularFile, streamOpened, type OpenedFile } from './context-file.ts';
import { StrataError } from '../../../shared/errors.ts';

export interface BuildContext {
  /** Absolute path of the context directory. */
  dir: string;
  /** Absolute path of the Dockerfile (it may live outside the context, like `docker build -f`). */
  dockerfile: string;
  dockerfileText: string;
  /** Matcher built from `.dockerignore` (or `<Dockerfile>.dockerignore`); undefined when none. */
  ignore: PatternMatcher | undefined;
  /** Bytes of the ignore file; undefined when there is none. */
  ignoreSize?: number;
}

/** Bound on the Dockerfile and ignore file, read whole into memory. */
export const MAX_DOCKERFILE = 4 << 20;

/**
 * Opens a context: finds the Dockerfile and reads the ignore file (an invalid one fails the build).
 * Inside the context both are located with symlinks resolved within it (never to the host), and
 * read as regular files with a size bound: a FIFO, a device or `-> /dev/zero` is refused.
 */
export function openContext(dir: string, dockerfile?: string): BuildContext {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new StrataError('not-found', `unable to prepare context: path "${dir}" not found`);
  const named = dockerfile ? (isAbsolute(dockerfile) ? dockerfile : resolve(dockerfile)) : defaultDockerfile(root);
  // A -f outside the context is the user's own choice: its links are followed (realpath).
  const file = withinContext(root, named) ?? realpathOr(named);
  let dockerfileText: string;
  try {
    dockerfileText = readRegularFile(file, MAX_DOCKERFILE, dockerfile ?? basename(named));
  } catch (err) {
    if (errorCode(err) === 'not-found') throw new Error(`failed to read dockerfile: open ${dockerfile ?? 'Dockerfile'}: no such file or directory`);
    throw new Error(`failed to read dockerfile: ${(err as Error).message}`);
  }
  // BuildKit prefers `<name>.dockerignore` beside the Dockerfile over the context's `.dockerignore`.
  const specific = `${named}.dockerignore`;
  const generic = join(root, '.dockerignore');
  const found = [specific, generic].map((p) => ({ p, real: withinContext(root, p) ?? p })).find((c) => lexists(c.real));
  let ignore: PatternMatcher | undefined;
  let ignoreSize: number | undefined;
  if (found) {
    const label = found.p === generic ? '.dockerignore' : specific;
    try {
      const text = readRegularFile(found.real, MAX_DOCKERFILE, label);
      ignoreSize = Buffer.byteLength(text);
      const patterns = readIgnoreFile(text);
      ignore = patterns.length > 0 ? new PatternMatcher(patterns) : undefined;
    } catch (err) {
      throw new Error(`failed to parse ${label}: ${(err as Error).message}`);
    }
  }
  return { dir: root, dockerfile: named, dockerfileText, ignore, ...(ignoreSize !== undefined ? { ignoreSize } : {}) };
}

/**
 * docker's rule for the default name: `Dockerfile`, else `dockerfile` when only that exists. Both
 * are looked up inside the context (links resolved within it).
 */
function defaultDockerfile(root: string): string {
  const upper = join(root, 'Dockerfile');
  const lower = join(root, 'dockerfile');
  if (lexists(withinContext(root, upper) ?? upper)) return upper;
  return lexists(withinContext(root, lower) ?? lower) ? lower : upper;
}

function realpathOr(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * For a path inside the context directory: the host path it names once its symlinks are
 * resolved inside the context (an absolute or `..` target stays in it); undefined for a path
 * outside the context (a `-f` the user pointed elsewhere is theirs to follow).
 */
export function withinContext(root: string, path: string): string | undefined {
  const rel = relative(root, resolve(path));
  if (rel === '' || rel === '..' || rel.startsWith('../') || isAbsolute(rel)) return undefined;
  return hostPath({ root, label: 'context' }, followSource({ root, label: 'context' }, cleanSourcePath(rel)));
}

/** Metadata the copy needs about one source entry (a context file or a file taken from an image). */
export interface SourceMeta {
  /** FIFOs and devices are copied as such (never read), as BuildKit's context transfer does. */
  type: 'file' | 'dir' | 'symlink' | 'fifo' | 'char' | 'block';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkTarget: string;
  devmajor?: number;
  devminor?: number;
  /** Modification time in seconds, kept on copied files (absent: the build time). */
  mtime?: number;
}

/**
 * A tree files are copied from: the context directory, or a directory holding files extracted
 * from another stage's image (then `meta` carries their ownership and modes as stored in the image).
 */
export interface SourceTree {
  root: string;
  ignore?: PatternMatcher | undefined;
  meta?: Map<string, SourceMeta>;
  /** Name used in error messages. */
  label: string;
}

export function contextTree(ctx: BuildContext): SourceTree {
  return { root: ctx.dir, ignore: ctx.ignore, label: 'context' };
}

/** Cleans a source path against the tree root: `../x` cannot escape, the result is relative (`.` for the root). */
export function cleanSourcePath(p: string): string {
  const cleaned = posix.normalize(`/${p}`).replace(/\/+$/, '');
  return cleaned === '' ? '.' : cleaned.slice(1);
}

export function isIgnored(tree: SourceTree, rel: string): boolean {
  if (!tree.ignore || rel === '.' || rel === '') return false;
  return tree.ignore.matchesOrParentMatches(rel);
}

/** The entry at `rel`, or undefined when absent — or a socket, which docker never sends. */
export function statSource(tree: SourceTree, rel: string): SourceMeta | undefined {
  const m = tree.meta?.get(rel);
  if (m) return m;
  if (tree.meta && rel !== '.') return undefined;
  const abs = rel === '.' ? tree.root : join(tree.root, rel);
  let st: Stats;
  try {
    st = lstatSync(abs);
  } catch {
    return undefined;
  }
  return metaFromStats(st, abs);
}

function metaFromStats(st: Stats, abs: string): SourceMeta | undefined {
  const type = fileTypeOf(st);
  if (type === 'socket') return undefined;
  return {
    type,
    mode: st.mode & 0o7777,
    // Context files enter the image owned by root, as with BuildKit's context transfer.
    uid: 0,
    gid: 0,
    size: type === 'file' ? st.size : 0,
    linkTarget: type === 'symlink' ? readlinkSync(abs) : '',
    mtime: Math.floor(st.mtimeMs / 1000),
    ...(type === 'char' || type === 'block' ? deviceNumbers(st.rdev) : {}),
  };
}

/** Linux's major()/minor() of a device number. */
function deviceNumbers(rdev: number): { devmajor: number; devminor: number } {
  const dev = BigInt(rdev);
  return {
    devmajor: Number(((dev >> 8n) & 0xfffn) | ((dev >> 32n) & ~0xfffn)),
    devminor: Number((dev & 0xffn) | ((dev >> 12n) & ~0xffn)),
  };
}

/**
 * Follows symlinks of a source path inside the tree (BuildKit's FollowSymlinks for the named source):
 * an absolute target is taken relative to the tree root, never the host.
 */
export function followSource(tree: SourceTree, rel: string, depth = 0): string {
  if (depth > 40) throw new StrataError('invalid', `too many levels of symbolic links: ${rel}`);
  const parts = rel === '.' ? [] : rel.split('/');
  let cur = '.';
  for (let i = 0; i < parts.length; i++) {
    const next = cur === '.' ? parts[i]! : `${cur}/${parts[i]}`;
    const m = statSource(tree, next);
    if (m?.type === 'symlink') {
      const target = m.linkTarget.startsWith('/') ? m.linkTarget : posix.join(cur === '.' ? '' : cur, m.linkTarget);
      const rest = parts.slice(i + 1).join('/');
      return followSource(tree, cleanSourcePath(rest ? `${target}/${rest}` : target), depth + 1);
    }
    cur = next;
  }
  return cur;
}

export function hasWildcard(p: string): boolean {
  return /[*?[]/.test(p) || p.includes('\\');
}

/** Go filepath.Match for one path segment (linear time: `a*a*a*…b` must not backtrack). */
function segmentRegExp(seg: string): LinearRegExp {
  let out = '^';
  for (let i = 0; i < seg.length; i++) {
    const ch = seg[i]!;
    if (ch === '*') out += '[^/]*';
    else if (ch === '?') out += '[^/]';
    else if (ch === '[') {
      const end = seg.indexOf(']', i + 1);
      if (end === -1) throw new StrataError('invalid', `syntax error in pattern: ${seg}`);
      let cls = seg.slice(i + 1, end);
      if (cls.startsWith('^')) cls = `^${cls.slice(1)}`;
      out += `[${cls.replace(/\\/g, '\\\\')}]`;
      i = end;
    } else if (ch === '\\' && i + 1 < seg.length) {
      out += escapeRe(seg[++i]!);
    } else out += escapeRe(ch);
  }
  return new LinearRegExp(`${out}$`);
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function listDir(tree: SourceTree, rel: string): string[] {
  if (tree.meta) {
    const prefix = rel === '.' ? '' : `${rel}/`;
    const names = new Set<string>();
    for (const k of tree.meta.keys()) {
      if (k.startsWith(prefix) && k.length > prefix.length) names.add(k.slice(prefix.length).split('/')[0]!);
    }
    return [...names].sort();
  }
  try {
    return readdirSync(rel === '.' ? tree.root : join(tree.root, rel)).sort();
  } catch {
    return [];
  }
}

/**
 * Resolves one COPY/ADD source to the paths it names, sorted. A wildcard pattern matching nothing
 * gives [] (BuildKit's AllowEmptyWildcard); a literal path that is absent or ignored is an error.
 */
export function matchSources(tree: SourceTree, source: string): string[] {
  const cleaned = cleanSourcePath(source);
  if (!hasWildcard(cleaned)) {
    const followed = followSource(tree, cleaned);
    if (!statSource(tree, followed) || isIgnored(tree, cleaned) || ignoredTarget(tree, followed)) {
      throw new StrataError('not-found', `failed to compute cache key: failed to calculate checksum of ref: "/${cleaned === '.' ? '' : cleaned}": not found`);
    }
    return [cleaned];
  }
  let candidates = ['.'];
  for (const seg of cleaned.split('/')) {
    const next: string[] = [];
    if (!hasWildcard(seg)) {
      for (const c of candidates) next.push(c === '.' ? seg : `${c}/${seg}`);
    } else {
      const re = segmentRegExp(seg);
      for (const c of candidates) {
        for (const name of listDir(tree, followSource(tree, c))) if (re.test(name)) next.push(c === '.' ? name : `${c}/${name}`);
      }
    }
    candidates = next;
  }
  return candidates.filter((c) => statSource(tree, followSource(tree, c)) && !isIgnored(tree, c) && !ignoredTarget(tree, followSource(tree, c))).sort();
}

/**
 * Whether a source reached through symlinks lands on a path `.dockerignore` excludes: BuildKit
 * never sends such a file, so a link to it finds nothing. An excluded directory is sent only
 * for the exceptions inside it (the walk then keeps only those).
 */
function ignoredTarget(tree: SourceTree, followed: string): boolean {
  if (!isIgnored(tree, followed)) return false;
  if (!tree.ignore?.exclusions || statSource(tree, followed)?.type !== 'dir') return true;
  return walkSource(tree, followed).length <= 1;
}

export interface WalkEntry {
  /** Path relative to the walk's start (`` for the start itself). */
  rel: string;
  /** Path relative to the tree root. */
  treePath: string;
  meta: SourceMeta;
}

/**
 * Every entry under `start` (itself first), depth first in sorted order, skipping ignored paths.
 * An ignored directory is still entered when the ignore file has exceptions (`!keep`), as
 * BuildKit's walker does, so excepted files inside it are copied.
 */
export function walkSource(tree: SourceTree, start: string): WalkEntry[] {
  const out: WalkEntry[] = [];
  const meta = statSource(tree, start);
  if (!meta) return out;
  out.push({ rel: '', treePath: start, meta });
  if (meta.type !== 'dir') return out;
  const visit = (treeDir: string, relDir: string): void => {
    for (const name of listDir(tree, treeDir)) {
      const treePath = treeDir === '.' ? name : `${treeDir}/${name}`;
      const rel = relDir === '' ? name : `${relDir}/${name}`;
      const m = statSource(tree, treePath);
      if (!m) continue;
      const ignored = isIgnored(tree, treePath);
      if (ignored && !(m.type === 'dir' && tree.ignore?.exclusions)) continue;
      if (ignored) {
        // Keep the directory only if something inside survives.
        const before = out.length;
        out.push({ rel, treePath, meta: m });
        visit(treePath, rel);
        if (out.length === before + 1) out.pop();
        continue;
      }
      out.push({ rel, treePath, meta: m });
      if (m.type === 'dir') visit(treePath, rel);
    }
  };
  visit(start, '');
  return out;
}

export function hostPath(tree: SourceTree, treePath: string): string {
  return treePath === '.' ? tree.root : join(tree.root, treePath);
}

/** sha256 of a regular file, streamed from a descriptor opened without following links. */
export async function fileDigest(path: string): Promise<string> {
  return digestOpened(openRegularFile(path));
}

async function digestOpened(f: OpenedFile): Promise<string> {
  const h = sha256Hasher();
  for await (const chunk of streamOpened(f)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

/**
 * Remembers content digests of host files by their stat identity (device, inode, size, mtime and
 * ctime in ns), so an unchanged context is not re-read on every build — the stat only decides
 * whether to re-hash; the cache key itself is the content.
 */
export interface DigestCache {
  get(path: string, stamp: string): string | undefined;
  set(path: string, stamp: string, digest: string): void;
  /** The clock stamps are judged by (milliseconds); Date.now when absent. */
  now?(): number;
}

function stamp(st: BigIntStats): string {
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

/**
 * How old a file's times must be before its stamp is trusted. A file rewritten within one tick
 * of the file system's clock after it was hashed can keep its size, mtime and ctime: its stamp
 * would then name the old content. Git's index has the same rule ("racy git"). Local file
 * systems stamp with the kernel's clock (a tick of at most 10 ms, finer since Linux 6.13); one
 * whose ctime is a whole second (ext3's small inodes, FAT, some network file systems) ticks
 * every second or two. A file changed this recently is hashed again on the next build (usually
 * the one file being edited).
 */
const RACY_NS = 100_000_000n;
const RACY_WHOLE_SECONDS_NS = 2_500_000_000n;

/** Whether a later change to the file is sure to change its stamp. */
function settled(st: BigIntStats, nowMs: number): boolean {
  const newest = st.mtimeNs > st.ctimeNs ? st.mtimeNs : st.ctimeNs;
  const window = st.ctimeNs % 1_000_000_000n === 0n ? RACY_WHOLE_SECONDS_NS : RACY_NS;
  return newest + window < BigInt(Math.floor(nowMs)) * 1_000_000n;
}

async function cachedFileDigest(path: string, cache: DigestCache | undefined): Promise<string> {
  if (!cache) return fileDigest(path);
  const f = openRegularFile(path);
  let before: string;
  try {
    before = stamp(fstatSync(f.fd, { bigint: true }));
  } catch (err) {
    closeSync(f.fd);
    throw err;
  }
  const known = cache.get(path, before);
  if (known) {
    closeSync(f.fd);
    return known;
  }
  const digest = await digestOpened(f);
  // A file changed while it was read, or too recently to trust its stamp, gets no entry: its
  // next read hashes again.
  const after = lstatSync(path, { bigint: true });
  if (stamp(after) === before && settled(after, cache.now?.() ?? Date.now())) cache.set(path, before, digest);
  return digest;
}

/**
 * The checksum of what a copy reads from one source: content, type, mode, ownership and link
 * targets of every entry, never mtimes (a touched but unchanged file still hits the cache).
 */
export async function sourceChecksum(tree: SourceTree, entries: readonly WalkEntry[], cache?: DigestCache): Promise<{ digest: string; files: Record<string, string> }> {
  const h = sha256Hasher();
  const files: Record<string, string> = {};
  for (const e of entries) {
    let content = '';
    if (e.meta.type === 'file') content = await cachedFileDigest(hostPath(tree, e.treePath), tree.meta ? undefined : cache);
    const device = e.meta.devmajor !== undefined ? `\0${e.meta.devmajor},${e.meta.devminor}` : '';
    const line = `${e.treePath}\0${e.meta.type}\0${e.meta.mode.toString(8)}\0${e.meta.uid}:${e.meta.gid}\0${e.meta.linkTarget}\0${content}${device}\n`;
    h.update(line);
    files[e.treePath === '.' ? '.' : e.treePath] = content || `${e.meta.type}:${e.meta.mode.toString(8)}${e.meta.linkTarget ? `->${e.meta.linkTarget}` : ''}`;
  }
  return { digest: `sha256:${h.digest('hex')}`, files };
}

export { dirname };
