/**
 * The Engine API's container endpoints, onto the same container service the CLI uses.
 */
import type { Engine } from '../engine/engine.ts';
import { listedCommand } from '../engine/container/config.ts';
import { checkContainerFilters, matchesContainerFilters } from '../engine/container/filters.ts';
import { statusText, type ContainerRecord } from '../engine/container/container-service.ts';
import { inspectContainer } from '../cli/container-format.ts';
import { portSummaries } from '../engine/network/ports.ts';
import { boolParam, filtersParam, intParam, sendJson } from './http.ts';
import type { Route, RouteContext } from './router.ts';

/** docker's ContainerSummary (`GET /containers/json`, and the containers of `/system/df`). */
export function containerSummary(engine: Engine, c: ContainerRecord, now: number, withSize: boolean): Record<string, unknown> {
  const sizeRw = withSize ? engine.containers.sizeRw(c.id) : 0;
  return {
    Id: c.id,
    Names: [`/${c.name}`],
    Image: engine.containers.listedImage(c),
    ImageID: c.imageId,
    Command: listedCommand(c.config),
    Created: Math.floor(c.created / 1000),
    Ports: portSummaries(engine.containers.ports(c)),
    ...(withSize ? { SizeRw: sizeRw, SizeRootFs: sizeRw + engine.containers.layersSize(c.id) } : {}),
    Labels: c.config.Labels ?? {},
    State: c.state,
    Status: statusText(c, now),
    HostConfig: { NetworkMode: c.config.Network },
    NetworkSettings: { Networks: {} },
    Mounts: [],
  };
}

function listRoute(ctx: RouteContext): void {
  const { engine, query } = ctx;
  const filters = filtersParam(query);
  checkContainerFilters(filters);
  const limit = intParam(query, 'limit', -1);
  let rows = engine.containers.list({ all: boolParam(query, 'all') || limit > 0 || Object.keys(filters).length > 0 });
  rows = rows.filter((c) => matchesContainerFilters(engine.images, c, filters));
  if (!boolParam(query, 'all') && !filters.status && limit <= 0) rows = rows.filter((c) => c.state === 'running');
  if (limit > 0) rows = rows.slice(0, limit);
  const now = Date.now();
  sendJson(ctx.res, 200, rows.map((c) => containerSummary(engine, c, now, boolParam(query, 'size'))));
}

function inspectRoute(ctx: RouteContext): void {
  const body = inspectContainer(ctx.engine, ctx.params[0]!);
  const host = (body.HostConfig ?? {}) as Record<string, unknown>;
  body.HostConfig = { ...host, LogConfig: { Type: 'json-file', Config: {} } };
  if (boolParam(ctx.query, 'size')) {
    const c = ctx.engine.containers.get(ctx.params[0]!);
    const sizeRw = ctx.engine.containers.sizeRw(c.id);
    body.SizeRw = sizeRw;
    body.SizeRootFs = sizeRw + ctx.engine.containers.layersSize(c.id);
  }
  sendJson(ctx.res, 200, body);
}

const KIND = { A: 1, C: 0, D: 2 } as const;

async function changesRoute(ctx: RouteContext): Promise<void> {
  const changes = await ctx.engine.containers.changes(ctx.params[0]!);
  sendJson(ctx.res, 200, changes.length > 0 ? changes.map((c) => ({ Path: c.path, Kind: KIND[c.kind] })) : null);
}

export const containerRoutes: Route[] = [
  ['GET', /^\/containers\/json$/, listRoute],
  ['GET', /^\/containers\/([^/]+)\/json$/, inspectRoute],
  ['GET', /^\/containers\/([^/]+)\/changes$/, changesRoute],
];
