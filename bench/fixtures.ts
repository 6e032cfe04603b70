/**
 * What several benches make the same way: the web-ping style build context on a Debian base, and
 * tar entries of random (incompressible) data, streamed.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import type * as tar from 'tar-stream';

/** The seeds' Dockerfile shape on `base`: a dependency COPY, a RUN, then the source COPY. */
export function benchDockerfile(base: string): string {
  return `FROM ${base}
ENV APP_HOME=/app LANG=C.UTF-8
WORKDIR /app
COPY deps/ /app/deps/
RUN cat /etc/debian_version > /app/debian-version && find /usr/share/doc -name copyright | wc -l > /app/copyrights && du -s /app/deps > /app/deps-size
COPY src/ /app/src/
CMD ["sh", "-c", "ls /app/src"]
`;
}

/** A context: 40 MB of "dependencies" (random, incompressible) and 50 small source files. */
export function makeBenchContext(dir: string, base: string): void {
  mkdirSync(join(dir, 'deps'), { recursive: true });
  mkdirSync(join(dir, 'src'), { recursive: true });
  for (let i = 0; i < 40; i++) writeFileSync(join(dir, 'deps', `lib${i}.so`), randomBytes(1 << 20));
  for (let i = 0; i < 50; i++) writeFileSync(join(dir, 'src', `mod${i}.js`), `export const v${i} = ${i};\n`.repeat(20));
  writeFileSync(join(dir, 'Dockerfile'), benchDockerfile(base));
}

/** Streams one tar entry into `pack`. */
export async function tarEntry(pack: tar.Pack, name: string, size: number, source: AsyncIterable<Uint8Array>): Promise<void> {
  let w!: Writable;
  const done = new Promise<void>((res, rej) => {
    w = pack.entry({ name, size, mode: 0o644, mtime: new Date(0) }, (err) => (err ? rej(err) : res())) as unknown as Writable;
  });
  for await (const c of source) if (!w.write(c)) await once(w, 'drain');
  w.end();
  await done;
}

/** `size` random bytes in 1 MiB chunks. */
export async function* randomData(size: number): AsyncGenerator<Uint8Array> {
  for (let left = size; left > 0; left -= 1 << 20) yield randomBytes(Math.min(left, 1 << 20));
}
