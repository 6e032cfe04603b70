/**
 * A folder as the build context the docker CLI streams to an engine's `/build` (the classic
 * builder): a tar of the context walked by Strata's own walker (walkSource: links never followed,
 * every file opened with O_NOFOLLOW and sent with the size fstat gave for that descriptor), with
 * docker 20.10's rules on top:
 * - `.dockerignore` of the context only (the classic builder knows no `<Dockerfile>.dockerignore`);
 *   the Dockerfile and `.dockerignore` are always sent, even when ignored (TrimBuildFilesFromExcludes);
 * - an ignored directory entered for an exception (`!dir/keep`) sends what survives, not itself;
 * - headers as Go's archive/tar writes them (archive/go-tar.ts): owner 0:0 with the owner's names,
 *   the mode's type bits, a PAX record for a long name; the classic builder's COPY cache keys on
 *   these fields, and "Sending build context" counts the bytes docker counts;
 * - a Dockerfile outside the context is added as `.dockerfile.<20 hex>` and named in `.dockerignore`
 *   (AddDockerfileToBuildContext), the archive then ending as docker's does (see contextBlocks).
 * Sockets and device nodes are never sent: a context never needs them.
 */
import { existsSync, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { Readable } from 'node:stream';
import { StrataError } from '../../../shared/errors.ts';
import { hostPath, isIgnored, walkSource, withinContext, MAX_DOCKERFILE, type SourceTree, type WalkEntry } from './context.ts';
import { openRegularFile, readRegularFile, streamOpened } from './context-file.ts';
import { matches, PatternMatcher, readIgnoreFile } from './dockerignore/index.ts';
import { END_OF_ARCHIVE, goTarHeader, HostNames, padding, type GoTarHeader } from '../archive/go-tar.ts';

export interface ContextTar {
  /** The tar, produced as it is read. */
  stream: Readable;
  /** The Dockerfile's name inside the tar (the `dockerfile` the engine is asked for). */
  dockerfile: string;
}

/** Opens a context folder the way `docker build [-f FILE] DIR` does; throws docker's "unable to prepare context" errors. */
export function contextTar(dir: string, file?: string): ContextTar {
  const root = resolve(dir);
  if (!existsSync(root)) throw new StrataError('not-found', `unable to prepare context: path "${dir}" not found`);
  if (!statSync(root).isDirectory()) throw new StrataError('invalid', `unable to prepare context: context must be a directory: ${root}`);
  const named = file === undefined ? defaultDockerfile(root) : resolve(file);
  const inside = withinContext(root, named);
  const outsideText = inside === undefined ? readOutsideDockerfile(named) : undefined;
  if (inside !== undefined && !lexists(inside)) throw new StrataError('not-found', `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${firstMissing(named)}: no such file or directory`);
  const dockerfile = inside !== undefined ? relative(root, inside).split(sep).join('/') : `.dockerfile.${randomBytes(10).toString('hex')}`;
  const tree: SourceTree = { root, ignore: ignoreMatcher(root, inside !== undefined ? dockerfile : undefined), label: 'context' };
  const blocks = contextBlocks(tree, outsideText === undefined ? undefined : { name: dockerfile, text: outsideText });
  return { stream: Readable.from(blocks, { objectMode: false }), dockerfile };
}

/** docker's default: `Dockerfile`, else `dockerfile` when only that exists. */
function defaultDockerfile(root: string): string {
  const upper = join(root, 'Dockerfile');
  const lower = join(root, 'dockerfile');
  return !lexists(withinContext(root, upper) ?? upper) && lexists(withinContext(root, lower) ?? lower) ? lower : upper;
}

function lexists(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false }) !== undefined;
}

/** The path Go's EvalSymlinks names when it fails: the first component that is missing. */
function firstMissing(path: string): string {
  let p = path;
  while (!lexists(dirname(p)) && dirname(p) !== p) p = dirname(p);
  return p;
}

/** A `-f` outside the context is the user's own file (its links followed, as docker does): read, bounded, to be added to the tar. */
function readOutsideDockerfile(path: string): string {
  if (!existsSync(path)) throw new StrataError('not-found', `unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${firstMissing(path)}: no such file or directory`);
  return readRegularFile(realpathSync(path), MAX_DOCKERFILE, path);
}

/** The context's `.dockerignore` with docker's exceptions for the build files themselves. */
function ignoreMatcher(root: string, dockerfile: string | undefined): PatternMatcher | undefined {
  const at = join(root, '.dockerignore');
  const real = withinContext(root, at) ?? at;
  if (!lexists(real)) return undefined;
  let patterns: string[];
  try {
    patterns = readIgnoreFile(readRegularFile(real, MAX_DOCKERFILE, '.dockerignore'));
  } catch (err) {
    throw new StrataError('invalid', `failed to parse .dockerignore: ${(err as Error).message}`, { cause: err });
  }
  if (matches('.dockerignore', patterns)) patterns.push('!.dockerignore');
  if (dockerfile !== undefined && matches(dockerfile, patterns)) patterns.push(`!${dockerfile}`);
  return patterns.length > 0 ? new PatternMatcher(patterns) : undefined;
}

/** An entry's header as docker's archive writes it: owner 0:0, the owner's names kept (ChownOpts changes only the ids). */
function headerOf(e: WalkEntry, names: HostNames, st: Stats | undefined): Omit<GoTarHeader, 'type' | 'size'> {
  const uid = st?.uid ?? 0;
  const gid = st?.gid ?? 0;
  return { name: e.treePath, mode: e.meta.mode, uid: 0, gid: 0, mtime: e.meta.mtime ?? 0, uname: names.user(uid), gname: names.group(gid) };
}

async function* contextBlocks(tree: SourceTree, outside: { name: string; text: string } | undefined): AsyncGenerator<Buffer> {
  const names = new HostNames();
  let ignoreSeen = false;
  for (const e of walkSource(tree, '.')) {
    if (e.rel === '') continue;
    const path = hostPath(tree, e.treePath);
    const owner = lstatSync(path, { throwIfNoEntry: false });
    const base = headerOf(e, names, owner);
    switch (e.meta.type) {
      case 'dir':
        // docker walks into an ignored directory for its exceptions but does not send the directory
        if (!isIgnored(tree, e.treePath)) yield goTarHeader({ ...base, name: `${e.treePath}/`, type: 'dir', size: 0 });
        break;
      case 'symlink':
        yield goTarHeader({ ...base, type: 'symlink', size: 0, linkname: e.meta.linkTarget });
        break;
      case 'fifo':
        yield goTarHeader({ ...base, type: 'fifo', size: 0 });
        break;
      case 'file':
        if (outside && e.treePath === '.dockerignore') {
          ignoreSeen = true;
          yield* inMemoryFile({ ...base, type: 'file', size: 0 }, `${readRegularFile(path, MAX_DOCKERFILE, '.dockerignore')}\n${outside.name}\n`);
        } else yield* openedFile(base, path);
        break;
      default:
        // character and block devices: never part of a context Strata sends
        break;
    }
  }
  if (!outside) {
    yield END_OF_ARCHIVE;
    return;
  }
  // AddDockerfileToBuildContext: root-owned 0600 entries made now, at the end. docker's tar
  // rewriter closes its pipe before its tar writer, so the last entry goes unpadded and the
  // archive has no end blocks: the engine reads it so, and "Sending build context" counts that.
  const made = { mode: 0o600, uid: 0, gid: 0, mtime: Math.floor(Date.now() / 1000), uname: '', gname: '', type: 'file' as const, size: 0 };
  const added = [{ ...made, name: outside.name, text: outside.text }];
  if (!ignoreSeen) added.push({ ...made, name: '.dockerignore', text: `.dockerignore\n${outside.name}\n` });
  for (const [i, { text, ...header }] of added.entries()) yield* inMemoryFile(header, text, i < added.length - 1);
}

function* inMemoryFile(header: GoTarHeader, text: string, padded = true): Generator<Buffer> {
  const data = Buffer.from(text);
  yield goTarHeader({ ...header, size: data.length });
  yield data;
  if (padded) yield padding(data.length);
}

/** A regular file opened without following links; its header carries the opened descriptor's size and mode. */
async function* openedFile(base: Omit<GoTarHeader, 'type' | 'size'>, path: string): AsyncGenerator<Buffer> {
  const opened = openRegularFile(path, base.name);
  yield goTarHeader({ ...base, type: 'file', size: opened.size, mode: opened.stats.mode & 0o7777 });
  let sent = 0;
  for await (const chunk of streamOpened(opened)) {
    sent += (chunk as Buffer).length;
    yield chunk as Buffer;
  }
  if (sent !== opened.size) throw new StrataError('data-loss', `${base.name}: file changed as it was read`);
  yield padding(sent);
}
