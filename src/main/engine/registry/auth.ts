import type { Credentials } from './credentials.ts';
import { readBody, send, type HttpResponse, type Timeouts } from './http.ts';
import { registryError, UnauthorizedError } from './errors.ts';

/** One WWW-Authenticate challenge: `Bearer realm="…",service="…",scope="…"`. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/** Parses WWW-Authenticate header values (several challenges, quoted or token params). */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const values = header === undefined ? [] : Array.isArray(header) ? header : [header];
  const out: Challenge[] = [];
  for (const value of values) {
    // Tokens are either `name=value` (value quoted or bare) or a bare word starting a new challenge.
    const re = /([A-Za-z0-9_.-]+)(?:\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^,\s]*)))?/g;
    let current: Challenge | undefined;
    let m: RegExpExecArray | null;
    while ((m = re.exec(value)) !== null) {
      const isParam = m[2] !== undefined || m[3] !== undefined;
      if (!isParam) {
        current = { scheme: m[1]!.toLowerCase(), params: {} };
        out.push(current);
      } else if (current) {
        current.params[m[1]!.toLowerCase()] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!;
      }
    }
  }
  return out;
}

/** `repository:library/busybox:pull` — the scope a bearer token is asked for. */
export function repositoryScope(repository: string, actions: 'pull' | 'push,pull'): string {
  return `repository:${repository}:${actions}`;
}

interface CachedToken {
  token: string;
  expiresAt: number;
}

/**
 * Authorization for one registry: remembers the registry's challenge (from the ping or a 401),
 * answers Basic challenges with the stored credentials, and runs the token flow for Bearer
 * challenges (GET realm?service=…&scope=… with the password, or the OAuth2 POST with an identity
 * token), caching one token per set of scopes until it expires.
 */
export class Authorizer {
  private challenge: Challenge | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly pendingTokens = new Map<string, Promise<CachedToken>>();
  private readonly credentials: () => Promise<Credentials | undefined>;
  private readonly skipTlsVerify: boolean;
  /** Ask the token server for a refresh token too (login). */
  private readonly offline: boolean;
  private readonly timeouts: Timeouts | undefined;
  /** The refresh token the token server handed out, if it did. */
  refreshToken: string | undefined;

  constructor(credentials: () => Promise<Credentials | undefined>, skipTlsVerify: boolean, options: { offline?: boolean; timeouts?: Timeouts } = {}) {
    this.credentials = credentials;
    this.skipTlsVerify = skipTlsVerify;
    this.offline = options.offline ?? false;
    this.timeouts = options.timeouts;
  }

  /** Takes the challenges of a 401 answer; returns false when none is one we can answer. */
  learn(header: string | string[] | undefined): boolean {
    const usable = parseChallenges(header).find((c) => c.scheme === 'bearer' || c.scheme === 'basic');
    if (!usable) return false;
    this.challenge = usable;
    return true;
  }

  get scheme(): string | undefined {
    return this.challenge?.scheme;
  }

  /** Drops cached tokens for these scopes (after the registry refused one). */
  invalidate(scopes: readonly string[]): void {
    this.tokens.delete(scopeKey(scopes));
  }

  /** The Authorization header for a request needing `scopes`, or undefined for anonymous access. */
  async header(scopes: readonly string[], signal?: AbortSignal): Promise<string | undefined> {
    const c = this.challenge;
    if (!c) return undefined;
    if (c.scheme === 'basic') {
      const creds = await this.credentials();
      if (!creds) throw new UnauthorizedError('no basic auth credentials');
      return `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`;
    }
    const key = scopeKey(scopes);
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt > Date.now() + 5_000) return `Bearer ${cached.token}`;
    let pending = this.pendingTokens.get(key);
    if (!pending) {
      pending = this.fetchToken(c, scopes, signal).finally(() => this.pendingTokens.delete(key));
      this.pendingTokens.set(key, pending);
    }
    const token = await pending;
    this.tokens.set(key, token);
    return `Bearer ${token.token}`;
  }

  private async fetchToken(c: Challenge, scopes: readonly string[], signal?: AbortSignal): Promise<CachedToken> {
    const realm = c.params.realm;
    if (!realm) throw new Error('registry sent a bearer challenge without a realm');
    const creds = await this.credentials();
    const res = creds?.identityToken
      ? await this.refreshTokenRequest(new URL(realm), c.params.service, scopes, creds.identityToken, signal)
      : await this.basicTokenRequest(new URL(realm), c.params.service, scopes, creds, signal);
    if (res.status === 401 || res.status === 403) {
      const err = await registryError(res);
      throw new UnauthorizedError(err.errors.length > 0 ? err.message : `unauthorized: incorrect username or password`);
    }
    if (res.status !== 200) throw new Error(`token request to ${res.url.host} failed: ${(await registryError(res)).message}`);
    const body = JSON.parse((await readBody(res, 1024 * 1024)).toString('utf8')) as {
      token?: string; access_token?: string; expires_in?: number; refresh_token?: string;
    };
    const token = body.token ?? body.access_token;
    if (!token) throw new Error(`token server ${res.url.host} returned no token`);
    if (typeof body.refresh_token === 'string' && body.refresh_token !== '') this.refreshToken = body.refresh_token;
    const expiresIn = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 60;
    return { token, expiresAt: Date.now() + expiresIn * 1000 };
  }

  /**
   * The token flow with a password: GET realm?service=…&scope=… with Basic credentials. When
   * logging in, it also asks for a refresh token (`offline_token=true`), as docker login does.
   */
  private basicTokenRequest(url: URL, service: string | undefined, scopes: readonly string[], creds: Credentials | undefined, signal?: AbortSignal): Promise<HttpResponse> {
    if (service) url.searchParams.set('service', service);
    for (const s of scopes) url.searchParams.append('scope', s);
    let credentials: { authorization: string; origin: string } | undefined;
    if (creds) {
      // The token server the registry named is the one origin these credentials go to (as docker does).
      credentials = { authorization: `Basic ${Buffer.from(`${creds.username}:${creds.password}`).toString('base64')}`, origin: url.origin };
      url.searchParams.set('account', creds.username);
      if (this.offline) {
        url.searchParams.set('offline_token', 'true');
        url.searchParams.set('client_id', CLIENT_ID);
      }
    }
    return send({
      method: 'GET', url, ...(credentials ? { credentials } : {}), ...(signal ? { signal } : {}), ...this.transport(),
    });
  }

  private transport(): { skipTlsVerify: boolean; timeouts?: Timeouts } {
    return { skipTlsVerify: this.skipTlsVerify, ...(this.timeouts ? { timeouts: this.timeouts } : {}) };
  }

  /** The OAuth2 flow with an identity token (distribution's token spec): POST grant_type=refresh_token. */
  private refreshTokenRequest(url: URL, service: string | undefined, scopes: readonly string[], refreshToken: string, signal?: AbortSignal): Promise<HttpResponse> {
    const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken, client_id: CLIENT_ID });
    if (service) form.set('service', service);
    if (scopes.length > 0) form.set('scope', scopes.join(' '));
    if (this.offline) form.set('access_type', 'offline');
    return send({
      method: 'POST', url, body: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      ...(signal ? { signal } : {}), ...this.transport(),
    });
  }
}

/** The OAuth2 client ID Strata names itself with (docker says `docker`). */
const CLIENT_ID = 'strata';

function scopeKey(scopes: readonly string[]): string {
  return [...scopes].sort().join(' ');
}
