/**
 * Tar headers as the docker CLI's Go archive/tar writes them for a build context (PAX format
 * requested, ustar when the fields fit): mode with Go 1.8's file type bits (docker's
 * fillGo18FileTypeBits), owner names looked up on the host, a PAX record only for a name that
 * does not fit. The classic builder keys COPY's cache on these very header fields (tarsum v1:
 * name, mode, uid, gid, size, type, link, uname, gname), so a context Strata sends hits the same
 * cache entries as one the docker CLI sent. tar-stream masks the mode to 0o7777, hence this writer.
 */
import { readFileSync } from 'node:fs';
import { BLOCK, END_OF_ARCHIVE, paddingSize, paxRecord } from './tar-blocks.ts';

export { END_OF_ARCHIVE };

export interface GoTarHeader {
  name: string;
  /** Permission bits (0o7777); the type bits are added from `type`. */
  mode: number;
  uid: number;
  gid: number;
  size: number;
  /** Seconds. */
  mtime: number;
  type: 'file' | 'dir' | 'symlink' | 'fifo';
  linkname?: string;
  uname: string;
  gname: string;
}

const TYPEFLAG = { file: '0', symlink: '2', dir: '5', fifo: '6' } as const;
/** Go's c_ISREG, c_ISLNK, c_ISDIR, c_ISFIFO. */
const TYPE_BITS = { file: 0o100000, symlink: 0o120000, dir: 0o40000, fifo: 0o10000 } as const;

/** Zeros that pad `size` bytes of content to a whole block. */
export function padding(size: number): Buffer {
  return Buffer.alloc(paddingSize(size));
}

/** Go's formatOctal: zero-padded digits and a NUL in `len` bytes. */
function octal(block: Buffer, offset: number, len: number, value: number): void {
  block.write(`${value.toString(8).padStart(len - 1, '0')}\0`, offset, len, 'latin1');
}

function needsPax(s: string, size: number): boolean {
  return Buffer.byteLength(s) > size || /[^\x00-\x7f]/.test(s);
}

function ustarBlock(h: { name: string; mode: number; uid: number; gid: number; size: number; mtime: number; typeflag: string; linkname: string; uname: string; gname: string; devices?: boolean }): Buffer {
  const b = Buffer.alloc(BLOCK);
  b.write(h.name, 0, 100, 'utf8');
  octal(b, 100, 8, h.mode);
  octal(b, 108, 8, h.uid);
  octal(b, 116, 8, h.gid);
  octal(b, 124, 12, h.size);
  octal(b, 136, 12, h.mtime);
  b.write(h.typeflag, 156, 1, 'latin1');
  b.write(h.linkname, 157, 100, 'utf8');
  b.write('ustar\0', 257, 6, 'latin1');
  b.write('00', 263, 2, 'latin1');
  b.write(h.uname, 265, 32, 'utf8');
  b.write(h.gname, 297, 32, 'utf8');
  // Go writes the device numbers of a file's own header, not of the PAX header before it
  if (h.devices !== false) {
    octal(b, 329, 8, 0);
    octal(b, 337, 8, 0);
  }
  b.fill(0x20, 148, 156);
  let sum = 0;
  for (const byte of b) sum += byte;
  b.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
  return b;
}

/** The header block(s) of one entry: a PAX header first when the name or link does not fit ustar. */
export function goTarHeader(h: GoTarHeader): Buffer {
  const linkname = h.linkname ?? '';
  const records = [needsPax(h.name, 100) ? paxRecord('path', h.name) : '', needsPax(linkname, 100) ? paxRecord('linkpath', linkname) : ''].join('');
  const main = ustarBlock({
    name: h.name.slice(0, 100), mode: (h.mode & 0o7777) | TYPE_BITS[h.type], uid: h.uid, gid: h.gid, size: h.type === 'file' ? h.size : 0, mtime: h.mtime,
    typeflag: TYPEFLAG[h.type], linkname: linkname.slice(0, 100), uname: h.uname, gname: h.gname,
  });
  if (!records) return main;
  const data = Buffer.from(records);
  const slash = h.name.replace(/\/$/, '').lastIndexOf('/');
  const paxName = `${slash < 0 ? '' : `${h.name.slice(0, slash)}/`}PaxHeaders.0/${h.name.replace(/\/$/, '').slice(slash + 1)}`.slice(0, 100);
  const pax = ustarBlock({ name: paxName, mode: 0, uid: 0, gid: 0, size: data.length, mtime: 0, typeflag: 'x', linkname: '', uname: '', gname: '', devices: false });
  return Buffer.concat([pax, data, padding(data.length), main]);
}

/** Host user and group names by id, as Go's os/user finds them in /etc/passwd and /etc/group ('' when unknown). */
export class HostNames {
  private users?: Map<number, string>;
  private groups?: Map<number, string>;

  user(uid: number): string {
    return (this.users ??= readIds('/etc/passwd')).get(uid) ?? '';
  }

  group(gid: number): string {
    return (this.groups ??= readIds('/etc/group')).get(gid) ?? '';
  }
}

function readIds(file: string): Map<number, string> {
  const out = new Map<number, string>();
  let text = '';
  try {
    text = readFileSync(file, 'utf8').slice(0, 4 << 20);
  } catch {
    return out;
  }
  for (const line of text.split('\n')) {
    const [name, , id] = line.split(':');
    if (name && id !== undefined && /^\d+$/.test(id) && !out.has(Number(id))) out.set(Number(id), name);
  }
  return out;
}
