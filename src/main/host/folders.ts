/**
 * The build panel's folder browser for the browser host, which cannot open a native dialog:
 * folders under the user's home only. A path is resolved (`~` is home), opened as a directory
 * without following a final link, and the opened descriptor's own path is checked to be inside
 * home, so a link swapped in meanwhile cannot take the listing elsewhere. Links inside are not
 * listed as folders (they are not followed). Recent folders are the contexts of recent builds.
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { BuildHistory } from '../engine/build/history-store.ts';
import type { FolderListing } from '../../shared/contract.ts';
import { StrataError } from '../../shared/errors.ts';

/** A listing shows at most this many folders (the rest are counted as left out). */
export const MAX_FOLDERS = 2000;

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** `~`, `~/x` and absolute paths; '' is home. */
function expand(path: string, home: string): string {
  const p = path.trim();
  if (p === '' || p === '~') return home;
  if (p.startsWith('~/')) return join(home, p.slice(2));
  if (!isAbsolute(p)) throw new StrataError('invalid', `not an absolute path: ${p} (start with / or ~)`);
  return resolve(p);
}

/** The directory the descriptor is open on (Linux's /proc), else the path it was opened by. */
function openedPath(fd: number, fallback: string): string {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return fallback;
  }
}

function holdsDockerfile(dir: string): boolean {
  try {
    return lstatSync(join(dir, 'Dockerfile')).isFile();
  } catch {
    return false;
  }
}

export function listFolders(path: string, home = homedir()): FolderListing {
  const root = realpathSync(home);
  const asked = expand(path, root);
  let real: string;
  try {
    real = realpathSync(asked);
  } catch {
    throw new StrataError('not-found', `no such folder: ${path}`);
  }
  if (!inside(root, real)) throw new StrataError('permission-denied', `${path} is outside your home folder (${root}): type its path instead`);
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch {
    throw new StrataError('not-found', `not a folder: ${path}`);
  }
  try {
    const dir = openedPath(fd, real);
    if (!fstatSync(fd).isDirectory() || !inside(root, dir)) throw new StrataError('permission-denied', `${path} is outside your home folder (${root})`);
    const names = readdirSync(existsSync(`/proc/self/fd/${fd}`) ? `/proc/self/fd/${fd}` : dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
      .map((e) => e.name)
      .sort((a, b) => a.localeCompare(b));
    const shown = names.slice(0, MAX_FOLDERS);
    return {
      path: dir,
      home: root,
      parent: dir === root ? null : resolve(dir, '..'),
      dockerfile: holdsDockerfile(dir),
      folders: shown.map((name) => ({ name, dockerfile: holdsDockerfile(join(dir, name)) })),
      leftOut: names.length - shown.length,
    };
  } finally {
    closeSync(fd);
  }
}

/** The contexts of the latest builds (from the CLI too), newest first, those still present. */
export function recentFolders(engine: Engine, limit = 8): string[] {
  const out: string[] = [];
  for (const b of new BuildHistory(engine.db).list({ limit: 200 })) {
    if (out.length >= limit) break;
    if (!out.includes(b.context) && existsSync(b.context)) out.push(b.context);
  }
  return out;
}
