/**
 * Peak memory of load, save, push and pull of an image with one 1 GB layer (random data, 64
 * files of 16 MB), each a whole `strata` process measured by `/usr/bin/time -v` (maximum resident
 * set size). The archive is made in a temp dir and deleted after. Goal: each < 200 MB.
 *
 *   node bench/rss.ts [--mb 1024]
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
import { STRATA, numberArg } from './stores.ts';
import { randomData, tarEntry } from './fixtures.ts';

const mb = numberArg('mb', 1024);
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
function measure(args: string[]): { mb: number; seconds: number } {
  const t0 = performance.now();
  const r = spawnSync('/usr/bin/time', ['-v', STRATA, ...args], { encoding: 'utf8', maxBuffer: 1 << 26 });
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
  rows.push(['load', measure(['--root', a, 'load', '-q', '-i', archive])]);
  rmSync(archive);
  rows.push(['save', measure(['--root', a, 'save', '-o', join(dir, 'saved.tar'), 'bench/big:latest'])]);
  rmSync(join(dir, 'saved.tar'));
  if (!missing) {
    const registry = await startRegistry(join(dir, 'registry'));
    try {
      const ref = `${registry.host}/bench/big:latest`;
      spawnSync(STRATA, ['--root', a, 'tag', 'bench/big:latest', ref]);
      rows.push(['push', measure(['--root', a, 'push', ref])]);
      rmSync(a, { recursive: true, force: true });
      rows.push(['pull', measure(['--root', join(dir, 'b'), 'pull', ref])]);
    } finally {
      await registry.stop();
    }
  }
  console.log(`${'command'.padEnd(8)}${'peak RSS'.padStart(12)}${'wall'.padStart(10)}   goal < 200 MB`);
  for (const [label, m] of rows) console.log(`${label.padEnd(8)}${`${m.mb.toFixed(0)} MB`.padStart(12)}${`${m.seconds.toFixed(1)} s`.padStart(10)}   ${m.mb < 200 ? 'met' : 'NOT met'}`);
  if (missing) console.log(`push, pull skipped: ${missing}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
