import { closeSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import type { Header } from 'tar-stream';
import type { RootfsView, RootfsEntry } from '../snapshot/rootfs.ts';
import { fixedSizeStream, type OpenedFile } from '../snapshot/safe-path.ts';
import { toContainerOwner } from '../snapshot/idmap.ts';
import { needsUserNamespace, streamFromUserNamespace } from '../snapshot/userns.ts';
import { posix } from 'node:path';
import { StrataError } from '../../../shared/errors.ts';

type EntryHeader = Partial<Header> & { name: string };

/** Errors that mean a running container removed or replaced the entry since it was listed. */
function vanished(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' || code === 'ENOTDIR' || code === 'ELOOP' || code === 'EISDIR' || code === 'not-found' || code === 'invalid';
}

/**
 * `export`: the container's merged filesystem as one flat tar (no whiteouts), streamed entry by
 * entry in sorted order. The container may be running: a file or directory it removes or
 * replaces meanwhile is skipped (as docker's archiver does), a file's header and body come from
 * its opened descriptor, and nothing is ever read through a link on the host. Like docker's
 * export, a second name of the same file (a hard link still one inode on disk) is written as a
 * link to the first name, not as another copy.
 */
export function exportRootfs(view: RootfsView): Readable {
  if (needsUserNamespace()) return streamFromUserNamespace({ op: 'export', lowerDirs: [...view.lowerDirs], upperDir: view.upperDir });
  return archiveTree(view, '/', '');
}

/**
 * `GET /containers/{id}/archive` and `cp CONTAINER:PATH -`: the entry at `path` (a directory with
 * everything below it) as a tar whose names start with the entry's base name, as docker's
 * archiver writes it; the same rules as `export` for a running container.
 */
export function archivePath(view: RootfsView, path: string): Readable {
  const entry = view.stat(path);
  if (!entry) throw new StrataError('not-found', `Could not find the file ${path} in container`);
  const base = posix.basename(entry.path) || '.';
  return archiveTree(view, entry.path, base, entry);
}

/** The tar of `from` (its children when `top` is undefined), each name `prefix` + the path below `from`. */
function archiveTree(view: RootfsView, from: string, prefix: string, top?: RootfsEntry): Readable {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.on('error', (err: Error) => out.destroy(err));
  pack.pipe(out);
  const add = (header: EntryHeader, body?: Readable): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = pack.entry(header, (err) => (err ? reject(err) : resolve()));
      body?.on('error', reject).pipe(w);
    });
  const nameOf = (p: string): string => {
    const below = from === '/' ? p.slice(1) : p.slice(from.length + 1);
    return prefix && below ? `${prefix}/${below}` : prefix || below;
  };
  const headerOf = (e: RootfsEntry): EntryHeader => ({
    name: e.type === 'dir' ? `${nameOf(e.path)}/` : nameOf(e.path), mode: e.mode, uid: e.uid, gid: e.gid, mtime: new Date(e.mtime * 1000),
  });
  const linked = new Map<string, string>(); // inode → the first exported name of a hard-linked file
  const addFile = async (e: RootfsEntry): Promise<void> => {
    let file: OpenedFile;
    try {
      file = view.openFile(e.path, { literal: true });
    } catch (err) {
      if (vanished(err)) return;
      throw err;
    }
    const { fd, stat } = file;
    const header = { ...headerOf(e), mode: stat.mode & 0o7777, ...toContainerOwner(stat.uid, stat.gid), mtime: stat.mtime, size: stat.size };
    const inode = `${stat.dev}:${stat.ino}`;
    const first = stat.nlink > 1 ? linked.get(inode) : undefined;
    if (first !== undefined) {
      closeSync(fd);
      await add({ ...header, size: 0, type: 'link', linkname: first });
      return;
    }
    if (stat.nlink > 1) linked.set(inode, header.name);
    await add({ ...header, type: 'file' }, fixedSizeStream(fd, stat.size));
  };
  const addEntry = async (e: RootfsEntry): Promise<void> => {
    if (e.type === 'file') await addFile(e);
    else if (e.type === 'dir') await add({ ...headerOf(e), type: 'directory' });
    else if (e.type === 'symlink') await add({ ...headerOf(e), type: 'symlink', linkname: e.linkTarget });
    else if (e.type === 'fifo') await add({ ...headerOf(e), type: 'fifo' });
  };
  const walk = async (path: string, isTop: boolean): Promise<void> => {
    let entries: RootfsEntry[];
    try {
      entries = view.list(path, { literal: true });
    } catch (err) {
      if (!isTop && vanished(err)) return;
      throw err;
    }
    for (const e of entries) {
      await addEntry(e);
      if (e.type === 'dir') await walk(e.path, false);
    }
  };
  const run = async (): Promise<void> => {
    if (top) await addEntry(top);
    if (!top || top.type === 'dir') await walk(from, true);
  };
  run().then(() => pack.finalize(), (err: Error) => out.destroy(err));
  return out;
}
