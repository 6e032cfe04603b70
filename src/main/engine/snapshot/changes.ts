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
import { layerLstat, readOpaque } from './rootfs.ts';
import { PinnedDir, fixedSizeStream, inDir, splitRel, subdirOrUndefined } from './safe-path.ts';

export interface Change {
  kind: 'A' | 'C' | 'D';
  /** Absolute container path: `/etc/passwd`. */
  path: string;
}

/** Lowest-first lower dirs: does `rel` exist in any of them (docker checks each layer alone). */
function lowerStat(lowerDirs: readonly string[], rel: string): BigIntStats | undefined {
  for (let i = lowerDirs.length - 1; i >= 0; i--) {
    const st = layerLstat(lowerDirs[i]!, rel);
    if (st === 'hidden') return undefined;
    if (st) {
      const [parent, name] = splitRel(rel);
      return inDir(lowerDirs[i]!, parent, (dir) => dir.lstatBig(name));
    }
  }
  return undefined;
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
 * What changed in a container, by docker's overlay rules (moby archive.OverlayChanges): walk the
 * upper dir only and consult the lower layers just for the paths found there, so the cost is
 * proportional to the changes. A whiteout or an opaque directory over a lower one is `D`; a path
 * also present below is `C`, except a directory whose size, mode and mtime are unchanged; anything
 * else is `A`. The parent of an added or deleted path is reported `C` once, just before it.
 */
export async function changes(lowerDirs: readonly string[], upperDir: string): Promise<Change[]> {
  const opaque = readOpaque(upperDir);
  const out: Change[] = [];
  const changedDirs = new Set<string>();
  await walkUpper(upperDir, async (dir, rel, name) => {
    const childRel = rel ? `${rel}/${name}` : name;
    const st = dir.lstatBig(name);
    if (!st) return undefined; // removed meanwhile
    const path = `/${childRel}`;
    let kind: Change['kind'] | undefined;
    const below = lowerStat(lowerDirs, childRel);
    if (isWhiteout(st)) kind = 'D';
    else if (st.isDirectory() && opaque.has(childRel) && below) kind = 'D';
    else if (!below) kind = 'A';
    else if (st.isDirectory() && below.isDirectory() && st.size === below.size && st.mode === below.mode && st.mtimeNs === below.mtimeNs) {
      kind = undefined; // only a parent of something that changed
    } else kind = 'C';
    if (kind !== undefined) {
      if (st.isDirectory()) changedDirs.add(path);
      if (kind === 'A' || kind === 'D') {
        const parent = `/${rel}`;
        if (rel !== '' && !changedDirs.has(parent)) {
          out.push({ kind: 'C', path: parent });
          changedDirs.add(parent);
        }
      }
      out.push({ kind, path });
    }
    return st.isDirectory() ? subdirOrUndefined(dir, name) : undefined;
  });
  return out;
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
export async function layerFromUpper(engine: Stores, _lowerDirs: readonly string[], upperDir: string): Promise<IngestedLayer> {
  // With subordinate IDs a non-root container user's files may be closed to the user: pack them inside the namespace.
  return ingestLayer(engine.content, needsUserNamespace() ? streamFromUserNamespace({ op: 'pack', upperDir }) : packUpper(upperDir));
}
