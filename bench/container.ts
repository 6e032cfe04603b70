/**
 * `diff` and `commit` of a container with 10 changed files in a ≈7k-file Debian rootfs
 * (debootstrap --variant=minbase, cached), side by side with podman (`podman diff`, `podman commit`
 * on a created container whose upper dir is changed through `podman mount`). Goal: diff ≤ 20 ms in
 * process; commit time proportional to the changed bytes, not to the image.
 *
 *   node bench/container.ts [--runs 10] [--cache DIR]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../src/main/engine/engine.ts';
import { importImage } from '../src/main/engine/archive/import.ts';
import { changes } from '../src/main/engine/snapshot/changes.ts';
import { commitContainer } from '../src/main/engine/container/commit.ts';
import { sandboxUnavailable } from '../src/main/engine/runtime/sandbox.ts';

const repo = resolve(fileURLToPath(new URL('..', import.meta.url)));
const argOf = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const RUNS = Number(argOf('runs') ?? 10);
const CACHE = argOf('cache') ?? process.env.STRATA_BENCH_CACHE ?? join(homedir(), '.cache', 'strata-bench');

/** Ten files spread over the tree, each appended to (a copy-up of the whole file, like docker). */
const FILES = [
  'etc/passwd', 'etc/group', 'etc/login.defs', 'etc/debian_version', 'etc/shells',
  'usr/share/doc/bash/copyright', 'usr/share/doc/coreutils/copyright', 'usr/lib/os-release', 'root/.bashrc', 'var/lib/dpkg/status',
];
const CHANGE_SCRIPT = FILES.map((f) => `echo changed >> /${f}`).join('; ');

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function timeAsync(fn: () => Promise<unknown>, runs: number): Promise<number> {
  await fn(); // warm-up
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    xs.push(performance.now() - t);
  }
  return median(xs);
}

function timeCommand(cmd: string, args: string[], runs: number, env?: NodeJS.ProcessEnv): number {
  execFileSync(cmd, args, { env: env ?? process.env, stdio: 'ignore' });
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    execFileSync(cmd, args, { env: env ?? process.env, stdio: 'ignore' });
    xs.push(performance.now() - t);
  }
  return median(xs);
}

/** The Debian minbase rootfs as a tar, made once with debootstrap and cached. */
function debianTar(): string {
  const tar = join(CACHE, 'debian-minbase.tar');
  if (existsSync(tar)) return tar;
  mkdirSync(CACHE, { recursive: true });
  const dir = join(CACHE, 'debian-minbase');
  if (!existsSync(dir)) {
    console.log('debootstrap --variant=minbase bookworm (once; cached in', CACHE, ')');
    const tmp = `${dir}.tmp`;
    rmSync(tmp, { recursive: true, force: true });
    execFileSync('debootstrap', ['--variant=minbase', 'bookworm', tmp, 'http://deb.debian.org/debian'], { stdio: 'inherit' });
    renameSync(tmp, dir);
  }
  // Device nodes are the runtime's business; leave them out like image builders do.
  execFileSync('tar', ['--numeric-owner', '--exclude=./dev/*', '--exclude=./proc/*', '--exclude=./sys/*', '-C', dir, '-cf', `${tar}.tmp`, '.']);
  renameSync(`${tar}.tmp`, tar);
  return tar;
}

function countFiles(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    n++;
    if (e.isDirectory()) n += countFiles(join(dir, e.name));
  }
  return n;
}

async function strataSide(tarPath: string, work: string): Promise<Record<string, number>> {
  const root = join(work, 'strata');
  const engine = Engine.open({ root });
  try {
    const img = await importImage(engine, { path: tarPath }, { reference: 'bench/debian:minbase' });
    const c = engine.containers.create({ image: 'bench/debian:minbase', name: 'bench', cmd: ['sh', '-c', CHANGE_SCRIPT] });
    let t = performance.now();
    const lowerDirs = await engine.containers.lowerDirs(c.id);
    const unpackMs = performance.now() - t;
    const files = countFiles(lowerDirs[0]!);
    t = performance.now();
    const proc = await engine.containers.start(c.id);
    proc.end();
    const res = await proc.exited;
    const runMs = performance.now() - t;
    if (res.exitCode !== 0) throw new Error(`change script failed with ${res.exitCode}`);
    const upper = engine.containers.upperDir(c.id);
    const list = await changes(lowerDirs, upper);
    console.log(`strata: ${files} files in the rootfs (image ${img.id.slice(7, 19)}), ${list.length} diff lines`);
    const diffMs = await timeAsync(() => changes(lowerDirs, upper), RUNS * 5);
    let n = 0;
    const commitMs = await timeAsync(() => commitContainer(engine, c.id, { reference: `bench/out:${n++}` }), RUNS);
    // Commit cost follows the changed bytes: the same ten files, 1 MB each.
    const big = engine.containers.create({ image: 'bench/debian:minbase', name: 'bench-big', cmd: ['sh', '-c', FILES.map((f) => `head -c 1000000 /dev/urandom >> /${f}`).join('; ')] });
    const bigProc = await engine.containers.start(big.id);
    bigProc.end();
    if ((await bigProc.exited).exitCode !== 0) throw new Error('big change script failed');
    let m = 0;
    const commitBigMs = await timeAsync(() => commitContainer(engine, big.id, { reference: `bench/big:${m++}` }), RUNS);
    const env = { ...process.env, STRATA_ROOT: root };
    const cliDiffMs = timeCommand(join(repo, 'bin/strata'), ['diff', 'bench'], RUNS, env);
    const cliCommitMs = timeCommand(join(repo, 'bin/strata'), ['commit', 'bench', 'bench/cli:1'], RUNS, env);
    const cliStartMs = timeCommand(join(repo, 'bin/strata'), ['--version'], RUNS, env);
    return { unpackMs, runMs, diffMs, commitMs, commitBigMs, cliDiffMs, cliCommitMs, cliStartMs, diffLines: list.length };
  } finally {
    engine.close();
  }
}

function podmanSide(tarPath: string, work: string): Record<string, number> | string {
  if (spawnSync('podman', ['--version']).status !== 0) return 'podman is not installed';
  if (process.getuid?.() !== 0) return 'podman mount needs root here';
  const base = ['--root', join(work, 'podman-root'), '--runroot', join(work, 'podman-run'), '--storage-driver', 'overlay'];
  const podman = (args: string[]): string => execFileSync('podman', [...base, ...args], { encoding: 'utf8' });
  try {
    podman(['import', tarPath, 'bench/debian:minbase']);
    podman(['create', '--name', 'bench', 'bench/debian:minbase', 'true']);
    const merged = podman(['mount', 'bench']).trim();
    execFileSync('/bin/sh', ['-c', FILES.map((f) => `echo changed >> '${merged}/${f}'`).join('; ')]);
    const lines = podman(['diff', 'bench']).trim().split('\n').length;
    console.log(`podman: ${lines} diff lines`);
    const diffMs = timeCommand('podman', [...base, 'diff', 'bench'], RUNS);
    let n = 0;
    const xs: number[] = [];
    podman(['commit', '-q', 'bench', 'bench/out:warm']);
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      podman(['commit', '-q', 'bench', `bench/out:${n++}`]);
      xs.push(performance.now() - t);
    }
    podman(['umount', 'bench']);
    return { diffMs, commitMs: median(xs), diffLines: lines };
  } finally {
    spawnSync('podman', [...base, 'system', 'reset', '-f'], { stdio: 'ignore' });
  }
}

async function main(): Promise<void> {
  const why = sandboxUnavailable();
  if (why) {
    console.log(`skipped: ${why}`);
    return;
  }
  const tarPath = debianTar();
  const work = mkdtempSync(join(tmpdir(), 'strata-bench-container-'));
  try {
    const s = await strataSide(tarPath, work);
    const p = podmanSide(tarPath, work);
    const f = (ms: number): string => `${ms.toFixed(1)} ms`;
    console.log(`\n10 changed files, median of ${RUNS} runs (diff in process: ${RUNS * 5})`);
    console.log(`  strata unpack of the image (once per chain ID): ${f(s.unpackMs!)}; container run that changes the files: ${f(s.runMs!)}`);
    console.log(`  diff    strata in process ${f(s.diffMs!)} (goal ≤ 20 ms)   strata CLI ${f(s.cliDiffMs!)}`);
    console.log(`  commit  strata in process ${f(s.commitMs!)}   strata CLI ${f(s.cliCommitMs!)}   (10 × 1 MB changed: ${f(s.commitBigMs!)} in process)`);
    console.log(`  CLI start-up alone (strata --version): ${f(s.cliStartMs!)}`);
    if (typeof p === 'string') console.log(`  podman: skipped: ${p}`);
    else {
      console.log(`  diff    podman CLI ${f(p.diffMs!)}   ratio podman/strata-CLI ${(p.diffMs! / s.cliDiffMs!).toFixed(2)}x, podman/strata-in-process ${(p.diffMs! / s.diffMs!).toFixed(1)}x`);
      console.log(`  commit  podman CLI ${f(p.commitMs!)}   ratio podman/strata-CLI ${(p.commitMs! / s.cliCommitMs!).toFixed(2)}x, podman/strata-in-process ${(p.commitMs! / s.commitMs!).toFixed(1)}x`);
      console.log(`  diff lines: strata ${s.diffLines}, podman ${p.diffLines}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
