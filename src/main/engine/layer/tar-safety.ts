import type { Header as Headers } from 'tar-stream';
import { StrataError } from '../../../shared/errors.ts';

export class HostileArchiveError extends StrataError {
  constructor(message: string) {
    super('data-loss', message);
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

  record(path: string, isSymlink: boolean): void {
    if (isSymlink) this.symlinks.add(path);
    else this.symlinks.delete(path);
  }
}

/**
 * Checks one entry of a layer tar. Symlink targets may be absolute (they resolve inside the
 * rootfs when extracted), but hardlinks must name a path inside the layer's root, and device
 * nodes are allowed only under /dev.
 */
export function checkLayerEntry(header: Headers, tracker: LayerPathTracker): string {
  const path = cleanEntryPath(header.name);
  tracker.checkParents(path, header.name);
  switch (header.type) {
    case 'link': {
      const target = header.linkname ?? '';
      if (target === '') throw new HostileArchiveError(`refusing hardlink with an empty target: ${header.name}`);
      try {
        cleanEntryPath(target);
      } catch {
        throw new HostileArchiveError(`refusing hardlink that escapes the root: ${header.name} -> ${target}`);
      }
      tracker.checkParents(cleanEntryPath(target), target);
      break;
    }
    case 'character-device':
    case 'block-device':
      if (!(path === 'dev' || path.startsWith('dev/'))) {
        throw new HostileArchiveError(`refusing device node outside /dev: ${header.name}`);
      }
      break;
    case 'file':
    case 'contiguous-file':
    case 'directory':
    case 'symlink':
    case 'fifo':
      break;
    default:
      throw new HostileArchiveError(`refusing unsupported tar entry type ${String(header.type)}: ${header.name}`);
  }
  tracker.record(path, header.type === 'symlink');
  return path;
}
