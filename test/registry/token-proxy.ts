import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';

/**
 * Docker Hub's auth flow on loopback, around a real registry: a token server (`/token`) that
 * checks basic credentials and issues opaque tokens for the scopes asked, and a proxy that lets a
 * request through to the registry only with a token granting its repository and action, answering
 * 401 with a `Bearer realm=…,service=…,scope=…` challenge otherwise.
 */
export interface TokenProxy {
  host: string;
  /** Scope strings of every token issued, in order. */
  issued: string[][];
  /** Authorization headers seen by the token endpoint (for "credentials were sent" checks). */
  tokenRequestsWithCredentials: number;
  /** OAuth2 `grant_type=refresh_token` POSTs that got an access token. */
  refreshGrants: number;
  stop(): Promise<void>;
}

/**
 * With `refreshTokens`, the token server also speaks the OAuth2 side of distribution's token spec:
 * a GET with valid credentials and `offline_token=true` gets a refresh token too, and
 * `POST /token` with `grant_type=refresh_token` exchanges one for an access token.
 */
export async function startTokenProxy(upstream: string, user: string, password: string, options: { refreshTokens?: boolean } = {}): Promise<TokenProxy> {
  const tokens = new Map<string, Set<string>>();
  const refreshTokens = new Set<string>();
  const state: TokenProxy = { host: '', issued: [], tokenRequestsWithCredentials: 0, refreshGrants: 0, stop: async () => {} };
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', `http://${state.host}`);
    if (url.pathname === '/token' && req.method === 'POST' && options.refreshTokens) return oauthToken(req, res);
    if (url.pathname === '/token') return issueToken(req, res, url);
    return proxy(req, res, url);
  });

  function refuse(res: http.ServerResponse, message: string): void {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message }] }));
  }

  /** Access token for the scopes asked: anonymous users may pull; pushing needs the account. */
  function grant(scopes: string[], account: boolean): string {
    const granted = new Set<string>();
    for (const scope of scopes) {
      const [, repo, actions] = /^repository:(.+):([a-z,]+)$/.exec(scope) ?? [];
      if (!repo || !actions) continue;
      for (const a of actions.split(',')) if (a === 'pull' || account) granted.add(`${repo}:${a}`);
    }
    const token = randomBytes(16).toString('hex');
    tokens.set(token, granted);
    state.issued.push([...granted]);
    return token;
  }

  function issueToken(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const auth = req.headers.authorization;
    if (auth) {
      state.tokenRequestsWithCredentials++;
      const [u, p] = Buffer.from(auth.replace(/^Basic /, ''), 'base64').toString().split(':');
      if (u !== user || p !== password) return refuse(res, 'incorrect username or password');
    }
    const token = grant(url.searchParams.getAll('scope'), auth !== undefined);
    const body: Record<string, unknown> = { token, expires_in: 300 };
    if (auth && options.refreshTokens && url.searchParams.get('offline_token') === 'true') {
      const refresh = randomBytes(16).toString('hex');
      refreshTokens.add(refresh);
      body.refresh_token = refresh;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  function oauthToken(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      if (form.get('grant_type') !== 'refresh_token' || !refreshTokens.has(form.get('refresh_token') ?? '')) {
        return refuse(res, 'invalid refresh token');
      }
      state.refreshGrants++;
      const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: grant(scopes, true), expires_in: 300, scope: form.get('scope') ?? '' }));
    });
  }

  function proxy(req: http.IncomingMessage, res: http.ServerResponse, url: URL): void {
    const m = /^\/v2\/(.+?)\/(?:manifests|blobs|tags)\//.exec(url.pathname);
    const repo = m?.[1];
    const action = req.method === 'GET' || req.method === 'HEAD' ? 'pull' : 'push';
    const token = req.headers.authorization?.replace(/^Bearer /, '');
    const granted = token ? tokens.get(token) : undefined;
    const mountFrom = url.searchParams.get('from');
    const allowed =
      granted !== undefined &&
      (repo === undefined || granted.has(`${repo}:${action}`)) &&
      (mountFrom === null || granted.has(`${mountFrom}:pull`));
    if (!allowed) {
      const scope = repo ? `repository:${repo}:${action === 'pull' ? 'pull' : 'pull,push'}` : '';
      res.writeHead(401, {
        'content-type': 'application/json',
        'www-authenticate': `Bearer realm="http://${state.host}/token",service="loopback-registry"${scope ? `,scope="${scope}"` : ''}`,
      });
      res.end(JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }));
      return;
    }
    const headers = { ...req.headers };
    delete headers.authorization;
    const up = http.request({ host: upstream.split(':')[0], port: Number(upstream.split(':')[1]), method: req.method, path: req.url, headers }, (ur) => {
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  state.stop = () => new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
  return state;
}
