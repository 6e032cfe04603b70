/** The Engine API's network endpoints, over the store's named networks. */
import type { Network } from '../engine/network/networks.ts';
import { Networks } from '../engine/network/networks.ts';
import type { Engine } from '../engine/engine.ts';
import { ApiError, filtersParam, readJson, sendEmpty, sendJson } from './http.ts';
import type { Route, RouteContext } from './router.ts';

/** docker's NetworkResource. */
function resource(n: Network): Record<string, unknown> {
  return {
    Name: n.name,
    Id: n.id,
    Created: new Date(n.created).toISOString(),
    Scope: 'local',
    Driver: n.driver,
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: [] },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: {},
    Options: {},
    Labels: n.labels,
  };
}

function matches(n: Network, key: string, value: string): boolean {
  switch (key) {
    case 'name':
      return n.name.includes(value);
    case 'id':
      return n.id.startsWith(value);
    case 'driver':
      return n.driver === value;
    case 'type':
      return value === (n.predefined ? 'builtin' : 'custom');
    case 'label': {
      const eq = value.indexOf('=');
      return eq === -1 ? value in n.labels : n.labels[value.slice(0, eq)] === value.slice(eq + 1);
    }
    default:
      throw new ApiError(400, `invalid filter '${key}'`);
  }
}

export function networkRoutes(engine: Engine): Route[] {
  const networks = new Networks(engine.db);
  const list = (ctx: RouteContext): void => {
    let all = networks.list();
    for (const [key, values] of Object.entries(filtersParam(ctx.query))) all = all.filter((n) => values.some((v) => matches(n, key, v)));
    sendJson(ctx.res, 200, all.map(resource));
  };
  const create = async (ctx: RouteContext): Promise<void> => {
    const body = (await readJson<{ Name?: string; Driver?: string; Labels?: Record<string, string> }>(ctx.req)) ?? {};
    if (!body.Name) throw new ApiError(400, 'network name is required');
    const n = networks.create(body.Name, body.Driver || 'bridge', body.Labels ?? {});
    sendJson(ctx.res, 201, { Id: n.id, Warning: '' });
  };
  const connect = async (ctx: RouteContext): Promise<void> => {
    networks.get(ctx.params[0]!);
    const body = (await readJson<{ Container?: string }>(ctx.req)) ?? {};
    engine.containers.get(body.Container ?? '');
    ctx.res.writeHead(200);
    ctx.res.end();
  };
  const prune = (ctx: RouteContext): void => {
    const deleted: string[] = [];
    for (const n of networks.list()) {
      if (n.predefined) continue;
      networks.remove(n.id);
      deleted.push(n.name);
    }
    sendJson(ctx.res, 200, { NetworksDeleted: deleted });
  };
  return [
    ['GET', /^\/networks$/, list],
    ['POST', /^\/networks\/create$/, create],
    ['POST', /^\/networks\/prune$/, prune],
    ['GET', /^\/networks\/([^/]+)$/, (ctx) => sendJson(ctx.res, 200, resource(networks.get(ctx.params[0]!)))],
    ['DELETE', /^\/networks\/([^/]+)$/, (ctx) => (networks.remove(ctx.params[0]!), sendEmpty(ctx.res))],
    ['POST', /^\/networks\/([^/]+)\/(?:connect|disconnect)$/, connect],
  ];
}

/** Whether a container's NetworkMode names a network this store knows (user-defined or predefined). */
export function knownNetwork(engine: Engine, mode: string): boolean {
  try {
    new Networks(engine.db).get(mode);
    return true;
  } catch {
    return false;
  }
}
