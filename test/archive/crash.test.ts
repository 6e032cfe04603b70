import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { Engine } from '../../src/main/engine/engine.ts';
import { repoRoot } from '../paths.ts';
import { tempDir } from '../tmp.ts';
import { legacyArchive, ociLayout, tarBytes, writeRawTar } from './archive-fixtures.ts';

const STRATA = join(repoRoot, 'bin', 'strata');
const ITERATIONS = 20;

/** A small seeded PRNG (mulberry32): the same seed replays the same kills. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pseudo-random bytes from the PRNG (incompressible layer content, reproducible). */
function noise(rand: () => number, n: number): Buffer {
  const b = Buffer.alloc(n);
  for (let i = 0; i < n; i += 4) b.writeUInt32LE(Math.floor(rand() * 4294967296), i);
  return b;
}

function strata(root: string, ...args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(STRATA, ['--root', root, ...args], { encoding: 'utf8' });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the CLI and kills it with SIGKILL after `delayMs` (if it is still running). */
function runAndKill(root: string, args: string[], delayMs: number): Promise<'killed' | 'exited'> {
  return new Promise((resolve) => {
    const child = spawn(STRATA, ['--root', root, ...args], { stdio: 'ignore' });
    let exited = false;
    const timer = setTimeout(() => {
      if (!exited) child.kill('SIGKILL');
    }, delayMs);
    child.on('exit', (_code, signal) => {
      exited = true;
      clearTimeout(timer);
      resolve(signal === 'SIGKILL' ? 'killed' : 'exited');
    });
  });
}

describe('crash safety of load and rmi (kill -9 at random moments)', () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  const file = (name: string): string => join(dir.path, name);
  const kept = new Map<string, string>();

  beforeAll(async () => {
    dir = tempDir('strata-crash-');
    root = file('store');
    const rand = prng(7);
    const base = await tarBytes([{ name: 'base.bin', content: noise(rand, 4 << 20) }]);
    const keepTop = await tarBytes([{ name: 'keep.txt', content: 'keep me\n' }]);
    const victims = await Promise.all([0, 1, 2].map((i) => tarBytes([{ name: `victim-${i}.bin`, content: noise(rand, (6 + i) << 20) }])));
    // Tagged images that must survive every crash; the victims share their base layer.
    await writeRawTar(file('keep.tar'), legacyArchive([base, keepTop], { tags: ['keep:1', 'keep:2'] }));
    await writeRawTar(file('victim-0.tar'), legacyArchive([base, victims[0]!], { tags: ['victim:0'] }));
    await writeRawTar(file('victim-1.tar'), ociLayout([base, victims[1]!], { compression: 'gzip', refName: 'victim:1' }));
    await writeRawTar(file('victim-2.tar'), ociLayout([victims[2]!, base], { compression: 'zstd', refName: 'victim:2' }));
    const loaded = strata(root, 'load', '-i', file('keep.tar'));
    expect(loaded.stdout).toBe('Loaded image: keep:1\nLoaded image: keep:2\n');
    const engine = Engine.open({ root });
    try {
      for (const t of ['keep:1', 'keep:2']) kept.set(t, engine.images.resolve(t));
    } finally {
      engine.close();
    }
  });
  afterAll(() => dir?.cleanup());

  it('keeps fsck clean when rmi (and its gc) races a load of an image sharing its layer', async () => {
    const raceRoot = file('race-store');
    const rand = prng(11);
    const shared = await tarBytes([{ name: 'shared.bin', content: noise(rand, 6 << 20) }]);
    for (const name of ['x', 'y']) {
      const own = await tarBytes([{ name: `${name}.txt`, content: `${name}\n` }]);
      await writeRawTar(file(`race-${name}.tar`), legacyArchive([shared, own], { tags: [`race-${name}:1`] }));
    }
    const run = (args: string[]): Promise<{ code: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(STRATA, ['--root', raceRoot, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('exit', (code) => resolve({ code, stderr }));
      });
    for (let i = 0; i < 6; i++) {
      expect(strata(raceRoot, 'load', '-i', file('race-x.tar')).status).toBe(0);
      const [rmi, load] = await Promise.all([run(['rmi', 'race-x:1']), run(['load', '-i', file('race-y.tar')])]);
      expect(rmi.code).toBe(0);
      // The load either wins or loses the race cleanly; it never records a blob gc removed.
      if (load.code !== 0) expect(load.stderr).toMatch(/removed by a concurrent gc; retry/);
      const fsck = strata(raceRoot, 'fsck');
      expect(fsck.stdout).toMatch(/no problems\n$/);
      strata(raceRoot, 'rmi', 'race-y:1');
    }
  });

  it(`keeps fsck clean and tagged images intact over ${ITERATIONS} killed loads and rmis`, async () => {
    // Kill moments are spread over the time an uninterrupted load takes on this machine.
    const t0 = performance.now();
    expect(strata(file('scratch-store'), 'load', '-i', file('victim-1.tar')).status).toBe(0);
    const loadMs = performance.now() - t0;
    const rand = prng(2026);
    let kills = 0;
    for (let i = 0; i < ITERATIONS; i++) {
      const victim = Math.floor(rand() * 3);
      const op = rand() < 0.6 ? ['load', '-i', file(`victim-${victim}.tar`)] : ['rmi', '-f', `victim:${victim}`];
      const delay = Math.floor(rand() * loadMs);
      if ((await runAndKill(root, op, delay)) === 'killed') kills++;
      const fsck = strata(root, 'fsck');
      expect({ iteration: i, op: op.join(' '), delay, out: fsck.stdout, status: fsck.status }).toMatchObject({ status: 0 });
      expect(fsck.stdout).toMatch(/no problems\n$/);
    }
    console.log(`crash test: ${kills} of ${ITERATIONS} operations killed mid-way`);
    expect(kills).toBeGreaterThan(0);

    // The survivors are whole, and a collection leaves no strays behind.
    expect(strata(root, 'system', 'gc').status).toBe(0);
    const engine = Engine.open({ root });
    try {
      for (const [tag, id] of kept) {
        expect(engine.images.resolve(tag)).toBe(id);
        expect(engine.images.layers(id)).toHaveLength(2);
      }
      const report = await engine.fsck();
      expect(report.problems).toEqual([]);
      expect(report.unreferencedFiles).toEqual([]);
      // Every victim can still be loaded completely after all the crashes.
      for (const v of [0, 1, 2]) expect(strata(root, 'load', '-i', file(`victim-${v}.tar`)).stdout).toBe(`Loaded image: victim:${v}\n`);
    } finally {
      engine.close();
    }
    expect(strata(root, 'fsck').stdout).toMatch(/no problems\n$/);
  });
});
