/**
 * Peak memory of load, save, push and pull of an image with one 1 GB layer (random data, 64
 * files of 16 MB), each a whole `strata` process measured by `/usr/bin/time -v` (maximum resident
 * set size). The archive is made in a temp dir and deleted after. Goal: each < 200 MB.
 *
 * With `--before CHECKOUT`, each command is measured for that checkout's `bin/strata` as well.
 * Snapshots are not prepared in the background here (STRATA_PREPARE_SNAPSHOTS=0): that is another
 * process, and the figure is the command's own.
 *
 *   node bench/rss.ts [--mb 1024] [--before /path/to/other/checkout]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { registryMissing, startRegistry } from '../test/registry/registry-server.ts';
import { STRATA, numberArg, stringArg } from './stores.ts';
import { randomData, tarEntry } from './fixtures.ts';

const mb = numberArg('mb', 1024);
const before = stringArg('before');
const OTHER = before ? join(before, 'bin', 'strata') : undefined;
const FILES = 64;

/** A docker-archive holding one image with one layer of `mb` MB of random files. */
async function makeArchive(dir: string): Promise<string> {
  const layer = join(dir, 'layer.tar');
  const hash = createHash('sha256');
  const pack = tar.pack();
  const written = pipeline(pack as unknown as Readable, async function* (src: AsyncIterable<Buffer>) {
    for await (const c of src) {
      hash.update(c);
      yield c;
    }
  }, createWriteStream(layer));
  const per = Math.floor((mb << 20) / FILES);
  for (let i = 0; i < FILES; i++) await tarEntry(pack, `data/file${i}.bin`, per, randomData(per));
  pack.finalize();
  await written;
  const diffId = `sha256:${hash.digest('hex')}`;
  const config = Buffer.from(JSON.stringify({
    architecture: 'amd64', os: 'linux', created: '2024-01-01T00:00:00Z', config: { Cmd: ['sh'] },
    rootfs: { type: 'layers', diff_ids: [diffId] }, history: [{ created: '2024-01-01T00:00:00Z', created_by: 'random data' }],
  }));
  const configName = `${createHash('sha256').update(config).digest('hex')}.json`;
  const archive = join(dir, 'big.tar');
  const outer = tar.pack();
  const done = pipeline(outer, createWriteStream(archive));
  await tarEntry(outer, `${diffId.slice(7)}/layer.tar`, statSync(layer).size, createReadStream(layer));
  outer.entry({ name: configName, mtime: new Date(0) }, config);
  outer.entry({ name: 'manifest.json', mtime: new Date(0) }, JSON.stringify([{ Config: configName, RepoTags: ['bench/big:latest'], Layers: [`${diffId.slice(7)}/layer.tar`] }]));
  outer.finalize();
  await done;
  rmSync(layer);
  return archive;
}

/** Peak RSS (MB) and wall seconds of `strata ARGS`, as /usr/bin/time -v reports them. */
function measure(args: string[], bin = STRATA): { mb: number; seconds: number } {
  const t0 = performance.now();
  const env = { ...process.env, STRATA_PREPARE_SNAPSHOTS: '0' };
  const r = spawnSync('/usr/bin/time', ['-v', bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 26, env });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`strata ${args.join(' ')} failed: ${r.stderr.slice(-2000)}`);
  const kb = Number(/Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1]);
  return { mb: kb / 1024, seconds };
}

const missing = registryMissing();
const dir = mkdtempSync(join(process.env.STRATA_BENCH_TMP ?? tmpdir(), 'strata-bench-rss-'));
try {
  console.log(`making a docker-archive with one ${mb} MB layer in ${dir} …`);
  const archive = await makeArchive(dir);
  const rows: [string, { mb: number; seconds: number }][] = [];
  const a = join(dir, 'a');
  if (OTHER) {
    rows.push(['load (B)', measure(['--root', join(dir, 'a-before'), 'load', '-q', '-i', archive], OTHER)]);
    rmSync(join(dir, 'a-before'), { recursive: true, force: true });
  }
  rows.push(['load', measure(['--root', a, 'load', '-q', '-i', archive])]);
  rmSync(archive);
  if (OTHER) rows.push(['save (B)', measure(['--root', a, 'save', '-o', join(dir, 'saved.tar'), 'bench/big:latest'], OTHER)]);
  rmSync(join(dir, 'saved.tar'), { force: true });
  rows.push(['save', measure(['--root', a, 'save', '-o', join(dir, 'saved.tar'), 'bench/big:latest'])]);
  rmSync(join(dir, 'saved.tar'));
  if (!missing) {
    const registry = await startRegistry(join(dir, 'registry'));
    try {
      const ref = `${registry.host}/bench/big:latest`;
      spawnSync(STRATA, ['--root', a, 'tag', 'bench/big:latest', ref]);
      rows.push(['push', measure(['--root', a, 'push', ref])]);
      rmSync(a, { recursive: true, force: true });
      for (let i = 0; i < (OTHER ? 3 : 1); i++) {
        if (OTHER) {
          rows.push(['pull (B)', measure(['--root', join(dir, 'b-before'), 'pull', ref], OTHER)]);
          rmSync(join(dir, 'b-before'), { recursive: true, force: true });
        }
        rows.push(['pull', measure(['--root', join(dir, 'b'), 'pull', ref])]);
        rmSync(join(dir, 'b'), { recursive: true, force: true });
      }
    } finally {
      await registry.stop();
    }
  }
  console.log(`${'command'.padEnd(10)}${'peak RSS'.padStart(12)}${'wall'.padStart(10)}   goal < 200 MB`);
  for (const [label, m] of rows) console.log(`${label.padEnd(10)}${`${m.mb.toFixed(0)} MB`.padStart(12)}${`${m.seconds.toFixed(1)} s`.padStart(10)}   ${m.mb < 200 ? 'met' : 'NOT met'}`);
  if (missing) console.log(`push, pull skipped: ${missing}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
