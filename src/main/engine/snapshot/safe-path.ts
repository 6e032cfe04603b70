/**
 * File access under a directory whose contents someone else controls: a container's upper dir
 * (written by a running process) and the snapshots of image layers. Nothing here ever follows a
 * symlink on the host: every directory is opened with O_NOFOLLOW and pinned by its descriptor,
 * and the next name is looked up through `/proc/self/fd/<fd>/<name>`, which is how openat()
 * looks in Node (the directory stays the one opened even if the container renames or swaps it).
 * Calls on that last name are the ones that never follow it (lstat, readlink, mkdir, unlink,
 * rename, symlink, open with O_NOFOLLOW); anything done to an opened file goes through its
 * descriptor, and its type and size come from fstat of that descriptor, never from an earlier
 * lstat.
 */
import {
  closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readSync, readdirSync, readlinkSync, renameSync,
  rmdirSync, symlinkSync, unlinkSync, type BigIntStats, type Stats,
} from 'node:fs';
import type { Readable } from 'node:stream';
import { StrataError } from '../../../shared/errors.ts';

const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_DIRECTORY } = constants;
/**
 * Linux's O_PATH (Node does not export it): a handle on the inode itself. It needs no read
 * permission and never opens a FIFO or a device, so a type check can come before the real open.
 */
const O_PATH = 0o10000000;

/** lstat's options for a name that may be gone: undefined rather than an ENOENT error (one object for every call). */
const ABSENT_AS_UNDEFINED = { throwIfNoEntry: false } as const;

/** Path of an open descriptor: opening or walking it reaches exactly that inode. */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

function errno(err: unknown): string | undefined {
  return (err as NodeJS.ErrnoException).code;
}

/** A name that is one component: never '', '.', '..' or something with a slash. */
function checkName(name: string): string {
  if (name === '' || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new StrataError('invalid', `invalid file name ${JSON.stringify(name)}`);
  }
  return name;
}

/** Clean components of a relative path inside a layer (`a//b/` → ['a', 'b']). */
function parts(rel: string): string[] {
  return rel.split('/').filter((p) => p !== '' && p !== '.').map(checkName);
}

/** A regular file opened for reading, with the stat of that very descriptor. */
export interface OpenedFile {
  fd: number;
  stat: Stats;
}

/**
 * A directory held open by its descriptor (O_PATH|O_DIRECTORY|O_NOFOLLOW). Close it when done;
 * `using`-style helpers below do that for one-off calls.
 */
export class PinnedDir {
  readonly fd: number;
  /** `fdPath(fd)/`, made once: a walk looks up every name of a directory through it. */
  private readonly prefix: string;

  private constructor(fd: number) {
    this.fd = fd;
    this.prefix = `${fdPath(fd)}/`;
  }

  /**
   * `root` is a directory of ours (trusted, may be reached through a host symlink); `rel` under
   * it is walked one component at a time, each opened without following a symlink. Throws
   * ENOENT when a component is missing, ENOTDIR/ELOOP when one is not a real directory.
   */
  static open(root: string, rel = ''): PinnedDir {
    let dir = new PinnedDir(openSync(root, O_PATH | O_DIRECTORY));
    for (const name of parts(rel)) {
      try {
        const next = dir.dir(name);
        dir.close();
        dir = next;
      } catch (err) {
        dir.close();
        throw err;
      }
    }
    return dir;
  }

  /** Like open, but undefined when `rel` is absent and 'hidden' when a component is not a directory. */
  static tryOpen(root: string, rel = ''): PinnedDir | undefined | 'hidden' {
    try {
      return PinnedDir.open(root, rel);
    } catch (err) {
      const code = errno(err);
      if (code === 'ENOENT') return undefined;
      if (code === 'ENOTDIR' || code === 'ELOOP') return 'hidden';
      throw err;
    }
  }

  /** The directory itself, for calls that may follow (chmod, chown, utimes, readdir). */
  get path(): string {
    return fdPath(this.fd);
  }

  /** `name` inside this directory, for calls that never follow their last component. */
  child(name: string): string {
    return this.prefix + checkName(name);
  }

  close(): void {
    closeSync(this.fd);
  }

  names(): string[] {
    return readdirSync(this.path);
  }

  lstat(name: string): Stats | undefined {
    try {
      return lstatSync(this.child(name));
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  lstatBig(name: string): BigIntStats | undefined {
    try {
      return lstatSync(this.child(name), { bigint: true });
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw err;
    }
  }

  /**
   * lstat of every entry, each looked up in this directory (never followed), in one loop: the
   * names come from this directory's own listing, so each is one component already; an entry
   * gone meanwhile is skipped. For directories of thousands of files (the blob store).
   */
  lstatEntries(each: (name: string, st: Stats) => void): void {
    for (const name of this.names()) {
      const st = lstatSync(this.prefix + name, ABSENT_AS_UNDEFINED);
      if (st) each(name, st);
    }
  }

  readlink(name: string): string {
    return readlinkSync(this.child(name));
  }

  /** The subdirectory `name`, pinned; ENOTDIR or ELOOP when it is not a real directory (a symlink). */
  dir(name: string): PinnedDir {
    return new PinnedDir(openSync(this.child(name), O_PATH | O_DIRECTORY | O_NOFOLLOW));
  }

  /**
   * Opens `name` for reading when it is a regular file at the moment of opening: undefined when
   * it is absent or anything else (a symlink, a FIFO, a device are never opened for reading).
   */
  openFile(name: string): OpenedFile | undefined {
    let handle: number;
    try {
      handle = openSync(this.child(name), O_PATH | O_NOFOLLOW);
    } catch (err) {
      if (errno(err) === 'ENOENT') return undefined;
      throw err;
    }
    try {
      if (!fstatSync(handle).isFile()) return undefined;
      // Reopening the O_PATH handle reaches the same inode, whatever the name points at now.
      const fd = openSync(fdPath(handle), O_RDONLY);
      return { fd, stat: fstatSync(fd) };
    } finally {
      closeSync(handle);
    }
  }

  /** Creates `name` as a new file (never an existing one, never through a link) open for writing. */
  createFile(name: string, mode: number): number {
    return openSync(this.child(name), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode);
  }

  mkdir(name: string, mode = 0o755): void {
    mkdirSync(this.child(name), { mode });
  }

  symlink(name: string, target: string): void {
    symlinkSync(target, this.child(name));
  }

  /** Renames within this directory (rename never follows either name). */
  rename(from: string, to: string): void {
    renameSync(this.child(from), this.child(to));
  }

  /** Removes `name` and, for a directory, everything below it, without following any link. */
  remove(name: string): void {
    const st = this.lstat(name);
    if (!st) return;
    if (!st.isDirectory()) {
      unlinkSync(this.child(name));
      return;
    }
    const sub = this.dir(name);
    try {
      for (const n of sub.names()) sub.remove(n);
    } finally {
      sub.close();
    }
    rmdirSync(this.child(name));
  }

  /**
   * Creates overlayfs whiteouts (0:0 character devices) for `names` in this directory. Node has
   * no mknod: one `mknod` process does them, working in this very directory (passed as fd 3).
   */
  whiteouts(names: readonly string[]): void {
    if (names.length === 0) return;
    names.forEach(checkName);
    const res = process.getBuiltinModule('node:child_process').spawnSync('/bin/sh', ['-c', 'cd /proc/self/fd/3 && for p; do mknod "./$p" c 0 0 || exit 1; done', 'sh', ...names], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe', this.fd],
    });
    if (res.status !== 0) throw new Error(`cannot create whiteout: ${(res.stderr || res.error?.message || '').trim()}`);
  }
}

/** Runs `fn` on the pinned directory `rel` of `root` and closes it. */
export function inDir<T>(root: string, rel: string, fn: (dir: PinnedDir) => T): T {
  const dir = PinnedDir.open(root, rel);
  try {
    return fn(dir);
  } finally {
    dir.close();
  }
}

/**
 * The subdirectory `name` of `dir`, pinned, or undefined when a running container removed it or
 * swapped it for something else since it was listed (skipped, like a file that vanished).
 */
export function subdirOrUndefined(dir: PinnedDir, name: string): PinnedDir | undefined {
  try {
    return dir.dir(name);
  } catch (err) {
    const code = errno(err);
    if (code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP') return undefined;
    throw err;
  }
}

/**
 * What `walkTree` calls for each entry: its path under the root, its lstat, and the pinned
 * directory it was found in with its name there. True descends into a directory.
 */
export type TreeVisitor = (rel: string, st: Stats, dir: PinnedDir, name: string) => boolean;

/**
 * Visits every entry under `root` depth first, each lstat'ed in its pinned directory; descends
 * into a directory when `visit` returns true. Entries that vanish meanwhile are skipped.
 */
export function walkTree(root: string, visit: TreeVisitor): void {
  const top = PinnedDir.open(root);
  try {
    walkDir(top, '', visit);
  } finally {
    top.close();
  }
}

/** `walkTree` below a directory already pinned, found at `rel` under the walk's root. */
export function walkDir(dir: PinnedDir, rel: string, visit: TreeVisitor): void {
  for (const name of dir.names()) {
    const st = dir.lstat(name);
    const childRel = rel ? `${rel}/${name}` : name;
    if (!st || !visit(childRel, st, dir, name) || !st.isDirectory()) continue;
    walkSubdir(dir, name, childRel, visit);
  }
}

/** `walkDir` below the subdirectory `name` of `dir`, found at `rel` (skipped when gone or swapped meanwhile). */
export function walkSubdir(dir: PinnedDir, name: string, rel: string, visit: TreeVisitor): void {
  const sub = subdirOrUndefined(dir, name);
  if (!sub) return;
  try {
    walkDir(sub, rel, visit);
  } finally {
    sub.close();
  }
}

/** Splits a clean relative path into its parent and last name ('a/b/c' → ['a/b', 'c']). */
export function splitRel(rel: string): [string, string] {
  const i = rel.lastIndexOf('/');
  return i === -1 ? ['', rel] : [rel.slice(0, i), rel.slice(i + 1)];
}

/**
 * lstat of `rel` inside `root` without following any link: undefined when absent, 'hidden' when
 * a parent is not a real directory.
 */
export function lstatIn(root: string, rel: string): Stats | undefined | 'hidden' {
  const [parent, name] = splitRel(rel);
  if (name === '') return lstatSync(root);
  const dir = PinnedDir.tryOpen(root, parent);
  if (dir === undefined || dir === 'hidden') return dir;
  try {
    return dir.lstat(name);
  } catch (err) {
    if (errno(err) === 'ENOTDIR') return 'hidden';
    throw err;
  } finally {
    dir.close();
  }
}

/** Reads at most `max` bytes of an open file from its start. */
export function readUpTo(fd: number, max: number): Buffer {
  const buf = Buffer.alloc(max);
  let n = 0;
  while (n < max) {
    const got = readSync(fd, buf, n, max - n, n);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

/**
 * Exactly `size` bytes of an open file, for a tar entry whose header already says `size`: a file
 * a running container grows meanwhile is cut at that size, one it shrinks is padded with zeros,
 * so the archive stays valid. Closes the descriptor when done or destroyed.
 */
export function fixedSizeStream(fd: number, size: number): Readable {
  let pos = 0;
  let closed = false;
  const close = (): void => {
    if (!closed) {
      closed = true;
      closeSync(fd);
    }
  };
  const { Readable } = process.getBuiltinModule('node:stream');
  return new Readable({
    highWaterMark: 1 << 16,
    read(want) {
      if (pos >= size) {
        close();
        this.push(null);
        return;
      }
      const buf = Buffer.alloc(Math.min(want, size - pos));
      let got: number;
      try {
        got = readSync(fd, buf, 0, buf.length, pos);
      } catch (err) {
        this.destroy(err as Error);
        return;
      }
      // A file cut short meanwhile: the rest reads as zeros.
      const chunk = got === 0 ? buf : buf.subarray(0, got);
      pos += chunk.length;
      this.push(chunk);
    },
    destroy(err, cb) {
      close();
      cb(err);
    },
  });
}
