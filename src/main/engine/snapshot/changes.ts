import { closeSync, fstatSync, type BigIntStats, type Stats } from 'node:fs';
import { PassThrough } from 'node:stream';
import * as tar from 'tar-stream';
import type { Header } from 'tar-stream';
import type { Stores } from '../stores.ts';
import { ingestLayer, type IngestedLayer } from '../layer/layer-ingest.ts';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from '../layer/file-index.ts';
import { isWhiteout } from './whiteout.ts';
import { toContainerOwner } from './idmap.ts';
import { needsUserNamespace, streamFromUserNamespace } from './userns.ts';
import { layerLstat, layerReaddir, lowerEntry, readOpaque } from './rootfs.ts';
import { PinnedDir, fixedSizeStream, inDir, splitRel, subdirOrUndefined } from './safe-path.ts';

export interface Change {
  kind: 'A' | 'C' | 'D';
  /** Absolute container path: `/etc/passwd`. */
  path: string;
}

/**
 * The entry `rel` of the read-only layers as the container saw it before it ran (the topmost
 * layer holding it, undefined when absent or whited out), lowest-first input.
 */
function lowerStat(lowerDirs: readonly string[], rel: string): BigIntStats | undefined {
  const found = lowerEntry(lowerDirs, rel);
  if (!found) return undefined;
  const [parent, name] = splitRel(rel);
  return inDir(found.dir, parent, (dir) => dir.lstatBig(name));
}

/** The names directory `rel` held in the read-only layers (merged top-down, whiteouts hide). */
function lowerNames(lowerDirs: readonly string[], rel: string): string[] {
  const seen = new Set<string>();
  const names: string[] = [];
  for (let i = lowerDirs.length - 1; i >= 0; i--) {
    const here = layerReaddir(lowerDirs[i]!, rel);
    if (!here) {
      // not a directory in this layer: it hides what the layers below hold there
      if (layerLstat(lowerDirs[i]!, rel)) break;
      continue;
    }
    for (const name of here) {
      if (seen.has(name)) continue;
      seen.add(name);
      if (lowerEntry(lowerDirs, rel ? `${rel}/${name}` : name)) names.push(name);
    }
  }
  return names;
}

const NS_PER_S = 1_000_000_000n;

/** moby's sameFsTimeSpec: equal seconds, and equal nanoseconds unless one side has none. */
function sameTime(a: bigint, b: bigint): boolean {
  const an = a % NS_PER_S;
  const bn = b % NS_PER_S;
  return a / NS_PER_S === b / NS_PER_S && (an === bn || an === 0n || bn === 0n);
}

/**
 * moby's statDifferent: type and mode, owner, device; for anything but a directory also mtime
 * and size (a directory's size and mtime are no measure of change, moby/moby#9874).
 */
function statDifferent(before: BigIntStats, after: BigIntStats): boolean {
  if (before.mode !== after.mode || before.uid !== after.uid || before.gid !== after.gid || before.rdev !== after.rdev) return true;
  return !after.isDirectory() && (!sameTime(before.mtimeNs, after.mtimeNs) || before.size !== after.size);
}

/** Go's filepath order for a change list: component by component, bytewise. */
function comparePaths(a: string, b: string): number {
  const pa = a.split('/');
  const pb = b.split('/');
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    const c = Buffer.compare(Buffer.from(pa[i]!), Buffer.from(pb[i]!));
    if (c !== 0) return c;
  }
  return pa.length - pb.length;
}

function sortedNames(dir: PinnedDir): string[] {
  // Go's filepath.Walk order: names sorted bytewise.
  return dir.names().sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
}

/** Walks the upper dir depth first in sorted order, every directory pinned (see safe-path.ts). */
async function walkUpper(upperDir: string, visit: (dir: PinnedDir, rel: string, name: string) => Promise<PinnedDir | undefined>): Promise<void> {
  const walk = async (dir: PinnedDir, rel: string): Promise<void> => {
    for (const name of sortedNames(dir)) {
      const sub = await visit(dir, rel, name);
      if (!sub) continue;
      try {
        await walk(sub, rel ? `${rel}/${name}` : name);
      } finally {
        sub.close();
      }
    }
  };
  const root = PinnedDir.open(upperDir);
  try {
    await walk(root, '');
  } finally {
    root.close();
  }
}

/**
 * What changed in a container, as docker reports it (moby archive.ChangesDirs, the comparison of
 * the container's tree with its image's that overlay2 uses where the kernel has redirect_dir, and
 * whose results docker 20.10 prints here too): a path only in the container is `A`, one gone is
 * `D`, one whose stat differs (statDifferent) is `C`, and every directory with a change anywhere
 * below it is `C` too (`C /diamol` beside `C /diamol/ch03.txt`). Only the upper dir is walked,
 * and the layers below consulted just for the paths found there (plus the listing of a directory
 * the container removed and made again), so the cost is proportional to the changes.
 */
export async function changes(lowerDirs: readonly string[], upperDir: string): Promise<Change[]> {
  const opaque = readOpaque(upperDir);
  const found = new Map<string, Change['kind']>();
  await walkUpper(upperDir, async (dir, rel, name) => {
    const childRel = rel ? `${rel}/${name}` : name;
    const st = dir.lstatBig(name);
    if (!st) return undefined; // removed meanwhile
    const below = lowerStat(lowerDirs, childRel);
    if (isWhiteout(st)) {
      if (below) found.set(`/${childRel}`, 'D');
      return undefined;
    }
    if (!below) found.set(`/${childRel}`, 'A');
    else if (statDifferent(below, st)) found.set(`/${childRel}`, 'C');
    if (!st.isDirectory()) return undefined;
    const sub = subdirOrUndefined(dir, name);
    if (sub && below?.isDirectory() && opaque.has(childRel)) {
      // Made again: what the old directory held and the new one does not is gone.
      const now = new Set(sub.names());
      for (const n of lowerNames(lowerDirs, childRel)) if (!now.has(n)) found.set(`/${childRel}/${n}`, 'D');
    }
    return sub;
  });
  // Every directory above a change is changed too, unless it is already listed.
  for (const path of [...found.keys()]) {
    for (let p = path.slice(0, path.lastIndexOf('/')); p !== ''; p = p.slice(0, p.lastIndexOf('/'))) {
      if (found.has(p)) break;
      found.set(p, 'C');
    }
  }
  return [...found].sort(([a], [b]) => comparePaths(a, b)).map(([path, kind]) => ({ kind, path }));
}

/**
 * Streams the upper dir as an OCI layer tar: entries in sorted order, whiteouts as `.wh.name`,
 * opaque directories followed by `.wh..wh..opq`, hardlinks within the layer as links. Timestamps
 * and owners come from the files (as the container sees them, see idmap.ts), so the same upper
 * dir always gives the same bytes.
 */
export function packUpper(upperDir: string): PassThrough {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.on('error', (err: Error) => out.destroy(err));
  pack.pipe(out);
  const opaque = readOpaque(upperDir);
  const inodes = new Map<string, string>();
  const entry = (header: Partial<Header> & { name: string }, body?: string): Promise<void> =>
    new Promise((resolve, reject) => {
      pack.entry(header, body ?? '', (err) => (err ? reject(err) : resolve()));
    });
  const headerOf = (st: Stats): Pick<Header, 'mtime' | 'uid' | 'gid' | 'mode'> => {
    const ids = toContainerOwner(st.uid, st.gid);
    return { mtime: st.mtime, uid: ids.uid, gid: ids.gid, mode: st.mode & 0o7777 };
  };
  const visit = async (dir: PinnedDir, rel: string, name: string): Promise<PinnedDir | undefined> => {
    const childRel = rel ? `${rel}/${name}` : name;
    const st = dir.lstat(name);
    if (!st) return undefined; // removed meanwhile
    if (isWhiteout(st)) {
      const wh = rel ? `${rel}/${WHITEOUT_PREFIX}${name}` : `${WHITEOUT_PREFIX}${name}`;
      await entry({ ...headerOf(st), name: wh, type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0 });
    } else if (st.isDirectory()) {
      const sub = subdirOrUndefined(dir, name);
      if (!sub) return undefined;
      const base = headerOf(fstatSync(sub.fd));
      await entry({ ...base, name: `${childRel}/`, type: 'directory' });
      if (opaque.has(childRel)) await entry({ ...base, name: `${childRel}/${OPAQUE_WHITEOUT}`, type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0 });
      return sub;
    } else if (st.isSymbolicLink()) {
      let target: string;
      try {
        target = dir.readlink(name);
      } catch {
        return undefined; // replaced meanwhile
      }
      await entry({ ...headerOf(st), name: childRel, type: 'symlink', linkname: target });
    } else if (st.isFile()) {
      await fileEntry(dir, name, childRel);
    } else if (st.isFIFO()) {
      await entry({ ...headerOf(st), name: childRel, type: 'fifo' });
    } else if (st.isCharacterDevice() || st.isBlockDevice()) {
      const rdev = st.rdev;
      await entry({
        ...headerOf(st), name: childRel, type: st.isCharacterDevice() ? 'character-device' : 'block-device',
        devmajor: Math.floor(rdev / 256) & 0xfff, devminor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00),
      });
    }
    // Sockets are not part of a layer (docker skips them too).
    return undefined;
  };
  /** A regular file: header and body from the opened descriptor; hard links within the layer as links. */
  const fileEntry = async (dir: PinnedDir, name: string, childRel: string): Promise<void> => {
    const file = dir.openFile(name);
    if (!file) return; // removed or replaced meanwhile
    const { fd, stat } = file;
    const key = `${stat.dev}:${stat.ino}`;
    const first = stat.nlink > 1 ? inodes.get(key) : undefined;
    if (first) {
      closeSync(fd);
      await entry({ ...headerOf(stat), name: childRel, type: 'link', linkname: first });
      return;
    }
    if (stat.nlink > 1) inodes.set(key, childRel);
    await new Promise<void>((resolve, reject) => {
      const w = pack.entry({ ...headerOf(stat), name: childRel, type: 'file', size: stat.size }, (err) => (err ? reject(err) : resolve()));
      fixedSizeStream(fd, stat.size).on('error', reject).pipe(w);
    });
  };
  walkUpper(upperDir, visit).then(
    () => pack.finalize(),
    (err: Error) => out.destroy(err),
  );
  return out;
}

/**
 * The container's changes as a new layer in the content store (uncompressed tar: diff ID = blob
 * digest). An empty change set is a valid, empty layer. Call under `engine.gc.withLease` and
 * record the layer in an image before the lease ends.
 */
export async function layerFromUpper(engine: Pick<Stores, 'content'>, _lowerDirs: readonly string[], upperDir: string): Promise<IngestedLayer> {
  // With subordinate IDs a non-root container user's files may be closed to the user: pack them inside the namespace.
  return ingestLayer(engine.content, needsUserNamespace() ? streamFromUserNamespace({ op: 'pack', upperDir }) : packUpper(upperDir));
}
