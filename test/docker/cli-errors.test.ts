import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { makeOracleArchives, mustSucceed } from './archives.ts';

const skip = dockerdMissing() ?? busyboxMissing();

/**
 * Usage errors, refusals and exit codes side by side with docker 20.10's CLI: the same words with
 * `docker` read as `strata`, the same status (125 for flags, 1 for the number of arguments and
 * for what the daemon refuses, 125 when run/create cannot make the container). A usage error's
 * last line is the command's one-line description, which is Strata's own: it is left out.
 */
describe.skipIf(skip)(`docker oracle: usage errors and exit codes${skip ? ` (skipped: ${skip})` : ''}`, () => {
  let dir: { path: string; cleanup: () => void };
  let d: Dockerd;
  let root: string;

  beforeAll(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    const archives = await makeOracleArchives(dir.path);
    d = await startDockerd();
    await d.docker(['load', '-i', archives.busybox]);
    await mustSucceed(root, ['load', '-i', archives.busybox]);
    await d.docker(['create', '--network', 'none', '--name', 'taken', 'busybox']);
    await mustSucceed(root, ['create', '--name', 'taken', 'busybox']);
  });
  afterAll(async () => {
    await d?.stop();
    dir?.cleanup();
  });

  /** Output with the command name made Strata's, IDs hidden and a usage error's description line dropped. */
  function normalise(text: string): string {
    // A container's ID is each side's own.
    const named = text.replace(/\bdocker\b/g, 'strata').replace(/\b[0-9a-f]{64}\b/g, '<id>');
    return named.includes('\nUsage:  ') ? named.replace(/\n\n[^\n]*\n$/, '\n') : named;
  }

  it.each([
    [['tag', 'x']], [['rmi']], [['images', 'a', 'b']], [['ps', 'x']], [['commit']], [['container', 'ls', 'x']],
    [['images', '--bogus']], [['run', '--bogus', 'busybox']],
    [['images', '[[']], [['images', 'Bad:Ref']], [['images', '--filter', 'bogus=1']], [['images', '--filter', 'dangling=maybe']],
    [['images', '-a=false', '--format', '{{.Repository}}']], [['history', '-H=false', '--format', '{{.Size}}', 'busybox']],
    [['inspect', 'nope']], [['run', '-it', 'busybox', 'echo', 'hi']], [['run', '--pull', 'never', 'nope:1']],
    // A missing image, per command: the daemon's `x:latest`, the client's `x` as typed (rmi, image inspect).
    [['rmi', 'x']], [['rmi', '-f', 'x']], [['image', 'inspect', 'x']], [['history', 'x']], [['tag', 'x', 'y']], [['tag', 'abc123', 'y']],
    [['save', 'x']], [['save', 'x:1']], [['run', '--pull', 'never', 'x']], [['create', '--pull', 'never', 'x']], [['history', 'sha256:abc']],
    [['push', 'x']], [['create', '--name', 'taken', 'busybox']], [['run', '--name', 'taken', 'busybox']],
  ])('strata %j prints what docker prints and exits with its status', async (args) => {
    const theirs = await d.docker(args, { allowFailure: true });
    const ours = await strata(root, args);
    expect({ code: ours.code, stdout: ours.stdout, stderr: normalise(ours.stderr) }).toEqual({ code: theirs.code, stdout: theirs.stdout, stderr: normalise(theirs.stderr) });
  });
});
