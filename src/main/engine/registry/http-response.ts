import type { IncomingHttpHeaders } from 'node:http';
import { StrataError } from '../../../shared/errors.ts';

/**
 * An HTTP/1.1 response read from raw socket bytes: the status line and headers (bounded), then the
 * body framed by Content-Length, chunked transfer coding or the end of the connection. Body bytes
 * are handed on as views of the pieces pushed in, never copied; only the head and chunk-size lines
 * are gathered (bounded) when a read splits them. Used for blob downloads (see blob-body.ts).
 */

/** Node's default --max-http-header-size: a larger head is refused, not buffered. */
export const MAX_HEAD_BYTES = 16 * 1024;
/** A chunk-size line with its extensions. */
const MAX_CHUNK_LINE = 1024;

export interface ResponseHead {
  status: number;
  statusText: string;
  headers: IncomingHttpHeaders;
}

export interface ResponseEvents {
  head(head: ResponseHead): void;
  body(view: Buffer): void;
  end(): void;
}

/** Headers node:http keeps the first of when they repeat (`_addHeaderLine`); others are joined with ', '. */
const FIRST_WINS = new Set([
  'content-type', 'content-length', 'user-agent', 'referer', 'host', 'authorization', 'proxy-authorization',
  'if-modified-since', 'if-unmodified-since', 'from', 'location', 'max-forwards', 'retry-after', 'etag',
  'last-modified', 'server', 'age', 'expires',
]);
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const STATUS_LINE = /^HTTP\/1\.[01] (\d{3})(?: ([^\r\n]*))?$/;

type State = 'head' | 'length' | 'chunk-size' | 'chunk-data' | 'chunk-end' | 'trailers' | 'close' | 'done';

export class ResponseReader {
  private state: State = 'head';
  /** Head, chunk-size or trailer bytes gathered across pieces. */
  private line = Buffer.alloc(0);
  /** Body bytes left: of the Content-Length body or of the current chunk. */
  private left = 0;
  private trailerBytes = 0;
  private readonly events: ResponseEvents;
  private readonly host: string;
  private readonly headRequest: boolean;

  constructor(host: string, events: ResponseEvents, options: { headRequest?: boolean } = {}) {
    this.host = host;
    this.events = events;
    this.headRequest = options.headRequest ?? false;
  }

  get done(): boolean {
    return this.state === 'done';
  }

  /** Whether the head has been read (a failure before it is the request's, after it the body's). */
  get headRead(): boolean {
    return this.state !== 'head';
  }

  /** Reads one piece of the connection; bytes past the response's end are ignored. */
  push(piece: Buffer): void {
    let at = 0;
    while (at < piece.length && this.state !== 'done') at = this.step(piece, at);
  }

  /** The connection ended: ends a body read until close, else it is a premature end. */
  close(): void {
    if (this.state === 'done') return;
    if (this.state === 'close') {
      this.state = 'done';
      return this.events.end();
    }
    if (this.state === 'head') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    throw Object.assign(new Error(`premature close: the response from ${this.host} ended before its body did`), { code: 'ERR_STREAM_PREMATURE_CLOSE' });
  }

  private step(piece: Buffer, at: number): number {
    switch (this.state) {
      case 'head': return this.gather(piece, at, '\r\n\r\n', MAX_HEAD_BYTES, `response headers exceed ${MAX_HEAD_BYTES} bytes`, (head) => this.readHead(head));
      case 'trailers': return this.gather(piece, at, '\r\n', MAX_HEAD_BYTES, `response trailers exceed ${MAX_HEAD_BYTES} bytes`, (line) => this.trailer(line));
      case 'chunk-size': return this.gather(piece, at, '\r\n', MAX_CHUNK_LINE, `a chunk-size line exceeds ${MAX_CHUNK_LINE} bytes`, (line) => this.chunkSize(line));
      case 'chunk-end': return this.gather(piece, at, '\r\n', 0, 'a chunk is longer than its size', () => this.chunkEnd());
      case 'length': case 'chunk-data': return this.bodyBytes(piece, at);
      case 'close': this.events.body(piece.subarray(at)); return piece.length;
      default: return piece.length;
    }
  }

  /** Gathers bytes up to and including `end` (at most `limit` before it) and hands them to `then`. */
  private gather(piece: Buffer, at: number, end: string, limit: number, tooLong: string, then: (text: Buffer) => void): number {
    const take = piece.subarray(at, Math.min(piece.length, at + limit + end.length - this.line.length));
    const joined = this.line.length === 0 ? take : Buffer.concat([this.line, take]);
    const found = joined.indexOf(end, Math.max(0, this.line.length - end.length + 1), 'latin1');
    if (found < 0) {
      if (joined.length >= limit + end.length) throw malformed(this.host, tooLong);
      this.line = Buffer.from(joined); // a copy: the piece's buffer is reused for the next read
      return at + take.length;
    }
    const used = found + end.length - this.line.length;
    this.line = Buffer.alloc(0);
    then(joined.subarray(0, found + end.length));
    return at + used;
  }

  /** One trailer line; the empty one ends the response. Trailers are read and dropped, as a blob has none we use. */
  private trailer(line: Buffer): void {
    this.trailerBytes += line.length;
    if (this.trailerBytes > MAX_HEAD_BYTES) throw malformed(this.host, `response trailers exceed ${MAX_HEAD_BYTES} bytes`);
    if (line.length === 2) this.finish();
  }

  private readHead(bytes: Buffer): void {
    const lines = bytes.toString('latin1').slice(0, -4).split('\r\n');
    const status = STATUS_LINE.exec(lines[0]!);
    if (!status) throw malformed(this.host, `bad status line ${JSON.stringify(lines[0]!.slice(0, 80))}`);
    const headers = parseHeaders(lines.slice(1), this.host);
    const code = Number(status[1]);
    // An interim answer (100 Continue, 103 Early Hints): the real one follows, as node:http reads it.
    if (code >= 100 && code < 200 && code !== 101) return;
    this.events.head({ status: code, statusText: status[2] ?? '', headers });
    this.frame(code, headers);
  }

  /** How the body is delimited (RFC 9112 §6.3). */
  private frame(status: number, headers: IncomingHttpHeaders): void {
    if (this.headRequest || status === 204 || status === 304) return this.finish();
    const coding = headers['transfer-encoding'];
    if (coding !== undefined) {
      this.state = /(?:^|,)\s*chunked\s*$/i.test(coding) ? 'chunk-size' : 'close';
      return;
    }
    const length = headers['content-length'];
    if (length === undefined) {
      this.state = 'close';
      return;
    }
    if (!/^\d{1,15}$/.test(length)) throw malformed(this.host, `bad Content-Length ${JSON.stringify(length.slice(0, 40))}`);
    this.left = Number(length);
    this.state = 'length';
    if (this.left === 0) this.finish();
  }

  private bodyBytes(piece: Buffer, at: number): number {
    const n = Math.min(this.left, piece.length - at);
    this.left -= n;
    this.events.body(piece.subarray(at, at + n));
    if (this.left === 0) {
      if (this.state === 'length') this.finish();
      else this.state = 'chunk-end';
    }
    return at + n;
  }

  private chunkSize(line: Buffer): void {
    const size = /^([0-9a-fA-F]{1,12})[ \t]*(?:;[^\r\n]*)?\r\n$/.exec(line.toString('latin1'));
    if (!size) throw malformed(this.host, 'bad chunk size');
    this.left = Number.parseInt(size[1]!, 16);
    this.state = this.left === 0 ? 'trailers' : 'chunk-data';
  }

  private chunkEnd(): void {
    this.state = 'chunk-size';
  }

  private finish(): void {
    this.state = 'done';
    this.events.end();
  }
}

function parseHeaders(lines: string[], host: string): IncomingHttpHeaders {
  const headers: Record<string, string | string[]> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    const name = line.slice(0, colon).toLowerCase();
    if (colon <= 0 || !TOKEN.test(name)) throw malformed(host, `bad header line ${JSON.stringify(line.slice(0, 80))}`);
    const value = line.slice(colon + 1).trim();
    const had = headers[name];
    if (name === 'set-cookie') headers[name] = [...((had as string[] | undefined) ?? []), value];
    else if (had === undefined) headers[name] = value;
    else if (!FIRST_WINS.has(name)) headers[name] = `${had as string}, ${value}`;
  }
  return headers as IncomingHttpHeaders;
}

function malformed(host: string, what: string): StrataError {
  return new StrataError('data-loss', `malformed HTTP response from ${host}: ${what}`);
}
