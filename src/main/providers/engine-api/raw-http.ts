/**
 * The Engine API's plain JSON requests (ping, version, list, inspect, df) as one HTTP request over
 * node:http, without dockerode: loading dockerode and docker-modem (with ssh2 and their other
 * dependencies) cost a `strata -H … images` more than the listing itself. Only endpoints reached
 * without TLS or ssh (unix://, tcp:// without certificates) are served here; the others, and
 * every streamed or writing call, stay with dockerode (see provider.ts).
 */
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { Endpoint } from './endpoint.ts';
import { StrataError } from '../../../shared/errors.ts';

/** Where plain HTTP reaches the engine: a unix socket, or a host and port. */
export type RawTarget = { socketPath: string } | { host: string; port: number };

/** An engine's answer larger than this is refused (bounded memory): 1,000 images list in about 1 MB. */
const MAX_BODY = 256 << 20;

/** The plain-HTTP target of an endpoint, or undefined when it needs TLS or ssh (dockerode's part). */
export function rawTarget(endpoint: Endpoint): RawTarget | undefined {
  let url: URL;
  try {
    url = new URL(endpoint.host);
  } catch {
    return undefined;
  }
  if (url.protocol === 'unix:') {
    const socketPath = decodeURIComponent(url.pathname);
    return socketPath ? { socketPath } : undefined;
  }
  if ((url.protocol === 'tcp:' || url.protocol === 'http:') && !endpoint.tls) {
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : 2375 };
  }
  return undefined;
}

/** An engine's refusal in docker-modem's shape (statusCode, json), which engineError reads. */
export class EngineHttpError extends Error {
  readonly statusCode: number;
  readonly json: unknown;

  constructor(statusCode: number, json: unknown, text: string) {
    const message = (json as { message?: unknown } | null)?.message;
    super(typeof message === 'string' ? message : text.trim() || `status ${statusCode}`);
    this.statusCode = statusCode;
    this.json = json;
  }
}

/** The response as it arrives, or the connection's error (its code, as net reports it). */
function open(target: RawTarget, path: string, timeoutMs: number | undefined): Promise<{ req: ClientRequest; res: IncomingMessage }> {
  // process.getBuiltinModule, not `import 'node:http'`: the ESM namespace of node:http evaluates
  // its lazy getters (the bundled undici among them), tens of milliseconds of every start-up.
  const http = process.getBuiltinModule('node:http');
  const net = process.getBuiltinModule('node:net');
  // One connection of our own, no Agent: an Agent checks whether its host is an IP address, and
  // compiling that pattern alone costs ~15 ms; a socket path has no host to check.
  const connect = (): Socket => ('socketPath' in target ? net.createConnection(target.socketPath) : net.createConnection(target.port, target.host));
  const options: RequestOptions = { path, method: 'GET', headers: { Host: 'docker' }, createConnection: connect };
  return new Promise((resolve, reject) => {
    const req: ClientRequest = http.request(options, (res) => resolve({ req, res }));
    if (timeoutMs !== undefined) {
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`timed out after ${timeoutMs} ms`), { code: 'ETIMEDOUT' })));
    }
    req.on('error', reject);
    req.end();
  });
}

/** The response and its whole body (bounded). */
async function request(target: RawTarget, path: string, timeoutMs: number | undefined): Promise<{ res: IncomingMessage; body: Buffer }> {
  const { req, res } = await open(target, path, timeoutMs);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.destroy(new StrataError('resource-exhausted', `the engine's answer to ${path} is larger than ${MAX_BODY} bytes`));
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve({ res, body: Buffer.concat(chunks, size) }));
    res.on('error', reject);
    req.on('error', reject);
  });
}

/** A streamed GET (an export): the body as it arrives; a status ≥ 400 reads the refusal and throws EngineHttpError. */
export async function getStream(target: RawTarget, path: string, signal?: AbortSignal): Promise<IncomingMessage> {
  const { req, res } = await open(target, path, undefined);
  signal?.addEventListener('abort', () => req.destroy(signal.reason as Error), { once: true });
  const status = res.statusCode ?? 0;
  if (status < 400) return res;
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // a plain-text refusal
  }
  throw new EngineHttpError(status, json, text);
}

/** GET `path` (with its query): the response's headers and JSON body; a status ≥ 400 throws EngineHttpError. */
export async function getJson<T>(target: RawTarget, path: string, timeoutMs?: number): Promise<{ headers: IncomingMessage['headers']; body: T }> {
  const { res, body } = await request(target, path, timeoutMs);
  const text = body.toString('utf8');
  const isJson = String(res.headers['content-type'] ?? '').includes('json');
  let json: unknown = text;
  if (isJson && text.trim()) {
    try {
      json = JSON.parse(text);
    } catch {
      throw new StrataError('invalid', `the engine answered ${path} with malformed JSON`);
    }
  }
  const status = res.statusCode ?? 0;
  if (status >= 400) throw new EngineHttpError(status, json, text);
  return { headers: res.headers, body: json as T };
}

/** A query string from `params` (undefined values left out), as docker-modem builds it. */
export function query(params: Record<string, string | number | boolean | undefined>): string {
  const parts = Object.entries(params).flatMap(([k, v]) => (v === undefined ? [] : [`${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`]));
  return parts.length ? `?${parts.join('&')}` : '';
}
