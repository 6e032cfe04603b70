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
