import { createReadStream, lstatSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import type { RootfsView, RootfsEntry } from '../snapshot/rootfs.ts';

/**
 * `export`: the container's merged filesystem as one flat tar (no whiteouts), streamed entry by
 * entry in sorted order. Like docker's export, a second name of the same file (a hard link that
 * is still one inode on disk) is written as a link to the first name, not as another copy.
 */
export function exportRootfs(view: RootfsView): Readable {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(out);
  const add = (e: RootfsEntry, body?: Readable, linkTo?: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const header = {
        name: e.type === 'dir' ? `${e.path.slice(1)}/` : e.path.slice(1), mode: e.mode, uid: e.uid, gid: e.gid, mtime: new Date(e.mtime * 1000),
      };
      if (e.type === 'dir') pack.entry({ ...header, type: 'directory' }, (err) => (err ? reject(err) : resolve()));
      else if (e.type === 'symlink') pack.entry({ ...header, type: 'symlink', linkname: e.linkTarget }, (err) => (err ? reject(err) : resolve()));
      else if (e.type === 'fifo') pack.entry({ ...header, type: 'fifo' }, (err) => (err ? reject(err) : resolve()));
      else if (e.type === 'file' && linkTo) pack.entry({ ...header, type: 'link', linkname: linkTo }, (err) => (err ? reject(err) : resolve()));
      else if (e.type === 'file' && body) {
        const w = pack.entry({ ...header, type: 'file', size: e.size }, (err) => (err ? reject(err) : resolve()));
        body.on('error', reject).pipe(w);
      } else resolve();
    });
  const names = new Map<string, string>(); // inode → the first exported name of a hard-linked file
  const walk = async (path: string): Promise<void> => {
    for (const e of view.list(path)) {
      if (e.type === 'file') {
        const rel = view.resolve(e.path, false);
        const where = view.entry(rel)!;
        const file = join(where.layer, rel);
        const st = lstatSync(file, { bigint: true });
        const inode = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1n ? names.get(inode) : undefined;
        if (first !== undefined) await add(e, undefined, first);
        else {
          if (st.nlink > 1n) names.set(inode, e.path.slice(1));
          await add(e, createReadStream(file));
        }
      } else await add(e);
      if (e.type === 'dir') await walk(e.path);
    }
  };
  walk('/').then(() => pack.finalize(), (err: Error) => out.destroy(err));
  return out;
}
