import {
  closeSync, constants, copyFileSync, existsSync, fchmodSync, fchownSync, futimesSync, lchownSync, linkSync, lstatSync, lutimesSync,
  mkdirSync, openSync, readlinkSync, rmSync, symlinkSync, chmodSync, writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { checkLayerEntry, isUnderDev, LayerPathTracker } from '../layer/tar-safety.ts';
import { TarScanner, type TarHeader, type TarVisitor } from '../layer/tar-scan.ts';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from '../layer/file-index.ts';
import { makeWhiteouts, makeDevice, isRoot } from './whiteout.ts';
import { hostRoot } from './idmap.ts';
import { layerReaddir, lowerEntry } from './rootfs.ts';
import { StrataError } from '../../../shared/errors.ts';

/** A new file: never through a link, never over something that exists (that is removed first). */
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW; // libuv adds O_CLOEXEC
const SPECIAL_BITS = 0o7000;
const S_ISGID = 0o2000;

/**
 * Unpacks one layer tar into an empty directory in overlayfs's format: whiteouts become 0:0
 * character devices; an opaque directory becomes whiteouts for every name the layers below hold
 * there (so no xattr is needed — the snapshot is keyed by chain ID, so "below" never changes).
 * Entries are checked like ingest does (no `..`, no absolute paths, nothing written through a
 * symlink of the same layer). Ownership is applied only when running as root, the host's or the
 * user namespace's (userns-worker.ts, subordinate IDs); with a single ID mapping the user owns
 * every file, which appears as root inside the user namespace.
 *
 * The tar is read by the ingest's push parser (layer/tar-scan.ts, so the snapshot holds exactly
 * the entries the file index lists) and each chunk's entries are written synchronously: no stream
 * per entry, and per regular file only open, write, futimes and close unless its owner or mode
 * differ from what creating it gave (as `tar -xf` does). The source is read chunk by chunk, so
 * the event loop still turns between chunks.
 */
export async function unpackLayer(source: AsyncIterable<Uint8Array>, target: string, lowerDirsBelow: readonly string[]): Promise<void> {
  const writer = new LayerWriter(target, lowerDirsBelow);
  const scanner = new TarScanner(writer, { readPastEnd: true });
  try {
    for await (const chunk of source) scanner.push(chunk);
    scanner.finish();
    writer.finish();
  } finally {
    writer.closeOpen();
  }
}

/** The file being written: its descriptor, the body bytes still to come, and what to apply after. */
interface OpenFile {
  fd: number;
  left: number;
  header: TarHeader;
}

class LayerWriter implements TarVisitor {
  private readonly target: string;
  private readonly lowerDirsBelow: readonly string[];
  private readonly tracker = new LayerPathTracker();
  private readonly made: Set<string>;
  private readonly whiteouts: string[] = [];
  private readonly opaque: string[] = [];
  private readonly dirTimes: { path: string; mtime: Date; mode: number }[] = [];
  private open: OpenFile | undefined;
  private readonly root = isRoot();
  /** Who owns what this process creates here, and the mode bits a new file or directory gets. */
  private readonly created: { uid: number; gid: number; umask: number } | undefined;

  constructor(target: string, lowerDirsBelow: readonly string[]) {
    this.target = target;
    this.lowerDirsBelow = lowerDirsBelow;
    this.made = new Set([target]);
    this.created = creationDefaults(target);
  }

  entry(header: TarHeader): void {
    const rel = checkLayerEntry(header, this.tracker);
    if (rel === '') return;
    const slash = rel.lastIndexOf('/');
    const base = rel.slice(slash + 1);
    const parentRel = slash === -1 ? '' : rel.slice(0, slash);
    if (base === OPAQUE_WHITEOUT) {
      this.opaque.push(parentRel);
      mkdirSync(join(this.target, parentRel), { recursive: true });
      return;
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const hidden = join(parentRel, base.slice(WHITEOUT_PREFIX.length));
      mkdirSync(join(this.target, parentRel), { recursive: true });
      removeExisting(join(this.target, hidden));
      this.whiteouts.push(join(this.target, hidden));
      return;
    }
    const dest = join(this.target, rel);
    this.ensureDir(dirname(dest));
    const mode = (header.mode ?? 0o644) & 0o7777;
    switch (header.type) {
      case 'directory':
        this.directory(dest, header, mode);
        break;
      case 'file':
      case 'contiguous-file':
        this.open = { fd: createFile(dest, mode & 0o777), left: header.size ?? 0, header };
        if (this.open.left === 0) this.endFile();
        break;
      case 'symlink':
        makeLink(dest, () => symlinkSync(header.linkname ?? '', dest));
        if (this.root && !this.ownedAsCreated(header)) lchownSync(dest, header.uid ?? 0, header.gid ?? 0);
        lutimesSync(dest, header.mtime ?? new Date(0), header.mtime ?? new Date(0));
        break;
      case 'link':
        this.hardlink(dest, rel, header, mode);
        break;
      case 'character-device':
      case 'block-device':
      case 'fifo':
        removeExisting(dest);
        // Device nodes need CAP_MKNOD; a rootless unpack leaves them out (the sandbox binds /dev anyway).
        // Outside /dev a node would be reachable from the container, which has no device cgroup: the
        // image keeps it, the snapshot does not.
        if ((hostRoot() && isUnderDev(rel)) || header.type === 'fifo') {
          makeDevice(dest, header.type, header.devmajor ?? 0, header.devminor ?? 0);
          applyOwnerMode(dest, header.uid, header.gid, mode);
          lutimesSync(dest, header.mtime ?? new Date(0), header.mtime ?? new Date(0));
        }
        break;
    }
  }

  data(chunk: Uint8Array): void {
    const file = this.open;
    if (!file) return; // the body of an entry that is not written (a whiteout, a device left out)
    let off = 0;
    while (off < chunk.length) off += writeSync(file.fd, chunk, off, chunk.length - off);
    file.left -= chunk.length;
    if (file.left === 0) this.endFile();
  }

  /** Whiteouts, opaque directories, then directory modes and times. */
  finish(): void {
    for (const dir of this.opaque) this.whiteouts.push(...hiddenByOpaque(this.target, dir, this.lowerDirsBelow));
    makeWhiteouts(this.whiteouts);
    // Directory times last, deepest first: creating entries inside a directory changes its mtime.
    const dirDefault = this.created ? 0o777 & ~this.created.umask : -1;
    for (const d of this.dirTimes.reverse()) {
      if (d.mode !== dirDefault) chmodSync(d.path, d.mode);
      lutimesSync(d.path, d.mtime, d.mtime);
    }
  }

  /** Closes a file a failure left open (the caller removes the whole directory). */
  closeOpen(): void {
    if (this.open) closeSync(this.open.fd);
    this.open = undefined;
  }

  private ensureDir(dir: string): void {
    if (this.made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    this.made.add(dir);
  }

  private directory(dest: string, header: TarHeader, mode: number): void {
    try {
      mkdirSync(dest);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      if (!lstatSync(dest).isDirectory()) {
        removeExisting(dest);
        mkdirSync(dest);
      }
    }
    this.made.add(dest);
    // The mode is applied at the end: a read-only directory must still take its entries.
    if (this.root && !this.ownedAsCreated(header)) lchownSync(dest, header.uid ?? 0, header.gid ?? 0);
    this.dirTimes.push({ path: dest, mtime: header.mtime ?? new Date(0), mode });
  }

  /** The body is written: owner and mode where creating it did not give them, then its times. */
  private endFile(): void {
    const { fd, header } = this.open!;
    this.open = undefined;
    try {
      const mode = (header.mode ?? 0o644) & 0o7777;
      // chown first: it clears setuid/setgid bits, which chmod then restores.
      const chowned = this.root && !this.ownedAsCreated(header);
      if (chowned) fchownSync(fd, header.uid ?? 0, header.gid ?? 0);
      if (chowned || !this.created || (mode & SPECIAL_BITS) !== 0 || (mode & this.created.umask) !== 0) fchmodSync(fd, mode);
      const mtime = header.mtime ?? new Date(0);
      futimesSync(fd, mtime, mtime);
    } finally {
      closeSync(fd);
    }
  }

  private hardlink(dest: string, rel: string, header: TarHeader, mode: number): void {
    removeExisting(dest);
    const linkRel = checkLinkTarget(header.linkname ?? '');
    const inLayer = join(this.target, linkRel);
    if (existsSync(inLayer)) linkSync(inLayer, dest);
    else {
      // A hardlink to a file of a lower layer: the link cannot cross snapshots, so copy it.
      const below = lowerEntry(this.lowerDirsBelow, linkRel);
      if (!below || below.stat.isDirectory()) throw new StrataError('data-loss', `hardlink target not found: ${header.name} -> ${header.linkname}`);
      // lowerEntry never crossed a symlink on the way; the link itself is copied as a link.
      if (below.stat.isSymbolicLink()) {
        symlinkSync(readlinkSync(join(below.dir, linkRel)), dest);
        // A symlink now: later entries of this layer must not be written through it.
        this.tracker.record(rel, true);
      } else copyFileSync(join(below.dir, linkRel), dest);
    }
    // Like docker's extraction, the link's own header sets owner, mode and times of the file
    // it names (they share one inode); a link to a symlink is left as it is (no lchmod).
    if (!lstatSync(dest).isSymbolicLink()) {
      applyOwnerMode(dest, header.uid, header.gid, mode);
      const mtime = header.mtime ?? new Date(0);
      lutimesSync(dest, mtime, mtime);
    }
  }

  /** Whether a file made here already has the owner the header gives it. */
  private ownedAsCreated(header: TarHeader): boolean {
    return this.created !== undefined && (header.uid ?? 0) === this.created.uid && (header.gid ?? 0) === this.created.gid;
  }
}

/**
 * What creating an entry under `target` gives it: this process's IDs and umask. Unknown (every
 * owner and mode then applied) when the target directory is set-group-ID, whose group and bit
 * new entries would inherit instead.
 */
function creationDefaults(target: string): { uid: number; gid: number; umask: number } | undefined {
  const st = lstatSync(target);
  if ((st.mode & S_ISGID) !== 0 || !process.geteuid || !process.getegid) return undefined;
  // Reading the umask sets it back at once; this process makes no file meanwhile.
  return { uid: process.geteuid(), gid: process.getegid(), umask: process.umask() };
}

/**
 * Opens a new regular file for writing, created with its final permission bits (the descriptor
 * that created it may write even a read-only file); what the same layer put there before is replaced.
 */
function createFile(dest: string, mode: number): number {
  try {
    return openSync(dest, CREATE, mode);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    removeExisting(dest);
    return openSync(dest, CREATE, mode);
  }
}

/** Makes a symlink (or link), replacing what the same layer put there before. */
function makeLink(dest: string, make: () => void): void {
  try {
    make();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    removeExisting(dest);
    make();
  }
}

function checkLinkTarget(linkname: string): string {
  return linkname.split('/').filter((p) => p && p !== '.').join('/');
}

function hiddenByOpaque(target: string, dir: string, lowerDirsBelow: readonly string[]): string[] {
  const names = new Set<string>();
  for (const lower of lowerDirsBelow) for (const n of layerReaddir(lower, dir) ?? []) names.add(n);
  return [...names].filter((n) => !lstatOrUndefined(join(target, dir, n))).map((n) => join(target, dir, n));
}

function applyOwnerMode(path: string, uid: number | undefined, gid: number | undefined, mode: number): void {
  // chown first: it clears setuid/setgid bits, which chmod then restores.
  if (isRoot()) lchownSync(path, uid ?? 0, gid ?? 0);
  chmodSync(path, mode);
}

function removeExisting(path: string): void {
  // Almost always absent (a fresh directory): a cheap lstat spares rmSync's slower path.
  if (lstatOrUndefined(path)) rmSync(path, { recursive: true, force: true });
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
