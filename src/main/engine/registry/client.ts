import type { Readable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { Authorizer } from './auth.ts';
import type { Credentials } from './credentials.ts';
import { discard, isTransientNetworkError, RegistryTimeoutError, mayCarryCredentials, readBody, registryTimeouts, send, type HttpRequest, type HttpResponse, type Timeouts } from './http.ts';
import { registryError, RegistryError, UnauthorizedError } from './errors.ts';
import { apiHost } from './settings.ts';
import { digestOf } from '../store/digest.ts';
import { MediaType } from '../image/oci.ts';
import { StrataError } from '../../../shared/errors.ts';

export interface RegistryClientOptions {
  /** Registry domain as written in references (`docker.io`, `127.0.0.1:5000`). */
  domain: string;
  credentials: () => Promise<Credentials | undefined>;
  /** Plain HTTP and unverified TLS allowed (docker's insecure-registries). */
  insecure: boolean;
  signal?: AbortSignal;
  /** Attempts after the first for connection errors and 5xx answers. */
  retries?: number;
  /** First backoff delay in ms (doubles each attempt). */
  backoffMs?: number;
  /** Ask token servers for a refresh token as well (docker login's offline access). */
  offline?: boolean;
  /** Connect, header and idle deadlines (default: registryTimeouts(), from the environment). */
  timeouts?: Partial<Timeouts>;
}

export interface FetchedManifest {
  bytes: Buffer;
  mediaType: string;
  digest: string;
}

export interface ClientRequest {
  method: HttpRequest['method'];
  /** Path under the endpoint (`/v2/…`) or an absolute URL (upload locations). */
  path: string | URL;
  scopes: readonly string[];
  headers?: Record<string, string>;
  body?: HttpRequest['body'];
  /** Statuses that are answers, not errors; others raise a RegistryError. */
  ok: readonly number[];
  /**
   * Retry connection errors and 5xx here (default true). Upload bodies say false: a broken PUT or
   * PATCH may have left part of its bytes in the upload, so the caller resumes or starts over.
   */
  retry?: boolean;
  /** A blob download: its body may come in a reused buffer (HttpRequest.reuseBuffers). */
  reuseBuffers?: boolean;
}

/** Every manifest kind Strata understands, in the Accept header of manifest requests. */
export const MANIFEST_ACCEPT = [MediaType.DockerManifest, MediaType.DockerManifestList, MediaType.OciManifest, MediaType.OciIndex].join(', ');

const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

/**
 * One registry, spoken to over the distribution API. It finds the endpoint (https; plain http
 * only for insecure registries, like docker's fallback), answers auth challenges, and retries
 * connection errors and 5xx answers with exponential backoff.
 */
export class RegistryClient {
  readonly domain: string;
  readonly host: string;
  private readonly options: RegistryClientOptions;
  private readonly auth: Authorizer;
  private base: URL | undefined;
  private pinging: Promise<URL> | undefined;

  constructor(options: RegistryClientOptions) {
    this.options = options;
    this.domain = options.domain;
    this.host = apiHost(options.domain);
    this.timeouts = { ...registryTimeouts(), ...options.timeouts };
    this.auth = new Authorizer(options.credentials, options.insecure, { offline: options.offline ?? false, timeouts: this.timeouts });
  }

  readonly timeouts: Timeouts;

  get signal(): AbortSignal | undefined {
    return this.options.signal;
  }

  /** The retry policy, for transfers that retry by themselves (resumed downloads). */
  get retries(): number {
    return this.options.retries ?? 3;
  }

  /** Attempts after the first for a layer download: docker makes 5 attempts in all. */
  get downloadRetries(): number {
    return this.options.retries ?? 4;
  }

  get backoffMs(): number {
    return this.options.backoffMs ?? 250;
  }

  /** `GET /v2/`: picks the endpoint and learns the registry's auth challenge (once per client). */
  ping(): Promise<URL> {
    this.pinging ??= this.doPing();
    return this.pinging;
  }

  private async doPing(): Promise<URL> {
    const candidates = [new URL(`https://${this.host}/v2/`)];
    if (this.options.insecure) candidates.push(new URL(`http://${this.host}/v2/`));
    let lastError: unknown;
    let lastUrl = candidates[0]!;
    for (const url of candidates) {
      lastUrl = url;
      try {
        // Nothing listening is an answer, not a hiccup: move on (or fail) at once, like docker.
        const res = await this.withRetries(async () => {
          const r = await this.sendRaw({ method: 'GET', url });
          if (r.status >= 500 || r.status === 429) throw await registryError(r);
          return r;
        }, (err) => !isConnectionRefused(err));
        discard(res);
        if (res.status === 401) this.auth.learn(res.headers['www-authenticate']);
        else if (res.status !== 200) throw new RegistryError(res.status, res.statusText, []);
        this.base = new URL('/', url);
        return this.base;
      } catch (err) {
        if (this.signal?.aborted) throw err;
        lastError = err;
      }
    }
    // Like docker, an insecure registry's error is the plain-HTTP attempt's, unless TLS was the problem.
    const tlsProblem = candidates.length > 1 && !isConnectionRefused(lastError);
    throw pingError(tlsProblem ? candidates[0]! : lastUrl, lastError);
  }

  /**
   * Checks credentials the way `docker login` does: a ping answered with them. Resolves with the
   * identity (refresh) token the token server handed out, if it did, which docker then stores
   * instead of the password.
   */
  async login(): Promise<{ identityToken?: string }> {
    const base = await this.ping();
    if (!this.auth.scheme) return {}; // the registry wants no auth at all
    const url = new URL('/v2/', base);
    const res = await this.sendRaw({ method: 'GET', url }, await this.auth.header([]));
    discard(res);
    if (res.status === 401 || res.status === 403) throw new UnauthorizedError(`login attempt to ${url.href} failed with status: ${res.status} ${res.statusText}`);
    if (res.status !== 200) throw new RegistryError(res.status, res.statusText, []);
    return this.auth.refreshToken ? { identityToken: this.auth.refreshToken } : {};
  }

  /** One API call with auth and retries; resolves with an answer whose status is in `ok`. */
  async request(req: ClientRequest): Promise<HttpResponse> {
    const base = await this.ping();
    const url = typeof req.path === 'string' ? new URL(req.path, base) : req.path;
    for (let attempt = 0; ; attempt++) {
      // Asked only for the registry's own origin: another host gets no token fetched on its behalf.
      const authorization = mayCarryCredentials(url, base.origin) ? await this.auth.header(req.scopes, this.signal) : undefined;
      const once = async (): Promise<HttpResponse> => {
        const r = await this.sendRaw({
          method: req.method, url, ...(req.headers ? { headers: req.headers } : {}), ...(req.body !== undefined ? { body: req.body } : {}),
          ...(req.reuseBuffers ? { reuseBuffers: true } : {}),
        }, authorization);
        if (r.status >= 500 || r.status === 429) throw await registryError(r);
        return r;
      };
      const res = req.retry === false ? await once() : await this.withRetries(once);
      if (req.ok.includes(res.status)) return res;
      // Only the registry itself may send us to a token server: a challenge from anywhere else is not learnt.
      const ours = mayCarryCredentials(res.url, base.origin);
      if (res.status === 401 && attempt === 0 && ours && this.auth.learn(res.headers['www-authenticate'])) {
        // A new challenge (another scope, an expired token): ask again once.
        discard(res);
        this.auth.invalidate(req.scopes);
        continue;
      }
      const err = await registryError(res);
      if (res.status === 401) throw new UnauthorizedError(err.errors.length > 0 ? err.message : 'unauthorized: authentication required');
      throw err;
    }
  }

  /** One HTTP exchange; `authorization` goes only to the registry's origin (the endpoint the ping chose). */
  private sendRaw(req: Omit<HttpRequest, 'signal' | 'skipTlsVerify' | 'credentials' | 'timeouts'>, authorization?: string): Promise<HttpResponse> {
    const credentials = authorization && this.base ? { authorization, origin: this.base.origin } : undefined;
    return send({
      ...req, ...(this.signal ? { signal: this.signal } : {}), ...(credentials ? { credentials } : {}),
      skipTlsVerify: this.options.insecure, timeouts: this.timeouts,
    });
  }

  /** Runs `fn` again after transient failures (connection errors, 5xx, 429) with exponential backoff. */
  async withRetries<T>(fn: () => Promise<T>, worthRetrying: (err: unknown) => boolean = () => true): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!isTransient(err) || !worthRetrying(err) || attempt >= this.retries || this.signal?.aborted) throw err;
        await this.backoff(attempt);
      }
    }
  }

  /** Waits before attempt `attempt + 1`: backoffMs, doubling. */
  async backoff(attempt: number): Promise<void> {
    await sleep(this.backoffMs * 2 ** attempt, undefined, this.signal ? { signal: this.signal } : {});
  }

  async getManifest(repository: string, reference: string, scopes: readonly string[]): Promise<FetchedManifest> {
    const res = await this.request({
      method: 'GET', path: `/v2/${repository}/manifests/${reference}`, scopes, headers: { accept: MANIFEST_ACCEPT }, ok: [200],
    });
    const bytes = await readBody(res, MAX_MANIFEST_BYTES);
    const digest = digestOf(bytes);
    // By digest, the bytes must hash to it; by tag, the registry's header (when sent) must agree.
    const claimed = reference.startsWith('sha256:') ? reference : headerString(res.headers['docker-content-digest']);
    if (claimed && claimed.startsWith('sha256:') && claimed !== digest) throw new StrataError('data-loss', `manifest verification failed for digest ${claimed}`);
    const mediaType = manifestMediaType(bytes, headerString(res.headers['content-type']));
    return { bytes, mediaType, digest };
  }

  /** HEAD a blob in a repository: true when the registry has it there. */
  async hasBlob(repository: string, digest: string, scopes: readonly string[]): Promise<boolean> {
    const res = await this.request({ method: 'HEAD', path: `/v2/${repository}/blobs/${digest}`, scopes, ok: [200, 404] });
    discard(res);
    return res.status === 200;
  }

  /**
   * Opens a blob for reading from `offset` (a Range request when resuming). A `large` one (a
   * layer) is read into a reused buffer on a connection of its own (HttpRequest.reuseBuffers);
   * a small one (a config) keeps the pooled keep-alive connection.
   */
  async openBlob(repository: string, digest: string, scopes: readonly string[], offset: number, options: { large?: boolean } = {}): Promise<HttpResponse> {
    const headers: Record<string, string> = offset > 0 ? { range: `bytes=${offset}-` } : {};
    return this.request({
      method: 'GET', path: `/v2/${repository}/blobs/${digest}`, scopes, headers, ok: offset > 0 ? [200, 206] : [200],
      ...(options.large ? { reuseBuffers: true } : {}),
    });
  }

  /**
   * Cross-repository mount: `POST /blobs/uploads/?mount=…&from=…`. Returns undefined when the
   * registry mounted the blob (201), or the upload location it opened instead (202).
   */
  async mountBlob(repository: string, digest: string, from: string, scopes: readonly string[]): Promise<URL | undefined> {
    const path = `/v2/${repository}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`;
    const res = await this.request({ method: 'POST', path, scopes, headers: { 'content-length': '0' }, ok: [201, 202] });
    discard(res);
    return res.status === 201 ? undefined : this.location(res);
  }

  async startUpload(repository: string, scopes: readonly string[]): Promise<URL> {
    const res = await this.request({ method: 'POST', path: `/v2/${repository}/blobs/uploads/`, scopes, headers: { 'content-length': '0' }, ok: [202] });
    discard(res);
    return this.location(res);
  }

  /** Monolithic upload: the whole blob in the closing `PUT ?digest=`. */
  async putBlob(location: URL, digest: string, size: number, body: () => Readable, scopes: readonly string[]): Promise<void> {
    const res = await this.request({
      method: 'PUT', path: withDigest(location, digest), scopes,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(size) }, body, ok: [201], retry: false,
    });
    discard(res);
  }

  /** One chunk of a chunked upload (`PATCH` with Content-Range); returns the next location. */
  async patchChunk(location: URL, start: number, length: number, body: () => Readable, scopes: readonly string[]): Promise<URL> {
    const res = await this.request({
      method: 'PATCH', path: location, scopes,
      headers: { 'content-type': 'application/octet-stream', 'content-length': String(length), 'content-range': `${start}-${start + length - 1}` },
      body, ok: [202], retry: false,
    });
    discard(res);
    return this.location(res);
  }

  /** Closes a chunked upload: `PUT ?digest=` with no body. */
  async finishUpload(location: URL, digest: string, scopes: readonly string[]): Promise<void> {
    const res = await this.request({ method: 'PUT', path: withDigest(location, digest), scopes, headers: { 'content-length': '0' }, ok: [201] });
    discard(res);
  }

  async putManifest(repository: string, reference: string, bytes: Buffer, mediaType: string, scopes: readonly string[]): Promise<string> {
    const res = await this.request({
      method: 'PUT', path: `/v2/${repository}/manifests/${reference}`, scopes,
      headers: { 'content-type': mediaType }, body: bytes, ok: [201],
    });
    discard(res);
    return headerString(res.headers['docker-content-digest']) ?? digestOf(bytes);
  }

  /**
   * `GET /v2/<name>/tags/list`, following the registry's `Link: <…>; rel="next"` pages
   * (`n` tags at a time) to the end.
   */
  async listTags(repository: string, scopes: readonly string[], pageSize = 1000): Promise<string[]> {
    const tags: string[] = [];
    let path: string | URL = `/v2/${repository}/tags/list?n=${pageSize}`;
    for (let page = 0; ; page++) {
      if (page > 10_000) throw new StrataError('data-loss', `registry ${this.domain} keeps paginating the tags of ${repository}`);
      const res = await this.request({ method: 'GET', path, scopes, ok: [200] });
      const body = JSON.parse((await readBody(res, MAX_MANIFEST_BYTES)).toString('utf8')) as { tags?: unknown };
      if (Array.isArray(body.tags)) tags.push(...body.tags.filter((t): t is string => typeof t === 'string'));
      const next = /<([^>]+)>\s*;\s*rel="?next"?/.exec(headerString(res.headers.link) ?? '');
      if (!next) return tags;
      path = new URL(next[1]!, res.url);
    }
  }

  private location(res: HttpResponse): URL {
    const loc = headerString(res.headers.location);
    if (!loc) throw new StrataError('data-loss', `registry ${this.domain} opened an upload without a Location`);
    return new URL(loc, res.url);
  }
}

function withDigest(location: URL, digest: string): URL {
  const url = new URL(location.href);
  url.searchParams.set('digest', digest);
  return url;
}

/** Failures a retry may cure: a broken connection, a 5xx or a 429. */
export function isTransient(err: unknown): boolean {
  return isTransientNetworkError(err) || (err instanceof RegistryError && (err.status >= 500 || err.status === 429));
}

export function headerString(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The manifest's own mediaType field wins over the Content-Type header (registries differ). */
function manifestMediaType(bytes: Buffer, contentType: string | undefined): string {
  try {
    const parsed = JSON.parse(bytes.toString('utf8')) as { mediaType?: unknown; manifests?: unknown; config?: unknown };
    if (typeof parsed.mediaType === 'string' && parsed.mediaType) return parsed.mediaType;
    const ct = contentType?.split(';')[0]?.trim();
    if (ct && ct !== 'application/json' && ct !== 'text/plain') return ct;
    return Array.isArray(parsed.manifests) ? MediaType.OciIndex : MediaType.OciManifest;
  } catch {
    throw new StrataError('data-loss', 'registry returned a manifest that is not valid JSON');
  }
}

const UNKNOWN_AUTHORITY = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

/** docker's wording for an endpoint that cannot be reached. */
function pingError(url: URL, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  if (e instanceof RegistryError || e instanceof UnauthorizedError || e instanceof RegistryTimeoutError) return e;
  if (e?.code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(e?.message ?? '')) {
    return new StrataError('unavailable', `Get "${url.href}": http: server gave HTTP response to HTTPS client`);
  }
  if (e?.code && UNKNOWN_AUTHORITY.has(e.code)) {
    return new StrataError('unavailable', `Get "${url.href}": tls: failed to verify certificate: x509: certificate signed by unknown authority`);
  }
  if (e?.code === 'ECONNREFUSED') return new StrataError('unavailable', `Get "${url.href}": dial tcp ${url.host}: connect: connection refused`);
  if (e?.code === 'ENOTFOUND' || e?.code === 'EAI_AGAIN') return new StrataError('unavailable', `Get "${url.href}": dial tcp: lookup ${url.hostname}: no such host`, { details: { reason: 'no-such-host', host: url.hostname } });
  return new StrataError('unavailable', `Get "${url.href}": ${e?.message ?? String(err)}`);
}

function isConnectionRefused(err: unknown): boolean {
  return (err as NodeJS.ErrnoException | undefined)?.code === 'ECONNREFUSED';
}
