import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, type Readable } from 'node:stream';
import * as tar from 'tar-stream';
import type { RootfsView, RootfsEntry } from '../snapshot/rootfs.ts';

/**
 * `export`: the container's merged filesystem as one flat tar (no whiteouts), streamed entry by
 * entry in sorted order.
 */
export function exportRootfs(view: RootfsView): Readable {
  const pack = tar.pack();
  const out = new PassThrough();
  pack.pipe(out);
  const add = (e: RootfsEntry, body?: Readable): Promise<void> =>
    new Promise((resolve, reject) => {
      const header = {
        name: e.type === 'dir' ? `${e.path.slice(1)}/` : e.path.slice(1), mode: e.mode, uid: e.uid, gid: e.gid, mtime: new Date(e.mtime * 1000),
      };
      if (e.type === 'dir') pack.entry({ ...header, type: 'directory' }, (err) => (err ? reject(err) : resolve()));
      else if (e.type === 'symlink') pack.entry({ ...header, type: 'symlink', linkname: e.linkTarget }, (err) => (err ? reject(err) : resolve()));
      else if (e.type === 'fifo') pack.entry({ ...header, type: 'fifo' }, (err) => (err ? reject(err) : resolve()));
      else if (e.type === 'file' && body) {
        const w = pack.entry({ ...header, type: 'file', size: e.size }, (err) => (err ? reject(err) : resolve()));
        body.on('error', reject).pipe(w);
      } else resolve();
    });
  const walk = async (path: string): Promise<void> => {
    for (const e of view.list(path)) {
      if (e.type === 'file') {
        const rel = view.resolve(e.path, false);
        const where = view.entry(rel)!;
        await add(e, createReadStream(join(where.layer, rel)));
      } else await add(e);
      if (e.type === 'dir') await walk(e.path);
    }
  };
  walk('/').then(() => pack.finalize(), (err: Error) => out.destroy(err));
  return out;
}
