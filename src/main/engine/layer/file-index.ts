import type { Header as Headers } from 'tar-stream';
import type { FileType, LayerFile } from '../api.ts';
import { cleanEntryPath } from './tar-safety.ts';

export const WHITEOUT_PREFIX = '.wh.';
export const OPAQUE_WHITEOUT = '.wh..wh..opq';

/**
 * A file-index entry from a tar header. OCI whiteouts become entries of their own type at the
 * path they hide (`a/.wh.b` → whiteout `a/b`; `a/.wh..wh..opq` → opaque `a`).
 */
export function fileFromHeader(header: Headers): LayerFile {
  let path = cleanEntryPath(header.name);
  let type = typeOf(header.type);
  const slash = path.lastIndexOf('/');
  const base = path.slice(slash + 1);
  if (base === OPAQUE_WHITEOUT) {
    type = 'opaque';
    path = slash === -1 ? '' : path.slice(0, slash);
  } else if (base.startsWith(WHITEOUT_PREFIX)) {
    type = 'whiteout';
    path = (slash === -1 ? '' : path.slice(0, slash + 1)) + base.slice(WHITEOUT_PREFIX.length);
  }
  return {
    path,
    type,
    mode: header.mode ?? 0,
    uid: header.uid ?? 0,
    gid: header.gid ?? 0,
    size: type === 'file' ? header.size ?? 0 : 0,
    linkTarget: header.linkname ?? '',
    mtime: header.mtime ? Math.floor(header.mtime.getTime() / 1000) : 0,
  };
}

function typeOf(t: Headers['type']): FileType {
  switch (t) {
    case 'directory': return 'dir';
    case 'symlink': return 'symlink';
    case 'link': return 'hardlink';
    case 'character-device': return 'char';
    case 'block-device': return 'block';
    case 'fifo': return 'fifo';
    default: return 'file';
  }
}

/**
 * What a layer holds on disk as docker counts it (moby's graphdriver `DiffSize`: overlay2 walks
 * the layer's diff directory with pkg/directory `Size`): the sizes of regular files and symlinks
 * (a symlink's size is its target's length), each inode once (a hard link adds nothing), and 0
 * for directories, devices, whiteouts and opaque markers. A path the tar names twice counts once,
 * as the later entry replaced the earlier one on disk.
 */
export function diffSize(files: Iterable<Pick<LayerFile, 'path' | 'type' | 'size' | 'linkTarget'>>): number {
  const byPath = new Map<string, number>();
  for (const f of files) byPath.set(f.path, entryDiskSize(f));
  let total = 0;
  for (const n of byPath.values()) total += n;
  return total;
}

function entryDiskSize(f: Pick<LayerFile, 'type' | 'size' | 'linkTarget'>): number {
  if (f.type === 'file') return f.size;
  if (f.type === 'symlink') return Buffer.byteLength(f.linkTarget);
  return 0;
}
