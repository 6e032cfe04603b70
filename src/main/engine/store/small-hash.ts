/**
 * SHA-256 of small inputs, and random IDs, without node:crypto. Loading node:crypto costs a fresh
 * process ≈ 23 M instructions (≈ 8 ms here), more than everything a fully cached build hashes
 * (its cache keys, COPY checksums and the image config's digest: a few kilobytes). Bulk data —
 * file contents, layers, blobs — still goes through node:crypto (`sha256Hasher`): a hash fed
 * more than SMALL_LIMIT bytes hands them over to it.
 */
import type { Hash } from 'node:crypto';
import { closeSync, openSync, readSync } from 'node:fs';

/** Past this many bytes node:crypto's native hash is the cheaper one, load included. */
const SMALL_LIMIT = 64 * 1024;

const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

/** FIPS 180-4's compression function over every 64-byte block of `m` (already padded). */
function compress(state: Uint32Array, m: Uint8Array): void {
  const w = new Uint32Array(64);
  for (let off = 0; off < m.length; off += 64) {
    for (let i = 0, j = off; i < 16; i++, j += 4) w[i] = (m[j]! << 24) | (m[j + 1]! << 16) | (m[j + 2]! << 8) | m[j + 3]!;
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = s1 + w[i - 7]! + s0 + w[i - 16]!;
    }
    let a = state[0]!, b = state[1]!, c = state[2]!, d = state[3]!, e = state[4]!, f = state[5]!, g = state[6]!, h = state[7]!;
    for (let i = 0; i < 64; i++) {
      const s1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const t1 = (h + s1 + ((e & f) ^ (~e & g)) + K[i]! + w[i]!) | 0;
      const s0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const t2 = (s0 + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    state[0]! += a; state[1]! += b; state[2]! += c; state[3]! += d;
    state[4]! += e; state[5]! += f; state[6]! += g; state[7]! += h;
  }
}

/** SHA-256 of `data` (at most SMALL_LIMIT bytes) as lowercase hex. */
function sha256HexOf(data: Uint8Array): string {
  const padded = new Uint8Array((data.length + 9 + 63) & ~63);
  padded.set(data);
  padded[data.length] = 0x80;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(data.length / 0x20000000));
  view.setUint32(padded.length - 4, (data.length * 8) >>> 0);
  const state = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  compress(state, padded);
  let hex = '';
  for (const word of state) hex += word.toString(16).padStart(8, '0');
  return hex;
}

/**
 * A SHA-256 hash with node:crypto's `update` / `digest('hex')` for the few uses that hash
 * strings and small buffers: strings are UTF-8, as node:crypto encodes them. Single use, like
 * node:crypto's.
 */
export class SmallHash {
  private pending: Uint8Array[] = [];
  private size = 0;
  private bulk: Hash | undefined;

  update(data: string | Uint8Array): this {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (this.bulk) {
      this.bulk.update(bytes);
      return this;
    }
    this.pending.push(bytes);
    this.size += bytes.length;
    if (this.size > SMALL_LIMIT) {
      this.bulk = process.getBuiltinModule('node:crypto').createHash('sha256');
      for (const p of this.pending) this.bulk.update(p);
      this.pending = [];
    }
    return this;
  }

  digest(_encoding: 'hex'): string {
    if (this.bulk) return this.bulk.digest('hex');
    return sha256HexOf(this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.size));
  }
}

/**
 * `bytes` random bytes as hex, from the kernel's generator (what node:crypto's randomBytes
 * reads too), for IDs: build records, leases.
 */
export function randomHex(bytes: number): string {
  const buf = Buffer.alloc(bytes);
  let fd: number | undefined;
  try {
    fd = openSync('/dev/urandom', 'r');
    let got = 0;
    while (got < bytes) {
      const n = readSync(fd, buf, got, bytes - got, null);
      if (n <= 0) throw new Error('short read from /dev/urandom');
      got += n;
    }
  } catch {
    // No /dev/urandom (a minimal chroot): node:crypto asks the kernel by getrandom(2).
    return process.getBuiltinModule('node:crypto').randomBytes(bytes).toString('hex');
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  return buf.toString('hex');
}
