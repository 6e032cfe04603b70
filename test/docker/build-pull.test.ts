/**
 * A build whose base is only in a registry, beside docker 20.10's BuildKit: the FROM step shows
 * the pull (resolve, each blob fetched with its size, each layer extracted), and a RUN that fails
 * ends with BuildKit's block naming the step. A real registry (Debian's docker-registry) on
 * loopback; docker pushes the base, then neither side has any of its layers.
 *
 * Known differences, normalised: BuildKit 0.8 words a failed RUN `executor failed running
 * [/bin/sh -c false]: exit code: 1` and prints it bare at the end; current BuildKit (which Strata
 * follows) says `process "/bin/sh -c false" did not complete successfully: exit code: 1` after
 * `ERROR: failed to solve: Dockerfile:3: `. 0.8 also prints each vertex's LLB digest and times
 * its statuses (`0.1s done`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { suiteName } from '../fixtures/skip.ts';
import { registryMissing, startRegistry, type RunningRegistry } from '../registry/registry-server.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { makeOracleArchives } from './archives.ts';

const skip = dockerdMissing() ?? busyboxMissing() ?? registryMissing() ?? sandboxUnavailable();

/** The status lines of the vertex named `name` in plain progress, normalised as the header says. */
function statusesOf(plain: string, name: RegExp): string[] {
  const n = plain.split('\n').map((l) => /^#(\d+) (.*)$/.exec(l)).find((m) => m && name.test(m[2]!))?.[1];
  if (!n) throw new Error(`no vertex ${name} in:\n${plain}`);
  return plain
    .split('\n')
    .filter((l) => l.startsWith(`#${n} `))
    .map((l) => l.slice(`#${n} `.length))
    .filter((l) => !name.test(l) && !/^sha256:[0-9a-f]{64}$/.test(l) && !l.startsWith('DONE ') && !l.startsWith('cache miss: '))
    .map((l) => l.replace(/ \d+\.\d+s done$/, ' done'))
    // BuildKit prints a running status (a partial size, an elapsed time) whenever its progress
    // tick comes before the end, then the same subject again when done: only the last counts.
    .filter((l, _i, all) => l.endsWith(' done') || !all.some((o) => o.endsWith(' done') && subject(o) === subject(l)))
    .sort();
}

/** What a status line is about: `sha256:…`, `extracting sha256:…`, `resolve REF`. */
function subject(line: string): string {
  return (/^(?:\w+ )?sha256:[0-9a-f]{64}/.exec(line) ?? /^\S+ \S+/.exec(line) ?? [line])[0];
}

/** From the failed step's ERROR line to the end, in current BuildKit's words. */
function failureTail(plain: string): string {
  const tail = plain.slice(plain.search(/^#\d+ ERROR: /m)).replace(/^#\d+ /, '#N ');
  return tail
    .replace(/executor failed running \[(.*)\]: exit code: (\d+)/g, 'process "$1" did not complete successfully: exit code: $2')
    .replace(/^ERROR: failed to solve: Dockerfile:\d+: /m, '');
}

describe.skipIf(skip)(suiteName('docker oracle: build pulls its base, a failed RUN', skip), () => {
  let dir: { path: string; cleanup: () => void };
  let d: Dockerd;
  let registry: RunningRegistry;
  let ctx: string;
  const out: { docker: string; strata: string; dockerCode: number; strataCode: number } = { docker: '', strata: '', dockerCode: 0, strataCode: 0 };

  beforeAll(async () => {
    dir = tempDir('strata-build-pull-');
    const archives = await makeOracleArchives(dir.path);
    registry = await startRegistry(join(dir.path, 'registry'));
    d = await startDockerd();
    const ref = `${registry.host}/tools/big:1`;
    await d.docker(['load', '-i', archives.big]);
    await d.docker(['tag', 'big', ref]);
    await d.docker(['push', ref]);
    await d.docker(['rmi', 'big', ref]);
    ctx = join(dir.path, 'ctx');
    mkdirSync(ctx, { recursive: true });
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${ref}\nRUN echo hi\nRUN false\n`);
    const theirs = await d.docker(['build', '--network', 'none', '--progress', 'plain', ctx], { allowFailure: true });
    const ours = await strata(join(dir.path, 'store'), ['build', '--progress', 'plain', ctx]);
    Object.assign(out, { docker: theirs.stderr, strata: ours.stderr, dockerCode: theirs.code, strataCode: ours.code });
  });
  afterAll(async () => {
    await d?.stop();
    await registry?.stop();
    dir?.cleanup();
  });

  it('shows the pull under FROM: resolve, the manifest, config and layers with their sizes, then extracting', () => {
    const from = /^\[1\/3\] FROM /;
    const ours = statusesOf(out.strata, from);
    expect(ours, `docker:\n${out.docker}\nstrata:\n${out.strata}`).toEqual(statusesOf(out.docker, from));
    expect(ours.filter((l) => l.startsWith('extracting sha256:'))).toHaveLength(2);
    expect(ours).toContainEqual(expect.stringMatching(/^sha256:[0-9a-f]{64} 300\.\d\dkB \/ 300\.\d\dkB done$/));
    // The metadata step only resolves; the download is FROM's.
    expect(statusesOf(out.strata, /^\[internal\] load metadata for /)).toEqual([]);
  });

  it('ends a failed RUN with BuildKit\'s block naming the step, and exits 1', () => {
    expect(out.strataCode).toBe(out.dockerCode);
    expect(failureTail(out.strata)).toBe(failureTail(out.docker));
    expect(failureTail(out.strata)).toBe('#N ERROR: process "/bin/sh -c false" did not complete successfully: exit code: 1\n------\n > [3/3] RUN false:\n------\nprocess "/bin/sh -c false" did not complete successfully: exit code: 1\n');
  });
});
