/**
 * `strata push` / `strata pull` beside `docker push` / `docker pull` (Debian's docker.io 20.10 on a
 * private dockerd), whole processes, the same image (busybox base + MB of random data in two
 * layers) to the same local CNCF distribution registry on loopback. Each run uses a fresh registry
 * (nothing there to mount or skip); a pull goes into a fresh store (strata) or a daemon that no
 * longer has the image (docker rmi first). Medians of the runs and the ratio strata/docker.
 *
 *   node bench/registry-docker.ts [--mb 200] [--runs 3]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { Engine } from '../src/main/engine/engine.ts';
import { storeImage, writeBusyboxRootfs, busyboxMissing } from '../test/fixtures/busybox.ts';
import { dockerdMissing, startDockerd, DOCKER } from '../test/fixtures/dockerd.ts';
import { registryMissing, startRegistry } from '../test/registry/registry-server.ts';
import { tempDir } from '../test/tmp.ts';
import { median, numberArg, STRATA } from './stores.ts';
import { randomData, tarEntry } from './fixtures.ts';

const MB = numberArg('mb', 200);
const RUNS = numberArg('runs', 3);

const why = busyboxMissing() ?? dockerdMissing() ?? registryMissing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(0);
}

/** Wall milliseconds of one command; throws when it fails. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv): number {
  const t = performance.now();
  const r = spawnSync(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.toString().slice(-2000)}`);
  return performance.now() - t;
}

async function randomLayer(path: string, name: string, bytes: number): Promise<void> {
  const pack = tar.pack();
  const out = pipeline(pack, createWriteStream(path));
  await tarEntry(pack, name, bytes, randomData(bytes));
  pack.finalize();
  await out;
}

const dir = tempDir('strata-bench-registry-docker-');
const dockerd = await startDockerd();
try {
  const env = { PATH: process.env.PATH ?? '', HOME: dir.path, DOCKER_CONFIG: join(dir.path, 'docker-config'), DOCKER_HOST: `unix://${dockerd.socket}` };
  const source = join(dir.path, 'store');
  const base = join(dir.path, 'base.tar');
  await writeBusyboxRootfs(base);
  const layers = [base];
  for (const i of [0, 1]) {
    const layer = join(dir.path, `data${i}.tar`);
    await randomLayer(layer, `data${i}.bin`, Math.floor((MB * 1e6) / 2));
    layers.push(layer);
  }
  const engine = Engine.open({ root: source });
  await storeImage(engine, layers, { tags: ['bench/big:v1'] });
  engine.close();
  const archive = join(dir.path, 'big.tar');
  timed(STRATA, ['--root', source, 'save', '-o', archive, 'bench/big:v1'], env);
  await dockerd.docker(['load', '-i', archive]);

  const t = { strataPush: [] as number[], dockerPush: [] as number[], strataPull: [] as number[], dockerPull: [] as number[] };
  for (let run = 0; run < RUNS; run++) {
    const registry = await startRegistry(join(dir.path, `registry${run}`));
    try {
      const strataRef = `${registry.host}/bench/strata${run}:v1`;
      const dockerRef = `${registry.host}/bench/docker${run}:v1`;
      timed(STRATA, ['--root', source, 'tag', 'bench/big:v1', strataRef], env);
      await dockerd.docker(['tag', 'bench/big:v1', dockerRef]);
      t.strataPush.push(timed(STRATA, ['--root', source, 'push', strataRef], env));
      t.dockerPush.push(timed(DOCKER, ['push', dockerRef], env));
      t.strataPull.push(timed(STRATA, ['--root', join(dir.path, `pulled${run}`), 'pull', strataRef], env));
      // The daemon forgets the image (both its names) so that the pull fetches every layer.
      await dockerd.docker(['rmi', dockerRef, 'bench/big:v1']);
      t.dockerPull.push(timed(DOCKER, ['pull', dockerRef], env));
      // Back to one name, for the next run's rmi to remove the image again.
      await dockerd.docker(['tag', dockerRef, 'bench/big:v1']);
      await dockerd.docker(['rmi', dockerRef]);
    } finally {
      await registry.stop();
    }
  }
  const row = (what: string, a: number[], b: number[]): string => {
    const ratio = median(a.map((x, i) => x / b[i]!));
    return `| ${what} | ${(median(a) / 1000).toFixed(2)} s | ${(median(b) / 1000).toFixed(2)} s | ${ratio.toFixed(2)}× |`;
  };
  console.log(`strata vs docker 20.10 CLI, an image of busybox + ${MB} MB of random data in 2 layers, a local registry on loopback; medians of ${RUNS} runs`);
  console.log('| work | strata | docker | ratio |');
  console.log('|---|---|---|---|');
  console.log(row('push', t.strataPush, t.dockerPush));
  console.log(row('pull', t.strataPull, t.dockerPull));
} finally {
  await dockerd.stop();
  dir.cleanup();
}
