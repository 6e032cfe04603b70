import {
  chmodSync, copyFileSync, lchownSync, lstatSync, lutimesSync, mkdirSync, readdirSync, readlinkSync, rmSync, symlinkSync, type Stats,
} from 'node:fs';
import { join } from 'node:path';
import { layerReaddir, lowerEntry, lstatOrUndefined, readOpaque, writeOpaque } from '../snapshot/rootfs.ts';
import { isRoot, isWhiteout, makeWhiteouts } from '../snapshot/whiteout.ts';
import { needsUserNamespace, runInUserNamespace, runInUserNamespaceSync } from '../snapshot/userns.ts';

/**
 * The fallback when overlayfs cannot be mounted: the container runs on a private copy of its
 * merged filesystem, and afterwards the difference is written back into the upper dir in
 * overlayfs's format, so diff, commit and the file view work unchanged. Costs a copy of the image
 * per run; overlayfs is always preferred.
 */
export function materialize(lowerDirs: readonly string[], upperDir: string, target: string): void {
  mkdirSync(target, { recursive: true });
  for (const layer of lowerDirs) applyLayer(layer, target, new Set());
  applyLayer(upperDir, target, readOpaque(upperDir));
}

function copyMetadata(path: string, st: Stats): void {
  if (isRoot()) lchownSync(path, st.uid, st.gid);
  if (!st.isSymbolicLink()) chmodSync(path, st.mode & 0o7777);
  lutimesSync(path, st.atime, st.mtime);
}

function copyEntry(src: string, dest: string, st: Stats): void {
  if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dest);
  else if (st.isFile()) copyFileSync(src, dest);
  else return; // device nodes and sockets are not carried (the sandbox binds /dev)
  copyMetadata(dest, st);
}

function applyLayer(layer: string, target: string, opaque: Set<string>): void {
  const dirTimes: { path: string; st: Stats }[] = [];
  const walk = (rel: string): void => {
    for (const name of readdirSync(join(layer, rel))) {
      const childRel = rel ? `${rel}/${name}` : name;
      const src = join(layer, childRel);
      const dest = join(target, childRel);
      const st = lstatSync(src);
      const existing = lstatOrUndefined(dest);
      if (isWhiteout(st)) {
        if (existing) rmSync(dest, { recursive: true, force: true });
        continue;
      }
      if (st.isDirectory()) {
        if (existing && (!existing.isDirectory() || opaque.has(childRel))) rmSync(dest, { recursive: true, force: true });
        if (!existing?.isDirectory() || opaque.has(childRel)) mkdirSync(dest);
        walk(childRel);
        dirTimes.push({ path: dest, st });
        continue;
      }
      if (existing) rmSync(dest, { recursive: true, force: true });
      copyEntry(src, dest, st);
    }
  };
  walk('');
  for (const d of dirTimes) copyMetadata(d.path, d.st);
}

function sameEntry(a: Stats, b: Stats): boolean {
  const type = (s: Stats): string => (s.isDirectory() ? 'd' : s.isSymbolicLink() ? 'l' : s.isFile() ? 'f' : 'o');
  if (type(a) !== type(b) || a.mode !== b.mode || a.uid !== b.uid || a.gid !== b.gid) return false;
  if (a.isDirectory()) return true;
  return a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/**
 * Rewrites the upper dir as the difference between the copy the container ran on and the
 * lower layers: new or changed entries copied up, removed ones whited out. `skip` are paths the
 * sandbox created as mount points.
 */
export function syncBack(lowerDirs: readonly string[], upperDir: string, root: string, skip: ReadonlySet<string>): void {
  for (const n of readdirSync(upperDir)) rmSync(join(upperDir, n), { recursive: true, force: true });
  const whiteouts: string[] = [];
  const dirTimes: { path: string; st: Stats }[] = [];
  const ensureUpperDir = (rel: string): void => {
    if (rel === '' || lstatOrUndefined(join(upperDir, rel))) return;
    ensureUpperDir(rel.includes('/') ? rel.slice(0, rel.lastIndexOf('/')) : '');
    mkdirSync(join(upperDir, rel));
    dirTimes.push({ path: join(upperDir, rel), st: lstatSync(join(root, rel)) });
  };
  const walk = (rel: string): void => {
    const names = new Set(readdirSync(join(root, rel)));
    for (const name of names) {
      const childRel = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(root, childRel));
      const below = lowerEntry(lowerDirs, childRel);
      if (!below && skip.has(childRel)) continue;
      if (below && sameEntry(st, below.stat)) {
        if (st.isDirectory()) {
          // A mount point's parent (/etc) changes its mtime when the sandbox adds the mount point.
          if (st.mtimeMs !== below.stat.mtimeMs && !skip.has(childRel)) ensureUpperDir(childRel);
          walk(childRel);
        }
        continue;
      }
      ensureUpperDir(rel);
      if (st.isDirectory()) {
        ensureUpperDir(childRel);
        walk(childRel);
      } else copyEntry(join(root, childRel), join(upperDir, childRel), st);
    }
    // Whatever the layers below hold here and the copy no longer does was deleted.
    const lowerNames = new Set<string>();
    for (const l of lowerDirs) for (const n of layerReaddir(l, rel) ?? []) lowerNames.add(n);
    for (const n of lowerNames) {
      const childRel = rel ? `${rel}/${n}` : n;
      if (names.has(n) || !lowerEntry(lowerDirs, childRel)) continue;
      ensureUpperDir(rel);
      whiteouts.push(join(upperDir, childRel));
    }
  };
  walk('');
  makeWhiteouts(whiteouts);
  for (const d of dirTimes.reverse()) copyMetadata(d.path, d.st);
  writeOpaque(upperDir, []);
}

/**
 * materialize and syncBack where the owners can be kept: in the user namespace with subordinate
 * IDs (only its root may give files those owners), else in this process.
 */
export function materializeRootfs(lowerDirs: readonly string[], upperDir: string, target: string): void {
  if (needsUserNamespace()) runInUserNamespaceSync({ op: 'materialize', lowerDirs: [...lowerDirs], upperDir, target });
  else materialize(lowerDirs, upperDir, target);
}

export async function syncBackRootfs(lowerDirs: readonly string[], upperDir: string, root: string, skip: ReadonlySet<string>): Promise<void> {
  if (needsUserNamespace()) await runInUserNamespace({ op: 'sync-back', lowerDirs: [...lowerDirs], upperDir, root, skip: [...skip] });
  else syncBack(lowerDirs, upperDir, root, skip);
}
