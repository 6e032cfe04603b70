/**
 * What every tar this engine writes shares, whichever writer's header format it follows (Go's
 * archive/tar for build contexts, go-tar.ts; tar-stream's for build layers, build/layer-tar.ts):
 * 512-byte blocks, two zero blocks at the end, and PAX records.
 */

export const BLOCK = 512;
/** Two zero blocks end the archive (no further record padding, as Go and tar-stream write). */
export const END_OF_ARCHIVE = Buffer.alloc(2 * BLOCK);

/** How many zero bytes pad `size` bytes of content to a whole block. */
export function paddingSize(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

/** One PAX record, "LEN key=value\n", LEN counting itself. */
export function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  const len = Buffer.byteLength(body);
  let digits = String(len).length;
  if (len + digits >= 10 ** digits) digits++;
  return `${len + digits}${body}`;
}
