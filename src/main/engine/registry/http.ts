import type * as Http from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { Readable } from 'node:stream';
import { TLSSocket } from 'node:tls';
import { StrataError } from '../../../shared/errors.ts';
import { BlobBody, ReadRing } from './blob-body.ts';
import { ResponseReader } from './http-response.ts';

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
  /**
   * The Authorization header and the one origin it belongs to. It is sent to that origin only,
   * on the first request and on every redirect hop (see mayCarryCredentials); an `authorization`
   * in `headers` is never sent.
   */
  credentials?: { authorization: string; origin: string };
  /** Defaults to registryTimeouts() (docker's dial timeout, and deadlines for a stalled server). */
  timeouts?: Timeouts;
  /**
   * A large download (a blob): a GET without a proxy reads its body into one reused buffer, a
   * BlobBody, on a connection of its own (see blob-body.ts). Others go through node:http.
   */
  reuseBuffers?: boolean;
}

/** How long a registry may keep us waiting, in ms, at each stage of a request. */
export interface Timeouts {
  /** TCP connect and TLS handshake (docker's dialer: 30 s). */
  connectMs: number;
  /** From the request sent in full to the response's headers. */
  headersMs: number;
  /** No byte sent (upload) or received (body) while we wait for one. */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 30_000, headersMs: 60_000, idleMs: 60_000 };

const TIMEOUT_VARIABLES: Record<keyof Timeouts, string> = {
  connectMs: 'STRATA_REGISTRY_CONNECT_TIMEOUT',
  headersMs: 'STRATA_REGISTRY_HEADER_TIMEOUT',
  idleMs: 'STRATA_REGISTRY_IDLE_TIMEOUT',
};

/** The defaults, each overridable by its environment variable in seconds (`STRATA_REGISTRY_IDLE_TIMEOUT=0.5`). */
export function registryTimeouts(env: NodeJS.ProcessEnv = process.env): Timeouts {
  const out = { ...DEFAULT_TIMEOUTS };
  for (const key of Object.keys(TIMEOUT_VARIABLES) as (keyof Timeouts)[]) {
    const seconds = Number(env[TIMEOUT_VARIABLES[key]] ?? NaN);
    if (Number.isFinite(seconds) && seconds > 0) out[key] = Math.round(seconds * 1000);
  }
  return out;
}

/**
 * The one rule for registry credentials: they go to the origin (scheme, host and port) they were
 * given for, and nowhere else — not to an upload Location, a `Link` page or a redirect that names
 * another host, port or scheme (a blob CDN gets the request without them).
 */
export function mayCarryCredentials(url: URL, origin: string): boolean {
  return url.origin === origin;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
  /** The final URL after redirects. */
  url: URL;
  /** node:http's IncomingMessage, or a BlobBody for requests that asked to reuse buffers. */
  body: Readable;
}

// process.getBuiltinModule, not `import 'node:http'`: the ESM namespaces of node:http and
// node:https evaluate the bundled undici's lazy getters (≈ 100 ms of CPU and ≈ 2 MB of heap that
// every collection during a transfer walks again).
const http = process.getBuiltinModule('node:http');
const https = process.getBuiltinModule('node:https');

interface Agents {
  http: Http.Agent;
  https: InstanceType<typeof https.Agent>;
  httpsInsecure: InstanceType<typeof https.Agent>;
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
const USER_AGENT = 'strata/0.1 (+docker-compatible)';

/** Sends one request; resolves once the response headers arrived. The caller consumes or discards the body. */
export async function send(req: HttpRequest): Promise<HttpResponse> {
  let url = req.url;
  const plain = withoutHeader(req.headers ?? {}, 'authorization');
  const follow = req.followRedirects ?? (req.method === 'GET' || req.method === 'HEAD');
  const timeouts = req.timeouts ?? registryTimeouts();
  for (let hop = 0; ; hop++) {
    const creds = req.credentials;
    const headers = creds && mayCarryCredentials(url, creds.origin) ? { ...plain, authorization: creds.authorization } : plain;
    const res = await sendOnce({ ...req, url, headers }, timeouts);
    const location = res.headers.location;
    if (!follow || !location || ![301, 302, 303, 307, 308].includes(res.status)) return res;
    res.body.resume();
    if (hop >= MAX_REDIRECTS) throw new StrataError('unavailable', `too many redirects fetching ${req.url.href}`);
    url = new URL(location, url);
  }
}

function withoutHeader(headers: Record<string, string>, name: string): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).filter(([k]) => k.toLowerCase() !== name));
}

function sendOnce(req: HttpRequest, timeouts: Timeouts): Promise<HttpResponse> {
  if (req.reuseBuffers && req.method === 'GET' && req.body === undefined && !proxied(req.url)) return sendReusingBuffers(req, timeouts);
  const isHttps = req.url.protocol === 'https:';
  const mod = isHttps ? https : http;
  const pool = currentAgents();
  const agent = isHttps ? (req.skipTlsVerify ? pool.httpsInsecure : pool.https) : pool.http;
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { 'user-agent': USER_AGENT, ...req.headers };
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
      deadlines.receiving(res);
      res.once('end', () => signal?.removeEventListener('abort', onAbort));
      res.once('close', () => signal?.removeEventListener('abort', onAbort));
      resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: res.headers, url: req.url, body: res });
    });
    const deadlines = new Deadlines(req, timeouts, (err) => (response ? response.destroy(err) : r.destroy(err)));
    deadlines.watch(r);
    signal?.addEventListener('abort', onAbort, { once: true });
    r.on('error', (err) => {
      deadlines.stop();
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

/** Whether the environment names a proxy for the URL's scheme (then node:http's agent takes the request, NO_PROXY and all). */
function proxied(url: URL): boolean {
  const env = proxyEnvironment();
  return Boolean(url.protocol === 'https:' ? env.https_proxy ?? env.HTTPS_PROXY : env.http_proxy ?? env.HTTP_PROXY);
}

/**
 * A GET on a connection of its own (closed after it), its response read by ResponseReader and its
 * body by a BlobBody: the socket reads into one reused ring, not a fresh buffer per read. TLS,
 * an insecure registry's unverified certificate, the deadlines and cancellation as in sendOnce.
 */
function sendReusingBuffers(req: HttpRequest, timeouts: Timeouts): Promise<HttpResponse> {
  const { url, signal } = req;
  const ring = new ReadRing();
  const body = new BlobBody(ring);
  const head = requestHead(req);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    let answered = false;
    let settled = false;
    const fail = (err: Error): void => {
      if (settled) return;
      settled = true;
      deadlines.stop();
      signal?.removeEventListener('abort', onAbort);
      socket.destroy();
      if (answered) body.destroy(err);
      else reject(err);
    };
    const reader = new ResponseReader(url.host, {
      head: (head) => {
        answered = true;
        deadlines.receivingFrom(socket, () => body.waitingOnReader);
        resolve({ ...head, url, body });
      },
      body: (view) => body.deliver(view),
      end: () => {
        settled = true;
        deadlines.stop();
        signal?.removeEventListener('abort', onAbort);
        body.push(null);
        socket.destroy();
      },
    });
    const onread = {
      buffer: () => ring.next(),
      callback: (n: number, room: Buffer): boolean => {
        ring.filled(n);
        try {
          reader.push(room.subarray(0, n));
        } catch (err) {
          fail(err as Error);
          return false;
        }
        return !answered || settled || body.keepReading();
      },
    };
    const socket = connectFor(req, onread);
    body.attach(socket);
    const deadlines = new Deadlines(req, timeouts, fail);
    deadlines.watchSocket(socket);
    const onAbort = (): void => fail(abortError(signal!));
    signal?.addEventListener('abort', onAbort, { once: true });
    socket.on('error', fail);
    socket.once('end', () => {
      try {
        reader.close();
      } catch (err) {
        fail(err as Error);
      }
    });
    socket.once('close', () => fail(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    socket.write(head);
  });
}

const net = process.getBuiltinModule('node:net');
const tls = process.getBuiltinModule('node:tls');

function connectFor(req: HttpRequest, onread: { buffer: () => Buffer; callback: (n: number, room: Buffer) => boolean }): Socket {
  const host = req.url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (req.url.protocol !== 'https:') return net.connect({ host, port: Number(req.url.port || 80), onread });
  // tls.connect takes net's onread too (documented, not in @types/node).
  const options = {
    host, port: Number(req.url.port || 443), onread, ALPNProtocols: ['http/1.1'],
    rejectUnauthorized: !req.skipTlsVerify, ...(net.isIP(host) ? {} : { servername: host }),
  };
  return tls.connect(options);
}

/** The request line and headers of a body-less request; the connection closes after the answer. */
function requestHead(req: HttpRequest): string {
  const headers: Record<string, string> = { host: req.url.host, 'user-agent': USER_AGENT, ...req.headers, connection: 'close' };
  let head = `${req.method} ${req.url.pathname}${req.url.search} HTTP/1.1\r\n`;
  for (const [name, value] of Object.entries(headers)) {
    if (/[\r\n]/.test(name + value)) throw new StrataError('invalid', `invalid character in header ${JSON.stringify(name)}`);
    head += `${name}: ${value}\r\n`;
  }
  return `${head}\r\n`;
}

/**
 * A request's deadlines, one stage at a time: connecting (TCP and TLS), sending the body (no
 * byte written for idleMs), awaiting the response headers, reading the body (no byte received for
 * idleMs while the reader waits for one; a reader that is merely slow is not a stalled server).
 * On expiry the request or response is destroyed with a 'deadline-exceeded' error worded like Go's
 * net/http, which the callers' retries treat as transient.
 */
class Deadlines {
  private timer: NodeJS.Timeout | undefined;
  private readonly req: HttpRequest;
  private readonly timeouts: Timeouts;
  private readonly fail: (err: Error) => void;

  constructor(req: HttpRequest, timeouts: Timeouts, fail: (err: Error) => void) {
    this.req = req;
    this.timeouts = timeouts;
    this.fail = fail;
  }

  watch(r: Http.ClientRequest): void {
    let connected = false;
    let sent = false;
    const awaitHeaders = (): void => {
      if (connected && sent) this.after(this.timeouts.headersMs, 'net/http: timeout awaiting response headers');
    };
    this.after(this.timeouts.connectMs, `dial tcp ${this.req.url.host}: i/o timeout`);
    r.once('socket', (socket: Socket) => {
      const onConnected = (): void => {
        connected = true;
        if (sent) return awaitHeaders();
        this.idle(() => socket.bytesWritten, () => false, `write tcp ${this.req.url.host}: i/o timeout`);
      };
      // A pooled keep-alive socket is connected already; a new TLS one only after its handshake.
      if (r.reusedSocket || (!socket.connecting && !(socket instanceof TLSSocket))) onConnected();
      else socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', onConnected);
    });
    r.once('finish', () => {
      sent = true;
      awaitHeaders();
    });
    r.once('close', () => this.stop());
  }

  /** A connection of our own: connecting (TCP and TLS), then awaiting the head (the request is one small write). */
  watchSocket(socket: Socket): void {
    this.after(this.timeouts.connectMs, `dial tcp ${this.req.url.host}: i/o timeout`);
    socket.once(socket instanceof TLSSocket ? 'secureConnect' : 'connect', () => this.after(this.timeouts.headersMs, 'net/http: timeout awaiting response headers'));
  }

  receiving(res: IncomingMessage): void {
    const socket = res.socket;
    if (!socket) return this.stop();
    // Data the reader has not taken yet means the wait is ours (a slow reader), not the server's.
    this.receivingFrom(socket, () => res.readableLength > 0);
    res.once('end', () => this.stop());
    res.once('close', () => this.stop());
  }

  /** The body: no byte received for idleMs while `readerBusy` does not explain the wait. */
  receivingFrom(socket: Socket, readerBusy: () => boolean): void {
    this.idle(() => socket.bytesRead, readerBusy, `read tcp ${this.req.url.host}: i/o timeout`);
  }

  stop(): void {
    clearTimeout(this.timer);
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private after(ms: number, reason: string): void {
    this.stop();
    this.timer = setTimeout(() => this.expire(reason, ms), ms).unref();
  }

  /** Fails when `progress` has not moved for idleMs while nothing on our side explains the wait. */
  private idle(progress: () => number, busy: () => boolean, reason: string): void {
    this.stop();
    const ms = this.timeouts.idleMs;
    let last = progress();
    let since = Date.now();
    this.timer = setInterval(() => {
      const now = progress();
      if (now !== last || busy()) {
        last = now;
        since = Date.now();
      } else if (Date.now() - since >= ms) {
        this.expire(reason, ms);
      }
    }, Math.max(10, Math.min(1000, ms / 4))).unref();
  }

  private expire(reason: string, ms: number): void {
    this.stop();
    this.fail(new RegistryTimeoutError(this.req.method, this.req.url, reason, ms));
  }
}

/** A registry that did not answer in time: `Get "https://…/v2/": net/http: timeout awaiting response headers`. */
export class RegistryTimeoutError extends StrataError {
  constructor(method: string, url: URL, reason: string, ms: number) {
    const verb = method[0] + method.slice(1).toLowerCase();
    super('deadline-exceeded', `${verb} "${url.href}": ${reason} (no answer for ${formatSeconds(ms)})`, { details: { url: url.href, timeoutMs: ms } });
  }
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${(ms / 1000).toFixed(1)}s`;
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
    code === 'deadline-exceeded' || code === 'ECONNRESET' || code === 'ECONNREFUSED' || code === 'EPIPE' || code === 'ETIMEDOUT' ||
    code === 'ECONNABORTED' || code === 'EAI_AGAIN' || code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'UND_ERR_SOCKET' ||
    (err instanceof Error && /socket hang up|aborted|premature close/i.test(err.message))
  );
}

/** A readable stream from an in-memory buffer (for small bodies that must be re-sendable). */
export function bufferStream(data: Buffer): () => Readable {
  return () => Readable.from([data]);
}
