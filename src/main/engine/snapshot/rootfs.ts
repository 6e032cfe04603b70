import {
  chmodSync, chownSync, closeSync, copyFileSync, createReadStream, fchmodSync, fchownSync, lstatSync, readdirSync, readFileSync,
  rmSync, utimesSync, writeFileSync, type ReadStream, type Stats,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { StrataError } from '../../../shared/errors.ts';
import { isRoot, isWhiteout } from './whiteout.ts';
import { idMapping, removeInUserNamespace, toContainerOwner } from './idmap.ts';
import { PinnedDir, fdPath, inDir, lstatIn, readUpTo, splitRel, type OpenedFile } from './safe-path.ts';

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
 * namespace's root, and a rootless snapshot may hold read-only directories, or directories of
 * subordinate IDs (removed from inside the user namespace).
 */
export function removeTree(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EACCES' && (err as NodeJS.ErrnoException).code !== 'EPERM') throw err;
    // Directories a subordinate ID owns are not the user's to open: their root in the namespace removes them.
    if (idMapping().mode === 'subordinate') return removeInUserNamespace([path]);
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
  return lstatIn(layer, rel);
}

/** The names in directory `rel` of one layer (undefined when it is not a real directory there). */
export function layerReaddir(layer: string, rel: string): string[] | undefined {
  const dir = PinnedDir.tryOpen(layer, rel);
  if (typeof dir !== 'object') return undefined;
  try {
    return dir.names();
  } catch {
    return undefined;
  } finally {
    dir.close();
  }
}

/**
 * The target of symlink `rel` in one layer, read without following any link on the way;
 * undefined when it is no longer a symlink (a running container replaced it since the lstat).
 */
function layerReadlink(layer: string, rel: string): string | undefined {
  const [parent, name] = splitRel(rel);
  try {
    return inDir(layer, parent, (dir) => dir.readlink(name));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EINVAL' || code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw err;
  }
}

/** How often a lookup is retried when a running container changes the entry in between. */
const RACE_RETRIES = 5;

function changedMeanwhile(path: string): StrataError {
  return new StrataError('conflict', `${path} changed while it was being read; try again`);
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
 * layers, with overlayfs's rules (whiteouts, opaque directories). Paths resolve symlinks inside
 * the rootfs (never on the host); every file is then reached through pinned directories that
 * follow no link (safe-path.ts), so a running container swapping names cannot redirect a read or
 * a write to the host. Writes copy parent directories up like overlayfs does, so the result is
 * what a process in the container would have produced. Used for the Files tab, `cp`, `export`,
 * `-w` directory creation and command lookup before a process starts.
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
        const target = layerReadlink(e.layer, rel);
        if (target === undefined) {
          todo.unshift(part); // replaced meanwhile: look at it again
          continue;
        }
        if (target.startsWith('/')) done.length = 0;
        todo.unshift(...components(target));
        continue;
      }
      done.push(part);
    }
    return done.join('/');
  }

  /**
   * `path` as a clean relative path: symlinks resolved inside the rootfs, or with `literal`, taken
   * as it is (a walk that already knows the real path follows no link at all, so a directory a
   * running container swaps for a link meanwhile ends the walk there instead of leading elsewhere).
   */
  private relOf(path: string, literal: boolean): string {
    if (!literal) return this.resolve(path);
    const parts = components(path);
    if (parts.includes('..')) throw new StrataError('invalid', `not a clean path: ${path}`);
    return parts.join('/');
  }

  stat(path: string): RootfsEntry | undefined {
    for (let i = 0; i < RACE_RETRIES; i++) {
      const rel = this.resolve(path, false);
      const e = this.entry(rel);
      if (!e) return undefined;
      const target = e.stat.isSymbolicLink() ? layerReadlink(e.layer, rel) : '';
      if (target !== undefined) return this.toEntry(rel, e.stat, target);
    }
    throw changedMeanwhile(path);
  }

  private toEntry(rel: string, st: Stats, linkTarget: string): RootfsEntry {
    const type = entryType(st);
    return {
      name: rel.slice(rel.lastIndexOf('/') + 1) || '/',
      path: `/${rel}`,
      type,
      mode: st.mode & 0o7777,
      ...toContainerOwner(st.uid, st.gid),
      size: type === 'file' ? st.size : 0,
      mtime: Math.floor(st.mtimeMs / 1000),
      linkTarget,
    };
  }

  /** Directory listing merged over the layers, sorted by name. */
  list(path: string, options: { literal?: boolean } = {}): RootfsEntry[] {
    const rel = this.relOf(path, options.literal ?? false);
    const top = this.entry(rel);
    if (!top) throw Object.assign(new Error(`no such file or directory: ${path}`), { code: 'ENOENT' });
    if (!top.stat.isDirectory()) throw Object.assign(new Error(`not a directory: ${path}`), { code: 'ENOTDIR' });
    const seen = new Map<string, RootfsEntry | null>();
    for (const layer of this.layers()) {
      const dir = PinnedDir.tryOpen(layer, rel);
      if (dir === 'hidden') break;
      if (!dir) {
        if (layer === this.upperDir && this.opaqueAncestor(rel)) break;
        continue;
      }
      try {
        this.listLayer(dir, rel, seen);
      } finally {
        dir.close();
      }
      if (layer === this.upperDir && this.opaque.has(rel)) break;
    }
    return [...seen.values()].filter((e): e is RootfsEntry => e !== null).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  /** Adds one layer's entries of a directory to a listing (names a higher layer holds stay as they are). */
  private listLayer(dir: PinnedDir, rel: string, seen: Map<string, RootfsEntry | null>): void {
    for (const name of dir.names()) {
      if (seen.has(name)) continue;
      const st = dir.lstat(name);
      if (!st) continue; // removed meanwhile by a running container
      let target = '';
      if (st.isSymbolicLink()) {
        try {
          target = dir.readlink(name);
        } catch {
          continue; // replaced meanwhile
        }
      }
      seen.set(name, isWhiteout(st) ? null : this.toEntry(rel ? `${rel}/${name}` : name, st, target));
    }
  }

  /**
   * Opens the regular file at `path` for reading: the descriptor and its own stat (never an
   * earlier lstat). Errors when it is absent, a directory, or anything but a regular file.
   */
  openFile(path: string, options: { literal?: boolean } = {}): OpenedFile {
    const rel = this.relOf(path, options.literal ?? false);
    const e = this.entry(rel);
    if (!e) throw Object.assign(new Error(`no such file or directory: ${path}`), { code: 'ENOENT' });
    if (e.stat.isDirectory()) throw Object.assign(new Error(`is a directory: ${path}`), { code: 'EISDIR' });
    const [parent, name] = splitRel(rel);
    let file: OpenedFile | undefined;
    try {
      file = inDir(e.layer, parent, (dir) => dir.openFile(name));
    } catch (err) {
      // A parent swapped for a link or removed since it was looked up.
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR' && code !== 'ELOOP') throw err;
    }
    if (!file) throw new StrataError('invalid', `${path} is not a regular file`);
    return file;
  }

  read(path: string): ReadStream {
    return createReadStream('', { fd: this.openFile(path).fd, autoClose: true });
  }

  /** Up to `maxBytes` of the file at `path`, and its whole size. */
  readBytes(path: string, maxBytes: number): { data: Buffer; size: number } {
    const { fd, stat } = this.openFile(path);
    try {
      return { data: readUpTo(fd, Math.min(maxBytes, stat.size)), size: stat.size };
    } finally {
      closeSync(fd);
    }
  }

  /** The file as text (at most `maxBytes`, /etc/passwd and the like); undefined when it cannot be read. */
  readText(path: string, maxBytes = 16 << 20): string | undefined {
    try {
      return this.readBytes(path, maxBytes).data.toString('utf8');
    } catch {
      return undefined;
    }
  }

  /**
   * The upper dir's directory holding `rel`, pinned, after making sure each of its parents exists
   * there with the metadata it has below (a copy-up, as overlayfs does). Close it when done.
   */
  private upperParent(rel: string): PinnedDir {
    const names = rel.split('/');
    names.pop();
    let dir = PinnedDir.open(this.upperDir);
    try {
      names.forEach((name, i) => {
        const st = dir.lstat(name);
        if (!st?.isDirectory()) this.copyUpDir(dir, name, names.slice(0, i + 1).join('/'), st);
        const next = dir.dir(name);
        dir.close();
        dir = next;
      });
      return dir;
    } catch (err) {
      dir.close();
      throw err;
    }
  }

  /** Makes directory `name` in `parent` (upper) for `dirRel`, replacing a whiteout or a non-directory. */
  private copyUpDir(parent: PinnedDir, name: string, dirRel: string, st: Stats | undefined): void {
    const whiteout = st !== undefined && isWhiteout(st);
    const below = whiteout ? undefined : lowerEntry(this.lowerDirs, dirRel);
    if (st) parent.remove(name);
    parent.mkdir(name);
    const made = parent.dir(name);
    try {
      if (below?.stat.isDirectory()) copyMetadata(made, below.stat);
      else if (whiteout) this.hideLowerChildren(dirRel, made);
    } finally {
      made.close();
    }
  }

  /** A directory recreated where one was deleted must not show the old entries: whiteout each. */
  private hideLowerChildren(dirRel: string, dir: PinnedDir): void {
    const names = new Set<string>();
    for (const lower of this.lowerDirs) for (const n of layerReaddir(lower, dirRel) ?? []) names.add(n);
    dir.whiteouts([...names].filter((n) => !dir.lstat(n)));
  }

  /**
   * Puts a new regular file at `name` in `dir`: made under a fresh name with O_EXCL|O_NOFOLLOW
   * (never an existing file, never through a link the container placed), filled, given its mode
   * and owner through its descriptor, then renamed over `name`.
   */
  private replaceFile(dir: PinnedDir, name: string, fill: (fd: number) => void, meta: { mode: number; uid?: number; gid?: number }): void {
    const tmp = `${name.slice(0, 200)}.strata-tmp-${randomBytes(6).toString('hex')}`;
    const fd = dir.createFile(tmp, 0o600);
    try {
      fill(fd);
      if (meta.uid !== undefined && meta.gid !== undefined && isRoot()) fchownSync(fd, meta.uid, meta.gid);
      fchmodSync(fd, meta.mode & 0o7777);
    } catch (err) {
      closeSync(fd);
      dir.remove(tmp);
      throw err;
    }
    closeSync(fd);
    if (dir.lstat(name)?.isDirectory()) dir.remove(name);
    dir.rename(tmp, name);
  }

  write(path: string, data: string | Uint8Array, mode = 0o644): void {
    const rel = this.resolve(path);
    if (rel === '') throw new StrataError('invalid', 'cannot write the root directory');
    const existing = this.entry(rel)?.stat;
    if (existing?.isDirectory()) throw Object.assign(new Error(`is a directory: ${path}`), { code: 'EISDIR' });
    const meta = existing ? { mode: existing.mode, uid: existing.uid, gid: existing.gid } : { mode };
    const dir = this.upperParent(rel);
    try {
      this.replaceFile(dir, splitRel(rel)[1], (fd) => writeFileSync(fd, data), meta);
    } finally {
      dir.close();
    }
  }

  /** Copies a host file into the container (streamed by the kernel, never held in memory). */
  copyIn(path: string, hostFile: string, mode: number): void {
    const rel = this.resolve(path);
    if (rel === '') throw new StrataError('invalid', 'cannot write the root directory');
    const dir = this.upperParent(rel);
    try {
      // The descriptor's /proc path reopens the new file itself, whatever its name points at now.
      this.replaceFile(dir, splitRel(rel)[1], (fd) => copyFileSync(hostFile, fdPath(fd)), { mode });
    } finally {
      dir.close();
    }
  }

  /** Makes a symlink in the container (replacing what was there). */
  symlink(path: string, target: string): void {
    const rel = this.resolve(path, false);
    if (rel === '') throw new StrataError('invalid', 'cannot replace the root directory');
    const dir = this.upperParent(rel);
    try {
      const name = splitRel(rel)[1];
      dir.remove(name);
      dir.symlink(name, target);
    } finally {
      dir.close();
    }
  }

  mkdir(path: string, mode = 0o755): void {
    const rel = this.resolve(path);
    const parts = rel.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const dirRel = parts.slice(0, i).join('/');
      const e = this.entry(dirRel);
      if (e?.stat.isDirectory()) continue;
      if (e) throw Object.assign(new Error(`not a directory: /${dirRel}`), { code: 'ENOTDIR' });
      const parent = this.upperParent(dirRel);
      try {
        const name = parts[i - 1]!;
        const st = parent.lstat(name);
        if (st) parent.remove(name);
        parent.mkdir(name, mode);
        const made = parent.dir(name);
        try {
          chmodSync(made.path, mode);
          if (st && isWhiteout(st)) this.hideLowerChildren(dirRel, made);
        } finally {
          made.close();
        }
      } finally {
        parent.close();
      }
    }
  }

  remove(path: string): void {
    const rel = this.resolve(path, false);
    if (rel === '') throw new StrataError('invalid', 'cannot remove the root directory');
    if (!this.entry(rel)) throw Object.assign(new Error(`no such file or directory: ${path}`), { code: 'ENOENT' });
    const dir = this.upperParent(rel);
    try {
      const name = splitRel(rel)[1];
      dir.remove(name);
      if (lowerEntry(this.lowerDirs, rel)) dir.whiteouts([name]);
    } finally {
      dir.close();
    }
    if (this.opaque.delete(rel)) writeOpaque(this.upperDir, this.opaque);
  }
}

/** Gives a copied-up directory the owner, mode and times it has below (through its descriptor's path). */
function copyMetadata(dir: PinnedDir, st: Stats): void {
  if (isRoot()) chownSync(dir.path, st.uid, st.gid);
  chmodSync(dir.path, st.mode & 0o7777);
  utimesSync(dir.path, st.atime, st.mtime);
}

export { dirname };
