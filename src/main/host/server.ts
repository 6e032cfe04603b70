/**
 * The browser host: serves the built renderer and bridges the contract over a WebSocket to the
 * same handlers Electron uses. Listens on 127.0.0.1 only, and answers only requests addressed to
 * it by name (Host `127.0.0.1:PORT` or `localhost:PORT`: a DNS-rebound name is refused).
 *
 * Access: the URL printed by `strata ui` carries the instance's token. The first visit trades it
 * for a session cookie (HttpOnly, SameSite=Strict, named after the port) and hands the token on
 * to the page in the URL's fragment, which never leaves the browser; the page keeps it in its
 * own origin's sessionStorage. Cookies ignore ports, so every other service on 127.0.0.1 is sent
 * the cookie: it only serves the (public) renderer files. The WebSocket, which reaches the engine,
 * needs the cookie, the token in its URL and this host's Origin.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WsReply, WsRequest } from '../../shared/client.ts';
import type { Handlers } from './handlers.ts';
import type { Envelope } from '../../shared/contract.ts';
import { errorInfo, HostSession } from './session.ts';

/** Per port: two instances on one machine never overwrite each other's cookie. */
const COOKIE_PREFIX = 'strata_session_';
const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.woff2': 'font/woff2', '.json': 'application/json', '.ico': 'image/x-icon',
};

export interface BrowserHostOptions {
  port?: number;
  /** The built renderer (electron-vite's out/renderer). */
  rendererDir?: string;
  token?: string;
}

export interface BrowserHost {
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

export function defaultRendererDir(): string {
  return resolve(fileURLToPath(new URL('../../../out/renderer', import.meta.url)));
}

function sameToken(a: string | undefined, b: string): boolean {
  if (!a || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

function cookieValue(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === name) return v;
  }
  return undefined;
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
}

function serveStatic(dir: string, urlPath: string, res: ServerResponse): void {
  const rel = normalize(decodeURIComponent(urlPath)).replace(/^([/\\])+/, '');
  let file = resolve(dir, rel || 'index.html');
  if (file !== dir && !file.startsWith(dir + sep)) {
    res.writeHead(403).end('forbidden');
    return;
  }
  if (!existsSync(file) || statSync(file).isDirectory()) file = join(dir, 'index.html');
  if (!existsSync(file)) {
    res.writeHead(500, { 'Content-Type': 'text/plain' }).end('The renderer is not built: run `npx electron-vite build` first.\n');
    return;
  }
  res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
  createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

export async function startBrowserHost(handlers: Handlers, options: BrowserHostOptions = {}): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(24).toString('hex');
  // The cookie's value is not the token: a service that is sent the cookie cannot open the WebSocket with it.
  const session = randomBytes(24).toString('hex');
  const dir = resolve(options.rendererDir ?? defaultRendererDir());
  let port = options.port ?? 0;
  const cookie = (): string => `${COOKIE_PREFIX}${port}`;
  const ownHost = (req: IncomingMessage): boolean => req.headers.host === `127.0.0.1:${port}` || req.headers.host === `localhost:${port}`;
  const ownOrigin = (req: IncomingMessage): boolean => req.headers.origin === `http://127.0.0.1:${port}` || req.headers.origin === `http://localhost:${port}`;

  const serve = (req: IncomingMessage, res: ServerResponse): void => {
    securityHeaders(res);
    if (!ownHost(req)) {
      res.writeHead(421, { 'Content-Type': 'text/plain' }).end('misdirected request: this server answers to 127.0.0.1 and localhost only\n');
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const given = url.searchParams.get('token') ?? undefined;
    if (given !== undefined) {
      if (!sameToken(given, token)) {
        res.writeHead(401, { 'Content-Type': 'text/plain' }).end('invalid token\n');
        return;
      }
      // The cookie for the files; the token moves to the fragment, where only the page reads it.
      res.writeHead(303, { 'Set-Cookie': `${cookie()}=${session}; HttpOnly; SameSite=Strict; Path=/`, Location: `${url.pathname}#token=${token}` });
      res.end();
      return;
    }
    if (!sameToken(cookieValue(req, cookie()), session)) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Open the URL printed by `strata ui` (it carries the access token).\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    serveStatic(dir, url.pathname, res);
  };
  const server: Server = createServer((req, res) => {
    try {
      serve(req, res);
    } catch {
      // A malformed path (bad percent-encoding) or a file that vanished: this request fails, not the host.
      if (!res.headersSent) res.writeHead(400, { 'Content-Type': 'text/plain' }).end('bad request\n');
      else res.destroy();
    }
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 32 << 20 });
  wss.on('error', () => {});
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const allowed = url.pathname === '/ws' && ownHost(req) && ownOrigin(req) &&
      sameToken(cookieValue(req, cookie()), session) && sameToken(url.searchParams.get('token') ?? undefined, token);
    if (!allowed) {
      socket.end('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => bridge(ws, handlers));
  });

  await new Promise<void>((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolveListen());
  });
  const address = server.address();
  port = typeof address === 'object' && address ? address.port : port;
  return {
    url: `http://127.0.0.1:${port}/?token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((done) => {
        for (const c of wss.clients) c.terminate();
        wss.close();
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

/** One tab: the WebSocket's messages go to a HostSession; pushes and replies come back. */
function bridge(ws: WebSocket, handlers: Handlers): void {
  const send = (reply: WsReply): void => {
    if (ws.readyState !== ws.OPEN) return;
    let text: string;
    try {
      text = JSON.stringify(reply);
    } catch (err) {
      // A value that does not serialise: the caller gets an error envelope, the host carries on.
      if (reply.t !== 'reply') return;
      text = JSON.stringify({ t: 'reply', seq: reply.seq, envelope: { ok: false, error: errorInfo(err) } } satisfies WsReply);
    }
    ws.send(text, () => {});
  };
  const session = new HostSession(handlers, (msg) => send({ t: 'push', msg }));
  const replyTo = (seq: number) => (envelope: Envelope<unknown>): void => send({ t: 'reply', seq, envelope });
  const failed = (seq: number) => (err: unknown): void => send({ t: 'reply', seq, envelope: { ok: false, error: errorInfo(err) } });
  ws.on('error', () => ws.terminate());
  ws.on('message', (raw) => {
    let msg: WsRequest;
    try {
      msg = JSON.parse(String(raw)) as WsRequest;
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    try {
      if (msg.t === 'invoke' && typeof msg.seq === 'number') {
        session.invoke(msg.name, msg.params).then(replyTo(msg.seq), failed(msg.seq));
      } else if (msg.t === 'stream' && typeof msg.seq === 'number') {
        session.stream(msg.id, msg.name, msg.params).then(replyTo(msg.seq), failed(msg.seq));
      } else if (msg.t === 'cancel') {
        session.cancel(msg.id);
      } else if (msg.t === 'input') {
        session.input(msg.id, msg.data);
      }
    } catch (err) {
      if ('seq' in msg && typeof msg.seq === 'number') failed(msg.seq)(err);
    }
  });
  ws.on('close', () => session.dispose());
}
