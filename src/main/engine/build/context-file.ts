/**
 * Opening files of an untrusted build context (or of a tree the builder unpacked). Every file is
 * opened with O_NOFOLLOW | O_NONBLOCK and judged by fstat of the opened descriptor, never by an
 * earlier lstat: a symlink swapped in is refused, a FIFO or device never blocks the open, and
 * only regular files are ever read. Reads are bounded where the whole file is kept in memory.
 */
import { closeSync, constants, createReadStream, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { Readable } from 'node:stream';
import { StrataError } from '../../../shared/errors.ts';

const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** Flags for a file the builder creates: a new one, never an existing file or a link. */
export const NEW_FILE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** What a context entry is, as BuildKit's context transfer sees it (sockets are never sent). */
export type ContextFileType = 'file' | 'dir' | 'symlink' | 'fifo' | 'char' | 'block' | 'socket';

export function fileTypeOf(st: Stats): ContextFileType {
  if (st.isFile()) return 'file';
  if (st.isDirectory()) return 'dir';
  if (st.isSymbolicLink()) return 'symlink';
  if (st.isFIFO()) return 'fifo';
  if (st.isCharacterDevice()) return 'char';
  if (st.isBlockDevice()) return 'block';
  return 'socket';
}

/** A regular file opened for reading, with the size fstat gave for that descriptor. */
export interface OpenedFile {
  fd: number;
  size: number;
  stats: Stats;
}

/**
 * Opens `path` as a regular file without following a final symlink and without blocking on a
 * FIFO; throws a one-line error naming `what` for anything else. The caller closes `fd`.
 */
export function openRegularFile(path: string, what: string = path): OpenedFile {
  let fd: number;
  try {
    fd = openSync(path, OPEN_FLAGS);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') throw new StrataError('invalid', `${what}: is a symbolic link`, { cause: err });
    if (code === 'ENOENT') throw new StrataError('not-found', `open ${what}: no such file or directory`, { cause: err });
    throw err;
  }
  const stats = fstatSync(fd);
  if (!stats.isFile()) {
    closeSync(fd);
    throw new StrataError('invalid', `${what}: not a regular file (${fileTypeOf(stats)})`);
  }
  return { fd, size: stats.size, stats };
}

/** Reads a whole regular file of at most `limit` bytes (a Dockerfile, an ignore file). */
export function readRegularFile(path: string, limit: number, what: string = path): string {
  const f = openRegularFile(path, what);
  try {
    if (f.size > limit) throw tooLarge(what, limit);
    // The size is fstat's; read one byte more than it to notice a file that grew since.
    const buf = Buffer.alloc(Math.min(f.size, limit) + 1);
    let n = 0;
    for (;;) {
      const got = readSync(f.fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n === buf.length) {
        if (n > limit) throw tooLarge(what, limit);
        break;
      }
    }
    return buf.subarray(0, n).toString('utf8');
  } finally {
    closeSync(f.fd);
  }
}

/** Reads up to `length` bytes from the start of a regular file (archive detection). */
export function readHead(fd: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let n = 0;
  while (n < length) {
    const got = readSync(fd, buf, n, length - n, n);
    if (got === 0) break;
    n += got;
  }
  return buf.subarray(0, n);
}

/**
 * Exactly the `size` bytes fstat reported for an opened file (a file growing meanwhile adds
 * nothing). The stream owns the descriptor from here on and closes it when done or destroyed.
 */
export function streamOpened(f: OpenedFile): Readable {
  if (f.size === 0) {
    closeSync(f.fd);
    return Readable.from([]);
  }
  return createReadStream('', { fd: f.fd, autoClose: true, start: 0, end: f.size - 1 });
}

function tooLarge(what: string, limit: number): StrataError {
  return new StrataError('invalid', `${what}: file too large (more than ${limit} bytes)`);
}
