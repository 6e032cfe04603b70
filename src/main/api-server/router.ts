/**
 * Routing for the Engine API service: docker's paths with and without a `/v1.NN` prefix, the
 * version negotiated per request, one table of routes per API area.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Engine } from '../engine/engine.ts';
import { ApiError } from './http.ts';

/** The API versions this service speaks (docker 20.10's 1.41 to docker 25's 1.44). */
export const MIN_API_VERSION = 1.41;
export const MAX_API_VERSION = 1.44;
/** What `/version` reports as the oldest version clients may ask for (moby's MinAPIVersion). */
export const MIN_API_VERSION_TEXT = '1.24';
export const API_VERSION_TEXT = '1.44';

export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  engine: Engine;
  /** The path without the version prefix. */
  path: string;
  query: URLSearchParams;
  /** The regular expression's groups, URL-decoded. */
  params: string[];
  /** The API version the client asked for (the newest when unversioned). */
  version: number;
  /** Aborted when the client disconnects. */
  signal: AbortSignal;
  /** Set when the client asked to upgrade the connection (`Upgrade: tcp`): attach and exec start. */
  upgrade?: { socket: Duplex; head: Buffer };
}

export type Handler = (ctx: RouteContext) => void | Promise<void>;
export type Route = [method: string, pattern: RegExp, handler: Handler];

/** `/v1.41/images/json` → { version: 1.41, path: '/images/json' }. */
export function splitVersion(pathname: string): { version: number; path: string } {
  const m = /^\/v(\d+)\.(\d+)(\/.*)$/.exec(pathname);
  if (!m) return { version: MAX_API_VERSION, path: pathname };
  const version = Number(`${m[1]}.${m[2]!.padStart(2, '0')}`);
  if (version > MAX_API_VERSION) throw new ApiError(400, `client version ${m[1]}.${m[2]} is too new. Maximum supported API version is ${API_VERSION_TEXT}`);
  if (version < Number(MIN_API_VERSION_TEXT)) {
    throw new ApiError(400, `client version ${m[1]}.${m[2]} is too old. Minimum supported API version is ${MIN_API_VERSION_TEXT}, please upgrade your client to a newer version`);
  }
  return { version: Math.max(version, MIN_API_VERSION), path: m[3]! };
}

export class Router {
  private readonly routes: Route[] = [];

  add(routes: readonly Route[]): this {
    this.routes.push(...routes);
    return this;
  }

  /** The handler and its path groups; a known path with another method is 405, an unknown one 404. */
  match(method: string, path: string): { handler: Handler; params: string[] } {
    let pathKnown = false;
    for (const [m, pattern, handler] of this.routes) {
      const hit = pattern.exec(path);
      if (!hit) continue;
      pathKnown = true;
      if (m === method || (method === 'HEAD' && m === 'GET')) {
        return { handler, params: hit.slice(1).map((p) => (p === undefined ? p! : decodeURIComponent(p))) };
      }
    }
    if (pathKnown) throw new ApiError(405, `method ${method} is not allowed on ${path}`);
    throw new ApiError(404, `page not found`);
  }
}
