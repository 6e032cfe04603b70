/**
 * `strata system service`: the Docker Engine API served from Strata's own engine, so the docker
 * CLI, docker-compose, docker-py and dockerode drive Strata. A thin translation: one route table
 * per area (system, images, containers …) onto the engine calls the CLI uses.
 */
import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { connect } from 'node:net';
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Engine } from '../engine/engine.ts';
import { StrataError } from '../../shared/errors.ts';
import { ApiError, sendError } from './http.ts';
import { Router, splitVersion, type Route } from './router.ts';
import { serverHeaders, systemRoutes } from './system.ts';
import { imageRoutes } from './images.ts';
import { containerRoutes } from './containers.ts';
import { Lifecycle } from './lifecycle.ts';
import { buildRoutes } from './build.ts';
import { registryRoutes } from './registry.ts';
import { networkRoutes } from './networks.ts';
import { eventRoutes } from './events.ts';
import { archiveRoutes } from './archive.ts';

export interface ApiServerOptions {
  /** Extra route tables (tests, later areas). */
  routes?: Route[];
  /** Called after each request (the idle timer of `--time`). */
  onActivity?: () => void;
  /** Logs one line per request (`--log-level debug`). */
  log?: (line: string) => void;
  /** Serve HTTPS requiring a client certificate signed by `ca` (dockerd's --tlsverify): PEM text. */
  tls?: { ca: string; cert: string; key: string };
}

export function createApiServer(engine: Engine, options: ApiServerOptions = {}): Server {
  const lifecycle = new Lifecycle(engine);
  const router = new Router().add(systemRoutes).add(imageRoutes).add(containerRoutes).add(lifecycle.routes()).add(buildRoutes).add(registryRoutes).add(networkRoutes(engine)).add(eventRoutes).add(archiveRoutes).add(options.routes ?? []);
  const handle = async (req: IncomingMessage, res: ServerResponse, upgrade?: { socket: Duplex; head: Buffer }): Promise<void> => {
    serverHeaders(res);
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort(new StrataError('canceled', 'the client disconnected'));
    });
    try {
      const url = new URL(req.url ?? '/', 'http://strata.sock');
      // Podman's own API is not served: clients must not mistake Strata for podman.
      if (url.pathname.startsWith('/libpod/') || /^\/v[\d.]+\/libpod\//.test(url.pathname)) throw new ApiError(404, 'page not found');
      const { version, path } = splitVersion(url.pathname);
      const { handler, params } = router.match(req.method ?? 'GET', path);
      await handler({ req, res, engine, path, query: url.searchParams, params, version, signal: abort.signal, ...(upgrade ? { upgrade } : {}) });
    } catch (err) {
      sendError(res, err);
    } finally {
      options.log?.(`${req.method} ${req.url} ${upgrade && res.statusCode === 200 ? 101 : res.statusCode}`);
      options.onActivity?.();
    }
  };
  const serve = (req: IncomingMessage, res: ServerResponse): void => void handle(req, res);
  // With TLS, as dockerd's --tlsverify: only clients with a certificate the CA signed get through the handshake.
  const server: Server = options.tls
    ? createHttpsServer({ ca: options.tls.ca, cert: options.tls.cert, key: options.tls.key, requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, serve)
    : createServer(serve);
  // `Upgrade: tcp` (attach, exec start): errors before the upgrade are ordinary HTTP answers
  // written on the socket; the handler writes the 101 itself once it takes the stream.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const res = new ServerResponse(req);
    res.assignSocket(socket as Socket);
    res.shouldKeepAlive = false;
    res.once('finish', () => socket.end());
    void handle(req, res, { socket, head });
  });
  // A client's broken connection is its own business; the service keeps serving.
  server.on('clientError', (_err, socket) => socket.destroy());
  return server;
}

export { defaultSocketPath } from './socket-path.ts';

export const TCP_NEEDS_TLS = 'TCP is served only with TLS client certificates: pass --tlsverify --tlscacert CA.pem --tlscert CERT.pem --tlskey KEY.pem (as dockerd), or use a unix socket (unix:///path)';

/** `tcp://HOST:PORT` as a listen address (port 0: any free port). */
export function tcpAddressOf(uri: string): { host: string; port: number } {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new StrataError('invalid', `invalid service URI: ${uri} (expected tcp://HOST:PORT)`);
  }
  if (url.protocol !== 'tcp:' || !url.hostname || url.pathname.replace(/^\/$/, '') !== '') throw new StrataError('invalid', `invalid service URI: ${uri} (expected tcp://HOST:PORT)`);
  return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 2376 };
}

/** Parses `unix:///path` (or a bare path) into a socket path; other schemes are refused. */
export function socketPathOf(uri: string): string {
  if (uri.startsWith('unix://')) return uri.slice('unix://'.length);
  if (uri.startsWith('/')) return uri;
  if (uri.startsWith('tcp://')) throw new StrataError('unsupported', TCP_NEEDS_TLS);
  throw new StrataError('invalid', `invalid service URI: ${uri} (expected unix:///path)`);
}

/** A private directory for the socket: ours, not a link, mode 0700. */
function prepareDirectory(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const st = lstatSync(dir);
  const uid = process.getuid?.();
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid)) {
    throw new StrataError('permission-denied', `${dir} is not a directory owned by you: refusing to put the API socket there`);
  }
  if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
}

/** Removes a socket file no process listens on any more; refuses to replace a live service. */
async function clearStaleSocket(path: string): Promise<void> {
  let st;
  try {
    st = lstatSync(path);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new StrataError('already-exists', `${path} exists and is not a socket`);
  const live = await new Promise<boolean>((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (live) throw new StrataError('already-exists', `another service is already listening on ${path}`);
  unlinkSync(path);
}

/** Listens on a unix socket readable and writable by the user only (0600 in a 0700 directory). */
export async function listenUnix(server: Server, path: string): Promise<void> {
  prepareDirectory(dirname(path));
  await clearStaleSocket(path);
  const mask = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(mask);
  }
  chmodSync(path, 0o600);
}
