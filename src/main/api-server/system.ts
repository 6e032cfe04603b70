/**
 * The Engine API's system endpoints: `/_ping`, `/version`, `/info`, `/system/df`. Strata answers
 * as a Docker-compatible engine; it never answers podman's `/libpod/…` paths.
 */
import type { ServerResponse } from 'node:http';
import { diskUsage } from '../engine/usage/disk-usage.ts';
import { listImages } from '../engine/image/list.ts';
import { sendJson } from './http.ts';
import { API_VERSION_TEXT, type Route, type RouteContext } from './router.ts';
import { imageSummary } from './images.ts';
import { containerSummary } from './containers.ts';
import { engineInfo, engineVersion, STRATA_VERSION } from './system-info.ts';

/** Headers every answer carries, as dockerd sends them. */
export function serverHeaders(res: ServerResponse): void {
  res.setHeader('Server', `Strata/${STRATA_VERSION} (linux)`);
  res.setHeader('Api-Version', API_VERSION_TEXT);
  res.setHeader('Docker-Experimental', 'false');
  res.setHeader('Ostype', 'linux');
}

function ping(ctx: RouteContext): void {
  const { res } = ctx;
  res.setHeader('Builder-Version', '1');
  res.setHeader('Cache-Control', 'no-cache, no-store, must-revalidate');
  res.setHeader('Pragma', 'no-cache');
  res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 2 });
  res.end(ctx.req.method === 'HEAD' ? undefined : 'OK');
}

function version(ctx: RouteContext): void {
  sendJson(ctx.res, 200, engineVersion());
}

function info(ctx: RouteContext): void {
  sendJson(ctx.res, 200, engineInfo(ctx.engine));
}

function systemDf(ctx: RouteContext): void {
  const { engine, version } = ctx;
  const du = diskUsage(engine);
  const counts = new Map(du.images.map((i) => [i.id, i.containers]));
  const images = listImages(engine, { sharedSize: true }).map((img) => imageSummary({ ...img, containers: counts.get(img.id) ?? 0 }, version, true));
  const now = Date.now();
  const containers = engine.containers.list({ all: true }).map((c) => containerSummary(engine, c, now, true));
  const goDate = (seconds: number): string => new Date(seconds * 1000).toISOString();
  const buildCache = du.buildCache.map((b) => ({
    ID: b.id,
    ...(version < 1.42 ? { Parent: '' } : { Parents: null }),
    Type: b.type,
    Description: b.description,
    InUse: b.inUse,
    Shared: b.shared,
    Size: b.size,
    CreatedAt: goDate(b.createdAt),
    LastUsedAt: b.lastUsedAt ? goDate(b.lastUsedAt) : null,
    UsageCount: b.usageCount,
  }));
  sendJson(ctx.res, 200, { LayersSize: du.layersSize, Images: images, Containers: containers, Volumes: [], BuildCache: buildCache });
}

export const systemRoutes: Route[] = [
  ['GET', /^\/_ping$/, ping],
  ['GET', /^\/version$/, version],
  ['GET', /^\/info$/, info],
  ['GET', /^\/system\/df$/, systemDf],
];
