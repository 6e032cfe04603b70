import { createReadStream, type Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import * as tar from 'tar-stream';

type EntryHeader = Partial<tar.Header> & { name: string };

/**
 * A directory as a tar stream (the rootfs of `import DIR`): entries in sorted order, each with its
 * own mode, owner and mtime, so the same tree gives the same diff ID. Symlinks are stored as
 * links and never followed; a file seen twice through hardlinks is stored once and linked;
 * sockets are skipped (docker's archiver does the same).
 */
export function directoryTar(root: string): Readable {
  const pack = tar.pack();
  walkInto(pack, root).then(
    () => pack.finalize(),
    (err: unknown) => pack.destroy(err as Error),
  );
  return pack as unknown as Readable;
}

async function walkInto(pack: tar.Pack, root: string): Promise<void> {
  const seen = new Map<string, string>();
  const add = (header: EntryHeader, data?: Buffer): Promise<void> =>
    new Promise((resolve, reject) => {
      pack.entry(header, data ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve()));
    });

  async function walk(rel: string): Promise<void> {
    const names = (await readdir(rel === '' ? root : join(root, rel))).sort();
    for (const name of names) {
      const path = rel === '' ? name : `${rel}/${name}`;
      const abs = join(root, path);
      const st = await lstat(abs);
      const base = headerOf(path, st);
      if (st.isDirectory()) {
        await add({ ...base, name: `${path}/`, type: 'directory' });
        await walk(path);
      } else if (st.isSymbolicLink()) {
        await add({ ...base, type: 'symlink', linkname: await readlink(abs) });
      } else if (st.isFile()) {
        const inode = `${st.dev}:${st.ino}`;
        const first = st.nlink > 1 ? seen.get(inode) : undefined;
        if (first !== undefined) {
          await add({ ...base, type: 'link', linkname: first });
          continue;
        }
        if (st.nlink > 1) seen.set(inode, path);
        await streamFile(pack, { ...base, type: 'file', size: st.size }, abs);
      } else if (st.isFIFO()) {
        await add({ ...base, type: 'fifo' });
      } else if (st.isCharacterDevice() || st.isBlockDevice()) {
        await add({
          ...base, type: st.isCharacterDevice() ? 'character-device' : 'block-device',
          devmajor: Math.floor(st.rdev / 256), devminor: st.rdev % 256,
        });
      }
      // sockets: skipped
    }
  }
  await walk('');
}

function headerOf(path: string, st: Stats): EntryHeader {
  return { name: path, mode: st.mode & 0o7777, uid: st.uid, gid: st.gid, mtime: new Date(Math.floor(st.mtimeMs / 1000) * 1000), size: 0 };
}

async function streamFile(pack: tar.Pack, header: EntryHeader, abs: string): Promise<void> {
  let entry!: Writable;
  const done = new Promise<void>((resolve, reject) => {
    entry = pack.entry(header, (err) => (err ? reject(err) : resolve())) as unknown as Writable;
  });
  done.catch(() => {});
  for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 })) {
    if (!entry.write(chunk)) await once(entry, 'drain');
  }
  entry.end();
  await done;
}
