import { closeSync } from 'node:fs';
import { PassThrough, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import type { Header } from 'tar-stream';
import type { RootfsView, RootfsEntry } from '../snapshot/rootfs.ts';
import { fixedSizeStream, type OpenedFile } from '../snapshot/safe-path.ts';

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
  const pack = tar.pack();
  const out = new PassThrough();
  pack.on('error', (err: Error) => out.destroy(err));
  pack.pipe(out);
  const add = (header: EntryHeader, body?: Readable): Promise<void> =>
    new Promise((resolve, reject) => {
      const w = pack.entry(header, (err) => (err ? reject(err) : resolve()));
      body?.on('error', reject).pipe(w);
    });
  const headerOf = (e: RootfsEntry): EntryHeader => ({
    name: e.type === 'dir' ? `${e.path.slice(1)}/` : e.path.slice(1), mode: e.mode, uid: e.uid, gid: e.gid, mtime: new Date(e.mtime * 1000),
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
    const header = { ...headerOf(e), mode: stat.mode & 0o7777, uid: stat.uid, gid: stat.gid, mtime: stat.mtime, size: stat.size };
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
  const walk = async (path: string, top: boolean): Promise<void> => {
    let entries: RootfsEntry[];
    try {
      entries = view.list(path, { literal: true });
    } catch (err) {
      if (!top && vanished(err)) return;
      throw err;
    }
    for (const e of entries) {
      if (e.type === 'file') await addFile(e);
      else if (e.type === 'dir') await add({ ...headerOf(e), type: 'directory' });
      else if (e.type === 'symlink') await add({ ...headerOf(e), type: 'symlink', linkname: e.linkTarget });
      else if (e.type === 'fifo') await add({ ...headerOf(e), type: 'fifo' });
      if (e.type === 'dir') await walk(e.path, false);
    }
  };
  walk('/', true).then(() => pack.finalize(), (err: Error) => out.destroy(err));
  return out;
}
