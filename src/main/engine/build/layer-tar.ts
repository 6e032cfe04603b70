/**
 * Tar headers of a build layer, byte for byte as tar-stream's pack wrote them before (ustar; a
 * name that does not fit is split at a slash into the prefix field, else a PAX record carries
 * it), so the same inputs keep the same diff IDs. Written here rather than through tar-stream:
 * loading it (streamx and its helpers) and a stream per entry were most of a one-file COPY's
 * CPU beyond start-up.
 */
import type { SourceMeta } from './context.ts';
import { BLOCK, paddingSize, paxRecord } from '../archive/tar-blocks.ts';

export interface LayerTarHeader {
  /** Without a trailing slash: a directory's name gets one here (its PAX form's `PaxHeader` none, as tar-stream wrote). */
  name: string;
  type: SourceMeta['type'];
  mode: number;
  uid: number;
  gid: number;
  /** Bytes of content (files only). */
  size: number;
  /** Seconds. */
  mtime: number;
  linkname: string;
  devmajor?: number;
  devminor?: number;
}

const TYPEFLAG = { file: 0, symlink: 2, char: 3, block: 4, dir: 5, fifo: 6 } as const;
const PAX_TYPEFLAG = 72;
const USTAR_MAGIC = Buffer.from('ustar\x0000', 'latin1');

/** `n` octal digits and a space; all sevens when the value does not fit (tar-stream's encodeOct). */
function octal(value: number, n: number): string {
  const digits = value.toString(8);
  return digits.length > n ? `${'7'.repeat(n)} ` : `${digits.padStart(n, '0')} `;
}

/** The size field: 11 octal digits, or base-256 when larger (8 GiB and up). */
function writeSize(block: Buffer, size: number): void {
  if (size.toString(8).length <= 11) {
    block.write(octal(size, 11), 124, 'latin1');
    return;
  }
  block[124] = 0x80;
  for (let i = 11, n = size; i > 0; i--, n = Math.floor(n / 0x100)) block[124 + i] = n & 0xff;
}

/** A header's fields as the block holds them: the type as its flag, device numbers always. */
type Fields = Omit<LayerTarHeader, 'type' | 'devmajor' | 'devminor'> & { typeflag: number; devmajor: number; devminor: number };

/** One ustar block, or undefined when the name or link target does not fit (then PAX). */
function ustar(f: Fields): Buffer | undefined {
  let name = f.name;
  if (Buffer.byteLength(name) !== name.length) return undefined;
  let prefix = '';
  while (name.length > 100) {
    const slash = name.indexOf('/');
    if (slash === -1) return undefined;
    prefix += prefix ? `/${name.slice(0, slash)}` : name.slice(0, slash);
    name = name.slice(slash + 1);
  }
  if (name.length > 100 || prefix.length > 155 || Buffer.byteLength(f.linkname) > 100) return undefined;
  const b = Buffer.alloc(BLOCK);
  b.write(name, 0, 'utf8');
  b.write(octal(f.mode & 0o7777, 6), 100, 'latin1');
  b.write(octal(f.uid, 6), 108, 'latin1');
  b.write(octal(f.gid, 6), 116, 'latin1');
  writeSize(b, f.size);
  // tar-stream truncated the seconds to 32 bits (`| 0`); kept, so old and new layers agree.
  b.write(octal(f.mtime | 0, 11), 136, 'latin1');
  b[156] = 0x30 + f.typeflag;
  if (f.linkname) b.write(f.linkname, 157, 'utf8');
  USTAR_MAGIC.copy(b, 257);
  b.write(octal(f.devmajor, 6), 329, 'latin1');
  b.write(octal(f.devminor, 6), 337, 'latin1');
  if (prefix) b.write(prefix, 345, 'utf8');
  let sum = 8 * 0x20;
  for (let i = 0; i < 148; i++) sum += b[i]!;
  for (let i = 156; i < BLOCK; i++) sum += b[i]!;
  b.write(octal(sum, 6), 148, 'latin1');
  return b;
}

/**
 * The header blocks of one entry: one ustar block, or — for a name or link target that does not
 * fit — tar-stream's PAX form: a `PaxHeader` entry holding path (and linkpath), its records
 * padded to a block, then the entry's own header named `PaxHeader`.
 */
export function layerTarHeader(h: LayerTarHeader): Buffer {
  const name = h.type === 'dir' ? `${h.name}/` : h.name;
  const fields: Fields = {
    name, typeflag: TYPEFLAG[h.type], mode: h.mode, uid: h.uid, gid: h.gid,
    size: h.type === 'file' ? h.size : 0, mtime: h.mtime, linkname: h.linkname,
    devmajor: h.devmajor ?? 0, devminor: h.devminor ?? 0,
  };
  const plain = ustar(fields);
  if (plain) return plain;
  const records = Buffer.from(`${paxRecord('path', name)}${h.linkname ? paxRecord('linkpath', h.linkname) : ''}`);
  const linkname = h.linkname ? 'PaxHeader' : '';
  const pax = ustar({ ...fields, name: 'PaxHeader', typeflag: PAX_TYPEFLAG, size: records.length, linkname })!;
  const own = ustar({ ...fields, name: 'PaxHeader', linkname })!;
  return Buffer.concat([pax, records, Buffer.alloc(paddingSize(records.length)), own]);
}

