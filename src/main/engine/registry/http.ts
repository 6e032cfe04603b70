import * as http from 'node:http';
import * as https from 'node:https';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { StrataError } from '../../../shared/errors.ts';

/**
 * A small HTTP client over node:http/https. fetch would do, but a registry client needs what
 * fetch hides: skipping TLS verification for registries the user marked insecure, raw streaming
 * bodies with backpressure, and keep-alive agents shared by the parallel layer transfers (which
 * also carry the environment's proxy settings).
 */

export interface HttpRequest {
  method: 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: URL;
  headers?: Record<string, string>;
  /** A buffer, or a factory for a fresh stream (called again if the request is redirected). */
  body?: Buffer | string | (() => Readable);
  signal?: AbortSignal;
  /** Accept any TLS certificate (insecure registries only). */
  skipTlsVerify?: boolean;
  /** Follow redirects (blob downloads are often redirected to a CDN); default true for GET/HEAD. */
  followRedirects?: boolean;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** The final URL after redirects. */
  url: URL;
  body: IncomingMessage;
}

interface Agents {
  http: http.Agent;
  https: https.Agent;
  httpsInsecure: https.Agent;
}

/** Keep-alive agents shared by all transfers, per proxy setting (rebuilt only when the environment changes). */
let agents: { key: string; agents: Agents } | undefined;

const PROXY_VARIABLES = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'NO_PROXY', 'no_proxy'] as const;

/**
 * The proxy settings docker's daemon honours (HTTP_PROXY, HTTPS_PROXY, NO_PROXY; lower case wins,
 * as in Node and curl), through Node's built-in agent proxy support. Like Go's
 * ProxyFromEnvironment, loopback is never proxied.
 */
export function proxyEnvironment(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of PROXY_VARIABLES) {
    const value = env[name];
    if (value) out[name] = value;
  }
  const noProxy = [out.no_proxy ?? out.NO_PROXY, 'localhost', '127.0.0.1', '::1'].filter(Boolean).join(',');
  delete out.no_proxy;
  out.NO_PROXY = noProxy;
  return out;
}

function currentAgents(): Agents {
  const proxyEnv = proxyEnvironment();
  const key = JSON.stringify(proxyEnv);
  if (agents?.key !== key) {
    // The old agents are left to finish what they carry; their idle sockets do not hold the process.
    const common = { keepAlive: true, maxSockets: 16, proxyEnv };
    agents = {
      key,
      agents: {
        http: new http.Agent(common),
        https: new https.Agent(common),
        httpsInsecure: new https.Agent({ ...common, rejectUnauthorized: false }),
      },
    };
  }
  return agents.agents;
}

const MAX_REDIRECTS = 10;

/** Sends one request; resolves once the response headers arrived. The caller consumes or discards the body. */
export async function send(req: HttpRequest): Promise<HttpResponse> {
  let url = req.url;
  let headers = { ...req.headers };
  const follow = req.followRedirects ?? (req.method === 'GET' || req.method === 'HEAD');
  for (let hop = 0; ; hop++) {
    const res = await sendOnce({ ...req, url, headers });
    const location = res.headers.location;
    if (!follow || !location || ![301, 302, 303, 307, 308].includes(res.status)) return res;
    res.body.resume();
    if (hop >= MAX_REDIRECTS) throw new StrataError('unavailable', `too many redirects fetching ${req.url.href}`);
    const next = new URL(location, url);
    // Credentials for the registry must never travel to the CDN it redirects to.
    if (next.host !== url.host) headers = withoutHeader(headers, 'authorization');
    url = next;
  }
}

function withoutHeader(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== name));
}

function sendOnce(req: HttpRequest): Promise<HttpResponse> {
  const isHttps = req.url.protocol === 'https:';
  const mod = isHttps ? https : http;
  const pool = currentAgents();
  const agent = isHttps ? (req.skipTlsVerify ? pool.httpsInsecure : pool.https) : pool.http;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'user-agent': 'strata/0.1 (+docker-compatible)', ...req.headers };
    if (typeof req.body === 'string' || Buffer.isBuffer(req.body)) headers['content-length'] ??= String(Buffer.byteLength(req.body));
    const signal = req.signal;
    if (signal?.aborted) return reject(abortError(signal));
    // Not http.request's own `signal`: it can destroy a keep-alive socket after the response ended,
    // when no request owns it any more, and crash the process with an unhandled 'error'.
    // Once the response is complete its socket may be back in the pool: leave it alone then.
    let response: IncomingMessage | undefined;
    const onAbort = (): void => {
      if (!response) r.destroy(abortError(signal!));
      else if (!response.complete) response.destroy(abortError(signal!));
    };
    const r = mod.request(req.url, { method: req.method, headers, agent }, (res) => {
      response = res;
      res.once('end', () => signal?.removeEventListener('abort', onAbort));
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, url: req.url, body: res });
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    r.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      reject(err);
    });
    if (req.body === undefined) {
      r.end();
    } else if (typeof req.body === 'function') {
      const body = req.body();
      body.on('error', (err) => r.destroy(err));
      body.pipe(r);
    } else {
      r.end(req.body);
    }
  });
}

function abortError(signal: AbortSignal): Error {
  return Object.assign(new Error('The operation was aborted', { cause: signal.reason }), { name: 'AbortError', code: 'ABORT_ERR' });
}

/** Reads a (small) response body to a buffer, refusing more than `limit` bytes. */
export async function readBody(res: HttpResponse, limit = 8 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      res.body.destroy();
      throw new StrataError('data-loss', `response from ${res.url.host} is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Drains a response body we do not need, so its connection returns to the pool. */
export function discard(res: HttpResponse): void {
  res.body.resume();
}

/** Errors that a retry may cure: the connection broke, or the server said 5xx/429. */
export function isTransientNetworkError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return (
    code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ETIMEDOUT' ||
    code === 'ECONNABORTED' || code === 'EAI_AGAIN' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'UND_ERR_SOCKET' ||
    (err instanceof Error && /socket hang up|aborted|premature close/i.test(err.message))
  );
}

/** A readable stream from an in-memory buffer (for small bodies that must be re-sendable). */
export function bufferStream(data: Buffer): () => Readable {
  return () => Readable.from([data]);
}
