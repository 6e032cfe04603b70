/**
 * `strata push` / `strata pull` beside `docker push` / `docker pull` (Debian's docker.io 20.10 on a
 * private dockerd), whole processes, the same image (busybox base + MB of random data in two
 * layers) to the same local CNCF distribution registry on loopback. Each run uses a fresh registry
 * (nothing there to mount or skip); a pull goes into a fresh store (strata) or a daemon that no
 * longer has the image (docker rmi first). `strata pull` returns before its detached unpack of the
 * layers is done (docker pull unpacks before it returns): the bench waits for that unpack after
 * each strata pull, so it never runs into the next timed command, and reports both figures.
 * With `--before CHECKOUT`, that checkout's `bin/strata` pushes and pulls in turn (B), each side
 * to a registry of its own. Wall time and CPU time (strata's process; dockerd's and the docker
 * CLI's) of each command.
 *
 *   node bench/registry-docker.ts [--mb 200] [--runs 3] [--before /path/to/other/checkout]
 */
import { spawnSync } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import * as tar from 'tar-stream';
import { Engine } from '../src/main/engine/engine.ts';
import { storeImage, writeBusyboxRootfs, busyboxMissing } from '../test/fixtures/busybox.ts';
import { dockerdMissing, startDockerd, DOCKER } from '../test/fixtures/dockerd.ts';
import { registryMissing, startRegistry } from '../test/registry/registry-server.ts';
import { tempDir } from '../test/tmp.ts';
import { median, numberArg, STRATA, stringArg } from './stores.ts';
import { randomData, tarEntry } from './fixtures.ts';

const MB = numberArg('mb', 200);
const RUNS = numberArg('runs', 3);
const BEFORE = stringArg('before');

const why = busyboxMissing() ?? dockerdMissing() ?? registryMissing();
if (why) {
  console.log(`skipped: ${why}`);
  process.exit(0);
}

interface Timing {
  /** Wall ms of the command: what the user waits for. */
  wall: number;
  /** CPU ms it cost: the strata process (user + system), or the daemon and the docker CLI. */
  cpu: number;
  /** Wall ms until the pulled image's layers are unpacked too (strata's detached preparation). */
  ready?: number;
}

/** Runs one command under /usr/bin/time; throws when it fails. `daemonPid`'s CPU is added to the CPU figure. */
function timed(cmd: string, args: string[], env: NodeJS.ProcessEnv, daemonPid?: number): Timing {
  const daemon0 = daemonPid ? cpuOfPid(daemonPid) : 0;
  const t = performance.now();
  const r = spawnSync('/usr/bin/time', ['-f', 'cpu %U %S', cmd, ...args], { env, stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24, encoding: 'utf8' });
  const wall = performance.now() - t;
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.slice(-2000)}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  const cpu = (m ? (Number(m[1]) + Number(m[2])) * 1000 : Number.NaN) + (daemonPid ? cpuOfPid(daemonPid) - daemon0 : 0);
  return { wall, cpu };
}

/** CPU ms (user + system, all threads) a process has used so far. */
function cpuOfPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / sysconfClockTicks;
}
const sysconfClockTicks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;

/**
 * `strata pull` returns once the image is stored and leaves the unpacking of its layers to a
 * detached process (snapshot/prepare.ts); docker pull unpacks (overlay2) before it returns. Waits
 * for that process of `root`, so that it neither runs into the next timed command nor goes
 * uncounted: the wait is reported as the time until the image is ready to run.
 */
async function preparedAfter(root: string): Promise<number> {
  const t = performance.now();
  const running = (): boolean => readdirSync('/proc').some((pid) => {
    if (!/^\d+$/.test(pid)) return false;
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      return argv.some((a) => a.endsWith('prepare-main.ts')) && argv.includes(root);
    } catch {
      return false;
    }
  });
  while (running()) await sleep(25);
  return performance.now() - t;
}

async function pullReady(bin: string, root: string, ref: string, env: NodeJS.ProcessEnv): Promise<Timing> {
  const t = timed(bin, ['--root', root, 'pull', ref], env);
  return { ...t, ready: t.wall + (await preparedAfter(root)) };
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
  const dockerdPid = Number(readFileSync(join(dirname(dockerd.socket), 'd.pid'), 'utf8').trim());
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
  const sides = [{ label: 'A', bin: STRATA }, ...(BEFORE ? [{ label: 'B', bin: join(BEFORE, 'bin', 'strata') }] : [])];
  // The layers' gzip forms, made once and kept (as a first push does): every push below sends
  // them. One untimed pull per side, so that no timed run compiles the pull's modules.
  {
    const registry = await startRegistry(join(dir.path, 'registry-warm'));
    const ref = `${registry.host}/bench/warm:v1`;
    timed(STRATA, ['--root', source, 'tag', 'bench/big:v1', ref], env);
    timed(STRATA, ['--root', source, 'push', ref], env);
    for (const side of sides) await pullReady(side.bin, join(dir.path, `warm-${side.label}`), ref, env);
    await registry.stop();
  }

  const t: Record<string, { push: Timing[]; pull: Timing[] }> = { docker: { push: [], pull: [] } };
  for (const s of sides) t[s.label] = { push: [], pull: [] };
  for (let run = 0; run < RUNS; run++) {
    // A registry per side: a blob one side pushed must not be "already there" for the other.
    const registries = await Promise.all(sides.map((s) => startRegistry(join(dir.path, `registry${run}-${s.label}`))));
    try {
      for (const [k, s] of sides.entries()) {
        const ref = `${registries[k]!.host}/bench/strata${run}:v1`;
        timed(STRATA, ['--root', source, 'tag', 'bench/big:v1', ref], env);
        t[s.label]!.push.push(timed(s.bin, ['--root', source, 'push', ref], env));
      }
      const dockerRef = `${registries[0]!.host}/bench/docker${run}:v1`;
      await dockerd.docker(['tag', 'bench/big:v1', dockerRef]);
      t.docker!.push.push(timed(DOCKER, ['push', dockerRef], env, dockerdPid));
      for (const [k, s] of sides.entries()) {
        const root = join(dir.path, `pulled${run}-${s.label}`);
        t[s.label]!.pull.push(await pullReady(s.bin, root, `${registries[k]!.host}/bench/strata${run}:v1`, env));
      }
      // The daemon forgets the image (both its names) so that the pull fetches every layer.
      await dockerd.docker(['rmi', dockerRef, 'bench/big:v1']);
      t.docker!.pull.push(timed(DOCKER, ['pull', dockerRef], env, dockerdPid));
      // Back to one name, for the next run's rmi to remove the image again.
      await dockerd.docker(['tag', dockerRef, 'bench/big:v1']);
      await dockerd.docker(['rmi', dockerRef]);
    } finally {
      await Promise.all(registries.map((r) => r.stop()));
    }
  }
  const s = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;
  const best = (xs: number[]): number => Math.min(...xs);
  const row = (what: string, side: string, xs: Timing[], docker: Timing[], pick: (x: Timing) => number = (x) => x.wall): string => {
    const ratio = median(xs.map((x, i) => pick(x) / docker[i]!.wall));
    const cpuRatio = median(xs.map((x, i) => x.cpu / docker[i]!.cpu));
    return `| ${what} (${side}) | ${s(best(xs.map(pick)))} (${s(median(xs.map(pick)))}) | ${s(best(docker.map((d) => d.wall)))} | ${(best(xs.map(pick)) / best(docker.map((d) => d.wall))).toFixed(2)}× (${ratio.toFixed(2)}×) | ${s(median(xs.map((x) => x.cpu)))} / ${s(median(docker.map((d) => d.cpu)))} = ${cpuRatio.toFixed(2)}× |`;
  };
  console.log(`strata vs docker 20.10, an image of busybox + ${MB} MB of random data in 2 layers, a local registry on loopback; ${RUNS} runs${BEFORE ? `; B = ${BEFORE}` : ''}`);
  console.log('wall: best (median); ratio: best / docker\'s best (median of the per-run ratios); CPU: medians, strata\'s process / dockerd + docker CLI');
  console.log('pull: until the command returns; pull, ready: until its detached unpack is done too (docker pull unpacks before it returns)');
  console.log('| work | strata | docker | ratio | CPU |');
  console.log('|---|---|---|---|---|');
  for (const side of sides) console.log(row('push', side.label, t[side.label]!.push, t.docker!.push));
  for (const side of sides) console.log(row('pull', side.label, t[side.label]!.pull, t.docker!.pull));
  for (const side of sides) console.log(row('pull, ready', side.label, t[side.label]!.pull, t.docker!.pull, (x) => x.ready!));
} finally {
  await dockerd.stop();
  dir.cleanup();
}
