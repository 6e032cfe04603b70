/**
 * Small HTTP helpers for the Engine API service: docker's JSON bodies, docker's error shape
 * (`{"message": …}` with the status moby's errdefs gives the class), bounded request bodies and
 * docker's query conventions (`filters` as JSON, booleans as `1`/`true`).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HTTP_STATUS, StrataError, errorCode, type ErrorCode } from '../../shared/errors.ts';

/** A JSON request body larger than this is refused (a Dockerfile context is a stream, never JSON). */
const MAX_JSON_BODY = 4 * 1024 * 1024;

export class ApiError extends StrataError {
  readonly status: number;

  constructor(status: number, message: string, code: ErrorCode = status === 404 ? 'not-found' : status === 409 ? 'conflict' : 'invalid') {
    super(code, message);
    this.status = status;
  }
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body)}\n`;
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status = 204): void {
  res.writeHead(status);
  res.end();
}

/** The status docker gives an error of this class. */
export function statusOf(err: unknown): number {
  if (err instanceof ApiError) return err.status;
  const code = errorCode(err);
  // A request the service cannot honour (a flag the sandbox lacks) is the client's problem: 400.
  if (code === 'unsupported') return 400;
  if (code === 'data-loss') return 400;
  return HTTP_STATUS[code];
}

export function sendError(res: ServerResponse, err: unknown): void {
  const message = err instanceof Error ? err.message : String(err);
  if (res.headersSent) {
    // A stream already started: docker ends it with an error message in the stream's own shape.
    res.end();
    return;
  }
  sendJson(res, statusOf(err), { message });
}

/** Reads a JSON body, bounded; an empty body is `undefined`. */
export async function readJson<T>(req: IncomingMessage): Promise<T | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY) throw new ApiError(413, 'request body is too large');
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (!text) return undefined;
  try {
    return JSON.parse(text) as T;
  } catch (err) {
    throw new ApiError(400, `invalid JSON: ${(err as Error).message}`);
  }
}

/** docker's boolean query values: `1`, `true`, `True` are true; absent is the default. */
export function boolParam(q: URLSearchParams, name: string, fallback = false): boolean {
  const v = q.get(name);
  if (v === null || v === '') return fallback;
  return v === '1' || v.toLowerCase() === 'true';
}

export function intParam(q: URLSearchParams, name: string, fallback: number): number {
  const v = q.get(name);
  if (v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ApiError(400, `invalid value for ${name}: ${v}`);
  return Math.trunc(n);
}

/**
 * docker's `filters` query: JSON of name → [values] (or the legacy name → {value: true}). Returns
 * name → values.
 */
export function filtersParam(q: URLSearchParams): Record<string, string[]> {
  const raw = q.get('filters');
  if (!raw) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ApiError(400, `invalid filter: ${raw}`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new ApiError(400, `invalid filter: ${raw}`);
  const out: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value)) out[key] = value.map(String);
    else if (value && typeof value === 'object') out[key] = Object.entries(value).filter(([, on]) => on === true).map(([k]) => k);
    else throw new ApiError(400, `invalid filter: ${raw}`);
  }
  return out;
}

/** RFC 3339 with nanoseconds, as Go's time.Time marshals (docker's `Created`, `StartedAt`). */
export function goTime(ms: number): string {
  if (!ms) return '0001-01-01T00:00:00Z';
  const iso = new Date(ms).toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}
