import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxMissing, writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd, type DockerResult } from '../fixtures/dockerd.ts';
import { registryMissing, startRegistry, type RunningRegistry } from '../registry/registry-server.ts';
import { strata, type CliResult } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';

/**
 * `strata -H unix://SOCK run|exec|start|stop|restart` against a real dockerd (no bridge: every
 * container runs with `--network none`) prints what docker 20.10's CLI prints without a terminal,
 * and exits with the same status: the container's, the command's, docker's 125/126/127.
 */

/** docker's own name for itself, and the logrus line its run may print after a failed start. */
function asStrata(stderr: string): string {
  return stderr.split('\n').filter((l) => !l.startsWith('time="')).join('\n').replace(/^docker: /gm, 'strata: ').replace(/'docker run --help'/g, "'strata run --help'");
}

const skip = dockerdMissing() ?? busyboxMissing() ?? registryMissing();

describe.skipIf(skip)('containers through the Engine API provider', () => {
  let d: Dockerd;
  let registry: RunningRegistry;
  const tmp = tempDir('strata-provider-run-');
  const store = join(tmp.path, 'store');
  let host: string[];
  const saved = { DOCKER_CONFIG: process.env.DOCKER_CONFIG, STRATA_TEST_FROM_CLIENT: process.env.STRATA_TEST_FROM_CLIENT };

  const s = (args: string[]): Promise<CliResult> => strata(store, [...host, ...args]);
  const dk = (args: string[]): Promise<DockerResult> => d.docker(args, { allowFailure: true, env: { STRATA_TEST_FROM_CLIENT: 'client value' } });
  const state = async (name: string): Promise<string> => (await d.docker(['inspect', '-f', '{{.State.Status}}', name])).stdout.trim();

  beforeAll(async () => {
    process.env.DOCKER_CONFIG = join(tmp.path, 'docker-config');
    process.env.STRATA_TEST_FROM_CLIENT = 'client value';
    registry = await startRegistry(join(tmp.path, 'registry'));
    d = await startDockerd();
    host = ['-H', `unix://${d.socket}`];
    const rootfs = join(tmp.path, 'busybox.tar');
    await writeBusyboxRootfs(rootfs);
    await d.docker(['import', rootfs, 'busybox:latest']);
    for (const name of ['d1', 'd2']) await d.docker(['run', '-d', '--network', 'none', '--name', name, 'busybox', 'sleep', '600']);
  }, 120_000);

  afterAll(async () => {
    await d?.stop();
    await registry?.stop();
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    tmp.cleanup();
  });

  it('run in the foreground: stdout and stderr apart, the exit status, -e from the client, --rm', async () => {
    const args = ['run', '--network', 'none', '--rm', '-e', 'A=1', '-e', 'STRATA_TEST_FROM_CLIENT', '-e', 'UNSET_HERE', 'busybox', 'sh', '-c', 'echo "out $A $STRATA_TEST_FROM_CLIENT ${UNSET_HERE-unset}"; echo err >&2; exit 3'];
    const mine = await s(args);
    expect(mine).toEqual({ code: 3, stdout: 'out 1 client value unset\n', stderr: 'err\n' });
    const theirs = await dk(args);
    expect(mine).toEqual({ code: theirs.code, stdout: theirs.stdout, stderr: theirs.stderr });
    // --rm: nothing left behind
    expect((await d.docker(['ps', '-aq', '--filter', 'status=exited'])).stdout).toBe('');
    const named = await s(['run', '--network', 'none', '--name', 'once', 'busybox', 'echo', 'hi']);
    expect(named).toEqual({ code: 0, stdout: 'hi\n', stderr: '' });
    expect(await state('once')).toBe('exited');
  });

  it('run -d prints the ID; a name in use, a missing command: docker\'s words and statuses', async () => {
    const detached = await s(['run', '-d', '--network', 'none', '--name', 'bg', 'busybox', 'sleep', '600']);
    expect(detached.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    expect((await d.docker(['inspect', '-f', '{{.Id}} {{.State.Status}}', 'bg'])).stdout).toBe(`${detached.stdout.trim()} running\n`);
    for (const args of [
      ['run', '--network', 'none', '--name', 'd1', 'busybox', 'true'],
      ['run', '--network', 'none', 'busybox', 'no-such-command'],
      ['run', '--network', 'none', '--rm', 'busybox', 'no-such-command'],
      ['run', '--network', 'none', 'nosuchimage-here:1', 'true'],
    ]) {
      const mine = await s(args);
      const theirs = await dk(args);
      expect(mine.stderr, args.join(' ')).toBe(asStrata(theirs.stderr));
      expect(mine.code).toBe(theirs.code);
      expect(mine.stdout).toBe(theirs.stdout);
    }
    expect((await s(['run', '--network', 'none', 'busybox', 'no-such-command'])).code).toBe(127);
  });

  it('run pulls a missing image first, its progress on stderr', async () => {
    const image = `${registry.host}/bb:1`;
    await d.docker(['tag', 'busybox', image]);
    await d.docker(['push', image]);
    await d.docker(['rmi', image]);
    const args = ['run', '--network', 'none', '--rm', image, 'echo', 'pulled'];
    const mine = await s(args);
    expect(mine.stdout).toBe('pulled\n');
    expect(mine.stderr).toMatch(new RegExp(`^Unable to find image '${image}' locally\n1: Pulling from bb\n`));
    await d.docker(['rmi', image]);
    const theirs = await dk(args);
    expect(mine).toEqual({ code: theirs.code, stdout: theirs.stdout, stderr: theirs.stderr });
  });

  it('exec: output, the command\'s status, a missing command, a missing or stopped container', async () => {
    for (const args of [
      ['exec', 'd1', 'sh', '-c', 'echo in; echo e >&2; exit 4'], ['exec', '-e', 'X=y', '-w', '/bin', 'd1', 'sh', '-c', 'echo $X $(pwd)'],
      ['exec', 'd1', 'no-such-command'], ['exec', 'nosuch', 'true'], ['container', 'exec', 'd1', 'true'],
    ]) {
      const mine = await s(args);
      const theirs = await dk(args);
      expect(mine, args.join(' ')).toEqual({ code: theirs.code, stdout: theirs.stdout, stderr: theirs.stderr });
    }
    expect((await s(['exec', 'd1', 'sh', '-c', 'exit 4'])).code).toBe(4);
    expect((await s(['exec', 'nosuch', 'true'])).stderr).toBe('Error: No such container: nosuch\n');
  });

  it('stop, start and restart, one after another, with the failures at the end', async () => {
    const pair = async (args: (name: string) => string[]): Promise<void> => {
      const mine = await s(args('d1'));
      const theirs = await dk(args('d2'));
      expect(mine.stdout.replace(/d1/g, 'd2')).toBe(theirs.stdout);
      expect(mine.stderr.replace(/d1/g, 'd2')).toBe(theirs.stderr);
      expect(mine.code).toBe(theirs.code);
    };
    await pair((n) => ['stop', '-t', '1', n, 'nosuch', 'other-missing']);
    expect(await state('d1')).toBe('exited');
    const stopped = await s(['exec', 'd1', 'true']);
    const id = (await d.docker(['inspect', '-f', '{{.Id}}', 'd1'])).stdout.trim();
    expect(stopped).toEqual({ code: 1, stdout: '', stderr: `Error response from daemon: Container ${id} is not running\n` });
    await pair((n) => ['start', n, 'nosuch']);
    expect(await state('d1')).toBe('running');
    await pair((n) => ['restart', '-t', '0', n]);
    expect(await state('d1')).toBe('running');
    await pair((n) => ['container', 'stop', '-t', '0', n]);
    expect(await state('d1')).toBe('exited');
  });
});
