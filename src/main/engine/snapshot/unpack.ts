import { createWriteStream, writeFileSync, existsSync, lstatSync, mkdirSync, readlinkSync, rmSync, symlinkSync, linkSync, chmodSync, lchownSync, lutimesSync, copyFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { checkLayerEntry, isUnderDev, LayerPathTracker } from '../layer/tar-safety.ts';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from '../layer/file-index.ts';
import { makeWhiteouts, makeDevice, isRoot } from './whiteout.ts';
import { hostRoot } from './idmap.ts';
import { layerReaddir, lowerEntry } from './rootfs.ts';
import { StrataError } from '../../../shared/errors.ts';

const SMALL_FILE = 1 << 20;

/**
 * Unpacks one layer tar into an empty directory in overlayfs's format: whiteouts become 0:0
 * character devices; an opaque directory becomes whiteouts for every name the layers below hold
 * there (so no xattr is needed — the snapshot is keyed by chain ID, so "below" never changes).
 * Entries are checked like ingest does (no `..`, no absolute paths, nothing written through a
 * symlink of the same layer). Ownership is applied only when running as root, the host's or the
 * user namespace's (userns-worker.ts, subordinate IDs); with a single ID mapping the user owns
 * every file, which appears as root inside the user namespace.
 */
export async function unpackLayer(source: Readable, target: string, lowerDirsBelow: readonly string[]): Promise<void> {
  const tracker = new LayerPathTracker();
  const made = new Set<string>([target]);
  const ensureDir = (dir: string): void => {
    if (made.has(dir)) return;
    mkdirSync(dir, { recursive: true });
    made.add(dir);
  };
  const whiteouts: string[] = [];
  const opaque: string[] = [];
  const dirTimes: { path: string; mtime: Date; mode: number }[] = [];
  const extract = tar.extract();
  const done = pipeline(source, extract);
  done.catch(() => {});
  for await (const entry of extract) {
    const header = entry.header;
    const rel = checkLayerEntry(header, tracker);
    const slash = rel.lastIndexOf('/');
    const base = rel.slice(slash + 1);
    const parentRel = slash === -1 ? '' : rel.slice(0, slash);
    if (rel === '') {
      entry.resume();
      continue;
    }
    if (base === OPAQUE_WHITEOUT) {
      opaque.push(parentRel);
      mkdirSync(join(target, parentRel), { recursive: true });
      entry.resume();
      continue;
    }
    if (base.startsWith(WHITEOUT_PREFIX)) {
      const hidden = join(parentRel, base.slice(WHITEOUT_PREFIX.length));
      mkdirSync(join(target, parentRel), { recursive: true });
      removeExisting(join(target, hidden));
      whiteouts.push(join(target, hidden));
      entry.resume();
      continue;
    }
    const dest = join(target, rel);
    ensureDir(dirname(dest));
    const mode = (header.mode ?? 0o644) & 0o7777;
    const mtime = header.mtime ?? new Date(0);
    switch (header.type) {
      case 'directory': {
        const st = lstatOrUndefined(dest);
        if (st && !st.isDirectory()) removeExisting(dest);
        if (!st || !st.isDirectory()) mkdirSync(dest);
        // The mode is applied at the end: a read-only directory must still take its entries.
        if (isRoot()) lchownSync(dest, header.uid ?? 0, header.gid ?? 0);
        dirTimes.push({ path: dest, mtime, mode });
        entry.resume();
        break;
      }
      case 'file':
      case 'contiguous-file': {
        removeExisting(dest);
        // Most files of a rootfs are small: one synchronous write beats a stream per file.
        if ((header.size ?? 0) <= SMALL_FILE) {
          const chunks: Buffer[] = [];
          for await (const chunk of entry) chunks.push(chunk as Buffer);
          writeFileSync(dest, Buffer.concat(chunks), { mode: 0o600 });
        } else await pipeline(entry, createWriteStream(dest, { mode: 0o600 }));
        applyOwnerMode(dest, header.uid, header.gid, mode);
        lutimesSync(dest, mtime, mtime);
        break;
      }
      case 'symlink':
        removeExisting(dest);
        symlinkSync(header.linkname ?? '', dest);
        if (isRoot()) lchownSync(dest, header.uid ?? 0, header.gid ?? 0);
        lutimesSync(dest, mtime, mtime);
        entry.resume();
        break;
      case 'link': {
        removeExisting(dest);
        const linkRel = checkLinkTarget(header.linkname ?? '');
        const inLayer = join(target, linkRel);
        if (existsSync(inLayer)) linkSync(inLayer, dest);
        else {
          // A hardlink to a file of a lower layer: the link cannot cross snapshots, so copy it.
          const below = lowerEntry(lowerDirsBelow, linkRel);
          if (!below || below.stat.isDirectory()) throw new StrataError('data-loss', `hardlink target not found: ${header.name} -> ${header.linkname}`);
          // lowerEntry never crossed a symlink on the way; the link itself is copied as a link.
          if (below.stat.isSymbolicLink()) {
            symlinkSync(readlinkSync(join(below.dir, linkRel)), dest);
            // A symlink now: later entries of this layer must not be written through it.
            tracker.record(rel, true);
          } else copyFileSync(join(below.dir, linkRel), dest);
        }
        // Like docker's extraction, the link's own header sets owner, mode and times of the file
        // it names (they share one inode); a link to a symlink is left as it is (no lchmod).
        if (!lstatSync(dest).isSymbolicLink()) {
          applyOwnerMode(dest, header.uid, header.gid, mode);
          lutimesSync(dest, mtime, mtime);
        }
        entry.resume();
        break;
      }
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
        }
        entry.resume();
        break;
      default:
        entry.resume();
    }
  }
  await done;
  for (const dir of opaque) whiteouts.push(...hiddenByOpaque(target, dir, lowerDirsBelow));
  makeWhiteouts(whiteouts);
  // Directory times last, deepest first: creating entries inside a directory changes its mtime.
  for (const d of dirTimes.reverse()) {
    chmodSync(d.path, d.mode);
    lutimesSync(d.path, d.mtime, d.mtime);
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
