import { constants, createReadStream, createWriteStream, fchmodSync, lstatSync, mkdirSync, openSync, readdirSync, readlinkSync, symlinkSync, chmodSync, statSync } from 'node:fs';
import { basename, join, posix } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { RootfsEntry, RootfsView } from '../snapshot/rootfs.ts';
import type { OpenedFile } from '../snapshot/safe-path.ts';

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
  const entry = view.stat(src);
  if (!entry) throw new Error(`Could not find the file ${src} in container`);
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
