/**
 * A push parser of tar archives for reading headers fast: chunks in, one call per entry's header
 * and its body bytes as views of the chunks that carry them (no copies, no stream per entry).
 * Headers decode as tar-stream decodes them (ustar prefix, GNU long names, pax path/linkpath/size,
 * a trailing `/` naming a directory, unknown formats and types), so an index made here matches
 * what the store's unpacker (tar-stream) reads. Built for indexing an engine's `docker save`
 * stream, where a chain of streams per entry and per nested layer cost more than the engine took
 * to send the bytes; the store's layer ingest uses it for the same reason.
 */
import type { Header } from 'tar-stream';
import { StrataError } from '../../../shared/errors.ts';

/** Entries that describe the next entry rather than being one. */
type MetaType = 'pax-header' | 'pax-global-header' | 'gnu-long-path' | 'gnu-long-link-path';

export type TarHeader = Omit<Header, 'pax'>;

export interface TarVisitor {
  /** A header: the entry's body (header.size bytes, none for a directory) follows as data(). */
  entry(header: TarHeader): void;
  /** Bytes of the current entry's body, in order; a view valid during the call only. */
  data?(chunk: Uint8Array): void;
}

const BLOCK = 512;
/** A pax record or GNU long name is at most this large (a hostile archive gets an error, not our memory). */
const MAX_META = 1 << 20;

const TYPES: Record<number, Header['type'] | MetaType> = {
  48: 'file', 49: 'link', 50: 'symlink', 51: 'character-device', 52: 'block-device', 53: 'directory', 54: 'fifo', 55: 'contiguous-file',
  120: 'pax-header', 103: 'pax-global-header', 76: 'gnu-long-path', 75: 'gnu-long-link-path',
};

const invalid = (what: string): StrataError => new StrataError('invalid', `invalid tar archive: ${what}`);

/** A NUL-terminated string of a header field. */
function str(b: Uint8Array, off: number, len: number): string {
  let end = off;
  while (end < off + len && b[end] !== 0) end++;
  return Buffer.from(b.buffer, b.byteOffset + off, end - off).toString('utf8');
}

/** A numeric field: octal text, or base-256 (the high bit of its first byte set) for large values. */
function num(b: Uint8Array, off: number, len: number): number {
  if (b[off]! & 0x80) {
    if (b[off] === 0xff) throw invalid('negative number in a header');
    let v = b[off]! & 0x7f;
    for (let i = off + 1; i < off + len; i++) v = v * 256 + b[i]!;
    if (!Number.isSafeInteger(v)) throw invalid('number too large in a header');
    return v;
  }
  let i = off;
  const end = off + len;
  while (i < end && (b[i] === 0x20 || b[i] === 0)) i++;
  let v = 0;
  for (; i < end && b[i]! >= 0x30 && b[i]! <= 0x37; i++) v = v * 8 + (b[i]! - 0x30);
  return v;
}

function checksumOk(b: Uint8Array): boolean {
  let sum = 8 * 0x20;
  for (let i = 0; i < 148; i++) sum += b[i]!;
  for (let i = 156; i < BLOCK; i++) sum += b[i]!;
  return sum === num(b, 148, 8);
}

/** tar-stream's end-of-archive test: every byte but the checksum field is zero. */
function isEndBlock(b: Uint8Array): boolean {
  for (let i = 0; i < BLOCK; i++) if (b[i] !== 0 && (i < 148 || i >= 156)) return false;
  return true;
}

/** ustar (POSIX) or GNU's magic and version; tar-stream refuses any other header. */
function knownFormat(b: Uint8Array): 'ustar' | 'gnu' | undefined {
  const magic = Buffer.from(b.buffer, b.byteOffset + 257, 8).toString('latin1');
  if (magic.startsWith('ustar\0')) return 'ustar';
  if (magic === 'ustar  \0') return 'gnu';
  return undefined;
}

export interface TarScannerOptions {
  /**
   * Read past end-of-archive blocks, as tar-stream (the store's unpacker) does: entries after
   * them are entries too, so a layer's index must see them. Default: stop at the first one.
   */
  readPastEnd?: boolean;
}

/** pax records: `LEN key=value\n`, each length counting its own digits. */
function paxRecords(buf: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < buf.length) {
    const space = buf.indexOf(0x20, pos);
    const len = Number(buf.toString('latin1', pos, space));
    if (space < 0 || !Number.isInteger(len) || len <= 0 || pos + len > buf.length) break;
    const record = buf.toString('utf8', space + 1, pos + len - 1);
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    pos += len;
  }
  return out;
}

export class TarScanner {
  private readonly visitor: TarVisitor;
  /** A header split across chunks, gathered here. */
  private readonly head = Buffer.alloc(BLOCK);
  private headFill = 0;
  /** Body bytes left of the current entry, then its padding to the block. */
  private body = 0;
  private pad = 0;
  /** A pax or GNU long-name entry's body, gathered to be decoded. */
  private meta: { type: MetaType; parts: Buffer[]; size: number } | undefined;
  private pax: Record<string, string> | undefined;
  private paxGlobal: Record<string, string> | undefined;
  private longPath: string | undefined;
  private longLink: string | undefined;
  /** The end-of-archive block was read: later bytes are padding. */
  ended = false;

  private readonly readPastEnd: boolean;

  constructor(visitor: TarVisitor, options: TarScannerOptions = {}) {
    this.visitor = visitor;
    this.readPastEnd = options.readPastEnd ?? false;
  }

  push(chunk: Uint8Array): void {
    let pos = 0;
    while (pos < chunk.length && !this.ended) {
      if (this.body > 0) {
        const n = Math.min(this.body, chunk.length - pos);
        this.bodyBytes(chunk.subarray(pos, pos + n));
        this.body -= n;
        pos += n;
        if (this.body === 0 && this.meta) this.endMeta();
      } else if (this.pad > 0) {
        const n = Math.min(this.pad, chunk.length - pos);
        this.pad -= n;
        pos += n;
      } else if (this.headFill === 0 && chunk.length - pos >= BLOCK) {
        this.header(chunk.subarray(pos, pos + BLOCK));
        pos += BLOCK;
      } else {
        const n = Math.min(BLOCK - this.headFill, chunk.length - pos);
        this.head.set(chunk.subarray(pos, pos + n), this.headFill);
        this.headFill += n;
        pos += n;
        if (this.headFill === BLOCK) {
          this.headFill = 0;
          this.header(this.head);
        }
      }
    }
  }

  /** Throws unless the archive ended on an entry's boundary (a truncated archive). */
  finish(): void {
    if (this.body > 0 || this.pad > 0 || this.headFill > 0 || this.meta) throw invalid('unexpected end of data');
  }

  private bodyBytes(bytes: Uint8Array): void {
    if (!this.meta) {
      this.visitor.data?.(bytes);
      return;
    }
    this.meta.parts.push(Buffer.from(bytes));
  }

  private header(b: Uint8Array): void {
    if (isEndBlock(b)) {
      if (!this.readPastEnd) this.ended = true;
      return;
    }
    if (!checksumOk(b)) throw invalid('bad header checksum');
    const format = knownFormat(b);
    if (!format) throw invalid('unknown format');
    const flag = b[156]!;
    const typed = flag === 0 ? 'file' : (TYPES[flag] ?? null);
    let name = str(b, 0, 100);
    if (format === 'ustar' && b[345]) name = `${str(b, 345, 155)}/${name}`;
    let size = num(b, 124, 12);
    if (typed === 'pax-header' || typed === 'pax-global-header' || typed === 'gnu-long-path' || typed === 'gnu-long-link-path') {
      const type = typed;
      if (size > MAX_META) throw invalid(`a ${type} of ${size} bytes`);
      this.meta = { type, parts: [], size };
      this.body = size;
      this.pad = (BLOCK - (size % BLOCK)) % BLOCK;
      if (size === 0) this.endMeta();
      return;
    }
    const type = (flag === 0 || flag === 48) && name.endsWith('/') ? 'directory' : typed;
    let linkname = b[157] === 0 ? '' : str(b, 157, 100);
    if (this.longPath !== undefined) name = this.longPath;
    if (this.longLink !== undefined) linkname = this.longLink;
    const pax = this.pax;
    if (pax) {
      if (pax.path) name = pax.path;
      if (pax.linkpath) linkname = pax.linkpath;
      if (pax.size) size = Number.parseInt(pax.size, 10);
      if (!Number.isSafeInteger(size) || size < 0) throw invalid('bad pax size');
    }
    this.pax = undefined;
    this.longPath = undefined;
    this.longLink = undefined;
    const header: TarHeader = {
      name, type, mode: num(b, 100, 8), uid: num(b, 108, 8), gid: num(b, 116, 8), size, linkname, mtime: new Date(num(b, 136, 12) * 1000),
      uname: str(b, 265, 32), gname: str(b, 297, 32), devmajor: num(b, 329, 8), devminor: num(b, 337, 8),
    };
    this.visitor.entry(header);
    const bodySize = type === 'directory' ? 0 : size;
    this.body = bodySize;
    this.pad = (BLOCK - (bodySize % BLOCK)) % BLOCK;
  }

  private endMeta(): void {
    const { type, parts } = this.meta!;
    this.meta = undefined;
    const buf = Buffer.concat(parts);
    if (type === 'gnu-long-path') this.longPath = str(buf, 0, buf.length);
    else if (type === 'gnu-long-link-path') this.longLink = str(buf, 0, buf.length);
    else if (type === 'pax-global-header') this.paxGlobal = paxRecords(buf);
    else this.pax = { ...this.paxGlobal, ...paxRecords(buf) };
  }
}
