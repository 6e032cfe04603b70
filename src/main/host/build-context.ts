/**
 * What the build panel shows before a build: the Dockerfile and `.dockerignore` found in a
 * folder and the size of the context that would be sent (files the ignore rules keep). The
 * folder is untrusted like any build context: names are resolved inside it with its symlinks
 * scoped to it (as the builder does), files are read as bounded regular files (a FIFO never
 * blocks the server), and a save never writes through a link.
 */
import { closeSync, constants, existsSync, fsyncSync, lstatSync, openSync, readdirSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { PatternMatcher, readIgnoreFile } from '../engine/build/dockerignore/index.ts';
import { MAX_DOCKERFILE, withinContext } from '../engine/build/context.ts';
import { readRegularFile } from '../engine/build/context-file.ts';
import { StrataError } from '../../shared/errors.ts';
import type { BuildContextInfo } from '../../shared/contract.ts';

/** The host path a context-relative name stands for, its symlinks resolved inside the context. */
function inContext(dir: string, name: string): string {
  return withinContext(dir, dockerfileIn(dir, name)) ?? dockerfileIn(dir, name);
}

function lexists(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

function ignorePatterns(dir: string, dockerfile: string): { patterns: string[]; found: boolean } {
  // BuildKit reads <Dockerfile>.dockerignore first, then .dockerignore.
  for (const name of [`${dockerfile}.dockerignore`, '.dockerignore']) {
    const p = inContext(dir, name);
    if (lexists(p)) return { patterns: readIgnoreFile(readRegularFile(p, MAX_DOCKERFILE, name)), found: true };
  }
  return { patterns: [], found: false };
}

function walk(dir: string, root: string, pm: PatternMatcher, acc: { size: number; files: number }): void {
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, ent.name);
    const rel = relative(root, full);
    if (pm.patterns.length > 0 && pm.matchesOrParentMatches(rel) && !(ent.isDirectory() && pm.exclusions)) continue;
    if (ent.isDirectory()) walk(full, root, pm, acc);
    else {
      acc.files += 1;
      acc.size += lstatSync(full).size;
    }
  }
}

export function contextDir(given: string): string {
  // `~` and `~/x` are the user's home, as in a shell.
  const path = given === '~' ? homedir() : given.startsWith('~/') ? join(homedir(), given.slice(2)) : given;
  if (!isAbsolute(path)) throw new StrataError('invalid', `the build context must be an absolute path: ${path}`);
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new StrataError('not-found', `unable to prepare context: path "${path}" not found`);
  return dir;
}

/** The Dockerfile's path in the context; `..foo` is a name like any other, `../foo` leaves. */
export function dockerfileIn(dir: string, name: string): string {
  const file = resolve(dir, name || 'Dockerfile');
  const rel = relative(dir, file);
  if (rel === '' || rel === '..' || rel.startsWith('../') || isAbsolute(rel)) {
    throw new StrataError('invalid', `the Dockerfile (${name}) must be within the build context`);
  }
  return file;
}

export function inspectContext(path: string, dockerfile = ''): BuildContextInfo {
  const dir = contextDir(path);
  const name = dockerfile || (existsSync(join(dir, 'Dockerfile')) ? 'Dockerfile' : existsSync(join(dir, 'dockerfile')) ? 'dockerfile' : 'Dockerfile');
  const file = inContext(dir, name);
  if (!lexists(file)) throw new StrataError('not-found', `failed to read dockerfile: open ${name}: no such file or directory`);
  const dockerfileText = readRegularFile(file, MAX_DOCKERFILE, name);
  const ignore = ignorePatterns(dir, name);
  const acc = { size: 0, files: 0 };
  walk(dir, dir, new PatternMatcher(ignore.patterns), acc);
  return { path: dir, dockerfile: name, dockerfileText, dockerignore: ignore.found, contextSize: acc.size, fileCount: acc.files };
}

/**
 * Saves the Dockerfile where the build will read it (a symlink is resolved inside the context,
 * never to the host), through a new file renamed over it: nothing is opened through a link.
 */
export function writeDockerfile(path: string, dockerfile: string, text: string): void {
  const dir = contextDir(path);
  const file = inContext(dir, dockerfile);
  let mode = 0o644;
  if (lexists(file)) {
    const st = lstatSync(file);
    if (!st.isFile()) throw new StrataError('invalid', `cannot save the Dockerfile: ${dockerfile} is not a regular file`);
    mode = st.mode & 0o777;
  }
  const parent = dirname(file);
  const st = lexists(parent) ? lstatSync(parent) : undefined;
  if (!st?.isDirectory()) throw new StrataError('not-found', `cannot save the Dockerfile: ${relative(dir, parent) || '.'} is not a directory of the context`);
  const tmp = join(parent, `.${basename(file)}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, mode);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  renameSync(tmp, file);
}
