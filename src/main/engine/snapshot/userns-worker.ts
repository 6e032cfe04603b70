/**
 * Snapshot work done inside the rootless user namespace (subordinate mode, see idmap.ts), where
 * the container's IDs are real and its root may chown to them and read what they own: unpacking a
 * layer with the owners it records, packing an upper dir a non-root container user wrote (a 0700
 * home directory included). Started by userns.ts under `unshare`; errors go to stderr, exit 1.
 *   node userns-worker.ts unpack TARGET [LOWER...]   < uncompressed layer tar
 *   node userns-worker.ts pack UPPER                 > layer tar
 */
import { pipeline } from 'node:stream/promises';
import { unpackLayer } from './unpack.ts';
import { packUpper } from './changes.ts';

async function main(args: string[]): Promise<void> {
  const [op, dir, ...rest] = args;
  if (op === 'unpack' && dir) return unpackLayer(process.stdin, dir, rest);
  if (op === 'pack' && dir && rest.length === 0) return pipeline(packUpper(dir), process.stdout);
  throw new Error(`usage: userns-worker.ts unpack TARGET [LOWER...] | pack UPPER (got ${args.join(' ')})`);
}

main(process.argv.slice(2)).then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`${err.message}\n`);
    process.exit(1);
  },
);
