import { createReadStream, type Dirent } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { decompressor, detectCompression } from '../layer/layer-ingest.ts';
import { cleanEntryPath, HostileArchiveError } from '../layer/tar-safety.ts';
import { StrataError } from '../../../shared/errors.ts';

/**
 * One member of an image archive (a `docker save` tar, an OCI layout tar or directory), with its
 * name cleaned to a relative path. Links are aliases: `docker save` writes repeated layers as
 * symlinks to the first copy.
 */
export type ArchiveEntry =
  | { kind: 'dir'; name: string }
  | { kind: 'file'; name: string; size: number; body: AsyncIterable<Uint8Array> }
  | { kind: 'alias'; name: string; target: string };

export class TruncatedArchiveError extends StrataError {
  constructor(detail: string) {
    super('data-loss', `truncated archive: ${detail}`);
  }
}

/** Reads at least `n` bytes (or all there is) and hands back the head plus the whole stream again. */
export async function peek(source: AsyncIterable<Uint8Array>, n: number): Promise<{ head: Buffer; stream: AsyncIterable<Uint8Array> }> {
  const it = source[Symbol.asyncIterator]();
  const chunks: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < n) {
    const r = await it.next();
    if (r.done) {
      done = true;
      break;
    }
    const c = Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
    chunks.push(c);
    have += c.length;
  }
  const head = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  async function* rest(): AsyncGenerator<Uint8Array> {
    if (head.length > 0) yield head;
    if (done) return;
    for (;;) {
      const r = await it.next();
      if (r.done) return;
      yield r.value;
    }
  }
  return { head, stream: rest() };
}

/**
 * The entries of an archive tar, read in one pass. A gzip- or zstd-compressed archive (as
 * `docker save | gzip` makes) is decompressed on the way. The consumer must drain each file's
 * body before asking for the next entry.
 */
export async function* tarEntries(source: AsyncIterable<Uint8Array>): AsyncGenerator<ArchiveEntry> {
  const { head, stream } = await peek(source, 512);
  if (head.length === 0) throw new StrataError('invalid', 'archive is empty (0 bytes)');
  const extract = tar.extract();
  const feed = pipeline(Readable.from(stream, { objectMode: false }), decompressor(detectCompression(head)), extract);
  let feedError: unknown;
  feed.catch((err: unknown) => {
    feedError = err;
  });
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const name = cleanEntryPath(h.name);
      if (h.type === 'directory') {
        entry.resume();
        yield { kind: 'dir', name };
      } else if (h.type === 'symlink') {
        entry.resume();
        yield { kind: 'alias', name, target: resolveLink(name, h.linkname ?? '', true) };
      } else if (h.type === 'link') {
        entry.resume();
        yield { kind: 'alias', name, target: resolveLink(name, h.linkname ?? '', false) };
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        yield { kind: 'file', name, size: h.size ?? 0, body: entry as unknown as AsyncIterable<Uint8Array> };
        entry.resume(); // whatever the consumer left unread
      } else {
        throw new HostileArchiveError(`refusing unsupported entry type ${String(h.type)} in archive: ${h.name}`);
      }
    }
    await feed;
  } catch (err) {
    throw archiveError(feedError ?? err);
  } finally {
    extract.destroy();
  }
}

/** Where a link inside the archive points, as a clean archive path; never outside the archive. */
function resolveLink(name: string, linkname: string, symbolic: boolean): string {
  if (linkname === '') throw new HostileArchiveError(`refusing link with an empty target in archive: ${name}`);
  if (linkname.startsWith('/')) throw new HostileArchiveError(`refusing link that escapes the archive: ${name} -> ${linkname}`);
  const joined = symbolic ? posix.normalize(posix.join(posix.dirname(name), linkname)) : posix.normalize(linkname);
  if (joined === '..' || joined.startsWith('../')) throw new HostileArchiveError(`refusing link that escapes the archive: ${name} -> ${linkname}`);
  return cleanEntryPath(joined);
}

export function archiveError(err: unknown): Error {
  const e = err instanceof Error ? err : new Error(String(err));
  if (e instanceof HostileArchiveError || e instanceof TruncatedArchiveError) return e;
  if (/Unexpected end of data|unexpected end of file|Z_BUF_ERROR|premature close/i.test(e.message)) {
    return new TruncatedArchiveError(e.message);
  }
  if (/Invalid tar header/i.test(e.message)) return new StrataError('invalid', `archive is not a valid tar file: ${e.message}`);
  return e;
}

/**
 * The entries of an OCI layout directory, in sorted order. Symlinks are aliases inside the
 * directory (never followed outside it); other special files are refused.
 */
export async function* directoryEntries(root: string): AsyncGenerator<ArchiveEntry> {
  async function* walk(rel: string): AsyncGenerator<ArchiveEntry> {
    const dirents: Dirent[] = await readdir(rel === '' ? root : join(root, rel), { withFileTypes: true });
    dirents.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const d of dirents) {
      const name = rel === '' ? d.name : `${rel}/${d.name}`;
      const abs = join(root, name);
      if (d.isDirectory()) {
        yield { kind: 'dir', name };
        yield* walk(name);
      } else if (d.isSymbolicLink()) {
        yield { kind: 'alias', name, target: resolveLink(name, await readlink(abs), true) };
      } else if (d.isFile()) {
        const st = await lstat(abs);
        yield { kind: 'file', name, size: st.size, body: createReadStream(abs, { highWaterMark: 1 << 20 }) };
      } else {
        throw new HostileArchiveError(`refusing special file in image layout: ${name}`);
      }
    }
  }
  yield* walk('');
}
