/**
 * The browser host: serves the built renderer and bridges the contract over a WebSocket to the
 * same handlers Electron uses. Listens on 127.0.0.1 only; every request needs the random token
 * (given once in the URL, then kept in an HttpOnly SameSite=Strict cookie), and the WebSocket
 * also checks that the Origin is this host.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type WebSocket } from 'ws';
import type { WsReply, WsRequest } from '../../shared/client.ts';
import type { Handlers } from './handlers.ts';
import { HostSession } from './session.ts';

const COOKIE = 'strata_token';
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

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, v] = part.trim().split('=');
    if (k === COOKIE) return v;
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
  createReadStream(file).pipe(res);
}

export async function startBrowserHost(handlers: Handlers, options: BrowserHostOptions = {}): Promise<BrowserHost> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const dir = resolve(options.rendererDir ?? defaultRendererDir());
  let port = options.port ?? 0;
  const allowedOrigins = (): string[] => [`http://127.0.0.1:${port}`, `http://localhost:${port}`];

  const server: Server = createServer((req, res) => {
    securityHeaders(res);
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const given = url.searchParams.get('token') ?? undefined;
    if (given !== undefined) {
      if (!sameToken(given, token)) {
        res.writeHead(401, { 'Content-Type': 'text/plain' }).end('invalid token\n');
        return;
      }
      // Trade the URL token for a cookie, and drop it from the address bar.
      res.writeHead(303, { 'Set-Cookie': `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`, Location: url.pathname });
      res.end();
      return;
    }
    if (!sameToken(cookieToken(req), token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain' }).end('Open the URL printed by `strata ui` (it carries the access token).\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405).end();
      return;
    }
    serveStatic(dir, url.pathname, res);
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: 32 << 20 });
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    const origin = req.headers.origin ?? '';
    if (url.pathname !== '/ws' || !allowedOrigins().includes(origin) || !sameToken(cookieToken(req), token)) {
      socket.write('HTTP/1.1 403 Forbidden\r\n\r\n');
      socket.destroy();
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
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
  };
  const session = new HostSession(handlers, (msg) => send({ t: 'push', msg }));
  ws.on('message', (raw) => {
    let msg: WsRequest;
    try {
      msg = JSON.parse(String(raw)) as WsRequest;
    } catch {
      return;
    }
    if (typeof msg !== 'object' || msg === null) return;
    if (msg.t === 'invoke' && typeof msg.seq === 'number') {
      void session.invoke(msg.name, msg.params).then((envelope) => send({ t: 'reply', seq: msg.seq, envelope }));
    } else if (msg.t === 'stream' && typeof msg.seq === 'number') {
      void session.stream(msg.id, msg.name, msg.params).then((envelope) => send({ t: 'reply', seq: msg.seq, envelope }));
    } else if (msg.t === 'cancel') {
      session.cancel(msg.id);
    } else if (msg.t === 'input') {
      session.input(msg.id, msg.data);
    }
  });
  ws.on('close', () => session.dispose());
}
