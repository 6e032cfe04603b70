/**
 * What the build panel shows before a build: the Dockerfile and `.dockerignore` found in a
 * folder and the size of the context that would be sent (files the ignore rules keep).
 */
import { existsSync, lstatSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { PatternMatcher, readIgnoreFile } from '../engine/build/dockerignore/index.ts';
import type { BuildContextInfo } from '../../shared/contract.ts';
import { StrataError } from '../../shared/errors.ts';

const MAX_DOCKERFILE = 4 << 20;

function ignorePatterns(dir: string, dockerfile: string): { patterns: string[]; found: boolean } {
  // BuildKit reads <Dockerfile>.dockerignore first, then .dockerignore.
  for (const name of [`${dockerfile}.dockerignore`, '.dockerignore']) {
    const p = join(dir, name);
    if (existsSync(p)) return { patterns: readIgnoreFile(readFileSync(p, 'utf8')), found: true };
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

export function contextDir(path: string): string {
  if (!isAbsolute(path)) throw new StrataError('invalid', `the build context must be an absolute path: ${path}`);
  const dir = resolve(path);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new StrataError('not-found', `unable to prepare context: path "${path}" not found`);
  return dir;
}

export function dockerfileIn(dir: string, name: string): string {
  const file = resolve(dir, name || 'Dockerfile');
  if (relative(dir, file).startsWith('..')) throw new StrataError('invalid', `the Dockerfile (${name}) must be within the build context`);
  return file;
}

export function inspectContext(path: string, dockerfile = ''): BuildContextInfo {
  const dir = contextDir(path);
  const name = dockerfile || (existsSync(join(dir, 'Dockerfile')) ? 'Dockerfile' : existsSync(join(dir, 'dockerfile')) ? 'dockerfile' : 'Dockerfile');
  const file = dockerfileIn(dir, name);
  if (!existsSync(file)) throw new StrataError('not-found', `failed to read dockerfile: open ${name}: no such file or directory`);
  if (statSync(file).size > MAX_DOCKERFILE) throw new StrataError('invalid', `the Dockerfile ${name} is too large`);
  const ignore = ignorePatterns(dir, name);
  const acc = { size: 0, files: 0 };
  walk(dir, dir, new PatternMatcher(ignore.patterns), acc);
  return { path: dir, dockerfile: name, dockerfileText: readFileSync(file, 'utf8'), dockerignore: ignore.found, contextSize: acc.size, fileCount: acc.files };
}

export function writeDockerfile(path: string, dockerfile: string, text: string): void {
  writeFileSync(dockerfileIn(contextDir(path), dockerfile), text);
}
