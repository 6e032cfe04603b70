/**
 * What a container's process gets as docker gives it, replayed against Strata's CLI and (as root,
 * where docker.io is installed) a private dockerd 20.10 on the same images: the environment of
 * `run`, `exec` and a build's RUN (no PWD: bwrap's is taken out by the exec shim), also for a
 * scratch image whose only file is a static `env`; and `exec -u`'s identity (`id`, owners).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { mkdirSync, writeFileSync } from 'node:fs';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { execShim } from '../../src/main/engine/runtime/exec-shim.ts';
import { BUSYBOX, busyboxMissing, storeImage, writeBusyboxRootfs, writeTar, writeUsersLayer } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';

const why = (): string | undefined => busyboxMissing() ?? sandboxUnavailable() ?? (execShim() ? undefined : `no exec shim for ${process.arch}: PWD stays`);
/** The rootless pass of scripts/test.sh runs this file again as an ordinary user: docker's side ran as root. */
const noDocker = (): string | undefined => why() ?? (process.getuid?.() === 0 ? dockerdMissing() : 'not root: the root pass compares with dockerd');

type Side = 'strata' | 'docker';

/** An environment as comparable lines: sorted, the hostname (a random or the container's ID) masked. */
const envLines = (out: string): string[] => out.split('\n').filter(Boolean).map((l) => l.replace(/^HOSTNAME=.*/, 'HOSTNAME=…')).sort();

describe('the process environment and exec -u as docker gives them', () => {
  let dir: { path: string; cleanup: () => void };
  let root: string;
  let d: Dockerd | undefined;

  beforeAll(async () => {
    dir = tempDir();
    root = join(dir.path, 'store');
    if (why()) return;
    const source = join(dir.path, 'source');
    const engine = Engine.open({ root: source });
    try {
      await writeBusyboxRootfs(join(dir.path, 'base.tar'));
      await writeUsersLayer(join(dir.path, 'users.tar'));
      const env = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'GREETING=hello world'];
      await storeImage(engine, [join(dir.path, 'base.tar'), join(dir.path, 'users.tar')], { tags: ['bb:1'], config: { config: { Env: env, Cmd: ['sh'] } } });
      // FROM scratch + one static binary: nothing in the image could take PWD out.
      await writeTar(join(dir.path, 'env.tar'), [{ type: 'hostfile', name: 'env', source: BUSYBOX! }]);
      await storeImage(engine, [join(dir.path, 'env.tar')], { tags: ['static:1'], config: { config: { Env: env, Cmd: ['/env'] } } });
    } finally {
      engine.close();
    }
    const archive = join(dir.path, 'images.tar');
    expect((await strata(source, ['save', '-o', archive, 'bb:1', 'static:1'])).code).toBe(0);
    expect((await strata(root, ['load', '-i', archive])).code).toBe(0);
    if (noDocker()) return;
    d = await startDockerd();
    await d.docker(['load', '-i', archive]);
  }, 120_000);
  afterAll(async () => {
    await d?.stop();
    dir?.cleanup();
  });

  async function cli(side: Side, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    if (side === 'strata') return strata(root, args);
    // The test daemon has no bridge network.
    const withNetwork = args[0] === 'run' || args[0] === 'build' ? [args[0], '--network', 'none', ...args.slice(1)] : args;
    return d!.docker(withNetwork, { allowFailure: true });
  }

  const RUNS = [
    ['bb:1', 'env'], ['-e', 'X=1', '-w', '/tmp', 'bb:1', 'env'], ['-u', 'nobody', 'bb:1', 'env'], ['-e', 'PWD=/given', 'bb:1', 'env'],
    ['static:1'], ['-w', '/somewhere', 'static:1', '/env'], ['-e', 'PWD=/given', 'static:1'],
  ];

  it('run: the environment has no PWD (busybox and a scratch image with a static env), unless the user gives one', async ({ skip }) => {
    if (why()) skip(why());
    const ours = [];
    for (const r of RUNS) {
      const res = await strata(root, ['run', '--rm', ...r]);
      expect(res.code, res.stderr).toBe(0);
      ours.push(envLines(res.stdout));
    }
    expect(ours[0]).toEqual(['GREETING=hello world', 'HOME=/root', 'HOSTNAME=…', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    // Without /etc/passwd HOME is `/` (moby's GetExecUser default).
    expect(ours[4]).toEqual(ours[0]!.map((l) => l.replace(/^HOME=.*/, 'HOME=/')));
    expect(ours[3]).toContain('PWD=/given');
    expect(ours.filter((lines, i) => i !== 3 && i !== 6 && lines.some((l) => l.startsWith('PWD=')))).toEqual([]);
    if (noDocker()) return;
    const theirs = [];
    for (const r of RUNS) theirs.push(envLines((await cli('docker', ['run', '--rm', ...r])).stdout));
    expect(ours).toEqual(theirs);
  }, 60_000);

  it('exec: the environment has no PWD, for root and -u, and exec -u shows the groups and owners docker does', async ({ skip }) => {
    if (why()) skip(why());
    const script = async (side: Side): Promise<unknown[]> => {
      expect((await cli(side, ['run', '-d', '--name', 'execd', 'bb:1', 'sleep', '600'])).code).toBe(0);
      try {
        const out: unknown[] = [];
        for (const e of [['execd', 'env'], ['-u', 'ada', '-w', '/tmp', 'execd', 'env'], ['execd', '/bin/env']]) {
          out.push(envLines((await cli(side, ['exec', ...e])).stdout));
        }
        for (const u of ['', 'ada', 'nobody', '1000', '65534', '1000:50', 'ada:staff', 'nobody:audio', '123', '123:456', '0:50']) {
          out.push((await cli(side, ['exec', ...(u ? ['-u', u] : []), 'execd', 'id'])).stdout);
        }
        out.push((await cli(side, ['exec', '-u', 'nobody', 'execd', 'ls', '-lnd', '/root', '/tmp'])).stdout.replace(/ \w{3} +\d+ +[\d:]+ /g, ' '));
        return out;
      } finally {
        await cli(side, ['rm', '-f', 'execd']);
      }
    };
    const ours = await script('strata');
    expect(ours[0]).toEqual(['GREETING=hello world', 'HOME=/root', 'HOSTNAME=…', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(ours[1]).toEqual(['GREETING=hello world', 'HOME=/home/ada', 'HOSTNAME=…', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(ours[2]).toEqual(ours[0]);
    expect(ours[4]).toBe('uid=1000(ada) gid=1000(ada) groups=10(wheel),29(audio),50(staff),1000(ada)\n');
    expect(ours[5]).toBe('uid=65534(nobody) gid=65534(nogroup) groups=29(audio),65534(nogroup)\n');
    expect(ours[9]).toBe('uid=1000(ada) gid=50(staff) groups=50(staff)\n');
    expect(ours[14]).toMatch(/^drwx------ +\d+ 0 +0 /m);
    if (noDocker()) return;
    expect(ours).toEqual(await script('docker'));
  }, 60_000);

  it("a build's RUN: the process's environment has no PWD, as with BuildKit; a shell adds its own", async ({ skip }) => {
    if (why()) skip(why());
    const context = join(dir.path, 'context');
    mkdirSync(context, { recursive: true });
    // exec form, no shell: cp's own environment as it was executed.
    const saveEnv = (to: string): string => `RUN ["cp", "/proc/self/environ", "${to}"]\n`;
    writeFileSync(join(context, 'Dockerfile'), `FROM bb:1\n${saveEnv('/env.bin')}WORKDIR /work\n${saveEnv('/work.bin')}RUN env > /shell.txt\n`);
    const script = async (side: Side): Promise<string[][]> => {
      const built = await cli(side, ['build', '-q', '-t', 'envbuild:1', context]);
      expect(built.code, built.stderr).toBe(0);
      const out = [];
      for (const f of ['/env.bin', '/work.bin', '/shell.txt']) out.push(envLines((await cli(side, ['run', '--rm', 'envbuild:1', 'cat', f])).stdout.replace(/\0/g, '\n')));
      return out;
    };
    const ours = await script('strata');
    expect([...ours[0]!, ...ours[1]!].filter((l) => l.startsWith('PWD='))).toEqual([]);
    expect(ours[0]).toEqual(['GREETING=hello world', 'HOME=/root', 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    expect(ours[2]).toContain('PWD=/work'); // busybox sh sets it itself
    if (noDocker()) return;
    expect(ours).toEqual(await script('docker'));
  }, 60_000);
});
