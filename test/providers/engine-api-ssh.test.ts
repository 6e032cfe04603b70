import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busyboxMissing, writeBusyboxRootfs } from '../fixtures/busybox.ts';
import { dockerdMissing, startDockerd, type Dockerd, type DockerResult } from '../fixtures/dockerd.ts';
import { freePort } from '../registry/registry-server.ts';
import { strata, type CliResult } from '../cli/run.ts';
import { tempDir } from '../tmp.ts';

/**
 * `strata -H ssh://root@127.0.0.1:PORT …` reaches an engine as the docker CLI does: the system ssh
 * runs `docker system dial-stdio` on the host. A private sshd on a loopback port (its own host key,
 * one authorized key, DOCKER_HOST pointing at a private dockerd for the session) is the remote; an
 * `ssh` first on PATH adds the test's key and known_hosts, for both CLIs alike.
 */
const SSHD = '/usr/sbin/sshd';

function sshMissing(): string | undefined {
  if (!existsSync(SSHD)) return 'openssh-server is not installed (apt-get install openssh-server)';
  if (!existsSync('/usr/bin/ssh') || !existsSync('/usr/bin/ssh-keygen')) return 'openssh-client is not installed';
  return undefined;
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1', () => {
      sock.destroy();
      resolve(true);
    });
    sock.on('error', () => resolve(false));
  });
}

const skip = dockerdMissing() ?? busyboxMissing() ?? sshMissing();

describe.skipIf(skip)('an engine over ssh://', () => {
  let d: Dockerd;
  let sshd: ChildProcess | undefined;
  let url: string;
  const tmp = tempDir('strata-provider-ssh-');
  const store = join(tmp.path, 'store');
  const savedPath = process.env.PATH;

  const s = (args: string[], host = url): Promise<CliResult> => strata(store, ['-H', host, ...args]);
  const dk = (args: string[], host = url): Promise<DockerResult> => d.docker(['-H', host, ...args], { allowFailure: true, env: { PATH: process.env.PATH, DOCKER_HOST: '' } });

  beforeAll(async () => {
    d = await startDockerd();
    const rootfs = join(tmp.path, 'busybox.tar');
    await writeBusyboxRootfs(rootfs);
    await d.docker(['import', rootfs, 'busybox:latest']);
    const dir = join(tmp.path, 'ssh');
    mkdirSync(join(dir, 'bin'), { recursive: true });
    for (const key of ['host', 'client']) execFileSync('/usr/bin/ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', join(dir, key)]);
    writeFileSync(join(dir, 'authorized_keys'), readFileSync(join(dir, 'client.pub')));
    const port = await freePort();
    writeFileSync(join(dir, 'sshd_config'), [
      `Port ${port}`, 'ListenAddress 127.0.0.1', `HostKey ${join(dir, 'host')}`, `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`, 'PermitRootLogin prohibit-password', 'PasswordAuthentication no',
      'KbdInteractiveAuthentication no', 'UsePAM no', 'StrictModes no', `SetEnv DOCKER_HOST=unix://${d.socket}`, '',
    ].join('\n'));
    // sshd's privilege separation directory (the package's service would make it)
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    sshd = spawn(SSHD, ['-D', '-e', '-f', join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let said = '';
    sshd.stderr!.on('data', (c: Buffer) => { said += c.toString(); });
    for (let i = 0; !(await listening(port)); i++) {
      if (sshd.exitCode !== null || i > 200) throw new Error(`sshd did not start: ${said}`);
      await sleep(50);
    }
    writeFileSync(join(dir, 'known_hosts'), `[127.0.0.1]:${port} ${readFileSync(join(dir, 'host.pub'), 'utf8').split(' ').slice(0, 2).join(' ')}\n`);
    writeFileSync(join(dir, 'bin', 'ssh'), `#!/bin/sh\nexec /usr/bin/ssh -i ${join(dir, 'client')} -o IdentitiesOnly=yes -o UserKnownHostsFile=${join(dir, 'known_hosts')} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes -o BatchMode=yes "$@"\n`);
    chmodSync(join(dir, 'bin', 'ssh'), 0o755);
    process.env.PATH = `${join(dir, 'bin')}:${savedPath ?? ''}`;
    url = `ssh://root@127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    process.env.PATH = savedPath;
    if (sshd && sshd.exitCode === null) {
      const exited = new Promise((resolve) => sshd!.once('exit', resolve));
      sshd.kill('SIGTERM');
      await exited;
    }
    await d?.stop();
    tmp.cleanup();
  });

  it('lists, runs and execs as docker -H ssh:// does', async () => {
    const list = ['images', '--format', '{{.Repository}}:{{.Tag}} {{.ID}} {{.Size}}'];
    const mine = await s(list);
    expect(mine.stdout).toMatch(/^busybox:latest [0-9a-f]{12} /);
    expect(mine).toEqual({ code: 0, stdout: (await dk(list)).stdout, stderr: '' });
    // a hijacked connection (attach) and a wait over the same kind of connection
    const run = ['run', '--rm', '--network', 'none', 'busybox', 'sh', '-c', 'echo over ssh; echo err >&2; exit 5'];
    const ran = await s(run);
    expect(ran).toEqual({ code: 5, stdout: 'over ssh\n', stderr: 'err\n' });
    const theirs = await dk(run);
    expect(ran).toEqual({ code: theirs.code, stdout: theirs.stdout, stderr: theirs.stderr });
    await d.docker(['run', '-d', '--network', 'none', '--name', 'remote', 'busybox', 'sleep', '600']);
    expect(await s(['exec', 'remote', 'sh', '-c', 'echo $((6*7))'])).toEqual({ code: 0, stdout: '42\n', stderr: '' });
    expect(await s(['stop', '-t', '0', 'remote'])).toEqual({ code: 0, stdout: 'remote\n', stderr: '' });
  });

  it('a host it cannot reach, or whose key it does not know, is one clear error', async () => {
    const closed = `ssh://root@127.0.0.1:${await freePort()}`;
    const refused = await s(['images'], closed);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`^Error: Cannot connect to the Docker daemon at ${closed}\\. Is the docker daemon running\\? \\(command \\[ssh .*\\] has exited with exit status 255.*stderr=.*Connection refused`));
    // the same sshd under another name: not in known_hosts, so ssh refuses it (never trusted silently)
    const unknown = await s(['images'], url.replace('127.0.0.1', 'localhost'));
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Host key verification failed');
    expect((await s(['images'], 'ssh://root:secret@127.0.0.1')).stderr).toContain('ssh host connection is not valid: plain-text password is not supported');
    expect((await s(['images'], `${url}/path`)).stderr).toContain('ssh host connection is not valid: extra path after the host: "/path"');
  });
});
