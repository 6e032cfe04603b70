import { createWriteStream, lstatSync, mkdirSync, readdirSync, readlinkSync, symlinkSync, chmodSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RootfsView } from '../snapshot/rootfs.ts';
import { StrataError } from '../../../shared/errors.ts';

/** `cp CONTAINER:SRC DEST`: files, directories and symlinks out of the container; returns bytes copied. */
export async function copyOut(view: RootfsView, src: string, dest: string): Promise<number> {
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
  const copy = async (from: string, to: string): Promise<void> => {
    const e = view.stat(from)!;
    if (e.type === 'dir') {
      mkdirSync(to, { recursive: true });
      for (const child of view.list(from)) await copy(child.path, join(to, child.name));
      chmodSync(to, e.mode);
    } else if (e.type === 'symlink') {
      symlinkSync(e.linkTarget, to);
    } else if (e.type === 'file') {
      await pipeline(view.read(from), createWriteStream(to, { mode: e.mode }));
      chmodSync(to, e.mode);
      bytes += e.size;
    }
  };
  await copy(entry.path, target);
  return bytes;
}

/** `cp SRC CONTAINER:DEST`: host files and directories into the container's writable layer. */
export function copyIn(view: RootfsView, src: string, dest: string): number {
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
