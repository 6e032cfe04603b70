/**
 * Real docker (20.10, BuildKit 0.8) as the oracle for `build --progress plain` and for the times
 * of what a build writes. The same small Dockerfile is built by both, fresh and then cached; the
 * plain output is compared vertex by vertex once times, digests, IDs and transfer sizes are
 * normalised, and `stat` inside both images says which mtimes are the sources' and which the
 * build's.
 *
 * Known differences of BuildKit 0.8 from the current BuildKit Strata follows, normalised here:
 * - 0.8 prints each vertex's LLB digest (`#3 sha256:…`); current BuildKit does not.
 * - 0.8 loads `.dockerignore` before the base image's metadata and numbers vertices as they
 *   start (in parallel); current BuildKit loads the metadata first. Vertices are compared by name.
 * - 0.8 names the base `FROM docker.io/library/busybox`; current BuildKit adds the tag and the
 *   registry digest (`:latest@sha256:…`) — a loaded image has no registry digest.
 * - Transfer sizes count fsutil's framing (and 0.8 sends only what changed); Strata counts bytes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { suiteName } from '../fixtures/skip.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { makeOracleArchives, mustSucceed } from './archives.ts';

const skip = dockerdMissing() ?? busyboxMissing() ?? sandboxUnavailable();

const DOCKERFILE = 'FROM busybox\nENV A=1\nCOPY f /etc/f\nWORKDIR /w/x\nCOPY sub /dst/sub\nRUN echo hi\nLABEL a=b\nCMD ["sh"]\n';
const SOURCE_TIME = 1_500_000_200;
/** What busybox.tar's entries are dated (test/fixtures/busybox.ts). */
const IMAGE_TIME = Date.parse('2024-01-01T00:00:00Z') / 1000;

interface Vertex {
  name: string;
  lines: string[];
}

/** Plain progress as vertices (by `#n`, blocks of one vertex merged), normalised as the header says. */
export function vertices(plain: string): Vertex[] {
  const byN = new Map<string, Vertex>();
  for (const raw of plain.split('\n')) {
    const m = /^#(\d+) (.*)$/.exec(raw);
    if (!m) continue;
    const [, n, rest] = m as unknown as [string, string, string];
    if (/^sha256:[0-9a-f]{64}$/.test(rest)) continue;
    const v = byN.get(n);
    if (!v) {
      byN.set(n, { name: normaliseName(rest), lines: [] });
      continue;
    }
    // A vertex printed again after another one interleaved (BuildKit repeats its header).
    if (normaliseName(rest) === v.name) continue;
    // Strata's own explanation lines, which docker has no counterpart for; BuildKit's `#3 ...`
    // marks a vertex left for another one while it runs.
    if (rest.startsWith('cache miss: ') || rest === '...') continue;
    v.lines.push(normaliseLine(rest));
  }
  // A slow status is printed while it runs and again when done (`exporting layers`, then
  // `exporting layers 0.1s done`): only the final one is compared.
  for (const v of byN.values()) v.lines = v.lines.filter((l) => !v.lines.includes(`${l} done`));
  return [...byN.values()];
}

function normaliseName(name: string): string {
  return name.replace(/^(\[[^\]]+\] FROM [^\s@:]+(?::[^\s@]+)?)(@sha256:[0-9a-f]{64})?$/, '$1').replace(/^(\[[^\]]+\] FROM \S+?):latest$/, '$1');
}

function normaliseLine(line: string): string {
  return line
    .replace(/sha256:[0-9a-f]{64}/g, 'sha256:<id>')
    // also the in-progress line before any byte is counted (`transferring dockerfile:`), which
    // BuildKit prints only when its progress tick comes first
    .replace(/^transferring (dockerfile|context):( \S+)?/, 'transferring $1: <size>')
    .replace(/ \d+\.\d+s done$/, ' done')
    .replace(/^DONE \d+\.\ds$/, 'DONE <t>')
    .replace(/^\d+\.\d{3} /, '<t> ');
}

const byName = (vs: Vertex[]): Vertex[] => [...vs].sort((a, b) => a.name.localeCompare(b.name));

describe.skipIf(skip)(suiteName('docker oracle: build progress and file times', skip), () => {
  let dir: { path: string; cleanup: () => void };
  let d: Dockerd;
  let root: string;
  let ctx: string;
  const runs: { docker: string; strata: string; started: number; ended: number }[] = [];

  beforeAll(async () => {
    dir = tempDir('strata-build-progress-');
    root = join(dir.path, 'store');
    const archives = await makeOracleArchives(dir.path);
    d = await startDockerd();
    await d.docker(['load', '-i', archives.busybox]);
    await mustSucceed(root, ['load', '-i', archives.busybox]);
    ctx = join(dir.path, 'ctx');
    mkdirSync(join(ctx, 'sub', 'deeper'), { recursive: true });
    writeFileSync(join(ctx, 'f'), 'hello\n');
    writeFileSync(join(ctx, 'sub', 'g'), 'g\n');
    writeFileSync(join(ctx, 'sub', 'deeper', 'h'), 'h\n');
    for (const p of ['f', 'sub/g', 'sub/deeper/h', 'sub/deeper', 'sub']) utimesSync(join(ctx, p), SOURCE_TIME, SOURCE_TIME);
    writeFileSync(join(ctx, 'Dockerfile'), DOCKERFILE);
    for (let i = 0; i < 2; i++) {
      const started = Math.floor(Date.now() / 1000);
      const theirs = await d.docker(['build', '--network', 'none', '--progress', 'plain', '-t', 'x:1', ctx]);
      const ours = await strata(root, ['build', '--progress', 'plain', '-t', 'x:1', ctx]);
      if (ours.code !== 0) throw new Error(`strata build failed: ${ours.stderr}`);
      runs.push({ docker: theirs.stderr, strata: ours.stderr, started, ended: Math.ceil(Date.now() / 1000) });
    }
  });
  afterAll(async () => {
    await d?.stop();
    dir?.cleanup();
  });

  it('prints the same vertices, statuses, logs and DONE/CACHED as BuildKit, fresh and cached', () => {
    for (const run of runs) {
      expect(byName(vertices(run.strata)), `docker printed:\n${run.docker}\nStrata printed:\n${run.strata}`).toEqual(byName(vertices(run.docker)));
    }
    // The cached rebuild: every step CACHED on both sides.
    expect(vertices(runs[1]!.strata).filter((v) => v.lines.includes('CACHED')).map((v) => v.name)).toEqual([
      '[2/5] COPY f /etc/f', '[3/5] WORKDIR /w/x', '[4/5] COPY sub /dst/sub', '[5/5] RUN echo hi',
    ]);
  });

  it('numbers vertices in the order it prints them, with current BuildKit\'s order of the internal ones', () => {
    const names = vertices(runs[0]!.strata).map((v) => v.name);
    expect(names).toEqual([
      '[internal] load build definition from Dockerfile',
      '[internal] load metadata for docker.io/library/busybox:latest',
      '[internal] load .dockerignore',
      '[1/5] FROM docker.io/library/busybox',
      '[internal] load build context',
      '[2/5] COPY f /etc/f',
      '[3/5] WORKDIR /w/x',
      '[4/5] COPY sub /dst/sub',
      '[5/5] RUN echo hi',
      'exporting to image',
    ]);
    const numbers = [...runs[0]!.strata.matchAll(/^#(\d+) /gm)].map((m) => Number(m[1]));
    expect(numbers.every((n, i) => i === 0 || n === numbers[i - 1] || n === numbers[i - 1]! + 1)).toBe(true);
    // ENV, LABEL and CMD are no steps: their miss reasons come under the next vertex, naming them.
    expect(runs[0]!.strata).toMatch(/#6 \[2\/5\] COPY f \/etc\/f\n#6 cache miss: ENV: not in cache[^\n]*\n#6 cache miss: COPY f \/etc\/f: parent changed because ENV \(line 2\) missed\n/);
    expect(runs[0]!.strata).toMatch(/#10 exporting to image\n#10 cache miss: LABEL: parent changed because ENV \(line 2\) missed\n/);
  });

  it('keeps the copied files\' mtimes and dates the directories it writes at build time, as docker does', async () => {
    const paths = ['/etc/f', '/dst/sub/g', '/dst/sub/deeper/h', '/etc', '/dst', '/dst/sub', '/dst/sub/deeper', '/w', '/w/x', '/bin'];
    const args = ['run', '--rm', 'x:1', 'stat', '-c', '%n %Y', ...paths];
    const { started, ended } = runs[0]!;
    const kind = (out: string): string[] => out.trim().split('\n').map((l) => {
      const [name, time] = l.split(' ') as [string, string];
      const t = Number(time);
      const what = t === SOURCE_TIME ? 'source' : t === IMAGE_TIME ? 'image' : t >= started && t <= ended ? 'build' : `other ${t}`;
      return `${name} ${what}`;
    });
    const theirs = kind((await d.docker(args)).stdout);
    const ours = kind(await mustSucceed(root, args));
    expect(ours).toEqual(theirs);
    expect(ours).toEqual([
      '/etc/f source', '/dst/sub/g source', '/dst/sub/deeper/h source',
      '/etc build', '/dst build', '/dst/sub build', '/dst/sub/deeper build', '/w build', '/w/x build', '/bin image',
    ]);
  });
});

describe('build progress oracle: normalising plain progress', () => {
  it('compares a transfer by its final line, whether or not BuildKit printed it while it ran', () => {
    const withTick = '#1 [internal] load build definition from Dockerfile\n#1 transferring dockerfile:\n#1 transferring dockerfile: 31B done\n#1 DONE 0.0s\n';
    const withoutTick = '#1 [internal] load build definition from Dockerfile\n#1 transferring dockerfile: 99B done\n#1 DONE 0.0s\n';
    expect(vertices(withTick)).toEqual(vertices(withoutTick));
    expect(vertices(withTick)[0]!.lines).toEqual(['transferring dockerfile: <size> done', 'DONE <t>']);
  });
});
