/**
 * `run` as docker does it, replayed against Strata's CLI and (as root, where docker.io is
 * installed) a private dockerd 20.10 on the same image: the signal proxy of a foreground run,
 * `-u`'s supplementary groups, and the IMAGE and COMMAND columns of `ps`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { existsSync } from 'node:fs';
import { Engine } from '../../src/main/engine/engine.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import { busyboxMissing, storeImage, writeBusyboxRootfs, writeUsersLayer } from '../fixtures/busybox.ts';
import { DOCKER, dockerdMissing, startDockerd, type Dockerd } from '../fixtures/dockerd.ts';
import { strata } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';
import { repoRoot } from '../paths.ts';

const why = (): string | undefined => busyboxMissing() ?? sandboxUnavailable();
/** The rootless pass of scripts/test.sh runs this file again as an ordinary user: docker's side ran as root. */
const noDocker = (): string | undefined => why() ?? (process.getuid?.() === 0 ? dockerdMissing() : 'not root: the root pass compares with dockerd');

/**
 * The docker 28 CLI, where installed: 20.10's, without the proxy, may die of a SIGINT that comes
 * early (Go's default) or ignore it once attached; 28 always stays attached.
 */
const DOCKER_28 = existsSync('/usr/local/bin/docker') ? '/usr/local/bin/docker' : undefined;

type Side = 'strata' | 'docker';
const SIDES: Side[] = ['strata', 'docker'];

/** A CLI process of either side, its output as it comes. */
interface Cli {
  output(): string;
  /** Resolves once the output matches (rejects after 30 s with what came). */
  waitFor(pattern: RegExp): Promise<void>;
  signal(sig: NodeJS.Signals): void;
  readonly exited: Promise<number>;
  running(): boolean;
}

describe('run as docker does it: signals, groups, ps', () => {
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
      await storeImage(engine, [join(dir.path, 'base.tar'), join(dir.path, 'users.tar')], { tags: ['bb:1'] });
    } finally {
      engine.close();
    }
    const archive = join(dir.path, 'bb.tar');
    expect((await strata(source, ['save', '-o', archive, 'bb:1'])).code).toBe(0);
    expect((await strata(root, ['load', '-i', archive])).code).toBe(0);
    if (noDocker()) return;
    d = await startDockerd();
    await d.docker(['load', '-i', archive]);
  }, 120_000);
  afterAll(async () => {
    await d?.stop();
    dir?.cleanup();
  });

  const skipSide = (side: Side): string | undefined => (side === 'docker' ? noDocker() : why());

  function spawnCli(side: Side, args: string[], docker = DOCKER): Cli {
    const child = side === 'strata'
      ? spawn(join(repoRoot, 'bin/strata'), ['--root', root, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(docker, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DOCKER_HOST: `unix://${d!.socket}`, DOCKER_CONFIG: join(dir.path, 'docker-cli') } });
    let text = '';
    const waiters: (() => void)[] = [];
    const take = (b: Buffer): void => {
      text += b.toString();
      for (const w of waiters.splice(0)) w();
    };
    child.stdout!.on('data', take);
    child.stderr!.on('data', take);
    let done = false;
    const exited = new Promise<number>((resolve) => child.on('close', (code, sig) => {
      done = true;
      for (const w of waiters.splice(0)) w();
      resolve(code ?? 128 + (sig === 'SIGKILL' ? 9 : 15));
    }));
    return {
      output: () => text,
      waitFor: (pattern) => new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`${side} ${args.join(' ')}: no ${pattern} in ${JSON.stringify(text)}`)), 30_000);
        const check = (): void => {
          if (pattern.test(text)) {
            clearTimeout(timer);
            resolve();
          } else if (done) {
            clearTimeout(timer);
            reject(new Error(`${side} ${args.join(' ')} ended without ${pattern}: ${JSON.stringify(text)}`));
          } else waiters.push(check);
        };
        check();
      }),
      signal: (sig) => child.kill(sig),
      exited,
      running: () => !done,
    };
  }

  /** `run` on either side: the test daemon has no bridge network. */
  const runArgs = (side: Side, ...args: string[]): string[] => (side === 'docker' ? ['run', '--network', 'none', ...args] : ['run', ...args]);

  async function cli(side: Side, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    if (side === 'strata') return strata(root, args);
    return d!.docker(args, { allowFailure: true });
  }

  /** A foreground run whose shell says `ready`, then ticks until it is stopped. */
  const ticking = (trap: string): string => `${trap} echo ready; i=0; while :; do i=$((i+1)); echo tick $i; sleep 0.05; done`;

  for (const side of SIDES) {
    it(`${side}: a PID 1 that traps SIGINT gets it from the CLI, keeps running and writing, and the CLI stays attached`, async ({ skip }) => {
      if (skipSide(side)) skip(skipSide(side));
      const run = spawnCli(side, runArgs(side, '--name', 'trapper', 'bb:1', 'sh', '-c', ticking('trap "echo got INT" INT;')));
      await run.waitFor(/ready/);
      run.signal('SIGINT');
      await run.waitFor(/got INT\n(.*\n)*tick \d+\n/);
      expect(run.running()).toBe(true);
      expect((await cli(side, ['kill', 'trapper'])).code).toBe(0);
      expect(await run.exited).toBe(137);
      await cli(side, ['rm', '-f', 'trapper']);
    }, 60_000);

    it(`${side}: a shell without a trap ends on the forwarded SIGINT with status 130`, async ({ skip }) => {
      if (skipSide(side)) skip(skipSide(side));
      const run = spawnCli(side, runArgs(side, '--name', 'plain', 'bb:1', 'sh', '-c', ticking('')));
      await run.waitFor(/ready/);
      run.signal('SIGINT');
      expect(await run.exited).toBe(130);
      expect((await cli(side, ['inspect', '-f', '{{.State.ExitCode}}', 'plain'])).stdout.trim()).toBe('130');
      await cli(side, ['rm', '-f', 'plain']);
    }, 60_000);

    it(`${side}: with -t the signal is forwarded too`, async ({ skip }) => {
      if (skipSide(side)) skip(skipSide(side));
      const run = spawnCli(side, runArgs(side, '-t', '--name', 'tty', 'bb:1', 'sh', '-c', ticking('trap "echo got INT" INT;')));
      await run.waitFor(/ready/);
      run.signal('SIGTERM'); // ignored by a PID 1 without a handler for it
      run.signal('SIGINT');
      await run.waitFor(/got INT\r?\n(.*\n)*tick \d+\r?\n/);
      expect(run.running()).toBe(true);
      await cli(side, ['kill', 'tty']);
      expect(await run.exited).toBe(137);
      await cli(side, ['rm', '-f', 'tty']);
    }, 60_000);

    // docker's side needs the docker 28 CLI, which CI does not install: there the case is Strata's only.
    if (side === 'docker' && !DOCKER_28) continue;
    it(`${side}: --sig-proxy=false leaves the container alone and the CLI attached`, async ({ skip }) => {
      if (skipSide(side)) skip(skipSide(side));
      const run = spawnCli(side, runArgs(side, '--sig-proxy=false', '--name', 'noproxy', 'bb:1', 'sh', '-c', ticking('trap "echo got INT" INT; trap "echo got USR1" USR1;')), DOCKER_28);
      await run.waitFor(/ready/);
      run.signal('SIGINT');
      // A signal sent the daemon's way after it shows the container got nothing before.
      expect((await cli(side, ['kill', '-s', 'USR1', 'noproxy'])).code).toBe(0);
      await run.waitFor(/got USR1/);
      expect(run.output()).not.toContain('got INT');
      expect(run.running()).toBe(true);
      await cli(side, ['kill', 'noproxy']);
      expect(await run.exited).toBe(137);
      await cli(side, ['rm', '-f', 'noproxy']);
    }, 60_000);
  }

  const USERS = ['', 'ada', 'nobody', '1000', '65534', '1000:50', 'ada:staff', 'nobody:audio', '123', '123:456', '0:50'];

  it("-u: run's id shows the groups docker gives (the user's from /etc/group, or only the one asked for)", async ({ skip }) => {
    if (why()) skip(why());
    const ours = [];
    for (const u of USERS) ours.push((await strata(root, ['run', '--rm', ...(u ? ['-u', u] : []), 'bb:1', 'id'])).stdout);
    expect(ours[0]).toBe('uid=0(root) gid=0(root) groups=0(root),10(wheel)\n');
    expect(ours[1]).toBe('uid=1000(ada) gid=1000(ada) groups=10(wheel),29(audio),50(staff),1000(ada)\n');
    expect(ours[5]).toBe('uid=1000(ada) gid=50(staff) groups=50(staff)\n');
    expect(ours[8]).toBe('uid=123 gid=0(root) groups=0(root)\n');
    if (noDocker()) return;
    const theirs = [];
    for (const u of USERS) theirs.push((await d!.docker(['run', '--rm', '--network', 'none', ...(u ? ['-u', u] : []), 'bb:1', 'id'])).stdout);
    expect(ours).toEqual(theirs);
  }, 60_000);

  it('-u: a non-root user sees the real owners of the image\'s files, as with docker', async ({ skip }) => {
    if (why()) skip(why());
    const args = ['run', '--rm', '-u', 'nobody', 'bb:1', 'ls', '-lnd', '/root', '/tmp'];
    const ours = (await strata(root, args)).stdout;
    expect(ours).toMatch(/^drwx------ +\d+ 0 +0 /m);
    if (noDocker()) return;
    const strip = (s: string): string => s.replace(/ \w{3} +\d+ +[\d:]+ /g, ' ');
    expect(strip(ours)).toBe(strip((await d!.docker(['run', '--rm', '--network', 'none', ...args.slice(2)])).stdout));
  }, 60_000);

  it("ps: IMAGE as typed while it names the same image, else the ID; COMMAND quoted as docker's", async ({ skip }) => {
    if (why()) skip(why());
    const script = async (side: Side): Promise<string[]> => {
      const id = (await cli(side, ['inspect', '-f', '{{.Id}}', 'bb:1'])).stdout.trim();
      await cli(side, ['tag', 'bb:1', 'bb:moving']);
      await cli(side, ['tag', 'bb:1', 'bb']);
      const make = [
        ['p-moved', 'bb:moving', 'true'], ['p-long', 'docker.io/library/bb:1', 'true'], ['p-prefix', id.slice(7, 12), 'true'],
        ['p-short', id.slice(7, 19), 'true'], ['p-full', id, 'true'], ['p-bare', 'bb', 'true'],
        ['p-args', 'bb:1', 'echo', 'a b', 'c', '', "x'y"], ['p-loop', 'bb:1', 'sh', '-c', 'while true; do sleep 1; done'],
      ];
      for (const [name, ...rest] of make) expect((await cli(side, ['create', '--name', name!, ...rest])).code).toBe(0);
      await cli(side, ['rmi', 'bb:moving']);
      const rows: string[] = [];
      for (const trunc of [[], ['--no-trunc']]) {
        const out = (await cli(side, ['ps', '-a', ...trunc, '--filter', 'name=p-', '--format', '{{.Names}}|{{.Image}}|{{.Command}}'])).stdout;
        rows.push(...out.split('\n').filter(Boolean).sort());
      }
      for (const name of make.map((m) => m[0]!)) await cli(side, ['rm', name]);
      return rows;
    };
    const ours = await script('strata');
    const shortId = ours.find((r) => r.startsWith('p-short|'))!.split('|')[1]!;
    expect(shortId).toMatch(/^[0-9a-f]{12}$/);
    expect(ours).toContain(`p-moved|${shortId}|"true"`);
    expect(ours).toContain(`p-full|${shortId}|"true"`);
    expect(ours).toContain('p-long|bb:1|"true"');
    expect(ours).toContain(`p-args|bb:1|"echo 'a b' c  x'y"`);
    expect(ours).toContain(`p-loop|bb:1|"sh -c 'while true; …"`);
    if (noDocker()) return;
    expect(ours).toEqual(await script('docker'));
  }, 60_000);
});
