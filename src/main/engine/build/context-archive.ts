/**
 * A build context that arrives as a tar (the Engine API's `/build` body, `docker build -`):
 * unpacked into a private directory with the same checks as layers (no absolute paths, no `..`,
 * nothing written through a symlink of the same archive, hard links only inside), regular files
 * created exclusively. Special files (FIFOs, devices) are skipped: a context never needs them.
 */
import { createWriteStream, linkSync, lutimesSync, mkdirSync, rmSync, symlinkSync, lstatSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { PassThrough, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { StrataError } from '../../../shared/errors.ts';
import { checkLayerEntry, cleanEntryPath, LayerPathTracker } from '../layer/tar-safety.ts';

/** Peeks at the first bytes: gzip is unwrapped; bzip2 and xz are refused with a clear error. */
async function decompressed(source: Readable): Promise<Readable> {
  const it = source[Symbol.asyncIterator]();
  const first = await it.next();
  const head: Buffer = first.done ? Buffer.alloc(0) : Buffer.from(first.value as Uint8Array);
  const rest = new PassThrough();
  void (async () => {
    try {
      rest.write(head);
      for (let r = await it.next(); !r.done; r = await it.next()) if (!rest.write(r.value)) await new Promise((ok) => rest.once('drain', ok));
      rest.end();
    } catch (err) {
      rest.destroy(err as Error);
    }
  })();
  if (head[0] === 0x1f && head[1] === 0x8b) return rest.pipe(createGunzip());
  if (head.subarray(0, 3).toString('latin1') === 'BZh' || (head[0] === 0xfd && head.subarray(1, 6).toString('latin1') === '7zXZ\0')) {
    throw new StrataError('unsupported', 'the build context is compressed with bzip2 or xz: send it as a plain or gzip tar');
  }
  return rest;
}

/** Unpacks a context tar into `dir` (which must be empty and private to the caller). */
export async function unpackContextArchive(source: Readable, dir: string): Promise<void> {
  const tracker = new LayerPathTracker();
  const extract = tar.extract();
  const done = pipeline(await decompressed(source), extract);
  done.catch(() => {});
  const times: { path: string; mtime: Date }[] = [];
  for await (const entry of extract) {
    const header = entry.header;
    const rel = checkLayerEntry(header, tracker);
    if (rel === '') {
      entry.resume();
      continue;
    }
    const dest = join(dir, rel);
    mkdirSync(dirname(dest), { recursive: true, mode: 0o755 });
    // What the archive put here before goes, unless it is a directory staying one: the disk must
    // never keep a symlink the path tracker has forgotten (a later `a/x` would write through it).
    const existing = lstatSync(dest, { throwIfNoEntry: false });
    if (existing && !(existing.isDirectory() && header.type === 'directory')) rmSync(dest, { recursive: existing.isDirectory(), force: true });
    switch (header.type) {
      case 'directory':
        mkdirSync(dest, { recursive: true, mode: 0o755 });
        entry.resume();
        break;
      case 'file':
      case 'contiguous-file':
        await pipeline(entry, createWriteStream(dest, { flags: 'wx', mode: (header.mode ?? 0o644) & 0o777 }));
        break;
      case 'symlink':
        symlinkSync(header.linkname ?? '', dest);
        entry.resume();
        break;
      case 'link': {
        const target = join(dir, cleanEntryPath(header.linkname ?? ''));
        if (!lstatSync(target, { throwIfNoEntry: false })?.isFile()) throw new StrataError('invalid', `hard link to a missing or non-regular file in the build context: ${header.name}`);
        linkSync(target, dest);
        entry.resume();
        break;
      }
      default:
        // FIFOs and devices have no place in a context; docker's context never sends them.
        entry.resume();
        continue;
    }
    if (header.mtime) times.push({ path: dest, mtime: header.mtime });
  }
  await done;
  for (const t of times.reverse()) {
    try {
      lutimesSync(t.path, t.mtime, t.mtime);
    } catch {
      /* a name replaced later in the archive */
    }
  }
}
