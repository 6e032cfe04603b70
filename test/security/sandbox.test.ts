/**
 * Issue 11, the sandbox: what a RUN step or a container may reach on the host. Every attack runs
 * as root (how CI and many users run Strata) and rootless (an unprivileged user through setpriv),
 * through the real sandbox (bwrap, overlayfs) with a busybox image.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { busyboxMissing } from '../fixtures/busybox.ts';
import { tempDir } from '../tmp.ts';
import { repoRoot } from '../paths.ts';
import { skipAllIf } from '../fixtures/skip.ts';
import { sandboxUnavailable } from '../../src/main/engine/runtime/sandbox.ts';
import type { Probe, ProbeResult } from './sandbox-probe.ts';

const PROBE = join(repoRoot, 'test/security/sandbox-probe.ts');
const isRoot = process.getuid?.() === 0;

/** Why the probes cannot run as this kind of user, or undefined. */
function cannot(as: 'root' | 'rootless'): string | undefined {
  const why = busyboxMissing() ?? sandboxUnavailable();
  if (why) return why;
  if (as === 'root' && !isRoot) return 'not root: the root sandbox is only reachable as root';
  if (as === 'rootless' && isRoot && spawnSync('setpriv', ['--version']).status !== 0) return 'setpriv (util-linux) is not installed';
  return undefined;
}

/**
 * Runs the probes in a fresh store, as root or as uid 65534; a string when that user cannot make
 * a sandbox here. Asynchronous: the test's own loopback server must keep answering meanwhile.
 */
async function probe(as: 'root' | 'rootless', probes: Probe[]): Promise<ProbeResult[] | string> {
  const dir = tempDir('strata-sec-');
  try {
    chmodSync(dir.path, 0o777);
    const drop = as === 'rootless' && isRoot ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups'] : [];
    const argv = [...drop, process.execPath, PROBE, dir.path, JSON.stringify(probes)];
    const child = spawn(argv[0]!, argv.slice(1), { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir.path }, cwd: dir.path, timeout: 120_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    await new Promise((resolve) => child.on('close', resolve));
    const last = stdout.trim().split('\n').at(-1) ?? '';
    if (!last.startsWith('{')) throw new Error(`probe failed: ${stderr}${stdout}`);
    const out = JSON.parse(last) as { skipped?: string; results: ProbeResult[] };
    return out.skipped ?? out.results;
  } finally {
    dir.cleanup();
  }
}

const PROC = [
  '(echo strata > /proc/sys/kernel/domainname) 2>/dev/null && echo domainname-written',
  'echo masked $(cat /proc/keys /proc/timer_list 2>/dev/null | wc -c)',
  'touch /sys/x 2>/dev/null && echo sys-writable',
  'grep -c " /proc/sys proc ro," /proc/mounts',
].join('; ');

const CONFINED = 'grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status; unshare -U true 2>/dev/null || echo unshare-denied; grep CapEff /proc/self/status';

for (const as of ['root', 'rootless'] as const) {
  describe(`sandbox as ${as}`, () => {
    skipAllIf(() => cannot(as));
    let server: Server;
    let port = 0;
    let connections = 0;
    beforeAll(async () => {
      server = createServer((s) => {
        connections++;
        s.end('host-secret\n');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as { port: number }).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('/proc/sys is read-only and docker\'s masked /proc files are empty, in RUN, run and exec', async (ctx) => {
      const res = await probe(as, [{ via: 'run', script: PROC }, { via: 'build', script: PROC }, { via: 'exec', script: PROC }, { via: 'run', script: PROC, user: '65534:65534' }]);
      if (typeof res === 'string') return ctx.skip(res);
      for (const r of res) expect(r.output).toBe('masked 0\n1\n');
      // The host's own value was never touched (the domainname write above is namespaced anyway).
      expect(spawnSync('cat', ['/proc/sys/kernel/domainname'], { encoding: 'utf8' }).stdout).not.toContain('strata');
    });

    it('a loopback-only service on the host is unreachable from RUN, run and exec unless --network host is asked for', async (ctx) => {
      const reach = `nc 127.0.0.1 ${port} </dev/null 2>/dev/null || echo unreachable`;
      const before = connections;
      const res = await probe(as, [{ via: 'run', script: reach }, { via: 'build', script: reach }, { via: 'exec', script: reach }, { via: 'run', script: reach, network: 'none' }]);
      if (typeof res === 'string') return ctx.skip(res);
      for (const r of res) expect(r.output).toBe('unreachable\n');
      expect(connections).toBe(before);
      // The same probe does reach it when the host's network is asked for: the test can fail.
      const nc = `nc 127.0.0.1 ${port} </dev/null`;
      const asked = await probe(as, [
        { via: 'run', script: nc, network: 'host' },
        { via: 'build', script: nc, buildNetwork: 'host' },
        { via: 'build', script: nc, network: 'host', allow: ['network.host'] },
        // A Dockerfile cannot opt itself into the host's network (BuildKit's network.host entitlement).
        { via: 'build', script: nc, network: 'host' },
      ]);
      if (typeof asked === 'string') return ctx.skip(asked);
      expect(asked.map((r) => r.output)).toEqual(['host-secret\n', 'host-secret\n', 'host-secret\n', 'network.host is not allowed']);
      expect(connections).toBe(before + 3);
    });

    it('docker\'s seccomp filter, no_new_privs and capabilities hold in RUN, run and exec: no nested user namespace', async (ctx) => {
      const res = await probe(as, [{ via: 'run', script: CONFINED }, { via: 'build', script: CONFINED }, { via: 'exec', script: CONFINED }, { via: 'exec', script: CONFINED, user: '65534:65534' }]);
      if (typeof res === 'string') return ctx.skip(res);
      const [run, build, exec, execUser] = res.map((r) => r.output);
      // Seccomp 2 is filter mode; a80425fb is docker's default set (no CAP_SYS_ADMIN, CAP_NET_ADMIN…).
      const root = 'NoNewPrivs:\t1\nSeccomp:\t2\nunshare-denied\nCapEff:\t00000000a80425fb\n';
      expect([run, build, exec]).toEqual([root, root, root]);
      // A non-root user keeps no capability, as with docker.
      expect(execUser).toBe('NoNewPrivs:\t1\nSeccomp:\t2\nunshare-denied\nCapEff:\t0000000000000000\n');
    });
  });
}
