/**
 * The browser host's file browser (it cannot open a native dialog), for the build folder and the
 * load and save paths: folders, and archives when asked, under one root: the user's home unless
 * the user typed another root. A path is resolved (`~` is home), opened as a directory without
 * following a final link, and the opened descriptor's own path is checked to be inside the root,
 * so a link swapped in meanwhile cannot take the listing elsewhere. Links inside are listed
 * neither as folders nor as files (they are not followed). Recent folders are the contexts of
 * recent builds.
 */
import { closeSync, constants, existsSync, fstatSync, lstatSync, openSync, readdirSync, readlinkSync, realpathSync, type Dirent } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { BuildHistory } from '../engine/build/history-store.ts';
import type { FolderListing } from '../../shared/contract.ts';
import { StrataError } from '../../shared/errors.ts';

/** A listing shows at most this many folders and files (the rest are counted as left out). */
export const MAX_FOLDERS = 2000;

/** What `docker load` reads: a tar, or a gzip-compressed one. */
const ARCHIVE = /\.(tar|tar\.gz|tgz)$/i;

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

export interface ListOptions {
  /** The folder the browser is limited to ('' or absent: home; `~` allowed). */
  root?: string;
  /** Also list the archives `load` reads (.tar, .tar.gz, .tgz). */
  archives?: boolean;
}

/** The root as a real directory path: home unless another (absolute or `~`) one is given. */
function realRoot(root: string | undefined, home: string): string {
  const asked = expand(root ?? '', home);
  try {
    const real = realpathSync(asked);
    if (lstatSync(real).isDirectory()) return real;
  } catch {
    // reported below
  }
  throw new StrataError('not-found', `no such folder: ${root}`);
}

export function listFolders(path: string, home = homedir(), opts: ListOptions = {}): FolderListing {
  const homeReal = realpathSync(home);
  const root = realRoot(opts.root, homeReal);
  const where = root === homeReal ? `your home folder (${root})` : root;
  const asked = expand(path === '' ? root : path, homeReal);
  let real: string;
  try {
    real = realpathSync(asked);
  } catch {
    throw new StrataError('not-found', `no such folder: ${path}`);
  }
  if (!inside(root, real)) throw new StrataError('permission-denied', `${path} is outside ${where}: type another root to browse there`, { details: { reason: 'outside-root', root } });
  let fd: number;
  try {
    fd = openSync(real, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch {
    throw new StrataError('not-found', `not a folder: ${path}`);
  }
  try {
    const dir = openedPath(fd, real);
    if (!fstatSync(fd).isDirectory() || !inside(root, dir)) throw new StrataError('permission-denied', `${path} is outside ${where}`, { details: { reason: 'outside-root', root } });
    const byFd = existsSync(`/proc/self/fd/${fd}`) ? `/proc/self/fd/${fd}` : dir;
    const entries = readdirSync(byFd, { withFileTypes: true }).filter((e) => !e.name.startsWith('.'));
    const byName = (a: Dirent, b: Dirent) => a.name.localeCompare(b.name);
    const folders = entries.filter((e) => e.isDirectory()).sort(byName).slice(0, MAX_FOLDERS);
    const files = opts.archives ? entries.filter((e) => e.isFile() && ARCHIVE.test(e.name)).sort(byName).slice(0, MAX_FOLDERS) : [];
    const listed = opts.archives ? entries.filter((e) => e.isDirectory() || (e.isFile() && ARCHIVE.test(e.name))).length : entries.filter((e) => e.isDirectory()).length;
    return {
      path: dir,
      home: homeReal,
      root,
      parent: dir === root ? null : resolve(dir, '..'),
      dockerfile: holdsDockerfile(dir),
      folders: folders.map((e) => ({ name: e.name, dockerfile: holdsDockerfile(join(dir, e.name)) })),
      files: files.flatMap((e) => sizeOf(byFd, e.name)),
      leftOut: listed - folders.length - files.length,
    };
  } finally {
    closeSync(fd);
  }
}

/** A listed file's size, by its entry in the opened directory (not following a link swapped in). */
function sizeOf(dir: string, name: string): { name: string; size: number }[] {
  try {
    const st = lstatSync(join(dir, name));
    return st.isFile() ? [{ name, size: st.size }] : [];
  } catch {
    return [];
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
