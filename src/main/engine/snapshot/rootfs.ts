import {
  createReadStream, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync, lchownSync,
  utimesSync, chmodSync, renameSync, copyFileSync, symlinkSync, type Stats, type ReadStream,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { isRoot, isWhiteout, makeWhiteouts } from './whiteout.ts';
import { StrataError } from '../../../shared/errors.ts';

/** Where the opaque directories of an upper dir are remembered (overlayfs marks them with an xattr Node cannot read). */
export function opaqueFile(upperDir: string): string {
  return `${upperDir.replace(/\/+$/, '')}.opaque`;
}

export function readOpaque(upperDir: string): Set<string> {
  try {
    return new Set(JSON.parse(readFileSync(opaqueFile(upperDir), 'utf8')) as string[]);
  } catch {
    return new Set();
  }
}

export function writeOpaque(upperDir: string, dirs: Iterable<string>): void {
  const list = [...dirs].sort();
  const file = opaqueFile(upperDir);
  if (list.length === 0) rmSync(file, { force: true });
  else writeFileSync(file, JSON.stringify(list));
}

/**
 * Removes a directory tree even where modes forbid it (its owner may always chmod): overlayfs leaves `work/work` with mode 000 owned by the
 * namespace's root, and a rootless snapshot may hold read-only directories.
 */
export function removeTree(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EACCES' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    const open = (dir: string): void => {
      try {
        chmodSync(dir, 0o700);
        for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) open(join(dir, e.name));
      } catch {
        /* not ours to open */
      }
    };
    open(path);
    rmSync(path, { recursive: true, force: true });
  }
}

export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}

/**
 * lstat of `rel` inside one layer directory, never through a symlink: a layer's symlink points
 * into the container's root, so following it on the host could reach host files. Undefined when
 * absent; 'hidden' when an ancestor in this layer is not a directory (a whiteout, a file or a
 * symlink there hides everything below it, as in overlayfs).
 */
export function layerLstat(layer: string, rel: string): Stats | undefined | 'hidden' {
  let st: Stats;
  try {
    st = lstatSync(join(layer, rel));
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'hidden' : undefined;
  }
  for (let i = rel.indexOf('/'); i !== -1; i = rel.indexOf('/', i + 1)) {
    const ancestor = lstatOrUndefined(join(layer, rel.slice(0, i)));
    if (!ancestor?.isDirectory()) return 'hidden';
  }
  return st;
}

/** The names in directory `rel` of one layer (undefined when it is not a real directory there). */
export function layerReaddir(layer: string, rel: string): string[] | undefined {
  const st = layerLstat(layer, rel);
  if (typeof st !== 'object' || !st.isDirectory()) return undefined;
  try {
    return readdirSync(join(layer, rel));
  } catch {
    return undefined;
  }
}

/** The topmost read-only layer holding `rel` (undefined when absent or whited out), lowest-first input. */
export function lowerEntry(lowerDirs: readonly string[], rel: string): { dir: string; stat: Stats } | undefined {
  for (let i = lowerDirs.length - 1; i >= 0; i--) {
    const dir = lowerDirs[i]!;
    const stat = layerLstat(dir, rel);
    if (stat === 'hidden') return undefined;
    if (stat) return isWhiteout(stat) ? undefined : { dir, stat };
  }
  return undefined;
}

export interface RootfsEntry {
  name: string;
  path: string;
  type: 'file' | 'dir' | 'symlink' | 'char' | 'block' | 'fifo' | 'socket';
  mode: number;
  uid: number;
  gid: number;
  size: number;
  mtime: number;
  linkTarget: string;
}

function entryType(st: Stats): RootfsEntry['type'] {
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  return 'file';
}

/** Splits a container path into clean components (`/a/./b/` → ['a', 'b']), keeping `..` for the resolver. */
function components(path: string): string[] {
  return path.split('/').filter((p) => p !== '' && p !== '.');
}

/**
 * A container's filesystem seen without mounting it: the writable upper dir over the read-only
 * layers, with overlayfs's rules (whiteouts, opaque directories). Reads resolve symlinks inside
 * the rootfs (never on the host); writes copy parent directories up like overlayfs does, so the
 * result is what a process in the container would have produced. Used for the Files tab, for
 * `-w` directory creation and for command lookup before a process starts.
 */
export class RootfsView {
  readonly lowerDirs: readonly string[];
  readonly upperDir: string;
  private readonly opaque: Set<string>;

  constructor(lowerDirs: readonly string[], upperDir: string) {
    this.lowerDirs = lowerDirs;
    this.upperDir = upperDir;
    this.opaque = readOpaque(upperDir);
  }

  /** Layers top first: upper, then lowers from the top. */
  private layers(): string[] {
    return [this.upperDir, ...[...this.lowerDirs].reverse()];
  }

  private opaqueAncestor(rel: string): boolean {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) if (this.opaque.has(parts.slice(0, i).join('/'))) return true;
    return false;
  }

  /** Where `rel` (clean, no symlinks resolved) lives, or undefined when it does not exist. */
  entry(rel: string): { layer: string; stat: Stats } | undefined {
    if (rel === '') return { layer: this.upperDir, stat: lstatSync(this.upperDir) };
    for (const layer of this.layers()) {
      const stat = layerLstat(layer, rel);
      if (stat === 'hidden') return undefined;
      if (stat) return isWhiteout(stat) ? undefined : { layer, stat };
      if (layer === this.upperDir && this.opaqueAncestor(rel)) return undefined;
    }
    return undefined;
  }

  /** Resolves symlinks inside the rootfs; returns the clean relative path. */
  resolve(path: string, followLast = true): string {
    const todo = components(path);
    const done: string[] = [];
    let hops = 0;
    while (todo.length > 0) {
      const part = todo.shift()!;
      if (part === '..') {
        done.pop();
        continue;
      }
      const rel = [...done, part].join('/');
      const e = this.entry(rel);
      if (e?.stat.isSymbolicLink() && (todo.length > 0 || followLast)) {
        if (++hops > 40) throw new StrataError('invalid', `too many levels of symbolic links: ${path}`);
        const target = readlinkSync(join(e.layer, rel));
        if (target.startsWith('/')) done.length = 0;
        todo.unshift(...components(target));
        continue;
      }
      done.push(part);
    }
    return done.join('/');
  }

  stat(path: string): RootfsEntry | undefined {
    const rel = this.resolve(path, false);
    const e = this.entry(rel);
    return e && this.toEntry(rel, e.layer, e.stat);
  }

  private toEntry(rel: string, layer: string, st: Stats): RootfsEntry {
    const type = entryType(st);
    return {
      name: rel.slice(rel.lastIndexOf('/') + 1) || '/',
      path: `/${rel}`,
      type,
      mode: st.mode & 0o7777,
      uid: st.uid,
      gid: st.gid,
      size: type === 'file' ? st.size : 0,
      mtime: Math.floor(st.mtimeMs / 1000),
      linkTarget: type === 'symlink' ? readlinkSync(join(layer, rel)) : '',
    };
  }

  /** Directory listing merged over the layers, sorted by name. */
  list(path: string): RootfsEntry[] {
    const rel = this.resolve(path);
    const top = this.entry(rel);
    if (!top) throw Object.assign(new Error(`no such file or directory: ${path}`), { code: 'ENOENT' });
    if (!top.stat.isDirectory()) throw Object.assign(new Error(`not a directory: ${path}`), { code: 'ENOTDIR' });
    const seen = new Map<string, RootfsEntry | null>();
    for (const layer of this.layers()) {
      const st = rel === '' ? lstatSync(layer) : layerLstat(layer, rel);
      if (st === 'hidden') break;
      if (!st) {
        if (layer === this.upperDir && this.opaqueAncestor(rel)) break;
        continue;
      }
      if (!st.isDirectory()) break;
      for (const name of readdirSync(join(layer, rel))) {
        if (seen.has(name)) continue;
        const child = rel ? `${rel}/${name}` : name;
        const cst = lstatSync(join(layer, child));
        seen.set(name, isWhiteout(cst) ? null : this.toEntry(child, layer, cst));
      }
      if (layer === this.upperDir && this.opaque.has(rel)) break;
    }
    return [...seen.values()].filter((e): e is RootfsEntry => e !== null).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  read(path: string): ReadStream {
    const rel = this.resolve(path);
    const e = this.entry(rel);
    if (!e) throw Object.assign(new Error(`no such file or directory: ${path}`), { code: 'ENOENT' });
    if (e.stat.isDirectory()) throw Object.assign(new Error(`is a directory: ${path}`), { code: 'EISDIR' });
    return createReadStream(join(e.layer, rel));
  }

  readText(path: string): string | undefined {
    try {
      const rel = this.resolve(path);
      const e = this.entry(rel);
      return e && !e.stat.isDirectory() ? readFileSync(join(e.layer, rel), 'utf8') : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Makes sure `rel`'s parents exist in the upper dir with the metadata they have below (a
   * copy-up); returns the absolute upper path of `rel`.
   */
  private copyUpParents(rel: string): string {
    const parts = rel.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dirRel = parts.slice(0, i).join('/');
      const upper = join(this.upperDir, dirRel);
      const st = lstatOrUndefined(upper);
      if (st?.isDirectory()) continue;
      const below = st && isWhiteout(st) ? undefined : lowerEntry(this.lowerDirs, dirRel);
      if (st) rmSync(upper, { force: true });
      mkdirSync(upper);
      if (below?.stat.isDirectory()) this.copyMetadata(upper, below.stat);
      else if (st && isWhiteout(st)) this.hideLowerChildren(dirRel);
    }
    return join(this.upperDir, rel);
  }

  private copyMetadata(path: string, st: Stats): void {
    if (isRoot()) lchownSync(path, st.uid, st.gid);
    chmodSync(path, st.mode & 0o7777);
    utimesSync(path, st.atime, st.mtime);
  }

  /** A directory recreated where one was deleted must not show the old entries: whiteout each. */
  private hideLowerChildren(dirRel: string): void {
    const names = new Set<string>();
    for (const lower of this.lowerDirs) for (const n of layerReaddir(lower, dirRel) ?? []) names.add(n);
    makeWhiteouts([...names].filter((n) => !lstatOrUndefined(join(this.upperDir, dirRel, n))).map((n) => join(this.upperDir, dirRel, n)));
  }

  write(path: string, data: string | Uint8Array, mode = 0o644): void {
    const rel = this.resolve(path);
    if (rel === '') throw new StrataError('invalid', 'cannot write the root directory');
    const upper = this.copyUpParents(rel);
    const existing = this.entry(rel);
    const tmp = `${upper}.strata-tmp`;
    writeFileSync(tmp, data, { mode });
    if (existing && !existing.stat.isDirectory()) {
      if (isRoot()) lchownSync(tmp, existing.stat.uid, existing.stat.gid);
      chmodSync(tmp, existing.stat.mode & 0o7777);
    }
    renameSync(tmp, upper);
  }

  /** Copies a host file into the container (streamed by the kernel, never held in memory). */
  copyIn(path: string, hostFile: string, mode: number): void {
    const rel = this.resolve(path);
    if (rel === '') throw new StrataError('invalid', 'cannot write the root directory');
    const upper = this.copyUpParents(rel);
    const tmp = `${upper}.strata-tmp`;
    copyFileSync(hostFile, tmp);
    chmodSync(tmp, mode & 0o7777);
    rmSync(upper, { recursive: true, force: true });
    renameSync(tmp, upper);
  }

  /** Makes a symlink in the container (replacing what was there). */
  symlink(path: string, target: string): void {
    const rel = this.resolve(path, false);
    const upper = this.copyUpParents(rel);
    rmSync(upper, { recursive: true, force: true });
    symlinkSync(target, upper);
  }

  mkdir(path: string, mode = 0o755): void {
    const rel = this.resolve(path);
    const parts = rel.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const dirRel = parts.slice(0, i).join('/');
      const e = this.entry(dirRel);
      if (e?.stat.isDirectory()) continue;
      if (e) throw Object.assign(new Error(`not a directory: /${dirRel}`), { code: 'ENOTDIR' });
      const upper = this.copyUpParents(dirRel);
      const st = lstatOrUndefined(upper);
      if (st) rmSync(upper, { force: true });
      mkdirSync(upper, { mode });
      chmodSync(upper, mode);
      if (st && isWhiteout(st)) this.hideLowerChildren(dirRel);
    }
  }

  remove(path: string): void {
    const rel = this.resolve(path, false);
    if (rel === '') throw new StrataError('invalid', 'cannot remove the root directory');
    if (!this.entry(rel)) throw Object.assign(new Error(`no such file or directory: ${path}`), { code: 'ENOENT' });
    const upper = this.copyUpParents(rel);
    rmSync(upper, { recursive: true, force: true });
    if (lowerEntry(this.lowerDirs, rel)) makeWhiteouts([upper]);
    if (this.opaque.delete(rel)) writeOpaque(this.upperDir, this.opaque);
  }
}

export { dirname };
