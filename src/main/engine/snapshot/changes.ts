import { lstatSync, readdirSync, readlinkSync, createReadStream, type BigIntStats } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import * as tar from 'tar-stream';
import type { Header } from 'tar-stream';
import type { Stores } from '../stores.ts';
import { ingestLayer, type IngestedLayer } from '../layer/layer-ingest.ts';
import { OPAQUE_WHITEOUT, WHITEOUT_PREFIX } from '../layer/file-index.ts';
import { isWhiteout } from './whiteout.ts';
import { layerLstat, readOpaque } from './rootfs.ts';

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
    if (st) return lstatSync(join(lowerDirs[i]!, rel), { bigint: true });
  }
  return undefined;
}

function sortedNames(dir: string): string[] {
  // Go's filepath.Walk order: names sorted bytewise.
  return readdirSync(dir).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
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
  const walk = (rel: string): void => {
    for (const name of sortedNames(join(upperDir, rel))) {
      const childRel = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(upperDir, childRel), { bigint: true });
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
      if (st.isDirectory()) walk(childRel);
    }
  };
  walk('');
  return out;
}

/** Host IDs → container IDs: a rootless user's files belong to root inside the user namespace. */
function containerIds(uid: number, gid: number): { uid: number; gid: number } {
  const hostUid = process.getuid?.() ?? 0;
  const hostGid = process.getgid?.() ?? 0;
  if (hostUid === 0) return { uid, gid };
  return { uid: uid === hostUid ? 0 : uid, gid: gid === hostGid ? 0 : gid };
}

/**
 * Streams the upper dir as an OCI layer tar: entries in sorted order, whiteouts as `.wh.name`,
 * opaque directories followed by `.wh..wh..opq`, hardlinks within the layer as links. Timestamps
 * and owners come from the files, so the same upper dir always gives the same bytes.
 */
export function packUpper(upperDir: string): PassThrough {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(out);
  const opaque = readOpaque(upperDir);
  const inodes = new Map<string, string>();
  const entry = (header: Partial<Header> & { name: string }, body?: string): Promise<void> =>
    new Promise((resolve, reject) => {
      pack.entry(header, body ?? '', (err) => (err ? reject(err) : resolve()));
    });
  const walk = async (rel: string): Promise<void> => {
    for (const name of sortedNames(join(upperDir, rel))) {
      const childRel = rel ? `${rel}/${name}` : name;
      const abs = join(upperDir, childRel);
      const st = lstatSync(abs);
      const ids = containerIds(st.uid, st.gid);
      const base = { mtime: st.mtime, uid: ids.uid, gid: ids.gid, mode: st.mode & 0o7777 };
      if (isWhiteout(st)) {
        const wh = rel ? `${rel}/${WHITEOUT_PREFIX}${name}` : `${WHITEOUT_PREFIX}${name}`;
        await entry({ ...base, name: wh, type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0 });
      } else if (st.isDirectory()) {
        await entry({ ...base, name: `${childRel}/`, type: 'directory' });
        if (opaque.has(childRel)) await entry({ ...base, name: `${childRel}/${OPAQUE_WHITEOUT}`, type: 'file', size: 0, mode: 0o644, uid: 0, gid: 0 });
        await walk(childRel);
      } else if (st.isSymbolicLink()) {
        await entry({ ...base, name: childRel, type: 'symlink', linkname: readlinkSync(abs) });
      } else if (st.isFile()) {
        const key = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? inodes.get(key) : undefined;
        if (first) {
          await entry({ ...base, name: childRel, type: 'link', linkname: first });
          continue;
        }
        if (st.nlink > 1) inodes.set(key, childRel);
        await new Promise<void>((resolve, reject) => {
          const w = pack.entry({ ...base, name: childRel, type: 'file', size: st.size }, (err) => (err ? reject(err) : resolve()));
          createReadStream(abs).on('error', reject).pipe(w);
        });
      } else if (st.isFIFO()) {
        await entry({ ...base, name: childRel, type: 'fifo' });
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        const rdev = st.rdev;
        await entry({
          ...base, name: childRel, type: st.isCharacterDevice() ? 'character-device' : 'block-device',
          devmajor: Math.floor(rdev / 256) & 0xfff, devminor: (rdev & 0xff) | ((rdev >> 12) & 0xfff00),
        });
      }
      // Sockets are not part of a layer (docker skips them too).
    }
  };
  walk('').then(
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
  return ingestLayer(engine.content, packUpper(upperDir));
}
