/**
 * CLI start-up, whole process as a user types it: `strata --version`, `strata images` on a dozen
 * images, `strata system df -v` on 1,000 images, beside `node -e 0` (the floor every Node program
 * pays) and, with `--before DIR`, the same commands of another checkout (e.g. the main branch) in
 * turn, A B A B …, with the ratio. With a private dockerd (root, docker.io installed), docker's
 * own `docker --version` and `docker images` for reference.
 * Goals (best of 3): --version ≤ 70 ms, images ≤ 100 ms, system df -v ≤ 150 ms.
 *
 *   node bench/startup.ts [--runs 5] [--before /path/to/other/checkout] [--no-docker]
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../src/main/engine/engine.ts';
import { dockerdMissing, startDockerd, DOCKER } from '../test/fixtures/dockerd.ts';
import { STRATA, cpuOfProcess, ms, numberArg, paired, populate, stringArg, timeProcess, type Paired } from './stores.ts';

const runs = numberArg('runs', 5);
const before = stringArg('before');
const useDocker = !process.argv.includes('--no-docker') && !dockerdMissing();

async function store(dir: string, name: string, images: number): Promise<string> {
  const root = join(dir, name);
  const engine = Engine.open({ root });
  try {
    mkdirSync(join(dir, `${name}-tars`));
    await populate(engine, join(dir, `${name}-tars`), images);
  } finally {
    engine.close();
  }
  rmSync(join(dir, `${name}-tars`), { recursive: true, force: true });
  return root;
}

function row(label: string, p: Paired, goal?: number, peer?: Paired, cpu?: Paired): void {
  const cells = [label.padEnd(34), ms(p.best).padStart(8), ms(p.median).padStart(8)];
  if (before) cells.push(p.other ? `${ms(p.other.best).padStart(8)}${ms(p.other.median).padStart(8)}${`${p.ratio!.toFixed(2)}×`.padStart(8)}` : ''.padStart(24));
  if (useDocker) cells.push(peer ? ms(peer.best).padStart(8) : ''.padStart(8));
  cells.push(cpu ? `${ms(cpu.best).padStart(8)}${cpu.other ? ms(cpu.other.best).padStart(8) : ''}` : '');
  if (goal !== undefined) cells.push(`   goal ≤ ${goal} ms: ${p.best <= goal ? 'met' : 'NOT met'}`);
  console.log(cells.join(''));
}

const dir = mkdtempSync(join(process.env.STRATA_BENCH_TMP ?? tmpdir(), 'strata-bench-startup-'));
const dockerd = useDocker ? await startDockerd() : undefined;
try {
  const node = process.execPath;
  const dozen = await store(dir, 'dozen', 12);
  const thousand = await store(dir, 'thousand', 1000);
  const other = before ? join(before, 'bin', 'strata') : undefined;
  const cmd = (bin: string, args: string[]) => () => timeProcess([bin, ...args]);
  const cases: [string, string[], number | undefined, string[] | undefined][] = [
    ['strata --version', ['--version'], 70, ['--version']],
    ['strata images (12 images)', ['--root', dozen, 'images'], 100, ['images']],
    ['strata system df -v (1,000 images)', ['--root', thousand, 'system', 'df', '-v'], 150, ['system', 'df', '-v']],
    ['strata image ls --help', ['image', 'ls', '--help'], undefined, undefined],
  ];
  console.log(`${runs} runs each after a warm-up; best and median wall time of the whole process${before ? `; B = ${before}` : ''}\n`);
  const head = ['command'.padEnd(34), 'best'.padStart(8), 'median'.padStart(8)];
  if (before) head.push('B best'.padStart(8), 'B med'.padStart(8), 'A/B'.padStart(8));
  if (useDocker) head.push('docker'.padStart(8));
  head.push('cpu'.padStart(8), ...(before ? ['B cpu'.padStart(8)] : []));
  console.log(head.join(''));
  row('node -e 0 (floor)', paired(runs, cmd(node, ['-e', '0'])), undefined, undefined, paired(runs, () => cpuOfProcess([node, '-e', '0'])));
  for (const [label, args, goal, dockerArgs] of cases) {
    const p = paired(runs, cmd(STRATA, args), other ? cmd(other, args) : undefined);
    const env = dockerd ? { ...process.env, DOCKER_HOST: `unix://${dockerd.socket}` } : undefined;
    const peer = dockerd && dockerArgs ? paired(runs, () => timeProcess([DOCKER, ...dockerArgs], env)) : undefined;
    const cpu = paired(runs, () => cpuOfProcess([STRATA, ...args]), other ? () => cpuOfProcess([other, ...args]) : undefined);
    row(label, p, goal, peer, cpu);
  }
  console.log('\ncpu: best user + system time of the whole process (/usr/bin/time, 10 ms steps): what a run costs when the machine is busy');
  if (useDocker) console.log('docker: the Debian docker.io 20.10 CLI against a private dockerd with an empty store (a client round trip, for reference)');
} finally {
  await dockerd?.stop();
  rmSync(dir, { recursive: true, force: true });
}
