/**
 * The build context: a host directory, its `.dockerignore`, and the content checksums that key
 * the cache of COPY/ADD steps. Nothing outside the context directory can be reached: source paths
 * are cleaned against `/` before they are joined to it, and symlinks are resolved inside it.
 */
import { createReadStream, existsSync, lstatSync, readFileSync, readdirSync, readlinkSync, statSync, type Stats } from 'node:fs';
import { dirname, isAbsolute, join, posix, resolve } from 'node:path';
import { PatternMatcher, readIgnoreFile } from './dockerignore/index.ts';
import { sha256Hasher } from '../store/digest.ts';
import { StrataError } from '../../../shared/errors.ts';

export interface BuildContext {
  /** Absolute path of the context directory. */
  dir: string;
  /** Absolute path of the Dockerfile (it may live outside the context, like `docker build -f`). */
  dockerfile: string;
  dockerfileText: string;
  /** Matcher built from `.dockerignore` (or `<Dockerfile>.dockerignore`); undefined when none. */
  ignore: PatternMatcher | undefined;
}

/** Opens a context: finds the Dockerfile and reads the ignore file (an invalid one fails the build). */
export function openContext(dir: string, dockerfile?: string): BuildContext {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw new StrataError('not-found', `unable to prepare context: path "${dir}" not found`);
  const file = dockerfile ? (isAbsolute(dockerfile) ? dockerfile : resolve(dockerfile)) : join(root, 'Dockerfile');
  if (!existsSync(file)) {
    throw new StrataError('not-found', `failed to read dockerfile: open ${dockerfile ?? 'Dockerfile'}: no such file or directory`);
  }
  const dockerfileText = readFileSync(file, 'utf8');
  // BuildKit prefers `<name>.dockerignore` beside the Dockerfile over the context's `.dockerignore`.
  const specific = `${file}.dockerignore`;
  const generic = join(root, '.dockerignore');
  const ignoreFile = existsSync(specific) ? specific : existsSync(generic) ? generic : undefined;
  let ignore: PatternMatcher | undefined;
  if (ignoreFile) {
    try {
      const patterns = readIgnoreFile(readFileSync(ignoreFile, 'utf8'));
      ignore = patterns.length > 0 ? new PatternMatcher(patterns) : undefined;
    } catch (err) {
      throw new StrataError('invalid', `failed to parse ${ignoreFile === generic ? '.dockerignore' : specific}: ${(err as Error).message}`);
    }
  }
  return { dir: root, dockerfile: file, dockerfileText, ignore };
}

/** Metadata the copy needs about one source entry (a context file or a file taken from an image). */
export interface SourceMeta {
  type: 'file' | 'dir' | 'symlink';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  linkTarget: string;
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

export function statSource(tree: SourceTree, rel: string): SourceMeta | undefined {
  const m = tree.meta?.get(rel);
  if (m) return m;
  if (tree.meta && rel !== '.') return undefined;
  let st: Stats;
  try {
    st = lstatSync(rel === '.' ? tree.root : join(tree.root, rel));
  } catch {
    return undefined;
  }
  return metaFromStats(st, rel === '.' ? tree.root : join(tree.root, rel));
}

function metaFromStats(st: Stats, abs: string): SourceMeta {
  const type = st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'file';
  return {
    type,
    mode: st.mode & 0o7777,
    // Context files enter the image owned by root, as with BuildKit's context transfer.
    uid: 0,
    gid: 0,
    size: type === 'file' ? st.size : 0,
    linkTarget: type === 'symlink' ? readlinkSync(abs) : '',
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

/** Go filepath.Match for one path segment. */
function segmentRegExp(seg: string): RegExp {
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
  return new RegExp(`${out}$`);
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
    if (!statSource(tree, followed) || isIgnored(tree, cleaned)) {
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
  return candidates.filter((c) => statSource(tree, followSource(tree, c)) && !isIgnored(tree, c)).sort();
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

/** sha256 of a host file, streamed. */
export async function fileDigest(path: string): Promise<string> {
  const h = sha256Hasher();
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
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
}

function statStamp(path: string): string {
  const st = statSync(path, { bigint: true });
  return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
}

async function cachedFileDigest(path: string, cache: DigestCache | undefined): Promise<string> {
  if (!cache) return fileDigest(path);
  const stamp = statStamp(path);
  const known = cache.get(path, stamp);
  if (known) return known;
  const digest = await fileDigest(path);
  // A file changed while it was read gets no entry: its next read hashes again.
  if (statStamp(path) === stamp) cache.set(path, stamp, digest);
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
    const line = `${e.treePath}\0${e.meta.type}\0${e.meta.mode.toString(8)}\0${e.meta.uid}:${e.meta.gid}\0${e.meta.linkTarget}\0${content}\n`;
    h.update(line);
    files[e.treePath === '.' ? '.' : e.treePath] = content || `${e.meta.type}:${e.meta.mode.toString(8)}${e.meta.linkTarget ? `->${e.meta.linkTarget}` : ''}`;
  }
  return { digest: `sha256:${h.digest('hex')}`, files };
}

export { dirname };
