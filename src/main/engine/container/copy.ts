import {
  constants, createReadStream, createWriteStream, fchmodSync, lstatSync, mkdirSync, mkdtempSync, openSync, readdirSync, readlinkSync, symlinkSync, chmodSync,
  statSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, posix } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { removeTree, type RootfsEntry, type RootfsView } from '../snapshot/rootfs.ts';
import { fixedSizeStream, type OpenedFile } from '../snapshot/safe-path.ts';
import { needsUserNamespace, runInUserNamespace, runInUserNamespaceSync, streamFromUserNamespace } from '../snapshot/userns.ts';
import { cleanEntryPath } from '../layer/tar-safety.ts';
import { StrataError } from '../../../shared/errors.ts';

/** Errors that mean a running container removed or replaced an entry since it was listed. */
function vanished(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EISDIR' || code === 'not-found' || code === 'invalid';
}

/**
 * `cp CONTAINER:SRC DEST`: files, directories and symlinks out of the container; returns bytes
 * copied. Below SRC the walk follows no link at all, files are read through their opened
 * descriptor, and an entry a running container removes or replaces meanwhile is skipped.
 */
export async function copyOut(view: RootfsView, src: string, dest: string): Promise<number> {
  if (needsUserNamespace()) return Number(await runInUserNamespace({ op: 'copy-out', lowerDirs: [...view.lowerDirs], upperDir: view.upperDir, src, dest }));
  const entry = view.stat(src);
  if (!entry) throw new StrataError('not-found', `Could not find the file ${src} in container`);
  const destIsDir = (() => {
    try {
      return statSync(dest).isDirectory();
    } catch {
      return false;
    }
  })();
  const target = destIsDir ? join(dest, posix.basename(entry.path) || 'root') : dest;
  let bytes = 0;
  const copyFile = async (from: string, to: string): Promise<void> => {
    let file: OpenedFile;
    try {
      file = view.openFile(from, { literal: true });
    } catch (err) {
      if (vanished(err)) return;
      throw err;
    }
    const mode = file.stat.mode & 0o7777;
    const out = openSync(to, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, mode);
    fchmodSync(out, mode);
    await pipeline(createReadStream('', { fd: file.fd }), createWriteStream('', { fd: out }));
    bytes += file.stat.size;
  };
  const copy = async (e: RootfsEntry, to: string): Promise<void> => {
    if (e.type === 'dir') {
      mkdirSync(to, { recursive: true });
      let children: RootfsEntry[] = [];
      try {
        children = view.list(e.path, { literal: true });
      } catch (err) {
        if (!vanished(err)) throw err;
      }
      for (const child of children) await copy(child, join(to, child.name));
      chmodSync(to, e.mode);
    } else if (e.type === 'symlink') {
      symlinkSync(e.linkTarget, to);
    } else if (e.type === 'file') {
      await copyFile(e.path, to);
    }
  };
  await copy(entry, target);
  return bytes;
}

/** `cp SRC CONTAINER:DEST`: host files and directories into the container's writable layer. */
export function copyIn(view: RootfsView, src: string, dest: string): number {
  if (needsUserNamespace()) return Number(runInUserNamespaceSync({ op: 'copy-in', lowerDirs: [...view.lowerDirs], upperDir: view.upperDir, src, dest }));
  const existing = view.stat(dest);
  const target = existing?.type === 'dir' ? posix.join(existing.path, basename(src)) : dest;
  let bytes = 0;
  const copy = (from: string, to: string): void => {
    const st = lstatSync(from);
    if (st.isDirectory()) {
      view.mkdir(to, st.mode & 0o7777);
      for (const name of readdirSync(from)) copy(join(from, name), posix.join(to, name));
    } else if (st.isSymbolicLink()) {
      view.symlink(to, readlinkSync(from));
    } else if (st.isFile()) {
      view.copyIn(to, from, st.mode);
      bytes += st.size;
    }
  };
  copy(src, target);
  return bytes;
}

/**
 * `cp CONTAINER:SRC -`: SRC as a tar stream, its entries named from SRC's base name down
 * (`in/`, `in/hello.txt`) as docker's archive does. Like copyOut, below SRC no link is followed,
 * each file is read through its opened descriptor (its size from that descriptor's stat), and
 * what a running container removes meanwhile is left out. Device nodes and sockets are left out
 * as `cp` leaves them out.
 */
export function archiveOut(view: RootfsView, src: string): Readable {
  if (needsUserNamespace()) return streamFromUserNamespace({ op: 'archive-out', lowerDirs: [...view.lowerDirs], upperDir: view.upperDir, src });
  const entry = view.stat(src);
  if (!entry) throw new StrataError('not-found', `Could not find the file ${src} in container`);
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(out);
  const put = (header: Parameters<tar.Pack['entry']>[0], body?: Readable): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = pack.entry(header, (err) => (err ? reject(err) : resolve()));
      body?.on('error', reject).pipe(w);
    });
  const add = async (e: RootfsEntry, name: string): Promise<void> => {
    const header = { name, mode: e.mode & 0o7777, uid: e.uid, gid: e.gid, mtime: new Date(e.mtime * 1000) };
    if (e.type === 'dir') {
      await put({ ...header, name: `${name}/`, type: 'directory' });
      let children: RootfsEntry[] = [];
      try {
        children = view.list(e.path, { literal: true });
      } catch (err) {
        if (!vanished(err)) throw err;
      }
      for (const child of children) await add(child, `${name}/${child.name}`);
    } else if (e.type === 'symlink') {
      await put({ ...header, type: 'symlink', linkname: e.linkTarget });
    } else if (e.type === 'file') {
      let file: OpenedFile;
      try {
        file = view.openFile(e.path, { literal: true });
      } catch (err) {
        if (vanished(err)) return;
        throw err;
      }
      await put({ ...header, type: 'file', size: file.stat.size }, fixedSizeStream(file.fd, file.stat.size));
    }
  };
  add(entry, posix.basename(entry.path) || '.').then(() => pack.finalize(), (err: Error) => out.destroy(err));
  return out;
}

/**
 * `cp - CONTAINER:DEST`: extracts a tar stream into the directory DEST of the container's
 * writable layer; returns the bytes of file content written. Entry names are cleaned (no
 * absolute paths, no `..`); every path, link targets included, resolves inside the rootfs.
 */
export async function extractIn(view: RootfsView, source: AsyncIterable<Uint8Array> | Readable, dest: string, container: string): Promise<number> {
  if (needsUserNamespace()) return Number(await runInUserNamespace({ op: 'extract-in', lowerDirs: [...view.lowerDirs], upperDir: view.upperDir, dest, container }, source));
  const dir = view.stat(dest);
  if (dir?.type !== 'dir') throw new StrataError('invalid', `destination "${container}:${dest}" must be a directory`);
  const scratch = mkdtempSync(join(tmpdir(), 'strata-cp-'));
  const extract = tar.extract();
  const done = pipeline(source, extract);
  let bytes = 0;
  try {
    for await (const item of extract) {
      const h = item.header;
      const rel = cleanEntryPath(h.name);
      const to = posix.join(dir.path, rel);
      if (rel === '' || h.type === 'directory') {
        if (rel !== '') view.mkdir(to, (h.mode ?? 0o755) & 0o7777);
        item.resume();
      } else if (h.type === 'symlink') {
        view.symlink(to, h.linkname ?? '');
        item.resume();
      } else if (h.type === 'file' || h.type === 'contiguous-file') {
        bytes += await writeEntry(view, item as unknown as AsyncIterable<Uint8Array>, to, (h.mode ?? 0o644) & 0o7777, scratch);
      } else if (h.type === 'link') {
        const from = posix.join(dir.path, cleanEntryPath(h.linkname ?? ''));
        const target = view.stat(from);
        if (target?.type !== 'file') throw new StrataError('data-loss', `hard link ${h.name} points at ${h.linkname}, which is not a file in the archive`);
        bytes += await writeEntry(view, view.read(from), to, target.mode & 0o7777, scratch);
        item.resume();
      } else {
        item.resume();
      }
    }
    await done;
  } catch (err) {
    extract.destroy();
    await done.catch(() => {});
    throw err;
  } finally {
    removeTree(scratch);
  }
  return bytes;
}

/** One file's content into the container: through a private temp file (O_EXCL), then copied up. */
async function writeEntry(view: RootfsView, content: Readable | AsyncIterable<Uint8Array>, to: string, mode: number, scratch: string): Promise<number> {
  const tmp = join(scratch, 'entry');
  await pipeline(content, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
  const size = statSync(tmp).size;
  view.copyIn(to, tmp, mode);
  removeTree(tmp);
  return size;
}
