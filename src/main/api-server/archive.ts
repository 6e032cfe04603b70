/**
 * `docker cp` over the Engine API: `GET/HEAD /containers/{id}/archive?path=` answers with the path's
 * stat in `X-Docker-Container-Path-Stat` (and its tar), `PUT` unpacks a tar into a directory of
 * the container. Both go through the container's rootfs view: nothing follows the container's
 * links onto the host, and an incoming tar is checked like a layer before it is copied in.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import { archivePath } from '../engine/container/export.ts';
import { copyIn } from '../engine/container/copy.ts';
import { unpackContextArchive } from '../engine/build/context-archive.ts';
import type { RootfsEntry } from '../engine/snapshot/rootfs.ts';
import { ApiError } from './http.ts';
import type { Route, RouteContext } from './router.ts';

/** Go's os.FileMode bits for the entry (permissions plus docker's type bits). */
function goFileMode(e: RootfsEntry): number {
  const perm = e.mode & 0o777;
  const type = e.type === 'dir' ? 2 ** 31 : e.type === 'symlink' ? 2 ** 27 : e.type === 'fifo' ? 2 ** 25 : 0;
  return type + perm;
}

function statHeader(e: RootfsEntry): string {
  const stat = { name: posix.basename(e.path) || '/', size: e.size, mode: goFileMode(e), mtime: new Date(e.mtime * 1000).toISOString(), linkTarget: e.type === 'symlink' ? e.linkTarget : '' };
  return Buffer.from(JSON.stringify(stat)).toString('base64');
}

function pathParam(ctx: RouteContext): string {
  const path = ctx.query.get('path');
  if (!path) throw new ApiError(400, 'path is required');
  return path.startsWith('/') ? path : `/${path}`;
}

async function getArchive(ctx: RouteContext): Promise<void> {
  const view = await ctx.engine.containers.rootfs(ctx.params[0]!);
  const path = pathParam(ctx);
  const entry = view.stat(path);
  if (!entry) throw new ApiError(404, `Could not find the file ${path} in container ${ctx.params[0]}`);
  ctx.res.setHeader('X-Docker-Container-Path-Stat', statHeader(entry));
  if (ctx.req.method === 'HEAD') {
    ctx.res.writeHead(200);
    ctx.res.end();
    return;
  }
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  const tar = archivePath(view, path);
  tar.on('error', () => ctx.res.destroy());
  tar.pipe(ctx.res);
  await once(ctx.res, 'close');
}

async function putArchive(ctx: RouteContext): Promise<void> {
  const view = await ctx.engine.containers.rootfs(ctx.params[0]!);
  const path = pathParam(ctx);
  const target = view.stat(path);
  if (!target) throw new ApiError(404, `Could not find the file ${path} in container ${ctx.params[0]}`);
  if (target.type !== 'dir') throw new ApiError(400, `extraction point is not a directory: ${path}`);
  const scratch = mkdtempSync(join(tmpdir(), 'strata-api-cp-'));
  try {
    await unpackContextArchive(ctx.req as Readable, scratch);
    for (const name of readdirSync(scratch)) copyIn(view, join(scratch, name), target.path);
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  ctx.res.writeHead(200);
  ctx.res.end();
}

export const archiveRoutes: Route[] = [
  ['GET', /^\/containers\/([^/]+)\/archive$/, getArchive],
  ['PUT', /^\/containers\/([^/]+)\/archive$/, putArchive],
];
