/**
 * The Engine API's image endpoints, a thin translation onto the same engine calls the CLI uses
 * (podman's pkg/api/handlers/compat is the model): list, inspect, history, tag, remove, prune,
 * save and load.
 */
import { Readable } from 'node:stream';
import { listImages, type ListedImage } from '../engine/image/list.ts';
import { inspectImage } from '../engine/image/inspect.ts';
import { imageHistory } from '../engine/image/history.ts';
import { pruneImages, removeImage } from '../engine/image/prune.ts';
import { saveImages, selectImages } from '../engine/archive/save.ts';
import { loadImages } from '../engine/archive/load.ts';
import { prepareInBackground } from '../engine/snapshot/prepare.ts';
import { ApiError, boolParam, filtersParam, sendJson } from './http.ts';
import type { Route, RouteContext } from './router.ts';

/** docker's ImageSummary for one listed image, fields gated by the API version. */
export function imageSummary(img: ListedImage, version: number, withSharedSize: boolean): Record<string, unknown> {
  const untagged = img.repoTags.length === 0 && img.repoDigests.length === 0;
  // Before API 1.43 the daemon named untagged images `<none>:<none>` and `<none>@<none>`.
  const legacyNone = untagged && version < 1.43;
  return {
    Containers: img.containers,
    Created: img.created,
    Id: img.id,
    Labels: Object.keys(img.labels).length > 0 ? img.labels : null,
    ParentId: img.parentId,
    RepoDigests: legacyNone ? ['<none>@<none>'] : img.repoDigests,
    RepoTags: legacyNone ? ['<none>:<none>'] : img.repoTags,
    SharedSize: withSharedSize ? img.sharedSize : -1,
    Size: img.size,
    ...(version < 1.44 ? { VirtualSize: img.size } : {}),
  };
}

function listRoute(ctx: RouteContext): void {
  const q = ctx.query;
  const filters = filtersParam(q);
  // Legacy `filter=NAME` (API < 1.41 clients) is a reference filter.
  const legacy = q.get('filter');
  if (legacy) (filters.reference ??= []).push(legacy);
  const withShared = boolParam(q, 'shared-size');
  // Containers stays -1 here, as moby leaves it outside `system df`.
  const images = listImages(ctx.engine, { all: boolParam(q, 'all'), filters, sharedSize: withShared });
  sendJson(ctx.res, 200, images.map((img) => imageSummary(img, ctx.version, withShared)));
}

function inspectRoute(ctx: RouteContext): void {
  const body: Record<string, unknown> = { ...inspectImage(ctx.engine, ctx.params[0]!) };
  if (ctx.version >= 1.44) delete body.VirtualSize;
  sendJson(ctx.res, 200, body);
}

function historyRoute(ctx: RouteContext): void {
  const rows = imageHistory(ctx.engine, ctx.params[0]!);
  sendJson(
    ctx.res,
    200,
    rows.map((h) => ({ Comment: h.comment, Created: h.created, CreatedBy: h.createdBy, Id: h.id, Size: h.size, Tags: h.tags.length > 0 ? h.tags : null })),
  );
}

function tagRoute(ctx: RouteContext): void {
  const repo = ctx.query.get('repo') ?? '';
  const tag = ctx.query.get('tag') ?? '';
  if (!repo) throw new ApiError(400, 'repository name must have at least one component');
  const target = tag ? `${repo}:${tag}` : repo;
  ctx.engine.images.tag(ctx.params[0]!, target);
  ctx.res.writeHead(201);
  ctx.res.end();
}

async function removeRoute(ctx: RouteContext): Promise<void> {
  const items = removeImage(ctx.engine, ctx.params[0]!, { force: boolParam(ctx.query, 'force'), noPrune: boolParam(ctx.query, 'noprune') });
  await ctx.engine.gc.collect();
  sendJson(ctx.res, 200, items.map((i) => (i.untagged ? { Untagged: i.untagged } : { Deleted: i.deleted })));
}

async function pruneRoute(ctx: RouteContext): Promise<void> {
  const filters = filtersParam(ctx.query);
  // `dangling=false` is docker's `prune -a`; `dangling=true` the default.
  const all = (filters.dangling ?? []).some((v) => v === 'false' || v === '0');
  delete filters.dangling;
  const result = await pruneImages(ctx.engine, { all, filters });
  sendJson(ctx.res, 200, {
    ImagesDeleted: result.deleted.length > 0 ? result.deleted.map((i) => (i.untagged ? { Untagged: i.untagged } : { Deleted: i.deleted })) : null,
    SpaceReclaimed: result.spaceReclaimed,
  });
}

async function saveRoute(ctx: RouteContext): Promise<void> {
  const names = ctx.params[0] !== undefined ? [ctx.params[0]] : ctx.query.getAll('names');
  if (names.length === 0) throw new ApiError(400, 'no images named');
  const selection = selectImages(ctx.engine, names);
  ctx.res.writeHead(200, { 'Content-Type': 'application/x-tar' });
  await saveImages(ctx.engine, selection, ctx.res, { signal: ctx.signal });
}

async function loadRoute(ctx: RouteContext): Promise<void> {
  const quiet = boolParam(ctx.query, 'quiet');
  const result = await loadImages(ctx.engine, { stream: ctx.req as Readable }, { signal: ctx.signal });
  prepareInBackground(ctx.engine, result.images.map((i) => i.id));
  const lines: string[] = [...result.notes];
  for (const img of result.images) {
    if (img.repoTags.length === 0) lines.push(`Loaded image ID: ${img.id}`);
    for (const t of img.repoTags) lines.push(`Loaded image: ${t}`);
  }
  ctx.res.writeHead(200, { 'Content-Type': quiet ? 'application/json' : 'application/json' });
  for (const line of lines) ctx.res.write(`${JSON.stringify({ stream: `${line}\n` })}\n`);
  ctx.res.end();
}

export const imageRoutes: Route[] = [
  ['GET', /^\/images\/json$/, listRoute],
  ['GET', /^\/images\/get$/, saveRoute],
  ['POST', /^\/images\/load$/, loadRoute],
  ['POST', /^\/images\/prune$/, pruneRoute],
  ['GET', /^\/images\/(.+)\/json$/, inspectRoute],
  ['GET', /^\/images\/(.+)\/history$/, historyRoute],
  ['GET', /^\/images\/(.+)\/get$/, saveRoute],
  ['POST', /^\/images\/(.+)\/tag$/, tagRoute],
  ['DELETE', /^\/images\/(.+)$/, removeRoute],
];
