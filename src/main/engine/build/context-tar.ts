/**
 * A build context as the tar `docker build` sends to an engine's `/build`: the same walk the
 * builder's COPY uses (`.dockerignore` honoured, exceptions inside ignored folders kept, sockets
 * skipped), each regular file opened with O_NOFOLLOW and sent with exactly the size fstat gave for
 * the opened descriptor, owners 0:0 as the docker CLI sends them. Streamed: one file at a time.
 */
import { randomBytes } from 'node:crypto';
import { relative } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { contextTree, hostPath, walkSource, withinContext, type BuildContext, type WalkEntry } from './context.ts';
import { openRegularFile, streamOpened } from './context-file.ts';

export interface ContextTar {
  /** The tar; an error while walking or reading destroys it with that error. */
  stream: Readable;
  /** The Dockerfile's name inside the tar (the `dockerfile` parameter of `/build`). */
  dockerfile: string;
}

/** The Dockerfile's name in the tar: its place in the context, or a made-up name for one outside it (as the docker CLI does). */
function dockerfileName(ctx: BuildContext): string {
  const inside = withinContext(ctx.dir, ctx.dockerfile) !== undefined;
  return inside ? relative(ctx.dir, ctx.dockerfile) : `.dockerfile.${randomBytes(10).toString('hex')}`;
}

export function contextTar(ctx: BuildContext, signal?: AbortSignal): ContextTar {
  const pack = tar.pack();
  const dockerfile = dockerfileName(ctx);
  writeEntries(pack, ctx, dockerfile, signal).then(
    () => pack.finalize(),
    (err: unknown) => pack.destroy(err as Error),
  );
  return { stream: pack as unknown as Readable, dockerfile };
}

async function writeEntries(pack: tar.Pack, ctx: BuildContext, dockerfile: string, signal?: AbortSignal): Promise<void> {
  const tree = contextTree(ctx);
  let mtime = new Date();
  for (const e of walkSource(tree, '.')) {
    signal?.throwIfAborted();
    // The Dockerfile goes in as the text the build reads (a link to it resolved inside the context), whatever the ignore file says.
    if (e.treePath === dockerfile && e.meta.mtime !== undefined) mtime = new Date(e.meta.mtime * 1000);
    if (e.treePath === '.' || e.treePath === dockerfile) continue;
    await writeEntry(pack, hostPath(tree, e.treePath), e);
  }
  await add(pack, { name: dockerfile, type: 'file', mode: 0o644, uid: 0, gid: 0, mtime }, Buffer.from(ctx.dockerfileText));
}

function add(pack: tar.Pack, header: Partial<tar.Header> & { name: string }, data?: Buffer): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, data ?? Buffer.alloc(0), (err) => (err ? reject(err) : resolve())));
}

async function writeEntry(pack: tar.Pack, path: string, e: WalkEntry): Promise<void> {
  const m = e.meta;
  const base = { name: e.treePath, mode: m.mode, uid: 0, gid: 0, ...(m.mtime !== undefined ? { mtime: new Date(m.mtime * 1000) } : {}) };
  switch (m.type) {
    case 'dir':
      return add(pack, { ...base, name: `${e.treePath}/`, type: 'directory' });
    case 'symlink':
      return add(pack, { ...base, type: 'symlink', linkname: m.linkTarget });
    case 'fifo':
      return add(pack, { ...base, type: 'fifo' });
    case 'char':
    case 'block':
      return add(pack, { ...base, type: m.type === 'char' ? 'character-device' : 'block-device', devmajor: m.devmajor ?? 0, devminor: m.devminor ?? 0 });
    case 'file': {
      // Judged by the opened descriptor: a file swapped for a link or a FIFO since the walk is refused, never followed.
      const f = openRegularFile(path, e.treePath);
      const entry = pack.entry({ ...base, type: 'file', size: f.size });
      await pipeline(streamOpened(f), entry);
      return;
    }
  }
}
