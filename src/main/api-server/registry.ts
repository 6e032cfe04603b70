/**
 * Pull (`POST /images/create?fromImage=…`) and push (`POST /images/{name}/push`) over the Engine
 * API: credentials come with the request (`X-Registry-Auth`, base64url JSON), never from the
 * service's own user files, and progress streams as docker's JSON messages.
 */
import type { IncomingMessage } from 'node:http';
import type { ProgressEvent } from '../engine/api.ts';
import { pull, pullAllTags } from '../engine/registry/pull.ts';
import { prepareInBackground } from '../engine/snapshot/prepare.ts';
import { push, pushAllTags } from '../engine/registry/push.ts';
import { login, loginRegistry } from '../engine/registry/login.ts';
import type { CredentialStore, Credentials } from '../engine/registry/credentials.ts';
import { parseReference } from '../engine/image/reference.ts';
import { ApiError, readJson, sendJson } from './http.ts';
import type { Route, RouteContext } from './router.ts';

/** The client's credentials for this one request, for any registry it names (docker's rule). */
export function requestCredentials(req: IncomingMessage): CredentialStore {
  const header = req.headers['x-registry-auth'];
  let creds: Credentials | undefined;
  if (typeof header === 'string' && header.length > 0) {
    let parsed: { username?: string; password?: string; identitytoken?: string };
    try {
      parsed = JSON.parse(Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8')) as typeof parsed;
    } catch {
      throw new ApiError(400, 'invalid X-Registry-Auth header');
    }
    if (parsed.identitytoken) creds = { username: parsed.username ?? '<token>', password: '', identityToken: parsed.identitytoken };
    else if (parsed.username) creds = { username: parsed.username, password: parsed.password ?? '' };
  }
  return {
    get: async () => creds,
    store: async () => {},
    erase: async () => false,
  };
}

/** docker's JSON message for one progress event. */
function message(e: ProgressEvent): Record<string, unknown> {
  const detail = e.current !== undefined ? { current: e.current, ...(e.total !== undefined ? { total: e.total } : {}) } : undefined;
  return { status: e.status, ...(e.id ? { id: e.id } : {}), ...(detail ? { progressDetail: detail } : {}) };
}

function streamer(ctx: RouteContext): { send: (obj: object) => void; fail: (err: unknown) => void } {
  const send = (obj: object): void => {
    if (!ctx.res.headersSent) ctx.res.writeHead(200, { 'Content-Type': 'application/json' });
    ctx.res.write(`${JSON.stringify(obj)}\n`);
  };
  return {
    send,
    fail: (err) => {
      // Errors after the stream started travel in it, as docker's errorDetail.
      if (!ctx.res.headersSent) throw err;
      const text = err instanceof Error ? err.message : String(err);
      send({ errorDetail: { message: text }, error: text });
    },
  };
}

async function pullRoute(ctx: RouteContext): Promise<void> {
  const q = ctx.query;
  const from = q.get('fromImage');
  if (!from) {
    if (q.get('fromSrc')) throw new ApiError(400, 'import over the API is not supported yet: use strata import');
    throw new ApiError(400, 'fromImage is required');
  }
  const tag = q.get('tag') ?? '';
  const input = tag ? (tag.startsWith('sha256:') ? `${from}@${tag}` : `${from}:${tag}`) : from;
  const allTags = !tag && parseReference(from, { defaultTag: false }).tag === undefined && !from.includes('@');
  const { send, fail } = streamer(ctx);
  const options = {
    credentials: requestCredentials(ctx.req),
    signal: ctx.signal,
    ...(q.get('platform') ? { platform: q.get('platform')! } : {}),
    onProgress: (e: ProgressEvent) => send(message(e)),
  };
  try {
    // The engine's progress already ends with docker's `Digest:` and `Status:` lines.
    const pulled = allTags ? await pullAllTags(ctx.engine, input, options) : await pull(ctx.engine, input, options);
    prepareInBackground(ctx.engine, 'tags' in pulled ? pulled.tags.map((t) => t.result.image.id) : [pulled.image.id]);
    ctx.res.end();
  } catch (err) {
    fail(err);
    ctx.res.end();
  }
}

async function pushRoute(ctx: RouteContext): Promise<void> {
  const name = ctx.params[0]!;
  const tag = ctx.query.get('tag') ?? '';
  const { send, fail } = streamer(ctx);
  const options = { credentials: requestCredentials(ctx.req), signal: ctx.signal, onProgress: (e: ProgressEvent) => send(message(e)) };
  try {
    const results = tag ? [await push(ctx.engine, `${name}:${tag}`, options)] : await pushAllTags(ctx.engine, name, options);
    for (const r of results) {
      send({ status: `${r.tag}: digest: ${r.digest} size: ${r.size}` });
      send({ progressDetail: {}, aux: { Tag: r.tag, Digest: r.digest, Size: r.size } });
    }
    ctx.res.end();
  } catch (err) {
    fail(err);
    ctx.res.end();
  }
}

/**
 * `POST /auth` (docker login): checks the credentials with the registry and hands back an
 * identity token when the registry gives one; the client keeps the secret, the service never does.
 */
async function authRoute(ctx: RouteContext): Promise<void> {
  const body = (await readJson<{ username?: string; password?: string; serveraddress?: string }>(ctx.req)) ?? {};
  if (!body.username) throw new ApiError(400, 'username is required');
  let kept: Credentials | undefined;
  const keep: CredentialStore = { get: async () => undefined, store: async (_r, c) => void (kept = c), erase: async () => false };
  await login(ctx.engine, loginRegistry(body.serveraddress || undefined), { username: body.username, password: body.password ?? '' }, { credentials: keep, signal: ctx.signal });
  sendJson(ctx.res, 200, { Status: 'Login Succeeded', IdentityToken: kept?.identityToken ?? '' });
}

export const registryRoutes: Route[] = [
  ['POST', /^\/auth$/, authRoute],
  ['POST', /^\/images\/create$/, pullRoute],
  ['POST', /^\/images\/(.+)\/push$/, pushRoute],
];
