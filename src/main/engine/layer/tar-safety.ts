import type { Header as Headers } from 'tar-stream';

export class HostileArchiveError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'HostileArchiveError';
  }
}

/**
 * Cleans a tar entry name to a relative path without `./` prefixes or trailing slashes, refusing
 * what could land outside the root: absolute paths, `..` components, NUL bytes.
 */
export function cleanEntryPath(name: string): string {
  if (name.includes('\0')) throw new HostileArchiveError(`refusing tar entry with a NUL byte in its name: ${JSON.stringify(name)}`);
  if (name.startsWith('/')) throw new HostileArchiveError(`refusing absolute path in archive: ${name}`);
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') throw new HostileArchiveError(`refusing path that escapes the root: ${name}`);
    parts.push(part);
  }
  return parts.join('/');
}

/** Remembers which paths of a layer are symlinks, to refuse entries written through them. */
export class LayerPathTracker {
  private readonly symlinks = new Set<string>();

  /** Throws when any parent of `path` was a symlink earlier in the same archive. */
  checkParents(path: string, original: string): void {
    let i = path.indexOf('/');
    while (i !== -1) {
      if (this.symlinks.has(path.slice(0, i))) {
        throw new HostileArchiveError(`refusing entry that traverses a symlink: ${original} (${path.slice(0, i)} is a symlink)`);
      }
      i = path.indexOf('/', i + 1);
    }
  }

  isSymlink(path: string): boolean {
    return this.symlinks.has(path);
  }

  record(path: string, isSymlink: boolean): void {
    if (isSymlink) this.symlinks.add(path);
    else this.symlinks.delete(path);
  }
}

/**
 * Checks one entry of a layer tar (and of a tar ADD unpacks). Symlink targets may be absolute
 * (they resolve inside the rootfs when extracted), but hardlinks must name a path inside the
 * layer's root, and nothing may be written through a symlink of the same archive — including a
 * hardlink to such a symlink, which is a symlink too once linked. Device nodes are accepted
 * anywhere, as docker does; only those under /dev are ever created on disk (`isUnderDev`).
 */
export function checkLayerEntry(header: Headers, tracker: LayerPathTracker): string {
  const path = cleanEntryPath(header.name);
  tracker.checkParents(path, header.name);
  let linksToSymlink = false;
  switch (header.type) {
    case 'link': {
      const target = header.linkname ?? '';
      if (target === '') throw new HostileArchiveError(`refusing hardlink with an empty target: ${header.name}`);
      try {
        cleanEntryPath(target);
      } catch {
        throw new HostileArchiveError(`refusing hardlink that escapes the root: ${header.name} -> ${target}`);
      }
      const cleaned = cleanEntryPath(target);
      tracker.checkParents(cleaned, target);
      linksToSymlink = tracker.isSymlink(cleaned);
      break;
    }
    case 'character-device':
    case 'block-device':
    case 'file':
    case 'contiguous-file':
    case 'directory':
    case 'symlink':
    case 'fifo':
      break;
    default:
      throw new HostileArchiveError(`refusing unsupported tar entry type ${String(header.type)}: ${header.name}`);
  }
  tracker.record(path, header.type === 'symlink' || linksToSymlink);
  return path;
}

/**
 * Whether a device node at `path` may be created on disk: under /dev the sandbox mounts its own
 * /dev over it, so the node is never reachable from a container; elsewhere it would be.
 */
export function isUnderDev(path: string): boolean {
  return path === 'dev' || path.startsWith('dev/');
}
